//! Errors with a German user message and typst's diagnostics for developers.
//!
//! The web app shows [`RenderError`]'s `Display` text to the user as is, so it
//! never contains technical details. Developers and logs get those through
//! [`RenderError::diagnostics`] and [`RenderError::details`].

use std::fmt;

use thiserror::Error;

/// One typst diagnostic, resolved to plain strings so it outlives the compile.
///
/// Why our own type: typst's `SourceDiagnostic` only carries a span number
/// that is meaningless without the `World` it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Typst's (English) message, e.g. `unknown variable: foo`.
    pub message: String,
    /// Virtual path of the file the span points into (`/main.typ`,
    /// `/data.json`), if any.
    pub file: Option<String>,
    /// 1-based line of the span start, for typst sources.
    pub line: Option<usize>,
    /// The source text the span covers (shortened to 200 characters), so a
    /// log line shows *what* failed without the template at hand.
    pub span_text: Option<String>,
    /// Typst's hints, e.g. `did you mean …`.
    pub hints: Vec<String>,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        match (&self.file, self.line) {
            (Some(file), Some(line)) => write!(f, " ({file}:{line})")?,
            (Some(file), None) => write!(f, " ({file})")?,
            _ => {}
        }
        if let Some(text) = &self.span_text {
            write!(f, " at `{text}`")?;
        }
        for hint in &self.hints {
            write!(f, "; hint: {hint}")?;
        }
        Ok(())
    }
}

/// Why a document could not be produced. `Display` is the German message for
/// the user; it starts with „Der Bericht konnte nicht erstellt werden“ (or
/// „Der QR-Code …“ for [`crate::qr_svg`]).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum RenderError {
    /// Typst rejected the template or the data it read (syntax error, missing
    /// key, wrong type, unknown file).
    #[error(
        "Der Bericht konnte nicht erstellt werden: Die Vorlage passt nicht zu den Daten. \
         Bitte versuchen Sie es später erneut oder wenden Sie sich an uns."
    )]
    Compile {
        /// Typst's error diagnostics.
        diagnostics: Vec<Diagnostic>,
    },
    /// The laid-out document could not be written as PDF (for example a
    /// PDF/A rule was violated).
    #[error(
        "Der Bericht konnte nicht erstellt werden: Die PDF-Datei ließ sich nicht schreiben. \
         Bitte versuchen Sie es später erneut oder wenden Sie sich an uns."
    )]
    Pdf {
        /// Typst's or krilla's diagnostics.
        diagnostics: Vec<Diagnostic>,
    },
    /// The data could not be serialised to JSON for the template.
    #[error("Der Bericht konnte nicht erstellt werden: Die Daten sind ungültig.")]
    Data {
        /// serde_json's message.
        detail: String,
    },
    /// A supplied file name is not a valid virtual path (e.g. `..` escapes
    /// the root).
    #[error("Der Bericht konnte nicht erstellt werden: Eine Beilage hat einen ungültigen Namen.")]
    InvalidPath {
        /// The rejected path.
        path: String,
        /// Typst's reason.
        detail: String,
    },
    /// The URL does not fit into a QR code.
    #[error("Der QR-Code konnte nicht erstellt werden: Die Adresse ist zu lang oder ungültig.")]
    Qr {
        /// The qrcode crate's message.
        detail: String,
    },
}

impl RenderError {
    /// Typst's diagnostics (empty for errors that do not come from typst).
    /// Why: the `Display` text is for users; developers need the message and
    /// the span text to fix the template.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        match self {
            RenderError::Compile { diagnostics } | RenderError::Pdf { diagnostics } => diagnostics,
            RenderError::Data { .. } | RenderError::InvalidPath { .. } | RenderError::Qr { .. } => {
                &[]
            }
        }
    }

    /// All technical details on one line, for logs (English, from typst).
    pub fn details(&self) -> String {
        match self {
            RenderError::Compile { diagnostics } | RenderError::Pdf { diagnostics } => diagnostics
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(" | "),
            RenderError::Data { detail } | RenderError::Qr { detail } => detail.clone(),
            RenderError::InvalidPath { path, detail } => format!("{path}: {detail}"),
        }
    }
}
