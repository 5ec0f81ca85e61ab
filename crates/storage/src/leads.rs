//! Leads: applications, double opt-in, the pipeline, data-subject rights and retention.
//!
//! Every change that causes a mail writes the mail into the outbox in the same transaction,
//! so a crash can never leave a lead without its confirmation mail or a mail without its
//! lead.

use domain::{Application, LeadStage, UnixMs};
use serde::Serialize;

use crate::outbox::{NewMail, insert_mail};
use crate::{Db, Result, StoreError, execute, with_pool, with_tx};

/// Confirmation links are valid this long (issue: 72 hours).
pub const CONFIRM_TOKEN_HOURS: i64 = 72;
/// Privacy (export/erasure) links are valid this long.
pub const PRIVACY_TOKEN_HOURS: i64 = 24;
/// A pending lead gets at most one mail per this many milliseconds…
pub const RESEND_MIN_GAP_MS: i64 = 5 * 60 * 1000;
/// …and at most this many mails per 24 hours, so the form cannot be used to flood an inbox.
pub const MAX_MAILS_PER_DAY: i64 = 5;

/// Token purposes stored in `lead_tokens.purpose`.
pub mod purpose {
    /// Double opt-in confirmation (single use).
    pub const CONFIRM: &str = "confirm";
    /// Export/erasure request by the data subject (valid until expiry).
    pub const PRIVACY: &str = "privacy";
}

/// A lead as stored.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct LeadRow {
    /// Id.
    pub id: i64,
    /// Company name.
    pub company: String,
    /// Contact person.
    pub name: String,
    /// E-mail address as typed (domain lower-cased).
    pub email: String,
    /// Phone, optional.
    pub phone: Option<String>,
    /// Industry code.
    pub industry: String,
    /// Company size code.
    pub company_size: String,
    /// Interest codes, comma-separated.
    pub interests: String,
    /// Biggest obstacle, optional.
    pub message: Option<String>,
    /// Lead source (tracked link code), optional.
    pub source: Option<String>,
    /// Opt-in status code.
    pub status: String,
    /// Pipeline stage code.
    pub stage: String,
    /// Created at.
    pub created_ms: i64,
    /// Last changed at.
    pub updated_ms: i64,
    /// Opt-in confirmed at.
    pub confirmed_ms: Option<i64>,
}

/// One consent event.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct ConsentRow {
    /// Id.
    pub id: i64,
    /// `erteilt` (form submitted), `bestaetigt` (link confirmed), `widerrufen`.
    pub event: String,
    /// Which form, e.g. `mitmachen`.
    pub form: String,
    /// Version of the consent wording.
    pub text_version: String,
    /// SHA-256 of the wording.
    pub text_hash: String,
    /// When.
    pub created_ms: i64,
}

/// A note or history entry on a lead.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct NoteRow {
    /// Id.
    pub id: i64,
    /// `notiz` (typed by the team), `phase` (stage change), `formular` (repeat submission).
    pub kind: String,
    /// Who wrote it (team e-mail or "system").
    pub author: String,
    /// Text.
    pub body: String,
    /// When.
    pub created_ms: i64,
}

/// The consent being given, as the app's consent text defines it.
#[derive(Debug, Clone, Copy)]
pub struct ConsentGiven<'a> {
    /// Form name, e.g. `mitmachen`.
    pub form: &'a str,
    /// Wording version.
    pub text_version: &'a str,
    /// Wording hash.
    pub text_hash: &'a str,
}

/// What happened to a submitted application. The public page looks the same in every case,
/// so nobody can probe which addresses are registered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubmitOutcome {
    /// A new, unconfirmed lead; the confirmation mail is queued.
    Created {
        /// New lead id.
        lead_id: i64,
    },
    /// The address was pending; data updated, mail re-sent unless rate-limited.
    UpdatedPending {
        /// Lead id.
        lead_id: i64,
        /// Whether a new confirmation mail was queued.
        mail_queued: bool,
    },
    /// The address was already confirmed; the submission is kept as a note.
    AlreadyConfirmed {
        /// Lead id.
        lead_id: i64,
        /// Whether the "already registered" mail was queued.
        mail_queued: bool,
    },
}

