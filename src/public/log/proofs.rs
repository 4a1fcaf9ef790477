//! Proofs and tiles: inclusion and consistency proofs, hash tiles and entry
//! bundles (C2SP tlog-tiles), and finding an entry by its leaf hash.

use sea_orm::ConnectionTrait;

use super::{Log, tl};
use crate::registry::error::{Error, Result};
use crate::registry::sql::stmt;
use crate::tlog::Hash;
use crate::tlog::merkle;
use crate::tlog::tiles::TILE_WIDTH;

impl Log {
    /// Inclusion proof of entry `index` in the tree of `size`.
    pub async fn inclusion(&self, index: u64, size: u64) -> Result<Vec<Hash>> {
        self.check_size(size).await?;
        if index >= size {
            return Err(Error::invalid(
                "invalid_value",
                "index",
                format!("index {index} is not in a tree of size {size}"),
            ));
        }
        self.with_nodes(&self.db, |h| merkle::inclusion_proof(h, index, size))
            .await?
            .map_err(tl)
    }

    /// Consistency proof from `m` to `n`.
    pub async fn consistency(&self, m: u64, n: u64) -> Result<Vec<Hash>> {
        self.check_size(n).await?;
        if m > n {
            return Err(Error::invalid(
                "invalid_value",
                "from",
                format!("from {m} is larger than to {n}"),
            ));
        }
        self.with_nodes(&self.db, |h| merkle::consistency_proof(h, m, n))
            .await?
            .map_err(tl)
    }

    /// Refuse a tree `size` larger than the log.
    async fn check_size(&self, size: u64) -> Result<()> {
        let have = self.size().await?;
        if size > have {
            return Err(Error::invalid(
                "invalid_value",
                "size",
                format!("the log has {have} entries, not {size}"),
            ));
        }
        Ok(())
    }

    /// Hash tile (`level`, `n`) of width `w`: None when the log does not have it (yet).
    pub async fn tile(&self, level: u8, n: u64, w: u64) -> Result<Option<Vec<u8>>> {
        if w == 0 || w > TILE_WIDTH || level > 7 {
            return Ok(None);
        }
        let h = 8 * u32::from(level);
        let first = n * TILE_WIDTH;
        let nodes = self
            .fetch(
                &self.db,
                &(first..first + w).map(|i| (h, i)).collect::<Vec<_>>(),
            )
            .await?;
        if nodes.0.len() as u64 != w {
            return Ok(None);
        }
        let mut out = Vec::with_capacity(w as usize * 32);
        for i in first..first + w {
            out.extend_from_slice(&nodes.0[&(h, i)]);
        }
        Ok(Some(out))
    }

    /// Entry bundle `n` of width `w`.
    pub async fn entries(&self, n: u64, w: u64) -> Result<Option<Vec<u8>>> {
        if w == 0 || w > TILE_WIDTH {
            return Ok(None);
        }
        let first = (n * TILE_WIDTH) as i64;
        let rows = self
            .db
            .query_all_raw(stmt(
                self.db.get_database_backend(),
                "SELECT data FROM tlog_entries WHERE idx >= ? AND idx < ? ORDER BY idx",
                vec![first.into(), (first + w as i64).into()],
            ))
            .await?;
        if rows.len() as u64 != w {
            return Ok(None);
        }
        let entries: Vec<Vec<u8>> = rows
            .iter()
            .map(|r| r.try_get::<String>("", "data").map(String::into_bytes))
            .collect::<Result<_, _>>()?;
        crate::tlog::tiles::entry_bundle(&entries)
            .map(Some)
            .map_err(Error::Internal)
    }

    /// The index of the first entry with leaf hash `leaf_hex` below `size`.
    pub async fn index_of_leaf(&self, leaf_hex: &str, size: u64) -> Result<u64> {
        let r = self
            .db
            .query_one_raw(stmt(
                self.db.get_database_backend(),
                "SELECT idx FROM tlog_entries WHERE leaf_hash = ? AND idx < ? ORDER BY idx LIMIT 1",
                vec![leaf_hex.to_ascii_lowercase().into(), (size as i64).into()],
            ))
            .await?
            .ok_or_else(|| {
                Error::not_found("no entry with that leaf hash in a tree of that size")
            })?;
        Ok(r.try_get::<i64>("", "idx")? as u64)
    }
}
