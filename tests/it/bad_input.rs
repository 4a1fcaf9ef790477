//! Every bad input of the foundation issue gets its status, its error code
//! and field, and leaves nothing stored: no row, no number taken, no file.

use serde_json::{Value, json};

use crate::both;
use crate::harness::{TEST_MAX_UPLOAD, TestApp, incoming_paper, pdf};

/// What is stored, to compare before and after a refused request.
async fn snapshot(app: &TestApp) -> (i64, i64, i64) {
    (
        app.count("documents").await,
        app.count("files").await,
        app.count("audit_log").await,
    )
}

/// After a refusal: nothing changed, no orphan survives a sweep, and the
/// next registration takes the next number (none was consumed).
async fn assert_nothing_stored(app: &TestApp, before: (i64, i64, i64), next_number: i64) {
    assert_eq!(
        snapshot(app).await,
        before,
        "a refused request changed the database"
    );
    app.registry
        .gc(std::time::Duration::ZERO)
        .await
        .expect("gc");
    assert_eq!(
        app.blobs().await as i64,
        before.1,
        "a refused request left a file behind"
    );
    let (s, b) = app
        .post_json(
            "/api/v1/documents/incoming",
            &incoming_paper("Kiểm tra số tiếp theo"),
        )
        .await;
    assert_eq!(s, 201, "{b}");
    assert_eq!(
        b["register_number"].as_i64(),
        Some(next_number),
        "a refused request consumed a number"
    );
}

fn assert_error(status: u16, body: &Value, want_status: u16, code: &str, field: Option<&str>) {
    assert_eq!(status, want_status, "{body}");
    assert_eq!(body["error"]["code"], code, "{body}");
    if let Some(f) = field {
        assert_eq!(body["error"]["field"], f, "{body}");
    }
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{body}"
    );
}

both!(non_pdf_upload, |app: TestApp| async move {
    let before = snapshot(&app).await;
    let mut m = incoming_paper("Ảnh chụp thay vì PDF");
    m["channel"] = json!("electronic");
    let (s, b) = app
        .post_multipart(
            "/api/v1/documents/incoming",
            &m.to_string(),
            Some(b"\x89PNG\r\n\x1a\n not a pdf".to_vec()),
        )
        .await;
    assert_error(s, &b, 415, "not_pdf", Some("file"));
    assert_nothing_stored(&app, before, 1).await;
});

both!(upload_over_the_limit, |app: TestApp| async move {
    let before = snapshot(&app).await;
    let mut big = b"%PDF-1.7\n".to_vec();
    big.resize(TEST_MAX_UPLOAD as usize + 10, b'0');
    let mut m = incoming_paper("Tệp quá lớn");
    m["channel"] = json!("electronic");
    let (s, b) = app
        .post_multipart("/api/v1/documents/incoming", &m.to_string(), Some(big))
        .await;
    assert_error(s, &b, 413, "file_too_large", Some("file"));
    assert_nothing_stored(&app, before, 1).await;
});

both!(malformed_json, |app: TestApp| async move {
    let before = snapshot(&app).await;
    // In the metadata part of a multipart upload…
    let (s, b) = app
        .post_multipart(
            "/api/v1/documents/incoming",
            "{\"subject\": \"thiếu ngoặc\"",
            Some(pdf("x")),
        )
        .await;
    assert_error(s, &b, 400, "malformed_json", Some("metadata"));
    // …and as a plain JSON body.
    let r = app
        .http
        .post(app.url("/api/v1/documents/incoming"))
        .bearer_auth(&app.clerk)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .expect("request");
    let s = r.status().as_u16();
    let b: Value = r.json().await.expect("json error body");
    assert_error(s, &b, 400, "malformed_json", None);
    // A wrong type names its field.
    let mut m = incoming_paper("Sai kiểu");
    m["recipients"] = json!("không phải danh sách");
    let (s, b) = app.post_json("/api/v1/documents/incoming", &m).await;
    assert_error(s, &b, 422, "invalid_type", Some("recipients"));
    // An unknown field is refused rather than ignored.
    let mut m = incoming_paper("Trường lạ");
    m["subjet"] = json!("gõ nhầm");
    let (s, b) = app.post_json("/api/v1/documents/incoming", &m).await;
    assert_error(s, &b, 422, "unknown_field", Some("subjet"));
    assert_nothing_stored(&app, before, 1).await;
});

