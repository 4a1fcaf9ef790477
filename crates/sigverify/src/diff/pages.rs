//! What each page shows: the page count, its content, the resources that
//! content uses, its size and rotation, and its other keys (bookkeeping or
//! not); its annotations are compared in the `annots` module.

use std::collections::BTreeSet;

use super::annots::page_annots;
use super::canon::Canon;
use super::view::{self, Page};
use super::{DiffResult, keys, same};
use crate::obj::{Dict, Obj};
use crate::report::Modifications::{LtaUpdates, Other};
use crate::xref::Doc;

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

pub fn pages(
    r: &mut DiffResult,
    old: &Doc<'_>,
    new: &Doc<'_>,
    oc: &mut Canon<'_, '_>,
    nc: &mut Canon,
) {
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
