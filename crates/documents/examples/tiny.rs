//! Binary-size probe: renders one report, writes it to the given path
//! (default `report.pdf`). Compare its release size with `baseline`.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let data: serde_json::Value =
        serde_json::from_str(include_str!("../tests/fixtures/risk_report.json"))?;
    let doc = documents::risk_report(&data)?;
    let out = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "report.pdf".into());
    std::fs::write(&out, &doc.pdf)?;
    println!("{out}: {} pages, {} bytes", doc.pages, doc.pdf.len());
    Ok(())
}
