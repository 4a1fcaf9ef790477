//! Receipts: a `c2sp.org/tlog-proof@v1` proof that a document's latest event
//! is in the log.

use chrono::{DateTime, Utc};
use sea_orm::ConnectionTrait;

use super::Log;
use crate::registry::error::{Error, Result};
use crate::registry::sql::stmt;
use crate::tlog::receipt::Receipt;

impl Log {
    /// A `c2sp.org/tlog-proof@v1` receipt for the latest entry about `document_id`.
    pub async fn receipt(&self, document_id: i32, now: DateTime<Utc>) -> Result<String> {
        let r = self
            .db
            .query_one_raw(stmt(
                self.db.get_database_backend(),
                "SELECT idx FROM tlog_entries WHERE document_id = ? ORDER BY idx DESC LIMIT 1",
                vec![document_id.into()],
            ))
            .await?
            .ok_or_else(|| {
                Error::not_found(format!(
                    "document {document_id} is not in the public log (yet)"
                ))
            })?;
        let index = r.try_get::<i64>("", "idx")? as u64;
        let note = self.checkpoint(now).await?;
        let size = self.latest().await?.map(|x| x.0).unwrap_or(0);
        let path = self.inclusion(index, size).await?;
        Ok(Receipt {
            extra: None,
            index,
            path,
            checkpoint: note,
        }
        .encode())
    }
}
