//! The printable WKO flyer: one page (A6 or A5, 3 mm bleed) whose QR code points to the
//! event's tracked link, with the § 24 MedienG imprint from the company profile.
//!
//! The same function serves `kipilot flyer --event CODE --out FILE.pdf` and the back office,
//! so both produce byte-identical files.

use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use domain::text::{TextRule, clean};
use serde::{Deserialize, Serialize};
use serde_json::json;
use storage::Db;

use crate::admin::auth::AdminUser;
use crate::error::{AppError, AppResult};
use crate::profile::CompanyProfile;
use crate::state::AppState;

/// Paper size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// 105 × 148 mm, the usual hand-out.
    A6,
    /// 148 × 210 mm.
    A5,
}

impl Format {
    /// Parses `a6`/`a5` (case-insensitive).
    pub fn parse(text: &str) -> Option<Format> {
        match text.to_ascii_lowercase().as_str() {
            "a6" | "" => Some(Format::A6),
            "a5" => Some(Format::A5),
            _ => None,
        }
    }

    /// `a6`/`a5`, as in URLs and file names.
    pub fn code(self) -> &'static str {
        match self {
            Format::A6 => "a6",
            Format::A5 => "a5",
        }
    }
}

/// Why no flyer was made, in German.
#[derive(Debug, thiserror::Error)]
pub enum FlyerError {
    /// No live tracked link with that code.
    #[error(
        "Es gibt keinen aktiven Link mit dem Kurzcode „{0}“. Legen Sie ihn im Backoffice unter „Links“ an (Kanal „Flyer / WKO-Veranstaltung“)."
    )]
    UnknownEvent(String),
    /// Rendering or fitting failed (the message says what to change).
    #[error("{0}")]
    Document(#[from] documents::FlyerError),
    /// Database trouble.
    #[error("Die Datenbank ist nicht erreichbar: {0}")]
    Store(#[from] storage::StoreError),
}

/// The editable words of one event's flyer. Why per event: a flyer for the WKO
/// "Frau in der Wirtschaft" breakfast speaks differently than one for a trades fair; the
/// contact block and the imprint always come from the company profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlyerText {
    /// Big line in the coloured band.
    pub headline: String,
    /// Two or three sentences under it.
    pub intro: String,
    /// Two or three benefits, one per line.
    pub bullets: Vec<String>,
    /// Call to action next to the QR code.
    pub cta: String,
    /// Whether to print crop marks outside the bleed (most print shops add their own).
    pub crop_marks: bool,
}

impl Default for FlyerText {
    fn default() -> FlyerText {
        FlyerText {
            headline: "KI einsetzen, aber sicher".to_owned(),
            intro: "Sie möchten KI im Betrieb nutzen, aber DSGVO und KI-Verordnung bremsen Sie? Im KI-Pilotprojekt finden 5 bis 15 Unternehmen gemeinsam praxistaugliche Wege.".to_owned(),
            bullets: vec![
                "Konkrete Hilfe für Ihren Anwendungsfall – vom Bautagebuch bis zum Kunden-Chatbot".to_owned(),
                "DSGVO und KI-Verordnung verständlich erklärt, ohne Juristendeutsch".to_owned(),
                "Austausch mit anderen KMU, im Rahmen des Pilotprojekts kostenfrei".to_owned(),
            ],
            cta: "Jetzt mitmachen – QR-Code scannen".to_owned(),
            crop_marks: false,
        }
    }
}

/// Longest headline; longer ones wrap into a third line in the band on A6.
pub const MAX_HEADLINE: usize = 60;
/// Longest introduction.
pub const MAX_INTRO: usize = 500;
/// Longest benefit line.
pub const MAX_BULLET: usize = 140;
/// Longest call to action.
pub const MAX_CTA: usize = 60;

impl FlyerText {
    fn settings_key(code: &str) -> String {
        format!("flyer_text:{code}")
    }

