//! Project updates: success stories, participant quotes and interim reports.
//!
//! A quote names a real person, so it may only be published once that person's consent
//! (who agreed, when, to which wording) is recorded. The rule is enforced here, in the
//! `publish` statement itself, not only in the form.

use domain::UnixMs;
use serde::Serialize;

use crate::{Db, Result, execute, with_pool};

/// Kinds of update.
pub mod kind {
    /// Erfolgsgeschichte.
    pub const STORY: &str = "erfolgsgeschichte";
    /// Zitat einer teilnehmenden Person.
    pub const QUOTE: &str = "zitat";
    /// Zwischenbericht.
    pub const REPORT: &str = "zwischenbericht";
    /// All kinds with German labels.
    pub const ALL: [(&str, &str); 3] = [
        (STORY, "Erfolgsgeschichte"),
        (QUOTE, "Zitat"),
        (REPORT, "Zwischenbericht"),
    ];

    /// German label for a kind code.
    pub fn label(code: &str) -> &'static str {
        ALL.iter()
            .find(|(c, _)| *c == code)
            .map(|(_, l)| *l)
            .unwrap_or("Update")
    }
}

/// An update as stored.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct UpdateRow {
    /// Id.
    pub id: i64,
    /// URL slug, unique.
    pub slug: String,
    /// Kind code.
    pub kind: String,
    /// Title.
    pub title: String,
    /// One or two sentences for lists and the feed.
    pub summary: String,
    /// Body in Markdown.
    pub body_md: String,
    /// For quotes: who is quoted, e.g. "Anna Huber, Bau Huber GmbH".
    pub quote_author: Option<String>,
    /// For quotes: who gave consent.
    pub consent_by: Option<String>,
    /// For quotes: when consent was given.
    pub consent_ms: Option<i64>,
    /// For quotes: the wording the person agreed to.
    pub consent_text: Option<String>,
    /// Published at, or `None` for a draft.
    pub published_ms: Option<i64>,
    /// Created at.
    pub created_ms: i64,
    /// Last edited at.
    pub updated_ms: i64,
}

/// Editable fields of an update.
#[derive(Debug, Clone, Default)]
pub struct UpdateDraft {
    /// See [`UpdateRow`].
    pub slug: String,
    /// See [`UpdateRow`].
    pub kind: String,
    /// See [`UpdateRow`].
    pub title: String,
    /// See [`UpdateRow`].
    pub summary: String,
    /// See [`UpdateRow`].
    pub body_md: String,
    /// See [`UpdateRow`].
    pub quote_author: Option<String>,
    /// See [`UpdateRow`].
    pub consent_by: Option<String>,
    /// See [`UpdateRow`].
    pub consent_ms: Option<i64>,
    /// See [`UpdateRow`].
    pub consent_text: Option<String>,
}

/// Published updates, newest first.
pub async fn published(db: &Db, limit: i64) -> Result<Vec<UpdateRow>> {
    const SQL: &str = "SELECT id, slug, kind, title, summary, body_md, quote_author, consent_by, consent_ms, consent_text, published_ms, created_ms, updated_ms
         FROM updates WHERE published_ms IS NOT NULL ORDER BY published_ms DESC, id DESC LIMIT $1";
    let rows = with_pool!(db, |pool| sqlx::query_as::<_, UpdateRow>(SQL)
        .bind(limit)
        .fetch_all(pool)
        .await)?;
    Ok(rows)
}

/// A published update by slug.
pub async fn published_by_slug(db: &Db, slug: &str) -> Result<Option<UpdateRow>> {
    const SQL: &str = "SELECT id, slug, kind, title, summary, body_md, quote_author, consent_by, consent_ms, consent_text, published_ms, created_ms, updated_ms
         FROM updates WHERE slug = $1 AND published_ms IS NOT NULL";
    let row = with_pool!(db, |pool| sqlx::query_as::<_, UpdateRow>(SQL)
        .bind(slug)
        .fetch_optional(pool)
        .await)?;
    Ok(row)
}

/// All updates (drafts too), for the editor list.
pub async fn all(db: &Db) -> Result<Vec<UpdateRow>> {
    const SQL: &str = "SELECT id, slug, kind, title, summary, body_md, quote_author, consent_by, consent_ms, consent_text, published_ms, created_ms, updated_ms
         FROM updates ORDER BY created_ms DESC, id DESC";
    let rows = with_pool!(db, |pool| sqlx::query_as::<_, UpdateRow>(SQL)
        .fetch_all(pool)
        .await)?;
    Ok(rows)
}