/// Stores an application. `confirm_mail` is queued for a new or pending lead (its token is
/// `token_hash`); `already_mail` for a confirmed one.
#[allow(clippy::too_many_arguments)]
pub async fn submit_application(
    db: &Db,
    app: &Application,
    consent: ConsentGiven<'_>,
    token_hash: &str,
    now: UnixMs,
    confirm_mail: &NewMail,
    already_mail: &NewMail,
) -> Result<SubmitOutcome> {
    let email_key = app.email.as_str().to_lowercase();
    let interests = app
        .interests
        .iter()
        .map(|i| i.code())
        .collect::<Vec<_>>()
        .join(",");
    let search = search_text(&[
        &app.company,
        &app.name,
        app.email.as_str(),
        app.message.as_deref().unwrap_or(""),
    ]);
    let expires = now.plus_hours(CONFIRM_TOKEN_HOURS);

    Ok(with_tx!(db, |tx| {
        const FIND: &str =
            "SELECT id, status, last_mail_ms, mails_today FROM leads WHERE email_key = $1";
        let existing: Option<(i64, String, i64, i64)> = sqlx::query_as(FIND)
            .bind(&email_key)
            .fetch_optional(&mut *tx)
            .await?;
        match existing {
            None => {
                const INSERT: &str = "INSERT INTO leads (company, name, email, email_key, phone, industry, company_size, interests, message, source,
                        status, stage, search_text, created_ms, updated_ms, confirmed_ms, last_mail_ms, mails_today)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'unbestaetigt', 'neu', $11, $12, $12, NULL, $12, 1) RETURNING id";
                let lead_id: i64 = sqlx::query_scalar(INSERT)
                    .bind(&app.company)
                    .bind(&app.name)
                    .bind(app.email.as_str())
                    .bind(&email_key)
                    .bind(&app.phone)
                    .bind(app.industry.code())
                    .bind(app.company_size.code())
                    .bind(&interests)
                    .bind(&app.message)
                    .bind(&app.source)
                    .bind(&search)
                    .bind(now.0)
                    .fetch_one(&mut *tx)
                    .await?;
                insert_consent!(&mut *tx, lead_id, "erteilt", consent, now);
                queue_confirmation!(&mut *tx, token_hash, lead_id, now, expires, confirm_mail);
                SubmitOutcome::Created { lead_id }
            }
            Some((lead_id, status, last_mail_ms, mails_today)) => {
                let (may_mail, mails_today) = mail_allowance(now, last_mail_ms, mails_today);
                insert_consent!(&mut *tx, lead_id, "erteilt", consent, now);
                if status == "bestaetigt" {
                    const NOTE: &str = "INSERT INTO lead_notes (lead_id, kind, author, body, created_ms) VALUES ($1, 'formular', 'system', $2, $3)";
                    let body = format!(
                        "Erneute Anmeldung über das Formular.\nFirma: {}\nName: {}\nNachricht: {}",
                        app.company,
                        app.name,
                        app.message.as_deref().unwrap_or("–")
                    );
                    sqlx::query(NOTE)
                        .bind(lead_id)
                        .bind(&body)
                        .bind(now.0)
                        .execute(&mut *tx)
                        .await?;
                    if may_mail {
                        let mail = NewMail {
                            lead_id: Some(lead_id),
                            ..already_mail.clone()
                        };
                        insert_mail!(&mut *tx, mail, now)?;
                        mark_mailed!(&mut *tx, lead_id, now, mails_today);
                    }
                    SubmitOutcome::AlreadyConfirmed {
                        lead_id,
                        mail_queued: may_mail,
                    }
                } else {
                    const UPDATE: &str = "UPDATE leads SET company = $1, name = $2, email = $3, phone = $4, industry = $5, company_size = $6,
                            interests = $7, message = $8, source = COALESCE($9, source), search_text = $10, updated_ms = $11 WHERE id = $12";
                    sqlx::query(UPDATE)
                        .bind(&app.company)
                        .bind(&app.name)
                        .bind(app.email.as_str())
                        .bind(&app.phone)
                        .bind(app.industry.code())
                        .bind(app.company_size.code())
                        .bind(&interests)
                        .bind(&app.message)
                        .bind(&app.source)
                        .bind(&search)
                        .bind(now.0)
                        .bind(lead_id)
                        .execute(&mut *tx)
                        .await?;
                    if may_mail {
                        // The newest link is the only valid one: older mails may have gone to
                        // a forwarded or shared inbox.
                        const DROP_OLD: &str =
                            "DELETE FROM lead_tokens WHERE lead_id = $1 AND purpose = 'confirm'";
                        sqlx::query(DROP_OLD)
                            .bind(lead_id)
                            .execute(&mut *tx)
                            .await?;
                        queue_confirmation!(
                            &mut *tx,
                            token_hash,
                            lead_id,
                            now,
                            expires,
                            confirm_mail
                        );
                        mark_mailed!(&mut *tx, lead_id, now, mails_today);
                    }
                    SubmitOutcome::UpdatedPending {
                        lead_id,
                        mail_queued: may_mail,
                    }
                }
            }
        }
    }))
}

