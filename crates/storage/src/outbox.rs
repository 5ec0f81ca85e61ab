//! The mail outbox: every mail is a row written in the same transaction as the change that
//! causes it, and a worker delivers rows over SMTP.
//!
//! Guarantees:
//! - *No mail is lost*: the row exists before the request is acknowledged; an SMTP outage
//!   only delays delivery (retries with exponential backoff, survive restarts).
//! - *No mail is queued twice*: `idempotency_key` is unique, so a double submit or a replayed
//!   job adds nothing.
//! - *No mail is sent twice after a crash mid-batch*: each row is claimed with a lease and
//!   marked sent right after its own SMTP `250`, not at the end of a batch. The remaining
//!   window (a crash between `250` and the commit) is covered by a stable `Message-ID`
//!   derived from the row, which lets receiving systems drop the duplicate.

use domain::UnixMs;

use crate::{Db, Result, execute, with_pool};

/// A mail to be queued.
#[derive(Debug, Clone)]
pub struct NewMail {
    /// Unique per logical mail, e.g. `confirm:lead-12:token-ab12`.
    pub idempotency_key: String,
    /// Kind for the back office, e.g. `bestaetigung`, `team-benachrichtigung`.
    pub kind: String,
    /// Lead the mail belongs to, so erasure can delete it.
    pub lead_id: Option<i64>,
    /// Recipient address.
    pub to: String,
    /// Subject line.
    pub subject: String,
    /// Plain-text body.
    pub body_text: String,
    /// Optional iCalendar invitation (`domain::ics::calendar`); the worker sends it as a
    /// `text/calendar` part whose `method` matches the calendar's `METHOD`.
    pub ics: Option<String>,
}

/// A queued or sent mail.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OutboxMail {
    /// Row id; also the basis of the `Message-ID`.
    pub id: i64,
    /// See [`NewMail::idempotency_key`].
    pub idempotency_key: String,
    /// See [`NewMail::kind`].
    pub kind: String,
    /// Recipient.
    pub to_addr: String,
    /// Subject.
    pub subject: String,
    /// Body.
    pub body_text: String,
    /// Delivery attempts so far.
    pub attempts: i64,
    /// Next attempt not before this instant.
    pub next_attempt_ms: i64,
    /// Last SMTP error, for the back office.
    pub last_error: Option<String>,
    /// Queued at.
    pub created_ms: i64,
    /// Delivered at.
    pub sent_ms: Option<i64>,
    /// Given up at (after the maximum number of attempts).
    pub failed_ms: Option<i64>,
    /// See [`NewMail::ics`].
    pub ics: Option<String>,
}

/// Insert statement shared with transactional callers; a duplicate key inserts nothing.
pub(crate) const INSERT_SQL: &str = "INSERT INTO outbox (idempotency_key, kind, lead_id, to_addr, subject, body_text, ics, attempts, next_attempt_ms, created_ms)
     VALUES ($1, $2, $3, $4, $5, $6, $8, 0, $7, $7) ON CONFLICT (idempotency_key) DO NOTHING";

/// Binds a [`NewMail`] to [`INSERT_SQL`] and executes it on `$conn` (a pool or a
/// transaction of either backend).
macro_rules! insert_mail {
    ($conn:expr, $mail:expr, $now:expr) => {
        sqlx::query($crate::outbox::INSERT_SQL)
            .bind(&$mail.idempotency_key)
            .bind(&$mail.kind)
            .bind($mail.lead_id)
            .bind(&$mail.to)
            .bind(&$mail.subject)
            .bind(&$mail.body_text)
            .bind($now.0)
            .bind(&$mail.ics)
            .execute($conn)
            .await
    };
}
pub(crate) use insert_mail;

