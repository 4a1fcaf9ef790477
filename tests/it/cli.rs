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

#[test]
fn report_check_finds_counters_that_disagree_and_rebuild_repairs_them() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = vanthu(
        dir.path(),
        &["seed", "--documents", "400", "--year", "2025"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json = |out: &std::process::Output| -> serde_json::Value {
        serde_json::from_slice(&out.stdout).expect("json report")
    };
    let args = [
        "report",
        "--year",
        "2025",
        "--group-by",
        "unit",
        "--format",
        "json",
    ];
    let good = vanthu(dir.path(), &[&args[..], &["--check"]].concat());
    assert_eq!(
        good.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&good.stderr)
    );
    assert!(String::from_utf8_lossy(&good.stderr).contains("counters equal a recount"));
    let before = json(&good);
    assert!(
        before["metrics"].as_array().is_some_and(|m| m.len() > 12),
        "{before}"
    );
    // Counters edited behind the program's back.
    let url = format!(
        "sqlite://{}?mode=rw",
        dir.path().join("vanthu.db").display()
    );
    tokio::runtime::Runtime::new()
        .expect("runtime")
        .block_on(async {
            use sea_orm::ConnectionTrait;
            let db = sea_orm::Database::connect(&url).await.expect("open");
            db.execute_unprepared("UPDATE compliance_counts SET e_sig_num = e_sig_num + 1")
                .await
                .expect("tamper");
            db.close().await.expect("close");
        });
    let bad = vanthu(dir.path(), &[&args[..], &["--check"]].concat());
    assert_eq!(bad.status.code(), Some(1));
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(
        err.contains("disagree") && err.contains("e_signature"),
        "{err}"
    );
    let fixed = vanthu(dir.path(), &[&args[..], &["--rebuild", "--check"]].concat());
    assert_eq!(
        fixed.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&fixed.stderr)
    );
    assert_eq!(json(&fixed), before);
}

#[test]
fn a_new_token_keeps_a_disabled_user_disabled() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = vanthu(dir.path(), &["user", "add", "nghi.viec", "--role", "clerk"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = vanthu(dir.path(), &["user", "disable", "nghi.viec"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = vanthu(dir.path(), &["user", "token", "nghi.viec"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("disabled"),
        "the command says the user stays disabled"
    );
    let out = vanthu(dir.path(), &["user", "list"]);
    let list = String::from_utf8_lossy(&out.stdout);
    let line = list
        .lines()
        .find(|l| l.starts_with("nghi.viec"))
        .expect("listed");
    assert!(
        line.contains("disabled") || line.contains("false"),
        "still disabled: {line}"
    );
}