/// A contact met in person (e.g. at a WKO event), entered by the team.
#[derive(Debug, Clone)]
pub struct EventContact {
    /// Company.
    pub company: String,
    /// Name.
    pub name: String,
    /// E-mail.
    pub email: domain::Email,
    /// Phone, optional.
    pub phone: Option<String>,
    /// Source code (the event's tracked link), optional.
    pub source: Option<String>,
    /// The team's note from the conversation.
    pub note: Option<String>,
    /// Team member who entered it.
    pub author: String,
}

/// Stores a contact met in person as an unconfirmed lead and queues the one neutral
/// confirmation mail. Returns `None` if the address is already known (then only a note is
/// added and no mail is sent: the person is in the pipeline already).
pub async fn create_event_contact(
    db: &Db,
    contact: &EventContact,
    consent: ConsentGiven<'_>,
    token_hash: &str,
    now: UnixMs,
    confirm_mail: &NewMail,
) -> Result<Option<i64>> {
    let email_key = contact.email.as_str().to_lowercase();
    let search = search_text(&[
        &contact.company,
        &contact.name,
        contact.email.as_str(),
        contact.note.as_deref().unwrap_or(""),
    ]);
    let expires = now.plus_hours(CONFIRM_TOKEN_HOURS);
    Ok(with_tx!(db, |tx| {
        const FIND: &str = "SELECT id FROM leads WHERE email_key = $1";
        let existing: Option<i64> = sqlx::query_scalar(FIND)
            .bind(&email_key)
            .fetch_optional(&mut *tx)
            .await?;
        const NOTE: &str = "INSERT INTO lead_notes (lead_id, kind, author, body, created_ms) VALUES ($1, 'notiz', $2, $3, $4)";
        match existing {
            Some(lead_id) => {
                let body = format!(
                    "Persönlich getroffen{}. {}",
                    contact
                        .source
                        .as_deref()
                        .map(|s| format!(" ({s})"))
                        .unwrap_or_default(),
                    contact.note.as_deref().unwrap_or("")
                );
                sqlx::query(NOTE)
                    .bind(lead_id)
                    .bind(&contact.author)
                    .bind(body.trim())
                    .bind(now.0)
                    .execute(&mut *tx)
                    .await?;
                None
            }
            None => {
                const INSERT: &str = "INSERT INTO leads (company, name, email, email_key, phone, industry, company_size, interests, message, source,
                        status, stage, search_text, created_ms, updated_ms, confirmed_ms, last_mail_ms, mails_today)
                     VALUES ($1, $2, $3, $4, $5, '', '', '', NULL, $6, 'unbestaetigt', 'neu', $7, $8, $8, NULL, $8, 1) RETURNING id";
                let lead_id: i64 = sqlx::query_scalar(INSERT)
                    .bind(&contact.company)
                    .bind(&contact.name)
                    .bind(contact.email.as_str())
                    .bind(&email_key)
                    .bind(&contact.phone)
                    .bind(&contact.source)
                    .bind(&search)
                    .bind(now.0)
                    .fetch_one(&mut *tx)
                    .await?;
                if let Some(note) = &contact.note {
                    sqlx::query(NOTE)
                        .bind(lead_id)
                        .bind(&contact.author)
                        .bind(note)
                        .bind(now.0)
                        .execute(&mut *tx)
                        .await?;
                }
                insert_consent!(&mut *tx, lead_id, "erteilt", consent, now);
                queue_confirmation!(&mut *tx, token_hash, lead_id, now, expires, confirm_mail);
                Some(lead_id)
            }
        }
    }))
}

