//! The objects a signature adds or changes: the signature dictionary (with
//! fixed-width placeholders), the field merged with its widget and its
//! visible appearance, and the page and form that list them.

use lopdf::{Dictionary, Document, Object, ObjectId, dictionary};

use super::{
    BR_WIDTH, CONTENTS_HEX, SignError, SignOptions, pdf_date, pdf_err, text_string, write_obj,
};

/// An object number and its serialised body.
pub(super) type Written = (ObjectId, Vec<u8>);

/// What the update changes in the document: the catalog, the page the
/// widget goes on and the form's fields.
pub(super) struct Target {
    /// The catalog's object.
    pub(super) root_id: ObjectId,
    /// The catalog.
    catalog: Dictionary,
    /// The page's object.
    pub(super) page_id: ObjectId,
    /// The page.
    page: Dictionary,
    /// The AcroForm's object, when it is not inline in the catalog.
    acroform_id: Option<ObjectId>,
    /// The AcroForm (empty when there is none).
    acroform: Dictionary,
    /// The form's existing fields.
    fields: Vec<Object>,
}

impl Target {
    /// The catalog, page and existing fields of `doc`, refusing a duplicate field name.
    pub(super) fn read(doc: &Document, opts: &SignOptions) -> Result<Self, SignError> {
        let root_id = doc
            .trailer
            .get(b"Root")
            .and_then(Object::as_reference)
            .map_err(pdf_err)?;
        let catalog = doc.get_dictionary(root_id).map_err(pdf_err)?.clone();
        let pages = doc.get_pages();
        let page_no = opts.visible.map(|p| p.page).unwrap_or(1);
        let page_id = *pages
            .get(&page_no)
            .ok_or_else(|| SignError::Invalid(format!("the document has no page {page_no}")))?;
        let page = doc.get_dictionary(page_id).map_err(pdf_err)?.clone();

        // Existing fields, and refusing a duplicate name.
        let (acroform_id, acroform): (Option<ObjectId>, Dictionary) = match catalog.get(b"AcroForm")
        {
            Ok(Object::Reference(id)) => {
                (Some(*id), doc.get_dictionary(*id).map_err(pdf_err)?.clone())
            }
            Ok(Object::Dictionary(d)) => (None, d.clone()),
            _ => (None, Dictionary::new()),
        };
        let fields: Vec<Object> = match acroform.get(b"Fields") {
            Ok(Object::Array(a)) => a.clone(),
            Ok(Object::Reference(id)) => doc
                .get_object(*id)
                .and_then(Object::as_array)
                .map_err(pdf_err)?
                .clone(),
            _ => Vec::new(),
        };
        for f in &fields {
            if let Ok((_, Object::Dictionary(d))) = doc.dereference(f)
                && let Ok(t) = d.get(b"T").and_then(Object::as_str)
                && t == opts.field.as_bytes()
            {
                return Err(SignError::Invalid(format!(
                    "the document already has a field named {:?}",
                    opts.field
                )));
            }
        }
        Ok(Self {
            root_id,
            catalog,
            page_id,
            page,
            acroform_id,
            acroform,
            fields,
        })
    }

    /// The page and the form changed to list the widget `widget_id`.
    pub(super) fn list_widget(
        self,
        doc: &Document,
        widget_id: ObjectId,
    ) -> Result<Vec<Written>, SignError> {
        let Self {
            root_id,
            catalog,
            page_id,
            mut page,
            acroform_id,
            mut acroform,
            mut fields,
        } = self;
        let mut objects: Vec<Written> = Vec::new();
        // The page lists the widget.
        let mut annots: Vec<Object> = match page.get(b"Annots") {
            Ok(Object::Array(a)) => a.clone(),
            Ok(Object::Reference(id)) => doc
                .get_object(*id)
                .and_then(Object::as_array)
                .map_err(pdf_err)?
                .clone(),
            _ => Vec::new(),
        };
        annots.push(Object::Reference(widget_id));
        page.set("Annots", annots);
        let mut b = Vec::new();
        write_obj(&mut b, &Object::Dictionary(page))?;
        objects.push((page_id, b));

        // The AcroForm lists the field.
        fields.push(Object::Reference(widget_id));
        acroform.set("Fields", fields);
        acroform.set("SigFlags", 3);
        let mut catalog = catalog;
        match acroform_id {
            Some(id) => {
                let mut b = Vec::new();
                write_obj(&mut b, &Object::Dictionary(acroform))?;
                objects.push((id, b));
            }
            None => {
                catalog.set("AcroForm", acroform);
                let mut b = Vec::new();
                write_obj(&mut b, &Object::Dictionary(catalog))?;
                objects.push((root_id, b));
            }
        }
        Ok(objects)
    }
}

