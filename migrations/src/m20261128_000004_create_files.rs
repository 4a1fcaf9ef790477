//! Stored files, content-addressed by SHA-256 (identical bytes are stored once).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Files::Table)
                    .if_not_exists()
                    .col(string_len(Files::Sha256, 64).primary_key())
                    .col(big_integer(Files::Size))
                    .col(string_len(Files::ContentType, 100))
                    .col(timestamp_with_time_zone(Files::StoredAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Files::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum Files {
    Table,
    Sha256,
    Size,
    ContentType,
    StoredAt,
}
