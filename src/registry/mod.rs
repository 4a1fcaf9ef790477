//! The domain: the incoming and outgoing registers of Decree 30/2020, units,
//! officials, users, and the audit log. The CLI and the HTTP API both call
//! this module; SQL lives here and below, never in handlers.

pub mod admin;
pub mod audit;
pub mod documents;
pub mod error;
pub mod events;
pub mod evidence;
pub mod fields;
pub mod gc;
pub mod numbering;
pub mod search;
pub mod secrecy;
pub mod sql;
pub mod types;
pub mod users;
pub mod verification;

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use sea_orm::DatabaseConnection;

pub use error::{Error, Kind, Rejection, Result};

use crate::clock::Clock;
use crate::config::Config;
use crate::store::BlobStore;

/// Failure injection for tests of atomicity. Nothing sets these in production.
#[derive(Debug, Default)]
pub struct Hooks {
    /// Fail a registration after its file is stored and its rows are
    /// written, just before the commit.
    pub danger_fail_before_commit: AtomicBool,
}

/// The registry service: a database, a blob store, a clock, and the agency's identity.
#[derive(Debug, Clone)]
pub struct Registry {
    /// The database.
    pub db: DatabaseConnection,
    /// The PDF store.
    pub store: BlobStore,
    /// The clock ("now" and today's date in Vietnam).
    pub clock: Clock,
    /// The agency's abbreviation in outgoing numbers/symbols.
    pub agency_code: String,
    /// The agency's name: the issuing body of outgoing documents.
    pub agency_name: String,
    /// Largest accepted file, in bytes.
    pub max_upload_bytes: u64,
    /// Test hooks.
    pub hooks: Arc<Hooks>,
    /// Trust store and policy for verification on arrival.
    pub verifier: Arc<crate::sigverify::Options>,
    /// Who hears of every change, inside its transaction (the compliance
    /// counters, the public log; wired by `crate::app`).
    pub observers: events::Observers,
    /// Where verifications run (bounded, with a deadline).
    pub verify_pool: verification::VerifyPool,
    /// How long a new document stays out of public view.
    pub publication_hold: std::time::Duration,
    /// Suffix of the secret series' outgoing numbers/symbols.
    pub secret_suffix: String,
    /// The online revocation fetcher (when enabled), for its periodic refresh.
    pub online: Option<Arc<crate::online::HttpFetch>>,
}

impl Registry {
    /// Whether the database answers (`GET /healthz`).
    pub async fn ping(&self) -> Result<()> {
        use sea_orm::ConnectionTrait;
        self.db.execute_unprepared("SELECT 1").await?;
        Ok(())
    }

    /// Open the database (running migrations) and the store named in
    /// `config`; every change is told to `observers`. The application
    /// opens it with its observers (`crate::app::open_registry`).
    pub async fn open(
        config: &Config,
        clock: Clock,
        observers: events::Observers,
    ) -> anyhow::Result<Self> {
        let db = crate::db::open(&config.database_url).await?;
        // Search texts written under an older recipe are rebuilt once.
        let rebuilt = search::ensure(&db)
            .await
            .map_err(|e| anyhow::anyhow!("rebuilding the search texts failed: {e}"))?;
        if rebuilt > 0 {
            tracing::info!(documents = rebuilt, "search texts rebuilt");
        }
        let store = BlobStore::open(&config.storage_url)?;
        let mut verifier = config.verify_options()?;
        let online = if config.online_revocation {
            let f = Arc::new(crate::online::HttpFetch::on_current_runtime()?);
            verifier.online = Some(crate::sigverify::Online(f.clone()));
            Some(f)
        } else {
            None
        };
        Ok(Self {
            db,
            store,
            clock,
            agency_code: config.agency_code.clone(),
            agency_name: config.agency_name.clone(),
            max_upload_bytes: config.max_upload_bytes,
            hooks: Arc::new(Hooks::default()),
            verifier: Arc::new(verifier),
            observers,
            verify_pool: verification::VerifyPool::new(
                config.verify_workers,
                config.verify_timeout,
            ),
            publication_hold: config.publication_hold,
            secret_suffix: config.secret_suffix.clone(),
            online,
        })
    }
}
