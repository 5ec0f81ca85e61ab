//! Team accounts, login lockout and sessions.
//!
//! Passwords arrive here already hashed (argon2id, done by the app in a blocking task).
//! Session ids are stored only as SHA-256 hashes, so a leaked database does not let anyone
//! log in.

use domain::UnixMs;

use crate::{Db, Result, execute, with_pool};

/// A team account.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserRow {
    /// Id.
    pub id: i64,
    /// Login e-mail.
    pub email: String,
    /// Argon2id PHC string.
    pub password_hash: String,
    /// Consecutive failed logins.
    pub failed_logins: i64,
    /// Locked until this instant after too many failures.
    pub locked_until_ms: Option<i64>,
}

/// A logged-in session.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionRow {
    /// User id.
    pub user_id: i64,
    /// User e-mail, for display and notes.
    pub email: String,
    /// Anti-forgery token for the back-office forms of this session.
    pub csrf_token: String,
    /// Expiry.
    pub expires_ms: i64,
}

/// Creates an account or replaces the password of an existing one (the CLI's `admin create`
/// doubles as password reset). Returns the user id.
pub async fn upsert(db: &Db, email: &str, password_hash: &str, now: UnixMs) -> Result<i64> {
    const SQL: &str = "INSERT INTO users (email, password_hash, created_ms, failed_logins, locked_until_ms) VALUES ($1, $2, $3, 0, NULL)
         ON CONFLICT (email) DO UPDATE SET password_hash = excluded.password_hash, failed_logins = 0, locked_until_ms = NULL
         RETURNING id";
    let id = with_pool!(db, |pool| sqlx::query_scalar::<_, i64>(SQL)
        .bind(email)
        .bind(password_hash)
        .bind(now.0)
        .fetch_one(pool)
        .await)?;
    Ok(id)
}

/// Finds an account by e-mail (case-insensitive; stored lower-cased).
pub async fn find_by_email(db: &Db, email: &str) -> Result<Option<UserRow>> {
    const SQL: &str = "SELECT id, email, password_hash, failed_logins, locked_until_ms FROM users WHERE email = $1";
    let row = with_pool!(db, |pool| sqlx::query_as::<_, UserRow>(SQL)
        .bind(email)
        .fetch_optional(pool)
        .await)?;
    Ok(row)
}

/// Counts a failed login; after `max_failures` the account is locked until `lock_until`.
pub async fn record_failed_login(
    db: &Db,
    id: i64,
    max_failures: i64,
    lock_until: UnixMs,
) -> Result<()> {
    const SQL: &str = "UPDATE users SET failed_logins = failed_logins + 1,
            locked_until_ms = CASE WHEN failed_logins + 1 >= $1 THEN $2 ELSE locked_until_ms END
         WHERE id = $3";
    execute!(db, |pool| sqlx::query(SQL)
        .bind(max_failures)
        .bind(lock_until.0)
        .bind(id))?;
    Ok(())
}

/// Resets the failure counter after a successful login.
pub async fn record_successful_login(db: &Db, id: i64) -> Result<()> {
    const SQL: &str = "UPDATE users SET failed_logins = 0, locked_until_ms = NULL WHERE id = $1";
    execute!(db, |pool| sqlx::query(SQL).bind(id))?;
    Ok(())
}

/// Number of accounts (the dashboard hints at `kipilot admin create` when zero).
pub async fn count(db: &Db) -> Result<i64> {
    const SQL: &str = "SELECT CAST(COUNT(*) AS BIGINT) FROM users";
    let n = with_pool!(db, |pool| sqlx::query_scalar::<_, i64>(SQL)
        .fetch_one(pool)
        .await)?;
    Ok(n)
}

/// Stores a new session.
pub async fn create_session(
    db: &Db,
    token_hash: &str,
    user_id: i64,
    csrf_token: &str,
    now: UnixMs,
    expires: UnixMs,
) -> Result<()> {
    const SQL: &str = "INSERT INTO sessions (token_hash, user_id, csrf_token, created_ms, expires_ms) VALUES ($1, $2, $3, $4, $5)";
    execute!(db, |pool| sqlx::query(SQL)
        .bind(token_hash)
        .bind(user_id)
        .bind(csrf_token)
        .bind(now.0)
        .bind(expires.0))?;
    Ok(())
}

/// Looks up a live session.
pub async fn session(db: &Db, token_hash: &str, now: UnixMs) -> Result<Option<SessionRow>> {
    const SQL: &str = "SELECT s.user_id, u.email, s.csrf_token, s.expires_ms FROM sessions s JOIN users u ON u.id = s.user_id
         WHERE s.token_hash = $1 AND s.expires_ms > $2";
    let row = with_pool!(db, |pool| sqlx::query_as::<_, SessionRow>(SQL)
        .bind(token_hash)
        .bind(now.0)
        .fetch_optional(pool)
        .await)?;
    Ok(row)
}

/// Extends a session's idle expiry.
pub async fn touch_session(db: &Db, token_hash: &str, expires: UnixMs) -> Result<()> {
    const SQL: &str = "UPDATE sessions SET expires_ms = $1 WHERE token_hash = $2";
    execute!(db, |pool| sqlx::query(SQL).bind(expires.0).bind(token_hash))?;
    Ok(())
}

/// Ends a session (logout).
pub async fn delete_session(db: &Db, token_hash: &str) -> Result<()> {
    const SQL: &str = "DELETE FROM sessions WHERE token_hash = $1";
    execute!(db, |pool| sqlx::query(SQL).bind(token_hash))?;
    Ok(())
}

/// Retention: removes expired sessions.
pub async fn delete_expired_sessions(db: &Db, now: UnixMs) -> Result<u64> {
    const SQL: &str = "DELETE FROM sessions WHERE expires_ms < $1";
    let done = execute!(db, |pool| sqlx::query(SQL).bind(now.0))?;
    Ok(done)
}
