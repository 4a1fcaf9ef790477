//! Registering, finding, handling and recalling documents in the incoming
//! (Decree 30/2020 Art. 22) and outgoing (Art. 15) registers.

use std::collections::HashMap;
use std::sync::atomic::Ordering;

use bytes::Bytes;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use sea_orm::sea_query::LikeExpr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde::Serialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

use super::Registry;
use super::audit;
use super::error::{Error, Kind, Result};
use super::fields::{Fields, parse_date};
use super::numbering::{format_number, next_number};
use super::types::{
    Channel, Counterpart, Direction, DocType, Secrecy, Status, Urgency, doc_type_param,
};
use crate::entity::{documents, files, units};
use crate::store::Sha256Hex;
use crate::text::{escape_like, fold};

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
    pub series: super::types::Series,
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

fn enum_or_internal<T>(v: Option<T>, what: &str, raw: &str) -> Result<T> {
    v.ok_or_else(|| Error::Internal(format!("stored {what} {raw:?} is not a known value")))
}

impl DocumentView {
    fn from_model(
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
            series: enum_or_internal(super::types::Series::parse(&m.series), "series", &m.series)?,
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
                Error::Internal(format!("stored recipients are not a JSON list: {e}"))
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

/// Units by id → code, for rendering.
async fn unit_codes<C: ConnectionTrait>(db: &C) -> Result<HashMap<i32, String>> {
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

/// A registration after validation: nothing here can be refused any more
/// except by the database (a duplicate number/symbol).
struct Checked {
    doc_type: &'static DocType,
    number_symbol: Option<String>,
    issuer: String,
    issued_on: NaiveDate,
    received_on: Option<NaiveDate>,
    subject: String,
    signer_name: Option<String>,
    recipients: Vec<String>,
    unit: Option<units::Model>,
    handler: Option<String>,
    due_on: Option<NaiveDate>,
    secrecy: Secrecy,
    urgency: Urgency,
    channel: Channel,
    counterpart: Counterpart,
    copies: Option<i32>,
    instruction: Option<String>,
    notes: Option<String>,
}

impl Registry {
    async fn check_registration(
        &self,
        direction: Direction,
        meta: &Value,
        has_file: bool,
    ) -> Result<Checked> {
        let f = Fields::new(meta, METADATA_FIELDS)?;
        let today = self.clock.today_vn();
        let doc_type_s = f.required_text("doc_type", 100)?;
        let doc_type = doc_type_param(&doc_type_s, "doc_type")?;
        let subject = f.required_text("subject", 2000)?;
        let secrecy = f
            .choice("secrecy", Secrecy::parse, &Secrecy::choices())?
            .unwrap_or(Secrecy::None);
        let urgency = f
            .choice("urgency", Urgency::parse, &Urgency::choices())?
            .unwrap_or(Urgency::Normal);
        let counterpart = f
            .choice("counterpart", Counterpart::parse, &Counterpart::choices())?
            .unwrap_or(Counterpart::StateAgency);
        let channel = match f.choice("channel", Channel::parse, &Channel::choices())? {
            Some(c) => c,
            None if has_file => Channel::Electronic,
            None => Channel::Paper,
        };
        if channel == Channel::Electronic && !has_file {
            return Err(Error::invalid(
                "file_required",
                "file",
                "an electronic document must be registered with its PDF (part \"file\"); use channel \"paper\" for a paper document",
            ));
        }
        let signer_name = f.text("signer_name", 200)?;
        let recipients = f.text_list("recipients", 200, 300)?;
        let handler = f.text("handler", 200)?;
        let instruction = f.text("instruction", 2000)?;
        let notes = f.text("notes", 2000)?;
        let copies = f.count("copies", 100_000)?;
        let due_on = f.date("due_on")?;
        let unit_code = f.identifier("unit", 32)?;

        let (number_symbol, issuer, issued_on, received_on) = match direction {
            Direction::Incoming => {
                let issuer = f.required_text("issuer", 300)?;
                let number_symbol = f.identifier("number_symbol", 100)?;
                let issued_on = f.date("issued_on")?.ok_or_else(|| {
                    Error::invalid(
                        "missing_field",
                        "issued_on",
                        "issued_on (the date of the document) is required",
                    )
                })?;
                let received_on = f.date("received_on")?.unwrap_or(today);
                // The register of this year (or, registered late, of last
                // year): a document received decades ago is a typing error.
                if received_on.year() < today.year() - 1 {
                    return Err(Error::invalid(
                        "invalid_date",
                        "received_on",
                        format!(
                            "received_on {received_on} is too far back: the registers take documents received since 1 January {}",
                            today.year() - 1
                        ),
                    ));
                }
                if received_on > today {
                    return Err(Error::invalid(
                        "future_date",
                        "received_on",
                        format!(
                            "received_on {received_on} is in the future (today is {today} in Vietnam)"
                        ),
                    ));
                }
                if issued_on > received_on {
                    return Err(Error::invalid(
                        "invalid_date",
                        "issued_on",
                        format!("issued_on {issued_on} is after received_on {received_on}"),
                    ));
                }
                (number_symbol, issuer, issued_on, Some(received_on))
            }
            Direction::Outgoing => {
                if f.has("number_symbol") {
                    return Err(Error::invalid(
                        "assigned_by_system",
                        "number_symbol",
                        "the number/symbol of an outgoing document is assigned by the system (Decree 30 Art. 15); do not send it",
                    ));
                }
                if f.has("received_on") {
                    return Err(Error::invalid(
                        "unknown_field",
                        "received_on",
                        "received_on applies to incoming documents only",
                    ));
                }
                if doc_type.incoming_only {
                    return Err(Error::invalid(
                        "unknown_doc_type",
                        "doc_type",
                        format!(
                            "{} is not issued by a department; it can only be registered as incoming",
                            doc_type.name
                        ),
                    ));
                }
                let issuer = match f.text("issuer", 300)? {
                    Some(i) if fold(&i) != fold(&self.agency_name) => {
                        return Err(Error::invalid(
                            "invalid_value",
                            "issuer",
                            format!(
                                "outgoing documents are issued by {:?}; leave issuer out",
                                self.agency_name
                            ),
                        ));
                    }
                    _ => self.agency_name.clone(),
                };
                let issued_on = f.date("issued_on")?.unwrap_or(today);
                if issued_on.year() != today.year() {
                    return Err(Error::invalid(
                        "invalid_date",
                        "issued_on",
                        format!(
                            "an outgoing document is numbered in the year it is issued; issued_on {issued_on} is not in {}",
                            today.year()
                        ),
                    ));
                }
                if doc_type.abbr.is_none() && unit_code.is_none() {
                    return Err(Error::invalid(
                        "missing_field",
                        "unit",
                        format!(
                            "a {} needs the drafting unit's code (its symbol is NN/{}-UNIT)",
                            doc_type.name, self.agency_code
                        ),
                    ));
                }
                (None, issuer, issued_on, None)
            }
        };
        if issued_on > today {
            return Err(Error::invalid(
                "future_date",
                "issued_on",
                format!("issued_on {issued_on} is in the future (today is {today} in Vietnam)"),
            ));
        }
        if issued_on.year() < 1945 {
            return Err(Error::invalid(
                "invalid_date",
                "issued_on",
                format!("issued_on {issued_on} is implausibly old"),
            ));
        }
        let register_date = received_on.unwrap_or(issued_on);
        if let Some(d) = due_on {
            check_deadline(d, register_date, today)?;
        }
        let unit = match &unit_code {
            Some(code) => Some(active_unit(&self.db, code, "unit").await?),
            None => None,
        };
        Ok(Checked {
            doc_type,
            number_symbol,
            issuer,
            issued_on,
            received_on,
            subject,
            signer_name,
            recipients,
            unit,
            handler,
            due_on,
            secrecy,
            urgency,
            channel,
            counterpart,
            copies,
            instruction,
            notes,
        })
    }

    /// Register a document: validate `meta`, store the file (durably, before
    /// the row that references it), take the next number, insert the row and
    /// its audit entry in one transaction. A refusal or failure stores no row;
    /// a file stored for a failed request is swept by [`Registry::gc`].
    pub async fn register(
        &self,
        direction: Direction,
        meta: &Value,
        file: Option<PdfUpload>,
        actor: &str,
    ) -> Result<DocumentView> {
        let c = self
            .check_registration(direction, meta, file.is_some())
            .await?;
        let file_info = match &file {
            Some(f) => Some((
                self.store.put(f.bytes().clone()).await?,
                f.bytes().len() as i64,
            )),
            None => None,
        };
        let now = audit::micros(self.clock.now());
        // The register year is the year of the document's own date (the day
        // it arrived, or the day it is issued), never of the instant the
        // request happens to commit: a document dated 31 December that
        // commits just after midnight is still numbered in December's year.
        let year = c.received_on.unwrap_or(c.issued_on).year();
        let series = c.secrecy.series();
        // The secret series is told apart in the number/symbol itself.
        let suffix = if series == super::types::Series::Secret {
            self.secret_suffix.as_str()
        } else {
            ""
        };
        // Decree 30 Art. 21: check authenticity and integrity on arrival.
        let verifier = super::verification::options_with_pins(&self.db, &self.verifier).await?;
        let report = match &file {
            Some(f) => Some(
                super::verification::run(
                    &self.verify_pool,
                    verifier.clone(),
                    "document.pdf".into(),
                    f.bytes().clone(),
                    now,
                )
                .await?,
            ),
            None => None,
        };

        let txn = crate::db::begin_write(&self.db).await?;
        let number = next_number(&txn, direction, year, series).await?;
        let number_symbol = match direction {
            Direction::Incoming => c.number_symbol.clone(),
            Direction::Outgoing => Some(match (c.doc_type.abbr, &c.unit) {
                (Some(abbr), _) => {
                    format!(
                        "{}/{}-{}{suffix}",
                        format_number(number),
                        abbr,
                        self.agency_code
                    )
                }
                (None, Some(u)) => {
                    format!(
                        "{}/{}-{}{suffix}",
                        format_number(number),
                        self.agency_code,
                        u.code
                    )
                }
                (None, None) => {
                    return Err(Error::Internal(
                        "công văn without unit passed validation".into(),
                    ));
                }
            }),
        };
        let number_symbol_key = number_symbol.as_deref().map(|s| fold(s).replace(' ', ""));
        let issuer_key = fold(&c.issuer);
        if let Some(key) = &number_symbol_key {
            let existing = documents::Entity::find()
                .filter(documents::Column::Direction.eq(direction.as_str()))
                .filter(documents::Column::IssuerKey.eq(issuer_key.as_str()))
                .filter(documents::Column::IssuedYear.eq(c.issued_on.year()))
                .filter(documents::Column::Series.eq(series.as_str()))
                .filter(documents::Column::NumberSymbolKey.eq(key.as_str()))
                .one(&txn)
                .await?;
            if let Some(e) = existing {
                return Err(duplicate(
                    &c.issuer,
                    c.issued_on.year(),
                    number_symbol.as_deref().unwrap_or(""),
                    Some(e.id),
                ));
            }
        }
        if let Some((sha, size)) = &file_info {
            files::Entity::insert(files::ActiveModel {
                sha256: Set(sha.to_string()),
                size: Set(*size),
                content_type: Set("application/pdf".into()),
                stored_at: Set(now),
            })
            .on_conflict(
                sea_orm::sea_query::OnConflict::column(files::Column::Sha256)
                    .do_nothing()
                    .to_owned(),
            )
            .exec_without_returning(&txn)
            .await?;
        }
        let status =
            if c.handler.is_some() || (direction == Direction::Incoming && c.unit.is_some()) {
                Status::Assigned
            } else {
                Status::Registered
            };
        let search = super::search::texts(&super::search::SearchFields {
            number_symbol: number_symbol.as_deref(),
            doc_type: c.doc_type.name,
            doc_type_abbr: c.doc_type.abbr,
            issuer: &c.issuer,
            subject: &c.subject,
            recipients: &c.recipients,
            signer_name: c.signer_name.as_deref(),
            handler: c.handler.as_deref(),
            notes: c.notes.as_deref(),
            reply_number_symbol: None,
            public: c.secrecy == Secrecy::None,
        });
        // Nothing becomes public before the hold ends (a mistaken secrecy
        // can still be corrected).
        let publish_at = now
            + chrono::Duration::from_std(self.publication_hold).unwrap_or(chrono::Duration::zero());
        let model = documents::ActiveModel {
            direction: Set(direction.as_str().into()),
            year: Set(year),
            series: Set(series.as_str().into()),
            register_number: Set(number),
            number_symbol: Set(number_symbol.clone()),
            number_symbol_key: Set(number_symbol_key),
            issuer: Set(c.issuer.clone()),
            issuer_key: Set(issuer_key),
            issued_year: Set(c.issued_on.year()),
            doc_type: Set(c.doc_type.name.into()),
            doc_type_abbr: Set(c.doc_type.abbr.map(str::to_string)),
            issued_on: Set(c.issued_on),
            received_on: Set(c.received_on),
            register_date: Set(c.received_on.unwrap_or(c.issued_on)),
            registered_at: Set(now),
            subject: Set(c.subject.clone()),
            signer_name: Set(c.signer_name.clone()),
            recipients: Set(
                serde_json::to_string(&c.recipients).map_err(|e| Error::Internal(e.to_string()))?
            ),
            unit_id: Set(c.unit.as_ref().map(|u| u.id)),
            handler: Set(c.handler.clone()),
            due_on: Set(c.due_on),
            status: Set(status.as_str().into()),
            instruction: Set(c.instruction.clone()),
            progress: Set(None),
            resolved_on: Set(None),
            reply_number_symbol: Set(None),
            copies: Set(c.copies),
            secrecy: Set(c.secrecy.as_str().into()),
            urgency: Set(c.urgency.as_str().into()),
            channel: Set(c.channel.as_str().into()),
            counterpart: Set(c.counterpart.as_str().into()),
            is_public: Set(c.secrecy == Secrecy::None),
            file_sha256: Set(file_info.as_ref().map(|(s, _)| s.to_string())),
            notes: Set(c.notes.clone()),
            recall_reason: Set(None),
            recalled_at: Set(None),
            search_text: Set(search.staff),
            public_search: Set(search.public),
            search_version: Set(super::search::SEARCH_VERSION),
            publish_at: Set(Some(publish_at)),
            version: Set(1),
            created_by: Set(actor.into()),
            updated_at: Set(now),
            ..Default::default()
        };
        let inserted = match model.insert(&txn).await {
            Ok(m) => m,
            Err(e) => {
                let e = Error::from(e);
                if e.is_unique_violation() {
                    return Err(duplicate(
                        &c.issuer,
                        c.issued_on.year(),
                        number_symbol.as_deref().unwrap_or(""),
                        None,
                    ));
                }
                return Err(e);
            }
        };
        audit::append(
            &txn,
            now,
            actor,
            "register",
            Some(inserted.id),
            &json!({
                "direction": direction,
                "year": year,
                "series": series,
                "register_number": number,
                "number_symbol": number_symbol,
                "subject": c.subject,
                "file_sha256": inserted.file_sha256,
                "verification": report.as_ref().map(|r| r.0.status),
            }),
        )
        .await?;
        if let Some(r) = &report {
            super::verification::store(
                &txn,
                inserted.id,
                (&r.0, &r.1),
                super::verification::Reason::Registration,
                &verifier.trust.version(),
                now,
            )
            .await?;
        }
        crate::compliance::rollup::apply(&txn, inserted.id, 1).await?;
        // The public log hears of it in the same transaction (secret documents: nothing).
        let view = self.get_in(&txn, inserted.id).await?;
        crate::public::log::enqueue(&txn, &view, "registered", now).await?;
        if self.hooks.danger_fail_before_commit.load(Ordering::SeqCst) {
            return Err(Error::Internal("injected failure before commit".into()));
        }
        txn.commit().await?;
        let units = unit_codes(&self.db).await?;
        let mut view = DocumentView::from_model(inserted, &units, self.clock.today_vn())?;
        view.verification = report.map(|r| serde_json::to_value(r.0).unwrap_or(Value::Null));
        Ok(view)
    }

    /// One document by id.
    pub async fn get(&self, id: i32) -> Result<DocumentView> {
        self.get_in(&self.db, id).await
    }

    /// One document read through `c` (a transaction sees its own changes).
    pub async fn get_in<C: ConnectionTrait>(&self, c: &C, id: i32) -> Result<DocumentView> {
        let m = documents::Entity::find_by_id(id)
            .one(c)
            .await?
            .ok_or_else(|| Error::not_found(format!("there is no document {id}")))?;
        let units = unit_codes(c).await?;
        let mut view = DocumentView::from_model(m, &units, self.clock.today_vn())?;
        view.verification = super::verification::latest(c, &[id]).await?.remove(&id);
        Ok(view)
    }

    /// The PDF of a document: its digest and bytes.
    pub async fn file(&self, id: i32) -> Result<(DocumentView, Bytes)> {
        let doc = self.get(id).await?;
        let sha = doc
            .file_sha256
            .as_deref()
            .and_then(Sha256Hex::parse)
            .ok_or_else(|| {
                Error::not_found(format!("document {id} has no file (a paper document)"))
            })?;
        let bytes = self.store.get(&sha).await?;
        Ok((doc, bytes))
    }

    /// Search the registers.
    pub async fn list(&self, q: &ListQuery) -> Result<Page> {
        self.list_where(q, Condition::all(), documents::Column::SearchText)
            .await
    }

    /// What the public may see now: not secret, published (its hold over).
    fn published(&self) -> Condition {
        Condition::all()
            .add(documents::Column::Secrecy.eq(Secrecy::None.as_str()))
            .add(documents::Column::IsPublic.eq(true))
            .add(documents::Column::PublishAt.lte(audit::micros(self.clock.now())))
    }

    /// Search what the public may see: no secret, unpublished or recalled
    /// document, and only over the public fields.
    pub async fn list_public(&self, q: &ListQuery) -> Result<Page> {
        if q.unit.is_some() || q.urgency.is_some() || q.secrecy.is_some() {
            return Err(Error::invalid(
                "unknown_field",
                "unit",
                "the public search filters only on what the public sees",
            ));
        }
        let only = self
            .published()
            .add(documents::Column::Status.ne(Status::Recalled.as_str()));
        self.list_where(q, only, documents::Column::PublicSearch)
            .await
    }

    /// Whether document `id` is published (not secret, its hold over).
    pub async fn is_published(&self, id: i32) -> Result<bool> {
        Ok(documents::Entity::find_by_id(id)
            .filter(self.published())
            .count(&self.db)
            .await?
            > 0)
    }

    /// Public documents whose number/symbol matches `number_symbol` (ignoring case, diacritics and spaces).
    pub async fn lookup_public(&self, number_symbol: &str) -> Result<Vec<DocumentView>> {
        let key = fold(number_symbol).replace(' ', "");
        let rows = documents::Entity::find()
            .filter(documents::Column::NumberSymbolKey.eq(key))
            .filter(self.published())
            .filter(documents::Column::Status.ne(Status::Recalled.as_str()))
            .order_by_desc(documents::Column::Id)
            .limit(50)
            .all(&self.db)
            .await?;
        let mut out = Vec::new();
        for m in rows {
            out.push(self.get(m.id).await?);
        }
        Ok(out)
    }

    /// The public document whose PDF has this SHA-256, if any.
    pub async fn find_public_by_file(&self, sha256: &str) -> Result<Option<DocumentView>> {
        let m = documents::Entity::find()
            .filter(documents::Column::FileSha256.eq(sha256))
            .filter(self.published())
            .order_by_desc(documents::Column::Id)
            .one(&self.db)
            .await?;
        match m {
            Some(m) => Ok(Some(self.get(m.id).await?)),
            None => Ok(None),
        }
    }

    async fn list_where(
        &self,
        q: &ListQuery,
        base: Condition,
        search: documents::Column,
    ) -> Result<Page> {
        let mut cond = base;
        if let Some(d) = &q.direction {
            let d = Direction::parse(d)
                .ok_or_else(|| bad_filter("direction", &Direction::choices()))?;
            cond = cond.add(documents::Column::Direction.eq(d.as_str()));
        }
        if let Some(y) = q.year {
            cond = cond.add(documents::Column::Year.eq(y));
        }
        if let Some(code) = q.unit.as_deref().filter(|s| !s.is_empty()) {
            let unit = unit_by_code(&self.db, code, "unit").await?;
            cond = cond.add(documents::Column::UnitId.eq(unit.id));
        }
        if let Some(t) = q.doc_type.as_deref().filter(|s| !s.is_empty()) {
            let t = doc_type_param(t, "doc_type")?;
            cond = cond.add(documents::Column::DocType.eq(t.name));
        }
        if let Some(s) = &q.status {
            let s = Status::parse(s).ok_or_else(|| bad_filter("status", &Status::choices()))?;
            cond = cond.add(documents::Column::Status.eq(s.as_str()));
        }
        if let Some(s) = &q.secrecy {
            let s = Secrecy::parse(s).ok_or_else(|| bad_filter("secrecy", &Secrecy::choices()))?;
            cond = cond.add(documents::Column::Secrecy.eq(s.as_str()));
        }
        if let Some(s) = &q.urgency {
            let s = Urgency::parse(s).ok_or_else(|| bad_filter("urgency", &Urgency::choices()))?;
            cond = cond.add(documents::Column::Urgency.eq(s.as_str()));
        }
        if let Some(s) = &q.channel {
            let s = Channel::parse(s).ok_or_else(|| bad_filter("channel", &Channel::choices()))?;
            cond = cond.add(documents::Column::Channel.eq(s.as_str()));
        }
        if let Some(s) = &q.counterpart {
            let s = Counterpart::parse(s)
                .ok_or_else(|| bad_filter("counterpart", &Counterpart::choices()))?;
            cond = cond.add(documents::Column::Counterpart.eq(s.as_str()));
        }
        let from = q
            .from
            .as_deref()
            .map(|s| parse_date("from", s))
            .transpose()?;
        let to = q.to.as_deref().map(|s| parse_date("to", s)).transpose()?;
        if let (Some(a), Some(b)) = (from, to)
            && a > b
        {
            return Err(Error::invalid(
                "invalid_date",
                "from",
                format!("from {a} is after to {b}"),
            ));
        }
        if let Some(a) = from {
            cond = cond.add(documents::Column::RegisterDate.gte(a));
        }
        if let Some(b) = to {
            cond = cond.add(documents::Column::RegisterDate.lte(b));
        }
        if let Some(text) = &q.q {
            if text.chars().count() > 500 {
                return Err(Error::invalid(
                    "too_long",
                    "q",
                    "the search text is longer than 500 characters",
                ));
            }
            for word in fold(text).split(' ').filter(|w| !w.is_empty()).take(20) {
                let pattern = format!("%{}%", escape_like(word));
                cond = cond.add(search.like(LikeExpr::new(pattern).escape('\\')));
            }
        }
        let per_page = q.per_page.unwrap_or(20);
        if !(1..=200).contains(&per_page) {
            return Err(Error::invalid(
                "invalid_value",
                "per_page",
                "per_page must be from 1 to 200",
            ));
        }
        let page = q.page.unwrap_or(1);
        if !(1..=MAX_PAGE).contains(&page) {
            return Err(Error::invalid(
                "invalid_value",
                "page",
                format!("page must be from 1 to {MAX_PAGE}"),
            ));
        }
        let select = documents::Entity::find().filter(cond);
        let total = select.clone().count(&self.db).await?;
        let rows = select
            .order_by_desc(documents::Column::RegisteredAt)
            .order_by_desc(documents::Column::Id)
            .offset((page - 1) * per_page)
            .limit(per_page)
            .all(&self.db)
            .await?;
        let units = unit_codes(&self.db).await?;
        let today = self.clock.today_vn();
        let ids: Vec<i32> = rows.iter().map(|m| m.id).collect();
        let mut reports = super::verification::latest(&self.db, &ids).await?;
        let items = rows
            .into_iter()
            .map(|m| {
                let id = m.id;
                DocumentView::from_model(m, &units, today).map(|mut v| {
                    v.verification = reports.remove(&id);
                    v
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Page {
            items,
            total,
            page,
            per_page,
        })
    }

    /// Record handling (Decree 30 Art. 23–24): unit, person, deadline,
    /// instruction, progress, status, reply. Absent fields stay; `null` clears.
    pub async fn update_handling(
        &self,
        id: i32,
        input: &Value,
        expected: Option<i32>,
        actor: &str,
    ) -> Result<DocumentView> {
        const ALLOWED: &[&str] = &[
            "unit",
            "handler",
            "due_on",
            "status",
            "instruction",
            "progress",
            "resolved_on",
            "reply_number_symbol",
        ];
        let f = Fields::new(input, ALLOWED)?;
        if ALLOWED.iter().all(|k| !f.has(k)) {
            return Err(Error::invalid(
                "missing_field",
                "status",
                format!(
                    "nothing to update; send one or more of: {}",
                    ALLOWED.join(", ")
                ),
            ));
        }
        let status = f.choice(
            "status",
            Status::parse,
            "registered, assigned, in_progress, done",
        )?;
        if status == Some(Status::Recalled) {
            return Err(Error::invalid(
                "invalid_value",
                "status",
                "use POST /api/v1/documents/{id}/recall to recall a document",
            ));
        }
        let today = self.clock.today_vn();
        let unit = match f.identifier("unit", 32)? {
            Some(code) => Some(active_unit(&self.db, &code, "unit").await?),
            None => None,
        };
        let handler = f.text("handler", 200)?;
        let due_on = f.date("due_on")?;
        let instruction = f.text("instruction", 2000)?;
        let progress = f.text("progress", 2000)?;
        let resolved_on = f.date("resolved_on")?;
        let reply = f.identifier("reply_number_symbol", 100)?;
        if let Some(d) = resolved_on
            && d > today
        {
            return Err(Error::invalid(
                "future_date",
                "resolved_on",
                format!("resolved_on {d} is in the future"),
            ));
        }

        let now = audit::micros(self.clock.now());
        let txn = crate::db::begin_write(&self.db).await?;
        let current = for_write(&txn, id, expected).await?;
        if current.status == Status::Recalled.as_str() {
            return Err(Error::conflict(
                "recalled",
                None,
                format!("document {id} was recalled and cannot be changed"),
            ));
        }
        // Done is final: a resolved document's status, deadline and
        // resolution date (which decide whether it was on time) change only
        // through an explicit, audited reopen.
        if current.status == Status::Done.as_str() {
            for key in ["status", "due_on", "resolved_on"] {
                let same_status =
                    key == "status" && status == Some(Status::Done) && !f.has("resolved_on");
                if f.has(key) && !same_status {
                    return Err(Error::conflict(
                        "already_done",
                        Some(key),
                        format!(
                            "document {id} was resolved on {}; reopen it (POST /api/v1/documents/{id}/reopen with a reason) before changing its {key}",
                            current
                                .resolved_on
                                .map(|d| d.to_string())
                                .unwrap_or_default()
                        ),
                    ));
                }
            }
        }
        let register_date = current.register_date;
        if let Some(d) = due_on {
            check_deadline(d, register_date, today)?;
        }
        if let Some(d) = resolved_on
            && d < register_date
        {
            return Err(Error::invalid(
                "invalid_date",
                "resolved_on",
                format!(
                    "resolved_on {d} is before the document entered the register ({register_date})"
                ),
            ));
        }
        let mut changes = serde_json::Map::new();
        let mut am: documents::ActiveModel = current.clone().into();
        if f.has("unit") {
            am.unit_id = Set(unit.as_ref().map(|u| u.id));
            changes.insert("unit".into(), json!(unit.as_ref().map(|u| &u.code)));
        }
        if f.has("handler") {
            am.handler = Set(handler.clone());
            changes.insert("handler".into(), json!(handler));
        }
        if f.has("due_on") {
            am.due_on = Set(due_on);
            changes.insert("due_on".into(), json!(due_on));
        }
        if f.has("instruction") {
            am.instruction = Set(instruction.clone());
            changes.insert("instruction".into(), json!(instruction));
        }
        if f.has("progress") {
            am.progress = Set(progress.clone());
            changes.insert("progress".into(), json!(progress));
        }
        if f.has("reply_number_symbol") {
            am.reply_number_symbol = Set(reply.clone());
            changes.insert("reply_number_symbol".into(), json!(reply));
        }
        let new_status = match status {
            Some(s) => s,
            None if current.status == Status::Registered.as_str()
                && (f.has("handler") && handler.is_some() || f.has("unit") && unit.is_some()) =>
            {
                Status::Assigned
            }
            None => enum_or_internal(Status::parse(&current.status), "status", &current.status)?,
        };
        if new_status.as_str() != current.status {
            am.status = Set(new_status.as_str().into());
            changes.insert("status".into(), json!(new_status));
        }
        let resolved = match (new_status, resolved_on) {
            (Status::Done, Some(d)) => Some(d),
            (Status::Done, None) => current.resolved_on.or(Some(today)),
            (_, Some(_)) => {
                return Err(Error::invalid(
                    "invalid_value",
                    "resolved_on",
                    "resolved_on is only set when status is done",
                ));
            }
            (_, None) => None,
        };
        if resolved != current.resolved_on {
            am.resolved_on = Set(resolved);
            changes.insert("resolved_on".into(), json!(resolved));
        }
        stamp(&mut am, current.version, now)?;
        crate::compliance::rollup::apply(&txn, id, -1).await?;
        am.update(&txn).await?;
        crate::compliance::rollup::apply(&txn, id, 1).await?;
        if changes.contains_key("status")
            || changes.contains_key("due_on")
            || changes.contains_key("resolved_on")
        {
            let view = self.get_in(&txn, id).await?;
            crate::public::log::enqueue(&txn, &view, "handling_changed", now).await?;
        }
        audit::commit_with(
            txn,
            now,
            actor,
            "handling",
            Some(id),
            &Value::Object(changes),
        )
        .await?;
        self.get(id).await
    }

    /// Recall a document (Decree 30 Art. 18): it is kept with its history, marked recalled, with the reason.
    pub async fn recall(
        &self,
        id: i32,
        input: &Value,
        expected: Option<i32>,
        actor: &str,
    ) -> Result<DocumentView> {
        let f = Fields::new(input, &["reason"])?;
        let reason = f.required_text("reason", 2000)?;
        let now = audit::micros(self.clock.now());
        let txn = crate::db::begin_write(&self.db).await?;
        let current = for_write(&txn, id, expected).await?;
        if current.status == Status::Recalled.as_str() {
            return Err(Error::conflict(
                "already_recalled",
                None,
                format!("document {id} was already recalled"),
            ));
        }
        let previous = current.status.clone();
        let version = current.version;
        let mut am: documents::ActiveModel = current.into();
        am.status = Set(Status::Recalled.as_str().into());
        am.recall_reason = Set(Some(reason.clone()));
        am.recalled_at = Set(Some(now));
        stamp(&mut am, version, now)?;
        // A recalled document counts nowhere.
        crate::compliance::rollup::apply(&txn, id, -1).await?;
        am.update(&txn).await?;
        let view = self.get_in(&txn, id).await?;
        crate::public::log::enqueue(&txn, &view, "recalled", now).await?;
        audit::commit_with(
            txn,
            now,
            actor,
            "recall",
            Some(id),
            &json!({"reason": reason, "previous_status": previous}),
        )
        .await?;
        self.get(id).await
    }
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
    super::search::refresh(am)
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
fn check_deadline(due: NaiveDate, register_date: NaiveDate, today: NaiveDate) -> Result<()> {
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

/// The last page a listing may ask for (pages × 200 stays far from overflow).
pub const MAX_PAGE: u64 = 1_000_000;

fn duplicate(issuer: &str, year: i32, number_symbol: &str, existing: Option<i32>) -> Error {
    let which = existing
        .map(|id| format!(" (document {id})"))
        .unwrap_or_default();
    Error::conflict(
        "duplicate_number_symbol",
        Some("number_symbol"),
        format!("{number_symbol:?} from {issuer:?} in {year} is already registered{which}"),
    )
}

fn bad_filter(field: &str, choices: &str) -> Error {
    Error::invalid(
        "invalid_value",
        field,
        format!("{field} must be one of: {choices}"),
    )
}

/// Filters of a register search; every field is optional.
#[derive(Debug, Default, Clone, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Free text, ignoring case and diacritics ("so noi vu" finds "Sở Nội vụ").
    pub q: Option<String>,
    /// `incoming` or `outgoing`.
    pub direction: Option<String>,
    /// Register year.
    pub year: Option<i32>,
    /// Unit code.
    pub unit: Option<String>,
    /// Document type (name or abbreviation).
    pub doc_type: Option<String>,
    /// Handling status.
    pub status: Option<String>,
    /// Secrecy level.
    pub secrecy: Option<String>,
    /// Urgency.
    pub urgency: Option<String>,
    /// `electronic` or `paper`.
    pub channel: Option<String>,
    /// Counterpart kind.
    pub counterpart: Option<String>,
    /// First register date (received for incoming, issued for outgoing), `YYYY-MM-DD`.
    pub from: Option<String>,
    /// Last register date, `YYYY-MM-DD`.
    pub to: Option<String>,
    /// Page number from 1.
    pub page: Option<u64>,
    /// Items per page, 1–200 (default 20).
    pub per_page: Option<u64>,
}

/// One page of search results.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page {
    /// The documents on this page, newest first.
    pub items: Vec<DocumentView>,
    /// How many documents match in all.
    pub total: u64,
    /// This page's number.
    pub page: u64,
    /// Page size.
    pub per_page: u64,
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
