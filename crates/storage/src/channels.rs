//! Channels: tracked short links, aggregate page views and the attribution report.
//!
//! Only counts are stored: per link and day, per page, day and referrer host. Nothing here
//! can identify a visitor; unique visitors are estimated in memory by the app and only the
//! resulting number lands in `page_views.uniques`.

use domain::UnixMs;
use serde::Serialize;

use crate::{Db, Result, execute, with_pool};

/// A tracked link.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct Link {
    /// Id.
    pub id: i64,
    /// The short code in `/l/{code}`; also stored as the lead's `source`.
    pub code: String,
    /// Site path the link leads to, e.g. `/mitmachen`.
    pub target_path: String,
    /// `website`, `linkedin`, `flyer` or `other`.
    pub channel: String,
    /// Human label, e.g. "WKO Linz 12.03.".
    pub label: String,
    /// Created at.
    pub created_ms: i64,
    /// Deleted at (deleted links answer 404 but keep their history).
    pub deleted_ms: Option<i64>,
}

/// Why a link could not be created.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CreateLinkError {
    /// The code is taken (also by a deleted link: codes are never reused, so old flyers
    /// never lead somewhere new).
    DuplicateCode,
}

/// Creates a link; a taken code is reported, not an error.
pub async fn create_link(
    db: &Db,
    code: &str,
    target_path: &str,
    channel: &str,
    label: &str,
    now: UnixMs,
) -> Result<std::result::Result<i64, CreateLinkError>> {
    const SQL: &str = "INSERT INTO links (code, target_path, channel, label, created_ms, deleted_ms) VALUES ($1, $2, $3, $4, $5, NULL)
         ON CONFLICT (code) DO NOTHING RETURNING id";
    let id = with_pool!(db, |pool| sqlx::query_scalar::<_, i64>(SQL)
        .bind(code)
        .bind(target_path)
        .bind(channel)
        .bind(label)
        .bind(now.0)
        .fetch_optional(pool)
        .await)?;
    Ok(id.ok_or(CreateLinkError::DuplicateCode))
}

/// A live (not deleted) link by code.
pub async fn active_link(db: &Db, code: &str) -> Result<Option<Link>> {
    const SQL: &str = "SELECT id, code, target_path, channel, label, created_ms, deleted_ms FROM links WHERE code = $1 AND deleted_ms IS NULL";
    let row = with_pool!(db, |pool| sqlx::query_as::<_, Link>(SQL)
        .bind(code)
        .fetch_optional(pool)
        .await)?;
    Ok(row)
}

/// A link with its visit totals, for the back office.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LinkWithVisits {
    /// Id.
    pub id: i64,
    /// Code.
    pub code: String,
    /// Target.
    pub target_path: String,
    /// Channel.
    pub channel: String,
    /// Label.
    pub label: String,
    /// Created at.
    pub created_ms: i64,
    /// Visits by people (bots excluded), all time.
    pub visits: i64,
    /// Visits by bots and link previews, all time.
    pub bot_visits: i64,
}

/// All live links with visit totals, newest first.
pub async fn links_with_visits(db: &Db) -> Result<Vec<LinkWithVisits>> {
    const SQL: &str = "SELECT l.id, l.code, l.target_path, l.channel, l.label, l.created_ms,
            CAST(COALESCE((SELECT SUM(v.visits) FROM link_visits v WHERE v.link_id = l.id AND v.bot = 0), 0) AS BIGINT) AS visits,
            CAST(COALESCE((SELECT SUM(v.visits) FROM link_visits v WHERE v.link_id = l.id AND v.bot = 1), 0) AS BIGINT) AS bot_visits
         FROM links l WHERE l.deleted_ms IS NULL ORDER BY l.created_ms DESC, l.id DESC";
    let rows = with_pool!(db, |pool| sqlx::query_as::<_, LinkWithVisits>(SQL)
        .fetch_all(pool)
        .await)?;
    Ok(rows)
}

