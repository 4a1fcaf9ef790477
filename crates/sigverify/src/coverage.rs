//! What a signature covers. `/ByteRange` must be exactly `[0 a b c]` with
//! `0 < a < b`, `b + c` within the file, and the gap `[a, b)` holding
//! exactly this dictionary's `/Contents` hex string; the signature
//! dictionary itself must lie in the signed bytes (else it is the
//! "signature wrapping" forgery). Anything else is a FORMAT_FAILURE.

use super::lex;
use super::obj::Obj;
use super::pdf::{Parsed, SigDict};
use super::report::Coverage;
use super::source::Source;

/// Largest `/Contents` gap accepted (a CMS with chain, revocation data and timestamps fits easily).
pub const MAX_GAP: u64 = 8 << 20;

/// The two signed ranges of a well-formed `/ByteRange`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ranges {
    /// End of the first range (start of the gap).
    pub a: u64,
    /// Start of the second range (end of the gap).
    pub b: u64,
    /// Length of the second range.
    pub c: u64,
}

impl Ranges {
    /// Where the signed bytes end.
    pub fn end(&self) -> u64 {
        self.b + self.c
    }
    /// The signed ranges as (start, end) pairs.
    pub fn spans(&self) -> [(u64, u64); 2] {
        [(0, self.a), (self.b, self.end())]
    }
}

/// Parse `/ByteRange` strictly.
pub fn parse_byte_range(o: Option<&Obj>, len: u64) -> Result<Ranges, String> {
    let arr = match o {
        None => return Err("the signature has no /ByteRange".into()),
        Some(Obj::Array(a)) => a,
        Some(_) => return Err("/ByteRange is not an array".into()),
    };
    if arr.len() != 4 {
        return Err(format!(
            "/ByteRange has {} numbers; exactly 4 are required",
            arr.len()
        ));
    }
    let mut v = [0i64; 4];
    for (i, o) in arr.iter().enumerate() {
        match o {
            Obj::Int(n) => v[i] = *n,
            _ => return Err("/ByteRange holds something other than integers".into()),
        }
    }
    if v.iter().any(|n| *n < 0) {
        return Err("/ByteRange has a negative number".into());
    }
    let [s, a, b, c] = v.map(|n| n as u64);
    if s != 0 {
        return Err("/ByteRange does not start at byte 0".into());
    }
    if a == 0 || b <= a {
        return Err("/ByteRange does not leave a gap for the signature".into());
    }
    if b.checked_add(c).is_none_or(|e| e > len) {
        return Err(format!(
            "/ByteRange reaches beyond the end of the file ({len} bytes)"
        ));
    }
    Ok(Ranges { a, b, c })
}

