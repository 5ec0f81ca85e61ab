//! Both backends end up with the same schema after migrating.

use crate::helpers::{Backend, fresh_database};

#[tokio::test]
async fn sqlite_and_postgres_migrations_produce_the_same_columns() -> anyhow::Result<()> {
    let Some((pg_url, drop, _)) = fresh_database(Backend::Postgres).await? else {
        return Ok(());
    };
    let (sqlite_url, _, _dir) = fresh_database(Backend::Sqlite).await?.expect("sqlite");
    let sqlite = kipilot::startup::connect_and_migrate(&sqlite_url).await?;
    let pg = kipilot::startup::connect_and_migrate(&pg_url).await?;
    let a = storage::schema_columns(&sqlite).await?;
    let b = storage::schema_columns(&pg).await?;
    pg.close().await;
    crate::helpers::drop_database(drop).await;
    assert!(!a.is_empty());
    assert_eq!(a, b);
    Ok(())
}

#[test]
fn migration_folders_have_the_same_file_names() -> anyhow::Result<()> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../storage/migrations");
    let names = |dir: &str| -> anyhow::Result<Vec<String>> {
        let mut v: Vec<String> = std::fs::read_dir(root.join(dir))?
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        Ok(v)
    };
    assert_eq!(names("sqlite")?, names("postgres")?);
    Ok(())
}
