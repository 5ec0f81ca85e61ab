//! The "Postausgang": every mail before and after delivery, with retry.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use domain::UnixMs;

use super::AdminCtx;
use super::auth::{AdminUser, Flash};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::formdata::FormFields;

struct MailLine {
    id: i64,
    created: String,
    kind: String,
    to: String,
    subject: String,
    status: String,
    status_class: &'static str,
    error: Option<String>,
    attempts: i64,
    can_retry: bool,
}

fn status_of(m: &storage::outbox::OutboxMail) -> (String, &'static str) {
    if let Some(t) = m.sent_ms {
        (format!("versendet {}", UnixMs(t).format_short()), "ok")
    } else if m.failed_ms.is_some() {
        ("fehlgeschlagen".to_owned(), "err")
    } else if m.attempts > 0 {
        (
            format!(
                "neuer Versuch ab {}",
                UnixMs(m.next_attempt_ms).format_short()
            ),
            "warn",
        )
    } else {
        ("wartet".to_owned(), "warn")
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/outbox.html")]
pub(super) struct ListPage {
    nav: &'static str,
    ctx: AdminCtx,
    mails: Vec<MailLine>,
    smtp_configured: bool,
}

/// `GET /admin/outbox`.
pub(super) async fn list(
    State(state): State<AppState>,
    user: AdminUser,
    flash: Flash,
) -> AppResult<ListPage> {
    let mails = storage::outbox::recent(&state.db, 200)
        .await?
        .into_iter()
        .map(|m| {
            let (status, status_class) = status_of(&m);
            MailLine {
                id: m.id,
                created: UnixMs(m.created_ms).format_short(),
                can_retry: m.sent_ms.is_none() && (m.failed_ms.is_some() || m.attempts > 0),
                kind: m.kind,
                to: m.to_addr,
                subject: m.subject,
                status,
                status_class,
                error: m.last_error,
                attempts: m.attempts,
            }
        })
        .collect();
    Ok(ListPage {
        nav: "outbox",
        ctx: AdminCtx::new(&user, flash.0),
        mails,
        smtp_configured: state.config.smtp_url.is_some(),
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/mail.html")]
pub(super) struct MailPage {
    nav: &'static str,
    ctx: AdminCtx,
    id: i64,
    to: String,
    subject: String,
    status: String,
    body: String,
}

/// `GET /admin/outbox/{id}`: the full text, e.g. to copy a confirmation link by hand.
pub(super) async fn show(
    State(state): State<AppState>,
    user: AdminUser,
    Path(id): Path<i64>,
) -> AppResult<MailPage> {
    let m = storage::outbox::get(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let (status, _) = status_of(&m);
    Ok(MailPage {
        nav: "outbox",
        ctx: AdminCtx::new(&user, None),
        id,
        to: m.to_addr,
        subject: m.subject,
        status,
        body: m.body_text,
    })
}

/// `POST /admin/outbox/{id}/erneut`.
pub(super) async fn retry(
    State(state): State<AppState>,
    user: AdminUser,
    Path(id): Path<i64>,
    form: FormFields,
) -> AppResult<Response> {
    user.check_csrf(&form)?;
    if !storage::outbox::retry_now(&state.db, id, UnixMs::now()).await? {
        return Err(AppError::NotFound);
    }
    state.mail_wakeup.notify_one();
    Ok(Redirect::to("/admin/outbox?ok=erneut").into_response())
}
