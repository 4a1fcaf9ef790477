//! The `vanthu` command line: parse and dispatch; each command lives in
//! its own module under `src/cli/`, the work in the library.

use std::process::ExitCode;

use clap::Parser;
use vanthu::cli::{self, Cli, Command};
use vanthu::config::Config;

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| {
                tracing_subscriber::EnvFilter::new("vanthu=info,tower_http=warn")
            }),
        )
        .with_writer(std::io::stderr)
        .init();
    // Offline commands run without an async runtime (a verify per file stays cheap).
    let result = match cli.command {
        Command::Verify(a) => cli::verify::run(a),
        Command::Sign(a) => cli::sign::run(a),
        Command::Bench(a) => cli::bench::run(a),
        command => with_runtime(Cli {
            common: cli.common,
            command,
        }),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// Run a command that needs the database (or the network) on a runtime.
fn with_runtime(cli: Cli) -> anyhow::Result<u8> {
    let rt = tokio::runtime::Runtime::new()
        .map_err(|e| anyhow::anyhow!("cannot start the runtime: {e}"))?;
    rt.block_on(dispatch(cli))
}

async fn dispatch(cli: Cli) -> anyhow::Result<u8> {
    let config = Config::resolve(&cli.common, &cli.command.server_opts())?;
    tracing::debug!(?config, "configuration");
    match cli.command {
        Command::Serve(a) => cli::serve::run(config, a.demo).await,
        Command::Reverify(a) => cli::reverify::run(&config, a).await,
        Command::Migrate => cli::migrate::run(&config).await,
        Command::User { command } => cli::user::run(&config, command).await,
        Command::Unit { command } => cli::unit::run(&config, command).await,
        Command::Gc(a) => cli::gc::run(&config, a).await,
        Command::Report(a) => cli::report::run(&config, a).await,
        Command::Seed(a) => cli::seed::run(&config, a).await,
        Command::Tlog { command } => cli::tlog::run(&config, command).await,
        Command::Audit { command } => cli::audit::run(&config, command).await,
        Command::Verify(_) | Command::Sign(_) | Command::Bench(_) => {
            anyhow::bail!("offline commands run before the runtime starts")
        }
    }
}
