//! kipilot's storage: the only crate that knows SQL.
//!
//! One SQL text serves SQLite (the embedded default) and PostgreSQL (the scale path). Each
//! query is written once with `$1…` placeholders and portable types (BIGINT milliseconds,
//! TEXT), and [`with_pool!`] / [`with_tx!`] expand the body once per backend, so every bind
//! and decode is type-checked against both drivers. Where the dialects really differ, an
//! explicit `match` says why. Modules are one per feature; each owns its SQL.

pub mod audit;
pub mod booking;
pub mod channels;
pub mod events;
pub mod gateway;
pub mod insights;
pub mod knowledge;
pub mod leads;
pub mod outbox;
pub mod participants;
pub mod posts;
pub mod register;
pub mod settings;
pub mod updates;
pub mod users;

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// A connection pool to whichever backend the database URL names.
#[derive(Clone, Debug)]
pub enum Db {
    /// Embedded SQLite file (WAL, fsync on commit).
    Sqlite(SqlitePool),
    /// PostgreSQL server.
    Postgres(PgPool),
}

/// Storage failures. Callers map them to a German "please try again" page; the details go to
/// the log only.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database URL names no supported backend.
    #[error("unsupported database URL (expected sqlite:// or postgres://)")]
    UnsupportedUrl,
    /// Any driver error.
    #[error("database error: {0}")]
    Sqlx(#[from] sqlx::Error),
    /// Migrations could not be applied.
    #[error("migration error: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A stored value could not be decoded (e.g. unknown enum code).
    #[error("corrupt stored value: {0}")]
    Corrupt(String),
}

/// Shorthand for storage results.
pub type Result<T> = std::result::Result<T, StoreError>;

/// Runs `$body` with `$pool` bound to the concrete pool of either backend.
#[macro_export]
macro_rules! with_pool {
    ($db:expr, |$pool:ident| $body:expr) => {
        match $db {
            $crate::Db::Sqlite($pool) => $body,
            $crate::Db::Postgres($pool) => $body,
        }
    };
}

/// Executes a statement (built with `$pool` in scope) on either backend and returns the
/// number of affected rows; the drivers' result types differ, the row count does not.
#[macro_export]
macro_rules! execute {
    ($db:expr, |$pool:ident| $query:expr) => {
        match $db {
            $crate::Db::Sqlite($pool) => $query.execute($pool).await.map(|r| r.rows_affected()),
            $crate::Db::Postgres($pool) => $query.execute($pool).await.map(|r| r.rows_affected()),
        }
    };
}

/// Runs `$body` inside one transaction on either backend and commits it. On SQLite the
/// transaction starts with `BEGIN IMMEDIATE`, so a read followed by a write cannot fail with
/// `SQLITE_BUSY` halfway. An early `?` return drops the transaction, which rolls it back.
#[macro_export]
macro_rules! with_tx {
    ($db:expr, |$tx:ident| $body:expr) => {
        match $db {
            $crate::Db::Sqlite(pool) => {
                let mut $tx = pool.begin_with("BEGIN IMMEDIATE").await?;
                let out = $body;
                $tx.commit().await?;
                out
            }
            $crate::Db::Postgres(pool) => {
                let mut $tx = pool.begin().await?;
                let out = $body;
                $tx.commit().await?;
                out
            }
        }
    };
}

impl Db {
    /// Connects to `url` (`sqlite://path` or `postgres://…`) without migrating. A SQLite
    /// file and its folder are created if missing.
    pub async fn connect(url: &str) -> Result<Db> {
        if let Some(path) = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
        {
            let path = path.split('?').next().unwrap_or(path);
            if let Some(dir) = std::path::Path::new(path).parent()
                && !dir.as_os_str().is_empty()
            {
                std::fs::create_dir_all(dir).map_err(|e| StoreError::Sqlx(sqlx::Error::Io(e)))?;
            }
            let options = SqliteConnectOptions::new()
                .filename(path)
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                // FULL: a commit is on disk before we answer, so an acknowledged form
                // submission survives not only `kill -9` but also a power cut.
                .synchronous(SqliteSynchronous::Full)
                .busy_timeout(Duration::from_secs(5))
                .foreign_keys(true);
            let pool = SqlitePoolOptions::new()
                .max_connections(8)
                .connect_with(options)
                .await?;
            Ok(Db::Sqlite(pool))
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let options = PgConnectOptions::from_str(url)?;
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(5))
                .connect_with(options)
                .await?;
            Ok(Db::Postgres(pool))
        } else {
            Err(StoreError::UnsupportedUrl)
        }
    }

    /// Applies all pending migrations of the matching backend.
    pub async fn migrate(&self) -> Result<()> {
        match self {
            Db::Sqlite(pool) => SQLITE_MIGRATIONS.run(pool).await?,
            Db::Postgres(pool) => POSTGRES_MIGRATIONS.run(pool).await?,
        }
        Ok(())
    }

    /// Cheap liveness check for `/healthz`.
    pub async fn ping(&self) -> Result<()> {
        execute!(self, |pool| sqlx::query("SELECT 1"))?;
        Ok(())
    }

    /// Which backend this is, for logs and the health endpoint.
    pub fn backend_name(&self) -> &'static str {
        match self {
            Db::Sqlite(_) => "sqlite",
            Db::Postgres(_) => "postgres",
        }
    }

    /// Closes all connections (used by tests before dropping a database).
    pub async fn close(&self) {
        with_pool!(self, |pool| pool.close().await)
    }
}

/// Lists `(table, column)` pairs of the migrated schema, sorted; the parity test compares
/// them across backends so a column added on one side only is caught.
pub async fn schema_columns(db: &Db) -> Result<Vec<(String, String)>> {
    let mut rows: Vec<(String, String)> = match db {
        Db::Sqlite(pool) => {
            sqlx::query_as(
                "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p
                 WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '_sqlx%'",
            )
            .fetch_all(pool)
            .await?
        }
        Db::Postgres(pool) => {
            sqlx::query_as(
                "SELECT table_name::TEXT, column_name::TEXT FROM information_schema.columns
                 WHERE table_schema = current_schema() AND table_name NOT LIKE '_sqlx%'",
            )
            .fetch_all(pool)
            .await?
        }
    };
    rows.sort();
    Ok(rows)
}
