//! Format checking (ETSI EN 319 102-1 5.2.2): the byte range and the gap
//! around `/Contents` (checked before the file was hashed), a known
//! `/SubFilter`, and a CMS SignedData with exactly one signer.

use super::{SigContext, Verdict};
use crate::cms::{self, SignedData};
use crate::coverage;
use crate::pdf::SigDict;
use crate::report::{Coverage, Modifications, SignatureReport, SubIndication};

/// The signature's coverage, from its checked byte ranges; its `/Contents`
/// (None: a format failure ends the validation).
pub fn coverage<'s>(
    ctx: &SigContext<'_>,
    sig: &'s SigDict,
    r: &mut SignatureReport,
    v: &mut Verdict,
) -> Option<&'s [u8]> {
    let rg = match &ctx.prelim.ranges {
        Ok(rg) => *rg,
        Err(m) => {
            v.fail(SubIndication::FormatFailure, m.clone());
            return None;
        }
    };
    r.coverage = coverage::classify(ctx.src, &rg, ctx.revision_ends);
    // Until the later revisions are analysed (at the end), nothing after the
    // signed bytes means no modification.
    r.modifications = if r.coverage == Coverage::EntireFile {
        Modifications::None
    } else {
        Modifications::Other
    };
    let Some(contents) = sig.contents.as_deref() else {
        v.fail(SubIndication::FormatFailure, "no /Contents");
        return None;
    };
    Some(contents)
}

/// The CMS structure of a signature's `/Contents` (None: a format failure
/// ends the validation).
pub fn cms_structure<'c>(
    sig: &SigDict,
    contents: &'c [u8],
    v: &mut Verdict,
) -> Option<SignedData<'c>> {
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
        return None;
    }
    let sd = match cms::parse(contents) {
        Ok(sd) => sd,
        Err(m) => {
            v.fail(SubIndication::FormatFailure, m);
            return None;
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
        return None;
    }
    Some(sd)
}
