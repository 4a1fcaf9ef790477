//! The figures themselves: metrics computed by hand, the year boundary, the
//! verification basis, deadlines and configured targets.

use serde_json::{Value, json};

use crate::both;
use crate::harness::{TestApp, incoming_paper, metric};

use super::reg;

both!(metrics_by_hand, |app: TestApp| async move {
    let inc = "/api/v1/documents/incoming";
    let out = "/api/v1/documents/outgoing";
    let mut m1 = incoming_paper("1 hợp lệ đúng hạn");
    m1["issued_on"] = json!("2025-06-01");
    m1["received_on"] = json!("2025-06-05");
    m1["due_on"] = json!("2025-06-10");
    m1["issuer"] = json!("Sở A");
    let d1 = reg(&app, inc, m1, Some("person.pdf")).await;
    let mut m2 = incoming_paper("2 bị sửa, quá hạn");
    m2["due_on"] = json!("2025-06-14");
    m2["issuer"] = json!("Sở B");
    m2["received_on"] = json!("2025-06-14");
    let d2 = reg(&app, inc, m2, Some("tampered-byte.pdf")).await;
    let mut m3 = incoming_paper("3 giấy từ cơ quan nhà nước");
    m3["issuer"] = json!("Sở C");
    let d3 = reg(&app, inc, m3, None).await;
    let mut m4 = incoming_paper("4 giấy của công dân có bản quét");
    m4["issuer"] = json!("Ông D");
    m4["counterpart"] = json!("citizen");
    m4["channel"] = json!("paper-scan");
    reg(&app, inc, m4, Some("base.pdf")).await;
    let mut m5 = incoming_paper("5 mật");
    m5["issuer"] = json!("Sở E");
    m5["secrecy"] = json!("mat");
    reg(&app, inc, m5, Some("person.pdf")).await;
    let d6 = reg(
        &app,
        out,
        json!({"doc_type": "QĐ", "subject": "6 đủ hai chữ ký"}),
        Some("person-then-organisation.pdf"),
    )
    .await;
    let d7 = reg(
        &app,
        out,
        json!({"doc_type": "QĐ", "subject": "7 thiếu chữ ký cơ quan"}),
        Some("person.pdf"),
    )
    .await;
    let mut m8 = incoming_paper("8 thu hồi");
    m8["issuer"] = json!("Sở G");
    let d8 = reg(&app, inc, m8, None).await;
    let (s, _) = app
        .post_json(
            &format!("/api/v1/documents/{d8}/recall"),
            &json!({"reason": "nhầm"}),
        )
        .await;
    assert_eq!(s, 200);
    // Document 1 handled on time; document 2 left overdue.
    let r = app
        .http
        .patch(app.url(&format!("/api/v1/documents/{d1}/handling")))
        .bearer_auth(&app.clerk)
        .json(&json!({"status": "done", "resolved_on": "2025-06-09"}))
        .send()
        .await
        .expect("patch");
    assert_eq!(r.status().as_u16(), 200);
    // Officials: one who signed (matched by name), one who did not.
    for name in ["Nguyễn Văn An", "Trần Thị Bình"] {
        let r = app
            .http
            .post(app.url("/api/v1/officials"))
            .bearer_auth(&app.admin)
            .json(&json!({"full_name": name, "unit": "VP"}))
            .send()
            .await
            .expect("official");
        assert_eq!(r.status().as_u16(), 201);
    }

    let m = app.compliance("from=2025-01-01&to=2025-06-15").await;
    let want = [
        ("e_signature", 3, 4),         // 1, 6, 7 valid; 2 invalid; 5 secret excluded
        ("dual_signature", 1, 2),      // 6 both; 7 person only
        ("electronic_exchange", 4, 5), // 1, 2, 6, 7 electronic; 3 paper; 4 citizen; 5 secret; 8 recalled
        ("on_time", 1, 2),             // 1 by its deadline; 2 overdue
        ("digitisation", 1, 2),        // 4 scanned; 3 not
        ("signer_coverage", 1, 2),     // Nguyễn Văn An signed; Trần Thị Bình did not
    ];
    for (id, n, d) in want {
        let x = metric(&m, id, "all");
        assert_eq!(
            (x["numerator"].as_u64(), x["denominator"].as_u64()),
            (Some(n), Some(d)),
            "{id}: {x}"
        );
        assert_eq!(x["met"], false, "{id}");
        // The evidence lists exactly the gap.
        let e = app
            .evidence(&format!("metric={id}&from=2025-01-01&to=2025-06-15"))
            .await;
        assert_eq!(e["total"].as_u64(), Some(d - n), "{id}: {e}");
    }
    let e = app
        .evidence("metric=e_signature&from=2025-01-01&to=2025-06-15")
        .await;
    assert_eq!(e["items"][0]["document_id"], d2);
    assert!(
        e["items"][0]["reason"]
            .as_str()
            .is_some_and(|r| r.contains("HASH_FAILURE")),
        "{e}"
    );
    let e = app
        .evidence("metric=dual_signature&from=2025-01-01&to=2025-06-15")
        .await;
    assert_eq!(e["items"][0]["document_id"], d7);
    assert_eq!(e["items"][0]["reason"], "missing organisation signature");
    let e = app
        .evidence("metric=on_time&from=2025-01-01&to=2025-06-15")
        .await;
    assert_eq!(
        (
            e["items"][0]["document_id"].as_i64(),
            e["items"][0]["reason"].as_str()
        ),
        (Some(d2), Some("overdue 1 days"))
    );
    let e = app
        .evidence("metric=electronic_exchange&from=2025-01-01&to=2025-06-15")
        .await;
    assert_eq!(e["items"][0]["document_id"], d3);
    // Signer coverage's evidence is the official who did not sign; beside
    // it, the valid signer matching no official (the organisation's
    // certificate on document 6), which does not count in the gap.
    let e = app
        .evidence("metric=signer_coverage&from=2025-01-01&to=2025-06-15")
        .await;
    assert_eq!(e["total"], 1, "{e}");
    assert_eq!(e["items"][0]["label"], "Trần Thị Bình", "{e}");
    let unmatched = e["unmatched_signers"]
        .as_array()
        .expect("unmatched_signers");
    assert_eq!(unmatched.len(), 1, "{e}");
    assert_eq!(
        unmatched[0]["signer_name"], "Sở Nội vụ Thành phố Hồ Chí Minh",
        "{e}"
    );
    assert_eq!(unmatched[0]["signatures"], 1, "{e}");
    assert_eq!(unmatched[0]["example_document_id"], d6, "{e}");
    assert_eq!(unmatched[0]["reason"], "signer not a known official");
    // Other metrics carry no such list.
    let e = app
        .evidence("metric=on_time&from=2025-01-01&to=2025-06-15")
        .await;
    assert!(e.get("unmatched_signers").is_none(), "{e}");
    // Grouped by unit, and filters.
    let g = app
        .compliance("from=2025-01-01&to=2025-06-15&group_by=unit")
        .await;
    assert!(
        g["metrics"]
            .as_array()
            .expect("m")
            .iter()
            .any(|x| x["id"] == "on_time" && x["group"] == "VP")
    );
    let o = app
        .compliance("from=2025-01-01&to=2025-06-15&direction=outgoing")
        .await;
    assert_eq!(metric(&o, "e_signature", "all")["denominator"], 2);
    let (s, _) = app
        .get("/api/v1/compliance?group_by=colour", &app.auditor)
        .await;
    assert_eq!(s, 422);
    let (s, _) = app
        .get("/api/v1/compliance/evidence?metric=nope", &app.auditor)
        .await;
    assert_eq!(s, 422);
    // Paging: far pages are empty, absurd ones are refused, not a 500.
    let e = app
        .evidence("metric=e_signature&from=2025-01-01&to=2025-06-15&page=500&per_page=1000")
        .await;
    assert_eq!(
        (e["items"].as_array().map(Vec::len), e["total"].as_u64()),
        (Some(0), Some(1))
    );
    for q in [
        "page=18446744073709551615",
        "page=-1",
        "per_page=abc",
        "page=1000001",
    ] {
        let (s, body) = app
            .get(
                &format!("/api/v1/compliance/evidence?metric=e_signature&{q}"),
                &app.auditor,
            )
            .await;
        assert_eq!(s, 422, "{q}: {body}");
    }
});

