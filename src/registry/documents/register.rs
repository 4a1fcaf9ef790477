//! Registration: a document checked, numbered, stored with its file and
//! verification, and announced to the observers, in one transaction.

use std::sync::atomic::Ordering;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter,
};
use serde_json::{Value, json};

use super::row::{NewDocument, issuer_key, number_symbol_key};
use super::view::DocumentView;
use super::{METADATA_FIELDS, PdfUpload, active_unit, check_deadline, unit_codes};
use crate::entity::{documents, files, units};
use crate::registry::Registry;
use crate::registry::audit;
use crate::registry::error::{Error, Result};
use crate::registry::events::Change;
use crate::registry::fields::Fields;
use crate::registry::numbering::{format_number, next_number};
use crate::registry::types::{
    Channel, Counterpart, Direction, DocType, Secrecy, Series, Status, Urgency, doc_type_param,
};
use crate::store::Sha256Hex;
use crate::text::fold;

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
    /// Validate a registration's metadata into a [`Checked`] one.
    /// Long because: one check per metadata field, in the order of the form, each with its own refusal.
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

    /// The number/symbol of an outgoing document: number, type abbreviation
    /// and the agency (or, for a công văn, the drafting unit), plus the
    /// secret series' suffix.
    fn outgoing_number_symbol(&self, c: &Checked, number: i32, suffix: &str) -> Result<String> {
        Ok(match (c.doc_type.abbr, &c.unit) {
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
        })
    }

    /// The row of a registration: its checked fields, its number, its
    /// derived keys and search texts, its status and publication time.
    fn new_row(&self, c: &Checked, r: NewRow<'_>) -> Result<documents::ActiveModel> {
        let status =
            if c.handler.is_some() || (r.direction == Direction::Incoming && c.unit.is_some()) {
                Status::Assigned
            } else {
                Status::Registered
            };
        // Nothing becomes public before the hold ends (a mistaken secrecy
        // can still be corrected).
        let publish_at = r.now
            + chrono::Duration::from_std(self.publication_hold).unwrap_or(chrono::Duration::zero());
        NewDocument {
            direction: r.direction,
            year: r.year,
            series: r.series,
            register_number: r.number,
            number_symbol: r.number_symbol,
            doc_type: c.doc_type.name,
            doc_type_abbr: c.doc_type.abbr,
            issuer: c.issuer.clone(),
            issued_on: c.issued_on,
            received_on: c.received_on,
            subject: c.subject.clone(),
            signer_name: c.signer_name.clone(),
            recipients: c.recipients.clone(),
            unit_id: c.unit.as_ref().map(|u| u.id),
            handler: c.handler.clone(),
            due_on: c.due_on,
            status,
            instruction: c.instruction.clone(),
            resolved_on: None,
            copies: c.copies,
            secrecy: c.secrecy,
            urgency: c.urgency,
            channel: c.channel,
            counterpart: c.counterpart,
            file_sha256: r.file_sha256,
            notes: c.notes.clone(),
            recalled: None,
            created_by: r.actor,
            registered_at: r.now,
            publish_at,
        }
        .row()
    }

    /// Verify an uploaded file with the registry's trust and the
    /// organisation pins (Decree 30 Art. 21); the options used come back
    /// with the report, for the record of what the verdict rested on.
    async fn verify_on_arrival(
        &self,
        file: Option<&PdfUpload>,
        now: DateTime<Utc>,
    ) -> Result<(
        std::sync::Arc<sigverify::Options>,
        Option<(sigverify::report::Report, sigverify::Evidence)>,
    )> {
        let verifier =
            crate::registry::verification::options_with_pins(&self.db, &self.verifier).await?;
        let report = match file {
            Some(f) => Some(
                crate::registry::verification::run(
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
        Ok((verifier, report))
    }

    /// Register a document: validate `meta`, store the file (durably, before
    /// the row that references it), take the next number, insert the row and
    /// its audit entry in one transaction. A refusal or failure stores no row;
    /// a file stored for a failed request is swept by [`Registry::gc`].
    /// Long because: one transaction in the order the rules demand (store, verify, number, refuse a duplicate, insert, audit, observers, commit); each step is a call.
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
        let suffix = if series == crate::registry::types::Series::Secret {
            self.secret_suffix.as_str()
        } else {
            ""
        };
        // Decree 30 Art. 21: check authenticity and integrity on arrival.
        let (verifier, report) = self.verify_on_arrival(file.as_ref(), now).await?;

        let txn = crate::db::begin_write(&self.db).await?;
        let number = next_number(&txn, direction, year, series).await?;
        let number_symbol = match direction {
            Direction::Incoming => c.number_symbol.clone(),
            Direction::Outgoing => Some(self.outgoing_number_symbol(&c, number, suffix)?),
        };
        let ns_key = number_symbol.as_deref().map(number_symbol_key);
        let issuer = issuer_key(&c.issuer);
        if let Some(key) = &ns_key {
            refuse_duplicate(
                &txn,
                direction,
                &c,
                series,
                &issuer,
                key,
                number_symbol.as_deref(),
            )
            .await?;
        }
        if let Some((sha, size)) = &file_info {
            record_file(&txn, sha, *size, now).await?;
        }
        let model = self.new_row(
            &c,
            NewRow {
                direction,
                year,
                series,
                number,
                number_symbol: number_symbol.clone(),
                file_sha256: file_info.as_ref().map(|(s, _)| s.to_string()),
                actor,
                now,
            },
        )?;
        let inserted = model.insert(&txn).await.map_err(|e| {
            let e = Error::from(e);
            if e.is_unique_violation() {
                duplicate(
                    &c.issuer,
                    c.issued_on.year(),
                    number_symbol.as_deref().unwrap_or(""),
                    None,
                )
            } else {
                e
            }
        })?;
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
        if let Some((report, evidence)) = &report {
            crate::registry::verification::store(
                &txn,
                inserted.id,
                (report, evidence),
                crate::registry::verification::Reason::Registration,
                &verifier.trust.version(),
                now,
            )
            .await?;
        }
        // The counters and the public log hear of it in the same transaction.
        self.changed(&txn, inserted.id, Change::Registered, now)
            .await?;
        if self.hooks.danger_fail_before_commit.load(Ordering::SeqCst) {
            return Err(Error::Internal("injected failure before commit".into()));
        }
        txn.commit().await?;
        let units = unit_codes(&self.db).await?;
        let mut view = DocumentView::from_model(inserted, &units, self.clock.today_vn())?;
        view.verification = report.map(|r| serde_json::to_value(r.0).unwrap_or(Value::Null));
        Ok(view)
    }
}

/// What a registration's row takes besides the checked fields.
struct NewRow<'a> {
    direction: Direction,
    year: i32,
    series: Series,
    number: i32,
    number_symbol: Option<String>,
    file_sha256: Option<String>,
    actor: &'a str,
    now: DateTime<Utc>,
}

