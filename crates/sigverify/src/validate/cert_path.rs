//! X.509 certificate validation (ETSI EN 319 102-1 5.2.6) of the signer:
//! its key usage, and a path from it through the certificates at hand to a
//! trust anchor, valid at the best proven signing time.

use openssl::x509::X509;

use super::{CmsSignature, ProvenTime, SigContext, Verdict};
use crate::chain;
use crate::report::{SignatureReport, SubIndication};
use crate::revocation;

/// Check the signer's key usage and build its certificate path; the path
/// built (the signer first, the anchor last when one was reached).
pub fn signer_path(
    ctx: &SigContext<'_>,
    c: &CmsSignature<'_>,
    t: ProvenTime,
    ev: &mut revocation::Evidence,
    r: &mut SignatureReport,
    v: &mut Verdict,
) -> Vec<X509> {
    let (signer, certs, opts, dss_certs) = (&c.signer, &c.certs, ctx.opts, ctx.dss_certs);
    let (best_time, proven) = (t.at, t.proven);
    let signer_der = signer.to_der().unwrap_or_default();
    match chain::key_usage_allows_signing(&signer_der) {
        Ok(true) => {}
        Ok(false) => v.fail(
            SubIndication::SigConstraintsFailure,
            "the signer's certificate may not be used for signing (key usage)",
        ),
        Err(e) => v.fail(
            SubIndication::FormatFailure,
            format!("the signer's certificate does not parse: {e}"),
        ),
    }
    let mut untrusted = certs.clone();
    untrusted.extend(dss_certs.iter().cloned());
    untrusted.extend(opts.trust.intermediates.iter().cloned());
    let path = chain::validate(signer, &untrusted, &opts.trust.anchors, best_time, proven);
    r.chain = path.chain.iter().map(|c| chain::subject_line(c)).collect();
    for c in &path.chain {
        ev.cert(c);
    }
    if let Some((sub, m)) = path.failure {
        v.fail(sub, m);
    }
    path.chain
}
