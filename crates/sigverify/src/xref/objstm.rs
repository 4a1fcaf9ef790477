//! Object streams (ISO 32000-1 7.5.7): decoded once per document and
//! shared, each distinct offset parsed once, a self-reference refused.

use std::collections::HashMap;
use std::rc::Rc;

use super::{Doc, DocError, Entry, ObjStm, R, e, size};
use crate::obj::{self, Obj};

/// Most objects in one object stream.
const MAX_OBJSTM: usize = 100_000;

impl Doc<'_> {
    /// The objects of object stream `num`, decoded once.
    pub(super) fn objstm(&self, num: u32) -> R<ObjStm> {
        let Some(Entry::Offset(off, _)) = self.map.get(&num).copied() else {
            return e("object stream missing");
        };
        if let Some(v) = self.shared.objstm.borrow().get(&off) {
            self.budget().check()?;
            return v.clone();
        }
        // Mark it first: a stream whose /Length lives inside itself must not recurse.
        self.shared.objstm.borrow_mut().insert(
            off,
            Err(DocError(
                "an object stream depends on its own contents".into(),
            )),
        );
        let r = self.read_objstm(off);
        if r.is_err() && self.budget().exhausted().is_some() {
            return r;
        }
        self.shared.objstm.borrow_mut().insert(off, r.clone());
        r
    }

    /// Decode the object stream at `off`: each distinct offset in it is
    /// parsed once, and a number listed twice keeps its first object.
    fn read_objstm(&self, off: u64) -> R<ObjStm> {
        let ((own, _), o, _) = self.at_offset(off)?;
        let Obj::Stream(d, data_off) = &*o else {
            return e("object stream is not a stream");
        };
        let data = self.stream_data(d, *data_off)?;
        let n = d.int(b"N").unwrap_or(0).clamp(0, MAX_OBJSTM as i64) as usize;
        let first = d.int(b"First").unwrap_or(0).max(0) as usize;
        let mut p = 0;
        let mut heads = Vec::with_capacity(n.min(data.len() / 4 + 1));
        for _ in 0..n {
            let (a, q) = obj::parse(&data, p, 0, 0)?;
            let (b, q) = obj::parse(&data, q, 0, 0)?;
            p = q;
            self.budget().parsed(2)?;
            if let (Obj::Int(a), Obj::Int(b)) = (a, b)
                && let (Ok(num), Ok(rel)) = (u32::try_from(a), usize::try_from(b))
            {
                heads.push((num, rel));
            }
        }
        let mut by_offset: HashMap<usize, Rc<Obj>> = HashMap::new();
        let mut out: HashMap<u32, Rc<Obj>> = HashMap::new();
        for (num, rel) in heads {
            // An object stream cannot hold itself, and a number appears once.
            if num == own || out.contains_key(&num) {
                continue;
            }
            let Some(at) = first.checked_add(rel).filter(|a| *a < data.len()) else {
                continue;
            };
            let o = match by_offset.get(&at) {
                Some(o) => o.clone(),
                None => {
                    let o = obj::parse(&data, at, 0, 0).map_or(Obj::Null, |(o, _)| o);
                    self.budget().parsed(size(&o))?;
                    let o = Rc::new(o);
                    by_offset.insert(at, o.clone());
                    o
                }
            };
            out.insert(num, o);
        }
        Ok(Rc::new(out))
    }
}
