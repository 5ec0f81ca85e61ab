//! Knowledge base and peer exchange of the participant area.
//!
//! Articles are written by the team in Markdown and shown to participants, or to everyone
//! when marked public. A new article can be mailed once to all participants; `mark_mailed`
//! is the guard that makes "at most once" hold even if the button is pressed twice.
//! The peer directory holds one opt-in entry per company; no row means nothing is shown.

use domain::UnixMs;
use serde::Serialize;

use crate::outbox::{NewMail, insert_mail};
use crate::{Db, Result, execute, with_pool, with_tx};

/// Article categories.
pub mod category {
    /// Best practice from the pilot.
    pub const BEST_PRACTICE: &str = "best-practice";
    /// Update on the AI Act; shown with a "Stand" date and "keine Rechtsberatung".
    pub const AI_ACT: &str = "ai-act-update";
    /// All categories with German labels.
    pub const ALL: [(&str, &str); 2] =
        [(BEST_PRACTICE, "Best Practice"), (AI_ACT, "AI-Act-Update")];

    /// German label for a category code.
    pub fn label(code: &str) -> &'static str {
        ALL.iter()
            .find(|(c, _)| *c == code)
            .map(|(_, l)| *l)
            .unwrap_or("Artikel")
    }
}

/// An article as stored.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct Article {
    /// Id.
    pub id: i64,
    /// URL slug, unique.
    pub slug: String,
    /// Category code, see [`category`].
    pub category: String,
    /// Title.
    pub title: String,
    /// One or two sentences for lists and the mail.
    pub summary: String,
    /// Body in Markdown.
    pub body_md: String,
    /// The article's date (for AI-Act updates: the "Stand").
    pub dated_ms: i64,
    /// 1 when the article is public (listed under `/wissen`), 0 for participants only.
    pub is_public: i64,
    /// Published at, or `None` for a draft.
    pub published_ms: Option<i64>,
    /// When it was mailed to participants, if it was.
    pub mailed_ms: Option<i64>,
    /// Created at.
    pub created_ms: i64,
    /// Last edited at.
    pub updated_ms: i64,
}

/// Editable fields of an article.
#[derive(Debug, Clone, Default)]
pub struct ArticleDraft {
    /// See [`Article`].
    pub slug: String,
    /// See [`Article`].
    pub category: String,
    /// See [`Article`].
    pub title: String,
    /// See [`Article`].
    pub summary: String,
    /// See [`Article`].
    pub body_md: String,
    /// See [`Article`].
    pub dated_ms: i64,
    /// See [`Article`].
    pub is_public: bool,
}

macro_rules! article_columns {
    () => {
        "id, slug, category, title, summary, body_md, dated_ms, is_public, published_ms, mailed_ms, created_ms, updated_ms"
    };
}

/// All articles (drafts too), for the back office.
pub async fn all(db: &Db) -> Result<Vec<Article>> {
    const SQL: &str = concat!(
        "SELECT ",
        article_columns!(),
        " FROM knowledge_articles ORDER BY dated_ms DESC, id DESC"
    );
    let rows = with_pool!(db, |pool| sqlx::query_as::<_, Article>(SQL)
        .fetch_all(pool)
        .await)?;
    Ok(rows)
}

/// Published articles, newest first; `public_only` for the public site.
pub async fn published(db: &Db, public_only: bool) -> Result<Vec<Article>> {
    const SQL: &str = concat!(
        "SELECT ",
        article_columns!(),
        " FROM knowledge_articles WHERE published_ms IS NOT NULL AND (is_public = 1 OR $1 = 0)
          ORDER BY dated_ms DESC, id DESC"
    );
    let rows = with_pool!(db, |pool| sqlx::query_as::<_, Article>(SQL)
        .bind(i64::from(public_only))
        .fetch_all(pool)
        .await)?;
    Ok(rows)
}

