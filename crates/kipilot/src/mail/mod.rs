//! The outbox worker: delivers queued mails over SMTP with retries.
//!
//! Mails are written by the features into the outbox table (see `storage::outbox` for the
//! guarantees). This worker claims one due mail at a time, sends it and marks it sent right
//! away. On failure it backs off exponentially (base × 2^(attempt−1), at most 6 hours) and
//! gives up after [`MAX_ATTEMPTS`]; the back office shows such mails and can retry them.
//! Without `KIPILOT_SMTP_URL` the worker does not run and mails wait in the outbox.

use std::time::Duration;

use domain::UnixMs;
use lettre::message::header::ContentType;
use lettre::message::{Mailbox, Message, MultiPart, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use storage::outbox::OutboxMail;

use crate::state::AppState;

/// Attempts before a mail is marked as failed.
pub const MAX_ATTEMPTS: i64 = 10;
/// A claimed mail is reserved this long; a crashed worker's claim expires after it.
const LEASE_MS: i64 = 120_000;
/// Longest pause between retries.
const MAX_BACKOFF_MS: i64 = 6 * 3_600_000;
/// How often the worker looks for due mails when nobody wakes it.
const IDLE_POLL: Duration = Duration::from_secs(5);

/// Builds the SMTP transport from `KIPILOT_SMTP_URL` (`smtp://` plain or STARTTLS via
/// `?tls=required`, `smtps://` implicit TLS, optional `user:pass@`).
pub fn transport(url: &str) -> anyhow::Result<AsyncSmtpTransport<Tokio1Executor>> {
    Ok(AsyncSmtpTransport::<Tokio1Executor>::from_url(url)?
        .timeout(Some(Duration::from_secs(15)))
        .build())
}

/// Runs forever, delivering mails.
pub async fn run_worker(state: AppState, smtp_url: String) {
    let transport = match transport(&smtp_url) {
        Ok(t) => t,
        Err(e) => {
            tracing::error!(error = %e, "KIPILOT_SMTP_URL is unusable; mails stay in the outbox");
            return;
        }
    };
    let from: Mailbox = match state.config.mail_from.parse() {
        Ok(m) => m,
        Err(e) => {
            tracing::error!(error = %e, "KIPILOT_MAIL_FROM is not a valid address; mails stay in the outbox");
            return;
        }
    };
    loop {
        let now = UnixMs::now();
        match storage::outbox::claim_next(&state.db, now, LEASE_MS).await {
            Ok(Some(mail)) => deliver(&state, &transport, &from, mail).await,
            Ok(None) => {
                let _ = tokio::time::timeout(IDLE_POLL, state.mail_wakeup.notified()).await;
            }
            Err(e) => {
                tracing::error!(error = %e, "outbox claim failed");
                tokio::time::sleep(IDLE_POLL).await;
            }
        }
    }
}

async fn deliver(
    state: &AppState,
    transport: &AsyncSmtpTransport<Tokio1Executor>,
    from: &Mailbox,
    mail: OutboxMail,
) {
    let id = mail.id;
    let message = match build_message(state, from, &mail) {
        Ok(m) => m,
        Err(reason) => {
            // A malformed address will not get better by retrying.
            tracing::warn!(outbox_id = id, reason = %reason, "mail cannot be built; giving up");
            let now = UnixMs::now();
            let _ =
                storage::outbox::mark_attempt_failed(&state.db, id, &reason, now, Some(now)).await;
            return;
        }
    };
    match transport.send(message).await {
        Ok(_) => {
            if let Err(e) = storage::outbox::mark_sent(&state.db, id, UnixMs::now()).await {
                tracing::error!(outbox_id = id, error = %e, "mail sent but not marked; the stable Message-ID lets receivers drop a duplicate");
            } else {
                tracing::info!(outbox_id = id, kind = %mail.kind, "mail sent");
            }
        }
        Err(e) => {
            let now = UnixMs::now();
            let give_up = (mail.attempts >= MAX_ATTEMPTS).then_some(now);
            let next = now.plus_ms(backoff_ms(
                state.config.mail_retry_base.as_millis() as i64,
                mail.attempts,
            ));
            tracing::warn!(outbox_id = id, attempt = mail.attempts, error = %e, "mail delivery failed; will retry");
            if let Err(e) =
                storage::outbox::mark_attempt_failed(&state.db, id, &e.to_string(), next, give_up)
                    .await
            {
                tracing::error!(outbox_id = id, error = %e, "could not record failed attempt");
            }
        }
    }
}

/// Delay before the next attempt after `attempts` failures.
pub fn backoff_ms(base_ms: i64, attempts: i64) -> i64 {
    let exponent = u32::try_from((attempts - 1).clamp(0, 30)).unwrap_or(30);
    base_ms
        .saturating_mul(1_i64 << exponent)
        .min(MAX_BACKOFF_MS)
}

fn build_message(state: &AppState, from: &Mailbox, mail: &OutboxMail) -> Result<Message, String> {
    let to: Mailbox = mail
        .to_addr
        .parse()
        .map_err(|e| format!("invalid recipient: {e}"))?;
    let host = state
        .config
        .base_host()
        .split(':')
        .next()
        .unwrap_or("localhost")
        .to_owned();
    // Stable per outbox row: a retry after a crash carries the same Message-ID.
    let message_id = format!(
        "<kipilot-{}-{}@{host}>",
        mail.id,
        &crate::web::tokens::hash(&mail.idempotency_key)[..16]
    );
    let builder = Message::builder()
        .from(from.clone())
        .to(to)
        .subject(mail.subject.replace(['\r', '\n'], " "))
        .message_id(Some(message_id));
    let built = match &mail.ics {
        None => builder
            .header(ContentType::TEXT_PLAIN)
            .body(mail.body_text.clone()),
        // An invitation: the text for people, the calendar part for mail clients, which
        // offer "add to calendar" (REQUEST) or "remove" (CANCEL) from the part's method.
        Some(ics) => {
            let calendar_type = ContentType::parse(&format!(
                "text/calendar; method={}; charset=utf-8",
                ics_method(ics)
            ))
            .map_err(|e| format!("cannot build calendar part: {e}"))?;
            builder.multipart(
                MultiPart::alternative()
                    .singlepart(SinglePart::plain(mail.body_text.clone()))
                    .singlepart(
                        SinglePart::builder()
                            .header(calendar_type)
                            .body(ics.clone()),
                    ),
            )
        }
    };
    built.map_err(|e| format!("cannot build mail: {e}"))
}

/// The iTIP method named in a calendar (`METHOD:CANCEL` → `CANCEL`); `REQUEST` if absent.
fn ics_method(ics: &str) -> &'static str {
    let cancel = ics
        .lines()
        .any(|l| l.trim_end().eq_ignore_ascii_case("METHOD:CANCEL"));
    if cancel { "CANCEL" } else { "REQUEST" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        assert_eq!(backoff_ms(1000, 1), 1000);
        assert_eq!(backoff_ms(1000, 2), 2000);
        assert_eq!(backoff_ms(1000, 4), 8000);
        assert_eq!(backoff_ms(60_000, 30), MAX_BACKOFF_MS);
    }

    #[test]
    fn calendar_part_method_follows_the_calendar() {
        assert_eq!(ics_method("BEGIN:VCALENDAR\r\nMETHOD:CANCEL\r\n"), "CANCEL");
        assert_eq!(
            ics_method("BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\n"),
            "REQUEST"
        );
    }
}
