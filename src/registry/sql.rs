//! Small raw-SQL helpers for the few statements sea-orm's builders do not
//! express portably (atomic upserts with RETURNING, row locks).

use sea_orm::{ConnectionTrait, DbBackend, QueryResult, Statement, Value};

/// Build a statement from SQL written with `?` placeholders, rewritten to
/// `$1, $2, …` on PostgreSQL. The SQL must not contain `?` elsewhere.
pub fn stmt(backend: DbBackend, sql: &str, values: Vec<Value>) -> Statement {
    let sql = if backend == DbBackend::Postgres {
        let mut out = String::with_capacity(sql.len() + 8);
        let mut n = 0;
        for c in sql.chars() {
            if c == '?' {
                n += 1;
                out.push('$');
                out.push_str(&n.to_string());
            } else {
                out.push(c);
            }
        }
        out
    } else {
        sql.to_string()
    };
    Statement::from_sql_and_values(backend, sql, values)
}

/// Run a statement that must return exactly one row.
pub async fn query_one<C: ConnectionTrait>(
    conn: &C,
    sql: &str,
    values: Vec<Value>,
) -> Result<QueryResult, sea_orm::DbErr> {
    let backend = conn.get_database_backend();
    conn.query_one_raw(stmt(backend, sql, values))
        .await?
        .ok_or_else(|| sea_orm::DbErr::RecordNotFound(format!("no row from: {sql}")))
}