both!(unknown_unit, |app: TestApp| async move {
    let before = snapshot(&app).await;
    let mut m = incoming_paper("Đơn vị không tồn tại");
    m["unit"] = json!("KHONGCO");
    let (s, b) = app.post_json("/api/v1/documents/incoming", &m).await;
    assert_error(s, &b, 422, "unknown_unit", Some("unit"));
    // Also with a file: the file must not survive the refusal.
    m["channel"] = json!("electronic");
    let (s, b) = app
        .post_multipart(
            "/api/v1/documents/incoming",
            &m.to_string(),
            Some(pdf("đơn vị lạ")),
        )
        .await;
    assert_error(s, &b, 422, "unknown_unit", Some("unit"));
    assert_nothing_stored(&app, before, 1).await;
});

both!(duplicate_number_symbol, |app: TestApp| async move {
    let mut m = incoming_paper("Quyết định gốc");
    m["number_symbol"] = json!("42/QĐ-UBND");
    m["doc_type"] = json!("QĐ");
    let (s, b) = app.post_json("/api/v1/documents/incoming", &m).await;
    assert_eq!(s, 201, "{b}");
    let before = snapshot(&app).await;
    // Same issuer, same year, same number/symbol — typed without diacritics and in other case.
    let mut dup = m.clone();
    dup["number_symbol"] = json!("42/qd-ubnd");
    dup["issuer"] = json!("UY BAN NHAN DAN THANH PHO");
    dup["channel"] = json!("electronic");
    let (s, b) = app
        .post_multipart(
            "/api/v1/documents/incoming",
            &dup.to_string(),
            Some(pdf("bản trùng")),
        )
        .await;
    assert_error(s, &b, 409, "duplicate_number_symbol", Some("number_symbol"));
    assert_nothing_stored(&app, before, 2).await;
    // The same number/symbol from another issuer, or in another year, is fine.
    let mut other = m.clone();
    other["issuer"] = json!("Ủy ban nhân dân quận Hải Châu");
    let (s, b) = app.post_json("/api/v1/documents/incoming", &other).await;
    assert_eq!(s, 201, "{b}");
    let mut last_year = m.clone();
    last_year["issued_on"] = json!("2024-12-30");
    let (s, b) = app
        .post_json("/api/v1/documents/incoming", &last_year)
        .await;
    assert_eq!(s, 201, "{b}");
});

both!(date_in_the_future, |app: TestApp| async move {
    let before = snapshot(&app).await;
    // The test clock is 15 June 2025 in Vietnam.
    let mut m = incoming_paper("Ngày tương lai");
    m["issued_on"] = json!("2025-06-16");
    m["received_on"] = json!("2025-06-16");
    let (s, b) = app.post_json("/api/v1/documents/incoming", &m).await;
    assert_error(s, &b, 422, "future_date", Some("received_on"));
    let mut m = incoming_paper("Ngày tương lai");
    m["issued_on"] = json!("2025-06-16");
    let (s, b) = app.post_json("/api/v1/documents/incoming", &m).await;
    assert_error(s, &b, 422, "invalid_date", Some("issued_on"));
    let (s, b) = app.post_json("/api/v1/documents/outgoing", &json!({"doc_type": "TB", "subject": "x", "issued_on": "2025-06-16", "channel": "paper"})).await;
    assert_error(s, &b, 422, "future_date", Some("issued_on"));
    let mut m = incoming_paper("Ngày sai");
    m["issued_on"] = json!("2025-02-30");
    let (s, b) = app.post_json("/api/v1/documents/incoming", &m).await;
    assert_error(s, &b, 422, "invalid_date", Some("issued_on"));
    assert_nothing_stored(&app, before, 1).await;
});

both!(empty_subject, |app: TestApp| async move {
    let before = snapshot(&app).await;
    for subject in [json!(""), json!("   \n "), Value::Null] {
        let mut m = incoming_paper("x");
        m["subject"] = subject;
        let (s, b) = app.post_json("/api/v1/documents/incoming", &m).await;
        assert_error(s, &b, 422, "missing_field", Some("subject"));
    }
    let mut m = incoming_paper("x");
    m.as_object_mut().expect("object").remove("subject");
    let (s, b) = app.post_json("/api/v1/documents/incoming", &m).await;
    assert_error(s, &b, 422, "missing_field", Some("subject"));
    assert_nothing_stored(&app, before, 1).await;
});

