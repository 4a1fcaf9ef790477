//! Verification on arrival (Decree 30 Art. 21: the clerk checks
//! authenticity and integrity before accepting): every stored PDF is run
//! through [`crate::sigverify`]; each run is kept as a `verifications` row
//! (report JSON and trust-store version) with one `signatures` row per
//! signature. Re-verification adds rows; earlier reports stay as history.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use bytes::Bytes;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder,
};
use serde::Serialize;
use serde_json::Value;

use super::error::{Error, Result};
use super::events::Change;
use super::{Registry, audit};
use crate::entity::{documents, signatures, verifications};
use crate::sigverify::budget::Cancel;
use crate::sigverify::revocation::Evidence;
use crate::sigverify::{self, Options, report::Report};
use crate::store::Sha256Hex;
use tokio::sync::Semaphore;

/// Why a verification ran.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// When the document was registered.
    Registration,
    /// A later re-check (`vanthu reverify`).
    Reverify,
}

impl Reason {
    fn as_str(self) -> &'static str {
        match self {
            Reason::Registration => "registration",
            Reason::Reverify => "reverify",
        }
    }
}

/// The verifier options with the organisation certificates administrators
/// recorded for officials (`official_certificates.role = organisation`) pinned.
pub async fn options_with_pins<C: ConnectionTrait>(db: &C, base: &Options) -> Result<Arc<Options>> {
    use crate::entity::official_certificates;
    let pins = official_certificates::Entity::find()
        .filter(official_certificates::Column::Role.eq("organisation"))
        .all(db)
        .await?;
    let mut o = base.clone();
    o.trust
        .organisation_pins
        .extend(pins.into_iter().map(|p| p.fingerprint_sha256));
    Ok(Arc::new(o))
}

/// Counters of a [`VerifyPool`].
#[derive(Debug, Default)]
pub struct PoolStats {
    /// Verifications started.
    pub started: AtomicU64,
    /// Verifications finished (whatever their outcome).
    pub finished: AtomicU64,
    /// Verifications whose caller went away before they finished.
    pub abandoned: AtomicU64,
}

/// A bounded pool for verifications: at most `workers` run at once (each
/// on a blocking thread, off the async runtime), each under a deadline,
/// and a verification whose caller goes away (a dropped request, a server
/// shutting down) is cancelled instead of running on.
#[derive(Debug, Clone)]
pub struct VerifyPool {
    permits: Arc<Semaphore>,
    /// The wall-time limit of one verification.
    pub timeout: Duration,
    /// How long a caller waits for a free worker before being told to retry.
    pub wait: Duration,
    /// Counters.
    pub stats: Arc<PoolStats>,
}

impl Default for VerifyPool {
    fn default() -> Self {
        let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
        Self::new(workers, Duration::from_secs(30))
    }
}

/// Cancels a running verification when dropped before it finished.
struct CancelOnDrop {
    cancel: Cancel,
    done: Arc<AtomicBool>,
    stats: Arc<PoolStats>,
}

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        if !self.done.load(Ordering::Acquire) {
            self.cancel.cancel();
            self.stats.abandoned.fetch_add(1, Ordering::Relaxed);
        }
    }
}

impl VerifyPool {
    /// A pool of `workers` (at least one) with a per-verification `timeout`.
    pub fn new(workers: usize, timeout: Duration) -> Self {
        Self {
            permits: Arc::new(Semaphore::new(workers.max(1))),
            timeout,
            wait: Duration::from_secs(60),
            stats: Arc::new(PoolStats::default()),
        }
    }

    /// Run `f` on a worker; `f` is given the flag that is set if the caller
    /// goes away. Waiting longer than [`VerifyPool::wait`] for a worker is
    /// refused with 503.
    pub async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce(Cancel) -> T + Send + 'static,
    ) -> Result<T> {
        let permit = tokio::time::timeout(self.wait, self.permits.clone().acquire_owned())
            .await
            .map_err(|_| {
                Error::busy(
                    "verifier_busy",
                    "every signature verifier is busy; try again in a few seconds",
                )
            })?
            .map_err(|_| Error::Internal("the verifier pool is closed".into()))?;
        let cancel = Cancel::new();
        let done = Arc::new(AtomicBool::new(false));
        let guard = CancelOnDrop {
            cancel: cancel.clone(),
            done: done.clone(),
            stats: self.stats.clone(),
        };
        let stats = self.stats.clone();
        stats.started.fetch_add(1, Ordering::Relaxed);
        let out = tokio::task::spawn_blocking(move || {
            // The worker stays taken until the work really ends.
            let _permit = permit;
            let v = f(cancel);
            stats.finished.fetch_add(1, Ordering::Relaxed);
            v
        })
        .await;
        done.store(true, Ordering::Release);
        drop(guard);
        out.map_err(Error::Task)
    }
}

