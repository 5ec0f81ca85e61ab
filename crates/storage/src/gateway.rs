//! Privacy gateway: API keys with their policy, and the audit trail of proxied requests.
//!
//! Keys are stored as SHA-256 hashes only. Audit rows carry counts and codes, never text:
//! a row is inserted *before* a request is forwarded and completed afterwards, so a request
//! that reached the model always has an entry, even if the process dies mid-answer.

use domain::UnixMs;

use crate::{Db, Result, execute, with_pool, with_tx};

/// One API key with its policy.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct GatewayKey {
    /// Id.
    pub id: i64,
    /// Employee or tool the key belongs to.
    pub name: String,
    /// First characters of the key, shown in lists.
    pub token_prefix: String,
    /// Entity labels to pseudonymize, comma-separated.
    pub labels: String,
    /// 1: refuse requests with special categories of data (GDPR Art. 9).
    pub block_special: i64,
    /// 1: append the AI-generated marker line.
    pub ai_marker: i64,
    /// Requests per minute.
    pub rate_per_minute: i64,
    /// Issued at.
    pub created_ms: i64,
    /// Issued by ("admin #3").
    pub created_by: String,
    /// Revoked at; a revoked key is refused.
    pub revoked_ms: Option<i64>,
}

/// The columns of [`GatewayKey`], for `concat!` (one list for every key query).
macro_rules! key_columns {
    () => {
        "id, name, token_prefix, labels, block_special, ai_marker, rate_per_minute, created_ms, created_by, revoked_ms"
    };
}

/// What the back office sets when it issues a key or edits its policy.
#[derive(Debug, Clone)]
pub struct KeyPolicy {
    /// Entity labels to pseudonymize, comma-separated.
    pub labels: String,
    /// Refuse special categories.
    pub block_special: bool,
    /// Append the AI-generated marker.
    pub ai_marker: bool,
    /// Requests per minute.
    pub rate_per_minute: i64,
}

/// Issues a key: stores its hash and policy and records the act in the audit log, in one
/// transaction.
pub async fn create_key(
    db: &Db,
    name: &str,
    token_hash: &str,
    token_prefix: &str,
    policy: &KeyPolicy,
    actor: &str,
    now: UnixMs,
) -> Result<i64> {
    const SQL: &str = "INSERT INTO gateway_keys (name, token_hash, token_prefix, labels, block_special, ai_marker, rate_per_minute, created_ms, created_by, revoked_ms)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, NULL) RETURNING id";
    let id = with_tx!(db, |tx| {
        let id: i64 = sqlx::query_scalar(SQL)
            .bind(name)
            .bind(token_hash)
            .bind(token_prefix)
            .bind(&policy.labels)
            .bind(i64::from(policy.block_special))
            .bind(i64::from(policy.ai_marker))
            .bind(policy.rate_per_minute)
            .bind(now.0)
            .bind(actor)
            .fetch_one(&mut *tx)
            .await?;
        sqlx::query(crate::audit::INSERT_SQL)
            .bind(now.0)
            .bind(actor)
            .bind("Gateway-Schlüssel ausgegeben")
            .bind(format!("gateway_key #{id}"))
            .execute(&mut *tx)
            .await?;
        id
    });
    Ok(id)
}

/// The key whose hash is `token_hash`, revoked or not (the caller tells the two apart).
pub async fn key_by_hash(db: &Db, token_hash: &str) -> Result<Option<GatewayKey>> {
    const SQL: &str = concat!(
        "SELECT ",
        key_columns!(),
        " FROM gateway_keys WHERE token_hash = $1"
    );
    let row = with_pool!(db, |pool| sqlx::query_as::<_, GatewayKey>(SQL)
        .bind(token_hash)
        .fetch_optional(pool)
        .await)?;
    Ok(row)
}

/// One key by id.
pub async fn key(db: &Db, id: i64) -> Result<Option<GatewayKey>> {
    const SQL: &str = concat!(
        "SELECT ",
        key_columns!(),
        " FROM gateway_keys WHERE id = $1"
    );
    let row = with_pool!(db, |pool| sqlx::query_as::<_, GatewayKey>(SQL)
        .bind(id)
        .fetch_optional(pool)
        .await)?;
    Ok(row)
}

