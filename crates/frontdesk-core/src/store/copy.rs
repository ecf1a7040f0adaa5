//! A desk's read copy of the clinic's server (ADR 0027): a SQLite file in its data folder
//! ([`COPY_FILE`], encrypted with the folder's key like a single computer's database) holding what
//! the desk shows of the days around today: the appointments from yesterday to
//! [`COPY_DAYS_AHEAD`] days ahead with their patients, history, meetings and mail states, the
//! staff (with their PIN hashes, so people can sign in), the types and the working hours.
//!
//! It is a cache, not a replica: [`Store::refresh_copy`] replaces all of it in one transaction
//! from one consistent read of the server (nothing is merged), and nothing written to the copy
//! is ever sent to the server. While the server does not answer ([`Store::check_server`]), the
//! store reads from the copy with the same queries (both engines read the same SQL), refuses
//! every change with [`CoreError::ReadOnly`], and records only what the desk does with what it
//! shows (a sign-in, an audited view, a reminder shown) in the copy itself.
//!
//! A doctor's desk under the clinic's minimum-necessary setting keeps no more than the doctor
//! may see: other doctors' visits as busy time, with neither patient nor topic.

use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use sqlx::postgres::{PgPool, PgRow};
use sqlx::{Column, Row, TypeInfo};

use super::sql::{self, Arg, Pool};
use super::{server, AtRest, ServerAddress, Store};
use crate::access::{Action, Sight};
use crate::clock::Clock;
use crate::error::{CoreError, Result};
use crate::model::StaffId;
use crate::time;
use crate::Actor;

/// The read copy's file in a desk's data folder.
pub const COPY_FILE: &str = "read-copy.db";

/// How many days after today the copy holds (and one day before it), until an admin sets the
/// clinic's `copy_days`.
pub const COPY_DAYS_AHEAD: i64 = 14;

/// The most values one statement binds in the copy: a few rows to a statement (a long one costs
/// SQLite more to prepare than its rows save).
const MAX_BOUND_VALUES: usize = 999;

/// How long a desk waits for the server's answer before it counts the server as away.
const PING_TIMEOUT: StdDuration = StdDuration::from_secs(2);

/// Whether the desk's server answers, and how old its copy is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServerLink {
    /// When the server stopped answering; `None` while it answers.
    pub away_since: Option<DateTime<Utc>>,
    /// When the copy was last taken; `None` before the first one.
    pub copy_as_of: Option<DateTime<Utc>>,
}

/// What one refresh of the copy took.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyWindow {
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
    pub as_of: DateTime<Utc>,
    pub appointments: u64,
}

/// A desk's copy and whether its server answers.
pub(crate) struct ReadCopy {
    pool: Pool,
    /// The server's address as shown (never its password), for the messages.
    server: String,
    state: Mutex<LinkState>,
}

#[derive(Debug, Clone, Copy)]
struct LinkState {
    away_since: Option<DateTime<Utc>>,
    as_of: Option<DateTime<Utc>>,
    /// Whether the server's version and schema were checked (a desk that started while the
    /// server was away checks them when it first answers).
    checked: bool,
}

impl ReadCopy {
    pub(crate) fn pool(&self) -> &Pool {
        &self.pool
    }

