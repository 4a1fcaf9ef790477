//! Table `signatures`.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "signatures")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub verification_id: i32,
    pub document_id: i32,
    pub position: i32,
    pub field: String,
    pub kind: String,
    pub status: String,
    pub sub_indication: Option<String>,
    pub coverage: String,
    pub modifications: String,
    pub signer_name: Option<String>,
    pub signer_organization: Option<String>,
    pub signer_fingerprint: Option<String>,
    pub signer_role: Option<String>,
    pub signing_time: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
