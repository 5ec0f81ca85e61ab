//! The peer directory under `/teilnehmer/austausch`: participating companies that opted
//! in, with contact person and topics, so they can reach each other between round-tables.
//!
//! Only the Ansprechperson of a company opts in, edits or opts out; opting out deletes the
//! row at once. Other companies see nothing of a company without a row.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::text::{TextRule, clean};
use domain::{Email, FieldErrors, Industry, UnixMs};
use storage::knowledge::DirectoryDraft;

use crate::error::{AppError, AppResult};
use crate::participants::auth::{Participant, Role};
use crate::participants::{Flash, ParticipantCtx};
use crate::state::AppState;
use crate::web::formdata::FormFields;

/// Longest topic list in characters.
const TOPICS_MAX: usize = 1000;

/// A company as listed.
struct Card {
    company: String,
    industry: &'static str,
    contact_name: String,
    contact_email: String,
    topics: Vec<String>,
    own: bool,
}

/// The edit form's values as typed.
#[derive(Default)]
struct EntryForm {
    contact_name: String,
    contact_email: String,
    topics: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "participants/austausch.html")]
pub(super) struct Page {
    nav: &'static str,
    ctx: ParticipantCtx,
    cards: Vec<Card>,
    is_contact: bool,
    listed: bool,
    form: EntryForm,
    errors: FieldErrors,
}

async fn render(
    state: &AppState,
    p: &Participant,
    flash: Option<&'static str>,
    typed: Option<EntryForm>,
    errors: FieldErrors,
) -> AppResult<Response> {
    let entries = storage::knowledge::directory(&state.db).await?;
    let own = entries.iter().find(|e| e.lead_id == p.lead_id);
    let listed = own.is_some();
    let form = typed.unwrap_or_else(|| match own {
        Some(e) => EntryForm {
            contact_name: e.contact_name.clone(),
            contact_email: e.contact_email.clone(),
            topics: e.topics.clone(),
        },
        None => EntryForm {
            contact_name: p.name.clone(),
            contact_email: p.email.clone(),
            topics: String::new(),
        },
    });
    let cards = entries
        .into_iter()
        .map(|e| Card {
            own: e.lead_id == p.lead_id,
            industry: Industry::from_code(&e.industry).map_or("–", Industry::label),
            topics: e
                .topics
                .split(['\n', ',', ';'])
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_owned)
                .collect(),
            company: e.company,
            contact_name: e.contact_name,
            contact_email: e.contact_email,
        })
        .collect();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = Page {
        nav: "austausch",
        ctx: ParticipantCtx::load(state, p, flash).await?,
        cards,
        is_contact: p.role == Role::Ansprechperson,
        listed,
        form,
        errors,
    };
    Ok((status, page).into_response())
}

/// `GET /teilnehmer/austausch`.
pub(super) async fn page(
    State(state): State<AppState>,
    p: Participant,
    flash: Flash,
) -> AppResult<Response> {
    render(&state, &p, flash.0, None, FieldErrors::default()).await
}

fn only_contact(p: &Participant) -> AppResult<()> {
    if p.role == Role::Ansprechperson {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "Den Eintrag Ihres Unternehmens im Austausch verwaltet die Ansprechperson. Bitte wenden Sie sich an sie.",
        ))
    }
}

fn parse(form: &EntryForm) -> Result<DirectoryDraft, FieldErrors> {
    let mut errors = FieldErrors::default();
    let rule = |label, missing, max, multiline| TextRule {
        label,
        missing,
        required: true,
        max_chars: max,
        multiline,
    };
    let contact_name = clean(
        &form.contact_name,
        rule(
            "Der Name der Ansprechperson",
            "Bitte geben Sie an, wer für Fragen erreichbar ist.",
            150,
            false,
        ),
    )
    .map_err(|m| errors.add("contact_name", m))
    .ok()
    .flatten();
    let contact_email = if form.contact_email.chars().count() > 200 {
        errors.add(
            "contact_email",
            "Die E-Mail-Adresse ist zu lang. Bitte kürzen Sie sie auf höchstens 200 Zeichen.",
        );
        None
    } else {
        match Email::parse(form.contact_email.trim()) {
            Ok(e) => Some(e.as_str().to_owned()),
            Err(_) => {
                errors.add(
                    "contact_email",
                    "Bitte geben Sie eine gültige E-Mail-Adresse an, z. B. office@firma.at.",
                );
                None
            }
        }
    };
    let topics = clean(
        &form.topics,
        rule(
            "Die Themen",
            "Bitte nennen Sie mindestens ein Thema, z. B. „Angebote mit KI schreiben“.",
            TOPICS_MAX,
            true,
        ),
    )
    .map_err(|m| errors.add("topics", m))
    .ok()
    .flatten();
    match (contact_name, contact_email, topics) {
        (Some(contact_name), Some(contact_email), Some(topics)) if errors.is_empty() => {
            Ok(DirectoryDraft {
                contact_name,
                contact_email,
                topics,
            })
        }
        _ => Err(errors),
    }
}

/// `POST /teilnehmer/austausch`: opt in, or save the entry (Ansprechperson only).
pub(super) async fn save(
    State(state): State<AppState>,
    p: Participant,
    form: FormFields,
) -> AppResult<Response> {
    p.check_csrf(&form)?;
    only_contact(&p)?;
    let typed = EntryForm {
        contact_name: form.get("contact_name").to_owned(),
        contact_email: form.get("contact_email").to_owned(),
        topics: form.get("topics").to_owned(),
    };
    let draft = match parse(&typed) {
        Ok(d) => d,
        Err(errors) => return render(&state, &p, None, Some(typed), errors).await,
    };
    storage::knowledge::directory_save(&state.db, p.lead_id, p.id, &draft, UnixMs::now()).await?;
    Ok(Redirect::to("/teilnehmer/austausch?ok=austausch-gespeichert").into_response())
}

/// `POST /teilnehmer/austausch/austreten`: removes the company's entry at once.
pub(super) async fn leave(
    State(state): State<AppState>,
    p: Participant,
    form: FormFields,
) -> AppResult<Response> {
    p.check_csrf(&form)?;
    only_contact(&p)?;
    storage::knowledge::directory_remove(&state.db, p.lead_id).await?;
    Ok(Redirect::to("/teilnehmer/austausch?ok=austausch-entfernt").into_response())
}
