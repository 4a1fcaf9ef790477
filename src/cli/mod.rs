//! The `vanthu` command line: the commands and their arguments, one module
//! per command; `main.rs` parses and dispatches to them.

pub mod audit;
pub mod bench;
pub mod gc;
pub mod migrate;
pub mod report;
pub mod reverify;
pub mod seed;
pub mod serve;
pub mod sign;
pub mod tlog;
pub mod unit;
pub mod user;
pub mod verify;

use clap::{Parser, Subcommand};

use crate::clock::Clock;
use crate::config::{CommonOpts, Config, ServerOpts};
use crate::registry::Registry;

/// The command line.
#[derive(Debug, Parser)]
#[command(
    name = "vanthu",
    version,
    about = "Registers of official documents (Decree 30/2020), signature checks and transparency"
)]
pub struct Cli {
    /// Options every command accepts.
    #[command(flatten)]
    pub common: CommonOpts,
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP server (JSON API under /api/v1, OpenAPI at /openapi.json, Swagger UI at /docs)
    Serve(serve::ServeArgs),
    /// Verify the digital signatures of PDF files (exit 0 all valid, 1 any not valid, 2 unreadable)
    Verify(verify::VerifyArgs),
    /// Sign a PDF (PAdES, as an incremental update: earlier signatures stay valid)
    Sign(sign::SignArgs),
    /// Measure the verifier against openssl dgst and pdfsig (ratios, written as Markdown)
    Bench(bench::BenchArgs),
    /// Re-verify stored documents after a trust or CRL change (earlier reports are kept)
    Reverify(reverify::ReverifyArgs),
    /// Run pending database migrations and exit
    Migrate,
    /// Manage users and their API tokens
    User {
        /// What to do.
        #[command(subcommand)]
        command: user::UserCommand,
    },
    /// Manage units
    Unit {
        /// What to do.
        #[command(subcommand)]
        command: unit::UnitCommand,
    },
    /// Delete stored files that no document references
    Gc(gc::GcArgs),
    /// The plan's metrics for a year (the same figures as GET /api/v1/compliance)
    Report(report::ReportArgs),
    /// Fill an empty data folder with a large synthetic data set for benchmarks
    Seed(seed::SeedArgs),
    /// The public transparency log
    Tlog {
        /// What to do.
        #[command(subcommand)]
        command: tlog::TlogCommand,
    },
    /// The hash-chained audit log
    Audit {
        /// What to do.
        #[command(subcommand)]
        command: audit::AuditCommand,
    },
}

impl Command {
    /// The server's options, when this is `serve`.
    pub fn server_opts(&self) -> ServerOpts {
        match self {
            Command::Serve(a) => a.server_opts(),
            _ => ServerOpts::default(),
        }
    }
}

/// The registry of `config`, with the application's observers.
async fn open(config: &Config) -> anyhow::Result<Registry> {
    crate::app::open_registry(config, Clock::system()).await
}

/// The actor named in the audit log for command-line changes.
fn actor() -> String {
    let who = std::env::var("USER").unwrap_or_else(|_| "unknown".into());
    format!("cli:{who}")
}

pub(crate) fn parse_time(s: &str) -> Result<chrono::DateTime<chrono::Utc>, String> {
    chrono::DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&chrono::Utc))
        .map_err(|e| format!("not an RFC 3339 time (e.g. 2025-06-01T00:00:00Z): {e}"))
}
