//! The mail channel's error type. Its messages become a waiting mail's reason, shown at the
//! desk and in `mail list`: they say what an admin must set, and never hold a patient's address
//! or the SMTP password.

use frontdesk_core::ErrorKind;
use frontdesk_settings::{Setting, SettingsError};

/// Why the clinic's SMTP settings cannot send now. A mail that meets one waits (it is looked at
/// again hourly) with this error's text as its reason, which says what an admin must set.
#[derive(Debug, thiserror::Error)]
pub enum SmtpSettingsError {
    /// `smtp.host` or `smtp.from` is not set.
    #[error("patient e-mail is not set up: an admin sets {} and {}", Setting::SmtpHost, Setting::SmtpFrom)]
    NotSetUp,
    /// A stored value that cannot be used as it is (checked again here: the database may hold a
    /// value from before a rule, or one written by hand).
    #[error("{setting}: {message}")]
    Unusable { setting: Setting, message: &'static str },
    /// The extra root certificate (`smtp.ca_file`) cannot be read.
    #[error("could not read {} {path}: {source}", Setting::SmtpCaFile)]
    CaFileUnreadable {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// The extra root certificate is not a PEM certificate.
    #[error("{} is not a PEM certificate: {detail}", Setting::SmtpCaFile, detail = .0)]
    CaFileNotPem(String),
    /// The TLS settings could not be built from the certificates.
    #[error("could not set up TLS for SMTP: {0}")]
    Tls(String),
    /// Reading the settings failed (storage or keyring).
    #[error(transparent)]
    Settings(#[from] SettingsError),
}

impl SmtpSettingsError {
    /// The kind that callers branch on: the settings' own, or `setup` (an admin must act).
    pub fn kind(&self) -> ErrorKind {
        match self {
            SmtpSettingsError::Settings(e) => e.kind(),
            _ => ErrorKind::Setup,
        }
    }
}
