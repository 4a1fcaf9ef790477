//! Reading a PDF for verification: its revisions (every `%%EOF`), its
//! signature dictionaries (AcroForm fields, widgets merged with fields,
//! signature widgets reachable from pages), and the `/DSS` store. The object
//! graph comes from lopdf; byte positions come from [`super::lex`].

use std::collections::HashSet;

use lopdf::{Dictionary, Document, LoadOptions, Object, ObjectId};

use super::report::{Kind, Problem};

/// Most signatures read from one file.
pub const MAX_SIGNATURES: usize = 64;
/// Most form fields and widgets visited.
pub const MAX_FIELDS: usize = 20_000;
/// Most bytes any one stream may decompress to while loading.
pub const MAX_DECOMPRESSED: usize = 64 * 1024 * 1024;

/// A signature dictionary found in the document.
#[derive(Debug, Clone)]
pub struct SigDict {
    /// Fully qualified field name.
    pub field: String,
    /// The signature dictionary's object id, when indirect.
    pub id: Option<ObjectId>,
    /// Approval, certification or document timestamp.
    pub kind: Kind,
    /// `/SubFilter`.
    pub sub_filter: String,
    /// `/ByteRange` as read (None when absent).
    pub byte_range: Option<Object>,
    /// `/Contents` bytes (None when absent or not a string).
    pub contents: Option<Vec<u8>>,
    /// `/M` as written.
    pub m: Option<String>,
    /// `/Reason`.
    pub reason: Option<String>,
    /// `/Location`.
    pub location: Option<String>,
    /// `/Name`.
    pub name: Option<String>,
}

/// Validation material from the document security store (`/DSS`).
#[derive(Debug, Clone, Default)]
pub struct Dss {
    /// DER certificates.
    pub certs: Vec<Vec<u8>>,
    /// DER CRLs.
    pub crls: Vec<Vec<u8>>,
    /// DER OCSP responses.
    pub ocsps: Vec<Vec<u8>>,
}

/// What verification needs from a PDF.
#[derive(Debug)]
pub struct Parsed {
    /// The loaded document.
    pub doc: Document,
    /// Signature dictionaries in field order.
    pub sigs: Vec<SigDict>,
    /// End offset of each revision (after `%%EOF` and its end-of-line).
    pub revisions: Vec<usize>,
    /// `/DSS` contents.
    pub dss: Dss,
    /// Quirks noticed (repaired cross-reference data, …).
    pub problems: Vec<Problem>,
}

/// Why a file could not be read as a PDF.
#[derive(Debug, Clone)]
pub struct Malformed(pub String);

/// PDF text string → Rust string (UTF-16BE with BOM, UTF-8 with BOM, else PDFDocEncoding ≈ Latin-1).
pub fn text(bytes: &[u8]) -> String {
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        let units: Vec<u16> = rest
            .chunks_exact(2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]))
            .collect();
        return String::from_utf16_lossy(&units);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return String::from_utf8_lossy(rest).into_owned();
    }
    bytes.iter().map(|&b| b as char).collect()
}

/// End offsets of every revision: just after each `%%EOF` marker and its end-of-line.
pub fn revision_ends(data: &[u8]) -> Vec<usize> {
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(k) = find(&data[i..], b"%%EOF") {
        let mut e = i + k + 5;
        if data.get(e) == Some(&b'\r') {
            e += 1;
        }
        if data.get(e) == Some(&b'\n') {
            e += 1;
        }
        out.push(e);
        i = e;
    }
    out
}

/// First position of `needle` in `hay`.
pub fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn deref<'a>(doc: &'a Document, o: &'a Object) -> (Option<ObjectId>, Option<&'a Object>) {
    match doc.dereference(o) {
        Ok((id, obj)) => (id, Some(obj)),
        Err(_) => (None, None),
    }
}

fn dict_of<'a>(doc: &'a Document, o: &'a Object) -> Option<&'a Dictionary> {
    deref(doc, o).1.and_then(|o| o.as_dict().ok())
}

fn name_of(d: &Dictionary, key: &[u8]) -> Option<String> {
    d.get(key)
        .ok()
        .and_then(|o| o.as_name().ok())
        .map(|n| String::from_utf8_lossy(n).into_owned())
}

