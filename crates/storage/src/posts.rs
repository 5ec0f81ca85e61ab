//! LinkedIn post planner: posts with their plan, status and hand-entered figures, the
//! editable templates, and what came back after a poll closed.
//!
//! Poll results ([`PollResult`]) and notable comments ([`PostComment`]) carry a pain-point
//! flag or text. There is no pain-point table yet: issue 7's insights will read
//! [`pain_points`], which merges both. Comments are stored without their author.

use domain::UnixMs;
use serde::Serialize;

use crate::{Db, Result, execute, with_pool};

/// Status codes of a post, in their order.
pub mod status {
    /// Being written.
    pub const DRAFT: &str = "entwurf";
    /// Ready, with a date.
    pub const PLANNED: &str = "geplant";
    /// Live on LinkedIn, with its URL.
    pub const PUBLISHED: &str = "veroeffentlicht";
}

/// A post as stored.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct PostRow {
    /// Id.
    pub id: i64,
    /// Type code (`ankuendigung`, `zwischenerkenntnis`, `meilenstein`, `umfrage`, `erfolgsgeschichte`).
    pub kind: String,
    /// Text; `{link}` stands for the tracked link's URL.
    pub body: String,
    /// Planned day (start of the day in Vienna).
    pub planned_ms: Option<i64>,
    /// See [`status`].
    pub status: String,
    /// URL of the live post, once published.
    pub post_url: Option<String>,
    /// When it was marked published.
    pub published_ms: Option<i64>,
    /// Tracked link (`links.id`) whose URL replaces `{link}`.
    pub link_id: Option<i64>,
    /// Poll question (polls only).
    pub poll_question: Option<String>,
    /// Poll options, one per line (polls only; empty otherwise).
    pub poll_options: String,
    /// Poll duration in days: 1, 3, 7 or 14.
    pub poll_days: Option<i64>,
    /// Impressions, entered by hand after publishing.
    pub impressions: Option<i64>,
    /// Reactions, entered by hand.
    pub reactions: Option<i64>,
    /// Comments, entered by hand.
    pub comments: Option<i64>,
    /// Reposts, entered by hand.
    pub reposts: Option<i64>,
    /// Created at.
    pub created_ms: i64,
    /// Last changed at.
    pub updated_ms: i64,
}

impl PostRow {
    /// The poll options as a list.
    pub fn options(&self) -> Vec<String> {
        self.poll_options
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(str::to_owned)
            .collect()
    }
}

/// The editable part of a post, already validated by the caller.
#[derive(Debug, Clone, Default)]
pub struct PostDraft {
    /// See [`PostRow`].
    pub kind: String,
    /// See [`PostRow`].
    pub body: String,
    /// See [`PostRow`].
    pub planned_ms: Option<i64>,
    /// See [`PostRow`].
    pub link_id: Option<i64>,
    /// See [`PostRow`].
    pub poll_question: Option<String>,
    /// Options without line breaks.
    pub poll_options: Vec<String>,
    /// See [`PostRow`].
    pub poll_days: Option<i64>,
}

/// The column list of [`PostRow`], spelled once.
macro_rules! post_columns {
    () => {
        "id, kind, body, planned_ms, status, post_url, published_ms, link_id, poll_question, poll_options, poll_days, impressions, reactions, comments, reposts, created_ms, updated_ms"
    };
}

/// Creates a draft; returns its id.
pub async fn create(db: &Db, d: &PostDraft, now: UnixMs) -> Result<i64> {
    const SQL: &str = "INSERT INTO posts (kind, body, planned_ms, status, link_id, poll_question, poll_options, poll_days, created_ms, updated_ms)
         VALUES ($1, $2, $3, 'entwurf', $4, $5, $6, $7, $8, $8) RETURNING id";
    let id = with_pool!(db, |pool| sqlx::query_scalar::<_, i64>(SQL)
        .bind(&d.kind)
        .bind(&d.body)
        .bind(d.planned_ms)
        .bind(d.link_id)
        .bind(&d.poll_question)
        .bind(d.poll_options.join("\n"))
        .bind(d.poll_days)
        .bind(now.0)
        .fetch_one(pool)
        .await)?;
    Ok(id)
}

/// Saves the editable fields; false if the post does not exist.
pub async fn save(db: &Db, id: i64, d: &PostDraft, now: UnixMs) -> Result<bool> {
    const SQL: &str = "UPDATE posts SET kind = $1, body = $2, planned_ms = $3, link_id = $4, poll_question = $5, poll_options = $6, poll_days = $7, updated_ms = $8 WHERE id = $9";
    let n = execute!(db, |pool| sqlx::query(SQL)
        .bind(&d.kind)
        .bind(&d.body)
        .bind(d.planned_ms)
        .bind(d.link_id)
        .bind(&d.poll_question)
        .bind(d.poll_options.join("\n"))
        .bind(d.poll_days)
        .bind(now.0)
        .bind(id))?;
    Ok(n == 1)
}

