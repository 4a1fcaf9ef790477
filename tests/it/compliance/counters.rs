//! The stored counters: built for an older database, and exact under
//! concurrent moves.

use serde_json::json;

use crate::both;
use crate::harness::{TestApp, incoming_paper, metric};

use super::reg;

// A database that held documents before the counters existed (simulated by
// emptying them and forgetting they were built) gets them built when the
// program next opens it, and the figures come back unchanged.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn counters_built_for_an_older_database() {
    use sea_orm::ConnectionTrait;
    let app = TestApp::start(crate::harness::Backend::Sqlite)
        .await
        .expect("sqlite");
    let mut m = incoming_paper("trước khi có bộ đếm");
    m["due_on"] = json!("2025-06-20");
    reg(&app, "/api/v1/documents/incoming", m, Some("person.pdf")).await;
    reg(
        &app,
        "/api/v1/documents/outgoing",
        json!({"doc_type": "QĐ", "subject": "đi"}),
        Some("person-then-organisation.pdf"),
    )
    .await;
    let before = app.compliance("from=2025-01-01&to=2025-12-31").await;
    assert_eq!(metric(&before, "e_signature", "all")["denominator"], 2);
    for t in vanthu::compliance::rollup::TABLES {
        app.registry
            .db
            .execute_unprepared(&format!("DELETE FROM {t}"))
            .await
            .expect("empty");
    }
    let emptied = app.compliance("from=2025-01-01&to=2025-12-31").await;
    assert_eq!(metric(&emptied, "e_signature", "all")["denominator"], 0);
    // Opening the data folder again builds them.
    let config = vanthu::config::Config::for_data_dir(app._dir.path());
    let reopened = vanthu::app::open_registry(
        &config,
        vanthu::clock::Clock::fixed(crate::harness::default_now()),
    )
    .await
    .expect("reopen");
    assert_eq!(app.count("compliance_rollup_state").await, 1);
    let f = crate::harness::period("2025-01-01", "2025-12-31");
    let rebuilt = vanthu::compliance::rollup::metrics(
        &reopened,
        &config.targets,
        &f,
        vanthu::compliance::GroupBy::None,
    )
    .await
    .expect("metrics");
    let after = serde_json::to_value(&rebuilt).expect("json");
    assert_eq!(after, before["metrics"]);
}

// Clerks moving documents between the same two units in opposite
// directions at once: every change succeeds (no deadlock between counter
// rows) and the counters still equal a recount from the documents.
both!(
    concurrent_moves_keep_counters_exact,
    |app: TestApp| async move {
        let app = std::sync::Arc::new(app);
        let mut ids = Vec::new();
        for (i, unit) in ["VP", "CCHC", "VP", "CCHC"].into_iter().enumerate() {
            let mut m = incoming_paper(&format!("chuyển {i}"));
            m["unit"] = json!(unit);
            m["due_on"] = json!("2025-06-20");
            ids.push(reg(&app, "/api/v1/documents/incoming", m, None).await);
        }
        let mut tasks = Vec::new();
        for (k, id) in ids.iter().copied().enumerate() {
            let app = app.clone();
            tasks.push(tokio::spawn(async move {
                for round in 0..12 {
                    let unit = if (round + k) % 2 == 0 { "CCHC" } else { "VP" };
                    let (s, d) = app
                        .patch_json(
                            &format!("/api/v1/documents/{id}/handling"),
                            &json!({"unit": unit}),
                        )
                        .await;
                    assert_eq!(s, 200, "{d}");
                }
            }));
        }
        for t in tasks {
            t.await.expect("task");
        }
        use vanthu::compliance::{GroupBy, fast, rollup};
        let f = crate::harness::period("2025-01-01", "2025-12-31");
        let counted = rollup::metrics(&app.registry, &app.state.web.targets, &f, GroupBy::Unit)
            .await
            .expect("counters");
        let recount = fast::metrics(&app.registry, &app.state.web.targets, &f, GroupBy::Unit)
            .await
            .expect("recount");
        assert_eq!(counted, recount);
        let on_time: u64 = counted
            .iter()
            .filter(|m| m.id == "on_time")
            .map(|m| m.denominator)
            .sum();
        assert_eq!(on_time, 4);
    }
);
