//! `documents`: PDF documents typeset with [typst](https://typst.app) as a library.
//!
//! This crate exists to contain typst's cost: its ~280 dependencies compile
//! here once, and no other crate of the workspace depends on them directly
//! (stack.md §1.9). Everything runs in memory:
//!
//! - fonts come from the `typst-assets` crate (Libertinus Serif, New Computer
//!   Modern, DejaVu Sans Mono); no system fonts, nothing downloaded;
//! - the template is `/main.typ`, the caller's JSON is `/data.json`, other
//!   files (e.g. `/qr.svg`) are virtual;
//! - there is no clock (`datetime.today()` fails), the PDF identifier is a
//!   hash of the input and the PDF date comes from the template (or is the
//!   fixed 1980-01-01), so the same input gives byte-identical output;
//! - output is PDF/A-2b with all fonts embedded (subsetted); characters no
//!   bundled font can draw (emoji, CJK) are replaced in the data, because
//!   PDF/A forbids the `.notdef` glyph.
//!
//! User data only ever reaches typst as JSON values read with
//! `json("/data.json")`; it is never spliced into typst source, so a company
//! name like `#import "x"` or `*fett*` is printed literally.
//!
//! Rendering is CPU-bound (about 10–50 ms for the risk report in a release
//! build, see `BENCH_RESULTS.md`); async callers should use
//! `tokio::task::spawn_blocking`, and may call [`warm_up`] at start-up.

mod error;
mod sanitize;
mod world;

use typst::foundations::Bytes;
use typst::foundations::{Datetime, Smart};
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, PdfStandard, PdfStandards, Timestamp};

pub use error::{Diagnostic, RenderError};

use crate::world::MemoryWorld;

/// The typst source of the KI-Risiko-Check report, compiled into the binary
/// so the report never depends on files next to the executable.
pub const RISK_REPORT_TEMPLATE: &str = include_str!("../templates/risk_report.typ");

/// Path under which [`render`] passes the JSON data to the template.
pub const DATA_PATH: &str = "/data.json";

/// A finished PDF.
#[derive(Clone, PartialEq, Eq)]
pub struct Document {
    /// The PDF file (PDF/A-2b, fonts embedded).
    pub pdf: Vec<u8>,
    /// Number of pages, e.g. for the download link („PDF, 3 Seiten“).
    pub pages: usize,
}

impl std::fmt::Debug for Document {
    /// Shows the size instead of dumping the bytes into logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Document")
            .field("pdf", &format_args!("{} bytes", self.pdf.len()))
            .field("pages", &self.pages)
            .finish()
    }
}

/// Renders any typst template to PDF. Why generic: the risk report, the flyer
/// and later documents share the world, fonts, PDF options and error
/// handling; only the template and the data differ.
///
/// - `template`: typst source, compiled as `/main.typ`.
/// - `data`: available in the template as `json("/data.json")`. Strings are
///   made printable first (characters no bundled font has become `�`).
/// - `files`: further virtual files, e.g. `("/qr.svg", svg_bytes)`; paths are
///   relative to the virtual project root (`qr.svg` and `/qr.svg` are the
///   same). A `.typ` file can be imported by the template.
///
/// The PDF's creation date is the template's `document(date: …)` if it sets
/// one, otherwise the fixed 1980-01-01 (PDF/A requires a date; the clock
/// would break reproducibility).
pub fn render(
    template: &str,
    data: &serde_json::Value,
    files: &[(&str, Vec<u8>)],
) -> Result<Document, RenderError> {
    let data = serde_json::to_vec(&sanitize::printable(data)).map_err(|e| RenderError::Data {
        detail: e.to_string(),
    })?;
    // Stable document identifier: a hash of everything that determines the
    // output (typst's `hash128` is stable across platforms and runs).
    let ident = format!("{:032x}", typst::utils::hash128(&(template, &data, files)));

    let mut virtual_files = Vec::with_capacity(files.len() + 1);
    virtual_files.push((DATA_PATH.to_owned(), Bytes::new(data)));
    for (path, bytes) in files {
        virtual_files.push(((*path).to_owned(), Bytes::new(bytes.clone())));
    }
    let world = MemoryWorld::new(template, virtual_files)?;

    let result = compile_and_export(&world, ident);
    // Keep typst's global memoization cache bounded in a long-running server:
    // drop entries unused in the last 10 renders (what `typst watch` does).
    typst::comemo::evict(10);
    result
}

/// Compiles the world and writes the PDF.
fn compile_and_export(world: &MemoryWorld, ident: String) -> Result<Document, RenderError> {
    let document: PagedDocument =
        typst::compile(world)
            .output
            .map_err(|diags| RenderError::Compile {
                diagnostics: world.resolve(&diags),
            })?;

    let standards = PdfStandards::new(&[PdfStandard::A_2b]).map_err(|e| RenderError::Pdf {
        diagnostics: vec![Diagnostic {
            message: e.message().to_string(),
            file: None,
            line: None,
            span_text: None,
            hints: e.hints().iter().map(ToString::to_string).collect(),
        }],
    })?;
    let options = PdfOptions {
        ident: Smart::Custom(ident),
        timestamp: Datetime::from_ymd_hms(1980, 1, 1, 0, 0, 0).map(Timestamp::new_utc),
        standards,
        ..PdfOptions::default()
    };
    let pdf = typst_pdf::pdf(&document, &options).map_err(|diags| RenderError::Pdf {
        diagnostics: world.resolve(&diags),
    })?;
    Ok(Document {
        pdf,
        pages: document.pages().len(),
    })
}

