//! Moving a single-computer clinic onto the clinic's server: every row of every table, copied
//! from the SQLite file into an empty PostgreSQL database in one transaction, then checked.
//!
//! Both engines hold the same tables and columns (ADR 0016), so the copy is by name: the
//! server's columns are read from its catalogue, the same columns are read from the file, and
//! each value is converted by the server's column type (BIGINT, BOOLEAN or TEXT). Ids are kept,
//! and each identity then continues after the largest one. The file is only read.

use std::hash::{Hash, Hasher};

use sqlx::postgres::PgPool;
use sqlx::sqlite::SqlitePool;
use sqlx::{Row, SqliteConnection};

use super::sql::Pool;
use super::{crash_point, ServerAddress, Store};
use crate::error::{CoreError, Result};

/// Every table, parents before children (the order the copy writes them in).
const TABLES: [&str; 19] = [
    "clinic",
    "staff",
    "patients",
    "appointment_types",
    "appointments",
    "appointment_history",
    "provider_settings",
    "connections",
    "audit_log",
    "meetings",
    "outbox",
    "meeting_calls",
    "reminders_shown",
    "mails",
    "mail_templates",
    "clinic_hours",
    "doctor_weeks",
    "doctor_hours",
    "hours_exceptions",
];

/// PostgreSQL's limit on one statement's parameters.
const MAX_PARAMETERS: usize = 65_535;

/// What a move copied, table by table, and the appointments' checksum on both sides.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Moved {
    pub server: String,
    /// `(table, rows)`, in [`TABLES`]' order; each count is the same in the file and on the server.
    pub tables: Vec<(String, i64)>,
    /// A checksum of every appointment's columns, equal on both sides.
    pub appointments_checksum: String,
}

/// One column of a table, as the server has it.
struct Column {
    name: String,
    kind: Kind,
}

#[derive(Clone, Copy)]
enum Kind {
    Int,
    Bool,
    Text,
}

/// One value in flight.
enum Value {
    Int(Option<i64>),
    Bool(Option<bool>),
    Text(Option<String>),
}

impl Store {
    /// Copies this single-computer clinic (the SQLite file) into the empty database at `server`,
    /// then checks that every table holds as many rows there as here and that the appointments
    /// are the same. The file is not changed. Tokens are not in the database and do not move.
    ///
    /// # Errors
    /// [`CoreError::Invalid`] when this store is not a file, or the server's database is not
    /// empty; [`CoreError::ServerRefused`] / [`CoreError::ServerAway`] when the server cannot be
    /// used; [`CoreError::Storage`] when the copy fails (the server is then left empty).
    pub async fn move_to_server(&self, actor: &crate::Actor, server: &ServerAddress) -> Result<Moved> {
        actor.may(crate::access::Action::Administer)?;
        let Pool::Sqlite(file) = &self.pool else {
            return Err(CoreError::invalid(
                "move-to-server: this clinic is already on a server; it moves from a computer's data folder",
            ));
        };
        let target = super::server::connect(server).await?;
        for table in TABLES {
            let rows: i64 =
                sqlx::query_scalar(&format!("SELECT count(*) FROM {table}")).fetch_one(&target).await?;
            if rows > 0 {
                return Err(CoreError::invalid(format!(
                    "move-to-server: the database at {server} is not empty ({table} has {rows} rows); give an empty database"
                )));
            }
        }

        // One read transaction on the file: the copy is one point in time.
        let mut source = file.begin().await?;
        let mut tx = target.begin().await?;
        let mut tables = Vec::with_capacity(TABLES.len());
        for table in TABLES {
            let columns = columns_of(&target, table).await?;
            let copied = copy_table(&mut source, &mut tx, table, &columns).await?;
            tables.push((table.to_owned(), copied));
        }
        // Each identity goes on after the largest id copied.
        let identities: Vec<(String, String)> = sqlx::query_as(
            "SELECT table_name::text, column_name::text FROM information_schema.columns
             WHERE table_schema = current_schema() AND is_identity = 'YES'",
        )
        .fetch_all(&mut *tx)
        .await?;
        for (table, column) in identities {
            sqlx::query(&format!(
                "SELECT setval(pg_get_serial_sequence('{table}', '{column}'), coalesce(max({column}), 1), max({column}) IS NOT NULL) FROM {table}"
            ))
            .execute(&mut *tx)
            .await?;
        }
        crash_point("move-to-server");
        tx.commit().await?;
        drop(source);

        // Check: the same counts on both sides, and the same appointments.
        for (table, copied) in &tables {
            let here: i64 =
                sqlx::query_scalar(&format!("SELECT count(*) FROM {table}")).fetch_one(file).await?;
            let there: i64 =
                sqlx::query_scalar(&format!("SELECT count(*) FROM {table}")).fetch_one(&target).await?;
            if here != there || there != *copied {
                return Err(CoreError::invalid(format!(
                    "move-to-server: {table} has {here} rows here and {there} on the server; the server's copy is incomplete"
                )));
            }
        }
        let here = appointments_checksum_sqlite(file).await?;
        let there = appointments_checksum_postgres(&target).await?;
        if here != there {
            return Err(CoreError::invalid(
                "move-to-server: the appointments on the server differ from this computer's; the server's copy is not usable",
            ));
        }
        target.close().await;
        Ok(Moved { server: server.to_string(), tables, appointments_checksum: format!("{here:016x}") })
    }
}

