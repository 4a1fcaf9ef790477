//! The hash-chained audit log: every change to a register appends an entry
//! carrying the hash of the previous one, in the same transaction as the
//! change; `verify` recomputes the chain and names the first broken entry.
//!
//! `hash = SHA-256(JSON [id, at, actor, action, document_id, details, prev_hash])`
//! with `at` in RFC 3339 UTC to the microsecond and `details` the stored
//! JSON text. The first entry chains to 64 zeros. Appends are serialised by
//! updating the one-row `audit_head` table first (a row lock on PostgreSQL;
//! SQLite writers are already serialised).

use chrono::{DateTime, SecondsFormat, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect,
};
use serde::Serialize;

use super::error::Result;
use super::sql::query_one;
use crate::entity::audit_log;

/// The `prev_hash` of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Truncate to microseconds, the precision both databases keep.
pub fn micros(t: DateTime<Utc>) -> DateTime<Utc> {
    let nanos = t.timestamp_subsec_nanos();
    t - chrono::Duration::nanoseconds(i64::from(nanos % 1000))
}

/// The hash of an entry's fields.
pub fn entry_hash(
    id: i32,
    at: DateTime<Utc>,
    actor: &str,
    action: &str,
    document_id: Option<i32>,
    details: &str,
    prev_hash: &str,
) -> String {
    let canonical = serde_json::json!([
        id,
        at.to_rfc3339_opts(SecondsFormat::Micros, true),
        actor,
        action,
        document_id,
        details,
        prev_hash
    ]);
    hex::encode(openssl::sha::sha256(canonical.to_string().as_bytes()))
}

/// The id of the newest audit entry (0 before the first): it grows with
/// every change to the registers, so callers can tell whether anything
/// changed since they last looked.
pub async fn last_id<C: sea_orm::ConnectionTrait>(db: &C) -> Result<i64> {
    let head = query_one(db, "SELECT last_id FROM audit_head WHERE id = 1", vec![]).await?;
    Ok(i64::from(head.try_get::<i32>("", "last_id")?))
}

/// Append an entry inside `txn`, chained to the previous one.
pub async fn append(
    txn: &DatabaseTransaction,
    at: DateTime<Utc>,
    actor: &str,
    action: &str,
    document_id: Option<i32>,
    details: &serde_json::Value,
) -> Result<i32> {
    let head = query_one(
        txn,
        "UPDATE audit_head SET last_id = last_id + 1 WHERE id = 1 RETURNING last_id, last_hash",
        vec![],
    )
    .await?;
    let id: i32 = head.try_get("", "last_id")?;
    let prev_hash: String = head.try_get("", "last_hash")?;
    let at = micros(at);
    let details = details.to_string();
    let hash = entry_hash(id, at, actor, action, document_id, &details, &prev_hash);
    audit_log::Entity::insert(audit_log::ActiveModel {
        id: Set(id),
        at: Set(at),
        actor: Set(actor.to_string()),
        action: Set(action.to_string()),
        document_id: Set(document_id),
        details: Set(details),
        prev_hash: Set(prev_hash),
        hash: Set(hash.clone()),
    })
    .exec_without_returning(txn)
    .await?;
    query_one(
        txn,
        "UPDATE audit_head SET last_hash = ? WHERE id = 1 RETURNING last_id",
        vec![hash.into()],
    )
    .await?;
    Ok(id)
}

/// Append an entry and commit the transaction holding the change it records.
pub async fn commit_with(
    txn: DatabaseTransaction,
    at: DateTime<Utc>,
    actor: &str,
    action: &str,
    document_id: Option<i32>,
    details: &serde_json::Value,
) -> Result<()> {
    append(&txn, at, actor, action, document_id, details).await?;
    txn.commit().await?;
    Ok(())
}

/// The outcome of checking the chain.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ChainReport {
    /// Entries checked.
    pub entries: u64,
    /// True when every entry and the head agree.
    pub ok: bool,
    /// The first entry found broken, if any.
    pub first_broken_id: Option<i32>,
    /// What is wrong, if anything.
    pub problem: Option<String>,
}

