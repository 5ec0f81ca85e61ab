//! The AI register (KI-Verzeichnis) and the AI-literacy log (Art. 4 KI-VO) of a participant
//! company, with the register's change history and the review reminders.
//!
//! Every function takes the company's `lead_id` and filters by it, so an id from another
//! company's URL finds nothing: callers pass the id from the session, never from the request.

use domain::UnixMs;

use crate::outbox::{NewMail, insert_mail};
use crate::{Db, Result, execute, with_pool, with_tx};

/// One AI system or tool in use.
#[derive(Debug, Clone, Default, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct RegisterEntry {
    /// Id.
    pub id: i64,
    /// Company.
    pub lead_id: i64,
    /// Name of the system, e.g. "ChatGPT Team".
    pub name: String,
    /// Provider, e.g. "OpenAI".
    pub provider: String,
    /// What it is used for.
    pub purpose: String,
    /// Who uses it.
    pub users: String,
    /// Persons affected by its output.
    pub affected: String,
    /// Whether personal data goes in: `ja`, `nein`, `unklar`.
    pub personal_data: String,
    /// Which categories of personal data.
    pub data_categories: String,
    /// Where the provider processes data: `eu`, `drittland`, `unklar`.
    pub location: String,
    /// Processor agreement (AVV): `ja`, `nein`, `nicht_noetig`, `unklar`.
    pub avv: String,
    /// Transparency measures (labels, chatbot notice).
    pub transparency: String,
    /// Human review step.
    pub human_review: String,
    /// Responsible person.
    pub responsible: String,
    /// Risk class: `minimal`, `begrenzt`, `hoch`, `verboten`, `offen`.
    pub risk_class: String,
    /// Obligations, entered by hand.
    pub obligations: String,
    /// Next review date (start of the day in Vienna).
    pub review_ms: Option<i64>,
    /// Review date for which a reminder mail was already queued.
    pub reminded_review_ms: Option<i64>,
    /// Created at.
    pub created_ms: i64,
    /// Last changed at.
    pub updated_ms: i64,
}

macro_rules! entry_columns {
    () => {
        "id, lead_id, name, provider, purpose, users, affected, personal_data, data_categories, location, avv, transparency, human_review, responsible, risk_class, obligations, review_ms, reminded_review_ms, created_ms, updated_ms"
    };
}

/// Binds the editable fields of `$e` in column order (name … review_ms): 15 values.
macro_rules! bind_fields {
    ($q:expr, $e:expr) => {
        $q.bind(&$e.name)
            .bind(&$e.provider)
            .bind(&$e.purpose)
            .bind(&$e.users)
            .bind(&$e.affected)
            .bind(&$e.personal_data)
            .bind(&$e.data_categories)
            .bind(&$e.location)
            .bind(&$e.avv)
            .bind(&$e.transparency)
            .bind(&$e.human_review)
            .bind(&$e.responsible)
            .bind(&$e.risk_class)
            .bind(&$e.obligations)
            .bind($e.review_ms)
    };
}

/// Who made a change, for the history.
#[derive(Debug, Clone)]
pub struct Actor {
    /// Account id (set to NULL when the account is deleted).
    pub participant_id: i64,
    /// Shown name, e.g. "Anna Huber (Ansprechperson)".
    pub label: String,
}

/// One line of the change history.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct HistoryRow {
    /// Id.
    pub id: i64,
    /// Entry concerned (may be deleted by now).
    pub entry_id: i64,
    /// Entry name at the time of the change.
    pub entry_name: String,
    /// Who.
    pub actor: String,
    /// `angelegt`, `geaendert`, `geloescht`.
    pub action: String,
    /// What changed, in German ("Zweck, Prüftermin").
    pub changes: String,
    /// When.
    pub created_ms: i64,
}

