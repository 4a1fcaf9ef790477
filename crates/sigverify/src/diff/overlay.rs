//! What paints over signed content: the marks the signed page draws
//! (computed once per page), what an annotation's appearance draws in page
//! space, and how many signed marks an area covers.

use super::geometry::{self, Kind as MarkKind, Matrix, Rect, marks};
use super::view::{Annot, Page};
use crate::obj::{Dict, Obj};
use crate::xref::Doc;

/// What the signed page draws, computed once per page when needed.
pub struct SignedMarks(pub Option<Vec<geometry::Mark>>);

impl SignedMarks {
    /// The signed page's marks.
    pub fn get(&mut self, old: &Doc<'_>, a: &Page) -> &[geometry::Mark] {
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
pub fn covers(signed: &[geometry::Mark], area: &Rect) -> usize {
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
pub fn appearance_marks(d: &Doc<'_>, a: &Annot) -> Vec<geometry::Mark> {
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
