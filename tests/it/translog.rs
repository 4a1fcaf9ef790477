//! The public transparency log in the product: public events are logged,
//! secret documents never appear, receipts and proofs verify, and the
//! monitor (`vanthu tlog verify`) catches a rewritten or truncated log.

use std::process::Command;

use base64::Engine;
use proptest::prelude::*;
use sea_orm::ConnectionTrait;
use serde_json::json;
use vanthu::tlog::merkle;
use vanthu::tlog::note::VerifierKey;
use vanthu::tlog::receipt::Receipt;

use crate::both;
use crate::harness::{TestApp, incoming_paper};

fn monitor(app: &TestApp, state: &std::path::Path, vkey: &str) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_vanthu"))
        .args([
            "tlog", "verify", "--url", &app.base, "--vkey", vkey, "--state",
        ])
        .arg(state)
        .output()
        .expect("run");
    (
        out.status.code().unwrap_or(-1),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

/// The sequencer `vanthu serve` runs, started by the application builder:
/// a registered document's event becomes an entry under a checkpoint
/// signed by the log's key, with no test calling the log by hand.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_background_sequencer_turns_queued_events_into_a_signed_checkpoint() {
    let app = TestApp::start_setup(
        crate::harness::Backend::Sqlite,
        |_| {},
        |s| {
            s.sequence_every = Some(std::time::Duration::from_millis(50));
        },
    )
    .await
    .expect("sqlite app");
    let (s, a) = app
        .post_json(
            "/api/v1/documents/incoming",
            &incoming_paper("Báo cáo sơ kết cải cách hành chính"),
        )
        .await;
    assert_eq!(s, 201, "{a}");
    let vkey = app.log.vkey().expect("vkey");
    let key = VerifierKey::parse(vkey.trim()).expect("vkey parses");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let checkpoint = loop {
        let r = app
            .http
            .get(app.url("/log/checkpoint"))
            .send()
            .await
            .expect("checkpoint");
        if r.status().as_u16() == 200 {
            let note = r.text().await.expect("text");
            let (text, signers) = vanthu::tlog::note::open(&note, std::slice::from_ref(&key))
                .expect("signed by the log");
            assert_eq!(signers, vec!["vanthu.test/log".to_string()]);
            let c = vanthu::tlog::Checkpoint::parse(text).expect("checkpoint parses");
            if c.size >= 1 {
                break c;
            }
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no checkpoint covering the registration within 30 s"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    assert_eq!(checkpoint.origin, "vanthu.test/log");
    assert_eq!(checkpoint.size, 1, "one public event: the registration");
    assert_eq!(
        checkpoint.root,
        app.log.root(1).await.expect("root"),
        "the checkpoint signs the tree the log holds"
    );
    let (s, receipt) = app
        .get(&format!("/public/v1/documents/{}/receipt", a["id"]), "")
        .await;
    assert_eq!(s, 200, "{receipt}");
}

both!(public_log_end_to_end, |app: TestApp| async move {
    let now = chrono::Utc::now();
    let (s, a) = app
        .post_json(
            "/api/v1/documents/incoming",
            &incoming_paper("Công khai: kế hoạch cải cách"),
        )
        .await;
    assert_eq!(s, 201, "{a}");
    let mut secret = incoming_paper("TUYỆT MẬT phương án nhân sự");
    secret["secrecy"] = json!("tuyet_mat");
    secret["number_symbol"] = json!("77/MAT-XYZ");
    let (s, b) = app.post_json("/api/v1/documents/incoming", &secret).await;
    assert_eq!(s, 201, "{b}");
    let (s, _) = app
        .post_json(
            &format!("/api/v1/documents/{}/recall", a["id"]),
            &json!({"reason": "Gửi nhầm"}),
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(
        app.log.integrate(now).await.expect("integrate"),
        2,
        "registered + recalled; nothing for the secret one"
    );
    app.log.checkpoint(now).await.expect("checkpoint");

    // Nothing public mentions the secret document.
    let bundle = app
        .http
        .get(app.url("/log/tile/entries/000.p/2"))
        .send()
        .await
        .expect("tile");
    assert_eq!(bundle.status().as_u16(), 200);
    let bytes = bundle.bytes().await.expect("bytes");
    let text = String::from_utf8_lossy(&bytes);
    assert!(text.contains("Công khai") && text.contains("\"event\":\"recalled\""));
    assert!(
        !text.contains("MẬT") && !text.contains("77/MAT"),
        "secret content leaked"
    );

    // The verifier key, checkpoint, proofs and receipt verify.
    let vkey = app
        .http
        .get(app.url("/log/vkey"))
        .send()
        .await
        .expect("vkey")
        .text()
        .await
        .expect("text");
    let key = VerifierKey::parse(vkey.trim()).expect("vkey parses");
    let r = app
        .http
        .get(app.url(&format!("/public/v1/documents/{}/receipt", a["id"])))
        .send()
        .await
        .expect("receipt");
    assert_eq!(r.status().as_u16(), 200);
    let receipt = Receipt::parse(&r.text().await.expect("text")).expect("receipt parses");
    let entries = vanthu::tlog::tiles::parse_bundle(&bytes).expect("bundle");
    let leaf = merkle::leaf_hash(&entries[receipt.index as usize]);
    receipt
        .verify(&leaf, &key, "vanthu.test/log")
        .expect("receipt verifies");
    let (_, p) = app
        .get("/public/v1/proof/inclusion?index=0&size=2", "")
        .await;
    assert_eq!(p["hashes"].as_array().map(Vec::len), Some(1));
    let hash_b64 = base64::engine::general_purpose::STANDARD.encode(merkle::leaf_hash(&entries[1]));
    let (_, p) = app
        .get(
            &format!(
                "/public/v1/proof/inclusion?hash={}&size=2",
                url::form_urlencoded::byte_serialize(hash_b64.as_bytes()).collect::<String>()
            ),
            "",
        )
        .await;
    assert_eq!(p["index"], 1);
    let (s, _) = app
        .get("/public/v1/proof/inclusion?index=5&size=2", "")
        .await;
    assert_eq!(s, 422);
    let (s, _) = app
        .get("/public/v1/proof/consistency?from=1&to=9", "")
        .await;
    assert_eq!(s, 422);
    let (s, _) = app.get("/public/v1/documents/9999/receipt", "").await;
    assert_eq!(s, 404);
    let r = app
        .http
        .get(app.url("/log/tile/0/000.p/3"))
        .send()
        .await
        .expect("tile");
    assert_eq!(r.status().as_u16(), 404, "no tile beyond the log");

    // The monitor passes, then catches a rewritten entry.
    let dir = tempfile::tempdir().expect("tempdir");
    let state = dir.path().join("state.json");
    let (code, out) = monitor(&app, &state, vkey.trim());
    assert_eq!(code, 0, "{out}");
    // A normal append: passes and advances.
    let (s, _) = app
        .post_json(
            "/api/v1/documents/incoming",
            &incoming_paper("Văn bản thứ ba"),
        )
        .await;
    assert_eq!(s, 201);
    app.log.integrate(now).await.expect("integrate");
    app.log.checkpoint(now).await.expect("checkpoint");
    let (code, out) = monitor(&app, &state, vkey.trim());
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("was 2 entries"), "{out}");
    // Rewriting one stored entry is caught.
    app.registry
        .db
        .execute_unprepared(
            "UPDATE tlog_entries SET data = REPLACE(data, 'cải cách', 'CẢI CÁCH') WHERE idx = 0",
        )
        .await
        .expect("tamper");
    let (code, out) = monitor(&app, &state, vkey.trim());
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("INCONSISTENT"), "{out}");
    // Truncating the log is caught.
    app.registry
        .db
        .execute_unprepared("DELETE FROM tlog_entries WHERE idx = 2")
        .await
        .expect("truncate");
    let (code, out) = monitor(&app, &state, vkey.trim());
    assert_ne!(code, 0, "{out}");
});

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, ..ProptestConfig::default() })]

    #[test]
    fn no_secret_field_reaches_a_public_byte(docs in prop::collection::vec((any::<bool>(), 0u32..1_000_000), 1..8)) {
        let rt = tokio::runtime::Runtime::new().expect("runtime");
        rt.block_on(async move {
            let app = TestApp::start(crate::harness::Backend::Sqlite).await.expect("app");
            let mut secrets = Vec::new();
            for (i, (secret, tag)) in docs.iter().enumerate() {
                let token = format!("TOKEN{tag}X{i}");
                let mut m = incoming_paper(&format!("Trích yếu {token}"));
                m["number_symbol"] = json!(format!("{i}/{token}"));
                m["issuer"] = json!(format!("Cơ quan {token}"));
                m["signer_name"] = json!(format!("Người ký {token}"));
                if *secret {
                    m["secrecy"] = json!("mat");
                    secrets.push(token);
                }
                let (s, _) = app.post_json("/api/v1/documents/incoming", &m).await;
                assert_eq!(s, 201);
            }
            let now = chrono::Utc::now();
            let size = app.log.integrate(now).await.expect("integrate");
            let note = app.log.checkpoint(now).await.expect("checkpoint");
            let mut public = note.into_bytes();
            let mut n = 0;
            while n * 256 < size {
                let w = (size - n * 256).min(256);
                public.extend(app.log.entries(n, w).await.expect("entries").expect("bundle"));
                n += 1;
            }
            let text = String::from_utf8_lossy(&public);
            for t in &secrets {
                assert!(!text.contains(t.as_str()), "secret token {t} in public output");
            }
            assert_eq!(size as usize, docs.iter().filter(|(s, _)| !s).count());
        });
    }
}
