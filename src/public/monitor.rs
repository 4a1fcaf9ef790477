//! `vanthu tlog verify`: a monitor that fetches the checkpoint and every
//! entry bundle (over HTTP, or from a folder laid out as tlog-tiles),
//! recomputes the tree, checks the log's signature and the level-0 hash
//! tiles, and checks that the log only grew since the last checkpoint it
//! saw (kept in a state file): every earlier entry is still there, unchanged.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::tlog::checkpoint::Checkpoint;
use crate::tlog::merkle::{self, LeafHashes};
use crate::tlog::note::{self, VerifierKey};
use crate::tlog::tiles::{self, TILE_WIDTH};

/// Where the log is read from.
pub enum Origin {
    /// A vanthu server (`/log/…`).
    Url(String),
    /// A folder with `checkpoint` and `tile/…`.
    Dir(PathBuf),
}

/// What the monitor remembers between runs.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct State {
    /// Tree size last seen.
    pub size: u64,
    /// Its root, hex.
    pub root: String,
}

/// Why verification failed: the log is inconsistent, or it could not be read.
#[derive(Debug, thiserror::Error)]
pub enum MonitorError {
    /// The log contradicts itself or its past.
    #[error("log INCONSISTENT: {0}")]
    Inconsistent(String),
    /// Something could not be fetched or read.
    #[error("cannot read the log: {0}")]
    Fetch(String),
}

async fn get(
    origin: &Origin,
    client: &reqwest::Client,
    path: &str,
) -> Result<Vec<u8>, MonitorError> {
    match origin {
        Origin::Url(base) => {
            let url = format!("{}/log/{path}", base.trim_end_matches('/'));
            let r = client
                .get(&url)
                .send()
                .await
                .map_err(|e| MonitorError::Fetch(format!("{url}: {e}")))?;
            if !r.status().is_success() {
                return Err(MonitorError::Fetch(format!("{url}: HTTP {}", r.status())));
            }
            Ok(r.bytes()
                .await
                .map_err(|e| MonitorError::Fetch(e.to_string()))?
                .to_vec())
        }
        Origin::Dir(d) => std::fs::read(d.join(path))
            .map_err(|e| MonitorError::Fetch(format!("{}: {e}", d.join(path).display()))),
    }
}

/// Verify the log; returns the new state and a summary line.
pub async fn verify(
    origin: &Origin,
    vkey: Option<&str>,
    state_file: Option<&Path>,
) -> Result<(State, String), MonitorError> {
    let client = reqwest::Client::new();
    let mut warning = String::new();
    let key_text = match vkey {
        Some(k) => std::fs::read_to_string(k).unwrap_or_else(|_| k.to_string()),
        None => {
            warning =
                "warning: trusting the key the log itself serves (give --vkey to pin it)\n".into();
            String::from_utf8_lossy(&get(origin, &client, "vkey").await?).into_owned()
        }
    };
    let key = VerifierKey::parse(key_text.trim())
        .map_err(|e| MonitorError::Fetch(format!("verifier key: {e}")))?;
    let note_b = get(origin, &client, "checkpoint").await?;
    let note_s = String::from_utf8(note_b)
        .map_err(|_| MonitorError::Inconsistent("the checkpoint is not UTF-8".into()))?;
    let (text, _) = note::open(&note_s, std::slice::from_ref(&key))
        .map_err(|e| MonitorError::Inconsistent(format!("checkpoint signature: {e}")))?;
    let cp = Checkpoint::parse(text).map_err(|e| MonitorError::Inconsistent(e.to_string()))?;
    if cp.origin != key.name {
        return Err(MonitorError::Inconsistent(format!(
            "the checkpoint is for {:?}, the key for {:?}",
            cp.origin, key.name
        )));
    }
    let mut leaves = Vec::with_capacity(cp.size as usize);
    let tiles_n = cp.size.div_ceil(TILE_WIDTH);
    for n in 0..tiles_n {
        let w = (cp.size - n * TILE_WIDTH).min(TILE_WIDTH);
        let bundle = get(origin, &client, &tiles::entries_path(n, w)).await?;
        let entries = tiles::parse_bundle(&bundle)
            .map_err(|e| MonitorError::Inconsistent(format!("entry bundle {n}: {e}")))?;
        if entries.len() as u64 != w {
            return Err(MonitorError::Inconsistent(format!(
                "entry bundle {n} has {} entries, not {w}",
                entries.len()
            )));
        }
        let start = leaves.len();
        leaves.extend(entries.iter().map(|e| merkle::leaf_hash(e)));
        let tile = get(origin, &client, &tiles::tile_path(0, n, w)).await?;
        let want: Vec<u8> = leaves[start..]
            .iter()
            .flat_map(|h| h.iter().copied())
            .collect();
        if tile != want {
            return Err(MonitorError::Inconsistent(format!(
                "hash tile 0/{n} does not match its entries"
            )));
        }
    }
    let lh = LeafHashes(&leaves);
    let root = merkle::root(&lh, cp.size);
    if root != cp.root {
        return Err(MonitorError::Inconsistent(format!(
            "the entries do not hash to the signed root of size {}",
            cp.size
        )));
    }
    let mut summary = format!(
        "{warning}log consistent: {} entries, root {}",
        cp.size,
        hex::encode(root)
    );
    if let Some(sf) = state_file
        && let Ok(old) = std::fs::read(sf)
    {
        let old: State = serde_json::from_slice(&old)
            .map_err(|e| MonitorError::Fetch(format!("state file: {e}")))?;
        if cp.size < old.size {
            return Err(MonitorError::Inconsistent(format!(
                "the log shrank from {} to {} entries",
                old.size, cp.size
            )));
        }
        if hex::encode(merkle::root(&lh, old.size)) != old.root {
            return Err(MonitorError::Inconsistent(format!(
                "entries before {} were changed since the last check",
                old.size
            )));
        }
        summary.push_str(&format!(" (was {} entries: consistent)", old.size));
    }
    let state = State {
        size: cp.size,
        root: hex::encode(root),
    };
    if let Some(sf) = state_file {
        let tmp = sf.with_extension("tmp");
        std::fs::write(&tmp, serde_json::to_vec(&state).unwrap_or_default())
            .map_err(|e| MonitorError::Fetch(e.to_string()))?;
        std::fs::rename(&tmp, sf).map_err(|e| MonitorError::Fetch(e.to_string()))?;
    }
    Ok((state, summary))
}
