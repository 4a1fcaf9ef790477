//! What a signature covers. `/ByteRange` must be exactly `[0 a b c]` with
//! `0 < a < b`, `b + c` within the file, and the gap `[a, b)` holding
//! exactly this dictionary's `/Contents` hex string; the signature
//! dictionary itself must lie in the signed bytes (else it is the
//! "signature wrapping" forgery). Anything else is a FORMAT_FAILURE.

use lopdf::Object;

use super::lex;
use super::pdf::{Parsed, SigDict};
use super::report::Coverage;

/// The two signed ranges of a well-formed `/ByteRange`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ranges {
    /// End of the first range (start of the gap).
    pub a: usize,
    /// Start of the second range (end of the gap).
    pub b: usize,
    /// Length of the second range.
    pub c: usize,
}

impl Ranges {
    /// Where the signed bytes end.
    pub fn end(&self) -> usize {
        self.b + self.c
    }
}

/// The checked coverage of one signature.
#[derive(Debug, Clone)]
pub struct Checked {
    /// The signed ranges.
    pub ranges: Ranges,
    /// Entire file, entire revision or partial.
    pub coverage: Coverage,
}

/// Parse `/ByteRange` strictly.
pub fn parse_byte_range(o: Option<&Object>, len: usize) -> Result<Ranges, String> {
    let arr = match o {
        None => return Err("the signature has no /ByteRange".into()),
        Some(Object::Array(a)) => a,
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
            Object::Integer(n) => v[i] = *n,
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
    if b.checked_add(c).is_none_or(|e| e > len as u64) {
        return Err(format!(
            "/ByteRange reaches beyond the end of the file ({len} bytes)"
        ));
    }
    Ok(Ranges {
        a: a as usize,
        b: b as usize,
        c: c as usize,
    })
}

fn hex_value(d: u8) -> Option<u8> {
    (d as char).to_digit(16).map(|v| v as u8)
}

/// Check a signature's byte range against the file and its dictionary.
pub fn check(data: &[u8], parsed: &Parsed, sig: &SigDict) -> Result<Checked, String> {
    let r = parse_byte_range(sig.byte_range.as_ref(), data.len())?;
    let contents = sig
        .contents
        .as_deref()
        .ok_or("the signature has no /Contents string")?;
    if contents.is_empty() || contents.iter().all(|b| *b == 0) {
        return Err("/Contents is empty or all zeros".into());
    }
    // The gap holds exactly one hex string, and it is this dictionary's /Contents.
    let gap = &data[r.a..r.b];
    if gap.first() != Some(&b'<') || gap.last() != Some(&b'>') || gap.len() < 2 {
        return Err(
            "the unsigned gap of /ByteRange is not exactly the /Contents hex string".into(),
        );
    }
    let hex = &gap[1..gap.len() - 1];
    if !hex.iter().all(u8::is_ascii_hexdigit) {
        return Err("the unsigned gap holds something other than hex digits".into());
    }
    let decoded: Vec<u8> = hex
        .chunks(2)
        .map(|p| {
            let hi = hex_value(p[0]).unwrap_or(0);
            let lo = p.get(1).and_then(|&x| hex_value(x)).unwrap_or(0);
            (hi << 4) | lo
        })
        .collect();
    if decoded != contents {
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
    let (vs, obj_end) = lex::object_at(data, offset, id.0, id.1)
        .map_err(|e| format!("cannot read the signature dictionary: {}", e.0))?;
    let (entries, _) = lex::dict_entries(data, vs)
        .map_err(|e| format!("cannot read the signature dictionary: {}", e.0))?;
    let contents_entries: Vec<_> = entries.iter().filter(|e| e.key == b"Contents").collect();
    let br_entries: Vec<_> = entries.iter().filter(|e| e.key == b"ByteRange").collect();
    if contents_entries.len() != 1 || br_entries.len() != 1 {
        return Err(
            "the signature dictionary must have exactly one /Contents and one /ByteRange".into(),
        );
    }
    let ce = contents_entries[0];
    if (ce.start, ce.end) != (r.a, r.b) {
        return Err(
            "the /ByteRange gap is not where this dictionary's /Contents is (signature wrapping)"
                .into(),
        );
    }
    if offset >= r.end() || obj_end > r.end() {
        return Err(
            "the signature dictionary lies outside the signed bytes (signature wrapping)".into(),
        );
    }
    let coverage = if r.end() == data.len() || data[r.end()..].iter().all(|b| lex::is_ws(*b)) {
        Coverage::EntireFile
    } else if parsed.revisions.contains(&r.end())
        || parsed.revisions.iter().any(|&e| {
            e > r.end() && data[r.end()..e].iter().all(|b| lex::is_ws(*b)) && e <= data.len()
        })
    {
        Coverage::EntireRevision
    } else {
        Coverage::Partial
    };
    Ok(Checked {
        ranges: r,
        coverage,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arr(v: &[i64]) -> Object {
        Object::Array(v.iter().map(|n| Object::Integer(*n)).collect())
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
        assert!(parse_byte_range(Some(&Object::Null), 50).is_err());
        assert!(parse_byte_range(None, 50).is_err());
        let reals = Object::Array(vec![
            Object::Integer(0),
            Object::Real(10.0),
            Object::Integer(20),
            Object::Integer(30),
        ]);
        assert!(parse_byte_range(Some(&reals), 50).is_err());
    }
}
