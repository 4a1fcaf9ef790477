//! The evidence behind one metric's gap, a page at a time: the database
//! selects only the page's documents (those the metric counts and that miss
//! it, by register date — deadline for on_time — then id), and each is judged by the same code as [`super::compute`],
//! so the reasons are identical. The total comes from the counters
//! ([`super::rollup`]) as denominator − numerator, summed over groups.
//! Signer coverage's evidence is the officials without a valid signature,
//! and beside it the valid signers who match no official.

use sea_orm::{ConnectionTrait, FromQueryResult, Statement};
use serde::Serialize;

use super::fast::{Params, chosen_verification, due_where, where_clause};
use super::{DocRow, Evidence, Filter, GroupBy, coverage, judge, load_docs, resolve, rollup};
use crate::registry::Registry;
use crate::registry::error::{Error, Result};

/// The columns [`DocRow`] reads.
const DOC_COLUMNS: &str = "d.id, d.direction, d.register_number, d.number_symbol, d.doc_type, \
    d.register_date, d.unit_id, d.due_on, d.resolved_on, d.secrecy, d.channel, d.counterpart, \
    d.file_sha256";

/// A signer with valid signatures in the filter who matches no official
/// (by certificate fingerprint or name): it explains signer coverage gaps
/// (an official signing with an unregistered certificate under another
/// spelling) without counting in them.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct UnmatchedSigner {
    /// Name in the certificate.
    pub signer_name: Option<String>,
    /// SHA-256 fingerprint of the certificate.
    pub signer_fingerprint: Option<String>,
    /// Valid signatures by this signer in the filter.
    pub signatures: u64,
    /// One document it signed (the lowest id).
    pub example_document_id: Option<i32>,
    /// Always "signer not a known official".
    pub reason: &'static str,
}

/// One page of evidence.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct EvidencePage {
    /// The page's items.
    pub items: Vec<Evidence>,
    /// Items on every page: the metric's denominator − numerator.
    pub total: u64,
    /// For signer_coverage: valid signers matching no official.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unmatched_signers: Vec<UnmatchedSigner>,
}

/// Valid signatures per (fingerprint, name) in the filter, from the
/// counters, and the lowest document id with one.
async fn describe_unmatched(
    reg: &Registry,
    f: &Filter,
    r: &super::Resolved,
    who: Vec<(Option<String>, Option<String>)>,
) -> Result<Vec<UnmatchedSigner>> {
    let backend = reg.db.get_database_backend();
    let mut out = Vec::new();
    for (fp, name) in who.into_iter().take(MAX_UNMATCHED) {
        let mut p = Params { values: Vec::new() };
        let mut w = format!(
            "basis = {} AND signer_fingerprint = {} AND signer_name = {} \
             AND register_date >= {} AND register_date <= {}",
            p.bind(i32::from(f.as_registered)),
            p.bind(fp.clone().unwrap_or_default()),
            p.bind(name.clone().unwrap_or_default()),
            p.bind(f.from),
            p.bind(f.to)
        );
        if let Some(u) = r.unit_id {
            w.push_str(&format!(" AND unit_id = {}", p.bind(u)));
        }
        if let Some(d) = &f.direction {
            w.push_str(&format!(" AND direction = {}", p.bind(d.as_str())));
        }
        if let Some(t) = r.doc_type {
            w.push_str(&format!(" AND doc_type = {}", p.bind(t)));
        }
        let n = reg
            .db
            .query_one_raw(Statement::from_sql_and_values(
                backend,
                format!(
                    "SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) FROM compliance_signers WHERE {w}"
                ),
                p.values,
            ))
            .await?
            .map(|row| row.try_get_by_index::<i64>(0))
            .transpose()?
            .unwrap_or(0);
        let mut p = Params { values: Vec::new() };
        let w = where_clause(&mut p, f, r.unit_id, r.doc_type);
        let who_sql = match (&fp, &name) {
            (Some(fp), _) => format!("s.signer_fingerprint = {}", p.bind(fp.as_str())),
            (None, Some(n)) => format!(
                "s.signer_fingerprint IS NULL AND s.signer_name = {}",
                p.bind(n.as_str())
            ),
            (None, None) => "s.signer_fingerprint IS NULL AND s.signer_name IS NULL".into(),
        };
        let example = reg
            .db
            .query_one_raw(Statement::from_sql_and_values(
                backend,
                format!(
                    "SELECT MIN(d.id) FROM documents d JOIN signatures s ON s.verification_id = {} \
                     WHERE {w} AND d.file_sha256 IS NOT NULL AND s.status = 'valid' AND {who_sql}",
                    chosen_verification(f)
                ),
                p.values,
            ))
            .await?
            .map(|row| row.try_get_by_index::<Option<i32>>(0))
            .transpose()?
            .flatten();
        out.push(UnmatchedSigner {
            signer_name: name,
            signer_fingerprint: fp,
            signatures: n.max(0) as u64,
            example_document_id: example,
            reason: "signer not a known official",
        });
    }
    Ok(out)
}

