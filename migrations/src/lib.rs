//! Database migrations of vanthu: one file per migration, run at start and by
//! `vanthu migrate`, identical on SQLite and PostgreSQL. Never edit an applied one.

pub use sea_orm_migration::prelude::*;

mod m20261128_000001_create_units;
mod m20261128_000002_create_officials;
mod m20261128_000003_create_users;
mod m20261128_000004_create_files;
mod m20261128_000005_create_documents;
mod m20261128_000006_create_number_series;
mod m20261128_000007_create_audit_log;
mod m20261128_000008_create_verifications;
mod m20261128_000009_create_tlog;
mod m20261129_000010_create_compliance_rollup;
mod m20261204_000011_publication_and_versions;
mod m20261204_000012_verification_evidence;

/// The ordered list of migrations.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261128_000001_create_units::Migration),
            Box::new(m20261128_000002_create_officials::Migration),
            Box::new(m20261128_000003_create_users::Migration),
            Box::new(m20261128_000004_create_files::Migration),
            Box::new(m20261128_000005_create_documents::Migration),
            Box::new(m20261128_000006_create_number_series::Migration),
            Box::new(m20261128_000007_create_audit_log::Migration),
            Box::new(m20261128_000008_create_verifications::Migration),
            Box::new(m20261128_000009_create_tlog::Migration),
            Box::new(m20261129_000010_create_compliance_rollup::Migration),
            Box::new(m20261204_000011_publication_and_versions::Migration),
            Box::new(m20261204_000012_verification_evidence::Migration),
        ]
    }
}
