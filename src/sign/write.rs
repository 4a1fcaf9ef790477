//! Writing the incremental update after the original bytes, then filling in
//! the `/ByteRange` and the CMS over the bytes it covers.

use std::io::Write;

use lopdf::{Document, Object, ObjectId, dictionary};
use openssl::hash::MessageDigest;

use super::objects::Written;
use super::{BR_WIDTH, CONTENTS_HEX, Credentials, SignError, SignOptions, pdf_err, write_obj};

/// Each written object's number and byte offset.
pub(super) type Offsets = Vec<(ObjectId, usize)>;

/// `input` followed by `objects`, a cross-reference section and a trailer
/// (`next` object numbers, after the xref at `prev`); with each object's offset.
pub(super) fn incremental_update(
    input: &[u8],
    doc: &Document,
    objects: &[Written],
    next: u32,
    root_id: ObjectId,
    prev: usize,
) -> Result<(Vec<u8>, Offsets), SignError> {
    let mut out = input.to_vec();
    if !out.ends_with(b"\n") {
        out.push(b'\n');
    }
    let mut offsets: Offsets = Vec::new();
    for (id, body) in objects {
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
    Ok((out, offsets))
}

/// Fill in the `/ByteRange` of the signature object `sig_id`, then the CMS
/// over the bytes it covers.
pub(super) fn fill_signature(
    out: &mut [u8],
    offsets: &[(ObjectId, usize)],
    sig_id: ObjectId,
    creds: &Credentials,
    opts: &SignOptions,
) -> Result<(), SignError> {
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
    let cms = super::cms::build_cms(&digest, creds, opts)?;
    let hex = hex::encode_upper(&cms);
    if hex.len() > CONTENTS_HEX {
        return Err(SignError::Invalid(format!(
            "the signature needs {} bytes, more than the {} reserved",
            cms.len(),
            CONTENTS_HEX / 2
        )));
    }
    out[a + 1..a + 1 + hex.len()].copy_from_slice(hex.as_bytes());
    Ok(())
}
