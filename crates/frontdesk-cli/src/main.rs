//! `frontdesk-cli`: the command-line twin of the Frontdesk app, over the same core and the same
//! data folder, for clinic IT and scripting. It has no window and no web view.
//!
//! Exit codes: 0 on success, 2 on bad input (one line on stderr), 3 when the clinic's server or
//! service does not answer or is busy (try again later), 1 on any other failure.

mod accounts;
mod error;
mod hours;
mod mail;
mod outbox;
mod output;
mod read_copy;
mod service;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Args, Parser, Subcommand};
use frontdesk_core::paths::{default_data_dir, DATABASE_URL_ENV, DATA_DIR_ENV};
use frontdesk_core::store::{AuditAnchor, AuditFilter, NewPatient, ServerAddress, StaffUpdate};
use frontdesk_core::time::{self, Fold, LocalTime};
use frontdesk_core::{
    Actor, AppointmentId, BookingRequest, CoreError, ErrorKind, Field, PatientId, Reschedule, Role, StaffId,
    Status, Store, SystemClock, TypeId,
};

use accounts::{AccountCommand, ConfigCommand};
use error::CliError;
use hours::{FreeArgs, HoursCommand};
use mail::MailCommand;
use outbox::OutboxCommand;
use output::Output;

/// The `--date` option, named in its errors as typed.
const DATE: Field = Field::new("date", "--date");