/// One post.
pub async fn get(db: &Db, id: i64) -> Result<Option<PostRow>> {
    const SQL: &str = concat!("SELECT ", post_columns!(), " FROM posts WHERE id = $1");
    let row = with_pool!(db, |pool| sqlx::query_as::<_, PostRow>(SQL)
        .bind(id)
        .fetch_optional(pool)
        .await)?;
    Ok(row)
}

/// All posts, dated ones by date, undated drafts last.
pub async fn all(db: &Db) -> Result<Vec<PostRow>> {
    const SQL: &str = concat!(
        "SELECT ",
        post_columns!(),
        " FROM posts ORDER BY CASE WHEN planned_ms IS NULL THEN 1 ELSE 0 END, planned_ms, id"
    );
    let rows = with_pool!(db, |pool| sqlx::query_as::<_, PostRow>(SQL)
        .fetch_all(pool)
        .await)?;
    Ok(rows)
}

/// Sets the status; `post_url` and the publishing time only for [`status::PUBLISHED`].
pub async fn set_status(
    db: &Db,
    id: i64,
    code: &str,
    post_url: Option<&str>,
    now: UnixMs,
) -> Result<bool> {
    const SQL: &str = "UPDATE posts SET status = $1, post_url = $2,
            published_ms = CASE WHEN $1 = 'veroeffentlicht' THEN COALESCE(published_ms, $3) ELSE NULL END,
            updated_ms = $3 WHERE id = $4";
    let n = execute!(db, |pool| sqlx::query(SQL)
        .bind(code)
        .bind(post_url)
        .bind(now.0)
        .bind(id))?;
    Ok(n == 1)
}

/// Links a post to a tracked link.
pub async fn set_link(db: &Db, id: i64, link_id: i64) -> Result<bool> {
    const SQL: &str = "UPDATE posts SET link_id = $1 WHERE id = $2";
    Ok(execute!(db, |pool| sqlx::query(SQL).bind(link_id).bind(id))? == 1)
}

/// Hand-entered engagement figures: impressions, reactions, comments, reposts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Figures {
    /// Impressions.
    pub impressions: Option<i64>,
    /// Reactions.
    pub reactions: Option<i64>,
    /// Comments.
    pub comments: Option<i64>,
    /// Reposts.
    pub reposts: Option<i64>,
}

/// Stores the engagement figures.
pub async fn set_figures(db: &Db, id: i64, f: Figures, now: UnixMs) -> Result<bool> {
    const SQL: &str = "UPDATE posts SET impressions = $1, reactions = $2, comments = $3, reposts = $4, updated_ms = $5 WHERE id = $6";
    let n = execute!(db, |pool| sqlx::query(SQL)
        .bind(f.impressions)
        .bind(f.reactions)
        .bind(f.comments)
        .bind(f.reposts)
        .bind(now.0)
        .bind(id))?;
    Ok(n == 1)
}

/// Deletes a post with its results and comments (the tracked link stays).
pub async fn delete(db: &Db, id: i64) -> Result<bool> {
    Ok(
        execute!(db, |pool| sqlx::query("DELETE FROM posts WHERE id = $1")
            .bind(id))?
            == 1,
    )
}

/// A stored template text for a type, if the team has edited it.
pub async fn template(db: &Db, kind: &str) -> Result<Option<String>> {
    const SQL: &str = "SELECT body FROM post_templates WHERE kind = $1";
    let body = with_pool!(db, |pool| sqlx::query_scalar::<_, String>(SQL)
        .bind(kind)
        .fetch_optional(pool)
        .await)?;
    Ok(body)
}

/// Saves an edited template; `None` removes it, so the built-in text applies again.
pub async fn save_template(db: &Db, kind: &str, body: Option<&str>, now: UnixMs) -> Result<()> {
    match body {
        Some(body) => {
            const SQL: &str = "INSERT INTO post_templates (kind, body, updated_ms) VALUES ($1, $2, $3)
                 ON CONFLICT (kind) DO UPDATE SET body = excluded.body, updated_ms = excluded.updated_ms";
            execute!(db, |pool| sqlx::query(SQL)
                .bind(kind)
                .bind(body)
                .bind(now.0))?;
        }
        None => {
            execute!(db, |pool| sqlx::query(
                "DELETE FROM post_templates WHERE kind = $1"
            )
            .bind(kind))?;
        }
    }
    Ok(())
}

/// Votes for one poll option, entered after the poll closed.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct PollResult {
    /// Option position, 0-based.
    pub position: i64,
    /// The option as it was asked.
    pub option_text: String,
    /// Votes.
    pub votes: i64,
    /// 1 when this option names a pain point (the default for "what hinders you" polls).
    pub pain_point: i64,
}

/// Replaces the poll results of a post in one transaction.
pub async fn save_poll_results(db: &Db, post_id: i64, results: &[PollResult]) -> Result<()> {
    const INSERT: &str = "INSERT INTO post_poll_results (post_id, position, option_text, votes, pain_point) VALUES ($1, $2, $3, $4, $5)";
    crate::with_tx!(db, |tx| {
        sqlx::query("DELETE FROM post_poll_results WHERE post_id = $1")
            .bind(post_id)
            .execute(&mut *tx)
            .await?;
        for r in results {
            sqlx::query(INSERT)
                .bind(post_id)
                .bind(r.position)
                .bind(&r.option_text)
                .bind(r.votes)
                .bind(r.pain_point)
                .execute(&mut *tx)
                .await?;
        }
    });
    Ok(())
}

