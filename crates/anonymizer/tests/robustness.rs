//! Adversarial inputs must stay (near) linear: no quadratic blow-ups that a
//! gateway could be attacked with. Generous time bounds for debug builds.

use std::time::{Duration, Instant};

use anonymizer::{Anonymizer, StreamingDeanonymizer, deanonymize};

fn within(limit: Duration, f: impl FnOnce()) {
    let t = Instant::now();
    f();
    assert!(t.elapsed() < limit, "took {:?}", t.elapsed());
}

#[test]
fn pathological_inputs_are_fast() {
    let a = Anonymizer::new();
    let inputs = [
        "ab12 ".repeat(40_000),
        "1 ".repeat(100_000),
        "Anna Huber, ".repeat(15_000),
        "Herr ".repeat(40_000),
        format!("www.{}", "a".repeat(200_000)),
        "a@".repeat(100_000),
        "x".repeat(200_000),
        "AT61 ".repeat(40_000),
        "Tel. 0664 ".repeat(20_000),
        "ÄÖÜß ".repeat(40_000),
        "12.03.1985 ".repeat(20_000),
    ];
    for text in &inputs {
        within(Duration::from_secs(20), || {
            let out = a.pseudonymize(text);
            assert_eq!(deanonymize(&out.text, &out.mapping), *text);
        });
    }
}

#[test]
fn restoration_of_many_placeholders_is_fast() {
    let a = Anonymizer::new();
    let out = a.pseudonymize("Frau Haas, Herr Gruber");
    let answer = "[PERSON_1] PERSON_2s [PERS ".repeat(30_000);
    within(Duration::from_secs(20), || {
        let batch = deanonymize(&answer, &out.mapping);
        let mut sd = StreamingDeanonymizer::new(&out.mapping);
        let mut streamed = String::new();
        for chunk in answer.as_bytes().chunks(97) {
            streamed.push_str(&sd.push(std::str::from_utf8(chunk).unwrap()));
        }
        streamed.push_str(&sd.finish());
        assert_eq!(streamed, batch);
    });
}
