//! The participant area under `/teilnehmer` (issue 7) and its back-office pages.
//!
//! Pilot companies are leads in stage "Teilnehmer". The team invites people of a company
//! ([`admin`]); they log in by magic link ([`auth`]) and keep their AI register
//! ([`register`]) and AI-literacy log ([`literacy`]); [`privacy`] gives them an export of
//! everything and a deletion request, and runs retention for inactive accounts.
//!
//! Authorization has one rule: company data is always looked up with the `lead_id` of the
//! session ([`auth::Participant`]), so an id from another company finds nothing (404, never
//! 403, so ids cannot be probed). Every state change needs the session's CSRF token. The
//! integration tests walk every route with another company's session and without one.

pub mod admin;
pub mod auth;
pub mod fields;
pub mod literacy;
pub mod mails;
pub mod privacy;
pub mod register;

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use domain::{CompanySize, Industry, UnixMs};
use serde::Deserialize;

use crate::error::{AppError, AppResult};
use crate::state::AppState;
use auth::{Participant, Role};

/// Routes of the participant area and of its back-office pages.
pub fn router() -> Router<AppState> {
    let area = Router::new()
        .route("/teilnehmer", get(start))
        .route(
            "/teilnehmer/anmelden",
            get(auth::login_page).post(auth::request_link),
        )
        .route(
            "/teilnehmer/anmelden/link",
            get(auth::link_page).post(auth::redeem),
        )
        .route("/teilnehmer/abmelden", post(auth::logout))
        .route("/teilnehmer/verzeichnis", get(register::list))
        .route(
            "/teilnehmer/verzeichnis/neu",
            get(register::new_form).post(register::create),
        )
        .route("/teilnehmer/verzeichnis/verlauf", get(register::history))
        .route("/teilnehmer/verzeichnis.csv", get(register::csv))
        .route("/teilnehmer/verzeichnis.pdf", get(register::pdf))
        .route(
            "/teilnehmer/verzeichnis/{id}",
            get(register::edit_form).post(register::save),
        )
        .route(
            "/teilnehmer/verzeichnis/{id}/loeschen",
            post(register::delete),
        )
        .route("/teilnehmer/kompetenz", get(literacy::list))
        .route(
            "/teilnehmer/kompetenz/neu",
            get(literacy::new_form).post(literacy::create),
        )
        .route("/teilnehmer/kompetenz.csv", get(literacy::csv))
        .route("/teilnehmer/kompetenz.pdf", get(literacy::pdf))
        .route(
            "/teilnehmer/kompetenz/{id}",
            get(literacy::edit_form).post(literacy::save),
        )
        .route(
            "/teilnehmer/kompetenz/{id}/loeschen",
            post(literacy::delete),
        )
        .route("/teilnehmer/meine-daten", get(privacy::page))
        .route("/teilnehmer/meine-daten/export.json", get(privacy::export))
        .route(
            "/teilnehmer/meine-daten/loeschen",
            post(privacy::request_deletion),
        )
        // Company data must never sit in any cache.
        .layer(axum::middleware::map_response(no_store));
    area.route("/admin/teilnehmer", get(admin::overview))
        .route(
            "/admin/teilnehmer/aufbewahrung",
            post(admin::save_retention),
        )
        .route(
            "/admin/leads/{id}/teilnehmer",
            get(admin::company).post(admin::invite),
        )
        .route(
            "/admin/teilnehmer/{id}/loeschen",
            post(admin::erase_account),
        )
}

/// Marks a participant-area response as never cacheable (company data).
pub(crate) async fn no_store(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// What every participant page shows in its frame.
pub struct ParticipantCtx {
    /// CSRF token of the session, for every form.
    pub csrf: String,
    /// Logged-in person.
    pub name: String,
    /// Their company.
    pub company: String,
    /// One-line success message after a redirect.
    pub flash: Option<&'static str>,
}

impl ParticipantCtx {
    /// Loads the frame for `p` (the company name comes from the lead).
    pub async fn load(
        state: &AppState,
        p: &Participant,
        flash: Option<&'static str>,
    ) -> AppResult<ParticipantCtx> {
        let lead = storage::leads::get(&state.db, p.lead_id)
            .await?
            .ok_or(AppError::NotFound)?;
        Ok(ParticipantCtx {
            csrf: p.csrf.clone(),
            name: p.name.clone(),
            company: lead.company,
            flash,
        })
    }
}

/// Success message after a redirect, chosen by a short code in `?ok=` (never free text).
#[derive(Debug, Clone, Copy, Default)]
pub struct Flash(pub Option<&'static str>);

#[derive(Deserialize)]
struct FlashQuery {
    ok: Option<String>,
}

impl<S: Send + Sync> FromRequestParts<S> for Flash {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let code = Query::<FlashQuery>::from_request_parts(parts, state)
            .await
            .ok()
            .and_then(|q| q.0.ok);
        Ok(Flash(code.as_deref().and_then(|c| match c {
            "angelegt" => Some("Gespeichert. Der Eintrag steht jetzt in der Liste."),
            "gespeichert" => Some("Ihre Änderungen sind gespeichert."),
            "geloescht" => Some("Der Eintrag wurde gelöscht."),
            "loeschantrag" => Some(
                "Ihr Löschantrag ist bei uns eingegangen. Wir melden uns innerhalb eines Monats.",
            ),
            "eingeladen" => Some("Die Einladung ist unterwegs."),
            "anliegen" => Some("Danke! Ihr Anliegen ist bei uns angekommen. Häufige Themen nehmen wir in die Round-Tables mit."),
            "konto-geloescht" => Some("Das Konto wurde gelöscht."),
            "austausch-gespeichert" => Some(
                "Gespeichert. Ihr Unternehmen steht jetzt im Austausch und ist für andere Teilnehmende sichtbar.",
            ),
            "austausch-entfernt" => {
                Some("Ihr Unternehmen steht nicht mehr im Austausch. Der Eintrag ist gelöscht.")
            }
            "wissen-mails-an" => Some("Sie erhalten wieder eine E-Mail, wenn ein neuer Artikel erscheint."),
            "wissen-mails-aus" => Some("Sie erhalten keine E-Mails zu neuen Artikeln mehr."),
            _ => None,
        })))
    }
}

struct PersonLine {
    name: String,
    role: &'static str,
    you: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "participants/start.html")]
