//! The stored complete subtree hashes (RFC 6962): fetching the nodes an
//! operation needs, and computing tree hashes over them.

use std::collections::HashMap;

use sea_orm::{ConnectionTrait, Value};

use super::{Log, hash_of};
use crate::registry::error::{Error, Result};
use crate::registry::sql::stmt;
use crate::tlog::Hash;
use crate::tlog::merkle::{self, SubtreeHasher, node_hash, split};

/// Complete subtree hashes fetched for one operation.
pub(super) struct Nodes(pub(super) HashMap<(u32, u64), Hash>);

/// MTH(D[start:end]) from complete subtree hashes (node (h, i) covers leaves [i·2^h, (i+1)·2^h)).
fn mth_via(start: u64, end: u64, node: &mut dyn FnMut(u32, u64) -> Hash) -> Hash {
    let n = end - start;
    if n.is_power_of_two() && start.is_multiple_of(n) {
        return node(n.trailing_zeros(), start / n);
    }
    let k = split(n);
    let l = mth_via(start, start + k, node);
    let r = mth_via(start + k, end, node);
    node_hash(&l, &r)
}

/// Records which complete nodes an operation needs.
struct Recorder(std::cell::RefCell<Vec<(u32, u64)>>);

impl SubtreeHasher for Recorder {
    fn mth(&self, start: u64, end: u64) -> Hash {
        mth_via(start, end, &mut |h, i| {
            self.0.borrow_mut().push((h, i));
            [0; 32]
        })
    }
}

impl SubtreeHasher for Nodes {
    fn mth(&self, start: u64, end: u64) -> Hash {
        mth_via(start, end, &mut |h, i| {
            self.0.get(&(h, i)).copied().unwrap_or([0; 32])
        })
    }
}

impl Log {
    /// The stored nodes among `need` (those missing are left out).
    pub(super) async fn fetch(
        &self,
        c: &impl ConnectionTrait,
        need: &[(u32, u64)],
    ) -> Result<Nodes> {
        let mut want: Vec<(u32, u64)> = need.to_vec();
        want.sort_unstable();
        want.dedup();
        let mut out = HashMap::with_capacity(want.len());
        // A proof needs a few dozen nodes: one statement of primary-key point lookups.
        for chunk in want.chunks(100) {
            let sql = vec![
                "SELECT level, idx, hash FROM tlog_nodes WHERE level = ? AND idx = ?";
                chunk.len()
            ]
            .join(" UNION ALL ");
            let mut vals: Vec<Value> = Vec::with_capacity(chunk.len() * 2);
            for (h, i) in chunk {
                vals.push((*h as i32).into());
                vals.push((*i as i64).into());
            }
            let rows = c
                .query_all_raw(stmt(c.get_database_backend(), &sql, vals))
                .await?;
            for r in rows {
                let h: i32 = r.try_get("", "level")?;
                let i: i64 = r.try_get("", "idx")?;
                let hx: String = r.try_get("", "hash")?;
                out.insert((h as u32, i as u64), hash_of(&hx)?);
            }
        }
        Ok(Nodes(out))
    }

    /// Nodes an operation needs, then the operation over them.
    pub(super) async fn with_nodes<T>(
        &self,
        c: &impl ConnectionTrait,
        f: impl Fn(&dyn SubtreeHasher) -> T,
    ) -> Result<T> {
        let rec = Recorder(std::cell::RefCell::new(Vec::new()));
        f(&rec);
        let need = rec.0.into_inner();
        let nodes = self.fetch(c, &need).await?;
        if nodes.0.len() < {
            let mut n = need.clone();
            n.sort_unstable();
            n.dedup();
            n.len()
        } {
            return Err(Error::Corrupt(
                "the log's stored hashes are incomplete".into(),
            ));
        }
        Ok(f(&nodes))
    }

    /// The root of the tree of `size` entries.
    pub async fn root(&self, size: u64) -> Result<Hash> {
        self.with_nodes(&self.db, |h| merkle::root(h, size)).await
    }
}
