//! Later revisions as other tools write them (tests/fixtures/updates/,
//! made by `make_updates.py` from the test PKI): honest updates — tagged
//! PDFs, DSS/VRI rewrites, page groups, dictionaries rewritten in another
//! order after a P=2 certification with the organisation's overlapping seal,
//! comments and filled fields where the permission allows them, SHA-3,
//! legacy encodings — are valid (with warnings where a person sees the
//! change); the attacks — form-field shadow replace, FieldMDP locks, stamps
//! after P=3, forged timestamps, sneaky signatures — are not.

use std::path::Path;

use vanthu::sigverify::report::Status;
use vanthu::sigverify::{Options, Policy, TrustStore, verify};

#[test]
fn honest_updates_are_valid_and_attacks_are_not() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let opts = crate::fixtures::test_options();
    let dir = root.join("tests/fixtures/updates");
    let table = std::fs::read_to_string(dir.join("expected.tsv")).expect("expected.tsv");
    let mut failures = Vec::new();
    let (mut honest, mut attacks) = (0, 0);
    println!(
        "{:<42} {:<14} {:<22} first problem or warning",
        "file", "expected", "actual"
    );
    for line in table.lines().skip(1) {
        let c: Vec<&str> = line.split('\t').collect();
        let (file, expected, warnings) = (c[0], c[1], c[2]);
        let data = std::fs::read(dir.join("pdf").join(file)).expect("fixture");
        let rep = verify(file, &data, &opts);
        let status = serde_json::to_value(rep.status).expect("json");
        let warned = rep.signatures.iter().any(|s| !s.warnings.is_empty());
        let first = rep
            .signatures
            .iter()
            .flat_map(|s| s.problems.iter().map(|p| p.message.clone()))
            .chain(
                rep.signatures
                    .iter()
                    .flat_map(|s| s.warnings.iter().map(|w| w.message.clone())),
            )
            .next()
            .unwrap_or_default();
        println!(
            "{file:<42} {:<14} {:<22} {}",
            format!("{expected}/{warnings}"),
            format!(
                "{}/{}",
                status.as_str().unwrap_or(""),
                if warned { "yes" } else { "no" }
            ),
            first.chars().take(110).collect::<String>()
        );
        let ok = match expected {
            "valid" => {
                honest += 1;
                rep.status == Status::Valid && warned == (warnings == "yes")
            }
            "indeterminate" => rep.status == Status::Indeterminate,
            _ => {
                attacks += 1;
                rep.status == Status::Invalid
            }
        };
        if !ok {
            failures.push(format!(
                "{file}: expected {expected}/{warnings}, got {status} warnings={warned} ({first})"
            ));
        }
    }
    assert!(
        honest >= 20 && attacks >= 10,
        "the table lists both kinds: {honest} {attacks}"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_warning_names_its_page_and_the_signed_revision_is_known() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let data = std::fs::read(root.join("tests/fixtures/updates/pdf/comment-added-approval.pdf"))
        .expect("fixture");
    let mut trust = TrustStore::empty();
    trust
        .add_anchors(&root.join("certs-test/root/root.cert.pem"))
        .expect("root");
    let opts = Options {
        trust,
        at: Some("2025-06-01T00:00:00Z".parse().expect("time")),
        policy: Policy {
            accept_unknown_revocation: true,
            ..Policy::default()
        },
        ..Default::default()
    };
    let rep = verify("c.pdf", &data, &opts);
    let s = &rep.signatures[0];
    assert_eq!(s.status, Status::Valid);
    let w = s.warnings.first().expect("a warning");
    assert_eq!((w.code.as_str(), w.page), ("ANNOTATION_CHANGED", Some(1)));
    assert!(w.message_vi.contains("Trang 1"), "{}", w.message_vi);
    // It signed the second revision (the unsigned original is the first),
    // a strict prefix of the file ending at an end-of-file marker.
    assert_eq!(s.revision, Some(2));
    let n = s.signed_bytes.expect("signed bytes") as usize;
    assert!(n < data.len());
    let tail = String::from_utf8_lossy(&data[n.saturating_sub(8)..n]);
    assert!(tail.contains("%%EOF"), "{tail:?}");
}
