//! The public dashboard's data: counts and the plan's rates per month, unit
//! and direction. Secret documents are counted, never described.

use std::collections::{BTreeMap, HashMap};

use chrono::Datelike;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde::Serialize;

use crate::entity::{documents, units};
use crate::registry::Registry;
use crate::registry::error::Result;

/// Figures for one group.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Figures {
    /// Documents (public and secret).
    pub total: u64,
    /// Secret documents (counted only).
    pub secret: u64,
    /// Recalled documents.
    pub recalled: u64,
    /// Public documents exchanged electronically.
    pub electronic: u64,
    /// Public documents on paper.
    pub paper: u64,
    /// Electronic public documents whose current verification is valid.
    pub signed_valid: u64,
    /// Public documents exchanged with state agencies.
    pub with_state_agencies: u64,
    /// … of which electronically.
    pub with_state_agencies_electronic: u64,
    /// Incoming documents with a deadline that passed or was met.
    pub with_deadline: u64,
    /// … resolved on time.
    pub on_time: u64,
    /// signed_valid / electronic.
    pub e_signature_rate: Option<f64>,
    /// with_state_agencies_electronic / with_state_agencies.
    pub electronic_exchange_rate: Option<f64>,
    /// on_time / with_deadline.
    pub on_time_rate: Option<f64>,
}

/// One group of the statistics.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Group {
    /// `YYYY-MM`.
    pub month: String,
    /// Unit code, or none.
    pub unit: Option<String>,
    /// `incoming` or `outgoing`.
    pub direction: String,
    /// The figures.
    #[serde(flatten)]
    pub figures: Figures,
}

/// `n / d` to four decimals, none when `d` is 0.
pub(crate) fn rate(n: u64, d: u64) -> Option<f64> {
    (d > 0).then(|| (n as f64 / d as f64 * 10_000.0).round() / 10_000.0)
}

/// Statistics for register year `year`.
pub async fn stats(reg: &Registry, year: i32) -> Result<(Vec<Group>, Figures)> {
    let today = reg.clock.today_vn();
    let unit_codes: HashMap<i32, String> = units::Entity::find()
        .all(&reg.db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.code))
        .collect();
    let docs = documents::Entity::find()
        .filter(documents::Column::Year.eq(year))
        .all(&reg.db)
        .await?;
    let ids: Vec<i32> = docs
        .iter()
        .filter(|d| d.file_sha256.is_some())
        .map(|d| d.id)
        .collect();
    let mut reports = HashMap::new();
    for chunk in ids.chunks(500) {
        reports.extend(crate::registry::verification::latest(&reg.db, chunk).await?);
    }
    let mut groups: BTreeMap<(String, Option<String>, String), Figures> = BTreeMap::new();
    let mut all = Figures::default();
    for d in docs {
        let key = (
            format!("{}-{:02}", d.register_date.year(), d.register_date.month()),
            d.unit_id.and_then(|u| unit_codes.get(&u).cloned()),
            d.direction.clone(),
        );
        for f in [groups.entry(key).or_default(), &mut all] {
            f.total += 1;
            if d.secrecy != "none" {
                f.secret += 1;
                continue;
            }
            if d.status == "recalled" {
                f.recalled += 1;
                continue;
            }
            let electronic = d.channel == "electronic";
            if electronic {
                f.electronic += 1;
                if reports.get(&d.id).and_then(|r| r["status"].as_str()) == Some("valid") {
                    f.signed_valid += 1;
                }
            } else {
                f.paper += 1;
            }
            if d.counterpart == "state_agency" {
                f.with_state_agencies += 1;
                if electronic {
                    f.with_state_agencies_electronic += 1;
                }
            }
            if d.direction == "incoming"
                && let Some(due) = d.due_on
                && (due < today || d.resolved_on.is_some())
            {
                f.with_deadline += 1;
                if d.resolved_on.is_some_and(|r| r <= due) {
                    f.on_time += 1;
                }
            }
        }
    }
    let finish = |f: &mut Figures| {
        f.e_signature_rate = rate(f.signed_valid, f.electronic);
        f.electronic_exchange_rate = rate(f.with_state_agencies_electronic, f.with_state_agencies);
        f.on_time_rate = rate(f.on_time, f.with_deadline);
    };
    finish(&mut all);
    let out = groups
        .into_iter()
        .map(|((month, unit, direction), mut figures)| {
            finish(&mut figures);
            Group {
                month,
                unit,
                direction,
                figures,
            }
        })
        .collect();
    Ok((out, all))
}