/// All keys, active first, newest first.
pub async fn keys(db: &Db) -> Result<Vec<GatewayKey>> {
    const SQL: &str = concat!(
        "SELECT ",
        key_columns!(),
        " FROM gateway_keys ORDER BY CASE WHEN revoked_ms IS NULL THEN 0 ELSE 1 END, created_ms DESC, id DESC"
    );
    let rows = with_pool!(db, |pool| sqlx::query_as::<_, GatewayKey>(SQL)
        .fetch_all(pool)
        .await)?;
    Ok(rows)
}

/// Changes a key's policy and records it in the audit log; false if there is no such key.
pub async fn update_policy(
    db: &Db,
    id: i64,
    policy: &KeyPolicy,
    actor: &str,
    now: UnixMs,
) -> Result<bool> {
    const SQL: &str = "UPDATE gateway_keys SET labels = $1, block_special = $2, ai_marker = $3, rate_per_minute = $4 WHERE id = $5";
    let changed = with_tx!(db, |tx| {
        let n = sqlx::query(SQL)
            .bind(&policy.labels)
            .bind(i64::from(policy.block_special))
            .bind(i64::from(policy.ai_marker))
            .bind(policy.rate_per_minute)
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if n == 1 {
            sqlx::query(crate::audit::INSERT_SQL)
                .bind(now.0)
                .bind(actor)
                .bind("Gateway-Richtlinie geändert")
                .bind(format!("gateway_key #{id}"))
                .execute(&mut *tx)
                .await?;
        }
        n == 1
    });
    Ok(changed)
}

/// Revokes a key for good and records it; false if it does not exist or was revoked already.
pub async fn revoke(db: &Db, id: i64, actor: &str, now: UnixMs) -> Result<bool> {
    const SQL: &str =
        "UPDATE gateway_keys SET revoked_ms = $1 WHERE id = $2 AND revoked_ms IS NULL";
    let changed = with_tx!(db, |tx| {
        let n = sqlx::query(SQL)
            .bind(now.0)
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if n == 1 {
            sqlx::query(crate::audit::INSERT_SQL)
                .bind(now.0)
                .bind(actor)
                .bind("Gateway-Schlüssel widerrufen")
                .bind(format!("gateway_key #{id}"))
                .execute(&mut *tx)
                .await?;
        }
        n == 1
    });
    Ok(changed)
}

/// The part of an audit row known before the request is forwarded.
#[derive(Debug, Clone)]
pub struct AuditStart<'a> {
    /// Key used.
    pub key_id: i64,
    /// Model requested.
    pub model: &'a str,
    /// Streaming request.
    pub stream: bool,
    /// Outcome so far: `started` for forwarded requests, or a final code for requests
    /// refused before forwarding (`blocked`, `invalid`).
    pub outcome: &'a str,
    /// Status already known for refused requests.
    pub http_status: Option<i64>,
    /// Entities masked per label as JSON.
    pub entities: &'a str,
    /// Special categories detected, comma-separated.
    pub special: &'a str,
}

/// Inserts an audit row and returns its id. For a request that is forwarded this runs (and
/// commits) before the first byte goes upstream.
pub async fn audit_start(db: &Db, entry: &AuditStart<'_>, now: UnixMs) -> Result<i64> {
    const SQL: &str = "INSERT INTO gateway_audit (created_ms, finished_ms, key_id, model, stream, outcome, http_status, prompt_tokens, completion_tokens, total_tokens, entities, special)
         VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, NULL, NULL, $8, $9) RETURNING id";
    let finished = (entry.outcome != "started").then_some(now.0);
    let id = with_pool!(db, |pool| sqlx::query_scalar::<_, i64>(SQL)
        .bind(now.0)
        .bind(finished)
        .bind(entry.key_id)
        .bind(entry.model)
        .bind(i64::from(entry.stream))
        .bind(entry.outcome)
        .bind(entry.http_status)
        .bind(entry.entities)
        .bind(entry.special)
        .fetch_one(pool)
        .await)?;
    Ok(id)
}

