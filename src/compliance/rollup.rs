//! Compliance counters maintained with every change, so the metrics of a
//! year answer from a few thousand rows at any size of register.
//!
//! Three tables (migration `m20261129_000010`):
//! - `compliance_counts`: per verification basis (0 = as verified now,
//!   1 = as verified at registration), register day, unit, direction and
//!   type, the numerator and denominator of e_signature, dual_signature,
//!   electronic_exchange and digitisation;
//! - `compliance_due`: per deadline day, unit and type, incoming documents
//!   due and those resolved by their deadline (on_time);
//! - `compliance_signers` (+ `compliance_signer_ids`): per basis, signer
//!   (fingerprint, name), register day, unit, direction and type, the valid
//!   signatures — signer coverage asks, per known signer identity, whether
//!   one falls in the filter.
//!
//! Each change to a document runs [`apply`] with −1 before and +1 after,
//! inside the transaction that makes the change, so the counters can never
//! disagree with the documents they count. [`rebuild`] recomputes them from
//! scratch (after a migration or a seed); [`super::fast`] computes the same
//! figures from the documents and tests hold the three paths equal.

use std::collections::BTreeMap;

use sea_orm::{
    ConnectionTrait, DatabaseBackend, DatabaseConnection, DatabaseTransaction, Statement, Value,
};

use super::{Counts, Filter, GroupBy, MetricResult, Resolved, Targets, resolve, with_coverage};
use crate::registry::Registry;
use crate::registry::error::Result;
use crate::registry::events::{Event, Notes, Observer};

/// The counted conditions over `documents d` left-joined to the counted
/// verification `v`, as (numerator, denominator) pairs of
/// `compliance_counts` columns. Shared with [`super::fast`].
pub(super) fn count_conditions() -> [(&'static str, &'static str, String, String); 4] {
    let e_sig = "d.channel = 'electronic' AND d.secrecy = 'none'";
    let has = |role: &str| {
        format!(
            "EXISTS (SELECT 1 FROM signatures s WHERE s.verification_id = v.id \
             AND s.status = 'valid' AND s.signer_role = '{role}')"
        )
    };
    let exch = "d.counterpart = 'state_agency' AND d.secrecy = 'none'";
    [
        (
            "e_signature",
            "e_sig",
            e_sig.to_string(),
            format!("{e_sig} AND v.status = 'valid'"),
        ),
        (
            "dual_signature",
            "dual",
            format!("{e_sig} AND d.direction = 'outgoing'"),
            format!(
                "{e_sig} AND d.direction = 'outgoing' AND {} AND {}",
                has("person"),
                has("organisation")
            ),
        ),
        (
            "electronic_exchange",
            "exch",
            exch.to_string(),
            format!("{exch} AND d.channel = 'electronic'"),
        ),
        (
            "digitisation",
            "digi",
            "d.channel <> 'electronic'".to_string(),
            "d.channel <> 'electronic' AND d.file_sha256 IS NOT NULL".to_string(),
        ),
    ]
}

/// The verification a document is counted by, for basis column `basis`
/// (0 = newest, 1 = first).
fn chosen_by_basis(basis: &str) -> String {
    format!(
        "(SELECT CASE WHEN {basis} = 0 THEN MAX(v2.id) ELSE MIN(v2.id) END \
         FROM verifications v2 WHERE v2.document_id = d.id)"
    )
}

const BASES: &str = "(SELECT 0 AS basis UNION ALL SELECT 1 AS basis) b";

