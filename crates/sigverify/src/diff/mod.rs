//! What changed after a signature, judged by its effect: the document as
//! the signature saw it (the revision its signed bytes end) is compared
//! with the document now by what each page shows — its content, the
//! resources that content uses, its size and rotation — by what each
//! annotation paints, by the form's field values, and by the document-level
//! entries that change behaviour. How objects were renumbered, rewritten
//! or reordered does not matter; what a person sees or what the document
//! does does.
//!
//! Each change is a [`Finding`] at a level: `lta_updates` for validation
//! data and bookkeeping that shows nothing (`/DSS`, `/VRI`, document
//! timestamps, the structure tree, `/Tabs`, a page `/Group`, metadata,
//! `/Extensions`, an appearance added to page resources but used by no
//! content); `form_filling` for signing and filling fields; `annotations`
//! for comments added, changed or removed; `other` for anything else.
//! A finding marked `warn` is allowed but alters what a person sees (a
//! filled value, a comment): the report lists it as a warning.
//!
//! Not judged by geometry beyond an estimate: whether a filled field or a
//! new signature appearance covers signed text is decided from the boxes a
//! small interpreter computes (see [`geometry`]), not by rendering.

pub mod canon;
pub mod geometry;
pub mod view;

use std::collections::{BTreeSet, HashMap};

use self::canon::Canon;
use self::geometry::{Kind as MarkKind, Matrix, Rect, marks};
use self::view::{Annot, AnnotKind, Page};
use super::obj::{Dict, Obj};
use super::report::Modifications;
use super::xref::Doc;

/// One change found after a signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// How it is classified.
    pub level: Modifications,
    /// Plain description, naming the object and page.
    pub what: String,
    /// The same in Vietnamese.
    pub vi: String,
    /// Allowed, but it changes what a person sees.
    pub warn: bool,
    /// The page it is on.
    pub page: Option<usize>,
}

/// The changes after a signature.
#[derive(Debug, Clone, Default)]
pub struct DiffResult {
    /// The highest level found (`None` when nothing changed).
    pub level: Option<Modifications>,
    /// Every change worth reporting.
    pub findings: Vec<Finding>,
    /// Fully qualified names of fields that existed and changed (value, flags, widgets).
    pub changed_fields: Vec<String>,
    /// Signatures added after this one (new or newly signed signature fields).
    pub signatures_added: usize,
}

impl DiffResult {
    fn add(&mut self, level: Modifications, page: Option<usize>, what: String, vi: String) {
        self.push(level, page, what, vi, false);
    }

    fn warn(&mut self, level: Modifications, page: Option<usize>, what: String, vi: String) {
        self.push(level, page, what, vi, true);
    }

    fn push(
        &mut self,
        level: Modifications,
        page: Option<usize>,
        what: String,
        vi: String,
        warn: bool,
    ) {
        self.level = Some(self.level.map_or(level, |l| l.max(level)));
        if self.findings.len() < 100 || level >= Modifications::Annotations {
            self.findings.push(Finding {
                level,
                what,
                vi,
                warn,
                page,
            });
        }
    }
}

use Modifications::{Annotations, FormFilling, LtaUpdates, Other};

/// Compare the document as signed (`old`, a revision view) with the document now (`new`).
pub fn analyse(old: &Doc<'_>, new: &Doc<'_>, signed_end: u64) -> DiffResult {
    let mut r = DiffResult::default();
    if new.repaired.is_some() {
        // Nothing tells which objects the later bytes changed: a reader's repair decides.
        r.add(
            Other,
            None,
            "the file was changed after signing and its cross-reference data is damaged".into(),
            "Tệp bị thay đổi sau khi ký và bảng tham chiếu chéo bị hỏng".into(),
        );
        return r;
    }
    if new.sections_after(signed_end).is_empty() {
        if new.file_len() > signed_end {
            r.add(
                Other,
                None,
                "bytes were appended after signing without a cross-reference section".into(),
                "Dữ liệu được nối thêm vào tệp sau khi ký".into(),
            );
        }
        return r;
    }
    if old.trailer.get(b"Root") != new.trailer.get(b"Root") {
        r.add(
            Other,
            None,
            "the document catalog was replaced after signing".into(),
            "Danh mục gốc của tài liệu bị thay thế sau khi ký".into(),
        );
        return r;
    }
    let mut oc = Canon::new(old, Some(new), &[]);
    let mut nc = Canon::new(new, Some(old), &[]);
    trailer(&mut r, old, new, &mut oc, &mut nc);
    catalog(&mut r, old, new, &mut oc, &mut nc);
    signatures_intact(&mut r, old, new, &mut oc, &mut nc);
    form_fields(&mut r, old, new, &mut oc, &mut nc);
    pages(&mut r, old, new, &mut oc, &mut nc);
    if r.level.is_none() {
        // Later revisions that change nothing (e.g. an identical rewrite).
        r.level = Some(Modifications::None);
    }
    r
}

