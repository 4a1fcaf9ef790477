//! `/api/v1/users`, `/api/v1/units`, `/api/v1/officials` (administrators
//! change them; every role may read units and officials), `/api/v1/me`,
//! and the audit-chain check.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::AppState;
use super::auth::{AnyRole, Authed, Manage, Oversee};
use super::error::{ApiResult, ErrorBody};
use super::extract::{JsonBody, path_id};
use crate::registry::Error;
use crate::registry::admin::{CertificateView, OfficialView, UnitView};
use crate::registry::audit::ChainReport;
use crate::registry::fields::Fields;
use crate::registry::types::Role;
use crate::registry::users::User;

/// The caller.
#[utoipa::path(get, path = "/api/v1/me", tag = "admin",
    responses((status = 200, body = User), (status = 401, body = ErrorBody)))]
pub async fn me(auth: Authed<AnyRole>) -> Json<User> {
    Json(auth.user)
}

/// All users.
#[utoipa::path(get, path = "/api/v1/users", tag = "admin",
    responses((status = 200, body = Vec<User>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list_users(
    State(state): State<AppState>,
    _auth: Authed<Manage>,
) -> ApiResult<Json<Vec<User>>> {
    Ok(Json(state.registry.list_users().await?))
}

/// A new user and its token, shown this once.
#[derive(Debug, Serialize, ToSchema)]
pub struct NewUser {
    /// The user.
    pub user: User,
    /// The API token; only its hash is stored.
    pub token: String,
}

/// Create a user: `{"name": "…", "role": "clerk|auditor|admin"}`.
#[utoipa::path(post, path = "/api/v1/users", tag = "admin", request_body(content = Object, description = "{\"name\", \"role\"}"),
    responses((status = 201, body = NewUser), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_user(
    State(state): State<AppState>,
    auth: Authed<Manage>,
    JsonBody(body): JsonBody,
) -> ApiResult<(StatusCode, Json<NewUser>)> {
    let f = Fields::new(&body, &["name", "role"])?;
    let name = f.required_text("name", 100)?;
    let role = f
        .choice("role", Role::parse, &Role::choices())?
        .ok_or_else(|| {
            Error::invalid(
                "missing_field",
                "role",
                format!("role is required: {}", Role::choices()),
            )
        })?;
    let (user, token) = state
        .registry
        .add_user(&name, role, &auth.user.name)
        .await?;
    Ok((StatusCode::CREATED, Json(NewUser { user, token })))
}

/// Enable or disable a user: `{"active": false}`.
#[utoipa::path(patch, path = "/api/v1/users/{name}", tag = "admin", params(("name" = String, Path), ("If-Match" = Option<String>, Header, description = "the user's ETag (\"v<version>\") last read")), request_body(content = Object, description = "{\"active\": bool}"),
    responses((status = 200, body = User), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 412, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_user(
    State(state): State<AppState>,
    auth: Authed<Manage>,
    Path(name): Path<String>,
    headers: axum::http::HeaderMap,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let expected = super::documents::if_match(&headers)?;
    Fields::new(&body, &["active"])?;
    let active = body
        .get("active")
        .and_then(Value::as_bool)
        .ok_or_else(|| Error::invalid("invalid_type", "active", "active must be true or false"))?;
    if !active && name == auth.user.name {
        return Err(Error::conflict(
            "self_disable",
            Some("active"),
            "an administrator cannot disable their own account",
        )
        .into());
    }
    let u = state
        .registry
        .set_user_active(&name, active, expected, &auth.user.name)
        .await?;
    Ok(super::documents::json_with_version(&u, u.version))
}

/// All units.
#[utoipa::path(get, path = "/api/v1/units", tag = "admin",
    responses((status = 200, body = Vec<UnitView>), (status = 401, body = ErrorBody)))]
pub async fn list_units(
    State(state): State<AppState>,
    _auth: Authed<AnyRole>,
) -> ApiResult<Json<Vec<UnitView>>> {
    Ok(Json(state.registry.list_units().await?))
}

/// Create a unit: `{"code", "name", "parent_code"?}`.
#[utoipa::path(post, path = "/api/v1/units", tag = "admin", request_body(content = Object, description = "{\"code\", \"name\", \"parent_code\"?}"),
    responses((status = 201, body = UnitView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_unit(
    State(state): State<AppState>,
    auth: Authed<Manage>,
    JsonBody(body): JsonBody,
) -> ApiResult<(StatusCode, Json<UnitView>)> {
    Ok((
        StatusCode::CREATED,
        Json(state.registry.add_unit(&body, &auth.user.name).await?),
    ))
}

/// Rename, deactivate or reactivate a unit: `{"name"?, "active"?}`.
#[utoipa::path(patch, path = "/api/v1/units/{code}", tag = "admin", params(("code" = String, Path), ("If-Match" = Option<String>, Header, description = "the unit's ETag (\"v<version>\") last read")), request_body(content = Object, description = "{\"name\"?, \"active\"?}"),
    responses((status = 200, body = UnitView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 412, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_unit(
    State(state): State<AppState>,
    auth: Authed<Manage>,
    Path(code): Path<String>,
    headers: axum::http::HeaderMap,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let expected = super::documents::if_match(&headers)?;
    let u = state
        .registry
        .update_unit(&code, &body, expected, &auth.user.name)
        .await?;
    Ok(super::documents::json_with_version(&u, u.version))
}

/// All officials with their known certificates.
#[utoipa::path(get, path = "/api/v1/officials", tag = "admin",
    responses((status = 200, body = Vec<OfficialView>), (status = 401, body = ErrorBody)))]
pub async fn list_officials(
    State(state): State<AppState>,
    _auth: Authed<AnyRole>,
) -> ApiResult<Json<Vec<OfficialView>>> {
    Ok(Json(state.registry.list_officials().await?))
}

/// Create an official: `{"full_name", "title"?, "unit"?, "email"?}`.
#[utoipa::path(post, path = "/api/v1/officials", tag = "admin", request_body(content = Object, description = "{\"full_name\", \"title\"?, \"unit\"?, \"email\"?}"),
    responses((status = 201, body = OfficialView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_official(
    State(state): State<AppState>,
    auth: Authed<Manage>,
    JsonBody(body): JsonBody,
) -> ApiResult<(StatusCode, Json<OfficialView>)> {
    Ok((
        StatusCode::CREATED,
        Json(state.registry.add_official(&body, &auth.user.name).await?),
    ))
}

/// Record a certificate of an official: `{"fingerprint_sha256", "role"?: "person|organisation", "subject"?}`.
#[utoipa::path(post, path = "/api/v1/officials/{id}/certificates", tag = "admin", params(("id" = i32, Path)), request_body(content = Object, description = "{\"fingerprint_sha256\", \"role\"?, \"subject\"?}"),
    responses((status = 201, body = CertificateView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_certificate(
    State(state): State<AppState>,
    auth: Authed<Manage>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult<(StatusCode, Json<CertificateView>)> {
    let id = path_id("official", &id)?;
    Ok((
        StatusCode::CREATED,
        Json(
            state
                .registry
                .add_official_certificate(id, &body, &auth.user.name)
                .await?,
        ),
    ))
}

/// Recompute the audit log's hash chain.
#[utoipa::path(get, path = "/api/v1/audit/verify", tag = "system",
    responses((status = 200, body = ChainReport), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn audit_verify(
    State(state): State<AppState>,
    _auth: Authed<Oversee>,
) -> ApiResult<Json<ChainReport>> {
    Ok(Json(state.registry.audit_chain().await?))
}
