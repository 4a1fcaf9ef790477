//! The metrics aggregated by the database from the documents themselves:
//! one `GROUP BY` over the period's documents (with each document's newest,
//! or first, verification), one over the deadlines in the period, and one
//! `DISTINCT` over the valid signers. It is the independent recount that
//! the maintained counters ([`super::rollup`]) and the in-memory path
//! ([`super::compute`]) are checked against.

use std::collections::BTreeMap;

use sea_orm::{ConnectionTrait, DatabaseBackend, Statement, Value};

use super::rollup::grouped;
use super::{Counts, Filter, GroupBy, MetricResult, Resolved, Targets, resolve, with_coverage};
use crate::registry::Registry;
use crate::registry::error::Result;

/// Bound values. Placeholders are numbered (`$1`), which PostgreSQL and
/// SQLite both read, so one value may appear more than once.
pub(super) struct Params {
    pub(super) values: Vec<Value>,
}

impl Params {
    /// Bind `v` and return its placeholder.
    pub(super) fn bind(&mut self, v: impl Into<Value>) -> String {
        self.values.push(v.into());
        format!("${}", self.values.len())
    }
}

/// The `WHERE` clause shared by both queries: the period by register date,
/// recalled documents out, and the optional unit, direction and type.
pub(super) fn where_clause(
    p: &mut Params,
    f: &Filter,
    unit_id: Option<i32>,
    doc_type: Option<&str>,
) -> String {
    let mut w = format!(
        "d.register_date >= {} AND d.register_date <= {} AND d.status <> 'recalled'",
        p.bind(f.from),
        p.bind(f.to)
    );
    if let Some(d) = &f.direction {
        w.push_str(&format!(" AND d.direction = {}", p.bind(d.as_str())));
    }
    unit_and_type(p, w, unit_id, doc_type)
}

/// `w` with the optional unit and type conditions appended.
fn unit_and_type(
    p: &mut Params,
    mut w: String,
    unit_id: Option<i32>,
    doc_type: Option<&str>,
) -> String {
    if let Some(u) = unit_id {
        w.push_str(&format!(" AND d.unit_id = {}", p.bind(u)));
    }
    if let Some(t) = doc_type {
        w.push_str(&format!(" AND d.doc_type = {}", p.bind(t)));
    }
    w
}

/// The `WHERE` clause of on-time handling: incoming documents whose
/// deadline falls in the period, recalled ones out, and the optional unit
/// and type (direction is implied).
pub(super) fn due_where(
    p: &mut Params,
    f: &Filter,
    unit_id: Option<i32>,
    doc_type: Option<&str>,
) -> String {
    let w = format!(
        "d.direction = 'incoming' AND d.due_on >= {} AND d.due_on <= {} \
         AND d.status <> 'recalled'",
        p.bind(f.from),
        p.bind(f.to)
    );
    unit_and_type(p, w, unit_id, doc_type)
}

/// The verification a document is counted by: its newest, or its first.
pub(super) fn chosen_verification(f: &Filter) -> &'static str {
    if f.as_registered {
        "(SELECT MIN(v2.id) FROM verifications v2 WHERE v2.document_id = d.id)"
    } else {
        "(SELECT MAX(v2.id) FROM verifications v2 WHERE v2.document_id = d.id)"
    }
}

/// The metrics of [`super::compute`], aggregated in SQL (no evidence).
pub async fn metrics(
    reg: &Registry,
    targets: &Targets,
    f: &Filter,
    g: GroupBy,
) -> Result<Vec<MetricResult>> {
    let r = resolve(reg, f).await?;
    let backend = reg.db.get_database_backend();
    let group_expr = match (g, backend) {
        (GroupBy::None, _) => "'all'",
        (GroupBy::Unit, _) => "d.unit_id",
        (GroupBy::Type, _) => "d.doc_type",
        (GroupBy::Month, DatabaseBackend::Postgres) => "to_char(d.register_date, 'YYYY-MM')",
        (GroupBy::Month, _) => "strftime('%Y-%m', d.register_date)",
    };
    let mut counts: Counts = BTreeMap::new();
    count_sums(reg, f, g, &r, group_expr, &mut counts).await?;
    // On-time handling: incoming documents whose deadline is in the period.
    if f.direction.as_deref() != Some("outgoing") {
        on_time_counts(reg, f, g, &r, group_expr, &mut counts).await?;
    }
    let signers = valid_signers(reg, f, &r).await?;
    with_coverage(reg, targets, f, g, &r, signers, counts).await
}

