//! Signature values: RSA PKCS#1 v1.5, RSASSA-PSS (with its parameters),
//! ECDSA and Ed25519/Ed448, verified with openssl.

use openssl::pkey::{Id, PKey, Public};
use openssl::rsa::Padding;
use openssl::sign::{RsaPssSaltlen, Verifier};

use super::digests::{digest_for, digest_for_lenient, sig_alg_digest};
use super::{AlgId, a, alg_id, e, oid};
use crate::asn1::{self, tag};

/// Parameters of RSASSA-PSS (RFC 8017 A.2.3): hash, MGF1 hash, salt length.
fn pss_params(params: Option<&[u8]>) -> Result<(String, String, i32), String> {
    let mut hash = oid::SHA1.to_string();
    let mut mgf_hash = oid::SHA1.to_string();
    let mut salt = 20;
    if let Some(p) = params {
        let (seq, _) = asn1::read(p).map_err(|x| x.0)?;
        for f in seq.children().map_err(|x| x.0)? {
            let inner = f.children().map_err(|x| x.0)?;
            let Some(v) = inner.first() else { continue };
            match f.tag {
                0xA0 => hash = alg_id(v)?.oid,
                0xA1 => {
                    let mgf = alg_id(v)?;
                    if let Some(mp) = mgf.params {
                        let (h, _) = asn1::read(&mp).map_err(|x| x.0)?;
                        mgf_hash = alg_id(&h)?.oid;
                    }
                }
                0xA2 => {
                    let n = a(v.expect(tag::INTEGER, "saltLength"))?.content;
                    if n.len() > 3 {
                        return e("implausible PSS salt length");
                    }
                    salt = n.iter().fold(0i32, |acc, b| (acc << 8) | i32::from(*b));
                }
                _ => {}
            }
        }
    }
    Ok((hash, mgf_hash, salt))
}

/// The outcome of checking a signature value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SigCheck {
    /// It verifies.
    Valid,
    /// It does not.
    Invalid,
}

/// Verify `signature` over `message` with `key`, per `sig_alg` (falling back
/// to `digest_alg` when the algorithm names only the key type).
pub fn verify_signature(
    key: &PKey<Public>,
    sig_alg: &AlgId,
    digest_alg: &AlgId,
    message: &[u8],
    signature: &[u8],
) -> Result<SigCheck, String> {
    let ok = |b: bool| {
        if b {
            SigCheck::Valid
        } else {
            SigCheck::Invalid
        }
    };
    match sig_alg.oid.as_str() {
        oid::ED25519 | oid::ED448 => {
            let mut v = Verifier::new_without_digest(key).map_err(|x| x.to_string())?;
            Ok(ok(v.verify_oneshot(signature, message).unwrap_or(false)))
        }
        oid::RSA_PSS => {
            let (h, mh, salt) = pss_params(sig_alg.params.as_deref())?;
            let md = digest_for(&h)
                .ok_or_else(|| format!("unsupported PSS hash {h}"))?
                .md;
            let mgf = digest_for(&mh)
                .ok_or_else(|| format!("unsupported MGF1 hash {mh}"))?
                .md;
            let mut v = Verifier::new(md, key).map_err(|x| x.to_string())?;
            v.set_rsa_padding(Padding::PKCS1_PSS)
                .map_err(|x| x.to_string())?;
            v.set_rsa_mgf1_md(mgf).map_err(|x| x.to_string())?;
            v.set_rsa_pss_saltlen(RsaPssSaltlen::custom(salt))
                .map_err(|x| x.to_string())?;
            v.update(message).map_err(|x| x.to_string())?;
            Ok(ok(v.verify(signature).unwrap_or(false)))
        }
        other => {
            let d_oid = sig_alg_digest(other).unwrap_or(digest_alg.oid.as_str());
            let known_key_alg =
                matches!(other, oid::RSA | "1.2.840.10045.2.1") || sig_alg_digest(other).is_some();
            if !known_key_alg {
                return Err(format!("unsupported signature algorithm {other}"));
            }
            let md = digest_for_lenient(d_oid)
                .ok_or_else(|| format!("unsupported digest {d_oid}"))?
                .0
                .md;
            let mut v = Verifier::new(md, key).map_err(|x| x.to_string())?;
            if key.id() == Id::RSA {
                v.set_rsa_padding(Padding::PKCS1)
                    .map_err(|x| x.to_string())?;
            }
            v.update(message).map_err(|x| x.to_string())?;
            Ok(ok(v.verify(signature).unwrap_or(false)))
        }
    }
}
