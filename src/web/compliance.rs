//! `/api/v1/compliance`: the plan's metrics per group, and the documents behind each gap.

use axum::Json;
use axum::extract::State;
use chrono::{Datelike, NaiveDate};
use serde_json::{Value, json};

use super::AppState;
use super::auth::{Authed, Read};
use super::error::{ApiResult, ErrorBody};
use super::extract::{FromQuery, Pairs, Query, parse_num};
use crate::compliance::{self, Filter, GroupBy};
use crate::registry::Error;
use crate::registry::fields::parse_date;

/// The filter and grouping every compliance route reads.
const FILTER: &[&str] = &[
    "from",
    "to",
    "unit",
    "direction",
    "type",
    "group_by",
    "as_verified",
];

/// The query of a compliance route: the filter and grouping, and the
/// route's own parameters (`P` names them).
pub struct ComplianceQuery<P: RouteParams> {
    filter: Filter,
    group: GroupBy,
    pairs: Pairs,
    _route: std::marker::PhantomData<P>,
}

/// The parameters a compliance route takes besides the filter.
pub trait RouteParams {
    /// Every name the route accepts (the filter's included).
    const ALLOWED: &'static [&'static str];
}

/// `GET /api/v1/compliance`.
pub struct MetricsRoute;
impl RouteParams for MetricsRoute {
    const ALLOWED: &'static [&'static str] = FILTER;
}

/// `GET /api/v1/compliance/evidence`.
pub struct EvidenceRoute;
impl RouteParams for EvidenceRoute {
    const ALLOWED: &'static [&'static str] = &[
        "from",
        "to",
        "unit",
        "direction",
        "type",
        "group_by",
        "as_verified",
        "metric",
        "page",
        "per_page",
    ];
}

/// `GET /api/v1/compliance/export`.
pub struct ExportRoute;
impl RouteParams for ExportRoute {
    const ALLOWED: &'static [&'static str] = &[
        "from",
        "to",
        "unit",
        "direction",
        "type",
        "group_by",
        "as_verified",
        "format",
        "kind",
    ];
}

impl<P: RouteParams> FromQuery for ComplianceQuery<P> {
    const ALLOWED: &'static [&'static str] = P::ALLOWED;
    fn from_query(q: &Pairs, s: &AppState) -> Result<Self, Error> {
        let (filter, group) = filter(s.registry.clock.today_vn(), q)?;
        Ok(Self {
            filter,
            group,
            pairs: q.clone(),
            _route: std::marker::PhantomData,
        })
    }
}

/// `year`, `format` and `series` of a printable register.
pub struct RegisterQuery(Pairs);

impl FromQuery for RegisterQuery {
    const ALLOWED: &'static [&'static str] = &["year", "format", "series"];
    fn from_query(q: &Pairs, _: &AppState) -> Result<Self, Error> {
        Ok(Self(q.clone()))
    }
}

fn filter(reg_today: NaiveDate, pairs: &Pairs) -> Result<(Filter, GroupBy), Error> {
    let get = |k: &str| pairs.get(k);
    let year_start = NaiveDate::from_ymd_opt(reg_today.year(), 1, 1).unwrap_or(reg_today);
    let from = get("from")
        .map(|s| parse_date("from", &s))
        .transpose()?
        .unwrap_or(year_start);
    let to = get("to")
        .map(|s| parse_date("to", &s))
        .transpose()?
        .unwrap_or(reg_today);
    let g = match get("group_by").as_deref() {
        None => GroupBy::None,
        Some("unit") => GroupBy::Unit,
        Some("month") => GroupBy::Month,
        Some("type") => GroupBy::Type,
        Some(_) => {
            return Err(Error::invalid(
                "invalid_value",
                "group_by",
                "group_by must be unit, month or type",
            ));
        }
    };
    let as_registered = match get("as_verified").as_deref() {
        None | Some("now") => false,
        Some("registration") => true,
        Some(_) => {
            return Err(Error::invalid(
                "invalid_value",
                "as_verified",
                "as_verified must be now or registration",
            ));
        }
    };
    Ok((
        Filter {
            from,
            to,
            unit: get("unit"),
            direction: get("direction"),
            doc_type: get("type"),
            as_registered,
        },
        g,
    ))
}

