//! Cryptographic verification (ETSI EN 319 102-1 5.2.7): the content a
//! signer signed, its digest against the messageDigest attribute, the
//! signature value under the signer's key, and the ESS signing-certificate
//! attribute naming that key's certificate.

use openssl::x509::X509;

use super::{CmsSignature, SigContext, Verdict};
use crate::cms::{self, SigCheck, oid};
use crate::pdf::SigDict;
use crate::report::SubIndication;

/// The content a signer signed: bytes at hand, or the file's signed ranges
/// (whose digests the streaming pass computed).
pub enum Content<'a> {
    /// Bytes at hand, in parts.
    Bytes(Vec<&'a [u8]>),
    /// The signed ranges of the file.
    Covered(&'a SigContext<'a>),
}

impl Content<'_> {
    /// The content's digest with `d` (from the streaming pass when it has it).
    pub fn digest(&self, d: &cms::Digest) -> Result<Vec<u8>, String> {
        match self {
            Content::Bytes(parts) => cms::digest_parts(d, parts),
            Content::Covered(ctx) => match ctx.digests.get(d.name) {
                Some(v) => Ok(v.clone()),
                None => cms::digest_parts(d, &[&self.bytes()?]),
            },
        }
    }
    /// The content itself (read from the file for covered ranges: only when
    /// a signature has no signed attributes).
    fn bytes(&self) -> Result<Vec<u8>, String> {
        match self {
            Content::Bytes(parts) => Ok(parts.concat()),
            Content::Covered(ctx) => {
                let r = ctx.prelim.ranges.as_ref().map_err(Clone::clone)?;
                let mut v = ctx
                    .src
                    .read_vec(0, r.a as usize)
                    .map_err(|e| e.to_string())?;
                v.extend(
                    ctx.src
                        .read_vec(r.b, r.c as usize)
                        .map_err(|e| e.to_string())?,
                );
                Ok(v)
            }
        }
    }
}

/// Check one SignerInfo against `cert` over `content` parts: content type,
/// messageDigest, signature value, ESS signing-certificate.
pub fn check_signer_info(
    si: &cms::SignerInfo<'_>,
    cert: &X509,
    content: &Content<'_>,
    expected_content_type: Option<&str>,
) -> Result<(), (SubIndication, String)> {
    let d = cms::digest_for_lenient(&si.digest_alg.oid)
        .ok_or((
            SubIndication::FormatFailure,
            format!("unsupported digest algorithm {}", si.digest_alg.oid),
        ))?
        .0;
    let key = cert.public_key().map_err(|e| {
        (
            SubIndication::FormatFailure,
            format!("the signer's public key is unusable: {e}"),
        )
    })?;
    let digest = content
        .digest(&d)
        .map_err(|e| (SubIndication::FormatFailure, e))?;
    let (message, what) = match si.signed_attrs_for_verify() {
        Some(attrs) => {
            let (md, n) = si.signed_attr(oid::MESSAGE_DIGEST);
            if n != 1 {
                return Err((
                    SubIndication::FormatFailure,
                    "the signed attributes must hold exactly one messageDigest".into(),
                ));
            }
            let md = md.and_then(|t| t.octets().ok()).ok_or((
                SubIndication::FormatFailure,
                "messageDigest is not an OCTET STRING".to_string(),
            ))?;
            if md != digest {
                return Err((
                    SubIndication::HashFailure,
                    format!(
                        "the signed bytes do not match the signature's {} digest: the document was changed",
                        d.name
                    ),
                ));
            }
            if let Some(ct) = expected_content_type {
                let (v, n) = si.signed_attr(oid::CONTENT_TYPE);
                if n != 1 || v.and_then(|t| t.oid().ok()).as_deref() != Some(ct) {
                    return Err((
                        SubIndication::FormatFailure,
                        "the contentType attribute is missing or wrong".into(),
                    ));
                }
            }
            (attrs, "signed attributes")
        }
        None => (
            content
                .bytes()
                .map_err(|e| (SubIndication::FormatFailure, e))?,
            "signed bytes",
        ),
    };
    match cms::verify_signature(&key, &si.sig_alg, &si.digest_alg, &message, &si.signature) {
        Ok(SigCheck::Valid) => {}
        Ok(SigCheck::Invalid) => {
            return Err((
                SubIndication::SigCryptoFailure,
                format!(
                    "the signature value does not verify over the {what} with the signer's key"
                ),
            ));
        }
        Err(e) => return Err((SubIndication::FormatFailure, e)),
    }
    let der = cert.to_der().unwrap_or_default();
    match cms::check_signing_cert_attr(si, &der) {
        Ok(None) | Ok(Some(true)) => Ok(()),
        Ok(Some(false)) => Err((
            SubIndication::FormatFailure,
            "the signing-certificate attribute names another certificate than the signer's".into(),
        )),
        Err(e) => Err((SubIndication::FormatFailure, e)),
    }
}

/// The signature's digest and value over what it signed: the covered
/// bytes, or for `adbe.pkcs7.sha1` their encapsulated SHA-1 digest (false:
/// a failure that ends the validation).
pub fn signature_value(
    ctx: &SigContext<'_>,
    sig: &SigDict,
    c: &CmsSignature<'_>,
    v: &mut Verdict,
) -> bool {
    let (sd, si, signer) = (&c.sd, c.si(), &c.signer);
    let covered = Content::Covered(ctx);
    let ec_holder: Vec<u8>;
    let signed: Content<'_> = if sig.sub_filter == "adbe.pkcs7.sha1" {
        // The signed content is the SHA-1 digest of the covered bytes, encapsulated.
        let Some(ec) = sd.econtent.clone() else {
            v.fail(
                SubIndication::FormatFailure,
                "adbe.pkcs7.sha1 without encapsulated content",
            );
            return false;
        };
        let sha1 = cms::digest_for(oid::SHA1)
            .and_then(|d| covered.digest(&d).ok())
            .unwrap_or_default();
        if ec != sha1 {
            v.fail(
                SubIndication::HashFailure,
                "the encapsulated SHA-1 digest does not match the signed bytes",
            );
            return false;
        }
        ec_holder = ec;
        Content::Bytes(vec![ec_holder.as_slice()])
    } else {
        if sd.econtent.is_some() {
            v.fail(
                SubIndication::FormatFailure,
                "a detached signature must not carry encapsulated content",
            );
            return false;
        }
        Content::Covered(ctx)
    };
    if let Err((sub, m)) = check_signer_info(si, signer, &signed, Some(oid::DATA)) {
        v.fail(sub, m);
        return false;
    }
    true
}
