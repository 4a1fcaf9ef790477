//! A PAdES signer (`vanthu sign`): adds a signature to a PDF as an
//! incremental update, so earlier signatures stay intact — the person signs
//! first, then the văn thư adds the organisation's signature (Decree 30
//! Art. 17, 32, 33). Baseline B-B (`ETSI.CAdES.detached`, or
//! `adbe.pkcs7.detached`), and B-T with a signature timestamp made by a
//! local TSA key. Pure and synchronous: openssl signs, [`der`] encodes.
//!
//! Not done: embedded fonts in visible appearances (text is drawn without
//! diacritics in a standard font), DocMDP certification, LTV (`/DSS`).

pub mod der;

use std::io::Write;

use chrono::{DateTime, Utc};
use lopdf::{Dictionary, Document, Object, ObjectId, StringFormat, dictionary};
use openssl::hash::MessageDigest;
use openssl::pkey::{Id, PKey, Private};
use openssl::sign::Signer;
use openssl::x509::X509;

use crate::sigverify::oid as o;

/// Hex digits reserved for `/Contents` (the CMS, its certificates and a timestamp).
const CONTENTS_HEX: usize = 32_768;
/// Width of each number in the `/ByteRange` placeholder.
const BR_WIDTH: usize = 10;

/// A signing key with its certificate and chain.
pub struct Credentials {
    /// Private key.
    pub key: PKey<Private>,
    /// The signer's certificate.
    pub cert: X509,
    /// Issuers to embed (not the root necessarily).
    pub chain: Vec<X509>,
}

/// Where a visible signature goes: page number (from 1) and rectangle in points.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Placement {
    /// Page, from 1.
    pub page: u32,
    /// Lower-left x, lower-left y, upper-right x, upper-right y.
    pub rect: [f32; 4],
}

/// What to sign and how.
pub struct SignOptions {
    /// Field name; a new field is created (must not exist yet).
    pub field: String,
    /// `/Reason`.
    pub reason: Option<String>,
    /// `/Location`.
    pub location: Option<String>,
    /// `/ContactInfo`.
    pub contact: Option<String>,
    /// Visible placement, or invisible when None.
    pub visible: Option<Placement>,
    /// Claimed signing time (`/M`).
    pub time: DateTime<Utc>,
    /// `ETSI.CAdES.detached` (PAdES) when true, else `adbe.pkcs7.detached`.
    pub pades: bool,
    /// A TSA to timestamp the signature (B-T).
    pub tsa: Option<Credentials>,
}

impl SignOptions {
    /// An invisible PAdES signature in a new field `field`, signed now,
    /// without a timestamp.
    pub fn pades_now(field: &str, reason: Option<&str>) -> Self {
        Self {
            field: field.into(),
            reason: reason.map(str::to_string),
            location: None,
            contact: None,
            visible: None,
            time: Utc::now(),
            pades: true,
            tsa: None,
        }
    }
}

