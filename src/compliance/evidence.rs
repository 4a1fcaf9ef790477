//! The evidence behind one metric's gap, a page at a time: the database
//! selects only the page's documents (those the metric counts and that miss
//! it, by id), and each is judged by the same code as [`super::compute`],
//! so the reasons are identical. The total comes from the counters
//! ([`super::rollup`]) as denominator − numerator, summed over groups.

use sea_orm::{FromQueryResult, Statement};

use super::fast::{Params, chosen_verification, where_clause};
use super::{DocRow, Evidence, Filter, GroupBy, coverage, judge, load_docs, resolve, rollup};
use crate::registry::Registry;
use crate::registry::error::{Error, Result};

/// The columns [`DocRow`] reads.
const DOC_COLUMNS: &str = "d.id, d.direction, d.register_number, d.number_symbol, d.doc_type, \
    d.register_date, d.unit_id, d.due_on, d.resolved_on, d.secrecy, d.channel, d.counterpart, \
    d.file_sha256";

/// Page `page` (from 1) of `per_page` evidence items of `metric`, and the
/// total number of items.
pub async fn page(
    reg: &Registry,
    f: &Filter,
    g: GroupBy,
    metric: &str,
    page: u64,
    per_page: u64,
) -> Result<(Vec<Evidence>, u64)> {
    let r = resolve(reg, f).await?;
    let skip = page.saturating_sub(1).saturating_mul(per_page);
    if metric == "signer_coverage" {
        // Officials, not documents: few enough to judge them all.
        let signers = rollup::valid_signers(reg, f, &r).await?;
        let mut counts = Default::default();
        let mut ev = Vec::new();
        coverage(
            reg,
            f,
            g,
            &r.unit_code,
            signers.into_iter(),
            &mut counts,
            Some(&mut ev),
        )
        .await?;
        let total = ev.len() as u64;
        let items = ev
            .into_iter()
            .skip(skip as usize)
            .take(per_page as usize)
            .collect();
        return Ok((items, total));
    }
    let total: u64 = rollup::metrics(reg, f, g)
        .await?
        .iter()
        .filter(|m| m.id == metric)
        .map(|m| m.denominator - m.numerator)
        .sum();
    let backend = reg.db.get_database_backend();
    let mut p = Params { values: Vec::new() };
    let (w, den, num) = if metric == "on_time" {
        if f.direction.as_deref() == Some("outgoing") {
            return Ok((Vec::new(), total));
        }
        let mut w = format!(
            "d.direction = 'incoming' AND d.due_on >= {} AND d.due_on <= {} \
             AND d.status <> 'recalled'",
            p.bind(f.from),
            p.bind(f.to)
        );
        if let Some(u) = r.unit_id {
            w.push_str(&format!(" AND d.unit_id = {}", p.bind(u)));
        }
        if let Some(t) = r.doc_type {
            w.push_str(&format!(" AND d.doc_type = {}", p.bind(t)));
        }
        (
            w,
            "1 = 1".to_string(),
            "d.resolved_on IS NOT NULL AND d.resolved_on <= d.due_on".to_string(),
        )
    } else {
        let (_, _, den, num) = rollup::count_conditions()
            .into_iter()
            .find(|(id, ..)| *id == metric)
            .ok_or_else(|| {
                Error::invalid(
                    "invalid_value",
                    "metric",
                    format!("unknown metric {metric:?}"),
                )
            })?;
        (where_clause(&mut p, f, r.unit_id, r.doc_type), den, num)
    };
    // CASE … = 0 also catches a condition that is NULL (no verification).
    let sql = format!(
        "SELECT {DOC_COLUMNS} FROM documents d \
         LEFT JOIN verifications v ON d.file_sha256 IS NOT NULL AND v.id = {} \
         WHERE {w} AND CASE WHEN {den} THEN 1 ELSE 0 END = 1 \
         AND CASE WHEN {num} THEN 1 ELSE 0 END = 0 \
         ORDER BY d.id LIMIT {} OFFSET {}",
        chosen_verification(f),
        p.bind(per_page as i64),
        p.bind(skip as i64)
    );
    let rows = DocRow::find_by_statement(Statement::from_sql_and_values(backend, sql, p.values))
        .all(&reg.db)
        .await?;
    let today = reg.clock.today_vn();
    let items = load_docs(reg, rows, f, &r.unit_code)
        .await?
        .iter()
        .flat_map(|d| judge(d, g, f, today))
        .filter(|(id, _, hit, _)| *id == metric && !hit)
        .map(|(_, _, _, ev)| ev)
        .collect();
    Ok((items, total))
}
