//! The settings' error type. Messages are for the desk: they say what to do, and never carry a
//! secret's value.

use frontdesk_core::{CoreError, ErrorKind};

use crate::setting::Setting;

/// What can go wrong reading or writing a setting.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// An error from the schedule's core (storage, validation, forbidden...).
    #[error(transparent)]
    Core(#[from] CoreError),

    /// A value a setting does not accept. `setting` says which, as data (a form puts `message`
    /// beside that setting's box); the command line prints `zoom.api_base: ...`.
    #[error("{setting}: {message}")]
    InvalidSetting { setting: Setting, message: String },

    /// The OS keyring is locked, missing or refused access.
    #[error("the system keyring is locked or unavailable ({0}); unlock it (sign in to the computer's desktop session) and try again")]
    Keyring(String),

    /// A sealed box (a secret on its way between the clinic's computers) could not be made or
    /// opened; the reason never carries the secret.
    #[error("a sealed secret could not be used: {0}")]
    Sealed(String),
}

impl SettingsError {
    /// The kind that callers branch on.
    pub fn kind(&self) -> ErrorKind {
        match self {
            SettingsError::Core(e) => e.kind(),
            SettingsError::InvalidSetting { .. } => ErrorKind::Validation,
            SettingsError::Keyring(_) => ErrorKind::Setup,
            SettingsError::Sealed(_) => ErrorKind::Conflict,
        }
    }
}

/// The settings' result type.
pub type Result<T, E = SettingsError> = std::result::Result<T, E>;
