//! What the public may see. [`project`] is the one function that decides:
//! a secret document (Mật, Tối mật, Tuyệt mật) projects to nothing — it
//! contributes only to aggregate counts — and a public document to a fixed
//! set of fields. Everything public (log entries, and later feeds and the
//! public API) is built from this projection, never from stored rows.

pub mod dashboard;
pub mod feed;
pub mod log;
pub mod monitor;
pub mod stats;

use serde::Serialize;

use crate::registry::documents::DocumentView;
use crate::registry::types::{Secrecy, Status};

/// A signer as the public sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublicSigner {
    /// Name in the certificate.
    pub name: Option<String>,
    /// Organisation in the certificate.
    pub organization: Option<String>,
    /// `person` or `organisation`.
    pub role: Option<String>,
    /// `valid`, `invalid` or `indeterminate`.
    pub status: String,
}

/// The signature summary of a public document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublicSignatures {
    /// The file's verification status (`valid`, `invalid`, `indeterminate`, `unsigned`), or none for paper.
    pub status: Option<String>,
    /// One entry per signature.
    pub signers: Vec<PublicSigner>,
}

/// The public projection of a document. Fields are in alphabetical order so
/// its JSON is canonical.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublicDocument {
    /// `electronic` or `paper`.
    pub channel: String,
    /// Counterpart kind.
    pub counterpart: String,
    /// Date of the document (issued, or received for incoming).
    pub date: String,
    /// `incoming` or `outgoing`.
    pub direction: String,
    /// Type name.
    pub doc_type: String,
    /// SHA-256 of the PDF.
    pub file_sha256: Option<String>,
    /// Handling status.
    pub handling: String,
    /// Document id in this register.
    pub id: i32,
    /// Issuing body.
    pub issuer: String,
    /// Số, ký hiệu.
    pub number_symbol: Option<String>,
    /// Handled by its deadline: true, false (late or overdue), or none without a deadline.
    pub on_time: Option<bool>,
    /// Recipient agencies (outgoing).
    pub recipients: Vec<String>,
    /// Signatures.
    pub signatures: PublicSignatures,
    /// Trích yếu.
    pub subject: String,
}

/// The public projection of `d`, or None when the document is secret.
pub fn project(d: &DocumentView) -> Option<PublicDocument> {
    if d.secrecy != Secrecy::None || !d.is_public {
        return None;
    }
    let word = |v: &serde_json::Value| v.as_str().map(str::to_string);
    let signatures = match &d.verification {
        Some(v) => PublicSignatures {
            status: word(&v["status"]),
            signers: v["signatures"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .map(|s| PublicSigner {
                            name: word(&s["signer"]["common_name"]),
                            organization: word(&s["signer"]["organization"]),
                            role: word(&s["signer"]["role"]),
                            status: word(&s["status"]).unwrap_or_default(),
                        })
                        .collect()
                })
                .unwrap_or_default(),
        },
        None => PublicSignatures {
            status: None,
            signers: vec![],
        },
    };
    let on_time = match (d.due_on, d.resolved_on) {
        (None, _) => None,
        (Some(due), Some(done)) => Some(done <= due),
        (Some(_), None) => {
            if d.overdue {
                Some(false)
            } else {
                None
            }
        }
    };
    Some(PublicDocument {
        channel: d.channel.to_string(),
        counterpart: d.counterpart.to_string(),
        date: d.received_on.unwrap_or(d.issued_on).to_string(),
        direction: d.direction.to_string(),
        doc_type: d.doc_type.clone(),
        file_sha256: d.file_sha256.clone(),
        handling: if d.status == Status::Recalled {
            "recalled".into()
        } else {
            d.status.to_string()
        },
        id: d.id,
        issuer: d.issuer.clone(),
        number_symbol: d.number_symbol.clone(),
        on_time,
        recipients: d.recipients.clone(),
        signatures,
        subject: d.subject.clone(),
    })
}

/// A log entry: one public event about a document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LogEvent {
    /// The document as the public sees it after the event.
    pub document: PublicDocument,
    /// `registered`, `handling_changed`, `verification_changed` or `recalled`.
    pub event: String,
    /// When, RFC 3339 UTC.
    pub time: String,
}
