//! The command line's error: whatever a command can fail with, from whichever crate, kept as it
//! came so that its message and kind are the crate's own. `main` prints the message (with a
//! hint when a flag answers it) and turns the kind into the exit code.

use frontdesk_accounts::AccountError;
use frontdesk_core::{CoreError, ErrorKind};
use frontdesk_mail::SmtpSettingsError;
use frontdesk_meetings::CallError;
use frontdesk_settings::SettingsError;

/// Why a command failed.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The schedule, the data folder, the job runner (its failures are the core's), or input.
    #[error(transparent)]
    Core(#[from] CoreError),
    /// A setting (a refused value, the keyring).
    #[error(transparent)]
    Settings(#[from] SettingsError),
    /// A doctor's provider account; a meeting call's failure arrives as one too (see below).
    #[error(transparent)]
    Account(#[from] AccountError),
    /// The clinic's SMTP settings.
    #[error(transparent)]
    Mail(#[from] SmtpSettingsError),
}

impl From<CallError> for CliError {
    /// As the accounts put it: a refusal in the provider's words, or the account's own error.
    fn from(e: CallError) -> CliError {
        CliError::Account(AccountError::from(e))
    }
}

impl CliError {
    /// The kind, which decides the exit code.
    pub fn kind(&self) -> ErrorKind {
        match self {
            CliError::Core(e) => e.kind(),
            CliError::Settings(e) => e.kind(),
            CliError::Account(e) => e.kind(),
            CliError::Mail(e) => e.kind(),
        }
    }

    /// `true` when the person can fix the problem themselves (exit code 2, else 1).
    pub fn is_user_error(&self) -> bool {
        !matches!(self.kind(), ErrorKind::Internal | ErrorKind::Unavailable)
    }

    /// The core's error inside, wherever it came from (a flag may answer it).
    pub fn core(&self) -> Option<&CoreError> {
        match self {
            CliError::Core(e)
            | CliError::Settings(SettingsError::Core(e))
            | CliError::Account(AccountError::Core(e) | AccountError::Settings(SettingsError::Core(e)))
            | CliError::Mail(SmtpSettingsError::Settings(SettingsError::Core(e))) => Some(e),
            _ => None,
        }
    }
}
