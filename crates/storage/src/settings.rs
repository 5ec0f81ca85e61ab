//! Small key/value settings: the form-signing secret and the company profile (as JSON).

use crate::{Db, Result, execute, with_pool};

/// Reads one setting.
pub async fn get(db: &Db, key: &str) -> Result<Option<String>> {
    const SQL: &str = "SELECT value FROM settings WHERE key = $1";
    let value = with_pool!(db, |pool| sqlx::query_scalar::<_, String>(SQL)
        .bind(key)
        .fetch_optional(pool)
        .await)?;
    Ok(value)
}

/// Writes one setting, replacing an older value.
pub async fn put(db: &Db, key: &str, value: &str) -> Result<()> {
    const SQL: &str = "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value";
    execute!(db, |pool| sqlx::query(SQL).bind(key).bind(value))?;
    Ok(())
}

/// Writes a setting only if it does not exist yet and returns the value that is stored
/// afterwards. Two processes starting at once therefore agree on one secret.
pub async fn get_or_insert(db: &Db, key: &str, candidate: &str) -> Result<String> {
    const SQL: &str =
        "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING";
    execute!(db, |pool| sqlx::query(SQL).bind(key).bind(candidate))?;
    get(db, key)
        .await?
        .ok_or_else(|| crate::StoreError::Corrupt(format!("setting {key} vanished")))
}
