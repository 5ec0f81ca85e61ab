//! Contract, error-message, questionnaire, quick-check and template tests.

use riskcheck::chatgpt::{
    DataCategory as D, Location, QuickCheckInput, ToolPlan, Training, Verdict, quick_check,
};
use riskcheck::facts_keys::KNOWN_KEYS;
use riskcheck::questionnaire::{Answer, Val, questionnaire};
use riskcheck::{RULESET_VERSION, evaluate, evaluate_json, templates_for};
use serde_json::json;

#[test]
fn output_has_exactly_the_five_contract_keys_and_disclaimer_last() {
    let v = evaluate_json(r#"{"is_ai_system": true, "annex_iii_point": "4(a)"}"#).unwrap();
    let obj = v.as_object().unwrap();
    let mut keys: Vec<&str> = obj.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "needs_review",
            "obligations",
            "reasons",
            "risk_class",
            "role"
        ]
    );
    let reasons = obj["reasons"].as_array().unwrap();
    let last = reasons.last().unwrap().as_str().unwrap();
    assert!(last.starts_with("Diese Einschätzung ersetzt keine Rechtsberatung."));
    assert!(last.contains(RULESET_VERSION));
    for r in &reasons[..reasons.len() - 1] {
        let r = r.as_str().unwrap();
        assert!(r.starts_with('['), "reason without rule id: {r}");
    }
    for o in obj["obligations"].as_array().unwrap() {
        let o = o.as_object().unwrap();
        let mut k: Vec<&str> = o.keys().map(String::as_str).collect();
        k.sort_unstable();
        assert_eq!(k, ["applies_from", "legal_ref", "tag", "title_de"]);
    }
}

#[test]
fn german_error_messages_name_the_key() {
    let e = evaluate(&json!({"biometric_mode": "xyz"})).unwrap_err();
    assert_eq!(
        e.to_string(),
        "Das Feld „biometric_mode“ hat den unbekannten Wert „xyz“. Erlaubt sind: verification_1to1, identification_1toN, categorisation."
    );
    assert_eq!(e.key(), Some("biometric_mode"));
    let e = evaluate(&json!({"is_ai_system": "ja"})).unwrap_err();
    assert_eq!(
        e.to_string(),
        "Das Feld „is_ai_system“ hat den falschen Typ: erwartet wird true oder false."
    );
    let e = evaluate(&json!({"affected_persons": ["aliens"]})).unwrap_err();
    assert!(e.to_string().contains("„aliens“"));
    assert!(
        evaluate(&json!([1, 2]))
            .unwrap_err()
            .to_string()
            .contains("JSON-Objekt")
    );
    assert!(
        evaluate_json("{nope")
            .unwrap_err()
            .to_string()
            .contains("kein gültiges JSON")
    );
    let e = evaluate(&json!({"annex_iii_point": "9(z)"})).unwrap_err();
    assert!(e.to_string().contains("annex_iii_point"));
}

#[test]
fn unknown_keys_are_ignored_with_a_reason_and_null_means_absent() {
    let a = evaluate(
        &json!({"is_ai_system": true, "annex_iii_point": null, "colour": "blue", "remote": null}),
    )
    .unwrap();
    assert!(
        a.reason_strings()
            .iter()
            .any(|r| r.contains("Unbekanntes Merkmal ignoriert: colour"))
    );
}

#[test]
fn every_reason_carries_article_and_label_where_it_states_law() {
    let a = evaluate(&json!({"is_ai_system": true, "annex_iii_point": "5(b)", "processes_personal_data": true, "processor_location": "US"})).unwrap();
    for r in &a.reasons[..a.reasons.len() - 1] {
        assert!(
            !r.article.is_empty() || r.id.starts_with("IN-"),
            "no article: {r}"
        );
        assert!(
            r.certainty.is_some() || r.id.starts_with("IN-"),
            "no label: {r}"
        );
        assert_eq!(r.stand, "2026-11-27");
    }
}