/// Trailer keys besides the cross-reference bookkeeping.
fn trailer(
    r: &mut DiffResult,
    old: &Doc<'_>,
    new: &Doc<'_>,
    oc: &mut Canon<'_, '_>,
    nc: &mut Canon,
) {
    const XREF: &[&[u8]] = &[
        b"Size",
        b"Prev",
        b"Root",
        b"ID",
        b"XRefStm",
        b"Type",
        b"W",
        b"Index",
        b"Filter",
        b"DecodeParms",
        b"Length",
        b"DL",
    ];
    for k in keys(&old.trailer, &new.trailer) {
        if XREF.contains(&k.as_slice()) {
            continue;
        }
        if same(oc, nc, old.trailer.get(&k), new.trailer.get(&k)) {
            continue;
        }
        let key = String::from_utf8_lossy(&k).into_owned();
        match k.as_slice() {
            b"Info" => r.add(
                LtaUpdates,
                None,
                "the document information (/Info) was updated".into(),
                "Thông tin tài liệu (/Info) được cập nhật".into(),
            ),
            b"Encrypt" => r.add(
                Other,
                None,
                "encryption was added or changed after signing".into(),
                "Mã hóa được thêm hoặc thay đổi sau khi ký".into(),
            ),
            _ => r.add(
                Other,
                None,
                format!("the trailer entry /{key} changed after signing"),
                format!("Mục /{key} của phần cuối tệp bị thay đổi sau khi ký"),
            ),
        }
    }
}

fn keys(a: &Dict, b: &Dict) -> BTreeSet<Vec<u8>> {
    a.0.iter()
        .chain(b.0.iter())
        .map(|(k, _)| k.clone())
        .collect()
}

fn same(oc: &mut Canon<'_, '_>, nc: &mut Canon<'_, '_>, a: Option<&Obj>, b: Option<&Obj>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => oc.print(a) == nc.print(b),
        _ => false,
    }
}

/// Catalog entries: bookkeeping, validation data, or behaviour that must not change.
fn catalog(
    r: &mut DiffResult,
    old: &Doc<'_>,
    new: &Doc<'_>,
    oc: &mut Canon<'_, '_>,
    nc: &mut Canon,
) {
    let (Ok(o), Ok(n)) = (old.catalog(), new.catalog()) else {
        r.add(
            Other,
            None,
            "the catalog cannot be read after signing".into(),
            "Không đọc được danh mục tài liệu sau khi ký".into(),
        );
        return;
    };
    // Compared elsewhere: the pages and the form.
    const ELSEWHERE: &[&[u8]] = &[b"Pages", b"AcroForm", b"Type"];
    // Entries that show nothing and do nothing.
    const BOOKKEEPING: &[&[u8]] = &[
        b"Extensions",
        b"Version",
        b"Metadata",
        b"StructTreeRoot",
        b"MarkInfo",
        b"Lang",
        b"PageLabels",
        b"Outlines",
        b"PageMode",
        b"PageLayout",
        b"ViewerPreferences",
        b"SpiderInfo",
        b"PieceInfo",
        b"Threads",
        b"Dests",
    ];
    for k in keys(&o, &n) {
        if ELSEWHERE.contains(&k.as_slice()) || same(oc, nc, o.get(&k), n.get(&k)) {
            continue;
        }
        let key = String::from_utf8_lossy(&k).into_owned();
        match k.as_slice() {
            b"DSS" => r.add(
                LtaUpdates,
                None,
                "validation data (/DSS) added or updated".into(),
                "Dữ liệu kiểm tra hiệu lực (/DSS) được thêm hoặc cập nhật".into(),
            ),
            b"Names" => names(r, old, new, o.get(b"Names"), n.get(b"Names"), oc, nc),
            x if BOOKKEEPING.contains(&x) => r.add(
                LtaUpdates,
                None,
                format!("catalog /{key} updated (shows nothing)"),
                format!("Mục /{key} của danh mục được cập nhật (không đổi nội dung hiển thị)"),
            ),
            _ => r.add(
                Other,
                None,
                format!("the catalog entry /{key} changed after signing"),
                format!("Mục /{key} của danh mục tài liệu bị thay đổi sau khi ký"),
            ),
        }
    }
}

