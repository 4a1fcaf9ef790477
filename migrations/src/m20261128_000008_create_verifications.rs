//! Signature verification results: one `verifications` row per run (kept as
//! history), with the report JSON and the trust-store version, and one
//! `signatures` row per signature for fast compliance queries.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261128_000005_create_documents::Documents;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Verifications::Table)
                    .if_not_exists()
                    .col(pk_auto(Verifications::Id))
                    .col(integer(Verifications::DocumentId))
                    .col(string_len(Verifications::FileSha256, 64))
                    .col(timestamp_with_time_zone(Verifications::VerifiedAt))
                    .col(string_len(Verifications::Reason, 16))
                    .col(string_len(Verifications::TrustVersion, 64))
                    .col(string_len(Verifications::Status, 16))
                    .col(text(Verifications::Report))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Verifications::Table, Verifications::DocumentId)
                            .to(Documents::Table, Documents::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_verifications_document")
                    .table(Verifications::Table)
                    .col(Verifications::DocumentId)
                    .col(Verifications::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Signatures::Table)
                    .if_not_exists()
                    .col(pk_auto(Signatures::Id))
                    .col(integer(Signatures::VerificationId))
                    .col(integer(Signatures::DocumentId))
                    .col(integer(Signatures::Position))
                    .col(string_len(Signatures::Field, 300))
                    .col(string_len(Signatures::Kind, 32))
                    .col(string_len(Signatures::Status, 16))
                    .col(string_len_null(Signatures::SubIndication, 48))
                    .col(string_len(Signatures::Coverage, 24))
                    .col(string_len(Signatures::Modifications, 24))
                    .col(string_len_null(Signatures::SignerName, 300))
                    .col(string_len_null(Signatures::SignerOrganization, 300))
                    .col(string_len_null(Signatures::SignerFingerprint, 64))
                    .col(string_len_null(Signatures::SignerRole, 16))
                    .col(string_len_null(Signatures::SigningTime, 40))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Signatures::Table, Signatures::VerificationId)
                            .to(Verifications::Table, Verifications::Id),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, col) in [
            ("idx_signatures_document", Signatures::DocumentId),
            ("idx_signatures_fingerprint", Signatures::SignerFingerprint),
            ("idx_signatures_verification", Signatures::VerificationId),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(Signatures::Table)
                        .col(col)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Signatures::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Verifications::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Verifications {
    Table,
    Id,
    DocumentId,
    FileSha256,
    VerifiedAt,
    Reason,
    TrustVersion,
    Status,
    Report,
}

#[derive(DeriveIden)]
enum Signatures {
    Table,
    Id,
    VerificationId,
    DocumentId,
    Position,
    Field,
    Kind,
    Status,
    SubIndication,
    Coverage,
    Modifications,
    SignerName,
    SignerOrganization,
    SignerFingerprint,
    SignerRole,
    SigningTime,
}
