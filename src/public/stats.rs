//! The public dashboard's data: counts and the plan's rates per month, unit
//! and direction. Secret documents are counted, never described.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use sea_orm::{ConnectionTrait, DatabaseBackend, EntityTrait, Statement};
use serde::Serialize;

use crate::entity::units;
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

/// Statistics for register year `year`: one `GROUP BY` over the year's
/// documents (no join) and the valid e-signatures from the compliance
/// counters ([`crate::compliance::rollup`]), so the cost does not grow with
/// verification reports.
pub async fn stats(reg: &Registry, year: i32) -> Result<(Vec<Group>, Figures)> {
    let today = reg.clock.today_vn();
    let unit_codes: HashMap<i32, String> = units::Entity::find()
        .all(&reg.db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.code))
        .collect();
    let mut groups = document_counts(reg, year, today, &unit_codes).await?;
    valid_signatures(reg, year, &unit_codes, &mut groups).await?;
    let finish = |f: &mut Figures| {
        f.e_signature_rate = rate(f.signed_valid, f.electronic);
        f.electronic_exchange_rate = rate(f.with_state_agencies_electronic, f.with_state_agencies);
        f.on_time_rate = rate(f.on_time, f.with_deadline);
    };
    let mut all = Figures::default();
    let out = groups
        .into_iter()
        .map(|((month, unit, direction), mut figures)| {
            add(&mut all, &figures);
            finish(&mut figures);
            Group {
                month,
                unit,
                direction,
                figures,
            }
        })
        .collect();
    finish(&mut all);
    Ok((out, all))
}

/// A group: month, unit code, direction.
type Key = (String, Option<String>, String);

/// The month (`YYYY-MM`) of the date column `col`, in `backend`'s SQL.
fn month(backend: DatabaseBackend, col: &str) -> String {
    match backend {
        DatabaseBackend::Postgres => format!("to_char({col}, 'YYYY-MM')"),
        _ => format!("strftime('%Y-%m', {col})"),
    }
}

/// The group of a row whose first columns are month, unit id and direction.
fn key(unit_codes: &HashMap<i32, String>, row: &sea_orm::QueryResult) -> Result<Key> {
    let unit: i32 = row.try_get_by_index(1)?;
    Ok((
        row.try_get_by_index::<String>(0)?,
        unit_codes.get(&unit).cloned(),
        row.try_get_by_index::<String>(2)?,
    ))
}

/// The counts of year `year`'s documents per group: one `GROUP BY` over the
/// documents (no join), deadlines judged as of `today`.
async fn document_counts(
    reg: &Registry,
    year: i32,
    today: NaiveDate,
    unit_codes: &HashMap<i32, String>,
) -> Result<BTreeMap<Key, Figures>> {
    let backend = reg.db.get_database_backend();
    let open = "d.secrecy = 'none' AND d.status <> 'recalled'";
    let due = format!(
        "{open} AND d.direction = 'incoming' AND d.due_on IS NOT NULL \
         AND (d.due_on < $2 OR d.resolved_on IS NOT NULL)"
    );
    let sums = [
        "1 = 1".to_string(),
        "d.secrecy <> 'none'".to_string(),
        "d.secrecy = 'none' AND d.status = 'recalled'".to_string(),
        format!("{open} AND d.channel = 'electronic'"),
        format!("{open} AND d.channel <> 'electronic'"),
        format!("{open} AND d.counterpart = 'state_agency'"),
        format!("{open} AND d.counterpart = 'state_agency' AND d.channel = 'electronic'"),
        due.clone(),
        format!("{due} AND d.resolved_on IS NOT NULL AND d.resolved_on <= d.due_on"),
    ]
    .map(|c| format!("CAST(SUM(CASE WHEN {c} THEN 1 ELSE 0 END) AS BIGINT)"));
    let m = month(backend, "d.register_date");
    let sql = format!(
        "SELECT {m}, COALESCE(d.unit_id, 0), d.direction, {} FROM documents d \
         WHERE d.year = $1 GROUP BY {m}, COALESCE(d.unit_id, 0), d.direction",
        sums.join(", ")
    );
    let mut groups: BTreeMap<Key, Figures> = BTreeMap::new();
    for row in reg
        .db
        .query_all_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [year.into(), today.into()],
        ))
        .await?
    {
        let n = |i: usize| -> Result<u64> {
            Ok(row.try_get_by_index::<Option<i64>>(i)?.unwrap_or(0).max(0) as u64)
        };
        let f = groups.entry(key(unit_codes, &row)?).or_default();
        f.total += n(3)?;
        f.secret += n(4)?;
        f.recalled += n(5)?;
        f.electronic += n(6)?;
        f.paper += n(7)?;
        f.with_state_agencies += n(8)?;
        f.with_state_agencies_electronic += n(9)?;
        f.with_deadline += n(10)?;
        f.on_time += n(11)?;
    }
    Ok(groups)
}

/// Electronic public documents whose current verification is valid, per
/// group, from the compliance counters, into `groups`.
async fn valid_signatures(
    reg: &Registry,
    year: i32,
    unit_codes: &HashMap<i32, String>,
    groups: &mut BTreeMap<Key, Figures>,
) -> Result<()> {
    let backend = reg.db.get_database_backend();
    let m = month(backend, "register_date");
    let (from, to) = (
        NaiveDate::from_ymd_opt(year, 1, 1),
        NaiveDate::from_ymd_opt(year, 12, 31),
    );
    if let (Some(from), Some(to)) = (from, to) {
        let sql = format!(
            "SELECT {m}, unit_id, direction, CAST(SUM(e_sig_num) AS BIGINT) FROM compliance_counts \
             WHERE basis = 0 AND register_date >= $1 AND register_date <= $2 \
             GROUP BY {m}, unit_id, direction"
        );
        for row in reg
            .db
            .query_all_raw(Statement::from_sql_and_values(
                backend,
                sql,
                [from.into(), to.into()],
            ))
            .await?
        {
            let n = row.try_get_by_index::<Option<i64>>(3)?.unwrap_or(0).max(0) as u64;
            if n > 0 {
                groups
                    .entry(key(unit_codes, &row)?)
                    .or_default()
                    .signed_valid += n;
            }
        }
    }
    Ok(())
}

/// Sum `b` into `a` (counts only; rates are recomputed by [`finish`]).
pub(crate) fn add(a: &mut Figures, b: &Figures) {
    a.total += b.total;
    a.secret += b.secret;
    a.recalled += b.recalled;
    a.electronic += b.electronic;
    a.paper += b.paper;
    a.signed_valid += b.signed_valid;
    a.with_state_agencies += b.with_state_agencies;
    a.with_state_agencies_electronic += b.with_state_agencies_electronic;
    a.with_deadline += b.with_deadline;
    a.on_time += b.on_time;
}