#[test]
fn legal_refs_are_filled_in() {
    let a = evaluate(&json!({"is_ai_system": true, "infers_emotions_from_biometrics": true, "emotion_context": "workplace", "untargeted_face_scraping": true})).unwrap();
    assert_eq!(a.obligations[0].legal_ref, "Art. 5 Abs. 1 lit. e, f KI-VO");
    let a = evaluate(&json!({"is_ai_system": true, "annex_iii_point": "4(a)", "art25_intended_purpose_changed_to_high_risk": true})).unwrap();
    assert!(
        a.obligations
            .iter()
            .any(|o| o.legal_ref == "Art. 25 Abs. 1 lit. c iVm Art. 16 KI-VO")
    );
    let a = evaluate(&json!({"is_ai_system": true, "annex_iii_point": "4(a)", "processes_personal_data": true, "country": "DE"})).unwrap();
    assert!(a.obligations.iter().any(|o| o.legal_ref.contains("DSK")));
}

#[test]
fn questionnaire_keys_exist_and_values_parse() {
    let steps = questionnaire();
    assert!(steps.len() >= 8);
    let mut n = 0;
    for s in steps {
        assert!(!s.help_de.is_empty(), "step {} lacks help", s.id);
        for q in s.questions {
            n += 1;
            assert!(
                q.ui_only || KNOWN_KEYS.contains(&q.key),
                "unknown key {}",
                q.key
            );
            if let Answer::Single { options, .. } | Answer::Multi { options } = q.answer {
                if q.ui_only {
                    continue;
                }
                for o in options {
                    let value = match o.value {
                        Val::Str(s) if matches!(q.answer, Answer::Multi { .. }) => json!([s]),
                        Val::Str(s) => json!(s),
                        Val::Null => serde_json::Value::Null,
                        Val::Bool(b) => json!(b),
                        Val::Omit => continue,
                    };
                    let facts = json!({ q.key: value });
                    assert!(
                        evaluate(&facts).is_ok(),
                        "option {:?} of {} rejected",
                        o.value,
                        q.key
                    );
                }
            }
            if let Answer::ListMember { value } = q.answer {
                assert!(evaluate(&json!({ q.key: [value] })).is_ok());
            }
        }
    }
    assert!(n >= 80, "only {n} questions");
    assert!(serde_json::to_string(steps).is_ok());
}

fn qc(data: &[D], plan: ToolPlan, location: Location, training: Training) -> Verdict {
    quick_check(&QuickCheckInput {
        data: data.to_vec(),
        plan,
        location,
        training,
    })
    .verdict
}

/// data, plan, location, training, expected verdict, deciding article.
type QcCase = (
    &'static [D],
    ToolPlan,
    Location,
    Training,
    Verdict,
    &'static str,
);

