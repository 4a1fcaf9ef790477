//! Changes after signing (modification detection): what the later
//! revisions changed, as the `diff` analysis finds it, judged against what
//! the signature allows (DocMDP, FieldMDP); allowed changes that alter
//! what a person sees become warnings.

use super::{SigContext, Verdict};
use crate::diff;
use crate::pdf::SigDict;
use crate::report::{
    self, Coverage, Modifications, Problem, SignatureReport, Status, SubIndication,
};

/// Judge what changed after the signature against what the signature
/// allows (ISO 32000-2 12.8.2.2): validation data and bookkeeping are
/// always allowed; a certification with DocMDP `/P 1` allows nothing else,
/// `/P 2` form filling and signing, `/P 3` also comments; an approval
/// signature or a document timestamp allows filling, signing and comments.
/// A FieldMDP lock forbids changing the fields it names and, with `/P 1`,
/// any further change. Allowed changes that alter what a person sees are
/// reported as warnings.
pub fn after_coverage(
    ctx: &SigContext<'_>,
    sig: &SigDict,
    r: &mut SignatureReport,
    v: &mut Verdict,
) {
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
