//! Reading a PDF for verification: its signature dictionaries (AcroForm
//! fields, widgets merged with fields, signature widgets reachable from
//! pages) and the `/DSS` store, through the lazy [`Doc`] reader so only the
//! objects verification needs are read.

use std::collections::HashSet;

use super::budget::Budget;
use super::obj::{Dict, Obj};
use super::report::{Kind, Problem};
use super::source::Source;
use super::xref::Doc;

/// Most signatures read from one file.
pub const MAX_SIGNATURES: usize = 64;
/// Most form fields and widgets visited.
pub const MAX_FIELDS: usize = 20_000;
/// Most pages whose annotations are looked at.
pub const MAX_PAGES: usize = 10_000;

/// A signature dictionary found in the document.
#[derive(Debug, Clone)]
pub struct SigDict {
    /// Fully qualified field name.
    pub field: String,
    /// The signature dictionary's object id, when indirect.
    pub id: Option<(u32, u16)>,
    /// Approval, certification or document timestamp.
    pub kind: Kind,
    /// `/SubFilter`.
    pub sub_filter: String,
    /// `/ByteRange` as read (None when absent).
    pub byte_range: Option<Obj>,
    /// `/Contents` bytes (None when absent or not a string).
    pub contents: Option<Vec<u8>>,
    /// `/M` as written.
    pub m: Option<String>,
    /// DocMDP permission `/P` (1–3) of a certification signature.
    pub docmdp_p: Option<i64>,
    /// FieldMDP lock: the fields this signature forbids changing.
    pub lock: Option<FieldLock>,
    /// The lock's `/P` (ISO 32000-2 12.7.5.5): 1 forbids any further change.
    pub lock_p: Option<i64>,
}

/// Which fields a signature locks (FieldMDP, ISO 32000-1 12.8.2.4; `/Lock` 12.7.4.5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldLock {
    /// Every field.
    All,
    /// Only these fields.
    Include(Vec<String>),
    /// Every field but these.
    Exclude(Vec<String>),
}

impl FieldLock {
    /// Whether the field named `name` is locked.
    pub fn locks(&self, name: &str) -> bool {
        match self {
            FieldLock::All => true,
            FieldLock::Include(v) => v.iter().any(|f| f == name),
            FieldLock::Exclude(v) => !v.iter().any(|f| f == name),
        }
    }
}

/// Validation material from the document security store (`/DSS`).
#[derive(Debug, Clone, Default)]
pub struct Dss {
    /// DER certificates.
    pub certs: Vec<Vec<u8>>,
    /// DER CRLs.
    pub crls: Vec<Vec<u8>>,
    /// DER OCSP responses.
    pub ocsps: Vec<Vec<u8>>,
}

/// What verification needs from a PDF.
pub struct Parsed<'s> {
    /// The document.
    pub doc: Doc<'s>,
    /// Signature dictionaries in field order.
    pub sigs: Vec<SigDict>,
    /// `/DSS` contents.
    pub dss: Dss,
    /// Quirks noticed (repaired cross-reference data, …).
    pub problems: Vec<Problem>,
}

/// Why a file could not be read as a PDF.
#[derive(Debug, Clone)]
pub struct Malformed(pub String);

/// PDF text string → Rust string (UTF-16BE with BOM, UTF-8 with BOM, else PDFDocEncoding ≈ Latin-1).
pub fn text(bytes: &[u8]) -> String {
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        let units: Vec<u16> = rest
            .chunks_exact(2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]))
            .collect();
        return String::from_utf16_lossy(&units);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return String::from_utf8_lossy(rest).into_owned();
    }
    bytes.iter().map(|&b| b as char).collect()
}

/// End offsets of every revision in `data`: just after each `%%EOF` and its end-of-line.
pub fn revision_ends(data: &[u8]) -> Vec<usize> {
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(k) = find(&data[i..], b"%%EOF") {
        let mut e = i + k + 5;
        if data.get(e) == Some(&b'\r') {
            e += 1;
        }
        if data.get(e) == Some(&b'\n') {
            e += 1;
        }
        out.push(e);
        i = e;
    }
    out
}