/// Whether another mail may go to this lead now, and the new daily count if it does.
fn mail_allowance(now: UnixMs, last_mail_ms: i64, mails_today: i64) -> (bool, i64) {
    let day_ago = now.minus_days(1).0;
    let today = if last_mail_ms < day_ago {
        0
    } else {
        mails_today
    };
    let may = now.0 - last_mail_ms >= RESEND_MIN_GAP_MS && today < MAX_MAILS_PER_DAY;
    (may, today + 1)
}

macro_rules! insert_consent {
    ($conn:expr, $lead_id:expr, $event:expr, $consent:expr, $now:expr) => {{
        const SQL: &str = "INSERT INTO consents (lead_id, event, form, text_version, text_hash, created_ms) VALUES ($1, $2, $3, $4, $5, $6)";
        sqlx::query(SQL)
            .bind($lead_id)
            .bind($event)
            .bind($consent.form)
            .bind($consent.text_version)
            .bind($consent.text_hash)
            .bind($now.0)
            .execute($conn)
            .await?;
    }};
}
use insert_consent;

macro_rules! insert_token {
    ($conn:expr, $hash:expr, $lead_id:expr, $purpose:expr, $now:expr, $expires:expr) => {{
        const SQL: &str = "INSERT INTO lead_tokens (token_hash, lead_id, purpose, created_ms, expires_ms, used_ms) VALUES ($1, $2, $3, $4, $5, NULL)";
        sqlx::query(SQL).bind($hash).bind($lead_id).bind($purpose).bind($now.0).bind($expires.0).execute($conn).await?;
    }};
}
use insert_token;

/// Stores the single-use confirmation token and queues its mail for `lead_id`: the two
/// writes every double opt-in (application, repeat, event contact) starts with.
macro_rules! queue_confirmation {
    ($conn:expr, $hash:expr, $lead_id:expr, $now:expr, $expires:expr, $mail:expr) => {{
        insert_token!($conn, $hash, $lead_id, purpose::CONFIRM, $now, $expires);
        let mail = NewMail {
            lead_id: Some($lead_id),
            ..$mail.clone()
        };
        insert_mail!($conn, mail, $now)?;
    }};
}
use queue_confirmation;

macro_rules! mark_mailed {
    ($conn:expr, $lead_id:expr, $now:expr, $count:expr) => {{
        const SQL: &str = "UPDATE leads SET last_mail_ms = $1, mails_today = $2 WHERE id = $3";
        sqlx::query(SQL)
            .bind($now.0)
            .bind($count)
            .bind($lead_id)
            .execute($conn)
            .await?;
    }};
}
use mark_mailed;

/// Lower-cased text used by the back-office search. Lower-casing happens in Rust because
/// SQLite's `lower()` only folds ASCII ("Müller" would not match "MÜLLER").
fn search_text(parts: &[&str]) -> String {
    parts.join(" ").to_lowercase()
}

/// What a token turned out to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenState {
    /// Valid and unused; the lead it belongs to.
    Valid(i64),
    /// Already used (a confirmation link opened twice).
    Used,
    /// Older than its expiry.
    Expired,
    /// Unknown or tampered.
    NotFound,
}

/// Looks a token up without consuming it (the GET page before the confirm button).
pub async fn token_state(
    db: &Db,
    token_hash: &str,
    token_purpose: &str,
    now: UnixMs,
) -> Result<TokenState> {
    const SQL: &str = "SELECT lead_id, expires_ms, used_ms FROM lead_tokens WHERE token_hash = $1 AND purpose = $2";
    let row: Option<(i64, i64, Option<i64>)> = with_pool!(db, |pool| sqlx::query_as(SQL)
        .bind(token_hash)
        .bind(token_purpose)
        .fetch_optional(pool)
        .await)?;
    Ok(classify(row, now))
}

fn classify(row: Option<(i64, i64, Option<i64>)>, now: UnixMs) -> TokenState {
    match row {
        None => TokenState::NotFound,
        Some((_, _, Some(_))) => TokenState::Used,
        Some((_, expires, None)) if expires < now.0 => TokenState::Expired,
        Some((lead_id, _, None)) => TokenState::Valid(lead_id),
    }
}

