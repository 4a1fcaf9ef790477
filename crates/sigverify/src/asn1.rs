//! A small, bounded BER/DER reader: tag, length (definite or indefinite),
//! content and the raw bytes of each element. CMS structures are walked with
//! it so the verifier keeps the exact signed bytes (signed attributes are
//! verified as encoded, not re-encoded) and tolerates BER that strict DER
//! decoders refuse (indefinite lengths, unsorted SETs).

/// Deepest nesting followed for indefinite-length elements.
const MAX_DEPTH: usize = 32;

/// Tag classes and forms as they appear in the first identifier octet.
pub mod tag {
    /// INTEGER.
    pub const INTEGER: u8 = 0x02;
    /// BIT STRING.
    pub const BIT_STRING: u8 = 0x03;
    /// OCTET STRING.
    pub const OCTET_STRING: u8 = 0x04;
    /// NULL.
    pub const NULL: u8 = 0x05;
    /// OBJECT IDENTIFIER.
    pub const OID: u8 = 0x06;
    /// UTCTime.
    pub const UTC_TIME: u8 = 0x17;
    /// GeneralizedTime.
    pub const GENERALIZED_TIME: u8 = 0x18;
    /// SEQUENCE (constructed).
    pub const SEQUENCE: u8 = 0x30;
    /// SET (constructed).
    pub const SET: u8 = 0x31;
    /// Context-specific constructed `[n]`.
    pub const fn ctx_cons(n: u8) -> u8 {
        0xA0 | n
    }
    /// Context-specific primitive `[n]`.
    pub const fn ctx_prim(n: u8) -> u8 {
        0x80 | n
    }
}

/// One element.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tlv<'a> {
    /// The identifier octet (low-tag-number form only).
    pub tag: u8,
    /// The content octets (for indefinite length: without the end-of-contents marker).
    pub content: &'a [u8],
    /// The whole element: identifier, length, content (and end-of-contents marker).
    pub raw: &'a [u8],
}

/// A decoding failure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Asn1Error(pub String);

type R<T> = Result<T, Asn1Error>;

fn bad<T>(m: &str) -> R<T> {
    Err(Asn1Error(m.to_string()))
}

/// Read one element from the start of `d`; return it and the rest.
pub fn read(d: &[u8]) -> R<(Tlv<'_>, &[u8])> {
    read_depth(d, 0)
}

fn read_depth(d: &[u8], depth: usize) -> R<(Tlv<'_>, &[u8])> {
    if depth > MAX_DEPTH {
        return bad("nesting too deep");
    }
    let &t = d
        .first()
        .ok_or(Asn1Error("unexpected end of data".into()))?;
    if t & 0x1F == 0x1F {
        return bad("high tag numbers are not used in CMS");
    }
    let &l0 = d.get(1).ok_or(Asn1Error("missing length".into()))?;
    let (len, hdr) = if l0 < 0x80 {
        (Some(l0 as usize), 2)
    } else if l0 == 0x80 {
        if t & 0x20 == 0 {
            return bad("indefinite length on a primitive element");
        }
        (None, 2)
    } else {
        let n = (l0 & 0x7F) as usize;
        if n > 4 {
            return bad("length too large");
        }
        let bytes = d
            .get(2..2 + n)
            .ok_or(Asn1Error("truncated length".into()))?;
        let mut v = 0usize;
        for &b in bytes {
            v = (v << 8) | b as usize;
        }
        (Some(v), 2 + n)
    };
    match len {
        Some(n) => {
            let end = hdr
                .checked_add(n)
                .ok_or(Asn1Error("length overflow".into()))?;
            let raw = d
                .get(..end)
                .ok_or(Asn1Error("element longer than its data".into()))?;
            Ok((
                Tlv {
                    tag: t,
                    content: &raw[hdr..],
                    raw,
                },
                &d[end..],
            ))
        }
        None => {
            // Indefinite: content runs to the end-of-contents marker 00 00.
            let mut rest = &d[hdr..];
            loop {
                if rest.len() >= 2 && rest[0] == 0 && rest[1] == 0 {
                    let content_len = d.len() - hdr - rest.len();
                    let end = hdr + content_len + 2;
                    return Ok((
                        Tlv {
                            tag: t,
                            content: &d[hdr..hdr + content_len],
                            raw: &d[..end],
                        },
                        &d[end..],
                    ));
                }
                if rest.is_empty() {
                    return bad("missing end-of-contents");
                }
                rest = read_depth(rest, depth + 1)?.1;
            }
        }
    }
}

