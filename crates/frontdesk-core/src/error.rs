//! The core's one error type.
//!
//! Every failure of the core is a [`CoreError`]. Its `Display` text is written for the person at
//! the desk: it says what went wrong and what to do, and never carries SQL, file contents, secrets
//! or patient details. [`CoreError::kind`] is the closed set that callers (the app shell, the
//! command-line twin) branch on.

use serde::Serialize;

/// The closed set of error kinds that callers branch on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// The input is malformed or out of range; fix the input and try again.
    Validation,
    /// A referenced record (patient, doctor, appointment...) does not exist.
    NotFound,
    /// The change collides with the schedule (double booking, disallowed status change).
    Conflict,
    /// The time is outside the doctor's working hours (or the clinic's, or on a day off); staff
    /// may confirm it, as they may a double booking.
    OutsideHours,
    /// The data folder cannot be used (not writable, newer database, not set up yet).
    Setup,
    /// Nobody is signed in, or the PIN was wrong.
    Unauthenticated,
    /// The signed-in person's role does not allow this.
    Forbidden,
    /// The database is busy or unavailable right now; retrying later may work.
    Unavailable,
    /// A fault in Frontdesk itself or the machine; details are in the log.
    Internal,
}

/// Everything that can go wrong in the core.
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    /// Malformed or out-of-range input. The message names the field and the rule.
    #[error("{0}")]
    Invalid(String),

    /// Malformed input in one named field: `field` says which (as data, so that a form can put
    /// `message` beside it without reading the text), and `message` is written to be read there.
    /// The text shown on a command line starts with the field's label: `e-mail: ...`.
    #[error("{}: {message}", field.label())]
    InvalidField { field: Field, message: String },

    /// A local time that does not exist in its zone (the spring-forward gap).
    #[error("{0}")]
    NonexistentTime(String),

    /// A local time that happens twice in its zone (the fall-back overlap) with no choice given.
    #[error("{0}")]
    AmbiguousTime(String),

    /// A referenced record does not exist.
    #[error("{what} {id} does not exist")]
    NotFound { what: &'static str, id: i64 },

    /// The doctor already has an active appointment at that time.
    #[error("{0}")]
    Overlap(String),

    /// The visit falls outside the doctor's working hours, the clinic's opening hours, or on a
    /// day off or a holiday; the message says which, and that staff may confirm it.
    #[error("{0}")]
    OutsideHours(String),

    /// A status change that the appointment's lifecycle does not allow.
    #[error("{0}")]
    Transition(String),

    /// The clinic has not been set up in this data folder.
    #[error("no clinic is set up in this data folder yet; set it up first")]
    NotInitialized,

    /// A wrong PIN: the tries left in this round, and what comes after the last of them (a
    /// pause, or a lock that only an admin lifts). With no try left, it has just come.
    #[error("wrong PIN; {}", wrong_pin_next(*attempts_left, *then))]
    WrongPin { attempts_left: i64, then: crate::store::PinPenalty },

    /// Too many wrong PINs: sign-in for this person is paused until `until` (clinic time).
    #[error("too many wrong PINs; sign-in is paused until {until}")]
    PinPaused { until: String },

    /// Too many wrong PINs, three rounds in a row: sign-in for this person is locked until an
    /// admin unlocks it.
    #[error("sign-in for {name} is locked after too many wrong PINs; an admin can unlock it in Staff")]
    PinLocked { name: String },

    /// The person has no PIN yet.
    #[error("no PIN is set for this person; ask an admin to set one")]
    NoPin,

    /// The change would leave the clinic without an active admin.
    #[error("the clinic must keep at least one active admin")]
    LastAdmin,

    /// The clinic is already set up; setting it up again would lose its settings.
    #[error("this data folder already holds the clinic \"{0}\"")]
    AlreadyInitialized(String),

    /// The database was written by a newer Frontdesk than this one.
    #[error("the database in this data folder comes from a newer version of Frontdesk (schema {found}, this version knows up to {known}); update Frontdesk to open it")]
    NewerDatabase { found: i64, known: i64 },

    /// The clinic's database server refused this computer, or cannot be used by this version
    /// (wrong password, no such database, a TLS failure, too old a PostgreSQL). The message says
    /// which, and never carries the password.
    #[error("the clinic's server at {server} {problem}")]
    ServerRefused { server: String, problem: String },

    /// The clinic's database server does not answer.
    #[error("the clinic's server at {server} cannot be reached ({problem}); check that it is on and that this computer is on the clinic's network")]
    ServerAway { server: String, problem: String },

    /// A desk's server does not answer, so the desk shows its read copy and changes wait.
    #[error("the clinic's server at {server} does not answer, so this desk shows the schedule as it last read it and cannot change it; try again when the server is back")]
    ReadOnly { server: String },

    /// The data folder cannot be created, written, or holds something that is not a Frontdesk database.
    #[error("cannot use the data folder {path}: {reason}")]
    DataDir { path: String, reason: String },

    /// The database is encrypted and this computer's keyring holds no key that opens it.
    #[error(
        "the clinic's database in {path} is encrypted, and this computer's keyring no longer holds a key \
         that opens it (was the keyring reset, or is the file damaged?); restore the latest backup \
         with `frontdesk-cli restore BACKUP-FILE --passphrase -` (see the README)"
    )]
    KeyLost { path: String },

    /// The keyring that keeps the database's key cannot be used.
    /// `reason` is the keyring's own message (it says what to do).
    #[error("the database's key: {reason}")]
    Keyring { reason: String },

    /// The person's role, or whose visit or account it is, does not allow this (see
    /// [`crate::access`]). The message says who may.
    #[error("{0}")]
    Forbidden(String),

    /// The appointment has no video meeting (an in-person visit).
    #[error("this appointment has no video meeting")]
    NoMeeting,

    /// The meeting cannot be opened in its present state (its word: `pending`, `failed`...).
    #[error("the meeting is {0}; it can be opened once it is ready")]
    MeetingNotReady(&'static str),

    /// A provider answered with a link that is not an https address, which is never opened.
    #[error("{0} answered with a link that is not a web address")]
    NotAWebLink(&'static str),

    /// The connection to the clinic's server was lost while a change was being saved, and the
    /// server says it was not saved.
    #[error("the connection to the clinic's server was lost before this was saved; nothing was changed, so try again")]
    NotSaved,

    /// The connection to the clinic's server was lost while a change was being saved, and the
    /// server has not answered since: whether it was saved is not known yet.
    #[error("the connection to the clinic's server was lost while this was being saved, and the server does not answer yet; once it does, look at the schedule before trying again")]
    MaybeSaved,

    /// Clinic mode, and no clinic service keeps the clinic's accounts yet.
    #[error("no clinic service keeps this clinic's video accounts yet: start `frontdesk-cli server` on the clinic's always-on computer (see \"Several computers\" in the README), then try again")]
    NoClinicService,

    /// Clinic mode, and the clinic service has not been heard from lately.
    #[error("the clinic service on {host} has not answered since {since}; check that it is running there (`frontdesk-cli server`), then try again")]
    ServiceAway { host: String, since: String },

    /// Another computer's clinic service keeps the clinic's accounts.
    #[error("this clinic's accounts are kept by the clinic service on {host} (since {since}), and only one computer can keep them; stop that one and start this one with `frontdesk-cli server --take-over` (the doctors then reconnect their accounts), or keep using that one")]
    ServiceElsewhere { host: String, since: String },

    /// The clinic service could not do what a desk asked: its words, and the kind of failure.
    #[error("{message}")]
    Relayed { kind: ErrorKind, message: String },

    /// The database stayed locked by another writer for too long.
    #[error("the schedule is busy (another desk is saving); try again in a moment")]
    Busy,

    /// A storage failure. The detail goes to the log, never to the person at the desk.
    #[error("the schedule database could not be read or written; see the log for details")]
    Storage(#[source] sqlx::Error),

    /// A file-system failure outside the database (e.g. writing a backup).
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
}

impl CoreError {
    /// The kind that callers branch on.
    pub fn kind(&self) -> ErrorKind {
        match self {
            CoreError::Invalid(_)
            | CoreError::InvalidField { .. }
            | CoreError::NonexistentTime(_)
            | CoreError::AmbiguousTime(_) => ErrorKind::Validation,
            CoreError::NotFound { .. } => ErrorKind::NotFound,
            CoreError::WrongPin { .. }
            | CoreError::PinPaused { .. }
            | CoreError::PinLocked { .. }
            | CoreError::NoPin => ErrorKind::Unauthenticated,
            CoreError::LastAdmin => ErrorKind::Conflict,
            CoreError::OutsideHours(_) => ErrorKind::OutsideHours,
            CoreError::Overlap(_) | CoreError::Transition(_) | CoreError::AlreadyInitialized(_) => {
                ErrorKind::Conflict
            }
            CoreError::NotInitialized
            | CoreError::NewerDatabase { .. }
            | CoreError::DataDir { .. }
            | CoreError::KeyLost { .. }
            | CoreError::Keyring { .. }
            | CoreError::ServerRefused { .. } => ErrorKind::Setup,
            CoreError::ServerAway { .. } | CoreError::ReadOnly { .. } | CoreError::ServiceAway { .. } => {
                ErrorKind::Unavailable
            }
            CoreError::NoClinicService | CoreError::ServiceElsewhere { .. } => ErrorKind::Setup,
            CoreError::Relayed { kind, .. } => *kind,
            CoreError::Forbidden(_) => ErrorKind::Forbidden,
            CoreError::NoMeeting => ErrorKind::NotFound,
            CoreError::MeetingNotReady(_) | CoreError::NotAWebLink(_) => ErrorKind::Conflict,
            CoreError::Busy | CoreError::NotSaved | CoreError::MaybeSaved => ErrorKind::Unavailable,
            CoreError::Storage(_) | CoreError::Io { .. } => ErrorKind::Internal,
        }
    }

    /// `true` when the person can fix the problem by changing what they asked for.
    pub fn is_user_error(&self) -> bool {
        !matches!(self.kind(), ErrorKind::Internal | ErrorKind::Unavailable)
    }

    /// A validation error with a message for the person at the desk.
    pub fn invalid(message: impl Into<String>) -> Self {
        CoreError::Invalid(message.into())
    }

    /// A validation error about one field of a form.
    pub fn invalid_field(field: Field, message: impl Into<String>) -> Self {
        CoreError::InvalidField { field, message: message.into() }
    }
}

/// What a wrong PIN leaves: the tries before the round's penalty, or the penalty just come.
fn wrong_pin_next(attempts_left: i64, then: crate::store::PinPenalty) -> String {
    use crate::store::PinPenalty;
    match (attempts_left, then) {
        (0, PinPenalty::Pause { minutes }) => format!("sign-in is now paused for {minutes} minutes"),
        (0, PinPenalty::Lock) => {
            "sign-in is now locked after too many wrong PINs; an admin can unlock it in Staff".to_owned()
        }
        (n, then) => {
            let tries = if n == 1 { "try" } else { "tries" };
            let what = match then {
                PinPenalty::Pause { minutes } => format!("pauses for {minutes} minutes"),
                PinPenalty::Lock => "is locked until an admin unlocks it".to_owned(),
            };
            format!("{n} more {tries} before sign-in {what}")
        }
    }
}

/// The input field a validation error is about: its `key`, which the forms know it by (the
/// name of the input's property, e.g. `email` in a patient's details), and its `label`, the
/// words a command line prints before the message (`e-mail`).
///
/// The common fields are constants here; other tables of keys (the patient e-mail texts, the
/// command line's own flags) make theirs with [`Field::new`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Field {
    key: &'static str,
    label: &'static str,
}

impl Field {
    /// A person's or a record's name (staff, appointment type): `name`.
    pub const NAME: Field = Field::new("name", "name");
    /// A patient's full name.
    pub const FULL_NAME: Field = Field::new("full_name", "name");
    /// The first admin's name at first start.
    pub const ADMIN_NAME: Field = Field::new("admin_name", "name");
    /// The clinic's name.
    pub const CLINIC_NAME: Field = Field::new("clinic_name", "clinic name");
    /// An appointment type's name.
    pub const TYPE_NAME: Field = Field::new("name", "type name");
    /// An e-mail address.
    pub const EMAIL: Field = Field::new("email", "e-mail");
    /// A phone number.
    pub const PHONE: Field = Field::new("phone", "phone");
    /// A patient's date of birth.
    pub const DATE_OF_BIRTH: Field = Field::new("date_of_birth", "date of birth");
    /// A patient's note.
    pub const NOTE: Field = Field::new("note", "note");
    /// A staff PIN.
    pub const PIN: Field = Field::new("pin", "PIN");
    /// An appointment type's length.
    pub const MINUTES: Field = Field::new("minutes", "minutes");
    /// An IANA time zone.
    pub const TZ: Field = Field::new("tz", "tz");
    /// The clinic's inactivity lock.
    pub const LOCK_MINUTES: Field = Field::new("lock_minutes", "lock after");
    /// The minutes before a visit that its doctor is reminded.
    pub const REMINDER_MINUTES: Field = Field::new("reminder_minutes", "reminders");
    pub const COPY_DAYS: Field = Field::new("copy_days", "days kept at each desk");
    /// The clinic's language tag.
    pub const LOCALE: Field = Field::new("locale", "locale");
    /// An appointment's topic.
    pub const TOPIC: Field = Field::new("topic", "topic");
    /// An appointment's description.
    pub const DESCRIPTION: Field = Field::new("description", "description");
    /// An appointment's local start.
    pub const START: Field = Field::new("start", "start");
    /// A cancellation's reason.
    pub const REASON: Field = Field::new("reason", "reason");
    /// The patient search box.
    pub const SEARCH: Field = Field::new("text", "search text");

    /// A field known by `key` in the forms and by `label` in a command line's message.
    pub const fn new(key: &'static str, label: &'static str) -> Field {
        Field { key, label }
    }

    /// The key a form knows the field by (`email`).
    pub fn key(self) -> &'static str {
        self.key
    }

    /// The words a command line names the field with (`e-mail`).
    pub fn label(self) -> &'static str {
        self.label
    }
}

