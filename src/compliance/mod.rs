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
pub mod fast;
pub mod registers;
pub mod rollup;
pub mod targets;

pub use targets::{METRICS, Targets};

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::NaiveDate;
use sea_orm::{ColumnTrait, Condition, EntityTrait, FromQueryResult, QueryFilter, QuerySelect};
use serde::Serialize;

use crate::entity::{
    documents, official_certificates, officials, signatures, units, verifications,
};
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

struct Doc {
    m: DocRow,
    valid_signers: Vec<(Option<String>, Option<String>)>,
    unit: Option<String>,
    status: Option<String>,
    person_valid: bool,
    org_valid: bool,
    first_sub: Option<String>,
    modified: bool,
}

fn group_of(g: GroupBy, d: &Doc) -> String {
    match g {
        GroupBy::None => "all".into(),
        GroupBy::Unit => d.unit.clone().unwrap_or_else(|| "-".into()),
        GroupBy::Month => d.m.register_date.format("%Y-%m").to_string(),
        GroupBy::Type => d.m.doc_type.clone(),
    }
}

/// The columns of a document that the metrics read.
#[derive(Debug, FromQueryResult)]
struct DocRow {
    id: i32,
    direction: String,
    register_number: i32,
    number_symbol: Option<String>,
    doc_type: String,
    register_date: chrono::NaiveDate,
    unit_id: Option<i32>,
    due_on: Option<chrono::NaiveDate>,
    resolved_on: Option<chrono::NaiveDate>,
    secrecy: String,
    channel: String,
    counterpart: String,
    file_sha256: Option<String>,
}

