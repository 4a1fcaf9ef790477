//! Starting an isolated vanthu for one test, on either backend.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use reqwest::multipart::{Form, Part};
use sea_orm::ConnectionTrait;
use serde_json::Value;
use vanthu::app::{Application, Setup};
use vanthu::clock::Clock;
use vanthu::config::Config;
use vanthu::registry::Registry;
use vanthu::registry::types::Role;
use vanthu::web::{self, AppState};

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Upload limit used by tests (small, so the over-limit case is cheap).
pub const TEST_MAX_UPLOAD: u64 = 1_000_000;

pub struct TestApp {
    pub base: String,
    pub http: reqwest::Client,
    pub registry: Arc<Registry>,
    pub log: Arc<vanthu::public::log::Log>,
    pub clerk: String,
    pub auditor: String,
    pub admin: String,
    /// The server's evidence-export permits.
    pub exports: Arc<tokio::sync::Semaphore>,
    /// The server's state (gates, caches).
    pub state: AppState,
    /// The database URL.
    pub db_url: String,
    pub _dir: tempfile::TempDir,
}

/// The instant all tests start at unless they move the clock: 10:00 on 15 June 2025, Vietnam time.
pub fn default_now() -> DateTime<Utc> {
    "2025-06-15T03:00:00Z".parse().expect("valid instant")
}

/// Say that a test skips `what` for want of `kind` (`postgres`, `corpus`):
/// on stderr, and as a line in `target/tmp/skipped.txt`, which `.ci/run`
/// prints after the suite. Where the environment demands `kind`
/// (`VANTHU_REQUIRE=postgres,corpus`, as CI sets), the skip is a failure.
pub fn skipped(kind: &str, what: &str) {
    let required = std::env::var("VANTHU_REQUIRE").unwrap_or_default();
    assert!(
        !required.split(',').any(|r| r.trim() == kind),
        "{what} cannot run: {kind} is required here (VANTHU_REQUIRE={required}) but missing"
    );
    eprintln!("notice: skipped: {what} (no {kind})");
    let file = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("skipped.txt");
    if let Ok(mut f) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(file)
    {
        use std::io::Write;
        let _ = writeln!(f, "{kind}\t{what}");
    }
}

/// The shared material (`../shared`: conformance corpus, vectors), or
/// `VANTHU_SHARED_DIR`.
pub fn shared_dir() -> std::path::PathBuf {
    std::env::var_os("VANTHU_SHARED_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared"))
}

/// A fresh PostgreSQL database for one test, or None (with a notice) when not configured.
async fn fresh_postgres() -> Option<String> {
    let base = std::env::var("VANTHU_TEST_DATABASE_URL").ok()?;
    let db = sea_orm::Database::connect(&base)
        .await
        .expect("connect to VANTHU_TEST_DATABASE_URL");
    let mut rnd = [0u8; 8];
    openssl::rand::rand_bytes(&mut rnd).expect("random");
    let name = format!("vanthu_t_{}", hex::encode(rnd));
    db.execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .expect("CREATE DATABASE (the test role needs CREATEDB)");
    db.close().await.ok();
    let mut url = url::Url::parse(&base).expect("test database URL parses");
    url.set_path(&format!("/{name}"));
    Some(url.to_string())
}

impl TestApp {
    /// Start an app, or return None when the backend is not available here.
    pub async fn start(backend: Backend) -> Option<TestApp> {
        Self::start_with(backend, |_| {}, |_| {}).await
    }

    /// Start an app after `configure` and `web` have adjusted the test
    /// configuration (documents are public at once unless they set a hold).
    pub async fn start_with(
        backend: Backend,
        configure: impl FnOnce(&mut Config),
        web: impl FnOnce(&mut web::WebSettings),
    ) -> Option<TestApp> {
        Self::start_setup(backend, configure, |s| {
            web(s.web.as_mut().expect("the harness gives web settings"))
        })
        .await
    }

