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

mod annots;
pub mod canon;
mod catalog;
mod fields;
pub mod geometry;
mod overlay;
mod pages;
pub mod view;

use std::collections::BTreeSet;

use self::canon::Canon;
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

use Modifications::Other;

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
    catalog::trailer(&mut r, old, new, &mut oc, &mut nc);
    catalog::catalog(&mut r, old, new, &mut oc, &mut nc);
    fields::signatures_intact(&mut r, old, new, &mut oc, &mut nc);
    fields::form_fields(&mut r, old, new, &mut oc, &mut nc);
    pages::pages(&mut r, old, new, &mut oc, &mut nc);
    if r.level.is_none() {
        // Later revisions that change nothing (e.g. an identical rewrite).
        r.level = Some(Modifications::None);
    }
    r
}

/// Every key of either dictionary.
fn keys(a: &Dict, b: &Dict) -> BTreeSet<Vec<u8>> {
    a.0.iter()
        .chain(b.0.iter())
        .map(|(k, _)| k.clone())
        .collect()
}

/// Whether two values print the same (absent only equals absent).
fn same(oc: &mut Canon<'_, '_>, nc: &mut Canon<'_, '_>, a: Option<&Obj>, b: Option<&Obj>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => oc.print(a) == nc.print(b),
        _ => false,
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
