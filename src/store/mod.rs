//! Content-addressed blob storage for PDFs, through `object_store`: a local
//! folder by default (every write fsynced), S3-compatible storage by URL with
//! the `s3` feature. A blob's key is its SHA-256, so identical bytes are stored once.

use std::sync::Arc;

use bytes::Bytes;
use chrono::{DateTime, Utc};
use futures::TryStreamExt;
use object_store::local::LocalFileSystem;
use object_store::path::Path as ObjPath;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};

/// Errors of the blob store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The backend failed (disk full, permission, network…).
    #[error("file storage error: {0}")]
    Backend(#[from] object_store::Error),
    /// The storage URL could not be used.
    #[error("invalid storage location {0:?}: {1}")]
    Config(String, String),
    /// A stored blob no longer hashes to its name.
    #[error("stored file {0} is corrupt: its content hashes to {1}")]
    Corrupt(String, String),
}

/// A SHA-256 digest as 64 lower-case hex digits; only built from bytes or a checked string.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Sha256Hex(String);

impl Sha256Hex {
    /// Hash `data`.
    pub fn of(data: &[u8]) -> Self {
        Self(hex::encode(openssl::sha::sha256(data)))
    }

    /// Accept `s` if it is 64 hex digits (case-insensitive).
    pub fn parse(s: &str) -> Option<Self> {
        (s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit()))
            .then(|| Self(s.to_ascii_lowercase()))
    }

    /// The hex string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Sha256Hex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// One blob in the store, as listed by [`BlobStore::list`].
#[derive(Debug, Clone)]
pub struct BlobInfo {
    /// Its digest.
    pub sha256: Sha256Hex,
    /// When it was last written.
    pub last_modified: DateTime<Utc>,
}

/// The content-addressed store.
#[derive(Debug, Clone)]
pub struct BlobStore {
    inner: Arc<dyn ObjectStore>,
    prefix: ObjPath,
    description: String,
}

impl BlobStore {
    /// Open the store named by `location`: a folder path, `file:///…`, or
    /// `s3://bucket/prefix` (credentials from the usual `AWS_*` variables).
    pub fn open(location: &str) -> Result<Self, StoreError> {
        if let Some(path) = location.strip_prefix("file://") {
            return Self::local(std::path::Path::new(path));
        }
        if location.starts_with("s3://") {
            return Self::s3(location);
        }
        if location.contains("://") {
            return Err(StoreError::Config(
                location.into(),
                "use a folder path, file:///PATH or s3://BUCKET/PREFIX".into(),
            ));
        }
        Self::local(std::path::Path::new(location))
    }

    fn local(dir: &std::path::Path) -> Result<Self, StoreError> {
        std::fs::create_dir_all(dir)
            .map_err(|e| StoreError::Config(dir.display().to_string(), e.to_string()))?;
        let fs = LocalFileSystem::new_with_prefix(dir)?
            .with_automatic_cleanup(true)
            .with_fsync(true);
        Ok(Self {
            inner: Arc::new(fs),
            prefix: ObjPath::from("sha256"),
            description: dir.display().to_string(),
        })
    }

    #[cfg(feature = "s3")]
    fn s3(location: &str) -> Result<Self, StoreError> {
        let url = url::Url::parse(location)
            .map_err(|e| StoreError::Config(location.into(), e.to_string()))?;
        let bucket = url.host_str().unwrap_or_default().to_string();
        let s3 = object_store::aws::AmazonS3Builder::from_env()
            .with_bucket_name(&bucket)
            .build()?;
        let base = url.path().trim_matches('/');
        let prefix = if base.is_empty() {
            ObjPath::from("sha256")
        } else {
            ObjPath::from(format!("{base}/sha256"))
        };
        Ok(Self {
            inner: Arc::new(s3),
            prefix,
            description: location.to_string(),
        })
    }

    #[cfg(not(feature = "s3"))]
    fn s3(location: &str) -> Result<Self, StoreError> {
        Err(StoreError::Config(
            location.into(),
            "S3 storage needs vanthu built with `--features s3`".into(),
        ))
    }

    /// Where the blobs live, for messages.
    pub fn description(&self) -> &str {
        &self.description
    }

    fn key(&self, sha: &Sha256Hex) -> ObjPath {
        let s = sha.as_str();
        self.prefix.clone().join(&s[..2]).join(s)
    }

    /// Store `data` under its SHA-256 and return the digest. When this
    /// returns, the bytes are durable (local files and folders are fsynced).
    /// Storing bytes already present rewrites the same object (one copy).
    pub async fn put(&self, data: Bytes) -> Result<Sha256Hex, StoreError> {
        let sha = Sha256Hex::of(&data);
        let key = self.key(&sha);
        // Always (re)write, even when present: the fresh modification time
        // keeps a concurrent sweep's grace period from deleting bytes that a
        // new row is about to reference.
        self.inner.put(&key, PutPayload::from_bytes(data)).await?;
        Ok(sha)
    }

    /// Read a blob back, checking that it still hashes to its name.
    pub async fn get(&self, sha: &Sha256Hex) -> Result<Bytes, StoreError> {
        let data = self.inner.get(&self.key(sha)).await?.bytes().await?;
        let actual = Sha256Hex::of(&data);
        if &actual != sha {
            return Err(StoreError::Corrupt(sha.to_string(), actual.to_string()));
        }
        Ok(data)
    }

    /// Whether a blob is present.
    pub async fn exists(&self, sha: &Sha256Hex) -> Result<bool, StoreError> {
        match self.inner.head(&self.key(sha)).await {
            Ok(_) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    /// Delete a blob; deleting a missing one is not an error.
    pub async fn delete(&self, sha: &Sha256Hex) -> Result<(), StoreError> {
        match self.inner.delete(&self.key(sha)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// Every blob in the store. Objects whose names are not digests are skipped.
    pub async fn list(&self) -> Result<Vec<BlobInfo>, StoreError> {
        let metas: Vec<_> = self.inner.list(Some(&self.prefix)).try_collect().await?;
        Ok(metas
            .into_iter()
            .filter_map(|m| {
                let name = m.location.filename()?;
                Some(BlobInfo {
                    sha256: Sha256Hex::parse(name)?,
                    last_modified: m.last_modified,
                })
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn stores_once_and_reads_back() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = BlobStore::open(dir.path().to_str().expect("utf-8")).expect("open");
        let a = store
            .put(Bytes::from_static(b"%PDF-1.7 a"))
            .await
            .expect("put");
        let b = store
            .put(Bytes::from_static(b"%PDF-1.7 a"))
            .await
            .expect("put");
        assert_eq!(a, b);
        assert_eq!(store.list().await.expect("list").len(), 1);
        assert_eq!(&store.get(&a).await.expect("get")[..], b"%PDF-1.7 a");
        store.delete(&a).await.expect("delete");
        assert!(!store.exists(&a).await.expect("exists"));
    }
}
