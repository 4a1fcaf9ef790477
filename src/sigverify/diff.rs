//! What changed after a signature (the revision model): the document as the
//! signature saw it (the cross-reference sections inside its signed bytes)
//! against the document as it is now, object by object, classified as
//! `lta_updates` (`/DSS`, document timestamps), `form_filling` (filling
//! fields, adding signature fields, their signatures and appearances),
//! `annotations`, or `other`. The rules are deliberately narrow: any change
//! not recognised as one of the allowed kinds is `other`, so an
//! incremental-update attack (shadow hide/replace, rewired references,
//! freed-then-reused objects, page content changes) is never allowed.

use std::collections::{BTreeSet, HashMap, HashSet};

use super::obj::{Dict, Obj};
use super::report::Modifications;
use super::xref::{Doc, Entry};

/// One change found after a signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// How it is classified.
    pub level: Modifications,
    /// Plain description, naming the object and page.
    pub what: String,
    /// The same in Vietnamese.
    pub vi: String,
}

/// The changes after a signature.
#[derive(Debug, Clone, Default)]
pub struct DiffResult {
    /// The highest level found (`None` when nothing changed).
    pub level: Option<Modifications>,
    /// Every change worth reporting.
    pub findings: Vec<Finding>,
    /// Fully qualified names of existing fields whose value or appearance changed.
    pub filled: Vec<String>,
    /// A signature field with a visible widget was added (refused after certification).
    pub new_visible_signature: bool,
}

/// Annotation types that paint their own appearance over the page: after
/// signing they can hide or replace signed content (the Evil Annotation Attack).
const PAINTING: &[&[u8]] = &[
    b"FreeText",
    b"Stamp",
    b"Square",
    b"Circle",
    b"Polygon",
    b"PolyLine",
    b"Ink",
    b"Line",
    b"Redact",
    b"Watermark",
    b"Widget",
    b"Screen",
    b"RichMedia",
    b"3D",
];

/// Whether an annotation shows something: a non-empty /Rect and not hidden or no-view.
fn visible(a: &Dict) -> bool {
    let area = match a.get(b"Rect") {
        Some(Obj::Array(r)) if r.len() == 4 => {
            let v: Vec<f64> = r
                .iter()
                .map(|x| match x {
                    Obj::Int(n) => *n as f64,
                    Obj::Real(f) => *f,
                    _ => 0.0,
                })
                .collect();
            ((v[2] - v[0]) * (v[3] - v[1])).abs()
        }
        _ => 0.0,
    };
    let flags = a.int(b"F").unwrap_or(0);
    area > 0.0 && flags & (2 | 32) == 0
}

impl DiffResult {
    fn add(&mut self, level: Modifications, what: String) {
        let vi = format!("Thay đổi sau khi ký: {what}");
        self.add_vi(level, what, vi);
    }

    fn add_vi(&mut self, level: Modifications, what: String, vi: String) {
        self.level = Some(self.level.map_or(level, |l| l.max(level)));
        if level >= Modifications::Annotations || self.findings.len() < 50 {
            self.findings.push(Finding { level, what, vi });
        }
    }
}

fn root_id(d: &Doc<'_>) -> Option<(u32, u16)> {
    match d.trailer.get(b"Root") {
        Some(Obj::Ref(n, g)) => Some((*n, *g)),
        _ => None,
    }
}

/// Page object ids in order, with their page numbers.
fn page_ids(d: &Doc<'_>) -> Vec<(u32, u16)> {
    let mut out = Vec::new();
    let Ok(cat) = d.catalog() else { return out };
    let mut stack: Vec<(Obj, usize)> = cat
        .get(b"Pages")
        .map(|p| vec![(p.clone(), 0)])
        .unwrap_or_default();
    let mut seen = HashSet::new();
    while let Some((o, depth)) = stack.pop() {
        if out.len() >= 100_000 || depth > 64 {
            break;
        }
        let Obj::Ref(n, g) = o else { continue };
        if !seen.insert((n, g)) {
            continue;
        }
        let Ok(Obj::Dict(dict)) = d.get((n, g)) else {
            continue;
        };
        match dict.name(b"Type") {
            Some(b"Pages") => {
                if let Some(Obj::Array(kids)) =
                    dict.get(b"Kids").map(|k| d.resolve(k).unwrap_or(Obj::Null))
                {
                    for k in kids.into_iter().rev() {
                        stack.push((k, depth + 1));
                    }
                }
            }
            _ => out.push((n, g)),
        }
    }
    out
}

