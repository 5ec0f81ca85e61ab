//! Property tests: invariants over generated German-like text.

use anonymizer::{Anonymizer, StreamingDeanonymizer, deanonymize};
use proptest::prelude::*;
use std::sync::LazyLock;

static A: LazyLock<Anonymizer> = LazyLock::new(Anonymizer::new);

/// Fragments mixing PII, cues, punctuation, umlauts and noise.
fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("Sehr geehrte Frau Huber, ".to_string()),
        Just("Elisabeth Haas ".to_string()),
        Just("Herr Dr. Thomas Gruber ".to_string()),
        Just("IBAN AT61 1904 3002 3457 3201 ".to_string()),
        Just("Tel. +43 664 1234567 ".to_string()),
        Just("anna.huber@firma.at ".to_string()),
        Just("Mariahilfer Straße 12/3/5, 1060 Wien\n".to_string()),
        Just("SVNR 1237 010180 ".to_string()),
        Just("Mit freundlichen Grüßen\n".to_string()),
        Just("[PERSON_1] ".to_string()),
        Just("äöüß ÄÖÜ € 😀 ".to_string()),
        "[a-zA-Z0-9äöüÄÖÜß .,;:()\\[\\]@/+\n-]{0,20}",
        any::<String>().prop_map(|s| s.chars().take(12).collect()),
    ]
}

fn doc() -> impl Strategy<Value = String> {
    prop::collection::vec(fragment(), 0..12).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn roundtrip_exact(text in doc()) {
        let out = A.pseudonymize(&text);
        prop_assert_eq!(deanonymize(&out.text, &out.mapping), text);
    }

    #[test]
    fn entities_sorted_disjoint_on_boundaries(text in doc()) {
        let ents = A.detect(&text);
        let mut last = 0;
        for e in &ents {
            prop_assert!(e.byte_start >= last && e.byte_start < e.byte_end);
            prop_assert!(text.is_char_boundary(e.byte_start) && text.is_char_boundary(e.byte_end));
            prop_assert_eq!(text[..e.byte_start].chars().count(), e.start);
            prop_assert_eq!(text[..e.byte_end].chars().count(), e.end);
            last = e.byte_end;
        }
    }

    #[test]
    fn streaming_equals_batch(text in doc(), chunk in 1usize..7) {
        let out = A.pseudonymize(&text);
        let answer = format!("{} [Person_1] PERSON_1s [PERSON_\n1]", out.text);
        let mut sd = StreamingDeanonymizer::new(&out.mapping);
        let chars: Vec<char> = answer.chars().collect();
        let mut got = String::new();
        for c in chars.chunks(chunk) {
            got.push_str(&sd.push(&c.iter().collect::<String>()));
        }
        got.push_str(&sd.finish());
        prop_assert_eq!(got, deanonymize(&answer, &out.mapping));
    }

    #[test]
    fn mask_hides_detected_values(text in doc()) {
        let out = A.mask(&text);
        prop_assert_eq!(out.entities.len(), A.detect(&text).len());
        prop_assert!(out.mapping.is_empty());
    }
}
