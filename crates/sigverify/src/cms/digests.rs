//! Digest algorithms: the OIDs the verifier knows mapped to openssl
//! (SHA-1, SHA-2, SHA-3, SHAKE256), hashing in slices, and the digest a
//! signature algorithm OID implies.

use openssl::hash::{Hasher, MessageDigest};

use super::oid;

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
