//! `vanthu sign` against the verifier: one signature per case of the test
//! PKI gives the expected status and sub-indication; a person-then-
//! organisation document keeps the person's signature intact; B-T
//! timestamps prove the signing time. Independent cross-checks of these
//! files with pyHanko and pdfsig are in tests/fixtures/README.md.

use std::path::{Path, PathBuf};

use vanthu::sign::{self, Credentials, Placement, SignOptions};
use vanthu::sigverify::report::{Coverage, SignerRole, Status};
use vanthu::sigverify::{Options, Policy, TrustStore, verify};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

fn creds(name: &str) -> Credentials {
    let dir = repo().join("certs-test").join(name);
    let key = std::fs::read(dir.join(format!("{name}.key.pem"))).expect("key");
    let chain = std::fs::read(dir.join(format!("{name}.chain.pem"))).expect("chain");
    sign::from_pem(&key, &chain).expect("credentials")
}

fn base() -> Vec<u8> {
    std::fs::read(repo().join("tests/fixtures/pdf/base.pdf")).expect("base.pdf")
}

fn opts(field: &str, time: &str) -> SignOptions {
    SignOptions {
        field: field.into(),
        reason: Some("Phê duyệt".into()),
        location: Some("Thành phố Hồ Chí Minh".into()),
        contact: None,
        visible: None,
        time: time.parse().expect("time"),
        pades: true,
        tsa: None,
    }
}

fn verifier() -> Options {
    let mut trust = TrustStore::empty();
    trust
        .add_anchors(&repo().join("certs-test/root/root.cert.pem"))
        .expect("root");
    trust
        .add_crls(&repo().join("certs-test/intermediate/crl.der"))
        .expect("crl");
    Options {
        trust,
        at: Some("2025-06-01T00:00:00Z".parse().expect("time")),
        policy: Policy::default(),
        ..Default::default()
    }
}

/// Append an incremental update that replaces page 1's content stream.
fn append_page_content(pdf: &[u8]) -> Vec<u8> {
    let doc = lopdf::Document::load_mem(pdf).expect("load");
    let page_id = *doc.get_pages().get(&1).expect("page 1");
    let mut page = doc.get_dictionary(page_id).expect("page").clone();
    let next = doc.max_id + 1;
    page.set("Contents", lopdf::Object::Reference((next, 0)));
    let prev = pdf
        .windows(9)
        .rposition(|w| w == b"startxref")
        .expect("startxref");
    let prev_off: usize = String::from_utf8_lossy(&pdf[prev + 10..])
        .split_whitespace()
        .next()
        .expect("offset")
        .parse()
        .expect("number");
    let mut out = pdf.to_vec();
    let content = b"BT /F1 40 Tf 100 700 Td (PAID) Tj ET";
    let a = out.len();
    out.extend_from_slice(
        format!("{next} 0 obj\n<< /Length {} >>\nstream\n", content.len()).as_bytes(),
    );
    out.extend_from_slice(content);
    out.extend_from_slice(b"\nendstream\nendobj\n");
    let b = out.len();
    out.extend_from_slice(format!("{} 0 obj\n", page_id.0).as_bytes());
    lopdf::Writer::write_object(&mut out, &lopdf::Object::Dictionary(page)).expect("write");
    out.extend_from_slice(b"\nendobj\n");
    let x = out.len();
    let root = doc
        .trailer
        .get(b"Root")
        .expect("root")
        .as_reference()
        .expect("ref");
    out.extend_from_slice(
        format!(
            "xref\n{next} 1\n{a:010} 00000 n\r\n{} 1\n{b:010} 00000 n\r\ntrailer\n<< /Size {} /Root {} 0 R /Prev {prev_off} >>\nstartxref\n{x}\n%%EOF\n",
            page_id.0,
            next + 1,
            root.0
        )
        .as_bytes(),
    );
    out
}

fn code(r: &vanthu::sigverify::report::Report) -> (Status, &'static str) {
    (
        r.status,
        r.signatures
            .first()
            .and_then(|s| s.sub_indication)
            .map(|s| s.code())
            .unwrap_or("-"),
    )
}