fn fingerprint(name: &str) -> String {
    let der = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join(format!("certs-test/{name}/{name}.cert.der")),
    )
    .expect("cert");
    hex::encode(openssl::sha::sha256(&der))
}

both!(
    year_boundary_and_two_certificates,
    |app: TestApp| async move {
        let out = "/api/v1/documents/outgoing";
        // 23:30 on 31 December 2024 and 00:30 on 1 January 2025, Vietnam time.
        app.set_now("2024-12-31T16:30:00Z");
        reg(
            &app,
            out,
            json!({"doc_type": "QĐ", "subject": "cuối năm"}),
            Some("person.pdf"),
        )
        .await;
        app.set_now("2024-12-31T17:30:00Z");
        reg(
            &app,
            out,
            json!({"doc_type": "QĐ", "subject": "đầu năm"}),
            Some("person-ec.pdf"),
        )
        .await;
        let y24 = app.compliance("from=2024-01-01&to=2024-12-31").await;
        let y25 = app.compliance("from=2025-01-01&to=2025-12-31").await;
        assert_eq!(
            metric(&y24, "e_signature", "all")["denominator"],
            1,
            "{y24}"
        );
        assert_eq!(
            metric(&y25, "e_signature", "all")["denominator"],
            1,
            "{y25}"
        );
        // One official holding both certificates is counted once.
        let r = app
            .http
            .post(app.url("/api/v1/officials"))
            .bearer_auth(&app.admin)
            .json(&json!({"full_name": "Ông Khác Tên", "unit": "VP"}))
            .send()
            .await
            .expect("official");
        let off: Value = r.json().await.expect("json");
        for c in ["person", "person-ec"] {
            let r = app
                .http
                .post(app.url(&format!("/api/v1/officials/{}/certificates", off["id"])))
                .bearer_auth(&app.admin)
                .json(&json!({"fingerprint_sha256": fingerprint(c), "role": "person"}))
                .send()
                .await
                .expect("cert");
            assert_eq!(r.status().as_u16(), 201);
        }
        let both = app.compliance("from=2024-01-01&to=2025-12-31").await;
        let sc = metric(&both, "signer_coverage", "all");
        assert_eq!(
            (sc["numerator"].as_u64(), sc["denominator"].as_u64()),
            (Some(1), Some(1)),
            "matched by fingerprint, not by name: {sc}"
        );
    }
);

