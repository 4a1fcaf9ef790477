//! The house stays straight: the verifier, log and text crates are free of
//! database, HTTP server and async runtime (their manifests list none;
//! Cargo then forbids the imports).

use std::path::Path;

#[test]
fn the_libraries_depend_on_no_database_server_or_runtime() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for krate in ["crates/sigverify", "crates/tlog", "crates/vntext"] {
        let manifest =
            std::fs::read_to_string(root.join(krate).join("Cargo.toml")).expect("manifest");
        let deps = manifest
            .split("[dependencies]")
            .nth(1)
            .and_then(|d| d.split("\n[").next())
            .unwrap_or("");
        for banned in [
            "sea-orm", "sqlx", "axum", "hyper", "tokio", "reqwest", "tower",
        ] {
            assert!(
                !deps.lines().any(|l| l.trim_start().starts_with(banned)),
                "{krate} depends on {banned}"
            );
        }
    }
}
