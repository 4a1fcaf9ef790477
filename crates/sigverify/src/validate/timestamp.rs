//! Timestamp validation (ETSI EN 319 102-1 5.4): RFC 3161 tokens — their
//! TSTInfo, message imprint, TSA signature, certificate path and
//! revocation — and what they prove: a document timestamp's verdict, the
//! signing time a signature timestamp proves, and a claimed signing time
//! that cannot be true after it.

use chrono::{DateTime, Utc};
use openssl::x509::X509;

use super::crypto::{Content, check_signer_info};
use super::identify::cms_certs;
use super::revocation_status::status_of;
use super::{CmsSignature, ProvenTime, SigContext, Verdict};
use crate::Options;
use crate::asn1;
use crate::chain::{self, RevStatus};
use crate::cms::{self, SignedData, oid};
use crate::dates::rfc3339;
use crate::report::{Problem, SignatureReport, Status, SubIndication, Timestamp};
use crate::revocation;
use crate::signer::find_signer_cert;

/// TSTInfo: imprint algorithm, imprint, genTime.
pub fn tst_info(tst: &[u8]) -> Result<(cms::AlgId, Vec<u8>, DateTime<Utc>), String> {
    let (t, _) = asn1::read(tst).map_err(|e| e.0)?;
    let f = t.children().map_err(|e| e.0)?;
    let mi = f
        .get(2)
        .ok_or("TSTInfo without messageImprint")?
        .children()
        .map_err(|e| e.0)?;
    let alg = cms::alg_id(mi.first().ok_or("empty messageImprint")?)?;
    let hashed = mi
        .get(1)
        .ok_or("messageImprint without hash")?
        .octets()
        .map_err(|e| e.0)?;
    let time = cms::asn1_time(f.get(4).ok_or("TSTInfo without genTime")?).ok_or("bad genTime")?;
    Ok((alg, hashed, time))
}

/// The result of checking an RFC 3161 timestamp token.
struct TokenResult {
    /// The time it states.
    time: Option<DateTime<Utc>>,
    /// The TSA, by its certificate's subject.
    tsa: String,
    /// Its verdict.
    status: Status,
    /// What was found.
    problems: Vec<Problem>,
}

/// Check an RFC 3161 token over `imprinted` (the bytes its message imprint must hash).
fn verify_token(
    token: &[u8],
    imprinted: &Content<'_>,
    opts: &Options,
    (extra, crls): (&[X509], &[Vec<u8>]),
    ev: &mut revocation::Evidence,
) -> TokenResult {
    let mut out = TokenResult {
        time: None,
        tsa: String::new(),
        status: Status::Invalid,
        problems: Vec::new(),
    };
    let sd = match cms::parse(token) {
        Ok(sd) => sd,
        Err(e) => {
            out.problems.push(Problem::new(
                "TIMESTAMP_FORMAT",
                format!("the timestamp token is malformed: {e}"),
            ));
            return out;
        }
    };
    let Some(tst) = sd
        .econtent
        .as_deref()
        .filter(|_| sd.econtent_type == oid::TST_INFO)
    else {
        out.problems.push(Problem::new(
            "TIMESTAMP_FORMAT",
            "the timestamp token holds no TSTInfo",
        ));
        return out;
    };
    let parsed = tst_info(tst);
    let (alg, hashed, time) = match parsed {
        Ok(x) => x,
        Err(e) => {
            out.problems.push(Problem::new(
                "TIMESTAMP_FORMAT",
                format!("the TSTInfo is malformed: {e}"),
            ));
            return out;
        }
    };
    out.time = Some(time);
    let Some(d) = cms::digest_for(&alg.oid) else {
        out.problems.push(Problem::new(
            "TIMESTAMP_FORMAT",
            format!("unsupported imprint hash {}", alg.oid),
        ));
        return out;
    };
    if imprinted.digest(&d).ok().as_deref() != Some(hashed.as_slice()) {
        out.problems.push(Problem::new(
            "TIMESTAMP_IMPRINT",
            "the timestamp is not over this signature (message imprint mismatch)",
        ));
        return out;
    }
    check_tsa(&sd, tst, time, opts, (extra, crls), ev, &mut out);
    out
}