/// The columns of a signature row that the metrics read.
#[derive(Debug, FromQueryResult)]
struct SigRow {
    document_id: i32,
    status: String,
    sub_indication: Option<String>,
    coverage: String,
    modifications: String,
    signer_name: Option<String>,
    signer_fingerprint: Option<String>,
    signer_role: Option<String>,
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

/// Attach to each document row its counted verification (newest, or first
/// as verified at registration) and what its signatures say. Only documents
/// registered in the period need them (on_time reads none).
async fn load_docs(
    reg: &Registry,
    rows: Vec<DocRow>,
    f: &Filter,
    unit_code: &HashMap<i32, String>,
) -> Result<Vec<Doc>> {
    let in_period = |d: &DocRow| in_period(f, d);
    let ids: Vec<i32> = rows
        .iter()
        .filter(|d| d.file_sha256.is_some() && in_period(d))
        .map(|d| d.id)
        .collect();
    // (verification id, status) of each document's newest — or, as verified
    // at registration, first — report; the report JSON itself is not read.
    let mut latest: HashMap<i32, (i32, String)> = HashMap::new();
    for chunk in ids.chunks(500) {
        let found: Vec<(i32, i32, String)> = verifications::Entity::find()
            .select_only()
            .columns([
                verifications::Column::Id,
                verifications::Column::DocumentId,
                verifications::Column::Status,
            ])
            .filter(verifications::Column::DocumentId.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(&reg.db)
            .await?;
        for (vid, doc, status) in found {
            let keep = latest.get(&doc).is_none_or(|o| {
                if f.as_registered {
                    vid < o.0
                } else {
                    o.0 < vid
                }
            });
            if keep {
                latest.insert(doc, (vid, status));
            }
        }
    }
    let vids: Vec<i32> = latest.values().map(|v| v.0).collect();
    let mut sigs: HashMap<i32, Vec<SigRow>> = HashMap::new();
    for chunk in vids.chunks(500) {
        for s in signatures::Entity::find()
            .select_only()
            .columns([
                signatures::Column::DocumentId,
                signatures::Column::Status,
                signatures::Column::SubIndication,
                signatures::Column::Coverage,
                signatures::Column::Modifications,
                signatures::Column::SignerName,
                signatures::Column::SignerFingerprint,
                signatures::Column::SignerRole,
            ])
            .filter(signatures::Column::VerificationId.is_in(chunk.iter().copied()))
            .into_model::<SigRow>()
            .all(&reg.db)
            .await?
        {
            sigs.entry(s.document_id).or_default().push(s);
        }
    }
    let docs: Vec<Doc> = rows
        .into_iter()
        .map(|m| {
            let v = latest.get(&m.id);
            let ss = sigs.get(&m.id).map(Vec::as_slice).unwrap_or(&[]);
            let valid_role = |r: &str| {
                ss.iter()
                    .any(|s| s.status == "valid" && s.signer_role.as_deref() == Some(r))
            };
            Doc {
                unit: m.unit_id.and_then(|u| unit_code.get(&u).cloned()),
                status: v.map(|v| v.1.clone()),
                person_valid: valid_role("person"),
                org_valid: valid_role("organisation"),
                first_sub: ss.iter().find_map(|s| s.sub_indication.clone()),
                modified: ss.iter().any(|s| {
                    s.status == "invalid"
                        && s.modifications != "none"
                        && s.coverage == "entire_revision"
                }),
                valid_signers: ss
                    .iter()
                    .filter(|s| s.status == "valid")
                    .map(|s| (s.signer_fingerprint.clone(), s.signer_name.clone()))
                    .collect(),
                m,
            }
        })
        .collect();
    Ok(docs)
}

/// Whether a document is registered in the filter's period (every metric
/// but on_time, which goes by the deadline).
fn in_period(f: &Filter, d: &DocRow) -> bool {
    d.register_date >= f.from && d.register_date <= f.to
}

/// Each metric a document counts in: (metric, group, met, the evidence
/// item should it not be met). The one definition of what each document
/// contributes, for [`compute`] and [`evidence::page`].
fn judge(
    d: &Doc,
    g: GroupBy,
    f: &Filter,
    today: NaiveDate,
) -> Vec<(&'static str, String, bool, Evidence)> {
    let mut out = Vec::new();
    let mut tally = |id: &'static str, group: &str, hit: bool, ev: Option<Evidence>| {
        if let Some(ev) = ev {
            out.push((id, group.to_string(), hit, ev));
        }
    };
    let group = group_of(g, d);
    let m = &d.m;
    let label = m
        .number_symbol
        .clone()
        .unwrap_or_else(|| format!("#{}", m.register_number));
    let ev = |metric: &str, reason: String| Evidence {
        metric: metric.into(),
        group: group.clone(),
        document_id: Some(m.id),
        official_id: None,
        label: label.clone(),
        reason,
    };
    let secret = m.secrecy != "none";
    let electronic = m.channel == "electronic";
    let registered_in_period = in_period(f, m);
    if registered_in_period && electronic && !secret {
        let valid = d.status.as_deref() == Some("valid");
        let reason = match (&d.status, d.modified) {
            (None, _) => "unsigned (no verification)".to_string(),
            (_, true) => "modified after signing".to_string(),
            (Some(s), _) if s == "unsigned" => "unsigned".to_string(),
            (Some(s), _) => format!(
                "{s}{}",
                d.first_sub
                    .as_ref()
                    .map(|x| format!(" ({x})"))
                    .unwrap_or_default()
            ),
        };
        tally(
            "e_signature",
            &group,
            valid,
            Some(ev("e_signature", reason.clone())),
        );
        if m.direction == "outgoing" {
            let ok = d.person_valid && d.org_valid;
            let why = match (d.person_valid, d.org_valid) {
                (true, false) => "missing organisation signature".to_string(),
                (false, true) => "missing person signature".to_string(),
                _ => reason,
            };
            tally(
                "dual_signature",
                &group,
                ok,
                Some(ev("dual_signature", why)),
            );
        }
    }
    if registered_in_period && m.counterpart == "state_agency" && !secret {
        tally(
            "electronic_exchange",
            &group,
            electronic,
            Some(ev("electronic_exchange", "paper channel".into())),
        );
    }
    if m.direction == "incoming"
        && let Some(due) = m.due_on
        && due >= f.from
        && due <= f.to
    {
        let on_time = m.resolved_on.is_some_and(|r| r <= due);
        let late = match m.resolved_on {
            Some(r) => (r - due).num_days(),
            None => (today - due).num_days().max(0),
        };
        // By month, on_time is grouped by the deadline's month.
        let group = match g {
            GroupBy::Month => due.format("%Y-%m").to_string(),
            _ => group.clone(),
        };
        tally(
            "on_time",
            &group,
            on_time,
            Some(Evidence {
                group: group.clone(),
                ..ev("on_time", format!("overdue {late} days"))
            }),
        );
    }
    if registered_in_period && !electronic {
        tally(
            "digitisation",
            &group,
            m.file_sha256.is_some(),
            Some(ev("digitisation", "paper document without a scan".into())),
        );
    }
    out
}

/// Compute every metric, and the evidence for each gap.
pub async fn compute(
    reg: &Registry,
    targets: &Targets,
    f: &Filter,
    g: GroupBy,
) -> Result<(Vec<MetricResult>, Vec<Evidence>)> {
    let r = resolve(reg, f).await?;
    let unit_code = r.unit_code;
    // Registered in the period, or (on_time) incoming and due in it.
    let mut cond = Condition::all()
        .add(
            Condition::any()
                .add(
                    Condition::all()
                        .add(documents::Column::RegisterDate.gte(f.from))
                        .add(documents::Column::RegisterDate.lte(f.to)),
                )
                .add(
                    Condition::all()
                        .add(documents::Column::Direction.eq("incoming"))
                        .add(documents::Column::DueOn.gte(f.from))
                        .add(documents::Column::DueOn.lte(f.to)),
                ),
        )
        .add(documents::Column::Status.ne("recalled"));
    if let Some(id) = r.unit_id {
        cond = cond.add(documents::Column::UnitId.eq(id));
    }
    if let Some(d) = &f.direction {
        cond = cond.add(documents::Column::Direction.eq(d.as_str()));
    }
    if let Some(t) = r.doc_type {
        cond = cond.add(documents::Column::DocType.eq(t));
    }
    use documents::Column as C;
    let rows: Vec<DocRow> = documents::Entity::find()
        .select_only()
        .columns([
            C::Id,
            C::Direction,
            C::RegisterNumber,
            C::NumberSymbol,
            C::DocType,
            C::RegisterDate,
            C::UnitId,
            C::DueOn,
            C::ResolvedOn,
            C::Secrecy,
            C::Channel,
            C::Counterpart,
            C::FileSha256,
        ])
        .filter(cond)
        .into_model()
        .all(&reg.db)
        .await?;
    let docs = load_docs(reg, rows, f, &unit_code).await?;

    let mut counts: Counts = BTreeMap::new();
    let mut evidence = Vec::new();
    let mut tally = |id: &str, group: &str, hit: bool, ev: Option<Evidence>| {
        let e = counts
            .entry((id.to_string(), group.to_string()))
            .or_default();
        e.1 += 1;
        if hit {
            e.0 += 1;
        } else if let Some(ev) = ev {
            evidence.push(ev);
        }
    };
    let today = reg.clock.today_vn();
    for d in &docs {
        for (id, group, hit, ev) in judge(d, g, f, today) {
            tally(id, &group, hit, Some(ev));
        }
    }
    let valid_signers = docs
        .iter()
        .flat_map(|d| d.valid_signers.iter().cloned())
        .collect::<Vec<_>>();
    coverage(
        reg,
        f,
        g,
        &unit_code,
        valid_signers.into_iter(),
        &mut counts,
        Some(&mut evidence),
    )
    .await?;
    let out = results(&counts, targets);
    Ok((out, evidence))
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

/// A CSV field: quoted, with cells that a spreadsheet would run as a
/// formula (`=`, `+`, `-`, `@`, tab, CR) neutralised by a leading apostrophe.
pub fn csv_field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// Metrics as CSV (header line, then one line per metric and group).
pub fn metrics_csv(m: &[MetricResult]) -> String {
    let mut out = String::from("id,group,numerator,denominator,rate,target,met,margin\n");
    for r in m {
        out.push_str(&format!(
            "{},{},{},{},{},{},{},{}\n",
            csv_field(&r.id),
            csv_field(&r.group),
            r.numerator,
            r.denominator,
            r.rate.map(|x| format!("{x:.4}")).unwrap_or_default(),
            r.target,
            r.met,
            r.margin.map(|x| format!("{x:.4}")).unwrap_or_default()
        ));
    }
    out
}

/// Evidence as CSV.
pub fn evidence_csv(e: &[Evidence]) -> String {
    let mut out = String::from("metric,group,document_id,official_id,label,reason\n");
    for x in e {
        out.push_str(&format!(
            "{},{},{},{},{},{}\n",
            csv_field(&x.metric),
            csv_field(&x.group),
            x.document_id.map(|v| v.to_string()).unwrap_or_default(),
            x.official_id.map(|v| v.to_string()).unwrap_or_default(),
            csv_field(&x.label),
            csv_field(&x.reason)
        ));
    }
    out
}

/// Metrics and evidence as an XLSX workbook (two sheets). Text cells are
/// written as strings, never as formulas.
pub fn xlsx(m: &[MetricResult], e: &[Evidence]) -> Result<Vec<u8>> {
    use rust_xlsxwriter::Workbook;
    let x = Error::Xlsx;
    let mut wb = Workbook::new();
    let s = wb.add_worksheet();
    s.set_name("metrics").map_err(x)?;
    for (c, h) in [
        "id",
        "group",
        "numerator",
        "denominator",
        "rate",
        "target",
        "met",
        "margin",
    ]
    .iter()
    .enumerate()
    {
        s.write_string(0, c as u16, *h).map_err(x)?;
    }
    for (i, r) in m.iter().enumerate() {
        let row = i as u32 + 1;
        s.write_string(row, 0, &r.id).map_err(x)?;
        s.write_string(row, 1, &r.group).map_err(x)?;
        s.write_number(row, 2, r.numerator as f64).map_err(x)?;
        s.write_number(row, 3, r.denominator as f64).map_err(x)?;
        if let Some(v) = r.rate {
            s.write_number(row, 4, v).map_err(x)?;
        }
        s.write_number(row, 5, r.target).map_err(x)?;
        s.write_boolean(row, 6, r.met).map_err(x)?;
        if let Some(v) = r.margin {
            s.write_number(row, 7, v).map_err(x)?;
        }
    }
    let s = wb.add_worksheet();
    s.set_name("evidence").map_err(x)?;
    for (c, h) in [
        "metric",
        "group",
        "document_id",
        "official_id",
        "label",
        "reason",
    ]
    .iter()
    .enumerate()
    {
        s.write_string(0, c as u16, *h).map_err(x)?;
    }
    for (i, v) in e.iter().enumerate() {
        let row = i as u32 + 1;
        s.write_string(row, 0, &v.metric).map_err(x)?;
        s.write_string(row, 1, &v.group).map_err(x)?;
        if let Some(d) = v.document_id {
            s.write_number(row, 2, f64::from(d)).map_err(x)?;
        }
        if let Some(o) = v.official_id {
            s.write_number(row, 3, f64::from(o)).map_err(x)?;
        }
        s.write_string(row, 4, &v.label).map_err(x)?;
        s.write_string(row, 5, &v.reason).map_err(x)?;
    }
    wb.save_to_buffer().map_err(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_default_to_the_plan_and_refuse_bad_values() {
        let mut t = Targets::default();
        assert_eq!(t.get("on_time"), 0.99);
        assert_eq!(t.get("digitisation"), 0.70);
        assert_eq!(t.get("e_signature"), 1.0);
        t.apply_spec(" on_time = 0.95, digitisation=0.8 ")
            .expect("valid");
        assert_eq!((t.get("on_time"), t.get("digitisation")), (0.95, 0.8));
        assert!(
            t.apply_spec("on_time=95")
                .expect_err("refused")
                .contains("between 0 and 1")
        );
        assert!(
            t.apply_spec("speed=0.5")
                .expect_err("refused")
                .contains("unknown metric")
        );
        assert!(
            t.apply_spec("on_time")
                .expect_err("refused")
                .contains("id=rate")
        );
        assert!(
            t.apply_spec("on_time=abc")
                .expect_err("refused")
                .contains("not a number")
        );
        assert!(t.set("on_time", f64::NAN).is_err());
        // A refused spec changed nothing after the last good value.
        assert_eq!(t.get("on_time"), 0.95);
    }

    #[test]
    fn csv_neutralises_formulas_and_quotes() {
        assert_eq!(csv_field("=1+1"), "\"'=1+1\"");
        assert_eq!(csv_field("+84"), "\"'+84\"");
        assert_eq!(csv_field("-5"), "\"'-5\"");
        assert_eq!(csv_field("@SUM(A1)"), "\"'@SUM(A1)\"");
        assert_eq!(csv_field("a \"b\""), "\"a \"\"b\"\"\"");
        assert_eq!(csv_field("Sở Nội vụ"), "\"Sở Nội vụ\"");
    }
}