/// Refuse a number/symbol already registered from the same issuer in the
/// same year and series.
async fn refuse_duplicate(
    txn: &DatabaseTransaction,
    direction: Direction,
    c: &Checked,
    series: Series,
    issuer_key: &str,
    key: &str,
    number_symbol: Option<&str>,
) -> Result<()> {
    let existing = documents::Entity::find()
        .filter(documents::Column::Direction.eq(direction.as_str()))
        .filter(documents::Column::IssuerKey.eq(issuer_key))
        .filter(documents::Column::IssuedYear.eq(c.issued_on.year()))
        .filter(documents::Column::Series.eq(series.as_str()))
        .filter(documents::Column::NumberSymbolKey.eq(key))
        .one(txn)
        .await?;
    match existing {
        Some(e) => Err(duplicate(
            &c.issuer,
            c.issued_on.year(),
            number_symbol.unwrap_or(""),
            Some(e.id),
        )),
        None => Ok(()),
    }
}

/// The file's row (once per content: a second document with the same PDF
/// shares it).
async fn record_file(
    txn: &DatabaseTransaction,
    sha: &Sha256Hex,
    size: i64,
    now: DateTime<Utc>,
) -> Result<()> {
    files::Entity::insert(files::ActiveModel {
        sha256: Set(sha.to_string()),
        size: Set(size),
        content_type: Set("application/pdf".into()),
        stored_at: Set(now),
    })
    .on_conflict(
        sea_orm::sea_query::OnConflict::column(files::Column::Sha256)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(txn)
    .await?;
    Ok(())
}

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