#[derive(Parser)]
#[command(name = "frontdesk-cli", version, about = "Frontdesk's schedule from the command line")]
struct Cli {
    /// The data folder (default: the app's own data folder).
    #[arg(long, global = true, env = DATA_DIR_ENV, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// The clinic's server, postgres://USER@HOST:PORT/DATABASE (default: the SQLite file in the
    /// data folder).
    #[arg(long, global = true, env = DATABASE_URL_ENV, hide_env_values = true, value_name = "URL")]
    database: Option<String>,
    /// Print results as JSON.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Set the clinic up in the data folder.
    Init {
        #[arg(long, value_name = "NAME")]
        clinic: String,
        /// The clinic's IANA time zone, e.g. America/Toronto.
        #[arg(long, value_name = "ZONE")]
        tz: String,
    },
    /// Staff: add, edit, unlock, list.
    #[command(subcommand)]
    Staff(StaffCommand),
    /// Patients: add, find.
    #[command(subcommand)]
    Patient(PatientCommand),
    /// Appointment types: add, list.
    #[command(name = "type", subcommand)]
    Type(TypeCommand),
    /// Book an appointment.
    Book {
        #[arg(long, value_name = "ID")]
        patient: i64,
        #[arg(long, value_name = "ID")]
        doctor: i64,
        #[arg(long = "type", value_name = "ID")]
        type_id: i64,
        #[command(flatten)]
        when: When,
        #[arg(long, value_name = "T")]
        topic: Option<String>,
        #[arg(long, value_name = "D")]
        description: Option<String>,
    },
    /// Move an appointment to another time, and to another doctor or type when given.
    Move {
        id: i64,
        #[command(flatten)]
        when: When,
        /// Another doctor (a telehealth visit's meeting moves to their account).
        #[arg(long, value_name = "ID")]
        doctor: Option<i64>,
        /// Another type of visit (its length and mode).
        #[arg(long = "type", value_name = "ID")]
        type_id: Option<i64>,
    },
    /// Undo your last change to an appointment (its booking, a move, a cancellation or a status
    /// change), within two minutes of making it.
    Undo { id: i64 },
    /// Cancel an appointment, with a reason.
    Cancel {
        id: i64,
        #[arg(long, value_name = "TEXT")]
        reason: String,
    },
    /// Change an appointment's status: checked-in, in-progress, completed, no-show, booked (undo check-in).
    Status { id: i64, status: String },
    /// Show one appointment with its history (audited: who looked at which appointment).
    Show { id: i64 },
    /// Working hours: the clinic's opening hours, doctors' weekly hours from a date, days off,
    /// clinic holidays and extra hours (`hours show`; the changes are admins' and audited).
    #[command(subcommand)]
    Hours(HoursCommand),
    /// The first free slots for a type of visit, with one doctor or any: within working hours,
    /// overlapping no active visit, earliest first.
    Free(FreeArgs),
    /// List one day's appointments.
    Day {
        /// The day (default: today in the zone).
        #[arg(long, value_name = "YYYY-MM-DD")]
        date: Option<String>,
        /// The zone whose local day is listed (default: the clinic's).
        #[arg(long, value_name = "ZONE")]
        tz: Option<String>,
        #[arg(long, value_name = "ID")]
        doctor: Option<i64>,
    },
    /// Write a consistent copy of the database to FILE, while the app runs, encrypted with a
    /// passphrase you choose (at least 10 characters; keep it apart from the backup).
    Backup {
        file: PathBuf,
        /// `-`: the passphrase is read from standard input.
        #[arg(long, value_name = "-")]
        passphrase: String,
    },
    /// Restore a backup as this computer's clinic (after a lost keyring, or on a new computer).
    /// A clinic already in the data folder is kept beside it, and only with --replace.
    Restore {
        file: PathBuf,
        /// `-`: the backup's passphrase is read from standard input.
        #[arg(long, value_name = "-")]
        passphrase: String,
        /// Keep the data folder's database aside and restore over it.
        #[arg(long)]
        replace: bool,
    },
    /// Copy this computer's clinic (the data folder's file) into the empty database at URL on
    /// the clinic's server, and check every table and the appointments. The file is not changed.
    MoveToServer {
        #[arg(value_name = "URL")]
        url: String,
    },
    /// Connect a doctor's Zoom or Microsoft Teams account: prints the address to open in a
    /// browser, waits for the sign-in to come back to this computer, prints the account.
    Connect {
        /// zoom or teams.
        provider: String,
        #[arg(long, value_name = "ID")]
        doctor: i64,
        /// Zoom only: act as this Zoom user through the clinic's Server-to-Server app instead.
        #[arg(long = "server-to-server", value_name = "EMAIL")]
        server_to_server: Option<String>,
    },
    /// Disconnect a doctor's account: deletes its tokens here and revokes them at the provider.
    Disconnect {
        /// zoom or teams.
        provider: String,
        #[arg(long, value_name = "ID")]
        doctor: i64,
    },
    /// List each doctor's video-visit connections and their state.
    Accounts {
        /// Also ask each provider now whether the connection works (refreshing tokens if needed).
        #[arg(long)]
        check: bool,
    },
    /// Provider settings: hosts, the clinic's app registrations, redirects.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// The queue of Zoom and Teams meeting jobs: list, run, retry.
    #[command(subcommand)]
    Outbox(OutboxCommand),
    /// Patient e-mail (invitations with an .ics file): list, run, resend; its texts: templates, template.
    #[command(subcommand)]
    Mail(MailCommand),
    /// The clinic service: sends every meeting and patient e-mail of the clinic, as soon as a
    /// desk asks, until stopped (Ctrl+C). Run it on the computer that stays on. On the clinic's
    /// server it also keeps the doctors' video accounts, in this computer's keyring.
    Server {
        /// Keep the clinic's accounts here instead of on the computer that kept them until now
        /// (stop that one first). The doctors then reconnect, and an admin enters the secrets again.
        #[arg(long)]
        take_over: bool,
    },
    /// Take this desk's read copy of the clinic's server (the days from yesterday to two weeks
    /// ahead), which the commands read while the server does not answer. With --every, keep
    /// taking it (and at once on each change another desk makes) until stopped (Ctrl+C).
    ReadCopy {
        /// Take it every SECONDS, and say when the server stops answering and when it is back.
        #[arg(long, value_name = "SECONDS")]
        every: Option<u64>,
    },
    /// Write one day as an iCalendar (.ics) file, for a doctor's own calendar.
    ExportIcs {
        #[arg(long, value_name = "YYYY-MM-DD")]
        date: String,
        #[arg(long, value_name = "ID")]
        doctor: Option<i64>,
        /// Write here instead of standard output.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// The audit log: who did what and when, oldest first. `audit verify` checks its hash chain;
    /// `audit export` writes it to a CSV file.
    Audit {
        #[command(subcommand)]
        check: Option<AuditCommand>,
        /// From this local day on (the clinic's zone).
        #[arg(long, value_name = "YYYY-MM-DD")]
        since: Option<String>,
        /// Up to and including this local day.
        #[arg(long, value_name = "YYYY-MM-DD")]
        until: Option<String>,
        /// What this member of staff did.
        #[arg(long, value_name = "ID")]
        staff: Option<i64>,
        /// What touched this patient.
        #[arg(long, value_name = "ID")]
        patient: Option<i64>,
        /// Only this action (e.g. appointment_booked, staff_changed).
        #[arg(long, value_name = "ACTION")]
        action: Option<String>,
    },
    /// Find meetings at Zoom that carry this clinic's marker but belong to no active appointment.
    Reconcile {
        #[arg(long, value_name = "ID")]
        doctor: Option<i64>,
        /// Delete them at the provider.
        #[arg(long)]
        delete: bool,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Check that no row was changed or removed since it was written (the hash chain), and name
    /// the first one that was. Exits with 1 when the chain is broken. Prints the chain's last row
    /// as an anchor (ID:HASH) to keep apart from this computer.
    Verify {
        /// An anchor from an earlier check (ID:HASH) or an earlier export's file: the chain must
        /// still reach that row unchanged (finds rows removed from the end, or a rewritten chain).
        #[arg(long, value_name = "ID:HASH|FILE")]
        anchor: Option<String>,
    },
    /// Write the log to a new CSV file, one row per entry with its hash (audited).
    Export {
        /// The file to write; it must not exist yet.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// From this local day on (the clinic's zone).
        #[arg(long, value_name = "YYYY-MM-DD")]
        since: Option<String>,
        /// Up to and including this local day.
        #[arg(long, value_name = "YYYY-MM-DD")]
        until: Option<String>,
    },
}

#[derive(Args)]
struct When {
    /// Local start, YYYY-MM-DDTHH:MM.
    #[arg(long, value_name = "YYYY-MM-DDTHH:MM")]
    at: String,
    /// The zone of --at (default: the clinic's).
    #[arg(long, value_name = "ZONE")]
    tz: Option<String>,
    /// For a time that happens twice when the clocks go back: earlier or later.
    #[arg(long, value_name = "earlier|later")]
    fold: Option<String>,
    /// Book even though the doctor is already booked then (recorded in the history).
    #[arg(long)]
    allow_overlap: bool,
    /// Book even though the doctor does not work then: outside their hours or the clinic's,
    /// on a day off or a holiday (recorded in the history, marked on the day sheet).
    #[arg(long)]
    outside_hours: bool,
}

#[derive(Subcommand)]
enum StaffCommand {
    /// Add a member of staff.
    Add {
        #[arg(long)]
        name: String,
        /// receptionist, doctor or admin.
        #[arg(long)]
        role: String,
        /// Sign-in PIN, 6 to 12 digits (stored only as a hash): give `-` and write it on standard
        /// input, so that it stays out of the shell history and the process list.
        #[arg(long, value_name = "-")]
        pin: Option<String>,
    },
    /// Change a member of staff; what is not given stays as it is.
    Edit {
        id: i64,
        #[arg(long)]
        name: Option<String>,
        /// receptionist, doctor or admin.
        #[arg(long)]
        role: Option<String>,
        /// A new sign-in PIN, 6 to 12 digits (stored only as a hash): `-`, read from standard input.
        /// It also unlocks their sign-in, if wrong PINs locked or paused it.
        #[arg(long, value_name = "-")]
        pin: Option<String>,
        /// Let them sign in again.
        #[arg(long, conflicts_with = "deactivate")]
        activate: bool,
        /// Stop them signing in (their history stays).
        #[arg(long)]
        deactivate: bool,
    },
    /// Unlock a member of staff's sign-in after too many wrong PINs (a lock or a pause), and
    /// start their count of wrong PINs again.
    Unlock { id: i64 },
    /// List staff (and whose sign-in is locked or paused).
    List,
}

#[derive(Subcommand)]
enum PatientCommand {
    /// Register a patient.
    Add {
        #[arg(long)]
        name: String,
        #[arg(long, value_name = "E")]
        email: Option<String>,
        #[arg(long, value_name = "P")]
        phone: Option<String>,
        #[arg(long, value_name = "YYYY-MM-DD")]
        dob: Option<String>,
        #[arg(long, value_name = "TEXT")]
        note: Option<String>,
    },
    /// Find patients by name, e-mail, phone or date of birth.
    Find { text: String },
}

#[derive(Subcommand)]
enum TypeCommand {
    /// Add an appointment type.
    Add {
        #[arg(long)]
        name: String,
        #[arg(long, value_name = "N", allow_negative_numbers = true)]
        minutes: i64,
        /// in-person, zoom or teams.
        #[arg(long)]
        mode: String,
    },
    /// Change an appointment type; what is not given stays as it is. Booked visits keep their length.
    Edit {
        id: i64,
        #[arg(long)]
        name: Option<String>,
        #[arg(long, value_name = "N", allow_negative_numbers = true)]
        minutes: Option<i64>,
        /// in-person, zoom or teams.
        #[arg(long)]
        mode: Option<String>,
    },
    /// List appointment types.
    List,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if !e.use_stderr() => {
            // --help and --version.
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            let rendered = e.render().to_string();
            let line = rendered.lines().find(|l| !l.trim().is_empty()).unwrap_or("error: bad arguments");
            eprintln!("{line} (see --help)");
            return ExitCode::from(2);
        }
    };
    // Storage faults are logged by the core with their detail (never patient data); show them
    // above the one-line error so that clinic IT can act on them.
    // A desk reading its read copy says so in its own one line (see `read_copy`), with the
    // copy's age in the clinic's time, instead of the core's log line.
    use tracing_subscriber::filter::{LevelFilter, Targets};
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    tracing_subscriber::registry()
        .with(tracing_subscriber::fmt::layer().with_writer(std::io::stderr).with_ansi(false).without_time())
        .with(
            Targets::new()
                .with_default(LevelFilter::WARN)
                .with_target("frontdesk_core::store::copy", LevelFilter::ERROR),
        )
        .init();
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: could not start: {e}");
            return ExitCode::from(1);
        }
    };
    let out = Output { json: cli.json };
    match runtime.block_on(run(cli, &out)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}{}", e, hint(&e));
            ExitCode::from(exit_code(&e))
        }
    }
}

