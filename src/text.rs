//! Text folding and hygiene (the `vanthu-text` crate, shared with the verifier).

pub use vntext::*;
