//! Quick entry of a contact met in person, e.g. at a WKO event ("Visitenkarte erfassen"),
//! made for a phone at the booth.
//!
//! The person agreed in conversation to be contacted; the team records the contact with the
//! event's tracked link as source, and the person gets exactly one neutral mail asking to
//! confirm (double opt-in). Unconfirmed contacts are deleted by retention after 7 days, like
//! every unconfirmed application.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::consent::EVENT_CONTACT_V1;
use domain::text::{TextRule, clean};
use domain::{FieldErrors, UnixMs};
use storage::leads::{ConsentGiven, EventContact};

use super::AdminCtx;
use super::auth::{AdminUser, Flash};
use crate::error::AppResult;
use crate::leads::mails;
use crate::profile::CompanyProfile;
use crate::state::AppState;
use crate::web::formdata::FormFields;
use crate::web::tokens;

#[derive(Default)]
struct ContactForm {
    name: String,
    company: String,
    email: String,
    phone: String,
    source: String,
    note: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/event_contact.html")]
pub(super) struct ContactPage {
    nav: &'static str,
    ctx: AdminCtx,
    form: ContactForm,
    errors: FieldErrors,
    events: Vec<(String, String)>,
}

async fn page(
    state: &AppState,
    user: &AdminUser,
    flash: Option<&'static str>,
    form: ContactForm,
    errors: FieldErrors,
) -> AppResult<ContactPage> {
    let events = storage::channels::links_with_visits(&state.db)
        .await?
        .into_iter()
        .filter(|l| l.channel == "flyer" || l.channel == "other")
        .map(|l| (l.code, l.label))
        .collect();
    Ok(ContactPage {
        nav: "kontakt",
        ctx: AdminCtx::new(user, flash),
        form,
        errors,
        events,
    })
}

/// `GET /admin/kontakt`.
pub(super) async fn form(
    State(state): State<AppState>,
    user: AdminUser,
    flash: Flash,
) -> AppResult<ContactPage> {
    page(
        &state,
        &user,
        flash.0,
        ContactForm::default(),
        FieldErrors::default(),
    )
    .await
}

/// `POST /admin/kontakt`.
pub(super) async fn save(
    State(state): State<AppState>,
    user: AdminUser,
    fields: FormFields,
) -> AppResult<Response> {
    user.check_csrf(&fields)?;
    let form = ContactForm {
        name: fields.get("name").to_owned(),
        company: fields.get("company").to_owned(),
        email: fields.get("email").to_owned(),
        phone: fields.get("phone").to_owned(),
        source: fields.get("source").to_owned(),
        note: fields.get("note").to_owned(),
    };
    let mut errors = FieldErrors::default();
    let line = |label, missing, max| TextRule {
        label,
        missing,
        required: true,
        max_chars: max,
        multiline: false,
    };
    let name = clean(
        &form.name,
        line("Der Name", "Bitte geben Sie den Namen an.", 120),
    )
    .map_err(|m| errors.add("name", m))
    .ok()
    .flatten();
    let company = clean(
        &form.company,
        line("Der Firmenname", "Bitte geben Sie das Unternehmen an.", 150),
    )
    .map_err(|m| errors.add("company", m))
    .ok()
    .flatten();
    let email = domain::Email::parse(&form.email)
        .map_err(|e| errors.add("email", e.to_string()))
        .ok();
    let phone = domain::application::parse_phone(&form.phone)
        .map_err(|m| errors.add("phone", m))
        .ok()
        .flatten();
    let note = clean(
        &form.note,
        TextRule {
            label: "Die Notiz",
            missing: "",
            required: false,
            max_chars: 4000,
            multiline: true,
        },
    )
    .map_err(|m| errors.add("note", m))
    .ok()
    .flatten();
    let source = domain::application::parse_source(&form.source);
    let (Some(name), Some(company), Some(email)) = (name, company, email) else {
        return Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            page(&state, &user, None, form, errors).await?,
        )
            .into_response());
    };
    if !errors.is_empty() {
        return Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            page(&state, &user, None, form, errors).await?,
        )
            .into_response());
    }
    let now = UnixMs::now();
    let profile = CompanyProfile::load(&state.db).await?;
    let token = tokens::new_token()?;
    let token_hash = tokens::hash(&token);
    let event_label = match &source {
        Some(code) => storage::channels::active_link(&state.db, code)
            .await?
            .map(|l| l.label),
        None => None,
    };
    let mail = mails::event_confirmation(
        &state.config.base_url,
        &profile,
        &name,
        event_label.as_deref(),
        email.as_str(),
        &token,
        &token_hash,
    );
    let contact = EventContact {
        company,
        name,
        email,
        phone,
        source,
        note,
        author: user.email.clone(),
    };
    let consent = ConsentGiven {
        form: "persoenlich",
        text_version: EVENT_CONTACT_V1.version,
        text_hash: &EVENT_CONTACT_V1.hash(),
    };
    let created =
        storage::leads::create_event_contact(&state.db, &contact, consent, &token_hash, now, &mail)
            .await?;
    state.mail_wakeup.notify_one();
    Ok(Redirect::to(if created.is_some() {
        "/admin/kontakt?ok=kontakt"
    } else {
        "/admin/kontakt?ok=kontakt-bekannt"
    })
    .into_response())
}
