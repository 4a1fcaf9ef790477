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
mod dates;
mod diff;
mod digest;
mod document;
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
mod validate;
mod xref;

pub use self::budget::{Cancel, Limits};
pub use self::chain::subject_line;
pub use self::cms::{hash_parts, oid};
pub use self::dates::pdf_date;
pub use self::pdf::revision_ends;
pub use self::revocation::{Evidence, Fetch};
pub use self::signer::classify;
pub use self::source::{FileSource, Source};
pub use self::trust::{TrustStore, VIETNAM_ROOTS, fingerprint};

use chrono::{DateTime, Utc};
use openssl::x509::X509;

use self::dates::rfc3339;
use self::pdf::Parsed;
use self::report::{Decree30, Report, Status};
use self::validate::{Prelim, SigContext, plan, verify_one};

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
            document::malformed_report(file, data.len() as u64, opts, format!("read error: {e}")),
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
    let (jobs, job_of) = document::digest_jobs(&prelims);
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
            document::unreadable(&mut report, &budget, e, opts);
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
            opts,
            now,
            dss_certs: &dss_certs,
            dss_crls: &dss_crls,
        };
        let r = verify_one(&ctx, sig, ev);
        report.signatures.push(r);
    }
    document::conclude(&mut report, &budget, opts);
    Ok(report)
}