/// Renders the KI-Risiko-Check report for one AI system (A4, German).
///
/// `data` is the object described in the header of `templates/risk_report.typ`:
/// `title`, `system_name`, `company`, `created`, `ruleset_version`,
/// `answers`, `result` (the riskcheck output), `risk_class_label`,
/// `obligations` (with a German `status`), `next_steps`, `templates`,
/// `imprint`, `disclaimer`. Missing optional parts are left out of the
/// report rather than failing it.
pub fn risk_report(data: &serde_json::Value) -> Result<Document, RenderError> {
    render(RISK_REPORT_TEMPLATE, data, &[])
}

/// Template of the practical guides (issue 9).
pub const GUIDE_TEMPLATE: &str = include_str!("../templates/guide.typ");

/// A practical guide as an A4 PDF with its checklist on a page of its own. Why a separate
/// entry point: the app converts Markdown into plain blocks (see the template header), so no
/// Markdown or typst markup from the content files is ever interpreted here.
pub fn guide(data: &serde_json::Value) -> Result<Document, RenderError> {
    render(GUIDE_TEMPLATE, data, &[])
}

/// Template of the participant area's register-style documents (issue 7).
pub const REGISTER_TEMPLATE: &str = include_str!("../templates/register.typ");

/// A register-style A4 document: the KI-Verzeichnis of a company or its AI-literacy log.
/// Why one template for both: an auditor gets the same layout (company, date, version, one
/// section of label/value rows per system or measure) for every piece of evidence. The data
/// shape is described in the template header; values are only ever displayed.
pub fn register(data: &serde_json::Value) -> Result<Document, RenderError> {
    render(REGISTER_TEMPLATE, data, &[])
}

/// Template of the WKO event flyer (issue 6).
pub const FLYER_TEMPLATE: &str = include_str!("../templates/flyer.typ");

/// Why a flyer could not be made.
#[derive(Debug, thiserror::Error)]
pub enum FlyerError {
    /// The text is longer than one page of the chosen format; a clipped flyer is never
    /// produced.
    #[error(
        "Der Text passt nicht auf einen {format}-Flyer ({pages} Seiten statt einer). Bitte kürzen Sie Überschrift, Einleitung oder Nutzenpunkte, oder wählen Sie A5."
    )]
    DoesNotFit {
        /// "A6" or "A5".
        format: &'static str,
        /// Pages the text needed.
        pages: usize,
    },
    /// Rendering failed.
    #[error(transparent)]
    Render(#[from] RenderError),
}

/// A print-ready one-page flyer (A6 or A5 per `data.format`, 3 mm bleed) with a vector QR
/// code for `url`. Why the page check: a flyer must never be silently clipped or spill onto a
/// second page at the print shop.
pub fn flyer(data: &serde_json::Value, qr_url: &str) -> Result<Document, FlyerError> {
    let qr = qr_svg(qr_url)?;
    let doc = render(FLYER_TEMPLATE, data, &[("/qr.svg", qr.into_bytes())])?;
    if doc.pages != 1 {
        let format = if data.get("format").and_then(|f| f.as_str()) == Some("a5") {
            "A5"
        } else {
            "A6"
        };
        return Err(FlyerError::DoesNotFit {
            format,
            pages: doc.pages,
        });
    }
    Ok(doc)
}

/// Loads the fonts and the standard library and compiles a one-line document,
/// so the first user-facing render does not pay for it. Why: call it once at
/// server start (in `spawn_blocking`); without it the first report takes
/// roughly twice as long as later ones.
pub fn warm_up() {
    // The result does not matter; only the side effect of filling the caches.
    let _ = render("#set text(lang: \"de\")\nKI", &serde_json::Value::Null, &[]);
}

/// A QR code for `url` as an SVG document (black modules on white, with the
/// quiet zone). Why SVG: typst embeds it as vector graphics, so the code stays
/// sharp in print (flyer). Error correction level M suits print.
pub fn qr_svg(url: &str) -> Result<String, RenderError> {
    use qrcode::render::svg;
    let code = qrcode::QrCode::with_error_correction_level(url.as_bytes(), qrcode::EcLevel::M)
        .map_err(|e| RenderError::Qr {
            detail: e.to_string(),
        })?;
    Ok(code
        .render::<svg::Color<'_>>()
        .quiet_zone(true)
        .min_dimensions(200, 200)
        .dark_color(svg::Color("#000000"))
        .light_color(svg::Color("#ffffff"))
        .build())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture() -> serde_json::Value {
        serde_json::from_str(include_str!("../tests/fixtures/risk_report.json")).unwrap()
    }

    /// Warnings (e.g. an unknown font family) do not fail a render, so check
    /// here that the report template compiles without any.
    #[test]
    fn risk_report_compiles_without_warnings() {
        let data = serde_json::to_vec(&fixture()).unwrap();
        let world = MemoryWorld::new(
            RISK_REPORT_TEMPLATE,
            vec![(DATA_PATH.to_owned(), Bytes::new(data))],
        )
        .unwrap();
        let warned = typst::compile::<PagedDocument>(&world);
        let warnings = world.resolve(&warned.warnings);
        assert!(warnings.is_empty(), "warnings: {warnings:#?}");
        if let Err(errors) = &warned.output {
            panic!("errors: {:#?}", world.resolve(errors));
        }
    }
}
