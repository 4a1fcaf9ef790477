//! The signature verifier: a pure, synchronous library — no database, no
//! HTTP server, no async runtime (Cargo enforces it: this crate depends on
//! none). [`verify`] takes a file's bytes and returns a [`report::Report`],
//! the contract of DESIGN.md "Verification report"; [`verify_with_evidence`]
//! also says what the verdict relied on.
//!
//! Checked: the byte range and its gap (coverage and the universal-forgery
//! variants), the CMS structure, the message digest, the signature value,
//! ESS signing-certificate attributes, algorithm strength, the certificate
//! path to a trust anchor at the best proven time, the signer's key usage,
//! revocation of the signer, the CAs in its path and the TSA (from data at
//! hand, and online through a caller-given [`revocation::Fetch`]), RFC 3161
//! signature and document timestamps, and what changed in later revisions,
//! judged by its effect (see the `diff` module). Not checked: signature
//! policies; encrypted PDFs.
#![forbid(unsafe_code)]

pub mod asn1;
pub mod budget;
mod chain;
mod cms;
mod coverage;
mod diff;
mod digest;
pub mod hostile;
pub mod human;
mod lex;
mod obj;
mod pdf;
pub mod report;
pub mod revocation;
mod signer;
mod source;
mod trust;
mod xref;

pub use self::budget::{Cancel, Limits};
pub use self::chain::subject_line;
pub use self::cms::{hash_parts, oid};
pub use self::pdf::revision_ends;
pub use self::revocation::{Evidence, Fetch};
pub use self::signer::classify;
pub use self::source::{FileSource, Source};
pub use self::trust::{TrustStore, VIETNAM_ROOTS, fingerprint};

use chrono::{DateTime, SecondsFormat, Utc};
use openssl::x509::{X509, X509Crl};

use self::chain::RevStatus;
use self::cms::{SigCheck, SignedData};
use self::pdf::{Parsed, SigDict};
use self::report::{
    Coverage, Decree30, Indication, Kind, Modifications, Problem, Report, Revocation,
    SignatureReport, SignerRole, Status, SubIndication, Timestamp,
};
use self::signer::{describe_signer, find_signer_cert};

/// Choices a verification may make differently.
#[derive(Debug, Clone)]
pub struct Policy {
    /// Accept SHA-1 digests (off: CRYPTO_CONSTRAINTS_FAILURE).
    pub allow_sha1: bool,
    /// Smallest RSA key accepted, in bits.
    pub min_rsa_bits: u32,
    /// Treat an unknown revocation status as good (off: INDETERMINATE / TRY_LATER).
    pub accept_unknown_revocation: bool,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            allow_sha1: false,
            min_rsa_bits: 2048,
            accept_unknown_revocation: false,
        }
    }
}

/// A fetcher of revocation data, shared by the verifications that use it.
#[derive(Clone)]
pub struct Online(pub std::sync::Arc<dyn revocation::Fetch>);

impl std::fmt::Debug for Online {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Online")
    }
}

/// Everything a verification needs besides the file.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Anchors, CRLs, pins.
    pub trust: TrustStore,
    /// Validation time (default: now).
    pub at: Option<DateTime<Utc>>,
    /// Policy.
    pub policy: Policy,
    /// The work one file may cost (objects, bytes, wall time).
    pub limits: budget::Limits,
    /// Set by the caller to stop a verification it no longer needs.
    pub cancel: Option<budget::Cancel>,
    /// Fetch CRLs and OCSP responses online when nothing at hand decides
    /// a certificate's status (None: offline).
    pub online: Option<Online>,
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Verify the PDF `data` named `file`.
pub fn verify(file: &str, data: &[u8], opts: &Options) -> Report {
    verify_with_evidence(file, data, opts).0
}