#[test]
fn every_pki_case_signed_by_vanthu() {
    let v = verifier();
    let cases: &[(&str, &str, Status, &str)] = &[
        ("person", "2025-03-01T03:00:00Z", Status::Valid, "-"),
        ("person-ec", "2025-03-01T03:00:00Z", Status::Valid, "-"),
        ("person-pss", "2025-03-01T03:00:00Z", Status::Valid, "-"),
        ("organisation", "2025-03-01T03:00:00Z", Status::Valid, "-"),
        (
            "expired",
            "2025-03-01T03:00:00Z",
            Status::Indeterminate,
            "OUT_OF_BOUNDS_NO_POE",
        ),
        (
            "notyetvalid",
            "2025-03-01T03:00:00Z",
            Status::Invalid,
            "NOT_YET_VALID",
        ),
        (
            "revoked",
            "2025-03-01T03:00:00Z",
            Status::Invalid,
            "REVOKED",
        ),
        (
            "revoked",
            "2024-03-01T03:00:00Z",
            Status::Indeterminate,
            "REVOKED_NO_POE",
        ),
        (
            "weak",
            "2025-03-01T03:00:00Z",
            Status::Indeterminate,
            "CRYPTO_CONSTRAINTS_FAILURE",
        ),
        (
            "wrongku",
            "2025-03-01T03:00:00Z",
            Status::Indeterminate,
            "SIG_CONSTRAINTS_FAILURE",
        ),
        (
            "untrusted",
            "2025-03-01T03:00:00Z",
            Status::Indeterminate,
            "NO_CERTIFICATE_CHAIN_FOUND",
        ),
    ];
    let mut failures = Vec::new();
    for (name, time, status, sub) in cases {
        let pdf = sign::sign(&base(), &creds(name), &opts("Signature1", time)).expect("sign");
        let r = verify(name, &pdf, &v);
        if code(&r) != (*status, *sub) {
            failures.push(format!(
                "{name} at {time}: expected {status:?}/{sub}, got {:?}",
                code(&r)
            ));
        }
        assert_eq!(r.signatures[0].coverage, Coverage::EntireFile, "{name}");
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn person_then_organisation_with_timestamp() {
    let v = verifier();
    let mut first = opts("Signature1", "2025-03-01T03:00:00Z");
    first.visible = Some(Placement {
        page: 1,
        rect: [360.0, 60.0, 560.0, 130.0],
    });
    let one = sign::sign(&base(), &creds("person"), &first).expect("person signs");
    let mut second = opts("Signature2", "2025-03-01T03:05:00Z");
    second.tsa = Some(creds("tsa"));
    let two = sign::sign(&one, &creds("organisation"), &second).expect("organisation signs");
    assert!(
        two.starts_with(&one),
        "an incremental update keeps every earlier byte"
    );
    let r = verify("two.pdf", &two, &v);
    let [p, o] = &r.signatures[..] else {
        panic!("two signatures")
    };
    assert_eq!(p.signer.as_ref().map(|s| s.role), Some(SignerRole::Person));
    assert_eq!(p.coverage, Coverage::EntireRevision);
    assert_ne!(
        p.status,
        Status::Invalid,
        "the person's signature is intact"
    );
    assert_eq!(
        (o.status, o.coverage),
        (Status::Valid, Coverage::EntireFile)
    );
    assert_eq!(
        o.signer.as_ref().map(|s| s.role),
        Some(SignerRole::Organisation)
    );
    let ts = o.timestamp.as_ref().expect("B-T timestamp");
    assert_eq!(
        (ts.status, ts.time.as_str()),
        (Status::Valid, "2025-03-01T03:05:00Z")
    );
    // New page content after the organisation's signature invalidates both.
    let t = verify("t.pdf", &append_page_content(&two), &v);
    assert_eq!(
        t.status,
        Status::Invalid,
        "{:?}",
        t.signatures.iter().map(|s| &s.problems).collect::<Vec<_>>()
    );
    // Signing the same field name twice is refused.
    let again = sign::sign(
        &two,
        &creds("person"),
        &opts("Signature2", "2025-03-01T03:10:00Z"),
    );
    assert!(again.is_err());
}

#[test]
fn a_timestamp_before_revocation_keeps_a_revoked_signer_valid() {
    let mut o = opts("Signature1", "2024-03-01T03:00:00Z");
    o.tsa = Some(creds("tsa"));
    let pdf = sign::sign(&base(), &creds("revoked"), &o).expect("sign");
    let r = verify("r.pdf", &pdf, &verifier());
    assert_eq!(code(&r), (Status::Valid, "-"));
    // Tampering with one signed byte breaks it.
    let mut bad = pdf.clone();
    let at = bad
        .windows(7)
        .position(|w| w == b"/Annots")
        .expect("a signed byte to change");
    bad[at + 1] = b'B';
    assert_eq!(verify("bad.pdf", &bad, &verifier()).status, Status::Invalid);
}

#[test]
fn the_cli_signs_and_verifies() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("signed.pdf");
    let c = repo().join("certs-test");
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_vanthu"))
        .args(["sign", "--p12"])
        .arg(c.join("organisation/organisation.p12"))
        .args(["--password", "test", "--time", "2025-03-01T03:00:00Z"])
        .arg(repo().join("tests/fixtures/pdf/base.pdf"))
        .arg(&out)
        .status()
        .expect("run");
    assert!(status.success());
    let v = std::process::Command::new(env!("CARGO_BIN_EXE_vanthu"))
        .args(["verify", "--json", "--no-default-trust", "--trust"])
        .arg(c.join("root/root.cert.pem"))
        .arg("--crl")
        .arg(c.join("intermediate/crl.der"))
        .args(["--at", "2025-06-01T00:00:00Z"])
        .arg(&out)
        .output()
        .expect("verify");
    assert_eq!(
        v.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&v.stdout)
    );
    let rep: serde_json::Value = serde_json::from_slice(&v.stdout).expect("json");
    assert_eq!(rep["decree30"]["organisation"], true);
    // Unreadable input: exit 2; an unsigned file: exit 1.
    let missing = std::process::Command::new(env!("CARGO_BIN_EXE_vanthu"))
        .args(["verify", "/nonexistent.pdf"])
        .output()
        .expect("verify");
    assert_eq!(missing.status.code(), Some(2));
    let unsigned = std::process::Command::new(env!("CARGO_BIN_EXE_vanthu"))
        .arg("verify")
        .arg(repo().join("tests/fixtures/pdf/base.pdf"))
        .output()
        .expect("verify");
    assert_eq!(unsigned.status.code(), Some(1));
}

