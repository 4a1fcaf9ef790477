//! Revocation (ETSI EN 319 102-1 5.2.5, 5.2.6): a certificate's status
//! from the CRLs and OCSP responses at hand — the signature's own (in the
//! CMS and in adbe-revocationInfoArchival), the document's `/DSS`, the
//! operator's — and then online; the issuing CAs on the signer's path; the
//! signer's certificate, judged against the proven signing time.

use chrono::{DateTime, Utc};
use openssl::x509::{X509, X509Crl};

use super::{CmsSignature, ProvenTime, SigContext, Verdict};
use crate::Options;
use crate::chain::{self, RevStatus};
use crate::cms::{self, oid};
use crate::dates::rfc3339;
use crate::report::{Revocation, SignatureReport, SubIndication};
use crate::revocation;

/// The revocation status of `cert` (issued by `issuer`) at `at` from the
/// CRLs and OCSP responses at hand (plus the operator's), then — online,
/// when they do not decide — from its OCSP responder and its CRL. What was
/// used goes into `ev`.
pub fn status_with(
    cert: &X509,
    issuer: &X509,
    mut crls: Vec<X509Crl>,
    mut ocsps: Vec<Vec<u8>>,
    opts: &Options,
    at: DateTime<Utc>,
    ev: &mut revocation::Evidence,
) -> RevStatus {
    crls.extend(
        opts.trust
            .crls
            .iter()
            .filter_map(|d| X509Crl::from_der(d).ok()),
    );
    ocsps.extend(opts.trust.ocsps.iter().cloned());
    let mut st = chain::revocation(cert, issuer, &crls, &ocsps, at);
    if st == RevStatus::Unknown
        && let Some(online) = &opts.online
    {
        if let Some(d) = revocation::fetch_ocsp(online.0.as_ref(), cert, issuer, ev) {
            ocsps.push(d);
            st = chain::revocation(cert, issuer, &crls, &ocsps, at);
        }
        if st == RevStatus::Unknown
            && let Some(d) = revocation::fetch_crl(online.0.as_ref(), cert, ev)
            && let Ok(c) = X509Crl::from_der(&d)
        {
            crls.push(c);
            st = chain::revocation(cert, issuer, &crls, &ocsps, at);
        }
    }
    for c in &crls {
        if let Ok(d) = c.to_der() {
            ev.crl(&d);
        }
    }
    for o in &ocsps {
        ev.ocsp(o);
    }
    st
}

/// [`status_with`] over DER CRLs.
pub fn status_of(
    cert: &X509,
    issuer: &X509,
    crls: &[Vec<u8>],
    ocsps: &[Vec<u8>],
    opts: &Options,
    at: DateTime<Utc>,
    ev: &mut revocation::Evidence,
) -> RevStatus {
    let parsed = crls
        .iter()
        .filter_map(|d| X509Crl::from_der(d).ok())
        .collect();
    status_with(cert, issuer, parsed, ocsps.to_vec(), opts, at, ev)
}

/// How many CRLs in adbe-revocationInfoArchival do not parse (they are dropped by [`adbe_revocation`]).
fn adbe_unreadable(si: &cms::SignerInfo<'_>) -> usize {
    let mut n = 0;
    if let (Some(v), _) = si.signed_attr(oid::ADBE_REVOCATION)
        && let Ok(kids) = v.children()
    {
        for k in kids.iter().filter(|k| k.tag == 0xA0) {
            let list = k
                .children()
                .ok()
                .and_then(|items| items.first().and_then(|s| s.children().ok()))
                .unwrap_or_default();
            n += list
                .iter()
                .filter(|it| X509Crl::from_der(it.raw).is_err())
                .count();
        }
    }
    n
}

/// CRLs and OCSP responses in adbe-revocationInfoArchival (signed attribute).
fn adbe_revocation(si: &cms::SignerInfo<'_>) -> (Vec<X509Crl>, Vec<Vec<u8>>) {
    let mut crls = Vec::new();
    let mut ocsps = Vec::new();
    if let (Some(v), _) = si.signed_attr(oid::ADBE_REVOCATION)
        && let Ok(kids) = v.children()
    {
        for k in kids {
            let Ok(items) = k.children() else { continue };
            // [0] SEQUENCE OF CRL, [1] SEQUENCE OF OCSPResponse
            let list = items
                .first()
                .and_then(|s| s.children().ok())
                .unwrap_or_default();
            for it in list {
                match k.tag {
                    0xA0 => crls.extend(X509Crl::from_der(it.raw).ok()),
                    0xA1 => ocsps.push(it.raw.to_vec()),
                    _ => {}
                }
            }
        }
    }
    (crls, ocsps)
}

