//! Units and officials, managed by administrators; officials carry the
//! fingerprints of their known signing certificates.

use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder,
};
use serde::Serialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

use super::documents::{active_unit, unit_by_code};
use super::error::{Error, Result};
use super::fields::Fields;
use super::{Registry, audit};
use crate::entity::{official_certificates, officials, units};
use crate::text::fold;

/// A unit as the API returns it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct UnitView {
    /// Short code used in numbers/symbols and filters (e.g. `VP`).
    pub code: String,
    /// Full name.
    pub name: String,
    /// Parent unit code.
    pub parent_code: Option<String>,
    /// Whether documents may be assigned to it.
    pub active: bool,
    /// How many times the unit was changed (its `ETag` is `"v<version>"`).
    pub version: i32,
}

impl From<units::Model> for UnitView {
    fn from(m: units::Model) -> Self {
        Self {
            code: m.code,
            name: m.name,
            parent_code: m.parent_code,
            active: m.active,
            version: m.version,
        }
    }
}

/// A known certificate of an official.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct CertificateView {
    /// SHA-256 of the DER certificate, lower-case hex.
    pub fingerprint_sha256: String,
    /// `person` or `organisation`.
    pub role: String,
    /// Subject, as given.
    pub subject: Option<String>,
}

/// An official as the API returns it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct OfficialView {
    /// Id.
    pub id: i32,
    /// Full name with diacritics.
    pub full_name: String,
    /// Position.
    pub title: Option<String>,
    /// Unit code.
    pub unit: Option<String>,
    /// E-mail.
    pub email: Option<String>,
    /// Whether the official is in post.
    pub active: bool,
    /// Known certificates.
    pub certificates: Vec<CertificateView>,
}

fn check_code(code: &str) -> Result<()> {
    if code.is_empty()
        || code.chars().count() > 32
        || !code
            .chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c == '.')
    {
        return Err(Error::invalid(
            "invalid_value",
            "code",
            "a unit code is 1–32 letters, digits, '-' or '.' (it appears in numbers/symbols)",
        ));
    }
    Ok(())
}

impl Registry {
    /// All units, by code.
    pub async fn list_units(&self) -> Result<Vec<UnitView>> {
        Ok(units::Entity::find()
            .order_by_asc(units::Column::Code)
            .all(&self.db)
            .await?
            .into_iter()
            .map(UnitView::from)
            .collect())
    }

    /// Create a unit from `{code, name, parent_code?}`.
    pub async fn add_unit(&self, input: &Value, actor: &str) -> Result<UnitView> {
        let f = Fields::new(input, &["code", "name", "parent_code"])?;
        let code = f.identifier("code", 32)?.ok_or_else(|| {
            Error::invalid(
                "missing_field",
                "code",
                "code is required and must not be empty",
            )
        })?;
        check_code(&code)?;
        let name = f.required_text("name", 300)?;
        let parent = f.identifier("parent_code", 32)?;
        let now = audit::micros(self.clock.now());
        let txn = crate::db::begin_write(&self.db).await?;
        if let Some(p) = &parent {
            unit_by_code(&txn, p, "parent_code").await?;
        }
        if units::Entity::find()
            .filter(units::Column::Code.eq(code.as_str()))
            .one(&txn)
            .await?
            .is_some()
        {
            return Err(Error::conflict(
                "duplicate_code",
                Some("code"),
                format!("a unit with code {code:?} already exists"),
            ));
        }
        let m = units::ActiveModel {
            code: Set(code.clone()),
            name: Set(name.clone()),
            parent_code: Set(parent),
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
            "unit_add",
            None,
            &json!({"code": code, "name": name}),
        )
        .await?;
        Ok(m.into())
    }

    /// Change a unit's name or active flag from `{name?, active?}`.
    pub async fn update_unit(
        &self,
        code: &str,
        input: &Value,
        expected: Option<i32>,
        actor: &str,
    ) -> Result<UnitView> {
        let f = Fields::new(input, &["name", "active"])?;
        let name = f.text("name", 300)?;
        let active = match input.get("active") {
            None | Some(Value::Null) => None,
            Some(Value::Bool(b)) => Some(*b),
            Some(_) => {
                return Err(Error::invalid(
                    "invalid_type",
                    "active",
                    "active must be true or false",
                ));
            }
        };
        let now = audit::micros(self.clock.now());
        let txn = crate::db::begin_write(&self.db).await?;
        let m = units::Entity::find()
            .filter(units::Column::Code.eq(code))
            .one(&txn)
            .await?
            .ok_or_else(|| Error::not_found(format!("there is no unit with code {code:?}")))?;
        super::documents::check_row_version(&format!("unit {code:?}"), m.version, expected)?;
        let version = m.version;
        let mut am: units::ActiveModel = m.into();
        am.version = Set(version + 1);
        if let Some(n) = &name {
            am.name = Set(n.clone());
        }
        if let Some(a) = active {
            am.active = Set(a);
        }
        let m = am.update(&txn).await?;
        audit::commit_with(
            txn,
            now,
            actor,
            "unit_update",
            None,
            &json!({"code": code, "name": name, "active": active}),
        )
        .await?;
        Ok(m.into())
    }

