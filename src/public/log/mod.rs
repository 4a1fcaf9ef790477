//! The transparency log stored in the database. Public events are queued in
//! the transaction that makes the change (so none is lost), then sequenced
//! in batches: each entry gets the next index, its leaf hash and every
//! complete subtree hash it closes (RFC 6962) are stored, and signed
//! checkpoints are published with the log's Ed25519 key. A checkpoint is
//! only signed after the new tree is proved consistent with the previous one.

mod checkpoints;
mod integrate;
mod nodes;
mod proofs;
mod queue;
mod receipts;

use std::path::Path;

use sea_orm::DatabaseConnection;

use crate::registry::error::{Error, Result};
use crate::registry::sql::query_one;
use crate::tlog::note::{SignerKey, VerifierKey};
use crate::tlog::{Hash, TlogError};
pub use queue::{Publisher, enqueue, withdraw};

fn tl(e: TlogError) -> Error {
    Error::Tlog(e)
}

fn hash_of(hex_s: &str) -> Result<Hash> {
    hex::decode(hex_s)
        .ok()
        .and_then(|v| v.try_into().ok())
        .ok_or_else(|| Error::Corrupt(format!("stored hash {hex_s:?} is not 32 bytes of hex")))
}

/// The log.
#[derive(Clone)]
pub struct Log {
    db: DatabaseConnection,
    key: std::sync::Arc<SignerKey>,
    /// The log's origin line (and key name).
    pub origin: String,
}

impl std::fmt::Debug for Log {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Log({})", self.origin)
    }
}

impl Log {
    /// The database the log lives in (for the rooms of `public` that read it).
    pub(crate) fn db(&self) -> &DatabaseConnection {
        &self.db
    }

    /// Open the log with the key in `data_dir/tlog.key`, creating the key on first use.
    pub fn open(db: DatabaseConnection, data_dir: &Path, origin: &str) -> anyhow::Result<Self> {
        let path = data_dir.join("tlog.key");
        let configured = std::env::var("VANTHU_TLOG_KEY")
            .ok()
            .filter(|k| !k.trim().is_empty());
        let key = match configured.map(|k| SignerKey::parse(k.trim())) {
            Some(k) => k.map_err(|e| anyhow::anyhow!("VANTHU_TLOG_KEY: {e}"))?,
            None => match std::fs::read_to_string(&path) {
                Ok(s) => SignerKey::parse(s.trim())
                    .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    std::fs::create_dir_all(data_dir)?;
                    let (key, _) = SignerKey::generate(origin)?;
                    write_secret(&path, &key.encode_secret()?)?;
                    key
                }
                Err(e) => return Err(anyhow::anyhow!("cannot read {}: {e}", path.display())),
            },
        };
        if key.name != origin {
            anyhow::bail!(
                "the log key in {} is for {:?}, not {origin:?}",
                path.display(),
                key.name
            );
        }
        Ok(Self {
            db,
            key: std::sync::Arc::new(key),
            origin: origin.to_string(),
        })
    }

    /// The verifier key (C2SP vkey form).
    pub fn vkey(&self) -> Result<String> {
        Ok(self.key.verifier().map_err(tl)?.encode())
    }

    /// Number of sequenced entries.
    pub async fn size(&self) -> Result<u64> {
        let r = query_one(
            &self.db,
            "SELECT COALESCE(MAX(idx) + 1, 0) AS n FROM tlog_entries",
            vec![],
        )
        .await?;
        Ok(r.try_get::<i64>("", "n")?.max(0) as u64)
    }
}

/// Write a secret file readable only by its owner.
fn write_secret(path: &Path, text: &str) -> std::io::Result<()> {
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
    use std::io::Write;
    let mut f = o.open(path)?;
    f.write_all(text.as_bytes())?;
    f.write_all(b"\n")?;
    f.sync_all()
}

/// Check a verifier key string.
pub fn parse_vkey(s: &str) -> std::result::Result<VerifierKey, TlogError> {
    VerifierKey::parse(s.trim())
}
