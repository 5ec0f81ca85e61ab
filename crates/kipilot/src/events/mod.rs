//! Round-tables: public event pages with registration, double opt-in, seats and waitlist,
//! personal links for cancelling and reading the minutes, and the back office to plan
//! events, export registrations and record minutes and pain points.
//!
//! Flow for a participant: `GET /veranstaltungen/{slug}` (form with a signed token) →
//! `POST …/anmelden` stores an unconfirmed registration and queues the confirmation mail,
//! answering with the same page whatever the address → the mail's link opens a page with a
//! button (`/veranstaltungen/anmeldung/bestaetigen`), whose POST takes a seat or a waitlist
//! place under the event's lock → every later mail carries the personal link
//! (`/veranstaltungen/anmeldung?token=…`) to cancel, download the invitation and, after the
//! event, read the minutes.
//!
//! Personal links are `{registration id}.{HMAC}` where the HMAC covers purpose, id and the
//! registration's random salt: nobody can forge one, and a renewed registration (new salt)
//! invalidates the old links.

pub mod admin;
pub mod mails;
pub mod public;

use std::time::Duration;

use axum::Router;
use axum::routing::{get, post};
use domain::UnixMs;
use storage::events::RegistrationRow;

use crate::state::AppState;
use crate::web::forms::FormSigner;

/// What a personal link may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkPurpose {
    /// Confirm the double opt-in.
    Confirm,
    /// Personal page: status, cancel, calendar file, minutes.
    Access,
}

impl LinkPurpose {
    fn code(self) -> &'static str {
        match self {
            LinkPurpose::Confirm => "event-confirm",
            LinkPurpose::Access => "event-access",
        }
    }
}

/// The token of a personal link for `reg`.
pub fn link_token(forms: &FormSigner, purpose: LinkPurpose, reg: &RegistrationRow) -> String {
    let sig = forms.sign_link(purpose.code(), &format!("{}|{}", reg.id, reg.link_salt));
    format!("{}.{sig}", reg.id)
}

/// The registration id a token names, before its signature is checked against the stored
/// salt; `None` for anything malformed.
pub fn token_id(token: &str) -> Option<(i64, &str)> {
    let (id, sig) = token.split_once('.')?;
    if id.is_empty() || id.len() > 18 || sig.len() != 64 {
        return None;
    }
    let id: i64 = id.parse().ok()?;
    sig.bytes()
        .all(|b| b.is_ascii_hexdigit())
        .then_some((id, sig))
}

/// Whether `token` is a valid link of `purpose` for `reg` (current salt).
pub fn token_matches(
    forms: &FormSigner,
    purpose: LinkPurpose,
    reg: &RegistrationRow,
    token: &str,
) -> bool {
    match token_id(token) {
        Some((id, sig)) if id == reg.id => forms.verify_link(
            purpose.code(),
            &format!("{}|{}", reg.id, reg.link_salt),
            sig,
        ),
        _ => false,
    }
}

/// Resolves a personal link to its registration; `None` for a malformed, forged, stale
/// (replaced by a newer registration) or unknown token.
pub async fn resolve(
    state: &AppState,
    purpose: LinkPurpose,
    token: &str,
) -> Result<Option<RegistrationRow>, storage::StoreError> {
    let Some((id, _)) = token_id(token) else {
        return Ok(None);
    };
    let Some(reg) = storage::events::registration(&state.db, id).await? else {
        return Ok(None);
    };
    Ok(token_matches(&state.forms, purpose, &reg, token).then_some(reg))
}

