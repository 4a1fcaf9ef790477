//! The figures as exports: spreadsheets, printable registers and evidence
//! files carrying the same numbers.

use serde_json::{Value, json};

use crate::both;
use crate::harness::{TestApp, incoming_paper, metric};

use super::reg;

both!(exports_carry_the_same_numbers, |app: TestApp| async move {
    // A number/symbol a spreadsheet would run as a formula.
    let mut m = incoming_paper("giấy");
    m["number_symbol"] = json!("=HYPERLINK(\"x\")");
    reg(&app, "/api/v1/documents/incoming", m, None).await;
    let j = app.compliance("from=2025-01-01&to=2025-06-15").await;
    let dig = metric(&j, "digitisation", "all");
    // CSV, read back.
    let csv = app
        .http
        .get(app.url("/api/v1/compliance/export?format=csv&from=2025-01-01&to=2025-06-15"))
        .bearer_auth(&app.auditor)
        .send()
        .await
        .expect("csv");
    assert_eq!(csv.status().as_u16(), 200);
    let text = csv.text().await.expect("text");
    let row = text
        .lines()
        .find(|l| l.starts_with("\"digitisation\""))
        .expect("digitisation row");
    let cols: Vec<&str> = row.split(',').collect();
    assert_eq!(
        (cols[2], cols[3]),
        (
            dig["numerator"].to_string().as_str(),
            dig["denominator"].to_string().as_str()
        )
    );
    let ev = app
        .http
        .get(app.url(
            "/api/v1/compliance/export?format=csv&kind=evidence&from=2025-01-01&to=2025-06-15",
        ))
        .bearer_auth(&app.auditor)
        .send()
        .await
        .expect("csv")
        .text()
        .await
        .expect("text");
    assert!(
        ev.contains("\"'=HYPERLINK(\"\"x\"\")\""),
        "formula neutralised: {ev}"
    );
    // XLSX, read back.
    let x = app
        .http
        .get(app.url("/api/v1/compliance/export?format=xlsx&from=2025-01-01&to=2025-06-15"))
        .bearer_auth(&app.auditor)
        .send()
        .await
        .expect("xlsx");
    assert_eq!(x.status().as_u16(), 200);
    let bytes = x.bytes().await.expect("bytes").to_vec();
    use calamine::Reader;
    let mut wb: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).expect("workbook opens");
    let sheet = wb.worksheet_range("metrics").expect("metrics sheet");
    let found = sheet
        .rows()
        .find(|r| r.first().map(|c| c.to_string()) == Some("digitisation".into()))
        .expect("row");
    assert_eq!(found[2].to_string(), dig["numerator"].to_string());
    assert_eq!(found[3].to_string(), dig["denominator"].to_string());
    let evs = wb.worksheet_range("evidence").expect("evidence sheet");
    assert!(
        evs.rows()
            .any(|r| r.get(4).map(|c| c.to_string()) == Some("=HYPERLINK(\"x\")".into())),
        "stored as text, not a formula"
    );
    let (s, _) = app
        .get("/api/v1/compliance/export?format=pdf", &app.auditor)
        .await;
    assert_eq!(s, 422);
});

both!(printable_registers, |app: TestApp| async move {
    let mut a = incoming_paper("<script>alert(1)</script> & báo cáo");
    a["due_on"] = json!("2025-06-20");
    reg(&app, "/api/v1/documents/incoming", a, None).await;
    let mut s = incoming_paper("mật");
    s["secrecy"] = json!("mat");
    s["issuer"] = json!("Cơ quan mật");
    reg(&app, "/api/v1/documents/incoming", s, None).await;
    reg(&app, "/api/v1/documents/outgoing", json!({"doc_type": "TB", "subject": "Thông báo", "signer_name": "Nguyễn Văn An", "recipients": ["Sở A", "Sở B"], "copies": 3, "channel": "paper"}), None).await;

    let csv = app
        .get_text(
            "/api/v1/registers/incoming?year=2025&format=csv",
            &app.clerk,
        )
        .await;
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "\"SỔ ĐĂNG KÝ VĂN BẢN ĐẾN\"");
    assert!(lines.iter().any(|l| l.starts_with("\"Quyển số\"")));
    let header = lines
        .iter()
        .find(|l| l.starts_with("\"Ngày đến\""))
        .expect("columns");
    assert_eq!(header.split("\",\"").count(), 10, "{header}");
    assert!(csv.contains("\"01\""), "số đến 01");
    assert!(
        !csv.contains("Cơ quan mật"),
        "secret documents are in their own book"
    );
    let secret = app
        .get_text(
            "/api/v1/registers/incoming?year=2025&format=csv&series=secret",
            &app.auditor,
        )
        .await;
    assert!(secret.contains("Cơ quan mật") && secret.contains("02 (mật)"));
    let html = app
        .get_text("/api/v1/registers/incoming?year=2025", &app.clerk)
        .await;
    assert!(html.contains("size:A4 landscape") && html.contains("Tên loại và trích yếu nội dung"));
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; báo cáo")
            && !html.contains("<script>"),
        "escaped"
    );
    let out = app
        .get_text(
            "/api/v1/registers/outgoing?year=2025&format=csv",
            &app.clerk,
        )
        .await;
    assert!(
        out.contains("\"01/TB-SNV\"") && out.contains("\"Sở A; Sở B\"") && out.contains("\"3\"")
    );
    let fu = app
        .get_text(
            "/api/v1/registers/followup?year=2025&format=csv",
            &app.clerk,
        )
        .await;
    assert!(fu.contains("20/06/2025"), "the deadline column: {fu}");
    let (s, _) = app.get("/api/v1/registers/nope", &app.clerk).await;
    assert_eq!(s, 404);
});

// One evidence export at a time: while one is being prepared another is
// refused with 429 and Retry-After, the figures-only CSV still answers,
// and a bad format is refused before any work.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn evidence_exports_run_one_at_a_time() {
    let app = TestApp::start(crate::harness::Backend::Sqlite)
        .await
        .expect("sqlite");
    reg(
        &app,
        "/api/v1/documents/incoming",
        incoming_paper("xuất"),
        None,
    )
    .await;
    let get = |q: &'static str| {
        let app = &app;
        async move {
            app.http
                .get(app.url(&format!("/api/v1/compliance/export?{q}")))
                .bearer_auth(&app.auditor)
                .send()
                .await
                .expect("export")
        }
    };
    let held = app.exports.try_acquire().expect("no export running");
    for q in ["format=xlsx", "format=csv&kind=evidence"] {
        let r = get(q).await;
        assert_eq!(r.status().as_u16(), 429, "{q}");
        assert_eq!(
            r.headers().get("retry-after").and_then(|v| v.to_str().ok()),
            Some("60")
        );
        let body: Value = r.json().await.expect("json");
        assert_eq!(body["error"]["code"], "export_busy", "{body}");
    }
    let r = get("format=csv").await;
    assert_eq!(r.status().as_u16(), 200);
    assert!(r.text().await.expect("csv").contains("digitisation"));
    let r = get("format=pdf").await;
    assert_eq!(r.status().as_u16(), 422);
    drop(held);
    let r = get("format=csv&kind=evidence").await;
    assert_eq!(r.status().as_u16(), 200);
    assert!(
        r.text()
            .await
            .expect("csv")
            .contains("paper document without a scan")
    );
}
