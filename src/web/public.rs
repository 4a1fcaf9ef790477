//! Public, unauthenticated routes of the transparency log: the signed
//! checkpoint, the verifier key, tiles and entry bundles exactly per
//! C2SP tlog-tiles, JSON proof helpers, and per-document receipts. Nothing
//! here reads documents directly: only the log, built from the public projection.

use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use serde_json::json;

use super::AppState;
use super::error::{ApiResult, ErrorBody};
use super::extract::{FromQuery, Pairs, Query, path_id};
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
#[utoipa::path(get, path = "/log/checkpoint", tag = "public", security(()),
    responses((status = 200, description = "the signed checkpoint (C2SP tlog-checkpoint), text/plain")))]
pub async fn checkpoint(State(s): State<AppState>) -> ApiResult<Response> {
    let note = match s.log.latest().await? {
        Some((_, n)) => n,
        None => s.log.checkpoint(s.registry.clock.now()).await?,
    };
    Ok(text(note, "no-cache"))
}

/// `GET /log/vkey`: the log's verifier key (C2SP vkey).
#[utoipa::path(get, path = "/log/vkey", tag = "public", security(()),
    responses((status = 200, description = "the verifier key (C2SP signed-note vkey), text/plain")))]
pub async fn vkey(State(s): State<AppState>) -> ApiResult<Response> {
    Ok(text(format!("{}\n", s.log.vkey()?), "public, max-age=3600"))
}

/// `GET /log/tile/{*path}`: hash tiles `L/N[.p/W]` and entry bundles `entries/N[.p/W]`.
#[utoipa::path(get, path = "/log/tile/{path}", tag = "public", security(()),
    params(("path" = String, Path, description = "L/N[.p/W] for a hash tile, entries/N[.p/W] for an entry bundle (C2SP tlog-tiles; N in x-prefixed three-digit groups)")),
    responses((status = 200, description = "the tile, application/octet-stream; full tiles are immutable"), (status = 404, body = ErrorBody)))]
pub async fn tile(State(s): State<AppState>, Path(path): Path<String>) -> ApiResult<Response> {
    let not_found = || Error::not_found("no such tile");
    let (body, w) = match crate::tlog::parse_path(&path).ok_or_else(not_found)? {
        crate::tlog::TilePath::Entries { n, width } => (s.log.entries(n, width).await?, width),
        crate::tlog::TilePath::Hash { level, n, width } => {
            (s.log.tile(level, n, width).await?, width)
        }
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
#[utoipa::path(get, path = "/public/v1/proof/inclusion", tag = "public", security(()),
    params(("index" = Option<u64>, Query, description = "leaf index (or give hash)"), ("hash" = Option<String>, Query, description = "base64 leaf hash"), ("size" = u64, Query, description = "tree size of a published checkpoint")),
    responses((status = 200, body = Object, description = "RFC 9162 inclusion proof"), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn inclusion(
    State(s): State<AppState>,
    Query(q): Query<InclusionQuery>,
) -> ApiResult<Response> {
    let size = q.size;
    let index: u64 = match (q.index, q.hash) {
        (Some(i), _) => i,
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
#[utoipa::path(get, path = "/public/v1/proof/consistency", tag = "public", security(()),
    params(("from" = u64, Query, description = "older tree size"), ("to" = u64, Query, description = "newer tree size")),
    responses((status = 200, body = Object, description = "RFC 9162 consistency proof"), (status = 422, body = ErrorBody)))]
pub async fn consistency(
    State(s): State<AppState>,
    Query(ConsistencyQuery { from: m, to: n }): Query<ConsistencyQuery>,
) -> ApiResult<Response> {
    let proof = s.log.consistency(m, n).await?;
    Ok(axum::Json(json!({"from": m, "to": n, "hashes": proof.iter().map(|h| B64.encode(h)).collect::<Vec<_>>()})).into_response())
}

/// `GET /public/v1/documents/{id}/receipt`: a `c2sp.org/tlog-proof@v1` for the document's latest log entry.
#[utoipa::path(get, path = "/public/v1/documents/{id}/receipt", tag = "public", security(()),
    params(("id" = i32, Path)),
    responses((status = 200, description = "c2sp.org/tlog-proof@v1 receipt, text/plain"), (status = 404, body = ErrorBody)))]
pub async fn receipt(State(s): State<AppState>, Path(id): Path<String>) -> ApiResult<Response> {
    let id = path_id("document", &id)?;
    Ok(text(
        s.log.receipt(id, s.registry.clock.now()).await?,
        "no-cache",
    ))
}

/// The site's absolute URL without a trailing slash: the configured public
/// URL, never the request's `Host` header (a shared cache would keep links
/// a visitor forged).
fn base_url(s: &AppState) -> String {
    s.web.public_url.as_str().trim_end_matches('/').to_string()
}

/// `GET /public/v1/documents`: search public documents (the same filters as the registers; never secret or recalled ones).
#[utoipa::path(get, path = "/public/v1/documents", tag = "public", security(()), params(crate::registry::documents::ListQuery),
    responses((status = 200, body = Object, description = "{items, total, page, per_page}: public projections only"), (status = 422, body = ErrorBody)))]