/// The plan's metrics: `{"metrics":[{"id","group","numerator","denominator","rate","target","met","margin"}…]}`.
#[utoipa::path(get, path = "/api/v1/compliance", tag = "compliance",
    params(("from" = Option<String>, Query), ("to" = Option<String>, Query), ("unit" = Option<String>, Query), ("direction" = Option<String>, Query), ("type" = Option<String>, Query), ("group_by" = Option<String>, Query, description = "unit, month or type"), ("as_verified" = Option<String>, Query, description = "now (default) or registration")),
    responses((status = 200, body = Object), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn metrics(
    State(s): State<AppState>,
    _auth: Authed<Read>,
    Query(q): Query<ComplianceQuery<MetricsRoute>>,
) -> ApiResult<Json<Value>> {
    let (f, g) = (q.filter, q.group);
    let m = compliance::rollup::metrics(&s.registry, &s.web.targets, &f, g).await?;
    Ok(Json(json!({"from": f.from, "to": f.to, "metrics": m})))
}

/// The highest evidence page asked for (a billion items at 1000 a page).
const MAX_PAGE: u64 = 1_000_000;

/// The documents (or officials) behind a metric's gap: `{"items":[…],"total":N}`.
#[utoipa::path(get, path = "/api/v1/compliance/evidence", tag = "compliance",
    params(("metric" = String, Query), ("from" = Option<String>, Query), ("to" = Option<String>, Query), ("unit" = Option<String>, Query), ("direction" = Option<String>, Query), ("type" = Option<String>, Query), ("group_by" = Option<String>, Query), ("page" = Option<u64>, Query), ("per_page" = Option<u64>, Query)),
    responses((status = 200, body = Object), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn evidence(
    State(s): State<AppState>,
    _auth: Authed<Read>,
    Query(q): Query<ComplianceQuery<EvidenceRoute>>,
) -> ApiResult<Json<Value>> {
    let (f, g, pairs) = (q.filter, q.group, q.pairs);
    let get = |k: &str| pairs.get(k);
    let metric = get("metric")
        .ok_or_else(|| Error::invalid("missing_field", "metric", "metric is required"))?;
    if !compliance::METRICS.iter().any(|(id, _, _)| *id == metric) {
        return Err(Error::invalid(
            "invalid_value",
            "metric",
            format!("unknown metric {metric:?}"),
        )
        .into());
    }
    let page: u64 = get("page")
        .map(|p| parse_num("page", &p))
        .transpose()?
        .unwrap_or(1)
        .max(1);
    if page > MAX_PAGE {
        return Err(Error::invalid(
            "invalid_value",
            "page",
            format!("page must be at most {MAX_PAGE}"),
        )
        .into());
    }
    let per_page: u64 = get("per_page")
        .map(|p| parse_num("per_page", &p))
        .transpose()?
        .unwrap_or(100)
        .clamp(1, 1000);
    let ev = compliance::evidence::page(&s.registry, &f, g, &metric, page, per_page).await?;
    let (page_items, total) = (&ev.items, ev.total);
    let mut body = json!({"items": page_items, "total": total, "page": page, "per_page": per_page});
    if metric == "signer_coverage" {
        body["unmatched_signers"] = json!(ev.unmatched_signers);
    }
    Ok(Json(body))
}

/// Export metrics and evidence: `format=csv|xlsx`; for CSV, `kind=metrics|evidence`.
#[utoipa::path(get, path = "/api/v1/compliance/export", tag = "compliance",
    params(("format" = String, Query, description = "csv or xlsx"), ("kind" = Option<String>, Query, description = "metrics (default) or evidence, for CSV"), ("from" = Option<String>, Query), ("to" = Option<String>, Query), ("unit" = Option<String>, Query), ("direction" = Option<String>, Query), ("type" = Option<String>, Query), ("group_by" = Option<String>, Query)),
    responses((status = 200, description = "text/csv or an XLSX workbook"), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn export(
    State(s): State<AppState>,
    _auth: Authed<Read>,
    Query(q): Query<ComplianceQuery<ExportRoute>>,
) -> ApiResult<axum::response::Response> {
    use axum::http::{HeaderValue, header};
    let (f, g, pairs) = (q.filter, q.group, q.pairs);
    let get = |k: &str| pairs.get(k);
    // Check the request before any work.
    #[derive(PartialEq)]
    enum Kind {
        MetricsCsv,
        EvidenceCsv,
        Workbook,
    }
    let kind = match (get("format").as_deref(), get("kind").as_deref()) {
        (Some("csv"), None | Some("metrics")) => Kind::MetricsCsv,
        (Some("csv"), Some("evidence")) => Kind::EvidenceCsv,
        (Some("csv"), Some(_)) => {
            return Err(Error::invalid(
                "invalid_value",
                "kind",
                "kind must be metrics or evidence",
            )
            .into());
        }
        (Some("xlsx"), _) => Kind::Workbook,
        _ => {
            return Err(
                Error::invalid("invalid_value", "format", "format must be csv or xlsx").into(),
            );
        }
    };
    if kind == Kind::MetricsCsv {
        // The figures alone come from the counters.
        let m = compliance::rollup::metrics(&s.registry, &s.web.targets, &f, g).await?;
        return Ok(attachment(
            compliance::metrics_csv(&m).into_bytes(),
            "text/csv; charset=utf-8",
            "compliance-metrics.csv",
        ));
    }
    // Every evidence item of the period is judged in memory: one such
    // export at a time, the others are asked to come back.
    let Ok(_permit) = s.exports.try_acquire() else {
        let mut r = super::error::error_response(
            axum::http::StatusCode::TOO_MANY_REQUESTS,
            "export_busy",
            "another evidence export is being prepared; try again in a minute",
            None,
        );
        r.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("60"));
        return Ok(r);
    };
    let (m, e) = compliance::compute(&s.registry, &s.web.targets, &f, g).await?;
    Ok(if kind == Kind::EvidenceCsv {
        attachment(
            compliance::evidence_csv(&e).into_bytes(),
            "text/csv; charset=utf-8",
            "compliance-evidence.csv",
        )
    } else {
        attachment(
            compliance::xlsx(&m, &e)?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "compliance.xlsx",
        )
    })
}

/// A download: the body with its content type and file name.
fn attachment(body: Vec<u8>, ctype: &'static str, name: &str) -> axum::response::Response {
    use axum::http::{HeaderValue, header};
    use axum::response::IntoResponse;
    let mut r = body.into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(ctype));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        r.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    r
}

/// A register as Decree 30 prints it: `book` incoming, outgoing or followup; `format=csv|html`; `series=normal|secret`.
#[utoipa::path(get, path = "/api/v1/registers/{book}", tag = "compliance",
    params(("book" = String, Path, description = "incoming, outgoing or followup"), ("year" = Option<i32>, Query), ("format" = Option<String>, Query, description = "html (default) or csv"), ("series" = Option<String>, Query, description = "normal (default) or secret")),
    responses((status = 200, description = "text/html or text/csv"), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn register_book(
    State(s): State<AppState>,
    _auth: Authed<Read>,
    axum::extract::Path(book): axum::extract::Path<String>,
    Query(RegisterQuery(pairs)): Query<RegisterQuery>,
) -> ApiResult<axum::response::Response> {
    use crate::compliance::registers::{self, Book};
    use axum::http::{HeaderValue, header};
    use axum::response::IntoResponse;
    let book = Book::parse(&book)
        .ok_or_else(|| Error::not_found("no such register: incoming, outgoing or followup"))?;
    let get = |k: &str| pairs.get(k);
    let year: i32 = match get("year") {
        Some(y) => parse_num("year", &y)?,
        None => s.registry.clock.today_vn().year(),
    };
    let secret = match get("series").as_deref() {
        None | Some("normal") => false,
        Some("secret") => true,
        Some(_) => {
            return Err(Error::invalid(
                "invalid_value",
                "series",
                "series must be normal or secret",
            )
            .into());
        }
    };
    let r = registers::build(&s.registry, book, year, secret).await?;
    let (body, ctype) = match get("format").as_deref() {
        None | Some("html") => (
            registers::html(&r, &s.registry.agency_name),
            "text/html; charset=utf-8",
        ),
        Some("csv") => (registers::csv(&r), "text/csv; charset=utf-8"),
        Some(_) => {
            return Err(
                Error::invalid("invalid_value", "format", "format must be html or csv").into(),
            );
        }
    };
    let mut resp = body.into_response();
    resp.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(ctype));
    resp.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'"),
    );
    Ok(resp)
}
