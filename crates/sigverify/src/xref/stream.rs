//! Cross-reference streams (ISO 32000-1 7.5.8): the `/Type /XRef` stream
//! object, its `/W` field widths and `/Index` subsections, decoded into
//! entries.

use std::collections::BTreeMap;

use super::decode::decode_with;
use super::{Doc, DocError, Entry, MAX_DECODED, R, Section, e, indirect, parse_window};
use crate::obj::Obj;

impl Doc<'_> {
    /// The cross-reference stream at `off`, as a section.
    pub(super) fn read_xref_stream(&self, off: u64) -> R<Section> {
        let (_, o) = parse_window(self.src, self.budget(), off, |w| indirect(w, off))?;
        let Obj::Stream(d, data_off) = o else {
            return e("the cross-reference offset does not point at a table or stream");
        };
        if d.name(b"Type") != Some(b"XRef") {
            return e("the cross-reference stream is not /Type /XRef");
        }
        let raw = self.raw_stream(&d, data_off)?;
        let data = decode_with(&raw, &d, MAX_DECODED, Some(self.budget())).map_err(DocError)?;
        let w: Vec<usize> = match d.get(b"W") {
            Some(Obj::Array(a)) if a.len() == 3 => a
                .iter()
                .map(|x| {
                    if let Obj::Int(n) = x {
                        (*n).clamp(0, 8) as usize
                    } else {
                        0
                    }
                })
                .collect(),
            _ => return e("bad /W in the cross-reference stream"),
        };
        let size = d.int(b"Size").unwrap_or(0).max(0);
        let index: Vec<i64> = match d.get(b"Index") {
            Some(Obj::Array(a)) => a
                .iter()
                .map(|x| if let Obj::Int(n) = x { *n } else { 0 })
                .collect(),
            _ => vec![0, size],
        };
        let rec = w.iter().sum::<usize>();
        if rec == 0 {
            return e("empty cross-reference records");
        }
        let field = |r: &[u8], i: usize, start: usize| -> u64 {
            r[start..start + w[i]]
                .iter()
                .fold(0u64, |a, b| (a << 8) | u64::from(*b))
        };
        let mut entries = BTreeMap::new();
        let mut pos = 0;
        for pair in index.chunks(2) {
            let (first, count) = (
                pair[0].max(0) as u64,
                pair.get(1).copied().unwrap_or(0).max(0) as u64,
            );
            for k in 0..count {
                let Some(r) = data.get(pos..pos + rec) else {
                    break;
                };
                pos += rec;
                let t = if w[0] == 0 { 1 } else { field(r, 0, 0) };
                let f2 = field(r, 1, w[0]);
                let f3 = field(r, 2, w[0] + w[1]);
                let num = u32::try_from(first + k)
                    .map_err(|_| DocError("object number too large".into()))?;
                let entry = match t {
                    0 => Entry::Free,
                    1 => Entry::Offset(f2, f3 as u16),
                    2 => Entry::InStream(f2 as u32, f3 as u32),
                    _ => continue,
                };
                entries.insert(num, entry);
            }
        }
        Ok(Section {
            offset: off,
            entries,
            trailer: d,
        })
    }
}
