//! Register numbers (Decree 30/2020 Art. 15 for outgoing, Art. 22 for
//! incoming): from 01 on 1 January (Vietnam time) to 31 December, one
//! series per register and year, secret documents in their own series.
//!
//! A number is taken by one atomic upsert inside the registering
//! transaction, so a failed registration rolls its number back (no gaps)
//! and concurrent registrations are ordered by the database's row lock
//! (PostgreSQL) or write lock (SQLite `BEGIN IMMEDIATE`), so none repeats.

use sea_orm::{ConnectionTrait, DatabaseTransaction};

use super::error::Result;
use super::sql::query_one;
use super::types::{Direction, Series};

/// Take the next number of (`direction`, `year`, `series`). Must be called
/// inside the transaction that stores the document using it.
pub async fn next_number(
    txn: &DatabaseTransaction,
    direction: Direction,
    year: i32,
    series: Series,
) -> Result<i32> {
    let row = query_one(
        txn,
        "INSERT INTO number_series (direction, year, series, last_number) VALUES (?, ?, ?, 1) \
         ON CONFLICT (direction, year, series) DO UPDATE SET last_number = number_series.last_number + 1 \
         RETURNING last_number",
        vec![direction.as_str().into(), year.into(), series.as_str().into()],
    )
    .await?;
    Ok(row.try_get::<i32>("", "last_number")?)
}

/// Write a number the way Decree 30 prints it: two digits at least (`01`…`09`).
pub fn format_number(n: i32) -> String {
    format!("{n:02}")
}

/// The last number given in a series, 0 when none yet.
pub async fn last_number<C: ConnectionTrait>(
    conn: &C,
    direction: Direction,
    year: i32,
    series: Series,
) -> Result<i32> {
    let backend = conn.get_database_backend();
    let row = conn
        .query_one_raw(super::sql::stmt(
            backend,
            "SELECT last_number FROM number_series WHERE direction = ? AND year = ? AND series = ?",
            vec![
                direction.as_str().into(),
                year.into(),
                series.as_str().into(),
            ],
        ))
        .await?;
    Ok(match row {
        Some(r) => r.try_get::<i32>("", "last_number")?,
        None => 0,
    })
}
