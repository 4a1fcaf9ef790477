//! The registers as Decree 30/2020 prints them (Phụ lục IV): Sổ đăng ký văn
//! bản đến, Sổ đăng ký văn bản đi, and Sổ theo dõi giải quyết văn bản đến,
//! with every column and the register header (Năm; Từ ngày … đến ngày; Từ
//! số … đến số; Quyển số), as CSV and as print-ready HTML (A4 landscape).
//! Secret documents are kept in their own book (series `secret`).

use std::collections::HashMap;

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use super::csv_field;
use crate::entity::{documents, units};
use crate::registry::Registry;
use crate::registry::error::{Error, Result};

/// Which register.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Book {
    /// Sổ đăng ký văn bản đến.
    Incoming,
    /// Sổ đăng ký văn bản đi.
    Outgoing,
    /// Sổ theo dõi giải quyết văn bản đến.
    FollowUp,
}

impl Book {
    /// Parse `incoming`, `outgoing` or `followup`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "incoming" => Some(Book::Incoming),
            "outgoing" => Some(Book::Outgoing),
            "followup" => Some(Book::FollowUp),
            _ => None,
        }
    }

    fn title(self) -> &'static str {
        match self {
            Book::Incoming => "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN",
            Book::Outgoing => "SỔ ĐĂNG KÝ VĂN BẢN ĐI",
            Book::FollowUp => "SỔ THEO DÕI GIẢI QUYẾT VĂN BẢN ĐẾN",
        }
    }

    fn columns(self) -> &'static [&'static str] {
        match self {
            Book::Incoming => &[
                "Ngày đến",
                "Số đến",
                "Tác giả",
                "Số, ký hiệu",
                "Ngày tháng văn bản",
                "Tên loại và trích yếu nội dung",
                "Đơn vị hoặc người nhận",
                "Ngày chuyển",
                "Ký nhận",
                "Ghi chú",
            ],
            Book::Outgoing => &[
                "Số, ký hiệu",
                "Ngày tháng văn bản",
                "Tên loại và trích yếu nội dung",
                "Người ký",
                "Nơi nhận",
                "Đơn vị, người nhận bản lưu",
                "Số lượng bản",
                "Ngày chuyển",
                "Ký nhận",
                "Ghi chú",
            ],
            Book::FollowUp => &[
                "Số đến",
                "Tên loại, số, ký hiệu, ngày tháng văn bản, cơ quan ban hành",
                "Đơn vị hoặc người nhận",
                "Thời hạn giải quyết",
                "Tiến độ giải quyết",
                "Số, ký hiệu văn bản trả lời",
                "Ghi chú",
            ],
        }
    }
}

/// A register for one year: header values and rows of cells.
pub struct Register {
    /// Which book.
    pub book: Book,
    /// Year.
    pub year: i32,
    /// Secret series?
    pub secret: bool,
    /// Header: first and last register date, first and last number.
    pub header: (String, String, String, String),
    /// Rows.
    pub rows: Vec<Vec<String>>,
}

fn d(x: chrono::NaiveDate) -> String {
    x.format("%d/%m/%Y").to_string()
}

