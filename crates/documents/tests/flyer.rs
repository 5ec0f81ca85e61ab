//! The WKO flyer: one page with bleed, embedded fonts, a QR code that an independent decoder
//! reads back, and a clear error instead of a clipped flyer.

// Test code may panic on missing tools; the workspace's deny lints are for product code.
#![allow(clippy::panic, clippy::expect_used)]

use std::process::Command;

fn data(format: &str, bullets: usize) -> serde_json::Value {
    serde_json::json!({
        "format": format,
        "crop_marks": true,
        "headline": "KI einsetzen, aber sicher",
        "intro": "Machen Sie mit beim KI-Pilotprojekt von OdoubleT: 5 bis 15 Unternehmen finden gemeinsam praxistaugliche Wege zu KI – DSGVO-konform.",
        "bullets": (0..bullets).map(|i| format!("Nutzen Nummer {i}: konkrete Hilfe für Ihren Anwendungsfall, ohne Juristendeutsch")).collect::<Vec<_>>(),
        "cta": "Jetzt mitmachen!",
        "url": "kipilot.test/l/wko-linz",
        "contact_name": "Thomas Ott",
        "contact_phone": "+43 664 1234567",
        "contact_email": "thomas@odoublet.test",
        "imprint": "Medieninhaber und Hersteller: OdoubleT GmbH, Linz. Verlags- und Herstellungsort: Linz.",
    })
}

fn tool(name: &str, args: &[&str]) -> String {
    let out = Command::new(name)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{name} missing ({e}): install poppler-utils and zbar-tools"));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn a6_flyer_has_bleed_embedded_fonts_and_a_readable_qr_code() {
    let url = "http://kipilot.test/l/wko-linz";
    let doc = documents::flyer(&data("a6", 3), url).expect("flyer");
    assert_eq!(doc.pages, 1);
    let dir = tempfile::tempdir().expect("tempdir");
    let pdf = dir.path().join("flyer.pdf");
    std::fs::write(&pdf, &doc.pdf).expect("write");
    let p = pdf.to_string_lossy().into_owned();
    let info = tool("pdfinfo", &["-box", &p]);
    // A6 is 105 × 148 mm; with 3 mm bleed on every side the media box is 111 × 154 mm.
    assert!(info.contains("314.6") && info.contains("436.5"), "{info}");
    assert!(info.contains("TrimBox"), "{info}");
    let fonts = tool("pdffonts", &[&p]);
    for line in fonts.lines().skip(2) {
        let cols: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(
            cols.iter().rev().nth(4),
            Some(&"yes"),
            "font not embedded: {line}"
        );
    }
    let png = dir.path().join("flyer");
    tool(
        "pdftoppm",
        &[
            "-r",
            "300",
            "-png",
            "-singlefile",
            &p,
            &png.to_string_lossy(),
        ],
    );
    let decoded = tool(
        "zbarimg",
        &["-q", "--raw", &format!("{}.png", png.to_string_lossy())],
    );
    assert_eq!(
        decoded.trim(),
        url,
        "QR code must decode to the event's tracked link"
    );
}

#[test]
fn a5_is_the_larger_format() {
    let doc = documents::flyer(&data("a5", 3), "http://kipilot.test/l/x").expect("flyer");
    let dir = tempfile::tempdir().expect("tempdir");
    let pdf = dir.path().join("flyer.pdf");
    std::fs::write(&pdf, &doc.pdf).expect("write");
    let info = tool("pdfinfo", &[&pdf.to_string_lossy()]);
    // A5 148 × 210 mm + 2 × 3 mm bleed = 154 × 216 mm.
    assert!(info.contains("436.5") && info.contains("612.2"), "{info}");
}

#[test]
fn text_that_does_not_fit_is_refused_with_a_german_message() {
    let err = documents::flyer(&data("a6", 14), "http://kipilot.test/l/x").expect_err("too long");
    assert!(err.to_string().contains("passt nicht"), "{err}");
}