/// First position of `needle` in `hay`.
pub fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

struct Walker<'a, 's> {
    doc: &'a Doc<'s>,
}

impl Walker<'_, '_> {
    fn resolve(&self, o: &Obj) -> Obj {
        self.doc.resolve(o).unwrap_or(Obj::Null)
    }
    fn dict(&self, o: &Obj) -> Option<Dict> {
        match self.resolve(o) {
            Obj::Dict(d) | Obj::Stream(d, _) => Some(d),
            _ => None,
        }
    }
    fn array(&self, o: &Obj) -> Vec<Obj> {
        match self.resolve(o) {
            Obj::Array(a) => a,
            _ => vec![],
        }
    }
    fn string(&self, d: &Dict, key: &[u8]) -> Option<String> {
        match self.resolve(d.get(key)?) {
            Obj::Str(s) => Some(text(&s)),
            _ => None,
        }
    }
    fn name(d: &Dict, key: &[u8]) -> Option<String> {
        d.name(key).map(|n| String::from_utf8_lossy(n).into_owned())
    }
    /// The decoded streams an array lists, each at most `each` bytes and
    /// `total` bytes together (validation data is small; a bomb is not).
    fn streams(&self, o: Option<&Obj>, each: usize, total: usize) -> Vec<Vec<u8>> {
        let Some(o) = o else { return vec![] };
        let mut out = Vec::new();
        let mut used = 0usize;
        let mut seen = HashSet::new();
        for x in self.array(o).iter().take(10_000) {
            if let Obj::Ref(n, g) = x
                && !seen.insert((*n, *g))
            {
                continue;
            }
            if let Obj::Stream(d, off) = self.resolve(x)
                && let Ok(v) = self.doc.stream_data_max(&d, off, each.min(total - used))
            {
                used += v.len();
                out.push(v);
                if used >= total {
                    break;
                }
            }
        }
        out
    }

    /// Page objects in order, bounded.
    fn pages(&self, catalog: &Dict) -> Vec<Dict> {
        let mut out = Vec::new();
        let mut stack: Vec<(Obj, usize)> = catalog
            .get(b"Pages")
            .map(|p| vec![(p.clone(), 0)])
            .unwrap_or_default();
        let mut seen = HashSet::new();
        while let Some((o, depth)) = stack.pop() {
            if out.len() >= MAX_PAGES || depth > 64 {
                break;
            }
            if let Obj::Ref(n, g) = o
                && !seen.insert((n, g))
            {
                continue;
            }
            let Some(d) = self.dict(&o) else { continue };
            match d.name(b"Type") {
                Some(b"Pages") => {
                    if let Some(k) = d.get(b"Kids") {
                        for kid in self.array(k).into_iter().rev() {
                            stack.push((kid, depth + 1));
                        }
                    }
                }
                _ => out.push(d),
            }
        }
        out
    }
}

