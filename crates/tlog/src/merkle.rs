//! RFC 6962 §2.1 Merkle Tree Hash, with the inclusion and consistency proof
//! algorithms of RFC 9162 §2.1.3 and §2.1.4 (generation follows RFC 6962
//! PATH and SUBPROOF; verification RFC 9162's iterative algorithms).

use openssl::sha::Sha256;

use super::{Hash, TlogError};

/// MTH({}) = SHA-256() — the hash of an empty tree.
pub fn empty_root() -> Hash {
    Sha256::new().finish()
}

/// MTH({d}) = SHA-256(0x00 || d).
pub fn leaf_hash(d: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update(&[0x00]);
    h.update(d);
    h.finish()
}

/// SHA-256(0x01 || left || right).
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update(&[0x01]);
    h.update(left);
    h.update(right);
    h.finish()
}

/// The largest power of two smaller than `n` (n > 1): RFC 6962's k.
pub fn split(n: u64) -> u64 {
    debug_assert!(n > 1);
    1u64 << (63 - (n - 1).leading_zeros())
}

/// Something that can give MTH(D[start:end]) for the tree being proved.
pub trait SubtreeHasher {
    /// The hash of leaves [start, end), end > start.
    fn mth(&self, start: u64, end: u64) -> Hash;
}

/// A tree held as its leaf hashes (tests, small logs).
pub struct LeafHashes<'a>(pub &'a [Hash]);

impl SubtreeHasher for LeafHashes<'_> {
    fn mth(&self, start: u64, end: u64) -> Hash {
        if end - start == 1 {
            return self.0[start as usize];
        }
        let k = split(end - start);
        node_hash(&self.mth(start, start + k), &self.mth(start + k, end))
    }
}

/// The root of a tree of `size` leaves.
pub fn root(h: &dyn SubtreeHasher, size: u64) -> Hash {
    if size == 0 {
        empty_root()
    } else {
        h.mth(0, size)
    }
}

/// RFC 6962 PATH(m, D[start:end]).
fn path(h: &dyn SubtreeHasher, m: u64, start: u64, end: u64, out: &mut Vec<Hash>) {
    let n = end - start;
    if n <= 1 {
        return;
    }
    let k = split(n);
    if m < k {
        path(h, m, start, start + k, out);
        out.push(h.mth(start + k, end));
    } else {
        path(h, m - k, start + k, end, out);
        out.push(h.mth(start, start + k));
    }
}

/// The inclusion proof of leaf `index` in the tree of `size` leaves.
pub fn inclusion_proof(
    h: &dyn SubtreeHasher,
    index: u64,
    size: u64,
) -> Result<Vec<Hash>, TlogError> {
    if index >= size {
        return Err(TlogError::Proof(format!(
            "index {index} is not in a tree of size {size}"
        )));
    }
    let mut out = Vec::new();
    path(h, index, 0, size, &mut out);
    Ok(out)
}

/// RFC 6962 SUBPROOF(m, D[start:end], b).
fn subproof(h: &dyn SubtreeHasher, m: u64, start: u64, end: u64, b: bool, out: &mut Vec<Hash>) {
    let n = end - start;
    if m == n {
        if !b {
            out.push(h.mth(start, end));
        }
        return;
    }
    let k = split(n);
    if m <= k {
        subproof(h, m, start, start + k, b, out);
        out.push(h.mth(start + k, end));
    } else {
        subproof(h, m - k, start + k, end, false, out);
        out.push(h.mth(start, start + k));
    }
}

/// The consistency proof from size `m` to size `n`.
pub fn consistency_proof(h: &dyn SubtreeHasher, m: u64, n: u64) -> Result<Vec<Hash>, TlogError> {
    if m > n {
        return Err(TlogError::Proof(format!(
            "size {m} is larger than size {n}"
        )));
    }
    if m == 0 || m == n {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    subproof(h, m, 0, n, true, &mut out);
    Ok(out)
}

/// Verify an inclusion proof (RFC 9162 §2.1.3.2).
pub fn verify_inclusion(
    leaf: &Hash,
    index: u64,
    size: u64,
    proof: &[Hash],
    root: &Hash,
) -> Result<(), TlogError> {
    if index >= size {
        return Err(TlogError::Proof(format!(
            "index {index} is not in a tree of size {size}"
        )));
    }
    let (mut fnode, mut snode) = (index, size - 1);
    let mut r = *leaf;
    for p in proof {
        if snode == 0 {
            return Err(TlogError::Proof("the proof is too long".into()));
        }
        if fnode & 1 == 1 || fnode == snode {
            r = node_hash(p, &r);
            if fnode & 1 == 0 {
                while fnode & 1 == 0 && fnode != 0 {
                    fnode >>= 1;
                    snode >>= 1;
                }
            }
        } else {
            r = node_hash(&r, p);
        }
        fnode >>= 1;
        snode >>= 1;
    }
    if snode != 0 {
        return Err(TlogError::Proof("the proof is too short".into()));
    }
    if &r != root {
        return Err(TlogError::Proof("the computed root does not match".into()));
    }
    Ok(())
}

/// Verify a consistency proof between two tree heads (RFC 9162 §2.1.4.2).
/// Size 0 is refused: there is nothing to prove consistent with.
pub fn verify_consistency(
    m: u64,
    n: u64,
    proof: &[Hash],
    root_m: &Hash,
    root_n: &Hash,
) -> Result<(), TlogError> {
    if m > n {
        return Err(TlogError::Proof(format!(
            "size {m} is larger than size {n}"
        )));
    }
    if m == n {
        if !proof.is_empty() {
            return Err(TlogError::Proof("equal sizes need an empty proof".into()));
        }
        if root_m != root_n {
            return Err(TlogError::Proof("equal sizes with different roots".into()));
        }
        return Ok(());
    }
    if m == 0 {
        return Err(TlogError::Proof(
            "a consistency proof from size 0 is meaningless".into(),
        ));
    }
    if proof.is_empty() {
        return Err(TlogError::Proof("empty consistency proof".into()));
    }
    let mut path: Vec<Hash> = Vec::with_capacity(proof.len() + 1);
    if m.is_power_of_two() {
        path.push(*root_m);
    }
    path.extend_from_slice(proof);
    let (mut fnode, mut snode) = (m - 1, n - 1);
    while fnode & 1 == 1 {
        fnode >>= 1;
        snode >>= 1;
    }
    let (mut fr, mut sr) = (path[0], path[0]);
    for c in &path[1..] {
        if snode == 0 {
            return Err(TlogError::Proof("the proof is too long".into()));
        }
        if fnode & 1 == 1 || fnode == snode {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            if fnode & 1 == 0 {
                while fnode & 1 == 0 && fnode != 0 {
                    fnode >>= 1;
                    snode >>= 1;
                }
            }
        } else {
            sr = node_hash(&sr, c);
        }
        fnode >>= 1;
        snode >>= 1;
    }
    if snode != 0 {
        return Err(TlogError::Proof("the proof is too short".into()));
    }
    if &fr != root_m || &sr != root_n {
        return Err(TlogError::Proof("the computed roots do not match".into()));
    }
    Ok(())
}
