//! A minimal DER writer for the structures the signer builds (CMS
//! SignedData, attributes, RFC 3161 TSTInfo). SET OF is sorted as DER requires.

use chrono::{DateTime, Utc};

/// Tag-length-value.
pub fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let n = content.len();
    if n < 0x80 {
        out.push(n as u8);
    } else {
        let bytes = n.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
    out.extend_from_slice(content);
    out
}

/// SEQUENCE of already-encoded parts.
pub fn seq(parts: &[Vec<u8>]) -> Vec<u8> {
    tlv(0x30, &parts.concat())
}

/// SET OF already-encoded parts, sorted by encoding (X.690 11.6).
pub fn set_of(parts: &[Vec<u8>]) -> Vec<u8> {
    let mut v = parts.to_vec();
    v.sort();
    tlv(0x31, &v.concat())
}

/// `[n]` context-specific, constructed.
pub fn ctx(n: u8, content: &[u8]) -> Vec<u8> {
    tlv(0xA0 | n, content)
}

/// OBJECT IDENTIFIER from dotted decimal. Panics only on a malformed constant.
pub fn oid(dotted: &str) -> Vec<u8> {
    let arcs: Vec<u64> = dotted
        .split('.')
        .map(|a| a.parse().expect("OID constants are numeric"))
        .collect();
    let mut body = vec![(arcs[0] * 40 + arcs[1]) as u8];
    for &a in &arcs[2..] {
        let mut stack = vec![(a & 0x7F) as u8];
        let mut v = a >> 7;
        while v > 0 {
            stack.push(((v & 0x7F) as u8) | 0x80);
            v >>= 7;
        }
        stack.reverse();
        body.extend(stack);
    }
    tlv(0x06, &body)
}

/// INTEGER from big-endian magnitude bytes (non-negative).
pub fn integer(be: &[u8]) -> Vec<u8> {
    let mut b: Vec<u8> = be.iter().copied().skip_while(|x| *x == 0).collect();
    if b.is_empty() {
        b.push(0);
    }
    if b[0] & 0x80 != 0 {
        b.insert(0, 0);
    }
    tlv(0x02, &b)
}

/// INTEGER from a small number.
pub fn small_int(n: u64) -> Vec<u8> {
    integer(&n.to_be_bytes())
}

/// OCTET STRING.
pub fn octets(b: &[u8]) -> Vec<u8> {
    tlv(0x04, b)
}

/// NULL.
pub fn null() -> Vec<u8> {
    vec![0x05, 0x00]
}

/// GeneralizedTime, UTC, whole seconds.
pub fn generalized_time(t: DateTime<Utc>) -> Vec<u8> {
    tlv(0x18, t.format("%Y%m%d%H%M%SZ").to_string().as_bytes())
}

/// UTCTime (years 1950–2049).
pub fn utc_time(t: DateTime<Utc>) -> Vec<u8> {
    tlv(0x17, t.format("%y%m%d%H%M%SZ").to_string().as_bytes())
}

/// AlgorithmIdentifier with optional parameters.
pub fn alg(oid_s: &str, params: Option<Vec<u8>>) -> Vec<u8> {
    match params {
        Some(p) => seq(&[oid(oid_s), p]),
        None => seq(&[oid(oid_s)]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sigverify::asn1;

    #[test]
    fn round_trips_through_the_reader() {
        let o = oid("1.2.840.113549.1.9.16.2.47");
        let (t, _) = asn1::read(&o).expect("read");
        assert_eq!(t.oid().expect("oid"), "1.2.840.113549.1.9.16.2.47");
        assert_eq!(integer(&[0x80]), vec![0x02, 0x02, 0x00, 0x80]);
        assert_eq!(small_int(0), vec![0x02, 0x01, 0x00]);
        let long = octets(&[7u8; 300]);
        let (t, rest) = asn1::read(&long).expect("read");
        assert!(rest.is_empty());
        assert_eq!(t.content.len(), 300);
        assert_eq!(
            set_of(&[vec![0x02, 0x01, 0x05], vec![0x02, 0x01, 0x01]]),
            vec![0x31, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x05]
        );
    }
}
