//! Canonical fingerprints of object graphs, so that two revisions are
//! compared by what their objects say, not how they are written: references
//! are followed (object numbers do not matter), dictionary keys are sorted
//! (order does not matter), numbers compared by value (`1` equals `1.0`),
//! and streams by their decoded data (recompression does not matter).
//! Back-pointers (`/Parent`, an annotation's `/P`) and structure-tree links
//! are left out, since they change whenever bookkeeping does. A stream
//! whose cross-reference entry is the same in both views is the same bytes,
//! so its data is fingerprinted by its place without being read (large
//! images are never decoded just to find they did not change); an identical
//! copy under another number is read and compared by content.

use std::collections::HashMap;

use openssl::sha::Sha256;

use crate::obj::{Dict, Obj};
use crate::xref::{Doc, Entry};

/// A fingerprint.
pub type Print = [u8; 32];

/// Keys that never change what an object shows or does.
const ALWAYS_SKIPPED: &[&[u8]] = &[b"Parent", b"StructParent", b"StructParents"];
/// Keys of a stream's dictionary that only say how its data is encoded.
const ENCODING: &[&[u8]] = &[b"Length", b"Filter", b"DecodeParms", b"DL"];

/// Computes fingerprints over one document view, remembering each object's.
pub struct Canon<'d, 's> {
    doc: &'d Doc<'s>,
    other: Option<&'d Doc<'s>>,
    memo: HashMap<(u32, u16), Print>,
    skip: &'static [&'static [u8]],
}

impl<'d, 's> Canon<'d, 's> {
    /// Fingerprints over `doc`, compared with `other` (the other view of the
    /// same file, whose unchanged objects are recognised by place), also
    /// leaving out the keys in `skip`.
    pub fn new(
        doc: &'d Doc<'s>,
        other: Option<&'d Doc<'s>>,
        skip: &'static [&'static [u8]],
    ) -> Self {
        Self {
            doc,
            other,
            memo: HashMap::new(),
            skip,
        }
    }

    /// Where object `n` sits when it sits at the same place in both views.
    fn same_place(&self, n: u32, g: u16) -> Option<(u64, u32)> {
        let other = self.other?;
        let (a, b) = (self.doc.map.get(&n)?, other.map.get(&n)?);
        if a != b {
            return None;
        }
        match *a {
            Entry::Offset(off, generation) if generation == g => Some((off, 0)),
            Entry::InStream(c, i) => match (self.doc.map.get(&c), other.map.get(&c)) {
                (Some(x @ Entry::Offset(off, _)), Some(y)) if x == y => Some((*off, i + 1)),
                _ => None,
            },
            _ => None,
        }
    }

    /// The fingerprint of `o` and everything it references.
    pub fn print(&mut self, o: &Obj) -> Print {
        let mut h = Sha256::new();
        self.feed(&mut h, o, 0);
        h.finish()
    }

    fn feed(&mut self, h: &mut Sha256, o: &Obj, depth: usize) {
        if depth > 48 {
            h.update(b"D");
            return;
        }
        match o {
            Obj::Null => h.update(b"n"),
            Obj::Bool(b) => h.update(if *b { b"t" } else { b"f" }),
            Obj::Int(i) => number(h, *i as f64),
            Obj::Real(r) => number(h, *r),
            Obj::Name(n) => {
                h.update(b"/");
                h.update(&(n.len() as u64).to_be_bytes());
                h.update(n);
            }
            Obj::Str(s) => {
                h.update(b"(");
                h.update(&(s.len() as u64).to_be_bytes());
                h.update(s);
            }
            Obj::Array(a) => {
                h.update(b"[");
                h.update(&(a.len() as u64).to_be_bytes());
                for x in a {
                    self.feed(h, x, depth + 1);
                }
            }
            Obj::Dict(d) => self.dict(h, d, &[], depth),
            Obj::Stream(d, off) => {
                h.update(b"S");
                self.dict(h, d, ENCODING, depth);
                let data = self
                    .doc
                    .stream_data(d, *off)
                    .or_else(|_| self.doc.raw_stream(d, *off));
                match data {
                    Ok(v) => {
                        h.update(&(v.len() as u64).to_be_bytes());
                        h.update(&openssl::sha::sha256(&v));
                    }
                    Err(_) => h.update(b"?"),
                }
            }
            Obj::Ref(n, g) => {
                let key = (*n, *g);
                if let Some(p) = self.memo.get(&key) {
                    h.update(p);
                    return;
                }
                // A cycle meets this placeholder (the same on both sides).
                self.memo.insert(key, [0xCC; 32]);
                let target = self.doc.get_rc((*n, *g));
                let mut inner = Sha256::new();
                match target {
                    // The same bytes in both views: the stream's data is not
                    // read. Its dictionary still is, encoding entries included
                    // (an indirect /Length changed later would change the data).
                    Ok(t) if matches!(*t, Obj::Stream(..)) && self.same_place(*n, *g).is_some() => {
                        if let (Obj::Stream(d, _), Some((off, i))) = (&*t, self.same_place(*n, *g))
                        {
                            inner.update(b"S@");
                            self.dict(&mut inner, d, &[], depth + 1);
                            inner.update(b"@");
                            inner.update(&off.to_be_bytes());
                            inner.update(&i.to_be_bytes());
                        }
                    }
                    Ok(t) => self.feed(&mut inner, &t, depth + 1),
                    Err(_) => inner.update(b"?"),
                }
                let p = inner.finish();
                self.memo.insert(key, p);
                h.update(&p);
            }
        }
    }

    fn dict(&mut self, h: &mut Sha256, d: &Dict, extra: &[&[u8]], depth: usize) {
        let mut keys: Vec<&(Vec<u8>, Obj)> =
            d.0.iter()
                .filter(|(k, _)| {
                    let k = k.as_slice();
                    !ALWAYS_SKIPPED.contains(&k) && !self.skip.contains(&k) && !extra.contains(&k)
                })
                .collect();
        keys.sort_by(|a, b| a.0.cmp(&b.0));
        keys.dedup_by(|a, b| a.0 == b.0);
        h.update(b"<");
        h.update(&(keys.len() as u64).to_be_bytes());
        for (k, v) in keys {
            h.update(&(k.len() as u64).to_be_bytes());
            h.update(k);
            self.feed(h, v, depth + 1);
        }
    }
}

fn number(h: &mut Sha256, v: f64) {
    h.update(b"#");
    // Integers and reals compare by value, to six decimals.
    let r = (v * 1e6).round() / 1e6;
    h.update(format!("{r}").as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn print_of(src: &[u8]) -> Print {
        let (o, _) = crate::obj::parse(src, 0, 0, 0).expect("parse");
        let pdf = crate::hostile::tiny_pdf();
        let bytes = pdf.as_slice();
        let doc = Doc::open(&bytes).expect("open");
        Canon::new(&doc, None, &[]).print(&o)
    }

    #[test]
    fn order_and_number_spelling_do_not_matter() {
        assert_eq!(
            print_of(b"<< /A 1 /B [2 3.0] /C (x) >>"),
            print_of(b"<< /C (x) /B [2.0 3] /A 1.0 >>")
        );
        assert_ne!(print_of(b"<< /A 1 >>"), print_of(b"<< /A 2 >>"));
        assert_ne!(print_of(b"<< /A (1) >>"), print_of(b"<< /A 1 >>"));
        assert_eq!(
            print_of(b"<< /A 1 /Parent 9 0 R >>"),
            print_of(b"<< /A 1 >>"),
            "back-pointers are left out"
        );
    }
}
