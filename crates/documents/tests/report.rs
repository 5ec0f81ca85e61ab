//! End-to-end tests of the PDF output, checked with poppler's `pdftotext` and
//! `pdffonts` (Debian package `poppler-utils`, installed by `make test`).

// Helpers outside `#[test]` functions fail loudly too (clippy's test
// exemption only covers the test functions themselves).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use documents::{Document, RenderError, qr_svg, render, risk_report};
use serde_json::{Value, json};

fn fixture() -> Value {
    serde_json::from_str(include_str!("fixtures/risk_report.json")).unwrap()
}

/// Writes the PDF to a unique temporary file (tests run in parallel).
fn temp_pdf(pdf: &[u8]) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let path = std::env::temp_dir().join(format!(
        "documents-test-{}-{}.pdf",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::write(&path, pdf).unwrap();
    path
}

/// Runs a poppler tool on the PDF and returns its stdout.
fn poppler(tool: &str, args: &[&str], pdf: &[u8], trailing: &[&str]) -> String {
    let path = temp_pdf(pdf);
    let output = Command::new(tool)
        .args(args)
        .arg(&path)
        .args(trailing)
        .output();
    let _ = std::fs::remove_file(&path);
    let output = output.unwrap_or_else(|e| {
        panic!("`{tool}` could not be started ({e}); install poppler-utils (apt-get install poppler-utils)")
    });
    assert!(
        output.status.success(),
        "`{tool}` failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

fn pdftotext(pdf: &[u8]) -> String {
    poppler("pdftotext", &["-enc", "UTF-8"], pdf, &["-"])
}

/// Compares text across line breaks and hyphenation: drops whitespace,
/// hyphens and soft hyphens on both sides.
fn squash(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '-' | '\u{AD}' | '‐'))
        .collect()
}

fn assert_contains_text(text: &str, needle: &str) {
    assert!(
        squash(text).contains(&squash(needle)),
        "PDF text does not contain {needle:?}; text was:\n{text}"
    );
}

fn render_fixture() -> Document {
    risk_report(&fixture()).unwrap()
}

#[test]
fn risk_report_is_a_multi_page_pdf() {
    let doc = render_fixture();
    assert!(doc.pdf.starts_with(b"%PDF"), "not a PDF");
    assert!(doc.pages >= 2, "only {} page(s)", doc.pages);
}

#[test]
fn risk_report_text_contains_the_key_facts() {
    let data = fixture();
    let doc = render_fixture();
    let text = pdftotext(&doc.pdf);
    for key in [
        "title",
        "system_name",
        "company",
        "risk_class_label",
        "disclaimer",
        "imprint",
    ] {
        assert_contains_text(&text, data[key].as_str().unwrap());
    }
    assert_contains_text(&text, data["obligations"][0]["title"].as_str().unwrap());
    assert_contains_text(&text, "gilt ab 2. Dezember 2027");
    assert_contains_text(&text, data["templates"][2]["title"].as_str().unwrap());
    assert_contains_text(&text, data["next_steps"][0].as_str().unwrap());
    assert_contains_text(&text, data["answers"][3]["question"].as_str().unwrap());
    for heading in [
        "Das geprüfte System",
        "Ihre Antworten",
        "Ergebnis und Begründung",
        "Pflichten",
        "Nächste Schritte",
        "Textvorlagen",
        "Hinweis",
        "Regelwerk-Version 2026-11-27.1",
    ] {
        assert_contains_text(&text, heading);
    }
    assert_contains_text(&text, &format!("Seite 1 von {}", doc.pages));
    assert_contains_text(&text, &format!("Seite {0} von {0}", doc.pages));
}

#[test]
fn risk_report_embeds_every_font() {
    let doc = render_fixture();
    let listing = poppler("pdffonts", &[], &doc.pdf, &[]);
    let rows: Vec<&str> = listing
        .lines()
        .skip_while(|l| !l.starts_with("----"))
        .skip(1)
        .collect();
    assert!(!rows.is_empty(), "pdffonts lists no fonts:\n{listing}");
    for row in rows {
        // name type… encoding emb sub uni object ID: `emb` is 5th from the end.
        let cols: Vec<&str> = row.split_whitespace().collect();
        assert!(cols.len() >= 6, "unexpected pdffonts row: {row}");
        assert_eq!(cols[cols.len() - 5], "yes", "font not embedded: {row}");
    }
}

#[test]
fn risk_report_is_pdf_a_2b() {
    let doc = render_fixture();
    let pdf = String::from_utf8_lossy(&doc.pdf);
    assert!(
        pdf.contains("<pdfaid:part>2</pdfaid:part>") || pdf.contains("pdfaid:part=\"2\""),
        "no PDF/A-2 identification in the XMP metadata"
    );
    assert!(
        pdf.contains("<pdfaid:conformance>B</pdfaid:conformance>")
            || pdf.contains("pdfaid:conformance=\"B\""),
        "no PDF/A conformance level B"
    );
}

#[test]
fn same_input_gives_byte_identical_pdf() {
    let first = render_fixture();
    // Something else in between, so typst's caches hold other data too.
    let mut other = fixture();
    other["system_name"] = json!("Ein ganz anderes System");
    let _ = risk_report(&other).unwrap();
    let second = render_fixture();
    assert_eq!(first.pages, second.pages);
    assert!(
        first.pdf == second.pdf,
        "two renders of the same input differ"
    );
}

#[test]
fn different_data_gives_a_different_document_id() {
    let a = render_fixture();
    let mut other = fixture();
    other["company"] = json!("Andere GmbH");
    let b = risk_report(&other).unwrap();
    assert_ne!(a.pdf, b.pdf);
}

/// Typst markup and code in user strings must be printed, not interpreted.
#[test]
fn markup_in_user_strings_is_printed_literally() {
    let nasty = [
        r#"#import "x": *"#,
        "] #panic(\"boom\") [",
        "*nicht fett* _nicht kursiv_",
        "$x^2$ und \\ Backslash",
        "#eval(\"1 + 1\") <label> @ref // kein Kommentar",
        "= Keine Überschrift",
        "}) #set page(paper: \"a5\")",
    ];
    let mut data = fixture();
    data["system_name"] = json!(nasty[0]);
    data["company"] = json!(nasty[1]);
    data["answers"][0]["question"] = json!(nasty[2]);
    data["obligations"][0]["title"] = json!(nasty[3]);
    data["next_steps"][0] = json!(nasty[4]);
    data["templates"][0]["text"] = json!(nasty[5]);
    data["disclaimer"] = json!(nasty[6]);
    let doc = risk_report(&data).unwrap();
    let text = pdftotext(&doc.pdf);
    for s in nasty {
        assert_contains_text(&text, s);
    }
    assert!(!text.contains("boom") || text.contains("#panic(\"boom\")"));
}

/// PDF/A forbids glyphs the fonts lack; such characters are replaced instead
/// of failing the whole report.
#[test]
fn characters_without_glyph_do_not_break_the_report() {
    let mut data = fixture();
    data["company"] = json!("Raketen 🚀 GmbH 中文");
    let doc = risk_report(&data).unwrap();
    assert_contains_text(&pdftotext(&doc.pdf), "Raketen");
}

/// Missing parts are left out instead of failing the report.
#[test]
fn minimal_data_still_renders() {
    let doc = risk_report(&json!({})).unwrap();
    assert!(doc.pdf.starts_with(b"%PDF"));
    let doc = risk_report(&json!({"result": {"risk_class": "high", "role": "provider",
        "obligations": [], "needs_review": false, "reasons": []}, "answers": "kaputt"}))
    .unwrap();
    assert_contains_text(&pdftotext(&doc.pdf), "Hohes Risiko");
}

#[test]
fn generic_render_reads_data_and_virtual_files() {
    let svg = qr_svg("https://ki-pilot.example.at/termin").unwrap();
    let template = r#"
#set page(paper: "a6")
#set text(lang: "de")
#let d = json("/data.json")
= #d.headline
#image("/qr.svg", width: 30mm)
"#;
    // `qr.svg` and `/qr.svg` name the same file of the virtual project.
    let doc = render(
        template,
        &json!({"headline": "Termin buchen"}),
        &[("qr.svg", svg.into_bytes())],
    )
    .unwrap();
    assert_eq!(doc.pages, 1);
    assert_contains_text(&pdftotext(&doc.pdf), "Termin buchen");
}

#[test]
fn template_errors_carry_typst_diagnostics_and_a_german_message() {
    let err = render("Hallo\n#undefined-function(1)\n", &json!({}), &[]).unwrap_err();
    assert!(matches!(err, RenderError::Compile { .. }), "{err:?}");
    assert!(
        err.to_string()
            .starts_with("Der Bericht konnte nicht erstellt werden"),
        "{err}"
    );
    let diag = &err.diagnostics()[0];
    assert!(diag.message.contains("unknown variable"), "{diag:?}");
    assert_eq!(diag.file.as_deref(), Some("/main.typ"));
    assert_eq!(diag.line, Some(2));
    assert_eq!(diag.span_text.as_deref(), Some("undefined-function"));
    assert!(err.details().contains("undefined-function"));
}

#[test]
fn missing_files_packages_and_the_clock_are_errors() {
    for template in [
        r#"#image("/nicht-da.png")"#,
        r#"#import "@preview/cetz:0.3.0""#,
        "#datetime.today()",
    ] {
        let err = render(template, &json!({}), &[]).unwrap_err();
        assert!(
            matches!(err, RenderError::Compile { .. }),
            "{template}: {err:?}"
        );
        assert!(!err.diagnostics().is_empty());
    }
}

#[test]
fn invalid_file_paths_are_rejected() {
    let err = render("x", &json!({}), &[("../etc/passwd", vec![])]).unwrap_err();
    assert!(matches!(err, RenderError::InvalidPath { .. }), "{err:?}");
}

#[test]
fn qr_svg_is_vector_and_rejects_oversized_input() {
    let svg = qr_svg("https://ki-pilot.example.at/?utm_source=flyer").unwrap();
    assert!(svg.contains("<svg"), "{svg}");
    let err = qr_svg(&"x".repeat(5000)).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("Der QR-Code konnte nicht erstellt werden")
    );
}

#[test]
fn warm_up_fills_the_caches_without_failing() {
    documents::warm_up();
    let doc = render_fixture();
    assert!(doc.pages >= 2);
}

#[test]
fn supplied_typ_files_can_be_imported() {
    let lib = b"#let greet(name) = [Hallo #name!]".to_vec();
    let template = "#import \"/lib.typ\": greet\n#greet(json(\"/data.json\").name)";
    let doc = render(template, &json!({"name": "Linz"}), &[("/lib.typ", lib)]).unwrap();
    assert_contains_text(&pdftotext(&doc.pdf), "Hallo Linz!");
}
