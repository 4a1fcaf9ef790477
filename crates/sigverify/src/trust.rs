//! The trust store: trust anchors, extra certificates and CRLs, loaded from
//! PEM, DER or PKCS#7 (P7B) files or folders. The default anchors are the
//! Vietnamese roots shipped in `trust/vn/` (fingerprints in its README).

use std::collections::HashSet;
use std::path::Path;

use openssl::x509::{X509, X509Crl};

use super::cms;

/// The Vietnamese roots and their sub-CAs compiled into the binary: (file
/// name, PEM). Self-signed ones become anchors, the others intermediates.
pub const VIETNAM_ROOTS: &[(&str, &str)] = &[
    (
        "vgca-root-g2.pem",
        include_str!("../trust/vn/vgca-root-g2.pem"),
    ),
    (
        "vgca-ca-co-quan-nha-nuoc-g2.pem",
        include_str!("../trust/vn/vgca-ca-co-quan-nha-nuoc-g2.pem"),
    ),
    (
        "neac-vietnam-national-root-ca.pem",
        include_str!("../trust/vn/neac-vietnam-national-root-ca.pem"),
    ),
    (
        "neac-vietnam-national-root-ca-g3.pem",
        include_str!("../trust/vn/neac-vietnam-national-root-ca-g3.pem"),
    ),
    (
        "mic-national-root-ca-legacy-sha1.pem",
        include_str!("../trust/vn/mic-national-root-ca-legacy-sha1.pem"),
    ),
    (
        "vgca-root-g1.pem",
        include_str!("../trust/vn/vgca-root-g1.pem"),
    ),
    (
        "vgca-ca-chinh-phu-g1.pem",
        include_str!("../trust/vn/vgca-ca-chinh-phu-g1.pem"),
    ),
];

/// Anchors, known intermediates, CRLs and pinned organisation certificates.
#[derive(Clone, Default)]
pub struct TrustStore {
    /// Trust anchors.
    pub anchors: Vec<X509>,
    /// Certificates that may complete a path (never trusted on their own).
    pub intermediates: Vec<X509>,
    /// CRLs supplied by the operator (DER).
    pub crls: Vec<Vec<u8>>,
    /// OCSP responses at hand (DER), e.g. kept from an earlier verification.
    pub ocsps: Vec<Vec<u8>>,
    /// SHA-256 fingerprints (hex) of certificates pinned as organisation certificates.
    pub organisation_pins: HashSet<String>,
}

impl std::fmt::Debug for TrustStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TrustStore")
            .field("anchors", &self.anchors.len())
            .field("intermediates", &self.intermediates.len())
            .field("crls", &self.crls.len())
            .field("organisation_pins", &self.organisation_pins.len())
            .finish()
    }
}

/// Whether a certificate is issued by itself and verifies with its own key.
pub fn is_self_signed(c: &X509) -> bool {
    let same = c
        .subject_name()
        .to_der()
        .ok()
        .zip(c.issuer_name().to_der().ok())
        .is_some_and(|(a, b)| a == b);
    same && c
        .public_key()
        .ok()
        .is_some_and(|k| c.verify(&k).unwrap_or(false))
}

/// SHA-256 fingerprint of a certificate, lower-case hex.
pub fn fingerprint(cert: &X509) -> String {
    cert.to_der()
        .map(|d| hex::encode(openssl::sha::sha256(&d)))
        .unwrap_or_default()
}

/// Certificates in one file: PEM (any number), DER, or PKCS#7 certs-only (PEM or DER).
pub fn certs_from_bytes(data: &[u8]) -> Result<Vec<X509>, String> {
    let trimmed = data.trim_ascii_start();
    if trimmed.starts_with(b"-----BEGIN") {
        if trimmed.starts_with(b"-----BEGIN PKCS7") {
            let text = String::from_utf8_lossy(trimmed);
            let b64: String = text.lines().filter(|l| !l.starts_with("-----")).collect();
            use base64::Engine;
            let der = base64::engine::general_purpose::STANDARD
                .decode(b64.trim())
                .map_err(|e| format!("bad PKCS#7 PEM: {e}"))?;
            return certs_from_p7(&der);
        }
        let certs = X509::stack_from_pem(trimmed).map_err(|e| format!("bad PEM: {e}"))?;
        if certs.is_empty() {
            return Err("no certificate in the PEM file".into());
        }
        return Ok(certs);
    }
    if let Ok(c) = X509::from_der(data) {
        return Ok(vec![c]);
    }
    certs_from_p7(data)
}

