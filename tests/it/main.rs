//! Integration tests: the real server on port 0 over the real migrations, on
//! SQLite and — when `VANTHU_TEST_DATABASE_URL` is set — on PostgreSQL.

mod harness;

mod abuse;
mod access;
mod architecture;
mod atomicity;
mod attacks;
mod audit;
mod bad_input;
mod cli;
mod compliance;
mod conformance;
mod documents;
mod evidence;
mod fairness;
mod fixtures;
mod fuzz_replay;
mod hostile;
mod numbering;
mod numbering_props;
mod openapi;
mod public_api;
mod revocation;
mod seed;
mod signing;
mod translog;
mod updates;
