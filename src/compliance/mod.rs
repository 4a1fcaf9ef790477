//! The plan's targets measured (VIETNAM.md "Targets of the plan"): six
//! metrics with stable ids, each a numerator over a denominator per group,
//! with the documents behind every gap as evidence. Periods are Vietnam
//! dates; recalled documents are excluded everywhere; secret documents are
//! excluded from the exchange and signature rates (they are exempt) and
//! counted apart. On-time handling counts incoming documents by the day
//! their deadline falls on, whenever they were registered.
//!
//! Three paths give the same figures: [`rollup::metrics`] (counters kept in
//! every writing transaction; what the API and CLI answer from),
//! [`fast::metrics`] (aggregated from the documents in SQL) and [`compute`]
//! (every row in memory, and the only one producing evidence).

pub mod evidence;
pub mod export;
pub mod fast;
mod memory;
pub mod registers;
pub mod rollup;
pub mod targets;

pub use export::{csv_field, evidence_csv, metrics_csv, xlsx};
pub use memory::compute;
use memory::{DocRow, judge, load_docs};
pub use targets::{METRICS, Targets};

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::NaiveDate;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde::Serialize;

use crate::entity::{official_certificates, officials, units};
use crate::registry::Registry;
use crate::registry::error::{Error, Result};
use crate::registry::types::doc_type_param;
use crate::text::fold;

/// How to group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupBy {
    /// One group, "all".
    None,
    /// By handling/drafting unit.
    Unit,
    /// By month of the register date (of the deadline, for on_time).
    Month,
    /// By document type.
    Type,
}

/// Which documents.
#[derive(Debug, Clone)]
pub struct Filter {
    /// First register date (Vietnam), inclusive.
    pub from: NaiveDate,
    /// Last register date, inclusive.
    pub to: NaiveDate,
    /// Unit code.
    pub unit: Option<String>,
    /// `incoming` or `outgoing`.
    pub direction: Option<String>,
    /// Document type (name or abbreviation).
    pub doc_type: Option<String>,
    /// Use each document's verification at registration instead of its current one.
    pub as_registered: bool,
}

/// One metric for one group.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct MetricResult {
    /// Metric id.
    pub id: String,
    /// Group label (`all`, a unit code, `YYYY-MM`, a type).
    pub group: String,
    /// Numerator.
    pub numerator: u64,
    /// Denominator.
    pub denominator: u64,
    /// numerator / denominator, None when the denominator is 0.
    pub rate: Option<f64>,
    /// The target rate.
    pub target: f64,
    /// Whether the target is met (true when there is nothing to measure).
    pub met: bool,
    /// How far from the target, in rate points (negative when short).
    pub margin: Option<f64>,
}

/// A document behind a gap.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Evidence {
    /// Metric id.
    pub metric: String,
    /// Group label.
    pub group: String,
    /// Document id (None for an official).
    pub document_id: Option<i32>,
    /// Official id (signer coverage).
    pub official_id: Option<i32>,
    /// Number/symbol or official name.
    pub label: String,
    /// Why it counts against the target.
    pub reason: String,
}

/// A [`Filter`] checked against the database.
pub(crate) struct Resolved {
    /// Unit id → code, for every unit.
    unit_code: HashMap<i32, String>,
    /// The filtered unit's id.
    unit_id: Option<i32>,
    /// The filtered type's canonical name.
    doc_type: Option<&'static str>,
}

/// Check a filter: the period's order, the unit, direction and type.
async fn resolve(reg: &Registry, f: &Filter) -> Result<Resolved> {
    if f.from > f.to {
        return Err(Error::invalid("invalid_date", "from", "from is after to"));
    }
    let unit_rows = units::Entity::find().all(&reg.db).await?;
    let unit_id = match &f.unit {
        Some(u) => Some(
            unit_rows
                .iter()
                .find(|x| &x.code == u)
                .map(|x| x.id)
                .ok_or_else(|| {
                    Error::invalid(
                        "unknown_unit",
                        "unit",
                        format!("there is no unit with code {u:?}"),
                    )
                })?,
        ),
        None => None,
    };
    if let Some(d) = &f.direction
        && d != "incoming"
        && d != "outgoing"
    {
        return Err(Error::invalid(
            "invalid_value",
            "direction",
            "direction must be incoming or outgoing",
        ));
    }
    let doc_type = match &f.doc_type {
        Some(t) => Some(doc_type_param(t, "type")?.name),
        None => None,
    };
    Ok(Resolved {
        unit_code: unit_rows.into_iter().map(|u| (u.id, u.code)).collect(),
        unit_id,
        doc_type,
    })
}