/// A published article by slug; `public_only` hides participant-only articles.
pub async fn published_by_slug(db: &Db, slug: &str, public_only: bool) -> Result<Option<Article>> {
    const SQL: &str = concat!(
        "SELECT ",
        article_columns!(),
        " FROM knowledge_articles WHERE slug = $1 AND published_ms IS NOT NULL AND (is_public = 1 OR $2 = 0)"
    );
    let row = with_pool!(db, |pool| sqlx::query_as::<_, Article>(SQL)
        .bind(slug)
        .bind(i64::from(public_only))
        .fetch_optional(pool)
        .await)?;
    Ok(row)
}

/// One article by id.
pub async fn get(db: &Db, id: i64) -> Result<Option<Article>> {
    const SQL: &str = concat!(
        "SELECT ",
        article_columns!(),
        " FROM knowledge_articles WHERE id = $1"
    );
    let row = with_pool!(db, |pool| sqlx::query_as::<_, Article>(SQL)
        .bind(id)
        .fetch_optional(pool)
        .await)?;
    Ok(row)
}

/// Whether another article already uses `slug`.
pub async fn slug_taken(db: &Db, slug: &str, except_id: Option<i64>) -> Result<bool> {
    const SQL: &str =
        "SELECT CAST(COUNT(*) AS BIGINT) FROM knowledge_articles WHERE slug = $1 AND id <> $2";
    let n = with_pool!(db, |pool| sqlx::query_scalar::<_, i64>(SQL)
        .bind(slug)
        .bind(except_id.unwrap_or(0))
        .fetch_one(pool)
        .await)?;
    Ok(n > 0)
}

/// Creates a draft and returns its id.
pub async fn create(db: &Db, d: &ArticleDraft, now: UnixMs) -> Result<i64> {
    const SQL: &str = "INSERT INTO knowledge_articles (slug, category, title, summary, body_md, dated_ms, is_public, published_ms, mailed_ms, created_ms, updated_ms)
         VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, NULL, $8, $8) RETURNING id";
    let id = with_pool!(db, |pool| sqlx::query_scalar::<_, i64>(SQL)
        .bind(&d.slug)
        .bind(&d.category)
        .bind(&d.title)
        .bind(&d.summary)
        .bind(&d.body_md)
        .bind(d.dated_ms)
        .bind(i64::from(d.is_public))
        .bind(now.0)
        .fetch_one(pool)
        .await)?;
    Ok(id)
}

/// Saves edits.
pub async fn save(db: &Db, id: i64, d: &ArticleDraft, now: UnixMs) -> Result<bool> {
    const SQL: &str = "UPDATE knowledge_articles SET slug = $1, category = $2, title = $3, summary = $4, body_md = $5,
            dated_ms = $6, is_public = $7, updated_ms = $8 WHERE id = $9";
    let done = execute!(db, |pool| sqlx::query(SQL)
        .bind(&d.slug)
        .bind(&d.category)
        .bind(&d.title)
        .bind(&d.summary)
        .bind(&d.body_md)
        .bind(d.dated_ms)
        .bind(i64::from(d.is_public))
        .bind(now.0)
        .bind(id))?;
    Ok(done == 1)
}

/// Publishes an article (keeps the first publication time).
pub async fn publish(db: &Db, id: i64, now: UnixMs) -> Result<bool> {
    const SQL: &str =
        "UPDATE knowledge_articles SET published_ms = COALESCE(published_ms, $1) WHERE id = $2";
    let done = execute!(db, |pool| sqlx::query(SQL).bind(now.0).bind(id))?;
    Ok(done == 1)
}

/// Takes an article offline again.
pub async fn unpublish(db: &Db, id: i64) -> Result<bool> {
    const SQL: &str = "UPDATE knowledge_articles SET published_ms = NULL WHERE id = $1";
    let done = execute!(db, |pool| sqlx::query(SQL).bind(id))?;
    Ok(done == 1)
}

