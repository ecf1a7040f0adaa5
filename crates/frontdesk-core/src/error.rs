//! The core's one error type.
//!
//! Every failure of the core is a [`CoreError`]. Its `Display` text is written for the person at
//! the desk: it says what went wrong and what to do, and never carries SQL, file contents, secrets
//! or patient details. [`CoreError::kind`] is the closed set that callers (the app shell, the
//! command-line twin) branch on.

use serde::Serialize;

/// The closed set of error kinds that callers branch on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// The input is malformed or out of range; fix the input and try again.
    Validation,
    /// A referenced record (patient, doctor, appointment...) does not exist.
    NotFound,
    /// The change collides with the schedule (double booking, disallowed status change).
    Conflict,
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

    /// Malformed input in one named field of a form (`field` is the field's key, e.g. `join`),
    /// so that a form can show `message` beside that field. The text shown on a command line
    /// starts with the field: `join: ...`.
    #[error("{field}: {message}")]
    InvalidField { field: String, message: String },

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

    /// A status change that the appointment's lifecycle does not allow.
    #[error("{0}")]
    Transition(String),

    /// The clinic has not been set up in this data folder.
    #[error("no clinic is set up in this data folder yet; set it up first")]
    NotInitialized,

    /// A wrong PIN. The count of tries left before sign-in pauses is in the message.
    #[error("wrong PIN; {attempts_left} more {} before sign-in pauses for {pause_minutes} minutes", if *attempts_left == 1 { "try" } else { "tries" })]
    WrongPin { attempts_left: i64, pause_minutes: i64 },

    /// Too many wrong PINs: sign-in for this person is paused.
    #[error("too many wrong PINs; sign-in is paused until {until}")]
    PinPaused { until: String },

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

    /// The data folder cannot be created, written, or holds something that is not a Frontdesk database.
    #[error("cannot use the data folder {path}: {reason}")]
    DataDir { path: String, reason: String },

    /// The person's role, or whose visit or account it is, does not allow this (see
    /// [`crate::access`]). The message says who may.
    #[error("{0}")]
    Forbidden(String),

    /// The appointment has no video meeting (an in-person visit).
    #[error("this appointment has no video meeting")]
    NoMeeting,

    /// The meeting cannot be opened in its present state.
    #[error("the meeting is {0}; it can be opened once it is ready")]
    MeetingNotReady(crate::model::MeetingState),

    /// A provider answered with a link that is not an https address, which is never opened.
    #[error("{0} answered with a link that is not a web address")]
    NotAWebLink(&'static str),

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
            CoreError::WrongPin { .. } | CoreError::PinPaused { .. } | CoreError::NoPin => {
                ErrorKind::Unauthenticated
            }
            CoreError::LastAdmin => ErrorKind::Conflict,
            CoreError::Overlap(_) | CoreError::Transition(_) | CoreError::AlreadyInitialized(_) => {
                ErrorKind::Conflict
            }
            CoreError::NotInitialized | CoreError::NewerDatabase { .. } | CoreError::DataDir { .. } => {
                ErrorKind::Setup
            }
            CoreError::Forbidden(_) => ErrorKind::Forbidden,
            CoreError::NoMeeting => ErrorKind::NotFound,
            CoreError::MeetingNotReady(_) | CoreError::NotAWebLink(_) => ErrorKind::Conflict,
            CoreError::Busy => ErrorKind::Unavailable,
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
    pub fn invalid_field(field: impl Into<String>, message: impl Into<String>) -> Self {
        CoreError::InvalidField { field: field.into(), message: message.into() }
    }
}

impl From<sqlx::Error> for CoreError {
    fn from(err: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &err {
            // SQLITE_BUSY (5) and SQLITE_LOCKED (6), after the busy timeout has run out.
            if matches!(db.code().as_deref(), Some("5") | Some("6") | Some("517")) {
                return CoreError::Busy;
            }
        }
        tracing::error!(error = %err, "storage failure");
        CoreError::Storage(err)
    }
}

/// The core's result type.
pub type Result<T, E = CoreError> = std::result::Result<T, E>;