/// Confirms the double opt-in: marks the token used, the lead confirmed, records the
/// consent confirmation and queues the team notification — all in one transaction. The
/// team mail is built from the stored lead by `team_mail`.
pub async fn confirm(
    db: &Db,
    token_hash: &str,
    consent: ConsentGiven<'_>,
    now: UnixMs,
    team_mail: impl FnOnce(&LeadRow) -> Option<NewMail>,
) -> Result<TokenState> {
    Ok(with_tx!(db, |tx| {
        const FIND: &str = "SELECT lead_id, expires_ms, used_ms FROM lead_tokens WHERE token_hash = $1 AND purpose = 'confirm'";
        let row: Option<(i64, i64, Option<i64>)> = sqlx::query_as(FIND)
            .bind(token_hash)
            .fetch_optional(&mut *tx)
            .await?;
        let state = classify(row, now);
        if let TokenState::Valid(lead_id) = state {
            const USE: &str = "UPDATE lead_tokens SET used_ms = $1 WHERE token_hash = $2";
            sqlx::query(USE)
                .bind(now.0)
                .bind(token_hash)
                .execute(&mut *tx)
                .await?;
            const CONFIRM: &str = "UPDATE leads SET status = 'bestaetigt', confirmed_ms = $1, updated_ms = $1 WHERE id = $2";
            sqlx::query(CONFIRM)
                .bind(now.0)
                .bind(lead_id)
                .execute(&mut *tx)
                .await?;
            insert_consent!(&mut *tx, lead_id, "bestaetigt", consent, now);
            // The "größtes Hindernis" joins the one list of pain points (once per lead).
            const PAIN: &str = "INSERT INTO pain_points (text, is_wish, source_kind, source_id, created_ms, lead_id, feature_idea)
                 SELECT message, 0, 'application', id, $1, id, 0 FROM leads
                 WHERE id = $2 AND message IS NOT NULL AND message <> ''
                 AND NOT EXISTS (SELECT 1 FROM pain_points WHERE source_kind = 'application' AND source_id = $3)";
            sqlx::query(PAIN)
                .bind(now.0)
                .bind(lead_id)
                .bind(lead_id)
                .execute(&mut *tx)
                .await?;
            const GET: &str = "SELECT id, company, name, email, phone, industry, company_size, interests, message, source, status, stage, created_ms, updated_ms, confirmed_ms FROM leads WHERE id = $1";
            let lead: LeadRow = sqlx::query_as(GET)
                .bind(lead_id)
                .fetch_one(&mut *tx)
                .await?;
            if let Some(mail) = team_mail(&lead) {
                insert_mail!(&mut *tx, mail, now)?;
            }
        }
        state
    }))
}

/// Filters for the back-office lead list; `None` means "any".
#[derive(Debug, Clone, Default)]
pub struct LeadFilter {
    /// Stage code.
    pub stage: Option<String>,
    /// Status code.
    pub status: Option<String>,
    /// Exact source.
    pub source: Option<String>,
    /// Industry code.
    pub industry: Option<String>,
    /// Created at or after.
    pub from: Option<UnixMs>,
    /// Created before.
    pub until: Option<UnixMs>,
    /// Free-text search (company, name, e-mail, message).
    pub query: Option<String>,
}

/// Lists leads matching `filter`, newest first.
pub async fn list(db: &Db, filter: &LeadFilter, limit: i64) -> Result<Vec<LeadRow>> {
    const SQL: &str = "SELECT id, company, name, email, phone, industry, company_size, interests, message, source, status, stage, created_ms, updated_ms, confirmed_ms
         FROM leads
         WHERE ($1 IS NULL OR stage = $1) AND ($2 IS NULL OR status = $2) AND ($3 IS NULL OR source = $3)
           AND ($4 IS NULL OR industry = $4) AND ($5 IS NULL OR created_ms >= $5) AND ($6 IS NULL OR created_ms < $6)
           AND ($7 IS NULL OR search_text LIKE $7 ESCAPE '\\')
         ORDER BY created_ms DESC, id DESC LIMIT $8";
    let pattern = filter
        .query
        .as_deref()
        .map(|q| format!("%{}%", escape_like(&q.to_lowercase())));
    let rows = with_pool!(db, |pool| sqlx::query_as::<_, LeadRow>(SQL)
        .bind(&filter.stage)
        .bind(&filter.status)
        .bind(&filter.source)
        .bind(&filter.industry)
        .bind(filter.from.map(|t| t.0))
        .bind(filter.until.map(|t| t.0))
        .bind(&pattern)
        .bind(limit)
        .fetch_all(pool)
        .await)?;
    Ok(rows)
}

fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// One lead.
pub async fn get(db: &Db, id: i64) -> Result<Option<LeadRow>> {
    const SQL: &str = "SELECT id, company, name, email, phone, industry, company_size, interests, message, source, status, stage, created_ms, updated_ms, confirmed_ms FROM leads WHERE id = $1";
    let row = with_pool!(db, |pool| sqlx::query_as::<_, LeadRow>(SQL)
        .bind(id)
        .fetch_optional(pool)
        .await)?;
    Ok(row)
}

/// One lead by e-mail address (case-insensitive).
pub async fn find_by_email(db: &Db, email: &str) -> Result<Option<LeadRow>> {
    const SQL: &str = "SELECT id, company, name, email, phone, industry, company_size, interests, message, source, status, stage, created_ms, updated_ms, confirmed_ms FROM leads WHERE email_key = $1";
    let key = email.trim().to_lowercase();
    let row = with_pool!(db, |pool| sqlx::query_as::<_, LeadRow>(SQL)
        .bind(&key)
        .fetch_optional(pool)
        .await)?;
    Ok(row)
}

/// The consent history of a lead, oldest first.
pub async fn consents(db: &Db, lead_id: i64) -> Result<Vec<ConsentRow>> {
    const SQL: &str = "SELECT id, event, form, text_version, text_hash, created_ms FROM consents WHERE lead_id = $1 ORDER BY id";
    let rows = with_pool!(db, |pool| sqlx::query_as::<_, ConsentRow>(SQL)
        .bind(lead_id)
        .fetch_all(pool)
        .await)?;
    Ok(rows)
}

/// Notes and history, newest first.
pub async fn notes(db: &Db, lead_id: i64) -> Result<Vec<NoteRow>> {
    const SQL: &str = "SELECT id, kind, author, body, created_ms FROM lead_notes WHERE lead_id = $1 ORDER BY id DESC";
    let rows = with_pool!(db, |pool| sqlx::query_as::<_, NoteRow>(SQL)
        .bind(lead_id)
        .fetch_all(pool)
        .await)?;
    Ok(rows)
}

/// Adds a team note. Returns false if the lead does not exist.
pub async fn add_note(
    db: &Db,
    lead_id: i64,
    author: &str,
    body: &str,
    now: UnixMs,
) -> Result<bool> {
    const SQL: &str = "INSERT INTO lead_notes (lead_id, kind, author, body, created_ms)
         SELECT id, 'notiz', $2, $3, $4 FROM leads WHERE id = $1";
    let done = execute!(db, |pool| sqlx::query(SQL)
        .bind(lead_id)
        .bind(author)
        .bind(body)
        .bind(now.0))?;
    Ok(done == 1)
}

/// Moves a lead to another pipeline stage and records the change in its history.
pub async fn set_stage(
    db: &Db,
    lead_id: i64,
    stage: LeadStage,
    author: &str,
    now: UnixMs,
) -> Result<bool> {
    Ok(with_tx!(db, |tx| {
        const FIND: &str = "SELECT stage FROM leads WHERE id = $1";
        let old: Option<String> = sqlx::query_scalar(FIND)
            .bind(lead_id)
            .fetch_optional(&mut *tx)
            .await?;
        match old {
            None => false,
            Some(old) if old == stage.code() => true,
            Some(old) => {
                const UPDATE: &str = "UPDATE leads SET stage = $1, updated_ms = $2 WHERE id = $3";
                sqlx::query(UPDATE)
                    .bind(stage.code())
                    .bind(now.0)
                    .bind(lead_id)
                    .execute(&mut *tx)
                    .await?;
                let old_label = old
                    .parse::<LeadStage>()
                    .map(LeadStage::label)
                    .unwrap_or("?");
                let body = format!("Phase geändert: {old_label} → {}", stage.label());
                const NOTE: &str = "INSERT INTO lead_notes (lead_id, kind, author, body, created_ms) VALUES ($1, 'phase', $2, $3, $4)";
                sqlx::query(NOTE)
                    .bind(lead_id)
                    .bind(author)
                    .bind(&body)
                    .bind(now.0)
                    .execute(&mut *tx)
                    .await?;
                true
            }
        }
    }))
}

