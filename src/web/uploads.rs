//! The upload routes: registering a document (multipart metadata + PDF,
//! or JSON alone for a paper document) and verifying a PDF, each part
//! read with a size limit and a deadline.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::BytesMut;
use serde_json::Value;

use super::AppState;
use super::auth::{Authed, Read, Write};
use super::error::{ApiResult, ErrorBody};
use super::extract::{JSON_LIMIT, is_json, parse_json, stalled, timed_out};
use crate::registry::documents::{DocumentMetadata, DocumentView, PdfUpload, too_large};
use crate::registry::types::Direction;
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
