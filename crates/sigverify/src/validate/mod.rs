//! One signature's validation, one function per ETSI EN 319 102-1 building
//! block, run in order by [`verify_one`]: format checking (the byte range,
//! the gap, the CMS structure), identification of the signing certificate,
//! cryptographic verification, signature acceptance (algorithm strength),
//! timestamp validation (the proven signing time), X.509 validation of the
//! certificate path, revocation, and the changes made after signing.

mod cert_path;
mod changes;
mod constraints;
mod crypto;
mod format;
mod identify;
mod plan;
mod revocation_status;
mod timestamp;

use chrono::{DateTime, Utc};
use openssl::x509::X509;

pub use self::plan::{Prelim, plan};
use crate::Options;
use crate::cms::{SignedData, SignerInfo};
use crate::dates::pdf_date;
use crate::pdf::{Parsed, SigDict};
use crate::report::{
    Coverage, Indication, Kind, Modifications, Problem, Revocation, SignatureReport, Status,
    SubIndication,
};
use crate::revocation;
use crate::source::Source;

/// Everything one signature's verification reads.
pub struct SigContext<'a> {
    /// The file.
    pub src: &'a dyn Source,
    /// Its structure.
    pub parsed: &'a Parsed<'a>,
    /// What was known about this signature before the file was hashed.
    pub prelim: &'a Prelim,
    /// The digests of this signature's signed bytes, by digest name.
    pub digests: &'a std::collections::HashMap<&'static str, Vec<u8>>,
    /// Where each revision of the file ends.
    pub revision_ends: &'a [u64],
    /// The caller's options.
    pub opts: &'a Options,
    /// The validation time.
    pub now: DateTime<Utc>,
    /// The certificates of the document's `/DSS`.
    pub dss_certs: &'a [X509],
    /// The CRLs (DER) of the document's `/DSS`.
    pub dss_crls: &'a [Vec<u8>],
}

/// A CMS signature past format checking and the identification of its
/// signing certificate: what the later building blocks examine.
struct CmsSignature<'a> {
    /// The SignedData, with exactly one SignerInfo.
    sd: SignedData<'a>,
    /// The certificates at hand: the signature's, then the document's `/DSS`.
    certs: Vec<X509>,
    /// The signer's certificate.
    signer: X509,
}

impl<'a> CmsSignature<'a> {
    /// The one SignerInfo.
    fn si(&self) -> &SignerInfo<'a> {
        &self.sd.signers[0]
    }
}

/// The time a signature is judged at: its signature timestamp's when a
/// valid one proves it, else the validation time.
#[derive(Debug, Clone, Copy)]
struct ProvenTime {
    /// The best signing time known.
    at: DateTime<Utc>,
    /// Whether a timestamp proves it.
    proven: bool,
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

/// Validate one signature, building block by building block: each adds its
/// findings to the verdict, and a failure that leaves nothing further to
/// check ends the validation there.
pub fn verify_one(
    ctx: &SigContext<'_>,
    sig: &SigDict,
    ev: &mut revocation::Evidence,
) -> SignatureReport {
    let mut r = base_report(sig);
    let mut v = Verdict {
        first: None,
        problems: Vec::new(),
    };
    r.signing_time = sig.m.as_deref().and_then(pdf_date);

    // 1. The byte range and the gap (checked before the file was hashed).
    let Some(contents) = format::coverage(ctx, sig, &mut r, &mut v) else {
        return finish(r, v);
    };

    // Document timestamps: the contents is an RFC 3161 token over the covered bytes.
    if sig.kind == Kind::DocumentTimestamp {
        timestamp::document_timestamp(ctx, contents, ev, &mut r, &mut v);
        changes::after_coverage(ctx, sig, &mut r, &mut v);
        return finish(r, v);
    }

    // 2. The CMS structure, and the signer's certificate.
    let Some(sd) = format::cms_structure(sig, contents, &mut v) else {
        return finish(r, v);
    };
    let Some(c) = identify::signer(ctx, sd, &mut r, &mut v) else {
        return finish(r, v);
    };

    // 3. Digest and signature value.
    if !crypto::signature_value(ctx, sig, &c, &mut v) {
        return finish(r, v);
    }

    // 4. Algorithm strength (and a legacy encoding of the digest noted).
    constraints::algorithms(ctx, &c, &mut v);

    // 5. Signature timestamp: fixes the proven signing time.
    let t = timestamp::signature_timestamp(ctx, &c, ev, &mut r, &mut v);
    timestamp::claimed_time(t, &mut r, &mut v);

    // 6. Key usage and the certificate path, and the CAs on it.
    let path = cert_path::signer_path(ctx, &c, t, ev, &mut r, &mut v);
    revocation_status::issuing_cas(ctx, &path, t.at, ev, &mut v);

    // 7. Revocation of the signer's certificate.
    revocation_status::signer(ctx, &c, &path, t, ev, &mut r, &mut v);

    // 8. What changed after the signature.
    changes::after_coverage(ctx, sig, &mut r, &mut v);
    finish(r, v)
}