/// The name dictionary: scripts and attachments must not change; the rest is navigation.
fn names(
    r: &mut DiffResult,
    old: &Doc<'_>,
    new: &Doc<'_>,
    a: Option<&Obj>,
    b: Option<&Obj>,
    oc: &mut Canon<'_, '_>,
    nc: &mut Canon<'_, '_>,
) {
    let dict = |d: &Doc<'_>, o: Option<&Obj>| match o.map(|o| d.resolve(o)) {
        Some(Ok(Obj::Dict(x))) => x,
        _ => Dict::default(),
    };
    let (da, db) = (dict(old, a), dict(new, b));
    const ACTIVE: &[&[u8]] = &[
        b"JavaScript",
        b"EmbeddedFiles",
        b"AlternatePresentations",
        b"Renditions",
        b"Templates",
        b"Pages",
    ];
    for k in keys(&da, &db) {
        if same(oc, nc, da.get(&k), db.get(&k)) {
            continue;
        }
        let key = String::from_utf8_lossy(&k).into_owned();
        if ACTIVE.contains(&k.as_slice()) {
            r.add(
                Other,
                None,
                format!("the /{key} name tree changed after signing"),
                format!("Cây tên /{key} bị thay đổi sau khi ký"),
            );
        } else {
            r.add(
                LtaUpdates,
                None,
                format!("the /{key} name tree updated (navigation only)"),
                format!("Cây tên /{key} được cập nhật (chỉ điều hướng)"),
            );
        }
    }
}

/// Every signature value present when this one was made is unchanged.
fn signatures_intact(
    r: &mut DiffResult,
    old: &Doc<'_>,
    new: &Doc<'_>,
    oc: &mut Canon<'_, '_>,
    nc: &mut Canon,
) {
    let (of, nf) = (view::fields(old), view::fields(new));
    for (name, f) in &of {
        if f.ft.as_deref() != Some(&b"Sig"[..]) {
            continue;
        }
        let ov = value_of(old, &f.obj);
        let Some(ov) = ov else { continue };
        let nv = nf.get(name).and_then(|g| value_of(new, &g.obj));
        if nv.as_ref().is_none_or(|nv| oc.print(&ov) != nc.print(nv)) {
            r.add(
                Other,
                None,
                format!("the existing signature {name:?} was changed or removed after signing"),
                format!("Chữ ký đã có {name:?} bị thay đổi hoặc bị xóa sau khi ký"),
            );
        }
    }
}

fn value_of(d: &Doc<'_>, field: &Obj) -> Option<Obj> {
    match d.resolve(field) {
        Ok(Obj::Dict(f)) => f.get(b"V").filter(|v| **v != Obj::Null).cloned(),
        _ => None,
    }
}

