//! Certificate paths and revocation: openssl builds and checks the path from
//! the signer through the certificates at hand to a trust anchor at a given
//! time (signatures, validity windows, CA flags, path length); the signer's
//! key usage and its revocation status (CRLs, OCSP responses) are checked here.

use chrono::{DateTime, TimeZone, Utc};
use openssl::asn1::Asn1Time;
use openssl::hash::MessageDigest;
use openssl::ocsp::{OcspCertId, OcspCertStatus, OcspFlag, OcspResponse, OcspResponseStatus};
use openssl::stack::Stack;
use openssl::x509::store::X509StoreBuilder;
use openssl::x509::verify::{X509VerifyFlags, X509VerifyParam};
use openssl::x509::{CrlStatus, X509, X509Crl, X509Ref, X509StoreContext};

use super::report::SubIndication;

/// The outcome of path validation.
#[derive(Debug, Clone)]
pub struct PathResult {
    /// The path from the signer to the anchor (as far as it got).
    pub chain: Vec<X509>,
    /// Why it failed, if it did.
    pub failure: Option<(SubIndication, String)>,
}

/// Subject of a certificate, one line, UTF-8.
pub fn subject_line(c: &X509Ref) -> String {
    name_line(c.subject_name())
}

/// A name as `CN=…, O=…` with UTF-8 values.
pub fn name_line(n: &openssl::x509::X509NameRef) -> String {
    n.entries()
        .map(|e| {
            let key = e.object().nid().short_name().unwrap_or("?").to_string();
            let val = e.data().to_string().unwrap_or_default();
            format!("{key}={val}")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn asn1_to_chrono(t: &openssl::asn1::Asn1TimeRef) -> Option<DateTime<Utc>> {
    let epoch = Asn1Time::from_unix(0).ok()?;
    let d = epoch.diff(t).ok()?;
    Utc.timestamp_opt(i64::from(d.days) * 86_400 + i64::from(d.secs), 0)
        .single()
}

fn generalized_to_chrono(t: &openssl::asn1::Asn1GeneralizedTimeRef) -> Option<DateTime<Utc>> {
    // openssl prints e.g. "Jun  1 00:00:00 2024 GMT".
    let s = t.to_string();
    let s = s.strip_suffix(" GMT")?;
    chrono::NaiveDateTime::parse_from_str(
        &s.split_whitespace().collect::<Vec<_>>().join(" "),
        "%b %d %H:%M:%S %Y",
    )
    .ok()
    .map(|n| Utc.from_utc_datetime(&n))
}

/// A certificate's validity window.
pub fn validity(c: &X509Ref) -> (Option<DateTime<Utc>>, Option<DateTime<Utc>>) {
    (
        asn1_to_chrono(c.not_before()),
        asn1_to_chrono(c.not_after()),
    )
}

/// Build and check a path for `signer` at time `at`.
pub fn validate(
    signer: &X509,
    untrusted: &[X509],
    anchors: &[X509],
    at: DateTime<Utc>,
    proven: bool,
) -> PathResult {
    match validate_inner(signer, untrusted, anchors, at, proven) {
        Ok(r) => r,
        Err(e) => PathResult {
            chain: vec![signer.clone()],
            failure: Some((
                SubIndication::NoCertificateChainFound,
                format!("path validation could not run: {e}"),
            )),
        },
    }
}

fn validate_inner(
    signer: &X509,
    untrusted: &[X509],
    anchors: &[X509],
    at: DateTime<Utc>,
    proven: bool,
) -> Result<PathResult, openssl::error::ErrorStack> {
    let mut sb = X509StoreBuilder::new()?;
    for a in anchors {
        // Duplicates are harmless; an error here means the anchor is unusable.
        let _ = sb.add_cert(a.clone());
    }
    let mut param = X509VerifyParam::new()?;
    param.set_time(at.timestamp() as _);
    // Weak algorithms are judged by the verifier's own policy, not openssl's security level.
    param.set_auth_level(0);
    param.set_flags(X509VerifyFlags::PARTIAL_CHAIN | X509VerifyFlags::USE_CHECK_TIME)?;
    sb.set_param(&param)?;
    let store = sb.build();
    let mut stack = Stack::new()?;
    for c in untrusted {
        stack.push(c.clone())?;
    }
    let mut ctx = X509StoreContext::new()?;
    let (ok, err, chain) = ctx.init(&store, signer, &stack, |c| {
        let ok = c.verify_cert()?;
        let chain: Vec<X509> = c
            .chain()
            .map(|s| s.iter().map(|x| x.to_owned()).collect())
            .unwrap_or_default();
        Ok((ok, c.error(), chain))
    })?;
    let chain = if chain.is_empty() {
        vec![signer.clone()]
    } else {
        chain
    };
    if ok {
        return Ok(PathResult {
            chain,
            failure: None,
        });
    }
    let code = err.as_raw();
    let msg = err.error_string().to_string();
    let when = at.to_rfc3339();
    let sub = match code {
        // X509_V_ERR_CERT_NOT_YET_VALID
        9 => (
            SubIndication::NotYetValid,
            format!("a certificate in the path was not yet valid at {when}"),
        ),
        // X509_V_ERR_CERT_HAS_EXPIRED
        10 if proven => (
            SubIndication::Expired,
            format!("a certificate in the path had expired at the proven signing time {when}"),
        ),
        10 => (
            SubIndication::OutOfBoundsNoPoe,
            format!(
                "a certificate in the path had expired at {when}, and no timestamp proves the signature older"
            ),
        ),
        // unable to get issuer (2, 20), self-signed (18, 19), leaf signature (21), untrusted (27)
        2 | 18 | 19 | 20 | 21 | 27 => (
            SubIndication::NoCertificateChainFound,
            format!("no path to a trusted root: {msg}"),
        ),
        // CA/weak key or digest (66, 67, 68)
        66..=68 => (
            SubIndication::CryptoConstraintsFailure,
            format!("weak algorithm in the path: {msg}"),
        ),
        _ => (
            SubIndication::ChainConstraintsFailure,
            format!("the certificate path is not acceptable: {msg}"),
        ),
    };
    Ok(PathResult {
        chain,
        failure: Some(sub),
    })
}

/// Whether the certificate may sign documents: keyUsage (when present)
/// includes digitalSignature or nonRepudiation.
pub fn key_usage_allows_signing(cert_der: &[u8]) -> Result<bool, String> {
    let (_, c) = x509_parser::parse_x509_certificate(cert_der).map_err(|e| e.to_string())?;
    match c.key_usage().map_err(|e| e.to_string())? {
        None => Ok(true),
        Some(ku) => Ok(ku.value.digital_signature() || ku.value.non_repudiation()),
    }
}

/// Whether the certificate is a TSA's: extendedKeyUsage includes timeStamping.
pub fn is_tsa(cert_der: &[u8]) -> bool {
    x509_parser::parse_x509_certificate(cert_der)
        .ok()
        .and_then(|(_, c)| {
            c.extended_key_usage()
                .ok()
                .flatten()
                .map(|e| e.value.time_stamping)
        })
        .unwrap_or(false)
}

/// Revocation status of one certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RevStatus {
    /// Known not revoked (by a CRL or OCSP response current at the time).
    Good,
    /// Revoked at this time.
    Revoked(DateTime<Utc>),
    /// No usable information.
    Unknown,
}

/// Whether an OCSP response is signed by `issuer` itself or by a delegated
/// responder (RFC 6960 4.2.2.2): a certificate carried in the response,
/// issued by `issuer`, with the OCSPSigning extended key usage. The
/// responder certificate's validity window is not held against a response
/// kept for later validation.
fn ocsp_signed_for(basic: &openssl::ocsp::OcspBasicResponseRef, issuer: &X509) -> bool {
    // Signed by the issuer.
    if let Ok(mut certs) = Stack::new()
        && certs.push(issuer.clone()).is_ok()
        && let Ok(store) = X509StoreBuilder::new().map(|b| b.build())
        && basic.verify(&certs, &store, OcspFlag::TRUST_OTHER).is_ok()
    {
        return true;
    }
    // Signed by a delegated responder certified by the issuer.
    let Ok(mut sb) = X509StoreBuilder::new() else {
        return false;
    };
    if sb.add_cert(issuer.clone()).is_err() {
        return false;
    }
    if let Ok(mut param) = X509VerifyParam::new()
        && param
            .set_flags(X509VerifyFlags::PARTIAL_CHAIN | X509VerifyFlags::NO_CHECK_TIME)
            .is_ok()
    {
        let _ = sb.set_param(&param);
    }
    let store = sb.build();
    let Ok(empty) = Stack::new() else {
        return false;
    };
    basic.verify(&empty, &store, OcspFlag::empty()).is_ok()
}

/// Whether an OCSP response parses down to its basic response (a
/// well-formed outer layer over garbage does not count).
pub fn ocsp_readable(der: &[u8]) -> bool {
    OcspResponse::from_der(der)
        .is_ok_and(|r| r.status() != OcspResponseStatus::SUCCESSFUL || r.basic().is_ok())
}

/// Check `cert` (issued by `issuer`) against CRLs and OCSP responses, for time `at`.
pub fn revocation(
    cert: &X509,
    issuer: &X509,
    crls: &[X509Crl],
    ocsps: &[Vec<u8>],
    at: DateTime<Utc>,
) -> RevStatus {
    let mut good = false;
    let Ok(issuer_key) = issuer.public_key() else {
        return RevStatus::Unknown;
    };
    for crl in crls {
        // The CRL must be issued and signed by the certificate's issuer.
        let same_issuer = crl
            .issuer_name()
            .to_der()
            .ok()
            .zip(issuer.subject_name().to_der().ok())
            .is_some_and(|(a, b)| a == b);
        if !same_issuer || !crl.verify(&issuer_key).unwrap_or(false) {
            continue;
        }
        let this_update = asn1_to_chrono(crl.last_update());
        let next_update = crl.next_update().and_then(asn1_to_chrono);
        match crl.get_by_cert(cert) {
            CrlStatus::Revoked(entry) | CrlStatus::RemoveFromCrl(entry) => {
                if let Some(t) = asn1_to_chrono(entry.revocation_date()) {
                    return RevStatus::Revoked(t);
                }
                return RevStatus::Revoked(at);
            }
            CrlStatus::NotRevoked => {
                // Usable when current at `at`, or issued after it.
                let current =
                    this_update.is_some_and(|tu| tu <= at) && next_update.is_none_or(|nu| at <= nu);
                let later = this_update.is_some_and(|tu| tu >= at);
                if current || later {
                    good = true;
                }
            }
        }
    }
    for der in ocsps {
        let Ok(resp) = OcspResponse::from_der(der) else {
            continue;
        };
        if resp.status() != OcspResponseStatus::SUCCESSFUL {
            continue;
        }
        let Ok(basic) = resp.basic() else { continue };
        if !ocsp_signed_for(&basic, issuer) {
            continue;
        }
        let Ok(id) = OcspCertId::from_cert(MessageDigest::sha1(), cert, issuer) else {
            continue;
        };
        if let Some(st) = basic.find_status(&id) {
            if st.status == OcspCertStatus::REVOKED {
                return RevStatus::Revoked(
                    st.revocation_time
                        .and_then(generalized_to_chrono)
                        .unwrap_or(at),
                );
            }
            if st.status == OcspCertStatus::GOOD {
                good = true;
            }
        }
    }
    if good {
        RevStatus::Good
    } else {
        RevStatus::Unknown
    }
}
