//! Classic cross-reference tables (ISO 32000-1 7.5.4): `xref`, its
//! subsections of 20-byte entries, and the trailer dictionary.

use std::collections::BTreeMap;

use super::{Entry, Section};
use crate::lex;
use crate::obj::{self, Obj};

/// Parse a classic `xref` table and its trailer at the start of `w`.
pub fn table(w: &[u8], off: u64) -> Result<Section, obj::ParseError> {
    let mut p = 4;
    let mut entries = BTreeMap::new();
    loop {
        p = lex::skip_ws(w, p);
        if w.get(p..p + 7) == Some(b"trailer") {
            let (t, _) = obj::parse(w, p + 7, off, 0)?;
            let Obj::Dict(trailer) = t else {
                return Err(obj::ParseError("trailer is not a dictionary".into()));
            };
            return Ok(Section {
                offset: off,
                entries,
                trailer,
            });
        }
        let (a, q) = obj::parse(w, p, off, 0)?;
        let (b, q) = obj::parse(w, q, off, 0)?;
        let (Obj::Int(start), Obj::Int(count)) = (a, b) else {
            return Err(obj::ParseError(format!(
                "bad xref subsection at {}",
                off + p as u64
            )));
        };
        if start < 0 || !(0..=10_000_000).contains(&count) {
            return Err(obj::ParseError("bad xref subsection".into()));
        }
        p = q;
        for k in 0..count {
            let s = lex::skip_ws(w, p);
            let line = w
                .get(s..s + 18)
                .ok_or(obj::ParseError("truncated xref table".into()))?;
            let text =
                std::str::from_utf8(line).map_err(|_| obj::ParseError("bad xref entry".into()))?;
            let mut it = text.split_ascii_whitespace();
            let (Some(o), Some(g), Some(t)) = (it.next(), it.next(), it.next()) else {
                return Err(obj::ParseError("bad xref entry".into()));
            };
            let o: u64 = o
                .parse()
                .map_err(|_| obj::ParseError("bad xref offset".into()))?;
            let g: u16 = g
                .parse()
                .map_err(|_| obj::ParseError("bad xref generation".into()))?;
            let num = (start + k) as u32;
            entries.insert(
                num,
                if t.starts_with('n') {
                    Entry::Offset(o, g)
                } else {
                    Entry::Free
                },
            );
            p = s + 18;
        }
    }
}