impl<'a> Tlv<'a> {
    /// The elements inside a constructed element.
    pub fn children(&self) -> R<Vec<Tlv<'a>>> {
        if self.tag & 0x20 == 0 {
            return bad("expected a constructed element");
        }
        let mut out = Vec::new();
        let mut rest = self.content;
        while !rest.is_empty() {
            let (t, r) = read(rest)?;
            out.push(t);
            rest = r;
            if out.len() > 100_000 {
                return bad("too many elements");
            }
        }
        Ok(out)
    }

    /// Require tag `t`.
    pub fn expect(self, t: u8, what: &str) -> R<Self> {
        if self.tag == t {
            Ok(self)
        } else {
            Err(Asn1Error(format!(
                "{what}: expected tag 0x{t:02x}, found 0x{:02x}",
                self.tag
            )))
        }
    }

    /// The content of an OCTET STRING, primitive or (BER) constructed.
    pub fn octets(&self) -> R<Vec<u8>> {
        match self.tag {
            tag::OCTET_STRING => Ok(self.content.to_vec()),
            0x24 => {
                let mut out = Vec::new();
                for c in self.children()? {
                    out.extend(c.octets()?);
                }
                Ok(out)
            }
            _ => bad("expected an OCTET STRING"),
        }
    }

    /// The dotted form of an OBJECT IDENTIFIER.
    pub fn oid(&self) -> R<String> {
        if self.tag != tag::OID {
            return bad("expected an OBJECT IDENTIFIER");
        }
        oid_string(self.content)
    }
}

/// Decode OID content octets to dotted decimal.
pub fn oid_string(c: &[u8]) -> R<String> {
    if c.is_empty() || c.len() > 64 {
        return bad("bad OBJECT IDENTIFIER length");
    }
    let mut arcs: Vec<u64> = Vec::new();
    let mut v: u64 = 0;
    for (i, &b) in c.iter().enumerate() {
        v = v
            .checked_mul(128)
            .ok_or(Asn1Error("OID arc too large".into()))?
            | u64::from(b & 0x7F);
        if b & 0x80 == 0 {
            if arcs.is_empty() {
                let (a, b2) = if v < 40 {
                    (0, v)
                } else if v < 80 {
                    (1, v - 40)
                } else {
                    (2, v - 80)
                };
                arcs.push(a);
                arcs.push(b2);
            } else {
                arcs.push(v);
            }
            v = 0;
        } else if i == c.len() - 1 {
            return bad("truncated OBJECT IDENTIFIER");
        }
    }
    Ok(arcs
        .iter()
        .map(u64::to_string)
        .collect::<Vec<_>>()
        .join("."))
}

/// Read exactly one element filling `d`, allowing trailing zero padding (as in a PDF `/Contents`).
pub fn read_padded(d: &[u8]) -> R<Tlv<'_>> {
    let (t, rest) = read(d)?;
    if rest.iter().any(|b| *b != 0) {
        return bad("data after the end of the structure");
    }
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_definite_and_indefinite() {
        // SEQUENCE { INTEGER 5, OCTET STRING 'ab' }
        let der = [0x30, 0x07, 0x02, 0x01, 0x05, 0x04, 0x02, b'a', b'b'];
        let (t, rest) = read(&der).expect("der");
        assert!(rest.is_empty());
        let kids = t.children().expect("children");
        assert_eq!(kids.len(), 2);
        assert_eq!(kids[1].octets().expect("octets"), b"ab");
        // The same with indefinite length, and a constructed OCTET STRING.
        let ber = [
            0x30, 0x80, 0x02, 0x01, 0x05, 0x24, 0x80, 0x04, 0x01, b'a', 0x04, 0x01, b'b', 0, 0, 0,
            0,
        ];
        let (t, rest) = read(&ber).expect("ber");
        assert!(rest.is_empty());
        assert_eq!(t.raw.len(), ber.len());
        let kids = t.children().expect("children");
        assert_eq!(kids[1].octets().expect("octets"), b"ab");
    }

    #[test]
    fn oids_and_hostile_input() {
        assert_eq!(
            oid_string(&[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x02]).expect("oid"),
            "1.2.840.113549.1.7.2"
        );
        assert!(read(&[0x30, 0x84, 0xFF, 0xFF, 0xFF, 0xFF]).is_err());
        assert!(read(&[0x30]).is_err());
        let deep: Vec<u8> = std::iter::repeat_n([0x30u8, 0x80], 100).flatten().collect();
        assert!(read(&deep).is_err());
        assert!(read_padded(&[0x05, 0x00, 0x00, 0x00]).is_ok());
        assert!(read_padded(&[0x05, 0x00, 0x01]).is_err());
    }
}