both!(
    as_verified_now_and_at_registration,
    |app: TestApp| async move {
        let mut m = incoming_paper("ký số");
        m["issuer"] = json!("Sở H");
        reg(&app, "/api/v1/documents/incoming", m, Some("person.pdf")).await;
        // A trust change: re-verification without the test root makes it indeterminate now.
        let mut r = (*app.registry).clone();
        let mut o = (*r.verifier).clone();
        o.trust.anchors.clear();
        r.verifier = std::sync::Arc::new(o);
        r.reverify(None, |_, _| {}).await.expect("reverify");
        let now = app.compliance("from=2025-01-01&to=2025-06-15").await;
        let then = app
            .compliance("from=2025-01-01&to=2025-06-15&as_verified=registration")
            .await;
        assert_eq!(metric(&now, "e_signature", "all")["numerator"], 0, "{now}");
        assert_eq!(
            metric(&then, "e_signature", "all")["numerator"],
            1,
            "{then}"
        );
        let (s, _) = app
            .get("/api/v1/compliance?as_verified=yesterday", &app.auditor)
            .await;
        assert_eq!(s, 422);
    }
);

both!(on_time_counts_by_deadline, |app: TestApp| async move {
    // Registered on 15 June, due on 10 July: it belongs to the period its
    // deadline falls in, whenever it was registered.
    let mut m = incoming_paper("hạn xử lý tháng sau");
    m["due_on"] = json!("2025-07-10");
    let id = reg(&app, "/api/v1/documents/incoming", m, None).await;
    let june = app.compliance("from=2025-06-01&to=2025-06-30").await;
    assert_eq!(metric(&june, "on_time", "all")["denominator"], 0, "{june}");
    assert_eq!(metric(&june, "digitisation", "all")["denominator"], 1);
    let july = app.compliance("from=2025-07-01&to=2025-07-31").await;
    let x = metric(&july, "on_time", "all");
    assert_eq!(
        (x["numerator"].as_u64(), x["denominator"].as_u64()),
        (Some(0), Some(1))
    );
    // Registered in June, so July's other metrics do not count it.
    assert_eq!(metric(&july, "digitisation", "all")["denominator"], 0);
    // By month, on_time falls in the deadline's month.
    let by_month = app
        .compliance("from=2025-01-01&to=2025-12-31&group_by=month")
        .await;
    assert_eq!(metric(&by_month, "on_time", "2025-07")["denominator"], 1);
    assert_eq!(
        metric(&by_month, "digitisation", "2025-06")["denominator"],
        1
    );
    let e = app
        .evidence("metric=on_time&from=2025-07-01&to=2025-07-31")
        .await;
    assert_eq!(e["total"], 1, "{e}");
    assert_eq!(e["items"][0]["document_id"].as_i64(), Some(id));
    // Resolved by the deadline: the counters follow the change.
    app.set_now("2025-07-06T03:00:00Z");
    let (s, d) = app
        .patch_json(
            &format!("/api/v1/documents/{id}/handling"),
            &json!({"status": "done", "resolved_on": "2025-07-05"}),
        )
        .await;
    assert_eq!(s, 200, "{d}");
    let july = app.compliance("from=2025-07-01&to=2025-07-31").await;
    let x = metric(&july, "on_time", "all");
    assert_eq!(
        (x["numerator"].as_u64(), x["denominator"].as_u64()),
        (Some(1), Some(1))
    );
    // A resolved document's deadline is fixed until it is reopened…
    let (s, d) = app
        .patch_json(
            &format!("/api/v1/documents/{id}/handling"),
            &json!({"due_on": "2025-08-01"}),
        )
        .await;
    assert_eq!(
        (s, d["error"]["code"].as_str()),
        (409, Some("already_done")),
        "{d}"
    );
    // …and moving the deadline of a reopened one into August moves it too.
    let (s, d) = app
        .post_json(
            &format!("/api/v1/documents/{id}/reopen"),
            &json!({"reason": "Gia hạn theo chỉ đạo"}),
        )
        .await;
    assert_eq!(s, 200, "{d}");
    let (s, d) = app
        .patch_json(
            &format!("/api/v1/documents/{id}/handling"),
            &json!({"due_on": "2025-08-01", "status": "done", "resolved_on": "2025-07-05"}),
        )
        .await;
    assert_eq!(s, 200, "{d}");
    let july = app.compliance("from=2025-07-01&to=2025-07-31").await;
    assert_eq!(metric(&july, "on_time", "all")["denominator"], 0, "{july}");
    let august = app
        .compliance("from=2025-08-01&to=2025-08-31&unit=VP")
        .await;
    assert_eq!(
        metric(&august, "on_time", "all")["numerator"],
        1,
        "{august}"
    );
    // Outgoing documents have no on-time handling.
    let out = app
        .compliance("from=2025-08-01&to=2025-08-31&direction=outgoing")
        .await;
    assert_eq!(metric(&out, "on_time", "all")["denominator"], 0);
});

