//! Publication safety and honest search: `publish_at` holds a new document
//! out of public view for a configurable time (its log events wait in
//! `tlog_pending` until `not_before`); `public_search` is the folded text of
//! the fields the public may see, kept apart from the staff `search_text`,
//! and `search_version` marks rows whose search texts the program must
//! rebuild (done once at start); `version` counts the changes of a
//! document, a user and a unit, for optimistic concurrency (`ETag` /
//! `If-Match`).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per ALTER TABLE.
        for col in [
            ColumnDef::new(Documents::PublishAt)
                .timestamp_with_time_zone()
                .null()
                .to_owned(),
            text(Documents::PublicSearch).default("").to_owned(),
            small_integer(Documents::SearchVersion)
                .default(0)
                .to_owned(),
            integer(Documents::Version).default(1).to_owned(),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Documents::Table)
                        .add_column(col)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .get_connection()
            .execute_unprepared("UPDATE documents SET publish_at = registered_at")
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .add_column(integer(Users::Version).default(1))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Units::Table)
                    .add_column(integer(Units::Version).default(1))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(TlogPending::Table)
                    .add_column(
                        ColumnDef::new(TlogPending::NotBefore)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_documents_search_version")
                    .table(Documents::Table)
                    .col(Documents::SearchVersion)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("idx_documents_search_version")
                    .table(Documents::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(TlogPending::Table)
                    .drop_column(TlogPending::NotBefore)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Units::Table)
                    .drop_column(Units::Version)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .drop_column(Users::Version)
                    .to_owned(),
            )
            .await?;
        for c in [
            Documents::Version,
            Documents::SearchVersion,
            Documents::PublicSearch,
            Documents::PublishAt,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Documents::Table)
                        .drop_column(c)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Documents {
    Table,
    PublishAt,
    PublicSearch,
    SearchVersion,
    Version,
}

#[derive(DeriveIden)]
enum TlogPending {
    Table,
    NotBefore,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Version,
}

#[derive(DeriveIden)]
enum Units {
    Table,
    Version,
}