/// Verify the PDF `data` named `file`, and say what the verdict relied on.
pub fn verify_with_evidence(
    file: &str,
    data: &[u8],
    opts: &Options,
) -> (Report, revocation::Evidence) {
    let mut ev = revocation::Evidence::default();
    match verify_source_into(file, &data, opts, &mut ev) {
        Ok(r) => (r, ev),
        // Reading a slice cannot fail; keep a report anyway.
        Err(e) => (
            malformed_report(file, data.len() as u64, opts, format!("read error: {e}")),
            ev,
        ),
    }
}

/// Verify the PDF at `path`, reading only what is needed (large files are streamed).
pub fn verify_path(path: &std::path::Path, opts: &Options) -> std::io::Result<Report> {
    let src = source::FileSource::new(std::fs::File::open(path)?)?;
    verify_source(&path.to_string_lossy(), &src, opts)
}

/// The bytes of revision `n` (from 1) of a PDF: the file up to the end of
/// its `n`-th end-of-file marker — exactly what a signature covering that
/// revision signed.
pub fn revision(data: &[u8], n: usize) -> Option<&[u8]> {
    let ends = pdf::revision_ends(data);
    let end = *ends.get(n.checked_sub(1)?)?;
    data.get(..end)
}

fn malformed_report(file: &str, size: u64, opts: &Options, why: String) -> Report {
    Report {
        file: file.to_string(),
        sha256: String::new(),
        size,
        status: Status::Invalid,
        validation_time: rfc3339(opts.at.unwrap_or_else(Utc::now)),
        signatures: Vec::new(),
        problems: vec![Problem::new("MALFORMED_PDF", why)],
        decree30: Decree30 {
            person: false,
            organisation: false,
        },
    }
}

/// What is known about a signature before the file is hashed.
struct Prelim {
    ranges: Result<coverage::Ranges, String>,
    algs: Vec<cms::Digest>,
}

fn plan(src: &dyn Source, parsed: &Parsed<'_>, sig: &SigDict) -> Prelim {
    let ranges = coverage::check(src, parsed, sig);
    let mut algs = Vec::new();
    if let (Ok(_), Some(c)) = (&ranges, sig.contents.as_deref())
        && let Ok(sd) = cms::parse(c)
    {
        if sig.kind == Kind::DocumentTimestamp {
            if let Some(alg) = sd
                .econtent
                .as_deref()
                .and_then(|t| tst_info(t).ok())
                .map(|x| x.0)
                && let Some(d) = cms::digest_for(&alg.oid)
            {
                algs.push(d);
            }
        } else if sig.sub_filter == "adbe.pkcs7.sha1" {
            algs.extend(cms::digest_for(oid::SHA1));
        } else if let Some(si) = sd.signers.first()
            && let Some((d, _)) = cms::digest_for_lenient(&si.digest_alg.oid)
        {
            algs.push(d);
        }
    }
    Prelim { ranges, algs }
}

/// Verify the PDF readable from `src`.
pub fn verify_source(file: &str, src: &dyn Source, opts: &Options) -> std::io::Result<Report> {
    verify_source_into(file, src, opts, &mut revocation::Evidence::default())
}

