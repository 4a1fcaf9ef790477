//! Sequencing: pending events get the next indexes, and their leaf hashes and
//! the complete subtree hashes they close are stored, in one transaction.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, Value};

use super::Log;
use crate::registry::error::{Error, Result};
use crate::registry::sql::{query_one, stmt};
use crate::tlog::Hash;
use crate::tlog::merkle::{self, node_hash};

/// Most pending events sequenced in one batch.
const BATCH: i64 = 20_000;

impl Log {
    /// Sequence pending events; returns the new size.
    pub async fn integrate(&self, now: DateTime<Utc>) -> Result<u64> {
        let txn = crate::db::begin_write(&self.db).await?;
        let size = query_one(
            &txn,
            "SELECT COALESCE(MAX(idx) + 1, 0) AS n FROM tlog_entries",
            vec![],
        )
        .await?
        .try_get::<i64>("", "n")? as u64;
        let pending = txn
            .query_all_raw(stmt(
                txn.get_database_backend(),
                "SELECT id, document_id, data FROM tlog_pending WHERE not_before IS NULL OR not_before <= ? ORDER BY id LIMIT ?",
                vec![now.into(), BATCH.into()],
            ))
            .await?;
        if pending.is_empty() {
            return Ok(size);
        }
        let mut cache: HashMap<(u32, u64), Hash> = HashMap::new();
        let mut entries: Vec<(i64, Option<i32>, String, String)> =
            Vec::with_capacity(pending.len());
        let mut new_nodes: Vec<(u32, u64, Hash)> = Vec::new();
        let mut done_ids: Vec<i32> = Vec::with_capacity(pending.len());
        for (k, r) in pending.iter().enumerate() {
            let id: i32 = r.try_get("", "id")?;
            let doc: Option<i32> = r.try_get("", "document_id")?;
            let data: String = r.try_get("", "data")?;
            let i = size + k as u64;
            let mut h = merkle::leaf_hash(data.as_bytes());
            entries.push((i as i64, doc, data, hex::encode(h)));
            new_nodes.push((0, i, h));
            cache.insert((0, i), h);
            let (mut idx, mut level) = (i, 0u32);
            while idx & 1 == 1 {
                let left = match cache.get(&(level, idx - 1)) {
                    Some(l) => *l,
                    None => {
                        let n = self.fetch(&txn, &[(level, idx - 1)]).await?;
                        *n.0.get(&(level, idx - 1))
                            .ok_or_else(|| Error::Internal("missing subtree hash".into()))?
                    }
                };
                h = node_hash(&left, &h);
                idx >>= 1;
                level += 1;
                cache.insert((level, idx), h);
                new_nodes.push((level, idx, h));
            }
            done_ids.push(id);
        }
        let backend = txn.get_database_backend();
        for chunk in entries.chunks(200) {
            let marks = vec!["(?, ?, ?, ?, ?)"; chunk.len()].join(",");
            let mut vals: Vec<Value> = Vec::with_capacity(chunk.len() * 5);
            for (i, d, data, lh) in chunk {
                vals.extend([
                    (*i).into(),
                    (*d).into(),
                    data.clone().into(),
                    lh.clone().into(),
                    now.into(),
                ]);
            }
            txn.execute_raw(stmt(backend, &format!("INSERT INTO tlog_entries (idx, document_id, data, leaf_hash, sequenced_at) VALUES {marks}"), vals))
                .await?;
        }
        for chunk in new_nodes.chunks(300) {
            let marks = vec!["(?, ?, ?)"; chunk.len()].join(",");
            let mut vals: Vec<Value> = Vec::with_capacity(chunk.len() * 3);
            for (l, i, h) in chunk {
                vals.extend([
                    (*l as i32).into(),
                    (*i as i64).into(),
                    hex::encode(h).into(),
                ]);
            }
            txn.execute_raw(stmt(
                backend,
                &format!("INSERT INTO tlog_nodes (level, idx, hash) VALUES {marks}"),
                vals,
            ))
            .await?;
        }
        // Delete exactly what was sequenced: on PostgreSQL an event with a
        // lower id may commit after this batch was read, and must stay queued.
        for chunk in done_ids.chunks(500) {
            let marks = vec!["?"; chunk.len()].join(",");
            let vals: Vec<Value> = chunk.iter().map(|i| Value::from(*i)).collect();
            txn.execute_raw(stmt(
                backend,
                &format!("DELETE FROM tlog_pending WHERE id IN ({marks})"),
                vals,
            ))
            .await?;
        }
        txn.commit().await?;
        Ok(size + entries.len() as u64)
    }
}
