//! Scores the anonymizer on a labeled JSONL corpus.
//!
//! Usage: `cargo run --release -p anonymizer --example score -- FILE.jsonl [--errors N] [--preds OUT.jsonl]`
//! Reports per label TP/FP/FN, precision, recall, F1, F2 (overlap matching:
//! same label, ≥ 1 shared char, greedy 1:1; plus exact-match P/R), char
//! leak (share of non-space gold PII chars covered by no prediction),
//! over-masking (share of non-space non-PII chars covered by a prediction),
//! and throughput (MB/s of `detect`, best of 3 passes). With `--preds FILE`
//! it scores predictions from another system (JSONL with `id` and `spans`),
//! e.g. the Presidio baseline, instead of running the detector.

use std::collections::{BTreeMap, HashMap};
use std::time::Instant;

#[derive(serde::Deserialize)]
struct Span {
    start: usize,
    end: usize,
    label: String,
}

#[derive(serde::Deserialize)]
struct Doc {
    id: String,
    text: String,
    spans: Vec<Span>,
}

#[derive(Default)]
struct Counts {
    tp: usize,
    fp: usize,
    fn_: usize,
    exact_tp: usize,
}

fn prf(tp: usize, fp: usize, fn_: usize) -> (f64, f64, f64, f64) {
    let p = if tp + fp == 0 {
        1.0
    } else {
        tp as f64 / (tp + fp) as f64
    };
    let r = if tp + fn_ == 0 {
        1.0
    } else {
        tp as f64 / (tp + fn_) as f64
    };
    let f = |b: f64| {
        if p + r == 0.0 {
            0.0
        } else {
            (1.0 + b * b) * p * r / (b * b * p + r)
        }
    };
    (p, r, f(1.0), f(2.0))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let path = args
        .get(1)
        .ok_or("usage: score FILE.jsonl [--errors N] [--preds FILE]")?;
    let show = args
        .iter()
        .position(|a| a == "--errors")
        .and_then(|i| args.get(i + 1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(0usize);
    let preds_path = args
        .iter()
        .position(|a| a == "--preds")
        .and_then(|i| args.get(i + 1));
    let docs: Vec<Doc> = std::fs::read_to_string(path)?
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(serde_json::from_str)
        .collect::<Result<_, _>>()?;
    let external: Option<HashMap<String, Vec<Span>>> = match preds_path {
        Some(p) => {
            let mut m = HashMap::new();
            for l in std::fs::read_to_string(p)?
                .lines()
                .filter(|l| !l.trim().is_empty())
            {
                let d: Doc = serde_json::from_str(l)?;
                m.insert(d.id, d.spans);
            }
            Some(m)
        }
        None => None,
    };
    let a = anonymizer::Anonymizer::new();
    let mut per: BTreeMap<String, Counts> = BTreeMap::new();
    let (mut pii_chars, mut leaked, mut plain_chars, mut overmasked) =
        (0usize, 0usize, 0usize, 0usize);
    let mut errors: Vec<String> = Vec::new();
    for d in &docs {
        let chars: Vec<char> = d.text.chars().collect();
        let preds: Vec<(usize, usize, String)> = match &external {
            Some(m) => m
                .get(&d.id)
                .map(|v| {
                    v.iter()
                        .map(|s| (s.start, s.end, s.label.clone()))
                        .collect()
                })
                .unwrap_or_default(),
            None => a
                .detect(&d.text)
                .into_iter()
                .map(|e| (e.start, e.end, e.label.as_str().to_string()))
                .collect(),
        };
        let mut gold_mask = vec![false; chars.len()];
        let mut pred_mask = vec![false; chars.len()];
        for g in &d.spans {
            for m in gold_mask
                .iter_mut()
                .take(g.end.min(chars.len()))
                .skip(g.start)
            {
                *m = true;
            }
        }
        for p in &preds {
            for m in pred_mask.iter_mut().take(p.1.min(chars.len())).skip(p.0) {
                *m = true;
            }
        }
        for (i, c) in chars.iter().enumerate() {
            if c.is_whitespace() {
                continue;
            }
            if gold_mask[i] {
                pii_chars += 1;
                leaked += usize::from(!pred_mask[i]);
            } else {
                plain_chars += 1;
                overmasked += usize::from(pred_mask[i]);
            }
        }
        let mut used = vec![false; preds.len()];
        for g in &d.spans {
            let c = per.entry(g.label.clone()).or_default();
            let hit = preds
                .iter()
                .enumerate()
                .position(|(i, p)| !used[i] && p.2 == g.label && p.0 < g.end && g.start < p.1);
            match hit {
                Some(i) => {
                    used[i] = true;
                    c.tp += 1;
                    if preds[i].0 == g.start && preds[i].1 == g.end {
                        c.exact_tp += 1;
                    } else if errors.len() < show * 4 {
                        let pt: String = chars[preds[i].0..preds[i].1].iter().collect();
                        let gt: String = chars[g.start..g.end].iter().collect();
                        errors.push(format!(
                            "BOUND {:<13} gold {gt:?} pred {pt:?}  [{}]",
                            g.label, d.id
                        ));
                    }
                }
                None => {
                    c.fn_ += 1;
                    if errors.len() < show * 4 {
                        let gt: String = chars[g.start..g.end.min(chars.len())].iter().collect();
                        let ctx: String = chars
                            [g.start.saturating_sub(25)..(g.end + 15).min(chars.len())]
                            .iter()
                            .collect();
                        errors.push(format!(
                            "FN    {:<13} {gt:?} in {ctx:?}  [{}]",
                            g.label, d.id
                        ));
                    }
                }
            }
        }
        for (i, p) in preds.iter().enumerate() {
            if !used[i] {
                per.entry(p.2.clone()).or_default().fp += 1;
                if errors.len() < show * 4 {
                    let pt: String = chars[p.0..p.1.min(chars.len())].iter().collect();
                    let ctx: String = chars[p.0.saturating_sub(25)..(p.1 + 15).min(chars.len())]
                        .iter()
                        .collect();
                    errors.push(format!("FP    {:<13} {pt:?} in {ctx:?}  [{}]", p.2, d.id));
                }
            }
        }
    }
    println!(
        "corpus: {path} ({} docs){}",
        docs.len(),
        if external.is_some() {
            " [external predictions]"
        } else {
            ""
        }
    );
    println!("| label | TP | FP | FN | P | R | F1 | F2 | exact P | exact R |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    let (mut t, mut f, mut n, mut x) = (0, 0, 0, 0);
    for (l, c) in &per {
        let (p, r, f1, f2) = prf(c.tp, c.fp, c.fn_);
        let (ep, er, _, _) = prf(
            c.exact_tp,
            c.fp + c.tp - c.exact_tp,
            c.fn_ + c.tp - c.exact_tp,
        );
        println!(
            "| {l} | {} | {} | {} | {p:.3} | {r:.3} | {f1:.3} | {f2:.3} | {ep:.3} | {er:.3} |",
            c.tp, c.fp, c.fn_
        );
        t += c.tp;
        f += c.fp;
        n += c.fn_;
        x += c.exact_tp;
    }
    let (p, r, f1, f2) = prf(t, f, n);
    let (ep, er, _, _) = prf(x, f + t - x, n + t - x);
    println!(
        "| **micro** | {t} | {f} | {n} | {p:.3} | {r:.3} | {f1:.3} | {f2:.3} | {ep:.3} | {er:.3} |"
    );
    println!();
    println!(
        "char leak: {:.2} % ({leaked}/{pii_chars})",
        100.0 * leaked as f64 / pii_chars.max(1) as f64
    );
    println!(
        "over-masking: {:.2} % ({overmasked}/{plain_chars})",
        100.0 * overmasked as f64 / plain_chars.max(1) as f64
    );
    if external.is_none() {
        let bytes: usize = docs.iter().map(|d| d.text.len()).sum();
        let mut best = f64::MAX;
        for _ in 0..3 {
            let t0 = Instant::now();
            let mut n = 0;
            for d in &docs {
                n += a.detect(&d.text).len();
            }
            std::hint::black_box(n);
            best = best.min(t0.elapsed().as_secs_f64());
        }
        println!(
            "throughput (detect, best of 3): {:.1} MB/s, {:.0} docs/s, avg doc {} bytes",
            bytes as f64 / best / 1e6,
            docs.len() as f64 / best,
            bytes / docs.len().max(1)
        );
        println!(
            "gazetteer memory (approx.): {:.2} MB",
            a.gazetteer_bytes() as f64 / 1e6
        );
    }
    for e in errors.iter().take(show * 4) {
        println!("{e}");
    }
    Ok(())
}