    /// All officials with their certificates.
    pub async fn list_officials(&self) -> Result<Vec<OfficialView>> {
        let units: std::collections::HashMap<i32, String> = units::Entity::find()
            .all(&self.db)
            .await?
            .into_iter()
            .map(|u| (u.id, u.code))
            .collect();
        let mut certs: std::collections::HashMap<i32, Vec<CertificateView>> = Default::default();
        for c in official_certificates::Entity::find()
            .order_by_asc(official_certificates::Column::Id)
            .all(&self.db)
            .await?
        {
            certs
                .entry(c.official_id)
                .or_default()
                .push(CertificateView {
                    fingerprint_sha256: c.fingerprint_sha256,
                    role: c.role,
                    subject: c.subject,
                });
        }
        Ok(officials::Entity::find()
            .order_by_asc(officials::Column::Id)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|o| OfficialView {
                id: o.id,
                full_name: o.full_name,
                title: o.title,
                unit: o.unit_id.and_then(|id| units.get(&id).cloned()),
                email: o.email,
                active: o.active,
                certificates: certs.remove(&o.id).unwrap_or_default(),
            })
            .collect())
    }

    /// Create an official from `{full_name, title?, unit?, email?}`.
    pub async fn add_official(&self, input: &Value, actor: &str) -> Result<OfficialView> {
        let f = Fields::new(input, &["full_name", "title", "unit", "email"])?;
        let full_name = f.required_text("full_name", 200)?;
        let title = f.text("title", 200)?;
        let email = f.text("email", 200)?;
        if let Some(e) = &email
            && (!e.contains('@') || e.contains(' '))
        {
            return Err(Error::invalid(
                "invalid_value",
                "email",
                format!("{e:?} is not an e-mail address"),
            ));
        }
        let unit_code = f.identifier("unit", 32)?;
        let now = audit::micros(self.clock.now());
        let txn = crate::db::begin_write(&self.db).await?;
        let unit = match &unit_code {
            Some(code) => Some(active_unit(&txn, code, "unit").await?),
            None => None,
        };
        let m = officials::ActiveModel {
            full_name: Set(full_name.clone()),
            name_key: Set(fold(&full_name)),
            title: Set(title),
            unit_id: Set(unit.as_ref().map(|u| u.id)),
            email: Set(email),
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
            "official_add",
            None,
            &json!({"id": m.id, "full_name": full_name}),
        )
        .await?;
        Ok(OfficialView {
            id: m.id,
            full_name: m.full_name,
            title: m.title,
            unit: unit.map(|u| u.code),
            email: m.email,
            active: m.active,
            certificates: vec![],
        })
    }

    /// Record a certificate of an official from `{fingerprint_sha256, role?, subject?}`.
    pub async fn add_official_certificate(
        &self,
        official_id: i32,
        input: &Value,
        actor: &str,
    ) -> Result<CertificateView> {
        let f = Fields::new(input, &["fingerprint_sha256", "role", "subject"])?;
        let fp_raw = f.required_text("fingerprint_sha256", 100)?;
        let fp: String = fp_raw
            .chars()
            .filter(|c| *c != ':')
            .collect::<String>()
            .to_ascii_lowercase();
        if fp.len() != 64 || !fp.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(Error::invalid(
                "invalid_value",
                "fingerprint_sha256",
                "the fingerprint must be 64 hex digits (SHA-256 of the DER certificate), colons allowed",
            ));
        }
        let role = f.text("role", 20)?.unwrap_or_else(|| "person".into());
        if role != "person" && role != "organisation" {
            return Err(Error::invalid(
                "invalid_value",
                "role",
                "role must be person or organisation",
            ));
        }
        let subject = f.text("subject", 1000)?;
        let now = audit::micros(self.clock.now());
        let txn = crate::db::begin_write(&self.db).await?;
        if officials::Entity::find_by_id(official_id)
            .one(&txn)
            .await?
            .is_none()
        {
            return Err(Error::not_found(format!(
                "there is no official {official_id}"
            )));
        }
        if official_certificates::Entity::find()
            .filter(official_certificates::Column::FingerprintSha256.eq(fp.as_str()))
            .one(&txn)
            .await?
            .is_some()
        {
            return Err(Error::conflict(
                "duplicate_certificate",
                Some("fingerprint_sha256"),
                "this certificate is already recorded",
            ));
        }
        official_certificates::ActiveModel {
            official_id: Set(official_id),
            fingerprint_sha256: Set(fp.clone()),
            role: Set(role.clone()),
            subject: Set(subject.clone()),
            added_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        audit::commit_with(
            txn,
            now,
            actor,
            "certificate_add",
            None,
            &json!({"official_id": official_id, "fingerprint_sha256": fp, "role": role}),
        )
        .await?;
        Ok(CertificateView {
            fingerprint_sha256: fp,
            role,
            subject,
        })
    }
}