/// The form's fields: none removed, none added but signature fields, and
/// each change recorded (its judgement comes with its widget's).
fn form_fields(
    r: &mut DiffResult,
    old: &Doc<'_>,
    new: &Doc<'_>,
    oc: &mut Canon<'_, '_>,
    nc: &mut Canon,
) {
    let form = |d: &Doc<'_>| -> Dict {
        d.catalog()
            .ok()
            .and_then(|c| c.get(b"AcroForm").cloned())
            .and_then(|f| match d.resolve(&f) {
                Ok(Obj::Dict(x)) => Some(x),
                _ => None,
            })
            .unwrap_or_default()
    };
    let (fa, fb) = (form(old), form(new));
    for k in keys(&fa, &fb) {
        if k == b"Fields" || same(oc, nc, fa.get(&k), fb.get(&k)) {
            continue;
        }
        let key = String::from_utf8_lossy(&k).into_owned();
        match k.as_slice() {
            b"DR" | b"DA" | b"SigFlags" | b"Q" => r.add(
                LtaUpdates,
                None,
                format!("form setting /{key} updated"),
                format!("Thiết lập biểu mẫu /{key} được cập nhật"),
            ),
            b"NeedAppearances" => r.warn(
                FormFilling,
                None,
                "the form asks viewers to redraw field appearances (/NeedAppearances)".into(),
                "Biểu mẫu yêu cầu trình xem vẽ lại các trường (/NeedAppearances)".into(),
            ),
            _ => r.add(
                Other,
                None,
                format!("the form entry /{key} changed after signing"),
                format!("Mục /{key} của biểu mẫu bị thay đổi sau khi ký"),
            ),
        }
    }
    let (of, nf) = (view::fields(old), view::fields(new));
    for (name, f) in &of {
        match nf.get(name) {
            None => r.add(
                Other,
                None,
                format!("the form field {name:?} was removed after signing"),
                format!("Trường {name:?} bị xóa sau khi ký"),
            ),
            Some(g) => {
                if oc.print(&f.obj) != nc.print(&g.obj) {
                    r.changed_fields.push(name.clone());
                }
            }
        }
    }
    for (name, g) in &nf {
        if !of.contains_key(name) && g.ft.as_deref() != Some(&b"Sig"[..]) {
            r.add(
                Other,
                None,
                format!("a new form field {name:?} was added after signing"),
                format!("Thêm trường biểu mẫu mới {name:?} sau khi ký"),
            );
        }
    }
    r.changed_fields.sort();
}

/// Page attributes that decide what is shown.
const SHOWN: &[&[u8]] = &[b"MediaBox", b"CropBox", b"Rotate"];
/// Page keys that are bookkeeping.
const PAGE_BOOKKEEPING: &[&[u8]] = &[
    b"Group",
    b"Tabs",
    b"StructParents",
    b"Metadata",
    b"PieceInfo",
    b"Thumb",
    b"LastModified",
    b"ID",
    b"PZ",
    b"SeparationInfo",
    b"Trans",
    b"Dur",
    b"B",
    b"VP",
];
/// Page keys compared some other way (or that are structural).
const PAGE_ELSEWHERE: &[&[u8]] = &[
    b"Type",
    b"Parent",
    b"Contents",
    b"Resources",
    b"Annots",
    b"MediaBox",
    b"CropBox",
    b"Rotate",
];

fn pages(r: &mut DiffResult, old: &Doc<'_>, new: &Doc<'_>, oc: &mut Canon<'_, '_>, nc: &mut Canon) {
    let (op, np) = (view::pages(old), view::pages(new));
    if op.len() != np.len() {
        r.add(
            Other,
            None,
            format!(
                "pages were added or removed after signing ({} then, {} now)",
                op.len(),
                np.len()
            ),
            format!(
                "Trang bị thêm hoặc bớt sau khi ký ({} trang khi ký, {} trang hiện nay)",
                op.len(),
                np.len()
            ),
        );
        return;
    }
    let mut oa = Canon::new(old, Some(new), &[b"P", b"M"]);
    let mut na = Canon::new(new, Some(old), &[b"P", b"M"]);
    for (i, (a, b)) in op.iter().zip(np.iter()).enumerate() {
        let no = i + 1;
        page(r, no, old, new, a, b, oc, nc);
        page_annots(r, no, old, new, a, b, &mut oa, &mut na);
    }
}