/// Token counts as the upstream reported them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Usage {
    /// Prompt tokens.
    pub prompt: Option<i64>,
    /// Completion tokens.
    pub completion: Option<i64>,
    /// Total tokens.
    pub total: Option<i64>,
}

/// Completes an audit row with the outcome.
pub async fn audit_finish(
    db: &Db,
    id: i64,
    outcome: &str,
    http_status: i64,
    usage: Usage,
    now: UnixMs,
) -> Result<()> {
    const SQL: &str = "UPDATE gateway_audit SET finished_ms = $1, outcome = $2, http_status = $3, prompt_tokens = $4, completion_tokens = $5, total_tokens = $6 WHERE id = $7";
    execute!(db, |pool| sqlx::query(SQL)
        .bind(now.0)
        .bind(outcome)
        .bind(http_status)
        .bind(usage.prompt)
        .bind(usage.completion)
        .bind(usage.total)
        .bind(id))?;
    Ok(())
}

/// An audit row with the key's name, for the back office and the CSV export.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AuditRow {
    /// Id.
    pub id: i64,
    /// Received at.
    pub created_ms: i64,
    /// Completed at.
    pub finished_ms: Option<i64>,
    /// Key id.
    pub key_id: i64,
    /// Key name.
    pub key_name: String,
    /// Model.
    pub model: String,
    /// Streaming.
    pub stream: i64,
    /// Outcome code.
    pub outcome: String,
    /// HTTP status sent to the client.
    pub http_status: Option<i64>,
    /// Prompt tokens.
    pub prompt_tokens: Option<i64>,
    /// Completion tokens.
    pub completion_tokens: Option<i64>,
    /// Total tokens.
    pub total_tokens: Option<i64>,
    /// Entities per label as JSON.
    pub entities: String,
    /// Special categories detected.
    pub special: String,
}

/// Audit rows received in `[from, to)`, oldest first, at most `limit`.
pub async fn audit_between(db: &Db, from: UnixMs, to: UnixMs, limit: i64) -> Result<Vec<AuditRow>> {
    const SQL: &str = "SELECT a.id, a.created_ms, a.finished_ms, a.key_id, k.name AS key_name, a.model, a.stream, a.outcome, a.http_status,
            a.prompt_tokens, a.completion_tokens, a.total_tokens, a.entities, a.special
         FROM gateway_audit a JOIN gateway_keys k ON k.id = a.key_id
         WHERE a.created_ms >= $1 AND a.created_ms < $2 ORDER BY a.created_ms, a.id LIMIT $3";
    let rows = with_pool!(db, |pool| sqlx::query_as::<_, AuditRow>(SQL)
        .bind(from.0)
        .bind(to.0)
        .bind(limit)
        .fetch_all(pool)
        .await)?;
    Ok(rows)
}

/// The newest audit rows, for the usage page.
pub async fn audit_recent(db: &Db, limit: i64) -> Result<Vec<AuditRow>> {
    const SQL: &str = "SELECT a.id, a.created_ms, a.finished_ms, a.key_id, k.name AS key_name, a.model, a.stream, a.outcome, a.http_status,
            a.prompt_tokens, a.completion_tokens, a.total_tokens, a.entities, a.special
         FROM gateway_audit a JOIN gateway_keys k ON k.id = a.key_id
         ORDER BY a.created_ms DESC, a.id DESC LIMIT $1";
    let rows = with_pool!(db, |pool| sqlx::query_as::<_, AuditRow>(SQL)
        .bind(limit)
        .fetch_all(pool)
        .await)?;
    Ok(rows)
}

/// The newest use of each key (`key_id`, `created_ms`), for the key list.
pub async fn last_use(db: &Db) -> Result<Vec<(i64, i64)>> {
    const SQL: &str = "SELECT key_id, MAX(created_ms) FROM gateway_audit GROUP BY key_id";
    let rows = with_pool!(db, |pool| sqlx::query_as::<_, (i64, i64)>(SQL)
        .fetch_all(pool)
        .await)?;
    Ok(rows)
}
