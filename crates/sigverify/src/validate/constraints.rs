//! Signature acceptance validation (ETSI EN 319 102-1 5.2.8), its
//! cryptographic constraints: the digest and the key strong enough under
//! the policy, the digest EdDSA requires, and a legacy encoding of the
//! digest noted.

use super::{CmsSignature, SigContext, Verdict};
use crate::cms::{self, oid};
use crate::report::SubIndication;

/// Judge the signature's algorithms and key size against the policy.
pub fn algorithms(ctx: &SigContext<'_>, c: &CmsSignature<'_>, v: &mut Verdict) {
    let (si, signer, opts) = (c.si(), &c.signer, ctx.opts);
    if let Some((_, true)) = cms::digest_for_lenient(&si.digest_alg.oid) {
        v.note(
            "LEGACY_DIGEST_OID",
            format!(
                "the digest algorithm is written as a signature algorithm OID ({}), as some older signing tools do; it was read as its digest",
                si.digest_alg.oid
            ),
        );
    }
    if let Some((d, _)) = cms::digest_for_lenient(&si.digest_alg.oid)
        && d.weak
        && !opts.policy.allow_sha1
    {
        v.fail(
            SubIndication::CryptoConstraintsFailure,
            format!("{} is not accepted for signatures", d.name),
        );
    }
    // RFC 8419: Ed25519 goes with SHA-512, Ed448 with SHAKE256.
    let eddsa_digest = match si.sig_alg.oid.as_str() {
        oid::ED25519 => Some(("Ed25519", "2.16.840.1.101.3.4.2.3")),
        oid::ED448 => Some(("Ed448", cms::SHAKE256)),
        _ => None,
    };
    if let Some((name, want)) = eddsa_digest
        && si.digest_alg.oid != want
    {
        v.fail(
            SubIndication::CryptoConstraintsFailure,
            format!(
                "{name} signatures must use {} as digest",
                if want == cms::SHAKE256 {
                    "SHAKE256"
                } else {
                    "SHA-512"
                }
            ),
        );
    }
    if let Ok(k) = signer.public_key()
        && let Ok(rsa) = k.rsa()
        && rsa.size() * 8 < opts.policy.min_rsa_bits
    {
        v.fail(
            SubIndication::CryptoConstraintsFailure,
            format!(
                "the RSA key has {} bits; at least {} are required",
                rsa.size() * 8,
                opts.policy.min_rsa_bits
            ),
        );
    }
}