/// The poll results of a post, by position.
pub async fn poll_results(db: &Db, post_id: i64) -> Result<Vec<PollResult>> {
    const SQL: &str = "SELECT position, option_text, votes, pain_point FROM post_poll_results WHERE post_id = $1 ORDER BY position";
    let rows = with_pool!(db, |pool| sqlx::query_as::<_, PollResult>(SQL)
        .bind(post_id)
        .fetch_all(pool)
        .await)?;
    Ok(rows)
}

/// A notable comment under a post, without its author.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct PostComment {
    /// Id.
    pub id: i64,
    /// Post.
    pub post_id: i64,
    /// The comment's words (or the team's summary of them).
    pub body: String,
    /// The pain point it names, in a few words, if any.
    pub pain_point: Option<String>,
    /// Entered at.
    pub created_ms: i64,
}

/// Adds a notable comment.
pub async fn add_comment(
    db: &Db,
    post_id: i64,
    body: &str,
    pain_point: Option<&str>,
    now: UnixMs,
) -> Result<i64> {
    const SQL: &str = "INSERT INTO post_comments (post_id, body, pain_point, created_ms) VALUES ($1, $2, $3, $4) RETURNING id";
    let id = with_pool!(db, |pool| sqlx::query_scalar::<_, i64>(SQL)
        .bind(post_id)
        .bind(body)
        .bind(pain_point)
        .bind(now.0)
        .fetch_one(pool)
        .await)?;
    Ok(id)
}

/// Deletes a comment of a post.
pub async fn delete_comment(db: &Db, post_id: i64, id: i64) -> Result<bool> {
    const SQL: &str = "DELETE FROM post_comments WHERE id = $1 AND post_id = $2";
    Ok(execute!(db, |pool| sqlx::query(SQL).bind(id).bind(post_id))? == 1)
}

/// The notable comments of a post, oldest first.
pub async fn comments(db: &Db, post_id: i64) -> Result<Vec<PostComment>> {
    const SQL: &str = "SELECT id, post_id, body, pain_point, created_ms FROM post_comments WHERE post_id = $1 ORDER BY created_ms, id";
    let rows = with_pool!(db, |pool| sqlx::query_as::<_, PostComment>(SQL)
        .bind(post_id)
        .fetch_all(pool)
        .await)?;
    Ok(rows)
}

/// One pain point heard on LinkedIn: a poll option marked as such, or a comment naming one.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct PainPoint {
    /// Post it came from.
    pub post_id: i64,
    /// The poll question, or empty for a comment.
    pub question: String,
    /// The option or the pain point named in a comment.
    pub text: String,
    /// Votes for a poll option; 1 for a comment.
    pub votes: i64,
}

/// All pain points heard on LinkedIn, most votes first. Issue 7's insights read this list.
pub async fn pain_points(db: &Db) -> Result<Vec<PainPoint>> {
    const SQL: &str = "SELECT r.post_id, COALESCE(p.poll_question, '') AS question, r.option_text AS text, r.votes
         FROM post_poll_results r JOIN posts p ON p.id = r.post_id WHERE r.pain_point = 1
         UNION ALL
         SELECT c.post_id, '' AS question, c.pain_point AS text, CAST(1 AS BIGINT) AS votes
         FROM post_comments c WHERE c.pain_point IS NOT NULL
         ORDER BY 4 DESC, 1, 3";
    let rows = with_pool!(db, |pool| sqlx::query_as::<_, PainPoint>(SQL)
        .fetch_all(pool)
        .await)?;
    Ok(rows)
}

/// The number the next post will probably get (for the code of a new tracked link).
pub async fn next_number(db: &Db) -> Result<i64> {
    const SQL: &str = "SELECT CAST(COALESCE(MAX(id), 0) + 1 AS BIGINT) FROM posts";
    let n = with_pool!(db, |pool| sqlx::query_scalar::<_, i64>(SQL)
        .fetch_one(pool)
        .await)?;
    Ok(n)
}

/// Whether a link code was ever used (deleted links keep theirs forever).
pub async fn link_code_taken(db: &Db, code: &str) -> Result<bool> {
    const SQL: &str = "SELECT CAST(COUNT(*) AS BIGINT) FROM links WHERE code = $1";
    let n = with_pool!(db, |pool| sqlx::query_scalar::<_, i64>(SQL)
        .bind(code)
        .fetch_one(pool)
        .await)?;
    Ok(n > 0)
}

/// A link by id, deleted or not (a post keeps showing the link it was published with).
pub async fn link_by_id(db: &Db, id: i64) -> Result<Option<crate::channels::Link>> {
    const SQL: &str = "SELECT id, code, target_path, channel, label, created_ms, deleted_ms FROM links WHERE id = $1";
    let row = with_pool!(db, |pool| sqlx::query_as::<_, crate::channels::Link>(SQL)
        .bind(id)
        .fetch_optional(pool)
        .await)?;
    Ok(row)
}
