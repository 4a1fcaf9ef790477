//! Registering, finding, downloading, handling and recalling documents.

use serde_json::{Value, json};

use crate::both;
use crate::harness::{TestApp, incoming_paper, pdf};

fn subjects(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|d| d["subject"].as_str().unwrap_or("").to_string())
        .collect()
}

both!(
    search_ignores_case_and_diacritics,
    |app: TestApp| async move {
        let mut a = incoming_paper("Báo cáo của Sở Nội vụ về cải cách hành chính");
        a["issuer"] = json!("Sở Nội vụ thành phố Đà Nẵng");
        let (s, _) = app.post_json("/api/v1/documents/incoming", &a).await;
        assert_eq!(s, 201);
        let mut b = incoming_paper("Kế hoạch tuyển dụng viên chức");
        b["unit"] = json!("TCBC");
        b["secrecy"] = json!("mat");
        let (s, _) = app.post_json("/api/v1/documents/incoming", &b).await;
        assert_eq!(s, 201);
        let (s, _) = app.post_json("/api/v1/documents/outgoing", &json!({"doc_type": "QĐ", "subject": "Quyết định về ĐỀ ÁN vị trí việc làm", "channel": "paper"})).await;
        assert_eq!(s, 201);

        for q in [
            "so noi vu",
            "SỞ NỘI VỤ",
            "sở nội vụ",
            "So Noi Vu",
            "da nang",
            "ĐÀ NẴNG",
            "cai cach",
        ] {
            let (s, p) = app
                .get(
                    &format!("/api/v1/documents?direction=incoming&q={}", urlencode(q)),
                    &app.clerk,
                )
                .await;
            assert_eq!(s, 200);
            assert_eq!(
                subjects(&p),
                ["Báo cáo của Sở Nội vụ về cải cách hành chính"],
                "query {q:?}"
            );
        }
        // Without the filter, the outgoing document matches too: its issuer is the agency, Sở Nội vụ.
        let (_, p) = app.get("/api/v1/documents?q=so+noi+vu", &app.clerk).await;
        assert_eq!(p["total"], 2);
        // đ → d inside words, and words in any order.
        let (_, p) = app
            .get(
                &format!("/api/v1/documents?q={}", urlencode("de an viec lam")),
                &app.auditor,
            )
            .await;
        assert_eq!(p["total"], 1);
        let (_, p) = app
            .get(
                &format!("/api/v1/documents?q={}", urlencode("42/QĐ")),
                &app.auditor,
            )
            .await;
        assert_eq!(p["total"], 0);
        // LIKE wildcards are literal.
        let (_, p) = app.get("/api/v1/documents?q=%25", &app.auditor).await;
        assert_eq!(p["total"], 0);
        let (_, p) = app.get("/api/v1/documents?q=_", &app.auditor).await;
        assert_eq!(p["total"], 0);

        // Filters.
        let (_, p) = app
            .get("/api/v1/documents?direction=outgoing", &app.clerk)
            .await;
        assert_eq!(p["total"], 1);
        assert_eq!(p["items"][0]["number_symbol"], "01/QĐ-SNV");
        let (_, p) = app.get("/api/v1/documents?secrecy=mat", &app.clerk).await;
        assert_eq!(subjects(&p), ["Kế hoạch tuyển dụng viên chức"]);
        let (_, p) = app
            .get(
                "/api/v1/documents?unit=TCBC&direction=incoming&year=2025",
                &app.clerk,
            )
            .await;
        assert_eq!(p["total"], 1);
        let (_, p) = app
            .get("/api/v1/documents?doc_type=quyet%20dinh", &app.clerk)
            .await;
        assert_eq!(p["total"], 1);
        let (_, p) = app
            .get(
                "/api/v1/documents?from=2025-06-15&to=2025-06-15",
                &app.clerk,
            )
            .await;
        assert_eq!(p["total"], 1, "only the outgoing one is dated 15 June: {p}");
        let (_, p) = app
            .get("/api/v1/documents?channel=electronic", &app.clerk)
            .await;
        assert_eq!(p["total"], 0);
        let (_, p) = app.get("/api/v1/documents?year=2024", &app.clerk).await;
        assert_eq!(p["total"], 0);
        // Pagination: newest first, stable pages.
        let (_, p1) = app
            .get("/api/v1/documents?per_page=2&page=1", &app.clerk)
            .await;
        let (_, p2) = app
            .get("/api/v1/documents?per_page=2&page=2", &app.clerk)
            .await;
        assert_eq!(p1["total"], 3);
        assert_eq!(p1["items"].as_array().map(Vec::len), Some(2));
        assert_eq!(p2["items"].as_array().map(Vec::len), Some(1));
        assert_eq!(p1["items"][0]["direction"], "outgoing");
        let (s, _) = app.get("/api/v1/documents?per_page=500", &app.clerk).await;
        assert_eq!(s, 422);
    }
);

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

