//! Register numbers: contiguous and unique under concurrency, yearly restart
//! at Vietnam midnight, separate secret series, number/symbol format.

use serde_json::json;

use crate::both;
use crate::harness::{TestApp, incoming_paper};

both!(
    concurrent_registrations_are_contiguous,
    |app: TestApp| async move {
        let app = std::sync::Arc::new(app);
        let mut tasks = Vec::new();
        for t in 0..8 {
            let app = app.clone();
            tasks.push(tokio::spawn(async move {
                let mut got = Vec::with_capacity(200);
                for i in 0..200 {
                    let (status, body) = app
                        .post_json(
                            "/api/v1/documents/incoming",
                            &incoming_paper(&format!("Văn bản {t}-{i}")),
                        )
                        .await;
                    assert_eq!(status, 201, "{body}");
                    got.push(body["register_number"].as_i64().expect("number"));
                }
                got
            }));
        }
        let mut all = Vec::new();
        for t in tasks {
            all.extend(t.await.expect("task"));
        }
        all.sort_unstable();
        let want: Vec<i64> = (1..=1600).collect();
        assert_eq!(all, want, "numbers must be exactly 1..=1600, each once");
        assert_eq!(app.count("documents").await, 1600);
    }
);

both!(
    yearly_restart_and_secret_series,
    |app: TestApp| async move {
        // 23:59:59 on 31 December 2024 in Vietnam.
        app.set_now("2024-12-31T16:59:59Z");
        let mut meta = json!({"doc_type": "QĐ", "subject": "Quyết định cuối năm", "unit": "VP", "channel": "paper"});
        let (s, a) = app.post_json("/api/v1/documents/outgoing", &meta).await;
        assert_eq!(s, 201, "{a}");
        let (s, b) = app.post_json("/api/v1/documents/outgoing", &meta).await;
        assert_eq!(s, 201, "{b}");
        assert_eq!(
            (a["year"].as_i64(), a["register_number"].as_i64()),
            (Some(2024), Some(1))
        );
        assert_eq!(b["number_symbol"], "02/QĐ-SNV");
        assert_eq!(b["issued_on"], "2024-12-31");

        // 00:00:00 on 1 January 2025 in Vietnam (still 31 December in UTC).
        app.set_now("2024-12-31T17:00:00Z");
        meta["subject"] = json!("Quyết định đầu năm");
        let (s, c) = app.post_json("/api/v1/documents/outgoing", &meta).await;
        assert_eq!(s, 201, "{c}");
        assert_eq!(c["year"], 2025);
        assert_eq!(c["number_symbol"], "01/QĐ-SNV");
        assert_eq!(c["issued_on"], "2025-01-01");

        // A secret document starts its own series; the normal one continues.
        let mut secret = meta.clone();
        secret["secrecy"] = json!("mat");
        let (s, d) = app.post_json("/api/v1/documents/outgoing", &secret).await;
        assert_eq!(s, 201, "{d}");
        assert_eq!(
            (d["series"].as_str(), d["register_number"].as_i64()),
            (Some("secret"), Some(1))
        );
        assert_eq!(d["is_public"], false);
        let (s, e) = app.post_json("/api/v1/documents/outgoing", &meta).await;
        assert_eq!(s, 201, "{e}");
        assert_eq!(
            (e["series"].as_str(), e["register_number"].as_i64()),
            (Some("normal"), Some(2))
        );

        // A công văn is numbered NN/AGENCY-UNIT in the same series as other types.
        let cv = json!({"doc_type": "cong van", "subject": "Về việc cử cán bộ", "unit": "TCBC", "channel": "paper"});
        let (s, f) = app.post_json("/api/v1/documents/outgoing", &cv).await;
        assert_eq!(s, 201, "{f}");
        assert_eq!(f["number_symbol"], "03/SNV-TCBC");

        // Incoming has its own số đến series, also restarting per year.
        let (s, g) = app.post_json("/api/v1/documents/incoming", &json!({
        "doc_type": "TB", "issuer": "Bộ Nội vụ", "issued_on": "2024-12-30", "received_on": "2025-01-01",
        "subject": "Thông báo", "channel": "paper"})).await;
        assert_eq!(s, 201, "{g}");
        assert_eq!(
            (g["year"].as_i64(), g["register_number"].as_i64()),
            (Some(2025), Some(1))
        );
    }
);

#[test]
fn number_format_pads_to_two_digits() {
    use vanthu::registry::numbering::format_number;
    assert_eq!(format_number(1), "01");
    assert_eq!(format_number(9), "09");
    assert_eq!(format_number(10), "10");
    assert_eq!(format_number(1600), "1600");
}
