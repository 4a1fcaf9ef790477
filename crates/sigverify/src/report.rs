//! The verification report: the one output type of the verifier, serialised
//! exactly as DESIGN.md's "Verification report" contract says. Every caller
//! (CLI, API, database) uses this JSON.

use serde::{Deserialize, Serialize};

/// Overall status of a file or of one signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Every check passed.
    Valid,
    /// A check failed for certain (ETSI TOTAL_FAILED).
    Invalid,
    /// A check could not be completed (ETSI INDETERMINATE).
    Indeterminate,
    /// The file has no signature (file level only).
    Unsigned,
}

/// ETSI EN 319 102-1 main indication.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Indication {
    /// TOTAL-PASSED.
    TotalPassed,
    /// TOTAL-FAILED.
    TotalFailed,
    /// INDETERMINATE.
    Indeterminate,
}

/// ETSI EN 319 102-1 sub-indications used by the verifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SubIndication {
    /// The signature or its container is malformed (TOTAL-FAILED).
    FormatFailure,
    /// The digest of the signed bytes does not match (TOTAL-FAILED).
    HashFailure,
    /// The signature value does not verify (TOTAL-FAILED).
    SigCryptoFailure,
    /// The signer's certificate was revoked before the signing time (TOTAL-FAILED).
    Revoked,
    /// The signature was proven made after the certificate expired (TOTAL-FAILED).
    Expired,
    /// The signature was made before the certificate's validity began (TOTAL-FAILED).
    NotYetValid,
    /// No path to a trust anchor (INDETERMINATE).
    NoCertificateChainFound,
    /// The signer's certificate is neither in the signature nor in the document (INDETERMINATE).
    NoSigningCertificateFound,
    /// The path breaks a constraint: CA flag, path length, key usage of a CA (INDETERMINATE).
    ChainConstraintsFailure,
    /// Revoked after the claimed signing time, but nothing proves the signature older (INDETERMINATE).
    RevokedNoPoe,
    /// The certificate is outside its validity at the validation time and nothing proves the signature older (INDETERMINATE).
    OutOfBoundsNoPoe,
    /// Revocation status unknown (INDETERMINATE).
    TryLater,
    /// A weak algorithm or key (INDETERMINATE).
    CryptoConstraintsFailure,
    /// The signer's certificate may not be used for signing (INDETERMINATE).
    SigConstraintsFailure,
}

impl SubIndication {
    /// The main indication this sub-indication belongs to.
    pub fn indication(self) -> Indication {
        use SubIndication::*;
        match self {
            FormatFailure | HashFailure | SigCryptoFailure | Revoked | Expired | NotYetValid => {
                Indication::TotalFailed
            }
            _ => Indication::Indeterminate,
        }
    }

    /// The contract spelling, e.g. `HASH_FAILURE`.
    pub fn code(self) -> &'static str {
        use SubIndication::*;
        match self {
            FormatFailure => "FORMAT_FAILURE",
            HashFailure => "HASH_FAILURE",
            SigCryptoFailure => "SIG_CRYPTO_FAILURE",
            Revoked => "REVOKED",
            Expired => "EXPIRED",
            NotYetValid => "NOT_YET_VALID",
            NoCertificateChainFound => "NO_CERTIFICATE_CHAIN_FOUND",
            NoSigningCertificateFound => "NO_SIGNING_CERTIFICATE_FOUND",
            ChainConstraintsFailure => "CHAIN_CONSTRAINTS_FAILURE",
            RevokedNoPoe => "REVOKED_NO_POE",
            OutOfBoundsNoPoe => "OUT_OF_BOUNDS_NO_POE",
            TryLater => "TRY_LATER",
            CryptoConstraintsFailure => "CRYPTO_CONSTRAINTS_FAILURE",
            SigConstraintsFailure => "SIG_CONSTRAINTS_FAILURE",
        }
    }

    /// The report status this sub-indication gives a signature.
    pub fn status(self) -> Status {
        match self.indication() {
            Indication::TotalFailed => Status::Invalid,
            _ => Status::Indeterminate,
        }
    }
}

/// What kind of signature a field holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// An ordinary (approval) signature.
    Approval,
    /// A certification (DocMDP) signature.
    Certification,
    /// A document timestamp (`/Type /DocTimeStamp`, `ETSI.RFC3161`).
    DocumentTimestamp,
}

/// How much of the file the signature covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Coverage {
    /// Everything but its own `/Contents`.
    EntireFile,
    /// A complete earlier revision; later revisions follow.
    EntireRevision,
    /// A prefix that does not end a revision.
    Partial,
    /// The byte range is not a well-formed single gap.
    Unclear,
}

/// What changed after the signature (classified fully by the changes-after-signing analysis).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Modifications {
    /// Nothing after the signed bytes.
    None,
    /// Only `/DSS` data and document timestamps.
    LtaUpdates,
    /// Form filling and further signatures.
    FormFilling,
    /// Annotations.
    Annotations,
    /// Anything else, or not yet analysed.
    Other,
}

/// Revocation status of the signer's certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Revocation {
    /// A CRL or OCSP response says not revoked.
    Good,
    /// Revoked.
    Revoked,
    /// No usable revocation information.
    Unknown,
    /// Not checked (the signature failed earlier).
    NotChecked,
}

