//! The hash-chained audit log detects an edited entry and a removed one.

use sea_orm::ConnectionTrait;
use serde_json::json;

use crate::both;
use crate::harness::{TestApp, incoming_paper};

both!(chain_detects_tampering, |app: TestApp| async move {
    let (s, d) = app
        .post_json("/api/v1/documents/incoming", &incoming_paper("Văn bản gốc"))
        .await;
    assert_eq!(s, 201, "{d}");
    let id = d["id"].as_i64().expect("id");
    let (s, _) = app
        .http
        .patch(app.url(&format!("/api/v1/documents/{id}/handling")))
        .bearer_auth(&app.clerk)
        .json(&json!({"handler": "Võ Thị Hạnh", "due_on": "2025-06-20"}))
        .send()
        .await
        .map(|r| (r.status().as_u16(), ()))
        .expect("patch");
    assert_eq!(s, 200);
    let (s, _) = app
        .post_json(
            &format!("/api/v1/documents/{id}/recall"),
            &json!({"reason": "Gửi nhầm"}),
        )
        .await;
    assert_eq!(s, 200);

    let (s, r) = app.get("/api/v1/audit/verify", &app.auditor).await;
    assert_eq!(s, 200);
    assert_eq!(r["ok"], true, "{r}");
    let total = r["entries"].as_i64().expect("entries");
    assert!(
        total >= 3 + 3 + 3,
        "users, units and three document changes are logged: {r}"
    );

    // The document's history names each change in order.
    let (s, h) = app
        .get(&format!("/api/v1/documents/{id}/history"), &app.auditor)
        .await;
    assert_eq!(s, 200);
    let actions: Vec<&str> = h
        .as_array()
        .expect("list")
        .iter()
        .map(|e| e["action"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(actions, ["register", "handling", "recall"]);

    // Edit one entry's details directly in the database.
    let db = &app.registry.db;
    let register_entry = h[0]["id"].as_i64().expect("id");
    db.execute_unprepared(&format!(
        "UPDATE audit_log SET details = '{{\"subject\":\"Văn bản đã sửa\"}}' WHERE id = {register_entry}"
    ))
    .await
    .expect("tamper");
    let report = vanthu::registry::audit::verify(db).await.expect("verify");
    assert!(!report.ok);
    assert_eq!(report.first_broken_id, Some(register_entry as i32));
    let (_, r) = app.get("/api/v1/audit/verify", &app.admin).await;
    assert_eq!(r["ok"], false);
    assert_eq!(r["first_broken_id"], register_entry);
});

both!(chain_detects_removed_entries, |app: TestApp| async move {
    for i in 0..3 {
        let (s, _) = app
            .post_json(
                "/api/v1/documents/incoming",
                &incoming_paper(&format!("Văn bản {i}")),
            )
            .await;
        assert_eq!(s, 201);
    }
    let db = &app.registry.db;
    let ok = vanthu::registry::audit::verify(db).await.expect("verify");
    assert!(ok.ok, "{ok:?}");
    let last = ok.entries as i64;
    // Remove the last entry (truncation)…
    db.execute_unprepared(&format!("DELETE FROM audit_log WHERE id = {last}"))
        .await
        .expect("delete");
    let r = vanthu::registry::audit::verify(db).await.expect("verify");
    assert!(!r.ok, "a truncated log must not verify");
    // …or one in the middle.
    db.execute_unprepared("DELETE FROM audit_log WHERE id = 2")
        .await
        .expect("delete");
    let r = vanthu::registry::audit::verify(db).await.expect("verify");
    assert!(!r.ok);
    assert_eq!(r.first_broken_id, Some(2));
});
