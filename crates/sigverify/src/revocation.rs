//! Revocation data fetched online, by the caller: the verifier stays pure,
//! so it asks a [`Fetch`] the caller gives it (an HTTP client with
//! timeouts, size limits and a cache, on the server and for
//! `vanthu verify --online`) for the CRLs a certificate's CRL distribution
//! points name and for the OCSP responses its AIA responder gives
//! (RFC 5280 4.2.1.13, 4.2.2.1; RFC 6960). Everything used to judge a
//! signature — certificates, CRLs and OCSP responses, embedded or fetched —
//! is collected as [`Evidence`], so it can be stored with the verification
//! and exported as long-term validation data.

use openssl::hash::MessageDigest;
use openssl::ocsp::{OcspCertId, OcspRequest};
use openssl::x509::X509;

/// Fetches revocation data for the verifier.
pub trait Fetch: Send + Sync {
    /// The DER CRL at `url` (an `http://` or `https://` URL).
    fn crl(&self, url: &str) -> Result<Vec<u8>, String>;
    /// The DER OCSP response of the responder at `url` to `request` (DER).
    fn ocsp(&self, url: &str, request: &[u8]) -> Result<Vec<u8>, String>;
}

/// Where a fetched item came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fetched {
    /// `crl` or `ocsp`.
    pub kind: &'static str,
    /// The URL asked.
    pub url: String,
    /// The DER bytes.
    pub der: Vec<u8>,
}

/// What a verification relied on, for storage and long-term validation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Evidence {
    /// Certificates of the paths built (signers, CAs, TSAs), DER, once each.
    pub certs: Vec<Vec<u8>>,
    /// CRLs that decided a revocation status, DER, once each.
    pub crls: Vec<Vec<u8>>,
    /// OCSP responses that decided a revocation status, DER, once each.
    pub ocsps: Vec<Vec<u8>>,
    /// What was fetched online (also among `crls` / `ocsps`).
    pub fetched: Vec<Fetched>,
    /// Fetches that failed: URL and reason.
    pub failures: Vec<(String, String)>,
}

impl Evidence {
    /// Remember a certificate.
    pub fn cert(&mut self, c: &X509) {
        if let Ok(d) = c.to_der()
            && !self.certs.contains(&d)
        {
            self.certs.push(d);
        }
    }
    /// Remember a CRL.
    pub fn crl(&mut self, d: &[u8]) {
        if !self.crls.iter().any(|x| x == d) {
            self.crls.push(d.to_vec());
        }
    }
    /// Remember an OCSP response.
    pub fn ocsp(&mut self, d: &[u8]) {
        if !self.ocsps.iter().any(|x| x == d) {
            self.ocsps.push(d.to_vec());
        }
    }
}

/// The CRL distribution point and OCSP responder URLs of a certificate
/// (`http`/`https` only: LDAP and others are not fetched).
pub fn urls(cert: &X509) -> (Vec<String>, Vec<String>) {
    use x509_parser::extensions::{DistributionPointName, GeneralName, ParsedExtension};
    let mut crl = Vec::new();
    let mut ocsp = Vec::new();
    let Ok(der) = cert.to_der() else {
        return (crl, ocsp);
    };
    let Ok((_, c)) = x509_parser::parse_x509_certificate(&der) else {
        return (crl, ocsp);
    };
    let http = |s: &str| s.starts_with("http://") || s.starts_with("https://");
    for ext in c.extensions() {
        match ext.parsed_extension() {
            ParsedExtension::CRLDistributionPoints(points) => {
                for p in points.iter() {
                    if let Some(DistributionPointName::FullName(names)) = &p.distribution_point {
                        for n in names {
                            if let GeneralName::URI(u) = n
                                && http(u)
                            {
                                crl.push(u.to_string());
                            }
                        }
                    }
                }
            }
            ParsedExtension::AuthorityInfoAccess(aia) => {
                for d in aia.iter() {
                    // id-ad-ocsp
                    if d.access_method.to_id_string() == "1.3.6.1.5.5.7.48.1"
                        && let GeneralName::URI(u) = &d.access_location
                        && http(u)
                    {
                        ocsp.push(u.to_string());
                    }
                }
            }
            _ => {}
        }
    }
    crl.truncate(4);
    ocsp.truncate(4);
    (crl, ocsp)
}

/// An OCSP request (DER) for `cert` issued by `issuer` (SHA-1 CertID, as responders expect).
pub fn ocsp_request(cert: &X509, issuer: &X509) -> Result<Vec<u8>, String> {
    let id =
        OcspCertId::from_cert(MessageDigest::sha1(), cert, issuer).map_err(|e| e.to_string())?;
    let mut req = OcspRequest::new().map_err(|e| e.to_string())?;
    req.add_id(id).map_err(|e| e.to_string())?;
    req.to_der().map_err(|e| e.to_string())
}

/// Ask the OCSP responders of `cert` (issued by `issuer`); the first answer, if any.
pub fn fetch_ocsp(
    fetch: &dyn Fetch,
    cert: &X509,
    issuer: &X509,
    ev: &mut Evidence,
) -> Option<Vec<u8>> {
    let (_, ocsp_urls) = urls(cert);
    let req = ocsp_request(cert, issuer).ok()?;
    for u in &ocsp_urls {
        match fetch.ocsp(u, &req) {
            Ok(d) => {
                ev.fetched.push(Fetched {
                    kind: "ocsp",
                    url: u.clone(),
                    der: d.clone(),
                });
                return Some(d);
            }
            Err(e) => ev.failures.push((u.clone(), e)),
        }
    }
    None
}

/// Fetch the CRL of one of `cert`'s distribution points, if any answers.
pub fn fetch_crl(fetch: &dyn Fetch, cert: &X509, ev: &mut Evidence) -> Option<Vec<u8>> {
    let (crl_urls, _) = urls(cert);
    for u in &crl_urls {
        match fetch.crl(u) {
            Ok(d) => {
                ev.fetched.push(Fetched {
                    kind: "crl",
                    url: u.clone(),
                    der: d.clone(),
                });
                return Some(d);
            }
            Err(e) => ev.failures.push((u.clone(), e)),
        }
    }
    None
}
