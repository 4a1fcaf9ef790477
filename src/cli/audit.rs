//! `vanthu audit`: the hash-chained audit log.

use clap::Subcommand;

use crate::config::Config;

/// The hash-chained audit log
#[derive(Debug, Clone, Subcommand)]
pub enum AuditCommand {
    /// Recompute the chain; exit 1 if any entry was altered or removed
    Verify,
}

/// Run one audit command.
pub async fn run(config: &Config, command: AuditCommand) -> anyhow::Result<u8> {
    match command {
        AuditCommand::Verify => {
            let reg = super::open(config).await?;
            let r = crate::registry::audit::verify(&reg.db).await?;
            if r.ok {
                println!("audit log intact: {} entries", r.entries);
                Ok(0)
            } else {
                println!("audit log BROKEN: {}", r.problem.unwrap_or_default());
                Ok(1)
            }
        }
    }
}
