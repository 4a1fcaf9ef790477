//! The CMS inside a PDF signature: SignedData with CAdES signed attributes,
//! and RFC 3161 timestamp tokens from a local TSA key.

use chrono::{DateTime, Utc};
use openssl::hash::MessageDigest;
use openssl::pkey::{Id, PKey, Private};
use openssl::sign::Signer;
use openssl::x509::X509;

use super::{Credentials, SignError, SignOptions, der};
use crate::sigverify::oid as o;

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

/// Sign `data` with `key` (digesting with `md`, or one-shot for Ed25519).
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

/// A CMS attribute of one value.
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

/// The CMS for a PDF signature over `digest`: CAdES-style signed attributes
/// (a signing time only for `adbe.pkcs7.detached`), and a signature timestamp
/// when `opts` names a TSA.
pub(super) fn build_cms(
    digest: &[u8],
    creds: &Credentials,
    opts: &SignOptions,
) -> Result<Vec<u8>, SignError> {
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
