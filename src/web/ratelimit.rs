//! Per-client rate limiting of the public routes: a token bucket per IP
//! address (20 requests a second, bursts of 100). Over the limit: 429 with
//! `Retry-After`.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;

/// Buckets by client.
#[derive(Debug, Clone)]
pub struct Limiter {
    buckets: Arc<Mutex<HashMap<IpAddr, (f64, Instant)>>>,
    rate: f64,
    burst: f64,
}

impl Limiter {
    /// `rate` requests a second, bursts of `burst`.
    pub fn new(rate: f64, burst: f64) -> Self {
        Self {
            buckets: Arc::new(Mutex::new(HashMap::new())),
            rate,
            burst,
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
}

/// The middleware.
pub async fn limit(State(l): State<Limiter>, req: Request, next: Next) -> Response {
    let ip = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
        .unwrap_or(IpAddr::from([0, 0, 0, 0]));
    if !l.allow(ip) {
        let mut r = super::error::error_response(
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bursts_then_refuses() {
        let l = Limiter::new(1.0, 3.0);
        let ip = IpAddr::from([127, 0, 0, 1]);
        assert!(l.allow(ip) && l.allow(ip) && l.allow(ip));
        assert!(!l.allow(ip));
        assert!(
            l.allow(IpAddr::from([127, 0, 0, 2])),
            "buckets are per client"
        );
    }
}