/// The group's label of `row` (column 0): a unit's code, or the value itself.
fn label(g: GroupBy, r: &Resolved, row: &sea_orm::QueryResult) -> Result<String> {
    Ok(match g {
        GroupBy::Unit => row
            .try_get_by_index::<Option<i32>>(0)?
            .and_then(|u| r.unit_code.get(&u).cloned())
            .unwrap_or_else(|| "-".into()),
        _ => row.try_get_by_index::<String>(0)?,
    })
}

/// The count in column `i` of `row` (none or negative is 0).
fn n(row: &sea_orm::QueryResult, i: usize) -> Result<u64> {
    Ok(row.try_get_by_index::<Option<i64>>(i)?.unwrap_or(0).max(0) as u64)
}

/// Each counted metric's numerator and denominator per group, into `counts`:
/// one `GROUP BY` over the period's documents.
async fn count_sums(
    reg: &Registry,
    f: &Filter,
    g: GroupBy,
    r: &Resolved,
    group_expr: &str,
    counts: &mut Counts,
) -> Result<()> {
    let backend = reg.db.get_database_backend();
    let conds = super::rollup::count_conditions();
    let sums: Vec<String> = conds
        .iter()
        .flat_map(|(_, _, den, num)| {
            [den, num].map(|c| format!("CAST(SUM(CASE WHEN {c} THEN 1 ELSE 0 END) AS BIGINT)"))
        })
        .collect();
    let mut p = Params { values: Vec::new() };
    let w = where_clause(&mut p, f, r.unit_id, r.doc_type);
    let sql = format!(
        "SELECT {group_expr} AS g, {} FROM documents d \
         LEFT JOIN verifications v ON d.file_sha256 IS NOT NULL AND v.id = {} \
         WHERE {w}{}",
        sums.join(", "),
        chosen_verification(f),
        grouped(group_expr)
    );
    for row in reg
        .db
        .query_all_raw(Statement::from_sql_and_values(backend, sql, p.values))
        .await?
    {
        let group = label(g, r, &row)?;
        for (k, (id, ..)) in conds.iter().enumerate() {
            let (den, num) = (n(&row, 1 + 2 * k)?, n(&row, 2 + 2 * k)?);
            if den > 0 {
                counts.insert((id.to_string(), group.clone()), (num, den));
            }
        }
    }
    Ok(())
}

/// On-time handling per group, into `counts`: incoming documents whose
/// deadline is in the period, grouped by the deadline's month.
async fn on_time_counts(
    reg: &Registry,
    f: &Filter,
    g: GroupBy,
    r: &Resolved,
    group_expr: &str,
    counts: &mut Counts,
) -> Result<()> {
    let backend = reg.db.get_database_backend();
    let group_expr = match (g, backend) {
        (GroupBy::Month, DatabaseBackend::Postgres) => "to_char(d.due_on, 'YYYY-MM')",
        (GroupBy::Month, _) => "strftime('%Y-%m', d.due_on)",
        _ => group_expr,
    };
    let mut p = Params { values: Vec::new() };
    let w = due_where(&mut p, f, r.unit_id, r.doc_type);
    let sql = format!(
        "SELECT {group_expr} AS g, CAST(COUNT(*) AS BIGINT), CAST(SUM(CASE WHEN \
         d.resolved_on IS NOT NULL AND d.resolved_on <= d.due_on THEN 1 ELSE 0 END) AS BIGINT) \
         FROM documents d WHERE {w}{}",
        grouped(group_expr)
    );
    for row in reg
        .db
        .query_all_raw(Statement::from_sql_and_values(backend, sql, p.values))
        .await?
    {
        let group = label(g, r, &row)?;
        let (den, num) = (n(&row, 1)?, n(&row, 2)?);
        if den > 0 {
            counts.insert(("on_time".into(), group), (num, den));
        }
    }
    Ok(())
}

/// Who signed validly in the period, on the counted verifications.
async fn valid_signers(
    reg: &Registry,
    f: &Filter,
    r: &Resolved,
) -> Result<Vec<(Option<String>, Option<String>)>> {
    let backend = reg.db.get_database_backend();
    let mut p = Params { values: Vec::new() };
    let w = where_clause(&mut p, f, r.unit_id, r.doc_type);
    let sql = format!(
        "SELECT DISTINCT s.signer_fingerprint, s.signer_name FROM documents d \
         JOIN signatures s ON s.verification_id = {} \
         WHERE d.file_sha256 IS NOT NULL AND s.status = 'valid' AND {w}",
        chosen_verification(f)
    );
    let mut signers = Vec::new();
    for row in reg
        .db
        .query_all_raw(Statement::from_sql_and_values(backend, sql, p.values))
        .await?
    {
        signers.push((
            row.try_get_by_index::<Option<String>>(0)?,
            row.try_get_by_index::<Option<String>>(1)?,
        ));
    }
    Ok(signers)
}
