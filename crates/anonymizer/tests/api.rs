//! Public API behaviour the web app relies on.

use anonymizer::{
    Anonymizer, Label, Mapping, StreamingDeanonymizer, deanonymize, special_categories,
};

#[test]
fn same_person_same_number_across_messages() {
    let a = Anonymizer::new();
    let mut m = Mapping::new();
    let first = a.pseudonymize_with("Sehr geehrte Frau Haas, bitte rufen Sie an.", &mut m);
    assert_eq!(
        first.text,
        "Sehr geehrte Frau [PERSON_1], bitte rufen Sie an."
    );
    let second = a.pseudonymize_with("Elisabeth Haas hat unter 0664/1234567 angerufen.", &mut m);
    assert!(second.text.starts_with("[PERSON_1"), "{}", second.text);
    assert!(second.text.contains("[PHONE_1]"));
    let answer = "Frau [PERSON_1] erreichen Sie unter [PHONE_1].";
    assert_eq!(
        deanonymize(answer, &m),
        "Frau Haas erreichen Sie unter 0664/1234567."
    );
}

#[test]
fn entity_offsets_are_code_points() {
    let a = Anonymizer::new();
    let text = "Grüße an Frau Jürgenßen, Tel. 0664 1234567";
    let ents = a.detect(text);
    let chars: Vec<char> = text.chars().collect();
    for e in &ents {
        let by_char: String = chars[e.start..e.end].iter().collect();
        assert_eq!(by_char, &text[e.byte_start..e.byte_end]);
    }
    let json = serde_json::to_value(&ents[0]).unwrap();
    assert_eq!(json["label"], "PERSON");
    assert_eq!(json["start"], 14);
}

#[test]
fn mapping_json_is_flat_object() {
    let a = Anonymizer::new();
    let out = a.pseudonymize("Liebe Anna, IBAN AT61 1904 3002 3457 3201.");
    let json = serde_json::to_string(&out.mapping).unwrap();
    assert_eq!(
        json,
        r#"{"[PERSON_1]":"Anna","[IBAN_1]":"AT61 1904 3002 3457 3201"}"#
    );
    let back: Mapping = serde_json::from_str(&json).unwrap();
    assert_eq!(
        deanonymize(&out.text, &back),
        "Liebe Anna, IBAN AT61 1904 3002 3457 3201."
    );
}

#[test]
fn label_policy_and_mask() {
    let a = Anonymizer::with_labels(&[Label::Email]);
    let out = a.mask("Frau Huber, huber@example.at, Tel. 0664 1234567");
    assert_eq!(out.text, "Frau Huber, [EMAIL], Tel. 0664 1234567");
    assert!(out.mapping.is_empty());
    assert_eq!(a.labels(), vec![Label::Email]);
    assert!(Anonymizer::try_new().is_ok());
}

#[test]
fn literal_placeholders_in_input_stay_literal() {
    let a = Anonymizer::new();
    let text = "Vorlage: [PERSON_1] und PERSON_2 bleiben, Frau Haas wird ersetzt.";
    let out = a.pseudonymize(text);
    assert!(out.text.contains("Frau [PERSON_3]"), "{}", out.text);
    assert_eq!(deanonymize(&out.text, &out.mapping), text);
}

#[test]
fn streaming_one_char_chunks() {
    let a = Anonymizer::new();
    let out = a.pseudonymize(
        "Sehr geehrter Herr Gruber, Ihre IBAN AT61 1904 3002 3457 3201 und Mail gruber@firma.at.",
    );
    let answer = "Hallo [PERSON_1], wir haben [Iban_1] und PERSON_1s Adresse [EMAIL_1] notiert.";
    let mut sd = StreamingDeanonymizer::new(&out.mapping);
    let mut got = String::new();
    for c in answer.chars() {
        got.push_str(&sd.push(&c.to_string()));
    }
    got.push_str(&sd.finish());
    assert_eq!(got, deanonymize(answer, &out.mapping));
    assert!(got.contains("Gruber") && got.contains("AT61 1904 3002 3457 3201"));
}

#[test]
fn special_category_hints() {
    let hits = special_categories("Herr Gruber ist im Krankenstand und Mitglied der Gewerkschaft.");
    assert!(hits.len() >= 2);
    assert!(special_categories("Die Rechnung ist bezahlt.").is_empty());
}

#[test]
fn send_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Anonymizer>();
    assert_send_sync::<Mapping>();
}