/// Routes of this module (public and back office).
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/veranstaltungen", get(public::list))
        .route("/veranstaltungen/anmeldung", get(public::personal_page))
        .route(
            "/veranstaltungen/anmeldung/bestaetigen",
            get(public::show_confirm).post(public::confirm),
        )
        .route("/veranstaltungen/anmeldung/absagen", post(public::cancel))
        .route(
            "/veranstaltungen/anmeldung/kalender.ics",
            get(public::calendar_file),
        )
        .route("/veranstaltungen/anmeldung/protokoll", get(public::minutes))
        .route("/veranstaltungen/{slug}", get(public::show))
        .route("/veranstaltungen/{slug}/anmelden", post(public::submit))
        .route("/veranstaltungen/{slug}/danke", get(public::thanks))
        .route("/admin/veranstaltungen", get(admin::list))
        .route(
            "/admin/veranstaltungen/neu",
            get(admin::new_form).post(admin::create),
        )
        .route(
            "/admin/veranstaltungen/schlagworte",
            get(admin::tags).post(admin::add_tag),
        )
        .route(
            "/admin/veranstaltungen/schlagworte/{id}/loeschen",
            post(admin::delete_tag),
        )
        .route(
            "/admin/veranstaltungen/{id}",
            get(admin::edit_form).post(admin::save),
        )
        .route(
            "/admin/veranstaltungen/{id}/absagen",
            post(admin::cancel_event),
        )
        .route(
            "/admin/veranstaltungen/{id}/anmeldungen",
            get(admin::registrations),
        )
        .route(
            "/admin/veranstaltungen/{id}/anmeldungen.csv",
            get(admin::registrations_csv),
        )
        .route(
            "/admin/veranstaltungen/{id}/anmeldungen/{rid}/entfernen",
            post(admin::remove_registration),
        )
        .route(
            "/admin/veranstaltungen/{id}/protokoll",
            get(admin::minutes_form).post(admin::save_minutes),
        )
        .route(
            "/admin/veranstaltungen/{id}/schmerzpunkte",
            post(admin::add_pain_point),
        )
        .route(
            "/admin/veranstaltungen/{id}/schmerzpunkte/{pid}/loeschen",
            post(admin::delete_pain_point),
        )
}

/// How often the reminder worker looks for events starting within 24 hours.
const REMINDER_POLL: Duration = Duration::from_secs(60);

/// Queues due reminders once; returns how many. Called by [`reminder_loop`] and by tests
/// with their own clock.
pub async fn send_due_reminders(state: &AppState, now: UnixMs) -> anyhow::Result<usize> {
    let mailer = mails::Mailer::load(state, now).await?;
    let n = storage::events::queue_reminders(&state.db, now, &mailer).await?;
    if n > 0 {
        tracing::info!(reminders = n, "round-table reminders queued");
        state.mail_wakeup.notify_one();
    }
    Ok(n)
}

/// Runs forever: every minute, queue the reminders that are due. Idempotent per
/// registration, so several instances or a restart never send one twice.
pub async fn reminder_loop(state: AppState) {
    let mut interval = tokio::time::interval(REMINDER_POLL);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        interval.tick().await;
        if let Err(e) = send_due_reminders(&state, UnixMs::now()).await {
            tracing::error!(error = %format!("{e:#}"), "round-table reminders failed");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reg(id: i64, salt: &str) -> RegistrationRow {
        RegistrationRow {
            id,
            event_id: 1,
            lead_id: 1,
            name: "Anna".into(),
            email: "anna@example.at".into(),
            status: "platz".into(),
            link_salt: salt.into(),
            created_ms: 0,
            confirm_sent_ms: 0,
            confirmed_ms: None,
            seat_ms: None,
            cancelled_ms: None,
            reminded_ms: None,
        }
    }

    #[test]
    fn links_are_bound_to_purpose_id_and_salt() {
        let forms = FormSigner::new(b"secret".to_vec(), Duration::ZERO);
        let r = reg(7, "salt-a");
        let token = link_token(&forms, LinkPurpose::Access, &r);
        assert!(token.starts_with("7."));
        assert!(token_matches(&forms, LinkPurpose::Access, &r, &token));
        assert!(!token_matches(&forms, LinkPurpose::Confirm, &r, &token));
        assert!(!token_matches(
            &forms,
            LinkPurpose::Access,
            &reg(7, "salt-b"),
            &token
        ));
        assert!(!token_matches(
            &forms,
            LinkPurpose::Access,
            &reg(8, "salt-a"),
            &token
        ));
        let tampered = format!("8{}", &token[1..]);
        assert!(!token_matches(
            &forms,
            LinkPurpose::Access,
            &reg(8, "salt-a"),
            &tampered
        ));
        assert!(token_id("7.zz").is_none());
        assert!(token_id("").is_none());
        assert!(token_id("-1.").is_none());
    }
}