/// Number of leads per stage and status, for the dashboard.
pub async fn counts(db: &Db) -> Result<Vec<(String, String, i64)>> {
    const SQL: &str =
        "SELECT stage, status, CAST(COUNT(*) AS BIGINT) FROM leads GROUP BY stage, status";
    let rows = with_pool!(db, |pool| sqlx::query_as::<_, (String, String, i64)>(SQL)
        .fetch_all(pool)
        .await)?;
    Ok(rows)
}

/// Distinct sources, for the filter drop-down.
pub async fn sources(db: &Db) -> Result<Vec<String>> {
    const SQL: &str = "SELECT DISTINCT source FROM leads WHERE source IS NOT NULL ORDER BY source";
    let rows = with_pool!(db, |pool| sqlx::query_scalar::<_, String>(SQL)
        .fetch_all(pool)
        .await)?;
    Ok(rows)
}

/// Everything stored about one lead (GDPR Art. 15 and 20), as JSON-ready data.
#[derive(Debug, Clone, Serialize)]
pub struct LeadExport {
    /// The lead.
    pub lead: LeadRow,
    /// Consent history.
    pub consents: Vec<ConsentRow>,
    /// Notes and history.
    pub notes: Vec<NoteRow>,
    /// Mails sent or queued to the lead.
    pub mails: Vec<ExportedMail>,
    /// Round-table registrations.
    pub event_registrations: Vec<crate::events::RegistrationExport>,
    /// Booked meetings (first calls, 1:1).
    pub bookings: Vec<crate::booking::BookingRow>,
    /// Pain points and wishes of the company (application, participant area).
    pub pain_points: Vec<crate::insights::InsightRow>,
}

/// A mail as exported.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct ExportedMail {
    /// Subject.
    pub subject: String,
    /// Body.
    pub body_text: String,
    /// Queued at.
    pub created_ms: i64,
    /// Sent at.
    pub sent_ms: Option<i64>,
}

/// Collects the export for one lead.
pub async fn export(db: &Db, lead_id: i64) -> Result<Option<LeadExport>> {
    let Some(lead) = get(db, lead_id).await? else {
        return Ok(None);
    };
    const MAILS: &str =
        "SELECT subject, body_text, created_ms, sent_ms FROM outbox WHERE lead_id = $1 ORDER BY id";
    let mails = with_pool!(db, |pool| sqlx::query_as::<_, ExportedMail>(MAILS)
        .bind(lead_id)
        .fetch_all(pool)
        .await)?;
    Ok(Some(LeadExport {
        consents: consents(db, lead_id).await?,
        notes: notes(db, lead_id).await?,
        mails,
        event_registrations: crate::events::export_for_lead(db, lead_id).await?,
        bookings: crate::booking::for_lead(db, lead_id).await?,
        pain_points: crate::insights::of_company(db, lead_id).await?,
        lead,
    }))
}

/// Erases a lead with everything attached (consents, notes, tokens, mails) and leaves one
/// anonymous audit entry. Returns false if there was nothing to erase.
pub async fn erase(db: &Db, lead_id: i64, actor: &str, reason: &str, now: UnixMs) -> Result<bool> {
    Ok(with_tx!(db, |tx| {
        const MAILS: &str = "DELETE FROM outbox WHERE lead_id = $1";
        sqlx::query(MAILS).bind(lead_id).execute(&mut *tx).await?;
        const LEAD: &str = "DELETE FROM leads WHERE id = $1";
        let done = sqlx::query(LEAD).bind(lead_id).execute(&mut *tx).await?;
        let erased = done.rows_affected() == 1;
        if erased {
            let action = format!("Lead gelöscht ({reason})");
            sqlx::query(crate::audit::INSERT_SQL)
                .bind(now.0)
                .bind(actor)
                .bind(&action)
                .bind(format!("lead #{lead_id}"))
                .execute(&mut *tx)
                .await?;
        }
        erased
    }))
}

