//! Runs the fuzz body over the checked-in corpus (`fuzz-corpus/`) on stable.

#[test]
fn replay_fuzz_corpus() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/fuzz-corpus");
    let mut n = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            let data = std::fs::read(&path).unwrap();
            anonymizer::fuzz_check::check(&data);
            // also every prefix cut at odd places, to hit partial inputs
            for cut in (0..data.len()).step_by(7) {
                anonymizer::fuzz_check::check(&data[..cut]);
            }
            n += 1;
        }
    }
    assert!(n >= 5, "fuzz corpus missing");
}

#[test]
fn replay_bench_corpus_documents() {
    // Every generated document (incl. ALL-CAPS, lower-case, OCR noise) and a
    // byte-level cut of it must satisfy the same invariants.
    for name in ["main.jsonl", "holdout.jsonl", "holdout2.jsonl"] {
        let path = format!("{}/bench-corpus/{name}", env!("CARGO_MANIFEST_DIR"));
        let raw = std::fs::read_to_string(path).unwrap();
        for (i, line) in raw.lines().enumerate().filter(|(i, _)| i % 3 == 0) {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            let text = v["text"].as_str().unwrap().as_bytes();
            anonymizer::fuzz_check::check(text);
            anonymizer::fuzz_check::check(&text[..(i * 7919) % (text.len() + 1)]);
        }
    }
}