/// All entries of a company, by name.
pub async fn list(db: &Db, lead_id: i64) -> Result<Vec<RegisterEntry>> {
    const SQL: &str = concat!(
        "SELECT ",
        entry_columns!(),
        " FROM register_entries WHERE lead_id = $1 ORDER BY LOWER(name), id"
    );
    let rows = with_pool!(db, |pool| sqlx::query_as::<_, RegisterEntry>(SQL)
        .bind(lead_id)
        .fetch_all(pool)
        .await)?;
    Ok(rows)
}

/// One entry of this company.
pub async fn get(db: &Db, lead_id: i64, id: i64) -> Result<Option<RegisterEntry>> {
    const SQL: &str = concat!(
        "SELECT ",
        entry_columns!(),
        " FROM register_entries WHERE id = $1 AND lead_id = $2"
    );
    let row = with_pool!(db, |pool| sqlx::query_as::<_, RegisterEntry>(SQL)
        .bind(id)
        .bind(lead_id)
        .fetch_optional(pool)
        .await)?;
    Ok(row)
}

const HISTORY_SQL: &str = "INSERT INTO register_history (lead_id, entry_id, entry_name, participant_id, actor, action, changes, created_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";

/// Adds an entry and its history line. Returns the new id.
pub async fn create(
    db: &Db,
    lead_id: i64,
    e: &RegisterEntry,
    actor: &Actor,
    now: UnixMs,
) -> Result<i64> {
    Ok(with_tx!(db, |tx| {
        const SQL: &str = "INSERT INTO register_entries (lead_id, name, provider, purpose, users, affected, personal_data, data_categories, location, avv, transparency, human_review, responsible, risk_class, obligations, review_ms, reminded_review_ms, created_ms, updated_ms)
             VALUES ($16, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, NULL, $17, $17) RETURNING id";
        let id: i64 = bind_fields!(sqlx::query_scalar(SQL), e)
            .bind(lead_id)
            .bind(now.0)
            .fetch_one(&mut *tx)
            .await?;
        sqlx::query(HISTORY_SQL)
            .bind(lead_id)
            .bind(id)
            .bind(&e.name)
            .bind(actor.participant_id)
            .bind(&actor.label)
            .bind("angelegt")
            .bind("")
            .bind(now.0)
            .execute(&mut *tx)
            .await?;
        id
    }))
}

/// Saves an entry of this company and its history line (`changes` names the changed fields).
/// Returns false if the entry does not exist for this company.
pub async fn update(
    db: &Db,
    lead_id: i64,
    id: i64,
    e: &RegisterEntry,
    changes: &str,
    actor: &Actor,
    now: UnixMs,
) -> Result<bool> {
    Ok(with_tx!(db, |tx| {
        const SQL: &str = "UPDATE register_entries SET name = $1, provider = $2, purpose = $3, users = $4, affected = $5, personal_data = $6, data_categories = $7, location = $8, avv = $9, transparency = $10, human_review = $11, responsible = $12, risk_class = $13, obligations = $14, review_ms = $15, updated_ms = $16
             WHERE id = $17 AND lead_id = $18";
        let done = bind_fields!(sqlx::query(SQL), e)
            .bind(now.0)
            .bind(id)
            .bind(lead_id)
            .execute(&mut *tx)
            .await?;
        let found = done.rows_affected() == 1;
        if found && !changes.is_empty() {
            sqlx::query(HISTORY_SQL)
                .bind(lead_id)
                .bind(id)
                .bind(&e.name)
                .bind(actor.participant_id)
                .bind(&actor.label)
                .bind("geaendert")
                .bind(changes)
                .bind(now.0)
                .execute(&mut *tx)
                .await?;
        }
        found
    }))
}

