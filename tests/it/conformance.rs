//! The outside conformance corpus (`../shared/conformance/`): signed PDFs
//! made by other tools, with the results their authors assert. Prints a
//! table of expected vs actual per file, and asserts what this stage of the
//! verifier must already get right. Skips with a notice where the folder is absent.

use std::path::{Path, PathBuf};

use vanthu::sigverify::report::{Coverage, Status, SubIndication};
use vanthu::sigverify::{Options, Policy, TrustStore, verify};

fn corpus() -> Option<PathBuf> {
    let p = crate::harness::shared_dir().join("conformance");
    if p.is_dir() {
        Some(p)
    } else {
        crate::harness::skipped(
            "corpus",
            &format!("the conformance corpus ({} is absent)", p.display()),
        );
        None
    }
}

struct Row {
    file: String,
    expected: String,
    actual: String,
    agree: &'static str,
}

fn print_table(title: &str, rows: &[Row]) {
    println!("\n{title}");
    println!("{:<66} {:<40} {:<60} agree?", "file", "expected", "actual");
    for r in rows {
        println!(
            "{:<66} {:<40} {:<60} {}",
            r.file, r.expected, r.actual, r.agree
        );
    }
}

fn summary(rep: &vanthu::sigverify::report::Report) -> String {
    let sigs: Vec<String> = rep
        .signatures
        .iter()
        .map(|s| {
            format!(
                "{}/{}/{}",
                word(&s.status),
                s.sub_indication.map(|x| x.code()).unwrap_or("-"),
                word(&s.coverage)
            )
        })
        .collect();
    format!("{} [{}]", word(&rep.status), sigs.join(" "))
}

/// The contract spelling of an enum value.
fn word<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

#[test]
fn pyhanko_corpus() {
    let Some(root) = corpus() else { return };
    let dir = root.join("pyhanko");
    let manifest = std::fs::read_to_string(dir.join("manifest.tsv")).expect("manifest");
    let mut trust = TrustStore::empty();
    trust
        .add_anchors(&dir.join("trust/root.cert.pem"))
        .expect("root");
    let opts = Options {
        trust,
        at: Some("2020-11-01T00:00:00Z".parse().expect("time")),
        // The corpus carries no revocation data for most files; pyHanko's own tests run without it.
        policy: Policy {
            accept_unknown_revocation: true,
            ..Policy::default()
        },
        ..Default::default()
    };
    let mut rows = Vec::new();
    let mut failures = Vec::new();
    for line in manifest.lines().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        let (file, expected) = (cols[0], cols[1]);
        if !file.ends_with(".pdf") || expected == "not_asserted" {
            continue;
        }
        let data = std::fs::read(dir.join(file)).expect("read");
        let mut o = opts.clone();
        if file.starts_with("minimal-") {
            o.at = Some("2021-01-05T00:00:00Z".parse().expect("time"));
        }
        let rep = verify(file, &data, &o);
        let integrity_ok = rep.signatures.iter().all(|s| s.status != Status::Invalid);
        let untrusted_only = !rep.signatures.is_empty()
            && rep.signatures.iter().all(|s| {
                s.status == Status::Valid
                    || s.sub_indication == Some(SubIndication::NoCertificateChainFound)
            });
        let (agree, must): (&'static str, bool) = match expected.split(':').next().unwrap_or("") {
            "invalid" | "modified" => (
                if rep.status != Status::Valid {
                    "yes"
                } else {
                    "NO"
                },
                true,
            ),
            "indeterminate" => (
                if rep.status == Status::Indeterminate {
                    "yes"
                } else {
                    "NO"
                },
                true,
            ),
            "valid" if expected == "valid:trusted" => (
                if rep.status == Status::Valid {
                    "yes"
                } else {
                    "NO"
                },
                true,
            ),
            // Intact and allowed; only the signer's root may be missing.
            "valid" => (
                if integrity_ok && untrusted_only {
                    "yes"
                } else {
                    "NO"
                },
                true,
            ),
            _ => ("-", false),
        };
        if must && agree != "yes" {
            failures.push(format!(
                "{file}: expected {expected}, got {}",
                summary(&rep)
            ));
        }
        rows.push(Row {
            file: file.to_string(),
            expected: expected.to_string(),
            actual: summary(&rep),
            agree,
        });
    }
    print_table(
        "pyHanko corpus (validation time 2020-11-01, trust/root.cert.pem)",
        &rows,
    );
    assert!(rows.len() >= 30, "the manifest lists the corpus");
    assert!(
        failures.is_empty(),
        "disagreements:\n{}",
        failures.join("\n")
    );
}

