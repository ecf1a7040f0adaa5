//! Frontdesk's doctors' video accounts, Zoom and Microsoft: connecting a doctor's account with
//! OAuth 2.0 (authorization code + PKCE S256, loopback or deep-link redirect), keeping its tokens
//! in the operating system's keyring (through the clinic's [`frontdesk_settings::Settings`]),
//! refreshing them one at a time per account, making authorised calls with them, revoking them on
//! disconnect, and the clinic's Zoom Server-to-Server app. What the calls are for (meetings)
//! lives in `frontdesk-meetings`. Like the core, this crate has no window toolkit.

pub mod accounts;
pub mod error;
pub mod flow;
pub mod oauth;
pub mod tokens;

pub use accounts::{
    deep_link_uri, Accounts, Connected, DeepLinkFlow, Disconnected, LoopbackFlow, StartedFlow,
};
pub use error::{AccountError, Result};
