//! The in-memory path: every document of the period loaded with its
//! signatures and judged one by one — the only path that names the
//! documents behind each gap (the evidence), and the reference the
//! counters and the SQL recount are tested against.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use sea_orm::{ColumnTrait, Condition, EntityTrait, FromQueryResult, QueryFilter, QuerySelect};

use super::{Counts, Evidence, Filter, GroupBy, MetricResult, Targets, coverage, resolve, results};
use crate::entity::{documents, signatures, verifications};
use crate::registry::Registry;
use crate::registry::error::Result;

pub(super) struct Doc {
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
pub(super) struct DocRow {
    pub(super) id: i32,
    pub(super) direction: String,
    pub(super) register_number: i32,
    pub(super) number_symbol: Option<String>,
    pub(super) doc_type: String,
    pub(super) register_date: chrono::NaiveDate,
    pub(super) unit_id: Option<i32>,
    pub(super) due_on: Option<chrono::NaiveDate>,
    pub(super) resolved_on: Option<chrono::NaiveDate>,
    pub(super) secrecy: String,
    pub(super) channel: String,
    pub(super) counterpart: String,
    pub(super) file_sha256: Option<String>,
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

/// Attach to each document row its counted verification (newest, or first
/// as verified at registration) and what its signatures say. Only documents
/// registered in the period need them (on_time reads none).
pub(super) async fn load_docs(
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
/// Long because: one numerator/denominator rule per metric, side by side so they read against VIETNAM.md.
pub(super) fn judge(
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