// Targets come from the configuration: with on_time at 50%, one document of
// two resolved by its deadline meets it, by exactly 0.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn configured_targets_decide_met() {
    let app = TestApp::start(crate::harness::Backend::Sqlite)
        .await
        .expect("sqlite");
    for (i, resolved) in [Some("2025-06-15"), None].into_iter().enumerate() {
        let mut m = incoming_paper(&format!("hạn {i}"));
        m["due_on"] = json!("2025-06-20");
        let id = reg(&app, "/api/v1/documents/incoming", m, None).await;
        if let Some(r) = resolved {
            let (s, d) = app
                .patch_json(
                    &format!("/api/v1/documents/{id}/handling"),
                    &json!({"status": "done", "resolved_on": r}),
                )
                .await;
            assert_eq!(s, 200, "{d}");
        }
    }
    let plan = app.compliance("from=2025-06-01&to=2025-06-30").await;
    let x = metric(&plan, "on_time", "all");
    assert_eq!(
        (x["target"].as_f64(), x["met"].as_bool()),
        (Some(0.99), Some(false)),
        "{x}"
    );
    let mut config = vanthu::config::Config::for_data_dir(app._dir.path());
    config.targets.apply_spec("on_time=0.5").expect("spec");
    let reg = vanthu::app::open_registry(
        &config,
        vanthu::clock::Clock::fixed(crate::harness::default_now()),
    )
    .await
    .expect("open");
    let f = crate::harness::period("2025-06-01", "2025-06-30");
    let m = vanthu::compliance::rollup::metrics(
        &reg,
        &config.targets,
        &f,
        vanthu::compliance::GroupBy::None,
    )
    .await
    .expect("metrics");
    let on_time = m.iter().find(|r| r.id == "on_time").expect("on_time");
    assert_eq!((on_time.numerator, on_time.denominator), (1, 2));
    assert_eq!(on_time.target, 0.5);
    assert!(on_time.met);
    assert_eq!(on_time.margin, Some(0.0));
}
