//! Sweeping unreferenced files: a blob that no `files` row names (left by a
//! request that failed after storing its file) is deleted once it is older
//! than a grace period, so a request still in flight keeps its file.

use std::collections::HashSet;
use std::time::Duration;

use sea_orm::{EntityTrait, QuerySelect};
use serde::Serialize;

use super::Registry;
use super::error::Result;
use crate::entity::files;

/// What a sweep did.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct GcReport {
    /// Blobs found in the store.
    pub scanned: usize,
    /// Unreferenced blobs deleted.
    pub deleted: usize,
    /// Unreferenced blobs younger than the grace period, kept for now.
    pub kept_recent: usize,
    /// `files` rows whose blob is missing from the store (not repaired: reported).
    pub missing: Vec<String>,
}

impl Registry {
    /// Sweep unreferenced blobs older than `grace`.
    pub async fn gc(&self, grace: Duration) -> Result<GcReport> {
        let referenced: HashSet<String> = files::Entity::find()
            .select_only()
            .column(files::Column::Sha256)
            .into_tuple::<String>()
            .all(&self.db)
            .await?
            .into_iter()
            .collect();
        let blobs = self.store.list().await?;
        let cutoff =
            chrono::Utc::now() - chrono::Duration::from_std(grace).unwrap_or(chrono::Duration::MAX);
        let mut report = GcReport {
            scanned: blobs.len(),
            ..Default::default()
        };
        let present: HashSet<String> = blobs.iter().map(|b| b.sha256.to_string()).collect();
        for b in blobs {
            if referenced.contains(b.sha256.as_str()) {
                continue;
            }
            if b.last_modified > cutoff {
                report.kept_recent += 1;
                continue;
            }
            // Re-check just before deleting: a row may have committed since the scan.
            if files::Entity::find_by_id(b.sha256.to_string())
                .one(&self.db)
                .await?
                .is_some()
            {
                continue;
            }
            self.store.delete(&b.sha256).await?;
            tracing::info!(sha256 = %b.sha256, "deleted unreferenced file");
            report.deleted += 1;
        }
        let mut missing: Vec<String> = referenced.difference(&present).cloned().collect();
        missing.sort();
        report.missing = missing;
        Ok(report)
    }
}
