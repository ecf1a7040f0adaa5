//! The meetings' error type: why a call to a provider's meetings API failed, sorted by what the
//! caller (the outbox) does next. Messages never carry a token, a host link or patient data.

use frontdesk_accounts::AccountError;
use frontdesk_core::ErrorKind;

/// Why a meeting call failed, sorted by what the caller (the outbox) does next.
#[derive(Debug, thiserror::Error)]
pub enum CallError {
    /// Not connected, revoked, unreachable, keyring: see the account error.
    #[error(transparent)]
    Account(#[from] AccountError),
    /// 429: wait `retry_after` when given; `daily_limit` when Zoom's 100 creates/updates per host
    /// per day are used up (it resets at 00:00 UTC).
    #[error("{provider} asked to slow down{}", if *.daily_limit { " (the host's daily limit of meeting changes is used up)" } else { "" })]
    RateLimited { provider: &'static str, retry_after: Option<std::time::Duration>, daily_limit: bool },
    /// A refusal that retrying will not fix (4xx other than 401/404/429).
    #[error("{provider} refused the meeting request: {reason}")]
    Refused { provider: &'static str, status: u16, reason: String },
    /// The provider has no such meeting (404).
    #[error("{provider} has no such meeting")]
    Gone { provider: &'static str },
}

impl CallError {
    /// The kind that callers branch on: an account's own, or a refusal (as
    /// [`AccountError::Refused`]) for what only the provider decided.
    pub fn kind(&self) -> ErrorKind {
        match self {
            CallError::Account(e) => e.kind(),
            CallError::RateLimited { .. } | CallError::Refused { .. } | CallError::Gone { .. } => {
                ErrorKind::Conflict
            }
        }
    }
}

impl From<CallError> for AccountError {
    /// For callers that only report: the account error as is, anything else as a refusal in
    /// the provider's words.
    fn from(e: CallError) -> AccountError {
        match e {
            CallError::Account(e) => e,
            CallError::RateLimited { provider, .. }
            | CallError::Refused { provider, .. }
            | CallError::Gone { provider } => AccountError::Refused { provider, detail: e.to_string() },
        }
    }
}
