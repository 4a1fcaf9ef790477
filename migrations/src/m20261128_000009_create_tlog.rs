//! The transparency log: public events waiting to be sequenced, sequenced
//! entries with their leaf hashes, every complete subtree hash (RFC 6962),
//! and the signed checkpoints published.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(TlogPending::Table)
                    .if_not_exists()
                    .col(pk_auto(TlogPending::Id))
                    .col(integer_null(TlogPending::DocumentId))
                    .col(text(TlogPending::Data))
                    .col(timestamp_with_time_zone(TlogPending::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(TlogEntries::Table)
                    .if_not_exists()
                    .col(big_integer(TlogEntries::Idx).primary_key())
                    .col(integer_null(TlogEntries::DocumentId))
                    .col(text(TlogEntries::Data))
                    .col(string_len(TlogEntries::LeafHash, 64))
                    .col(timestamp_with_time_zone(TlogEntries::SequencedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_tlog_entries_document")
                    .table(TlogEntries::Table)
                    .col(TlogEntries::DocumentId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(TlogNodes::Table)
                    .if_not_exists()
                    .col(integer(TlogNodes::Level))
                    .col(big_integer(TlogNodes::Idx))
                    .col(string_len(TlogNodes::Hash, 64))
                    .primary_key(Index::create().col(TlogNodes::Level).col(TlogNodes::Idx))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(TlogCheckpoints::Table)
                    .if_not_exists()
                    .col(big_integer(TlogCheckpoints::Size).primary_key())
                    .col(string_len(TlogCheckpoints::Root, 64))
                    .col(text(TlogCheckpoints::Note))
                    .col(timestamp_with_time_zone(TlogCheckpoints::SignedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            TlogCheckpoints::Table.into_iden(),
            TlogNodes::Table.into_iden(),
            TlogEntries::Table.into_iden(),
            TlogPending::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(t).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum TlogPending {
    Table,
    Id,
    DocumentId,
    Data,
    CreatedAt,
}

#[derive(DeriveIden)]
enum TlogEntries {
    Table,
    Idx,
    DocumentId,
    Data,
    LeafHash,
    SequencedAt,
}

#[derive(DeriveIden)]
enum TlogNodes {
    Table,
    Level,
    Idx,
    Hash,
}

#[derive(DeriveIden)]
enum TlogCheckpoints {
    Table,
    Size,
    Root,
    Note,
    SignedAt,
}
