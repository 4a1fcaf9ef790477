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

/// A tile's address, as C2SP tlog-tiles spells it below `tile/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TilePath {
    /// A hash tile `L/N[.p/W]`.
    Hash {
        /// Level (0 for leaf hashes).
        level: u8,
        /// Tile index.
        n: u64,
        /// Width (256 for a full tile).
        width: u64,
    },
    /// An entry bundle `entries/N[.p/W]`.
    Entries {
        /// Tile index.
        n: u64,
        /// Width (256 for a full bundle).
        width: u64,
    },
}

/// The largest tile index accepted: entry indices (N·256) stay far below 2⁶³.
pub const MAX_TILE_INDEX: u64 = 1 << 40;

/// Parse `N` written in three-digit groups (`x001/x234/067`).
fn parse_index(parts: &[&str]) -> Option<u64> {
    let (last, rest) = parts.split_last()?;
    let mut n: u64 = 0;
    for g in rest {
        let d = g.strip_prefix('x')?;
        if d.len() != 3 || !d.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        n = n.checked_mul(1000)?.checked_add(d.parse().ok()?)?;
    }
    if last.len() != 3 || !last.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    n.checked_mul(1000)?.checked_add(last.parse().ok()?)
}

/// Split `…/NNN[.p/W]` into the index and the width.
fn parse_index_width(path: &str) -> Option<(u64, u64)> {
    let parts: Vec<&str> = path.split('/').collect();
    if let Some(pos) = parts.iter().position(|p| p.ends_with(".p")) {
        if pos + 2 != parts.len() || parts[pos + 1].starts_with('0') {
            return None;
        }
        let w: u64 = parts[pos + 1]
            .parse()
            .ok()
            .filter(|w| (1..TILE_WIDTH).contains(w))?;
        let mut idx = parts[..pos + 1].to_vec();
        let last = idx.pop()?.strip_suffix(".p")?;
        idx.push(last);
        return Some((parse_index(&idx)?, w));
    }
    Some((parse_index(&parts)?, TILE_WIDTH))
}

/// Parse a tile path below `tile/` (`0/x001/234`, `entries/005.p/7`);
/// None for anything not spelled as C2SP tlog-tiles says, or beyond
/// [`MAX_TILE_INDEX`].
pub fn parse_path(path: &str) -> Option<TilePath> {
    let (kind, rest) = path.split_once('/')?;
    let (n, width) = parse_index_width(rest)?;
    if n > MAX_TILE_INDEX {
        return None;
    }
    if kind == "entries" {
        return Some(TilePath::Entries { n, width });
    }
    let level: u8 = kind.parse().ok().filter(|l: &u8| *l < 8)?;
    if kind.len() > 1 && kind.starts_with('0') {
        return None;
    }
    Some(TilePath::Hash { level, n, width })
}

#[cfg(test)]
mod path_tests {
    use super::*;

    #[test]
    fn tile_paths_parse_as_c2sp_spells_them() {
        assert_eq!(
            parse_path("0/x001/234"),
            Some(TilePath::Hash {
                level: 0,
                n: 1234,
                width: 256
            })
        );
        assert_eq!(
            parse_path("entries/005.p/7"),
            Some(TilePath::Entries { n: 5, width: 7 })
        );
        for bad in [
            "0/x072/x057/x594/x037/x927/936",
            "8/000",
            "0/5",
            "0/000.p/256",
            "0/000.p/07",
            "00/000",
            "x/000",
        ] {
            assert_eq!(parse_path(bad), None, "{bad}");
        }
    }
}
