//! The project's own fixtures (`tests/fixtures/`, made by pyHanko and by
//! byte-level forgeries from the test PKI in `certs-test/`): each gives the
//! status and sub-indication its row in `expected.tsv` names. Also
//! verification on arrival through the API, and `POST /api/v1/verify`.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use vanthu::sigverify::report::{Coverage, SignerRole, Status};
use vanthu::sigverify::{Options, Policy, TrustStore, verify};

use crate::both;
use crate::harness::{TestApp, incoming_paper};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

pub fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(root().join("tests/fixtures/pdf").join(name)).expect("fixture")
}

fn word<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// The test PKI's root and CRL, at 2025-06-01 (the fixtures' conditions).
pub fn test_options() -> Options {
    let mut trust = TrustStore::empty();
    trust
        .add_anchors(&root().join("certs-test/root/root.cert.pem"))
        .expect("root");
    trust
        .add_crls(&root().join("certs-test/intermediate/crl.der"))
        .expect("crl");
    Options {
        trust,
        at: Some("2025-06-01T00:00:00Z".parse().expect("time")),
        policy: Policy::default(),
        ..Default::default()
    }
}

#[test]
fn every_fixture_gives_its_expected_result() {
    let opts = test_options();
    let table =
        std::fs::read_to_string(root().join("tests/fixtures/expected.tsv")).expect("expected.tsv");
    let mut failures = Vec::new();
    let mut n = 0;
    for line in table.lines().skip(1) {
        let c: Vec<&str> = line.split('\t').collect();
        let (file, status, sub) = (c[0], c[1], c[2]);
        let rep = verify(file, &fixture(file), &opts);
        n += 1;
        let got_sub = rep
            .signatures
            .iter()
            .find_map(|s| s.sub_indication.map(|x| x.code()))
            .unwrap_or("-");
        let ok = if file == "person-then-organisation.pdf" {
            // The person's signature covers an earlier revision, followed only by
            // the organisation's signature (form filling); both are valid.
            let [p, o] = &rep.signatures[..] else {
                panic!("two signatures expected")
            };
            rep.status == Status::Valid
                && o.coverage == Coverage::EntireFile
                && o.signer.as_ref().map(|s| s.role) == Some(SignerRole::Organisation)
                && p.signer.as_ref().map(|s| s.role) == Some(SignerRole::Person)
                && p.coverage == Coverage::EntireRevision
                && word(&p.modifications) == "form_filling"
                && rep.decree30.person
                && rep.decree30.organisation
        } else if file == "appended-content.pdf" {
            // New page content after signing: invalid, named as such.
            rep.status == Status::Invalid
                && rep.signatures[0]
                    .problems
                    .iter()
                    .any(|p| p.code == "MODIFIED_AFTER_SIGNING")
        } else {
            word(&rep.status) == status && got_sub == sub
        };
        if !ok {
            failures.push(format!(
                "{file}: expected {status}/{sub}, got {}/{got_sub}",
                word(&rep.status)
            ));
        }
    }
    assert!(n >= 25, "expected.tsv lists the fixtures");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn without_the_crl_revocation_is_unknown() {
    let mut opts = test_options();
    opts.trust.crls.clear();
    let rep = verify("person.pdf", &fixture("person.pdf"), &opts);
    assert_eq!(rep.status, Status::Indeterminate);
    assert_eq!(
        rep.signatures[0].sub_indication.map(|s| s.code()),
        Some("TRY_LATER")
    );
    opts.policy.accept_unknown_revocation = true;
    assert_eq!(
        verify("person.pdf", &fixture("person.pdf"), &opts).status,
        Status::Valid
    );
}

#[test]
fn names_keep_their_diacritics_and_roles_are_classified() {
    let rep = verify(
        "p.pdf",
        &fixture("person-then-organisation.pdf"),
        &test_options(),
    );
    let names: Vec<String> = rep
        .signatures
        .iter()
        .filter_map(|s| s.signer.as_ref()?.common_name.clone())
        .collect();
    assert_eq!(names, ["Nguyễn Văn An", "Sở Nội vụ Thành phố Hồ Chí Minh"]);
    assert!(rep.decree30.organisation);
}

#[test]
fn not_a_pdf_is_a_malformed_report() {
    let rep = verify("x.pdf", b"GIF89a not a pdf", &test_options());
    assert_eq!(rep.status, Status::Invalid);
    assert_eq!(rep.problems[0].code, "MALFORMED_PDF");
    let rep = verify(
        "t.pdf",
        b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF",
        &test_options(),
    );
    assert_ne!(rep.status, Status::Valid);
}

both!(verification_on_arrival, |app: TestApp| async move {
    // The harness trusts the test root and loads its CRL.
    let mut m = incoming_paper("Văn bản ký số của cá nhân");
    m["channel"] = json!("electronic");
    let (s, d) = app
        .post_multipart(
            "/api/v1/documents/incoming",
            &m.to_string(),
            Some(fixture("person.pdf")),
        )
        .await;
    assert_eq!(s, 201, "{d}");
    assert_eq!(d["verification"]["status"], "valid", "{d}");
    assert_eq!(
        d["verification"]["signatures"][0]["signer"]["common_name"],
        "Nguyễn Văn An"
    );
    let id = d["id"].as_i64().expect("id");
    assert_eq!(app.count("verifications").await, 1);
    assert_eq!(app.count("signatures").await, 1);
    // Reading it back carries the same report.
    let (_, g) = app
        .get(&format!("/api/v1/documents/{id}"), &app.auditor)
        .await;
    assert_eq!(g["verification"], d["verification"]);
    // A tampered file is registered (the clerk decides what to do) but reported invalid.
    let mut m2 = incoming_paper("Văn bản bị sửa");
    m2["channel"] = json!("electronic");
    m2["issuer"] = json!("Sở Tài chính");
    let (s, t) = app
        .post_multipart(
            "/api/v1/documents/incoming",
            &m2.to_string(),
            Some(fixture("tampered-byte.pdf")),
        )
        .await;
    assert_eq!(s, 201, "{t}");
    assert_eq!(t["verification"]["status"], "invalid");
    assert_eq!(
        t["verification"]["signatures"][0]["sub_indication"],
        "HASH_FAILURE"
    );
    // A paper document has no report.
    let (_, p) = app
        .post_json("/api/v1/documents/incoming", &incoming_paper("Giấy"))
        .await;
    assert_eq!(p["verification"], Value::Null);

    // Verify without registering.
    let r = app
        .http
        .post(app.url("/api/v1/verify"))
        .bearer_auth(&app.auditor)
        .header("content-type", "application/pdf")
        .body(fixture("revoked.pdf"))
        .send()
        .await
        .expect("verify");
    assert_eq!(r.status().as_u16(), 200);
    let rep: Value = r.json().await.expect("json");
    assert_eq!(
        (
            rep["status"].as_str(),
            rep["signatures"][0]["sub_indication"].as_str()
        ),
        (Some("invalid"), Some("REVOKED"))
    );
    assert_eq!(
        app.count("documents").await,
        3,
        "verifying does not register"
    );
    let r = app
        .http
        .post(app.url("/api/v1/verify"))
        .bearer_auth(&app.clerk)
        .header("content-type", "application/pdf")
        .body("not a pdf")
        .send()
        .await
        .expect("verify");
    assert_eq!(r.status().as_u16(), 415);

    // Re-verification keeps history; with an emptied trust store the status changes.
    let mut reg = (*app.registry).clone();
    let mut opts = (*reg.verifier).clone();
    opts.trust.anchors.clear();
    reg.verifier = std::sync::Arc::new(opts);
    let out = reg.reverify(None, |_, _| {}).await.expect("reverify");
    assert_eq!((out.checked, out.changed, out.failed), (2, 1, 0), "{out:?}");
    let (s, h) = app
        .get(&format!("/api/v1/documents/{id}/verifications"), &app.clerk)
        .await;
    assert_eq!(s, 200);
    let statuses: Vec<&str> = h
        .as_array()
        .expect("list")
        .iter()
        .map(|v| v["status"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(statuses, ["valid", "indeterminate"]);
    assert_eq!(h[1]["reason"], "reverify");
    let (_, g) = app
        .get(&format!("/api/v1/documents/{id}"), &app.auditor)
        .await;
    assert_eq!(
        g["verification"]["status"], "indeterminate",
        "the latest report is the current one"
    );
});
