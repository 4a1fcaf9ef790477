//! A stored document as the API returns it, and reading one.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use crate::entity::documents;
use crate::registry::error::{Error, Result};
use crate::registry::types::{Channel, Counterpart, Direction, Secrecy, Status, Urgency};

/// A stored document as the API returns it.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct DocumentView {
    /// Internal id.
    pub id: i32,
    /// `incoming` or `outgoing`.
    pub direction: Direction,
    /// Register year (Vietnam time).
    pub year: i32,
    /// `normal` or `secret` series.
    pub series: crate::registry::types::Series,
    /// Số đến (incoming) or the number part of the number/symbol (outgoing).
    pub register_number: i32,
    /// Số, ký hiệu.
    pub number_symbol: Option<String>,
    /// Tên loại.
    pub doc_type: String,
    /// Its abbreviation, if it has one.
    pub doc_type_abbr: Option<String>,
    /// Issuing body.
    pub issuer: String,
    /// Date of the document.
    pub issued_on: NaiveDate,
    /// Date received (incoming).
    pub received_on: Option<NaiveDate>,
    /// When it was registered.
    pub registered_at: DateTime<Utc>,
    /// Trích yếu.
    pub subject: String,
    /// Người ký.
    pub signer_name: Option<String>,
    /// Nơi nhận.
    pub recipients: Vec<String>,
    /// Handling or drafting unit code.
    pub unit: Option<String>,
    /// Assigned person.
    pub handler: Option<String>,
    /// Handling deadline.
    pub due_on: Option<NaiveDate>,
    /// Handling status.
    pub status: Status,
    /// Leader's instruction.
    pub instruction: Option<String>,
    /// Progress note.
    pub progress: Option<String>,
    /// Date handling finished.
    pub resolved_on: Option<NaiveDate>,
    /// Number/symbol of the reply document.
    pub reply_number_symbol: Option<String>,
    /// Số lượng bản.
    pub copies: Option<i32>,
    /// Độ mật.
    pub secrecy: Secrecy,
    /// Độ khẩn.
    pub urgency: Urgency,
    /// Electronic or paper.
    pub channel: Channel,
    /// Kind of counterpart.
    pub counterpart: Counterpart,
    /// Whether the document may appear in public outputs (never when secret).
    pub is_public: bool,
    /// SHA-256 of the attached PDF.
    pub file_sha256: Option<String>,
    /// Ghi chú.
    pub notes: Option<String>,
    /// Why it was recalled.
    pub recall_reason: Option<String>,
    /// When it was recalled.
    pub recalled_at: Option<DateTime<Utc>>,
    /// Past its deadline and not done (today in Vietnam).
    pub overdue: bool,
    /// Who registered it.
    pub created_by: String,
    /// Last change.
    pub updated_at: DateTime<Utc>,
    /// When the document becomes (or became) visible to the public, if it is public.
    pub publish_at: DateTime<Utc>,
    /// How many times the document was written (its `ETag` is `"v<version>"`).
    pub version: i32,
    /// The latest signature verification report (DESIGN.md contract), when a PDF is attached.
    #[schema(value_type = Option<Object>)]
    pub verification: Option<Value>,
}

pub(super) fn enum_or_internal<T>(v: Option<T>, what: &str, raw: &str) -> Result<T> {
    v.ok_or_else(|| Error::Corrupt(format!("stored {what} {raw:?} is not a known value")))
}

impl DocumentView {
    pub(super) fn from_model(
        m: documents::Model,
        units: &HashMap<i32, String>,
        today: NaiveDate,
    ) -> Result<Self> {
        let status = enum_or_internal(Status::parse(&m.status), "status", &m.status)?;
        let overdue = matches!(m.due_on, Some(d) if d < today)
            && !matches!(status, Status::Done | Status::Recalled);
        Ok(Self {
            id: m.id,
            direction: enum_or_internal(Direction::parse(&m.direction), "direction", &m.direction)?,
            year: m.year,
            series: enum_or_internal(
                crate::registry::types::Series::parse(&m.series),
                "series",
                &m.series,
            )?,
            register_number: m.register_number,
            number_symbol: m.number_symbol,
            doc_type: m.doc_type,
            doc_type_abbr: m.doc_type_abbr,
            issuer: m.issuer,
            issued_on: m.issued_on,
            received_on: m.received_on,
            registered_at: m.registered_at,
            subject: m.subject,
            signer_name: m.signer_name,
            recipients: serde_json::from_str(&m.recipients).map_err(|e| {
                Error::Corrupt(format!("stored recipients are not a JSON list: {e}"))
            })?,
            unit: m.unit_id.and_then(|id| units.get(&id).cloned()),
            handler: m.handler,
            due_on: m.due_on,
            status,
            instruction: m.instruction,
            progress: m.progress,
            resolved_on: m.resolved_on,
            reply_number_symbol: m.reply_number_symbol,
            copies: m.copies,
            secrecy: enum_or_internal(Secrecy::parse(&m.secrecy), "secrecy", &m.secrecy)?,
            urgency: enum_or_internal(Urgency::parse(&m.urgency), "urgency", &m.urgency)?,
            channel: enum_or_internal(Channel::parse(&m.channel), "channel", &m.channel)?,
            counterpart: enum_or_internal(
                Counterpart::parse(&m.counterpart),
                "counterpart",
                &m.counterpart,
            )?,
            is_public: m.is_public,
            file_sha256: m.file_sha256,
            notes: m.notes,
            recall_reason: m.recall_reason,
            recalled_at: m.recalled_at,
            overdue,
            created_by: m.created_by,
            updated_at: m.updated_at,
            publish_at: m.publish_at.unwrap_or(m.registered_at),
            version: m.version,
            verification: None,
        })
    }
}