/// The exit code for an error: 2 when the person can fix what they asked for, 3 when the
/// clinic's server or service does not answer or is busy (a script tries again later), else 1.
fn exit_code(e: &CliError) -> u8 {
    match e.kind() {
        ErrorKind::Unavailable => 3,
        _ if e.is_user_error() => 2,
        _ => 1,
    }
}

/// The command-line flag that answers an error, where there is one.
fn hint(e: &CliError) -> &'static str {
    let Some(e) = e.core() else { return "" };
    match e {
        CoreError::Overlap(_) => " (with --allow-overlap)",
        CoreError::OutsideHours(_) => " (with --outside-hours)",
        CoreError::AmbiguousTime(_) => " (--fold earlier or --fold later)",
        CoreError::NotInitialized => " (frontdesk-cli init --clinic NAME --tz ZONE)",
        _ => "",
    }
}

async fn run(cli: Cli, out: &Output) -> Result<(), CliError> {
    let data_dir = cli.data_dir.or_else(default_data_dir).ok_or_else(|| {
        CoreError::invalid(format!(
            "this system has no data folder; give one with --data-dir or {DATA_DIR_ENV}"
        ))
    })?;
    let clock = Arc::new(SystemClock);
    let server = cli.database.as_deref().map(ServerAddress::parse).transpose()?;
    let at_rest = frontdesk_settings::database_at_rest(Arc::new(frontdesk_settings::OsKeyring));
    if let Command::Init { clinic, tz } = &cli.command {
        let store = match &server {
            Some(server) => Store::connect(server, &data_dir, clock).await?,
            None => Store::open_with_clock(&data_dir, clock, at_rest).await?,
        };
        let result = store.init_clinic(clinic, tz).await;
        store.close().await;
        let place = match &server {
            Some(server) => format!("on the clinic's server {server}"),
            None => format!("data folder {}", data_dir.display()),
        };
        return Ok(out.clinic(&result?, &place)?);
    }
    if let Command::Restore { file, passphrase, replace } = &cli.command {
        if server.is_some() {
            return Err(CoreError::invalid(
                "restore: the clinic's database is on its server; restore it there with pg_restore (see the README)",
            )
            .into());
        }
        let passphrase = from_stdin(passphrase, Field::new("passphrase", "--passphrase"), "passphrase")?;
        let (store, rows) =
            Store::restore(&cli_actor(), &data_dir, file, &passphrase, *replace, clock, at_rest).await?;
        store.close().await;
        return Ok(out.restored(file, rows)?);
    }
    let store = match &server {
        // The clinic service and a move onto the server need the server itself; a desk's other
        // commands read its copy while the server does not answer.
        Some(server) if matches!(cli.command, Command::Server { .. } | Command::MoveToServer { .. }) => {
            Store::connect(server, &data_dir, clock).await?
        }
        Some(server) => {
            let keep_copy = matches!(cli.command, Command::ReadCopy { .. });
            let store = read_copy::connect(server, &data_dir, clock, at_rest, keep_copy).await?;
            if !keep_copy {
                read_copy::say_when_away(&store, server).await;
            }
            store
        }
        None => Store::open_existing(&data_dir, clock, at_rest).await?,
    };
    let account_command = match cli.command {
        Command::Connect { provider, doctor, server_to_server } => {
            Ok(AccountCommand::Connect { provider, doctor, server_to_server_as: server_to_server })
        }
        Command::Disconnect { provider, doctor } => Ok(AccountCommand::Disconnect { provider, doctor }),
        Command::Accounts { check } => Ok(AccountCommand::List { check }),
        Command::Config(c) => Ok(AccountCommand::Config(c)),
        other => Err(other),
    };
    let result = match account_command {
        Ok(command) => match store.require_clinic().await {
            Ok(_) => accounts::run(&store, &cli_actor(), command, out).await,
            Err(e) => Err(e.into()),
        },
        Err(Command::Outbox(command)) => match store.require_clinic().await {
            Ok(_) => outbox::run(&store, &cli_actor(), command, out).await,
            Err(e) => Err(e.into()),
        },
        Err(Command::Mail(command)) => match store.require_clinic().await {
            Ok(_) => mail::run(&store, &cli_actor(), command, out).await,
            Err(e) => Err(e.into()),
        },
        Err(Command::Server { take_over }) => match store.require_clinic().await {
            Ok(_) => service::serve(&store, take_over, out).await,
            Err(e) => Err(e.into()),
        },
        Err(Command::MoveToServer { url }) => accounts::move_to_server(&store, &cli_actor(), &url, out).await,
        Err(Command::ReadCopy { every }) => match &server {
            Some(server) => read_copy::run(&store, server, every, out).await,
            None => Err(CoreError::invalid(
                "read-copy: this computer keeps the clinic in its own file; a read copy is for a desk on the clinic's server (give --database)",
            )
            .into()),
        },
        Err(Command::Reconcile { doctor, delete }) => match store.require_clinic().await {
            Ok(_) => outbox::reconcile_all(&store, &cli_actor(), doctor, delete, out).await,
            Err(e) => Err(e.into()),
        },
        Err(command) => dispatch(&store, command, out).await.map_err(CliError::from),
    };
    store.close().await;
    result
}

