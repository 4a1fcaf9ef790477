//! `vanthu seed`: the synthetic data set keeps the registers' invariants
//! (contiguous yearly numbers per book, numbering continuing after it), the
//! metrics count it the way an independent SQL count does, and a database
//! that already holds documents is refused.

use sea_orm::{ConnectionTrait, Statement};

use crate::both;
use crate::harness::{TestApp, incoming_paper, metric};

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
    // Seeded rows read back through the API like registered ones.
    for id in [1, 2, 750, 1500] {
        let (s, d) = app
            .get(&format!("/api/v1/documents/{id}"), &app.clerk)
            .await;
        assert_eq!(s, 200, "{d}");
    }
    // Seeded rows carry the search texts registration would write (one
    // recipe), so they are found by number/symbol and issuer, not only subject.
    use sea_orm::EntityTrait;
    let rows = vanthu::entity::documents::Entity::find()
        .all(&app.registry.db)
        .await
        .expect("rows");
    for m in rows.iter().take(200) {
        let t = vanthu::registry::search::texts_of(m);
        assert_eq!(
            (&m.search_text, &m.public_search),
            (&t.staff, &t.public),
            "document {}",
            m.id
        );
        assert_eq!(m.search_version, vanthu::registry::search::SEARCH_VERSION);
    }
    let (s, found) = app.get("/api/v1/documents?q=seed01", &app.clerk).await;
    assert_eq!(s, 200, "{found}");
    assert!(
        found["total"].as_u64().unwrap_or(0) > 0,
        "found by number/symbol: {found}"
    );
    let (s, public) = app.get("/public/v1/documents?q=seed01", "").await;
    assert_eq!(s, 200, "{public}");
    assert!(
        public["total"].as_u64().unwrap_or(0) > 0,
        "the public finds them too: {public}"
    );
    // The metrics agree with a count written independently in SQL.
    let expect = count(
        &app,
        "SELECT COUNT(*) FROM documents WHERE channel = 'electronic' AND secrecy = 'none' \
         AND status <> 'recalled' AND register_date BETWEEN '2025-01-01' AND '2025-12-31'",
    )
    .await;
    let m = app.compliance("from=2025-01-01&to=2025-12-31").await;
    let e = metric(&m, "e_signature", "all");
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

/// Every row of the counter tables that counts something, as text.
async fn counters(app: &TestApp) -> Vec<String> {
    let mut out = Vec::new();
    for sql in [
        "SELECT CAST(basis AS TEXT) || '|' || CAST(register_date AS TEXT) || '|' || CAST(unit_id AS TEXT) \
         || '|' || direction || '|' || doc_type || '|' || CAST(e_sig_den AS TEXT) || '|' || CAST(e_sig_num AS TEXT) \
         || '|' || CAST(dual_den AS TEXT) || '|' || CAST(dual_num AS TEXT) || '|' || CAST(exch_den AS TEXT) \
         || '|' || CAST(exch_num AS TEXT) || '|' || CAST(digi_den AS TEXT) || '|' || CAST(digi_num AS TEXT) \
         FROM compliance_counts WHERE e_sig_den <> 0 OR e_sig_num <> 0 OR dual_den <> 0 OR dual_num <> 0 \
         OR exch_den <> 0 OR exch_num <> 0 OR digi_den <> 0 OR digi_num <> 0",
        "SELECT CAST(due_on AS TEXT) || '|' || CAST(unit_id AS TEXT) || '|' || doc_type || '|' \
         || CAST(due AS TEXT) || '|' || CAST(on_time AS TEXT) FROM compliance_due WHERE due <> 0 OR on_time <> 0",
        "SELECT CAST(basis AS TEXT) || '|' || signer_fingerprint || '|' || signer_name || '|' \
         || CAST(register_date AS TEXT) || '|' || CAST(unit_id AS TEXT) || '|' || direction || '|' || doc_type \
         || '|' || CAST(n AS TEXT) FROM compliance_signers WHERE n <> 0",
    ] {
        let db = &app.registry.db;
        for row in db
            .query_all_raw(Statement::from_string(db.get_database_backend(), sql))
            .await
            .expect("counters")
        {
            out.push(row.try_get_by_index::<String>(0).expect("text"));
        }
    }
    out.sort();
    out
}

async fn ids(app: &TestApp, sql: &str) -> Vec<i64> {
    let db = &app.registry.db;
    db.query_all_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .expect("ids")
        .into_iter()
        .map(|r| r.try_get_by_index::<i32>(0).expect("id") as i64)
        .collect()
}

/// Every page of every metric's evidence, read from SQL a page at a time,
/// equals the in-memory pass's evidence (as a set: pages go by id).
async fn evidence_pages_agree(
    app: &TestApp,
    f: &vanthu::compliance::Filter,
    g: vanthu::compliance::GroupBy,
    all: Vec<vanthu::compliance::Evidence>,
) {
    for (metric, _, _) in vanthu::compliance::METRICS {
        let key = |e: &vanthu::compliance::Evidence| (e.document_id, e.official_id);
        let mut want: Vec<_> = all
            .iter()
            .filter(|e| e.metric == *metric)
            .cloned()
            .collect();
        want.sort_by_key(key);
        let mut got = Vec::new();
        let mut page = 1;
        loop {
            let vanthu::compliance::evidence::EvidencePage { items, total, .. } =
                vanthu::compliance::evidence::page(&app.registry, f, g, metric, page, 37)
                    .await
                    .expect("evidence page");
            assert_eq!(total as usize, want.len(), "{metric} total {f:?} {g:?}");
            assert!(items.len() <= 37);
            if items.is_empty() {
                break;
            }
            got.extend(items);
            page += 1;
        }
        got.sort_by_key(key);
        assert_eq!(got, want, "{metric} {f:?} {g:?}");
    }
}

