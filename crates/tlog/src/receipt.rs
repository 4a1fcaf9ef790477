//! C2SP tlog-proof receipts: `c2sp.org/tlog-proof@v1`, optional `extra`,
//! `index N`, the inclusion path in base64, a blank line, the signed checkpoint.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;

use super::checkpoint::Checkpoint;
use super::merkle::verify_inclusion;
use super::note::{VerifierKey, open};
use super::{Hash, TlogError};

/// The header line.
pub const HEADER: &str = "c2sp.org/tlog-proof@v1";

/// A parsed receipt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    /// Opaque extra data.
    pub extra: Option<Vec<u8>>,
    /// Leaf index.
    pub index: u64,
    /// Inclusion path.
    pub path: Vec<Hash>,
    /// The signed checkpoint, verbatim.
    pub checkpoint: String,
}

impl Receipt {
    /// Write the receipt.
    pub fn encode(&self) -> String {
        let mut s = format!("{HEADER}\n");
        if let Some(e) = &self.extra {
            s.push_str(&format!("extra {}\n", B64.encode(e)));
        }
        s.push_str(&format!("index {}\n", self.index));
        for h in &self.path {
            s.push_str(&B64.encode(h));
            s.push('\n');
        }
        s.push('\n');
        s.push_str(&self.checkpoint);
        s
    }

    /// Parse a receipt.
    pub fn parse(text: &str) -> Result<Self, TlogError> {
        let bad = |m: &str| TlogError::Format(format!("not a tlog proof: {m}"));
        let (head, checkpoint) = text
            .split_once("\n\n")
            .ok_or_else(|| bad("no blank line before the checkpoint"))?;
        let mut lines = head.split('\n');
        if lines.next() != Some(HEADER) {
            return Err(bad("wrong header"));
        }
        let mut next = lines.next().ok_or_else(|| bad("no index"))?;
        let mut extra = None;
        if let Some(e) = next.strip_prefix("extra ") {
            extra = Some(B64.decode(e).map_err(|_| bad("extra is not base64"))?);
            next = lines.next().ok_or_else(|| bad("no index"))?;
        }
        let idx = next
            .strip_prefix("index ")
            .ok_or_else(|| bad("no index line"))?;
        if idx.is_empty()
            || (idx.len() > 1 && idx.starts_with('0'))
            || !idx.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(bad("bad index"));
        }
        let index = idx.parse().map_err(|_| bad("bad index"))?;
        let path = lines
            .map(|l| {
                B64.decode(l)
                    .ok()
                    .and_then(|v| <Hash>::try_from(v).ok())
                    .ok_or_else(|| bad("a path hash is not 32 bytes of base64"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self {
            extra,
            index,
            path,
            checkpoint: checkpoint.to_string(),
        })
    }

    /// Verify the receipt for a leaf: the checkpoint is signed by `log` and
    /// the path leads from `leaf_hash` at `index` to its root. Returns the checkpoint.
    pub fn verify(
        &self,
        leaf_hash: &Hash,
        log: &VerifierKey,
        origin: &str,
    ) -> Result<Checkpoint, TlogError> {
        let (text, _) = open(&self.checkpoint, std::slice::from_ref(log))?;
        let cp = Checkpoint::parse(text)?;
        if cp.origin != origin {
            return Err(TlogError::Format(format!(
                "the checkpoint is from {:?}, not {origin:?}",
                cp.origin
            )));
        }
        verify_inclusion(leaf_hash, self.index, cp.size, &self.path, &cp.root)?;
        Ok(cp)
    }
}
