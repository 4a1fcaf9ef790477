//! Every visitor treated fairly and every request bounded: rate limits per
//! client address (trusted proxies only), caps on concurrent public
//! checks, header and body read timeouts, a bounded shutdown, and the
//! public statistics cache holding several years.

use std::net::IpAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::harness::{Backend, TestApp};

/// A client whose connections come from `ip` (any 127.0.0.0/8 address
/// reaches the loopback listener).
fn client_from(ip: [u8; 4]) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(IpAddr::from(ip))
        .build()
        .expect("client")
}

async fn burst(c: &reqwest::Client, url: &str, n: usize, xff: Option<&str>) -> (usize, usize) {
    let (mut ok, mut limited) = (0, 0);
    for _ in 0..n {
        let mut r = c.get(url);
        if let Some(x) = xff {
            r = r.header("x-forwarded-for", x);
        }
        match r.send().await.expect("request").status().as_u16() {
            200 => ok += 1,
            429 => limited += 1,
            s => panic!("unexpected status {s}"),
        }
    }
    (ok, limited)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_visitors_burst_does_not_limit_another() {
    let app = TestApp::start(Backend::Sqlite).await.expect("app");
    let url = app.url("/log/vkey");
    let (_, limited) = burst(&client_from([127, 0, 0, 1]), &url, 140, None).await;
    assert!(limited > 0, "the bursting client is limited");
    // Forged X-Forwarded-For from an untrusted peer changes nothing (the
    // bucket refills at 20 a second meanwhile, so most, not all, are refused).
    let (_, limited_c) = burst(&client_from([127, 0, 0, 1]), &url, 10, Some("198.51.100.1")).await;
    assert!(
        limited_c >= 5,
        "the header is ignored from an untrusted peer"
    );
    let (ok, limited_b) = burst(&client_from([127, 0, 0, 2]), &url, 20, None).await;
    assert_eq!((ok, limited_b), (20, 0), "another client is not limited");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trusted_proxy_forwards_each_visitors_address() {
    let app = TestApp::start_with(
        Backend::Sqlite,
        |c| c.trusted_proxies = vec!["127.0.0.1/32".parse().expect("net")],
        |_| {},
    )
    .await
    .expect("app");
    let proxy = client_from([127, 0, 0, 1]);
    let url = app.url("/log/vkey");
    let (_, limited) = burst(&proxy, &url, 140, Some("203.0.113.5")).await;
    assert!(limited > 0, "one visitor behind the proxy is limited");
    let (ok, limited) = burst(&proxy, &url, 20, Some("203.0.113.6")).await;
    assert_eq!((ok, limited), (20, 0), "another visitor behind it is not");
}

/// Open a raw connection to the app.
async fn raw(app: &TestApp) -> tokio::net::TcpStream {
    let addr = app.base.trim_start_matches("http://");
    tokio::net::TcpStream::connect(addr).await.expect("connect")
}

/// Read until the peer closes (or `limit` passes); what was read.
async fn read_until_closed(s: &mut tokio::net::TcpStream, limit: Duration) -> Option<String> {
    let mut buf = Vec::new();
    match tokio::time::timeout(limit, s.read_to_end(&mut buf)).await {
        Ok(_) => Some(String::from_utf8_lossy(&buf).into_owned()),
        Err(_) => None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn half_sent_headers_and_bodies_are_dropped() {
    let app = TestApp::start_with(
        Backend::Sqlite,
        |_| {},
        |w| {
            w.serve.header_timeout = Duration::from_secs(1);
            w.body_idle_timeout = Duration::from_secs(1);
        },
    )
    .await
    .expect("app");
    // Headers that never end.
    let mut s = raw(&app).await;
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        .await
        .expect("write");
    assert!(
        read_until_closed(&mut s, Duration::from_secs(10))
            .await
            .is_some(),
        "the server closes a connection whose headers do not arrive"
    );
    // A body that stops halfway.
    let mut s = raw(&app).await;
    s.write_all(
        b"POST /public/v1/check HTTP/1.1\r\nHost: x\r\nContent-Type: application/pdf\r\nContent-Length: 100000\r\n\r\n%PDF-1.7\n",
    )
    .await
    .expect("write");
    let answer = read_until_closed(&mut s, Duration::from_secs(10))
        .await
        .expect("the server gives up on a stalled body");
    assert!(
        answer.starts_with("HTTP/1.1 408"),
        "a stalled body gets 408: {answer:?}"
    );
    // The server still answers others.
    let (st, _) = app.get("/healthz", "").await;
    assert_eq!(st, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn public_checks_are_capped_and_others_still_answered() {
    let app = TestApp::start_with(Backend::Sqlite, |_| {}, |w| w.public_uploads = 1)
        .await
        .expect("app");
    // One check holds the only place: its body is still arriving.
    let mut slow = raw(&app).await;
    slow.write_all(
        b"POST /public/v1/check HTTP/1.1\r\nHost: x\r\nContent-Type: application/pdf\r\nContent-Length: 100000\r\n\r\n%PDF-1.7\n",
    )
    .await
    .expect("write");
    for _ in 0..100 {
        if app.state.public_uploads.available() == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(app.state.public_uploads.available(), 0);
    let r = app
        .http
        .post(app.url("/public/v1/check"))
        .header("content-type", "application/pdf")
        .body(crate::harness::pdf("second"))
        .send()
        .await
        .expect("request");
    assert_eq!(r.status().as_u16(), 503, "the next check is told to retry");
    assert!(r.headers().get("retry-after").is_some());
    // Reads and staff work are not held up by the check.
    let (st, _) = app.get("/public/v1/documents", "").await;
    assert_eq!(st, 200);
    let (st, _) = app.get("/api/v1/documents", &app.clerk).await;
    assert_eq!(st, 200);
    drop(slow);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alternating_years_are_served_from_the_cache() {
    let app = TestApp::start(Backend::Sqlite).await.expect("app");
    for y in [2025, 2024, 2025, 2024, 2023, 2025, 2024, 2023] {
        let (st, _) = app.get(&format!("/public/v1/stats?year={y}"), "").await;
        assert_eq!(st, 200);
    }
    assert_eq!(
        app.state.stats_cache.lock().await.computed,
        3,
        "each year computed once"
    );
    let (st, _) = app.get("/public/v1/stats?year=9999", "").await;
    assert_eq!(st, 422, "a year far in the future is refused");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_ends_within_its_grace_even_with_a_stalled_request() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = vanthu::config::Config::for_data_dir(dir.path());
    let mut settings = vanthu::web::WebSettings::from_config(&config);
    settings.serve.shutdown_grace = Duration::from_secs(1);
    settings.body_idle_timeout = Duration::from_secs(600);
    // Through the builder, background work included, as `vanthu serve` runs.
    let setup = vanthu::app::Setup {
        web: Some(settings),
        ..Default::default()
    };
    let app = vanthu::app::Application::build(&config, vanthu::clock::Clock::system(), setup)
        .await
        .expect("build");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(app.run(listener, async {
        stopped.await.ok();
    }));
    let mut s = tokio::net::TcpStream::connect(addr).await.expect("connect");
    s.write_all(
        b"POST /public/v1/check HTTP/1.1\r\nHost: x\r\nContent-Type: application/pdf\r\nContent-Length: 100000\r\n\r\n%PDF",
    )
    .await
    .expect("write");
    tokio::time::sleep(Duration::from_millis(200)).await;
    stop.send(()).expect("stop");
    let ended = tokio::time::timeout(Duration::from_secs(15), server).await;
    assert!(
        ended.is_ok(),
        "the server stops after its grace period despite the stalled upload"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_verification_deadline_reaches_the_report() {
    // A deadline of zero: every verification stops at its first step.
    let app = TestApp::start_with(
        Backend::Sqlite,
        |c| c.verify_timeout = Duration::ZERO,
        |_| {},
    )
    .await
    .expect("app");
    let pdf = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/pdf/person.pdf"),
    )
    .expect("fixture");
    let r = app
        .http
        .post(app.url("/api/v1/verify"))
        .bearer_auth(&app.clerk)
        .header("content-type", "application/pdf")
        .body(pdf)
        .send()
        .await
        .expect("request");
    assert_eq!(r.status().as_u16(), 200);
    let report: serde_json::Value = r.json().await.expect("json");
    assert_eq!(report["status"], "indeterminate", "{report}");
    assert!(
        report["problems"]
            .as_array()
            .expect("problems")
            .iter()
            .any(|p| p["code"] == "RESOURCE_LIMIT"),
        "{report}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_hangs_up_cancels_its_verification() {
    let app = TestApp::start_with(Backend::Sqlite, |c| c.max_upload_bytes = 4_000_000, |_| {})
        .await
        .expect("app");
    // A file whose verification takes a while (it spends the lookup budget).
    let h = vanthu::sigverify::hostile::objstm_shared_offsets(20_000, 5_000);
    let mut s = raw(&app).await;
    let head = format!(
        "POST /api/v1/verify HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\nContent-Type: application/pdf\r\nContent-Length: {}\r\n\r\n",
        app.clerk,
        h.bytes.len()
    );
    s.write_all(head.as_bytes()).await.expect("head");
    s.write_all(&h.bytes).await.expect("body");
    let stats = app.registry.verify_pool.stats.clone();
    for _ in 0..500 {
        if stats.started.load(std::sync::atomic::Ordering::SeqCst) == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(stats.started.load(std::sync::atomic::Ordering::SeqCst), 1);
    drop(s);
    let mut abandoned = 0;
    for _ in 0..1000 {
        abandoned = stats.abandoned.load(std::sync::atomic::Ordering::SeqCst);
        if abandoned == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(
        abandoned, 1,
        "the verification was abandoned when its client left"
    );
}
