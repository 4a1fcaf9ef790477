//! A minimal, bounded PDF lexer over raw bytes: enough to find where an
//! object's dictionary keys and values sit in the file, which the object
//! model of a PDF library does not tell. Every step is bounds-checked; no
//! input makes it panic or recurse without limit.

/// Deepest nesting of arrays and dictionaries accepted.
pub const MAX_DEPTH: usize = 64;

/// Why a scan stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LexError(pub String);

type R<T> = Result<T, LexError>;

fn err<T>(msg: &str, pos: usize) -> R<T> {
    Err(LexError(format!("{msg} at byte {pos}")))
}

/// Value of a hex digit, 0xFF for anything else.
const HEX: [u8; 256] = {
    let mut t = [0xFFu8; 256];
    let mut i = 0;
    while i < 10 {
        t[b'0' as usize + i] = i as u8;
        i += 1;
    }
    let mut i = 0;
    while i < 6 {
        t[b'a' as usize + i] = 10 + i as u8;
        t[b'A' as usize + i] = 10 + i as u8;
        i += 1;
    }
    t
};

/// Decode hex digits (PDF whitespace between them allowed; an odd last digit
/// is padded with 0). None when anything else appears.
pub fn hex_decode(hex: &[u8]) -> Option<Vec<u8>> {
    // Fast path: an even number of hex digits and nothing else. A signature's
    // /Contents is mostly zero padding: those bytes are filled, not decoded.
    if hex.len().is_multiple_of(2) {
        let used = hex
            .iter()
            .rposition(|&c| c != b'0')
            .map_or(0, |p| p + 1)
            .div_ceil(2)
            * 2;
        let mut bad = 0u8;
        let mut out: Vec<u8> = hex[..used]
            .chunks_exact(2)
            .map(|p| {
                let (h, l) = (HEX[p[0] as usize], HEX[p[1] as usize]);
                bad |= h | l;
                (h << 4) | (l & 0x0F)
            })
            .collect();
        if bad & 0xF0 == 0 {
            out.resize(hex.len() / 2, 0);
            return Some(out);
        }
    }
    let mut out = Vec::with_capacity(hex.len() / 2 + 1);
    let mut hi: Option<u8> = None;
    for &c in hex {
        let v = HEX[c as usize];
        if v == 0xFF {
            if is_ws(c) {
                continue;
            }
            return None;
        }
        match hi.take() {
            None => hi = Some(v),
            Some(h) => out.push((h << 4) | v),
        }
    }
    if let Some(h) = hi {
        out.push(h << 4);
    }
    Some(out)
}

/// Whether every byte is a hex digit.
pub fn all_hex(b: &[u8]) -> bool {
    b.iter().fold(0u8, |acc, &c| acc | HEX[c as usize]) & 0xF0 == 0
}

/// PDF whitespace (ISO 32000-1 7.2.2).
pub fn is_ws(b: u8) -> bool {
    matches!(b, 0 | 9 | 10 | 12 | 13 | 32)
}

/// PDF delimiters.
pub fn is_delim(b: u8) -> bool {
    matches!(
        b,
        b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%'
    )
}

/// Skip whitespace and comments.
pub fn skip_ws(d: &[u8], mut p: usize) -> usize {
    while let Some(&b) = d.get(p) {
        if is_ws(b) {
            p += 1;
        } else if b == b'%' {
            while let Some(&c) = d.get(p) {
                if c == b'\n' || c == b'\r' {
                    break;
                }
                p += 1;
            }
        } else {
            break;
        }
    }
    p
}

/// End of a regular token (a name body, number or keyword) starting at `p`.
fn token_end(d: &[u8], mut p: usize) -> usize {
    while let Some(&b) = d.get(p) {
        if is_ws(b) || is_delim(b) {
            break;
        }
        p += 1;
    }
    p
}

/// A value's kind and span.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tok {
    /// `<<…>>`
    Dict,
    /// `[…]`
    Array,
    /// `(…)`
    LiteralString,
    /// `<…>`
    HexString,
    /// `/Name`
    Name,
    /// A number, `true`, `false`, `null`, or an indirect reference `n g R`.
    Other,
}

