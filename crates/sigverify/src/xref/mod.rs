//! The document structure read lazily from a [`Source`]: every
//! cross-reference section (tables, streams, hybrid files) along the
//! `/Prev` chain, object streams, and indirect objects on demand. Damaged
//! cross-reference data is rebuilt by scanning the file for objects, and
//! the repair is reported. Every read and decompression is bounded, each
//! object is parsed at most once (cached by its offset, shared by every
//! revision view), and all of it draws from one [`Budget`].

mod decode;
mod objstm;
mod repair;
mod sections;
mod stream;
mod table;

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;

use self::decode::decode_with;
use super::budget::{Budget, Exhausted};
use super::lex;
use super::obj::{self, Dict, Obj};
use super::source::Source;

/// Largest window read to parse one object or table.
const MAX_WINDOW: usize = 64 << 20;
/// Largest decompressed stream this reader produces.
pub const MAX_DECODED: usize = 64 << 20;

/// Where an object lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entry {
    /// Free (deleted).
    Free,
    /// At a byte offset, with its generation.
    Offset(u64, u16),
    /// Inside an object stream: container object number and index.
    InStream(u32, u32),
}

/// One cross-reference section and its trailer.
#[derive(Debug, Clone)]
pub struct Section {
    /// Offset of the section (`xref` keyword or the xref stream object).
    pub offset: u64,
    /// Its entries.
    pub entries: BTreeMap<u32, Entry>,
    /// Its trailer (or the xref stream's dictionary).
    pub trailer: Dict,
}

/// The objects of one object stream by number, decoded once and shared
/// (a number listed twice in the stream's header keeps its first object).
type ObjStm = Rc<HashMap<u32, Rc<Obj>>>;

/// An object parsed at a file offset: its header and value and how many
/// nodes it has, or why it could not be parsed.
type Cached = Result<((u32, u16), Rc<Obj>, u64), DocError>;

/// What every view of one document shares: the budget and the caches.
/// Bytes at an offset never change, so a parse is valid in every revision.
struct Shared {
    budget: Rc<Budget>,
    objects: RefCell<HashMap<u64, Cached>>,
    objstm: RefCell<HashMap<u64, Result<ObjStm, DocError>>>,
}

/// A document opened for reading.
pub struct Doc<'s> {
    src: &'s dyn Source,
    /// Sections, newest first.
    pub sections: Vec<Section>,
    /// Merged entries (newest wins).
    pub map: HashMap<u32, Entry>,
    /// The newest trailer.
    pub trailer: Dict,
    /// True when the cross-reference data had to be rebuilt by scanning.
    pub repaired: Option<String>,
    shared: Rc<Shared>,
}

/// A failure to read the document.
#[derive(Debug, Clone)]
pub struct DocError(pub String);

type R<T> = Result<T, DocError>;

fn e<T>(m: impl Into<String>) -> R<T> {
    Err(DocError(m.into()))
}

impl From<obj::ParseError> for DocError {
    fn from(x: obj::ParseError) -> Self {
        DocError(x.0)
    }
}

impl From<std::io::Error> for DocError {
    fn from(x: std::io::Error) -> Self {
        DocError(format!("read error: {x}"))
    }
}

impl From<Exhausted> for DocError {
    fn from(x: Exhausted) -> Self {
        DocError(format!("verification limit reached ({x:?})"))
    }
}

/// How many nodes an object has (itself and everything inside it).
pub fn size(o: &Obj) -> u64 {
    match o {
        Obj::Array(a) => 1 + a.iter().map(size).sum::<u64>(),
        Obj::Dict(d) | Obj::Stream(d, _) => 1 + d.0.iter().map(|(_, v)| 1 + size(v)).sum::<u64>(),
        _ => 1,
    }
}

/// Parse with a window that grows until the object fits; every byte read
/// is drawn from `budget`.
fn parse_window<T>(
    src: &dyn Source,
    budget: &Budget,
    off: u64,
    f: impl Fn(&[u8]) -> Result<T, obj::ParseError>,
) -> R<T> {
    let mut n = 16 << 10;
    loop {
        let w = src.read_vec(off, n)?;
        budget.bytes(w.len() as u64)?;
        match f(&w) {
            Ok(v) => return Ok(v),
            Err(x) => {
                let at_end = off + w.len() as u64 >= src.len();
                if at_end || n >= MAX_WINDOW {
                    return Err(x.into());
                }
                n *= 4;
            }
        }
    }
}