    /// Start an app through the application builder, as `vanthu serve`
    /// does, after `configure` and `setup` have adjusted it. The harness
    /// runs no background sequencer unless `setup` asks for one (tests
    /// sequence the log by hand).
    pub async fn start_setup(
        backend: Backend,
        configure: impl FnOnce(&mut Config),
        setup: impl FnOnce(&mut Setup),
    ) -> Option<TestApp> {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut config = Config::for_data_dir(dir.path());
        config.max_upload_bytes = TEST_MAX_UPLOAD;
        config.publication_hold = std::time::Duration::ZERO;
        config.log_origin = "vanthu.test/log".into();
        // Verification on arrival trusts the project's test PKI (certs-test/).
        let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        config.default_trust = false;
        config.trust_paths = vec![repo.join("certs-test/root/root.cert.pem")];
        config.crl_paths = vec![repo.join("certs-test/intermediate/crl.der")];
        if backend == Backend::Postgres {
            match fresh_postgres().await {
                Some(url) => config.database_url = url,
                None => {
                    skipped(
                        "postgres",
                        &format!(
                            "{} on PostgreSQL (VANTHU_TEST_DATABASE_URL is not set)",
                            std::thread::current().name().unwrap_or("a test")
                        ),
                    );
                    return None;
                }
            }
        }
        configure(&mut config);
        let mut s = Setup {
            web: Some(web::WebSettings::from_config(&config)),
            sequence_every: None,
            ..Default::default()
        };
        setup(&mut s);
        let app = Application::build(&config, Clock::fixed(default_now()), s)
            .await
            .expect("build the application");
        let registry = app.registry.clone();
        let clerk = registry
            .add_user("clerk", Role::Clerk, "test")
            .await
            .expect("clerk")
            .1;
        let auditor = registry
            .add_user("auditor", Role::Auditor, "test")
            .await
            .expect("auditor")
            .1;
        let admin = registry
            .add_user("admin", Role::Admin, "test")
            .await
            .expect("admin")
            .1;
        for (code, name) in [
            ("VP", "Văn phòng"),
            ("CCHC", "Phòng Cải cách hành chính"),
            ("TCBC", "Phòng Tổ chức biên chế"),
        ] {
            registry
                .add_unit(&serde_json::json!({"code": code, "name": name}), "test")
                .await
                .expect("unit");
        }
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let log = app.log.clone();
        let state = app.state.clone();
        let exports = state.exports.clone();
        tokio::spawn(app.run(listener, std::future::pending()));
        Some(TestApp {
            base: format!("http://{addr}"),
            http: reqwest::Client::new(),
            registry,
            log,
            clerk,
            auditor,
            admin,
            exports,
            state,
            db_url: config.database_url.clone(),
            _dir: dir,
        })
    }