/// Skip the value starting at or after `p`; return its kind, start and end.
pub fn value(d: &[u8], p: usize, depth: usize) -> R<(Tok, usize, usize)> {
    if depth > MAX_DEPTH {
        return err("nesting too deep", p);
    }
    let s = skip_ws(d, p);
    let Some(&b) = d.get(s) else {
        return err("unexpected end of file", s);
    };
    match b {
        b'<' if d.get(s + 1) == Some(&b'<') => {
            let e = dict_end(d, s, depth)?;
            Ok((Tok::Dict, s, e))
        }
        b'<' => {
            let Some(k) = memchr::memchr(b'>', &d[s + 1..]) else {
                return err("unterminated hex string", s);
            };
            let body = &d[s + 1..s + 1 + k];
            if !all_hex(body) && !body.iter().all(|&c| HEX[c as usize] != 0xFF || is_ws(c)) {
                return err("bad hex string", s);
            }
            Ok((Tok::HexString, s, s + k + 2))
        }
        b'(' => {
            let mut q = s + 1;
            let mut level = 1usize;
            while let Some(&c) = d.get(q) {
                match c {
                    b'\\' => q += 1,
                    b'(' => level += 1,
                    b')' => {
                        level -= 1;
                        if level == 0 {
                            return Ok((Tok::LiteralString, s, q + 1));
                        }
                    }
                    _ => {}
                }
                q += 1;
            }
            err("unterminated string", s)
        }
        b'[' => {
            let mut q = s + 1;
            loop {
                q = skip_ws(d, q);
                match d.get(q) {
                    None => return err("unterminated array", s),
                    Some(b']') => return Ok((Tok::Array, s, q + 1)),
                    Some(_) => q = value(d, q, depth + 1)?.2,
                }
            }
        }
        b'/' => Ok((Tok::Name, s, token_end(d, s + 1))),
        _ if is_delim(b) => err("unexpected delimiter", s),
        _ => {
            let e = token_end(d, s);
            if e == s {
                return err("empty token", s);
            }
            // An indirect reference: integer, integer, `R`.
            if d[s..e].iter().all(u8::is_ascii_digit) {
                let s2 = skip_ws(d, e);
                let e2 = token_end(d, s2);
                if e2 > s2 && d[s2..e2].iter().all(u8::is_ascii_digit) {
                    let s3 = skip_ws(d, e2);
                    if d.get(s3) == Some(&b'R')
                        && d.get(s3 + 1).is_none_or(|&c| is_ws(c) || is_delim(c))
                    {
                        return Ok((Tok::Other, s, s3 + 1));
                    }
                }
            }
            Ok((Tok::Other, s, e))
        }
    }
}

/// End of the dictionary starting with `<<` at `s`.
fn dict_end(d: &[u8], s: usize, depth: usize) -> R<usize> {
    let mut q = s + 2;
    loop {
        q = skip_ws(d, q);
        match (d.get(q), d.get(q + 1)) {
            (None, _) => return err("unterminated dictionary", s),
            (Some(b'>'), Some(b'>')) => return Ok(q + 2),
            (Some(b'/'), _) => {
                q = token_end(d, q + 1);
                q = value(d, q, depth + 1)?.2;
            }
            _ => return err("dictionary key is not a name", q),
        }
    }
}

/// One top-level entry of a dictionary: key (without `/`), value kind and span.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Key bytes.
    pub key: Vec<u8>,
    /// Value kind.
    pub tok: Tok,
    /// Value start.
    pub start: usize,
    /// Value end (exclusive).
    pub end: usize,
}

