//! The store: the clinic's schedule, people, meetings, mail and audit, on one of two engines
//! (see [`sql`]): a SQLite file in the data folder (one computer, the default) or a PostgreSQL
//! server (every computer of the clinic). Both are migrated at open, by each engine's own
//! numbered migrations, and written only in single transactions that hold the clinic's write
//! lock, so two desks racing for the same slot are serialised and the second one sees the first
//! one's booking when it checks for overlaps. The store never holds patient data in a log line.
//!
//! Its methods, by what their callers need:
//!
//! | group | methods | called by |
//! |---|---|---|
//! | use cases: check the [`crate::Actor`] ([`crate::access`]), validate, write the change, its history, its audit row and its jobs in one transaction | `book`, `move_appointment`, `cancel`, `set_status`, `add_patient`, `update_patient`, `add_staff`, `update_staff`, `unlock_staff`, `set_own_pin`, `add_type`, `update_type`, `update_clinic`, `set_reminder_minutes`, `set_mail_template`, `reset_mail_template`, `set_provider_setting`, `set_clinic_hours`, `clear_clinic_hours`, `set_doctor_hours`, `remove_doctor_hours`, `add_hours_exception`, `remove_hours_exception`, `retry_meeting`, `retry_job`, `resend_mail`, `join_link`, `day_calendar`, `day_sheet_printed`, `backup`, `export_audit`, `audit` | the app's commands, the command line, the account and meeting use cases |
//! | audited reads of one patient's data: check the actor, read, and record the view (once per person and record in five minutes) in one transaction | `view_patient`, `view_patient_visits`, `view_appointment` | the app's commands, the command line |
//! | first start and sign-in | `init_clinic`, `first_run`, `sign_in` | the first-start and sign-in screens, `init` |
//! | reads for screens and listings | `clinic`, `require_clinic`, `staff`, `list_staff`, `list_all_staff`, `sign_in_holds`, `patient`†, `find_patients`, `find` (patients with their next and last visit), `patient_names`, `list_types`, `appointment_type`, `appointment`†, `day`, `days`, `day_sheet`, `hours`, `working_time`, `free_slots`, `mail_status`, `mail_jobs`, `outbox_jobs`, `connections`, `connection`, `audit_log`, `mail_templates`, `preview_mail`, `reminder_minutes` | commands, CLI (†: unaudited, for workers and names beside a listing; a person opening a record goes through `view_patient` / `view_appointment`) |
//! | a background channel's queue: next job, when due, attempt, write-back | `next_due`, `mark_attempt`; `next_meeting_work`, `record_create_attempt`, `take_meeting_call`, `return_meeting_call`, `use_up_meeting_calls`, `record_outcome`, `meeting_ref`, `owned_meeting_ids`; `next_mail_work`, `record_mail`, `mail_texts`; `due_reminders`, `take_reminder` | the job runner's channels, the reminder loop |
//! | account state, written by the account flows | `clinic_uid`, `provider_setting`, `require_doctor`, `record_connected`, `record_disconnected` | accounts |
//! | the database | `open`, `open_existing`, `open_with_clock`, `connect`, `engine`, `data_dir`, `schema_version`, `close`, `changes` (other desks' changes, on a server), `move_to_server` (admins) | start-up, benchmarks, `move-to-server` |

mod accounts;
mod at_rest;
mod audit;
mod auth;
mod copy;
mod custody;
mod directory;
mod find;
mod hours;
mod jobs;
mod live;
mod mail;
mod mail_templates;
mod moving;
mod outbox;
mod reminders;
mod schedule;
mod server;
pub mod sql;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnection, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

