//! Units (đơn vị) of the department: the handling and drafting units.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Units::Table)
                    .if_not_exists()
                    .col(pk_auto(Units::Id))
                    .col(string_len_uniq(Units::Code, 32))
                    .col(string_len(Units::Name, 300))
                    .col(string_len_null(Units::ParentCode, 32))
                    .col(boolean(Units::Active).default(true))
                    .col(timestamp_with_time_zone(Units::CreatedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Units::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum Units {
    Table,
    Id,
    Code,
    Name,
    ParentCode,
    Active,
    CreatedAt,
}