    fn state(&self) -> LinkState {
        *self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn update(&self, change: impl FnOnce(&mut LinkState)) -> LinkState {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        change(&mut state);
        *state
    }

    pub(crate) fn is_away(&self) -> bool {
        self.state().away_since.is_some()
    }

    /// The refusal of a change while the server is away.
    pub(crate) fn read_only(&self) -> CoreError {
        CoreError::ReadOnly { server: self.server.clone() }
    }

    /// The refusal of what needs the server itself (the clinic service's work, such as a host
    /// link) while it is away.
    pub(crate) fn server_away(&self) -> CoreError {
        CoreError::ServerAway {
            server: self.server.clone(),
            problem: "it stopped answering; this desk shows its read copy, and this needs the server and the clinic service".into(),
        }
    }
}

impl From<LinkState> for ServerLink {
    fn from(state: LinkState) -> ServerLink {
        ServerLink { away_since: state.away_since, copy_as_of: state.as_of }
    }
}

/// The tables the copy holds, children after their parents; each with the rows it takes from
/// the server (`{from}`/`{to}`: the window's bounds in Unix seconds).
const TABLES: &[(&str, &str)] = &[
    ("clinic", "TRUE"),
    ("staff", "TRUE"),
    ("appointment_types", "TRUE"),
    ("clinic_hours", "TRUE"),
    ("doctor_weeks", "TRUE"),
    ("doctor_hours", "TRUE"),
    ("hours_exceptions", "TRUE"),
    ("patients", "id IN (SELECT patient_id FROM appointments WHERE start_at < {to} AND end_at > {from})"),
    ("appointments", "start_at < {to} AND end_at > {from}"),
    (
        "appointment_history",
        "appointment_id IN (SELECT id FROM appointments WHERE start_at < {to} AND end_at > {from})",
    ),
    ("meetings", "appointment_id IN (SELECT id FROM appointments WHERE start_at < {to} AND end_at > {from})"),
    ("mails", "appointment_id IN (SELECT id FROM appointments WHERE start_at < {to} AND end_at > {from})"),
    (
        "reminders_shown",
        "appointment_id IN (SELECT id FROM appointments WHERE start_at < {to} AND end_at > {from})",
    ),
];

/// What a doctor's copy blanks in another doctor's visit, and the name its patient gets.
const HIDDEN_APPOINTMENT_COLUMNS: &[&str] = &["topic", "description", "cancel_reason"];
const HIDDEN_PATIENT: &str = "Busy";

impl Store {
    /// Connects a desk to the clinic's server with its read copy beside it: reads go to the
    /// copy whenever the server is away. When the server does not answer now and the desk holds
    /// a copy, the desk starts on the copy (read-only) and joins the server when it answers.
    ///
    /// # Errors
    /// As [`Store::connect`] when the server does not answer and there is no copy yet, or
    /// refuses; the copy's own errors as [`Store::open_with_clock`].
    pub async fn connect_with_copy(
        address: &ServerAddress,
        data_dir: &Path,
        clock: Arc<dyn Clock>,
        at_rest: AtRest,
    ) -> Result<Store> {
        let copy_pool = open_copy(data_dir, at_rest).await?;
        let as_of = copy_taken_at(&copy_pool).await?;
        let (mut store, away_since) = match Store::connect(address, data_dir, clock.clone()).await {
            Ok(store) => (store, None),
            Err(CoreError::ServerAway { .. }) if as_of.is_some() => {
                tracing::warn!(server = %address, "the clinic's server does not answer; starting on this desk's read copy");
                let store = Store {
                    pool: Pool::Postgres(server::lazy_pool(address)),
                    clock: clock.clone(),
                    data_dir: data_dir.to_path_buf(),
                    worker: Arc::new(super::worker_id(data_dir)?),
                    copy: None,
                };
                (store, Some(clock.now()))
            }
            Err(e) => return Err(e),
        };
        store.copy = Some(Arc::new(ReadCopy {
            pool: copy_pool,
            server: address.to_string(),
            state: Mutex::new(LinkState { away_since, as_of, checked: away_since.is_none() }),
        }));
        Ok(store)
    }

    /// Whether the server answers and how old the copy is; `None` for a store with no copy.
    pub fn server_link(&self) -> Option<ServerLink> {
        self.copy.as_ref().map(|copy| copy.state().into())
    }

    /// Asks the server whether it answers (within two seconds), and switches reads to the copy
    /// or back. Returns the new link when it changed; `None` when it did not, or the store has
    /// no copy.
    pub async fn check_server(&self) -> Option<ServerLink> {
        let copy = self.copy.as_ref()?;
        let Pool::Postgres(pool) = &self.pool else { return None };
        let before = copy.state();
        let answers = answers(pool, before.checked).await;
        let now = self.now();
        let after = copy.update(|state| match (answers, state.away_since) {
            (true, Some(_)) => {
                state.away_since = None;
                state.checked = true;
            }
            (false, None) => state.away_since = Some(now),
            _ => {}
        });
        (after.away_since.is_some() != before.away_since.is_some()).then(|| after.into())
    }

