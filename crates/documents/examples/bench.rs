//! Render timings for BENCH_RESULTS.md:
//! `cargo run --release -p documents --example bench [--warm-up] [fixture.json]`.

use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let path = args
        .iter()
        .find(|a| !a.starts_with("--"))
        .cloned()
        .unwrap_or_else(|| {
            concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/fixtures/risk_report.json"
            )
            .into()
        });
    let data: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path)?)?;

    if args.iter().any(|a| a == "--warm-up") {
        let t = Instant::now();
        documents::warm_up();
        println!("warm_up(): {:.1} ms", t.elapsed().as_secs_f64() * 1e3);
    }

    let t = Instant::now();
    let first = documents::risk_report(&data)?;
    let first_ms = t.elapsed().as_secs_f64() * 1e3;
    println!(
        "first render (fonts, library, cold caches): {first_ms:.1} ms, {} pages, {} bytes",
        first.pages,
        first.pdf.len()
    );

    const N: u32 = 20;
    let t = Instant::now();
    for _ in 0..N {
        documents::risk_report(&data)?;
    }
    println!(
        "warm render, same data: {:.1} ms each",
        t.elapsed().as_secs_f64() * 1e3 / f64::from(N)
    );

    let t = Instant::now();
    for i in 0..N {
        let mut d = data.clone();
        d["system_name"] = serde_json::json!(format!("System Nr. {i}"));
        d["company"] = serde_json::json!(format!("Firma {i} GmbH"));
        documents::risk_report(&d)?;
    }
    println!(
        "warm render, distinct data: {:.1} ms each",
        t.elapsed().as_secs_f64() * 1e3 / f64::from(N)
    );

    let t = Instant::now();
    let svg = documents::qr_svg("https://ki-pilot.example.at/termin")?;
    println!(
        "qr_svg: {:.2} ms, {} bytes",
        t.elapsed().as_secs_f64() * 1e3,
        svg.len()
    );
    Ok(())
}