fn as_dict(o: &Obj) -> Option<&Dict> {
    match o {
        Obj::Dict(d) | Obj::Stream(d, _) => Some(d),
        _ => None,
    }
}

/// Whether every element of `old` is still in `new`, in order (new ones appended or interleaved).
fn superset(old: &[Obj], new: &[Obj]) -> bool {
    let mut it = new.iter();
    old.iter().all(|o| it.any(|n| n == o))
}

fn resolve_array(d: &Doc<'_>, o: Option<&Obj>) -> Vec<Obj> {
    match o.map(|o| d.resolve(o).unwrap_or(Obj::Null)) {
        Some(Obj::Array(a)) => a,
        _ => vec![],
    }
}

/// Whether an annotation (in the current document) is a signature widget:
/// a widget whose field (itself, a /Parent, or a field listing it in /Kids) is a signature field.
fn is_signature_widget(d: &Doc<'_>, annot: &Obj) -> bool {
    let Ok(Obj::Dict(a)) = d.resolve(annot) else {
        return false;
    };
    if a.name(b"Subtype") != Some(b"Widget") {
        return false;
    }
    if a.name(b"FT").is_none() && a.get(b"Parent").is_none() {
        return listed_as_kid_of_signature_field(d, annot);
    }
    let mut cur = a;
    for _ in 0..16 {
        if let Some(ft) = cur.name(b"FT") {
            return ft == b"Sig";
        }
        match cur.get(b"Parent").map(|p| d.resolve(p)) {
            Some(Ok(Obj::Dict(p))) => cur = p,
            _ => return false,
        }
    }
    false
}

/// Who refers to whom in a revision: target → referring object numbers
/// (0 for the trailer). None when the document is too large to index.
struct RefIndex(Option<HashMap<(u32, u16), Vec<u32>>>);

impl RefIndex {
    fn build(d: &Doc<'_>) -> Self {
        const MAX: usize = 200_000;
        if d.map.len() > MAX {
            return RefIndex(None);
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
            if let Ok(o) = d.get((*num, g)) {
                walk(&o, *num, &mut out, 0);
            }
        }
        RefIndex(Some(out))
    }

    /// The objects referring to `target`; None when unknown.
    fn referrers(&self, target: (u32, u16)) -> Option<Vec<u32>> {
        self.0
            .as_ref()
            .map(|m| m.get(&target).cloned().unwrap_or_default())
    }
}

/// Whether a stream's raw bytes are equal in both views.
fn same_stream(old: &Doc<'_>, new: &Doc<'_>, od: &Dict, oo: u64, nd: &Dict, no: u64) -> bool {
    od == nd && old.raw_stream(od, oo).ok() == new.raw_stream(nd, no).ok()
}