impl<'s> Parsed<'s> {
    /// Open the document in `src` and find its signatures, every step
    /// drawing from `budget`.
    pub fn load(src: &'s dyn Source, budget: std::rc::Rc<Budget>) -> Result<Parsed<'s>, Malformed> {
        let head = src
            .read_vec(0, 1024)
            .map_err(|e| Malformed(e.to_string()))?;
        if find(&head, b"%PDF-").is_none() {
            return Err(Malformed("no %PDF- header in the first 1024 bytes".into()));
        }
        let doc = Doc::open_with(src, budget)
            .map_err(|e| Malformed(format!("cannot read the PDF structure: {}", e.0)))?;
        let mut problems = Vec::new();
        if let Some(why) = &doc.repaired {
            problems.push(Problem::new(
                "XREF_REPAIRED",
                format!("the cross-reference data was damaged ({why}); it was rebuilt by scanning the file"),
            ));
        }
        let (sigs, dss) = {
            let w = Walker { doc: &doc };
            let catalog = doc.catalog().map_err(|e| Malformed(e.0))?;
            (find_signatures(&w, &catalog), read_dss(&w, &catalog))
        };
        Ok(Parsed {
            doc,
            sigs,
            dss,
            problems,
        })
    }

    /// The file offset of an indirect object, when it is stored uncompressed.
    pub fn offset_of(&self, id: (u32, u16)) -> Option<u64> {
        self.doc.offset_of(id)
    }
}

/// Every signature field's signature dictionary: the AcroForm's fields,
/// then the widgets on pages, walked depth-first with the names and field
/// types they inherit.
fn find_signatures(w: &Walker<'_, '_>, catalog: &Dict) -> Vec<SigDict> {
    let certifying = catalog
        .get(b"Perms")
        .and_then(|p| w.dict(p))
        .and_then(|perms| match perms.get(b"DocMDP") {
            Some(Obj::Ref(n, g)) => Some((*n, *g)),
            _ => None,
        });
    // Roots in order: the AcroForm's fields, then widgets on pages (a
    // signature widget need not be listed in the AcroForm).
    let mut roots: Vec<Obj> = Vec::new();
    if let Some(form) = catalog.get(b"AcroForm").and_then(|a| w.dict(a))
        && let Some(f) = form.get(b"Fields")
    {
        roots.extend(w.array(f).into_iter().take(MAX_FIELDS));
    }
    for page in w.pages(catalog) {
        if let Some(a) = page.get(b"Annots") {
            roots.extend(w.array(a).into_iter().take(MAX_FIELDS));
        }
        if roots.len() > MAX_FIELDS {
            break;
        }
    }
    let mut stack: Vec<(Obj, String, Option<String>, usize)> = roots
        .into_iter()
        .rev()
        .map(|o| (o, String::new(), None, 0))
        .collect();
    let mut found: Vec<SigDict> = Vec::new();
    let mut seen_sig = HashSet::new();
    let mut seen_field = HashSet::new();
    let mut visits = 0usize;
    while let Some((o, parent_name, inherited_ft, depth)) = stack.pop() {
        visits += 1;
        if visits > MAX_FIELDS || depth > 32 || found.len() >= MAX_SIGNATURES {
            break;
        }
        if let Obj::Ref(n, g) = o
            && !seen_field.insert((n, g))
        {
            continue;
        }
        let Some(d) = w.dict(&o) else { continue };
        let partial = w.string(&d, b"T");
        let full = match (&partial, parent_name.is_empty()) {
            (Some(t), true) => t.clone(),
            (Some(t), false) => format!("{parent_name}.{t}"),
            (None, _) => parent_name.clone(),
        };
        let ft = Walker::name(&d, b"FT").or(inherited_ft.clone());
        if let Some(k) = d.get(b"Kids") {
            for kid in w.array(k).into_iter().rev() {
                stack.push((kid, full.clone(), ft.clone(), depth + 1));
            }
        }
        if ft.as_deref() != Some("Sig") {
            continue;
        }
        let Some(v) = d.get(b"V") else { continue };
        let vid = match v {
            Obj::Ref(n, g) => Some((*n, *g)),
            _ => None,
        };
        let Some(sd) = w.dict(v) else { continue };
        if let Some(id) = vid
            && !seen_sig.insert(id)
        {
            continue;
        }
        let field = if full.is_empty() {
            format!("Signature{}", found.len() + 1)
        } else {
            full
        };
        found.push(sig_dict(w, &d, &sd, vid, certifying, field));
    }
    found
}

/// A signature field's signature dictionary `sd` (the field is `d`) read:
/// its kind — a certification when the catalog's `/Perms` `/DocMDP` names
/// it (`certifying`) or it carries a DocMDP reference — its permissions,
/// its lock, its contents and its byte range.
fn sig_dict(
    w: &Walker<'_, '_>,
    d: &Dict,
    sd: &Dict,
    vid: Option<(u32, u16)>,
    certifying: Option<(u32, u16)>,
    field: String,
) -> SigDict {
    let sub_filter = Walker::name(sd, b"SubFilter").unwrap_or_default();
    let is_doc_ts = sd.name(b"Type") == Some(b"DocTimeStamp") || sub_filter == "ETSI.RFC3161";
    let docmdp_ref = sd.get(b"Reference").and_then(|r| {
        w.array(r)
            .iter()
            .filter_map(|x| w.dict(x))
            .find(|x| x.name(b"TransformMethod") == Some(b"DocMDP"))
    });
    let is_cert = (vid.is_some() && vid == certifying) || docmdp_ref.is_some();
    let (lock, lock_p) = field_lock(w, d, sd);
    let docmdp_p = docmdp_ref
        .and_then(|r| r.get(b"TransformParams").and_then(|t| w.dict(t)))
        .and_then(|t| t.int(b"P"))
        .or(if is_cert { Some(2) } else { None });
    let kind = if is_doc_ts {
        Kind::DocumentTimestamp
    } else if is_cert {
        Kind::Certification
    } else {
        Kind::Approval
    };
    let contents = match sd.get(b"Contents") {
        Some(Obj::Str(s)) => Some(s.clone()),
        _ => None,
    };
    let byte_range = sd.get(b"ByteRange").map(|b| w.resolve(b));
    SigDict {
        field,
        id: vid,
        kind,
        sub_filter,
        byte_range,
        contents,
        m: w.string(sd, b"M"),
        docmdp_p,
        lock,
        lock_p,
    }
}

/// A signature's FieldMDP lock and its `/P`: from the signature's
/// `/Reference`, else the field's (`d`) `/Lock`.
fn field_lock(w: &Walker<'_, '_>, d: &Dict, sd: &Dict) -> (Option<FieldLock>, Option<i64>) {
    // FieldMDP: from the signature's /Reference, else the field's /Lock.
    let lock_dict = sd
        .get(b"Reference")
        .and_then(|r| {
            w.array(r)
                .iter()
                .filter_map(|x| w.dict(x))
                .find(|x| x.name(b"TransformMethod") == Some(b"FieldMDP"))
                .and_then(|x| x.get(b"TransformParams").and_then(|t| w.dict(t)))
        })
        .or_else(|| d.get(b"Lock").and_then(|l| w.dict(l)));
    let lock_p = lock_dict.as_ref().and_then(|l| l.int(b"P"));
    let lock = lock_dict.and_then(|l| {
        let names: Vec<String> = l
            .get(b"Fields")
            .map(|f| {
                w.array(f)
                    .iter()
                    .filter_map(|x| {
                        if let Obj::Str(s) = w.resolve(x) {
                            Some(text(&s))
                        } else {
                            None
                        }
                    })
                    .collect()
            })
            .unwrap_or_default();
        match l.name(b"Action") {
            Some(b"All") => Some(FieldLock::All),
            Some(b"Include") => Some(FieldLock::Include(names)),
            Some(b"Exclude") => Some(FieldLock::Exclude(names)),
            _ => None,
        }
    });
    (lock, lock_p)
}

fn read_dss(w: &Walker<'_, '_>, catalog: &Dict) -> Dss {
    let Some(dss) = catalog.get(b"DSS").and_then(|d| w.dict(d)) else {
        return Dss::default();
    };
    Dss {
        certs: w.streams(dss.get(b"Certs"), 1 << 20, 16 << 20),
        crls: w.streams(dss.get(b"CRLs"), 32 << 20, 64 << 20),
        ocsps: w.streams(dss.get(b"OCSPs"), 1 << 20, 16 << 20),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn revisions_and_text() {
        let d = b"%PDF-1.7\n...%%EOF\n...%%EOF\r\nxx%%EOF";
        assert_eq!(revision_ends(d), vec![18, 28, 35]);
        assert_eq!(text(&[0xFE, 0xFF, 0x1E, 0xA0]), "Ạ");
        assert_eq!(text(b"abc"), "abc");
    }
}
