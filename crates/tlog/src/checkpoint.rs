//! C2SP tlog-checkpoint: the note body `origin\nsize\nbase64(root)\n` followed
//! by optional extension lines.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;

use super::{Hash, TlogError};

/// A checkpoint body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// The log's origin line.
    pub origin: String,
    /// Tree size.
    pub size: u64,
    /// Root hash.
    pub root: Hash,
    /// Extension lines, as given.
    pub extensions: Vec<String>,
}

impl Checkpoint {
    /// The note text (ends with a newline).
    pub fn body(&self) -> String {
        let mut s = format!(
            "{}\n{}\n{}\n",
            self.origin,
            self.size,
            B64.encode(self.root)
        );
        for e in &self.extensions {
            s.push_str(e);
            s.push('\n');
        }
        s
    }

    /// Parse a note text as a checkpoint. Hashes must be 32 bytes.
    pub fn parse(text: &str) -> Result<Self, TlogError> {
        let bad = |m: &str| TlogError::Format(format!("not a checkpoint: {m}"));
        let body = text
            .strip_suffix('\n')
            .ok_or_else(|| bad("it must end with a newline"))?;
        let mut lines = body.split('\n');
        let origin = lines
            .next()
            .filter(|o| !o.is_empty())
            .ok_or_else(|| bad("empty origin"))?;
        let size_s = lines.next().ok_or_else(|| bad("no size"))?;
        if size_s.is_empty()
            || !size_s.bytes().all(|b| b.is_ascii_digit())
            || (size_s.len() > 1 && size_s.starts_with('0'))
        {
            return Err(bad("the size must be a decimal without leading zeros"));
        }
        let size: u64 = size_s.parse().map_err(|_| bad("size out of range"))?;
        let root_b = B64
            .decode(lines.next().ok_or_else(|| bad("no root hash"))?)
            .map_err(|_| bad("the root is not base64"))?;
        let root: Hash = root_b
            .try_into()
            .map_err(|_| bad("the root hash is not 32 bytes"))?;
        let extensions: Vec<String> = lines.map(str::to_string).collect();
        if extensions.iter().any(String::is_empty) {
            return Err(bad("empty extension line"));
        }
        Ok(Self {
            origin: origin.to_string(),
            size,
            root,
            extensions,
        })
    }
}
