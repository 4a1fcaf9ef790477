//! `/api/v1/documents`: register (multipart metadata + PDF, or JSON alone
//! for a paper document), search, read, download, handle, recall.

use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, Multipart, Path, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::BytesMut;
use serde_json::Value;

use super::AppState;
use super::auth::{AnyRole, Authed, Read, Write};
use super::error::{ApiResult, ErrorBody};
use super::extract::{
    FromQuery, JSON_LIMIT, JsonBody, Pairs, Query, is_json, parse_json, path_id, stalled, timed_out,
};
use crate::registry::audit::AuditEntryView;
use crate::registry::documents::{
    DocumentMetadata, DocumentView, ListQuery, Page, PdfUpload, too_large,
};
use crate::registry::types::{DOC_TYPES, Direction, DocType};
use crate::registry::{Error, Kind};

/// Read one multipart part, refusing it past `max` bytes.
async fn read_part(
    field: &mut axum::extract::multipart::Field<'_>,
    max: u64,
    on_too_large: impl Fn() -> Error,
) -> Result<Bytes, Error> {
    let mut buf = BytesMut::new();
    loop {
        match field.chunk().await {
            Ok(Some(chunk)) => {
                if (buf.len() + chunk.len()) as u64 > max {
                    return Err(on_too_large());
                }
                buf.extend_from_slice(&chunk);
            }
            Ok(None) => return Ok(buf.freeze()),
            Err(e) => return Err(multipart_error(e, &on_too_large)),
        }
    }
}

fn multipart_error(
    e: axum::extract::multipart::MultipartError,
    on_too_large: &impl Fn() -> Error,
) -> Error {
    if timed_out(&e) {
        stalled()
    } else if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        on_too_large()
    } else {
        Error::bad_request(
            "malformed_multipart",
            None,
            format!("the multipart body is malformed: {}", e.body_text()),
        )
    }
}

/// Pull metadata and the optional file out of a registration request.
async fn read_registration(
    state: &AppState,
    req: Request,
) -> Result<(Value, Option<PdfUpload>), Error> {
    let max = state.registry.max_upload_bytes;
    let ct = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    if is_json(&ct) {
        let bytes = axum::body::to_bytes(req.into_body(), JSON_LIMIT)
            .await
            .map_err(|_| {
                Error::reject(
                    Kind::TooLarge,
                    "body_too_large",
                    None,
                    format!("a JSON body is limited to {JSON_LIMIT} bytes"),
                )
            })?;
        return Ok((parse_json(&bytes, None)?, None));
    }
    if !ct.to_ascii_lowercase().starts_with("multipart/form-data") {
        return Err(Error::reject(
            Kind::UnsupportedMedia,
            "unsupported_media_type",
            None,
            "send multipart/form-data with parts \"metadata\" (JSON) and \"file\" (PDF), or application/json for a paper document",
        ));
    }
    let mut mp = Multipart::from_request(req, state)
        .await
        .map_err(|e| Error::bad_request("malformed_multipart", None, e.body_text()))?;
    let mut meta: Option<Value> = None;
    let mut file: Option<Bytes> = None;
    loop {
        let next = mp
            .next_field()
            .await
            .map_err(|e| multipart_error(e, &|| too_large(max)))?;
        let Some(mut field) = next else { break };
        let name = field.name().unwrap_or("").to_string();
        match name.as_str() {
            "metadata" if meta.is_none() => {
                let bytes = read_part(&mut field, JSON_LIMIT as u64, || {
                    Error::reject(
                        Kind::TooLarge,
                        "body_too_large",
                        Some("metadata"),
                        "the metadata part is larger than 1 MB",
                    )
                })
                .await?;
                meta = Some(parse_json(&bytes, Some("metadata"))?);
            }
            "file" if file.is_none() => {
                file = Some(read_part(&mut field, max, || too_large(max)).await?);
            }
            "metadata" | "file" => {
                return Err(Error::bad_request(
                    "duplicate_part",
                    Some(&name),
                    format!("the part {name:?} was sent twice"),
                ));
            }
            other => {
                return Err(Error::bad_request(
                    "unknown_part",
                    Some(other),
                    format!(
                        "unknown multipart part {other:?}; send \"metadata\" and optionally \"file\""
                    ),
                ));
            }
        }
    }
    let meta = meta.ok_or_else(|| {
        Error::bad_request(
            "missing_part",
            Some("metadata"),
            "the multipart body has no \"metadata\" part",
        )
    })?;
    let file = file.map(|b| PdfUpload::check(b, max)).transpose()?;
    Ok((meta, file))
}

