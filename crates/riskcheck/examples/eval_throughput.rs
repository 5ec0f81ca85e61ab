//! Quick timing of the engine: evaluations per second on a mix of scenarios.
//! Run with `cargo run --release -p riskcheck --example eval_throughput`.

use std::time::Instant;

fn main() {
    let scenarios = [
        serde_json::json!({"is_ai_system": true, "annex_iii_point": "4(a)", "affected_persons": ["applicants"], "processes_personal_data": true, "processor_location": "US", "country": "AT", "works_council_exists": true}),
        serde_json::json!({"is_ai_system": true, "annex_iii_point": null, "interacts_directly_with_natural_persons": true, "developed_or_commissioned_by_us": true, "generates_synthetic_content": true}),
        serde_json::json!({"is_ai_system": true, "infers_emotions_from_biometrics": true, "emotion_context": "workplace"}),
        serde_json::json!({"rule_based_only": true, "processes_personal_data": true}),
    ];
    let n: u32 = 400_000;
    let start = Instant::now();
    let mut sink = 0usize;
    for i in 0..n {
        let facts = &scenarios[i as usize % scenarios.len()];
        if let Ok(a) = riskcheck::evaluate(facts) {
            sink += a.obligations.len() + a.reasons.len();
        }
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "evaluate(): {n} evaluations in {secs:.3} s = {:.0} evaluations/s (checksum {sink})",
        f64::from(n) / secs
    );
    let text = scenarios[0].to_string();
    let m: u32 = 100_000;
    let start = Instant::now();
    for _ in 0..m {
        sink += riskcheck::evaluate_json(&text)
            .map(|v| v.as_object().map_or(0, |o| o.len()))
            .unwrap_or(0);
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "evaluate_json() incl. parse + serialise: {:.0} evaluations/s (checksum {sink})",
        f64::from(m) / secs
    );
}
