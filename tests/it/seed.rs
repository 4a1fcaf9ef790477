//! `vanthu seed`: the synthetic data set keeps the registers' invariants
//! (contiguous yearly numbers per book, numbering continuing after it), the
//! metrics count it the way an independent SQL count does, and a database
//! that already holds documents is refused.

use sea_orm::{ConnectionTrait, Statement};
use serde_json::Value;

use crate::both;
use crate::harness::{TestApp, incoming_paper};

async fn count(app: &TestApp, sql: &str) -> i64 {
    let db = &app.registry.db;
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .expect("query")
        .expect("row");
    row.try_get_by_index::<i64>(0).expect("count")
}

both!(seed_keeps_invariants, |app: TestApp| async move {
    let sum = vanthu::seed::seed(&app.registry, 1500, 2025, |_| {})
        .await
        .expect("seed");
    assert_eq!(sum.documents, 1500);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM documents").await, 1500);
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM signatures").await,
        sum.signatures as i64
    );
    // Each book is numbered 1..k without gaps or repeats.
    for (dir, series) in [
        ("incoming", "normal"),
        ("outgoing", "normal"),
        ("incoming", "secret"),
    ] {
        let q = format!(
            "SELECT COUNT(*) FROM documents WHERE direction = '{dir}' AND series = '{series}'"
        );
        let n = count(&app, &q).await;
        let q = format!(
            "SELECT CAST(COALESCE(MAX(register_number), 0) AS BIGINT) FROM documents WHERE direction = '{dir}' AND series = '{series}'"
        );
        assert_eq!(count(&app, &q).await, n, "{dir} {series}");
    }
    // The metrics agree with a count written independently in SQL.
    let expect = count(
        &app,
        "SELECT COUNT(*) FROM documents WHERE channel = 'electronic' AND secrecy = 'none' \
         AND status <> 'recalled' AND register_date BETWEEN '2025-01-01' AND '2025-12-31'",
    )
    .await;
    let (s, m) = app
        .get(
            "/api/v1/compliance?from=2025-01-01&to=2025-12-31",
            &app.auditor,
        )
        .await;
    assert_eq!(s, 200, "{m}");
    let e: &Value = m["metrics"]
        .as_array()
        .expect("metrics")
        .iter()
        .find(|x| x["id"] == "e_signature" && x["group"] == "all")
        .expect("e_signature");
    assert_eq!(e["denominator"].as_i64(), Some(expect), "{e}");
    let valid = count(
        &app,
        "SELECT COUNT(*) FROM documents d JOIN verifications v ON v.document_id = d.id \
         WHERE d.channel = 'electronic' AND d.secrecy = 'none' AND d.status <> 'recalled' \
         AND v.status = 'valid'",
    )
    .await;
    assert_eq!(e["numerator"].as_i64(), Some(valid), "{e}");
    assert!(
        valid > 0 && valid < expect,
        "a realistic mix: {valid}/{expect}"
    );
    // Real registration continues the seeded numbering.
    let last = count(
        &app,
        "SELECT CAST(MAX(register_number) AS BIGINT) FROM documents WHERE direction = 'incoming' AND series = 'normal'",
    )
    .await;
    let (s, d) = app
        .post_json(
            "/api/v1/documents/incoming",
            &incoming_paper("sau dữ liệu mẫu"),
        )
        .await;
    assert_eq!(s, 201, "{d}");
    assert_eq!(d["register_number"].as_i64(), Some(last + 1), "{d}");
    // A database with documents is refused, and nothing is added.
    let err = vanthu::seed::seed(&app.registry, 10, 2025, |_| {})
        .await
        .expect_err("refused");
    assert!(err.to_string().contains("already holds documents"), "{err}");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM documents").await, 1501);
});

// PostgreSQL only for now: on SQLite this loop of several hundred queries
// intermittently fails to open a pooled connection ("unable to open
// database file", code 14) — an open bug, noted in the README. SQLite's
// SQL path is still checked against hand-computed figures in compliance.rs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sql_aggregates_equal_in_memory_postgres() {
    let Some(app) = TestApp::start(crate::harness::Backend::Postgres).await else {
        return;
    };
    use vanthu::compliance::{Filter, GroupBy, compute, fast};
    vanthu::seed::seed(&app.registry, 2500, 2025, |_| {})
        .await
        .expect("seed");
    // Some documents re-verified, so "now" and "at registration" differ.
    let db = &app.registry.db;
    db.execute_unprepared(
        "INSERT INTO verifications (document_id, file_sha256, verified_at, reason, trust_version, status, report) \
         SELECT document_id, file_sha256, verified_at, 'reverify', 'later', 'indeterminate', '{}' \
         FROM verifications WHERE status = 'valid' AND document_id % 7 = 0",
    )
    .await
    .expect("re-verifications");
    let date = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date");
    let mut checked = 0;
    for (from, to) in [("2025-01-01", "2025-12-31"), ("2025-03-10", "2025-05-20")] {
        for unit in [None, Some("SEED03")] {
            for direction in [None, Some("incoming"), Some("outgoing")] {
                for doc_type in [None, Some("QĐ")] {
                    for as_registered in [false, true] {
                        let f = Filter {
                            from: date(from),
                            to: date(to),
                            unit: unit.map(str::to_string),
                            direction: direction.map(str::to_string),
                            doc_type: doc_type.map(str::to_string),
                            as_registered,
                        };
                        for g in [GroupBy::None, GroupBy::Unit, GroupBy::Month, GroupBy::Type] {
                            let slow = compute(&app.registry, &f, g).await.expect("compute").0;
                            let quick = fast::metrics(&app.registry, &f, g).await.expect("fast");
                            assert_eq!(slow, quick, "{f:?} {g:?}");
                            checked += 1;
                        }
                    }
                }
            }
        }
    }
    assert_eq!(checked, 2 * 2 * 3 * 2 * 2 * 4);
    // The re-verifications made "now" differ from "at registration".
    let f = |as_registered| Filter {
        from: date("2025-01-01"),
        to: date("2025-12-31"),
        unit: None,
        direction: None,
        doc_type: None,
        as_registered,
    };
    let now = fast::metrics(&app.registry, &f(false), GroupBy::None)
        .await
        .expect("now");
    let then = fast::metrics(&app.registry, &f(true), GroupBy::None)
        .await
        .expect("then");
    assert!(now[0].numerator < then[0].numerator, "{now:?} {then:?}");
    // Errors are the same as the in-memory path's.
    let mut bad = f(false);
    bad.unit = Some("NOPE".into());
    assert!(
        fast::metrics(&app.registry, &bad, GroupBy::None)
            .await
            .is_err()
    );
}
