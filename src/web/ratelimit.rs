//! Fair use of the server: a token bucket per client address (the peer of
//! the connection, or — only when that peer is a configured trusted proxy —
//! the address it forwarded), caps on concurrent uploads and public reads
//! (503 with `Retry-After` when full), and a deadline on upload requests.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use tokio::sync::Semaphore;

use super::error::error_response;

/// Buckets by client.
#[derive(Debug, Clone)]
pub struct Limiter {
    buckets: Arc<Mutex<HashMap<IpAddr, (f64, Instant)>>>,
    rate: f64,
    burst: f64,
    trusted: Arc<Vec<ipnet::IpNet>>,
}

impl Limiter {
    /// `rate` requests a second, bursts of `burst`, believing
    /// `X-Forwarded-For` only from `trusted` proxies.
    pub fn new(rate: f64, burst: f64, trusted: Vec<ipnet::IpNet>) -> Self {
        Self {
            buckets: Arc::new(Mutex::new(HashMap::new())),
            rate,
            burst,
            trusted: Arc::new(trusted),
        }
    }

    /// Take one token for `ip`; false when none is left.
    pub fn allow(&self, ip: IpAddr) -> bool {
        let now = Instant::now();
        let mut b = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if b.len() > 100_000 {
            // Forget clients idle long enough to have refilled.
            let full = self.burst / self.rate;
            b.retain(|_, (_, t)| now.duration_since(*t).as_secs_f64() < full);
        }
        let (tokens, last) = b.entry(ip).or_insert((self.burst, now));
        *tokens = (*tokens + now.duration_since(*last).as_secs_f64() * self.rate).min(self.burst);
        *last = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            true
        } else {
            false
        }
    }

    /// The client a request comes from: its connection's peer, unless that
    /// peer is a trusted proxy, in which case the right-most address of
    /// `X-Forwarded-For` that is not itself a trusted proxy.
    pub fn client(&self, req: &Request) -> IpAddr {
        let peer = req
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip())
            .unwrap_or(IpAddr::from([0, 0, 0, 0]));
        client_ip(peer, req.headers(), &self.trusted)
    }
}

/// See [`Limiter::client`].
pub fn client_ip(
    peer: IpAddr,
    headers: &axum::http::HeaderMap,
    trusted: &[ipnet::IpNet],
) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|n| n.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    let mut hops: Vec<IpAddr> = Vec::new();
    for v in headers.get_all("x-forwarded-for") {
        let Ok(s) = v.to_str() else { return peer };
        for part in s.split(',') {
            match part.trim().parse::<IpAddr>() {
                Ok(ip) => hops.push(ip),
                // A malformed chain proves nothing: fall back to the proxy.
                Err(_) => return peer,
            }
        }
    }
    hops.into_iter()
        .rev()
        .find(|ip| !is_trusted(ip))
        .unwrap_or(peer)
}

/// The rate-limit middleware.
pub async fn limit(State(l): State<Limiter>, req: Request, next: Next) -> Response {
    if !l.allow(l.client(&req)) {
        let mut r = error_response(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            "too many requests; slow down",
            None,
        );
        r.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        return r;
    }
    next.run(req).await
}

/// A cap on requests handled at once, with how long to wait for a place.
#[derive(Debug, Clone)]
pub struct Gate {
    slots: Arc<Semaphore>,
    wait: Duration,
    what: &'static str,
}

impl Gate {
    /// `n` at once; a request waits up to `wait` for a place, then gets 503.
    pub fn new(n: usize, wait: Duration, what: &'static str) -> Self {
        Self {
            slots: Arc::new(Semaphore::new(n.max(1))),
            wait,
            what,
        }
    }

    /// Places free now.
    pub fn available(&self) -> usize {
        self.slots.available_permits()
    }
}

/// The gate middleware: the place is held until the response is produced
/// (the handler reads the body inside, so memory is bounded by the cap).
pub async fn gate(State(g): State<Gate>, req: Request, next: Next) -> Response {
    let permit = match tokio::time::timeout(g.wait, g.slots.clone().acquire_owned()).await {
        Ok(Ok(p)) => p,
        _ => {
            return error_response(
                StatusCode::SERVICE_UNAVAILABLE,
                "busy",
                &format!("too many {} at once; try again in a few seconds", g.what),
                None,
            );
        }
    };
    let r = next.run(req).await;
    drop(permit);
    r
}

/// A deadline for a whole request (headers, body and handling).
pub async fn deadline(State(d): State<Duration>, req: Request, next: Next) -> Response {
    match tokio::time::timeout(d, next.run(req)).await {
        Ok(r) => r,
        Err(_) => error_response(
            StatusCode::REQUEST_TIMEOUT,
            "request_timeout",
            &format!(
                "the request took longer than {} s (a slow upload?); try again",
                d.as_secs()
            ),
            None,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bursts_then_refuses() {
        let l = Limiter::new(1.0, 3.0, vec![]);
        let ip = IpAddr::from([127, 0, 0, 1]);
        assert!(l.allow(ip) && l.allow(ip) && l.allow(ip));
        assert!(!l.allow(ip));
        assert!(
            l.allow(IpAddr::from([127, 0, 0, 2])),
            "buckets are per client"
        );
    }

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let proxy = IpAddr::from([10, 0, 0, 5]);
        let trusted: Vec<ipnet::IpNet> = vec!["10.0.0.0/24".parse().expect("net")];
        let mut h = axum::http::HeaderMap::new();
        h.insert(
            "x-forwarded-for",
            HeaderValue::from_static("203.0.113.9, 198.51.100.7, 10.0.0.4"),
        );
        // From the proxy: the right-most address that is not a proxy.
        assert_eq!(
            client_ip(proxy, &h, &trusted),
            IpAddr::from([198, 51, 100, 7])
        );
        // From anyone else: the header is ignored.
        let stranger = IpAddr::from([192, 0, 2, 1]);
        assert_eq!(client_ip(stranger, &h, &trusted), stranger);
        // A malformed chain from the proxy: the proxy itself.
        h.insert("x-forwarded-for", HeaderValue::from_static("nonsense"));
        assert_eq!(client_ip(proxy, &h, &trusted), proxy);
        // No header: the proxy.
        assert_eq!(
            client_ip(proxy, &axum::http::HeaderMap::new(), &trusted),
            proxy
        );
    }
}
