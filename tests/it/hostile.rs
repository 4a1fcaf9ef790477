//! Hostile PDFs (`vanthu::sigverify::hostile`) against the verifier's budget: each
//! gives a report (never a crash), is not called valid, and stays within a
//! memory bound measured in a separate `vanthu verify` process.

use std::process::Command;

use vanthu::sigverify::budget::{Cancel, Limits};
use vanthu::sigverify::hostile;
use vanthu::sigverify::report::Status;
use vanthu::sigverify::{Options, verify};

/// Peak resident memory of `vanthu verify` on `bytes`, in kB, and its report.
fn verify_in_process(name: &str, bytes: &[u8]) -> (u64, serde_json::Value) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join(format!("{name}.pdf"));
    std::fs::write(&path, bytes).expect("write");
    let out = Command::new(env!("CARGO_BIN_EXE_vanthu"))
        .args(["verify", "--json", "--peak-memory", "--no-default-trust"])
        .arg(&path)
        .output()
        .expect("run vanthu verify");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let kb: u64 = stderr
        .lines()
        .find_map(|l| l.strip_prefix("peak_rss_kb="))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("{name}: no peak memory reported: {stderr}"));
    let report: serde_json::Value = serde_json::from_slice(
        out.stdout
            .split(|b| *b == b'\n')
            .next()
            .expect("one report line"),
    )
    .unwrap_or_else(|e| panic!("{name}: report is not JSON: {e}"));
    (kb, report)
}

#[test]
fn every_hostile_file_gets_a_report_within_a_memory_bound() {
    for h in hostile::all() {
        let (kb, report) = verify_in_process(h.name, &h.bytes);
        let status = report["status"].as_str().unwrap_or("?").to_string();
        let problems: Vec<String> = report["problems"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|p| p["code"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        eprintln!(
            "{:<26} {:>8} bytes  peak {:>7} kB  {status} {problems:?}",
            h.name,
            h.bytes.len(),
            kb
        );
        assert_ne!(status, "valid", "{}: {}", h.name, h.what);
        // The default budget holds the object cache to a few hundred MB at
        // worst; these files, read naively, need gigabytes.
        assert!(
            kb < 700_000,
            "{}: peak memory {kb} kB is over the bound ({})",
            h.name,
            h.what
        );
    }
}

#[test]
fn a_spent_budget_is_reported_not_hidden() {
    // Shared offsets: each lookup hands out a 5 000-item dictionary.
    let h = hostile::objstm_shared_offsets(20_000, 5_000);
    let r = verify(h.name, &h.bytes, &Options::default());
    assert_ne!(r.status, Status::Valid);
    assert_ne!(
        r.status,
        Status::Unsigned,
        "a spent budget is not 'unsigned'"
    );
    assert!(
        r.problems.iter().any(|p| p.code == "RESOURCE_LIMIT"),
        "{:?}",
        r.problems
    );
}

#[test]
fn a_duplicated_header_is_parsed_once() {
    // Under a budget far too small for 100 000 copies of a 2 000-item array,
    // the file still reads: each object is parsed once.
    let h = hostile::objstm_duplicate_headers(100_000, 2_000);
    let opts = Options {
        limits: Limits {
            parsed_items: 1_000_000,
            ..Limits::default()
        },
        ..Options::default()
    };
    let r = verify(h.name, &h.bytes, &opts);
    assert!(
        !r.problems.iter().any(|p| p.code == "RESOURCE_LIMIT"),
        "{:?}",
        r.problems
    );
    assert_eq!(r.status, Status::Unsigned);
}

#[test]
fn shared_xref_offsets_are_parsed_once() {
    // 2 000 entries at the offset of one 1 MB object: parsed once, the
    // other 1 999 lookups see a header that does not match and cost nothing.
    let h = hostile::xref_shared_offset(2_000, 1 << 20);
    let opts = Options {
        limits: Limits {
            bytes: 64 << 20,
            ..Limits::default()
        },
        ..Options::default()
    };
    let r = verify(h.name, &h.bytes, &opts);
    assert!(
        !r.problems.iter().any(|p| p.code == "RESOURCE_LIMIT"),
        "{:?}",
        r.problems
    );
}

#[test]
fn a_cancelled_verification_stops_and_says_so() {
    let pdf = vanthu::demo::simple_pdf(&["x".into()]).expect("pdf");
    let cancel = Cancel::new();
    cancel.cancel();
    let opts = Options {
        cancel: Some(cancel),
        ..Options::default()
    };
    let r = verify("cancelled.pdf", &pdf, &opts);
    assert_eq!(r.status, Status::Indeterminate);
    assert!(
        r.problems.iter().any(|p| p.code == "RESOURCE_LIMIT"),
        "{:?}",
        r.problems
    );
}

#[test]
fn a_hostile_update_after_a_signature_is_bounded_and_not_valid() {
    // A signed file, then an update whose object stream repeats one
    // object's header: the changes-after-signing analysis reads both revisions.
    let signed = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/pdf/person.pdf"),
    )
    .expect("fixture");
    let big = format!("[{}]", "0 ".repeat(200_000)).into_bytes();
    let objs: Vec<Vec<u8>> = (0..50).map(|_| big.clone()).collect();
    let attacked = hostile::appended_to(&signed, 100, &objs);
    let (kb, report) = verify_in_process("signed-then-hostile", &attacked);
    assert_ne!(report["status"], "valid");
    assert!(kb < 700_000, "peak {kb} kB");
}