async fn dispatch(store: &Store, command: Command, out: &Output) -> Result<(), CoreError> {
    if let Command::Backup { file, passphrase } = &command {
        let passphrase = from_stdin(passphrase, Field::new("passphrase", "--passphrase"), "passphrase")?;
        store.backup(&cli_actor(), file, &passphrase).await?;
        return out.backup(file);
    }
    let clinic = store.require_clinic().await?;
    let actor = cli_actor();
    // A local day of the clinic given as `flag`, as the instants it begins and ends.
    let day = |flag: &'static str, d: Option<String>| -> Result<_, CoreError> {
        let field = Field::new(flag.trim_start_matches('-'), flag);
        d.map(|d| time::parse_date(field, &d).map(|d| time::day_bounds(d, clinic.tz))).transpose()
    };
    let zone_or_clinic = |tz: &Option<String>| tz.as_deref().map(time::parse_zone).unwrap_or(Ok(clinic.tz));
    let local = |when: &When| -> Result<LocalTime, CoreError> {
        Ok(LocalTime {
            at: time::parse_local(Field::new("at", "--at"), &when.at)?,
            tz: zone_or_clinic(&when.tz)?,
            fold: when.fold.as_deref().map(parse_fold).transpose()?,
        })
    };
    match command {
        Command::Init { .. }
        | Command::Backup { .. }
        | Command::Restore { .. }
        | Command::MoveToServer { .. }
        | Command::Connect { .. }
        | Command::Disconnect { .. }
        | Command::Accounts { .. }
        | Command::Config(_)
        | Command::Outbox(_)
        | Command::Mail(_)
        | Command::Server { .. }
        | Command::ReadCopy { .. }
        | Command::Reconcile { .. } => Ok(()),
        Command::Staff(StaffCommand::Add { name, role, pin }) => {
            let pin = pin.map(pin_from_stdin).transpose()?;
            let staff = store.add_staff(&actor, &name, role.parse::<Role>()?, pin.as_deref()).await?;
            out.staff(&[staff], true)
        }
        Command::Staff(StaffCommand::Edit { id, name, role, pin, activate, deactivate }) => {
            let now = store.staff(StaffId(id)).await?;
            let update = StaffUpdate {
                name: name.unwrap_or(now.name),
                role: role.map(|r| r.parse::<Role>()).transpose()?.unwrap_or(now.role),
                active: (now.active || activate) && !deactivate,
                pin: pin.map(pin_from_stdin).transpose()?,
            };
            out.staff(&[store.update_staff(&actor, StaffId(id), &update).await?], true)
        }
        Command::Staff(StaffCommand::Unlock { id }) => {
            out.unlocked(&store.unlock_staff(&actor, StaffId(id)).await?)
        }
        Command::Staff(StaffCommand::List) => {
            let holds = store.sign_in_holds().await?;
            out.staff_list(&store.list_staff().await?, &holds, clinic.tz)
        }
        Command::Patient(PatientCommand::Add { name, email, phone, dob, note }) => {
            let new = NewPatient { full_name: name, email, phone, date_of_birth: dob, note };
            out.patients(&[store.add_patient(&actor, &new).await?], true)
        }
        Command::Patient(PatientCommand::Find { text }) => {
            out.patients(&store.find_patients(&actor, &text).await?, false)
        }
        Command::Type(TypeCommand::Add { name, minutes, mode }) => {
            let t = store.add_type(&actor, &name, minutes, mode.parse()?).await?;
            out.types(&[t], true)
        }
        Command::Type(TypeCommand::Edit { id, name, minutes, mode }) => {
            let now = store.appointment_type(TypeId(id)).await?;
            let name = name.unwrap_or(now.name);
            let mode = mode.map(|m| m.parse()).transpose()?.unwrap_or(now.mode);
            let t =
                store.update_type(&actor, TypeId(id), &name, minutes.unwrap_or(now.minutes), mode).await?;
            out.types(&[t], true)
        }
        Command::Type(TypeCommand::List) => out.types(&store.list_types().await?, false),
        Command::Book { patient, doctor, type_id, when, topic, description } => {
            let req = BookingRequest {
                patient_id: PatientId(patient),
                doctor_id: StaffId(doctor),
                type_id: TypeId(type_id),
                start: local(&when)?,
                allow_overlap: when.allow_overlap,
                allow_outside_hours: when.outside_hours,
                topic,
                description,
            };
            let booked = store.book(&actor, &req).await?;
            out.appointment(store, &booked, "Booked").await
        }
        Command::Move { id, when, doctor, type_id } => {
            let change = Reschedule {
                to: local(&when)?,
                doctor_id: doctor.map(StaffId),
                type_id: type_id.map(TypeId),
                allow_overlap: when.allow_overlap,
                allow_outside_hours: when.outside_hours,
            };
            let moved = store.reschedule(&actor, AppointmentId(id), &change).await?;
            out.appointment(store, &moved, "Moved").await
        }
        Command::Undo { id } => {
            let undone = store.undo(&actor, AppointmentId(id)).await?;
            out.appointment(store, &undone, "Undone").await
        }
        Command::Cancel { id, reason } => {
            let cancelled = store.cancel(&actor, AppointmentId(id), &reason).await?;
            out.appointment(store, &cancelled, "Cancelled").await
        }
        Command::Status { id, status } => {
            let next: Status = status.parse()?;
            let changed = store.set_status(&actor, AppointmentId(id), next).await?;
            out.appointment(store, &changed, "Updated").await
        }
        Command::Hours(command) => hours::run(store, &actor, &clinic, command, out).await,
        Command::Free(args) => hours::free(store, &clinic, args, out).await,
        Command::Show { id } => {
            let detail = store.view_appointment(&actor, AppointmentId(id)).await?;
            out.detail(store, &detail, store.mail_status(AppointmentId(id)).await?.as_ref()).await
        }
        Command::ExportIcs { date, doctor, out: file } => {
            let date = time::parse_date(DATE, &date)?;
            let ics = store.day_calendar(&actor, &clinic, date, doctor.map(StaffId)).await?;
            match file {
                Some(path) => std::fs::write(&path, ics).map_err(|e| CoreError::Io {
                    context: format!("could not write {}", path.display()),
                    source: e,
                }),
                None => output::emit(format_args!("{}", ics.trim_end())),
            }
        }
        Command::Audit { check: Some(AuditCommand::Verify { anchor }), .. } => {
            let anchor = match anchor {
                None => None,
                Some(text) => match AuditAnchor::parse(&text) {
                    Some(anchor) => Some(anchor),
                    None => Some(AuditAnchor::from_export(std::path::Path::new(&text))?),
                },
            };
            let check = store.verify_audit(anchor.as_ref()).await?;
            out.audit_check(&check, anchor.as_ref())?;
            if check.broken.is_some() {
                // Said on standard output; the exit code tells a script.
                store.close().await;
                std::process::exit(1);
            }
            Ok(())
        }
        Command::Audit { check: Some(AuditCommand::Export { out: file, since, until }), .. } => {
            let filter = AuditFilter {
                since: day("--since", since)?.map(|b| b.0),
                until: day("--until", until)?.map(|b| b.1),
                ..AuditFilter::default()
            };
            let rows = store.export_audit(&actor, &filter, &file).await?;
            out.audit_exported(&file, rows)
        }
        Command::Audit { check: None, since, until, staff, patient, action } => {
            let filter = AuditFilter {
                staff: staff.map(StaffId),
                patient: patient.map(PatientId),
                since: day("--since", since)?.map(|b| b.0),
                until: day("--until", until)?.map(|b| b.1),
                action: action.map(|a| a.parse()).transpose()?,
                with_names: false,
            };
            out.audit(&store.audit_log(&filter).await?)
        }
        Command::Day { date, tz, doctor } => {
            let tz = zone_or_clinic(&tz)?;
            let date = match date {
                Some(d) => time::parse_date(DATE, &d)?,
                None => time::today_in(tz, chrono::Utc::now()),
            };
            let doctor = doctor.map(StaffId);
            if let Some(d) = doctor {
                store.staff(d).await?;
            }
            out.day(&store.day_sheet(&actor, &clinic, date, 1, tz, doctor).await?)
        }
    }
}

