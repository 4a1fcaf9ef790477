//! PDF objects (ISO 32000-1 7.3) parsed from raw bytes, bounded in depth
//! and size. Streams are not read here: only where their data starts.

use super::lex::{self, is_delim, is_ws};

/// An object.
#[derive(Debug, Clone, PartialEq)]
pub enum Obj {
    /// `null`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A real number.
    Real(f64),
    /// A name, without `/`, `#xx` escapes decoded.
    Name(Vec<u8>),
    /// A string's bytes (literal escapes or hex decoded).
    Str(Vec<u8>),
    /// An array.
    Array(Vec<Obj>),
    /// A dictionary (keys in order).
    Dict(Dict),
    /// An indirect reference.
    Ref(u32, u16),
    /// A stream: its dictionary and where its data starts in the file.
    Stream(Dict, u64),
}

/// A dictionary.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Dict(pub Vec<(Vec<u8>, Obj)>);

impl Dict {
    /// The value of `key`.
    pub fn get(&self, key: &[u8]) -> Option<&Obj> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }
    /// The name value of `key`.
    pub fn name(&self, key: &[u8]) -> Option<&[u8]> {
        match self.get(key) {
            Some(Obj::Name(n)) => Some(n),
            _ => None,
        }
    }
    /// The integer value of `key`.
    pub fn int(&self, key: &[u8]) -> Option<i64> {
        match self.get(key) {
            Some(Obj::Int(n)) => Some(*n),
            _ => None,
        }
    }
}

/// A parse failure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError(pub String);

type R<T> = Result<T, ParseError>;

fn err<T>(m: &str, p: usize) -> R<T> {
    Err(ParseError(format!("{m} at offset {p}")))
}

/// Most elements in one array or dictionary.
const MAX_ITEMS: usize = 1_000_000;

fn token_end(d: &[u8], mut p: usize) -> usize {
    while let Some(&b) = d.get(p) {
        if is_ws(b) || is_delim(b) {
            break;
        }
        p += 1;
    }
    p
}

/// Parse one object at `p` in `d` (whose first byte is at file offset
/// `base`); return it and the position after it.
pub fn parse(d: &[u8], p: usize, base: u64, depth: usize) -> R<(Obj, usize)> {
    if depth > lex::MAX_DEPTH {
        return err("nesting too deep", p);
    }
    let s = lex::skip_ws(d, p);
    let Some(&b) = d.get(s) else {
        return err("unexpected end", s);
    };
    match b {
        b'<' if d.get(s + 1) == Some(&b'<') => dict_or_stream(d, s, base, depth),
        b'<' => {
            let Some(k) = memchr::memchr(b'>', &d[s + 1..]) else {
                return err("unterminated hex string", s);
            };
            let bytes = lex::hex_decode(&d[s + 1..s + 1 + k])
                .ok_or_else(|| ParseError(format!("bad hex string at offset {s}")))?;
            Ok((Obj::Str(bytes), s + k + 2))
        }
        b'(' => {
            let (bytes, e) = literal(d, s)?;
            Ok((Obj::Str(bytes), e))
        }
        b'[' => array(d, s, base, depth),
        b'/' => {
            let e = token_end(d, s + 1);
            Ok((Obj::Name(name_bytes(&d[s + 1..e])), e))
        }
        _ if is_delim(b) => err("unexpected delimiter", s),
        _ => keyword_or_number(d, s),
    }
}

/// The dictionary starting at `s` (`<<`), or the stream it begins.
fn dict_or_stream(d: &[u8], s: usize, base: u64, depth: usize) -> R<(Obj, usize)> {
    let mut q = s + 2;
    let mut items = Vec::new();
    loop {
        q = lex::skip_ws(d, q);
        match (d.get(q), d.get(q + 1)) {
            (Some(b'>'), Some(b'>')) => {
                q += 2;
                break;
            }
            (Some(b'/'), _) => {
                let ke = token_end(d, q + 1);
                let key = name_bytes(&d[q + 1..ke]);
                let (v, e) = parse(d, ke, base, depth + 1)?;
                items.push((key, v));
                if items.len() > MAX_ITEMS {
                    return err("dictionary too large", q);
                }
                q = e;
            }
            (None, _) => return err("unterminated dictionary", s),
            _ => return err("dictionary key is not a name", q),
        }
    }
    let dict = Dict(items);
    // A stream follows its dictionary: `stream` EOL data.
    let k = lex::skip_ws(d, q);
    if d.get(k..k + 6) == Some(b"stream") {
        let mut data = k + 6;
        if d.get(data) == Some(&b'\r') {
            data += 1;
        }
        if d.get(data) == Some(&b'\n') {
            data += 1;
        }
        return Ok((Obj::Stream(dict, base + data as u64), data));
    }
    Ok((Obj::Dict(dict), q))
}

