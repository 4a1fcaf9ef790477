//! `vanthu seed --bench`: the year's compliance against a plain count, timed in the same run.

use chrono::NaiveDate;
use sea_orm::{EntityTrait, PaginatorTrait};

use crate::entity::documents;
use crate::registry::Registry;

/// Time the year's compliance grouped by unit against a plain `COUNT(*)`
/// over the documents table, both measured `runs` times in this run;
/// returns a Markdown table with medians and the ratio.
pub async fn bench(reg: &Registry, year: i32, runs: usize) -> anyhow::Result<String> {
    use crate::compliance::{Filter, GroupBy, compute};
    let from = NaiveDate::from_ymd_opt(year, 1, 1).ok_or_else(|| anyhow::anyhow!("bad year"))?;
    let to = NaiveDate::from_ymd_opt(year, 12, 31).ok_or_else(|| anyhow::anyhow!("bad year"))?;
    let filter = Filter {
        from,
        to,
        unit: None,
        direction: None,
        doc_type: None,
        as_registered: false,
    };
    let runs = runs.max(1);
    let mut count_ms = Vec::new();
    let mut total = 0;
    for _ in 0..runs {
        let t = std::time::Instant::now();
        total = documents::Entity::find().count(&reg.db).await?;
        count_ms.push(t.elapsed().as_secs_f64() * 1e3);
    }
    // Timing only: the targets decide `met`, not the time taken.
    let targets = crate::compliance::Targets::default();
    let mut comp_ms = Vec::new();
    let mut fast_ms = Vec::new();
    let mut roll_ms = Vec::new();
    for _ in 0..runs {
        let t = std::time::Instant::now();
        let m = crate::compliance::rollup::metrics(reg, &targets, &filter, GroupBy::Unit).await?;
        std::hint::black_box(m);
        roll_ms.push(t.elapsed().as_secs_f64() * 1e3);
    }
    let mut ev_ms = Vec::new();
    for _ in 0..runs {
        let t = std::time::Instant::now();
        let e =
            crate::compliance::evidence::page(reg, &filter, GroupBy::Unit, "e_signature", 1, 100)
                .await?;
        std::hint::black_box(e);
        ev_ms.push(t.elapsed().as_secs_f64() * 1e3);
    }
    for _ in 0..runs {
        let t = std::time::Instant::now();
        let m = crate::compliance::fast::metrics(reg, &targets, &filter, GroupBy::Unit).await?;
        std::hint::black_box(m);
        fast_ms.push(t.elapsed().as_secs_f64() * 1e3);
        let t = std::time::Instant::now();
        let (m, _) = compute(reg, &targets, &filter, GroupBy::Unit).await?;
        std::hint::black_box(m);
        comp_ms.push(t.elapsed().as_secs_f64() * 1e3);
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let (c, m, q, r) = (
        median(&mut count_ms),
        median(&mut comp_ms),
        median(&mut fast_ms),
        median(&mut roll_ms),
    );
    let e = median(&mut ev_ms);
    let backend = match reg.db.get_database_backend() {
        sea_orm::DatabaseBackend::Postgres => "PostgreSQL",
        sea_orm::DatabaseBackend::Sqlite => "SQLite",
        _ => "other",
    };
    Ok(format!(
        "| {backend}, {total} documents | median of {runs} |\n|---|---|\n\
         | `COUNT(*)` over documents (baseline) | {c:.1} ms |\n\
         | compliance {year} by unit from the maintained counters (the API) | {r:.1} ms ({:.2}× baseline) |\n\
         | first page (100) of the year's e_signature evidence, with its total | {e:.1} ms ({:.2}× baseline) |\n\
         | compliance {year} by unit recounted from the documents in SQL | {q:.1} ms ({:.1}× baseline) |\n\
         | compliance {year} by unit with evidence, in memory | {m:.1} ms ({:.1}× baseline) |",
        r / c.max(0.001),
        e / c.max(0.001),
        q / c.max(0.001),
        m / c.max(0.001)
    ))
}
