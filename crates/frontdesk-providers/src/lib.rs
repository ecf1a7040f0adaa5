//! Frontdesk's video-visit providers, Zoom and Microsoft: connecting a doctor's account with
//! OAuth 2.0 (authorization code + PKCE S256, loopback or deep-link redirect), keeping its tokens
//! in the operating system's keyring, refreshing them one at a time per account, and revoking
//! them on disconnect; creating, moving and deleting each telehealth appointment's meeting
//! through the outbox worker; e-mailing patients their invitations through the clinic's SMTP
//! server (the mail worker). Like the core, this crate has no window toolkit: the app and the
//! command-line twin share it.

pub mod accounts;
pub mod error;
pub mod flow;
pub mod jobs;
pub mod mail;
pub mod meetings;
pub mod oauth;
pub mod outbox;
pub mod secrets;
pub mod settings;
pub mod tokens;

pub use accounts::{
    deep_link_uri, Accounts, Connected, DeepLinkFlow, Disconnected, LoopbackFlow, StartedFlow,
};
pub use error::{AccountError, Result};
pub use jobs::{Channel, Runner};
pub use mail::{Mail, MailPassReport, MailWorker, SmtpSettingsError};
pub use meetings::{CallError, MeetingApi};
pub use outbox::{Meetings, PassReport, Worker};
pub use secrets::{MemorySecrets, OsKeyring, Secret, SecretStore};
pub use settings::{ProviderSettings, RedirectMode, Setting};