fn parse_fold(text: &str) -> Result<Fold, CoreError> {
    match text.trim() {
        "earlier" => Ok(Fold::Earlier),
        "later" => Ok(Fold::Later),
        other => Err(CoreError::invalid(format!("--fold: \"{other}\" is not earlier or later"))),
    }
}

/// The command line acts as the operating-system user who runs it.
/// A PIN given as `--pin -`: read from standard input. A PIN typed on the command line is
/// refused, since the shell history and the process list would keep it.
fn pin_from_stdin(given: String) -> Result<String, CoreError> {
    from_stdin(&given, Field::new("pin", "--pin"), "PIN")
}

/// A secret the user writes on standard input: `given` must be `-`, so that the secret stays
/// out of the shell history and the process list.
fn from_stdin(given: &str, field: Field, what: &str) -> Result<String, CoreError> {
    if given != "-" {
        return Err(CoreError::invalid_field(
            field,
            format!("give - and write the {what} on standard input, so that it stays out of the shell history and the process list"),
        ));
    }
    accounts::read_stdin().map_err(|e| match e {
        CliError::Core(core) => core,
        other => CoreError::invalid(other.to_string()),
    })
}

fn cli_actor() -> Actor {
    Actor::Tool { tool: "cli", user: os_user() }
}

fn os_user() -> String {
    std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .ok()
        .filter(|u| !u.is_empty() && u.chars().all(|c| !c.is_control()))
        .unwrap_or_else(|| "unknown".to_owned())
}