/// Compare the document as signed (`old`) with the document now (`new`).
pub fn analyse(old: &Doc<'_>, new: &Doc<'_>, signed_end: u64) -> DiffResult {
    let mut r = DiffResult::default();
    if new.repaired.is_some() {
        // Nothing tells which objects the later bytes changed: a reader's repair decides.
        r.add_vi(
            Modifications::Other,
            "the file was changed after signing and its cross-reference data is damaged".into(),
            "Tệp bị thay đổi sau khi ký và bảng tham chiếu chéo bị hỏng".into(),
        );
        return r;
    }
    let later = new.sections_after(signed_end);
    if later.is_empty() {
        if new.file_len() <= signed_end {
            return r;
        }
        r.add_vi(
            Modifications::Other,
            "bytes were appended after signing without a cross-reference section".into(),
            "Dữ liệu được nối thêm vào tệp sau khi ký".into(),
        );
        return r;
    }
    let (old_root, new_root) = (root_id(old), root_id(new));
    if old_root.is_none() || old_root != new_root {
        r.add_vi(
            Modifications::Other,
            "the document catalog was replaced after signing".into(),
            "Danh mục gốc của tài liệu bị thay thế sau khi ký".into(),
        );
        return r;
    }
    if new.trailer.get(b"Encrypt").is_some() && old.trailer.get(b"Encrypt").is_none() {
        r.add(
            Modifications::Other,
            "encryption was added after signing".into(),
        );
    }
    let old_cat = old.catalog().unwrap_or_default();
    let pages = page_ids(old);
    let page_no: HashMap<(u32, u16), usize> = pages
        .iter()
        .enumerate()
        .map(|(i, id)| (*id, i + 1))
        .collect();
    if page_ids(new) != pages {
        r.add_vi(
            Modifications::Other,
            "pages were added, removed or reordered after signing".into(),
            "Trang bị thêm, bớt hoặc đổi thứ tự sau khi ký".into(),
        );
    }
    // Indirect objects with known roles in the signed revision.
    let acroform_id = match old_cat.get(b"AcroForm") {
        Some(Obj::Ref(n, g)) => Some((*n, *g)),
        _ => None,
    };
    let mut arrays: HashSet<(u32, u16)> = HashSet::new();
    if let Some(Obj::Ref(n, g)) = old
        .resolve(old_cat.get(b"AcroForm").unwrap_or(&Obj::Null))
        .ok()
        .as_ref()
        .and_then(as_dict)
        .and_then(|f| f.get(b"Fields"))
    {
        arrays.insert((*n, *g));
    }
    for id in &pages {
        if let Ok(Obj::Dict(p)) = old.get(*id)
            && let Some(Obj::Ref(n, g)) = p.get(b"Annots")
        {
            arrays.insert((*n, *g));
        }
    }
    // Content streams of each page, to say "page N" when one changes.
    let mut content_page: HashMap<u32, usize> = HashMap::new();
    for (i, id) in pages.iter().enumerate() {
        if let Ok(Obj::Dict(p)) = old.get(*id) {
            let refs: Vec<Obj> = match p.get(b"Contents") {
                Some(Obj::Array(a)) => a.clone(),
                Some(Obj::Ref(n, g)) => match old.get((*n, *g)) {
                    Ok(Obj::Array(a)) => a,
                    _ => vec![Obj::Ref(*n, *g)],
                },
                _ => vec![],
            };
            for r in refs {
                if let Obj::Ref(n, _) = r {
                    content_page.entry(n).or_insert(i + 1);
                }
            }
        }
    }
    let dss_id = match old_cat.get(b"DSS") {
        Some(Obj::Ref(n, g)) => Some((*n, *g)),
        _ => None,
    };
    let extensions = match old_cat.get(b"Extensions") {
        Some(Obj::Ref(n, g)) => Some((*n, *g)),
        _ => None,
    };
    // Document metadata (XMP and the information dictionary) does not change what is shown.
    let mut metadata: HashSet<(u32, u16)> = HashSet::new();
    for o in [old_cat.get(b"Metadata"), old.trailer.get(b"Info")]
        .into_iter()
        .flatten()
    {
        if let Obj::Ref(n, g) = o {
            metadata.insert((*n, *g));
        }
    }

    let changed: BTreeSet<u32> = later
        .iter()
        .flat_map(|s| s.entries.keys().copied())
        .collect();
    let mut index: Option<RefIndex> = None;
    for num in changed {
        let (oe, ne) = (old.map.get(&num).copied(), new.map.get(&num).copied());
        let new_gen = match ne {
            Some(Entry::Offset(_, g)) => g,
            _ => 0,
        };
        let id = (num, new_gen);
        match (oe, ne) {
            (_, None) => {}
            (None, Some(Entry::Free)) | (Some(Entry::Free), Some(Entry::Free)) => {}
            (Some(_), Some(Entry::Free)) => {
                r.add_vi(
                    Modifications::Other,
                    format!("object {num} was deleted after signing"),
                    format!("Đối tượng {num} bị xóa sau khi ký"),
                );
            }
            (Some(Entry::Free), Some(_)) if num != 0 => {
                r.add_vi(
                    Modifications::Other,
                    format!("object {num}, freed before signing, was used again afterwards"),
                    format!("Đối tượng {num} đã bị xóa trước khi ký lại được dùng lại sau đó"),
                );
            }
            (None, Some(ne)) | (Some(Entry::Free), Some(ne)) => {
                // A new object: harmless unless its entry points into the signed bytes.
                if let Entry::Offset(off, _) = ne
                    && off < signed_end
                {
                    r.add_vi(
                        Modifications::Other,
                        format!(
                            "new object {num} points into the signed bytes (hidden object revived)"
                        ),
                        format!("Đối tượng {num} trỏ vào phần đã ký (đối tượng ẩn được kích hoạt)"),
                    );
                }
            }
            (Some(oe), Some(ne)) => {
                if let (Entry::Offset(oo, _), Entry::Offset(no, _)) = (oe, ne)
                    && oo != no
                    && no < signed_end
                {
                    r.add_vi(
                        Modifications::Other,
                        format!(
                            "object {num} was re-pointed to other bytes inside the signed part"
                        ),
                        format!("Đối tượng {num} bị trỏ sang dữ liệu khác trong phần đã ký"),
                    );
                    continue;
                }
                let old_id = match oe {
                    Entry::Offset(_, g) => (num, g),
                    _ => (num, 0),
                };
                let (Ok(ov), Ok(nv)) = (old.get(old_id), new.get(id)) else {
                    r.add(
                        Modifications::Other,
                        format!("object {num} cannot be read after signing"),
                    );
                    continue;
                };
                let equal = match (&ov, &nv) {
                    (Obj::Stream(od, oo), Obj::Stream(nd, no)) => {
                        same_stream(old, new, od, *oo, nd, *no)
                    }
                    _ => ov == nv,
                };
                if equal {
                    continue;
                }
                if extensions == Some(old_id) {
                    // The catalog's /Extensions dictionary, when nothing else uses it.
                    let idx = index.get_or_insert_with(|| RefIndex::build(old));
                    let only_catalog = idx
                        .referrers(old_id)
                        .is_some_and(|v| v.iter().all(|x| Some(*x) == old_root.map(|r| r.0)));
                    if only_catalog {
                        r.add(
                            Modifications::FormFilling,
                            format!("catalog /Extensions (object {num}) updated"),
                        );
                    } else {
                        r.add(Modifications::Other, format!("object {num}, used as /Extensions and elsewhere, changed after signing"));
                    }
                    continue;
                }
                if metadata.contains(&old_id) {
                    r.add(
                        Modifications::FormFilling,
                        format!("document metadata (object {num}) updated"),
                    );
                    continue;
                }
                classify_change(
                    &mut r,
                    old,
                    new,
                    &mut index,
                    old_id,
                    &ov,
                    &nv,
                    ChangeCtx {
                        content_page: &content_page,
                        root: old_root,
                        acroform: acroform_id,
                        arrays: &arrays,
                        dss: dss_id,
                        page_no: &page_no,
                    },
                );
            }
        }
    }
    if r.level.is_none() {
        // Later revisions that change nothing (e.g. a rewritten identical xref).
        r.level = Some(Modifications::None);
    }
    r
}

