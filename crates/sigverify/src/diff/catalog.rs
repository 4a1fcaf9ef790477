//! The document-level entries: the trailer's keys, the catalog's
//! (bookkeeping, validation data, or behaviour that must not change) and
//! the name trees (scripts and attachments must not change).

use super::canon::Canon;
use super::{DiffResult, keys, same};
use crate::obj::{Dict, Obj};
use crate::report::Modifications::{LtaUpdates, Other};
use crate::xref::Doc;

/// Trailer keys besides the cross-reference bookkeeping.
pub fn trailer(
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

/// Catalog entries: bookkeeping, validation data, or behaviour that must not change.
pub fn catalog(
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