struct StartPage {
    nav: &'static str,
    ctx: ParticipantCtx,
    industry: &'static str,
    size: &'static str,
    people: Vec<PersonLine>,
    systems: usize,
    due: usize,
    trainings: usize,
}

/// `GET /teilnehmer`: company profile and the way into the register and the log.
async fn start(
    State(state): State<AppState>,
    p: Participant,
    flash: Flash,
) -> AppResult<StartPage> {
    let lead = storage::leads::get(&state.db, p.lead_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let now = UnixMs::now();
    let entries = storage::register::list(&state.db, p.lead_id).await?;
    let people = storage::participants::of_company(&state.db, p.lead_id)
        .await?
        .into_iter()
        .map(|a| PersonLine {
            you: a.id == p.id,
            name: a.name,
            role: Role::from_code(&a.role).map_or("?", Role::label),
        })
        .collect();
    Ok(StartPage {
        nav: "start",
        ctx: ParticipantCtx::load(&state, &p, flash.0).await?,
        industry: Industry::from_code(&lead.industry).map_or("–", Industry::label),
        size: CompanySize::from_code(&lead.company_size).map_or("–", CompanySize::label),
        people,
        systems: entries.len(),
        due: entries
            .iter()
            .filter(|e| e.review_ms.is_some_and(|r| r <= now.0))
            .count(),
        trainings: storage::register::literacy_list(&state.db, p.lead_id)
            .await?
            .len(),
    })
}

/// A semicolon-separated CSV download with a UTF-8 BOM (German Excel) and formula guard.
pub fn csv_download(filename: &str, head: &[&str], rows: &[Vec<String>]) -> Response {
    let mut out = String::from("\u{feff}");
    out.push_str(&head.join(";"));
    out.push('\n');
    for row in rows {
        out.push_str(
            &row.iter()
                .map(|c| crate::admin::leads::csv_cell(c))
                .collect::<Vec<_>>()
                .join(";"),
        );
        out.push('\n');
    }
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        out,
    )
        .into_response()
}

/// Renders a register-style PDF off the async runtime.
pub async fn pdf_download(data: serde_json::Value, filename: String) -> Response {
    match tokio::task::spawn_blocking(move || documents::register(&data)).await {
        Ok(Ok(doc)) => (
            [
                (header::CONTENT_TYPE, "application/pdf".to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{filename}\""),
                ),
            ],
            doc.pdf,
        )
            .into_response(),
        Ok(Err(e)) => {
            tracing::error!(details = %e.details(), "register PDF failed");
            AppError::Internal(anyhow::anyhow!("register PDF failed")).into_response()
        }
        Err(e) => AppError::Internal(e.into()).into_response(),
    }
}

/// A file-name-safe form of the company name ("Bau Huber GmbH" → "bau-huber-gmbh").
pub fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.to_lowercase().chars() {
        let c = match c {
            'ä' => 'a',
            'ö' => 'o',
            'ü' => 'u',
            'ß' => 's',
            c => c,
        };
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
        if out.len() >= 40 {
            break;
        }
    }
    let out = out.trim_end_matches('-').to_owned();
    if out.is_empty() {
        "unternehmen".to_owned()
    } else {
        out
    }
}

/// The entry form shared by the KI-Verzeichnis and the literacy log: both describe their
/// fields as data (see [`fields`]), so one page renders either.
#[derive(askama::Template, askama_web::WebTemplate)]
#[template(path = "participants/form.html")]
pub(super) struct FormPage {
    pub(super) nav: &'static str,
    pub(super) ctx: ParticipantCtx,
    pub(super) title: String,
    pub(super) intro: &'static str,
    pub(super) action: String,
    pub(super) submit: &'static str,
    pub(super) back: &'static str,
    pub(super) fields: Vec<fields::FieldView>,
    pub(super) errors: domain::FieldErrors,
    pub(super) delete_action: Option<String>,
    pub(super) show_check_link: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_ascii_slugs() {
        assert_eq!(slug("Bau Huber GmbH"), "bau-huber-gmbh");
        assert_eq!(slug("Tischlerei Größ & Söhne"), "tischlerei-gros-sohne");
        assert_eq!(slug("<script>"), "script");
        assert_eq!(slug("!!!"), "unternehmen");
    }
}