/// Deletes an article.
pub async fn delete(db: &Db, id: i64) -> Result<bool> {
    const SQL: &str = "DELETE FROM knowledge_articles WHERE id = $1";
    let done = execute!(db, |pool| sqlx::query(SQL).bind(id))?;
    Ok(done == 1)
}

/// Mails a published article to every recipient in one transaction: marks the article as
/// mailed and queues one mail per [`mail_recipients`] entry, built by `mail`. Returns
/// `None` when the article was already mailed (or is not published), so a double click or
/// a second team member cannot send it twice; otherwise the number of queued mails.
pub async fn mail_article(
    db: &Db,
    id: i64,
    now: UnixMs,
    mail: impl Fn(&Recipient) -> NewMail,
) -> Result<Option<usize>> {
    const CLAIM: &str = "UPDATE knowledge_articles SET mailed_ms = $1
         WHERE id = $2 AND mailed_ms IS NULL AND published_ms IS NOT NULL";
    Ok(with_tx!(db, |tx| {
        let claimed = sqlx::query(CLAIM)
            .bind(now.0)
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected()
            == 1;
        if claimed {
            let recipients = sqlx::query_as::<_, Recipient>(RECIPIENTS_SQL)
                .fetch_all(&mut *tx)
                .await?;
            for r in &recipients {
                let m = mail(r);
                insert_mail!(&mut *tx, m, now)?;
            }
            Some(recipients.len())
        } else {
            None
        }
    }))
}

/// Number of articles; demo content is only seeded into an empty table.
pub async fn count(db: &Db) -> Result<i64> {
    const SQL: &str = "SELECT CAST(COUNT(*) AS BIGINT) FROM knowledge_articles";
    let n = with_pool!(db, |pool| sqlx::query_scalar::<_, i64>(SQL)
        .fetch_one(pool)
        .await)?;
    Ok(n)
}

/// A person who receives article mails.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Recipient {
    /// Account id (for the unsubscribe link and the idempotency key).
    pub participant_id: i64,
    /// Company.
    pub lead_id: i64,
    /// Name for the greeting.
    pub name: String,
    /// Address.
    pub email: String,
}

const RECIPIENTS_SQL: &str = "SELECT p.id AS participant_id, p.lead_id, p.name, p.email
     FROM participants p JOIN leads l ON l.id = p.lead_id
     WHERE l.stage IN ('teilnehmer', 'referenzkunde')
       AND NOT EXISTS (SELECT 1 FROM knowledge_mail_optouts o WHERE o.participant_id = p.id)
     ORDER BY p.id";

/// Accounts of companies still in the pilot that have not opted out of article mails.
pub async fn mail_recipients(db: &Db) -> Result<Vec<Recipient>> {
    let rows = with_pool!(db, |pool| sqlx::query_as::<_, Recipient>(RECIPIENTS_SQL)
        .fetch_all(pool)
        .await)?;
    Ok(rows)
}

/// Whether the account opted out of article mails.
pub async fn opted_out(db: &Db, participant_id: i64) -> Result<bool> {
    const SQL: &str =
        "SELECT CAST(COUNT(*) AS BIGINT) FROM knowledge_mail_optouts WHERE participant_id = $1";
    let n = with_pool!(db, |pool| sqlx::query_scalar::<_, i64>(SQL)
        .bind(participant_id)
        .fetch_one(pool)
        .await)?;
    Ok(n > 0)
}

/// Records the opt-out (idempotent). Returns false when the account does not exist.
pub async fn opt_out(db: &Db, participant_id: i64, now: UnixMs) -> Result<bool> {
    const SQL: &str = "INSERT INTO knowledge_mail_optouts (participant_id, created_ms)
         SELECT id, $2 FROM participants WHERE id = $1
         ON CONFLICT (participant_id) DO NOTHING";
    const EXISTS: &str = "SELECT CAST(COUNT(*) AS BIGINT) FROM participants WHERE id = $1";
    execute!(db, |pool| sqlx::query(SQL).bind(participant_id).bind(now.0))?;
    let n = with_pool!(db, |pool| sqlx::query_scalar::<_, i64>(EXISTS)
        .bind(participant_id)
        .fetch_one(pool)
        .await)?;
    Ok(n > 0)
}