fn string_of(doc: &Document, d: &Dictionary, key: &[u8]) -> Option<String> {
    let (_, o) = deref(doc, d.get(key).ok()?);
    o?.as_str().ok().map(text)
}

fn stream_bytes(doc: &Document, o: &Object) -> Option<Vec<u8>> {
    let (_, o) = deref(doc, o);
    let s = o?.as_stream().ok()?;
    s.decompressed_content()
        .ok()
        .or_else(|| Some(s.content.clone()))
}

impl Parsed {
    /// Load `data` and find its signatures.
    pub fn load(data: &[u8]) -> Result<Parsed, Malformed> {
        if find(&data[..data.len().min(1024)], b"%PDF-").is_none() {
            return Err(Malformed("no %PDF- header in the first 1024 bytes".into()));
        }
        let opts = LoadOptions {
            max_decompressed_size: Some(MAX_DECOMPRESSED),
            ..LoadOptions::default()
        };
        // lopdf reports errors as values; the unwind guard only keeps a bug
        // in it from taking the process down on hostile input.
        let loaded = std::panic::catch_unwind(|| Document::load_mem_with_options(data, opts));
        let doc = match loaded {
            Ok(Ok(doc)) => doc,
            Ok(Err(e)) => return Err(Malformed(format!("cannot parse the PDF: {e}"))),
            Err(_) => return Err(Malformed("cannot parse the PDF (the parser failed)".into())),
        };
        let mut problems = Vec::new();
        if let Some(r) = &doc.xref_recovery {
            problems.push(Problem::new(
                "XREF_REPAIRED",
                format!("the cross-reference data was damaged and had to be repaired ({r:?})"),
            ));
        }
        let mut p = Parsed {
            sigs: Vec::new(),
            revisions: revision_ends(data),
            dss: Dss::default(),
            problems,
            doc,
        };
        p.find_signatures();
        p.read_dss();
        Ok(p)
    }

