//! Public, unauthenticated routes of the transparency log: the signed
//! checkpoint, the verifier key, tiles and entry bundles exactly per
//! C2SP tlog-tiles, JSON proof helpers, and per-document receipts. Nothing
//! here reads documents directly: only the log, built from the public projection.

use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use serde_json::json;

use super::AppState;
use super::error::ApiResult;
use super::extract::{parse_num, path_id, query_pairs};
use crate::registry::Error;

fn text(body: String, cache: &'static str) -> Response {
    let mut r = (StatusCode::OK, body).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    r
}

/// `GET /log/checkpoint`: the latest signed checkpoint.
pub async fn checkpoint(State(s): State<AppState>) -> ApiResult<Response> {
    let note = match s.log.latest().await? {
        Some((_, n)) => n,
        None => s.log.checkpoint(s.registry.clock.now()).await?,
    };
    Ok(text(note, "no-cache"))
}

/// `GET /log/vkey`: the log's verifier key (C2SP vkey).
pub async fn vkey(State(s): State<AppState>) -> ApiResult<Response> {
    Ok(text(format!("{}\n", s.log.vkey()?), "public, max-age=3600"))
}

/// Parse `N` written in three-digit groups (`x001/x234/067`), with an optional `.p/W`.
fn parse_index(parts: &[&str]) -> Option<(u64, u64)> {
    let (last, rest) = parts.split_last()?;
    let mut n: u64 = 0;
    for g in rest {
        let d = g.strip_prefix('x')?;
        if d.len() != 3 || !d.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        n = n.checked_mul(1000)?.checked_add(d.parse().ok()?)?;
    }
    let (digits, width) = match last.split_once(".p") {
        None => (*last, 256),
        Some(_) => return None,
    };
    if digits.len() != 3 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((
        n.checked_mul(1000)?.checked_add(digits.parse().ok()?)?,
        width,
    ))
}

/// Split `…/NNN.p/W` into index parts and width.
fn parse_tile_index(path: &str) -> Option<(u64, u64)> {
    let parts: Vec<&str> = path.split('/').collect();
    if let Some(pos) = parts.iter().position(|p| p.ends_with(".p")) {
        if pos + 2 != parts.len() {
            return None;
        }
        let w: u64 = parts[pos + 1]
            .parse()
            .ok()
            .filter(|w| (1..256).contains(w))?;
        if parts[pos + 1].starts_with('0') {
            return None;
        }
        let mut idx = parts[..pos + 1].to_vec();
        let last = idx.pop()?.strip_suffix(".p")?;
        idx.push(last);
        let (n, _) = parse_index(&idx)?;
        return Some((n, w));
    }
    parse_index(&parts)
}

/// `GET /log/tile/{*path}`: hash tiles `L/N[.p/W]` and entry bundles `entries/N[.p/W]`.
pub async fn tile(State(s): State<AppState>, Path(path): Path<String>) -> ApiResult<Response> {
    let not_found = || Error::not_found("no such tile");
    let (kind, rest) = path.split_once('/').ok_or_else(not_found)?;
    let (n, w) = parse_tile_index(rest).ok_or_else(not_found)?;
    let body = if kind == "entries" {
        s.log.entries(n, w).await?
    } else {
        let level: u8 = kind
            .parse()
            .ok()
            .filter(|l: &u8| *l < 8)
            .ok_or_else(not_found)?;
        s.log.tile(level, n, w).await?
    };
    let body = body.ok_or_else(not_found)?;
    let mut r = (StatusCode::OK, body).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    let cache = if w == 256 {
        "public, max-age=31536000, immutable"
    } else {
        "public, max-age=5"
    };
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    Ok(r)
}

/// `GET /public/v1/proof/inclusion?index=I&size=N` (or `hash=` base64 leaf hash instead of `index=`).
pub async fn inclusion(State(s): State<AppState>, RawQuery(q): RawQuery) -> ApiResult<Response> {
    let pairs = query_pairs(q.as_deref(), &["index", "size", "hash"])?;
    let get = |k: &str| pairs.iter().find(|(a, _)| a == k).map(|(_, v)| v.clone());
    let size: u64 = parse_num(
        "size",
        &get("size").ok_or_else(|| Error::invalid("missing_field", "size", "size is required"))?,
    )?;
    let index: u64 = match (get("index"), get("hash")) {
        (Some(i), _) => parse_num("index", &i)?,
        (None, Some(h)) => {
            let raw = B64.decode(&h).map_err(|_| {
                Error::invalid(
                    "invalid_value",
                    "hash",
                    "hash is a base64 SHA-256 leaf hash",
                )
            })?;
            s.log.index_of_leaf(&hex::encode(raw), size).await?
        }
        (None, None) => {
            return Err(Error::invalid("missing_field", "index", "give index or hash").into());
        }
    };
    let proof = s.log.inclusion(index, size).await?;
    Ok(axum::Json(json!({"index": index, "size": size, "hashes": proof.iter().map(|h| B64.encode(h)).collect::<Vec<_>>()})).into_response())
}

/// `GET /public/v1/proof/consistency?from=M&to=N`.
pub async fn consistency(State(s): State<AppState>, RawQuery(q): RawQuery) -> ApiResult<Response> {
    let pairs = query_pairs(q.as_deref(), &["from", "to"])?;
    let get = |k: &str| pairs.iter().find(|(a, _)| a == k).map(|(_, v)| v.clone());
    let m: u64 = parse_num(
        "from",
        &get("from").ok_or_else(|| Error::invalid("missing_field", "from", "from is required"))?,
    )?;
    let n: u64 = parse_num(
        "to",
        &get("to").ok_or_else(|| Error::invalid("missing_field", "to", "to is required"))?,
    )?;
    let proof = s.log.consistency(m, n).await?;
    Ok(axum::Json(json!({"from": m, "to": n, "hashes": proof.iter().map(|h| B64.encode(h)).collect::<Vec<_>>()})).into_response())
}

/// `GET /public/v1/documents/{id}/receipt`: a `c2sp.org/tlog-proof@v1` for the document's latest log entry.
pub async fn receipt(State(s): State<AppState>, Path(id): Path<String>) -> ApiResult<Response> {
    let id = path_id("document", &id)?;
    Ok(text(
        s.log.receipt(id, s.registry.clock.now()).await?,
        "no-cache",
    ))
}