/// Deletes an entry of this company, keeping a history line. Returns false if not found.
pub async fn delete(db: &Db, lead_id: i64, id: i64, actor: &Actor, now: UnixMs) -> Result<bool> {
    Ok(with_tx!(db, |tx| {
        const NAME: &str = "SELECT name FROM register_entries WHERE id = $1 AND lead_id = $2";
        let name: Option<String> = sqlx::query_scalar(NAME)
            .bind(id)
            .bind(lead_id)
            .fetch_optional(&mut *tx)
            .await?;
        match name {
            None => false,
            Some(name) => {
                const DELETE: &str = "DELETE FROM register_entries WHERE id = $1 AND lead_id = $2";
                sqlx::query(DELETE)
                    .bind(id)
                    .bind(lead_id)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query(HISTORY_SQL)
                    .bind(lead_id)
                    .bind(id)
                    .bind(&name)
                    .bind(actor.participant_id)
                    .bind(&actor.label)
                    .bind("geloescht")
                    .bind("")
                    .bind(now.0)
                    .execute(&mut *tx)
                    .await?;
                true
            }
        }
    }))
}

/// The change history of a company, newest first.
pub async fn history(db: &Db, lead_id: i64, limit: i64) -> Result<Vec<HistoryRow>> {
    const SQL: &str = "SELECT id, entry_id, entry_name, actor, action, changes, created_ms FROM register_history WHERE lead_id = $1 ORDER BY id DESC LIMIT $2";
    let rows = with_pool!(db, |pool| sqlx::query_as::<_, HistoryRow>(SQL)
        .bind(lead_id)
        .bind(limit)
        .fetch_all(pool)
        .await)?;
    Ok(rows)
}

/// The register's version: the number of recorded changes (each change makes a new version).
pub async fn version(db: &Db, lead_id: i64) -> Result<i64> {
    const SQL: &str = "SELECT CAST(COUNT(*) AS BIGINT) FROM register_history WHERE lead_id = $1";
    let n = with_pool!(db, |pool| sqlx::query_scalar::<_, i64>(SQL)
        .bind(lead_id)
        .fetch_one(pool)
        .await)?;
    Ok(n)
}

/// An entry whose review date has come and for which no reminder was queued yet.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DueReview {
    /// Entry id.
    pub id: i64,
    /// Company.
    pub lead_id: i64,
    /// Entry name.
    pub name: String,
    /// The due review date.
    pub review_ms: i64,
}

/// Entries due for review at `now` without a reminder for that date.
pub async fn due_reviews(db: &Db, now: UnixMs) -> Result<Vec<DueReview>> {
    const SQL: &str = "SELECT id, lead_id, name, review_ms FROM register_entries
         WHERE review_ms IS NOT NULL AND review_ms <= $1
           AND (reminded_review_ms IS NULL OR reminded_review_ms <> review_ms) ORDER BY id";
    let rows = with_pool!(db, |pool| sqlx::query_as::<_, DueReview>(SQL)
        .bind(now.0)
        .fetch_all(pool)
        .await)?;
    Ok(rows)
}

/// Queues the reminder mails for one due entry and marks the date as reminded, in one
/// transaction. Idempotent twice over: the mark excludes the entry from [`due_reviews`], and
/// each mail's idempotency key names entry, date and recipient.
pub async fn queue_review_reminder(
    db: &Db,
    due: &DueReview,
    mails: &[NewMail],
    now: UnixMs,
) -> Result<()> {
    with_tx!(db, |tx| {
        const MARK: &str =
            "UPDATE register_entries SET reminded_review_ms = $1 WHERE id = $2 AND review_ms = $1";
        let done = sqlx::query(MARK)
            .bind(due.review_ms)
            .bind(due.id)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 1 {
            for m in mails {
                insert_mail!(&mut *tx, m, now)?;
            }
        }
    });
    Ok(())
}

/// One training or other AI-literacy measure.
#[derive(Debug, Clone, Default, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct LiteracyEntry {
    /// Id.
    pub id: i64,
    /// Company.
    pub lead_id: i64,
    /// Day it took place (start of the day in Vienna).
    pub held_ms: i64,
    /// Topic.
    pub topic: String,
    /// Format code: `schulung`, `workshop`, `online`, `unterweisung`, `selbstlernen`, `sonstiges`.
    pub format: String,
    /// Duration in minutes.
    pub duration_minutes: i64,
    /// Trainer (person or organisation).
    pub trainer: String,
    /// Attendees by name (may be empty when only a count is kept).
    pub attendees: String,
    /// Number of attendees.
    pub attendee_count: i64,
    /// Material (slides, link, handout).
    pub material: String,
    /// Who entered it ("teilnehmer #3").
    pub created_by: String,
    /// Created at.
    pub created_ms: i64,
    /// Last changed at.
    pub updated_ms: i64,
}