/// The CAs between the signer and the anchor must not have been revoked
/// either (`path`: the signer's, the signer first).
pub fn issuing_cas(
    ctx: &SigContext<'_>,
    path: &[X509],
    best_time: DateTime<Utc>,
    ev: &mut revocation::Evidence,
    v: &mut Verdict,
) {
    let (opts, dss_crls) = (ctx.opts, ctx.dss_crls);
    if path.len() > 2 {
        for w in path[1..].windows(2) {
            let (ca, issuer) = (&w[0], &w[1]);
            match status_of(
                ca,
                issuer,
                dss_crls,
                &ctx.parsed.dss.ocsps,
                opts,
                best_time,
                ev,
            ) {
                RevStatus::Revoked(when) if when <= best_time => v.fail(
                    SubIndication::Revoked,
                    format!(
                        "the issuing CA {:?} was revoked on {}",
                        chain::subject_line(ca),
                        rfc3339(when)
                    ),
                ),
                RevStatus::Unknown if opts.online.is_some() => v.note(
                    "REVOCATION_UNKNOWN_CA",
                    format!(
                        "the revocation status of the issuing CA {:?} could not be found",
                        chain::subject_line(ca)
                    ),
                ),
                _ => {}
            }
        }
    }
}

/// The revocation status of the signer's certificate (`path`: its certificate path),
/// from the data the signature carries and any other at hand, judged
/// against the proven or claimed signing time.
pub fn signer(
    ctx: &SigContext<'_>,
    c: &CmsSignature<'_>,
    path: &[X509],
    t: ProvenTime,
    ev: &mut revocation::Evidence,
    r: &mut SignatureReport,
    v: &mut Verdict,
) {
    let (sd, si, signer, opts, dss_crls) = (&c.sd, c.si(), &c.signer, ctx.opts, ctx.dss_crls);
    let (best_time, proven) = (t.at, t.proven);
    if let Some(issuer) = path.get(1) {
        let (mut crls, mut ocsps) = adbe_revocation(si);
        ocsps.extend(sd.ocsps.iter().map(|d| d.to_vec()));
        let in_cms = sd.crls.len() + crls.len() + ocsps.len();
        crls.extend(sd.crls.iter().filter_map(|d| X509Crl::from_der(d).ok()));
        ocsps.retain(|d| chain::ocsp_readable(d));
        let unreadable = in_cms.saturating_sub(crls.len() + ocsps.len())
            + adbe_unreadable(si)
            + sd.other_revocation;
        if unreadable > 0 {
            v.note(
                "REVOCATION_DATA_IGNORED",
                format!(
                    "{unreadable} revocation item(s) carried in the signature could not be read and were ignored; the signature was judged without them"
                ),
            );
        }
        crls.extend(
            dss_crls
                .iter()
                .chain(opts.trust.crls.iter())
                .filter_map(|d| X509Crl::from_der(d).ok()),
        );
        ocsps.extend(ctx.parsed.dss.ocsps.iter().cloned());
        match status_with(signer, issuer, crls, ocsps, opts, best_time, ev) {
            RevStatus::Good => r.revocation = Revocation::Good,
            RevStatus::Revoked(when) => {
                r.revocation = Revocation::Revoked;
                let claimed = r
                    .signing_time
                    .as_deref()
                    .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
                    .map(|t| t.with_timezone(&Utc));
                if proven {
                    // A timestamp fixes when the signature existed.
                    if when <= best_time {
                        v.fail(SubIndication::Revoked, format!("the signer's certificate was revoked on {}, before the timestamped signing time", rfc3339(when)));
                    }
                } else if claimed.is_some_and(|c| c >= when) {
                    // The signer's own claim places the signature after the revocation.
                    v.fail(SubIndication::Revoked, format!("the signer's certificate was revoked on {}, before the claimed signing time", rfc3339(when)));
                } else if when <= best_time {
                    v.fail(
                        SubIndication::RevokedNoPoe,
                        format!("the signer's certificate was revoked on {}; no timestamp proves the signature was made before", rfc3339(when)),
                    );
                }
            }
            RevStatus::Unknown => {
                r.revocation = Revocation::Unknown;
                if !opts.policy.accept_unknown_revocation {
                    v.fail(
                        SubIndication::TryLater,
                        "no CRL or OCSP response for the signer's certificate was available",
                    );
                }
            }
        }
    } else if path.len() == 1
        && opts
            .trust
            .anchors
            .iter()
            .any(|a| a.to_der().ok() == signer.to_der().ok())
    {
        // The signer is itself an anchor: nothing above it to ask.
        r.revocation = Revocation::Good;
    }
}