#[test]
fn chatgpt_quick_check_table() {
    use Location::*;
    use ToolPlan::*;
    use Training::{No, Unknown as TU, Yes};
    let cases: &[QcCase] = &[
        (
            &[D::None],
            Consumer,
            UsDpf,
            Yes,
            Verdict::Ja,
            "Art. 2(1), 4(1) GDPR",
        ),
        (&[], Consumer, Unknown, TU, Verdict::Ja, "Art. 4(1) GDPR"),
        (
            &[D::CustomerPersonalData],
            Consumer,
            UsDpf,
            No,
            Verdict::NeinSoNicht,
            "Art. 28(3) GDPR",
        ),
        (
            &[D::CustomerPersonalData],
            BusinessWithAvv,
            Eu,
            No,
            Verdict::JaMitAuflagen,
            "Art. 28 GDPR",
        ),
        (
            &[D::CustomerPersonalData],
            BusinessWithAvv,
            UsDpf,
            No,
            Verdict::JaMitAuflagen,
            "Art. 45 GDPR",
        ),
        (
            &[D::CustomerPersonalData],
            BusinessWithAvv,
            Unknown,
            No,
            Verdict::NeinSoNicht,
            "Art. 44 GDPR",
        ),
        (
            &[D::CustomerPersonalData],
            Api,
            OtherThirdCountry,
            No,
            Verdict::JaMitAuflagen,
            "Art. 46(2)(c) GDPR",
        ),
        (
            &[D::CustomerPersonalData],
            Api,
            Eu,
            Yes,
            Verdict::NeinSoNicht,
            "Art. 28(10) GDPR",
        ),
        (
            &[D::EmployeePersonalData],
            SelfHosted,
            Eu,
            TU,
            Verdict::JaMitAuflagen,
            "Art. 88 GDPR",
        ),
        (
            &[D::SpecialCategories],
            Consumer,
            Eu,
            No,
            Verdict::NeinSoNicht,
            "Art. 9(1) GDPR",
        ),
        (
            &[D::SpecialCategories],
            BusinessWithAvv,
            Eu,
            No,
            Verdict::JaMitAuflagen,
            "Art. 9(2) GDPR",
        ),
        (
            &[D::SpecialCategories],
            BusinessWithAvv,
            OtherThirdCountry,
            No,
            Verdict::NeinSoNicht,
            "Art. 9, 44 GDPR",
        ),
        (
            &[D::BusinessSecrets],
            Consumer,
            UsDpf,
            Yes,
            Verdict::NeinSoNicht,
            "Art. 2(1)(c) Dir. 2016/943",
        ),
        (
            &[D::BusinessSecrets],
            BusinessWithAvv,
            UsDpf,
            No,
            Verdict::JaMitAuflagen,
            "§ 2 Nr. 1 lit. b GeschGehG",
        ),
        (
            &[D::BusinessSecrets],
            SelfHosted,
            Eu,
            No,
            Verdict::Ja,
            "§ 26b UWG",
        ),
    ];
    for (data, plan, loc, tr, want, cite) in cases {
        assert_eq!(
            qc(data, *plan, *loc, *tr),
            *want,
            "{data:?} {plan:?} {loc:?} {tr:?} ({cite})"
        );
    }
    let a = quick_check(&QuickCheckInput {
        data: vec![D::CustomerPersonalData],
        plan: ToolPlan::Consumer,
        location: Location::UsDpf,
        training: Training::Yes,
    });
    assert!(
        a.fixes
            .iter()
            .any(|f| f.text_de
                == "Daten vor der Eingabe pseudonymisieren — mit unserem Anonymisierer")
    );
    assert!(
        a.fixes
            .iter()
            .any(|f| f.text_de == "Business-Tarif mit AVV")
    );
    assert!(
        a.reasons
            .iter()
            .all(|r| !r.article.is_empty() && r.stand == "2026-11-27")
    );
    assert!(a.disclaimer_de.contains(RULESET_VERSION));
}

#[test]
fn templates_follow_the_tags() {
    let a = evaluate(&json!({"is_ai_system": true, "annex_iii_point": null, "interacts_directly_with_natural_persons": true, "output_is_deepfake": true})).unwrap();
    let ids: Vec<&str> = templates_for(&a).iter().map(|t| t.id).collect();
    assert!(ids.contains(&"chatbot_notice"));
    assert!(ids.contains(&"deepfake_label"));
    assert!(ids.contains(&"ai_answer_disclaimer"));
    assert!(templates_for(&a).iter().all(|t| t.is_template));
}

#[test]
fn never_panics_on_many_combinations() {
    let bools = [
        "is_ai_system",
        "rule_based_only",
        "developed_or_commissioned_by_us",
        "uses_third_party_system",
        "offered_or_put_into_service_under_own_name",
        "art25_intended_purpose_changed_to_high_risk",
        "processes_personal_data",
        "infers_emotions_from_biometrics",
        "annex_i_product",
        "interacts_directly_with_natural_persons",
        "profiling_natural_persons",
        "materially_influences_decision",
    ];
    let points = [
        json!(null),
        json!("4(a)"),
        json!(["2", "5(b)"]),
        json!("1(c)"),
    ];
    for mask in 0u32..(1 << bools.len()) {
        for (i, p) in points.iter().enumerate() {
            let mut m = serde_json::Map::new();
            for (j, k) in bools.iter().enumerate() {
                if mask & (1 << j) != 0 {
                    m.insert((*k).to_owned(), json!((mask >> (j + i)) & 1 == 1));
                }
            }
            m.insert("annex_iii_point".into(), p.clone());
            m.insert("art6_3_condition".into(), json!(["a", "b", "c", "d"][i]));
            let a = evaluate(&serde_json::Value::Object(m)).unwrap();
            assert!(a.reasons.last().unwrap().is_disclaimer);
            if a.risk_class == riskcheck::RiskClass::Prohibited {
                assert_eq!(a.obligations.len(), 1);
            }
        }
    }
}
