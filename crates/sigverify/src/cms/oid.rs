//! OIDs used below (RFC 5652, RFC 5035, RFC 3161, RFC 8017, RFC 5758, RFC 8410).

/// id-signedData.
pub const SIGNED_DATA: &str = "1.2.840.113549.1.7.2";
/// id-data.
pub const DATA: &str = "1.2.840.113549.1.7.1";
/// id-ct-TSTInfo.
pub const TST_INFO: &str = "1.2.840.113549.1.9.16.1.4";
/// contentType attribute.
pub const CONTENT_TYPE: &str = "1.2.840.113549.1.9.3";
/// messageDigest attribute.
pub const MESSAGE_DIGEST: &str = "1.2.840.113549.1.9.4";
/// signingTime attribute.
pub const SIGNING_TIME: &str = "1.2.840.113549.1.9.5";
/// ESS signingCertificate (v1, SHA-1).
pub const SIGNING_CERT: &str = "1.2.840.113549.1.9.16.2.12";
/// ESS signingCertificateV2.
pub const SIGNING_CERT_V2: &str = "1.2.840.113549.1.9.16.2.47";
/// signatureTimeStampToken (unsigned attribute).
pub const SIGNATURE_TIMESTAMP: &str = "1.2.840.113549.1.9.16.2.14";
/// Adobe revocation information archival.
pub const ADBE_REVOCATION: &str = "1.2.840.113583.1.1.8";
/// id-ri-ocsp-response (RFC 5940).
pub const RI_OCSP_RESPONSE: &str = "1.3.6.1.5.5.7.16.2";
/// rsaEncryption.
pub const RSA: &str = "1.2.840.113549.1.1.1";
/// RSASSA-PSS.
pub const RSA_PSS: &str = "1.2.840.113549.1.1.10";
/// Ed25519.
pub const ED25519: &str = "1.3.101.112";
/// Ed448.
pub const ED448: &str = "1.3.101.113";
/// SHA-1.
pub const SHA1: &str = "1.3.14.3.2.26";
/// SHA-256.
pub const SHA256: &str = "2.16.840.1.101.3.4.2.1";
