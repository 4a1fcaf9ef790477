//! Checkpoints: the signed tree heads, each signed only after the new tree
//! is proved consistent with the last one signed.

use chrono::{DateTime, Utc};
use sea_orm::ConnectionTrait;

use super::{Log, hash_of, tl};
use crate::registry::error::{Error, Result};
use crate::registry::sql::stmt;
use crate::tlog::checkpoint::Checkpoint;
use crate::tlog::merkle;

impl Log {
    /// The latest signed checkpoint, signing a new one if the log grew.
    pub async fn checkpoint(&self, now: DateTime<Utc>) -> Result<String> {
        let size = self.size().await?;
        let last = self
            .db
            .query_one_raw(stmt(
                self.db.get_database_backend(),
                "SELECT size, root, note FROM tlog_checkpoints ORDER BY size DESC LIMIT 1",
                vec![],
            ))
            .await?;
        if let Some(r) = &last
            && r.try_get::<i64>("", "size")? as u64 == size
        {
            return Ok(r.try_get("", "note")?);
        }
        let root = self.root(size).await?;
        // Never sign a tree that is not an extension of the last signed one.
        if let Some(r) = &last {
            let m = r.try_get::<i64>("", "size")? as u64;
            let old = hash_of(&r.try_get::<String>("", "root")?)?;
            if m > 0 {
                let proof = self.consistency(m, size).await?;
                merkle::verify_consistency(m, size, &proof, &old, &root).map_err(|e| {
                    Error::Corrupt(format!(
                        "the tree is not an extension of the last signed one; refusing to sign: {e}"
                    ))
                })?;
            }
        }
        let body = Checkpoint {
            origin: self.origin.clone(),
            size,
            root,
            extensions: vec![],
        }
        .body();
        let note = self.key.sign(&body).map_err(tl)?;
        self.db
            .execute_raw(stmt(
                self.db.get_database_backend(),
                "INSERT INTO tlog_checkpoints (size, root, note, signed_at) VALUES (?, ?, ?, ?)",
                vec![
                    (size as i64).into(),
                    hex::encode(root).into(),
                    note.clone().into(),
                    now.into(),
                ],
            ))
            .await?;
        Ok(note)
    }

    /// The latest checkpoint already signed, if any.
    pub async fn latest(&self) -> Result<Option<(u64, String)>> {
        let r = self
            .db
            .query_one_raw(stmt(
                self.db.get_database_backend(),
                "SELECT size, note FROM tlog_checkpoints ORDER BY size DESC LIMIT 1",
                vec![],
            ))
            .await?;
        Ok(match r {
            Some(r) => Some((r.try_get::<i64>("", "size")? as u64, r.try_get("", "note")?)),
            None => None,
        })
    }
}