#[allow(clippy::too_many_arguments)]
fn page(
    r: &mut DiffResult,
    no: usize,
    old: &Doc<'_>,
    new: &Doc<'_>,
    a: &Page,
    b: &Page,
    oc: &mut Canon<'_, '_>,
    nc: &mut Canon<'_, '_>,
) {
    if a.content != b.content {
        r.add(
            Other,
            Some(no),
            format!("page {no}: its content changed after signing"),
            format!("Trang {no}: nội dung bị thay đổi sau khi ký"),
        );
    }
    for k in SHOWN {
        if !same(oc, nc, a.inherited.get(k), b.inherited.get(k)) {
            let key = String::from_utf8_lossy(k);
            r.add(
                Other,
                Some(no),
                format!("page {no}: /{key} changed after signing"),
                format!("Trang {no}: mục /{key} bị thay đổi sau khi ký"),
            );
        }
    }
    // The resources the content uses (by name) must be the same resources.
    let used: BTreeSet<Vec<u8>> = view::names_used(&a.content)
        .union(&view::names_used(&b.content))
        .cloned()
        .collect();
    let res = |d: &Doc<'_>, p: &Page| match p.inherited.get(b"Resources").map(|x| d.resolve(x)) {
        Some(Ok(Obj::Dict(x))) => x,
        _ => Dict::default(),
    };
    let (ra, rb) = (res(old, a), res(new, b));
    let mut changed = Vec::new();
    for cat in keys(&ra, &rb) {
        if cat == b"ProcSet" {
            continue;
        }
        let sub = |d: &Doc<'_>, x: &Dict| match x.get(&cat).map(|c| d.resolve(c)) {
            Some(Ok(Obj::Dict(s))) => s,
            _ => Dict::default(),
        };
        let (sa, sb) = (sub(old, &ra), sub(new, &rb));
        for name in keys(&sa, &sb) {
            if used.contains(&name) && !same(oc, nc, sa.get(&name), sb.get(&name)) {
                changed.push(format!(
                    "/{}/{}",
                    String::from_utf8_lossy(&cat),
                    String::from_utf8_lossy(&name)
                ));
            }
        }
    }
    if !changed.is_empty() {
        r.add(
            Other,
            Some(no),
            format!(
                "page {no}: resources its content uses changed after signing ({})",
                changed.join(", ")
            ),
            format!(
                "Trang {no}: tài nguyên (phông chữ, hình ảnh) mà nội dung dùng bị thay đổi ({})",
                changed.join(", ")
            ),
        );
    }
    for k in keys(&a.dict, &b.dict) {
        if PAGE_ELSEWHERE.contains(&k.as_slice()) || same(oc, nc, a.dict.get(&k), b.dict.get(&k)) {
            continue;
        }
        let key = String::from_utf8_lossy(&k).into_owned();
        if PAGE_BOOKKEEPING.contains(&k.as_slice()) {
            r.add(
                LtaUpdates,
                Some(no),
                format!("page {no}: /{key} updated (shows nothing)"),
                format!("Trang {no}: mục /{key} được cập nhật (không đổi nội dung hiển thị)"),
            );
        } else {
            r.add(
                Other,
                Some(no),
                format!("page {no}: /{key} changed after signing"),
                format!("Trang {no}: mục /{key} bị thay đổi sau khi ký"),
            );
        }
    }
}

/// One page being compared: its number, both views, and the signed page.
struct At<'a, 's> {
    no: usize,
    old: &'a Doc<'s>,
    new: &'a Doc<'s>,
    signed_page: &'a Page,
}

/// What the signed page draws, computed once per page when needed.
struct SignedMarks(Option<Vec<geometry::Mark>>);

impl SignedMarks {
    fn get(&mut self, old: &Doc<'_>, a: &Page) -> &[geometry::Mark] {
        self.0.get_or_insert_with(|| {
            let res = match a.inherited.get(b"Resources").map(|x| old.resolve(x)) {
                Some(Ok(Obj::Dict(x))) => x,
                _ => Dict::default(),
            };
            marks(old, &a.content, &res, Matrix::IDENTITY)
        })
    }
}

/// Signed text or images whose centre lies inside `area`.
fn covers(signed: &[geometry::Mark], area: &Rect) -> usize {
    signed
        .iter()
        .filter(|m| matches!(m.kind, MarkKind::Text | MarkKind::Image))
        .filter(|m| {
            let (x, y) = m.rect.centre();
            area.contains(x, y)
        })
        .count()
}