both!(other_refusals, |app: TestApp| async move {
    let before = snapshot(&app).await;
    // Electronic without its file.
    let mut m = incoming_paper("Điện tử không tệp");
    m["channel"] = json!("electronic");
    let (s, b) = app.post_json("/api/v1/documents/incoming", &m).await;
    assert_error(s, &b, 422, "file_required", Some("file"));
    // Outgoing numbers are assigned, not sent.
    let (s, b) = app.post_json("/api/v1/documents/outgoing", &json!({"doc_type": "QĐ", "subject": "x", "number_symbol": "99/QĐ-SNV", "channel": "paper"})).await;
    assert_error(s, &b, 422, "assigned_by_system", Some("number_symbol"));
    // A công văn needs its drafting unit.
    let (s, b) = app
        .post_json(
            "/api/v1/documents/outgoing",
            &json!({"doc_type": "Công văn", "subject": "x", "channel": "paper"}),
        )
        .await;
    assert_error(s, &b, 422, "missing_field", Some("unit"));
    // Unknown type and unknown enumeration values.
    let mut m = incoming_paper("Loại lạ");
    m["doc_type"] = json!("CV");
    let (s, b) = app.post_json("/api/v1/documents/incoming", &m).await;
    assert_error(s, &b, 422, "unknown_doc_type", Some("doc_type"));
    let mut m = incoming_paper("Độ mật lạ");
    m["secrecy"] = json!("top_secret");
    let (s, b) = app.post_json("/api/v1/documents/incoming", &m).await;
    assert_error(s, &b, 422, "invalid_value", Some("secrecy"));
    // Wrong media type.
    let r = app
        .http
        .post(app.url("/api/v1/documents/incoming"))
        .bearer_auth(&app.clerk)
        .header("content-type", "text/plain")
        .body("hello")
        .send()
        .await
        .expect("request");
    assert_eq!(r.status().as_u16(), 415);
    // Multipart without metadata.
    let form =
        reqwest::multipart::Form::new().part("file", reqwest::multipart::Part::bytes(pdf("a")));
    let r = app
        .http
        .post(app.url("/api/v1/documents/incoming"))
        .bearer_auth(&app.clerk)
        .multipart(form)
        .send()
        .await
        .expect("request");
    let s = r.status().as_u16();
    let b: Value = r.json().await.expect("body");
    assert_error(s, &b, 400, "missing_part", Some("metadata"));
    // Over-long subject.
    let mut m = incoming_paper(&"a".repeat(2001));
    m["subject"] = json!("a".repeat(2001));
    let (s, b) = app.post_json("/api/v1/documents/incoming", &m).await;
    assert_error(s, &b, 422, "too_long", Some("subject"));
    // Bad filters on search.
    let (s, b) = app.get("/api/v1/documents?year=abc", &app.clerk).await;
    assert_error(s, &b, 422, "invalid_value", Some("year"));
    let (s, b) = app.get("/api/v1/documents?colour=red", &app.clerk).await;
    assert_error(s, &b, 422, "unknown_field", Some("colour"));
    assert_nothing_stored(&app, before, 1).await;
});

/// Every route that reads a query refuses an unknown, a repeated or a bad
/// parameter the same way: 422 and the JSON error naming the parameter.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_query_refusal_is_the_same_json_error() {
    let app = TestApp::start(crate::harness::Backend::Sqlite)
        .await
        .expect("sqlite app");
    let routes = [
        ("/api/v1/documents", "page"),
        ("/api/v1/compliance", "from"),
        ("/api/v1/compliance/evidence", "from"),
        ("/api/v1/compliance/export", "from"),
        ("/api/v1/registers/incoming", "year"),
        ("/public/v1/documents", "page"),
        ("/public/v1/stats", "year"),
        ("/public/dashboard", "year"),
        ("/public/v1/feed.atom", "before"),
        ("/public/v1/feed.json", "before"),
        ("/public/v1/proof/inclusion", "size"),
        ("/public/v1/proof/consistency", "from"),
    ];
    for (route, param) in routes {
        for (query, code, field) in [
            ("colour=red".to_string(), "unknown_field", "colour"),
            (format!("{param}=1&{param}=2"), "repeated_field", param),
            (format!("{param}=xyz"), "", param),
        ] {
            let r = app
                .http
                .get(app.url(&format!("{route}?{query}")))
                .bearer_auth(&app.auditor)
                .send()
                .await
                .expect("request");
            let status = r.status().as_u16();
            let body: Value = r.json().await.expect("a JSON error body");
            assert_eq!(status, 422, "{route}?{query}: {body}");
            assert_eq!(
                body["error"]["field"],
                json!(field),
                "{route}?{query}: {body}"
            );
            if !code.is_empty() {
                assert_eq!(
                    body["error"]["code"],
                    json!(code),
                    "{route}?{query}: {body}"
                );
            }
            assert!(
                body["error"]["message"]
                    .as_str()
                    .is_some_and(|m| !m.is_empty())
            );
        }
    }
    // The public search does not take the staff-only filters.
    let (s, body) = app.get("/public/v1/documents?secrecy=mat", "").await;
    assert_eq!(
        (s, body["error"]["code"].clone()),
        (422, json!("unknown_field")),
        "{body}"
    );
}
