//! A pure transparency-log library: RFC 6962 / RFC 9162 Merkle tree hashing
//! with inclusion and consistency proofs (generation and verification),
//! C2SP signed notes (Ed25519), tlog-checkpoint, tlog-tiles paths and tiles,
//! and tlog-proof receipts. No database, HTTP or async runtime: the product
//! stores hashes and serves tiles on top of this.

#![forbid(unsafe_code)]

pub mod checkpoint;
pub mod merkle;
pub mod note;
pub mod receipt;
pub mod tiles;

pub use checkpoint::Checkpoint;
pub use note::{SignerKey, VerifierKey};
pub use receipt::Receipt;
pub use tiles::{TilePath, parse_path};

/// A SHA-256 hash.
pub type Hash = [u8; 32];

/// Errors of the log library.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TlogError {
    /// A proof does not verify or is malformed.
    #[error("proof does not verify: {0}")]
    Proof(String),
    /// A note, key or checkpoint is malformed or not signed.
    #[error("{0}")]
    Format(String),
}