async fn register(
    state: AppState,
    user: &str,
    direction: Direction,
    req: Request,
) -> ApiResult<Response> {
    let (meta, file) = read_registration(&state, req).await?;
    let doc = state
        .registry
        .register(direction, &meta, file, user)
        .await?;
    let location = format!("/api/v1/documents/{}", doc.id);
    let mut resp = (StatusCode::CREATED, Json(doc)).into_response();
    if let Ok(v) = HeaderValue::from_str(&location) {
        resp.headers_mut().insert(header::LOCATION, v);
    }
    Ok(resp)
}

/// Register an incoming document (văn bản đến) and give it the next số đến.
#[utoipa::path(post, path = "/api/v1/documents/incoming", tag = "documents",
    request_body(content = DocumentMetadata, description = "multipart/form-data with part `metadata` (this JSON) and optional part `file` (the PDF); or this JSON alone (application/json) for a paper document",
        content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "Registered", body = DocumentView),
        (status = 400, description = "Malformed request", body = ErrorBody),
        (status = 401, description = "No token", body = ErrorBody),
        (status = 403, description = "Not a clerk", body = ErrorBody),
        (status = 409, description = "Duplicate number/symbol", body = ErrorBody),
        (status = 413, description = "File over the limit", body = ErrorBody),
        (status = 415, description = "Not a PDF", body = ErrorBody),
        (status = 422, description = "Invalid field", body = ErrorBody)))]
pub async fn register_incoming(
    State(state): State<AppState>,
    auth: Authed<Write>,
    req: Request,
) -> ApiResult<Response> {
    register(state, &auth.user.name, Direction::Incoming, req).await
}

/// Register an outgoing document (văn bản đi); the system assigns its number/symbol.
#[utoipa::path(post, path = "/api/v1/documents/outgoing", tag = "documents",
    request_body(content = DocumentMetadata, description = "as for incoming; `number_symbol` and `received_on` are not accepted",
        content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "Registered", body = DocumentView),
        (status = 400, description = "Malformed request", body = ErrorBody),
        (status = 401, description = "No token", body = ErrorBody),
        (status = 403, description = "Not a clerk", body = ErrorBody),
        (status = 413, description = "File over the limit", body = ErrorBody),
        (status = 415, description = "Not a PDF", body = ErrorBody),
        (status = 422, description = "Invalid field", body = ErrorBody)))]
pub async fn register_outgoing(
    State(state): State<AppState>,
    auth: Authed<Write>,
    req: Request,
) -> ApiResult<Response> {
    register(state, &auth.user.name, Direction::Outgoing, req).await
}

const LIST_PARAMS: &[&str] = &[
    "q",
    "direction",
    "year",
    "unit",
    "doc_type",
    "status",
    "secrecy",
    "urgency",
    "channel",
    "counterpart",
    "from",
    "to",
    "page",
    "per_page",
];

/// The staff register search (`GET /api/v1/documents`).
#[derive(Debug, Clone)]
pub struct StaffSearch(pub ListQuery);

impl FromQuery for StaffSearch {
    const ALLOWED: &'static [&'static str] = LIST_PARAMS;
    fn from_query(q: &Pairs, _: &AppState) -> Result<Self, Error> {
        Ok(Self(list_query_of(q)?))
    }
}

/// The filters the public may use: only fields its projection shows
/// (no unit, urgency or secrecy, which would let a visitor test guesses
/// about hidden fields).
pub const PUBLIC_LIST_PARAMS: &[&str] = &[
    "q",
    "direction",
    "year",
    "doc_type",
    "status",
    "channel",
    "counterpart",
    "from",
    "to",
    "page",
    "per_page",
];

/// The public search (`GET /public/v1/documents`).
#[derive(Debug, Clone)]
pub struct PublicSearch(pub ListQuery);

impl FromQuery for PublicSearch {
    const ALLOWED: &'static [&'static str] = PUBLIC_LIST_PARAMS;
    fn from_query(q: &Pairs, _: &AppState) -> Result<Self, Error> {
        Ok(Self(list_query_of(q)?))
    }
}

/// The search filters from checked pairs (empty values count as absent).
fn list_query_of(p: &Pairs) -> Result<ListQuery, Error> {
    Ok(ListQuery {
        q: p.get("q"),
        direction: p.get("direction"),
        year: p.num("year")?,
        unit: p.get("unit"),
        doc_type: p.get("doc_type"),
        status: p.get("status"),
        secrecy: p.get("secrecy"),
        urgency: p.get("urgency"),
        channel: p.get("channel"),
        counterpart: p.get("counterpart"),
        from: p.get("from"),
        to: p.get("to"),
        page: p.num("page")?,
        per_page: p.num("per_page")?,
    })
}

