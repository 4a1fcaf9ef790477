//! Registering, finding, handling and recalling documents in the incoming
//! (Decree 30/2020 Art. 22) and outgoing (Art. 15) registers: the accepted
//! metadata and upload here, one file per job below.

mod handling;
mod query;
mod read;
mod register;
pub mod row;
pub mod view;

pub use query::{ListQuery, MAX_PAGE, Page};
pub use view::DocumentView;

use std::collections::HashMap;

use bytes::Bytes;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde::Serialize;
use utoipa::ToSchema;

use crate::entity::{documents, units};
use crate::registry::error::{Error, Kind, Result};

/// The metadata fields a registration accepts (DESIGN.md "Command line and HTTP outline").
pub const METADATA_FIELDS: &[&str] = &[
    "number_symbol",
    "doc_type",
    "issuer",
    "issued_on",
    "received_on",
    "subject",
    "signer_name",
    "recipients",
    "unit",
    "handler",
    "due_on",
    "secrecy",
    "urgency",
    "channel",
    "counterpart",
    "copies",
    "instruction",
    "notes",
];

/// Registration metadata, as documented in the OpenAPI description. The
/// server reads it field by field (see [`METADATA_FIELDS`]) so each error names its field.
#[derive(Debug, Default, Serialize, serde::Deserialize, ToSchema)]
pub struct DocumentMetadata {
    /// Số, ký hiệu of an incoming document (e.g. `42/QĐ-UBND`); assigned by the system for outgoing ones.
    pub number_symbol: Option<String>,
    /// Document type: a name (`Quyết định`, `quyet dinh`) or abbreviation (`QĐ`) from Decree 30 Phụ lục III.
    pub doc_type: Option<String>,
    /// Issuing body (tác giả); outgoing documents are issued by the agency itself.
    pub issuer: Option<String>,
    /// Date of the document, `YYYY-MM-DD`; not in the future. Defaults to today for outgoing.
    pub issued_on: Option<String>,
    /// Date received (incoming), `YYYY-MM-DD`; defaults to today.
    pub received_on: Option<String>,
    /// Trích yếu: what the document is about. Required.
    pub subject: Option<String>,
    /// Người ký.
    pub signer_name: Option<String>,
    /// Nơi nhận.
    pub recipients: Option<Vec<String>>,
    /// Code of the handling unit (incoming) or drafting unit (outgoing; required for công văn).
    pub unit: Option<String>,
    /// Person assigned to handle it.
    pub handler: Option<String>,
    /// Handling deadline, `YYYY-MM-DD`.
    pub due_on: Option<String>,
    /// `none` (default), `mat`, `toi_mat`, `tuyet_mat`.
    pub secrecy: Option<String>,
    /// `normal` (default), `khan`, `thuong_khan`, `hoa_toc`.
    pub urgency: Option<String>,
    /// `electronic` (default when a file is attached) or `paper`.
    pub channel: Option<String>,
    /// `state_agency` (default), `citizen`, `enterprise`, `internal`.
    pub counterpart: Option<String>,
    /// Số lượng bản.
    pub copies: Option<i32>,
    /// The leader's instruction (ý kiến chỉ đạo).
    pub instruction: Option<String>,
    /// Ghi chú.
    pub notes: Option<String>,
}

/// A file that looks like a PDF and is within the size limit; built only by [`PdfUpload::check`].
#[derive(Debug, Clone)]
pub struct PdfUpload {
    bytes: Bytes,
}

impl PdfUpload {
    /// Accept `bytes` if they start like a PDF (`%PDF-` within the first
    /// 1024 bytes, as readers tolerate) and are at most `max` bytes.
    /// Whether the PDF is well-formed and signed is the verifier's question, not this one's.
    pub fn check(bytes: Bytes, max: u64) -> Result<Self> {
        if bytes.len() as u64 > max {
            return Err(too_large(max));
        }
        if bytes.is_empty() {
            return Err(Error::reject(
                Kind::UnsupportedMedia,
                "not_pdf",
                Some("file"),
                "the file is empty",
            ));
        }
        let head = &bytes[..bytes.len().min(1024)];
        if !head.windows(5).any(|w| w == b"%PDF-") {
            return Err(Error::reject(
                Kind::UnsupportedMedia,
                "not_pdf",
                Some("file"),
                "the file is not a PDF (no %PDF- header in its first 1024 bytes)",
            ));
        }
        Ok(Self { bytes })
    }

    /// The bytes.
    pub fn bytes(&self) -> &Bytes {
        &self.bytes
    }
}

/// The refusal for a file over the limit.
pub fn too_large(max: u64) -> Error {
    Error::reject(
        Kind::TooLarge,
        "file_too_large",
        Some("file"),
        format!(
            "the file is larger than the limit of {} MB",
            max / 1_000_000
        ),
    )
}