/// Verify the PDF readable from `src`, collecting what the verdict relied on into `ev`.
pub fn verify_source_into(
    file: &str,
    src: &dyn Source,
    opts: &Options,
    ev: &mut revocation::Evidence,
) -> std::io::Result<Report> {
    let now = opts.at.unwrap_or_else(Utc::now);
    let budget = std::rc::Rc::new(budget::Budget::new(opts.limits, opts.cancel.clone()));
    let parsed = Parsed::load(src, budget.clone());
    let prelims: Vec<Prelim> = match &parsed {
        Ok(p) => p.sigs.iter().map(|s| plan(src, p, s)).collect(),
        Err(_) => Vec::new(),
    };
    // One pass over the file for every digest needed.
    let mut jobs = Vec::new();
    let mut job_of: Vec<Vec<(&'static str, usize)>> = Vec::new();
    for p in &prelims {
        let mut mine = Vec::new();
        if let Ok(r) = &p.ranges {
            for d in &p.algs {
                mine.push((d.name, jobs.len()));
                jobs.push(digest::Job {
                    spans: r.spans().to_vec(),
                    digest: *d,
                });
            }
        }
        job_of.push(mine);
    }
    let pass = digest::pass(src, &jobs)?;
    let mut report = Report {
        file: file.to_string(),
        sha256: hex::encode(&pass.file_sha256),
        size: src.len(),
        status: Status::Unsigned,
        validation_time: rfc3339(now),
        signatures: Vec::new(),
        problems: Vec::new(),
        decree30: Decree30 {
            person: false,
            organisation: false,
        },
    };
    let parsed = match parsed {
        Ok(p) => p,
        Err(e) => {
            match budget.exhausted() {
                // The clock or the caller stopped it: nothing is known about the file.
                Some(x) if !x.is_structural() => {
                    report.status = Status::Indeterminate;
                    report.problems.push(limit_problem(x, &opts.limits));
                }
                Some(x) => {
                    report.status = Status::Invalid;
                    report.problems.push(Problem::new(
                        "MALFORMED_PDF",
                        format!(
                            "the PDF structure could not be read within the verifier's limits: {}",
                            x.describe(&opts.limits)
                        ),
                    ));
                }
                None => {
                    report.status = Status::Invalid;
                    report.problems.push(Problem::new("MALFORMED_PDF", e.0));
                }
            }
            return Ok(report);
        }
    };
    report.problems.extend(parsed.problems.iter().cloned());
    let dss_certs: Vec<X509> = parsed
        .dss
        .certs
        .iter()
        .filter_map(|d| X509::from_der(d).ok())
        .collect();
    let dss_crls: Vec<Vec<u8>> = parsed.dss.crls.clone();
    for (i, sig) in parsed.sigs.iter().enumerate() {
        let digests: std::collections::HashMap<&'static str, Vec<u8>> = job_of[i]
            .iter()
            .map(|(name, j)| (*name, pass.digests[*j].clone()))
            .collect();
        let ctx = SigContext {
            src,
            parsed: &parsed,
            prelim: &prelims[i],
            digests: &digests,
            revision_ends: &pass.revision_ends,
        };
        let r = verify_one(&ctx, sig, opts, now, (&dss_certs, &dss_crls), ev);
        report.signatures.push(r);
    }
    // A spent budget means some question went unanswered: nothing is valid.
    if let Some(x) = budget.exhausted() {
        let p = limit_problem(x, &opts.limits);
        for s in &mut report.signatures {
            if s.status == Status::Valid {
                s.status = Status::Indeterminate;
                s.indication = Indication::Indeterminate;
                s.problems.push(p.clone());
            }
        }
        report.problems.push(p);
    }
    for s in &report.signatures {
        if s.status == Status::Valid
            && let Some(signer) = &s.signer
        {
            match signer.role {
                SignerRole::Person => report.decree30.person = true,
                SignerRole::Organisation => report.decree30.organisation = true,
            }
        }
    }
    report.status = if report
        .signatures
        .iter()
        .any(|s| s.status == Status::Invalid)
    {
        Status::Invalid
    } else if budget.exhausted().is_some() {
        // Signatures may have gone unseen: neither valid nor unsigned.
        Status::Indeterminate
    } else if report.signatures.is_empty() {
        Status::Unsigned
    } else if report
        .signatures
        .iter()
        .any(|s| s.status == Status::Invalid)
    {
        Status::Invalid
    } else if report.signatures.iter().all(|s| s.status == Status::Valid) {
        Status::Valid
    } else {
        Status::Indeterminate
    };
    Ok(report)
}

/// The problem reported when a verification ran out of budget.
fn limit_problem(x: budget::Exhausted, l: &budget::Limits) -> Problem {
    let mut p = Problem::new(
        "RESOURCE_LIMIT",
        format!(
            "verification stopped before every check was made: {}",
            x.describe(l)
        ),
    );
    p.message_vi = Some(format!(
        "Việc kiểm tra dừng trước khi hoàn tất: {}",
        match x {
            budget::Exhausted::Time => "quá thời gian cho phép",
            budget::Exhausted::Cancelled => "yêu cầu kiểm tra đã bị hủy",
            _ => "tệp vượt quá giới hạn xử lý (cấu trúc PDF bất thường)",
        }
    ));
    p
}

/// Everything one signature's verification reads.
struct SigContext<'a> {
    src: &'a dyn Source,
    parsed: &'a Parsed<'a>,
    prelim: &'a Prelim,
    digests: &'a std::collections::HashMap<&'static str, Vec<u8>>,
    revision_ends: &'a [u64],
}

