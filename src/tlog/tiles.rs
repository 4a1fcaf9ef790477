//! C2SP tlog-tiles: tile paths (`tile/<L>/<N>[.p/<W>]`, `tile/entries/…`),
//! tile contents (256 hashes of one level each; height 8) and entry bundles.

use super::Hash;
use super::merkle::{SubtreeHasher, node_hash};

/// Hashes per full tile (tile height 8).
pub const TILE_WIDTH: u64 = 256;

/// The `N` path element: groups of three digits, all but the last prefixed with `x`.
pub fn index_path(mut n: u64) -> String {
    let mut groups = vec![format!("{:03}", n % 1000)];
    n /= 1000;
    while n > 0 {
        groups.push(format!("x{:03}", n % 1000));
        n /= 1000;
    }
    groups.reverse();
    groups.join("/")
}

/// Path of hash tile (`level`, `n`) of width `w` (256 = full).
pub fn tile_path(level: u8, n: u64, w: u64) -> String {
    let p = format!("tile/{level}/{}", index_path(n));
    if w < TILE_WIDTH {
        format!("{p}.p/{w}")
    } else {
        p
    }
}

/// Path of entry bundle `n` of width `w`.
pub fn entries_path(n: u64, w: u64) -> String {
    let p = format!("tile/entries/{}", index_path(n));
    if w < TILE_WIDTH {
        format!("{p}.p/{w}")
    } else {
        p
    }
}

/// The tiles (level, index, width) that a tree of `size` leaves publishes.
pub fn tiles_for(size: u64) -> Vec<(u8, u64, u64)> {
    let mut out = Vec::new();
    let mut level = 0u8;
    let mut nodes = size; // nodes at tree level 8*level
    while nodes > 0 {
        let full = nodes / TILE_WIDTH;
        for n in 0..full {
            out.push((level, n, TILE_WIDTH));
        }
        if !nodes.is_multiple_of(TILE_WIDTH) {
            out.push((level, full, nodes % TILE_WIDTH));
        }
        nodes /= TILE_WIDTH;
        level += 1;
        if level > 8 {
            break;
        }
    }
    out
}

/// The contents of hash tile (`level`, `n`, `w`): `w` hashes of the nodes at
/// tree height 8·level, indices 256n .. 256n+w.
pub fn tile(h: &dyn SubtreeHasher, level: u8, n: u64, w: u64) -> Vec<u8> {
    let span = 1u64 << (8 * u32::from(level));
    let mut out = Vec::with_capacity(w as usize * 32);
    for i in 0..w {
        let start = (n * TILE_WIDTH + i) * span;
        out.extend_from_slice(&h.mth(start, start + span));
    }
    out
}

/// An entry bundle: each entry as a big-endian 16-bit length and its bytes.
pub fn entry_bundle(entries: &[Vec<u8>]) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    for e in entries {
        let len = u16::try_from(e.len())
            .map_err(|_| "an entry is longer than 65535 bytes".to_string())?;
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(e);
    }
    Ok(out)
}

/// Split an entry bundle back into entries.
pub fn parse_bundle(b: &[u8]) -> Result<Vec<Vec<u8>>, String> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let len = usize::from(u16::from_be_bytes([
            b[i],
            *b.get(i + 1).ok_or("truncated entry length")?,
        ]));
        let e = b.get(i + 2..i + 2 + len).ok_or("truncated entry")?;
        out.push(e.to_vec());
        i += 2 + len;
    }
    Ok(out)
}

/// Recompute a root from the hashes in tiles: level-0 hashes are leaves;
/// the root is folded from complete subtrees as RFC 6962 defines.
pub fn root_from_leaf_hashes(leaves: &[Hash]) -> Hash {
    if leaves.is_empty() {
        return super::merkle::empty_root();
    }
    fn mth(l: &[Hash]) -> Hash {
        if l.len() == 1 {
            return l[0];
        }
        let k = super::merkle::split(l.len() as u64) as usize;
        node_hash(&mth(&l[..k]), &mth(&l[k..]))
    }
    mth(leaves)
}