pub use accounts::{Connection, ConnectionKind, ConnectionState};
pub use at_rest::{
    check_passphrase, file_options, AtRest, DatabaseKey, KeyStore, MemoryKeys, MIN_PASSPHRASE,
};
pub use audit::{
    AuditAbout, AuditAction, AuditAnchor, AuditBreak, AuditCheck, AuditEntry, AuditFilter, EXPORT_HEADER,
    VIEW_WINDOW_MINUTES,
};
pub use auth::{
    EarlyPinCheck, Pause, PinPenalty, SecurityEvent, SecurityNotice, SignInHold, SignedIn, MAX_PIN_FAILURES,
    PIN_PAUSE_MINUTES,
};
pub use copy::{CopyWindow, ServerLink, COPY_DAYS_AHEAD, COPY_FILE};
pub use custody::{
    ClinicService, RequestEvent, RequestEvents, ServerLock, ServiceAnswer, ServiceRequest,
    REQUEST_LIFETIME_MS, SERVICE_AWAY_AFTER_MS, SERVICE_HEARTBEAT,
};
pub use directory::{ClinicSettings, NewPatient, StaffUpdate};
pub use find::{Found, FoundPatient, PatientVisits, Visit, FIND_LIMIT, VISITS_LIMIT};
pub use hours::{ClinicTime, DayOff, DoctorTime, FreeSlotQuery, NewException, TimeSpan, WorkingTime, LABEL};
pub use jobs::{JobVisit, Queue, JOB_LEASE_MS};
pub use live::{Change, Changes};
pub use mail::{MailOutcome, MailStatus, MailWork};
pub use mail_templates::{MailTemplate, TextDraft};
pub use moving::Moved;
pub use outbox::{MeetingWork, OutboxJob, Outcome, ZOOM_DAILY_MEETING_CALLS};
pub use reminders::{Reminder, ReminderKind, REMINDER_WINDOW};
pub use schedule::{BookingRequest, Reschedule, DAY_QUERY, DAY_QUERY_POSTGRES, UNDO_SECONDS};
pub use server::ServerAddress;
pub use sql::Engine;

use crate::clock::{Clock, SystemClock};
use crate::error::{CoreError, Result};
use crate::paths::DATABASE_FILE;
use sql::{Pool, Tx};

static SQLITE_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

/// How much of the database file each connection maps into memory (virtual address space only).
const MMAP_BYTES: u64 = 1 << 30;
/// Each connection's page cache, in KiB.
const CACHE_KIB: u64 = 16 * 1024;
/// What SQLite may hold in memory in all, every connection's page cache together, in bytes: past
/// it, the least recently used pages are given back. Each connection keeps its own copy of the
/// pages it read, so without it a search through every patient on each of the pool's four
/// connections held four copies of the table (`scripts/bench`, the window's hour of use).
const SOFT_HEAP_LIMIT: u64 = 16 << 20;

/// How long a writer waits for another desk's transaction before giving up with [`CoreError::Busy`].
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// A handle on the clinic's database. Cheap to clone; clones share one connection pool.
#[derive(Clone)]
pub struct Store {
    pool: Pool,
    clock: Arc<dyn Clock>,
    /// This computer's data folder (its settings, locks and, on one computer, the database file).
    data_dir: PathBuf,
    /// Who this computer's workers are, in the jobs they take (see `jobs::next_work`).
    worker: Arc<String>,
    /// On a desk of the clinic's server: its read copy, which answers reads while the server is
    /// away (see [`copy`]). `None` on a single computer and for the clinic service.
    copy: Option<Arc<copy::ReadCopy>>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("engine", &self.engine())
            .field("data_dir", &self.data_dir)
            .finish_non_exhaustive()
    }
}

impl Store {
    /// Opens (creating if needed) the database in `data_dir` with the system clock.
    ///
    /// # Errors
    /// See [`Store::open_with_clock`].
    pub async fn open(data_dir: &Path, at_rest: AtRest) -> Result<Store> {
        Store::open_with_clock(data_dir, Arc::new(SystemClock), at_rest).await
    }