/// What an annotation's normal appearance draws, in page space.
fn appearance_marks(d: &Doc<'_>, a: &Annot) -> Vec<geometry::Mark> {
    let Some(rect) = a.rect else { return vec![] };
    let ap = match a.dict.get(b"AP").map(|x| d.resolve(x)) {
        Some(Ok(Obj::Dict(x))) => x,
        _ => return vec![],
    };
    let n = match ap.get(b"N").map(|x| d.resolve(x)) {
        Some(Ok(Obj::Dict(states))) => a
            .dict
            .name(b"AS")
            .and_then(|s| states.get(s).cloned())
            .and_then(|x| d.resolve(&x).ok()),
        Some(Ok(s @ Obj::Stream(..))) => Some(s),
        _ => None,
    };
    let Some(Obj::Stream(sd, off)) = n else {
        return vec![];
    };
    let Ok(data) = d.stream_data(&sd, off) else {
        return vec![];
    };
    let bbox = sd.get(b"BBox").and_then(Rect::from_obj).unwrap_or(Rect {
        x0: 0.0,
        y0: 0.0,
        x1: rect.x1 - rect.x0,
        y1: rect.y1 - rect.y0,
    });
    let m = sd
        .get(b"Matrix")
        .and_then(|x| match x {
            Obj::Array(v) => {
                Matrix::from_nums(&v.iter().filter_map(geometry::num).collect::<Vec<_>>())
            }
            _ => None,
        })
        .unwrap_or(Matrix::IDENTITY);
    // ISO 32000-1 12.5.5: the transformed BBox is fitted to the Rect.
    let t = m.bbox(&bbox);
    let (w, h) = (t.x1 - t.x0, t.y1 - t.y0);
    if w <= 0.0 || h <= 0.0 {
        return vec![];
    }
    let fit = Matrix([
        (rect.x1 - rect.x0) / w,
        0.0,
        0.0,
        (rect.y1 - rect.y0) / h,
        rect.x0 - t.x0 * (rect.x1 - rect.x0) / w,
        rect.y0 - t.y0 * (rect.y1 - rect.y0) / h,
    ]);
    let res = match sd.get(b"Resources").map(|x| d.resolve(x)) {
        Some(Ok(Obj::Dict(x))) => x,
        _ => Dict::default(),
    };
    marks(d, &data, &res, m.then(&fit))
        .into_iter()
        .filter_map(|mk| {
            mk.rect.intersect(&rect).map(|rr| geometry::Mark {
                kind: mk.kind,
                rect: rr,
            })
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
fn page_annots(
    r: &mut DiffResult,
    no: usize,
    old: &Doc<'_>,
    new: &Doc<'_>,
    a: &Page,
    b: &Page,
    oa: &mut Canon<'_, '_>,
    na: &mut Canon<'_, '_>,
) {
    let (oo, no_) = (view::widget_owners(old), view::widget_owners(new));
    let (la, lb) = (
        view::annots(old, &a.annots, &oo),
        view::annots(new, &b.annots, &no_),
    );
    // Match by object id; direct annotations by what they are.
    let key = |x: &Annot, c: &mut Canon<'_, '_>| match x.id {
        Some(id) => format!("{}:{}", id.0, id.1),
        None => hex::encode(c.print(&Obj::Dict(x.dict.clone()))),
    };
    let ka: HashMap<String, &Annot> = la.iter().map(|x| (key(x, oa), x)).collect();
    let kb: HashMap<String, &Annot> = lb.iter().map(|x| (key(x, na), x)).collect();
    let mut signed = SignedMarks(None);
    let mut index = None;
    let at = At {
        no,
        old,
        new,
        signed_page: a,
    };
    for (k, x) in &ka {
        match kb.get(k) {
            None => removed(r, no, x),
            Some(y) => {
                if oa.print(&Obj::Dict(x.dict.clone())) != na.print(&Obj::Dict(y.dict.clone())) {
                    let idx = index.get_or_insert_with(|| view::referrers(old));
                    if view::appearance_shared(old, x, idx) {
                        r.add(
                            Other,
                            Some(no),
                            format!(
                                "page {no}: an annotation's old appearance, also used elsewhere in the document, was replaced"
                            ),
                            format!("Trang {no}: hình hiển thị cũ của một chú thích, cũng được dùng ở nơi khác, bị thay thế"),
                        );
                        continue;
                    }
                    // Filling changes a field's value; an appearance redrawn
                    // over an unchanged value is not filling.
                    let value_changed = {
                        let (vx, vy) = (
                            view::widget_value(old, x, &oo),
                            view::widget_value(new, y, &no_),
                        );
                        match (vx, vy) {
                            (None, None) => false,
                            (Some(p), Some(q)) => oa.print(&p) != na.print(&q),
                            _ => true,
                        }
                    };
                    modified(r, &at, (x, y), value_changed, &mut signed);
                }
            }
        }
    }
    for (k, y) in &kb {
        if !ka.contains_key(k) {
            added(r, &at, y, &mut signed);
        }
    }
}

fn removed(r: &mut DiffResult, no: usize, x: &Annot) {
    match &x.kind {
        AnnotKind::Comment(t) | AnnotKind::Painting(t) => r.warn(
            Annotations,
            Some(no),
            format!("page {no}: a {t} annotation was removed"),
            format!("Trang {no}: chú thích {t} bị gỡ bỏ"),
        ),
        AnnotKind::SignatureWidget { field, .. } | AnnotKind::FormWidget { field, .. } => r.add(
            Other,
            Some(no),
            format!("page {no}: the widget of field {field:?} was removed after signing"),
            format!("Trang {no}: ô của trường {field:?} bị xóa sau khi ký"),
        ),
    }
}

/// A new or newly signed signature widget: allowed, unless its appearance
/// paints a filled area over signed text (the sneaky signature); images
/// and text — the seal, the name, the time — may lie over anything.
fn signature_appearance(
    r: &mut DiffResult,
    at: &At<'_, '_>,
    y: &Annot,
    field: &str,
    signed: &mut SignedMarks,
) {
    let (no, old, new, a) = (at.no, at.old, at.new, at.signed_page);
    let drawn = appearance_marks(new, y);
    let mut hidden = 0;
    for m in drawn.iter().filter(|m| m.kind == MarkKind::Fill) {
        hidden += covers(signed.get(old, a), &m.rect);
    }
    let at = y.rect.map(|x| x.show()).unwrap_or_default();
    if hidden > 0 {
        r.add(
            Other,
            Some(no),
            format!(
                "page {no}: the appearance of signature {field:?} at {at} paints over {hidden} piece(s) of signed text or image"
            ),
            format!("Trang {no}: hình hiển thị của chữ ký {field:?} tại {at} vẽ đè lên nội dung đã ký"),
        );
    } else {
        r.signatures_added += 1;
        r.add(
            FormFilling,
            Some(no),
            format!(
                "page {no}: signature field {field:?} signed{}",
                if y.visible {
                    format!(", its appearance at {at}")
                } else {
                    " (invisible)".into()
                }
            ),
            format!("Trang {no}: ký vào trường chữ ký {field:?}"),
        );
    }
}

fn added(r: &mut DiffResult, at: &At<'_, '_>, y: &Annot, signed: &mut SignedMarks) {
    let no = at.no;
    match &y.kind {
        AnnotKind::SignatureWidget {
            timestamp: true, ..
        } if !y.visible => {
            r.signatures_added += 1;
            r.add(
                LtaUpdates,
                Some(no),
                "a document timestamp was added".into(),
                "Thêm dấu thời gian cho tài liệu".into(),
            )
        }
        AnnotKind::SignatureWidget { field, .. } => signature_appearance(r, at, y, field, signed),
        AnnotKind::FormWidget { field, .. } => r.add(
            Other,
            Some(no),
            format!("page {no}: a widget of form field {field:?} was added after signing"),
            format!("Trang {no}: thêm ô của trường {field:?} sau khi ký"),
        ),
        AnnotKind::Comment(t) => r.warn(
            Annotations,
            Some(no),
            format!("page {no}: a comment ({t}) was added"),
            format!("Trang {no}: thêm ghi chú ({t})"),
        ),
        AnnotKind::Painting(t) if y.visible => r.add(
            Other,
            Some(no),
            format!("page {no}: a {t} annotation that paints over the signed page was added"),
            format!("Trang {no}: thêm chú thích {t} vẽ đè lên nội dung đã ký"),
        ),
        AnnotKind::Painting(t) => r.warn(
            Annotations,
            Some(no),
            format!("page {no}: a hidden {t} annotation was added"),
            format!("Trang {no}: thêm chú thích {t} ẩn"),
        ),
    }
}

fn modified(
    r: &mut DiffResult,
    at: &At<'_, '_>,
    (x, y): (&Annot, &Annot),
    value_changed: bool,
    signed: &mut SignedMarks,
) {
    let (no, old, new, a) = (at.no, at.old, at.new, at.signed_page);
    match (&x.kind, &y.kind) {
        (
            AnnotKind::SignatureWidget { signed: false, .. },
            AnnotKind::SignatureWidget {
                field,
                signed: true,
                ..
            },
        ) => signature_appearance(r, at, y, field, signed),
        (AnnotKind::SignatureWidget { field, .. }, _) => r.add(
            Other,
            Some(no),
            format!("page {no}: the widget of the signed field {field:?} changed after signing"),
            format!("Trang {no}: ô của chữ ký {field:?} bị thay đổi sau khi ký"),
        ),
        (
            AnnotKind::FormWidget {
                read_only: true,
                field,
            },
            _,
        ) => r.add(
            Other,
            Some(no),
            format!("page {no}: the read-only field {field:?} was changed after signing"),
            format!("Trang {no}: trường chỉ đọc {field:?} bị thay đổi sau khi ký"),
        ),
        (AnnotKind::FormWidget { .. }, AnnotKind::FormWidget { field, .. }) if !value_changed => {
            r.add(
                Other,
                Some(no),
                format!(
                    "page {no}: the appearance of field {field:?} was redrawn while its value stayed the same (what the page shows changed)"
                ),
                format!("Trang {no}: hình hiển thị của trường {field:?} bị vẽ lại dù giá trị không đổi"),
            );
        }
        (AnnotKind::FormWidget { .. }, AnnotKind::FormWidget { field, .. }) => {
            // Filling is allowed — unless the filled widget now covers what was signed.
            let area = y.rect.or(x.rect);
            let drawn = !appearance_marks(new, y).is_empty();
            let hidden = match area {
                Some(area) if drawn => covers(signed.get(old, a), &area),
                _ => 0,
            };
            if hidden > 0 {
                r.add(
                    Other,
                    Some(no),
                    format!(
                        "page {no}: field {field:?} was filled so that it covers {hidden} piece(s) of signed text or image"
                    ),
                    format!("Trang {no}: trường {field:?} được điền đè lên nội dung đã ký"),
                );
            } else {
                r.warn(
                    FormFilling,
                    Some(no),
                    format!("page {no}: form field {field:?} was filled in"),
                    format!("Trang {no}: trường {field:?} được điền"),
                );
            }
        }
        (AnnotKind::Comment(t), AnnotKind::Comment(_)) => r.warn(
            Annotations,
            Some(no),
            format!("page {no}: a comment ({t}) was changed"),
            format!("Trang {no}: ghi chú ({t}) được sửa"),
        ),
        (_, AnnotKind::Painting(t)) | (AnnotKind::Painting(t), _) => r.add(
            Other,
            Some(no),
            format!("page {no}: a {t} annotation that paints on the signed page was changed"),
            format!("Trang {no}: chú thích {t} vẽ trên trang đã ký bị thay đổi"),
        ),
        (_, other) => r.add(
            Other,
            Some(no),
            format!("page {no}: an annotation was changed into another kind ({other:?})"),
            format!("Trang {no}: một chú thích bị đổi loại sau khi ký"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
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
        assert_eq!(r.changed_fields, vec!["Amount".to_string()]);
        assert!(
            r.findings
                .iter()
                .any(|f| f.warn && f.what.contains("\"Amount\"")),
            "{:?}",
            r.findings
        );
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
    fn the_same_page_rewritten_in_another_key_order_is_no_change() {
        let (pdf, field, _) = base();
        let d = Document::load_mem(&pdf).expect("load");
        let page = d.get_pages()[&1].0;
        let content = match d.get_object((page, 0)).expect("page") {
            L::Dictionary(p) => {
                p.get(b"Contents")
                    .and_then(L::as_reference)
                    .expect("contents")
                    .0
            }
            _ => panic!("page"),
        };
        let body = format!(
            "<< /MediaBox [0 0 595 842] /Annots [{field} 0 R] /Contents {content} 0 R /Parent {} 0 R /Type /Page /Tabs /S >>",
            match d.get_object((page, 0)).expect("page") {
                L::Dictionary(p) =>
                    p.get(b"Parent")
                        .and_then(L::as_reference)
                        .expect("parent")
                        .0,
                _ => panic!("page"),
            }
        );
        let after = update(&pdf, page, &body);
        let r = analyse_bytes(&pdf, &after);
        assert!(
            r.level <= Some(Modifications::LtaUpdates),
            "reordering and /Tabs are bookkeeping: {:?}",
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