    fn find_signatures(&mut self) {
        let doc = &self.doc;
        let Ok(catalog) = doc.catalog() else { return };
        let certifying: Option<ObjectId> = catalog
            .get(b"Perms")
            .ok()
            .and_then(|p| dict_of(doc, p))
            .and_then(|perms| perms.get(b"DocMDP").ok())
            .and_then(|o| o.as_reference().ok());
        let mut found: Vec<SigDict> = Vec::new();
        let mut seen_sig: HashSet<ObjectId> = HashSet::new();
        let mut seen_field: HashSet<ObjectId> = HashSet::new();
        let mut visits = 0usize;
        // Roots in order: the AcroForm's fields, then widgets on pages (a
        // signature widget need not be listed in the AcroForm).
        let mut roots: Vec<Object> = Vec::new();
        if let Some(fields) = catalog
            .get(b"AcroForm")
            .ok()
            .and_then(|a| dict_of(doc, a))
            .and_then(|a| a.get(b"Fields").ok())
            .and_then(|f| deref(doc, f).1)
            .and_then(|f| f.as_array().ok())
        {
            roots.extend(fields.iter().take(MAX_FIELDS).cloned());
        }
        for (_, page_id) in doc.get_pages().into_iter().take(MAX_FIELDS) {
            if let Ok(page) = doc.get_dictionary(page_id)
                && let Some(annots) = page
                    .get(b"Annots")
                    .ok()
                    .and_then(|a| deref(doc, a).1)
                    .and_then(|a| a.as_array().ok())
            {
                roots.extend(annots.iter().take(MAX_FIELDS).cloned());
            }
            if roots.len() > MAX_FIELDS {
                break;
            }
        }
        let mut stack: Vec<(Object, String, Option<String>, usize)> = roots
            .into_iter()
            .rev()
            .map(|o| (o, String::new(), None, 0))
            .collect();
        while let Some((obj, parent_name, inherited_ft, depth)) = stack.pop() {
            visits += 1;
            if visits > MAX_FIELDS || depth > 32 || found.len() >= MAX_SIGNATURES {
                break;
            }
            let (id, o) = deref(doc, &obj);
            let Some(d) = o.and_then(|o| o.as_dict().ok()) else {
                continue;
            };
            if let Some(id) = id
                && !seen_field.insert(id)
            {
                continue;
            }
            let partial = string_of(doc, d, b"T");
            let full = match (&partial, parent_name.is_empty()) {
                (Some(t), true) => t.clone(),
                (Some(t), false) => format!("{parent_name}.{t}"),
                (None, _) => parent_name.clone(),
            };
            let ft = name_of(d, b"FT").or(inherited_ft.clone());
            if let Some(kids) = d
                .get(b"Kids")
                .ok()
                .and_then(|k| deref(doc, k).1)
                .and_then(|k| k.as_array().ok())
            {
                for k in kids.iter().rev() {
                    stack.push((k.clone(), full.clone(), ft.clone(), depth + 1));
                }
            }
            if ft.as_deref() != Some("Sig") {
                continue;
            }
            let Ok(v) = d.get(b"V") else { continue };
            let (vid, vobj) = deref(doc, v);
            let Some(sd) = vobj.and_then(|o| o.as_dict().ok()) else {
                continue;
            };
            if let Some(vid) = vid
                && !seen_sig.insert(vid)
            {
                continue;
            }
            let sub_filter = name_of(sd, b"SubFilter").unwrap_or_default();
            let is_doc_ts = name_of(sd, b"Type").as_deref() == Some("DocTimeStamp")
                || sub_filter == "ETSI.RFC3161";
            let is_cert = vid.is_some() && vid == certifying
                || sd
                    .get(b"Reference")
                    .ok()
                    .and_then(|r| deref(doc, r).1)
                    .and_then(|r| r.as_array().ok())
                    .is_some_and(|refs| {
                        refs.iter().any(|r| {
                            dict_of(doc, r)
                                .and_then(|r| name_of(r, b"TransformMethod"))
                                .as_deref()
                                == Some("DocMDP")
                        })
                    });
            let kind = if is_doc_ts {
                Kind::DocumentTimestamp
            } else if is_cert {
                Kind::Certification
            } else {
                Kind::Approval
            };
            let contents = sd
                .get(b"Contents")
                .ok()
                .and_then(|c| c.as_str().ok())
                .map(<[u8]>::to_vec);
            let byte_range = sd
                .get(b"ByteRange")
                .ok()
                .and_then(|b| deref(doc, b).1)
                .cloned();
            let field = if full.is_empty() {
                format!("Signature{}", found.len() + 1)
            } else {
                full
            };
            found.push(SigDict {
                field,
                id: vid,
                kind,
                sub_filter,
                byte_range,
                contents,
                m: string_of(doc, sd, b"M"),
                reason: string_of(doc, sd, b"Reason"),
                location: string_of(doc, sd, b"Location"),
                name: string_of(doc, sd, b"Name"),
            });
        }
        self.sigs = found;
    }

    fn read_dss(&mut self) {
        let doc = &self.doc;
        let Some(dss) = doc
            .catalog()
            .ok()
            .and_then(|c| c.get(b"DSS").ok())
            .and_then(|d| dict_of(doc, d))
        else {
            return;
        };
        let list = |key: &[u8]| -> Vec<Vec<u8>> {
            dss.get(key)
                .ok()
                .and_then(|a| deref(doc, a).1)
                .and_then(|a| a.as_array().ok())
                .map(|a| {
                    a.iter()
                        .take(10_000)
                        .filter_map(|o| stream_bytes(doc, o))
                        .collect()
                })
                .unwrap_or_default()
        };
        self.dss = Dss {
            certs: list(b"Certs"),
            crls: list(b"CRLs"),
            ocsps: list(b"OCSPs"),
        };
    }

    /// The file offset of an indirect object, when it is stored uncompressed.
    pub fn offset_of(&self, id: ObjectId) -> Option<usize> {
        match self.doc.reference_table.get(id.0) {
            Some(lopdf::xref::XrefEntry::Normal { offset, generation }) if *generation == id.1 => {
                Some(*offset as usize)
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn revisions_and_text() {
        let d = b"%PDF-1.7\n...%%EOF\n...%%EOF\r\nxx%%EOF";
        assert_eq!(revision_ends(d), vec![18, 28, 35]);
        assert_eq!(text(&[0xFE, 0xFF, 0x1E, 0xA0]), "Ạ");
        assert_eq!(text(b"abc"), "abc");
    }
}