impl std::fmt::Display for Field {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label)
    }
}

/// The PostgreSQL constraint that refuses a double booking.
pub(crate) const DOUBLE_BOOKING: &str = "appointments_no_double_booking";

/// What the desk reads when the database itself refused a double booking.
pub(crate) const DOUBLE_BOOKED: &str =
    "the doctor already has an appointment then; choose another time, or confirm the double booking";

impl From<sqlx::Error> for CoreError {
    fn from(err: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &err {
            // SQLITE_BUSY (5) and SQLITE_LOCKED (6); on PostgreSQL, a lock or the clinic's write
            // lock not granted in time (55P03), a serialization failure (40001) or a deadlock (40P01).
            if matches!(
                db.code().as_deref(),
                Some("5") | Some("6") | Some("517") | Some("55P03") | Some("40001") | Some("40P01")
            ) {
                return CoreError::Busy;
            }
            // PostgreSQL's own refusal of a double booking (see the `appointments_no_double_booking`
            // constraint): the same conflict as the store's check, which comes first.
            if db.code().as_deref() == Some("23P01") && db.constraint() == Some(DOUBLE_BOOKING) {
                return CoreError::Overlap(DOUBLE_BOOKED.to_owned());
            }
        }
        tracing::error!(error = %err, "storage failure");
        CoreError::Storage(err)
    }
}

/// The core's result type.
pub type Result<T, E = CoreError> = std::result::Result<T, E>;
