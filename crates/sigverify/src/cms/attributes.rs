//! CMS attributes (RFC 5652 5.3): the signed and unsigned attribute sets
//! read, a signed attribute looked up, the bytes the signature covers when
//! signed attributes are present, the ESS signing-certificate(-v2)
//! attribute (RFC 2634, RFC 5035) checked, and ASN.1 times read.

use openssl::hash::MessageDigest;

use super::digests::{digest_for, hash_parts};
use super::{Attr, SignerInfo, alg_id, e, oid};
use crate::asn1::{self, Tlv, tag};

/// The attributes of a `[n] IMPLICIT SET OF Attribute`.
pub fn attrs<'a>(t: &Tlv<'a>) -> Result<Vec<Attr<'a>>, String> {
    let mut out = Vec::new();
    // [n] IMPLICIT SET OF Attribute: the content is the attributes.
    let mut rest = t.content;
    while !rest.is_empty() {
        let (at, r) = asn1::read(rest).map_err(|x| x.0)?;
        rest = r;
        let kids = at.children().map_err(|x| x.0)?;
        let oid = kids
            .first()
            .ok_or("empty attribute")?
            .oid()
            .map_err(|x| x.0)?;
        let values = kids
            .get(1)
            .ok_or("attribute without values")?
            .children()
            .map_err(|x| x.0)?;
        out.push(Attr { oid, values });
    }
    Ok(out)
}

impl<'a> SignerInfo<'a> {
    /// The first value of signed attribute `oid`, and how many times the attribute occurs.
    pub fn signed_attr(&self, oid: &str) -> (Option<Tlv<'a>>, usize) {
        let all: Vec<&Attr<'a>> = self.signed_attrs.iter().filter(|a| a.oid == oid).collect();
        (
            all.first().and_then(|a| a.values.first().copied()),
            all.len(),
        )
    }

    /// The bytes the signature value is computed over when signed attributes
    /// are present: their encoding with the SET OF tag (RFC 5652 5.4).
    pub fn signed_attrs_for_verify(&self) -> Option<Vec<u8>> {
        self.signed_attrs_raw.map(|raw| {
            let mut v = raw.to_vec();
            v[0] = tag::SET;
            v
        })
    }
}

/// Check ESS signing-certificate(-v2): the first certificate hash must be
/// the signer's. Returns Ok(None) when the attribute is absent.
pub fn check_signing_cert_attr(
    si: &SignerInfo<'_>,
    cert_der: &[u8],
) -> Result<Option<bool>, String> {
    let (v2, n2) = si.signed_attr(oid::SIGNING_CERT_V2);
    let (v1, n1) = si.signed_attr(oid::SIGNING_CERT);
    if n1 + n2 > 1 {
        return e("the signing-certificate attribute occurs more than once");
    }
    let (val, v2form) = match (v2, v1) {
        (Some(v), _) => (v, true),
        (None, Some(v)) => (v, false),
        (None, None) => return Ok(None),
    };
    // SigningCertificate(V2) ::= SEQUENCE { certs SEQUENCE OF ESSCertID(v2), policies OPTIONAL }
    let certs = val.children().map_err(|x| x.0)?;
    let first = certs
        .first()
        .ok_or("empty signing-certificate attribute")?
        .children()
        .map_err(|x| x.0)?
        .into_iter()
        .next()
        .ok_or("signing-certificate attribute lists no certificate")?;
    let f = first.children().map_err(|x| x.0)?;
    let (md, hash) = if v2form {
        match f.first() {
            Some(t) if t.tag == tag::SEQUENCE => {
                let alg = alg_id(t)?;
                let d = digest_for(&alg.oid).ok_or("unsupported hash in signing-certificate-v2")?;
                (
                    d.md,
                    f.get(1)
                        .ok_or("ESSCertIDv2 without hash")?
                        .octets()
                        .map_err(|x| x.0)?,
                )
            }
            Some(t) => (MessageDigest::sha256(), t.octets().map_err(|x| x.0)?),
            None => return e("empty ESSCertIDv2"),
        }
    } else {
        (
            MessageDigest::sha1(),
            f.first()
                .ok_or("empty ESSCertID")?
                .octets()
                .map_err(|x| x.0)?,
        )
    };
    Ok(Some(hash_parts(md, &[cert_der])? == hash))
}

/// Parse an ASN.1 UTCTime or GeneralizedTime.
pub fn asn1_time(t: &Tlv<'_>) -> Option<chrono::DateTime<chrono::Utc>> {
    use chrono::{NaiveDateTime, TimeZone, Utc};
    let s = std::str::from_utf8(t.content).ok()?;
    let s = s.strip_suffix('Z')?;
    let (s, frac) = match s.split_once('.') {
        Some((a, f)) => (a, f),
        None => (s, ""),
    };
    let full = match t.tag {
        tag::UTC_TIME if s.len() == 12 || s.len() == 10 => {
            let yy: i32 = s.get(..2)?.parse().ok()?;
            let century = if yy >= 50 { "19" } else { "20" };
            format!("{century}{s}")
        }
        tag::GENERALIZED_TIME => s.to_string(),
        _ => return None,
    };
    let full = if full.len() == 12 {
        format!("{full}00")
    } else {
        full
    };
    let naive = NaiveDateTime::parse_from_str(&full, "%Y%m%d%H%M%S").ok()?;
    let nanos: u32 = if frac.is_empty() {
        0
    } else {
        let f = format!("{frac:0<9}");
        f.get(..9)?.parse().ok()?
    };
    Some(Utc.from_utc_datetime(&naive) + chrono::Duration::nanoseconds(i64::from(nanos)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times() {
        let t = Tlv {
            tag: tag::UTC_TIME,
            content: b"250301030000Z",
            raw: b"",
        };
        assert_eq!(
            asn1_time(&t).map(|d| d.to_rfc3339()),
            Some("2025-03-01T03:00:00+00:00".into())
        );
        let g = Tlv {
            tag: tag::GENERALIZED_TIME,
            content: b"20250301030000.5Z",
            raw: b"",
        };
        assert_eq!(
            asn1_time(&g).map(|d| d.timestamp_millis() % 1000),
            Some(500)
        );
        let bad = Tlv {
            tag: tag::GENERALIZED_TIME,
            content: b"2025",
            raw: b"",
        };
        assert!(asn1_time(&bad).is_none());
    }
}
