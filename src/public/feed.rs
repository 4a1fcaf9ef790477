//! Feeds of the public log, newest first: Atom (RFC 4287) and JSON Feed 1.1.
//! Entry ids are stable (the log index); every text is escaped.

use chrono::{DateTime, SecondsFormat, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection};
use serde_json::{Value, json};

use crate::registry::error::Result;
use crate::registry::sql::stmt;

/// Entries per page.
pub const PAGE: i64 = 50;

/// One feed item.
#[derive(Debug, Clone)]
pub struct Item {
    /// Log index.
    pub idx: i64,
    /// The entry (log event JSON).
    pub entry: Value,
    /// When it was sequenced.
    pub at: DateTime<Utc>,
}

/// A page of items, newest first, before log index `before` (exclusive).
/// Entries of a document taken out of public view since (its secrecy was
/// raised) are shown without their content: only the event, the index and
/// the document id remain, with `"withdrawn": true`.
pub async fn page(db: &DatabaseConnection, before: Option<i64>) -> Result<Vec<Item>> {
    let rows = db
        .query_all_raw(stmt(
            db.get_database_backend(),
            "SELECT e.idx, e.data, e.sequenced_at, e.document_id, d.secrecy, d.is_public \
             FROM tlog_entries e LEFT JOIN documents d ON d.id = e.document_id \
             WHERE e.idx < ? ORDER BY e.idx DESC LIMIT ?",
            vec![before.unwrap_or(i64::MAX).into(), PAGE.into()],
        ))
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let data: String = r.try_get("", "data")?;
        let mut entry: Value = serde_json::from_str(&data).unwrap_or(Value::Null);
        let secrecy: Option<String> = r.try_get("", "secrecy")?;
        let is_public: Option<bool> = r.try_get("", "is_public")?;
        let withdrawn = secrecy.is_some_and(|s| s != "none") || is_public == Some(false);
        if withdrawn {
            let doc: Option<i32> = r.try_get("", "document_id")?;
            entry = json!({
                "document": {"id": doc},
                "event": entry["event"],
                "time": entry["time"],
                "withdrawn": true,
            });
        }
        out.push(Item {
            idx: r.try_get("", "idx")?,
            entry,
            at: r.try_get("", "sequenced_at")?,
        });
    }
    Ok(out)
}

/// XML text escaping.
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 does not allow.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

fn title(e: &Value) -> String {
    let d = &e["document"];
    if e["withdrawn"] == true || e["event"] == "withdrawn" {
        return format!(
            "Văn bản số {} đã được rút khỏi công khai",
            d["id"].as_i64().unwrap_or(0)
        );
    }
    let event = match e["event"].as_str() {
        Some("registered") => "Đăng ký",
        Some("handling_changed") => "Cập nhật xử lý",
        Some("verification_changed") => "Kiểm tra lại chữ ký",
        Some("recalled") => "Thu hồi",
        _ => "Sự kiện",
    };
    let num = d["number_symbol"].as_str().unwrap_or("");
    format!(
        "{event}: {} {num} — {}",
        d["doc_type"].as_str().unwrap_or(""),
        d["subject"].as_str().unwrap_or("")
    )
    .replace("  ", " ")
}

fn summary(e: &Value) -> String {
    let d = &e["document"];
    if e["withdrawn"] == true || e["event"] == "withdrawn" {
        return "Nội dung không còn được công khai (văn bản đã được xác định là văn bản mật)."
            .into();
    }
    format!(
        "{} · {} · {} · ngày {} · chữ ký: {} · xử lý: {}",
        if d["direction"] == "incoming" {
            "Văn bản đến"
        } else {
            "Văn bản đi"
        },
        d["issuer"].as_str().unwrap_or(""),
        if d["channel"] == "electronic" {
            "điện tử"
        } else {
            "giấy"
        },
        d["date"].as_str().unwrap_or(""),
        d["signatures"]["status"].as_str().unwrap_or("không có"),
        d["handling"].as_str().unwrap_or("")
    )
}

/// The Atom document for `items` (`base` is the site's URL).
pub fn atom(items: &[Item], base: &str, origin: &str, agency: &str, next: Option<i64>) -> String {
    let updated = items.first().map(|i| i.at).unwrap_or(DateTime::UNIX_EPOCH);
    let t = |d: DateTime<Utc>| d.to_rfc3339_opts(SecondsFormat::Secs, true);
    let mut x = String::new();
    x.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
    x.push_str(&format!("  <id>urn:vanthu:{}</id>\n", xml_escape(origin)));
    x.push_str(&format!(
        "  <title>{}</title>\n",
        xml_escape(&format!("Văn bản đi và đến — {agency}"))
    ));
    x.push_str(&format!("  <updated>{}</updated>\n", t(updated)));
    x.push_str(&format!(
        "  <author><name>{}</name></author>\n",
        xml_escape(agency)
    ));
    x.push_str(&format!(
        "  <link rel=\"self\" href=\"{}\"/>\n",
        xml_escape(&format!("{base}/public/v1/feed.atom"))
    ));
    if let Some(n) = next {
        x.push_str(&format!(
            "  <link rel=\"next\" href=\"{}\"/>\n",
            xml_escape(&format!("{base}/public/v1/feed.atom?before={n}"))
        ));
    }
    for i in items {
        let id = i.entry["document"]["id"].as_i64().unwrap_or(0);
        x.push_str("  <entry>\n");
        x.push_str(&format!(
            "    <id>urn:vanthu:{}:entry:{}</id>\n",
            xml_escape(origin),
            i.idx
        ));
        x.push_str(&format!(
            "    <title>{}</title>\n",
            xml_escape(&title(&i.entry))
        ));
        x.push_str(&format!("    <updated>{}</updated>\n", t(i.at)));
        x.push_str(&format!(
            "    <link href=\"{}\"/>\n",
            xml_escape(&format!("{base}/public/v1/documents/{id}"))
        ));
        x.push_str(&format!(
            "    <summary>{}</summary>\n",
            xml_escape(&summary(&i.entry))
        ));
        x.push_str("  </entry>\n");
    }
    x.push_str("</feed>\n");
    x
}

/// The JSON Feed 1.1 document for `items`.
pub fn json_feed(
    items: &[Item],
    base: &str,
    origin: &str,
    agency: &str,
    next: Option<i64>,
) -> Value {
    let mut feed = json!({
        "version": "https://jsonfeed.org/version/1.1",
        "title": format!("Văn bản đi và đến — {agency}"),
        "home_page_url": format!("{base}/public/v1/documents"),
        "feed_url": format!("{base}/public/v1/feed.json"),
        "language": "vi",
        "authors": [{"name": agency}],
        "items": items.iter().map(|i| {
            let id = i.entry["document"]["id"].as_i64().unwrap_or(0);
            json!({
                "id": format!("urn:vanthu:{origin}:entry:{}", i.idx),
                "url": format!("{base}/public/v1/documents/{id}"),
                "title": title(&i.entry),
                "content_text": summary(&i.entry),
                "date_published": i.at.to_rfc3339_opts(SecondsFormat::Secs, true),
                "_vanthu": i.entry,
            })
        }).collect::<Vec<_>>(),
    });
    if let Some(n) = next {
        feed["next_url"] = json!(format!("{base}/public/v1/feed.json?before={n}"));
    }
    feed
}

impl super::log::Log {
    /// One page of the public feed, newest first (before log index `before`).
    pub async fn feed(&self, before: Option<i64>) -> Result<Vec<Item>> {
        page(self.db(), before).await
    }
}