/// The content a signer signed: bytes at hand, or the file's signed ranges
/// (whose digests the streaming pass computed).
enum Content<'a> {
    Bytes(Vec<&'a [u8]>),
    Covered(&'a SigContext<'a>),
}

impl Content<'_> {
    fn digest(&self, d: &cms::Digest) -> Result<Vec<u8>, String> {
        match self {
            Content::Bytes(parts) => cms::digest_parts(d, parts),
            Content::Covered(ctx) => match ctx.digests.get(d.name) {
                Some(v) => Ok(v.clone()),
                None => cms::digest_parts(d, &[&self.bytes()?]),
            },
        }
    }
    /// The content itself (read from the file for covered ranges: only when
    /// a signature has no signed attributes).
    fn bytes(&self) -> Result<Vec<u8>, String> {
        match self {
            Content::Bytes(parts) => Ok(parts.concat()),
            Content::Covered(ctx) => {
                let r = ctx.prelim.ranges.as_ref().map_err(Clone::clone)?;
                let mut v = ctx
                    .src
                    .read_vec(0, r.a as usize)
                    .map_err(|e| e.to_string())?;
                v.extend(
                    ctx.src
                        .read_vec(r.b, r.c as usize)
                        .map_err(|e| e.to_string())?,
                );
                Ok(v)
            }
        }
    }
}