/// Verify `bytes` on `pool` at time `at`, under the pool's deadline; the
/// report and what it relied on.
pub async fn run(
    pool: &VerifyPool,
    opts: Arc<Options>,
    name: String,
    bytes: Bytes,
    at: DateTime<Utc>,
) -> Result<(Report, Evidence)> {
    let timeout = pool.timeout;
    pool.run(move |cancel| {
        let mut o = (*opts).clone();
        o.at = Some(at);
        o.limits.time = o.limits.time.min(timeout);
        o.cancel = Some(cancel);
        sigverify::verify_with_evidence(&name, &bytes, &o)
    })
    .await
}

fn word<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// Store a report (and what it relied on) for a document inside `txn`;
/// returns the verification id.
pub async fn store<C: ConnectionTrait>(
    txn: &C,
    document_id: i32,
    (report, ev): (&Report, &Evidence),
    reason: Reason,
    trust_version: &str,
    at: DateTime<Utc>,
) -> Result<i32> {
    let json = serde_json::to_string(report)?;
    let v = verifications::ActiveModel {
        document_id: Set(document_id),
        file_sha256: Set(report.sha256.clone()),
        verified_at: Set(at),
        reason: Set(reason.as_str().into()),
        trust_version: Set(trust_version.into()),
        status: Set(word(&report.status)),
        report: Set(json),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    for (i, s) in report.signatures.iter().enumerate() {
        signatures::ActiveModel {
            verification_id: Set(v.id),
            document_id: Set(document_id),
            position: Set(i as i32 + 1),
            field: Set(s.field.chars().take(300).collect()),
            kind: Set(word(&s.kind)),
            status: Set(word(&s.status)),
            sub_indication: Set(s.sub_indication.map(|x| x.code().to_string())),
            coverage: Set(word(&s.coverage)),
            modifications: Set(word(&s.modifications)),
            signer_name: Set(s
                .signer
                .as_ref()
                .and_then(|x| x.common_name.clone())
                .map(|n| n.chars().take(300).collect())),
            signer_organization: Set(s
                .signer
                .as_ref()
                .and_then(|x| x.organization.clone())
                .map(|n| n.chars().take(300).collect())),
            signer_fingerprint: Set(s.signer.as_ref().map(|x| x.fingerprint_sha256.clone())),
            signer_role: Set(s.signer.as_ref().map(|x| word(&x.role))),
            signing_time: Set(s.signing_time.clone()),
            ..Default::default()
        }
        .insert(txn)
        .await?;
    }
    super::evidence::store(txn, v.id, document_id, ev).await?;
    Ok(v.id)
}

/// The latest report of each of `ids`.
pub async fn latest<C: ConnectionTrait>(db: &C, ids: &[i32]) -> Result<HashMap<i32, Value>> {
    let mut out = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let rows = verifications::Entity::find()
        .filter(verifications::Column::DocumentId.is_in(ids.iter().copied()))
        .order_by_asc(verifications::Column::Id)
        .all(db)
        .await?;
    for r in rows {
        let v: Value = serde_json::from_str(&r.report)
            .map_err(|e| Error::Corrupt(format!("stored report is not JSON: {e}")))?;
        out.insert(r.document_id, v);
    }
    Ok(out)
}

/// One entry of a document's verification history.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct VerificationView {
    /// When it ran.
    pub verified_at: DateTime<Utc>,
    /// `registration` or `reverify`.
    pub reason: String,
    /// The trust store it ran with.
    pub trust_version: String,
    /// The file status.
    pub status: String,
    /// The full report.
    #[schema(value_type = Object)]
    pub report: Value,
}

/// What a re-verification run did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ReverifyReport {
    /// Documents checked.
    pub checked: u64,
    /// Documents whose status changed.
    pub changed: u64,
    /// Documents whose file could not be read.
    pub failed: u64,
}

impl Registry {
    /// Verify an uploaded PDF without registering it.
    pub async fn verify_upload(&self, name: &str, bytes: Bytes) -> Result<Report> {
        let opts = options_with_pins(&self.db, &self.verifier).await?;
        Ok(run(
            &self.verify_pool,
            opts,
            name.to_string(),
            bytes,
            self.clock.now(),
        )
        .await?
        .0)
    }

