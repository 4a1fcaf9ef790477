//! Documents: one row per entry in the incoming or outgoing register (Decree 30/2020 Art. 15, 22).

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261128_000001_create_units::Units;
use crate::m20261128_000004_create_files::Files;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// Create the documents table and its indexes.
    /// Long because: the migration's column list.
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Documents::Table)
                    .if_not_exists()
                    .col(pk_auto(Documents::Id))
                    .col(string_len(Documents::Direction, 16))
                    .col(integer(Documents::Year))
                    .col(string_len(Documents::Series, 16))
                    .col(integer(Documents::RegisterNumber))
                    .col(string_len_null(Documents::NumberSymbol, 100))
                    .col(string_len_null(Documents::NumberSymbolKey, 100))
                    .col(string_len(Documents::Issuer, 300))
                    .col(string_len(Documents::IssuerKey, 300))
                    .col(integer(Documents::IssuedYear))
                    .col(string_len(Documents::DocType, 100))
                    .col(string_len_null(Documents::DocTypeAbbr, 16))
                    .col(date(Documents::IssuedOn))
                    .col(date_null(Documents::ReceivedOn))
                    .col(date(Documents::RegisterDate))
                    .col(timestamp_with_time_zone(Documents::RegisteredAt))
                    .col(text(Documents::Subject))
                    .col(string_len_null(Documents::SignerName, 200))
                    .col(text(Documents::Recipients))
                    .col(integer_null(Documents::UnitId))
                    .col(string_len_null(Documents::Handler, 200))
                    .col(date_null(Documents::DueOn))
                    .col(string_len(Documents::Status, 16))
                    .col(text_null(Documents::Instruction))
                    .col(text_null(Documents::Progress))
                    .col(date_null(Documents::ResolvedOn))
                    .col(string_len_null(Documents::ReplyNumberSymbol, 100))
                    .col(integer_null(Documents::Copies))
                    .col(string_len(Documents::Secrecy, 16))
                    .col(string_len(Documents::Urgency, 16))
                    .col(string_len(Documents::Channel, 16))
                    .col(string_len(Documents::Counterpart, 16))
                    .col(boolean(Documents::IsPublic))
                    .col(string_len_null(Documents::FileSha256, 64))
                    .col(text_null(Documents::Notes))
                    .col(text_null(Documents::RecallReason))
                    .col(timestamp_with_time_zone_null(Documents::RecalledAt))
                    .col(text(Documents::SearchText))
                    .col(string_len(Documents::CreatedBy, 100))
                    .col(timestamp_with_time_zone(Documents::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Documents::Table, Documents::UnitId)
                            .to(Units::Table, Units::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Documents::Table, Documents::FileSha256)
                            .to(Files::Table, Files::Sha256),
                    )
                    .to_owned(),
            )
            .await?;
        // Decree 30 Art. 15/22: a number is unique within its register, year and series.
        manager
            .create_index(
                Index::create()
                    .name("uq_documents_register_number")
                    .table(Documents::Table)
                    .col(Documents::Direction)
                    .col(Documents::Year)
                    .col(Documents::Series)
                    .col(Documents::RegisterNumber)
                    .unique()
                    .to_owned(),
            )
            .await?;
        // Number/symbol is unique per issuing body and year (NULLs never collide).
        manager
            .create_index(
                Index::create()
                    .name("uq_documents_issuer_number_symbol")
                    .table(Documents::Table)
                    .col(Documents::Direction)
                    .col(Documents::IssuerKey)
                    .col(Documents::IssuedYear)
                    .col(Documents::Series)
                    .col(Documents::NumberSymbolKey)
                    .unique()
                    .to_owned(),
            )
            .await?;
        for (name, col) in [
            ("idx_documents_register_date", Documents::RegisterDate),
            ("idx_documents_unit", Documents::UnitId),
            ("idx_documents_status", Documents::Status),
            ("idx_documents_file", Documents::FileSha256),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(Documents::Table)
                        .col(col)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Documents::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum Documents {
    Table,
    Id,
    Direction,
    Year,
    Series,
    RegisterNumber,
    NumberSymbol,
    NumberSymbolKey,
    Issuer,
    IssuerKey,
    IssuedYear,
    DocType,
    DocTypeAbbr,
    IssuedOn,
    ReceivedOn,
    RegisterDate,
    RegisteredAt,
    Subject,
    SignerName,
    Recipients,
    UnitId,
    Handler,
    DueOn,
    Status,
    Instruction,
    Progress,
    ResolvedOn,
    ReplyNumberSymbol,
    Copies,
    Secrecy,
    Urgency,
    Channel,
    Counterpart,
    IsPublic,
    FileSha256,
    Notes,
    RecallReason,
    RecalledAt,
    SearchText,
    CreatedBy,
    UpdatedAt,
}
