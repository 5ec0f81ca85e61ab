//! Pain points and wishes from every source in one list (issue 7): participants, round-table
//! minutes, the application form's "größtes Hindernis", plus the LinkedIn points read from
//! [`crate::posts::pain_points`]. The aggregation for the insights dashboard happens in the
//! binary on these rows (a pilot has a few hundred points at most).

use domain::UnixMs;
use serde::Serialize;

use crate::{Db, Result, execute, with_pool};

/// `pain_points.source_kind` of points a participant entered in the participant area.
pub const SOURCE_PARTICIPANT: &str = "participant";
/// `pain_points.source_kind` of the application form's "größtes Hindernis" (imported on
/// confirmation, see `leads::confirm`).
pub const SOURCE_APPLICATION: &str = "application";

/// A pain point with its tag, company and event, as the back office and the dashboard need it.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct InsightRow {
    /// Id.
    pub id: i64,
    /// What was said.
    pub text: String,
    /// Tag, once the team has chosen one.
    pub tag_id: Option<i64>,
    /// The tag's label.
    pub tag_label: Option<String>,
    /// 1 for a wish, 0 for an obstacle.
    pub is_wish: i64,
    /// 1 if the team marked the wish as a feature idea.
    pub feature_idea: i64,
    /// Where it came from: `event`, `participant`, `application`.
    pub source_kind: String,
    /// Event id, participant account id or lead id.
    pub source_id: i64,
    /// When it was recorded.
    pub created_ms: i64,
    /// The company it belongs to, if any (round-table points belong to no single company).
    pub lead_id: Option<i64>,
    /// The company's name.
    pub company: Option<String>,
    /// The company's industry code.
    pub industry: Option<String>,
    /// The company's size code.
    pub company_size: Option<String>,
    /// The round-table's title for `event` points.
    pub event_title: Option<String>,
}

macro_rules! select {
    () => {
        "SELECT p.id, p.text, p.tag_id, t.label AS tag_label, p.is_wish, p.feature_idea,
         p.source_kind, p.source_id, p.created_ms, p.lead_id, l.company, l.industry, l.company_size,
         e.title AS event_title
         FROM pain_points p
         LEFT JOIN pain_point_tags t ON t.id = p.tag_id
         LEFT JOIN leads l ON l.id = p.lead_id
         LEFT JOIN events e ON e.id = p.source_id AND p.source_kind = 'event'"
    };
}

/// Every pain point, untagged ones first (they need the team's attention), then newest first.
pub async fn all(db: &Db) -> Result<Vec<InsightRow>> {
    const SQL: &str = concat!(
        select!(),
        " ORDER BY CASE WHEN p.tag_id IS NULL THEN 0 ELSE 1 END, p.created_ms DESC, p.id DESC"
    );
    let rows = with_pool!(db, |pool| sqlx::query_as::<_, InsightRow>(SQL)
        .fetch_all(pool)
        .await)?;
    Ok(rows)
}

/// The pain points of one company (participant entries and its application), newest first.
/// `lead_id` must come from the session.
pub async fn of_company(db: &Db, lead_id: i64) -> Result<Vec<InsightRow>> {
    const SQL: &str = concat!(
        select!(),
        " WHERE p.lead_id = $1 ORDER BY p.created_ms DESC, p.id DESC"
    );
    let rows = with_pool!(db, |pool| sqlx::query_as::<_, InsightRow>(SQL)
        .bind(lead_id)
        .fetch_all(pool)
        .await)?;
    Ok(rows)
}

/// Records what a participant wrote; untagged until the team tags it. Returns the id.
pub async fn add_from_participant(
    db: &Db,
    lead_id: i64,
    account_id: i64,
    text: &str,
    is_wish: bool,
    now: UnixMs,
) -> Result<i64> {
    const SQL: &str = "INSERT INTO pain_points (text, is_wish, source_kind, source_id, created_ms, lead_id, feature_idea)
         VALUES ($1, $2, $3, $4, $5, $6, 0) RETURNING id";
    let id = with_pool!(db, |pool| sqlx::query_scalar::<_, i64>(SQL)
        .bind(text)
        .bind(i64::from(is_wish))
        .bind(SOURCE_PARTICIPANT)
        .bind(account_id)
        .bind(now.0)
        .bind(lead_id)
        .fetch_one(pool)
        .await)?;
    Ok(id)
}

/// The team's classification of one point: tag (must exist, or `None`), wish or obstacle,
/// feature idea (only a wish can be one). Round-table points keep a tag (their minutes are
/// grouped by it). Returns `false` if the point or the tag is unknown, or an event point would
/// lose its tag.
pub async fn classify(
    db: &Db,
    id: i64,
    tag_id: Option<i64>,
    is_wish: bool,
    feature_idea: bool,
) -> Result<bool> {
    const SQL: &str = "UPDATE pain_points SET tag_id = $1, is_wish = $2, feature_idea = $3
         WHERE id = $4 AND ($5 = 0 OR EXISTS (SELECT 1 FROM pain_point_tags WHERE id = $6))
         AND ($7 = 1 OR source_kind <> 'event')";
    let done = execute!(db, |pool| sqlx::query(SQL)
        .bind(tag_id)
        .bind(i64::from(is_wish))
        .bind(i64::from(is_wish && feature_idea))
        .bind(id)
        .bind(i64::from(tag_id.is_some()))
        .bind(tag_id.unwrap_or(0))
        .bind(i64::from(tag_id.is_some())))?;
    Ok(done == 1)
}
