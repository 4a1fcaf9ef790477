//! `/api/v1/documents`: register (multipart metadata + PDF, or JSON alone
//! for a paper document), search, read, download, handle, recall.

use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use super::AppState;
use super::auth::{AnyRole, Authed, Read, Write};
use super::error::{ApiResult, ErrorBody};
use super::extract::{JsonBody, Query, path_id};
use crate::registry::audit::AuditEntryView;
use crate::registry::documents::{DocumentView, ListQuery, Page};
use crate::registry::types::{DOC_TYPES, DocType};
use crate::registry::{Error, Kind};

/// Search both registers; newest first.
#[utoipa::path(get, path = "/api/v1/documents", tag = "documents", params(ListQuery),
    responses((status = 200, body = Page), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_documents(
    State(state): State<AppState>,
    _auth: Authed<Read>,
    Query(super::search::StaffSearch(q)): Query<super::search::StaffSearch>,
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