    /// The database URL this app uses (to open a second registry on it).
    pub fn registry_url(&self) -> String {
        self.db_url.clone()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub fn set_now(&self, t: &str) {
        self.registry.clock.set(t.parse().expect("valid instant"));
    }

    /// Send JSON with `method` as the clerk.
    async fn send_json(&self, method: reqwest::Method, path: &str, body: &Value) -> (u16, Value) {
        let r = self
            .http
            .request(method, self.url(path))
            .bearer_auth(&self.clerk)
            .json(body)
            .send()
            .await
            .expect("request");
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    /// POST JSON as the clerk.
    pub async fn post_json(&self, path: &str, body: &Value) -> (u16, Value) {
        self.send_json(reqwest::Method::POST, path, body).await
    }

    /// Register with multipart as the clerk: metadata text and optional file bytes.
    pub async fn post_multipart(
        &self,
        path: &str,
        metadata: &str,
        file: Option<Vec<u8>>,
    ) -> (u16, Value) {
        let mut form = Form::new().part(
            "metadata",
            Part::text(metadata.to_string())
                .mime_str("application/json")
                .expect("mime"),
        );
        if let Some(f) = file {
            form = form.part(
                "file",
                Part::bytes(f)
                    .file_name("doc.pdf")
                    .mime_str("application/pdf")
                    .expect("mime"),
            );
        }
        let r = self
            .http
            .post(self.url(path))
            .bearer_auth(&self.clerk)
            .multipart(form)
            .send()
            .await
            .expect("request");
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    /// GET `path` with `token`.
    async fn send_get(&self, path: &str, token: &str) -> reqwest::Response {
        self.http
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .expect("request")
    }

    /// GET as `token`: status and JSON body (null when not JSON).
    pub async fn get(&self, path: &str, token: &str) -> (u16, Value) {
        let r = self.send_get(path, token).await;
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    /// PATCH JSON as the clerk.
    pub async fn patch_json(&self, path: &str, body: &Value) -> (u16, Value) {
        self.send_json(reqwest::Method::PATCH, path, body).await
    }

    /// GET `path` with `token` and return the body as text; must be 200.
    pub async fn get_text(&self, path: &str, token: &str) -> String {
        let r = self.send_get(path, token).await;
        assert_eq!(r.status().as_u16(), 200, "GET {path}");
        r.text().await.expect("text")
    }

    /// `GET /api/v1/compliance?{query}` as the auditor; the answer must be 200.
    pub async fn compliance(&self, query: &str) -> Value {
        let (s, m) = self
            .get(&format!("/api/v1/compliance?{query}"), &self.auditor)
            .await;
        assert_eq!(s, 200, "compliance?{query}: {m}");
        m
    }

    /// `GET /api/v1/compliance/evidence?{query}` as the auditor; must be 200.
    pub async fn evidence(&self, query: &str) -> Value {
        let (s, e) = self
            .get(
                &format!("/api/v1/compliance/evidence?{query}"),
                &self.auditor,
            )
            .await;
        assert_eq!(s, 200, "evidence?{query}: {e}");
        e
    }

    /// Rows in a table, straight from the database.
    pub async fn count(&self, table: &str) -> i64 {
        let db = &self.registry.db;
        let row = db
            .query_one_raw(sea_orm::Statement::from_string(
                db.get_database_backend(),
                format!("SELECT COUNT(*) AS n FROM {table}"),
            ))
            .await
            .expect("count")
            .expect("row");
        row.try_get::<i64>("", "n").expect("n")
    }

    /// Blobs in the store.
    pub async fn blobs(&self) -> usize {
        self.registry.store.list().await.expect("list").len()
    }
}

/// A compliance filter over `from..=to` (YYYY-MM-DD), nothing else set.
pub fn period(from: &str, to: &str) -> vanthu::compliance::Filter {
    let date = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date");
    vanthu::compliance::Filter {
        from: date(from),
        to: date(to),
        unit: None,
        direction: None,
        doc_type: None,
        as_registered: false,
    }
}

/// One metric row of a compliance answer (panics when it is absent).
pub fn metric<'a>(m: &'a Value, id: &str, group: &str) -> &'a Value {
    m["metrics"]
        .as_array()
        .expect("metrics")
        .iter()
        .find(|x| x["id"] == id && x["group"] == group)
        .unwrap_or_else(|| panic!("no metric {id} for group {group} in {m}"))
}

/// A small valid PDF with `text` in it (distinct text → distinct bytes).
pub fn pdf(text: &str) -> Vec<u8> {
    vanthu::demo::simple_pdf(&[text.to_string()]).expect("pdf")
}

/// Metadata of a valid incoming paper document.
pub fn incoming_paper(subject: &str) -> Value {
    serde_json::json!({
        "doc_type": "Công văn", "issuer": "Ủy ban nhân dân thành phố", "issued_on": "2025-06-10",
        "received_on": "2025-06-14", "subject": subject, "unit": "VP", "channel": "paper"
    })
}

/// Run a test body on SQLite and on PostgreSQL (skipped with a notice when not configured).
#[macro_export]
macro_rules! both {
    ($name:ident, $body:expr) => {
        mod $name {
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let app = $crate::harness::TestApp::start($crate::harness::Backend::Sqlite)
                    .await
                    .expect("sqlite always runs");
                ($body)(app).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(app) =
                    $crate::harness::TestApp::start($crate::harness::Backend::Postgres).await
                {
                    ($body)(app).await;
                }
            }
        }
    };
}