/// The TSA side of a token whose imprint matches: its signature over the
/// TSTInfo, its certificate (a TSA's), that certificate's path at the
/// stamped time and its revocation before it; `out` is valid when all hold.
fn check_tsa(
    sd: &SignedData<'_>,
    tst: &[u8],
    time: DateTime<Utc>,
    opts: &Options,
    (extra, crls): (&[X509], &[Vec<u8>]),
    ev: &mut revocation::Evidence,
    out: &mut TokenResult,
) {
    let certs = cms_certs(sd, extra);
    let Some(si) = sd.signers.first() else {
        out.problems.push(Problem::new(
            "TIMESTAMP_FORMAT",
            "the timestamp token has no signer",
        ));
        return;
    };
    let Some(tsa) = find_signer_cert(&si.sid, &certs) else {
        out.status = Status::Indeterminate;
        out.problems.push(Problem::new(
            "TIMESTAMP_NO_TSA_CERT",
            "the TSA certificate is not in the token",
        ));
        return;
    };
    out.tsa = chain::subject_line(&tsa);
    match check_signer_info(si, &tsa, &Content::Bytes(vec![tst]), Some(oid::TST_INFO)) {
        Ok(()) => {}
        Err((_, m)) => {
            out.problems.push(Problem::new("TIMESTAMP_SIGNATURE", m));
            return;
        }
    }
    let tsa_der = tsa.to_der().unwrap_or_default();
    if !chain::is_tsa(&tsa_der) {
        out.status = Status::Indeterminate;
        out.problems.push(Problem::new("TIMESTAMP_NOT_TSA", "the timestamp's certificate is not a TSA certificate (no timeStamping extended key usage)"));
        return;
    }
    let mut pool = certs.clone();
    pool.extend(opts.trust.intermediates.iter().cloned());
    let path = chain::validate(&tsa, &pool, &opts.trust.anchors, time, true);
    if let Some((_, m)) = path.failure {
        out.status = Status::Indeterminate;
        out.problems.push(Problem::new(
            "TIMESTAMP_CHAIN",
            format!("the TSA certificate: {m}"),
        ));
        return;
    }
    for c in &path.chain {
        ev.cert(c);
    }
    // The TSA's own certificate must not have been revoked before it stamped.
    if let Some(issuer) = path.chain.get(1) {
        match status_of(&tsa, issuer, crls, &[], opts, time, ev) {
            RevStatus::Revoked(when) if when <= time => {
                out.status = Status::Indeterminate;
                out.problems.push(Problem::new(
                    "TIMESTAMP_TSA_REVOKED",
                    format!(
                        "the TSA's certificate was revoked on {}, before this timestamp",
                        rfc3339(when)
                    ),
                ));
                return;
            }
            RevStatus::Unknown if opts.online.is_some() => out.problems.push(Problem::new(
                "REVOCATION_UNKNOWN_TSA",
                "the revocation status of the TSA's certificate could not be found",
            )),
            _ => {}
        }
    }
    out.status = Status::Valid;
}

/// A document timestamp: its token over the covered bytes decides the verdict.
pub fn document_timestamp(
    ctx: &SigContext<'_>,
    contents: &[u8],
    ev: &mut revocation::Evidence,
    r: &mut SignatureReport,
    v: &mut Verdict,
) {
    // Document timestamps: the contents is an RFC 3161 token over the covered bytes.
    let covered = Content::Covered(ctx);
    let t = verify_token(
        contents,
        &covered,
        ctx.opts,
        (ctx.dss_certs, ctx.dss_crls),
        ev,
    );
    r.timestamp = t.time.map(|time| Timestamp {
        time: rfc3339(time),
        tsa: t.tsa.clone(),
        status: t.status,
    });
    r.signing_time = t.time.map(rfc3339);
    for p in t.problems {
        v.problems.push(p);
    }
    match t.status {
        Status::Valid => {}
        Status::Invalid => v.fail(
            SubIndication::SigCryptoFailure,
            "the document timestamp does not verify",
        ),
        _ => v.fail(
            SubIndication::NoCertificateChainFound,
            "the document timestamp's TSA is not trusted",
        ),
    }
}