    /// The saved text for the event link `code`, or the default text.
    pub async fn load(db: &Db, code: &str) -> Result<FlyerText, storage::StoreError> {
        Ok(storage::settings::get(db, &Self::settings_key(code))
            .await?
            .and_then(|json| serde_json::from_str(&json).ok())
            .unwrap_or_default())
    }

    /// Saves the text for the event link `code`.
    pub async fn save(&self, db: &Db, code: &str) -> Result<(), storage::StoreError> {
        let json =
            serde_json::to_string(self).map_err(|e| storage::StoreError::Corrupt(e.to_string()))?;
        storage::settings::put(db, &Self::settings_key(code), &json).await
    }

    /// Checks the editor's fields (bullets one per line); German message on the first fault.
    pub fn parse(
        headline: &str,
        intro: &str,
        bullets: &str,
        cta: &str,
        crop_marks: bool,
    ) -> Result<FlyerText, String> {
        let headline = clean(
            headline,
            TextRule {
                label: "Die Überschrift",
                missing: "Bitte geben Sie eine Überschrift an, z. B. „KI einsetzen, aber sicher“.",
                required: true,
                max_chars: MAX_HEADLINE,
                multiline: false,
            },
        )?
        .unwrap_or_default();
        let intro = clean(
            intro,
            TextRule {
                label: "Die Einleitung",
                missing: "",
                required: false,
                max_chars: MAX_INTRO,
                multiline: false,
            },
        )?
        .unwrap_or_default();
        let mut lines = Vec::new();
        for line in bullets.lines().map(str::trim).filter(|l| !l.is_empty()) {
            let line = clean(
                line.trim_start_matches(['-', '*', '•', '✓']),
                TextRule {
                    label: "Ein Nutzenpunkt",
                    missing: "",
                    required: false,
                    max_chars: MAX_BULLET,
                    multiline: false,
                },
            )?;
            lines.extend(line);
        }
        if !(2..=3).contains(&lines.len()) {
            return Err(format!(
                "Bitte schreiben Sie zwei oder drei Nutzenpunkte, einen pro Zeile (jetzt: {}).",
                lines.len()
            ));
        }
        let cta = clean(
            cta,
            TextRule {
                label: "Der Aufruf",
                missing: "Bitte geben Sie einen Aufruf an, z. B. „Jetzt mitmachen – QR-Code scannen“.",
                required: true,
                max_chars: MAX_CTA,
                multiline: false,
            },
        )?
        .unwrap_or_default();
        Ok(FlyerText {
            headline,
            intro,
            bullets: lines,
            cta,
            crop_marks,
        })
    }
}

/// Everything printed on a flyer besides the editable text, resolved from the link and the
/// company profile.
pub struct FlyerFrame {
    /// The link's label, e.g. "WKO Steyr 14.01.", for the editor's heading.
    pub label: String,
    /// The tracked link the QR code encodes.
    pub url: String,
    /// The same link without scheme, as printed under the code.
    pub printed_url: String,
    /// Name, phone, e-mail of the contact person.
    pub contact: [String; 3],
    /// The § 24 MedienG imprint line.
    pub imprint: String,
}

impl FlyerFrame {
    /// Looks up the live link `code` and the company profile.
    pub async fn load(db: &Db, base_url: &str, code: &str) -> Result<FlyerFrame, FlyerError> {
        let link = storage::channels::active_link(db, code)
            .await?
            .ok_or_else(|| FlyerError::UnknownEvent(code.to_owned()))?;
        let p = CompanyProfile::load(db).await?;
        let url = format!("{base_url}/l/{}", link.code);
        let printed_url = url
            .split_once("://")
            .map_or(url.as_str(), |(_, rest)| rest)
            .to_owned();
        let place = if p.city.trim().is_empty() {
            "Österreich".to_owned()
        } else {
            p.city.trim().to_owned()
        };
        let imprint = format!(
            "Medieninhaber und Hersteller: {}, {}. Verlags- und Herstellungsort: {place}. Informationen zum Datenschutz: {base_url}/datenschutz",
            p.full_name(),
            p.address_line(),
        );
        Ok(FlyerFrame {
            label: link.label,
            url,
            printed_url,
            contact: [p.responsible_person, p.phone, p.email],
            imprint,
        })
    }
}

