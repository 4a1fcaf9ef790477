//! The transparency log stored in the database. Public events are queued in
//! the transaction that makes the change (so none is lost), then sequenced
//! in batches: each entry gets the next index, its leaf hash and every
//! complete subtree hash it closes (RFC 6962) are stored, and signed
//! checkpoints are published with the log's Ed25519 key. A checkpoint is
//! only signed after the new tree is proved consistent with the previous one.

use std::collections::HashMap;
use std::path::Path;

use chrono::{DateTime, SecondsFormat, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection, DatabaseTransaction, Value};

use super::{LogEvent, project};
use crate::registry::documents::DocumentView;
use crate::registry::error::{Error, Result};
use crate::registry::events::{Change, Event, Notes, Observer};
use crate::registry::sql::{query_one, stmt};
use crate::tlog::checkpoint::Checkpoint;
use crate::tlog::merkle::{self, SubtreeHasher, node_hash, split};
use crate::tlog::note::{SignerKey, VerifierKey};
use crate::tlog::receipt::Receipt;
use crate::tlog::tiles::TILE_WIDTH;
use crate::tlog::{Hash, TlogError};

/// Most pending events sequenced in one batch.
const BATCH: i64 = 20_000;

fn tl(e: TlogError) -> Error {
    Error::Tlog(e)
}

fn hash_of(hex_s: &str) -> Result<Hash> {
    hex::decode(hex_s)
        .ok()
        .and_then(|v| v.try_into().ok())
        .ok_or_else(|| Error::Corrupt(format!("stored hash {hex_s:?} is not 32 bytes of hex")))
}

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

/// Complete subtree hashes fetched for one operation.
struct Nodes(HashMap<(u32, u64), Hash>);

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

    async fn fetch(&self, c: &impl ConnectionTrait, need: &[(u32, u64)]) -> Result<Nodes> {
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
    async fn with_nodes<T>(
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
