//! The careless clerk and the hostile visitor: publication hold and
//! secrecy raised later (withdrawn from public view), public search over
//! public fields only, text that deceives, state that goes backwards,
//! stale writes, and the smaller defects of the hostile-input issue.

use std::time::Duration;

use serde_json::{Value, json};

use crate::both;
use crate::harness::{Backend, TestApp, incoming_paper};

/// An app with a 15-minute publication hold (the production default).
async fn held(backend: Backend) -> Option<TestApp> {
    TestApp::start_with(
        backend,
        |c| c.publication_hold = Duration::from_secs(900),
        |_| {},
    )
    .await
}

fn at(app: &TestApp) -> chrono::DateTime<chrono::Utc> {
    app.registry.clock.now()
}

async fn public_total(app: &TestApp, q: &str) -> u64 {
    let (s, p) = app.get(&format!("/public/v1/documents?{q}"), "").await;
    assert_eq!(s, 200, "{p}");
    p["total"].as_u64().expect("total")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_is_public_before_the_hold_ends() {
    let app = held(Backend::Sqlite).await.expect("app");
    let (s, d) = app
        .post_json(
            "/api/v1/documents/incoming",
            &incoming_paper("Kế hoạch giữ chờ công khai"),
        )
        .await;
    assert_eq!(s, 201, "{d}");
    let id = d["id"].as_i64().expect("id");
    assert_eq!(app.log.integrate(at(&app)).await.expect("integrate"), 0);
    assert_eq!(public_total(&app, "q=giu+cho").await, 0);
    let (s, _) = app.get(&format!("/public/v1/documents/{id}"), "").await;
    assert_eq!(s, 404, "not public during the hold");
    // Sixteen minutes later it is.
    app.set_now("2025-06-15T03:16:00Z");
    assert_eq!(app.log.integrate(at(&app)).await.expect("integrate"), 1);
    assert_eq!(public_total(&app, "q=giu+cho").await, 1);
    let (s, _) = app.get(&format!("/public/v1/documents/{id}"), "").await;
    assert_eq!(s, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_secrecy_corrected_during_the_hold_is_never_published() {
    let app = held(Backend::Sqlite).await.expect("app");
    let mut m = incoming_paper("Phương án bảo vệ mục tiêu KX9");
    m["number_symbol"] = json!("88/PA-CA");
    let (s, d) = app.post_json("/api/v1/documents/incoming", &m).await;
    assert_eq!(s, 201, "{d}");
    let id = d["id"].as_i64().expect("id");
    let (s, d) = app
        .post_json(
            &format!("/api/v1/documents/{id}/secrecy"),
            &json!({"secrecy": "mat", "reason": "Văn bản mật, đăng ký nhầm"}),
        )
        .await;
    assert_eq!((s, d["secrecy"].as_str()), (200, Some("mat")), "{d}");
    app.set_now("2025-06-15T04:00:00Z");
    assert_eq!(app.log.integrate(at(&app)).await.expect("integrate"), 0);
    assert_eq!(public_total(&app, "q=kx9").await, 0);
    let (_, feed) = app.get("/public/v1/feed.json", "").await;
    assert!(!feed.to_string().contains("KX9"), "{feed}");
    let (_, h) = app
        .get(&format!("/api/v1/documents/{id}/history"), &app.auditor)
        .await;
    assert!(
        h.as_array()
            .expect("history")
            .iter()
            .any(|e| e["action"] == "secrecy_raised"),
        "{h}"
    );
}

both!(
    a_published_document_raised_to_secret_is_withdrawn,
    |app: TestApp| async move {
        let mut m = incoming_paper("Danh sách cán bộ diện QH7");
        m["number_symbol"] = json!("41/DS-UBND");
        let (s, d) = app.post_json("/api/v1/documents/incoming", &m).await;
        assert_eq!(s, 201, "{d}");
        let id = d["id"].as_i64().expect("id");
        assert_eq!(app.log.integrate(at(&app)).await.expect("integrate"), 1);
        assert_eq!(public_total(&app, "q=qh7").await, 1);
        // Lowering is not a correction.
        let (s, e) = app
            .post_json(
                &format!("/api/v1/documents/{id}/secrecy"),
                &json!({"secrecy": "none", "reason": "thử"}),
            )
            .await;
        assert_eq!((s, e["error"]["code"].as_str()), (422, Some("not_raised")));
        let (s, e) = app
            .post_json(
                &format!("/api/v1/documents/{id}/secrecy"),
                &json!({"secrecy": "toi_mat"}),
            )
            .await;
        assert_eq!((s, e["error"]["field"].as_str()), (422, Some("reason")));
        let (s, d) = app
            .post_json(
                &format!("/api/v1/documents/{id}/secrecy"),
                &json!({"secrecy": "toi_mat", "reason": "Xác định lại độ mật theo chỉ đạo"}),
            )
            .await;
        assert_eq!((s, d["is_public"].as_bool()), (200, Some(false)), "{d}");
        // A content-free withdrawal entry is appended; pages stop showing it.
        assert_eq!(app.log.integrate(at(&app)).await.expect("integrate"), 2);
        assert_eq!(public_total(&app, "q=qh7").await, 0);
        let (s, _) = app.get(&format!("/public/v1/documents/{id}"), "").await;
        assert_eq!(s, 404);
        let (_, p) = app
            .get("/public/v1/lookup?number_symbol=41%2FDS-UBND", "")
            .await;
        assert_eq!(p["items"].as_array().map(Vec::len), Some(0));
        let (_, feed) = app.get("/public/v1/feed.json", "").await;
        let text = feed.to_string();
        assert!(!text.contains("QH7") && !text.contains("41/DS"), "{text}");
        assert!(text.contains("rút khỏi công khai"), "{text}");
        let r = app
            .http
            .get(app.url("/public/dashboard"))
            .send()
            .await
            .expect("dashboard");
        let html = r.text().await.expect("text");
        assert!(!html.contains("QH7"), "the dashboard shows it no more");
        // The log itself stays append-only: the withdrawal is entry 1, and
        // its bundle still holds what was published (documented).
        let b = app
            .http
            .get(app.url("/log/tile/entries/000.p/2"))
            .send()
            .await
            .expect("bundle")
            .bytes()
            .await
            .expect("bytes");
        let entries = vanthu::tlog::tiles::parse_bundle(&b).expect("bundle parses");
        let last: Value = serde_json::from_slice(&entries[1]).expect("json");
        assert_eq!(last["event"], "withdrawn");
        assert_eq!(last["document"], json!({"id": id}));
        // Counted as secret from now on.
        let (_, st) = app.get("/public/v1/stats?year=2025", "").await;
        assert!(!st.to_string().contains("QH7"));
    }
);

both!(
    public_search_sees_only_public_fields_and_follows_changes,
    |app: TestApp| async move {
        let mut m = incoming_paper("Báo cáo tổng kết năm");
        m["handler"] = json!("Trần Thị Hoa Mai");
        m["notes"] = json!("xem kỹ phụ lục ZETA");
        m["signer_name"] = json!("Phạm Quốc Khánh");
        let (s, d) = app.post_json("/api/v1/documents/incoming", &m).await;
        assert_eq!(s, 201, "{d}");
        let id = d["id"].as_i64().expect("id");
        app.log.integrate(at(&app)).await.expect("integrate");
        assert_eq!(public_total(&app, "q=tong+ket").await, 1);
        for hidden in ["hoa+mai", "zeta", "quoc+khanh"] {
            assert_eq!(
                public_total(&app, &format!("q={hidden}")).await,
                0,
                "{hidden}"
            );
            let (_, p) = app
                .get(&format!("/api/v1/documents?q={hidden}"), &app.clerk)
                .await;
            assert_eq!(p["total"], 1, "staff find it by {hidden}");
        }
        // A new handler: the former one is findable no more.
        let (s, d) = app
            .patch_json(
                &format!("/api/v1/documents/{id}/handling"),
                &json!({"handler": "Lê Văn Bình"}),
            )
            .await;
        assert_eq!(s, 200, "{d}");
        let (_, p) = app.get("/api/v1/documents?q=hoa+mai", &app.clerk).await;
        assert_eq!(p["total"], 0, "{p}");
        let (_, p) = app.get("/api/v1/documents?q=le+van+binh", &app.clerk).await;
        assert_eq!(p["total"], 1, "{p}");
    }
);

both!(text_that_deceives_is_refused, |app: TestApp| async move {
    let mut m = incoming_paper("Quyết định phê duyệt");
    m["number_symbol"] = json!("125/QĐ-UBND");
    let (s, d) = app.post_json("/api/v1/documents/incoming", &m).await;
    assert_eq!(s, 201, "{d}");
    // The same number with a hidden zero-width space is not a new number.
    m["number_symbol"] = json!("125/QĐ-UBND\u{200B}");
    let (s, e) = app.post_json("/api/v1/documents/incoming", &m).await;
    assert_eq!(
        (s, e["error"]["field"].as_str()),
        (422, Some("number_symbol")),
        "{e}"
    );
    // A right-to-left override would make the dashboard show another number.
    m["number_symbol"] = json!("\u{202E}521/QĐ-UBND");
    let (s, e) = app.post_json("/api/v1/documents/incoming", &m).await;
    assert_eq!(
        (s, e["error"]["field"].as_str()),
        (422, Some("number_symbol")),
        "{e}"
    );
    let mut m = incoming_paper("Kế hoạch \u{202E}năm");
    let (s, e) = app.post_json("/api/v1/documents/incoming", &m).await;
    assert_eq!(
        (s, e["error"]["field"].as_str()),
        (422, Some("subject")),
        "{e}"
    );
    // A subject of combining marks only shows nothing: it is not given.
    m["subject"] = json!("\u{0301}\u{0323}\u{0309}");
    let (s, e) = app.post_json("/api/v1/documents/incoming", &m).await;
    assert_eq!(
        (s, e["error"]["field"].as_str()),
        (422, Some("subject")),
        "{e}"
    );
    // In free text a zero-width space is dropped, decomposed text composed.
    m["subject"] = json!("Ke\u{0302}\u{0301} hoa\u{0323}ch\u{200B} mới");
    let (s, d) = app.post_json("/api/v1/documents/incoming", &m).await;
    assert_eq!(
        (s, d["subject"].as_str()),
        (201, Some("Kế hoạch mới")),
        "{d}"
    );
});

both!(
    resolved_documents_do_not_go_back_silently,
    |app: TestApp| async move {
        let mut m = incoming_paper("Đơn đề nghị");
        m["due_on"] = json!("2025-06-20");
        let (s, d) = app.post_json("/api/v1/documents/incoming", &m).await;
        assert_eq!(s, 201, "{d}");
        let id = d["id"].as_i64().expect("id");
        let url = format!("/api/v1/documents/{id}/handling");
        let (s, d) = app
            .patch_json(
                &url,
                &json!({"status": "done", "resolved_on": "2025-06-15"}),
            )
            .await;
        assert_eq!(s, 200, "{d}");
        for change in [
            json!({"status": "registered"}),
            json!({"due_on": "2025-06-30"}),
            json!({"resolved_on": "2025-06-14"}),
        ] {
            let (s, e) = app.patch_json(&url, &change).await;
            assert_eq!(
                (s, e["error"]["code"].as_str()),
                (409, Some("already_done")),
                "{change}"
            );
        }
        let (_, d) = app
            .get(&format!("/api/v1/documents/{id}"), &app.clerk)
            .await;
        assert_eq!(
            (d["status"].as_str(), d["resolved_on"].as_str()),
            (Some("done"), Some("2025-06-15"))
        );
        // A note after resolution is still fine.
        let (s, _) = app
            .patch_json(&url, &json!({"progress": "Đã gửi trả lời"}))
            .await;
        assert_eq!(s, 200);
        // Implausible dates.
        let mut m = incoming_paper("Ngày lạ");
        m["received_on"] = json!("1945-09-02");
        m["issued_on"] = json!("1945-09-01");
        let (s, e) = app.post_json("/api/v1/documents/incoming", &m).await;
        assert_eq!(
            (s, e["error"]["field"].as_str()),
            (422, Some("received_on")),
            "{e}"
        );
        let mut m = incoming_paper("Hạn xa");
        m["due_on"] = json!("9999-12-31");
        let (s, e) = app.post_json("/api/v1/documents/incoming", &m).await;
        assert_eq!(
            (s, e["error"]["field"].as_str()),
            (422, Some("due_on")),
            "{e}"
        );
    }
);

both!(stale_writes_are_refused, |app: TestApp| async move {
    let (s, d) = app
        .post_json("/api/v1/documents/incoming", &incoming_paper("Hai văn thư"))
        .await;
    assert_eq!(s, 201, "{d}");
    let id = d["id"].as_i64().expect("id");
    let r = app
        .http
        .get(app.url(&format!("/api/v1/documents/{id}")))
        .bearer_auth(&app.clerk)
        .send()
        .await
        .expect("get");
    let tag = r
        .headers()
        .get("etag")
        .and_then(|v| v.to_str().ok())
        .expect("an ETag")
        .to_string();
    let patch = |body: Value, tag: Option<String>| {
        let mut req = app
            .http
            .patch(app.url(&format!("/api/v1/documents/{id}/handling")))
            .bearer_auth(&app.clerk)
            .json(&body);
        if let Some(t) = tag {
            req = req.header("if-match", t);
        }
        req.send()
    };
    // Two clerks read version 1; the first writes, the second is refused.
    let first = patch(json!({"handler": "Người thứ nhất"}), Some(tag.clone()))
        .await
        .expect("first");
    assert_eq!(first.status().as_u16(), 200);
    let new_tag = first
        .headers()
        .get("etag")
        .and_then(|v| v.to_str().ok())
        .expect("etag")
        .to_string();
    assert_ne!(new_tag, tag);
    let second = patch(json!({"handler": "Người thứ hai"}), Some(tag))
        .await
        .expect("second");
    assert_eq!(second.status().as_u16(), 412);
    let e: Value = second.json().await.expect("json");
    assert_eq!(e["error"]["code"], "stale_version");
    let (_, d) = app
        .get(&format!("/api/v1/documents/{id}"), &app.clerk)
        .await;
    assert_eq!(d["handler"], "Người thứ nhất", "the first change is kept");
    // A malformed If-Match is refused too; none at all is a plain write.
    let r = patch(json!({"handler": "X"}), Some("W/\"abc\"".into()))
        .await
        .expect("bad");
    assert_eq!(r.status().as_u16(), 412);
    let r = patch(json!({"handler": "Người thứ ba"}), None)
        .await
        .expect("plain");
    assert_eq!(r.status().as_u16(), 200);
    // Units and users too.
    let unit_patch = |name: &str, tag: &str| {
        app.http
            .patch(app.url("/api/v1/units/VP"))
            .bearer_auth(&app.admin)
            .header("if-match", tag)
            .json(&json!({"name": name}))
            .send()
    };
    let (_, units) = app.get("/api/v1/units", &app.admin).await;
    let v = units
        .as_array()
        .expect("units")
        .iter()
        .find(|u| u["code"] == "VP")
        .expect("VP")["version"]
        .as_i64()
        .expect("version");
    let r = unit_patch("Văn phòng Sở", &format!("\"v{v}\""))
        .await
        .expect("unit");
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(
        r.headers().get("etag").and_then(|h| h.to_str().ok()),
        Some(format!("\"v{}\"", v + 1).as_str())
    );
    let r = unit_patch("Văn phòng cũ", &format!("\"v{v}\""))
        .await
        .expect("unit");
    assert_eq!(r.status().as_u16(), 412, "a stale unit write is refused");
    let r = app
        .http
        .patch(app.url("/api/v1/users/clerk"))
        .bearer_auth(&app.admin)
        .header("if-match", "\"v99\"")
        .json(&json!({"active": true}))
        .send()
        .await
        .expect("user");
    assert_eq!(r.status().as_u16(), 412, "a stale user write is refused");
});

both!(smaller_defects, |app: TestApp| async move {
    // Paging arithmetic is checked.
    for q in ["page=9223372036854775807", "page=0", "page=1000001"] {
        let (s, e) = app.get(&format!("/api/v1/documents?{q}"), &app.clerk).await;
        assert_eq!(
            (s, e["error"]["field"].as_str()),
            (422, Some("page")),
            "{q}"
        );
        let (s, _) = app.get(&format!("/public/v1/documents?{q}"), "").await;
        assert_eq!(s, 422, "{q}");
    }
    // Tile indices beyond any log are not found (they used to wrap to 0).
    let (s, _) = app.get("/log/vkey", "").await;
    assert_eq!(s, 200);
    let r = app
        .http
        .get(app.url("/log/tile/0/x072/x057/x594/x037/x927/936"))
        .send()
        .await
        .expect("tile");
    assert_eq!(r.status().as_u16(), 404);
    // Links in the feeds come from the configured URL, not the Host header.
    let (s, _) = app
        .post_json("/api/v1/documents/incoming", &incoming_paper("Liên kết"))
        .await;
    assert_eq!(s, 201);
    app.log.integrate(at(&app)).await.expect("integrate");
    let feed = app
        .http
        .get(app.url("/public/v1/feed.atom"))
        .header("host", "evil.example")
        .send()
        .await
        .expect("feed")
        .text()
        .await
        .expect("text");
    assert!(!feed.contains("evil.example"), "{feed}");
    assert!(feed.contains(app.state.web.public_url.as_str().trim_end_matches('/')));
    // The secret series is told apart in the number/symbol.
    let tb = json!({"doc_type": "TB", "subject": "Thông báo", "channel": "paper"});
    let (s, a) = app.post_json("/api/v1/documents/outgoing", &tb).await;
    assert_eq!(s, 201, "{a}");
    let mut secret = tb.clone();
    secret["secrecy"] = json!("mat");
    let (s, b) = app.post_json("/api/v1/documents/outgoing", &secret).await;
    assert_eq!(s, 201, "{b}");
    assert_eq!(a["number_symbol"], "01/TB-SNV");
    assert_eq!(b["number_symbol"], "01/TB-SNV-M");
});

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_register_year_is_the_documents_own() {
    let app = TestApp::start(Backend::Sqlite).await.expect("app");
    app.set_now("2025-12-31T10:00:00Z");
    let mut m = incoming_paper("Cuối năm");
    m["issued_on"] = json!("2025-12-30");
    m["received_on"] = json!("2025-12-31");
    let (s, a) = app.post_json("/api/v1/documents/incoming", &m).await;
    assert_eq!(s, 201, "{a}");
    // Just after midnight in Vietnam, a document received on 31 December
    // goes into 2025's register, after the last number of 2025.
    app.set_now("2025-12-31T17:00:05Z");
    let mut m = incoming_paper("Đến lúc 23 giờ 59");
    m["issued_on"] = json!("2025-12-31");
    m["received_on"] = json!("2025-12-31");
    let (s, b) = app.post_json("/api/v1/documents/incoming", &m).await;
    assert_eq!(s, 201, "{b}");
    assert_eq!(
        (b["year"].as_i64(), b["register_number"].as_i64()),
        (
            Some(2025),
            Some(a["register_number"].as_i64().expect("n") + 1)
        )
    );
    // One received today starts 2026's register at 1.
    m["received_on"] = json!("2026-01-01");
    let (s, c) = app.post_json("/api/v1/documents/incoming", &m).await;
    assert_eq!(s, 201, "{c}");
    assert_eq!(
        (c["year"].as_i64(), c["register_number"].as_i64()),
        (Some(2026), Some(1))
    );
}
