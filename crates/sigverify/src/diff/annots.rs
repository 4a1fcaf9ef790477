//! Each page's annotations, matched by object id (direct ones by what they
//! are): comments and paintings added, changed or removed, fields filled,
//! signatures added, and whether what they paint hides signed content.

use std::collections::HashMap;

use super::DiffResult;
use super::canon::Canon;
use super::geometry::Kind as MarkKind;
use super::overlay::{SignedMarks, appearance_marks, covers};
use super::view::{self, Annot, AnnotKind, Page};
use crate::obj::Obj;
use crate::report::Modifications::{Annotations, FormFilling, LtaUpdates, Other};
use crate::xref::Doc;

/// One page being compared: its number, both views, and the signed page.
struct At<'a, 's> {
    no: usize,
    old: &'a Doc<'s>,
    new: &'a Doc<'s>,
    signed_page: &'a Page,
}

#[allow(clippy::too_many_arguments)]
pub fn page_annots(
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