both!(
    files_are_stored_once_and_downloaded_intact,
    |app: TestApp| async move {
        let bytes = pdf("Nội dung văn bản");
        let mut m = incoming_paper("Bản thứ nhất");
        m["channel"] = json!("electronic");
        let (s, a) = app
            .post_multipart(
                "/api/v1/documents/incoming",
                &m.to_string(),
                Some(bytes.clone()),
            )
            .await;
        assert_eq!(s, 201, "{a}");
        let mut m2 = incoming_paper("Bản thứ hai, cùng tệp");
        m2["channel"] = json!("electronic");
        m2["issuer"] = json!("Sở Tài chính");
        let (s, b) = app
            .post_multipart(
                "/api/v1/documents/incoming",
                &m2.to_string(),
                Some(bytes.clone()),
            )
            .await;
        assert_eq!(s, 201, "{b}");
        let sha = hex::encode(openssl::sha::sha256(&bytes));
        assert_eq!(a["file_sha256"], sha.as_str());
        assert_eq!(b["file_sha256"], sha.as_str());
        assert_eq!(app.blobs().await, 1, "identical bytes are stored once");
        assert_eq!(app.count("files").await, 1);

        let r = app
            .http
            .get(app.url(&format!("/api/v1/documents/{}/file", a["id"])))
            .bearer_auth(&app.auditor)
            .send()
            .await
            .expect("get");
        assert_eq!(r.status().as_u16(), 200);
        assert_eq!(r.headers()["content-type"], "application/pdf");
        assert_eq!(
            r.headers()["etag"].to_str().expect("etag"),
            format!("\"{sha}\"")
        );
        assert_eq!(r.bytes().await.expect("bytes").to_vec(), bytes);

        // A paper document has no file.
        let (s, p) = app
            .post_json("/api/v1/documents/incoming", &incoming_paper("Bản giấy"))
            .await;
        assert_eq!(s, 201);
        assert_eq!(p["channel"], "paper");
        assert_eq!(p["file_sha256"], Value::Null);
        let (s, e) = app
            .get(&format!("/api/v1/documents/{}/file", p["id"]), &app.clerk)
            .await;
        assert_eq!((s, e["error"]["code"].as_str()), (404, Some("not_found")));
        // A paper document may carry its scan.
        let mut scan = incoming_paper("Bản giấy có bản quét");
        scan["issuer"] = json!("Sở Y tế");
        let (s, d) = app
            .post_multipart(
                "/api/v1/documents/incoming",
                &scan.to_string(),
                Some(pdf("bản quét")),
            )
            .await;
        assert_eq!(s, 201, "{d}");
        assert_eq!(d["channel"], "paper");
        assert!(d["file_sha256"].is_string());

        let (s, _) = app.get("/api/v1/documents/9999", &app.clerk).await;
        assert_eq!(s, 404);
        let (s, _) = app.get("/api/v1/documents/abc", &app.clerk).await;
        assert_eq!(s, 404);
    }
);

