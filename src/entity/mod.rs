//! sea-orm entities: one module per table created by the migrations.
// The derive macros generate public items (Column, ActiveModel, …) that
// cannot carry doc comments; the tables are documented in the migrations.
#![allow(missing_docs)]

pub mod audit_log;
pub mod documents;
pub mod files;
pub mod number_series;
pub mod official_certificates;
pub mod officials;
pub mod signatures;
pub mod units;
pub mod users;
pub mod verifications;
