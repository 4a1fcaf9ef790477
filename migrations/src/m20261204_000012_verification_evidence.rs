//! What each verification relied on, kept as evidence: the certificates of
//! the paths built and the CRLs and OCSP responses that decided revocation,
//! found in the document or fetched online. The bytes are stored once by
//! their SHA-256 (`evidence_blobs`); `verification_evidence` links each
//! verification to what it used, with where it came from. A later
//! re-verification uses them, and they are exported as long-term
//! validation data.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(EvidenceBlobs::Table)
                    .if_not_exists()
                    .col(string_len(EvidenceBlobs::Sha256, 64).primary_key())
                    .col(blob(EvidenceBlobs::Der))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(VerificationEvidence::Table)
                    .if_not_exists()
                    .col(pk_auto(VerificationEvidence::Id))
                    .col(integer(VerificationEvidence::VerificationId))
                    .col(integer(VerificationEvidence::DocumentId))
                    .col(string_len(VerificationEvidence::Kind, 8))
                    .col(string_len(VerificationEvidence::Source, 16))
                    .col(text_null(VerificationEvidence::Url))
                    .col(string_len(VerificationEvidence::Sha256, 64))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_verification_evidence_document")
                    .table(VerificationEvidence::Table)
                    .col(VerificationEvidence::DocumentId)
                    .col(VerificationEvidence::VerificationId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(VerificationEvidence::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(EvidenceBlobs::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum EvidenceBlobs {
    Table,
    Sha256,
    Der,
}

#[derive(DeriveIden)]
enum VerificationEvidence {
    Table,
    Id,
    VerificationId,
    DocumentId,
    Kind,
    Source,
    Url,
    Sha256,
}