/// The array starting at `s` (`[`).
fn array(d: &[u8], s: usize, base: u64, depth: usize) -> R<(Obj, usize)> {
    let mut q = s + 1;
    let mut items = Vec::new();
    loop {
        q = lex::skip_ws(d, q);
        match d.get(q) {
            None => return err("unterminated array", s),
            Some(b']') => return Ok((Obj::Array(items), q + 1)),
            Some(_) => {
                let (v, e) = parse(d, q, base, depth + 1)?;
                items.push(v);
                if items.len() > MAX_ITEMS {
                    return err("array too large", q);
                }
                q = e;
            }
        }
    }
}

/// The token at `s`: `true`, `false`, `null`, a reference `n g R`, an
/// integer or a real.
fn keyword_or_number(d: &[u8], s: usize) -> R<(Obj, usize)> {
    let e = token_end(d, s);
    let tok = &d[s..e];
    match tok {
        b"true" => return Ok((Obj::Bool(true), e)),
        b"false" => return Ok((Obj::Bool(false), e)),
        b"null" => return Ok((Obj::Null, e)),
        _ => {}
    }
    let text =
        std::str::from_utf8(tok).map_err(|_| ParseError(format!("bad token at offset {s}")))?;
    if let Ok(n) = text.parse::<i64>() {
        // `n g R`?
        if n >= 0 {
            let s2 = lex::skip_ws(d, e);
            let e2 = token_end(d, s2);
            if e2 > s2
                && let Ok(g) = std::str::from_utf8(&d[s2..e2])
                    .unwrap_or("x")
                    .parse::<u16>()
            {
                let s3 = lex::skip_ws(d, e2);
                if d.get(s3) == Some(&b'R')
                    && d.get(s3 + 1).is_none_or(|&c| is_ws(c) || is_delim(c))
                {
                    let num = u32::try_from(n)
                        .map_err(|_| ParseError(format!("object number too large at {s}")))?;
                    return Ok((Obj::Ref(num, g), s3 + 1));
                }
            }
        }
        return Ok((Obj::Int(n), e));
    }
    match text.parse::<f64>() {
        Ok(f) if f.is_finite() => Ok((Obj::Real(f), e)),
        _ => err("unknown token", s),
    }
}

fn name_bytes(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        if raw[i] == b'#'
            && let Some(h) = raw.get(i + 1..i + 3)
            && let Ok(v) = u8::from_str_radix(std::str::from_utf8(h).unwrap_or("zz"), 16)
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(raw[i]);
        i += 1;
    }
    out
}

fn literal(d: &[u8], s: usize) -> R<(Vec<u8>, usize)> {
    let mut out = Vec::new();
    let mut q = s + 1;
    let mut level = 1usize;
    while let Some(&c) = d.get(q) {
        match c {
            b'\\' => {
                q += 1;
                let Some(&e) = d.get(q) else { break };
                match e {
                    b'n' => out.push(b'\n'),
                    b'r' => out.push(b'\r'),
                    b't' => out.push(b'\t'),
                    b'b' => out.push(8),
                    b'f' => out.push(12),
                    b'\r' => {
                        if d.get(q + 1) == Some(&b'\n') {
                            q += 1;
                        }
                    }
                    b'\n' => {}
                    b'0'..=b'7' => {
                        let mut v = u32::from(e - b'0');
                        for _ in 0..2 {
                            match d.get(q + 1) {
                                Some(&x @ b'0'..=b'7') => {
                                    v = v * 8 + u32::from(x - b'0');
                                    q += 1;
                                }
                                _ => break,
                            }
                        }
                        out.push((v & 0xFF) as u8);
                    }
                    other => out.push(other),
                }
            }
            b'(' => {
                level += 1;
                out.push(c);
            }
            b')' => {
                level -= 1;
                if level == 0 {
                    return Ok((out, q + 1));
                }
                out.push(c);
            }
            _ => out.push(c),
        }
        q += 1;
    }
    err("unterminated string", s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_objects() {
        let d = b"<</A 1 /B [2 0 R 3.5 (x\\(y\\)\\101) <4142>] /C#20D /N /E null /F true>>";
        let (o, _) = parse(d, 0, 0, 0).expect("parse");
        let Obj::Dict(dict) = o else { panic!("dict") };
        assert_eq!(dict.int(b"A"), Some(1));
        assert_eq!(
            dict.get(b"B"),
            Some(&Obj::Array(vec![
                Obj::Ref(2, 0),
                Obj::Real(3.5),
                Obj::Str(b"x(y)A".to_vec()),
                Obj::Str(b"AB".to_vec())
            ]))
        );
        assert_eq!(dict.name(b"C D"), Some(&b"N"[..]));
        let s = b"<</Length 3>>\nstream\r\nabc\nendstream";
        let (o, _) = parse(s, 0, 100, 0).expect("stream");
        assert!(matches!(o, Obj::Stream(_, 122)));
    }

    #[test]
    fn hostile_inputs_are_errors() {
        for d in [
            &b"<</A"[..],
            b"[1 2",
            b"(abc",
            b"<zz>",
            b"<<1 2>>",
            b")",
            b"1e999999",
        ] {
            assert!(
                parse(d, 0, 0, 0).is_err(),
                "{:?}",
                String::from_utf8_lossy(d)
            );
        }
        let deep = "[".repeat(5000);
        assert!(parse(deep.as_bytes(), 0, 0, 0).is_err());
    }
}