struct ChangeCtx<'a> {
    content_page: &'a HashMap<u32, usize>,
    root: Option<(u32, u16)>,
    acroform: Option<(u32, u16)>,
    arrays: &'a HashSet<(u32, u16)>,
    dss: Option<(u32, u16)>,
    page_no: &'a HashMap<(u32, u16), usize>,
}

fn changed_keys(o: &Dict, n: &Dict) -> Vec<Vec<u8>> {
    let mut keys: Vec<Vec<u8>> = o.0.iter().map(|(k, _)| k.clone()).collect();
    for (k, _) in &n.0 {
        if !keys.contains(k) {
            keys.push(k.clone());
        }
    }
    keys.into_iter().filter(|k| o.get(k) != n.get(k)).collect()
}

fn key_list(keys: &[Vec<u8>]) -> String {
    keys.iter()
        .map(|k| format!("/{}", String::from_utf8_lossy(k)))
        .collect::<Vec<_>>()
        .join(" ")
}

#[allow(clippy::too_many_arguments)]
fn classify_change(
    r: &mut DiffResult,
    old: &Doc<'_>,
    new: &Doc<'_>,
    index: &mut Option<RefIndex>,
    id: (u32, u16),
    ov: &Obj,
    nv: &Obj,
    c: ChangeCtx<'_>,
) {
    let num = id.0;
    // The catalog.
    if Some(id) == c.root {
        let (Some(o), Some(n)) = (as_dict(ov), as_dict(nv)) else {
            r.add(Modifications::Other, "the catalog changed type".into());
            return;
        };
        for k in changed_keys(o, n) {
            match k.as_slice() {
                b"DSS" => r.add(
                    Modifications::LtaUpdates,
                    "validation data (/DSS) added or updated".into(),
                ),
                b"AcroForm" => match (o.get(b"AcroForm"), n.get(b"AcroForm")) {
                    (Some(Obj::Dict(a)), Some(Obj::Dict(b))) => form_dict_change(r, new, a, b),
                    (None, Some(_)) => r.add(
                        Modifications::FormFilling,
                        "a form (AcroForm) was added for a signature".into(),
                    ),
                    _ => r.add(
                        Modifications::Other,
                        "the form (AcroForm) was replaced".into(),
                    ),
                },
                b"Extensions" | b"Metadata" | b"Version" => r.add(
                    Modifications::FormFilling,
                    format!("catalog /{} updated", String::from_utf8_lossy(&k)),
                ),
                other => r.add_vi(
                    Modifications::Other,
                    format!(
                        "the catalog entry /{} changed after signing",
                        String::from_utf8_lossy(other)
                    ),
                    format!(
                        "Mục /{} của danh mục tài liệu bị thay đổi",
                        String::from_utf8_lossy(other)
                    ),
                ),
            }
        }
        return;
    }
    // A page.
    if let Some(p) = c.page_no.get(&id) {
        let (Some(o), Some(n)) = (as_dict(ov), as_dict(nv)) else {
            r.add(Modifications::Other, format!("page {p} changed type"));
            return;
        };
        for k in changed_keys(o, n) {
            if k == b"Annots" {
                let oa = resolve_array(new, o.get(b"Annots"));
                let na = resolve_array(new, n.get(b"Annots"));
                annots_change(r, new, *p, &oa, &na);
            } else {
                {
                    let key = String::from_utf8_lossy(&k);
                    let vi = match key.as_ref() {
                        "Contents" => format!("Trang {p}: nội dung bị thay đổi"),
                        "Resources" => {
                            format!("Trang {p}: tài nguyên (phông chữ, hình ảnh) bị thay đổi")
                        }
                        _ => format!("Trang {p}: mục /{key} bị thay đổi"),
                    };
                    r.add_vi(
                        Modifications::Other,
                        format!("page {p}: /{key} changed after signing"),
                        vi,
                    )
                };
            }
        }
        return;
    }
    // The AcroForm dictionary, when indirect.
    if Some(id) == c.acroform {
        match (as_dict(ov), as_dict(nv)) {
            (Some(a), Some(b)) => form_dict_change(r, new, a, b),
            _ => r.add(
                Modifications::Other,
                "the form (AcroForm) changed type".into(),
            ),
        }
        return;
    }
    // An indirect Fields or Annots array.
    if c.arrays.contains(&id) {
        match (ov, nv) {
            (Obj::Array(a), Obj::Array(b)) if superset(a, b) => {
                let added: Vec<&Obj> = b.iter().filter(|x| !a.contains(x)).collect();
                if added
                    .iter()
                    .all(|x| is_signature_widget(new, x) || is_field(new, x))
                {
                    r.add(
                        Modifications::FormFilling,
                        format!("signature fields added to object {num}"),
                    );
                } else {
                    r.add(
                        Modifications::Annotations,
                        format!("annotations added to object {num}"),
                    );
                }
            }
            _ => r.add(
                Modifications::Other,
                format!("fields or annotations removed or reordered in object {num}"),
            ),
        }
        return;
    }
    if Some(id) == c.dss {
        r.add(
            Modifications::LtaUpdates,
            "validation data (/DSS) updated".into(),
        );
        return;
    }
    // A field (filled or signed).
    if let (Obj::Dict(o), Obj::Dict(n)) = (ov, nv)
        && (o.get(b"FT").is_some()
            || o.get(b"T").is_some()
            || o.name(b"Subtype") == Some(b"Widget"))
    {
        let keys = changed_keys(o, n);
        let is_sig = n.name(b"FT") == Some(b"Sig");
        let ok = keys.iter().all(|k| {
            matches!(
                k.as_slice(),
                b"V" | b"AP" | b"AS" | b"Kids" | b"Lock" | b"SV"
            ) || (is_sig && k == b"F")
        });
        // An appearance object the old field pointed at, shared with other
        // parts of the document, must not be swapped out from under them.
        let shared_ap = match (keys.iter().any(|k| k == b"AP"), o.get(b"AP")) {
            (true, Some(Obj::Ref(n, g))) => {
                let idx = index.get_or_insert_with(|| RefIndex::build(old));
                idx.referrers((*n, *g))
                    .is_none_or(|v| v.iter().any(|x| *x != num))
            }
            _ => false,
        };
        let read_only =
            !is_sig && (o.int(b"Ff").unwrap_or(0) & 1 == 1 || inherited_ff(new, n) & 1 == 1);
        if keys.iter().any(|k| k == b"V" || k == b"AP" || k == b"AS") {
            r.filled.push(field_name(new, n));
            if read_only {
                let name = field_name(new, n);
                r.add_vi(
                    Modifications::Other,
                    format!(
                        "the read-only field {name:?} (object {num}) was changed after signing"
                    ),
                    format!("Trường chỉ đọc {name:?} (đối tượng {num}) bị thay đổi sau khi ký"),
                );
                return;
            }
        }
        if is_sig && o.get(b"V").is_some() && keys.iter().any(|k| k == b"V") {
            r.add(
                Modifications::Other,
                format!("the signature value of field object {num} was replaced"),
            );
        } else if shared_ap {
            r.add(Modifications::Other, format!("field object {num}: its old appearance is shared with other parts of the document"));
        } else if ok {
            r.add(
                Modifications::FormFilling,
                format!("form field object {num} filled ({})", key_list(&keys)),
            );
        } else {
            r.add(
                Modifications::Other,
                format!("form field object {num} changed ({})", key_list(&keys)),
            );
        }
        return;
    }
    match nv {
        Obj::Dict(d) if matches!(d.name(b"Type"), Some(b"Sig") | Some(b"DocTimeStamp")) => {
            r.add(
                Modifications::Other,
                format!("an existing signature (object {num}) was changed"),
            );
        }
        Obj::Stream(d, _)
            if d.name(b"Subtype") == Some(b"Form")
                && only_signature_appearance(old, new, index, id) =>
        {
            r.add(
                Modifications::FormFilling,
                format!("the appearance of a signature field (object {num}) was redrawn"),
            );
        }
        Obj::Stream(..) => match c.content_page.get(&num) {
            Some(p) => r.add_vi(
                Modifications::Other,
                format!("page {p}: its content (object {num}) changed after signing"),
                format!("Trang {p}: nội dung (đối tượng {num}) bị thay đổi"),
            ),
            None => r.add_vi(
                Modifications::Other,
                format!("content of object {num} (a stream) changed after signing"),
                format!("Nội dung của đối tượng {num} bị thay đổi"),
            ),
        },
        _ => r.add_vi(
            Modifications::Other,
            format!("object {num} changed after signing"),
            format!("Đối tượng {num} bị thay đổi"),
        ),
    }
}

