//! Dates as the report writes them: RFC 3339 in UTC, whole seconds, and
//! PDF dates (`D:YYYYMMDDHHmmSSOHH'mm'`) read into that form.

use chrono::{DateTime, SecondsFormat, Utc};

/// A time as the report writes it (RFC 3339, whole seconds, `Z`).
pub fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// PDF date `D:YYYYMMDDHHmmSSOHH'mm'` → RFC 3339.
pub fn pdf_date(s: &str) -> Option<String> {
    let s = s.strip_prefix("D:").unwrap_or(s);
    let digits: String = s.chars().take_while(|c| c.is_ascii_digit()).collect();
    if digits.len() < 4 {
        return None;
    }
    let pad = format!("{digits:0<14}");
    let (y, mo, d, h, mi, se) = (
        &pad[0..4],
        &pad[4..6],
        &pad[6..8],
        &pad[8..10],
        &pad[10..12],
        &pad[12..14],
    );
    let mo = if mo == "00" { "01" } else { mo };
    let d = if d == "00" { "01" } else { d };
    let rest = &s[digits.len()..];
    let tz = match rest.chars().next() {
        Some('+') | Some('-') => {
            let sign = &rest[..1];
            let nums: String = rest[1..].chars().filter(|c| c.is_ascii_digit()).collect();
            let hh = nums.get(0..2).unwrap_or("00");
            let mm = nums.get(2..4).unwrap_or("00");
            format!("{sign}{hh}:{mm}")
        }
        _ => "Z".to_string(),
    };
    let text = format!("{y}-{mo}-{d}T{h}:{mi}:{se}{tz}");
    DateTime::parse_from_rfc3339(&text)
        .ok()
        .map(|t| rfc3339(t.with_timezone(&Utc)))
}