    /// Opens the database in `data_dir` only if it already exists: commands that read or change a
    /// clinic must not leave an empty database behind in a mistyped folder.
    ///
    /// # Errors
    /// [`CoreError::NotInitialized`] when there is no database there; otherwise as
    /// [`Store::open_with_clock`].
    pub async fn open_existing(data_dir: &Path, clock: Arc<dyn Clock>, at_rest: AtRest) -> Result<Store> {
        if !data_dir.join(DATABASE_FILE).is_file() {
            return Err(CoreError::NotInitialized);
        }
        Store::open_with_clock(data_dir, clock, at_rest).await
    }

    /// Opens (creating if needed) the SQLite database in `data_dir`, migrating it to this
    /// version's schema. With [`AtRest::Encrypted`] (the app and the command line) the file is
    /// encrypted with the data folder's key from the keyring, made for a new database; a clear
    /// database from an earlier Frontdesk is converted first (see [`at_rest`]).
    ///
    /// # Errors
    /// - [`CoreError::KeyLost`] when the database is encrypted and the keyring has no key for it;
    ///   [`CoreError::Keyring`] when the keyring cannot be used.
    /// - [`CoreError::DataDir`] when the folder cannot be created or written, or its database file
    ///   is not a Frontdesk database.
    /// - [`CoreError::NewerDatabase`] when the database comes from a newer Frontdesk; it is left untouched.
    /// - [`CoreError::Storage`] for other storage failures.
    pub async fn open_with_clock(data_dir: &Path, clock: Arc<dyn Clock>, at_rest: AtRest) -> Result<Store> {
        let pool = open_file(data_dir, &data_dir.join(DATABASE_FILE), at_rest, true).await?;
        Ok(Store {
            pool,
            clock,
            data_dir: data_dir.to_path_buf(),
            worker: Arc::new("this-computer".into()),
            copy: None,
        })
    }

    /// Connects to the clinic's PostgreSQL server, migrating its database to this version's
    /// schema. `data_dir` is still this computer's own folder (its locks and settings).
    ///
    /// # Errors
    /// [`CoreError::ServerRefused`] and [`CoreError::ServerAway`] say why the server cannot be
    /// used; [`CoreError::NewerDatabase`] when its database comes from a newer Frontdesk.
    pub async fn connect(server: &ServerAddress, data_dir: &Path, clock: Arc<dyn Clock>) -> Result<Store> {
        prepare_data_dir(data_dir)?;
        let worker = Arc::new(worker_id(data_dir)?);
        let pool = server::connect(server).await?;
        Ok(Store { pool: Pool::Postgres(pool), clock, data_dir: data_dir.to_path_buf(), worker, copy: None })
    }

    /// Which engine the store runs on (the clinic's server's, even while a desk reads its copy).
    pub fn engine(&self) -> Engine {
        self.pool.engine()
    }

    /// Where reads go: the clinic's server, or the desk's read copy while the server is away.
    fn reads(&self) -> &Pool {
        match &self.copy {
            Some(copy) if copy.is_away() => copy.pool(),
            _ => &self.pool,
        }
    }

    /// The engine reads go to (see [`Store::reads`]), for the SQL that differs.
    fn read_engine(&self) -> Engine {
        self.reads().engine()
    }

    /// This computer's data folder.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// The schema version this build writes on `engine`.
    pub fn schema_version(engine: Engine) -> i64 {
        let migrator = match engine {
            Engine::Sqlite => &SQLITE_MIGRATOR,
            Engine::Postgres => &server::MIGRATOR,
        };
        migrator.iter().map(|m| m.version).max().unwrap_or(0)
    }

    /// Closes every connection (checkpointing SQLite's WAL), the read copy's too.
    pub async fn close(&self) {
        self.pool.close().await;
        if let Some(copy) = &self.copy {
            copy.pool().close().await;
        }
    }