/// Numerator and denominator per (metric id, group).
type Counts = BTreeMap<(String, String), (u64, u64)>;

/// Add signer coverage from `signers` to `counts` and turn them into the
/// result rows (the end of both aggregated paths).
async fn with_coverage(
    reg: &Registry,
    targets: &Targets,
    f: &Filter,
    g: GroupBy,
    r: &Resolved,
    signers: Vec<(Option<String>, Option<String>)>,
    mut counts: Counts,
) -> Result<Vec<MetricResult>> {
    coverage(
        reg,
        f,
        g,
        &r.unit_code,
        signers.into_iter(),
        &mut counts,
        None,
    )
    .await?;
    Ok(results(&counts, targets))
}

/// Signer coverage: each active official (of the filtered unit) counts as
/// covered when one of `valid_signers` (fingerprint, name) is theirs —
/// matched by certificate fingerprint, falling back to the folded name.
/// Returns the signers that match no official at all.
async fn coverage(
    reg: &Registry,
    f: &Filter,
    g: GroupBy,
    unit_code: &HashMap<i32, String>,
    valid_signers: impl Iterator<Item = (Option<String>, Option<String>)>,
    counts: &mut Counts,
    mut evidence: Option<&mut Vec<Evidence>>,
) -> Result<Vec<(Option<String>, Option<String>)>> {
    let offs = officials::Entity::find()
        .filter(officials::Column::Active.eq(true))
        .all(&reg.db)
        .await?;
    let certs = official_certificates::Entity::find().all(&reg.db).await?;
    let by_fp: HashMap<String, i32> = certs
        .iter()
        .map(|c| (c.fingerprint_sha256.clone(), c.official_id))
        .collect();
    let by_name: HashMap<String, i32> = offs.iter().map(|o| (o.name_key.clone(), o.id)).collect();
    let mut signed: HashSet<i32> = HashSet::new();
    let mut unmatched = Vec::new();
    for (fp, name) in valid_signers {
        let who = fp
            .as_ref()
            .and_then(|fp| by_fp.get(fp))
            .or_else(|| name.as_ref().and_then(|n| by_name.get(&fold(n))));
        match who {
            Some(id) => {
                signed.insert(*id);
            }
            None => unmatched.push((fp, name)),
        }
    }
    unmatched.sort();
    unmatched.dedup();
    for o in &offs {
        if let Some(u) = &f.unit
            && o.unit_id.and_then(|x| unit_code.get(&x)) != Some(u)
        {
            continue;
        }
        let group = match g {
            GroupBy::Unit => o
                .unit_id
                .and_then(|x| unit_code.get(&x).cloned())
                .unwrap_or_else(|| "-".into()),
            _ => "all".into(),
        };
        let hit = signed.contains(&o.id);
        let e = counts
            .entry(("signer_coverage".into(), group.clone()))
            .or_default();
        e.1 += 1;
        if hit {
            e.0 += 1;
        } else if let Some(ev) = evidence.as_deref_mut() {
            ev.push(Evidence {
                metric: "signer_coverage".into(),
                group,
                document_id: None,
                official_id: Some(o.id),
                label: o.full_name.clone(),
                reason: "no valid digital signature in the period".into(),
            });
        }
    }
    Ok(unmatched)
}

/// The metric rows, in [`METRICS`] order and then by group; a metric with
/// no group at all is reported once as `all` with an empty denominator.
fn results(counts: &Counts, targets: &Targets) -> Vec<MetricResult> {
    let mut out = Vec::new();
    for (id, _, _) in METRICS {
        let target = &targets.get(id);
        let groups: Vec<&(String, String)> = counts.keys().filter(|(m, _)| m == id).collect();
        for key in groups {
            let (n, dnm) = counts[key];
            let rate = (dnm > 0).then(|| n as f64 / dnm as f64);
            out.push(MetricResult {
                id: id.to_string(),
                group: key.1.clone(),
                numerator: n,
                denominator: dnm,
                rate,
                target: *target,
                met: rate.is_none_or(|r| r + 1e-12 >= *target),
                margin: rate.map(|r| ((r - target) * 10_000.0).round() / 10_000.0),
            });
        }
        if !counts.keys().any(|(m, _)| m == id) {
            out.push(MetricResult {
                id: id.to_string(),
                group: "all".into(),
                numerator: 0,
                denominator: 0,
                rate: None,
                target: *target,
                met: true,
                margin: None,
            });
        }
    }
    out
}
