//! Table `documents`.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "documents")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub direction: String,
    pub year: i32,
    pub series: String,
    pub register_number: i32,
    pub number_symbol: Option<String>,
    pub number_symbol_key: Option<String>,
    pub issuer: String,
    pub issuer_key: String,
    pub issued_year: i32,
    pub doc_type: String,
    pub doc_type_abbr: Option<String>,
    pub issued_on: Date,
    pub received_on: Option<Date>,
    pub register_date: Date,
    pub registered_at: DateTimeUtc,
    pub subject: String,
    pub signer_name: Option<String>,
    pub recipients: String,
    pub unit_id: Option<i32>,
    pub handler: Option<String>,
    pub due_on: Option<Date>,
    pub status: String,
    pub instruction: Option<String>,
    pub progress: Option<String>,
    pub resolved_on: Option<Date>,
    pub reply_number_symbol: Option<String>,
    pub copies: Option<i32>,
    pub secrecy: String,
    pub urgency: String,
    pub channel: String,
    pub counterpart: String,
    pub is_public: bool,
    pub file_sha256: Option<String>,
    pub notes: Option<String>,
    pub recall_reason: Option<String>,
    pub recalled_at: Option<DateTimeUtc>,
    pub search_text: String,
    pub created_by: String,
    pub updated_at: DateTimeUtc,
    pub publish_at: Option<DateTimeUtc>,
    pub public_search: String,
    pub search_version: i16,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