pub async fn documents(
    State(s): State<AppState>,
    Query(super::search::PublicSearch(q)): Query<super::search::PublicSearch>,
) -> ApiResult<Response> {
    let page = s.registry.list_public(&q).await?;
    let items: Vec<_> = page
        .items
        .iter()
        .filter_map(crate::public::project)
        .collect();
    Ok(axum::Json(
        json!({"items": items, "total": page.total, "page": page.page, "per_page": page.per_page}),
    )
    .into_response())
}

/// `GET /public/v1/documents/{id}`: one public document (404 for secret or recalled ones).
#[utoipa::path(get, path = "/public/v1/documents/{id}", tag = "public", security(()),
    params(("id" = i32, Path)),
    responses((status = 200, body = Object), (status = 404, body = ErrorBody)))]
pub async fn document(State(s): State<AppState>, Path(id): Path<String>) -> ApiResult<Response> {
    let id = path_id("document", &id)?;
    let now = s.registry.clock.now();
    let d =
        s.registry.get(id).await.ok().filter(|d| {
            d.status != crate::registry::types::Status::Recalled && d.publish_at <= now
        });
    let p = d
        .as_ref()
        .and_then(crate::public::project)
        .ok_or_else(|| Error::not_found(format!("there is no public document {id}")))?;
    Ok(axum::Json(p).into_response())
}

/// `GET /public/v1/lookup?number_symbol=42/QĐ-SNV`: public documents with that number/symbol.
#[utoipa::path(get, path = "/public/v1/lookup", tag = "public", security(()),
    params(("number_symbol" = String, Query, description = "e.g. 42/QĐ-SNV")),
    responses((status = 200, body = Object), (status = 422, body = ErrorBody)))]
pub async fn lookup(
    State(s): State<AppState>,
    Query(LookupQuery(ns)): Query<LookupQuery>,
) -> ApiResult<Response> {
    let docs = s.registry.lookup_public(&ns).await?;
    let items: Vec<_> = docs.iter().filter_map(crate::public::project).collect();
    Ok(axum::Json(json!({"items": items})).into_response())
}

/// The year's statistics and the totals.
type Stats = std::sync::Arc<(
    Vec<crate::public::stats::Group>,
    crate::public::stats::Figures,
)>;

/// Public statistics computed lately: per year, for (Vietnam day, last
/// audit entry id). A handful of years are kept, so a visitor alternating
/// between years reads them from memory.
#[derive(Debug, Default)]
pub struct StatsCache {
    entries: Vec<((i32, chrono::NaiveDate, i64), Stats)>,
    /// How many times the statistics were computed (not read from memory).
    pub computed: u64,
}

/// Years kept in [`StatsCache`].
const STATS_YEARS: usize = 8;

impl StatsCache {
    fn get(&mut self, key: &(i32, chrono::NaiveDate, i64)) -> Option<Stats> {
        let pos = self.entries.iter().position(|(k, _)| k == key)?;
        // Most recently used last.
        let e = self.entries.remove(pos);
        let v = e.1.clone();
        self.entries.push(e);
        Some(v)
    }

    fn put(&mut self, key: (i32, chrono::NaiveDate, i64), v: Stats) {
        // An entry for the same year with an older key is stale.
        self.entries.retain(|(k, _)| k.0 != key.0);
        if self.entries.len() >= STATS_YEARS {
            self.entries.remove(0);
        }
        self.entries.push((key, v));
        self.computed += 1;
    }
}

/// The year's public statistics, recomputed only when a document changed
/// (every change appends to the audit log) or the day turned. One
/// computation at a time: a flood of requests waits for it instead of
/// repeating it.
async fn cached_stats(s: &AppState, year: i32) -> Result<Stats, Error> {
    let last = s.registry.last_audit_id().await?;
    let key = (year, s.registry.clock.today_vn(), last);
    let mut cache = s.stats_cache.lock().await;
    if let Some(v) = cache.get(&key) {
        return Ok(v);
    }
    let value = std::sync::Arc::new(crate::public::stats::stats(&s.registry, year).await?);
    cache.put(key, value.clone());
    Ok(value)
}

/// The `year` query parameter: a register year from 1945 to next year
/// (default: this year in Vietnam).
pub struct YearQuery(pub i32);

