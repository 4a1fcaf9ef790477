//! Compliance counters kept in the same transaction as every registration,
//! handling change, recall and re-verification, so the year's metrics are
//! summed from a few thousand rows instead of a million documents: per
//! register day, unit, direction and type (for each verification basis), per
//! deadline day for on-time handling, and per valid signer and day for
//! signer coverage. `compliance_rollup_state` records that the counters were
//! built from the documents (the program builds them once after this
//! migration, since an existing database already holds documents). An index
//! on documents' deadline lets on-time evidence page by deadline, and one on
//! (registered_at, id) lets listings page newest first without sorting.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// Create the counter tables, their state row and the two indexes.
    /// Long because: the migration's table and column lists.
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut t = Table::create();
        t.table(ComplianceCounts::Table)
            .if_not_exists()
            .col(small_integer(ComplianceCounts::Basis))
            .col(date(ComplianceCounts::RegisterDate))
            .col(integer(ComplianceCounts::UnitId))
            .col(string_len(ComplianceCounts::Direction, 16))
            .col(string_len(ComplianceCounts::DocType, 100));
        for c in [
            ComplianceCounts::ESigDen,
            ComplianceCounts::ESigNum,
            ComplianceCounts::DualDen,
            ComplianceCounts::DualNum,
            ComplianceCounts::ExchDen,
            ComplianceCounts::ExchNum,
            ComplianceCounts::DigiDen,
            ComplianceCounts::DigiNum,
        ] {
            t.col(big_integer(c).default(0));
        }
        t.primary_key(
            Index::create()
                .col(ComplianceCounts::Basis)
                .col(ComplianceCounts::RegisterDate)
                .col(ComplianceCounts::UnitId)
                .col(ComplianceCounts::Direction)
                .col(ComplianceCounts::DocType),
        );
        manager.create_table(t.to_owned()).await?;

        manager
            .create_table(
                Table::create()
                    .table(ComplianceDue::Table)
                    .if_not_exists()
                    .col(date(ComplianceDue::DueOn))
                    .col(integer(ComplianceDue::UnitId))
                    .col(string_len(ComplianceDue::DocType, 100))
                    .col(big_integer(ComplianceDue::Due).default(0))
                    .col(big_integer(ComplianceDue::OnTime).default(0))
                    .primary_key(
                        Index::create()
                            .col(ComplianceDue::DueOn)
                            .col(ComplianceDue::UnitId)
                            .col(ComplianceDue::DocType),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ComplianceSigners::Table)
                    .if_not_exists()
                    .col(small_integer(ComplianceSigners::Basis))
                    .col(string_len(ComplianceSigners::SignerFingerprint, 64))
                    .col(string_len(ComplianceSigners::SignerName, 300))
                    .col(date(ComplianceSigners::RegisterDate))
                    .col(integer(ComplianceSigners::UnitId))
                    .col(string_len(ComplianceSigners::Direction, 16))
                    .col(string_len(ComplianceSigners::DocType, 100))
                    .col(big_integer(ComplianceSigners::N).default(0))
                    .primary_key(
                        Index::create()
                            .col(ComplianceSigners::Basis)
                            .col(ComplianceSigners::SignerFingerprint)
                            .col(ComplianceSigners::SignerName)
                            .col(ComplianceSigners::RegisterDate)
                            .col(ComplianceSigners::UnitId)
                            .col(ComplianceSigners::Direction)
                            .col(ComplianceSigners::DocType),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ComplianceSignerIds::Table)
                    .if_not_exists()
                    .col(small_integer(ComplianceSignerIds::Basis))
                    .col(string_len(ComplianceSignerIds::SignerFingerprint, 64))
                    .col(string_len(ComplianceSignerIds::SignerName, 300))
                    .primary_key(
                        Index::create()
                            .col(ComplianceSignerIds::Basis)
                            .col(ComplianceSignerIds::SignerFingerprint)
                            .col(ComplianceSignerIds::SignerName),
                    )
                    .to_owned(),
            )
            .await?;

        // Register listings page newest first.
        manager
            .create_index(
                Index::create()
                    .name("idx_documents_registered_at")
                    .table(Documents::Table)
                    .col(Documents::RegisteredAt)
                    .col(Documents::Id)
                    .to_owned(),
            )
            .await?;
        // On-time evidence pages through incoming documents by deadline.
        manager
            .create_index(
                Index::create()
                    .name("idx_documents_due_on")
                    .table(Documents::Table)
                    .col(Documents::DueOn)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ComplianceRollupState::Table)
                    .if_not_exists()
                    .col(integer(ComplianceRollupState::Id).primary_key())
                    .col(timestamp_with_time_zone(ComplianceRollupState::BuiltAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for name in ["idx_documents_due_on", "idx_documents_registered_at"] {
            manager
                .drop_index(Index::drop().name(name).table(Documents::Table).to_owned())
                .await?;
        }
        for t in [
            ComplianceRollupState::Table.into_iden(),
            ComplianceSignerIds::Table.into_iden(),
            ComplianceSigners::Table.into_iden(),
            ComplianceDue::Table.into_iden(),
            ComplianceCounts::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(t).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum ComplianceCounts {
    Table,
    Basis,
    RegisterDate,
    UnitId,
    Direction,
    DocType,
    ESigDen,
    ESigNum,
    DualDen,
    DualNum,
    ExchDen,
    ExchNum,
    DigiDen,
    DigiNum,
}

#[derive(DeriveIden)]
enum ComplianceDue {
    Table,
    DueOn,
    UnitId,
    DocType,
    Due,
    OnTime,
}

#[derive(DeriveIden)]
enum ComplianceSigners {
    Table,
    Basis,
    SignerFingerprint,
    SignerName,
    RegisterDate,
    UnitId,
    Direction,
    DocType,
    N,
}

#[derive(DeriveIden)]
enum ComplianceSignerIds {
    Table,
    Basis,
    SignerFingerprint,
    SignerName,
}

#[derive(DeriveIden)]
enum Documents {
    Table,
    DueOn,
    RegisteredAt,
    Id,
}

#[derive(DeriveIden)]
enum ComplianceRollupState {
    Table,
    Id,
    BuiltAt,
}
