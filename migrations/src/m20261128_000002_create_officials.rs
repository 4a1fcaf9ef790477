//! Officials (cán bộ) and the certificate fingerprints known to be theirs.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261128_000001_create_units::Units;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Officials::Table)
                    .if_not_exists()
                    .col(pk_auto(Officials::Id))
                    .col(string_len(Officials::FullName, 200))
                    .col(string_len(Officials::NameKey, 200))
                    .col(string_len_null(Officials::Title, 200))
                    .col(integer_null(Officials::UnitId))
                    .col(string_len_null(Officials::Email, 200))
                    .col(boolean(Officials::Active).default(true))
                    .col(timestamp_with_time_zone(Officials::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Officials::Table, Officials::UnitId)
                            .to(Units::Table, Units::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_officials_name_key")
                    .table(Officials::Table)
                    .col(Officials::NameKey)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(OfficialCertificates::Table)
                    .if_not_exists()
                    .col(pk_auto(OfficialCertificates::Id))
                    .col(integer(OfficialCertificates::OfficialId))
                    .col(string_len_uniq(OfficialCertificates::FingerprintSha256, 64))
                    .col(string_len(OfficialCertificates::Role, 16))
                    .col(string_len_null(OfficialCertificates::Subject, 1000))
                    .col(timestamp_with_time_zone(OfficialCertificates::AddedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                OfficialCertificates::Table,
                                OfficialCertificates::OfficialId,
                            )
                            .to(Officials::Table, Officials::Id),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(OfficialCertificates::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Officials::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum Officials {
    Table,
    Id,
    FullName,
    NameKey,
    Title,
    UnitId,
    Email,
    Active,
    CreatedAt,
}

#[derive(DeriveIden)]
enum OfficialCertificates {
    Table,
    Id,
    OfficialId,
    FingerprintSha256,
    Role,
    Subject,
    AddedAt,
}
