//! vanthu: a document-flow tracker for Vietnamese government departments.
//!
//! The library behind the `vanthu` binary: the registers of Decree 30/2020
//! (`registry`), content-addressed file storage (`store`), the database
//! (`db`, `entity`) and the HTTP API (`web`). `main.rs` only dispatches.
#![forbid(unsafe_code)]

pub mod app;
pub mod bench;
pub mod cli;
pub mod clock;
pub mod compliance;
pub mod config;
pub mod db;
pub mod demo;
pub mod entity;
pub mod online;
pub mod public;
pub mod registry;
pub mod seed;
pub mod sign;
pub mod store;
pub mod text;

/// The signature verifier (the `vanthu-sigverify` crate).
pub use sigverify;
/// The transparency-log library (the `vanthu-tlog` crate).
pub use tlog;
pub mod web;

pub use config::Config;