impl FromQuery for YearQuery {
    const ALLOWED: &'static [&'static str] = &["year"];
    fn from_query(q: &Pairs, s: &AppState) -> Result<Self, Error> {
        let this = chrono::Datelike::year(&s.registry.clock.today_vn());
        let year = q.num("year")?.unwrap_or(this);
        if !(1945..=this + 1).contains(&year) {
            return Err(Error::invalid(
                "invalid_value",
                "year",
                format!("year must be between 1945 and {}", this + 1),
            ));
        }
        Ok(Self(year))
    }
}

/// `index` (or `hash`) and `size` of an inclusion proof.
pub struct InclusionQuery {
    index: Option<u64>,
    hash: Option<String>,
    size: u64,
}

impl FromQuery for InclusionQuery {
    const ALLOWED: &'static [&'static str] = &["index", "size", "hash"];
    fn from_query(q: &Pairs, _: &AppState) -> Result<Self, Error> {
        let size = q.required_num("size")?;
        let (index, hash) = (q.num("index")?, q.get("hash"));
        if index.is_none() && hash.is_none() {
            return Err(Error::invalid(
                "missing_field",
                "index",
                "give index or hash",
            ));
        }
        Ok(Self { index, hash, size })
    }
}

/// `from` and `to` of a consistency proof.
pub struct ConsistencyQuery {
    from: u64,
    to: u64,
}

impl FromQuery for ConsistencyQuery {
    const ALLOWED: &'static [&'static str] = &["from", "to"];
    fn from_query(q: &Pairs, _: &AppState) -> Result<Self, Error> {
        Ok(Self {
            from: q.required_num("from")?,
            to: q.required_num("to")?,
        })
    }
}

/// The number/symbol looked up.
pub struct LookupQuery(String);

impl FromQuery for LookupQuery {
    const ALLOWED: &'static [&'static str] = &["number_symbol"];
    fn from_query(q: &Pairs, _: &AppState) -> Result<Self, Error> {
        q.raw("number_symbol")
            .filter(|v| !v.trim().is_empty() && v.chars().count() <= 100)
            .map(|v| Self(v.to_string()))
            .ok_or_else(|| {
                Error::invalid(
                    "missing_field",
                    "number_symbol",
                    "number_symbol is required (at most 100 characters)",
                )
            })
    }
}

/// `before`: the log index a feed page goes back from.
pub struct BeforeQuery(Option<i64>);

impl FromQuery for BeforeQuery {
    const ALLOWED: &'static [&'static str] = &["before"];
    fn from_query(q: &Pairs, _: &AppState) -> Result<Self, Error> {
        Ok(Self(q.num("before")?))
    }
}

/// `GET /public/dashboard?year=YYYY`: the public dashboard, one HTML page
/// without script (the year's flow, the plan's rates, the latest log events).
#[utoipa::path(get, path = "/public/dashboard", tag = "public", security(()),
    params(("year" = Option<i32>, Query)),
    responses((status = 200, description = "text/html"), (status = 422, body = ErrorBody)))]
pub async fn dashboard(
    State(s): State<AppState>,
    Query(YearQuery(year)): Query<YearQuery>,
) -> ApiResult<Response> {
    let st = cached_stats(&s, year).await?;
    let (groups, all) = (&st.0, &st.1);
    let latest = s.log.feed(None).await?;
    let size = s.log.size().await?;
    let body =
        crate::public::dashboard::render(&s.registry.agency_name, year, groups, all, &latest, size);
    let mut r = (StatusCode::OK, body).into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
        ),
    );
    Ok(r)
}

/// `GET /public/v1/stats?year=YYYY`: counts and rates per month, unit and direction.
#[utoipa::path(get, path = "/public/v1/stats", tag = "public", security(()),
    params(("year" = Option<i32>, Query)),
    responses((status = 200, body = Object, description = "counts and rates per month, unit and direction; secret documents only as counts"), (status = 422, body = ErrorBody)))]
pub async fn stats(
    State(s): State<AppState>,
    Query(YearQuery(year)): Query<YearQuery>,
) -> ApiResult<Response> {
    let st = cached_stats(&s, year).await?;
    Ok(axum::Json(json!({"year": year, "total": st.1, "groups": st.0})).into_response())
}

async fn feed_items(
    s: &AppState,
    before: Option<i64>,
) -> Result<(Vec<crate::public::feed::Item>, Option<i64>), Error> {
    let items = s.log.feed(before).await?;
    let next = (items.len() as i64 == crate::public::feed::PAGE)
        .then(|| items.last().map(|i| i.idx))
        .flatten();
    Ok((items, next))
}