/// Subscribes the account to article mails again.
pub async fn opt_in(db: &Db, participant_id: i64) -> Result<()> {
    const SQL: &str = "DELETE FROM knowledge_mail_optouts WHERE participant_id = $1";
    execute!(db, |pool| sqlx::query(SQL).bind(participant_id))?;
    Ok(())
}

/// A company's entry in the peer directory.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct DirectoryEntry {
    /// Company (lead) id.
    pub lead_id: i64,
    /// Account that opted in (the Ansprechperson).
    pub participant_id: i64,
    /// Company name, from the lead.
    pub company: String,
    /// Industry code, from the lead.
    pub industry: String,
    /// Contact person as shown.
    pub contact_name: String,
    /// Contact address as shown.
    pub contact_email: String,
    /// Topics the company works on.
    pub topics: String,
    /// Last change.
    pub updated_ms: i64,
}

/// Editable fields of a directory entry.
#[derive(Debug, Clone, Default)]
pub struct DirectoryDraft {
    /// See [`DirectoryEntry`].
    pub contact_name: String,
    /// See [`DirectoryEntry`].
    pub contact_email: String,
    /// See [`DirectoryEntry`].
    pub topics: String,
}

/// All opted-in companies still in the pilot, by company name.
pub async fn directory(db: &Db) -> Result<Vec<DirectoryEntry>> {
    const SQL: &str = "SELECT d.lead_id, d.participant_id, l.company, l.industry, d.contact_name, d.contact_email, d.topics, d.updated_ms
         FROM peer_directory d JOIN leads l ON l.id = d.lead_id
         WHERE l.stage IN ('teilnehmer', 'referenzkunde')
         ORDER BY l.company, d.lead_id";
    let rows = with_pool!(db, |pool| sqlx::query_as::<_, DirectoryEntry>(SQL)
        .fetch_all(pool)
        .await)?;
    Ok(rows)
}

/// The company's own entry, if it opted in.
pub async fn directory_entry(db: &Db, lead_id: i64) -> Result<Option<DirectoryEntry>> {
    const SQL: &str = "SELECT d.lead_id, d.participant_id, l.company, l.industry, d.contact_name, d.contact_email, d.topics, d.updated_ms
         FROM peer_directory d JOIN leads l ON l.id = d.lead_id WHERE d.lead_id = $1";
    let row = with_pool!(db, |pool| sqlx::query_as::<_, DirectoryEntry>(SQL)
        .bind(lead_id)
        .fetch_optional(pool)
        .await)?;
    Ok(row)
}

/// Opts the company in, or saves its entry.
pub async fn directory_save(
    db: &Db,
    lead_id: i64,
    participant_id: i64,
    d: &DirectoryDraft,
    now: UnixMs,
) -> Result<()> {
    const SQL: &str = "INSERT INTO peer_directory (lead_id, participant_id, contact_name, contact_email, topics, updated_ms)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (lead_id) DO UPDATE SET participant_id = excluded.participant_id,
            contact_name = excluded.contact_name, contact_email = excluded.contact_email,
            topics = excluded.topics, updated_ms = excluded.updated_ms";
    execute!(db, |pool| sqlx::query(SQL)
        .bind(lead_id)
        .bind(participant_id)
        .bind(&d.contact_name)
        .bind(&d.contact_email)
        .bind(&d.topics)
        .bind(now.0))?;
    Ok(())
}

/// Opts the company out: the entry is gone at once.
pub async fn directory_remove(db: &Db, lead_id: i64) -> Result<bool> {
    const SQL: &str = "DELETE FROM peer_directory WHERE lead_id = $1";
    let done = execute!(db, |pool| sqlx::query(SQL).bind(lead_id))?;
    Ok(done == 1)
}