    /// Writes a consistent copy of the whole database to `dest`, encrypted with `passphrase`
    /// (which the admin chooses and keeps apart from the backup), while the app keeps running.
    ///
    /// The copy is made by SQLCipher's export inside one read transaction, so it is a single
    /// point in time even while other desks write; it is written beside `dest` and renamed into
    /// place, so a crash never leaves a half-written file under the chosen name. It opens with
    /// the passphrase alone, on any computer: [`Store::restore`]. A clinic on a server backs its
    /// database up with PostgreSQL's own tools (`pg_dump`), which the message says.
    ///
    /// Only those who administer the clinic make one, and each is audited: it holds every
    /// patient's record.
    ///
    /// # Errors
    /// [`CoreError::Forbidden`]; [`CoreError::Invalid`] for a short passphrase, when `dest`
    /// already exists or its folder does not, or on a server; [`CoreError::Io`] or
    /// [`CoreError::Storage`] when writing fails.
    pub async fn backup(&self, actor: &crate::Actor, dest: &Path, passphrase: &str) -> Result<()> {
        actor.may(crate::access::Action::Administer)?;
        let Pool::Sqlite(pool) = &self.pool else {
            return Err(CoreError::invalid(
                "backup: the clinic's database is on its server; back it up there with pg_dump (see the README)",
            ));
        };
        at_rest::check_passphrase(passphrase)?;
        let partial = partial_beside(dest, "backup")?;
        let mut conn = pool.acquire().await?;
        let exported = at_rest::export_with_passphrase(&mut conn, &partial, passphrase).await;
        drop(conn);
        if let Err(e) = exported {
            let _ = std::fs::remove_file(&partial);
            return Err(e);
        }
        put_in_place(&partial, dest, "backup")?;
        self.audit(actor, audit::AuditAction::BackupMade, audit::AuditAbout::NOTHING, serde_json::json!({}))
            .await
    }

    /// Restores a backup made by [`Store::backup`] as the data folder's database, encrypted with
    /// the folder's key (a new one when the keyring lost the old), and opens it. A database
    /// already in the folder is kept beside it (`frontdesk.db.before-restore-<time>`), and only
    /// when `replace` says so. The restore is audited in the restored database.
    ///
    /// # Errors
    /// [`CoreError::Invalid`] when the file is missing, the passphrase does not open it, or the
    /// folder holds a database and `replace` is false; [`CoreError::NewerDatabase`] for a backup
    /// from a newer Frontdesk; as [`Store::open_with_clock`] otherwise.
    pub async fn restore(
        actor: &crate::Actor,
        data_dir: &Path,
        backup: &Path,
        passphrase: &str,
        replace: bool,
        clock: Arc<dyn Clock>,
        at_rest: AtRest,
    ) -> Result<(Store, u64)> {
        actor.may(crate::access::Action::Administer)?;
        prepare_data_dir(data_dir)?;
        let path = data_dir.join(DATABASE_FILE);
        let now = clock.now().timestamp();
        let rows = at_rest::restore(data_dir, &path, backup, passphrase, replace, &at_rest, now).await?;
        let store = Store::open_with_clock(data_dir, clock, at_rest).await?;
        let detail = serde_json::json!({ "rows": rows });
        store.audit(actor, audit::AuditAction::BackupRestored, audit::AuditAbout::NOTHING, detail).await?;
        Ok((store, rows))
    }

    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }

    /// Starts a write transaction holding the clinic's write lock from its first statement.
    ///
    /// # Errors
    /// [`CoreError::ReadOnly`] while a desk's server is away: changes wait for it.
    async fn write(&self) -> Result<Tx> {
        if let Some(copy) = self.copy.as_ref().filter(|c| c.is_away()) {
            return Err(copy.read_only());
        }
        Ok(self.pool.write().await?)
    }

    /// Starts a write transaction for what a desk records of its own use while it reads its
    /// copy (a sign-in, an audited view, a reminder shown): on the copy while the server is
    /// away, on the server otherwise.
    async fn write_here(&self) -> Result<Tx> {
        match self.copy.as_ref().filter(|c| c.is_away()) {
            Some(copy) => Ok(copy.pool().write().await?),
            None => Ok(self.pool.write().await?),
        }
    }
}

