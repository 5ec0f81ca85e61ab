//! Binary-size baseline for `tiny`: the same JSON handling without typst.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let data: serde_json::Value =
        serde_json::from_str(include_str!("../tests/fixtures/risk_report.json"))?;
    println!("{} keys", data.as_object().map_or(0, |o| o.len()));
    Ok(())
}
