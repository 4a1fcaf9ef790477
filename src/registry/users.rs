//! Users and API tokens: a token is shown once at creation; only its SHA-256 is stored.

use base64::Engine;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder,
};
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

use super::error::{Error, Result};
use super::fields::check_text;
use super::types::Role;
use super::{Registry, audit};
use crate::entity::users;

/// An authenticated user: only built from a stored, active user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct User {
    /// Id.
    pub id: i32,
    /// Login name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// Whether the user may sign in.
    pub active: bool,
    /// How many times the user was changed (its `ETag` is `"v<version>"`).
    pub version: i32,
}

impl TryFrom<users::Model> for User {
    type Error = Error;
    fn try_from(m: users::Model) -> Result<Self> {
        Ok(Self {
            id: m.id,
            role: Role::parse(&m.role)
                .ok_or_else(|| Error::Corrupt(format!("stored role {:?}", m.role)))?,
            name: m.name,
            active: m.active,
            version: m.version,
        })
    }
}

/// The user named `name`, or 404.
async fn user_by_name<C: sea_orm::ConnectionTrait>(c: &C, name: &str) -> Result<users::Model> {
    users::Entity::find()
        .filter(users::Column::Name.eq(name))
        .one(c)
        .await?
        .ok_or_else(|| Error::not_found(format!("there is no user named {name:?}")))
}

/// SHA-256 of a token, hex.
fn token_hash(token: &str) -> String {
    hex::encode(openssl::sha::sha256(token.as_bytes()))
}

/// A new random token: `vt_` and 32 random bytes in URL-safe base64.
fn new_token() -> Result<String> {
    let mut buf = [0u8; 32];
    openssl::rand::rand_bytes(&mut buf)?;
    Ok(format!(
        "vt_{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buf)
    ))
}

impl Registry {
    /// Create a user; returns it and its token (shown this once).
    pub async fn add_user(&self, name: &str, role: Role, actor: &str) -> Result<(User, String)> {
        let name = check_text("name", name, 100)?.ok_or_else(|| {
            Error::invalid("missing_field", "name", "the user name must not be empty")
        })?;
        if name.contains(char::is_whitespace) {
            return Err(Error::invalid(
                "invalid_value",
                "name",
                "the user name must not contain spaces",
            ));
        }
        let token = new_token()?;
        let now = audit::micros(self.clock.now());
        let txn = crate::db::begin_write(&self.db).await?;
        if users::Entity::find()
            .filter(users::Column::Name.eq(name.as_str()))
            .one(&txn)
            .await?
            .is_some()
        {
            return Err(Error::conflict(
                "duplicate_name",
                Some("name"),
                format!("a user named {name:?} already exists"),
            ));
        }
        let m = users::ActiveModel {
            name: Set(name.clone()),
            role: Set(role.as_str().into()),
            token_hash: Set(token_hash(&token)),
            active: Set(true),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        audit::commit_with(
            txn,
            now,
            actor,
            "user_add",
            None,
            &json!({"user": name, "role": role}),
        )
        .await?;
        Ok((User::try_from(m)?, token))
    }

    /// The active user holding `token`, if any.
    pub async fn authenticate(&self, token: &str) -> Result<Option<User>> {
        if token.len() > 200 {
            return Ok(None);
        }
        let m = users::Entity::find()
            .filter(users::Column::TokenHash.eq(token_hash(token)))
            .filter(users::Column::Active.eq(true))
            .one(&self.db)
            .await?;
        m.map(User::try_from).transpose()
    }

    /// Every user.
    pub async fn list_users(&self) -> Result<Vec<User>> {
        users::Entity::find()
            .order_by_asc(users::Column::Id)
            .all(&self.db)
            .await?
            .into_iter()
            .map(User::try_from)
            .collect()
    }

    /// Enable or disable a user by name (never deleted: the audit log names them).
    pub async fn set_user_active(
        &self,
        name: &str,
        active: bool,
        expected: Option<i32>,
        actor: &str,
    ) -> Result<User> {
        let now = audit::micros(self.clock.now());
        let txn = crate::db::begin_write(&self.db).await?;
        let m = user_by_name(&txn, name).await?;
        super::documents::check_row_version(&format!("user {name:?}"), m.version, expected)?;
        let version = m.version;
        let mut am: users::ActiveModel = m.into();
        am.active = Set(active);
        am.version = Set(version + 1);
        let m = am.update(&txn).await?;
        audit::commit_with(
            txn,
            now,
            actor,
            if active {
                "user_enable"
            } else {
                "user_disable"
            },
            None,
            &json!({"user": name}),
        )
        .await?;
        User::try_from(m)
    }
}

impl Registry {
    /// Give an existing user a new token (the old one stops working); returns it.
    pub async fn rotate_token(&self, name: &str, actor: &str) -> Result<String> {
        let token = new_token()?;
        let now = audit::micros(self.clock.now());
        let txn = crate::db::begin_write(&self.db).await?;
        let m = user_by_name(&txn, name).await?;
        let (active, version) = (m.active, m.version);
        let mut am: users::ActiveModel = m.into();
        // A new token never re-enables a disabled user: enabling is its own,
        // audited, decision.
        am.token_hash = Set(token_hash(&token));
        am.version = Set(version + 1);
        am.update(&txn).await?;
        audit::commit_with(
            txn,
            now,
            actor,
            "user_token",
            None,
            &json!({"user": name, "active": active}),
        )
        .await?;
        Ok(token)
    }

    /// Whether user `name` exists and is enabled.
    pub async fn user_is_active(&self, name: &str) -> Result<bool> {
        Ok(user_by_name(&self.db, name).await?.active)
    }
}
