//! CMS SignedData (RFC 5652) as used in PDF signatures: the structure is
//! walked with [`super::asn1`]; the cryptography is openssl's. Covers
//! signer identification by issuer+serial or subject key identifier, the
//! messageDigest and ESS signing-certificate(-v2) attributes, and signature
//! algorithms RSA PKCS#1 v1.5, RSASSA-PSS, ECDSA and Ed25519/Ed448.

use openssl::hash::{Hasher, MessageDigest};
use openssl::pkey::{Id, PKey, Public};
use openssl::rsa::Padding;
use openssl::sign::{RsaPssSaltlen, Verifier};

use super::asn1::{self, Tlv, tag};

/// OIDs used below (RFC 5652, RFC 5035, RFC 3161, RFC 8017, RFC 5758, RFC 8410).
pub mod oid {
    /// id-signedData.
    pub const SIGNED_DATA: &str = "1.2.840.113549.1.7.2";
    /// id-data.
    pub const DATA: &str = "1.2.840.113549.1.7.1";
    /// id-ct-TSTInfo.
    pub const TST_INFO: &str = "1.2.840.113549.1.9.16.1.4";
    /// contentType attribute.
    pub const CONTENT_TYPE: &str = "1.2.840.113549.1.9.3";
    /// messageDigest attribute.
    pub const MESSAGE_DIGEST: &str = "1.2.840.113549.1.9.4";
    /// signingTime attribute.
    pub const SIGNING_TIME: &str = "1.2.840.113549.1.9.5";
    /// ESS signingCertificate (v1, SHA-1).
    pub const SIGNING_CERT: &str = "1.2.840.113549.1.9.16.2.12";
    /// ESS signingCertificateV2.
    pub const SIGNING_CERT_V2: &str = "1.2.840.113549.1.9.16.2.47";
    /// signatureTimeStampToken (unsigned attribute).
    pub const SIGNATURE_TIMESTAMP: &str = "1.2.840.113549.1.9.16.2.14";
    /// Adobe revocation information archival.
    pub const ADBE_REVOCATION: &str = "1.2.840.113583.1.1.8";
    /// id-ri-ocsp-response (RFC 5940).
    pub const RI_OCSP_RESPONSE: &str = "1.3.6.1.5.5.7.16.2";
    /// rsaEncryption.
    pub const RSA: &str = "1.2.840.113549.1.1.1";
    /// RSASSA-PSS.
    pub const RSA_PSS: &str = "1.2.840.113549.1.1.10";
    /// Ed25519.
    pub const ED25519: &str = "1.3.101.112";
    /// Ed448.
    pub const ED448: &str = "1.3.101.113";
    /// SHA-1.
    pub const SHA1: &str = "1.3.14.3.2.26";
    /// SHA-256.
    pub const SHA256: &str = "2.16.840.1.101.3.4.2.1";
}

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

fn attrs<'a>(t: &Tlv<'a>) -> Result<Vec<Attr<'a>>, String> {
    let mut out = Vec::new();
    // [n] IMPLICIT SET OF Attribute: the content is the attributes.
    let mut rest = t.content;
    while !rest.is_empty() {
        let (at, r) = asn1::read(rest).map_err(|x| x.0)?;
        rest = r;
        let kids = at.children().map_err(|x| x.0)?;
        let oid = kids
            .first()
            .ok_or("empty attribute")?
            .oid()
            .map_err(|x| x.0)?;
        let values = kids
            .get(1)
            .ok_or("attribute without values")?
            .children()
            .map_err(|x| x.0)?;
        out.push(Attr { oid, values });
    }
    Ok(out)
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

impl<'a> SignerInfo<'a> {
    /// The first value of signed attribute `oid`, and how many times the attribute occurs.
    pub fn signed_attr(&self, oid: &str) -> (Option<Tlv<'a>>, usize) {
        let all: Vec<&Attr<'a>> = self.signed_attrs.iter().filter(|a| a.oid == oid).collect();
        (
            all.first().and_then(|a| a.values.first().copied()),
            all.len(),
        )
    }

    /// The bytes the signature value is computed over when signed attributes
    /// are present: their encoding with the SET OF tag (RFC 5652 5.4).
    pub fn signed_attrs_for_verify(&self) -> Option<Vec<u8>> {
        self.signed_attrs_raw.map(|raw| {
            let mut v = raw.to_vec();
            v[0] = tag::SET;
            v
        })
    }
}

/// A digest algorithm known to the verifier.
#[derive(Clone, Copy)]
pub struct Digest {
    /// openssl's handle.
    pub md: MessageDigest,
    /// Name for messages.
    pub name: &'static str,
    /// SHA-1: broken for signatures.
    pub weak: bool,
    /// Output length of an extendable-output function (SHAKE256 in CMS: 64 bytes, RFC 8419).
    pub xof_len: Option<usize>,
}

