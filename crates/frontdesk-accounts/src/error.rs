//! The accounts' error type. Messages are for the desk: they say what to do, and never
//! carry a token, a secret, an authorization code or a provider's raw answer.

use frontdesk_core::{CoreError, ErrorKind, Provider};
use frontdesk_settings::SettingsError;

/// Everything that can go wrong connecting or using a doctor's provider account.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    /// An error from the schedule's core (storage, validation, not found...).
    #[error(transparent)]
    Core(#[from] CoreError),

    /// A setting could not be read or written (a refused value, the keyring).
    #[error(transparent)]
    Settings(#[from] SettingsError),

    /// The clinic has not entered this provider's app credentials yet.
    #[error("{provider} is not set up for this clinic yet: an admin enters the {provider} app's {missing} in Settings")]
    NotConfigured { provider: &'static str, missing: &'static str },

    /// The doctor has no usable connection to the provider.
    #[error("{doctor} has no {provider} connection; connect the account first")]
    NotConnected { doctor: String, provider: &'static str },

    /// The provider refused the doctor's grant: access was revoked or has expired there.
    #[error("{provider} no longer accepts {doctor}'s connection (it was revoked or expired there): disconnected — reconnect")]
    Revoked { doctor: String, provider: &'static str },

    /// A sign-in answer that does not belong to a connection in progress, or that is malformed.
    #[error("{0}")]
    Callback(String),

    /// The provider could not be reached or answered with a server error; retrying later may work.
    #[error("could not reach {provider} ({detail}); nothing was lost, try again in a moment")]
    Unreachable { provider: &'static str, detail: String },

    /// The provider refused a request for a reason the clinic must fix (credentials, settings).
    #[error("{provider} refused the request: {detail}")]
    Refused { provider: &'static str, detail: String },

    /// Waiting for the browser to come back took too long, or the flow was cancelled.
    #[error("{0}")]
    Expired(String),
}

impl AccountError {
    /// The kind that callers branch on.
    pub fn kind(&self) -> ErrorKind {
        match self {
            AccountError::Core(e) => e.kind(),
            AccountError::Settings(e) => e.kind(),
            AccountError::NotConfigured { .. } => ErrorKind::Setup,
            AccountError::NotConnected { .. } | AccountError::Revoked { .. } => ErrorKind::Setup,
            AccountError::Callback(_) | AccountError::Expired(_) => ErrorKind::Validation,
            AccountError::Unreachable { .. } => ErrorKind::Unavailable,
            AccountError::Refused { .. } => ErrorKind::Conflict,
        }
    }

    /// `true` when the person can fix the problem themselves.
    pub fn is_user_error(&self) -> bool {
        !matches!(self.kind(), ErrorKind::Internal | ErrorKind::Unavailable)
    }

    /// The provider could not be reached, or answered with a server error.
    pub fn unreachable(provider: Provider, detail: impl Into<String>) -> Self {
        AccountError::Unreachable { provider: provider.label(), detail: detail.into() }
    }

    /// The provider refused the request for a reason the clinic must fix.
    pub fn refused(provider: Provider, detail: impl Into<String>) -> Self {
        AccountError::Refused { provider: provider.label(), detail: detail.into() }
    }
}

/// The accounts' result type.
pub type Result<T, E = AccountError> = std::result::Result<T, E>;
