//! What a verification relied on is kept: the certificates and the CRL of
//! a registered document are exported as long-term validation data, a
//! re-verification without the configured CRL still finds it, and the
//! signed revision can be downloaded (and extracted on the command line).

use base64::Engine;
use serde_json::json;

use crate::both;
use crate::fixtures::fixture;
use crate::harness::{TestApp, incoming_paper};

both!(evidence_is_kept_and_exported, |app: TestApp| async move {
    let mut m = incoming_paper("Văn bản có chữ ký");
    m["channel"] = json!("electronic");
    let (s, d) = app
        .post_multipart(
            "/api/v1/documents/incoming",
            &m.to_string(),
            Some(fixture("person.pdf")),
        )
        .await;
    assert_eq!(s, 201, "{d}");
    let id = d["id"].as_i64().expect("id");
    assert_eq!(d["verification"]["status"], "valid", "{d}");
    let (s, ltv) = app
        .get(&format!("/api/v1/documents/{id}/ltv"), &app.auditor)
        .await;
    assert_eq!(s, 200, "{ltv}");
    let certs = ltv["certs"].as_array().expect("certs");
    assert!(certs.len() >= 2, "signer and issuing CA: {ltv}");
    let crl = ltv["crls"][0].as_str().expect("the CRL that decided");
    let der = base64::engine::general_purpose::STANDARD
        .decode(crl)
        .expect("b64");
    assert!(openssl::x509::X509Crl::from_der(&der).is_ok());

    // A re-verification under a trust store without the CRL still has it.
    let mut config = vanthu::config::Config::for_data_dir(app._dir.path());
    config.database_url = app.registry_url();
    config.default_trust = false;
    let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    config.trust_paths = vec![repo.join("certs-test/root/root.cert.pem")];
    config.crl_paths = vec![];
    let other = vanthu::app::open_registry(
        &config,
        vanthu::clock::Clock::fixed(crate::harness::default_now()),
    )
    .await
    .expect("open");
    let r = other.reverify(None, |_, _| {}).await.expect("reverify");
    assert_eq!(r.checked, 1);
    let (_, h) = app
        .get(
            &format!("/api/v1/documents/{id}/verifications"),
            &app.auditor,
        )
        .await;
    let last = h
        .as_array()
        .expect("history")
        .last()
        .expect("latest")
        .clone();
    assert_eq!(last["reason"], "reverify");
    assert_eq!(
        last["report"]["signatures"][0]["revocation"], "good",
        "the stored CRL answered: {last}"
    );

    // The signed revision: the signature covers revision 2 of 2.
    let rev = d["verification"]["signatures"][0]["revision"]
        .as_u64()
        .expect("revision");
    let r = app
        .http
        .get(app.url(&format!("/api/v1/documents/{id}/revisions/{rev}")))
        .bearer_auth(&app.clerk)
        .send()
        .await
        .expect("revision");
    assert_eq!(r.status().as_u16(), 200);
    let bytes = r.bytes().await.expect("bytes");
    assert_eq!(
        bytes.len() as u64,
        d["verification"]["signatures"][0]["signed_bytes"]
            .as_u64()
            .expect("signed bytes")
    );
    let (s, _) = app
        .get(
            &format!("/api/v1/documents/{id}/revisions/{}", rev + 1),
            &app.clerk,
        )
        .await;
    assert_eq!(s, 404);
});

#[test]
fn the_command_line_extracts_what_was_signed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/updates/pdf/comment-added-approval.pdf");
    let out = dir.path().join("signed.pdf");
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_vanthu"))
        .args(["verify", "--extract-revision", "2"])
        .arg(&out)
        .arg(&src)
        .output()
        .expect("run");
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let signed = std::fs::read(&out).expect("written");
    let whole = std::fs::read(&src).expect("fixture");
    assert!(signed.len() < whole.len() && whole.starts_with(&signed));
    // What was signed verifies on its own, with nothing after the signature.
    let root =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("certs-test/root/root.cert.pem");
    let v = std::process::Command::new(env!("CARGO_BIN_EXE_vanthu"))
        .args([
            "verify",
            "--json",
            "--no-default-trust",
            "--accept-unknown-revocation",
            "--at",
            "2025-06-01T00:00:00Z",
            "--trust",
        ])
        .arg(&root)
        .arg(&out)
        .output()
        .expect("verify");
    let rep: serde_json::Value =
        serde_json::from_slice(v.stdout.split(|b| *b == b'\n').next().expect("line"))
            .expect("json");
    assert_eq!(rep["status"], "valid", "{rep}");
    assert_eq!(rep["signatures"][0]["coverage"], "entire_file");
    // No such revision: a clear error, exit 2.
    let bad = std::process::Command::new(env!("CARGO_BIN_EXE_vanthu"))
        .args(["verify", "--extract-revision", "9"])
        .arg(dir.path().join("x.pdf"))
        .arg(&src)
        .output()
        .expect("run");
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("no revision 9"));
}