/// TSTInfo: imprint algorithm, imprint, genTime.
fn tst_info(tst: &[u8]) -> Result<(cms::AlgId, Vec<u8>, DateTime<Utc>), String> {
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

/// Collects a signature's findings; the first failure decides the verdict.
struct Verdict {
    first: Option<SubIndication>,
    problems: Vec<Problem>,
}

impl Verdict {
    fn fail(&mut self, sub: SubIndication, message: impl Into<String>) {
        if self.first.is_none()
            || (self.first.map(|f| f.status()) == Some(Status::Indeterminate)
                && sub.status() == Status::Invalid)
        {
            self.first = Some(sub);
        }
        self.problems.push(Problem::new(sub.code(), message));
    }

    fn note(&mut self, code: &str, message: impl Into<String>) {
        self.problems.push(Problem::new(code, message));
    }
}

fn base_report(sig: &SigDict) -> SignatureReport {
    SignatureReport {
        field: sig.field.clone(),
        kind: sig.kind,
        sub_filter: sig.sub_filter.clone(),
        status: Status::Indeterminate,
        indication: Indication::Indeterminate,
        sub_indication: None,
        problems: Vec::new(),
        coverage: Coverage::Unclear,
        modifications: Modifications::Other,
        signer: None,
        signing_time: None,
        timestamp: None,
        revocation: Revocation::NotChecked,
        chain: Vec::new(),
        warnings: Vec::new(),
        revision: None,
        signed_bytes: None,
    }
}

fn finish(mut r: SignatureReport, v: Verdict) -> SignatureReport {
    r.problems = v.problems;
    match v.first {
        None => {
            r.status = Status::Valid;
            r.indication = Indication::TotalPassed;
            r.sub_indication = None;
        }
        Some(sub) => {
            r.status = sub.status();
            r.indication = sub.indication();
            r.sub_indication = Some(sub);
        }
    }
    r
}

/// PDF date `D:YYYYMMDDHHmmSSOHH'mm'` → RFC 3339.
pub fn pdf_date(s: &str) -> Option<String> {
    let s = s.strip_prefix("D:").unwrap_or(s);
    let digits: String = s.chars().take_while(|c| c.is_ascii_digit()).collect();
    if digits.len() < 4 {
        return None;
    }
    let pad = format!("{digits:0<14}");
    let (y, mo, d, h, mi, se) = (
        &pad[0..4],
        &pad[4..6],
        &pad[6..8],
        &pad[8..10],
        &pad[10..12],
        &pad[12..14],
    );
    let mo = if mo == "00" { "01" } else { mo };
    let d = if d == "00" { "01" } else { d };
    let rest = &s[digits.len()..];
    let tz = match rest.chars().next() {
        Some('+') | Some('-') => {
            let sign = &rest[..1];
            let nums: String = rest[1..].chars().filter(|c| c.is_ascii_digit()).collect();
            let hh = nums.get(0..2).unwrap_or("00");
            let mm = nums.get(2..4).unwrap_or("00");
            format!("{sign}{hh}:{mm}")
        }
        _ => "Z".to_string(),
    };
    let text = format!("{y}-{mo}-{d}T{h}:{mi}:{se}{tz}");
    DateTime::parse_from_rfc3339(&text)
        .ok()
        .map(|t| rfc3339(t.with_timezone(&Utc)))
}

/// The result of checking an RFC 3161 timestamp token.
struct TokenResult {
    time: Option<DateTime<Utc>>,
    tsa: String,
    status: Status,
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
    let certs = cms_certs(&sd, extra);
    let Some(si) = sd.signers.first() else {
        out.problems.push(Problem::new(
            "TIMESTAMP_FORMAT",
            "the timestamp token has no signer",
        ));
        return out;
    };
    let Some(tsa) = find_signer_cert(&si.sid, &certs) else {
        out.status = Status::Indeterminate;
        out.problems.push(Problem::new(
            "TIMESTAMP_NO_TSA_CERT",
            "the TSA certificate is not in the token",
        ));
        return out;
    };
    out.tsa = chain::subject_line(&tsa);
    match check_signer_info(si, &tsa, &Content::Bytes(vec![tst]), Some(oid::TST_INFO)) {
        Ok(()) => {}
        Err((_, m)) => {
            out.problems.push(Problem::new("TIMESTAMP_SIGNATURE", m));
            return out;
        }
    }
    let tsa_der = tsa.to_der().unwrap_or_default();
    if !chain::is_tsa(&tsa_der) {
        out.status = Status::Indeterminate;
        out.problems.push(Problem::new("TIMESTAMP_NOT_TSA", "the timestamp's certificate is not a TSA certificate (no timeStamping extended key usage)"));
        return out;
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
        return out;
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
                return out;
            }
            RevStatus::Unknown if opts.online.is_some() => out.problems.push(Problem::new(
                "REVOCATION_UNKNOWN_TSA",
                "the revocation status of the TSA's certificate could not be found",
            )),
            _ => {}
        }
    }
    out.status = Status::Valid;
    out
}