    /// Every verification of a document, oldest first.
    pub async fn verification_history(&self, id: i32) -> Result<Vec<VerificationView>> {
        self.get(id).await?;
        verifications::Entity::find()
            .filter(verifications::Column::DocumentId.eq(id))
            .order_by_asc(verifications::Column::Id)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|r| {
                Ok(VerificationView {
                    verified_at: r.verified_at,
                    reason: r.reason,
                    trust_version: r.trust_version,
                    status: r.status,
                    report: serde_json::from_str(&r.report).map_err(|e| {
                        Error::Corrupt(format!("stored report {} is not JSON: {e}", r.id))
                    })?,
                })
            })
            .collect()
    }

    /// Re-check every stored document with a file (registered on or after
    /// `since`, when given) under the current trust store; `progress` is
    /// called with (done, total).
    pub async fn reverify(
        &self,
        since: Option<NaiveDate>,
        progress: impl Fn(u64, u64),
    ) -> Result<ReverifyReport> {
        let mut q = documents::Entity::find().filter(documents::Column::FileSha256.is_not_null());
        if let Some(d) = since {
            q = q.filter(documents::Column::RegisterDate.gte(d));
        }
        let docs = q.order_by_asc(documents::Column::Id).all(&self.db).await?;
        let total = docs.len() as u64;
        let opts = options_with_pins(&self.db, &self.verifier).await?;
        let trust_version = opts.trust.version();
        let mut out = ReverifyReport::default();
        for (i, d) in docs.into_iter().enumerate() {
            progress(i as u64, total);
            let Some(sha) = d.file_sha256.as_deref().and_then(Sha256Hex::parse) else {
                continue;
            };
            let bytes = match self.store.get(&sha).await {
                Ok(b) => b,
                Err(e) => {
                    tracing::error!(document = d.id, error = %e, "cannot read the stored file");
                    out.failed += 1;
                    continue;
                }
            };
            let before = latest(&self.db, &[d.id])
                .await?
                .remove(&d.id)
                .and_then(|v| v.get("status").cloned());
            let now = audit::micros(self.clock.now());
            // What earlier verifications relied on (revocation data fetched
            // then) is given to this one too.
            let (crls, ocsps) = super::evidence::revocation_data(&self.db, d.id).await?;
            let doc_opts = if crls.is_empty() && ocsps.is_empty() {
                opts.clone()
            } else {
                let mut o = (*opts).clone();
                o.trust.crls.extend(crls);
                o.trust.ocsps.extend(ocsps);
                Arc::new(o)
            };
            let (report, ev) = run(
                &self.verify_pool,
                doc_opts,
                format!("document-{}.pdf", d.id),
                bytes,
                now,
            )
            .await?;
            let txn = crate::db::begin_write(&self.db).await?;
            self.observers.before(&txn, d.id).await?;
            store(
                &txn,
                d.id,
                (&report, &ev),
                Reason::Reverify,
                &trust_version,
                now,
            )
            .await?;
            let after = serde_json::json!(word(&report.status));
            let outcome_changed = before.as_ref() != Some(&after);
            self.changed(&txn, d.id, Change::Reverified { outcome_changed }, now)
                .await?;
            if outcome_changed {
                out.changed += 1;
                audit::append(
                    &txn,
                    now,
                    "reverify",
                    "verification_changed",
                    Some(d.id),
                    &serde_json::json!({"from": before, "to": after, "trust_version": trust_version}),
                )
                .await?;
            }
            txn.commit().await?;
            out.checked += 1;
        }
        progress(total, total);
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_dropped_caller_cancels_its_verification() {
        let pool = VerifyPool::new(1, Duration::from_secs(30));
        let saw_cancel = Arc::new(AtomicBool::new(false));
        let seen = saw_cancel.clone();
        let work = pool.run(move |cancel| {
            let start = std::time::Instant::now();
            while start.elapsed() < Duration::from_secs(20) {
                if cancel.is_cancelled() {
                    seen.store(true, Ordering::SeqCst);
                    return;
                }
                std::thread::sleep(Duration::from_millis(5));
            }
        });
        // The caller gives up after 100 ms (as a dropped request does).
        assert!(
            tokio::time::timeout(Duration::from_millis(100), work)
                .await
                .is_err()
        );
        for _ in 0..400 {
            if pool.stats.finished.load(Ordering::SeqCst) == 1 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert!(saw_cancel.load(Ordering::SeqCst), "the work saw the cancel");
        assert_eq!(pool.stats.abandoned.load(Ordering::SeqCst), 1);
        // The worker is free again.
        assert_eq!(pool.run(|_| 7).await.ok(), Some(7));
    }

    #[tokio::test]
    async fn a_full_pool_answers_busy_after_its_wait() {
        let mut pool = VerifyPool::new(1, Duration::from_secs(30));
        pool.wait = Duration::from_millis(50);
        let p2 = pool.clone();
        let slow = tokio::spawn(async move {
            p2.run(|_| std::thread::sleep(Duration::from_millis(500)))
                .await
        });
        tokio::time::sleep(Duration::from_millis(20)).await;
        let e = pool.run(|_| ()).await.expect_err("busy");
        assert_eq!(e.rejection().map(|r| r.code), Some("verifier_busy"));
        slow.await.expect("join").expect("slow one finishes");
    }
}
