//! The error every command returns: `{ kind, message, field }`. `kind` is the core's closed set
//! (plus `forbidden` and `unauthenticated` from the shell), `message` is safe to show at the desk
//! (never SQL, tokens or file contents), and `field` names the form field it is about, when one is.

use frontdesk_accounts::AccountError;
use frontdesk_core::{CoreError, ErrorKind};
use frontdesk_mail::SmtpSettingsError;
use frontdesk_meetings::CallError;
use frontdesk_settings::SettingsError;
use serde::Serialize;

#[derive(Debug, Clone, Serialize, specta::Type, thiserror::Error)]
#[error("{message}")]
pub struct AppError {
    pub kind: ErrorKind,
    pub message: String,
    /// The form field the error is about (`start`, `patient`, `pin`...), if any.
    pub field: Option<String>,
}

impl AppError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        AppError { kind, message: message.into(), field: None }
    }

    pub fn setup(message: impl Into<String>) -> Self {
        AppError::new(ErrorKind::Setup, message)
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        AppError::new(ErrorKind::Forbidden, message)
    }

    pub fn unauthenticated(message: impl Into<String>) -> Self {
        AppError::new(ErrorKind::Unauthenticated, message)
    }

    /// The person signed in with a PIN shorter than new PINs may be, and has not chosen a new
    /// one yet: nothing else until they have.
    pub fn pin_change_needed() -> Self {
        let digits = frontdesk_core::validate::MIN_PIN_DIGITS;
        AppError::unauthenticated(format!("choose a new PIN of at least {digits} digits first")).on("new_pin")
    }

    /// The form field the error is about.
    pub fn on(mut self, field: &str) -> Self {
        self.field = Some(field.to_owned());
        self
    }
}

impl From<SettingsError> for AppError {
    fn from(e: SettingsError) -> Self {
        match e {
            SettingsError::Core(core) => AppError::from(core),
            // The form shows the message beside the setting's box, so it need not name the key.
            SettingsError::InvalidSetting { setting, message } => {
                AppError::new(ErrorKind::Validation, message).on(setting.as_str())
            }
            other => AppError::new(other.kind(), other.to_string()),
        }
    }
}

impl From<AccountError> for AppError {
    fn from(e: AccountError) -> Self {
        match e {
            AccountError::Core(core) => AppError::from(core),
            AccountError::Settings(settings) => AppError::from(settings),
            other => AppError::new(other.kind(), other.to_string()),
        }
    }
}

impl From<CallError> for AppError {
    /// As the accounts put it: a refusal in the provider's words, or the account's own error.
    fn from(e: CallError) -> Self {
        AppError::from(AccountError::from(e))
    }
}

impl From<SmtpSettingsError> for AppError {
    fn from(e: SmtpSettingsError) -> Self {
        match e {
            SmtpSettingsError::Settings(settings) => AppError::from(settings),
            other => AppError::new(other.kind(), other.to_string()),
        }
    }
}

impl From<CoreError> for AppError {
    fn from(e: CoreError) -> Self {
        // The form shows the message beside the field, so it need not start with the field's label.
        if let CoreError::InvalidField { field, message } = e {
            return AppError::new(ErrorKind::Validation, message).on(field.key());
        }
        let field = match &e {
            CoreError::NonexistentTime(_) | CoreError::Overlap(_) | CoreError::OutsideHours(_) => {
                Some("start")
            }
            CoreError::AmbiguousTime(_) => Some("fold"),
            CoreError::NotFound { what: "patient", .. } => Some("patient"),
            CoreError::NotFound { what: "doctor", .. } => Some("doctor"),
            CoreError::NotFound { what: "appointment type", .. } => Some("type"),
            CoreError::WrongPin { .. }
            | CoreError::PinPaused { .. }
            | CoreError::PinLocked { .. }
            | CoreError::NoPin => Some("pin"),
            _ => None,
        };
        let error = AppError::new(e.kind(), e.to_string());
        match field {
            Some(f) => error.on(f),
            None => error,
        }
    }
}
