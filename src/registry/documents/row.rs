//! The one writer of new document rows. Registration and `vanthu seed`
//! both describe a document as a [`NewDocument`] and take its row from
//! [`NewDocument::row`], so every derived column — the duplicate keys, the
//! staff and public search texts, the public flag, the register date, the
//! version — is computed one way, and seeded data behaves like registered
//! data.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use sea_orm::ActiveValue::Set;

use crate::entity::documents;
use crate::registry::error::Result;
use crate::registry::search::{SEARCH_VERSION, SearchFields, texts};
use crate::registry::types::{Channel, Counterpart, Direction, Secrecy, Series, Status, Urgency};
use crate::text::fold;

/// The key a number/symbol is compared by (folded, spaces removed).
pub fn number_symbol_key(s: &str) -> String {
    fold(s).replace(' ', "")
}

/// The key an issuer is compared by (folded).
pub fn issuer_key(s: &str) -> String {
    fold(s)
}

/// A document about to be written: what the clerk (or the seed) gives and
/// what registration decided (number, status, publication time).
#[derive(Debug, Clone)]
pub struct NewDocument<'a> {
    /// Incoming or outgoing.
    pub direction: Direction,
    /// Register year.
    pub year: i32,
    /// Number series.
    pub series: Series,
    /// Register number within year and series.
    pub register_number: i32,
    /// Số, ký hiệu.
    pub number_symbol: Option<String>,
    /// Type name (Decree 30 Phụ lục III).
    pub doc_type: &'a str,
    /// Type abbreviation.
    pub doc_type_abbr: Option<&'a str>,
    /// Issuing body.
    pub issuer: String,
    /// Date of the document.
    pub issued_on: NaiveDate,
    /// Date received (incoming).
    pub received_on: Option<NaiveDate>,
    /// Trích yếu.
    pub subject: String,
    /// Signer named by the clerk.
    pub signer_name: Option<String>,
    /// Recipients (outgoing).
    pub recipients: Vec<String>,
    /// Handling or drafting unit.
    pub unit_id: Option<i32>,
    /// Handler.
    pub handler: Option<String>,
    /// Deadline.
    pub due_on: Option<NaiveDate>,
    /// Handling status.
    pub status: Status,
    /// Instruction.
    pub instruction: Option<String>,
    /// Resolution date (seeded history only; registration leaves it empty).
    pub resolved_on: Option<NaiveDate>,
    /// Copies (paper).
    pub copies: Option<i32>,
    /// Secrecy.
    pub secrecy: Secrecy,
    /// Urgency.
    pub urgency: Urgency,
    /// Channel.
    pub channel: Channel,
    /// Counterpart kind.
    pub counterpart: Counterpart,
    /// The stored PDF.
    pub file_sha256: Option<String>,
    /// Notes.
    pub notes: Option<String>,
    /// Recalled (seeded history only): reason and time.
    pub recalled: Option<(String, DateTime<Utc>)>,
    /// Who registers it.
    pub created_by: &'a str,
    /// When.
    pub registered_at: DateTime<Utc>,
    /// When the public may see it.
    pub publish_at: DateTime<Utc>,
}

impl NewDocument<'_> {
    /// The row, with every derived column.
    pub fn row(&self) -> Result<documents::ActiveModel> {
        let public = self.secrecy == Secrecy::None;
        let search = texts(&SearchFields {
            number_symbol: self.number_symbol.as_deref(),
            doc_type: self.doc_type,
            doc_type_abbr: self.doc_type_abbr,
            issuer: &self.issuer,
            subject: &self.subject,
            recipients: &self.recipients,
            signer_name: self.signer_name.as_deref(),
            handler: self.handler.as_deref(),
            notes: self.notes.as_deref(),
            reply_number_symbol: None,
            public,
        });
        let status = if self.recalled.is_some() {
            Status::Recalled
        } else {
            self.status
        };
        Ok(documents::ActiveModel {
            direction: Set(self.direction.as_str().into()),
            year: Set(self.year),
            series: Set(self.series.as_str().into()),
            register_number: Set(self.register_number),
            number_symbol: Set(self.number_symbol.clone()),
            number_symbol_key: Set(self.number_symbol.as_deref().map(number_symbol_key)),
            issuer: Set(self.issuer.clone()),
            issuer_key: Set(issuer_key(&self.issuer)),
            issued_year: Set(self.issued_on.year()),
            doc_type: Set(self.doc_type.into()),
            doc_type_abbr: Set(self.doc_type_abbr.map(str::to_string)),
            issued_on: Set(self.issued_on),
            received_on: Set(self.received_on),
            register_date: Set(self.received_on.unwrap_or(self.issued_on)),
            registered_at: Set(self.registered_at),
            subject: Set(self.subject.clone()),
            signer_name: Set(self.signer_name.clone()),
            recipients: Set(serde_json::to_string(&self.recipients)?),
            unit_id: Set(self.unit_id),
            handler: Set(self.handler.clone()),
            due_on: Set(self.due_on),
            status: Set(status.as_str().into()),
            instruction: Set(self.instruction.clone()),
            progress: Set(None),
            resolved_on: Set(self.resolved_on),
            reply_number_symbol: Set(None),
            copies: Set(self.copies),
            secrecy: Set(self.secrecy.as_str().into()),
            urgency: Set(self.urgency.as_str().into()),
            channel: Set(self.channel.as_str().into()),
            counterpart: Set(self.counterpart.as_str().into()),
            is_public: Set(public),
            file_sha256: Set(self.file_sha256.clone()),
            notes: Set(self.notes.clone()),
            recall_reason: Set(self.recalled.as_ref().map(|r| r.0.clone())),
            recalled_at: Set(self.recalled.as_ref().map(|r| r.1)),
            search_text: Set(search.staff),
            public_search: Set(search.public),
            search_version: Set(SEARCH_VERSION),
            publish_at: Set(Some(self.publish_at)),
            version: Set(1),
            created_by: Set(self.created_by.into()),
            updated_at: Set(self.registered_at),
            ..Default::default()
        })
    }
}
