//! Table `official_certificates`.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "official_certificates")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub official_id: i32,
    pub fingerprint_sha256: String,
    pub role: String,
    pub subject: Option<String>,
    pub added_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