/// Map a digest OID to openssl.
pub fn digest_for(oid: &str) -> Option<Digest> {
    if oid == SHAKE256 {
        return Some(Digest {
            md: MessageDigest::shake_256(),
            name: "SHAKE256",
            weak: false,
            xof_len: Some(64),
        });
    }
    let (md, name, weak) = match oid {
        oid::SHA1 => (MessageDigest::sha1(), "SHA-1", true),
        "2.16.840.1.101.3.4.2.4" => (MessageDigest::sha224(), "SHA-224", false),
        oid::SHA256 => (MessageDigest::sha256(), "SHA-256", false),
        "2.16.840.1.101.3.4.2.2" => (MessageDigest::sha384(), "SHA-384", false),
        "2.16.840.1.101.3.4.2.3" => (MessageDigest::sha512(), "SHA-512", false),
        "2.16.840.1.101.3.4.2.7" => (MessageDigest::sha3_224(), "SHA3-224", false),
        "2.16.840.1.101.3.4.2.8" => (MessageDigest::sha3_256(), "SHA3-256", false),
        "2.16.840.1.101.3.4.2.9" => (MessageDigest::sha3_384(), "SHA3-384", false),
        "2.16.840.1.101.3.4.2.10" => (MessageDigest::sha3_512(), "SHA3-512", false),
        _ => return None,
    };
    Some(Digest {
        md,
        name,
        weak,
        xof_len: None,
    })
}

/// id-shake256 (RFC 8419: used with Ed448, 512-bit output).
pub const SHAKE256: &str = "2.16.840.1.101.3.4.2.12";

/// Hash the concatenation of `parts` with a known digest (XOFs at their CMS length).
pub fn digest_parts(d: &Digest, parts: &[&[u8]]) -> Result<Vec<u8>, String> {
    match d.xof_len {
        None => hash_parts(d.md, parts),
        Some(n) => {
            let mut h = Hasher::new(d.md).map_err(|x| x.to_string())?;
            for p in parts {
                for chunk in p.chunks(1 << 20) {
                    h.update(chunk).map_err(|x| x.to_string())?;
                }
            }
            let mut out = vec![0u8; n];
            h.finish_xof(&mut out).map_err(|x| x.to_string())?;
            Ok(out)
        }
    }
}

/// Hash the concatenation of `parts`.
pub fn hash_parts(md: MessageDigest, parts: &[&[u8]]) -> Result<Vec<u8>, String> {
    let mut h = Hasher::new(md).map_err(|x| x.to_string())?;
    for p in parts {
        // Large ranges are fed in slices so memory stays flat.
        for chunk in p.chunks(1 << 20) {
            h.update(chunk).map_err(|x| x.to_string())?;
        }
    }
    Ok(h.finish().map_err(|x| x.to_string())?.to_vec())
}

/// The digest a signature algorithm OID implies, if it names one: RSA
/// PKCS#1 v1.5 and ECDSA with SHA-1, SHA-2 (RFC 4055, RFC 5758) and SHA-3
/// (NIST CSOR `2.16.840.1.101.3.4.3.*`, RFC 9688).
pub fn sig_alg_digest(oid: &str) -> Option<&'static str> {
    Some(match oid {
        "1.2.840.113549.1.1.5" | "1.2.840.10045.4.1" | "1.3.14.3.2.29" => oid::SHA1,
        "1.2.840.113549.1.1.14" | "1.2.840.10045.4.3.1" => "2.16.840.1.101.3.4.2.4",
        "1.2.840.113549.1.1.11" | "1.2.840.10045.4.3.2" => oid::SHA256,
        "1.2.840.113549.1.1.12" | "1.2.840.10045.4.3.3" => "2.16.840.1.101.3.4.2.2",
        "1.2.840.113549.1.1.13" | "1.2.840.10045.4.3.4" => "2.16.840.1.101.3.4.2.3",
        // id-rsassa-pkcs1-v1_5-with-sha3-224/256/384/512
        "2.16.840.1.101.3.4.3.13" => "2.16.840.1.101.3.4.2.7",
        "2.16.840.1.101.3.4.3.14" => "2.16.840.1.101.3.4.2.8",
        "2.16.840.1.101.3.4.3.15" => "2.16.840.1.101.3.4.2.9",
        "2.16.840.1.101.3.4.3.16" => "2.16.840.1.101.3.4.2.10",
        // id-ecdsa-with-sha3-224/256/384/512
        "2.16.840.1.101.3.4.3.9" => "2.16.840.1.101.3.4.2.7",
        "2.16.840.1.101.3.4.3.10" => "2.16.840.1.101.3.4.2.8",
        "2.16.840.1.101.3.4.3.11" => "2.16.840.1.101.3.4.2.9",
        "2.16.840.1.101.3.4.3.12" => "2.16.840.1.101.3.4.2.10",
        _ => return None,
    })
}