both!(handling_and_recall, |app: TestApp| async move {
    let mut m = incoming_paper("Đề nghị báo cáo số liệu");
    m["due_on"] = json!("2025-06-14");
    let (s, d) = app.post_json("/api/v1/documents/incoming", &m).await;
    assert_eq!(s, 201, "{d}");
    let id = d["id"].as_i64().expect("id");
    assert_eq!(
        d["status"], "assigned",
        "a document registered to a unit is assigned"
    );
    assert_eq!(d["overdue"], true, "due 14 June, today is 15 June");
    let path = format!("/api/v1/documents/{id}/handling");
    let patch = |body: Value| {
        let app = &app;
        let path = path.clone();
        async move {
            let r = app
                .http
                .patch(app.url(&path))
                .bearer_auth(&app.clerk)
                .json(&body)
                .send()
                .await
                .expect("patch");
            let s = r.status().as_u16();
            (s, r.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    let (s, d) = patch(json!({"handler": "Võ Thị Hạnh", "unit": "CCHC", "due_on": "2025-06-30", "instruction": "Khẩn trương xử lý"})).await;
    assert_eq!(s, 200, "{d}");
    assert_eq!(
        (
            d["unit"].as_str(),
            d["handler"].as_str(),
            d["overdue"].as_bool()
        ),
        (Some("CCHC"), Some("Võ Thị Hạnh"), Some(false))
    );
    let (s, d) = patch(json!({"status": "done"})).await;
    assert_eq!(s, 200, "{d}");
    assert_eq!(
        (d["status"].as_str(), d["resolved_on"].as_str()),
        (Some("done"), Some("2025-06-15"))
    );
    // Done is final: going back needs an explicit, audited reopen.
    let (s, e) = patch(json!({"status": "in_progress", "due_on": null})).await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (409, Some("already_done")),
        "{e}"
    );
    let (s, e) = app
        .post_json("/api/v1/documents/1/reopen", &json!({"reason": ""}))
        .await;
    assert_eq!(
        (s, e["error"]["field"].as_str()),
        (422, Some("reason")),
        "{e}"
    );
    let (s, d) = app
        .post_json(
            "/api/v1/documents/1/reopen",
            &json!({"reason": "Đơn vị xin xử lý bổ sung"}),
        )
        .await;
    assert_eq!((s, d["status"].as_str()), (200, Some("in_progress")), "{d}");
    let (s, d) = patch(json!({"due_on": null})).await;
    assert_eq!(s, 200, "{d}");
    assert_eq!(
        (d["resolved_on"].clone(), d["due_on"].clone()),
        (Value::Null, Value::Null)
    );
    let (s, e) = patch(json!({"status": "recalled"})).await;
    assert_eq!((s, e["error"]["field"].as_str()), (422, Some("status")));
    let (s, e) = patch(json!({"due_on": "2025-06-01"})).await;
    assert_eq!((s, e["error"]["field"].as_str()), (422, Some("due_on")));
    let (s, e) = patch(json!({})).await;
    assert_eq!(s, 422, "{e}");
    let (s, e) = patch(json!({"unit": "KHONGCO"})).await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (422, Some("unknown_unit"))
    );

    // Recall keeps the document, with its reason; it cannot be recalled or changed again.
    let (s, e) = app
        .post_json(
            &format!("/api/v1/documents/{id}/recall"),
            &json!({"reason": ""}),
        )
        .await;
    assert_eq!((s, e["error"]["field"].as_str()), (422, Some("reason")));
    let (s, d) = app
        .post_json(
            &format!("/api/v1/documents/{id}/recall"),
            &json!({"reason": "Cơ quan gửi thu hồi"}),
        )
        .await;
    assert_eq!(s, 200, "{d}");
    assert_eq!(
        (d["status"].as_str(), d["recall_reason"].as_str()),
        (Some("recalled"), Some("Cơ quan gửi thu hồi"))
    );
    let (s, e) = app
        .post_json(
            &format!("/api/v1/documents/{id}/recall"),
            &json!({"reason": "Lần nữa"}),
        )
        .await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (409, Some("already_recalled"))
    );
    let (s, e) = patch(json!({"progress": "x"})).await;
    assert_eq!((s, e["error"]["code"].as_str()), (409, Some("recalled")));
    let (s, g) = app
        .get(&format!("/api/v1/documents/{id}"), &app.auditor)
        .await;
    assert_eq!((s, g["status"].as_str()), (200, Some("recalled")));
    assert_eq!(app.count("documents").await, 1);
    let (s, e) = app
        .post_json("/api/v1/documents/777/recall", &json!({"reason": "x"}))
        .await;
    assert_eq!(s, 404, "{e}");
});

both!(health_and_openapi, |app: TestApp| async move {
    let r = app
        .http
        .get(app.url("/healthz"))
        .send()
        .await
        .expect("healthz");
    assert_eq!(r.status().as_u16(), 200);
    let spec: Value = app
        .http
        .get(app.url("/openapi.json"))
        .send()
        .await
        .expect("spec")
        .json()
        .await
        .expect("json");
    assert!(
        spec["openapi"]
            .as_str()
            .is_some_and(|v| v.starts_with("3."))
    );
    assert!(spec["paths"]["/api/v1/documents/incoming"]["post"].is_object());
    assert!(spec["components"]["schemas"]["DocumentView"].is_object());
    let r = app
        .http
        .get(app.url("/no/such/route"))
        .send()
        .await
        .expect("404");
    assert_eq!(r.status().as_u16(), 404);
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
});