    /// Takes a new copy of the days around today from the server (yesterday to the clinic's
    /// `copy_days` after today), as `sight` may see them (the desk's people), replacing the old
    /// one in one transaction.
    ///
    /// # Errors
    /// [`CoreError::ReadOnly`] while the server is away; [`CoreError::Invalid`] for a store with
    /// no copy; storage errors of either side (the old copy is then kept whole).
    pub async fn refresh_copy(&self, sight: Sight) -> Result<CopyWindow> {
        let copy = self.copy.as_ref().ok_or_else(|| CoreError::invalid("this desk keeps no read copy"))?;
        if copy.is_away() {
            return Err(copy.read_only());
        }
        let Pool::Postgres(_) = &self.pool else {
            return Err(CoreError::invalid("a single computer's schedule needs no read copy"));
        };
        let mut from_server = self.pool.read().await?;
        let clinic = super::directory::clinic_in(&mut from_server).await?.ok_or(CoreError::NotInitialized)?;
        let now = self.now();
        let today = time::today_in(clinic.tz, now);
        let days_ahead: i64 = sql::query_scalar("SELECT copy_days FROM clinic WHERE id = 1")
            .fetch_optional(&mut from_server)
            .await?
            .unwrap_or(COPY_DAYS_AHEAD)
            .clamp(1, 60);
        let first_day = today - Duration::days(1);
        let last_day = today + Duration::days(days_ahead);
        let from = time::day_bounds(first_day, clinic.tz).0.timestamp();
        let to = time::day_bounds(last_day, clinic.tz).1.timestamp();
        // Under the minimum-necessary setting a doctor's desk keeps only what the doctor sees.
        let sight = if clinic.own_patients_only { sight } else { Sight::Everything };

        let mut rows = Vec::with_capacity(TABLES.len());
        for (table, filter) in TABLES {
            let columns = copy_columns(copy.pool(), table).await?;
            let filter = filter.replace("{from}", &from.to_string()).replace("{to}", &to.to_string());
            let select = format!("SELECT {} FROM {table} WHERE {filter}", columns.join(", "));
            let sql::Tx::Postgres(tx, _) = &mut from_server else {
                return Err(CoreError::invalid("the clinic's server is not PostgreSQL"));
            };
            let found = sqlx::query(&select).fetch_all(&mut **tx).await?;
            let found = found.iter().map(read_row).collect::<Result<Vec<_>>>()?;
            rows.push((table, columns, found));
        }
        drop(from_server);
        let rows = keep_in_sight(rows, sight);

        let mut tx = copy.pool().write().await?;
        for (table, _) in TABLES.iter().rev() {
            sql::query(&format!("DELETE FROM {table}")).execute(&mut tx).await?;
        }
        let mut appointments = 0;
        for (table, columns, found) in &rows {
            // Many rows to a statement: one statement per row cost most of a refresh.
            let per_statement = (MAX_BOUND_VALUES / columns.len().max(1)).max(1);
            for chunk in found.chunks(per_statement) {
                let mut insert = format!("INSERT INTO {table} ({}) VALUES ", columns.join(", "));
                let mut mark = 0;
                for (i, row) in chunk.iter().enumerate() {
                    insert.push_str(if i == 0 { "(" } else { ", (" });
                    for j in 0..row.len() {
                        mark += 1;
                        insert.push_str(&format!("{}${mark}", if j == 0 { "" } else { ", " }));
                    }
                    insert.push(')');
                }
                let mut statement = sql::query(&insert);
                for value in chunk.iter().flatten() {
                    statement = statement.bind(value.clone());
                }
                statement.execute(&mut tx).await?;
            }
            if **table == "appointments" {
                appointments = found.len() as u64;
            }
        }
        let own = match sight {
            Sight::Everything => None,
            Sight::OwnPatients(doctor) => Some(doctor.0),
        };
        sql::query(
            "INSERT INTO read_copy (id, as_of_ms, first_day, last_day, own_doctor) VALUES (1, $1, $2, $3, $4)
             ON CONFLICT (id) DO UPDATE SET as_of_ms = $1, first_day = $2, last_day = $3, own_doctor = $4",
        )
        .bind(now.timestamp_millis())
        .bind(first_day.to_string())
        .bind(last_day.to_string())
        .bind(own)
        .execute(&mut tx)
        .await?;
        tx.commit().await?;
        copy.update(|state| state.as_of = Some(now));
        Ok(CopyWindow { first_day, last_day, as_of: now, appointments })
    }

    /// How many days after today each desk's read copy holds (ADR 0027).
    ///
    /// # Errors
    /// [`CoreError::Storage`].
    pub async fn copy_days(&self) -> Result<i64> {
        Ok(sql::query_scalar("SELECT copy_days FROM clinic WHERE id = 1")
            .fetch_optional(self.reads())
            .await?
            .unwrap_or(COPY_DAYS_AHEAD))
    }