/// Person or organisation certificate (VIETNAM.md "Certificates").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignerRole {
    /// A natural person (CCCD/CMND identifiers, personal name).
    Person,
    /// An agency or organisation (MST/MNS identifiers, agency name).
    Organisation,
}

/// One problem found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// Stable code (a sub-indication or a verifier-specific word).
    pub code: String,
    /// Plain explanation.
    pub message: String,
    /// The explanation in Vietnamese, where one is written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_vi: Option<String>,
}

/// The signer's certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signer {
    /// CN, exactly as in the certificate (diacritics kept).
    pub common_name: Option<String>,
    /// O.
    pub organization: Option<String>,
    /// Whole subject, RFC 4514 style.
    pub subject: String,
    /// Whole issuer.
    pub issuer: String,
    /// Serial number, hex.
    pub serial: String,
    /// SHA-256 of the DER certificate, hex.
    pub fingerprint_sha256: String,
    /// Validity start, RFC 3339.
    pub not_before: String,
    /// Validity end, RFC 3339.
    pub not_after: String,
    /// Person or organisation.
    pub role: SignerRole,
}

/// A signature timestamp.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timestamp {
    /// The time the TSA asserts, RFC 3339.
    pub time: String,
    /// The TSA's subject.
    pub tsa: String,
    /// Whether the token verified.
    pub status: Status,
}

/// The result for one signature.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignatureReport {
    /// Field name (`/T`), or a generated one.
    pub field: String,
    /// Approval, certification or document timestamp.
    pub kind: Kind,
    /// `/SubFilter` as written.
    pub sub_filter: String,
    /// The verdict.
    pub status: Status,
    /// ETSI indication.
    pub indication: Indication,
    /// ETSI sub-indication when not passed.
    pub sub_indication: Option<SubIndication>,
    /// Everything found wrong.
    pub problems: Vec<Problem>,
    /// What the signature covers.
    pub coverage: Coverage,
    /// What changed afterwards.
    pub modifications: Modifications,
    /// The signer's certificate, when found.
    pub signer: Option<Signer>,
    /// The claimed signing time (signingTime attribute, else `/M`), RFC 3339.
    pub signing_time: Option<String>,
    /// The signature timestamp, when present.
    pub timestamp: Option<Timestamp>,
    /// Revocation status of the signer's certificate.
    pub revocation: Revocation,
    /// Subjects from the signer to the trust anchor.
    pub chain: Vec<String>,
    /// Changes after this signature that its permissions allow but that
    /// alter what a person sees (a form filled in, a comment added or
    /// removed): the signature stays `valid` (ETSI TOTAL_PASSED with
    /// warnings), and each is named here.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<Warning>,
    /// The revision this signature covers (1 for the first), when it covers one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision: Option<u32>,
    /// How many bytes of the file that revision is (`vanthu verify
    /// --extract-revision` writes exactly these: what was signed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signed_bytes: Option<u64>,
}

/// An allowed change that alters what a person sees.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Warning {
    /// `FORM_FILLED` or `ANNOTATION_CHANGED`.
    pub code: String,
    /// Plain explanation, naming the page and field or annotation.
    pub message: String,
    /// The explanation in Vietnamese.
    pub message_vi: String,
    /// The page, when the change is on one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<usize>,
}

/// Decree 30 Art. 5: an electronic document needs a valid person signature and a valid organisation signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decree30 {
    /// A valid signature by a person.
    pub person: bool,
    /// A valid signature by an organisation.
    pub organisation: bool,
}

/// The result for one file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// File name as given.
    pub file: String,
    /// SHA-256 of the file, hex.
    pub sha256: String,
    /// Size in bytes.
    pub size: u64,
    /// The verdict for the whole file.
    pub status: Status,
    /// The time validation was performed for, RFC 3339.
    pub validation_time: String,
    /// One entry per signature, in file order.
    pub signatures: Vec<SignatureReport>,
    /// Problems of the file itself (e.g. `MALFORMED_PDF`).
    pub problems: Vec<Problem>,
    /// Person and organisation signatures (Decree 30 Art. 5).
    pub decree30: Decree30,
}

impl Problem {
    /// A problem with a code and message.
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            code: code.into(),
            message: message.into(),
            message_vi: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_match_serde_spelling() {
        use SubIndication::*;
        for s in [
            FormatFailure,
            HashFailure,
            SigCryptoFailure,
            Revoked,
            Expired,
            NotYetValid,
            NoCertificateChainFound,
            NoSigningCertificateFound,
            ChainConstraintsFailure,
            RevokedNoPoe,
            OutOfBoundsNoPoe,
            TryLater,
            CryptoConstraintsFailure,
            SigConstraintsFailure,
        ] {
            assert_eq!(
                serde_json::to_value(s).expect("json"),
                serde_json::json!(s.code())
            );
        }
        assert_eq!(
            serde_json::to_value(Indication::TotalPassed).expect("json"),
            "TOTAL_PASSED"
        );
        assert_eq!(
            serde_json::to_value(Coverage::EntireRevision).expect("json"),
            "entire_revision"
        );
    }
}
