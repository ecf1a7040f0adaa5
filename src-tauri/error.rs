//! The error every command returns: `{ kind, message }`, where `kind` is the core's closed set
//! and `message` is safe to show at the desk (never SQL, tokens or file contents).

use frontdesk_core::{CoreError, ErrorKind};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, thiserror::Error)]
#[error("{message}")]
pub struct AppError {
    pub kind: ErrorKind,
    pub message: String,
}

impl AppError {
    pub fn setup(message: impl Into<String>) -> Self {
        AppError { kind: ErrorKind::Setup, message: message.into() }
    }
}

impl From<CoreError> for AppError {
    fn from(e: CoreError) -> Self {
        AppError { kind: e.kind(), message: e.to_string() }
    }
}
