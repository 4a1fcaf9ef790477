//! The chain of cross-reference sections: from the last `startxref`
//! along `/Prev`, each a classic table or a cross-reference stream, a
//! hybrid file's `/XRefStm` merged into its table, merged newest first.

use std::collections::HashSet;

use super::table::table;
use super::{Doc, DocError, R, Section, e, parse_window};
use crate::lex::{self, is_ws};
use crate::source::Source;

/// Most cross-reference sections followed.
const MAX_SECTIONS: usize = 4096;

/// The offset the last `startxref` names.
fn startxref(src: &dyn Source) -> R<u64> {
    let n = 4096.min(src.len() as usize);
    let tail = src.read_vec(src.len() - n as u64, n)?;
    let pos = tail
        .windows(9)
        .rposition(|w| w == b"startxref")
        .ok_or(DocError("no startxref".into()))?;
    let s = lex::skip_ws(&tail, pos + 9);
    let digits: String = tail[s..]
        .iter()
        .take_while(|b| b.is_ascii_digit())
        .map(|&b| b as char)
        .collect();
    digits.parse().map_err(|_| DocError("bad startxref".into()))
}

impl Doc<'_> {
    /// Read every section along the chain, and merge their entries.
    pub(super) fn read_sections(&mut self) -> R<()> {
        let mut next = Some(startxref(self.src)?);
        let mut seen = HashSet::new();
        while let Some(off) = next {
            if !seen.insert(off) || self.sections.len() >= MAX_SECTIONS {
                return e("the cross-reference chain loops");
            }
            if off >= self.src.len() {
                return e(format!(
                    "a cross-reference offset {off} is beyond the end of the file"
                ));
            }
            let sec = self.read_section(off)?;
            // Hybrid files: the table's /XRefStm supplements it.
            if let Some(x) = sec.trailer.int(b"XRefStm").filter(|x| *x > 0) {
                let xs = self.read_section(x as u64)?;
                let mut s = sec.clone();
                for (k, v) in xs.entries {
                    s.entries.entry(k).or_insert(v);
                }
                next = sec.trailer.int(b"Prev").map(|p| p as u64);
                self.sections.push(s);
            } else {
                next = sec.trailer.int(b"Prev").map(|p| p as u64);
                self.sections.push(sec);
            }
        }
        for s in self.sections.iter().rev() {
            for (k, v) in &s.entries {
                self.map.insert(*k, *v);
            }
        }
        self.trailer = self
            .sections
            .first()
            .map(|s| s.trailer.clone())
            .unwrap_or_default();
        Ok(())
    }

    /// The section at `off`: a table or a stream.
    fn read_section(&self, off: u64) -> R<Section> {
        // Some writers' offsets land on the end-of-line before `xref`.
        let head = self.src.read_vec(off, 64)?;
        let lead = head.iter().take_while(|b| is_ws(**b)).count();
        if head.get(lead..lead + 4) == Some(b"xref") {
            let at = off + lead as u64;
            return parse_window(self.src, self.budget(), at, |w| table(w, at));
        }
        self.read_xref_stream(off)
    }
}