/// One update by id.
pub async fn get(db: &Db, id: i64) -> Result<Option<UpdateRow>> {
    const SQL: &str = "SELECT id, slug, kind, title, summary, body_md, quote_author, consent_by, consent_ms, consent_text, published_ms, created_ms, updated_ms
         FROM updates WHERE id = $1";
    let row = with_pool!(db, |pool| sqlx::query_as::<_, UpdateRow>(SQL)
        .bind(id)
        .fetch_optional(pool)
        .await)?;
    Ok(row)
}

/// Whether another update already uses `slug`.
pub async fn slug_taken(db: &Db, slug: &str, except_id: Option<i64>) -> Result<bool> {
    const SQL: &str =
        "SELECT CAST(COUNT(*) AS BIGINT) FROM updates WHERE slug = $1 AND ($2 IS NULL OR id <> $2)";
    let n = with_pool!(db, |pool| sqlx::query_scalar::<_, i64>(SQL)
        .bind(slug)
        .bind(except_id)
        .fetch_one(pool)
        .await)?;
    Ok(n > 0)
}

/// Creates a draft and returns its id.
pub async fn create(db: &Db, d: &UpdateDraft, now: UnixMs) -> Result<i64> {
    const SQL: &str = "INSERT INTO updates (slug, kind, title, summary, body_md, quote_author, consent_by, consent_ms, consent_text, published_ms, created_ms, updated_ms)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, NULL, $10, $10) RETURNING id";
    let id = with_pool!(db, |pool| sqlx::query_scalar::<_, i64>(SQL)
        .bind(&d.slug)
        .bind(&d.kind)
        .bind(&d.title)
        .bind(&d.summary)
        .bind(&d.body_md)
        .bind(&d.quote_author)
        .bind(&d.consent_by)
        .bind(d.consent_ms)
        .bind(&d.consent_text)
        .bind(now.0)
        .fetch_one(pool)
        .await)?;
    Ok(id)
}

/// Saves edits. A published quote whose consent is removed is unpublished in the same
/// statement, so the rule "no quote without consent" cannot be bypassed by editing.
pub async fn save(db: &Db, id: i64, d: &UpdateDraft, now: UnixMs) -> Result<bool> {
    const SQL: &str = "UPDATE updates SET slug = $1, kind = $2, title = $3, summary = $4, body_md = $5, quote_author = $6,
            consent_by = $7, consent_ms = $8, consent_text = $9, updated_ms = $10,
            published_ms = CASE WHEN $2 = 'zitat' AND ($7 IS NULL OR $8 IS NULL OR $9 IS NULL) THEN NULL ELSE published_ms END
         WHERE id = $11";
    let done = execute!(db, |pool| sqlx::query(SQL)
        .bind(&d.slug)
        .bind(&d.kind)
        .bind(&d.title)
        .bind(&d.summary)
        .bind(&d.body_md)
        .bind(&d.quote_author)
        .bind(&d.consent_by)
        .bind(d.consent_ms)
        .bind(&d.consent_text)
        .bind(now.0)
        .bind(id))?;
    Ok(done == 1)
}

/// Publishes an update. A quote without complete consent is refused: returns false.
pub async fn publish(db: &Db, id: i64, now: UnixMs) -> Result<bool> {
    const SQL: &str = "UPDATE updates SET published_ms = COALESCE(published_ms, $1)
         WHERE id = $2 AND (kind <> 'zitat' OR (consent_by IS NOT NULL AND consent_ms IS NOT NULL AND consent_text IS NOT NULL))";
    let done = execute!(db, |pool| sqlx::query(SQL).bind(now.0).bind(id))?;
    Ok(done == 1)
}

/// Takes an update offline again.
pub async fn unpublish(db: &Db, id: i64) -> Result<bool> {
    const SQL: &str = "UPDATE updates SET published_ms = NULL WHERE id = $1";
    let done = execute!(db, |pool| sqlx::query(SQL).bind(id))?;
    Ok(done == 1)
}

/// Deletes an update.
pub async fn delete(db: &Db, id: i64) -> Result<bool> {
    const SQL: &str = "DELETE FROM updates WHERE id = $1";
    let done = execute!(db, |pool| sqlx::query(SQL).bind(id))?;
    Ok(done == 1)
}

/// Number of updates; demo content is only seeded into an empty table.
pub async fn count(db: &Db) -> Result<i64> {
    const SQL: &str = "SELECT CAST(COUNT(*) AS BIGINT) FROM updates";
    let n = with_pool!(db, |pool| sqlx::query_scalar::<_, i64>(SQL)
        .fetch_one(pool)
        .await)?;
    Ok(n)
}