/// The signature dictionary, written by hand so the placeholders have fixed positions.
pub(super) fn signature_dictionary(
    opts: &SignOptions,
    cn: Option<&str>,
) -> Result<Vec<u8>, SignError> {
    let mut sig = Vec::new();
    sig.extend_from_slice(b"<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter ");
    sig.extend_from_slice(if opts.pades {
        b"/ETSI.CAdES.detached"
    } else {
        b"/adbe.pkcs7.detached"
    });
    sig.extend_from_slice(b" /ByteRange [0 ");
    sig.extend_from_slice(format!("{:0>w$} {:0>w$} {:0>w$}", 0, 0, 0, w = BR_WIDTH).as_bytes());
    sig.extend_from_slice(b"] /Contents <");
    sig.extend(std::iter::repeat_n(b'0', CONTENTS_HEX));
    sig.extend_from_slice(b"> /M ");
    write_obj(&mut sig, &Object::string_literal(pdf_date(opts.time)))?;
    for (k, v) in [
        ("Name", cn.map(str::to_string)),
        ("Reason", opts.reason.clone()),
        ("Location", opts.location.clone()),
        ("ContactInfo", opts.contact.clone()),
    ] {
        if let Some(v) = v {
            sig.extend_from_slice(format!(" /{k} ").as_bytes());
            write_obj(&mut sig, &text_string(&v))?;
        }
    }
    sig.extend_from_slice(b" >>");
    Ok(sig)
}

/// The objects a widget refers to.
pub(super) struct WidgetIds {
    /// The signature dictionary.
    pub(super) sig: ObjectId,
    /// The field merged with its widget.
    pub(super) widget: ObjectId,
    /// The visible appearance, when the signature is visible.
    pub(super) appearance: Option<ObjectId>,
    /// The page it sits on.
    pub(super) page: ObjectId,
}

/// The field merged with its widget annotation, after its appearance stream when visible.
pub(super) fn widget(
    opts: &SignOptions,
    cn: Option<&str>,
    ids: WidgetIds,
) -> Result<Vec<Written>, SignError> {
    let WidgetIds {
        sig: sig_id,
        widget: widget_id,
        appearance: ap_id,
        page: page_id,
    } = ids;
    let mut objects: Vec<Written> = Vec::new();
    let rect = opts.visible.map(|p| p.rect).unwrap_or([0.0; 4]);
    let mut widget = dictionary! {
        "Type" => "Annot",
        "Subtype" => "Widget",
        "FT" => "Sig",
        "T" => text_string(&opts.field),
        "V" => Object::Reference(sig_id),
        "F" => 132,
        "P" => Object::Reference(page_id),
        "Rect" => rect.iter().map(|v| Object::Real(*v)).collect::<Vec<_>>(),
    };
    if let (Some(ap), Some(p)) = (ap_id, opts.visible) {
        let (w, h) = ((p.rect[2] - p.rect[0]).abs(), (p.rect[3] - p.rect[1]).abs());
        let who = crate::text::ascii(cn.unwrap_or("?"));
        let when = opts
            .time
            .with_timezone(&crate::clock::vietnam())
            .to_rfc3339();
        let content = format!(
            "q 0.8 0 0 RG 1 w 0.5 0.5 {:.1} {:.1} re S Q BT /F1 9 Tf 4 {:.1} Td (Ky boi: {}) Tj 0 -11 Td (Thoi gian: {}) Tj ET",
            w - 1.0,
            h - 1.0,
            h - 12.0,
            pdf_escape(&who),
            pdf_escape(&when)
        );
        let stream = lopdf::Stream::new(
            dictionary! {
                "Type" => "XObject", "Subtype" => "Form",
                "BBox" => vec![0.into(), 0.into(), Object::Real(w), Object::Real(h)],
                "Resources" => dictionary! { "Font" => dictionary! {
                    "F1" => dictionary! { "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica" } } },
            },
            content.into_bytes(),
        );
        let mut b = Vec::new();
        write_obj(&mut b, &Object::Stream(stream))?;
        objects.push((ap, b));
        widget.set("AP", dictionary! { "N" => Object::Reference(ap) });
    }
    let mut b = Vec::new();
    write_obj(&mut b, &Object::Dictionary(widget))?;
    objects.push((widget_id, b));
    Ok(objects)
}

/// `s` escaped for a PDF literal string.
fn pdf_escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('(', "\\(")
        .replace(')', "\\)")
}