/// Check a signature's byte range against the file and its dictionary.
pub fn check(src: &dyn Source, parsed: &Parsed<'_>, sig: &SigDict) -> Result<Ranges, String> {
    let r = parse_byte_range(sig.byte_range.as_ref(), src.len())?;
    let contents = sig
        .contents
        .as_deref()
        .ok_or("the signature has no /Contents string")?;
    if contents.is_empty() || contents.iter().all(|b| *b == 0) {
        return Err("/Contents is empty or all zeros".into());
    }
    if r.b - r.a > MAX_GAP {
        return Err("the /ByteRange gap is implausibly large".into());
    }
    // The gap holds exactly one hex string, and it is this dictionary's /Contents.
    let gap = src
        .read_vec(r.a, (r.b - r.a) as usize)
        .map_err(|e| e.to_string())?;
    if gap.len() < 2 || gap.first() != Some(&b'<') || gap.last() != Some(&b'>') {
        return Err(
            "the unsigned gap of /ByteRange is not exactly the /Contents hex string".into(),
        );
    }
    let hex = &gap[1..gap.len() - 1];
    if !lex::all_hex(hex) {
        return Err("the unsigned gap holds something other than hex digits".into());
    }
    // The gap's hex must be this dictionary's /Contents; that the dictionary's
    // /Contents value sits exactly at the gap is checked below, so its
    // decoded length is enough here.
    if hex.len().div_ceil(2) != contents.len() {
        return Err("the unsigned gap does not hold this signature's /Contents".into());
    }
    // The dictionary itself must be stored in the signed bytes, with its
    // /Contents value exactly at the gap (not a copy placed elsewhere).
    let id = sig
        .id
        .ok_or("the signature dictionary is not an indirect object")?;
    let offset = parsed.offset_of(id).ok_or(
        "the signature dictionary is not stored as a plain object (it is compressed or missing)",
    )?;
    if offset >= r.end() || offset > r.a {
        return Err(
            "the signature dictionary lies outside the signed bytes (signature wrapping)".into(),
        );
    }
    let window = src
        .read_vec(offset, (r.b - offset) as usize + 64 * 1024)
        .map_err(|e| e.to_string())?;
    let (vs, obj_end) = lex::object_at(&window, 0, id.0, id.1)
        .map_err(|e| format!("cannot read the signature dictionary: {}", e.0))?;
    let (entries, _) = lex::dict_entries(&window, vs)
        .map_err(|e| format!("cannot read the signature dictionary: {}", e.0))?;
    let count = |k: &[u8]| entries.iter().filter(|e| e.key == k).count();
    if count(b"Contents") != 1 || count(b"ByteRange") != 1 {
        return Err(
            "the signature dictionary must have exactly one /Contents and one /ByteRange".into(),
        );
    }
    let ce = entries
        .iter()
        .find(|e| e.key == b"Contents")
        .ok_or("no /Contents")?;
    if (offset + ce.start as u64, offset + ce.end as u64) != (r.a, r.b) {
        return Err(
            "the /ByteRange gap is not where this dictionary's /Contents is (signature wrapping)"
                .into(),
        );
    }
    if offset + obj_end as u64 > r.end() {
        return Err(
            "the signature dictionary lies outside the signed bytes (signature wrapping)".into(),
        );
    }
    Ok(r)
}

/// Entire file, entire revision or partial, given where each revision ends.
pub fn classify(src: &dyn Source, r: &Ranges, revision_ends: &[u64]) -> Coverage {
    let len = src.len();
    let end = r.end();
    let tail = src.read_vec(end, 4096).unwrap_or_default();
    let ws = |b: &[u8]| b.iter().all(|x| lex::is_ws(*x));
    if end == len || (len - end <= 4096 && ws(&tail)) {
        return Coverage::EntireFile;
    }
    if revision_ends
        .iter()
        .any(|&e| e >= end && e - end <= 4 && ws(&tail[..(e - end) as usize]))
    {
        Coverage::EntireRevision
    } else {
        Coverage::Partial
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arr(v: &[i64]) -> Obj {
        Obj::Array(v.iter().map(|n| Obj::Int(*n)).collect())
    }

    #[test]
    fn byte_range_must_be_four_nonnegative_integers_starting_at_zero() {
        assert!(parse_byte_range(Some(&arr(&[0, 10, 20, 30])), 50).is_ok());
        assert!(parse_byte_range(Some(&arr(&[0, 10, 20, 31])), 50).is_err());
        assert!(parse_byte_range(Some(&arr(&[0, 10, 20])), 50).is_err());
        assert!(parse_byte_range(Some(&arr(&[1, 10, 20, 30])), 50).is_err());
        assert!(parse_byte_range(Some(&arr(&[0, 20, 10, 5])), 50).is_err());
        assert!(parse_byte_range(Some(&arr(&[0, -1, 20, 5])), 50).is_err());
        assert!(parse_byte_range(Some(&arr(&[0, 10, i64::MAX, i64::MAX])), 50).is_err());
        assert!(parse_byte_range(Some(&Obj::Null), 50).is_err());
        assert!(parse_byte_range(None, 50).is_err());
        let reals = Obj::Array(vec![
            Obj::Int(0),
            Obj::Real(10.0),
            Obj::Int(20),
            Obj::Int(30),
        ]);
        assert!(parse_byte_range(Some(&reals), 50).is_err());
    }
}
