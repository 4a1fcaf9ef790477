//! Changes after signing: the project's scripted attacks (incremental
//! saving, shadow hide/replace/hide-and-replace, evil annotation, sneaky
//! signature, pages added or removed) are all rejected, and the honest
//! updates (a second signature, B-LT and B-LTA validation data, a form
//! filled after a P2 certification) all accepted. Fixtures and the script
//! that makes them: tests/fixtures/attacks/.

use std::path::Path;

use vanthu::sigverify::report::Status;
use vanthu::sigverify::verify;

#[test]
fn attacks_are_rejected_and_honest_updates_accepted() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let opts = crate::fixtures::test_options();
    let dir = root.join("tests/fixtures/attacks");
    let table = std::fs::read_to_string(dir.join("expected.tsv")).expect("expected.tsv");
    let mut failures = Vec::new();
    let mut counts = (0, 0);
    println!(
        "{:<36} {:<9} {:<9} first problem",
        "file", "expected", "actual"
    );
    for line in table.lines().skip(1) {
        let c: Vec<&str> = line.split('\t').collect();
        let (file, expected) = (c[0], c[1]);
        let data = std::fs::read(dir.join("pdf").join(file)).expect("fixture");
        let rep = verify(file, &data, &opts);
        let status = serde_json::to_value(rep.status).expect("json");
        let first = rep
            .signatures
            .iter()
            .flat_map(|s| s.problems.iter())
            .map(|p| format!("{}: {}", p.code, p.message))
            .next()
            .unwrap_or_default();
        println!(
            "{file:<36} {expected:<9} {:<9} {}",
            status.as_str().unwrap_or(""),
            first.chars().take(100).collect::<String>()
        );
        let ok = match expected {
            "valid" => {
                counts.0 += 1;
                rep.status == Status::Valid
            }
            _ => {
                counts.1 += 1;
                rep.status == Status::Invalid
                    && rep.signatures.iter().any(|s| {
                        s.problems
                            .iter()
                            .any(|p| p.code == "MODIFIED_AFTER_SIGNING")
                    })
            }
        };
        if !ok {
            failures.push(format!(
                "{file}: expected {expected}, got {status} ({first})"
            ));
        }
    }
    assert!(
        counts.0 >= 4 && counts.1 >= 13,
        "the fixture table lists the honest and attack files: {counts:?}"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
