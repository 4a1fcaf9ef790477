//! The public dashboard: one server-rendered HTML page (no script) with the
//! year's document flow per month and unit, the plan's rates, and the
//! latest public log events. It reads only [`super::stats`] (secret
//! documents as counts) and the log's entries (the public projection), and
//! escapes every value.

use std::collections::BTreeMap;

use super::feed::{Item, xml_escape as esc};
use super::stats::{Figures, Group, add, rate};

/// Recompute the rates of summed figures.
fn finish(mut f: Figures) -> Figures {
    f.e_signature_rate = rate(f.signed_valid, f.electronic);
    f.electronic_exchange_rate = rate(f.with_state_agencies_electronic, f.with_state_agencies);
    f.on_time_rate = rate(f.on_time, f.with_deadline);
    f
}

fn pct(r: Option<f64>) -> String {
    r.map(|x| format!("{:.1}%", x * 100.0))
        .unwrap_or_else(|| "–".into())
}

fn row(label: &str, f: &Figures) -> String {
    format!(
        "<tr><th scope=\"row\">{}</th><td>{}</td><td>{}</td><td>{}</td><td>{}</td>\
         <td>{}</td><td>{}</td><td>{}</td></tr>\n",
        esc(label),
        f.total,
        f.secret,
        f.electronic,
        f.paper,
        pct(f.e_signature_rate),
        pct(f.electronic_exchange_rate),
        pct(f.on_time_rate)
    )
}

const HEAD: &str = "<thead><tr><th scope=\"col\"></th><th scope=\"col\">Tổng số</th>\
    <th scope=\"col\">Mật (chỉ đếm)</th><th scope=\"col\">Điện tử</th><th scope=\"col\">Giấy</th>\
    <th scope=\"col\">Ký số hợp lệ</th><th scope=\"col\">Liên thông điện tử</th>\
    <th scope=\"col\">Đúng hạn</th></tr></thead>\n";

fn event_label(e: &str) -> &'static str {
    match e {
        "registered" => "Đăng ký",
        "handling_changed" => "Cập nhật xử lý",
        "verification_changed" => "Kiểm tra lại chữ ký",
        "recalled" => "Thu hồi",
        "withdrawn" => "Rút khỏi công khai",
        _ => "Sự kiện khác",
    }
}

/// The page for register year `year`.
pub fn render(
    agency: &str,
    year: i32,
    groups: &[Group],
    total: &Figures,
    latest: &[Item],
    log_size: u64,
) -> String {
    let mut by_month: BTreeMap<&str, Figures> = BTreeMap::new();
    let mut by_unit: BTreeMap<&str, Figures> = BTreeMap::new();
    let mut by_direction: BTreeMap<&str, Figures> = BTreeMap::new();
    for g in groups {
        add(by_month.entry(g.month.as_str()).or_default(), &g.figures);
        add(
            by_unit.entry(g.unit.as_deref().unwrap_or("–")).or_default(),
            &g.figures,
        );
        add(
            by_direction.entry(g.direction.as_str()).or_default(),
            &g.figures,
        );
    }
    let table = |caption: &str, rows: BTreeMap<&str, Figures>, label: &dyn Fn(&str) -> String| {
        let mut t = format!(
            "<table><caption>{}</caption>\n{HEAD}<tbody>\n",
            esc(caption)
        );
        for (k, f) in rows {
            t.push_str(&row(&label(k), &finish(f)));
        }
        t.push_str("</tbody></table>\n");
        t
    };
    let mut events = String::new();
    for it in latest {
        let e = &it.entry;
        let d = &e["document"];
        let s = |v: &serde_json::Value| esc(v.as_str().unwrap_or(""));
        events.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
            it.idx,
            esc(&it.at.format("%Y-%m-%d %H:%M UTC").to_string()),
            if e["withdrawn"] == true {
                "Rút khỏi công khai".to_string()
            } else {
                esc(event_label(e["event"].as_str().unwrap_or("")))
            },
            match d["direction"].as_str() {
                Some("incoming") => "Đến",
                Some("outgoing") => "Đi",
                _ => "",
            },
            s(&d["number_symbol"]),
            s(&d["doc_type"]),
            s(&d["subject"]),
            s(&d["issuer"]),
        ));
    }
    let direction = |k: &str| {
        match k {
            "incoming" => "Văn bản đến",
            "outgoing" => "Văn bản đi",
            other => other,
        }
        .to_string()
    };
    format!(
        "<!DOCTYPE html>\n<html lang=\"vi\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Công khai văn bản {year} — {agency}</title>\
         <style>body{{font-family:system-ui,sans-serif;margin:1.5rem;max-width:75rem}}\
         table{{border-collapse:collapse;margin:1rem 0;width:100%}}\
         th,td{{border:1px solid #bbb;padding:.25rem .5rem;text-align:left}}\
         td{{font-variant-numeric:tabular-nums}}caption{{text-align:left;font-weight:600}}</style>\
         </head><body>\n<h1>{agency}: công khai văn bản đến và đi năm {year}</h1>\n\
         <p>Số liệu theo ngày vào sổ (giờ Việt Nam). Văn bản mật chỉ được đếm, không công bố nội dung. \
         Nhật ký minh bạch có {log_size} mục; kiểm chứng tại <a href=\"/log/checkpoint\">/log/checkpoint</a>, \
         theo dõi qua <a href=\"/public/v1/feed.atom\">Atom</a> hoặc <a href=\"/public/v1/feed.json\">JSON Feed</a>.</p>\n\
         {}{}{}{}\
         <h2>Sự kiện mới nhất</h2>\n<table><thead><tr><th scope=\"col\">#</th><th scope=\"col\">Thời điểm</th>\
         <th scope=\"col\">Sự kiện</th><th scope=\"col\">Đến/Đi</th><th scope=\"col\">Số, ký hiệu</th>\
         <th scope=\"col\">Loại</th><th scope=\"col\">Trích yếu</th><th scope=\"col\">Cơ quan ban hành</th></tr></thead>\n\
         <tbody>\n{events}</tbody></table>\n</body></html>\n",
        table(
            "Cả năm",
            BTreeMap::from([("all", total.clone())]),
            &|_| format!("Năm {year}")
        ),
        table("Theo chiều", by_direction, &direction),
        table("Theo tháng", by_month, &|k| k.to_string()),
        table("Theo đơn vị", by_unit, &|k| k.to_string()),
        agency = esc(agency),
    )
}
