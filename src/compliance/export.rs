//! The figures written out: CSV (formula-safe) and an XLSX workbook.

use super::{Evidence, MetricResult};
use crate::registry::error::{Error, Result};

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
    fn csv_neutralises_formulas_and_quotes() {
        assert_eq!(csv_field("=1+1"), "\"'=1+1\"");
        assert_eq!(csv_field("+84"), "\"'+84\"");
        assert_eq!(csv_field("-5"), "\"'-5\"");
        assert_eq!(csv_field("@SUM(A1)"), "\"'@SUM(A1)\"");
        assert_eq!(csv_field("a \"b\""), "\"a \"\"b\"\"\"");
        assert_eq!(csv_field("Sở Nội vụ"), "\"Sở Nội vụ\"");
    }
}