#[test]
fn pdf_attacker_corpus() {
    let Some(root) = corpus() else { return };
    let dir = root.join("pdf-attacker");
    let manifest = std::fs::read_to_string(dir.join("manifest.tsv")).expect("manifest");
    let opts = Options {
        trust: TrustStore::empty(),
        at: None,
        policy: Policy::default(),
        ..Default::default()
    };
    let mut rows = Vec::new();
    let mut failures = Vec::new();
    for line in manifest.lines().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        let (file, expected) = (cols[0], cols[1]);
        let name = Path::new(file)
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("");
        let data = std::fs::read(dir.join(file)).expect("read");
        let rep = verify(file, &data, &opts);
        let agree = if name.starts_with("4_") {
            // The attack: invalid, named as a change after signing.
            rep.status == Status::Invalid
                && rep.signatures.iter().any(|s| {
                    s.problems
                        .iter()
                        .any(|p| p.code == "MODIFIED_AFTER_SIGNING")
                })
        } else if name.starts_with("3_") {
            // Signed honestly; only the root is unknown.
            rep.status == Status::Indeterminate
                && rep.signatures.iter().all(|s| {
                    s.sub_indication == Some(SubIndication::NoCertificateChainFound)
                        && s.coverage == Coverage::EntireFile
                })
        } else {
            rep.status == Status::Unsigned
        };
        if !agree {
            failures.push(format!(
                "{file}: expected {expected}, got {}",
                summary(&rep)
            ));
        }
        rows.push(Row {
            file: file.to_string(),
            expected: expected.to_string(),
            actual: summary(&rep),
            agree: if agree { "yes" } else { "NO" },
        });
    }
    print_table("pdf-attacker shadow attacks (no trust anchors)", &rows);
    assert!(rows.len() >= 20);
    assert!(
        failures.is_empty(),
        "disagreements:\n{}",
        failures.join("\n")
    );
}

/// Real Vietnamese Government documents (VGCA chains): with the default
/// trust and revocation accepted (offline), every one is valid, its signer
/// has the manifest's role, its chain ends at a root and its timestamp is valid.
#[test]
fn vn_real_corpus() {
    let Some(root) = corpus() else { return };
    let dir = root.join("vn-real");
    let Ok(manifest) = std::fs::read_to_string(dir.join("manifest.tsv")) else {
        crate::harness::skipped(
            "corpus",
            &format!("the vn-real corpus ({} has no manifest)", dir.display()),
        );
        return;
    };
    let opts = Options {
        trust: TrustStore::vietnam(),
        policy: Policy {
            accept_unknown_revocation: true,
            ..Policy::default()
        },
        ..Default::default()
    };
    let anchors: Vec<String> = opts
        .trust
        .anchors
        .iter()
        .map(|a| vanthu::sigverify::subject_line(a))
        .collect();
    let mut rows = Vec::new();
    let mut failures = Vec::new();
    for line in manifest.lines().skip(1) {
        let c: Vec<&str> = line.split('\t').collect();
        let (file, role) = (c[0], c[4]);
        let data = std::fs::read(dir.join(file)).expect("file");
        let rep = verify(file, &data, &opts);
        let mut ok = rep.status == Status::Valid && !rep.signatures.is_empty();
        for s in &rep.signatures {
            let signer_role = s.signer.as_ref().map(|x| word(&x.role)).unwrap_or_default();
            ok &= signer_role == role;
            ok &= s.chain.last().is_some_and(|last| anchors.contains(last)) && s.chain.len() >= 3;
            ok &= s
                .timestamp
                .as_ref()
                .is_some_and(|t| t.status == Status::Valid);
        }
        let actual = format!(
            "{} role={} chain={} ts={}",
            summary(&rep),
            rep.signatures
                .first()
                .and_then(|s| s.signer.as_ref())
                .map(|x| word(&x.role))
                .unwrap_or_default(),
            rep.signatures.first().map_or(0, |s| s.chain.len()),
            rep.signatures
                .first()
                .and_then(|s| s.timestamp.as_ref())
                .map(|t| word(&t.status))
                .unwrap_or_default()
        );
        if !ok {
            failures.push(format!("{file}: {actual}"));
        }
        rows.push(Row {
            file: file.to_string(),
            expected: format!("valid role={role}"),
            actual,
            agree: if ok { "yes" } else { "NO" },
        });
    }
    print_table("vn-real (default trust, revocation accepted)", &rows);
    assert!(rows.len() >= 10, "the manifest lists the documents");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
