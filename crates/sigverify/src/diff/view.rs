//! What a revision of the document presents, read for comparison: its
//! pages in order (with the attributes they inherit, their decoded content
//! and the resource names that content uses), each page's annotations
//! classified (signature widget, form widget, comment, or something that
//! paints), and the form's fields by their fully qualified names.

use std::collections::{BTreeSet, HashMap, HashSet};

use super::geometry::Rect;
use crate::obj::{Dict, Obj};
use crate::pdf::text;
use crate::xref::Doc;

/// Most pages compared.
const MAX_PAGES: usize = 20_000;
/// Most fields walked.
const MAX_FIELDS: usize = 20_000;

/// One page of a revision.
pub struct Page {
    /// The page dictionary.
    pub dict: Dict,
    /// Its attributes with inheritance resolved: Resources, MediaBox, CropBox, Rotate.
    pub inherited: Dict,
    /// Its content streams, decoded and joined.
    pub content: Vec<u8>,
    /// Its annotations as listed.
    pub annots: Vec<Obj>,
}

/// The pages of `d`, in order.
pub fn pages(d: &Doc<'_>) -> Vec<Page> {
    let mut out = Vec::new();
    let Ok(cat) = d.catalog() else { return out };
    let Some(root) = cat.get(b"Pages").cloned() else {
        return out;
    };
    // (node, inherited attributes, depth)
    let mut stack: Vec<(Obj, Dict, usize)> = vec![(root, Dict::default(), 0)];
    let mut seen = HashSet::new();
    while let Some((o, inh, depth)) = stack.pop() {
        if out.len() >= MAX_PAGES || depth > 64 {
            break;
        }
        if let Obj::Ref(n, g) = o
            && !seen.insert((n, g))
        {
            continue;
        }
        let Ok(Obj::Dict(dict)) = d.resolve(&o) else {
            continue;
        };
        let mut here = inh.clone();
        for k in [&b"Resources"[..], b"MediaBox", b"CropBox", b"Rotate"] {
            if let Some(v) = dict.get(k) {
                here.0.retain(|(x, _)| x != k);
                here.0.push((k.to_vec(), v.clone()));
            }
        }
        if dict.name(b"Type") == Some(b"Pages")
            || dict.get(b"Kids").is_some() && dict.name(b"Type") != Some(b"Page")
        {
            if let Ok(Obj::Array(kids)) = dict.get(b"Kids").map_or(Ok(Obj::Null), |k| d.resolve(k))
            {
                for k in kids.into_iter().rev() {
                    stack.push((k, here.clone(), depth + 1));
                }
            }
            continue;
        }
        let content = contents(d, dict.get(b"Contents"));
        let annots = match dict.get(b"Annots").map(|a| d.resolve(a)) {
            Some(Ok(Obj::Array(a))) => a,
            _ => Vec::new(),
        };
        out.push(Page {
            dict,
            inherited: here,
            content,
            annots,
        });
    }
    out
}

/// The decoded content streams named by a page's `/Contents`, joined by newlines.
pub fn contents(d: &Doc<'_>, c: Option<&Obj>) -> Vec<u8> {
    let mut out = Vec::new();
    let list = match c.map(|c| d.resolve(c)) {
        Some(Ok(Obj::Array(a))) => a,
        Some(Ok(s @ Obj::Stream(..))) => vec![s],
        _ => Vec::new(),
    };
    for item in list.iter().take(10_000) {
        if let Ok(Obj::Stream(sd, off)) = d.resolve(item) {
            match d.stream_data(&sd, off) {
                Ok(v) => out.extend_from_slice(&v),
                Err(_) => out.extend_from_slice(b"\x00unreadable\x00"),
            }
            out.push(b'\n');
        }
    }
    out
}