/// Recompute the whole chain, in batches.
pub async fn verify(db: &DatabaseConnection) -> Result<ChainReport> {
    const BATCH: u64 = 1000;
    let mut expected_id = 1;
    let mut prev = GENESIS.to_string();
    let mut entries = 0u64;
    let broken = |id: i32, entries: u64, p: String| ChainReport {
        entries,
        ok: false,
        first_broken_id: Some(id),
        problem: Some(p),
    };
    loop {
        let rows = audit_log::Entity::find()
            .filter(audit_log::Column::Id.gte(expected_id))
            .order_by_asc(audit_log::Column::Id)
            .limit(BATCH)
            .all(db)
            .await?;
        if rows.is_empty() {
            break;
        }
        for r in rows {
            entries += 1;
            if r.id != expected_id {
                return Ok(broken(
                    expected_id,
                    entries,
                    format!("entry {expected_id} is missing (next is {})", r.id),
                ));
            }
            if r.prev_hash != prev {
                return Ok(broken(
                    r.id,
                    entries,
                    format!("entry {} does not chain to entry {}", r.id, r.id - 1),
                ));
            }
            let h = entry_hash(
                r.id,
                r.at,
                &r.actor,
                &r.action,
                r.document_id,
                &r.details,
                &r.prev_hash,
            );
            if h != r.hash {
                return Ok(broken(
                    r.id,
                    entries,
                    format!(
                        "entry {} was altered: its content no longer matches its hash",
                        r.id
                    ),
                ));
            }
            prev = r.hash;
            expected_id += 1;
        }
    }
    let head = query_one(
        db,
        "SELECT last_id, last_hash FROM audit_head WHERE id = 1",
        vec![],
    )
    .await?;
    let last_id: i32 = head.try_get("", "last_id")?;
    let last_hash: String = head.try_get("", "last_hash")?;
    if last_id != expected_id - 1 || last_hash != prev {
        return Ok(broken(
            expected_id.min(last_id.max(1)),
            entries,
            format!(
                "the log ends at entry {} but its head records entry {last_id}: entries were removed from the end",
                expected_id - 1
            ),
        ));
    }
    Ok(ChainReport {
        entries,
        ok: true,
        first_broken_id: None,
        problem: None,
    })
}

/// One audit entry as the API returns it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AuditEntryView {
    /// Sequence number, from 1.
    pub id: i32,
    /// When.
    pub at: DateTime<Utc>,
    /// Who.
    pub actor: String,
    /// What (`register`, `handling`, `recall`, …).
    pub action: String,
    /// The document concerned.
    pub document_id: Option<i32>,
    /// Details of the change.
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
    /// Hash of the previous entry.
    pub prev_hash: String,
    /// Hash of this entry.
    pub hash: String,
}

/// The history of one document, oldest first.
pub async fn for_document(
    db: &DatabaseConnection,
    document_id: i32,
) -> Result<Vec<AuditEntryView>> {
    Ok(audit_log::Entity::find()
        .filter(audit_log::Column::DocumentId.eq(document_id))
        .order_by_asc(audit_log::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|r| AuditEntryView {
            id: r.id,
            at: r.at,
            actor: r.actor,
            action: r.action,
            document_id: r.document_id,
            details: serde_json::from_str(&r.details)
                .unwrap_or(serde_json::Value::String(r.details)),
            prev_hash: r.prev_hash,
            hash: r.hash,
        })
        .collect())
}

impl super::Registry {
    /// Recompute the audit chain (`GET /api/v1/audit/verify`).
    pub async fn audit_chain(&self) -> Result<ChainReport> {
        verify(&self.db).await
    }

    /// The audit entries about document `id`, oldest first.
    pub async fn audit_of_document(&self, id: i32) -> Result<Vec<AuditEntryView>> {
        for_document(&self.db, id).await
    }

    /// The newest audit entry's id (0 when empty): every change appends
    /// one, so caches key on it.
    pub async fn last_audit_id(&self) -> Result<i64> {
        last_id(&self.db).await
    }
}