/// The statements adding `sign` × the contribution of the documents matched
/// by `doc_where` (over `documents d`) to every counter table.
fn contribution(doc_where: &str, sign: i64) -> Vec<String> {
    let conds = count_conditions();
    let mut cols = Vec::new();
    let mut sums = Vec::new();
    let mut sets = Vec::new();
    for (_, short, den, num) in &conds {
        for (suffix, cond) in [("den", den), ("num", num)] {
            let col = format!("{short}_{suffix}");
            sums.push(format!("{sign} * SUM(CASE WHEN {cond} THEN 1 ELSE 0 END)"));
            sets.push(format!("{col} = compliance_counts.{col} + excluded.{col}"));
            cols.push(col);
        }
    }
    let doc_key = "d.register_date, COALESCE(d.unit_id, 0), d.direction, d.doc_type";
    let key = format!("b.basis, {doc_key}");
    let counts = format!(
        "INSERT INTO compliance_counts (basis, register_date, unit_id, direction, doc_type, {}) \
         SELECT {key}, {} FROM documents d CROSS JOIN {BASES} \
         LEFT JOIN verifications v ON d.file_sha256 IS NOT NULL AND v.id = {} \
         WHERE ({doc_where}) AND d.status <> 'recalled' GROUP BY {key} \
         ON CONFLICT (basis, register_date, unit_id, direction, doc_type) DO UPDATE SET {}",
        cols.join(", "),
        sums.join(", "),
        chosen_by_basis("b.basis"),
        sets.join(", ")
    );
    let due_key = "d.due_on, COALESCE(d.unit_id, 0), d.doc_type";
    let due = format!(
        "INSERT INTO compliance_due (due_on, unit_id, doc_type, due, on_time) \
         SELECT {due_key}, {sign} * COUNT(*), \
         {sign} * SUM(CASE WHEN d.resolved_on IS NOT NULL AND d.resolved_on <= d.due_on THEN 1 ELSE 0 END) \
         FROM documents d WHERE ({doc_where}) AND d.status <> 'recalled' \
         AND d.direction = 'incoming' AND d.due_on IS NOT NULL GROUP BY {due_key} \
         ON CONFLICT (due_on, unit_id, doc_type) DO UPDATE SET \
         due = compliance_due.due + excluded.due, on_time = compliance_due.on_time + excluded.on_time"
    );
    let signed_from = format!(
        "FROM documents d CROSS JOIN {BASES} JOIN signatures s ON s.verification_id = {} \
         WHERE ({doc_where}) AND d.status <> 'recalled' AND d.file_sha256 IS NOT NULL \
         AND s.status = 'valid'",
        chosen_by_basis("b.basis")
    );
    let ident = "b.basis, COALESCE(s.signer_fingerprint, ''), COALESCE(s.signer_name, '')";
    let signer_key = format!("{ident}, {doc_key}");
    let signers = format!(
        "INSERT INTO compliance_signers (basis, signer_fingerprint, signer_name, register_date, \
         unit_id, direction, doc_type, n) SELECT {signer_key}, {sign} * COUNT(*) {signed_from} \
         GROUP BY {signer_key} \
         ON CONFLICT (basis, signer_fingerprint, signer_name, register_date, unit_id, direction, doc_type) \
         DO UPDATE SET n = compliance_signers.n + excluded.n"
    );
    let mut out = vec![counts, due, signers];
    if sign > 0 {
        out.push(format!(
            "INSERT INTO compliance_signer_ids (basis, signer_fingerprint, signer_name) \
             SELECT DISTINCT {ident} {signed_from} \
             ON CONFLICT (basis, signer_fingerprint, signer_name) DO NOTHING"
        ));
    }
    out
}

/// The counter tables, and the table recording that they were built.
pub const TABLES: [&str; 5] = [
    "compliance_counts",
    "compliance_due",
    "compliance_signers",
    "compliance_signer_ids",
    "compliance_rollup_state",
];

/// Lock key of the counters (PostgreSQL advisory lock).
const COUNTERS_LOCK: i64 = 0x7661_6e74_6875_0001;

/// On PostgreSQL, take the counters' transaction-scoped advisory lock, so
/// transactions update counter rows one at a time: two handling changes
/// moving documents between the same two units in opposite directions
/// would otherwise lock the same rows in opposite orders and deadlock. It
/// is the last lock a writing transaction takes (numbering comes first).
/// SQLite already runs one writer at a time (`BEGIN IMMEDIATE`).
async fn serialize_writers<C: ConnectionTrait>(c: &C) -> Result<()> {
    if c.get_database_backend() == DatabaseBackend::Postgres {
        c.execute_raw(Statement::from_sql_and_values(
            DatabaseBackend::Postgres,
            "SELECT pg_advisory_xact_lock($1)",
            [COUNTERS_LOCK.into()],
        ))
        .await?;
    }
    Ok(())
}

/// The counters as an observer of the registry: a document's contribution
/// is taken away before each change and added back after it, in the
/// writing transaction.
#[derive(Debug, Default)]
pub struct Counters;

#[async_trait::async_trait]
impl Observer for Counters {
    fn name(&self) -> &'static str {
        "compliance counters"
    }

    async fn before(&self, txn: &DatabaseTransaction, id: i32) -> Result<()> {
        apply(txn, id, -1).await
    }

    async fn after(
        &self,
        txn: &DatabaseTransaction,
        event: &Event<'_>,
        _notes: &mut Notes,
    ) -> Result<()> {
        apply(txn, event.document_id, 1).await
    }
}

