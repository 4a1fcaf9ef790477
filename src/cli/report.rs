//! `vanthu report`: the plan's metrics for a year (the figures of
//! GET /api/v1/compliance), optionally checked against a recount.

use crate::config::Config;

/// The plan's metrics for a year (the same figures as GET /api/v1/compliance)
#[derive(Debug, Clone, clap::Args)]
pub struct ReportArgs {
    /// Register year (Vietnam time)
    #[arg(long)]
    year: i32,
    /// Only this unit
    #[arg(long)]
    unit: Option<String>,
    /// Group by unit, month or type
    #[arg(long, value_parser = ["unit", "month", "type"])]
    group_by: Option<String>,
    /// table, csv, json, or xlsx (written to stdout: redirect it to a file)
    #[arg(long, default_value = "table", value_parser = ["table", "csv", "json", "xlsx"])]
    format: String,
    /// Count signatures as they verify now, or as they verified at registration
    #[arg(long, default_value = "now", value_parser = ["now", "registration"])]
    as_verified: String,
    /// Also recount the figures from the documents and exit 1 when the
    /// maintained counters disagree
    #[arg(long)]
    check: bool,
    /// Rebuild the maintained counters from the documents first
    #[arg(long)]
    rebuild: bool,
}

/// Print the report.
pub async fn run(config: &Config, a: ReportArgs) -> anyhow::Result<u8> {
    let ReportArgs {
        year,
        unit,
        group_by,
        format,
        as_verified,
        check,
        rebuild,
    } = a;
    use crate::compliance::{self, Filter, GroupBy};
    let reg = super::open(config).await?;
    if rebuild {
        compliance::rollup::rebuild(&reg.db).await?;
        eprintln!("compliance counters rebuilt from the documents");
    }
    let from = chrono::NaiveDate::from_ymd_opt(year, 1, 1)
        .ok_or_else(|| anyhow::anyhow!("bad year {year}"))?;
    let to = chrono::NaiveDate::from_ymd_opt(year, 12, 31)
        .ok_or_else(|| anyhow::anyhow!("bad year {year}"))?;
    let g = match group_by.as_deref() {
        Some("unit") => GroupBy::Unit,
        Some("month") => GroupBy::Month,
        Some("type") => GroupBy::Type,
        _ => GroupBy::None,
    };
    let filter = Filter {
        from,
        to,
        unit,
        direction: None,
        doc_type: None,
        as_registered: as_verified == "registration",
    };
    // Only the workbook carries the evidence; the rest comes from the counters.
    let (m, ev) = if format == "xlsx" {
        compliance::compute(&reg, &config.targets, &filter, g).await?
    } else {
        (
            compliance::rollup::metrics(&reg, &config.targets, &filter, g).await?,
            Vec::new(),
        )
    };
    if check {
        let recount = compliance::fast::metrics(&reg, &config.targets, &filter, g).await?;
        if recount != m {
            eprintln!(
                "the compliance counters disagree with a recount from the documents; \
                 run vanthu report --rebuild (counters: {} rows, recount: {} rows)",
                m.len(),
                recount.len()
            );
            for (a, b) in m.iter().zip(&recount) {
                if a != b {
                    eprintln!(
                        "  {} {}: counters {}/{}, recount {}/{}",
                        a.id, a.group, a.numerator, a.denominator, b.numerator, b.denominator
                    );
                }
            }
            return Ok(1);
        }
        eprintln!("checked: the counters equal a recount from the documents");
    }
    match format.as_str() {
        "json" => println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({"year": year, "metrics": m}))?
        ),
        "csv" => print!("{}", compliance::metrics_csv(&m)),
        "xlsx" => {
            use std::io::Write;
            let bytes = compliance::xlsx(&m, &ev)?;
            std::io::stdout().write_all(&bytes)?;
        }
        _ => {
            println!(
                "{:<20} {:<12} {:>9} {:>11} {:>8} {:>7}  met",
                "metric", "group", "numerator", "denominator", "rate", "target"
            );
            for r in &m {
                println!(
                    "{:<20} {:<12} {:>9} {:>11} {:>8} {:>7}  {}",
                    r.id,
                    r.group,
                    r.numerator,
                    r.denominator,
                    r.rate
                        .map(|x| format!("{:.1}%", x * 100.0))
                        .unwrap_or_else(|| "-".into()),
                    format!("{:.0}%", r.target * 100.0),
                    if r.met { "yes" } else { "NO" }
                );
            }
        }
    }
    Ok(0)
}