/// The revocation status of `cert` (issued by `issuer`) at `at` from the
/// CRLs and OCSP responses at hand (plus the operator's), then — online,
/// when they do not decide — from its OCSP responder and its CRL. What was
/// used goes into `ev`.
fn status_with(
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
fn status_of(
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

/// Certificates carried by the CMS plus `extra`, parsed.
fn cms_certs(sd: &SignedData<'_>, extra: &[X509]) -> Vec<X509> {
    let mut v: Vec<X509> = sd
        .certs
        .iter()
        .filter_map(|d| X509::from_der(d).ok())
        .collect();
    v.extend(extra.iter().cloned());
    v
}

/// Check one SignerInfo against `cert` over `content` parts: content type,
/// messageDigest, signature value, ESS signing-certificate.
fn check_signer_info(
    si: &cms::SignerInfo<'_>,
    cert: &X509,
    content: &Content<'_>,
    expected_content_type: Option<&str>,
) -> Result<(), (SubIndication, String)> {
    let d = cms::digest_for_lenient(&si.digest_alg.oid)
        .ok_or((
            SubIndication::FormatFailure,
            format!("unsupported digest algorithm {}", si.digest_alg.oid),
        ))?
        .0;
    let key = cert.public_key().map_err(|e| {
        (
            SubIndication::FormatFailure,
            format!("the signer's public key is unusable: {e}"),
        )
    })?;
    let digest = content
        .digest(&d)
        .map_err(|e| (SubIndication::FormatFailure, e))?;
    let (message, what) = match si.signed_attrs_for_verify() {
        Some(attrs) => {
            let (md, n) = si.signed_attr(oid::MESSAGE_DIGEST);
            if n != 1 {
                return Err((
                    SubIndication::FormatFailure,
                    "the signed attributes must hold exactly one messageDigest".into(),
                ));
            }
            let md = md.and_then(|t| t.octets().ok()).ok_or((
                SubIndication::FormatFailure,
                "messageDigest is not an OCTET STRING".to_string(),
            ))?;
            if md != digest {
                return Err((
                    SubIndication::HashFailure,
                    format!(
                        "the signed bytes do not match the signature's {} digest: the document was changed",
                        d.name
                    ),
                ));
            }
            if let Some(ct) = expected_content_type {
                let (v, n) = si.signed_attr(oid::CONTENT_TYPE);
                if n != 1 || v.and_then(|t| t.oid().ok()).as_deref() != Some(ct) {
                    return Err((
                        SubIndication::FormatFailure,
                        "the contentType attribute is missing or wrong".into(),
                    ));
                }
            }
            (attrs, "signed attributes")
        }
        None => (
            content
                .bytes()
                .map_err(|e| (SubIndication::FormatFailure, e))?,
            "signed bytes",
        ),
    };
    match cms::verify_signature(&key, &si.sig_alg, &si.digest_alg, &message, &si.signature) {
        Ok(SigCheck::Valid) => {}
        Ok(SigCheck::Invalid) => {
            return Err((
                SubIndication::SigCryptoFailure,
                format!(
                    "the signature value does not verify over the {what} with the signer's key"
                ),
            ));
        }
        Err(e) => return Err((SubIndication::FormatFailure, e)),
    }
    let der = cert.to_der().unwrap_or_default();
    match cms::check_signing_cert_attr(si, &der) {
        Ok(None) | Ok(Some(true)) => Ok(()),
        Ok(Some(false)) => Err((
            SubIndication::FormatFailure,
            "the signing-certificate attribute names another certificate than the signer's".into(),
        )),
        Err(e) => Err((SubIndication::FormatFailure, e)),
    }
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

fn verify_one(
    ctx: &SigContext<'_>,
    sig: &SigDict,
    opts: &Options,
    now: DateTime<Utc>,
    (dss_certs, dss_crls): (&[X509], &[Vec<u8>]),
    ev: &mut revocation::Evidence,
) -> SignatureReport {
    let mut r = base_report(sig);
    let mut v = Verdict {
        first: None,
        problems: Vec::new(),
    };
    r.signing_time = sig.m.as_deref().and_then(pdf_date);

    // 1. The byte range and the gap (checked before the file was hashed).
    let rg = match &ctx.prelim.ranges {
        Ok(rg) => *rg,
        Err(m) => {
            v.fail(SubIndication::FormatFailure, m.clone());
            return finish(r, v);
        }
    };
    r.coverage = coverage::classify(ctx.src, &rg, ctx.revision_ends);
    let covered = Content::Covered(ctx);
    // Until the later revisions are analysed (at the end), nothing after the
    // signed bytes means no modification.
    r.modifications = if r.coverage == Coverage::EntireFile {
        Modifications::None
    } else {
        Modifications::Other
    };
    let Some(contents) = sig.contents.as_deref() else {
        v.fail(SubIndication::FormatFailure, "no /Contents");
        return finish(r, v);
    };

    // Document timestamps: the contents is an RFC 3161 token over the covered bytes.
    if sig.kind == Kind::DocumentTimestamp {
        let t = verify_token(contents, &covered, opts, (dss_certs, dss_crls), ev);
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
        after_coverage(ctx, sig, &mut r, &mut v);
        return finish(r, v);
    }

    // 2. The CMS structure.
    let known = [
        "adbe.pkcs7.detached",
        "ETSI.CAdES.detached",
        "adbe.pkcs7.sha1",
    ];
    if !known.contains(&sig.sub_filter.as_str()) {
        v.fail(
            SubIndication::FormatFailure,
            format!("unsupported /SubFilter {:?}", sig.sub_filter),
        );
        return finish(r, v);
    }
    let sd = match cms::parse(contents) {
        Ok(sd) => sd,
        Err(m) => {
            v.fail(SubIndication::FormatFailure, m);
            return finish(r, v);
        }
    };
    if sd.signers.len() != 1 {
        v.fail(
            SubIndication::FormatFailure,
            format!(
                "the signature holds {} signer infos; exactly one is required",
                sd.signers.len()
            ),
        );
        return finish(r, v);
    }
    let si = &sd.signers[0];
    let certs = cms_certs(&sd, dss_certs);
    let Some(signer) = find_signer_cert(&si.sid, &certs) else {
        v.fail(
            SubIndication::NoSigningCertificateFound,
            "no signing certificate found: the signature does not carry the certificate its signer info names, and the document's /DSS has none",
        );
        return finish(r, v);
    };
    r.signer = Some(describe_signer(&signer, &opts.trust.organisation_pins));
    if let (Some(t), _) = si.signed_attr(oid::SIGNING_TIME)
        && let Some(t) = cms::asn1_time(&t)
    {
        r.signing_time = Some(rfc3339(t));
    }

    // 3. Digest and signature value.
    let ec_holder: Vec<u8>;
    let signed: Content<'_> = if sig.sub_filter == "adbe.pkcs7.sha1" {
        // The signed content is the SHA-1 digest of the covered bytes, encapsulated.
        let Some(ec) = sd.econtent.clone() else {
            v.fail(
                SubIndication::FormatFailure,
                "adbe.pkcs7.sha1 without encapsulated content",
            );
            return finish(r, v);
        };
        let sha1 = cms::digest_for(oid::SHA1)
            .and_then(|d| covered.digest(&d).ok())
            .unwrap_or_default();
        if ec != sha1 {
            v.fail(
                SubIndication::HashFailure,
                "the encapsulated SHA-1 digest does not match the signed bytes",
            );
            return finish(r, v);
        }
        ec_holder = ec;
        Content::Bytes(vec![ec_holder.as_slice()])
    } else {
        if sd.econtent.is_some() {
            v.fail(
                SubIndication::FormatFailure,
                "a detached signature must not carry encapsulated content",
            );
            return finish(r, v);
        }
        Content::Covered(ctx)
    };
    if let Err((sub, m)) = check_signer_info(si, &signer, &signed, Some(oid::DATA)) {
        v.fail(sub, m);
        return finish(r, v);
    }

    // 4. Algorithm strength (and a legacy encoding of the digest noted).
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

    // 5. Signature timestamp: fixes the proven signing time.
    let mut best_time = now;
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

    // 6. Key usage and the certificate path.
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
    let path = chain::validate(&signer, &untrusted, &opts.trust.anchors, best_time, proven);
    r.chain = path.chain.iter().map(|c| chain::subject_line(c)).collect();
    for c in &path.chain {
        ev.cert(c);
    }
    if let Some((sub, m)) = path.failure {
        v.fail(sub, m);
    }
    // The CAs between the signer and the anchor must not have been revoked either.
    if path.chain.len() > 2 {
        for w in path.chain[1..].windows(2) {
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

    // 7. Revocation of the signer's certificate.
    if let Some(issuer) = path.chain.get(1) {
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
        match status_with(&signer, issuer, crls, ocsps, opts, best_time, ev) {
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
    } else if path.chain.len() == 1
        && opts
            .trust
            .anchors
            .iter()
            .any(|a| a.to_der().ok() == signer.to_der().ok())
    {
        // The signer is itself an anchor: nothing above it to ask.
        r.revocation = Revocation::Good;
    }
    after_coverage(ctx, sig, &mut r, &mut v);
    finish(r, v)
}

/// Judge what changed after the signature against what the signature
/// allows (ISO 32000-2 12.8.2.2): validation data and bookkeeping are
/// always allowed; a certification with DocMDP `/P 1` allows nothing else,
/// `/P 2` form filling and signing, `/P 3` also comments; an approval
/// signature or a document timestamp allows filling, signing and comments.
/// A FieldMDP lock forbids changing the fields it names and, with `/P 1`,
/// any further change. Allowed changes that alter what a person sees are
/// reported as warnings.
fn after_coverage(ctx: &SigContext<'_>, sig: &SigDict, r: &mut SignatureReport, v: &mut Verdict) {
    if let Ok(rg) = &ctx.prelim.ranges {
        let end = rg.end();
        if let Some(i) = ctx.revision_ends.iter().position(|e| *e == end) {
            r.revision = Some(i as u32 + 1);
            r.signed_bytes = Some(end);
        }
    }
    match r.coverage {
        Coverage::EntireFile => {
            r.modifications = Modifications::None;
            if r.revision.is_none()
                && let Ok(rg) = &ctx.prelim.ranges
            {
                r.revision = Some(ctx.revision_ends.len().max(1) as u32);
                r.signed_bytes = Some(rg.end());
            }
        }
        Coverage::Partial | Coverage::Unclear => {
            r.modifications = Modifications::Other;
            v.fail(
                SubIndication::FormatFailure,
                "the signature does not cover a complete revision of the file",
            );
        }
        Coverage::EntireRevision => {
            let Ok(rg) = &ctx.prelim.ranges else { return };
            let old = ctx.parsed.doc.revision_view(rg.end());
            let d = diff::analyse(&old, &ctx.parsed.doc, rg.end());
            let level = d.level.unwrap_or(Modifications::None);
            r.modifications = level;
            let mut allowed = match sig.docmdp_p {
                Some(1) => Modifications::LtaUpdates,
                Some(2) => Modifications::FormFilling,
                _ => Modifications::Annotations,
            };
            if sig.lock_p == Some(1) {
                allowed = Modifications::LtaUpdates;
            }
            let who = r
                .signer
                .as_ref()
                .and_then(|x| x.common_name.clone())
                .unwrap_or_else(|| sig.field.clone());
            let refuse = |v: &mut Verdict, message: String, vi: String| {
                if v.first.is_none() || v.first.map(|f| f.status()) == Some(Status::Indeterminate) {
                    v.first = Some(SubIndication::FormatFailure);
                }
                v.problems.push(Problem {
                    code: "MODIFIED_AFTER_SIGNING".into(),
                    message,
                    message_vi: Some(vi),
                });
            };
            if let Some(lock) = &sig.lock {
                for name in d
                    .changed_fields
                    .iter()
                    .filter(|n| lock.locks(n) && **n != sig.field)
                {
                    refuse(
                        v,
                        format!("field {name:?}, locked by the signature of {who}, was changed"),
                        format!(
                            "Trường {name:?} đã bị khóa bởi chữ ký của {who} nhưng bị thay đổi"
                        ),
                    );
                }
            }
            if level > allowed {
                for f in d.findings.iter().filter(|f| f.level > allowed) {
                    refuse(
                        v,
                        format!("{} (after the signature of {who})", f.what),
                        format!("{} (sau chữ ký của {who})", f.vi),
                    );
                }
            } else {
                for f in d.findings.iter().filter(|f| f.warn) {
                    r.warnings.push(report::Warning {
                        code: if f.level == Modifications::Annotations {
                            "ANNOTATION_CHANGED".into()
                        } else {
                            "FORM_FILLED".into()
                        },
                        message: format!("{} (after the signature of {who})", f.what),
                        message_vi: format!("{} (sau chữ ký của {who})", f.vi),
                        page: f.page,
                    });
                }
            }
        }
    }
}
