//! CMS SignedData (RFC 5652) as used in PDF signatures: the structure is
//! walked with [`super::asn1`]; the cryptography is openssl's. Covers
//! signer identification by issuer+serial or subject key identifier, the
//! messageDigest and ESS signing-certificate(-v2) attributes, and signature
//! algorithms RSA PKCS#1 v1.5, RSASSA-PSS, ECDSA and Ed25519/Ed448.

mod attributes;
mod digests;
pub mod oid;
mod verify;

pub use self::attributes::{asn1_time, check_signing_cert_attr};
pub use self::digests::{
    Digest, SHAKE256, digest_for, digest_for_lenient, digest_parts, hash_parts,
};
pub use self::verify::{SigCheck, verify_signature};

use self::attributes::attrs;
use super::asn1::{self, Tlv, tag};

/// An AlgorithmIdentifier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlgId {
    /// Algorithm OID, dotted.
    pub oid: String,
    /// Raw parameters, if any (NULL counts as none).
    pub params: Option<Vec<u8>>,
}

/// An attribute: type and values.
#[derive(Debug, Clone)]
pub struct Attr<'a> {
    /// Attribute type OID.
    pub oid: String,
    /// Its values.
    pub values: Vec<Tlv<'a>>,
}

/// How a SignerInfo names its certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sid<'a> {
    /// issuerAndSerialNumber: raw issuer Name and serial content octets.
    IssuerSerial {
        /// DER of the issuer Name.
        issuer: &'a [u8],
        /// INTEGER content octets.
        serial: &'a [u8],
    },
    /// subjectKeyIdentifier.
    Ski(Vec<u8>),
}

/// One SignerInfo.
#[derive(Debug, Clone)]
pub struct SignerInfo<'a> {
    /// Certificate identifier.
    pub sid: Sid<'a>,
    /// Digest algorithm.
    pub digest_alg: AlgId,
    /// The signed attributes element as encoded (`[0] IMPLICIT`), if present.
    pub signed_attrs_raw: Option<&'a [u8]>,
    /// Signed attributes.
    pub signed_attrs: Vec<Attr<'a>>,
    /// Signature algorithm.
    pub sig_alg: AlgId,
    /// Signature value.
    pub signature: Vec<u8>,
    /// Unsigned attributes.
    pub unsigned_attrs: Vec<Attr<'a>>,
}

/// A parsed SignedData.
#[derive(Debug, Clone)]
pub struct SignedData<'a> {
    /// encapContentInfo eContentType.
    pub econtent_type: String,
    /// encapContentInfo eContent (None when detached).
    pub econtent: Option<Vec<u8>>,
    /// DER certificates carried.
    pub certs: Vec<&'a [u8]>,
    /// DER CRLs carried.
    pub crls: Vec<&'a [u8]>,
    /// OCSP responses among the revocation data (RFC 5940 `id-ri-ocsp-response`).
    pub ocsps: Vec<&'a [u8]>,
    /// Other revocation formats, not read.
    pub other_revocation: usize,
    /// Signer infos.
    pub signers: Vec<SignerInfo<'a>>,
}

fn e<T>(m: impl Into<String>) -> Result<T, String> {
    Err(m.into())
}

