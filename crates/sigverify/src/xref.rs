//! The document structure read lazily from a [`Source`]: every
//! cross-reference section (tables, streams, hybrid files) along the
//! `/Prev` chain, object streams, and indirect objects on demand. Damaged
//! cross-reference data is rebuilt by scanning the file for objects, and
//! the repair is reported. Every read and decompression is bounded, each
//! object is parsed at most once (cached by its offset, shared by every
//! revision view), and all of it draws from one [`Budget`].

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Read;
use std::rc::Rc;

use super::budget::{Budget, Exhausted};
use super::lex::{self, is_ws};
use super::obj::{self, Dict, Obj};
use super::source::Source;

/// Largest window read to parse one object or table.
const MAX_WINDOW: usize = 64 << 20;
/// Largest decompressed stream this reader produces.
pub const MAX_DECODED: usize = 64 << 20;
/// Most cross-reference sections followed.
const MAX_SECTIONS: usize = 4096;
/// Most objects in one object stream.
const MAX_OBJSTM: usize = 100_000;

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

/// Decode Flate data, optionally with a PNG predictor, to at most `max`
/// bytes, drawing the decompressed bytes from `budget`.
fn decode_with(
    data: &[u8],
    dict: &Dict,
    max: usize,
    budget: Option<&Budget>,
) -> Result<Vec<u8>, String> {
    let filter: Vec<Vec<u8>> = match dict.get(b"Filter") {
        None | Some(Obj::Null) => vec![],
        Some(Obj::Name(n)) => vec![n.clone()],
        Some(Obj::Array(a)) => a
            .iter()
            .filter_map(|o| {
                if let Obj::Name(n) = o {
                    Some(n.clone())
                } else {
                    None
                }
            })
            .collect(),
        _ => return Err("bad /Filter".into()),
    };
    let mut out = data.to_vec();
    for f in &filter {
        match f.as_slice() {
            b"FlateDecode" | b"Fl" => {
                let mut d = flate2::read::ZlibDecoder::new(out.as_slice()).take(max as u64 + 1);
                let mut v = Vec::new();
                if d.read_to_end(&mut v).is_err() && v.is_empty() {
                    return Err("corrupt Flate data".into());
                }
                if v.len() > max {
                    return Err(format!("a stream decompresses to more than {max} bytes"));
                }
                if let Some(b) = budget {
                    b.bytes(v.len() as u64).map_err(|e| DocError::from(e).0)?;
                }
                out = v;
            }
            other => {
                return Err(format!(
                    "unsupported filter {}",
                    String::from_utf8_lossy(other)
                ));
            }
        }
    }
    let parms = match dict.get(b"DecodeParms") {
        Some(Obj::Dict(d)) => Some(d.clone()),
        Some(Obj::Array(a)) => a.iter().find_map(|o| {
            if let Obj::Dict(d) = o {
                Some(d.clone())
            } else {
                None
            }
        }),
        _ => None,
    };
    if let Some(p) = parms {
        let pred = p.int(b"Predictor").unwrap_or(1);
        if pred >= 10 {
            let cols = p.int(b"Columns").unwrap_or(1).clamp(1, 1 << 20) as usize;
            let colors = p.int(b"Colors").unwrap_or(1).clamp(1, 32) as usize;
            let bpc = p.int(b"BitsPerComponent").unwrap_or(8).clamp(1, 16) as usize;
            let bpp = (colors * bpc).div_ceil(8).max(1);
            let row = (cols * colors * bpc).div_ceil(8);
            out = png_unpredict(&out, row, bpp)?;
        } else if pred == 2 {
            return Err("TIFF predictor is not supported".into());
        }
    }
    Ok(out)
}

fn png_unpredict(data: &[u8], row: usize, bpp: usize) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(data.len());
    let mut prev = vec![0u8; row];
    for chunk in data.chunks(row + 1) {
        if chunk.len() < row + 1 {
            break;
        }
        let ft = chunk[0];
        let mut cur = chunk[1..].to_vec();
        for i in 0..row {
            let a = if i >= bpp { cur[i - bpp] } else { 0 };
            let b = prev[i];
            let c = if i >= bpp { prev[i - bpp] } else { 0 };
            cur[i] = match ft {
                0 => cur[i],
                1 => cur[i].wrapping_add(a),
                2 => cur[i].wrapping_add(b),
                3 => cur[i].wrapping_add(((u16::from(a) + u16::from(b)) / 2) as u8),
                4 => {
                    let p = i16::from(a) + i16::from(b) - i16::from(c);
                    let (pa, pb, pc) = (
                        (p - i16::from(a)).abs(),
                        (p - i16::from(b)).abs(),
                        (p - i16::from(c)).abs(),
                    );
                    let pr = if pa <= pb && pa <= pc {
                        a
                    } else if pb <= pc {
                        b
                    } else {
                        c
                    };
                    cur[i].wrapping_add(pr)
                }
                _ => return Err("bad PNG predictor".into()),
            };
        }
        out.extend_from_slice(&cur);
        prev = cur;
    }
    Ok(out)
}

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

    fn read_sections(&mut self) -> R<()> {
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

    /// The budget every step of this document draws from.
    pub fn budget(&self) -> &Budget {
        &self.shared.budget
    }

    fn read_section(&self, off: u64) -> R<Section> {
        // Some writers' offsets land on the end-of-line before `xref`.
        let head = self.src.read_vec(off, 64)?;
        let lead = head.iter().take_while(|b| is_ws(**b)).count();
        if head.get(lead..lead + 4) == Some(b"xref") {
            let at = off + lead as u64;
            return parse_window(self.src, self.budget(), at, |w| table(w, at));
        }
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

    fn objstm(&self, num: u32) -> R<ObjStm> {
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

    /// Rebuild the cross-reference data by scanning for `n g obj`.
    fn scan(&mut self) -> R<()> {
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

/// Parse a classic `xref` table and its trailer at the start of `w`.
fn table(w: &[u8], off: u64) -> Result<Section, obj::ParseError> {
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
