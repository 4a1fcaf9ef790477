//! Request extractors that refuse bad input with the JSON error body:
//! JSON bodies, query strings checked key by key ([`Query`] over a
//! [`FromQuery`] type), numeric ids in paths.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::header::CONTENT_TYPE;
use serde_json::Value;

use super::AppState;
use super::error::AppError;
use crate::registry::{Error, Kind};

/// Largest JSON body accepted outside uploads.
pub const JSON_LIMIT: usize = 1_000_000;

/// A JSON body parsed to a value; the domain reads it field by field.
pub struct JsonBody(pub Value);

/// Whether a content type is JSON.
pub fn is_json(ct: &str) -> bool {
    let base = ct
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    base == "application/json" || (base.starts_with("application/") && base.ends_with("+json"))
}

/// Parse JSON bytes, refusing malformed ones with 400 naming `field`.
pub fn parse_json(bytes: &[u8], field: Option<&str>) -> Result<Value, Error> {
    serde_json::from_slice(bytes).map_err(|e| {
        Error::bad_request(
            "malformed_json",
            field,
            format!("the JSON is malformed: {e}"),
        )
    })
}

impl FromRequest<AppState> for JsonBody {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let ct = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if !is_json(ct) {
            return Err(Error::reject(
                Kind::UnsupportedMedia,
                "unsupported_media_type",
                None,
                "send the body as JSON with Content-Type: application/json",
            )
            .into());
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            if timed_out(&e) {
                return stalled();
            }
            Error::reject(
                Kind::TooLarge,
                "body_too_large",
                None,
                format!("the body is larger than {JSON_LIMIT} bytes"),
            )
        })?;
        Ok(JsonBody(parse_json(&bytes, None)?))
    }
}

/// Parse a query string into pairs, refusing keys outside `allowed`.
pub fn query_pairs(raw: Option<&str>, allowed: &[&str]) -> Result<Vec<(String, String)>, Error> {
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(raw.unwrap_or("")).map_err(|e| {
            Error::bad_request(
                "malformed_query",
                None,
                format!("the query string is malformed: {e}"),
            )
        })?;
    for (i, (k, _)) in pairs.iter().enumerate() {
        if pairs[..i].iter().any(|(a, _)| a == k) {
            return Err(Error::invalid(
                "repeated_field",
                k,
                format!("query parameter {k:?} is given more than once"),
            ));
        }
    }
    if let Some((k, _)) = pairs.iter().find(|(k, _)| !allowed.contains(&k.as_str())) {
        return Err(Error::invalid(
            "unknown_field",
            k,
            format!(
                "unknown query parameter {k:?}; accepted: {}",
                allowed.join(", ")
            ),
        ));
    }
    Ok(pairs)
}

/// Query pairs checked against a handler's accepted names (none unknown,
/// none repeated).
#[derive(Debug, Clone, Default)]
pub struct Pairs(Vec<(String, String)>);

impl Pairs {
    /// The value of `k` as sent.
    pub fn raw(&self, k: &str) -> Option<&str> {
        self.0.iter().find(|(a, _)| a == k).map(|(_, v)| v.as_str())
    }

    /// The value of `k`, trimmed; an empty value counts as absent.
    pub fn get(&self, k: &str) -> Option<String> {
        self.raw(k)
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    }

    /// A whole number `k`, when given.
    pub fn num<T: std::str::FromStr>(&self, k: &str) -> Result<Option<T>, Error> {
        self.get(k).map(|v| parse_num(k, &v)).transpose()
    }

    /// A whole number `k` that must be given.
    pub fn required_num<T: std::str::FromStr>(&self, k: &str) -> Result<T, Error> {
        self.num(k)?
            .ok_or_else(|| Error::invalid("missing_field", k, format!("{k} is required")))
    }

    /// Every pair, in order.
    pub fn all(&self) -> &[(String, String)] {
        &self.0
    }
}

/// The query parameters of a route, as a type.
pub trait FromQuery: Sized {
    /// The names the route accepts; any other is refused (422).
    const ALLOWED: &'static [&'static str];

    /// Build from the checked pairs (`state` gives today's date and the like).
    fn from_query(q: &Pairs, state: &AppState) -> Result<Self, Error>;
}

/// Query parameters parsed into `T`: a malformed query string is a 400, an
/// unknown or repeated name or a bad value a 422, always with the JSON
/// error body.
#[derive(Debug, Clone)]
pub struct Query<T>(pub T);

impl<T: FromQuery> axum::extract::FromRequestParts<AppState> for Query<T> {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let pairs = Pairs(query_pairs(parts.uri.query(), T::ALLOWED)?);
        Ok(Query(T::from_query(&pairs, state)?))
    }
}

/// Parse a whole number named `field`.
pub fn parse_num<T: std::str::FromStr>(field: &str, s: &str) -> Result<T, Error> {
    s.trim().parse().map_err(|_| {
        Error::invalid(
            "invalid_value",
            field,
            format!("{field} must be a whole number; got {s:?}"),
        )
    })
}

/// A numeric id from a path segment; anything else is a 404.
pub fn path_id(what: &str, s: &str) -> Result<i32, Error> {
    s.parse::<i32>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| Error::not_found(format!("there is no {what} {s:?}")))
}

/// Whether a body error is the body read timing out (the client stalled).
pub(super) fn timed_out(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(x) = cur {
        if x.is::<tower_http::timeout::TimeoutError>() {
            return true;
        }
        cur = x.source();
    }
    false
}

/// The refusal of a request whose body stopped arriving.
pub(super) fn stalled() -> Error {
    Error::reject(
        Kind::Timeout,
        "request_timeout",
        None,
        "the request body stopped arriving; send it again",
    )
}