/// Issues a privacy link (export/erasure) for the lead with this address, if one exists.
/// Returns whether a mail was queued; the caller shows the same page either way.
pub async fn request_privacy_link(
    db: &Db,
    email: &str,
    token_hash: &str,
    now: UnixMs,
    mail: impl FnOnce(&LeadRow) -> NewMail,
) -> Result<bool> {
    let key = email.trim().to_lowercase();
    let expires = now.plus_hours(PRIVACY_TOKEN_HOURS);
    Ok(with_tx!(db, |tx| {
        const FIND: &str = "SELECT id, company, name, email, phone, industry, company_size, interests, message, source, status, stage, created_ms, updated_ms, confirmed_ms FROM leads WHERE email_key = $1";
        let lead: Option<LeadRow> = sqlx::query_as(FIND)
            .bind(&key)
            .fetch_optional(&mut *tx)
            .await?;
        match lead {
            None => false,
            Some(lead) => {
                const STATS: &str = "SELECT last_mail_ms, mails_today FROM leads WHERE id = $1";
                let (last, today): (i64, i64) = sqlx::query_as(STATS)
                    .bind(lead.id)
                    .fetch_one(&mut *tx)
                    .await?;
                let (may, count) = mail_allowance(now, last, today);
                if may {
                    insert_token!(
                        &mut *tx,
                        token_hash,
                        lead.id,
                        purpose::PRIVACY,
                        now,
                        expires
                    );
                    let m = NewMail {
                        lead_id: Some(lead.id),
                        ..mail(&lead)
                    };
                    insert_mail!(&mut *tx, m, now)?;
                    mark_mailed!(&mut *tx, lead.id, now, count);
                }
                may
            }
        }
    }))
}

/// Retention: deletes leads that never confirmed within `cutoff` (issue: 7 days) and
/// records how many, without naming them.
pub async fn delete_unconfirmed_before(db: &Db, cutoff: UnixMs, now: UnixMs) -> Result<u64> {
    Ok(with_tx!(db, |tx| {
        // A lead kept unconfirmed only because its application link was never used, but
        // whose owner confirmed a round-table registration, stays: it is in use.
        const MAILS: &str = "DELETE FROM outbox WHERE lead_id IN (SELECT id FROM leads WHERE status = 'unbestaetigt' AND created_ms < $1
             AND NOT EXISTS (SELECT 1 FROM event_registrations r WHERE r.lead_id = leads.id AND r.confirmed_ms IS NOT NULL))";
        sqlx::query(MAILS).bind(cutoff.0).execute(&mut *tx).await?;
        const LEADS: &str = "DELETE FROM leads WHERE status = 'unbestaetigt' AND created_ms < $1
             AND NOT EXISTS (SELECT 1 FROM event_registrations r WHERE r.lead_id = leads.id AND r.confirmed_ms IS NOT NULL)";
        let n = sqlx::query(LEADS)
            .bind(cutoff.0)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if n > 0 {
            sqlx::query(crate::audit::INSERT_SQL)
                .bind(now.0)
                .bind("system")
                .bind(format!(
                    "{n} unbestätigte Anmeldung(en) nach Ablauf der Frist gelöscht"
                ))
                .bind("leads")
                .execute(&mut *tx)
                .await?;
        }
        n
    }))
}

/// Retention: deletes expired or used tokens.
pub async fn delete_stale_tokens(db: &Db, now: UnixMs) -> Result<u64> {
    const SQL: &str =
        "DELETE FROM lead_tokens WHERE expires_ms < $1 OR (used_ms IS NOT NULL AND used_ms < $2)";
    let done = execute!(db, |pool| sqlx::query(SQL)
        .bind(now.0)
        .bind(now.minus_days(1).0))?;
    Ok(done)
}

/// Reads a lead id that a stored value must name; a corrupt row becomes an error.
pub fn parse_stage(row: &LeadRow) -> Result<LeadStage> {
    row.stage
        .parse()
        .map_err(|_| StoreError::Corrupt(format!("stage {}", row.stage)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mail_allowance_enforces_gap_and_daily_cap() {
        let now = UnixMs(10 * 86_400_000);
        assert_eq!(mail_allowance(now, now.0 - 60_000, 1), (false, 2));
        assert_eq!(mail_allowance(now, now.0 - RESEND_MIN_GAP_MS, 1), (true, 2));
        assert!(!mail_allowance(now, now.0 - RESEND_MIN_GAP_MS, MAX_MAILS_PER_DAY).0);
        assert_eq!(
            mail_allowance(now, now.minus_days(2).0, MAX_MAILS_PER_DAY),
            (true, 1)
        );
    }

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(escape_like("50%_a\\"), "50\\%\\_a\\\\");
    }
}