/// The signature timestamp (an unsigned attribute): a valid one fixes the
/// proven signing time; a forged one makes the signature invalid.
pub fn signature_timestamp(
    ctx: &SigContext<'_>,
    c: &CmsSignature<'_>,
    ev: &mut revocation::Evidence,
    r: &mut SignatureReport,
    v: &mut Verdict,
) -> ProvenTime {
    let (si, opts, dss_certs, dss_crls) = (c.si(), ctx.opts, ctx.dss_certs, ctx.dss_crls);
    let mut best_time = ctx.now;
    let mut proven = false;
    if let Some(attr) = si
        .unsigned_attrs
        .iter()
        .find(|a| a.oid == oid::SIGNATURE_TIMESTAMP)
        && let Some(tok) = attr.values.first()
    {
        let t = verify_token(
            tok.raw,
            &Content::Bytes(vec![si.signature.as_slice()]),
            opts,
            (dss_certs, dss_crls),
            ev,
        );
        if t.status == Status::Valid
            && let Some(time) = t.time
        {
            best_time = time;
            proven = true;
        }
        for p in &t.problems {
            v.note(&p.code, p.message.clone());
        }
        // A time proof that is forged — copied from another signature,
        // altered after the TSA signed it, over other bytes — makes the
        // signature invalid, not merely unproven.
        if t.status == Status::Invalid {
            let (sub, why) = match t.problems.first().map(|p| p.code.as_str()) {
                Some("TIMESTAMP_IMPRINT") => (
                    SubIndication::HashFailure,
                    "its signature timestamp is not over this signature (copied from another one, or over other bytes)",
                ),
                Some("TIMESTAMP_SIGNATURE") => (
                    SubIndication::SigCryptoFailure,
                    "its signature timestamp was altered after the TSA signed it",
                ),
                _ => (
                    SubIndication::FormatFailure,
                    "its signature timestamp is malformed",
                ),
            };
            v.fail(sub, format!("the time proof is forged: {why}"));
        }
        r.timestamp = t.time.map(|time| Timestamp {
            time: rfc3339(time),
            tsa: t.tsa.clone(),
            status: t.status,
        });
    }
    ProvenTime {
        at: best_time,
        proven,
    }
}

/// A claimed signing time after the proven one: reported, and replaced by it.
pub fn claimed_time(t: ProvenTime, r: &mut SignatureReport, v: &mut Verdict) {
    let (best_time, proven) = (t.at, t.proven);
    // A claimed signing time after the trusted timestamp cannot be true; a
    // whole number of hours later is local time labelled UTC (the
    // Government portal writes Vietnam time as UTC). The timestamp is what
    // counts; minutes of clock skew are normal and not reported.
    if proven
        && let Some(claimed) = r
            .signing_time
            .as_deref()
            .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
            .map(|t| t.with_timezone(&Utc))
    {
        let ahead = claimed - best_time;
        if ahead > chrono::Duration::minutes(10) {
            let hours = (ahead.num_seconds() as f64 / 3600.0).round();
            // A whole number of hours off, give or take clock skew.
            let local =
                hours >= 1.0 && (ahead.num_seconds() as f64 - hours * 3600.0).abs() < 1800.0;
            v.note(
                "SIGNING_TIME_ANOMALY",
                if local {
                    format!(
                        "the claimed signing time {} is {hours:.0} hours after the trusted timestamp {}: local time (UTC+{hours:.0}) written as UTC; the timestamp's time is used",
                        rfc3339(claimed),
                        rfc3339(best_time)
                    )
                } else {
                    format!(
                        "the claimed signing time {} is after the trusted timestamp {}; the timestamp's time is used",
                        rfc3339(claimed),
                        rfc3339(best_time)
                    )
                },
            );
            r.signing_time = Some(rfc3339(best_time));
        }
    }
}