    /// Sets how many days after today each desk's read copy holds (1 to 60; admins), audited.
    ///
    /// # Errors
    /// [`CoreError::Forbidden`]; [`CoreError::InvalidField`] outside 1..=60.
    pub async fn set_copy_days(&self, actor: &Actor, days: i64) -> Result<()> {
        actor.may(Action::Administer)?;
        if !(1..=60).contains(&days) {
            return Err(CoreError::invalid_field(
                crate::error::Field::COPY_DAYS,
                "choose 1 to 60 days after today",
            ));
        }
        let mut tx = self.write().await?;
        sql::query("UPDATE clinic SET copy_days = $1 WHERE id = 1").bind(days).execute(&mut tx).await?;
        let detail = serde_json::json!({ "copy_days": days });
        let action = super::audit::AuditAction::SettingsChanged;
        super::audit::append(&mut tx, self.now(), actor, action, super::audit::AuditAbout::NOTHING, &detail)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Whose sight the copy was last taken for (`None` before the first copy): a desk that starts
    /// keeps to it until someone signs in.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn copy_sight(&self) -> Result<Option<Sight>> {
        let Some(copy) = &self.copy else { return Ok(None) };
        let row: Option<(Option<i64>,)> = sql::query_as("SELECT own_doctor FROM read_copy WHERE id = 1")
            .fetch_optional(copy.pool())
            .await?;
        Ok(row.map(|(own,)| own.map_or(Sight::Everything, |id| Sight::OwnPatients(StaffId(id)))))
    }
}

/// Opens (creating if needed) the copy's file, with the data folder's key. The copy holds
/// nothing that is not on the server: one that cannot be opened is made anew.
async fn open_copy(data_dir: &Path, at_rest: AtRest) -> Result<Pool> {
    let path = data_dir.join(COPY_FILE);
    let opened = match super::open_file(data_dir, &path, at_rest.clone(), false).await {
        Ok(pool) => Ok(pool),
        Err(e @ (CoreError::Keyring { .. } | CoreError::NewerDatabase { .. })) => Err(e),
        Err(e) => {
            tracing::warn!(error = %e, "this desk's read copy could not be opened; making it anew");
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(data_dir.join(format!("{COPY_FILE}{suffix}")));
            }
            super::open_file(data_dir, &path, at_rest, false).await
        }
    };
    let pool = opened?;
    // The copy is replaced whole at each refresh: the schema's append-only rules are the
    // server's, and hold there. Its own row says when it was taken, which days and for whom.
    for statement in [
        "DROP TRIGGER IF EXISTS appointment_history_is_append_only_delete",
        "DROP TRIGGER IF EXISTS appointments_are_never_deleted",
        "CREATE TABLE IF NOT EXISTS read_copy (
             id         INTEGER PRIMARY KEY CHECK (id = 1),
             as_of_ms   INTEGER NOT NULL,
             first_day  TEXT    NOT NULL,
             last_day   TEXT    NOT NULL,
             own_doctor INTEGER
         )",
    ] {
        sql::query(statement).execute(&pool).await?;
    }
    Ok(pool)
}

/// When the copy in `pool` was taken, if it holds one.
async fn copy_taken_at(pool: &Pool) -> Result<Option<DateTime<Utc>>> {
    let ms: Option<i64> =
        sql::query_scalar("SELECT as_of_ms FROM read_copy WHERE id = 1").fetch_optional(pool).await?;
    Ok(ms.and_then(DateTime::from_timestamp_millis))
}

/// Whether the server answers within [`PING_TIMEOUT`]; a server not yet checked (the desk
/// started without it) is checked first, as a connecting desk checks it.
async fn answers(pool: &PgPool, checked: bool) -> bool {
    let ask = async {
        if !checked {
            return server::prepare(pool).await.is_ok();
        }
        sqlx::query("SELECT 1").execute(pool).await.is_ok()
    };
    let timeout = if checked { PING_TIMEOUT } else { PING_TIMEOUT * 5 };
    tokio::time::timeout(timeout, ask).await.unwrap_or(false)
}

/// The copy's columns of `table`, in order: the server has the same ones (one conformance suite
/// holds both engines' schemas alike).
async fn copy_columns(pool: &Pool, table: &str) -> Result<Vec<String>> {
    Ok(sql::query_scalar::<String>("SELECT name FROM pragma_table_info($1) ORDER BY cid")
        .bind(table)
        .fetch_all(pool)
        .await?)
}

