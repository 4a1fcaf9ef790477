//! The form and its fields: the signatures present at signing unchanged,
//! no field removed, none added but signature fields, the form's own
//! settings, and which fields changed (judged with their widgets).

use super::canon::Canon;
use super::{DiffResult, keys, same, view};
use crate::obj::{Dict, Obj};
use crate::report::Modifications::{FormFilling, LtaUpdates, Other};
use crate::xref::Doc;

/// Every signature value present when this one was made is unchanged.
pub fn signatures_intact(
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
pub fn form_fields(
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