/// At most this many unmatched signers are described.
const MAX_UNMATCHED: usize = 200;

/// Page `page` (from 1) of `per_page` evidence items of `metric`, and the
/// total number of items.
pub async fn page(
    reg: &Registry,
    f: &Filter,
    g: GroupBy,
    metric: &str,
    page: u64,
    per_page: u64,
) -> Result<EvidencePage> {
    let r = resolve(reg, f).await?;
    let skip = page
        .saturating_sub(1)
        .saturating_mul(per_page)
        .min(i64::MAX as u64);
    if metric == "signer_coverage" {
        return signer_page(reg, f, g, &r, skip, per_page).await;
    }
    // The gap is numerator against denominator; targets do not enter it.
    let total: u64 = rollup::metrics(reg, &super::Targets::default(), f, g)
        .await?
        .iter()
        .filter(|m| m.id == metric)
        .map(|m| m.denominator - m.numerator)
        .sum();
    let backend = reg.db.get_database_backend();
    let mut p = Params { values: Vec::new() };
    // Pages go in the order of the index the filter reads (register date,
    // or deadline for on_time) and then id, so a page stops early.
    let order = if metric == "on_time" {
        "d.due_on, d.id"
    } else {
        "d.register_date, d.id"
    };
    let (w, den, num) = if metric == "on_time" {
        if f.direction.as_deref() == Some("outgoing") {
            return Ok(EvidencePage {
                items: Vec::new(),
                total,
                unmatched_signers: Vec::new(),
            });
        }
        let w = due_where(&mut p, f, r.unit_id, r.doc_type);
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
    // The denominator's condition reads only non-null document columns, so
    // it stays a plain predicate the planner can estimate (PostgreSQL then
    // walks the date index); CASE … = 0 also catches a numerator condition
    // that is NULL (no verification).
    let sql = format!(
        "SELECT {DOC_COLUMNS} FROM documents d \
         LEFT JOIN verifications v ON d.file_sha256 IS NOT NULL AND v.id = {} \
         WHERE {w} AND ({den}) \
         AND CASE WHEN {num} THEN 1 ELSE 0 END = 0 \
         ORDER BY {order} LIMIT {} OFFSET {}",
        chosen_verification(f),
        p.bind(per_page.min(i64::MAX as u64) as i64),
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
    Ok(EvidencePage {
        items,
        total,
        unmatched_signers: Vec::new(),
    })
}

/// The page of signer-coverage evidence: officials, not documents.
async fn signer_page(
    reg: &Registry,
    f: &Filter,
    g: GroupBy,
    r: &super::Resolved,
    skip: u64,
    per_page: u64,
) -> Result<EvidencePage> {
    // Officials, not documents: few enough to judge them all.
    let signers = rollup::valid_signers(reg, f, r).await?;
    let mut counts = Default::default();
    let mut ev = Vec::new();
    let unmatched = coverage(
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
    Ok(EvidencePage {
        items,
        total,
        unmatched_signers: describe_unmatched(reg, f, r, unmatched).await?,
    })
}