/// Whether object `id` is used, in the signed revision, only as the normal
/// appearance of one signature widget (directly, or through an indirect
/// appearance dictionary used only by that widget).
fn only_signature_appearance(
    old: &Doc<'_>,
    new: &Doc<'_>,
    index: &mut Option<RefIndex>,
    id: (u32, u16),
) -> bool {
    let idx = index.get_or_insert_with(|| RefIndex::build(old));
    let Some(refs) = idx.referrers(id) else {
        return false;
    };
    let [holder] = refs[..] else { return false };
    let holder_obj = match old.map.get(&holder) {
        Some(Entry::Offset(_, g)) => old.get((holder, *g)).ok(),
        Some(Entry::InStream(..)) => old.get((holder, 0)).ok(),
        _ => None,
    };
    let Some(Obj::Dict(h)) = holder_obj else {
        return false;
    };
    let widget = if h.get(b"Subtype").is_some() {
        (h, holder)
    } else {
        // An appearance dictionary: it must itself be used by exactly one widget.
        let Some(up) = idx.referrers((holder, 0)) else {
            return false;
        };
        let [w] = up[..] else { return false };
        match old.map.get(&w).and_then(|e| {
            if let Entry::Offset(_, g) = e {
                old.get((w, *g)).ok()
            } else {
                None
            }
        }) {
            Some(Obj::Dict(d)) => (d, w),
            _ => return false,
        }
    };
    let g = match new.map.get(&widget.1) {
        Some(Entry::Offset(_, g)) => *g,
        _ => 0,
    };
    is_signature_widget(new, &Obj::Ref(widget.1, g))
}