/// Why signing failed.
#[derive(Debug, thiserror::Error)]
pub enum SignError {
    /// The input PDF cannot be updated.
    #[error("cannot read the PDF: {0}")]
    Pdf(String),
    /// The options conflict with the document.
    #[error("{0}")]
    Invalid(String),
    /// openssl failed.
    #[error("cryptography failed: {0}")]
    Crypto(#[from] openssl::error::ErrorStack),
}

fn pdf_err(e: impl std::fmt::Display) -> SignError {
    SignError::Pdf(e.to_string())
}

fn write_obj(out: &mut Vec<u8>, o: &Object) -> Result<(), SignError> {
    lopdf::Writer::write_object(out, o).map_err(pdf_err)
}

fn text_string(s: &str) -> Object {
    if s.is_ascii() {
        Object::String(s.as_bytes().to_vec(), StringFormat::Literal)
    } else {
        // UTF-16BE with BOM keeps Vietnamese text exact.
        let mut b = vec![0xFE, 0xFF];
        for u in s.encode_utf16() {
            b.extend_from_slice(&u.to_be_bytes());
        }
        Object::String(b, StringFormat::Hexadecimal)
    }
}

fn pdf_date(t: DateTime<Utc>) -> String {
    let vn = t.with_timezone(&crate::clock::vietnam());
    vn.format("D:%Y%m%d%H%M%S+07'00'").to_string()
}

/// The byte offset the last `startxref` points at.
fn last_startxref(data: &[u8]) -> Result<usize, SignError> {
    let pos = data
        .windows(9)
        .rposition(|w| w == b"startxref")
        .ok_or_else(|| SignError::Pdf("no startxref".into()))?;
    let rest = &data[pos + 9..];
    let digits: String = rest
        .iter()
        .skip_while(|b| b.is_ascii_whitespace())
        .take_while(|b| b.is_ascii_digit())
        .map(|&b| b as char)
        .collect();
    digits
        .parse()
        .map_err(|_| SignError::Pdf("bad startxref".into()))
}

/// Sign `input`, returning the updated PDF.
pub fn sign(input: &[u8], creds: &Credentials, opts: &SignOptions) -> Result<Vec<u8>, SignError> {
    let doc = Document::load_mem(input).map_err(pdf_err)?;
    let prev = last_startxref(input)?;
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
    let mut page = doc.get_dictionary(page_id).map_err(pdf_err)?.clone();

    // Existing fields, and refusing a duplicate name.
    let (acroform_id, mut acroform): (Option<ObjectId>, Dictionary) = match catalog.get(b"AcroForm")
    {
        Ok(Object::Reference(id)) => (Some(*id), doc.get_dictionary(*id).map_err(pdf_err)?.clone()),
        Ok(Object::Dictionary(d)) => (None, d.clone()),
        _ => (None, Dictionary::new()),
    };
    let mut fields: Vec<Object> = match acroform.get(b"Fields") {
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

    let mut next = doc.max_id + 1;
    let mut alloc = || {
        let id = (next, 0u16);
        next += 1;
        id
    };
    let sig_id = alloc();
    let widget_id = alloc();
    let ap_id = opts.visible.map(|_| alloc());
    let mut objects: Vec<(ObjectId, Vec<u8>)> = Vec::new();

    // The signature dictionary, written by hand so the placeholders have fixed positions.
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
    let cn = creds
        .cert
        .subject_name()
        .entries_by_nid(openssl::nid::Nid::COMMONNAME)
        .next()
        .and_then(|e| e.data().to_string().ok());
    for (k, v) in [
        ("Name", cn.clone()),
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
    objects.push((sig_id, sig));

    // The field merged with its widget annotation.
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
        let who = crate::text::ascii(cn.as_deref().unwrap_or("?"));
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

    // Assemble the incremental update.
    let mut out = input.to_vec();
    if !out.ends_with(b"\n") {
        out.push(b'\n');
    }
    let mut offsets: Vec<(ObjectId, usize)> = Vec::new();
    for (id, body) in &objects {
        offsets.push((*id, out.len()));
        writeln!(out, "{} {} obj", id.0, id.1).map_err(pdf_err)?;
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref_at = out.len();
    offsets.sort();
    out.extend_from_slice(b"xref\n");
    for (id, off) in &offsets {
        write!(out, "{} 1\n{:010} {:05} n\r\n", id.0, off, id.1).map_err(pdf_err)?;
    }
    let mut trailer = dictionary! {
        "Size" => i64::from(next),
        "Root" => Object::Reference(root_id),
        "Prev" => prev as i64,
    };
    for k in [&b"Info"[..], b"ID"] {
        if let Ok(v) = doc.trailer.get(k) {
            trailer.set(k, v.clone());
        }
    }
    out.extend_from_slice(b"trailer\n");
    write_obj(&mut out, &Object::Dictionary(trailer))?;
    write!(out, "\nstartxref\n{xref_at}\n%%EOF\n").map_err(pdf_err)?;

    // Fill in /ByteRange, then the CMS.
    let sig_off = offsets
        .iter()
        .find(|(id, _)| *id == sig_id)
        .map(|x| x.1)
        .ok_or_else(|| SignError::Pdf("lost the signature object".into()))?;
    let rel = |needle: &[u8]| -> Result<usize, SignError> {
        out[sig_off..]
            .windows(needle.len())
            .position(|w| w == needle)
            .map(|p| sig_off + p)
            .ok_or_else(|| SignError::Pdf("lost a placeholder".into()))
    };
    let br_at = rel(b"/ByteRange [0 ")? + b"/ByteRange [0 ".len();
    let a = rel(b"/Contents <")? + b"/Contents ".len();
    let b_ = a + CONTENTS_HEX + 2;
    let c = out.len() - b_;
    let br = format!("{:<w$} {:<w$} {:<w$}", a, b_, c, w = BR_WIDTH);
    out[br_at..br_at + br.len()].copy_from_slice(br.as_bytes());
    let digest = crate::sigverify::hash_parts(MessageDigest::sha256(), &[&out[..a], &out[b_..]])
        .map_err(SignError::Invalid)?;
    let cms = build_cms(&digest, creds, opts)?;
    let hex = hex::encode_upper(&cms);
    if hex.len() > CONTENTS_HEX {
        return Err(SignError::Invalid(format!(
            "the signature needs {} bytes, more than the {} reserved",
            cms.len(),
            CONTENTS_HEX / 2
        )));
    }
    out[a + 1..a + 1 + hex.len()].copy_from_slice(hex.as_bytes());
    Ok(out)
}

fn pdf_escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('(', "\\(")
        .replace(')', "\\)")
}

/// RSASSA-PSS parameters: SHA-256, MGF1 with SHA-256, salt 32 (RFC 8017 A.2.3).
fn pss_params() -> Vec<u8> {
    der::seq(&[
        der::ctx(0, &der::alg(o::SHA256, None)),
        der::ctx(
            1,
            &der::alg("1.2.840.113549.1.1.8", Some(der::alg(o::SHA256, None))),
        ),
        der::ctx(2, &der::small_int(32)),
    ])
}

/// signature algorithm OID for a key, with the digest SHA-256.
fn sig_alg_for(key: &PKey<Private>) -> Result<(Vec<u8>, Option<MessageDigest>), SignError> {
    Ok(match key.id() {
        Id::RSA_PSS => (
            der::alg(o::RSA_PSS, Some(pss_params())),
            Some(MessageDigest::sha256()),
        ),
        Id::RSA => (
            der::alg("1.2.840.113549.1.1.11", Some(der::null())),
            Some(MessageDigest::sha256()),
        ),
        Id::EC => (
            der::alg("1.2.840.10045.4.3.2", None),
            Some(MessageDigest::sha256()),
        ),
        Id::ED25519 => (der::alg(o::ED25519, None), None),
        other => {
            return Err(SignError::Invalid(format!(
                "unsupported key type {other:?} (use RSA, EC or Ed25519)"
            )));
        }
    })
}

fn raw_sign(
    key: &PKey<Private>,
    md: Option<MessageDigest>,
    data: &[u8],
) -> Result<Vec<u8>, SignError> {
    Ok(match md {
        Some(md) => {
            let mut s = Signer::new(md, key)?;
            if key.id() == Id::RSA_PSS {
                s.set_rsa_padding(openssl::rsa::Padding::PKCS1_PSS)?;
                s.set_rsa_mgf1_md(MessageDigest::sha256())?;
                s.set_rsa_pss_saltlen(openssl::sign::RsaPssSaltlen::custom(32))?;
            }
            s.update(data)?;
            s.sign_to_vec()?
        }
        None => Signer::new_without_digest(key)?.sign_oneshot_to_vec(data)?,
    })
}

/// issuerAndSerialNumber of a certificate.
fn issuer_serial(cert: &X509) -> Result<Vec<u8>, SignError> {
    let issuer = cert.issuer_name().to_der()?;
    let serial = cert.serial_number().to_bn()?.to_vec();
    Ok(der::seq(&[issuer, der::integer(&serial)]))
}

/// ESS signingCertificateV2 with SHA-256 (the default algorithm, so omitted).
fn signing_cert_v2(cert: &X509) -> Result<Vec<u8>, SignError> {
    let hash = openssl::sha::sha256(&cert.to_der()?);
    let ess_cert_id = der::seq(&[der::octets(&hash)]);
    let v = der::seq(&[der::seq(&[ess_cert_id])]);
    Ok(der::seq(&[der::oid(o::SIGNING_CERT_V2), der::set_of(&[v])]))
}

fn attr(oid_s: &str, value: Vec<u8>) -> Vec<u8> {
    der::seq(&[der::oid(oid_s), der::set_of(&[value])])
}

/// A SignedData ContentInfo over content of type `content_type` whose digest is `digest`.
fn signed_data(
    digest: &[u8],
    content_type: &str,
    econtent: Option<&[u8]>,
    creds: &Credentials,
    extra_signed: Vec<Vec<u8>>,
    unsigned: impl FnOnce(&[u8]) -> Result<Vec<Vec<u8>>, SignError>,
) -> Result<Vec<u8>, SignError> {
    let mut signed = vec![
        attr(o::CONTENT_TYPE, der::oid(content_type)),
        attr(o::MESSAGE_DIGEST, der::octets(digest)),
        signing_cert_v2(&creds.cert)?,
    ];
    signed.extend(extra_signed);
    let signed_set = der::set_of(&signed);
    let (sig_alg, md) = sig_alg_for(&creds.key)?;
    let signature = raw_sign(&creds.key, md, &signed_set)?;
    let unsigned_attrs = unsigned(&signature)?;
    // signedAttrs are [0] IMPLICIT: the SET's content under tag A0.
    let (set_tlv, _) =
        crate::sigverify::asn1::read(&signed_set).map_err(|e| SignError::Invalid(e.0))?;
    let mut si = vec![
        der::small_int(1),
        issuer_serial(&creds.cert)?,
        der::alg(o::SHA256, None),
        der::ctx(0, set_tlv.content),
        sig_alg,
        der::octets(&signature),
    ];
    if !unsigned_attrs.is_empty() {
        let set = der::set_of(&unsigned_attrs);
        let (t, _) = crate::sigverify::asn1::read(&set).map_err(|e| SignError::Invalid(e.0))?;
        si.push(der::ctx(1, t.content));
    }
    let mut certs = vec![creds.cert.to_der()?];
    for c in &creds.chain {
        certs.push(c.to_der()?);
    }
    let encap = match econtent {
        Some(e) => der::seq(&[der::oid(content_type), der::ctx(0, &der::octets(e))]),
        None => der::seq(&[der::oid(content_type)]),
    };
    let sd = der::seq(&[
        der::small_int(if econtent.is_some() { 3 } else { 1 }),
        der::set_of(&[der::alg(o::SHA256, None)]),
        encap,
        der::ctx(0, &certs.concat()),
        der::set_of(&[der::seq(&si)]),
    ]);
    Ok(der::seq(&[der::oid(o::SIGNED_DATA), der::ctx(0, &sd)]))
}

fn build_cms(digest: &[u8], creds: &Credentials, opts: &SignOptions) -> Result<Vec<u8>, SignError> {
    let extra = if opts.pades {
        vec![]
    } else {
        vec![attr(o::SIGNING_TIME, der::utc_time(opts.time))]
    };
    signed_data(
        digest,
        o::DATA,
        None,
        creds,
        extra,
        |signature| match &opts.tsa {
            None => Ok(vec![]),
            Some(tsa) => {
                let token = timestamp_token(signature, tsa, opts.time)?;
                Ok(vec![attr(o::SIGNATURE_TIMESTAMP, token)])
            }
        },
    )
}

/// An RFC 3161 token over `data` by a local TSA key, at `time`.
pub fn timestamp_token(
    data: &[u8],
    tsa: &Credentials,
    time: DateTime<Utc>,
) -> Result<Vec<u8>, SignError> {
    let imprint = openssl::sha::sha256(data);
    let mut serial = [0u8; 8];
    openssl::rand::rand_bytes(&mut serial)?;
    let tst = der::seq(&[
        der::small_int(1),
        // A private policy OID naming this local TSA.
        der::oid("1.3.6.1.4.1.99999.1.1"),
        der::seq(&[der::alg(o::SHA256, None), der::octets(&imprint)]),
        der::integer(&serial),
        der::generalized_time(time),
    ]);
    let digest = openssl::sha::sha256(&tst);
    signed_data(&digest, o::TST_INFO, Some(&tst), tsa, vec![], |_| {
        Ok(vec![])
    })
}

/// Load credentials from a PKCS#12 file.
pub fn from_p12(der_bytes: &[u8], password: &str) -> Result<Credentials, SignError> {
    let p = openssl::pkcs12::Pkcs12::from_der(der_bytes)?.parse2(password)?;
    let key = p
        .pkey
        .ok_or_else(|| SignError::Invalid("the PKCS#12 file has no private key".into()))?;
    let cert = p
        .cert
        .ok_or_else(|| SignError::Invalid("the PKCS#12 file has no certificate".into()))?;
    let chain = p.ca.map(|s| s.into_iter().collect()).unwrap_or_default();
    Ok(Credentials { key, cert, chain })
}

/// Load credentials from a PEM key and PEM certificates (the first is the signer's).
pub fn from_pem(key_pem: &[u8], certs_pem: &[u8]) -> Result<Credentials, SignError> {
    let key = PKey::private_key_from_pem(key_pem)?;
    let mut certs = X509::stack_from_pem(certs_pem)?;
    if certs.is_empty() {
        return Err(SignError::Invalid("no certificate in the PEM file".into()));
    }
    let cert = certs.remove(0);
    if !cert.public_key()?.public_eq(&key) {
        return Err(SignError::Invalid(
            "the key does not belong to the certificate".into(),
        ));
    }
    Ok(Credentials {
        key,
        cert,
        chain: certs,
    })
}
