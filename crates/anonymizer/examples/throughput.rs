//! Quick throughput check without criterion: best of N passes, MB/s.
//!
//! Usage: `cargo run --release -p anonymizer --example throughput`

use std::time::Instant;

fn best_mb_s(bytes: usize, passes: usize, mut f: impl FnMut() -> usize) -> f64 {
    let mut best = f64::MAX;
    for _ in 0..passes {
        let t = Instant::now();
        std::hint::black_box(f());
        best = best.min(t.elapsed().as_secs_f64());
    }
    bytes as f64 / best / 1e6
}

fn main() {
    let a = anonymizer::Anonymizer::new();
    let base = include_str!("../bench-corpus/business_text.txt");
    let long: String = (0..40)
        .map(|i| base.replace("2025-0412", &format!("2025-{:04}", 412 + i)))
        .collect();
    let mb = best_mb_s(long.len(), 20, || a.detect(&long).len());
    println!(
        "long business text ({} KB): detect {mb:.1} MB/s",
        long.len() / 1024
    );
    let mb = best_mb_s(long.len(), 20, || a.pseudonymize(&long).entities.len());
    println!("long business text: pseudonymize {mb:.1} MB/s");
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/bench-corpus/main.jsonl");
    if let Ok(raw) = std::fs::read_to_string(path) {
        let docs: Vec<String> = raw
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .filter_map(|v| v.get("text").and_then(|t| t.as_str()).map(str::to_string))
            .collect();
        let bytes: usize = docs.iter().map(String::len).sum();
        let mb = best_mb_s(bytes, 10, || docs.iter().map(|d| a.detect(d).len()).sum());
        println!(
            "short PII-dense docs ({} docs, avg {} B): detect {mb:.1} MB/s",
            docs.len(),
            bytes / docs.len().max(1)
        );
    }
    println!(
        "gazetteer memory (approx.): {:.2} MB",
        a.gazetteer_bytes() as f64 / 1e6
    );
}