/// The top-level entries of the dictionary starting at `s` (`<<`), and its end.
pub fn dict_entries(d: &[u8], s: usize) -> R<(Vec<Entry>, usize)> {
    let s = skip_ws(d, s);
    if d.get(s) != Some(&b'<') || d.get(s + 1) != Some(&b'<') {
        return err("expected a dictionary", s);
    }
    let mut out = Vec::new();
    let mut q = s + 2;
    loop {
        q = skip_ws(d, q);
        match (d.get(q), d.get(q + 1)) {
            (None, _) => return err("unterminated dictionary", s),
            (Some(b'>'), Some(b'>')) => return Ok((out, q + 2)),
            (Some(b'/'), _) => {
                let ke = token_end(d, q + 1);
                let key = d[q + 1..ke].to_vec();
                let (tok, vs, ve) = value(d, ke, 1)?;
                out.push(Entry {
                    key,
                    tok,
                    start: vs,
                    end: ve,
                });
                q = ve;
                if out.len() > 10_000 {
                    return err("too many dictionary entries", q);
                }
            }
            _ => return err("dictionary key is not a name", q),
        }
    }
}

/// The span of indirect object `num gen obj … endobj` whose header starts at
/// `offset`: returns where its value starts and where `endobj` ends.
pub fn object_at(d: &[u8], offset: usize, num: u32, gen_: u16) -> R<(usize, usize)> {
    let s = skip_ws(d, offset);
    let e = token_end(d, s);
    if d.get(s..e) != Some(num.to_string().as_bytes()) {
        return err("object number does not match the cross-reference entry", s);
    }
    let s2 = skip_ws(d, e);
    let e2 = token_end(d, s2);
    if d.get(s2..e2) != Some(gen_.to_string().as_bytes()) {
        return err("generation does not match the cross-reference entry", s2);
    }
    let s3 = skip_ws(d, e2);
    if d.get(s3..s3 + 3) != Some(b"obj") {
        return err("missing 'obj'", s3);
    }
    let (_, vs, ve) = value(d, s3 + 3, 0)?;
    let k = skip_ws(d, ve);
    if d.get(k..k + 6) != Some(b"endobj") {
        return err("missing 'endobj'", k);
    }
    Ok((vs, k + 6))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_decoding() {
        assert_eq!(hex_decode(b"00ff10").as_deref(), Some(&[0u8, 255, 16][..]));
        assert_eq!(
            hex_decode(b"ab00000000").as_deref(),
            Some(&[0xabu8, 0, 0, 0, 0][..])
        );
        assert_eq!(hex_decode(b"a bxc").as_deref(), None);
        assert_eq!(hex_decode(b"a b c").as_deref(), Some(&[0xabu8, 0xc0][..]));
        assert_eq!(hex_decode(b"0000").as_deref(), Some(&[0u8, 0][..]));
        assert!(hex_decode(b"zz").is_none());
        assert!(all_hex(b"09afAF") && !all_hex(b"0g"));
    }

    #[test]
    fn finds_entries_and_spans() {
        let d = b"7 0 obj\n<</Type/Sig /ByteRange [0 10 20 30] /Contents <00ff>\n/M (D:2025\\)x) /Ref 3 0 R /N<</A[1]>>>>\nendobj";
        let (vs, end) = object_at(d, 0, 7, 0).expect("object");
        assert_eq!(&d[end - 6..end], b"endobj");
        let (entries, _) = dict_entries(d, vs).expect("dict");
        let keys: Vec<&[u8]> = entries.iter().map(|e| e.key.as_slice()).collect();
        assert_eq!(
            keys,
            [&b"Type"[..], b"ByteRange", b"Contents", b"M", b"Ref", b"N"]
        );
        let c = &entries[2];
        assert_eq!(
            (c.tok, &d[c.start..c.end]),
            (Tok::HexString, &b"<00ff>"[..])
        );
        let r = &entries[4];
        assert_eq!(&d[r.start..r.end], b"3 0 R");
    }

    #[test]
    fn hostile_input_errors_without_panic() {
        for d in [
            &b"<<"[..],
            b"<</A [[[[",
            b"<</A (unterminated",
            b"<</A <zz>>>",
            b"<<1 2>>",
            b"",
        ] {
            assert!(dict_entries(d, 0).is_err());
        }
        let deep = "[".repeat(10_000);
        assert!(value(deep.as_bytes(), 0, 0).is_err());
    }
}