/// Whether a signature field of the current AcroForm lists `annot` among its /Kids.
fn listed_as_kid_of_signature_field(d: &Doc<'_>, annot: &Obj) -> bool {
    let Ok(cat) = d.catalog() else { return false };
    let form = cat
        .get(b"AcroForm")
        .map(|f| d.resolve(f).unwrap_or(Obj::Null));
    let Some(form) = form.as_ref().and_then(as_dict) else {
        return false;
    };
    let mut stack = resolve_array(d, form.get(b"Fields"));
    let mut visits = 0;
    while let Some(f) = stack.pop() {
        visits += 1;
        if visits > 10_000 {
            return false;
        }
        let Ok(Obj::Dict(fd)) = d.resolve(&f) else {
            continue;
        };
        let kids = resolve_array(d, fd.get(b"Kids"));
        if fd.name(b"FT") == Some(b"Sig") && kids.contains(annot) {
            return true;
        }
        stack.extend(kids);
    }
    false
}

/// The field flags /Ff, inherited through /Parent.
fn inherited_ff(d: &Doc<'_>, f: &Dict) -> i64 {
    let mut cur = f.clone();
    for _ in 0..32 {
        if let Some(v) = cur.int(b"Ff") {
            return v;
        }
        match cur.get(b"Parent").map(|p| d.resolve(p)) {
            Some(Ok(Obj::Dict(p))) => cur = p,
            _ => break,
        }
    }
    0
}

