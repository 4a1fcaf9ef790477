//! Identification of the signing certificate (ETSI EN 319 102-1 5.2.3):
//! the certificate the SignerInfo names, among those the signature carries
//! and the document's `/DSS` holds; whom it names; the claimed signing time.

use openssl::x509::X509;

use super::{CmsSignature, SigContext, Verdict};
use crate::cms::{self, SignedData, oid};
use crate::dates::rfc3339;
use crate::report::{SignatureReport, SubIndication};
use crate::signer::{describe_signer, find_signer_cert};

/// Certificates carried by the CMS plus `extra`, parsed.
pub fn cms_certs(sd: &SignedData<'_>, extra: &[X509]) -> Vec<X509> {
    let mut v: Vec<X509> = sd
        .certs
        .iter()
        .filter_map(|d| X509::from_der(d).ok())
        .collect();
    v.extend(extra.iter().cloned());
    v
}

/// The signer's certificate among those at hand, described in the report
/// with the signing time the signature claims (None: none is found, which
/// ends the validation).
pub fn signer<'a>(
    ctx: &SigContext<'_>,
    sd: SignedData<'a>,
    r: &mut SignatureReport,
    v: &mut Verdict,
) -> Option<CmsSignature<'a>> {
    let si = &sd.signers[0];
    let certs = cms_certs(&sd, ctx.dss_certs);
    let Some(signer) = find_signer_cert(&si.sid, &certs) else {
        v.fail(
            SubIndication::NoSigningCertificateFound,
            "no signing certificate found: the signature does not carry the certificate its signer info names, and the document's /DSS has none",
        );
        return None;
    };
    r.signer = Some(describe_signer(&signer, &ctx.opts.trust.organisation_pins));
    if let (Some(t), _) = si.signed_attr(oid::SIGNING_TIME)
        && let Some(t) = cms::asn1_time(&t)
    {
        r.signing_time = Some(rfc3339(t));
    }
    Some(CmsSignature { sd, certs, signer })
}