macro_rules! literacy_columns {
    () => {
        "id, lead_id, held_ms, topic, format, duration_minutes, trainer, attendees, attendee_count, material, created_by, created_ms, updated_ms"
    };
}

/// The literacy log of a company, newest first.
pub async fn literacy_list(db: &Db, lead_id: i64) -> Result<Vec<LiteracyEntry>> {
    const SQL: &str = concat!(
        "SELECT ",
        literacy_columns!(),
        " FROM literacy_entries WHERE lead_id = $1 ORDER BY held_ms DESC, id DESC"
    );
    let rows = with_pool!(db, |pool| sqlx::query_as::<_, LiteracyEntry>(SQL)
        .bind(lead_id)
        .fetch_all(pool)
        .await)?;
    Ok(rows)
}

/// One log entry of this company.
pub async fn literacy_get(db: &Db, lead_id: i64, id: i64) -> Result<Option<LiteracyEntry>> {
    const SQL: &str = concat!(
        "SELECT ",
        literacy_columns!(),
        " FROM literacy_entries WHERE id = $1 AND lead_id = $2"
    );
    let row = with_pool!(db, |pool| sqlx::query_as::<_, LiteracyEntry>(SQL)
        .bind(id)
        .bind(lead_id)
        .fetch_optional(pool)
        .await)?;
    Ok(row)
}

/// Adds a log entry. Returns the new id.
pub async fn literacy_create(db: &Db, lead_id: i64, e: &LiteracyEntry, now: UnixMs) -> Result<i64> {
    const SQL: &str = "INSERT INTO literacy_entries (lead_id, held_ms, topic, format, duration_minutes, trainer, attendees, attendee_count, material, created_by, created_ms, updated_ms)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING id";
    let id = with_pool!(db, |pool| sqlx::query_scalar::<_, i64>(SQL)
        .bind(lead_id)
        .bind(e.held_ms)
        .bind(&e.topic)
        .bind(&e.format)
        .bind(e.duration_minutes)
        .bind(&e.trainer)
        .bind(&e.attendees)
        .bind(e.attendee_count)
        .bind(&e.material)
        .bind(&e.created_by)
        .bind(now.0)
        .fetch_one(pool)
        .await)?;
    Ok(id)
}

/// Saves a log entry of this company. Returns false if not found.
pub async fn literacy_update(
    db: &Db,
    lead_id: i64,
    id: i64,
    e: &LiteracyEntry,
    now: UnixMs,
) -> Result<bool> {
    const SQL: &str = "UPDATE literacy_entries SET held_ms = $1, topic = $2, format = $3, duration_minutes = $4, trainer = $5, attendees = $6, attendee_count = $7, material = $8, updated_ms = $9
         WHERE id = $10 AND lead_id = $11";
    let done = execute!(db, |pool| sqlx::query(SQL)
        .bind(e.held_ms)
        .bind(&e.topic)
        .bind(&e.format)
        .bind(e.duration_minutes)
        .bind(&e.trainer)
        .bind(&e.attendees)
        .bind(e.attendee_count)
        .bind(&e.material)
        .bind(now.0)
        .bind(id)
        .bind(lead_id))?;
    Ok(done == 1)
}

/// Deletes a log entry of this company. Returns false if not found.
pub async fn literacy_delete(db: &Db, lead_id: i64, id: i64) -> Result<bool> {
    const SQL: &str = "DELETE FROM literacy_entries WHERE id = $1 AND lead_id = $2";
    let done = execute!(db, |pool| sqlx::query(SQL).bind(id).bind(lead_id))?;
    Ok(done == 1)
}
