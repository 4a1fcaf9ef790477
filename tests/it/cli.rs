//! The command line: `user add` prints only the token; `audit verify` exits
//! non-zero on a broken chain; `migrate` and `gc` run on a data folder.

use std::process::Command;

fn vanthu(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_vanthu"))
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .env_remove("VANTHU_DATABASE_URL")
        .env_remove("VANTHU_STORAGE_URL")
        .output()
        .expect("run vanthu")
}

#[test]
fn user_add_prints_only_the_token_and_audit_verify_checks_the_chain() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = vanthu(dir.path(), &["migrate"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let out = vanthu(
        dir.path(),
        &["user", "add", "thu.nguyen", "--role", "clerk"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).expect("utf-8");
    let token = stdout.trim_end_matches('\n');
    assert!(
        !token.contains('\n') && token.starts_with("vt_") && token.len() > 40,
        "stdout must be the token alone: {stdout:?}"
    );
    // Only its hash is stored.
    let db = std::fs::read(dir.path().join("vanthu.db")).expect("db");
    let wal = std::fs::read(dir.path().join("vanthu.db-wal")).unwrap_or_default();
    let hay = [db, wal].concat();
    assert!(
        !hay.windows(token.len()).any(|w| w == token.as_bytes()),
        "the token itself must not be stored"
    );

    // A second user of the same name is refused with exit 2 and a message.
    let out = vanthu(
        dir.path(),
        &["user", "add", "thu.nguyen", "--role", "auditor"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("already exists"));
    let out = vanthu(dir.path(), &["user", "add", "x", "--role", "boss"]);
    assert!(!out.status.success());

    let out = vanthu(dir.path(), &["audit", "verify"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );

    // Tamper with the log through SQLite directly, then verify again.
    let rt = tokio::runtime::Runtime::new().expect("rt");
    rt.block_on(async {
        use sea_orm::ConnectionTrait;
        let url = format!(
            "sqlite://{}?mode=rw",
            dir.path().join("vanthu.db").display()
        );
        let db = sea_orm::Database::connect(&url).await.expect("connect");
        db.execute_unprepared("UPDATE audit_log SET actor = 'someone-else' WHERE id = 1")
            .await
            .expect("tamper");
        db.close().await.ok();
    });
    let out = vanthu(dir.path(), &["audit", "verify"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("BROKEN"));

    let out = vanthu(dir.path(), &["gc", "--grace-secs", "0"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("\"deleted\":0"));
}

#[test]
fn bad_database_url_is_a_clear_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = Command::new(env!("CARGO_BIN_EXE_vanthu"))
        .args(["--database-url", "mysql://x/y", "migrate"])
        .arg("--data-dir")
        .arg(dir.path())
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unsupported database URL"));
}
