//! `vanthu migrate`: run pending database migrations and exit.

use crate::config::Config;

/// Apply the migrations (opening the database does).
pub async fn run(config: &Config) -> anyhow::Result<u8> {
    let db = crate::db::open(&config.database_url).await?;
    db.close().await.ok();
    eprintln!("migrations applied");
    Ok(0)
}