/// Parse `n g obj <value>` at the start of `w`.
fn indirect(w: &[u8], base: u64) -> Result<((u32, u16), Obj), obj::ParseError> {
    let (a, p) = obj::parse(w, 0, base, 0)?;
    let (b, p) = obj::parse(w, p, base, 0)?;
    let s = lex::skip_ws(w, p);
    if w.get(s..s + 3) != Some(b"obj") {
        return Err(obj::ParseError(format!(
            "missing 'obj' at {}",
            base + s as u64
        )));
    }
    let (v, _) = obj::parse(w, s + 3, base, 0)?;
    match (a, b) {
        (Obj::Int(n), Obj::Int(g)) if n >= 0 && (0..=65535).contains(&g) => {
            Ok(((n as u32, g as u16), v))
        }
        _ => Err(obj::ParseError(format!("bad object header at {base}"))),
    }
}

impl<'s> Doc<'s> {
    /// Open a document under the default limits; rebuild the
    /// cross-reference data by scanning when it is damaged.
    #[cfg(test)]
    pub fn open(src: &'s dyn Source) -> R<Doc<'s>> {
        Self::open_with(
            src,
            Rc::new(Budget::new(super::budget::Limits::default(), None)),
        )
    }

    /// Open a document, every step drawing from `budget`.
    pub fn open_with(src: &'s dyn Source, budget: Rc<Budget>) -> R<Doc<'s>> {
        let mut doc = Doc {
            src,
            sections: Vec::new(),
            map: HashMap::new(),
            trailer: Dict::default(),
            repaired: None,
            shared: Rc::new(Shared {
                budget,
                objects: RefCell::new(HashMap::new()),
                objstm: RefCell::new(HashMap::new()),
            }),
        };
        match doc.read_sections() {
            Ok(()) if doc.trailer.get(b"Root").is_some() && doc.catalog().is_ok() => Ok(doc),
            first => {
                let why = match first {
                    Err(x) => x.0,
                    Ok(()) => "the catalog does not load from the cross-reference data".into(),
                };
                // A spent budget is not damage: scanning would only spend more.
                doc.budget().check()?;
                doc.sections.clear();
                doc.map.clear();
                doc.scan()?;
                doc.repaired = Some(why);
                doc.catalog()?;
                Ok(doc)
            }
        }
    }

    /// The budget every step of this document draws from.
    pub fn budget(&self) -> &Budget {
        &self.shared.budget
    }

    /// Raw (undecoded) bytes of a stream, by its /Length.
    pub fn raw_stream(&self, d: &Dict, data_off: u64) -> R<Vec<u8>> {
        let len = match d.get(b"Length") {
            Some(Obj::Int(n)) => *n,
            Some(Obj::Ref(n, g)) => match self.get((*n, *g))? {
                Obj::Int(n) => n,
                _ => return e("bad stream /Length"),
            },
            _ => return e("stream without /Length"),
        };
        if len < 0 || len as u64 > MAX_DECODED as u64 || data_off + len as u64 > self.src.len() {
            return e("stream /Length out of bounds");
        }
        self.budget().bytes(len as u64)?;
        Ok(self.src.read_vec(data_off, len as usize)?)
    }

    /// A stream's decoded data.
    pub fn stream_data(&self, d: &Dict, data_off: u64) -> R<Vec<u8>> {
        self.stream_data_max(d, data_off, MAX_DECODED)
    }

    /// A stream's decoded data, refused beyond `max` bytes.
    pub fn stream_data_max(&self, d: &Dict, data_off: u64, max: usize) -> R<Vec<u8>> {
        let raw = self.raw_stream(d, data_off)?;
        decode_with(&raw, d, max.min(MAX_DECODED), Some(self.budget())).map_err(DocError)
    }

    /// The indirect object at `off`, parsed once per document, with its
    /// size (not yet drawn from the budget: the caller hands it out).
    fn at_offset(&self, off: u64) -> R<((u32, u16), Rc<Obj>, u64)> {
        if let Some(c) = self.shared.objects.borrow().get(&off) {
            self.budget().check()?;
            return c.clone();
        }
        let parsed = parse_window(self.src, self.budget(), off, |w| indirect(w, off));
        let cached: Cached = match parsed {
            Ok((id, o)) => {
                let n = size(&o);
                self.budget().parsed(n)?;
                Ok((id, Rc::new(o), n))
            }
            // A spent budget is not a property of the bytes: do not cache it.
            Err(x) if self.budget().exhausted().is_some() => return Err(x),
            Err(x) => Err(x),
        };
        self.shared.objects.borrow_mut().insert(off, cached.clone());
        cached
    }

    /// The object `id`.
    pub fn get(&self, id: (u32, u16)) -> R<Obj> {
        self.get_rc(id).map(|o| (*o).clone())
    }

    /// The object `id`, shared with the cache (no copy is made).
    pub fn get_rc(&self, id: (u32, u16)) -> R<Rc<Obj>> {
        match self.map.get(&id.0) {
            None | Some(Entry::Free) => Ok(Rc::new(Obj::Null)),
            Some(Entry::Offset(off, g)) => {
                if *g != id.1 {
                    return Ok(Rc::new(Obj::Null));
                }
                let ((n, _), o, size) = self.at_offset(*off)?;
                if n != id.0 {
                    return e(format!(
                        "object {} is not at the offset its cross-reference entry gives",
                        id.0
                    ));
                }
                self.budget().handed(size)?;
                Ok(o)
            }
            Some(Entry::InStream(container, _)) => {
                let objs = self.objstm(*container)?;
                match objs.get(&id.0) {
                    Some(o) => {
                        self.budget().handed(size(o))?;
                        Ok(o.clone())
                    }
                    None => Ok(Rc::new(Obj::Null)),
                }
            }
        }
    }

    /// Follow references (a bounded number of hops).
    pub fn resolve(&self, o: &Obj) -> R<Obj> {
        let mut cur = o.clone();
        for _ in 0..32 {
            match cur {
                Obj::Ref(n, g) => cur = self.get((n, g))?,
                other => return Ok(other),
            }
        }
        e("reference chain too long")
    }

    /// The catalog.
    pub fn catalog(&self) -> R<Dict> {
        match self.trailer.get(b"Root") {
            Some(r) => match self.resolve(r)? {
                Obj::Dict(d) => Ok(d),
                _ => e("the catalog is not a dictionary"),
            },
            None => e("the trailer has no /Root"),
        }
    }

    /// The document as it was at the end of the revision ending at `end`:
    /// only the cross-reference sections stored before `end`.
    pub fn revision_view(&self, end: u64) -> Doc<'s> {
        let sections: Vec<Section> = self
            .sections
            .iter()
            .filter(|s| s.offset < end)
            .cloned()
            .collect();
        let mut map = HashMap::new();
        for s in sections.iter().rev() {
            for (k, v) in &s.entries {
                map.insert(*k, *v);
            }
        }
        let trailer = sections
            .first()
            .map(|s| s.trailer.clone())
            .unwrap_or_default();
        Doc {
            src: self.src,
            sections,
            map,
            trailer,
            repaired: self.repaired.clone(),
            shared: self.shared.clone(),
        }
    }

    /// Length of the underlying file.
    pub fn file_len(&self) -> u64 {
        self.src.len()
    }

    /// The cross-reference sections stored at or after `end`, oldest first.
    pub fn sections_after(&self, end: u64) -> Vec<&Section> {
        let mut v: Vec<&Section> = self.sections.iter().filter(|s| s.offset >= end).collect();
        v.sort_by_key(|s| s.offset);
        v
    }

    /// The file offset of object `id`, when stored uncompressed.
    pub fn offset_of(&self, id: (u32, u16)) -> Option<u64> {
        match self.map.get(&id.0) {
            Some(Entry::Offset(o, g)) if *g == id.1 => Some(*o),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_small_classic_file() {
        let pdf = crate::hostile::tiny_pdf();
        let bytes = pdf.as_slice();
        let doc = Doc::open(&bytes).expect("open");
        assert!(doc.repaired.is_none());
        let cat = doc.catalog().expect("catalog");
        assert_eq!(cat.name(b"Type"), Some(&b"Catalog"[..]));
    }

    #[test]
    fn repairs_a_broken_startxref() {
        let mut pdf = crate::hostile::tiny_pdf();
        let at = pdf
            .windows(9)
            .rposition(|w| w == b"startxref")
            .expect("startxref");
        for b in &mut pdf[at + 10..at + 13] {
            *b = b'9';
        }
        let bytes = pdf.as_slice();
        let doc = Doc::open(&bytes).expect("open");
        assert!(doc.repaired.is_some());
        assert!(doc.catalog().is_ok());
    }
}