async fn columns_of(target: &PgPool, table: &str) -> Result<Vec<Column>> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT column_name::text, data_type::text FROM information_schema.columns
         WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
    )
    .bind(table)
    .fetch_all(target)
    .await?;
    rows.into_iter()
        .map(|(name, data_type)| {
            let kind = match data_type.as_str() {
                "bigint" => Kind::Int,
                "boolean" => Kind::Bool,
                "text" => Kind::Text,
                other => {
                    return Err(CoreError::invalid(format!(
                        "move-to-server: the server's {table}.{name} is {other}, which this version does not copy"
                    )))
                }
            };
            Ok(Column { name, kind })
        })
        .collect()
}

/// Copies one table's rows, in batches of as many rows as one statement's parameters allow.
async fn copy_table(
    source: &mut SqliteConnection,
    target: &mut sqlx::PgConnection,
    table: &str,
    columns: &[Column],
) -> Result<i64> {
    let names: Vec<&str> = columns.iter().map(|c| c.name.as_str()).collect();
    let select = format!("SELECT {} FROM {table}", names.join(", "));
    let rows = sqlx::query(&select).fetch_all(&mut *source).await?;
    let per_batch = (MAX_PARAMETERS / columns.len().max(1)).max(1);
    let mut copied = 0i64;
    for batch in rows.chunks(per_batch) {
        let mut values = Vec::with_capacity(batch.len() * columns.len());
        for row in batch {
            for (i, column) in columns.iter().enumerate() {
                values.push(match column.kind {
                    Kind::Int => Value::Int(row.try_get(i)?),
                    Kind::Bool => Value::Bool(row.try_get::<Option<i64>, _>(i)?.map(|v| v != 0)),
                    Kind::Text => Value::Text(row.try_get(i)?),
                });
            }
        }
        let mut n = 0usize;
        let tuples: Vec<String> = batch
            .iter()
            .map(|_| {
                let marks: Vec<String> = columns
                    .iter()
                    .map(|_| {
                        n += 1;
                        format!("${n}")
                    })
                    .collect();
                format!("({})", marks.join(", "))
            })
            .collect();
        let insert = format!(
            "INSERT INTO {table} ({}) OVERRIDING SYSTEM VALUE VALUES {}",
            names.join(", "),
            tuples.join(", ")
        );
        let mut query = sqlx::query(&insert);
        for value in values {
            query = match value {
                Value::Int(v) => query.bind(v),
                Value::Bool(v) => query.bind(v),
                Value::Text(v) => query.bind(v),
            };
        }
        query.execute(&mut *target).await?;
        copied = copied.saturating_add(i64::try_from(batch.len()).unwrap_or(i64::MAX));
    }
    Ok(copied)
}

/// The appointments' columns that both sides must agree on, in id order.
const APPOINTMENT_ROWS: &str = "SELECT id, patient_id, doctor_id, type_id, start_at, end_at, tz, topic, description, status, cancel_reason, created_at, updated_at FROM appointments ORDER BY id";

#[derive(sqlx::FromRow, Hash)]
struct AppointmentRow {
    id: i64,
    patient_id: i64,
    doctor_id: i64,
    type_id: i64,
    start_at: i64,
    end_at: i64,
    tz: String,
    topic: Option<String>,
    description: Option<String>,
    status: String,
    cancel_reason: Option<String>,
    created_at: i64,
    updated_at: i64,
}

fn checksum(rows: &[AppointmentRow]) -> u64 {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    rows.hash(&mut hasher);
    hasher.finish()
}

async fn appointments_checksum_sqlite(pool: &SqlitePool) -> Result<u64> {
    let rows: Vec<AppointmentRow> = sqlx::query_as(APPOINTMENT_ROWS).fetch_all(pool).await?;
    Ok(checksum(&rows))
}

async fn appointments_checksum_postgres(pool: &PgPool) -> Result<u64> {
    let rows: Vec<AppointmentRow> = sqlx::query_as(APPOINTMENT_ROWS).fetch_all(pool).await?;
    Ok(checksum(&rows))
}
