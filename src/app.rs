//! The application assembled: the registry with its observers (compliance
//! counters, public log), the log, the web state and the background work
//! (sequencing the log and signing checkpoints, refreshing CRLs, sweeping
//! files left by failed requests). `vanthu serve` and the integration
//! harness both start vanthu through [`Application::build`], so what the
//! tests run is what production runs.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;

use crate::clock::Clock;
use crate::config::Config;
use crate::public::log::{Log, Publisher};
use crate::registry::Registry;
use crate::registry::events::Observers;
use crate::web::{self, AppState, WebSettings};

/// How often the log is sequenced (and a checkpoint signed if it grew).
pub const SEQUENCE_EVERY: Duration = Duration::from_secs(2);

/// How often the online revocation cache is looked at for CRLs due.
const CRL_REFRESH_EVERY: Duration = Duration::from_secs(600);

/// Files younger than this are never swept at start (a request may still
/// be writing them on another instance).
const SWEEP_GRACE: Duration = Duration::from_secs(3600);

/// The observers every registry of the application has, in order: the
/// compliance counters, then the public log.
pub fn observers() -> Observers {
    Observers::new(vec![
        Arc::new(crate::compliance::rollup::Counters),
        Arc::new(Publisher),
    ])
}

/// Open the registry named in `config` with the application's observers,
/// building once what an older database lacks (the compliance counters).
/// Every command that changes documents opens the registry this way.
pub async fn open_registry(config: &Config, clock: Clock) -> anyhow::Result<Registry> {
    let reg = Registry::open(config, clock, observers()).await?;
    // Counters added by a later migration are built once from the documents.
    crate::compliance::rollup::ensure(&reg.db)
        .await
        .context("building the compliance counters failed")?;
    Ok(reg)
}

/// Open the public log of `registry` as `config` names it.
pub fn open_log(config: &Config, registry: &Registry) -> anyhow::Result<Log> {
    Log::open(registry.db.clone(), &config.data_dir, &config.log_origin)
}

/// What [`Application::build`] may change from the configuration's defaults.
#[derive(Debug, Clone)]
pub struct Setup {
    /// Web settings (default: from the configuration).
    pub web: Option<WebSettings>,
    /// How often the background sequencer runs; `None` runs none (tests
    /// that sequence by hand).
    pub sequence_every: Option<Duration>,
    /// Extra trust anchors for verification on arrival (the demo's CA).
    pub extra_anchors: Vec<openssl::x509::X509>,
    /// Accept signatures whose revocation status cannot be known (the
    /// demo's CA publishes no CRL).
    pub accept_unknown_revocation: bool,
}

impl Default for Setup {
    fn default() -> Self {
        Self {
            web: None,
            sequence_every: Some(SEQUENCE_EVERY),
            extra_anchors: Vec::new(),
            accept_unknown_revocation: false,
        }
    }
}

/// Everything `vanthu serve` runs, ready to serve on a listener.
pub struct Application {
    /// The registry.
    pub registry: Arc<Registry>,
    /// The public log.
    pub log: Arc<Log>,
    /// The web state (handlers' view of the application).
    pub state: AppState,
    sequence_every: Option<Duration>,
}

impl std::fmt::Debug for Application {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Application")
            .field("observers", &self.registry.observers)
            .field("sequence_every", &self.sequence_every)
            .finish_non_exhaustive()
    }
}

impl Application {
    /// Assemble the application of `config` on `clock`: open the registry
    /// (migrating the database) and the log, sweep files left by failed
    /// requests, and build the web state.
    pub async fn build(config: &Config, clock: Clock, setup: Setup) -> anyhow::Result<Self> {
        let mut reg = open_registry(config, clock).await?;
        if !setup.extra_anchors.is_empty() || setup.accept_unknown_revocation {
            let mut opts = (*reg.verifier).clone();
            opts.trust.anchors.extend(setup.extra_anchors);
            opts.policy.accept_unknown_revocation |= setup.accept_unknown_revocation;
            reg.verifier = Arc::new(opts);
        }
        // Sweep files left by requests that failed before a previous shutdown.
        match reg.gc(SWEEP_GRACE).await {
            Ok(r) if r.deleted > 0 => {
                tracing::info!(deleted = r.deleted, "swept unreferenced files")
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "could not sweep unreferenced files"),
        }
        let log = Arc::new(open_log(config, &reg)?);
        let registry = Arc::new(reg);
        let settings = setup
            .web
            .unwrap_or_else(|| WebSettings::from_config(config));
        let state = AppState::with_settings(registry.clone(), log.clone(), settings);
        Ok(Self {
            registry,
            log,
            state,
            sequence_every: setup.sequence_every,
        })
    }

    /// Serve on `listener` until `shutdown` completes, with the background
    /// work running; the background work stops with the server.
    pub async fn run(
        self,
        listener: tokio::net::TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let tasks = self.spawn_background();
        let served = web::serve(listener, self.state, shutdown).await;
        for t in tasks {
            t.abort();
        }
        served.context("serving failed")
    }

    /// Start the background work: the sequencer (when enabled) and the CRL
    /// refresh (when online revocation is on). Dropping the handles does
    /// not stop them; abort them.
    pub fn spawn_background(&self) -> Vec<tokio::task::JoinHandle<()>> {
        let mut tasks = Vec::new();
        if let Some(every) = self.sequence_every {
            let log = self.log.clone();
            let clock = self.registry.clock.clone();
            tasks.push(tokio::spawn(sequencer(log, clock, every)));
        }
        if let Some(online) = self.registry.online.clone() {
            tasks.push(tokio::spawn(async move {
                loop {
                    tokio::time::sleep(CRL_REFRESH_EVERY).await;
                    let n = online.refresh_due(chrono::Duration::hours(1)).await;
                    if n > 0 {
                        tracing::info!(refreshed = n, "CRLs refreshed");
                    }
                }
            }));
        }
        tasks
    }
}

/// Sequence the public events that are due, in batches, and sign a
/// checkpoint whenever the tree grew; forever, every `every`. Time is the
/// registry's clock, so publication holds mean the same here as on the
/// pages.
pub async fn sequencer(log: Arc<Log>, clock: Clock, every: Duration) {
    let mut signed = None;
    loop {
        match log.integrate(clock.now()).await {
            Ok(size) if signed != Some(size) => match log.checkpoint(clock.now()).await {
                Ok(_) => signed = Some(size),
                Err(e) => tracing::error!(error = %e, "cannot sign a checkpoint"),
            },
            Ok(_) => {}
            Err(e) => tracing::error!(error = %e, "cannot sequence the log"),
        }
        tokio::time::sleep(every).await;
    }
}
