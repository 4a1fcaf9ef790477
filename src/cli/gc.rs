//! `vanthu gc`: delete stored files no document references.

use std::time::Duration;

use crate::config::Config;

/// Delete stored files that no document references
#[derive(Debug, Clone, clap::Args)]
pub struct GcArgs {
    /// Keep unreferenced files younger than this many seconds (a request may still be using them)
    #[arg(long, default_value_t = 3600)]
    grace_secs: u64,
}

/// Sweep; exit 1 when a referenced file is missing.
pub async fn run(config: &Config, a: GcArgs) -> anyhow::Result<u8> {
    let reg = super::open(config).await?;
    let r = reg.gc(Duration::from_secs(a.grace_secs)).await?;
    println!("{}", serde_json::to_string(&r)?);
    Ok(if r.missing.is_empty() { 0 } else { 1 })
}
