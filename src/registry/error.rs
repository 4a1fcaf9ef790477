//! Domain errors: a rejected request is a value naming its field; internal
//! failures are kept apart so the HTTP edge can log them and say little.

use crate::store::StoreError;

/// The class of a rejection; the HTTP edge maps it to a status code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Malformed request (400).
    BadRequest,
    /// Missing or unknown credentials (401).
    Unauthenticated,
    /// Authenticated but not allowed (403).
    Forbidden,
    /// No such thing (404).
    NotFound,
    /// Conflicts with what is stored (409).
    Conflict,
    /// Too large (413).
    TooLarge,
    /// Wrong media type (415).
    UnsupportedMedia,
    /// Well-formed but invalid (422).
    Invalid,
    /// The client took too long to send its request (408).
    Timeout,
    /// The representation changed since the client read it (412).
    PreconditionFailed,
    /// Too many requests from this client (429, with `Retry-After`).
    TooMany,
    /// The server is at capacity for this kind of request (503, with `Retry-After`).
    Busy,
}

/// A request the domain refuses, with a stable code and the offending field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    /// Class of the refusal.
    pub kind: Kind,
    /// Stable machine-readable code, e.g. `unknown_unit`.
    pub code: &'static str,
    /// Human-readable explanation.
    pub message: String,
    /// The request field at fault, if any.
    pub field: Option<String>,
}

/// Errors of the registry.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The request was refused.
    #[error("{}", .0.message)]
    Rejected(Rejection),
    /// The database failed.
    #[error("database error: {0}")]
    Db(#[from] sea_orm::DbErr),
    /// File storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// JSON could not be written or read back.
    #[error("JSON encoding failed: {0}")]
    Json(#[from] serde_json::Error),
    /// A stored value is not one vanthu writes (the database was changed
    /// outside vanthu, or by a newer version).
    #[error("stored data is not valid: {0}")]
    Corrupt(String),
    /// The transparency-log library refused an operation.
    #[error("transparency log: {0}")]
    Tlog(#[from] tlog::TlogError),
    /// OpenSSL failed (e.g. the random generator).
    #[error("OpenSSL: {0}")]
    Crypto(#[from] openssl::error::ErrorStack),
    /// A background task (a verification) ended abnormally.
    #[error("a background task failed: {0}")]
    Task(#[from] tokio::task::JoinError),
    /// A workbook could not be written.
    #[error("XLSX: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    /// An invariant of vanthu itself does not hold (a bug, or a test's
    /// injected failure); the message says which.
    #[error("internal error: {0}")]
    Internal(String),
}

/// Result alias of the registry.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// A refusal of class `kind`.
    pub fn reject(
        kind: Kind,
        code: &'static str,
        field: Option<&str>,
        message: impl Into<String>,
    ) -> Self {
        Error::Rejected(Rejection {
            kind,
            code,
            message: message.into(),
            field: field.map(str::to_string),
        })
    }

    /// 422 for `field`.
    pub fn invalid(code: &'static str, field: &str, message: impl Into<String>) -> Self {
        Self::reject(Kind::Invalid, code, Some(field), message)
    }

    /// 404.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::reject(Kind::NotFound, "not_found", None, message)
    }

    /// 409.
    pub fn conflict(code: &'static str, field: Option<&str>, message: impl Into<String>) -> Self {
        Self::reject(Kind::Conflict, code, field, message)
    }

    /// 503: at capacity, try again shortly.
    pub fn busy(code: &'static str, message: impl Into<String>) -> Self {
        Self::reject(Kind::Busy, code, None, message)
    }

    /// 400.
    pub fn bad_request(
        code: &'static str,
        field: Option<&str>,
        message: impl Into<String>,
    ) -> Self {
        Self::reject(Kind::BadRequest, code, field, message)
    }

    /// The rejection, if this is one.
    pub fn rejection(&self) -> Option<&Rejection> {
        match self {
            Error::Rejected(r) => Some(r),
            _ => None,
        }
    }

    /// True for a unique-constraint violation reported by the database.
    pub fn is_unique_violation(&self) -> bool {
        matches!(self, Error::Db(e) if matches!(e.sql_err(), Some(sea_orm::SqlErr::UniqueConstraintViolation(_))))
    }
}