/// One server row as plain values.
fn read_row(row: &PgRow) -> Result<Vec<Arg>> {
    row.columns()
        .iter()
        .map(|column| {
            let i = column.ordinal();
            Ok(match column.type_info().name() {
                "INT8" => Arg::Int(row.try_get::<Option<i64>, _>(i)?),
                "INT4" => Arg::Int(row.try_get::<Option<i32>, _>(i)?.map(i64::from)),
                "INT2" => Arg::Int(row.try_get::<Option<i16>, _>(i)?.map(i64::from)),
                "BOOL" => Arg::Bool(row.try_get::<Option<bool>, _>(i)?),
                "FLOAT8" => Arg::Real(row.try_get::<Option<f64>, _>(i)?),
                "TEXT" | "VARCHAR" | "BPCHAR" | "NAME" => Arg::Text(row.try_get::<Option<String>, _>(i)?),
                other => {
                    return Err(CoreError::invalid(format!(
                        "the read copy cannot hold the server's column {} of type {other}",
                        column.name()
                    )))
                }
            })
        })
        .collect()
}

type TableRows<'a> = (&'a &'static str, Vec<String>, Vec<Vec<Arg>>);

/// Keeps of the server's rows what `sight` may see: another doctor's visit stays as busy time
/// (its topic blanked, its history, meeting and mail left out) and its patient as a name-only
/// placeholder, unless the patient also has a visit with the desk's doctor.
fn keep_in_sight(mut tables: Vec<TableRows<'_>>, sight: Sight) -> Vec<TableRows<'_>> {
    let Sight::OwnPatients(own) = sight else { return tables };
    let column = |tables: &[TableRows<'_>], table: &str, name: &str| {
        tables
            .iter()
            .find(|(t, ..)| **t == table)
            .and_then(|(_, cols, _)| cols.iter().position(|c| c == name))
    };
    let int = |value: &Arg| match value {
        Arg::Int(Some(v)) => Some(*v),
        _ => None,
    };
    let (Some(doctor), Some(patient), Some(id)) = (
        column(&tables, "appointments", "doctor_id"),
        column(&tables, "appointments", "patient_id"),
        column(&tables, "appointments", "id"),
    ) else {
        return tables;
    };
    let cancel_reason = column(&tables, "appointments", "cancel_reason");
    let hidden_columns: Vec<usize> =
        HIDDEN_APPOINTMENT_COLUMNS.iter().filter_map(|c| column(&tables, "appointments", c)).collect();
    let mut seen_patients = std::collections::HashSet::new();
    let mut hidden_visits = std::collections::HashSet::new();
    if let Some((_, _, rows)) = tables.iter_mut().find(|(t, ..)| **t == "appointments") {
        for row in rows.iter_mut() {
            if row.get(doctor).and_then(int) == Some(own.0) {
                seen_patients.extend(row.get(patient).and_then(int));
            } else {
                hidden_visits.extend(row.get(id).and_then(int));
                for &i in &hidden_columns {
                    if let Some(value) = row.get_mut(i) {
                        // A cancelled visit keeps a (blank) reason: the schema ties the two.
                        let kept = matches!(value, Arg::Text(Some(_))) && Some(i) == cancel_reason;
                        *value = Arg::Text(kept.then(String::new));
                    }
                }
            }
        }
    }
    for (table, columns, rows) in &mut tables {
        match **table {
            "patients" => {
                let Some(at) = columns.iter().position(|c| c == "id") else { continue };
                for row in rows.iter_mut() {
                    if row.get(at).and_then(int).is_some_and(|p| seen_patients.contains(&p)) {
                        continue;
                    }
                    for (value, name) in row.iter_mut().zip(columns.iter()) {
                        match name.as_str() {
                            "id" | "created_at" => {}
                            "full_name" => *value = Arg::Text(Some(HIDDEN_PATIENT.to_owned())),
                            _ => *value = Arg::Text(None),
                        }
                    }
                }
            }
            "appointment_history" | "meetings" | "mails" | "reminders_shown" => {
                let Some(at) = columns.iter().position(|c| c == "appointment_id") else { continue };
                rows.retain(|row| !row.get(at).and_then(int).is_some_and(|a| hidden_visits.contains(&a)));
            }
            _ => {}
        }
    }
    tables
}
