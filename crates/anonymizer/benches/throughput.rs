//! Criterion throughput benchmarks (MB/s) for detection and pseudonymization.
//!
//! Two inputs: a long business letter text (~100 KB, typical prose with a few
//! personal data items per paragraph) and short PII-dense documents from the
//! synthetic corpus (`bench-corpus/main.jsonl`).
//! Run: `cargo bench -p anonymizer --bench throughput`

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

fn long_text() -> String {
    let base = include_str!("../bench-corpus/business_text.txt");
    let mut s = String::with_capacity(base.len() * 41);
    for i in 0..40 {
        s.push_str(&base.replace("2025-0412", &format!("2025-{:04}", 412 + i)));
    }
    s
}

fn short_docs() -> Vec<String> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/bench-corpus/main.jsonl");
    let Ok(raw) = std::fs::read_to_string(path) else {
        return Vec::new();
    };
    raw.lines()
        .take(1000)
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v.get("text").and_then(|t| t.as_str()).map(str::to_string))
        .collect()
}

fn bench(c: &mut Criterion) {
    let a = anonymizer::Anonymizer::new();
    let text = long_text();
    let mut g = c.benchmark_group("long_business_text");
    g.throughput(Throughput::Bytes(text.len() as u64));
    g.bench_function("detect", |b| {
        b.iter(|| a.detect(std::hint::black_box(&text)))
    });
    g.bench_function("pseudonymize", |b| {
        b.iter(|| a.pseudonymize(std::hint::black_box(&text)))
    });
    g.finish();

    let docs = short_docs();
    let bytes: usize = docs.iter().map(String::len).sum();
    let mut g = c.benchmark_group("short_pii_dense_docs");
    g.throughput(Throughput::Bytes(bytes as u64));
    g.bench_function("detect", |b| {
        b.iter(|| {
            docs.iter()
                .map(|d| a.detect(std::hint::black_box(d)).len())
                .sum::<usize>()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
