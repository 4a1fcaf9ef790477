//! What a signature needs before the file is hashed: its byte ranges,
//! checked, and the digest algorithms its checks will ask for, so that one
//! pass over the file computes every digest of every signature.

use super::timestamp::tst_info;
use crate::cms::{self, oid};
use crate::coverage;
use crate::pdf::{Parsed, SigDict};
use crate::report::Kind;
use crate::source::Source;

/// What is known about a signature before the file is hashed.
pub struct Prelim {
    /// The signed byte ranges, or why they are not acceptable.
    pub ranges: Result<coverage::Ranges, String>,
    /// The digests the signature's checks will ask for.
    pub algs: Vec<cms::Digest>,
}

/// Check a signature's byte ranges and name the digests it will need.
pub fn plan(src: &dyn Source, parsed: &Parsed<'_>, sig: &SigDict) -> Prelim {
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