/// Search both registers; newest first.
#[utoipa::path(get, path = "/api/v1/documents", tag = "documents", params(ListQuery),
    responses((status = 200, body = Page), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_documents(
    State(state): State<AppState>,
    _auth: Authed<Read>,
    Query(StaffSearch(q)): Query<StaffSearch>,
) -> ApiResult<Json<Page>> {
    Ok(Json(state.registry.list(&q).await?))
}

/// The `ETag` of a document version.
pub fn etag(version: i32) -> String {
    format!("\"v{version}\"")
}

/// The version an `If-Match` header names: None without the header (the
/// write is unconditional), 412 for anything but one `"vN"` of ours.
pub fn if_match(headers: &axum::http::HeaderMap) -> Result<Option<i32>, Error> {
    let Some(v) = headers.get(header::IF_MATCH) else {
        return Ok(None);
    };
    let stale = || {
        Error::reject(
            Kind::PreconditionFailed,
            "stale_version",
            None,
            "If-Match must be the ETag of the document as last read, e.g. \"v3\"",
        )
    };
    let s = v.to_str().map_err(|_| stale())?.trim();
    if s == "*" {
        return Ok(None);
    }
    s.strip_prefix("\"v")
        .and_then(|r| r.strip_suffix('"'))
        .and_then(|n| n.parse::<i32>().ok())
        .map(Some)
        .ok_or_else(stale)
}

/// The common steps of a document write: the id from the path, `If-Match`,
/// the domain call, the answer with its `ETag`.
async fn write_document(
    id: &str,
    headers: &axum::http::HeaderMap,
    call: impl AsyncFnOnce(i32, Option<i32>) -> Result<DocumentView, Error>,
) -> ApiResult<Response> {
    let id = path_id("document", id)?;
    let expected = if_match(headers)?;
    Ok(with_etag(call(id, expected).await?))
}

/// A document as JSON with its `ETag`.
fn with_etag(d: DocumentView) -> Response {
    let v = d.version;
    json_with_version(&d, v)
}

/// `value` as JSON with the `ETag` of `version`.
pub fn json_with_version<T: serde::Serialize>(value: &T, version: i32) -> Response {
    let mut r = Json(value).into_response();
    if let Ok(v) = HeaderValue::from_str(&etag(version)) {
        r.headers_mut().insert(header::ETAG, v);
    }
    r
}

/// One document (with its `ETag`, for `If-Match` on later writes).
#[utoipa::path(get, path = "/api/v1/documents/{id}", tag = "documents", params(("id" = i32, Path)),
    responses((status = 200, body = DocumentView, headers(("ETag" = String, description = "the document's version, for If-Match"))), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_document(
    State(state): State<AppState>,
    _auth: Authed<Read>,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let id = path_id("document", &id)?;
    Ok(with_etag(state.registry.get(id).await?))
}

/// Download the PDF of a document.
#[utoipa::path(get, path = "/api/v1/documents/{id}/file", tag = "documents", params(("id" = i32, Path)),
    responses((status = 200, description = "The PDF", content_type = "application/pdf"), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn download_file(
    State(state): State<AppState>,
    _auth: Authed<Read>,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let id = path_id("document", &id)?;
    let (doc, bytes) = state.registry.file(id).await?;
    let mut resp = Response::new(Body::from(bytes));
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/pdf"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"vanthu-{}.pdf\"", doc.id))
    {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    if let Some(sha) = &doc.file_sha256
        && let Ok(v) = HeaderValue::from_str(&format!("\"{sha}\""))
    {
        h.insert(header::ETAG, v);
    }
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    Ok(resp)
}

/// A PDF response for a download.
fn pdf_response(bytes: Bytes, filename: &str) -> Response {
    let mut resp = Response::new(Body::from(bytes));
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/pdf"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    resp
}

/// The signed version: revision `n` of the document's PDF, exactly the bytes a signature of that
/// revision covers (each signature's report gives its `revision`).
#[utoipa::path(get, path = "/api/v1/documents/{id}/revisions/{n}", tag = "documents", params(("id" = i32, Path), ("n" = u32, Path, description = "revision number from 1")),
    responses((status = 200, description = "The PDF as it was at the end of revision n", content_type = "application/pdf"), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn signed_revision(
    State(state): State<AppState>,
    _auth: Authed<Read>,
    Path((id, n)): Path<(String, String)>,
) -> ApiResult<Response> {
    let id = path_id("document", &id)?;
    let n: usize = n
        .parse()
        .ok()
        .filter(|n| *n >= 1)
        .ok_or_else(|| Error::not_found(format!("there is no revision {n:?}")))?;
    let (doc, bytes) = state.registry.file(id).await?;
    let part = crate::sigverify::revision(&bytes, n)
        .ok_or_else(|| Error::not_found(format!("document {id}'s PDF has no revision {n}")))?;
    let part = bytes.slice(..part.len());
    Ok(pdf_response(
        part,
        &format!("vanthu-{}-revision-{n}.pdf", doc.id),
    ))
}

/// Long-term validation data of the document's latest verification: the certificates, CRLs and
/// OCSP responses it relied on (embedded or fetched online), base64 DER, as a `/DSS` would hold them.
#[utoipa::path(get, path = "/api/v1/documents/{id}/ltv", tag = "documents", params(("id" = i32, Path)),
    responses((status = 200, body = crate::registry::evidence::Ltv), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn ltv_data(
    State(state): State<AppState>,
    _auth: Authed<Read>,
    Path(id): Path<String>,
) -> ApiResult<Json<crate::registry::evidence::Ltv>> {
    let id = path_id("document", &id)?;
    Ok(Json(state.registry.ltv(id).await?))
}

/// Record handling: unit, handler, deadline, instruction, progress, status, reply. `null` clears a field.
/// A resolved (`done`) document's status, deadline and resolution date change only after a reopen.
/// Send `If-Match` with the `ETag` last read to refuse (412) a change made meanwhile by someone else.
#[utoipa::path(patch, path = "/api/v1/documents/{id}/handling", tag = "documents", params(("id" = i32, Path), ("If-Match" = Option<String>, Header, description = "the ETag last read")),
    request_body(content = Object, description = "any of: unit, handler, due_on, status (registered|assigned|in_progress|done), instruction, progress, resolved_on, reply_number_symbol"),
    responses((status = 200, body = DocumentView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 412, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_handling(
    State(state): State<AppState>,
    auth: Authed<Write>,
    Path(id): Path<String>,
    headers: axum::http::HeaderMap,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    write_document(&id, &headers, async |id, expected| {
        state
            .registry
            .update_handling(id, &body, expected, &auth.user.name)
            .await
    })
    .await
}

/// Recall a document with a reason (Decree 30 Art. 18); it is kept, never deleted.
#[utoipa::path(post, path = "/api/v1/documents/{id}/recall", tag = "documents", params(("id" = i32, Path), ("If-Match" = Option<String>, Header, description = "the ETag last read")),
    request_body(content = Object, description = "{\"reason\": \"…\"}"),
    responses((status = 200, body = DocumentView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 412, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn recall_document(
    State(state): State<AppState>,
    auth: Authed<Write>,
    Path(id): Path<String>,
    headers: axum::http::HeaderMap,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    write_document(&id, &headers, async |id, expected| {
        state
            .registry
            .recall(id, &body, expected, &auth.user.name)
            .await
    })
    .await
}

/// Raise a document's secrecy (`{"secrecy": "mat", "reason": "…"}`): it leaves every public
/// output at once; events still held are dropped, and if the public log already published it,
/// a content-free `withdrawn` entry is appended (what was published may have been copied).
#[utoipa::path(post, path = "/api/v1/documents/{id}/secrecy", tag = "documents", params(("id" = i32, Path), ("If-Match" = Option<String>, Header, description = "the ETag last read")),
    request_body(content = Object, description = "{\"secrecy\": \"mat|toi_mat|tuyet_mat\", \"reason\": \"…\"}"),
    responses((status = 200, body = DocumentView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 412, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn raise_secrecy(
    State(state): State<AppState>,
    auth: Authed<Write>,
    Path(id): Path<String>,
    headers: axum::http::HeaderMap,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    write_document(&id, &headers, async |id, expected| {
        state
            .registry
            .raise_secrecy(id, &body, expected, &auth.user.name)
            .await
    })
    .await
}

/// Reopen a resolved document (`{"reason": "…"}`): back to in progress, the resolution date
/// cleared; the history keeps both.
#[utoipa::path(post, path = "/api/v1/documents/{id}/reopen", tag = "documents", params(("id" = i32, Path), ("If-Match" = Option<String>, Header, description = "the ETag last read")),
    request_body(content = Object, description = "{\"reason\": \"…\"}"),
    responses((status = 200, body = DocumentView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 412, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn reopen_document(
    State(state): State<AppState>,
    auth: Authed<Write>,
    Path(id): Path<String>,
    headers: axum::http::HeaderMap,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    write_document(&id, &headers, async |id, expected| {
        state
            .registry
            .reopen(id, &body, expected, &auth.user.name)
            .await
    })
    .await
}

/// The audit history of a document, oldest first.
#[utoipa::path(get, path = "/api/v1/documents/{id}/history", tag = "documents", params(("id" = i32, Path)),
    responses((status = 200, body = Vec<AuditEntryView>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn document_history(
    State(state): State<AppState>,
    _auth: Authed<Read>,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<AuditEntryView>>> {
    let id = path_id("document", &id)?;
    state.registry.get(id).await?;
    Ok(Json(state.registry.audit_of_document(id).await?))
}

/// The document types of Decree 30 Phụ lục III and their abbreviations.
#[utoipa::path(get, path = "/api/v1/doc-types", tag = "documents",
    responses((status = 200, body = Vec<DocType>), (status = 401, body = ErrorBody)))]
pub async fn doc_types(_auth: Authed<AnyRole>) -> Json<&'static [DocType]> {
    Json(DOC_TYPES)
}

/// A PDF sent on its own: the body as `application/pdf` (or
/// `application/octet-stream`), or a multipart body with one part `file`;
/// size-limited and checked to be a PDF. For `POST /api/v1/verify` and the
/// public `POST /public/v1/check`.
pub(super) async fn read_pdf(state: &AppState, req: Request) -> Result<PdfUpload, Error> {
    let max = state.registry.max_upload_bytes;
    let ct = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let bytes = if ct.starts_with("multipart/form-data") {
        let mut mp = Multipart::from_request(req, &state)
            .await
            .map_err(|e| Error::bad_request("malformed_multipart", None, e.body_text()))?;
        let mut file = None;
        while let Some(mut field) = mp
            .next_field()
            .await
            .map_err(|e| multipart_error(e, &|| too_large(max)))?
        {
            match field.name() {
                Some("file") if file.is_none() => {
                    file = Some(read_part(&mut field, max, || too_large(max)).await?)
                }
                other => {
                    let name = other.unwrap_or("").to_string();
                    return Err(Error::bad_request(
                        "unknown_part",
                        Some(&name),
                        "send exactly one part named \"file\"",
                    ));
                }
            }
        }
        file.ok_or_else(|| {
            Error::bad_request(
                "missing_part",
                Some("file"),
                "the multipart body has no \"file\" part",
            )
        })?
    } else if ct.starts_with("application/pdf") || ct.starts_with("application/octet-stream") {
        axum::body::to_bytes(req.into_body(), usize::try_from(max).unwrap_or(usize::MAX))
            .await
            .map_err(|e| {
                if timed_out(&e) {
                    stalled()
                } else {
                    too_large(max)
                }
            })?
    } else {
        return Err(Error::reject(
            Kind::UnsupportedMedia,
            "unsupported_media_type",
            None,
            "send the PDF as application/pdf or multipart/form-data part \"file\"",
        ));
    };
    PdfUpload::check(bytes, max)
}

/// Verify a PDF without registering it: multipart part `file`, or the PDF as an `application/pdf` body.
#[utoipa::path(post, path = "/api/v1/verify", tag = "documents",
    request_body(content = Vec<u8>, description = "the PDF (application/pdf), or multipart/form-data with part `file`", content_type = "application/pdf"),
    responses((status = 200, description = "The verification report (DESIGN.md contract)", body = Object),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 413, body = ErrorBody), (status = 415, body = ErrorBody)))]
pub async fn verify_pdf(
    State(state): State<AppState>,
    _auth: Authed<Read>,
    req: Request,
) -> ApiResult<Json<crate::sigverify::report::Report>> {
    let pdf = read_pdf(&state, req).await?;
    Ok(Json(
        state
            .registry
            .verify_upload("upload.pdf", pdf.bytes().clone())
            .await?,
    ))
}

/// Every verification of a document's PDF, oldest first (re-verification keeps the history).
#[utoipa::path(get, path = "/api/v1/documents/{id}/verifications", tag = "documents", params(("id" = i32, Path)),
    responses((status = 200, body = Vec<crate::registry::verification::VerificationView>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn verification_history(
    State(state): State<AppState>,
    _auth: Authed<Read>,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<crate::registry::verification::VerificationView>>> {
    let id = path_id("document", &id)?;
    Ok(Json(state.registry.verification_history(id).await?))
}
