//! Queueing public events: the log as the registry's observer, the events
//! queued (and withdrawn) in the writing transaction, and synthetic ones for
//! benchmarks.

use chrono::{DateTime, SecondsFormat, Utc};
use sea_orm::{ConnectionTrait, DatabaseTransaction, Value};

use super::Log;
use crate::public::{LogEvent, project};
use crate::registry::documents::DocumentView;
use crate::registry::error::Result;
use crate::registry::events::{Change, Event, Notes, Observer};
use crate::registry::sql::stmt;

/// Queue a public event about `doc` in the caller's transaction. Secret
/// documents queue nothing.
pub async fn enqueue<C: ConnectionTrait>(
    c: &C,
    doc: &DocumentView,
    event: &str,
    at: DateTime<Utc>,
) -> Result<()> {
    let Some(document) = project(doc) else {
        return Ok(());
    };
    let e = LogEvent {
        document,
        event: event.to_string(),
        time: at.to_rfc3339_opts(SecondsFormat::Secs, true),
    };
    let data = serde_json::to_string(&e)?;
    // Held until the document's publication time.
    let not_before = doc.publish_at.max(at);
    c.execute_raw(stmt(
        c.get_database_backend(),
        "INSERT INTO tlog_pending (document_id, data, created_at, not_before) VALUES (?, ?, ?, ?)",
        vec![doc.id.into(), data.into(), at.into(), not_before.into()],
    ))
    .await?;
    Ok(())
}

/// The public log as an observer of the registry: each change the public
/// hears of is queued with the document's public projection, and a
/// document whose secrecy is raised is withdrawn — in the writing
/// transaction, so nothing is published of a change that rolled back.
#[derive(Debug, Default)]
pub struct Publisher;

#[async_trait::async_trait]
impl Observer for Publisher {
    fn name(&self) -> &'static str {
        "public log"
    }

    async fn before(&self, _txn: &DatabaseTransaction, _id: i32) -> Result<()> {
        Ok(())
    }

    async fn after(
        &self,
        txn: &DatabaseTransaction,
        event: &Event<'_>,
        notes: &mut Notes,
    ) -> Result<()> {
        if event.change == Change::SecrecyRaised {
            let withdrawn = withdraw(txn, event.document_id, event.at).await?;
            notes.insert("withdrawn_from_public".into(), withdrawn.into());
        } else if let (Some(name), Some(doc)) = (event.change.public_name(), event.document) {
            enqueue(txn, doc, name, event.at).await?;
        }
        Ok(())
    }
}

/// Take a document out of public view in the caller's transaction: its
/// events still held are dropped (nothing of it is ever published), and
/// if entries were already published a content-free `withdrawn` entry is
/// queued. Returns whether anything had been published. The log stays
/// append-only: what was published remains in its entries, and may have
/// been copied by anyone who read it.
pub async fn withdraw<C: ConnectionTrait>(c: &C, id: i32, at: DateTime<Utc>) -> Result<bool> {
    let b = c.get_database_backend();
    c.execute_raw(stmt(
        b,
        "DELETE FROM tlog_pending WHERE document_id = ?",
        vec![id.into()],
    ))
    .await?;
    let published = c
        .query_one_raw(stmt(
            b,
            "SELECT 1 AS x FROM tlog_entries WHERE document_id = ? LIMIT 1",
            vec![id.into()],
        ))
        .await?
        .is_some();
    if published {
        let data = serde_json::json!({
            "document": {"id": id},
            "event": "withdrawn",
            "time": at.to_rfc3339_opts(SecondsFormat::Secs, true),
        })
        .to_string();
        c.execute_raw(stmt(
            b,
            "INSERT INTO tlog_pending (document_id, data, created_at, not_before) VALUES (?, ?, ?, ?)",
            vec![id.into(), data.into(), at.into(), at.into()],
        ))
        .await?;
    }
    Ok(published)
}

impl Log {
    /// Queue `n` synthetic public events (for benchmarks).
    pub async fn enqueue_synthetic(&self, n: usize, now: DateTime<Utc>) -> Result<()> {
        let txn = crate::db::begin_write(&self.db).await?;
        let backend = txn.get_database_backend();
        for start in (0..n).step_by(300) {
            let k = (n - start).min(300);
            let marks = vec!["(?, ?, ?)"; k].join(",");
            let mut vals: Vec<Value> = Vec::with_capacity(k * 3);
            for i in start..start + k {
                vals.extend([
                    Value::from(None::<i32>),
                    format!("{{\"bench\":{i},\"subject\":\"Văn bản thử {i}\"}}").into(),
                    now.into(),
                ]);
            }
            txn.execute_raw(stmt(
                backend,
                &format!("INSERT INTO tlog_pending (document_id, data, created_at) VALUES {marks}"),
                vals,
            ))
            .await?;
        }
        txn.commit().await?;
        Ok(())
    }
}
