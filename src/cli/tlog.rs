//! `vanthu tlog`: the public transparency log (key, checkpoint, and
//! checking any log as a monitor would).

use clap::Subcommand;

use crate::config::Config;

/// The public transparency log
#[derive(Debug, Clone, Subcommand)]
pub enum TlogCommand {
    /// Print the log's verifier key (C2SP vkey form)
    Key,
    /// Sequence pending events now and sign a checkpoint (printed)
    Checkpoint,
    /// Check a log: signature, entries against the signed root, and that it only grew since the last check
    Verify {
        /// A vanthu server's base URL (e.g. http://127.0.0.1:8080)
        #[arg(long, conflicts_with = "dir", required_unless_present = "dir")]
        url: Option<String>,
        /// A folder with `checkpoint` and `tile/…`
        #[arg(long)]
        dir: Option<std::path::PathBuf>,
        /// The log's verifier key, or a file holding it
        #[arg(long)]
        vkey: Option<String>,
        /// Where to remember the last checkpoint seen
        #[arg(long)]
        state: Option<std::path::PathBuf>,
    },
}

/// Run one log command.
pub async fn run(config: &Config, command: TlogCommand) -> anyhow::Result<u8> {
    match command {
        TlogCommand::Checkpoint => {
            let db = crate::db::open(&config.database_url).await?;
            let log = crate::public::log::Log::open(db, &config.data_dir, &config.log_origin)?;
            let now = chrono::Utc::now();
            log.integrate(now).await?;
            print!("{}", log.checkpoint(now).await?);
            Ok(0)
        }
        TlogCommand::Key => {
            let db = crate::db::open(&config.database_url).await?;
            let log = crate::public::log::Log::open(db, &config.data_dir, &config.log_origin)?;
            println!("{}", log.vkey()?);
            Ok(0)
        }
        TlogCommand::Verify {
            url,
            dir,
            vkey,
            state,
        } => {
            use crate::public::monitor::{self, MonitorError, Origin};
            let origin = match (url, dir) {
                (Some(u), _) => Origin::Url(u),
                (None, Some(d)) => Origin::Dir(d),
                (None, None) => anyhow::bail!("give --url or --dir"),
            };
            match monitor::verify(&origin, vkey.as_deref(), state.as_deref()).await {
                Ok((_, summary)) => {
                    println!("{summary}");
                    Ok(0)
                }
                Err(e @ MonitorError::Inconsistent(_)) => {
                    println!("{e}");
                    Ok(1)
                }
                Err(e) => Err(e.into()),
            }
        }
    }
}
