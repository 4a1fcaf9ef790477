//! The one error type at the HTTP edge: refusals become 4xx JSON
//! `{"error":{"code","message","field"}}`; internal failures are logged and
//! answered with a 500 that reveals nothing.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use crate::registry::{Error, Kind};

/// The body of every error response.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// What went wrong.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable code, e.g. `unknown_unit`.
    pub code: String,
    /// Explanation for people.
    pub message: String,
    /// The request field at fault.
    pub field: Option<String>,
}

/// An error on its way to becoming a response.
#[derive(Debug)]
pub struct AppError(pub Error);

impl From<Error> for AppError {
    fn from(e: Error) -> Self {
        AppError(e)
    }
}

/// The HTTP status of a refusal class.
pub fn status_of(kind: Kind) -> StatusCode {
    match kind {
        Kind::BadRequest => StatusCode::BAD_REQUEST,
        Kind::Unauthenticated => StatusCode::UNAUTHORIZED,
        Kind::Forbidden => StatusCode::FORBIDDEN,
        Kind::NotFound => StatusCode::NOT_FOUND,
        Kind::Conflict => StatusCode::CONFLICT,
        Kind::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        Kind::UnsupportedMedia => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        Kind::Invalid => StatusCode::UNPROCESSABLE_ENTITY,
        Kind::Timeout => StatusCode::REQUEST_TIMEOUT,
        Kind::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
        Kind::TooMany => StatusCode::TOO_MANY_REQUESTS,
        Kind::Busy => StatusCode::SERVICE_UNAVAILABLE,
    }
}

/// A JSON error response.
pub fn error_response(
    status: StatusCode,
    code: &str,
    message: &str,
    field: Option<&str>,
) -> Response {
    let body = ErrorBody {
        error: ErrorDetail {
            code: code.to_string(),
            message: message.to_string(),
            field: field.map(str::to_string),
        },
    };
    let mut resp = (status, Json(body)).into_response();
    if status == StatusCode::UNAUTHORIZED {
        resp.headers_mut().insert(
            axum::http::header::WWW_AUTHENTICATE,
            axum::http::HeaderValue::from_static("Bearer realm=\"vanthu\""),
        );
    }
    if matches!(
        status,
        StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE
    ) {
        resp.headers_mut().insert(
            axum::http::header::RETRY_AFTER,
            axum::http::HeaderValue::from_static("5"),
        );
    }
    resp
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        match &self.0 {
            Error::Rejected(r) => {
                error_response(status_of(r.kind), r.code, &r.message, r.field.as_deref())
            }
            other => {
                tracing::error!(error = %other, "request failed");
                error_response(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "internal error; the server log has the details",
                    None,
                )
            }
        }
    }
}

/// Result of a handler.
pub type ApiResult<T> = Result<T, AppError>;