/// The digest of a SignerInfo's `digestAlgorithm`, also when a legacy
/// writer put a signature algorithm OID there (`sha256WithRSAEncryption`
/// for `sha256`): then the second value is true, for a problem note.
pub fn digest_for_lenient(oid: &str) -> Option<(Digest, bool)> {
    if let Some(d) = digest_for(oid) {
        return Some((d, false));
    }
    sig_alg_digest(oid).and_then(digest_for).map(|d| (d, true))
}

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

/// Check ESS signing-certificate(-v2): the first certificate hash must be
/// the signer's. Returns Ok(None) when the attribute is absent.
pub fn check_signing_cert_attr(
    si: &SignerInfo<'_>,
    cert_der: &[u8],
) -> Result<Option<bool>, String> {
    let (v2, n2) = si.signed_attr(oid::SIGNING_CERT_V2);
    let (v1, n1) = si.signed_attr(oid::SIGNING_CERT);
    if n1 + n2 > 1 {
        return e("the signing-certificate attribute occurs more than once");
    }
    let (val, v2form) = match (v2, v1) {
        (Some(v), _) => (v, true),
        (None, Some(v)) => (v, false),
        (None, None) => return Ok(None),
    };
    // SigningCertificate(V2) ::= SEQUENCE { certs SEQUENCE OF ESSCertID(v2), policies OPTIONAL }
    let certs = val.children().map_err(|x| x.0)?;
    let first = certs
        .first()
        .ok_or("empty signing-certificate attribute")?
        .children()
        .map_err(|x| x.0)?
        .into_iter()
        .next()
        .ok_or("signing-certificate attribute lists no certificate")?;
    let f = first.children().map_err(|x| x.0)?;
    let (md, hash) = if v2form {
        match f.first() {
            Some(t) if t.tag == tag::SEQUENCE => {
                let alg = alg_id(t)?;
                let d = digest_for(&alg.oid).ok_or("unsupported hash in signing-certificate-v2")?;
                (
                    d.md,
                    f.get(1)
                        .ok_or("ESSCertIDv2 without hash")?
                        .octets()
                        .map_err(|x| x.0)?,
                )
            }
            Some(t) => (MessageDigest::sha256(), t.octets().map_err(|x| x.0)?),
            None => return e("empty ESSCertIDv2"),
        }
    } else {
        (
            MessageDigest::sha1(),
            f.first()
                .ok_or("empty ESSCertID")?
                .octets()
                .map_err(|x| x.0)?,
        )
    };
    Ok(Some(hash_parts(md, &[cert_der])? == hash))
}

/// Parse an ASN.1 UTCTime or GeneralizedTime.
pub fn asn1_time(t: &Tlv<'_>) -> Option<chrono::DateTime<chrono::Utc>> {
    use chrono::{NaiveDateTime, TimeZone, Utc};
    let s = std::str::from_utf8(t.content).ok()?;
    let s = s.strip_suffix('Z')?;
    let (s, frac) = match s.split_once('.') {
        Some((a, f)) => (a, f),
        None => (s, ""),
    };
    let full = match t.tag {
        tag::UTC_TIME if s.len() == 12 || s.len() == 10 => {
            let yy: i32 = s.get(..2)?.parse().ok()?;
            let century = if yy >= 50 { "19" } else { "20" };
            format!("{century}{s}")
        }
        tag::GENERALIZED_TIME => s.to_string(),
        _ => return None,
    };
    let full = if full.len() == 12 {
        format!("{full}00")
    } else {
        full
    };
    let naive = NaiveDateTime::parse_from_str(&full, "%Y%m%d%H%M%S").ok()?;
    let nanos: u32 = if frac.is_empty() {
        0
    } else {
        let f = format!("{frac:0<9}");
        f.get(..9)?.parse().ok()?
    };
    Some(Utc.from_utc_datetime(&naive) + chrono::Duration::nanoseconds(i64::from(nanos)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times() {
        let t = Tlv {
            tag: tag::UTC_TIME,
            content: b"250301030000Z",
            raw: b"",
        };
        assert_eq!(
            asn1_time(&t).map(|d| d.to_rfc3339()),
            Some("2025-03-01T03:00:00+00:00".into())
        );
        let g = Tlv {
            tag: tag::GENERALIZED_TIME,
            content: b"20250301030000.5Z",
            raw: b"",
        };
        assert_eq!(
            asn1_time(&g).map(|d| d.timestamp_millis() % 1000),
            Some(500)
        );
        let bad = Tlv {
            tag: tag::GENERALIZED_TIME,
            content: b"2025",
            raw: b"",
        };
        assert!(asn1_time(&bad).is_none());
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        for d in [&b""[..], b"\x30\x03\x06\x01\x00", b"\x30\x80", &[0u8; 100]] {
            assert!(parse(d).is_err());
        }
    }
}
