//! Fuzz target: parse and verify arbitrary bytes as a signed PDF. The
//! verifier must return a report (never panic, never hang, bounded memory).
#![no_main]

use libfuzzer_sys::fuzz_target;
use vanthu::sigverify::{Options, TrustStore, verify};

fuzz_target!(|data: &[u8]| {
    let opts = Options {
        trust: TrustStore::empty(),
        at: Some(chrono::DateTime::from_timestamp(1_740_000_000, 0).unwrap_or_default()),
        ..Options::default()
    };
    let report = verify("fuzz.pdf", data, &opts);
    // A report always names its file and hashes what it read.
    assert_eq!(report.size, data.len() as u64);
});
