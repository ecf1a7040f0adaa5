//! Frontdesk's clinic settings: the one list of setting keys ([`Setting`]) and their checks, the
//! [`Settings`] service that reads and writes them (plain values in the store, audited; secret
//! ones only in the operating system's keyring, through [`SecretStore`]), and [`Secret`], the
//! string type that never shows or serialises.
//!
//! It stands apart from the provider accounts so that whatever needs a setting (the mail channel,
//! the settings screen) does not need the accounts. Like the core, it has no window toolkit.

pub mod custody;
pub mod error;
pub mod sealed;
pub mod secrets;
pub mod service;
pub mod setting;

pub use error::SettingsError;
pub use sealed::KeyPair;
pub use secrets::{database_at_rest, DatabaseKeys, MemorySecrets, OsKeyring, Secret, SecretStore};
pub use service::Settings;
pub use setting::{normalise, redirect_mode, ProviderSettings, RedirectMode, Setting, SmtpSecurity};