/// Build a register.
pub async fn build(reg: &Registry, book: Book, year: i32, secret: bool) -> Result<Register> {
    let units: HashMap<i32, String> = units::Entity::find()
        .all(&reg.db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect();
    let direction = if book == Book::Outgoing {
        "outgoing"
    } else {
        "incoming"
    };
    let mut q = documents::Entity::find()
        .filter(documents::Column::Direction.eq(direction))
        .filter(documents::Column::Year.eq(year))
        .filter(documents::Column::Series.eq(if secret { "secret" } else { "normal" }));
    if book == Book::FollowUp {
        q = q.filter(documents::Column::DueOn.is_not_null());
    }
    let docs = q
        .order_by_asc(documents::Column::RegisterNumber)
        .all(&reg.db)
        .await?;
    if docs.len() > 200_000 {
        return Err(Error::invalid(
            "too_many",
            "year",
            "the register is too large to print at once",
        ));
    }
    let rows: Vec<Vec<String>> = docs.iter().map(|m| row(book, &units, m)).collect();
    let first = docs.first();
    let last = docs.last();
    Ok(Register {
        book,
        year,
        secret,
        header: (
            first.map(|m| d(m.register_date)).unwrap_or_default(),
            last.map(|m| d(m.register_date)).unwrap_or_default(),
            first
                .map(|m| format!("{:02}", m.register_number))
                .unwrap_or_default(),
            last.map(|m| format!("{:02}", m.register_number))
                .unwrap_or_default(),
        ),
        rows,
    })
}

/// The unit (and handler) column of `m`, from the unit names `units`.
fn unit_of(units: &HashMap<i32, String>, m: &documents::Model) -> String {
    let u = m
        .unit_id
        .and_then(|i| units.get(&i).cloned())
        .unwrap_or_default();
    match &m.handler {
        Some(h) if u.is_empty() => h.clone(),
        Some(h) => format!("{u} – {h}"),
        None => u,
    }
}

/// The notes column of `m`: recalled, electronic, then the clerk's notes.
fn note(m: &documents::Model) -> String {
    let mut n = Vec::new();
    if m.status == "recalled" {
        n.push(format!(
            "Đã thu hồi: {}",
            m.recall_reason.clone().unwrap_or_default()
        ));
    }
    if m.channel == "electronic" {
        n.push("Văn bản điện tử".into());
    }
    if let Some(x) = &m.notes {
        n.push(x.clone());
    }
    n.join("; ")
}

/// The row of `book` for `m`.
fn row(book: Book, units: &HashMap<i32, String>, m: &documents::Model) -> Vec<String> {
    let kind_subject = format!("{} {}", m.doc_type, m.subject);
    match book {
        Book::Incoming => vec![
            m.received_on.map(d).unwrap_or_default(),
            format!("{:02}", m.register_number),
            m.issuer.clone(),
            m.number_symbol.clone().unwrap_or_default(),
            d(m.issued_on),
            kind_subject,
            unit_of(units, m),
            String::new(),
            String::new(),
            note(m),
        ],
        Book::Outgoing => vec![
            m.number_symbol.clone().unwrap_or_default(),
            d(m.issued_on),
            kind_subject,
            m.signer_name.clone().unwrap_or_default(),
            serde_json::from_str::<Vec<String>>(&m.recipients)
                .unwrap_or_default()
                .join("; "),
            unit_of(units, m),
            m.copies.map(|c| c.to_string()).unwrap_or_default(),
            String::new(),
            String::new(),
            note(m),
        ],
        Book::FollowUp => vec![
            format!("{:02}", m.register_number),
            format!(
                "{} {} ngày {} của {}",
                m.doc_type,
                m.number_symbol.clone().unwrap_or_default(),
                d(m.issued_on),
                m.issuer
            ),
            unit_of(units, m),
            m.due_on.map(d).unwrap_or_default(),
            match (&m.status[..], m.resolved_on) {
                ("done", Some(r)) => format!("Đã giải quyết ngày {}", d(r)),
                (_, _) => m
                    .progress
                    .clone()
                    .unwrap_or_else(|| "Đang giải quyết".into()),
            },
            m.reply_number_symbol.clone().unwrap_or_default(),
            note(m),
        ],
    }
}

/// CSV: the header block, then the columns and rows.
pub fn csv(r: &Register) -> String {
    let line = |cells: &[&str]| {
        let cells: Vec<String> = cells.iter().map(|c| csv_field(c)).collect();
        format!("{}\n", cells.join(","))
    };
    let year = r.year.to_string();
    let mut out = String::new();
    out.push_str(&line(&[r.book.title()]));
    out.push_str(&line(&["Năm", &year]));
    out.push_str(&line(&["Từ ngày", &r.header.0, "đến ngày", &r.header.1]));
    out.push_str(&line(&["Từ số", &r.header.2, "đến số", &r.header.3]));
    out.push_str(&line(&[
        "Quyển số",
        if r.secret { "02 (mật)" } else { "01" },
    ]));
    out.push_str(
        &r.book
            .columns()
            .iter()
            .map(|c| csv_field(c))
            .collect::<Vec<_>>()
            .join(","),
    );
    out.push('\n');
    for row in &r.rows {
        out.push_str(
            &row.iter()
                .map(|c| csv_field(c))
                .collect::<Vec<_>>()
                .join(","),
        );
        out.push('\n');
    }
    out
}

/// HTML text escaping.
pub fn h(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// Print-ready HTML (A4 landscape), every value escaped.
pub fn html(r: &Register, agency: &str) -> String {
    let mut x = String::new();
    x.push_str("<!DOCTYPE html>\n<html lang=\"vi\"><head><meta charset=\"utf-8\">");
    x.push_str(&format!("<title>{} {}</title>", h(r.book.title()), r.year));
    x.push_str("<style>@page{size:A4 landscape;margin:12mm}body{font-family:'Times New Roman',serif;font-size:11pt}h1{text-align:center;font-size:15pt;margin:4mm 0}.hd{text-align:center;margin-bottom:4mm}table{width:100%;border-collapse:collapse}th,td{border:1px solid #000;padding:2px 4px;vertical-align:top}th{font-weight:bold;text-align:center}thead{display:table-header-group}tr{page-break-inside:avoid}</style>");
    x.push_str("</head><body>\n");
    x.push_str(&format!(
        "<div class=\"hd\"><strong>{}</strong></div>\n",
        h(agency)
    ));
    x.push_str(&format!("<h1>{}</h1>\n", h(r.book.title())));
    x.push_str(&format!(
        "<div class=\"hd\">Năm: {}<br>Từ ngày {} đến ngày {}<br>Từ số {} đến số {}<br>Quyển số: {}</div>\n",
        r.year,
        h(&r.header.0),
        h(&r.header.1),
        h(&r.header.2),
        h(&r.header.3),
        if r.secret { "02 (mật)" } else { "01" }
    ));
    x.push_str("<table><thead><tr>");
    for c in r.book.columns() {
        x.push_str(&format!("<th>{}</th>", h(c)));
    }
    x.push_str("</tr><tr>");
    for i in 1..=r.book.columns().len() {
        x.push_str(&format!("<th>{i}</th>"));
    }
    x.push_str("</tr></thead><tbody>\n");
    for row in &r.rows {
        x.push_str("<tr>");
        for c in row {
            x.push_str(&format!("<td>{}</td>", h(c)));
        }
        x.push_str("</tr>\n");
    }
    x.push_str("</tbody></table></body></html>\n");
    x
}