/// Renders the flyer for the event link `code` with its saved text.
pub async fn render(
    db: &Db,
    base_url: &str,
    code: &str,
    format: Format,
) -> Result<Vec<u8>, FlyerError> {
    let frame = FlyerFrame::load(db, base_url, code).await?;
    let text = FlyerText::load(db, code).await?;
    render_text(&frame, &text, format).await
}

/// Renders `text` in `frame`; the editor uses it to check a text fits before saving.
pub async fn render_text(
    frame: &FlyerFrame,
    text: &FlyerText,
    format: Format,
) -> Result<Vec<u8>, FlyerError> {
    let [contact_name, contact_phone, contact_email] = &frame.contact;
    let data = json!({
        "format": format.code(),
        "crop_marks": text.crop_marks,
        "headline": text.headline,
        "intro": text.intro,
        "bullets": text.bullets,
        "cta": text.cta,
        "url": frame.printed_url,
        "contact_name": contact_name,
        "contact_phone": contact_phone,
        "contact_email": contact_email,
        "imprint": frame.imprint,
    });
    let url = frame.url.clone();
    let doc = tokio::task::spawn_blocking(move || documents::flyer(&data, &url))
        .await
        .map_err(|e| {
            FlyerError::Document(documents::FlyerError::Render(
                documents::RenderError::Data {
                    detail: e.to_string(),
                },
            ))
        })??;
    Ok(doc.pdf)
}

#[derive(Deserialize)]
pub(super) struct FlyerQuery {
    #[serde(default)]
    format: String,
    /// Set by the editor's "PDF ansehen": show in the browser instead of downloading.
    #[serde(default)]
    ansicht: String,
}

/// `GET /admin/links/{code}/flyer.pdf?format=a6|a5`.
pub(super) async fn download(
    State(state): State<AppState>,
    _user: AdminUser,
    Path(code): Path<String>,
    Query(q): Query<FlyerQuery>,
) -> AppResult<Response> {
    let format = Format::parse(&q.format)
        .ok_or_else(|| AppError::BadRequest("Bitte wählen Sie A6 oder A5.".to_owned()))?;
    match render(&state.db, &state.config.base_url, &code, format).await {
        Ok(pdf) => Ok((
            [
                (header::CONTENT_TYPE, "application/pdf".to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    format!(
                        "{}; filename=\"flyer-{code}-{}.pdf\"",
                        if q.ansicht.is_empty() {
                            "attachment"
                        } else {
                            "inline"
                        },
                        format.code()
                    ),
                ),
            ],
            pdf,
        )
            .into_response()),
        Err(FlyerError::UnknownEvent(_)) => Err(AppError::NotFound),
        Err(FlyerError::Store(e)) => Err(e.into()),
        Err(e) => Err(AppError::BadRequest(e.to_string())),
    }
}

/// `kipilot flyer --event CODE --out FILE.pdf [--format a6|a5]`.
pub async fn command(
    database_url: &str,
    base_url: &str,
    code: &str,
    out: &str,
    format: &str,
) -> std::process::ExitCode {
    let Some(format) = Format::parse(format) else {
        eprintln!("Unbekanntes Format „{format}“. Erlaubt sind: a6, a5.");
        return std::process::ExitCode::from(2);
    };
    let db = match crate::startup::connect_and_migrate(database_url).await {
        Ok(db) => db,
        Err(e) => {
            eprintln!("{e:#}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match render(&db, base_url, code, format).await {
        Ok(pdf) => match std::fs::write(out, pdf) {
            Ok(()) => {
                eprintln!("Flyer gespeichert: {out}");
                std::process::ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("Die Datei „{out}“ kann nicht geschrieben werden: {e}");
                std::process::ExitCode::FAILURE
            }
        },
        Err(e) => {
            eprintln!("{e}");
            std::process::ExitCode::from(2)
        }
    }
}
