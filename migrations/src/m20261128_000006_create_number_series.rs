//! Number series: the last number given in each register, year and series (normal or secret).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(NumberSeries::Table)
                    .if_not_exists()
                    .col(pk_auto(NumberSeries::Id))
                    .col(string_len(NumberSeries::Direction, 16))
                    .col(integer(NumberSeries::Year))
                    .col(string_len(NumberSeries::Series, 16))
                    .col(integer(NumberSeries::LastNumber))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_number_series")
                    .table(NumberSeries::Table)
                    .col(NumberSeries::Direction)
                    .col(NumberSeries::Year)
                    .col(NumberSeries::Series)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(NumberSeries::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum NumberSeries {
    Table,
    Id,
    Direction,
    Year,
    Series,
    LastNumber,
}
