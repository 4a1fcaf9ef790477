//! `vanthu unit`: the agency's units.

use clap::Subcommand;

use super::actor;
use crate::config::Config;

/// Manage units
#[derive(Debug, Clone, Subcommand)]
pub enum UnitCommand {
    /// Add a unit
    Add {
        /// Code used in numbers/symbols, e.g. VP
        code: String,
        /// Full name
        name: String,
        /// Parent unit code
        #[arg(long)]
        parent: Option<String>,
    },
    /// List units
    List,
}

/// Run one unit command.
pub async fn run(config: &Config, command: UnitCommand) -> anyhow::Result<u8> {
    let reg = super::open(config).await?;
    match command {
        UnitCommand::Add { code, name, parent } => {
            let u = reg
                .add_unit(
                    &serde_json::json!({"code": code, "name": name, "parent_code": parent}),
                    &actor(),
                )
                .await?;
            eprintln!("unit {} added", u.code);
        }
        UnitCommand::List => {
            for u in reg.list_units().await? {
                println!(
                    "{}\t{}\t{}",
                    u.code,
                    u.name,
                    if u.active { "active" } else { "inactive" }
                );
            }
        }
    }
    Ok(0)
}
