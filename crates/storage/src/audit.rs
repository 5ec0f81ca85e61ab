//! The audit trail: who did what to which record, without personal data.
//!
//! Entries name actors and subjects by id ("admin #3", "lead #12") so the log can outlive an
//! erasure: after a lead is erased, its audit entries prove *that* it was erased, not *who*
//! it was.

use domain::UnixMs;

use crate::{Db, Result, execute, with_pool};

/// One audit entry.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct AuditEntry {
    /// Row id.
    pub id: i64,
    /// When.
    pub created_ms: i64,
    /// Who: "system", "admin #3", "lead #12".
    pub actor: String,
    /// What, in German, e.g. "Lead gelöscht (Anfrage der betroffenen Person)".
    pub action: String,
    /// Which record, e.g. "lead #12".
    pub subject: String,
}

/// SQL shared with transactional callers (see `leads.rs`).
pub(crate) const INSERT_SQL: &str =
    "INSERT INTO audit_log (created_ms, actor, action, subject) VALUES ($1, $2, $3, $4)";

/// Appends an entry outside any other transaction.
pub async fn record(db: &Db, now: UnixMs, actor: &str, action: &str, subject: &str) -> Result<()> {
    execute!(db, |pool| sqlx::query(INSERT_SQL)
        .bind(now.0)
        .bind(actor)
        .bind(action)
        .bind(subject))?;
    Ok(())
}

/// The newest entries, for the back office.
pub async fn recent(db: &Db, limit: i64) -> Result<Vec<AuditEntry>> {
    const SQL: &str =
        "SELECT id, created_ms, actor, action, subject FROM audit_log ORDER BY id DESC LIMIT $1";
    let rows = with_pool!(db, |pool| sqlx::query_as::<_, AuditEntry>(SQL)
        .bind(limit)
        .fetch_all(pool)
        .await)?;
    Ok(rows)
}