/// Units by id → code, for rendering.
pub(crate) async fn unit_codes<C: ConnectionTrait>(db: &C) -> Result<HashMap<i32, String>> {
    Ok(units::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.code))
        .collect())
}

/// Find a unit by code, or refuse naming `field`.
pub(crate) async fn unit_by_code<C: ConnectionTrait>(
    db: &C,
    code: &str,
    field: &str,
) -> Result<units::Model> {
    units::Entity::find()
        .filter(units::Column::Code.eq(code))
        .one(db)
        .await?
        .ok_or_else(|| {
            Error::invalid(
                "unknown_unit",
                field,
                format!("there is no unit with code {code:?}"),
            )
        })
}

/// Find an active unit by code, or refuse naming `field`.
pub(crate) async fn active_unit<C: ConnectionTrait>(
    db: &C,
    code: &str,
    field: &str,
) -> Result<units::Model> {
    let u = unit_by_code(db, code, field).await?;
    if !u.active {
        return Err(Error::invalid(
            "unknown_unit",
            field,
            format!("unit {code:?} is no longer active"),
        ));
    }
    Ok(u)
}

/// Document `id` read in `txn` for a write: it exists and is at the
/// `expected` version (`If-Match`), when one is given.
pub(crate) async fn for_write<C: ConnectionTrait>(
    txn: &C,
    id: i32,
    expected: Option<i32>,
) -> Result<documents::Model> {
    let current = documents::Entity::find_by_id(id)
        .one(txn)
        .await?
        .ok_or_else(|| Error::not_found(format!("there is no document {id}")))?;
    check_version(&current, expected)?;
    Ok(current)
}

/// Finish a change to a document row: the time, the next version and the
/// search texts recomputed from its new values.
pub(crate) fn stamp(
    am: &mut documents::ActiveModel,
    version: i32,
    now: DateTime<Utc>,
) -> Result<()> {
    am.updated_at = Set(now);
    am.version = Set(version + 1);
    crate::registry::search::refresh(am)
}

/// Refuse a write based on an older version of the document (`If-Match`).
pub(crate) fn check_version(current: &documents::Model, expected: Option<i32>) -> Result<()> {
    check_row_version(
        &format!("document {}", current.id),
        current.version,
        expected,
    )
}

/// Refuse a write to `what` (at `version`) based on an older version (`If-Match`).
pub(crate) fn check_row_version(what: &str, version: i32, expected: Option<i32>) -> Result<()> {
    match expected {
        Some(v) if v != version => Err(Error::reject(
            Kind::PreconditionFailed,
            "stale_version",
            None,
            format!(
                "{what} changed since you read it (you had version {v}, it is now at {version}); read it again and repeat your change"
            ),
        )),
        _ => Ok(()),
    }
}

/// Years ahead a deadline may lie.
const MAX_DEADLINE_YEARS: i32 = 5;

/// A deadline must fall between the register date and a few years ahead.
pub(super) fn check_deadline(
    due: NaiveDate,
    register_date: NaiveDate,
    today: NaiveDate,
) -> Result<()> {
    if due < register_date {
        return Err(Error::invalid(
            "invalid_date",
            "due_on",
            format!("due_on {due} is before the document entered the register ({register_date})"),
        ));
    }
    let limit = today
        .with_year(today.year() + MAX_DEADLINE_YEARS)
        .unwrap_or(today);
    if due > limit {
        return Err(Error::invalid(
            "invalid_date",
            "due_on",
            format!("due_on {due} is more than {MAX_DEADLINE_YEARS} years ahead"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_schema_matches_accepted_fields() {
        let v = serde_json::to_value(DocumentMetadata::default()).expect("serialises");
        let keys: Vec<&str> = v
            .as_object()
            .expect("object")
            .keys()
            .map(String::as_str)
            .collect();
        let mut want: Vec<&str> = METADATA_FIELDS.to_vec();
        let mut got = keys.clone();
        want.sort_unstable();
        got.sort_unstable();
        assert_eq!(got, want);
    }

    #[test]
    fn pdf_check() {
        assert!(PdfUpload::check(Bytes::from_static(b"%PDF-1.7\n"), 100).is_ok());
        let e = PdfUpload::check(Bytes::from_static(b"GIF89a"), 100).expect_err("not pdf");
        assert_eq!(e.rejection().map(|r| r.code), Some("not_pdf"));
        let e =
            PdfUpload::check(Bytes::from_static(b"%PDF-1.7 toolong"), 5).expect_err("too large");
        assert_eq!(e.rejection().map(|r| r.code), Some("file_too_large"));
    }
}