/// Soft-deletes a link: it stops redirecting, its numbers stay in the report.
pub async fn delete_link(db: &Db, id: i64, now: UnixMs) -> Result<bool> {
    const SQL: &str = "UPDATE links SET deleted_ms = $1 WHERE id = $2 AND deleted_ms IS NULL";
    Ok(execute!(db, |pool| sqlx::query(SQL).bind(now.0).bind(id))? == 1)
}

/// Counts one visit of a link on `day` (`YYYY-MM-DD`, Vienna).
pub async fn record_link_visit(db: &Db, link_id: i64, day: &str, bot: bool) -> Result<()> {
    const SQL: &str = "INSERT INTO link_visits (link_id, day, bot, visits) VALUES ($1, $2, $3, 1)
         ON CONFLICT (link_id, day, bot) DO UPDATE SET visits = link_visits.visits + 1";
    execute!(db, |pool| sqlx::query(SQL)
        .bind(link_id)
        .bind(day)
        .bind(i64::from(bot)))?;
    Ok(())
}

/// One aggregated page-view counter.
#[derive(Debug, Clone, PartialEq, Eq, Hash, sqlx::FromRow, Serialize)]
pub struct PageViewKey {
    /// `YYYY-MM-DD` (Vienna).
    pub day: String,
    /// Route path.
    pub path: String,
    /// Referrer host, `(direkt)` or `(intern)`.
    pub referrer_host: String,
}

/// Adds buffered page-view counts in one transaction (the app flushes every few seconds,
/// so page requests never wait for a disk write).
pub async fn add_page_views(db: &Db, counts: &[(PageViewKey, i64, i64)]) -> Result<()> {
    if counts.is_empty() {
        return Ok(());
    }
    const SQL: &str = "INSERT INTO page_views (day, path, referrer_host, views, uniques) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (day, path, referrer_host) DO UPDATE SET views = page_views.views + excluded.views, uniques = page_views.uniques + excluded.uniques";
    crate::with_tx!(db, |tx| {
        for (key, views, uniques) in counts {
            sqlx::query(SQL)
                .bind(&key.day)
                .bind(&key.path)
                .bind(&key.referrer_host)
                .bind(views)
                .bind(uniques)
                .execute(&mut *tx)
                .await?;
        }
    });
    Ok(())
}

/// Page views per path or per referrer in a day range.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct ViewCount {
    /// Path or referrer host.
    pub name: String,
    /// Views.
    pub views: i64,
    /// Estimated unique visitors (summed per day, so a person on two days counts twice).
    pub uniques: i64,
}

/// Views per page between two days (inclusive).
pub async fn views_by_path(db: &Db, from_day: &str, to_day: &str) -> Result<Vec<ViewCount>> {
    const SQL: &str = "SELECT path AS name, CAST(SUM(views) AS BIGINT) AS views, CAST(SUM(uniques) AS BIGINT) AS uniques
         FROM page_views WHERE day >= $1 AND day <= $2 GROUP BY path ORDER BY 2 DESC, 1";
    let rows = with_pool!(db, |pool| sqlx::query_as::<_, ViewCount>(SQL)
        .bind(from_day)
        .bind(to_day)
        .fetch_all(pool)
        .await)?;
    Ok(rows)
}

/// Views per referrer host between two days (inclusive).
pub async fn views_by_referrer(db: &Db, from_day: &str, to_day: &str) -> Result<Vec<ViewCount>> {
    const SQL: &str = "SELECT referrer_host AS name, CAST(SUM(views) AS BIGINT) AS views, CAST(SUM(uniques) AS BIGINT) AS uniques
         FROM page_views WHERE day >= $1 AND day <= $2 GROUP BY referrer_host ORDER BY 2 DESC, 1";
    let rows = with_pool!(db, |pool| sqlx::query_as::<_, ViewCount>(SQL)
        .bind(from_day)
        .bind(to_day)
        .fetch_all(pool)
        .await)?;
    Ok(rows)
}