mod properties {
    use proptest::prelude::*;

    use super::*;

    /// An update the first signature allows (another signature, visible or
    /// not, with any field name), or a change to page content that it does not.
    #[derive(Debug, Clone)]
    enum Update {
        Sign {
            field: String,
            visible: bool,
            org: bool,
        },
        PageContent,
    }

    fn update() -> impl Strategy<Value = Update> {
        prop_oneof![
            3 => ("[A-Za-z][A-Za-z0-9_]{0,12}", any::<bool>(), any::<bool>())
                .prop_map(|(field, visible, org)| Update::Sign { field, visible, org }),
            1 => Just(Update::PageContent),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

        #[test]
        fn allowed_updates_keep_the_first_signature_valid(updates in prop::collection::vec(update(), 1..4)) {
            let v = verifier();
            let mut pdf = sign::sign(&base(), &creds("person"), &opts("First", "2025-03-01T03:00:00Z")).expect("sign");
            let mut tampered = false;
            let mut used = std::collections::HashSet::from(["First".to_string()]);
            for (i, u) in updates.iter().enumerate() {
                match u {
                    Update::Sign { field, visible, org } => {
                        let name = if used.insert(field.clone()) { field.clone() } else { format!("{field}{i}") };
                        used.insert(name.clone());
                        let mut o = opts(&name, "2025-03-01T03:10:00Z");
                        if *visible {
                            o.visible = Some(Placement { page: 1, rect: [50.0, 50.0, 200.0, 100.0] });
                        }
                        let who = if *org { "organisation" } else { "person" };
                        pdf = sign::sign(&pdf, &creds(who), &o).expect("sign again");
                    }
                    Update::PageContent => {
                        pdf = append_page_content(&pdf);
                        tampered = true;
                    }
                }
            }
            let r = verify("p.pdf", &pdf, &v);
            let first = &r.signatures[0];
            if tampered {
                prop_assert_eq!(first.status, Status::Invalid, "{:?}", first.problems);
                prop_assert!(first.problems.iter().any(|p| p.code == "MODIFIED_AFTER_SIGNING"));
            } else {
                prop_assert_eq!(first.status, Status::Valid, "{:?}", first.problems);
                prop_assert_eq!(r.status, Status::Valid);
            }
        }
    }
}
