//! The document as a whole: one digest pass planned for all its
//! signatures, the report of a file whose structure does not read, and
//! the file's verdict from its signatures'.

use chrono::Utc;

use crate::Options;
use crate::budget::{self, Budget};
use crate::dates::rfc3339;
use crate::digest;
use crate::pdf::Malformed;
use crate::report::{Decree30, Indication, Problem, Report, SignerRole, Status};
use crate::validate::Prelim;

/// The report of a file that could not be read at all.
pub fn malformed_report(file: &str, size: u64, opts: &Options, why: String) -> Report {
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

/// For each signature, the digests it needs: their names and job numbers.
pub type DigestsOf = Vec<Vec<(&'static str, usize)>>;

/// The digest jobs of every signature, for one pass over the file.
pub fn digest_jobs(prelims: &[Prelim]) -> (Vec<digest::Job>, DigestsOf) {
    let mut jobs = Vec::new();
    let mut job_of: Vec<Vec<(&'static str, usize)>> = Vec::new();
    for p in prelims {
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
    (jobs, job_of)
}

/// Complete the report of a file whose structure could not be read: out
/// of budget (the clock, the caller or the file to blame) or malformed.
pub fn unreadable(report: &mut Report, budget: &Budget, e: Malformed, opts: &Options) {
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
}

/// The file's verdict from its signatures': none valid when the budget ran
/// out, the Decree 30 roles of the valid ones, and the overall status.
pub fn conclude(report: &mut Report, budget: &Budget, opts: &Options) {
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
