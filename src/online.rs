//! Online revocation over HTTP for the verifier ([`crate::sigverify::revocation::Fetch`]):
//! CRLs fetched from distribution points and OCSP responders asked, with a
//! connect and a total timeout, a size limit, and a cache that keeps a CRL
//! until its `nextUpdate` (an OCSP answer for an hour), refreshed ahead of
//! time by [`HttpFetch::refresh_due`]. The verifier runs on blocking
//! threads; this client runs on an async runtime — the server's, or its own
//! for the command line — and blocks only the calling thread.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::sigverify::revocation::Fetch;

/// Largest response read.
pub const MAX_BYTES: usize = 32 << 20;
/// How long one request may take.
pub const TIMEOUT: Duration = Duration::from_secs(10);
/// How long an OCSP answer is reused.
const OCSP_TTL: chrono::Duration = chrono::Duration::hours(1);

#[derive(Clone)]
struct Cached {
    der: Vec<u8>,
    until: DateTime<Utc>,
    /// For CRLs: refetched by [`HttpFetch::refresh_due`].
    crl: bool,
}

enum Runtime {
    Shared(tokio::runtime::Handle),
    Own(tokio::runtime::Runtime),
}

/// The HTTP fetcher.
pub struct HttpFetch {
    client: reqwest::Client,
    rt: Runtime,
    cache: Mutex<HashMap<String, Cached>>,
    /// Requests that went to the network (the others were answered from the cache).
    pub requests: AtomicU64,
}

impl std::fmt::Debug for HttpFetch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpFetch")
            .field("requests", &self.requests.load(Ordering::Relaxed))
            .finish()
    }
}

fn client() -> anyhow::Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(3))
        .timeout(TIMEOUT)
        .redirect(reqwest::redirect::Policy::limited(3))
        .user_agent(concat!("vanthu/", env!("CARGO_PKG_VERSION")))
        .build()?)
}

impl HttpFetch {
    /// A fetcher on the current (server) runtime; call from inside it.
    pub fn on_current_runtime() -> anyhow::Result<Self> {
        Ok(Self {
            client: client()?,
            rt: Runtime::Shared(tokio::runtime::Handle::current()),
            cache: Mutex::new(HashMap::new()),
            requests: AtomicU64::new(0),
        })
    }

    /// A fetcher with its own small runtime (for the command line).
    pub fn standalone() -> anyhow::Result<Self> {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()?;
        Ok(Self {
            client: client()?,
            rt: Runtime::Own(rt),
            cache: Mutex::new(HashMap::new()),
            requests: AtomicU64::new(0),
        })
    }

    fn block_on<T>(&self, f: impl std::future::Future<Output = T>) -> T {
        match &self.rt {
            Runtime::Shared(h) => h.block_on(f),
            Runtime::Own(rt) => rt.block_on(f),
        }
    }

    fn cached(&self, key: &str) -> Option<Vec<u8>> {
        let c = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        c.get(key)
            .filter(|e| e.until > Utc::now())
            .map(|e| e.der.clone())
    }

    fn remember(&self, key: String, der: &[u8], until: DateTime<Utc>, crl: bool) {
        let mut c = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        if c.len() > 10_000 {
            let now = Utc::now();
            c.retain(|_, e| e.until > now);
        }
        c.insert(
            key,
            Cached {
                der: der.to_vec(),
                until,
                crl,
            },
        );
    }

    async fn send(&self, req: reqwest::RequestBuilder) -> Result<Vec<u8>, String> {
        self.requests.fetch_add(1, Ordering::Relaxed);
        let mut resp = req.send().await.map_err(|e| e.to_string())?;
        if !resp.status().is_success() {
            return Err(format!("HTTP {}", resp.status()));
        }
        if resp.content_length().is_some_and(|n| n > MAX_BYTES as u64) {
            return Err(format!("the response is larger than {MAX_BYTES} bytes"));
        }
        let mut out = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(|e| e.to_string())? {
            if out.len() + chunk.len() > MAX_BYTES {
                return Err(format!("the response is larger than {MAX_BYTES} bytes"));
            }
            out.extend_from_slice(&chunk);
        }
        Ok(out)
    }

    async fn get_crl(&self, url: &str) -> Result<Vec<u8>, String> {
        let der = self.send(self.client.get(url)).await?;
        // A PEM CRL is accepted too; DER is what is kept.
        let crl = openssl::x509::X509Crl::from_der(&der)
            .or_else(|_| openssl::x509::X509Crl::from_pem(&der))
            .map_err(|_| "the response is not a CRL".to_string())?;
        let der = crl.to_der().map_err(|e| e.to_string())?;
        let until = crl
            .next_update()
            .and_then(asn1_time)
            .unwrap_or_else(|| Utc::now() + chrono::Duration::hours(1));
        self.remember(format!("crl {url}"), &der, until, true);
        Ok(der)
    }

    /// Refetch cached CRLs whose next update falls within `ahead`; returns how many were refreshed.
    pub async fn refresh_due(&self, ahead: chrono::Duration) -> usize {
        let due: Vec<String> = {
            let c = self.cache.lock().unwrap_or_else(|p| p.into_inner());
            let limit = Utc::now() + ahead;
            c.iter()
                .filter(|(_, e)| e.crl && e.until <= limit)
                .map(|(k, _)| k.trim_start_matches("crl ").to_string())
                .collect()
        };
        let mut n = 0;
        for url in due {
            match self.get_crl(&url).await {
                Ok(_) => n += 1,
                Err(e) => tracing::warn!(url, error = %e, "cannot refresh a CRL"),
            }
        }
        n
    }
}

fn asn1_time(t: &openssl::asn1::Asn1TimeRef) -> Option<DateTime<Utc>> {
    let epoch = openssl::asn1::Asn1Time::from_unix(0).ok()?;
    let d = epoch.diff(t).ok()?;
    DateTime::from_timestamp(i64::from(d.days) * 86_400 + i64::from(d.secs), 0)
}

impl Fetch for HttpFetch {
    fn crl(&self, url: &str) -> Result<Vec<u8>, String> {
        if let Some(d) = self.cached(&format!("crl {url}")) {
            return Ok(d);
        }
        self.block_on(self.get_crl(url))
    }

    fn ocsp(&self, url: &str, request: &[u8]) -> Result<Vec<u8>, String> {
        let key = format!("ocsp {url} {}", hex::encode(openssl::sha::sha256(request)));
        if let Some(d) = self.cached(&key) {
            return Ok(d);
        }
        let req = self
            .client
            .post(url)
            .header("content-type", "application/ocsp-request")
            .body(request.to_vec());
        let der = self.block_on(self.send(req))?;
        let resp = openssl::ocsp::OcspResponse::from_der(&der)
            .map_err(|_| "the response is not an OCSP response".to_string())?;
        if resp.status() == openssl::ocsp::OcspResponseStatus::SUCCESSFUL {
            self.remember(key, &der, Utc::now() + OCSP_TTL, false);
        }
        Ok(der)
    }
}
