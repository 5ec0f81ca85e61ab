//! The printable WKO flyer: one page (A6 or A5, 3 mm bleed) whose QR code points to the
//! event's tracked link, with the § 24 MedienG imprint from the company profile.
//!
//! The same function serves `kipilot flyer --event CODE --out FILE.pdf` and the back office,
//! so both produce byte-identical files.

use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
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

    fn code(self) -> &'static str {
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

/// Renders the flyer for the event link `code`.
pub async fn render(
    db: &Db,
    base_url: &str,
    code: &str,
    format: Format,
) -> Result<Vec<u8>, FlyerError> {
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
    let data = json!({
        "format": format.code(),
        "crop_marks": false,
        "headline": "KI einsetzen, aber sicher",
        "intro": "Sie möchten KI im Betrieb nutzen, aber DSGVO und KI-Verordnung bremsen Sie? Im KI-Pilotprojekt finden 5 bis 15 Unternehmen gemeinsam praxistaugliche Wege.",
        "bullets": [
            "Konkrete Hilfe für Ihren Anwendungsfall – vom Bautagebuch bis zum Kunden-Chatbot",
            "DSGVO und KI-Verordnung verständlich erklärt, ohne Juristendeutsch",
            "Austausch mit anderen KMU, im Rahmen des Pilotprojekts kostenfrei",
        ],
        "cta": "Jetzt mitmachen – QR-Code scannen",
        "url": printed_url,
        "contact_name": p.responsible_person,
        "contact_phone": p.phone,
        "contact_email": p.email,
        "imprint": imprint,
    });
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
                        "attachment; filename=\"flyer-{code}-{}.pdf\"",
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