/// A field's fully qualified name, following /Parent.
fn field_name(d: &Doc<'_>, f: &Dict) -> String {
    let mut parts = Vec::new();
    let mut cur = f.clone();
    for _ in 0..32 {
        if let Some(Obj::Str(t)) = cur.get(b"T").map(|t| d.resolve(t).unwrap_or(Obj::Null)) {
            parts.push(super::pdf::text(&t));
        }
        match cur.get(b"Parent").map(|p| d.resolve(p)) {
            Some(Ok(Obj::Dict(p))) => cur = p,
            _ => break,
        }
    }
    parts.reverse();
    parts.join(".")
}

fn is_field(d: &Doc<'_>, o: &Obj) -> bool {
    matches!(d.resolve(o), Ok(Obj::Dict(f)) if f.get(b"FT").is_some() || f.get(b"Kids").is_some())
}

fn form_dict_change(r: &mut DiffResult, new: &Doc<'_>, a: &Dict, b: &Dict) {
    for k in changed_keys(a, b) {
        match k.as_slice() {
            b"Fields" => {
                let (fa, fb) = (
                    resolve_array(new, a.get(b"Fields")),
                    resolve_array(new, b.get(b"Fields")),
                );
                if superset(&fa, &fb)
                    || matches!(
                        (a.get(b"Fields"), b.get(b"Fields")),
                        (Some(Obj::Ref(..)), Some(Obj::Ref(..)))
                    )
                {
                    r.add(Modifications::FormFilling, "form fields added".into());
                } else {
                    r.add(
                        Modifications::Other,
                        "form fields removed after signing".into(),
                    );
                }
            }
            b"SigFlags" | b"NeedAppearances" | b"DR" | b"DA" => r.add(
                Modifications::FormFilling,
                format!("form setting /{} updated", String::from_utf8_lossy(&k)),
            ),
            other => r.add(
                Modifications::Other,
                format!("form entry /{} changed", String::from_utf8_lossy(other)),
            ),
        }
    }
}