/// Add (`sign` = 1) or take away (`sign` = −1) document `id`'s contribution
/// to the counters, inside the caller's transaction. Call it with −1 before
/// a change and +1 after.
pub async fn apply<C: ConnectionTrait>(c: &C, id: i32, sign: i64) -> Result<()> {
    let backend = c.get_database_backend();
    serialize_writers(c).await?;
    for sql in contribution("d.id = $1", sign.signum()) {
        c.execute_raw(Statement::from_sql_and_values(backend, sql, [id.into()]))
            .await?;
    }
    Ok(())
}

/// Add the contribution of every document with an id in `lo..=hi` (a
/// batch just inserted by `vanthu seed`), inside the caller's transaction.
pub async fn apply_range<C: ConnectionTrait>(c: &C, lo: i32, hi: i32) -> Result<()> {
    let backend = c.get_database_backend();
    serialize_writers(c).await?;
    for sql in contribution("d.id >= $1 AND d.id <= $2", 1) {
        c.execute_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [lo.into(), hi.into()],
        ))
        .await?;
    }
    Ok(())
}

/// Recompute every counter from the documents, in one transaction.
pub async fn rebuild(db: &DatabaseConnection) -> Result<()> {
    let txn = crate::db::begin_write(db).await?;
    serialize_writers(&txn).await?;
    for t in TABLES {
        txn.execute_unprepared(&format!("DELETE FROM {t}")).await?;
    }
    for sql in contribution("1 = 1", 1) {
        txn.execute_unprepared(&sql).await?;
    }
    let backend = txn.get_database_backend();
    txn.execute_raw(Statement::from_sql_and_values(
        backend,
        "INSERT INTO compliance_rollup_state (id, built_at) VALUES (1, $1)",
        [chrono::Utc::now().into()],
    ))
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Build the counters when they have never been built (a database that
/// held documents before the counters existed).
pub async fn ensure(db: &DatabaseConnection) -> Result<bool> {
    let backend = db.get_database_backend();
    let built = db
        .query_one_raw(Statement::from_string(
            backend,
            "SELECT COUNT(*) FROM compliance_rollup_state",
        ))
        .await?
        .map(|r| r.try_get_by_index::<i64>(0))
        .transpose()?
        .unwrap_or(0);
    if built > 0 {
        return Ok(false);
    }
    rebuild(db).await?;
    Ok(true)
}

/// Bound values with numbered placeholders (`$1`), read by both backends.
struct Params(Vec<Value>);

impl Params {
    fn bind(&mut self, v: impl Into<Value>) -> String {
        self.0.push(v.into());
        format!("${}", self.0.len())
    }
}

/// `GROUP BY expr`, or nothing for the single group (PostgreSQL refuses
/// grouping by a constant).
pub(super) fn grouped(expr: &str) -> String {
    if expr == "'all'" {
        String::new()
    } else {
        format!(" GROUP BY {expr}")
    }
}

fn month_of(backend: DatabaseBackend, col: &str) -> String {
    match backend {
        DatabaseBackend::Postgres => format!("to_char({col}, 'YYYY-MM')"),
        _ => format!("strftime('%Y-%m', {col})"),
    }
}

/// The optional unit, direction and type conditions over a counter table.
fn filters(r: &Resolved, f: &Filter, p: &mut Params, direction: bool) -> String {
    let mut w = String::new();
    if let Some(u) = r.unit_id {
        w.push_str(&format!(" AND unit_id = {}", p.bind(u)));
    }
    if direction && let Some(d) = &f.direction {
        w.push_str(&format!(" AND direction = {}", p.bind(d.as_str())));
    }
    if let Some(t) = r.doc_type {
        w.push_str(&format!(" AND doc_type = {}", p.bind(t)));
    }
    w
}

/// Signer coverage's input: the known signer identities (fingerprint, name)
/// with a valid signature inside the filter, one index seek each.
pub(super) async fn valid_signers(
    reg: &Registry,
    f: &Filter,
    r: &Resolved,
) -> Result<Vec<(Option<String>, Option<String>)>> {
    let db = &reg.db;
    let backend = db.get_database_backend();
    let basis: i32 = if f.as_registered { 1 } else { 0 };
    let mut p = Params(Vec::new());
    let b = p.bind(basis);
    let head = format!(
        "s.register_date >= {} AND s.register_date <= {}",
        p.bind(f.from),
        p.bind(f.to)
    );
    let w = filters(r, f, &mut p, true).replace(" AND ", " AND s.");
    let sql = format!(
        "SELECT i.signer_fingerprint, i.signer_name FROM compliance_signer_ids i \
         WHERE i.basis = {b} AND EXISTS (SELECT 1 FROM compliance_signers s \
         WHERE s.basis = i.basis AND s.signer_fingerprint = i.signer_fingerprint \
         AND s.signer_name = i.signer_name AND {head}{w} AND s.n > 0)"
    );
    let mut signers = Vec::new();
    for row in db
        .query_all_raw(Statement::from_sql_and_values(backend, sql, p.0))
        .await?
    {
        let none_if_empty = |s: String| (!s.is_empty()).then_some(s);
        signers.push((
            none_if_empty(row.try_get_by_index::<String>(0)?),
            none_if_empty(row.try_get_by_index::<String>(1)?),
        ));
    }
    Ok(signers)
}

/// The metrics of [`super::compute`], summed from the counters.
pub async fn metrics(
    reg: &Registry,
    targets: &Targets,
    f: &Filter,
    g: GroupBy,
) -> Result<Vec<MetricResult>> {
    let r = resolve(reg, f).await?;
    let db = &reg.db;
    let backend = db.get_database_backend();
    let basis: i32 = if f.as_registered { 1 } else { 0 };
    let group = |date_col: &str| match g {
        GroupBy::None => "'all'".to_string(),
        GroupBy::Unit => "CAST(unit_id AS TEXT)".to_string(),
        GroupBy::Type => "doc_type".to_string(),
        GroupBy::Month => month_of(backend, date_col),
    };
    let group_label = |raw: String| match g {
        GroupBy::Unit => raw
            .parse::<i32>()
            .ok()
            .and_then(|u| r.unit_code.get(&u).cloned())
            .unwrap_or_else(|| "-".into()),
        _ => raw,
    };
    let mut counts: Counts = BTreeMap::new();

    // The four register-day metrics.
    let conds = count_conditions();
    let mut p = Params(Vec::new());
    let head = format!(
        "basis = {} AND register_date >= {} AND register_date <= {}",
        p.bind(basis),
        p.bind(f.from),
        p.bind(f.to)
    );
    let w = filters(&r, f, &mut p, true);
    let sums: Vec<String> = conds
        .iter()
        .flat_map(|(_, short, _, _)| {
            [
                format!("CAST(SUM({short}_den) AS BIGINT)"),
                format!("CAST(SUM({short}_num) AS BIGINT)"),
            ]
        })
        .collect();
    let ge = group("register_date");
    let sql = format!(
        "SELECT {ge}, {} FROM compliance_counts WHERE {head}{w}{}",
        sums.join(", "),
        grouped(&ge)
    );
    for row in db
        .query_all_raw(Statement::from_sql_and_values(backend, sql, p.0))
        .await?
    {
        let label = group_label(row.try_get_by_index::<String>(0)?);
        for (k, (id, ..)) in conds.iter().enumerate() {
            let n = |i: usize| -> Result<u64> {
                Ok(row.try_get_by_index::<Option<i64>>(i)?.unwrap_or(0).max(0) as u64)
            };
            let (den, num) = (n(1 + 2 * k)?, n(2 + 2 * k)?);
            if den > 0 {
                counts.insert((id.to_string(), label.clone()), (num, den));
            }
        }
    }

    // On-time handling, by deadline day (incoming documents only).
    if f.direction.as_deref() != Some("outgoing") {
        let mut p = Params(Vec::new());
        let head = format!(
            "due_on >= {} AND due_on <= {}",
            p.bind(f.from),
            p.bind(f.to)
        );
        let w = filters(&r, f, &mut p, false);
        let ge = group("due_on");
        let sql = format!(
            "SELECT {ge}, CAST(SUM(due) AS BIGINT), CAST(SUM(on_time) AS BIGINT) \
             FROM compliance_due WHERE {head}{w}{}",
            grouped(&ge)
        );
        for row in db
            .query_all_raw(Statement::from_sql_and_values(backend, sql, p.0))
            .await?
        {
            let label = group_label(row.try_get_by_index::<String>(0)?);
            let den = row.try_get_by_index::<Option<i64>>(1)?.unwrap_or(0).max(0) as u64;
            let num = row.try_get_by_index::<Option<i64>>(2)?.unwrap_or(0).max(0) as u64;
            if den > 0 {
                counts.insert(("on_time".into(), label), (num, den));
            }
        }
    }

    let signers = valid_signers(reg, f, &r).await?;
    with_coverage(reg, targets, f, g, &r, signers, counts).await
}