/// Opens (creating if needed) the SQLite database at `path` in `data_dir` and migrates it (see
/// [`Store::open_with_clock`]); a desk's read copy is opened the same way, without foreign keys.
async fn open_file(data_dir: &Path, path: &Path, at_rest: AtRest, foreign_keys: bool) -> Result<Pool> {
    prepare_data_dir(data_dir)?;
    let dir_error = |reason: String| CoreError::DataDir { path: data_dir.display().to_string(), reason };
    let known = Store::schema_version(Engine::Sqlite);
    let key = at_rest::prepare(data_dir, path, &at_rest).await?;
    // Look at the schema through a read-only connection first: a database from a newer
    // Frontdesk must not be touched, not even by a WAL checkpoint.
    let found = schema_version_of(path, key.as_ref()).await.map_err(|e| match &e {
        sqlx::Error::Database(db) if db.code().as_deref() == Some("26") => match key {
            Some(_) => CoreError::KeyLost { path: data_dir.display().to_string() },
            None => dir_error(format!("{} is not a Frontdesk database", path.display())),
        },
        _ => CoreError::from(e),
    })?;
    if let Some(found) = found.filter(|v| *v > known) {
        return Err(CoreError::NewerDatabase { found, known });
    }
    let options = at_rest::options(path, key.as_ref())
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(foreign_keys)
        // Read pages through a memory map and keep more of them per connection: the day
        // view touches a few hundred rows spread over the file, and copying each page in
        // with a read() call cost more than the query itself (see docs/adr/0003).
        .pragma("mmap_size", MMAP_BYTES.to_string())
        .pragma("cache_size", format!("-{CACHE_KIB}"))
        .pragma("soft_heap_limit", SOFT_HEAP_LIMIT.to_string());
    let pool = SqlitePoolOptions::new().max_connections(4).min_connections(1).connect_with(options).await?;
    SQLITE_MIGRATOR.run(&pool).await.map_err(|e| match e {
        sqlx::migrate::MigrateError::Execute(inner) => CoreError::from(inner),
        other => dir_error(format!("its database could not be brought up to date ({other})")),
    })?;
    Ok(Pool::Sqlite(pool))
}

/// This computer's worker id on the clinic's server: random, made once and kept in the data
/// folder, so that a service that starts again takes back the jobs it held.
fn worker_id(data_dir: &Path) -> Result<String> {
    let path = data_dir.join("worker-id");
    if let Ok(id) = std::fs::read_to_string(&path) {
        if !id.trim().is_empty() {
            return Ok(id.trim().to_owned());
        }
    }
    let id = password_hash::SaltString::generate(&mut password_hash::rand_core::OsRng).as_str().to_owned();
    std::fs::write(&path, &id)
        .map_err(|source| CoreError::Io { context: format!("could not write {}", path.display()), source })?;
    Ok(id)
}

/// Where a file Frontdesk writes for someone (a backup, an export) is made before it is renamed
/// to `dest` (`.<name>.partial` beside it), so that a crash never leaves a half-written file
/// under the chosen name; after checking that `dest` is new and its folder exists. `what` names
/// the command in the errors.
///
/// # Errors
/// [`CoreError::Invalid`] when `dest` exists, names a folder, or its folder does not exist.
fn partial_beside(dest: &Path, what: &str) -> Result<PathBuf> {
    if dest.exists() {
        return Err(CoreError::invalid(format!(
            "{what}: {} already exists; choose a new file name",
            dest.display()
        )));
    }
    let parent = dest.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    if !parent.is_dir() {
        return Err(CoreError::invalid(format!("{what}: the folder {} does not exist", parent.display())));
    }
    let file_name = dest
        .file_name()
        .ok_or_else(|| CoreError::invalid(format!("{what}: give a file name, not a folder")))?;
    let partial = parent.join(format!(".{}.partial", file_name.to_string_lossy()));
    let _ = std::fs::remove_file(&partial);
    Ok(partial)
}

