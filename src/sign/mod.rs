//! A PAdES signer (`vanthu sign`): adds a signature to a PDF as an
//! incremental update, so earlier signatures stay intact — the person signs
//! first, then the văn thư adds the organisation's signature (Decree 30
//! Art. 17, 32, 33). Baseline B-B (`ETSI.CAdES.detached`, or
//! `adbe.pkcs7.detached`), and B-T with a signature timestamp made by a
//! local TSA key. Pure and synchronous: openssl signs, [`der`] encodes.
//!
//! Not done: embedded fonts in visible appearances (text is drawn without
//! diacritics in a standard font), DocMDP certification, LTV (`/DSS`).

mod cms;
pub mod der;
mod objects;
mod write;

use chrono::{DateTime, Utc};
use lopdf::{Document, Object, ObjectId, StringFormat};
use openssl::pkey::{PKey, Private};
use openssl::x509::X509;

pub use cms::timestamp_token;

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

/// A PDF that cannot be read or written.
fn pdf_err(e: impl std::fmt::Display) -> SignError {
    SignError::Pdf(e.to_string())
}

/// Serialise one PDF object.
fn write_obj(out: &mut Vec<u8>, o: &Object) -> Result<(), SignError> {
    lopdf::Writer::write_object(out, o).map_err(pdf_err)
}

/// A PDF text string: literal when ASCII, else UTF-16BE.
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

/// A PDF date in Vietnam time.
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
    let target = objects::Target::read(&doc, opts)?;
    let (root_id, page_id) = (target.root_id, target.page_id);

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

    let cn = creds
        .cert
        .subject_name()
        .entries_by_nid(openssl::nid::Nid::COMMONNAME)
        .next()
        .and_then(|e| e.data().to_string().ok());
    objects.push((sig_id, objects::signature_dictionary(opts, cn.as_deref())?));
    let ids = objects::WidgetIds {
        sig: sig_id,
        widget: widget_id,
        appearance: ap_id,
        page: page_id,
    };
    objects.extend(objects::widget(opts, cn.as_deref(), ids)?);
    objects.extend(target.list_widget(&doc, widget_id)?);

    let (mut out, offsets) = write::incremental_update(input, &doc, &objects, next, root_id, prev)?;
    write::fill_signature(&mut out, &offsets, sig_id, creds, opts)?;
    Ok(out)
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
