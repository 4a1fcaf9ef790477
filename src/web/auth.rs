//! Bearer-token authentication and role policies. Every `/api/v1` handler
//! takes an `Authed<Policy>` argument, so the role check is in its signature:
//! no token → 401, a role outside the policy → 403.

use std::marker::PhantomData;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use super::AppState;
use super::error::AppError;
use crate::registry::types::Role;
use crate::registry::users::User;
use crate::registry::{Error, Kind};

/// Which roles may call a handler.
pub trait Policy: Send + Sync + 'static {
    /// The roles allowed.
    const ROLES: &'static [Role];
    /// What the policy protects, for the 403 message.
    const WHAT: &'static str;
}

/// Clerks: register and change documents.
pub struct Write;
impl Policy for Write {
    const ROLES: &'static [Role] = &[Role::Clerk];
    const WHAT: &'static str = "changing the registers (clerks only)";
}

/// Clerks and auditors: read documents.
pub struct Read;
impl Policy for Read {
    const ROLES: &'static [Role] = &[Role::Clerk, Role::Auditor];
    const WHAT: &'static str = "reading documents (clerks and auditors)";
}

/// Administrators: users, units, officials.
pub struct Manage;
impl Policy for Manage {
    const ROLES: &'static [Role] = &[Role::Admin];
    const WHAT: &'static str = "managing users, units and officials (administrators only)";
}

/// Auditors and administrators: the audit chain.
pub struct Oversee;
impl Policy for Oversee {
    const ROLES: &'static [Role] = &[Role::Auditor, Role::Admin];
    const WHAT: &'static str = "checking the audit log (auditors and administrators)";
}

/// Any signed-in user.
pub struct AnyRole;
impl Policy for AnyRole {
    const ROLES: &'static [Role] = &[Role::Clerk, Role::Auditor, Role::Admin];
    const WHAT: &'static str = "this";
}

/// A user allowed by policy `P`.
pub struct Authed<P: Policy> {
    /// The user.
    pub user: User,
    _p: PhantomData<P>,
}

impl<P: Policy> FromRequestParts<AppState> for Authed<P> {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let header = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok());
        let token = header
            .and_then(|h| {
                h.strip_prefix("Bearer ")
                    .or_else(|| h.strip_prefix("bearer "))
            })
            .map(str::trim)
            .filter(|t| !t.is_empty());
        let Some(token) = token else {
            return Err(Error::reject(
                Kind::Unauthenticated,
                "unauthenticated",
                None,
                "send an API token: Authorization: Bearer TOKEN",
            )
            .into());
        };
        let Some(user) = state.registry.authenticate(token).await? else {
            return Err(Error::reject(
                Kind::Unauthenticated,
                "unauthenticated",
                None,
                "the API token is unknown or disabled",
            )
            .into());
        };
        if !P::ROLES.contains(&user.role) {
            return Err(Error::reject(
                Kind::Forbidden,
                "forbidden",
                None,
                format!("role {} is not allowed {}", user.role, P::WHAT),
            )
            .into());
        }
        Ok(Self {
            user,
            _p: PhantomData,
        })
    }
}