fn a(r: Result<Tlv<'_>, asn1::Asn1Error>) -> Result<Tlv<'_>, String> {
    r.map_err(|x| x.0)
}

/// Parse an AlgorithmIdentifier.
pub fn alg_id(t: &Tlv<'_>) -> Result<AlgId, String> {
    let kids = t.children().map_err(|x| x.0)?;
    let oid = kids
        .first()
        .ok_or("empty AlgorithmIdentifier")?
        .oid()
        .map_err(|x| x.0)?;
    let params = kids
        .get(1)
        .filter(|p| p.tag != tag::NULL)
        .map(|p| p.raw.to_vec());
    Ok(AlgId { oid, params })
}

/// Parse a ContentInfo holding SignedData (trailing zero padding allowed).
pub fn parse(der: &[u8]) -> Result<SignedData<'_>, String> {
    let ci = asn1::read_padded(der)
        .map_err(|x| format!("the signature is not a DER/BER structure: {}", x.0))?;
    let ci = ci.expect(tag::SEQUENCE, "ContentInfo").map_err(|x| x.0)?;
    let kids = ci.children().map_err(|x| x.0)?;
    let ct = kids
        .first()
        .ok_or("empty ContentInfo")?
        .oid()
        .map_err(|x| x.0)?;
    if ct != oid::SIGNED_DATA {
        return e(format!(
            "the signature is not CMS SignedData (content type {ct})"
        ));
    }
    let explicit = kids.get(1).ok_or("ContentInfo without content")?;
    let sd = a(explicit.expect(tag::ctx_cons(0), "ContentInfo content"))?;
    let sd = sd.children().map_err(|x| x.0)?;
    let sd = a(sd
        .first()
        .ok_or("empty content")?
        .expect(tag::SEQUENCE, "SignedData"))?;
    let f = sd.children().map_err(|x| x.0)?;
    if f.len() < 4 {
        return e("SignedData has too few fields");
    }
    let encap = a(f[2].expect(tag::SEQUENCE, "EncapsulatedContentInfo"))?
        .children()
        .map_err(|x| x.0)?;
    let econtent_type = encap
        .first()
        .ok_or("empty EncapsulatedContentInfo")?
        .oid()
        .map_err(|x| x.0)?;
    let econtent = match encap.get(1) {
        None => None,
        Some(t) => {
            let inner = a(t.expect(tag::ctx_cons(0), "eContent"))?
                .children()
                .map_err(|x| x.0)?;
            Some(
                inner
                    .first()
                    .ok_or("empty eContent")?
                    .octets()
                    .map_err(|x| x.0)?,
            )
        }
    };
    let mut certs = Vec::new();
    let mut crls = Vec::new();
    let mut ocsps = Vec::new();
    let mut other_revocation = 0;
    let mut idx = 3;
    while let Some(t) = f.get(idx) {
        if t.tag == tag::ctx_cons(0) {
            for c in t.children().map_err(|x| x.0)? {
                // Only plain certificates; attribute and other formats are skipped.
                if c.tag == tag::SEQUENCE {
                    certs.push(c.raw);
                }
            }
        } else if t.tag == tag::ctx_cons(1) {
            for c in t.children().map_err(|x| x.0)? {
                if c.tag == tag::SEQUENCE {
                    crls.push(c.raw);
                } else if c.tag == tag::ctx_cons(1) {
                    // OtherRevocationInfoFormat (RFC 5652 10.2.1); RFC 5940's
                    // id-ri-ocsp-response carries an OCSPResponse.
                    let parts = c.children().unwrap_or_default();
                    match (parts.first().and_then(|o| o.oid().ok()), parts.get(1)) {
                        (Some(o), Some(v)) if o == oid::RI_OCSP_RESPONSE => ocsps.push(v.raw),
                        _ => other_revocation += 1,
                    }
                }
            }
        } else {
            break;
        }
        idx += 1;
    }
    let si_set = a(f
        .get(idx)
        .ok_or("SignedData without signerInfos")?
        .expect(tag::SET, "signerInfos"))?;
    let mut signers = Vec::new();
    for si in si_set.children().map_err(|x| x.0)? {
        signers.push(signer_info(&si)?);
    }
    Ok(SignedData {
        econtent_type,
        econtent,
        certs,
        crls,
        ocsps,
        other_revocation,
        signers,
    })
}

fn signer_info<'a>(si: &Tlv<'a>) -> Result<SignerInfo<'a>, String> {
    let f = a(si.expect(tag::SEQUENCE, "SignerInfo"))?
        .children()
        .map_err(|x| x.0)?;
    let mut i = 1; // skip version
    let sid_t = f.get(i).ok_or("SignerInfo without sid")?;
    let sid = if sid_t.tag == tag::SEQUENCE {
        let k = sid_t.children().map_err(|x| x.0)?;
        let issuer = k.first().ok_or("issuerAndSerialNumber without issuer")?.raw;
        let serial = a(k
            .get(1)
            .ok_or("issuerAndSerialNumber without serial")?
            .expect(tag::INTEGER, "serial"))?
        .content;
        Sid::IssuerSerial { issuer, serial }
    } else if sid_t.tag == tag::ctx_prim(0) {
        Sid::Ski(sid_t.content.to_vec())
    } else {
        return e("unknown SignerIdentifier");
    };
    i += 1;
    let digest_alg = alg_id(f.get(i).ok_or("SignerInfo without digestAlgorithm")?)?;
    i += 1;
    let mut signed_attrs_raw = None;
    let mut signed_attrs = Vec::new();
    if let Some(t) = f.get(i)
        && t.tag == tag::ctx_cons(0)
    {
        signed_attrs_raw = Some(t.raw);
        signed_attrs = attrs(t)?;
        i += 1;
    }
    let sig_alg = alg_id(f.get(i).ok_or("SignerInfo without signatureAlgorithm")?)?;
    i += 1;
    let signature = f
        .get(i)
        .ok_or("SignerInfo without signature")?
        .octets()
        .map_err(|x| x.0)?;
    i += 1;
    let unsigned_attrs = match f.get(i) {
        Some(t) if t.tag == tag::ctx_cons(1) => attrs(t)?,
        _ => Vec::new(),
    };
    Ok(SignerInfo {
        sid,
        digest_alg,
        signed_attrs_raw,
        signed_attrs,
        sig_alg,
        signature,
        unsigned_attrs,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        for d in [&b""[..], b"\x30\x03\x06\x01\x00", b"\x30\x80", &[0u8; 100]] {
            assert!(parse(d).is_err());
        }
    }
}