fn certs_from_p7(der: &[u8]) -> Result<Vec<X509>, String> {
    let sd =
        cms::parse(der).map_err(|e| format!("neither a certificate nor a PKCS#7 bundle: {e}"))?;
    sd.certs
        .iter()
        .map(|c| X509::from_der(c).map_err(|e| format!("bad certificate in the bundle: {e}")))
        .collect()
}

fn files_in(path: &Path) -> Result<Vec<std::path::PathBuf>, String> {
    if path.is_dir() {
        let mut v: Vec<_> = std::fs::read_dir(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.is_file()
                    && matches!(
                        p.extension().and_then(|e| e.to_str()),
                        Some("pem" | "crt" | "cer" | "der" | "p7b" | "p7c" | "crl")
                    )
            })
            .collect();
        v.sort();
        Ok(v)
    } else {
        Ok(vec![path.to_path_buf()])
    }
}

impl TrustStore {
    /// No anchors at all.
    pub fn empty() -> Self {
        Self::default()
    }

    /// The Vietnamese roots (anchors) and their sub-CAs (intermediates).
    pub fn vietnam() -> Self {
        let mut s = Self::default();
        for (name, pem) in VIETNAM_ROOTS {
            match X509::stack_from_pem(pem.as_bytes()) {
                Ok(certs) => {
                    for c in certs {
                        if is_self_signed(&c) {
                            s.anchors.push(c);
                        } else {
                            s.intermediates.push(c);
                        }
                    }
                }
                Err(e) => tracing::error!(file = name, error = %e, "bundled root does not parse"),
            }
        }
        s
    }

    /// Add anchors from a file or folder; returns how many.
    pub fn add_anchors(&mut self, path: &Path) -> Result<usize, String> {
        let mut n = 0;
        for f in files_in(path)? {
            let data =
                std::fs::read(&f).map_err(|e| format!("cannot read {}: {e}", f.display()))?;
            let certs = certs_from_bytes(&data).map_err(|e| format!("{}: {e}", f.display()))?;
            n += certs.len();
            self.anchors.extend(certs);
        }
        Ok(n)
    }

    /// Add CRLs (PEM or DER) from a file or folder; returns how many.
    pub fn add_crls(&mut self, path: &Path) -> Result<usize, String> {
        let mut n = 0;
        for f in files_in(path)? {
            let data =
                std::fs::read(&f).map_err(|e| format!("cannot read {}: {e}", f.display()))?;
            let crl = if data.trim_ascii_start().starts_with(b"-----BEGIN") {
                X509Crl::from_pem(&data)
            } else {
                X509Crl::from_der(&data)
            }
            .map_err(|e| format!("{}: not a CRL: {e}", f.display()))?;
            self.crls
                .push(crl.to_der().map_err(|e| format!("{}: {e}", f.display()))?);
            n += 1;
        }
        Ok(n)
    }

    /// A short digest naming this store's content, stored with each report so
    /// a later trust change can be told apart.
    pub fn version(&self) -> String {
        let mut parts: Vec<String> = self.anchors.iter().map(fingerprint).collect();
        parts.sort();
        let mut inter: Vec<String> = self.intermediates.iter().map(fingerprint).collect();
        inter.sort();
        parts.push("|".into());
        parts.extend(inter);
        let mut crls: Vec<String> = self
            .crls
            .iter()
            .map(|d| hex::encode(openssl::sha::sha256(d)))
            .collect();
        crls.sort();
        let mut pins: Vec<&String> = self.organisation_pins.iter().collect();
        pins.sort();
        let all = format!("{parts:?}{crls:?}{pins:?}");
        hex::encode(&openssl::sha::sha256(all.as_bytes())[..8])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_roots_load_with_documented_fingerprints() {
        let s = TrustStore::vietnam();
        assert_eq!(s.anchors.len() + s.intermediates.len(), VIETNAM_ROOTS.len());
        // The two VGCA sub-CAs are intermediates, not anchors.
        assert_eq!(s.intermediates.len(), 2);
        assert!(s.anchors.iter().all(is_self_signed));
        let fps: Vec<String> = s.anchors.iter().map(fingerprint).collect();
        // From trust/vn/README.md.
        assert!(fps.contains(
            &"f04ba4b459a7c9a1b971ad9b1cb833e695a80c79aea63b174b66a70edfe2fdb8".to_string()
        ));
        assert!(fps.contains(
            &"bac8bf609ab420a8ee1780d74f4de5c7f7184959d2a7375b0a75e4c29f0908e7".to_string()
        ));
        assert!(!s.version().is_empty());
    }
}
