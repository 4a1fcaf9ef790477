//! Database connection and migrations: SQLite (WAL, foreign keys on) by
//! default, PostgreSQL when the URL says `postgres://`.

use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, Database, DatabaseConnection, DatabaseTransaction, DbErr,
    SqliteTransactionMode, TransactionOptions, TransactionTrait,
};

use crate::config::redact_url;

/// How long a SQLite writer waits for another one before giving up.
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// Open the database named by `url`, creating a SQLite file (and its folder) if needed.
pub async fn connect(url: &str) -> anyhow::Result<DatabaseConnection> {
    let mut opts = ConnectOptions::new(url.to_string());
    opts.sqlx_logging(false)
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(60));
    if url.starts_with("sqlite:") {
        if let Some(path) = sqlite_path(url)
            && let Some(dir) = std::path::Path::new(&path).parent()
            && !dir.as_os_str().is_empty()
        {
            std::fs::create_dir_all(dir).map_err(|e| {
                anyhow::anyhow!("cannot create the data folder {}: {e}", dir.display())
            })?;
        }
        opts.max_connections(8).min_connections(1);
        opts.map_sqlx_sqlite_opts(|o| {
            o.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .foreign_keys(true)
                .busy_timeout(SQLITE_BUSY_TIMEOUT)
                .create_if_missing(true)
        });
    } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
        opts.max_connections(16).min_connections(1);
    } else {
        anyhow::bail!(
            "unsupported database URL {}: use sqlite://PATH or postgres://…",
            redact_url(url)
        );
    }
    Database::connect(opts)
        .await
        .map_err(|e| anyhow::anyhow!("cannot open database {}: {e}", redact_url(url)))
}

/// Run every pending migration.
pub async fn migrate(db: &DatabaseConnection) -> anyhow::Result<()> {
    Migrator::up(db, None)
        .await
        .map_err(|e| anyhow::anyhow!("database migration failed: {e}"))
}

/// Connect and migrate.
pub async fn open(url: &str) -> anyhow::Result<DatabaseConnection> {
    let db = connect(url).await?;
    migrate(&db).await?;
    Ok(db)
}

/// Begin a write transaction. On SQLite it is `BEGIN IMMEDIATE`, so writers
/// queue on the database lock (with the busy timeout) instead of failing
/// when a read turns into a write; on PostgreSQL row locks order writers.
pub async fn begin_write(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    db.begin_with_options(TransactionOptions {
        isolation_level: None,
        access_mode: None,
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
    })
    .await
}

fn sqlite_path(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or(rest);
    if path.is_empty() || path == ":memory:" {
        None
    } else {
        Some(path.to_string())
    }
}
