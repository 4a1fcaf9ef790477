//! Who signed: the signer's certificate found by the SignerInfo's
//! identifier, described (names with their diacritics, serial, fingerprint,
//! validity) and classified as a person or an organisation (VIETNAM.md
//! "Certificates"): a pinned fingerprint, then the UID prefixes, then the
//! common name.

use openssl::x509::X509;

use super::dates::rfc3339;
use super::report::{Signer, SignerRole};
use super::{chain, cms};

/// Find the certificate a SignerInfo names among `certs`.
pub fn find_signer_cert(sid: &cms::Sid<'_>, certs: &[X509]) -> Option<X509> {
    certs
        .iter()
        .find(|c| match sid {
            cms::Sid::IssuerSerial { issuer, serial } => {
                let Ok(der) = c.to_der() else { return false };
                let Ok((_, pc)) = x509_parser::parse_x509_certificate(&der) else {
                    return false;
                };
                let strip = |s: &[u8]| -> Vec<u8> {
                    let mut v = s.to_vec();
                    while v.len() > 1 && v[0] == 0 {
                        v.remove(0);
                    }
                    v
                };
                pc.issuer().as_raw() == *issuer && strip(pc.raw_serial()) == strip(serial)
            }
            cms::Sid::Ski(ski) => c
                .subject_key_id()
                .is_some_and(|k| k.as_slice() == ski.as_slice()),
        })
        .cloned()
}

/// Describe the signer's certificate, classifying person or organisation.
pub fn describe_signer(cert: &X509, pins: &std::collections::HashSet<String>) -> Signer {
    let der = cert.to_der().unwrap_or_default();
    let fp = hex::encode(openssl::sha::sha256(&der));
    let mut common_name = None;
    let mut organization = None;
    let mut uids: Vec<String> = Vec::new();
    if let Ok((_, pc)) = x509_parser::parse_x509_certificate(&der) {
        for rdn in pc.subject().iter() {
            for atv in rdn.iter() {
                let val = attr_string(atv);
                match atv.attr_type().to_id_string().as_str() {
                    "2.5.4.3" => common_name = common_name.or(val),
                    "2.5.4.10" => organization = organization.or(val),
                    "0.9.2342.19200300.100.1.1" => uids.extend(val),
                    _ => {}
                }
            }
        }
    }
    let (nb, na) = chain::validity(cert);
    let role = classify(
        &fp,
        common_name.as_deref(),
        organization.as_deref(),
        &uids,
        pins,
    );
    Signer {
        common_name,
        organization,
        subject: chain::subject_line(cert),
        issuer: chain::name_line(cert.issuer_name()),
        serial: cert
            .serial_number()
            .to_bn()
            .map(|b| b.to_hex_str().map(|s| s.to_lowercase()).unwrap_or_default())
            .unwrap_or_default(),
        fingerprint_sha256: fp,
        not_before: nb.map(rfc3339).unwrap_or_default(),
        not_after: na.map(rfc3339).unwrap_or_default(),
        role,
    }
}

/// An attribute value as text: UTF8String, PrintableString, IA5String, BMPString, TeletexString (as Latin-1).
fn attr_string(atv: &x509_parser::x509::AttributeTypeAndValue<'_>) -> Option<String> {
    if let Ok(s) = atv.as_str() {
        return Some(s.to_string());
    }
    let raw: &[u8] = atv.attr_value().data;
    match atv.attr_value().header.tag().0 {
        30 => {
            let units: Vec<u16> = raw
                .chunks_exact(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]))
                .collect();
            Some(String::from_utf16_lossy(&units))
        }
        _ => Some(raw.iter().map(|&b| b as char).collect()),
    }
}

/// Person or organisation (VIETNAM.md "Certificates"): a pin wins; then
/// UID prefixes (MST/MNS organisation, CMND/CCCD/HC person); then the CN.
pub fn classify(
    fp: &str,
    cn: Option<&str>,
    o: Option<&str>,
    uids: &[String],
    pins: &std::collections::HashSet<String>,
) -> SignerRole {
    if pins.contains(fp) {
        return SignerRole::Organisation;
    }
    for u in uids {
        let up = u.to_uppercase();
        if up.starts_with("MST:") || up.starts_with("MNS:") || up.starts_with("MSNS:") {
            return SignerRole::Organisation;
        }
        if up.starts_with("CMND:")
            || up.starts_with("CCCD:")
            || up.starts_with("HC:")
            || up.starts_with("CMT:")
        {
            return SignerRole::Person;
        }
    }
    let Some(cn) = cn else {
        return SignerRole::Person;
    };
    if o.is_some_and(|o| vntext::fold(o) == vntext::fold(cn)) {
        return SignerRole::Organisation;
    }
    let f = vntext::fold(cn);
    const AGENCY: &[&str] = &[
        "so ",
        "uy ban",
        "ubnd",
        "bo ",
        "van phong",
        "cong ty",
        "truong ",
        "benh vien",
        "ban ",
        "cuc ",
        "chi cuc",
        "phong ",
        "trung tam",
        "tong cuc",
        "vien ",
        "hoc vien",
        "dai hoc",
        "hoi dong",
        "kho bac",
        "thanh tra",
        "toa an",
        "vien kiem sat",
        "cong an",
        "quan ",
        "huyen ",
        "thanh pho",
        "tinh ",
        "xa ",
        "phuong ",
        "dang uy",
        "hoi ",
        "ngan hang",
        "tap doan",
        "tong cong ty",
        "bao hiem",
        "cong thong tin",
        "co quan",
    ];
    // Words no personal name contains, wherever they stand ("Cổng Thông tin
    // điện tử Chính phủ", "Văn phòng Ủy ban nhân dân …").
    const AGENCY_WORDS: &[&str] = &[
        "chinh phu",
        "uy ban nhan dan",
        "cong thong tin",
        "nha nuoc",
        "quoc hoi",
    ];
    if AGENCY.iter().any(|p| f.starts_with(p)) || AGENCY_WORDS.iter().any(|w| f.contains(w)) {
        SignerRole::Organisation
    } else {
        SignerRole::Person
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agencies_are_organisations_and_people_persons() {
        let pins = std::collections::HashSet::new();
        let role = |cn: &str, o: Option<&str>, uid: &[&str]| {
            let uids: Vec<String> = uid.iter().map(|s| s.to_string()).collect();
            classify("fp", Some(cn), o, &uids, &pins)
        };
        // The Government portal's older certificate: no UID.
        assert_eq!(
            role(
                "Cổng Thông tin điện tử Chính phủ",
                Some("Văn phòng Chính phủ"),
                &[]
            ),
            SignerRole::Organisation
        );
        assert_eq!(
            role("CỔNG THÔNG TIN ĐIỆN TỬ CHÍNH PHỦ", None, &[]),
            SignerRole::Organisation
        );
        assert_eq!(
            role("Sở Nội vụ", None, &["MST:0101"]),
            SignerRole::Organisation
        );
        assert_eq!(
            role("Nguyễn Văn An", Some("Văn phòng Chính phủ"), &[]),
            SignerRole::Person
        );
        assert_eq!(
            role("Trần Thị Bình", None, &["CCCD:0480"]),
            SignerRole::Person
        );
    }
}