fn conditional(
    headers: &axum::http::HeaderMap,
    items: &[crate::public::feed::Item],
    body: Vec<u8>,
    ctype: &'static str,
) -> Response {
    let etag = format!(
        "\"{}-{}\"",
        items.first().map(|i| i.idx).unwrap_or(-1),
        items.len()
    );
    let last = items
        .first()
        .map(|i| i.at.format("%a, %d %b %Y %H:%M:%S GMT").to_string());
    let matches = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag));
    let not_modified_since = match (
        &last,
        headers
            .get(header::IF_MODIFIED_SINCE)
            .and_then(|v| v.to_str().ok()),
    ) {
        (Some(l), Some(since)) => headers.get(header::IF_NONE_MATCH).is_none() && l == since,
        _ => false,
    };
    let mut r = if matches || not_modified_since {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        (StatusCode::OK, body).into_response()
    };
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(ctype));
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    if let Some(l) = last
        && let Ok(v) = HeaderValue::from_str(&l)
    {
        h.insert(header::LAST_MODIFIED, v);
    }
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=5"),
    );
    r
}

/// `GET /public/v1/feed.atom`.
#[utoipa::path(get, path = "/public/v1/feed.atom", tag = "public", security(()),
    params(("before" = Option<i64>, Query, description = "log index to page back from")),
    responses((status = 200, description = "Atom feed, application/atom+xml"), (status = 304, description = "not modified"), (status = 422, body = ErrorBody)))]
pub async fn feed_atom(
    State(s): State<AppState>,
    headers: axum::http::HeaderMap,
    Query(BeforeQuery(before)): Query<BeforeQuery>,
) -> ApiResult<Response> {
    feed(
        &s,
        &headers,
        before,
        "application/atom+xml; charset=utf-8",
        |i, b, o, a, n| crate::public::feed::atom(i, b, o, a, n).into_bytes(),
    )
    .await
}

/// `GET /public/v1/feed.json`.
#[utoipa::path(get, path = "/public/v1/feed.json", tag = "public", security(()),
    params(("before" = Option<i64>, Query, description = "log index to page back from")),
    responses((status = 200, description = "JSON Feed 1.1"), (status = 304, description = "not modified"), (status = 422, body = ErrorBody)))]
pub async fn feed_json(
    State(s): State<AppState>,
    headers: axum::http::HeaderMap,
    Query(BeforeQuery(before)): Query<BeforeQuery>,
) -> ApiResult<Response> {
    feed(
        &s,
        &headers,
        before,
        "application/feed+json; charset=utf-8",
        |i, b, o, a, n| {
            crate::public::feed::json_feed(i, b, o, a, n)
                .to_string()
                .into_bytes()
        },
    )
    .await
}

/// Signature of a feed renderer: items, base URL, log origin, agency, next page.
type Render = fn(&[crate::public::feed::Item], &str, &str, &str, Option<i64>) -> Vec<u8>;

/// A page of the feed rendered by `render`, with conditional GET.
async fn feed(
    s: &AppState,
    headers: &axum::http::HeaderMap,
    before: Option<i64>,
    ctype: &'static str,
    render: Render,
) -> ApiResult<Response> {
    let (items, next) = feed_items(s, before).await?;
    let body = render(
        &items,
        &base_url(s),
        &s.log.origin,
        &s.registry.agency_name,
        next,
    );
    Ok(conditional(headers, &items, body, ctype))
}

/// `POST /public/v1/check`: upload a PDF (application/pdf body, or multipart part `file`): whether it is a
/// registered public document (by SHA-256), its verification report, and its receipt.
#[utoipa::path(post, path = "/public/v1/check", tag = "public", security(()),
    request_body(content = Vec<u8>, description = "the PDF (application/pdf), or multipart/form-data with part `file`", content_type = "application/pdf"),
    responses((status = 200, body = Object, description = "whether the PDF is a registered public document, its verification report and receipt"), (status = 413, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn check(State(s): State<AppState>, req: axum::extract::Request) -> ApiResult<Response> {
    let pdf = super::uploads::read_pdf(&s, req).await?;
    let sha = hex::encode(openssl::sha::sha256(pdf.bytes()));
    let doc = s.registry.find_public_by_file(&sha).await?;
    let report = s
        .registry
        .verify_upload("upload.pdf", pdf.bytes().clone())
        .await?;
    let receipt = match &doc {
        Some(d) => s.log.receipt(d.id, s.registry.clock.now()).await.ok(),
        None => None,
    };
    Ok(axum::Json(json!({
        "sha256": sha,
        "registered": doc.is_some(),
        "document": doc.as_ref().and_then(crate::public::project),
        "verification": report,
        "receipt": receipt,
    }))
    .into_response())
}