/// Queues a mail on its own (for changes that write nothing else).
pub async fn enqueue(db: &Db, mail: &NewMail, now: UnixMs) -> Result<()> {
    with_pool!(db, |pool| insert_mail!(pool, mail, now)
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Claims the next due mail for `lease_ms` and counts the attempt. Returns `None` when
/// nothing is due. A crashed worker's lease simply expires.
pub async fn claim_next(db: &Db, now: UnixMs, lease_ms: i64) -> Result<Option<OutboxMail>> {
    let row = match db {
        Db::Sqlite(pool) => {
            // SQLite has one writer at a time; the UPDATE … WHERE id = (SELECT …) is atomic.
            const SQL: &str = "UPDATE outbox SET locked_until_ms = $1, attempts = attempts + 1
                 WHERE id = (SELECT id FROM outbox WHERE sent_ms IS NULL AND failed_ms IS NULL AND next_attempt_ms <= $2
                             AND (locked_until_ms IS NULL OR locked_until_ms < $2) ORDER BY next_attempt_ms, id LIMIT 1)
                 RETURNING id, idempotency_key, kind, to_addr, subject, body_text, attempts, next_attempt_ms, last_error, created_ms, sent_ms, failed_ms, ics";
            sqlx::query_as::<_, OutboxMail>(SQL)
                .bind(now.0 + lease_ms)
                .bind(now.0)
                .fetch_optional(pool)
                .await?
        }
        Db::Postgres(pool) => {
            // Several kipilot instances may share one PostgreSQL: SKIP LOCKED lets each claim
            // a different row instead of waiting on the same one.
            const SQL: &str = "UPDATE outbox SET locked_until_ms = $1, attempts = attempts + 1
                 WHERE id = (SELECT id FROM outbox WHERE sent_ms IS NULL AND failed_ms IS NULL AND next_attempt_ms <= $2
                             AND (locked_until_ms IS NULL OR locked_until_ms < $2) ORDER BY next_attempt_ms, id LIMIT 1
                             FOR UPDATE SKIP LOCKED)
                 RETURNING id, idempotency_key, kind, to_addr, subject, body_text, attempts, next_attempt_ms, last_error, created_ms, sent_ms, failed_ms, ics";
            sqlx::query_as::<_, OutboxMail>(SQL)
                .bind(now.0 + lease_ms)
                .bind(now.0)
                .fetch_optional(pool)
                .await?
        }
    };
    Ok(row)
}

/// Marks a mail as delivered.
pub async fn mark_sent(db: &Db, id: i64, now: UnixMs) -> Result<()> {
    const SQL: &str =
        "UPDATE outbox SET sent_ms = $1, locked_until_ms = NULL, last_error = NULL WHERE id = $2";
    execute!(db, |pool| sqlx::query(SQL).bind(now.0).bind(id))?;
    Ok(())
}

/// Records a failed attempt; `give_up` marks the mail as failed for good (shown in the
/// back office, where the team can retry it).
pub async fn mark_attempt_failed(
    db: &Db,
    id: i64,
    error: &str,
    next_attempt: UnixMs,
    give_up: Option<UnixMs>,
) -> Result<()> {
    const SQL: &str = "UPDATE outbox SET last_error = $1, next_attempt_ms = $2, locked_until_ms = NULL, failed_ms = $3 WHERE id = $4";
    let error: String = error.chars().take(500).collect();
    execute!(db, |pool| sqlx::query(SQL)
        .bind(&error)
        .bind(next_attempt.0)
        .bind(give_up.map(|t| t.0))
        .bind(id))?;
    Ok(())
}

/// Puts a failed or waiting mail back at the front of the queue (back-office button).
pub async fn retry_now(db: &Db, id: i64, now: UnixMs) -> Result<bool> {
    const SQL: &str = "UPDATE outbox SET failed_ms = NULL, attempts = 0, next_attempt_ms = $1, locked_until_ms = NULL WHERE id = $2 AND sent_ms IS NULL";
    let done = execute!(db, |pool| sqlx::query(SQL).bind(now.0).bind(id))?;
    Ok(done == 1)
}

/// The newest mails for the back office's "Postausgang".
pub async fn recent(db: &Db, limit: i64) -> Result<Vec<OutboxMail>> {
    const SQL: &str = "SELECT id, idempotency_key, kind, to_addr, subject, body_text, attempts, next_attempt_ms, last_error, created_ms, sent_ms, failed_ms, ics
         FROM outbox ORDER BY id DESC LIMIT $1";
    let rows = with_pool!(db, |pool| sqlx::query_as::<_, OutboxMail>(SQL)
        .bind(limit)
        .fetch_all(pool)
        .await)?;
    Ok(rows)
}

/// One mail by id.
pub async fn get(db: &Db, id: i64) -> Result<Option<OutboxMail>> {
    const SQL: &str = "SELECT id, idempotency_key, kind, to_addr, subject, body_text, attempts, next_attempt_ms, last_error, created_ms, sent_ms, failed_ms, ics
         FROM outbox WHERE id = $1";
    let row = with_pool!(db, |pool| sqlx::query_as::<_, OutboxMail>(SQL)
        .bind(id)
        .fetch_optional(pool)
        .await)?;
    Ok(row)
}

/// Backlog figures for `/metrics` and the dashboard.
#[derive(Debug, Clone, Copy, Default, sqlx::FromRow)]
pub struct Backlog {
    /// Not yet delivered and not given up.
    pub pending: i64,
    /// Given up after the maximum number of attempts.
    pub failed: i64,
    /// Queue time of the oldest pending mail, if any.
    pub oldest_pending_ms: Option<i64>,
}

/// Counts the backlog.
pub async fn backlog(db: &Db) -> Result<Backlog> {
    const SQL: &str = "SELECT
            CAST(COALESCE(SUM(CASE WHEN sent_ms IS NULL AND failed_ms IS NULL THEN 1 ELSE 0 END), 0) AS BIGINT) AS pending,
            CAST(COALESCE(SUM(CASE WHEN failed_ms IS NOT NULL AND sent_ms IS NULL THEN 1 ELSE 0 END), 0) AS BIGINT) AS failed,
            MIN(CASE WHEN sent_ms IS NULL AND failed_ms IS NULL THEN created_ms END) AS oldest_pending_ms
         FROM outbox";
    let row = with_pool!(db, |pool| sqlx::query_as::<_, Backlog>(SQL)
        .fetch_one(pool)
        .await)?;
    Ok(row)
}

/// Deletes delivered mails older than `cutoff`: their bodies contain personal data that is
/// no longer needed once delivered (retention).
pub async fn delete_sent_before(db: &Db, cutoff: UnixMs) -> Result<u64> {
    const SQL: &str = "DELETE FROM outbox WHERE sent_ms IS NOT NULL AND sent_ms < $1";
    let done = execute!(db, |pool| sqlx::query(SQL).bind(cutoff.0))?;
    Ok(done)
}