// The three ways of computing the metrics agree: the counters maintained
// with every change (what the API answers from), the recount in SQL, and
// the in-memory pass that produces the evidence — on seeded data changed
// afterwards through the API (handling, unit moves, recalls, new signed
// documents), in every combination of period, unit, direction, type,
// verification basis and grouping; and rebuilding the counters from
// scratch gives the same rows.
both!(three_paths_agree, |app: TestApp| async move {
    use vanthu::compliance::{Filter, GroupBy, compute, fast, rollup};
    vanthu::seed::seed(&app.registry, 1500, 2025, |_| {})
        .await
        .expect("seed");
    // Some documents re-verified behind the program's back (plain SQL), so
    // "now" and "at registration" differ; the counters are rebuilt for it.
    let db = &app.registry.db;
    db.execute_unprepared(
        "INSERT INTO verifications (document_id, file_sha256, verified_at, reason, trust_version, status, report) \
         SELECT document_id, file_sha256, verified_at, 'reverify', 'later', 'indeterminate', '{}' \
         FROM verifications WHERE status = 'valid' AND document_id % 7 = 0",
    )
    .await
    .expect("re-verifications");
    rollup::rebuild(db).await.expect("rebuild");
    // Changes through the API, each keeping the counters in step.
    for id in ids(
        &app,
        "SELECT id FROM documents WHERE direction = 'incoming' AND due_on IS NOT NULL \
         AND resolved_on IS NULL AND status <> 'recalled' AND register_date <= '2025-06-15' ORDER BY id LIMIT 15",
    )
    .await
    {
        let (s, d) = app
            .patch_json(
                &format!("/api/v1/documents/{id}/handling"),
                &serde_json::json!({"status": "done", "resolved_on": "2025-06-15"}),
            )
            .await;
        assert_eq!(s, 200, "{d}");
    }
    for id in ids(
        &app,
        "SELECT id FROM documents WHERE direction = 'incoming' AND status <> 'recalled' \
         AND unit_id IS NOT NULL ORDER BY id DESC LIMIT 10",
    )
    .await
    {
        let (s, d) = app
            .patch_json(
                &format!("/api/v1/documents/{id}/handling"),
                &serde_json::json!({"unit": "SEED03"}),
            )
            .await;
        assert_eq!(s, 200, "{d}");
    }
    for id in ids(
        &app,
        "SELECT id FROM documents WHERE status <> 'recalled' AND id % 97 = 0",
    )
    .await
    {
        let (s, d) = app
            .post_json(
                &format!("/api/v1/documents/{id}/recall"),
                &serde_json::json!({"reason": "kiểm thử"}),
            )
            .await;
        assert_eq!(s, 200, "{d}");
    }
    for (i, file) in [
        "person.pdf",
        "person-then-organisation.pdf",
        "tampered-byte.pdf",
    ]
    .into_iter()
    .enumerate()
    {
        let mut meta = incoming_paper(&format!("điện tử {i}"));
        meta["channel"] = serde_json::json!("electronic");
        meta["unit"] = serde_json::json!("SEED03");
        meta["due_on"] = serde_json::json!("2025-06-20");
        let (s, d) = app
            .post_multipart(
                "/api/v1/documents/incoming",
                &meta.to_string(),
                Some(crate::fixtures::fixture(file)),
            )
            .await;
        assert_eq!(s, 201, "{d}");
    }

    let date = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date");
    let mut checked = 0;
    for (from, to) in [("2025-01-01", "2025-12-31"), ("2025-03-10", "2025-06-20")] {
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
                            let counted =
                                rollup::metrics(&app.registry, &app.state.web.targets, &f, g)
                                    .await
                                    .expect("rollup");
                            let recount =
                                fast::metrics(&app.registry, &app.state.web.targets, &f, g)
                                    .await
                                    .expect("fast");
                            assert_eq!(counted, recount, "{f:?} {g:?}");
                            // The in-memory pass is slower: checked on the ungrouped and by-unit views.
                            if matches!(g, GroupBy::None | GroupBy::Unit) {
                                let (slow, ev) =
                                    compute(&app.registry, &app.state.web.targets, &f, g)
                                        .await
                                        .expect("compute");
                                assert_eq!(slow, recount, "{f:?} {g:?}");
                                if unit.is_none() && doc_type.is_none() {
                                    evidence_pages_agree(&app, &f, g, ev).await;
                                }
                            }
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
        as_registered,
        ..crate::harness::period("2025-01-01", "2025-12-31")
    };
    let now = rollup::metrics(
        &app.registry,
        &app.state.web.targets,
        &f(false),
        GroupBy::None,
    )
    .await
    .expect("now");
    let then = rollup::metrics(
        &app.registry,
        &app.state.web.targets,
        &f(true),
        GroupBy::None,
    )
    .await
    .expect("then");
    assert!(now[0].numerator < then[0].numerator, "{now:?} {then:?}");
    // Maintained counters equal counters rebuilt from scratch, row by row.
    let kept = counters(&app).await;
    assert!(kept.len() > 100, "{}", kept.len());
    rollup::rebuild(db).await.expect("rebuild");
    assert_eq!(kept, counters(&app).await);
    // Errors are the same on every path.
    let mut bad = f(false);
    bad.unit = Some("NOPE".into());
    assert!(
        rollup::metrics(&app.registry, &app.state.web.targets, &bad, GroupBy::None)
            .await
            .is_err()
    );
    assert!(
        fast::metrics(&app.registry, &app.state.web.targets, &bad, GroupBy::None)
            .await
            .is_err()
    );
});
