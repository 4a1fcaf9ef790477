//! Repair of damaged cross-reference data: the file scanned for
//! `n g obj` headers and a trailer, or the catalog found among the objects.

use super::{Doc, Entry, R, e};
use crate::lex::is_ws;
use crate::obj::{self, Dict, Obj};

impl Doc<'_> {
    /// Rebuild the cross-reference data by scanning for `n g obj`.
    pub(super) fn scan(&mut self) -> R<()> {
        const CHUNK: usize = 1 << 20;
        let len = self.src.len();
        let mut off = 0u64;
        let mut trailer_root: Option<Obj> = None;
        while off < len {
            self.budget().check()?;
            let w = self.src.read_vec(off, CHUNK + 64)?;
            let limit = w.len().min(CHUNK);
            let mut i = 0;
            while let Some(k) = w[i..limit].windows(3).position(|x| x == b"obj") {
                let at = i + k;
                i = at + 3;
                // Walk back over "n g " to the line start.
                let mut s = at;
                while s > 0 && (w[s - 1].is_ascii_digit() || is_ws(w[s - 1])) {
                    s -= 1;
                }
                let hdr = String::from_utf8_lossy(&w[s..at]).to_string();
                let parts: Vec<&str> = hdr.split_ascii_whitespace().collect();
                if let [n, g] = parts[..]
                    && let (Ok(n), Ok(g)) = (n.parse::<u32>(), g.parse::<u16>())
                {
                    self.map.insert(n, Entry::Offset(off + s as u64, g));
                }
            }
            if let Some(k) = w[..limit].windows(7).rposition(|x| x == b"trailer")
                && let Ok((Obj::Dict(d), _)) = obj::parse(&w, k + 7, off, 0)
                && let Some(r) = d.get(b"Root")
            {
                trailer_root = Some(r.clone());
                self.trailer = d;
            }
            off += CHUNK as u64;
        }
        if trailer_root.is_none() {
            // Find the catalog among the objects.
            let ids: Vec<(u32, Entry)> = self.map.iter().map(|(k, v)| (*k, *v)).collect();
            for (n, en) in ids {
                if let Entry::Offset(_, g) = en
                    && let Ok(Obj::Dict(d)) = self.get((n, g))
                    && d.name(b"Type") == Some(b"Catalog")
                {
                    self.trailer = Dict(vec![(b"Root".to_vec(), Obj::Ref(n, g))]);
                    break;
                }
            }
        }
        if self.map.is_empty() {
            return e("no objects found");
        }
        Ok(())
    }
}