/// One row of the attribution report.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct AttributionRow {
    /// Link code or lead source.
    pub source: String,
    /// Link label, or empty for sources without a link.
    pub label: String,
    /// Channel, or `other` for sources without a link, `direkt` for none.
    pub channel: String,
    /// Link visits by people in the period.
    pub visits: i64,
    /// Applications received in the period.
    pub applications: i64,
    /// Of those, confirmed.
    pub confirmed: i64,
    /// First calls booked (and confirmed by mail) in the period.
    pub bookings: i64,
    /// Of those, now participants or reference customers.
    pub participants: i64,
}

/// The attribution report for a period: one row per link, plus one per lead source that has
/// no link (e.g. `homepage-teaser`, `ki-check`) and one for leads without source.
pub async fn attribution(
    db: &Db,
    from_day: &str,
    to_day: &str,
    from: UnixMs,
    until: UnixMs,
) -> Result<Vec<AttributionRow>> {
    const LINKS: &str = "SELECT l.code AS source, l.label, l.channel,
            CAST(COALESCE((SELECT SUM(v.visits) FROM link_visits v WHERE v.link_id = l.id AND v.bot = 0 AND v.day >= $1 AND v.day <= $2), 0) AS BIGINT) AS visits,
            CAST((SELECT COUNT(*) FROM leads d WHERE d.source = l.code AND d.created_ms >= $3 AND d.created_ms < $4) AS BIGINT) AS applications,
            CAST((SELECT COUNT(*) FROM leads d WHERE d.source = l.code AND d.created_ms >= $3 AND d.created_ms < $4 AND d.status = 'bestaetigt') AS BIGINT) AS confirmed,
            CAST((SELECT COUNT(*) FROM bookings b WHERE b.source = l.code AND b.kind = 'erstgespraech' AND b.confirmed_ms IS NOT NULL AND b.created_ms >= $3 AND b.created_ms < $4) AS BIGINT) AS bookings,
            CAST((SELECT COUNT(*) FROM leads d WHERE d.source = l.code AND d.created_ms >= $3 AND d.created_ms < $4 AND d.stage IN ('teilnehmer', 'referenzkunde')) AS BIGINT) AS participants
         FROM links l ORDER BY l.channel, l.code";
    const OTHER: &str = "SELECT COALESCE(d.source, '') AS source, '' AS label, CASE WHEN d.source IS NULL THEN 'direkt' ELSE 'other' END AS channel,
            CAST(0 AS BIGINT) AS visits,
            CAST(COUNT(*) AS BIGINT) AS applications,
            CAST(SUM(CASE WHEN d.status = 'bestaetigt' THEN 1 ELSE 0 END) AS BIGINT) AS confirmed,
            CAST((SELECT COUNT(*) FROM bookings b WHERE COALESCE(b.source, '') = COALESCE(d.source, '') AND b.kind = 'erstgespraech' AND b.confirmed_ms IS NOT NULL AND b.created_ms >= $1 AND b.created_ms < $2) AS BIGINT) AS bookings,
            CAST(SUM(CASE WHEN d.stage IN ('teilnehmer', 'referenzkunde') THEN 1 ELSE 0 END) AS BIGINT) AS participants
         FROM leads d
         WHERE d.created_ms >= $1 AND d.created_ms < $2 AND (d.source IS NULL OR d.source NOT IN (SELECT code FROM links))
         GROUP BY d.source ORDER BY 1";
    let mut rows = with_pool!(db, |pool| sqlx::query_as::<_, AttributionRow>(LINKS)
        .bind(from_day)
        .bind(to_day)
        .bind(from.0)
        .bind(until.0)
        .fetch_all(pool)
        .await)?;
    let other = with_pool!(db, |pool| sqlx::query_as::<_, AttributionRow>(OTHER)
        .bind(from.0)
        .bind(until.0)
        .fetch_all(pool)
        .await)?;
    rows.extend(other);
    Ok(rows)
}