fn annots_change(r: &mut DiffResult, new: &Doc<'_>, page: usize, old: &[Obj], now: &[Obj]) {
    if !superset(old, now) {
        r.add_vi(
            Modifications::Other,
            format!("page {page}: annotations removed after signing"),
            format!("Trang {page}: chú thích bị xóa sau khi ký"),
        );
        return;
    }
    for a in now.iter().filter(|x| !old.contains(x)) {
        let dict = match new.resolve(a) {
            Ok(Obj::Dict(d)) => d,
            _ => Dict::default(),
        };
        if is_signature_widget(new, a) {
            if visible(&dict) {
                r.new_visible_signature = true;
            }
            r.add(
                Modifications::FormFilling,
                format!("page {page}: a signature field was added"),
            );
        } else if dict.name(b"Subtype").is_some_and(|t| PAINTING.contains(&t))
            && dict.get(b"AP").is_some()
            && visible(&dict)
        {
            let t = String::from_utf8_lossy(dict.name(b"Subtype").unwrap_or(b"?")).into_owned();
            r.add_vi(
                Modifications::Other,
                format!("page {page}: a {t} annotation that paints over the signed page was added"),
                format!("Trang {page}: thêm chú thích {t} vẽ đè lên nội dung đã ký"),
            );
        } else {
            r.add_vi(
                Modifications::Annotations,
                format!("page {page}: an annotation was added"),
                format!("Trang {page}: thêm chú thích (annotation)"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sigverify::pdf::FieldLock;
    use lopdf::{Document, Object as L, Stream, dictionary};

    /// Revision 1: one page, a text field "Amount" with a widget on it.
    fn base() -> (Vec<u8>, u32, u32) {
        let mut doc = Document::with_version("1.7");
        let pages = doc.new_object_id();
        let content = doc.add_object(Stream::new(
            dictionary! {},
            b"BT /F1 12 Tf 72 700 Td (So tien: 1.000.000 VND) Tj ET".to_vec(),
        ));
        let page = doc.new_object_id();
        let field = doc.add_object(dictionary! {
            "FT" => "Tx", "T" => L::string_literal("Amount"), "V" => L::string_literal("1"),
            "Type" => "Annot", "Subtype" => "Widget", "Rect" => vec![0.into(), 0.into(), 10.into(), 10.into()], "P" => page,
        });
        doc.objects.insert(page, L::Dictionary(dictionary! {
            "Type" => "Page", "Parent" => pages, "Contents" => content, "Annots" => vec![field.into()],
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        }));
        doc.objects.insert(
            pages,
            L::Dictionary(
                dictionary! { "Type" => "Pages", "Kids" => vec![page.into()], "Count" => 1 },
            ),
        );
        let cat = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages, "AcroForm" => dictionary! { "Fields" => vec![field.into()] } });
        doc.trailer.set("Root", cat);
        let mut out = Vec::new();
        doc.save_to(&mut out).expect("save");
        (out, field.0, content.0)
    }

    /// Append revision 2 replacing object `num` with `body`.
    fn update(pdf: &[u8], num: u32, body: &str) -> Vec<u8> {
        let d = Document::load_mem(pdf).expect("load");
        let root = d
            .trailer
            .get(b"Root")
            .and_then(L::as_reference)
            .expect("root");
        let sx = pdf
            .windows(9)
            .rposition(|w| w == b"startxref")
            .expect("startxref");
        let prev: usize = String::from_utf8_lossy(&pdf[sx + 10..])
            .split_whitespace()
            .next()
            .expect("n")
            .parse()
            .expect("n");
        let mut out = pdf.to_vec();
        let at = out.len();
        out.extend_from_slice(format!("{num} 0 obj\n{body}\nendobj\n").as_bytes());
        let x = out.len();
        out.extend_from_slice(
            format!("xref\n{num} 1\n{at:010} 00000 n\r\ntrailer\n<< /Size {} /Root {} 0 R /Prev {prev} >>\nstartxref\n{x}\n%%EOF\n", d.max_id + 1, root.0).as_bytes(),
        );
        out
    }

    fn analyse_bytes(before: &[u8], after: &[u8]) -> DiffResult {
        let src = after;
        let new = Doc::open(&src).expect("open");
        let old = new.revision_view(before.len() as u64);
        analyse(&old, &new, before.len() as u64)
    }

    #[test]
    fn filling_a_field_is_form_filling_and_names_the_field() {
        let (pdf, field, _) = base();
        let after = update(
            &pdf,
            field,
            "<< /FT /Tx /T (Amount) /V (9) /Type /Annot /Subtype /Widget /Rect [0 0 10 10] /P 3 0 R >>",
        );
        let r = analyse_bytes(&pdf, &after);
        assert_eq!(
            r.level,
            Some(Modifications::FormFilling),
            "{:?}",
            r.findings
        );
        assert_eq!(r.filled, vec!["Amount".to_string()]);
        assert!(FieldLock::All.locks("Amount"));
        assert!(FieldLock::Include(vec!["Amount".into()]).locks("Amount"));
        assert!(!FieldLock::Exclude(vec!["Amount".into()]).locks("Amount"));
    }

    #[test]
    fn changing_page_content_is_other_and_names_the_page() {
        let (pdf, _, content) = base();
        let after = update(
            &pdf,
            content,
            "<< /Length 9 >>\nstream\nBT (X) Tj\nendstream",
        );
        let r = analyse_bytes(&pdf, &after);
        assert_eq!(r.level, Some(Modifications::Other));
        assert!(
            r.findings
                .iter()
                .any(|f| f.what.contains("page 1") && f.vi.contains("Trang 1")),
            "{:?}",
            r.findings
        );
    }

    #[test]
    fn nothing_after_the_signed_revision_is_no_change() {
        let (pdf, _, _) = base();
        let r = analyse_bytes(&pdf, &pdf);
        assert_eq!(r.level, None);
    }
}