/// Puts the finished file `partial` (see [`partial_beside`]) on disk for good and names it `dest`.
///
/// # Errors
/// [`CoreError::Io`].
fn put_in_place(partial: &Path, dest: &Path, what: &str) -> Result<()> {
    let io = |context: &str| {
        let context = format!("{what}: {context} {}", dest.display());
        move |source| CoreError::Io { context, source }
    };
    sync_file(partial).map_err(io("could not write"))?;
    std::fs::rename(partial, dest).map_err(io("could not create"))
}

/// Flushes to the disk a file that SQLite wrote through a handle of its own. Windows flushes
/// only through a handle with write access (`FlushFileBuffers`; a read-only one is refused with
/// "Access denied"), so this opens one everywhere.
///
/// # Errors
/// The file cannot be opened for writing, or the flush fails.
pub(crate) fn sync_file(path: &Path) -> std::io::Result<()> {
    std::fs::OpenOptions::new().write(true).open(path).and_then(|f| f.sync_all())
}

/// Creates this computer's data folder if needed, and checks that it can be written.
fn prepare_data_dir(data_dir: &Path) -> Result<()> {
    let dir_error = |reason: String| CoreError::DataDir { path: data_dir.display().to_string(), reason };
    std::fs::create_dir_all(data_dir).map_err(|e| dir_error(e.to_string()))?;
    check_writable(data_dir).map_err(|e| dir_error(format!("it is not writable ({e})")))
}

/// The newest migration applied to the database file at `path`, read through a read-only
/// connection; `None` for a database that has none yet.
async fn schema_version_of(path: &Path, key: Option<&DatabaseKey>) -> Result<Option<i64>, sqlx::Error> {
    use sqlx::{ConnectOptions, Connection};
    let mut conn = at_rest::options(path, key).read_only(true).connect().await?;
    let version = schema_version_in(&mut conn).await?;
    conn.close().await?;
    Ok(version)
}

/// The newest migration applied to the database open on `conn`; `None` when it has none.
async fn schema_version_in(conn: &mut SqliteConnection) -> Result<Option<i64>, sqlx::Error> {
    let has_table: Option<i64> =
        sqlx::query_scalar("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'")
            .fetch_optional(&mut *conn)
            .await?;
    Ok(match has_table {
        None => None,
        Some(_) => {
            sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations WHERE success")
                .fetch_one(&mut *conn)
                .await?
        }
    })
}

fn check_writable(dir: &Path) -> std::io::Result<()> {
    let probe = dir.join(format!(".frontdesk-write-check-{}", std::process::id()));
    std::fs::write(&probe, b"")?;
    std::fs::remove_file(&probe)
}

/// Test hook: in debug builds, `FRONTDESK_CRASH_AT=<point>` aborts the process at that point,
/// inside the open transaction, so that tests can show a crash leaves the database as it was.
/// Release builds compile this to nothing.
pub fn crash_point(point: &str) {
    if cfg!(debug_assertions) && std::env::var("FRONTDESK_CRASH_AT").is_ok_and(|p| p == point) {
        std::process::abort();
    }
}

/// A stored instant (Unix seconds) as UTC.
fn instant(secs: i64) -> Result<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::from_timestamp(secs, 0)
        .ok_or_else(|| CoreError::invalid(format!("stored instant {secs} is out of range")))
}

/// Whether a database error is a violation of the named constraint (e.g. `appointment_types.name`).
fn violates(err: &sqlx::Error, needle: &str) -> bool {
    matches!(err, sqlx::Error::Database(db) if db.message().contains(needle))
}
