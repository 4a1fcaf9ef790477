//! Replays the fuzz corpus (`fuzz/corpus/verify/`) and deterministic
//! mutations of signed fixtures through the verifier: every input must give
//! a report, never a panic, and a mutated signature is never valid.

use std::path::Path;

use vanthu::sigverify::report::Status;
use vanthu::sigverify::{Options, TrustStore, verify};

fn opts() -> Options {
    let mut trust = TrustStore::empty();
    trust
        .add_anchors(&Path::new(env!("CARGO_MANIFEST_DIR")).join("certs-test/root/root.cert.pem"))
        .expect("root");
    Options {
        trust,
        at: Some("2025-06-01T00:00:00Z".parse().expect("time")),
        policy: vanthu::sigverify::Policy {
            accept_unknown_revocation: true,
            ..Default::default()
        },
        ..Default::default()
    }
}

fn check(name: &str, data: &[u8], o: &Options) -> Status {
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| verify(name, data, o)));
    match r {
        Ok(rep) => {
            assert_eq!(rep.size, data.len() as u64);
            rep.status
        }
        Err(_) => panic!("the verifier panicked on {name}"),
    }
}

#[test]
fn corpus_replays_without_panic() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/verify");
    let o = opts();
    let mut n = 0;
    for e in std::fs::read_dir(&dir).expect("corpus") {
        let p = e.expect("entry").path();
        let data = std::fs::read(&p).expect("read");
        check(&p.display().to_string(), &data, &o);
        n += 1;
    }
    assert!(n >= 5, "the seed corpus is present");
}

#[test]
fn truncations_and_flips_never_panic_and_are_never_valid() {
    let o = opts();
    let pdf =
        std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/pdf/person.pdf"))
            .expect("fixture");
    assert_eq!(
        check("person.pdf", &pdf, &o),
        Status::Valid,
        "the unmutated fixture is valid"
    );
    let mut valid_mutants = Vec::new();
    // Truncations.
    for cut in (0..pdf.len()).step_by(97) {
        check("truncated", &pdf[..cut], &o);
    }
    // Single-byte changes across the whole file; a change outside the
    // /Contents gap must break the signature (the gap's trailing zero
    // padding may change without effect, so only statuses are compared).
    let gap_start = pdf
        .windows(11)
        .position(|w| w == b"/Contents <")
        .expect("contents")
        + 10;
    for i in (0..pdf.len()).step_by(53) {
        let mut m = pdf.clone();
        m[i] ^= 0x20;
        let st = check("flipped", &m, &o);
        let in_gap = i >= gap_start && i < gap_start + 16_386;
        if !in_gap && st == Status::Valid {
            valid_mutants.push(i);
        }
    }
    assert!(
        valid_mutants.is_empty(),
        "mutations outside the gap verified as valid at {valid_mutants:?}"
    );
}
