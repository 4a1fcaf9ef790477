//! Verification on arrival (Decree 30 Art. 21: the clerk checks
//! authenticity and integrity before accepting): every stored PDF is run
//! through [`crate::sigverify`]; each run is kept as a `verifications` row
//! (report JSON and trust-store version) with one `signatures` row per
//! signature. Re-verification adds rows; earlier reports stay as history.

use std::collections::HashMap;
use std::sync::Arc;

use bytes::Bytes;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder,
};
use serde::Serialize;
use serde_json::Value;

use super::error::{Error, Result};
use super::{Registry, audit};
use crate::entity::{documents, signatures, verifications};
use crate::sigverify::{self, Options, report::Report};
use crate::store::Sha256Hex;

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

/// Run the verifier off the async runtime, at time `at`.
pub async fn run(
    opts: Arc<Options>,
    name: String,
    bytes: Bytes,
    at: DateTime<Utc>,
) -> Result<Report> {
    tokio::task::spawn_blocking(move || {
        let mut o = (*opts).clone();
        o.at = Some(at);
        sigverify::verify(&name, &bytes, &o)
    })
    .await
    .map_err(|e| Error::Internal(format!("the verifier stopped: {e}")))
}

fn word<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// Store a report for a document inside `txn`; returns the verification id.
pub async fn store<C: ConnectionTrait>(
    txn: &C,
    document_id: i32,
    report: &Report,
    reason: Reason,
    trust_version: &str,
    at: DateTime<Utc>,
) -> Result<i32> {
    let json = serde_json::to_string(report).map_err(|e| Error::Internal(e.to_string()))?;
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
            .map_err(|e| Error::Internal(format!("stored report is not JSON: {e}")))?;
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
        run(opts, name.to_string(), bytes, self.clock.now()).await
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
                    report: serde_json::from_str(&r.report)
                        .map_err(|e| Error::Internal(e.to_string()))?,
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
            let report = run(opts.clone(), format!("document-{}.pdf", d.id), bytes, now).await?;
            let txn = crate::db::begin_write(&self.db).await?;
            crate::compliance::rollup::apply(&txn, d.id, -1).await?;
            store(&txn, d.id, &report, Reason::Reverify, &trust_version, now).await?;
            crate::compliance::rollup::apply(&txn, d.id, 1).await?;
            let after = serde_json::json!(word(&report.status));
            if before.as_ref() != Some(&after) {
                let view = self.get_in(&txn, d.id).await?;
                crate::public::log::enqueue(&txn, &view, "verification_changed", now).await?;
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
