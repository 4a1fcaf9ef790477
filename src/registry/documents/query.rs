//! Searching the registers (staff and public).

use sea_orm::sea_query::LikeExpr;
use sea_orm::{
    ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde::Serialize;
use utoipa::ToSchema;

use super::view::DocumentView;
use super::{unit_by_code, unit_codes};
use crate::entity::documents;
use crate::registry::Registry;
use crate::registry::audit;
use crate::registry::error::{Error, Result};
use crate::registry::fields::parse_date;
use crate::registry::types::{
    Channel, Counterpart, Direction, Secrecy, Status, Urgency, doc_type_param,
};
use crate::text::{escape_like, fold};

impl Registry {
    /// Search the registers.
    pub async fn list(&self, q: &ListQuery) -> Result<Page> {
        self.list_where(q, Condition::all(), documents::Column::SearchText)
            .await
    }

    /// What the public may see now: not secret, published (its hold over).
    fn published(&self) -> Condition {
        Condition::all()
            .add(documents::Column::Secrecy.eq(Secrecy::None.as_str()))
            .add(documents::Column::IsPublic.eq(true))
            .add(documents::Column::PublishAt.lte(audit::micros(self.clock.now())))
    }

    /// Search what the public may see: no secret, unpublished or recalled
    /// document, and only over the public fields.
    pub async fn list_public(&self, q: &ListQuery) -> Result<Page> {
        if q.unit.is_some() || q.urgency.is_some() || q.secrecy.is_some() {
            return Err(Error::invalid(
                "unknown_field",
                "unit",
                "the public search filters only on what the public sees",
            ));
        }
        let only = self
            .published()
            .add(documents::Column::Status.ne(Status::Recalled.as_str()));
        self.list_where(q, only, documents::Column::PublicSearch)
            .await
    }

    /// Whether document `id` is published (not secret, its hold over).
    pub async fn is_published(&self, id: i32) -> Result<bool> {
        Ok(documents::Entity::find_by_id(id)
            .filter(self.published())
            .count(&self.db)
            .await?
            > 0)
    }

    /// Public documents whose number/symbol matches `number_symbol` (ignoring case, diacritics and spaces).
    pub async fn lookup_public(&self, number_symbol: &str) -> Result<Vec<DocumentView>> {
        let key = fold(number_symbol).replace(' ', "");
        let rows = documents::Entity::find()
            .filter(documents::Column::NumberSymbolKey.eq(key))
            .filter(self.published())
            .filter(documents::Column::Status.ne(Status::Recalled.as_str()))
            .order_by_desc(documents::Column::Id)
            .limit(50)
            .all(&self.db)
            .await?;
        let mut out = Vec::new();
        for m in rows {
            out.push(self.get(m.id).await?);
        }
        Ok(out)
    }

    /// The public document whose PDF has this SHA-256, if any.
    pub async fn find_public_by_file(&self, sha256: &str) -> Result<Option<DocumentView>> {
        let m = documents::Entity::find()
            .filter(documents::Column::FileSha256.eq(sha256))
            .filter(self.published())
            .order_by_desc(documents::Column::Id)
            .one(&self.db)
            .await?;
        match m {
            Some(m) => Ok(Some(self.get(m.id).await?)),
            None => Ok(None),
        }
    }

    /// Long because: one condition per filter of the search form.
    async fn list_where(
        &self,
        q: &ListQuery,
        base: Condition,
        search: documents::Column,
    ) -> Result<Page> {
        let mut cond = base;
        if let Some(d) = &q.direction {
            let d = Direction::parse(d)
                .ok_or_else(|| bad_filter("direction", &Direction::choices()))?;
            cond = cond.add(documents::Column::Direction.eq(d.as_str()));
        }
        if let Some(y) = q.year {
            cond = cond.add(documents::Column::Year.eq(y));
        }
        if let Some(code) = q.unit.as_deref().filter(|s| !s.is_empty()) {
            let unit = unit_by_code(&self.db, code, "unit").await?;
            cond = cond.add(documents::Column::UnitId.eq(unit.id));
        }
        if let Some(t) = q.doc_type.as_deref().filter(|s| !s.is_empty()) {
            let t = doc_type_param(t, "doc_type")?;
            cond = cond.add(documents::Column::DocType.eq(t.name));
        }
        if let Some(s) = &q.status {
            let s = Status::parse(s).ok_or_else(|| bad_filter("status", &Status::choices()))?;
            cond = cond.add(documents::Column::Status.eq(s.as_str()));
        }
        if let Some(s) = &q.secrecy {
            let s = Secrecy::parse(s).ok_or_else(|| bad_filter("secrecy", &Secrecy::choices()))?;
            cond = cond.add(documents::Column::Secrecy.eq(s.as_str()));
        }
        if let Some(s) = &q.urgency {
            let s = Urgency::parse(s).ok_or_else(|| bad_filter("urgency", &Urgency::choices()))?;
            cond = cond.add(documents::Column::Urgency.eq(s.as_str()));
        }
        if let Some(s) = &q.channel {
            let s = Channel::parse(s).ok_or_else(|| bad_filter("channel", &Channel::choices()))?;
            cond = cond.add(documents::Column::Channel.eq(s.as_str()));
        }
        if let Some(s) = &q.counterpart {
            let s = Counterpart::parse(s)
                .ok_or_else(|| bad_filter("counterpart", &Counterpart::choices()))?;
            cond = cond.add(documents::Column::Counterpart.eq(s.as_str()));
        }
        let from = q
            .from
            .as_deref()
            .map(|s| parse_date("from", s))
            .transpose()?;
        let to = q.to.as_deref().map(|s| parse_date("to", s)).transpose()?;
        if let (Some(a), Some(b)) = (from, to)
            && a > b
        {
            return Err(Error::invalid(
                "invalid_date",
                "from",
                format!("from {a} is after to {b}"),
            ));
        }
        if let Some(a) = from {
            cond = cond.add(documents::Column::RegisterDate.gte(a));
        }
        if let Some(b) = to {
            cond = cond.add(documents::Column::RegisterDate.lte(b));
        }
        if let Some(text) = &q.q {
            if text.chars().count() > 500 {
                return Err(Error::invalid(
                    "too_long",
                    "q",
                    "the search text is longer than 500 characters",
                ));
            }
            for word in fold(text).split(' ').filter(|w| !w.is_empty()).take(20) {
                let pattern = format!("%{}%", escape_like(word));
                cond = cond.add(search.like(LikeExpr::new(pattern).escape('\\')));
            }
        }
        let per_page = q.per_page.unwrap_or(20);
        if !(1..=200).contains(&per_page) {
            return Err(Error::invalid(
                "invalid_value",
                "per_page",
                "per_page must be from 1 to 200",
            ));
        }
        let page = q.page.unwrap_or(1);
        if !(1..=MAX_PAGE).contains(&page) {
            return Err(Error::invalid(
                "invalid_value",
                "page",
                format!("page must be from 1 to {MAX_PAGE}"),
            ));
        }
        let select = documents::Entity::find().filter(cond);
        let total = select.clone().count(&self.db).await?;
        let rows = select
            .order_by_desc(documents::Column::RegisteredAt)
            .order_by_desc(documents::Column::Id)
            .offset((page - 1) * per_page)
            .limit(per_page)
            .all(&self.db)
            .await?;
        let units = unit_codes(&self.db).await?;
        let today = self.clock.today_vn();
        let ids: Vec<i32> = rows.iter().map(|m| m.id).collect();
        let mut reports = crate::registry::verification::latest(&self.db, &ids).await?;
        let items = rows
            .into_iter()
            .map(|m| {
                let id = m.id;
                DocumentView::from_model(m, &units, today).map(|mut v| {
                    v.verification = reports.remove(&id);
                    v
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Page {
            items,
            total,
            page,
            per_page,
        })
    }
}

/// The last page a listing may ask for (pages × 200 stays far from overflow).
pub const MAX_PAGE: u64 = 1_000_000;

fn bad_filter(field: &str, choices: &str) -> Error {
    Error::invalid(
        "invalid_value",
        field,
        format!("{field} must be one of: {choices}"),
    )
}

/// Filters of a register search; every field is optional.
#[derive(Debug, Default, Clone, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Free text, ignoring case and diacritics ("so noi vu" finds "Sở Nội vụ").
    pub q: Option<String>,
    /// `incoming` or `outgoing`.
    pub direction: Option<String>,
    /// Register year.
    pub year: Option<i32>,
    /// Unit code.
    pub unit: Option<String>,
    /// Document type (name or abbreviation).
    pub doc_type: Option<String>,
    /// Handling status.
    pub status: Option<String>,
    /// Secrecy level.
    pub secrecy: Option<String>,
    /// Urgency.
    pub urgency: Option<String>,
    /// `electronic` or `paper`.
    pub channel: Option<String>,
    /// Counterpart kind.
    pub counterpart: Option<String>,
    /// First register date (received for incoming, issued for outgoing), `YYYY-MM-DD`.
    pub from: Option<String>,
    /// Last register date, `YYYY-MM-DD`.
    pub to: Option<String>,
    /// Page number from 1.
    pub page: Option<u64>,
    /// Items per page, 1–200 (default 20).
    pub per_page: Option<u64>,
}

/// One page of search results.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page {
    /// The documents on this page, newest first.
    pub items: Vec<DocumentView>,
    /// How many documents match in all.
    pub total: u64,
    /// This page's number.
    pub page: u64,
    /// Page size.
    pub per_page: u64,
}
