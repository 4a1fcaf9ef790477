//! The demo data set for `vanthu serve --demo`: the units of a Sở Nội vụ,
//! officials, and a few dozen incoming and outgoing documents with
//! Vietnamese subjects — some secret, some overdue, some on paper — so a
//! newcomer sees a populated system at once. Loaded only into an empty register.

mod data;
mod pdf;
mod pki;

use bytes::Bytes;
use chrono::{Datelike, Duration, NaiveDate};
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::json;

use crate::entity::documents;
use crate::registry::Registry;
use crate::registry::documents::PdfUpload;
use crate::registry::types::Direction;
use data::{INCOMING, Incoming, OFFICIALS, OUTGOING, Outgoing, UNITS};
pub use pdf::simple_pdf;
pub use pki::{DemoPki, demo_pki};
use pki::{sign_demo, sign_organisation};

/// The actor recorded in the audit log for demo data.
const ACTOR: &str = "demo";

/// Load the demo data set unless the registers already hold documents.
/// Electronic documents are signed with `pki` when given (person, then
/// organisation for outgoing ones, as Decree 30 prescribes; one incoming
/// document is altered after signing, to show a failed check).
/// Returns how many documents were added.
pub async fn load(reg: &Registry, pki: Option<&DemoPki>) -> anyhow::Result<usize> {
    if documents::Entity::find().count(&reg.db).await? > 0 {
        return Ok(0);
    }
    add_units_and_officials(reg).await?;
    let today = reg.clock.today_vn();
    let year_start = NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today);
    let mut added = 0;
    for (i, row) in INCOMING.iter().enumerate() {
        add_incoming(reg, pki, i, row, today, year_start).await?;
        added += 1;
    }
    for (i, row) in OUTGOING.iter().enumerate() {
        add_outgoing(reg, pki, i, row, today, year_start).await?;
        added += 1;
    }
    Ok(added)
}

/// The demo units that are missing, and the officials if there are none.
async fn add_units_and_officials(reg: &Registry) -> anyhow::Result<()> {
    let existing: Vec<String> = reg
        .list_units()
        .await?
        .into_iter()
        .map(|u| u.code)
        .collect();
    for (code, name) in UNITS {
        if !existing.iter().any(|c| c == code) {
            reg.add_unit(&json!({"code": code, "name": name}), ACTOR)
                .await?;
        }
    }
    if reg.list_officials().await?.is_empty() {
        for (name, title, unit) in OFFICIALS {
            reg.add_official(
                &json!({"full_name": name, "title": title, "unit": unit}),
                ACTOR,
            )
            .await?;
        }
    }
    Ok(())
}

/// Register the `i`th incoming demo document, then move its handling on
/// (some done, some in progress).
async fn add_incoming(
    reg: &Registry,
    pki: Option<&DemoPki>,
    i: usize,
    row: &Incoming,
    today: NaiveDate,
    year_start: NaiveDate,
) -> anyhow::Result<()> {
    let (issuer, number, doc_type, subject, unit, secrecy, urgency, channel, overdue) = row;
    let received = (today - Duration::days(45 - 2 * i as i64))
        .max(year_start)
        .min(today);
    let issued = received - Duration::days(2);
    // Overdue ones were due three days after arrival, which has passed.
    let due = if *overdue {
        Some(received + Duration::days(3))
    } else if i.is_multiple_of(3) {
        Some(today + Duration::days(10))
    } else {
        None
    };
    let mut meta = json!({
        "doc_type": doc_type, "issuer": issuer, "issued_on": issued.to_string(),
        "received_on": received.to_string(), "subject": subject, "unit": unit,
        "secrecy": secrecy, "urgency": urgency, "channel": channel,
        "counterpart": if issuer.starts_with("Ông") { "citizen" } else if issuer.starts_with("Công ty") || issuer.starts_with("Trường") { "enterprise" } else { "state_agency" },
    });
    if !number.is_empty() {
        meta["number_symbol"] = json!(number);
    }
    if let Some(d) = due {
        meta["due_on"] = json!(d.to_string());
    }
    let file = if *channel == "electronic" {
        let pdf = incoming_pdf(pki, i, issuer, number, subject)?;
        Some(PdfUpload::check(Bytes::from(pdf), reg.max_upload_bytes)?)
    } else {
        None
    };
    let doc = reg
        .register(Direction::Incoming, &meta, file, ACTOR)
        .await?;
    if i % 4 == 1 && !*overdue {
        reg.update_handling(
            doc.id,
            &json!({"status": "done", "progress": "Đã xử lý xong"}),
            None,
            ACTOR,
        )
        .await?;
    } else if i % 4 == 2 {
        reg.update_handling(
            doc.id,
            &json!({"status": "in_progress", "handler": "Võ Thị Hạnh"}),
            None,
            ACTOR,
        )
        .await?;
    }
    Ok(())
}

/// The PDF of the `i`th incoming document: signed by the person when `pki`
/// is given, every other one also by the organisation, and the fourth
/// altered after signing.
fn incoming_pdf(
    pki: Option<&DemoPki>,
    i: usize,
    issuer: &str,
    number: &str,
    subject: &str,
) -> anyhow::Result<Vec<u8>> {
    let mut pdf = simple_pdf(&[
        issuer.to_string(),
        format!("So: {number}"),
        subject.to_string(),
    ])?;
    if let Some(pki) = pki {
        pdf = sign_demo(pdf, &pki.person, "Signature1", "Ký ban hành")?;
        if i.is_multiple_of(2) {
            pdf = sign_organisation(pdf, pki)?;
        }
        if i == 3 {
            // Altered after signing: the check on arrival must catch it.
            if let Some(at) = pdf.windows(4).position(|w| w == b"So: ") {
                pdf[at + 4] = b'9';
            }
        }
    }
    Ok(pdf)
}

/// Register the `i`th outgoing demo document (signed by the person and the
/// organisation when `pki` is given); the sixth is recalled.
async fn add_outgoing(
    reg: &Registry,
    pki: Option<&DemoPki>,
    i: usize,
    row: &Outgoing,
    today: NaiveDate,
    year_start: NaiveDate,
) -> anyhow::Result<()> {
    let (doc_type, subject, unit, signer, secrecy, channel) = row;
    let issued = (today - Duration::days(30 - 2 * i as i64))
        .max(year_start)
        .min(today);
    let meta = json!({
        "doc_type": doc_type, "issued_on": issued.to_string(), "subject": subject, "unit": unit,
        "signer_name": signer, "secrecy": secrecy, "channel": channel,
        "recipients": ["Ủy ban nhân dân thành phố", "Các sở, ban, ngành", "Lưu: VT"],
    });
    let file = if *channel == "electronic" {
        let mut pdf = simple_pdf(&[
            reg.agency_name.clone(),
            subject.to_string(),
            signer.to_string(),
        ])?;
        if let Some(pki) = pki {
            pdf = sign_demo(pdf, &pki.person, "Signature1", "Phê duyệt")?;
            pdf = sign_organisation(pdf, pki)?;
        }
        Some(PdfUpload::check(Bytes::from(pdf), reg.max_upload_bytes)?)
    } else {
        None
    };
    let doc = reg
        .register(Direction::Outgoing, &meta, file, ACTOR)
        .await?;
    if i == 5 {
        reg.recall(
            doc.id,
            &json!({"reason": "Ban hành nhầm lịch tiếp công dân; sẽ ban hành thông báo thay thế"}),
            None,
            ACTOR,
        )
        .await?;
    }
    Ok(())
}