/// Every name token a content stream mentions (the resources it may use).
pub fn names_used(content: &[u8]) -> BTreeSet<Vec<u8>> {
    let mut out = BTreeSet::new();
    let mut i = 0;
    while i < content.len() {
        match content[i] {
            b'/' => {
                let s = i + 1;
                let mut e = s;
                while e < content.len()
                    && !crate::lex::is_ws(content[e])
                    && !crate::lex::is_delim(content[e])
                {
                    e += 1;
                }
                out.insert(content[s..e].to_vec());
                i = e;
            }
            b'(' => {
                // Skip strings: a name inside one is text, not a resource.
                let mut depth = 0usize;
                while i < content.len() {
                    match content[i] {
                        b'\\' => i += 1,
                        b'(' => depth += 1,
                        b')' => {
                            depth = depth.saturating_sub(1);
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    i += 1;
                }
                i += 1;
            }
            _ => i += 1,
        }
    }
    out
}

/// What an annotation is, for judging a change to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnnotKind {
    /// The widget of a signature field (`signed`: its field holds a value).
    SignatureWidget {
        /// The field's fully qualified name.
        field: String,
        /// Whether the field holds a signature.
        signed: bool,
        /// Whether that signature is a document timestamp.
        timestamp: bool,
    },
    /// The widget of another form field.
    FormWidget {
        /// The field's fully qualified name.
        field: String,
        /// Read-only (`/Ff` bit 1).
        read_only: bool,
    },
    /// A comment: a note icon or its pop-up, or a link; they draw nothing over the page's content.
    Comment(String),
    /// Anything else: it paints its appearance over the page.
    Painting(String),
}

/// Subtypes that are comments: they show an icon or a pop-up, or nothing.
const COMMENTS: &[&[u8]] = &[b"Text", b"Popup", b"Link"];

/// One annotation of a page.
#[derive(Debug, Clone)]
pub struct Annot {
    /// Its object id, when indirect.
    pub id: Option<(u32, u16)>,
    /// Its dictionary.
    pub dict: Dict,
    /// What it is.
    pub kind: AnnotKind,
    /// Its rectangle.
    pub rect: Option<Rect>,
    /// Whether it is shown (a non-empty rectangle, not hidden or no-view).
    pub visible: bool,
}

/// A widget's field, as far as classification needs it.
#[derive(Debug, Clone)]
pub struct Owner {
    /// `/FT`.
    pub ft: Option<Vec<u8>>,
    /// `/Ff`.
    pub ff: i64,
    /// `/V`.
    pub value: Option<Obj>,
    /// Fully qualified name.
    pub name: String,
}

/// Widgets listed in a field's `/Kids` without a `/Parent` pointing back
/// (some writers leave it out): widget id → its field.
pub fn widget_owners(d: &Doc<'_>) -> HashMap<(u32, u16), Owner> {
    let mut out = HashMap::new();
    for (name, f) in fields(d) {
        let Ok(Obj::Dict(fd)) = d.resolve(&f.obj) else {
            continue;
        };
        let kids = match fd.get(b"Kids").map(|k| d.resolve(k)) {
            Some(Ok(Obj::Array(a))) => a,
            _ => continue,
        };
        for k in kids {
            if let Obj::Ref(n, g) = k {
                out.insert(
                    (n, g),
                    Owner {
                        ft: f.ft.clone(),
                        ff: fd.int(b"Ff").unwrap_or(0),
                        value: fd.get(b"V").filter(|v| **v != Obj::Null).cloned(),
                        name: name.clone(),
                    },
                );
            }
        }
    }
    out
}

/// A widget's field value (`/V` through `/Parent`, or its owner's).
pub fn widget_value(d: &Doc<'_>, a: &Annot, owners: &HashMap<(u32, u16), Owner>) -> Option<Obj> {
    let (_, _, v, _) = field_of(d, &a.dict);
    v.or_else(|| {
        a.id.and_then(|id| owners.get(&id))
            .and_then(|o| o.value.clone())
    })
}

/// The annotations of a page, classified.
pub fn annots(d: &Doc<'_>, list: &[Obj], owners: &HashMap<(u32, u16), Owner>) -> Vec<Annot> {
    list.iter()
        .take(MAX_FIELDS)
        .filter_map(|o| {
            let id = match o {
                Obj::Ref(n, g) => Some((*n, *g)),
                _ => None,
            };
            let Ok(Obj::Dict(dict)) = d.resolve(o) else {
                return None;
            };
            let subtype = dict.name(b"Subtype").unwrap_or(b"").to_vec();
            let rect = dict.get(b"Rect").and_then(|r| match d.resolve(r) {
                Ok(r) => Rect::from_obj(&r),
                Err(_) => None,
            });
            let flags = dict.int(b"F").unwrap_or(0);
            let visible = rect.is_some_and(|r| r.area() > 0.0) && flags & (2 | 32) == 0;
            let kind = if subtype == b"Widget" {
                let (mut ft, mut ff, mut value, mut name) = field_of(d, &dict);
                if ft.is_none()
                    && let Some(o) = id.and_then(|id| owners.get(&id))
                {
                    (ft, ff, value, name) = (o.ft.clone(), o.ff, o.value.clone(), o.name.clone());
                }
                if ft.as_deref() == Some(&b"Sig"[..]) {
                    let timestamp = match value.as_ref().map(|v| d.resolve(v)) {
                        Some(Ok(Obj::Dict(v))) => {
                            v.name(b"Type") == Some(b"DocTimeStamp")
                                || v.name(b"SubFilter") == Some(b"ETSI.RFC3161")
                        }
                        _ => false,
                    };
                    AnnotKind::SignatureWidget {
                        field: name,
                        signed: value.is_some(),
                        timestamp,
                    }
                } else {
                    AnnotKind::FormWidget {
                        field: name,
                        read_only: ff & 1 == 1,
                    }
                }
            } else if COMMENTS.contains(&subtype.as_slice()) {
                AnnotKind::Comment(String::from_utf8_lossy(&subtype).into_owned())
            } else {
                AnnotKind::Painting(String::from_utf8_lossy(&subtype).into_owned())
            };
            Some(Annot {
                id,
                dict,
                kind,
                rect,
                visible,
            })
        })
        .collect()
}

/// A widget's field: its type, flags, value and full name, inherited through `/Parent`.
fn field_of(d: &Doc<'_>, w: &Dict) -> (Option<Vec<u8>>, i64, Option<Obj>, String) {
    let mut ft = None;
    let mut ff = None;
    let mut v = None;
    let mut parts = Vec::new();
    let mut cur = w.clone();
    for _ in 0..32 {
        if ft.is_none() {
            ft = cur.name(b"FT").map(<[u8]>::to_vec);
        }
        if ff.is_none() {
            ff = cur.int(b"Ff");
        }
        if v.is_none() {
            v = cur.get(b"V").filter(|x| **x != Obj::Null).cloned();
        }
        if let Some(Obj::Str(t)) = cur.get(b"T").map(|t| d.resolve(t).unwrap_or(Obj::Null)) {
            parts.push(text(&t));
        }
        match cur.get(b"Parent").map(|p| d.resolve(p)) {
            Some(Ok(Obj::Dict(p))) => cur = p,
            _ => break,
        }
    }
    parts.reverse();
    (ft, ff.unwrap_or(0), v, parts.join("."))
}

/// One terminal field of the form.
#[derive(Debug, Clone)]
pub struct Field {
    /// The field's dictionary, as the form lists it (with its kids).
    pub obj: Obj,
    /// Its type (`/FT`, inherited).
    pub ft: Option<Vec<u8>>,
}

/// The form's terminal fields by fully qualified name.
pub fn fields(d: &Doc<'_>) -> HashMap<String, Field> {
    let mut out = HashMap::new();
    let Ok(cat) = d.catalog() else { return out };
    let form = match cat.get(b"AcroForm").map(|f| d.resolve(f)) {
        Some(Ok(Obj::Dict(f))) => f,
        _ => return out,
    };
    let roots = match form.get(b"Fields").map(|f| d.resolve(f)) {
        Some(Ok(Obj::Array(a))) => a,
        _ => return out,
    };
    let mut stack: Vec<(Obj, String, Option<Vec<u8>>, usize)> = roots
        .into_iter()
        .rev()
        .map(|o| (o, String::new(), None, 0))
        .collect();
    let mut seen = HashSet::new();
    let mut visits = 0;
    while let Some((o, parent, ft, depth)) = stack.pop() {
        visits += 1;
        if visits > MAX_FIELDS || depth > 32 {
            break;
        }
        if let Obj::Ref(n, g) = o
            && !seen.insert((n, g))
        {
            continue;
        }
        let Ok(Obj::Dict(f)) = d.resolve(&o) else {
            continue;
        };
        let name = match f.get(b"T").map(|t| d.resolve(t).unwrap_or(Obj::Null)) {
            Some(Obj::Str(t)) if parent.is_empty() => text(&t),
            Some(Obj::Str(t)) => format!("{parent}.{}", text(&t)),
            _ => parent.clone(),
        };
        let ft = f.name(b"FT").map(<[u8]>::to_vec).or(ft);
        let kids = match f.get(b"Kids").map(|k| d.resolve(k)) {
            Some(Ok(Obj::Array(a))) => a,
            _ => Vec::new(),
        };
        // Kids that are fields (they carry /T) make this a non-terminal field.
        let field_kids: Vec<Obj> = kids
            .iter()
            .filter(|k| matches!(d.resolve(k), Ok(Obj::Dict(kd)) if kd.get(b"T").is_some()))
            .cloned()
            .collect();
        if field_kids.is_empty() {
            out.entry(name).or_insert(Field { obj: o, ft });
        } else {
            for k in field_kids.into_iter().rev() {
                stack.push((k, name.clone(), ft.clone(), depth + 1));
            }
        }
    }
    out
}

/// Who refers to whom in a revision: target → referring object numbers
/// (0 for the trailer). None when the document is too large to index.
pub fn referrers(d: &Doc<'_>) -> Option<HashMap<(u32, u16), Vec<u32>>> {
    use crate::xref::Entry;
    const MAX: usize = 200_000;
    if d.map.len() > MAX {
        return None;
    }
    fn walk(o: &Obj, from: u32, out: &mut HashMap<(u32, u16), Vec<u32>>, depth: usize) {
        if depth > 64 {
            return;
        }
        match o {
            Obj::Ref(n, g) => out.entry((*n, *g)).or_default().push(from),
            Obj::Array(a) => a.iter().for_each(|x| walk(x, from, out, depth + 1)),
            Obj::Dict(dd) | Obj::Stream(dd, _) => {
                dd.0.iter().for_each(|(_, x)| walk(x, from, out, depth + 1))
            }
            _ => {}
        }
    }
    let mut out = HashMap::new();
    walk(&Obj::Dict(d.trailer.clone()), 0, &mut out, 0);
    for (num, e) in &d.map {
        let g = match e {
            Entry::Offset(_, g) => *g,
            Entry::InStream(..) => 0,
            Entry::Free => continue,
        };
        if let Ok(o) = d.get_rc((*num, g)) {
            walk(&o, *num, &mut out, 0);
        }
    }
    Some(out)
}

/// Whether an annotation's appearance objects (an indirect `/AP`, and the
/// indirect streams it lists) are used by anything else in the revision:
/// swapping them out would change that other thing too.
pub fn appearance_shared(
    d: &Doc<'_>,
    a: &Annot,
    index: &Option<HashMap<(u32, u16), Vec<u32>>>,
) -> bool {
    let Some(id) = a.id else { return false };
    let only = |target: (u32, u16), holder: u32| -> bool {
        match index {
            None => false,
            Some(m) => m
                .get(&target)
                .is_some_and(|v| v.iter().any(|x| *x != holder)),
        }
    };
    let (ap, holder) = match a.dict.get(b"AP") {
        Some(Obj::Ref(n, g)) => {
            if only((*n, *g), id.0) {
                return true;
            }
            (d.resolve(&Obj::Ref(*n, *g)).ok(), *n)
        }
        Some(o) => (Some(o.clone()), id.0),
        None => return false,
    };
    let Some(Obj::Dict(ap)) = ap else {
        return false;
    };
    for key in [&b"N"[..], b"D", b"R"] {
        match ap.get(key) {
            Some(Obj::Ref(n, g)) if only((*n, *g), holder) => return true,
            Some(Obj::Dict(states)) => {
                for (_, v) in &states.0 {
                    if let Obj::Ref(n, g) = v
                        && only((*n, *g), holder)
                    {
                        return true;
                    }
                }
            }
            _ => {}
        }
    }
    false
}
