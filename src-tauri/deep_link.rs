//! `frontdesk://` links as the window hears them; the core parses them
//! ([`frontdesk_core::links`]) into a closed set and refuses anything else.

use frontdesk_core::links::Link;
use serde::Serialize;

/// A link the app understands. The links the window shows reach it as the `deep-link` event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type, tauri_specta::Event)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DeepLink {
    /// `frontdesk://day/2026-03-09`: show that day.
    Day { date: String },
    /// `frontdesk://appointment/42`: show that appointment.
    Appointment { id: i64 },
    /// `frontdesk://oauth/<zoom|microsoft>/callback?...`: an account connection coming back from
    /// the browser. Its parameters are checked by the flow that started it, not here, and it is
    /// handled in Rust: the query (which holds the authorization code) is never serialised.
    #[serde(rename = "oauth_callback")]
    OAuthCallback {
        provider: String,
        #[serde(skip)]
        #[specta(skip)]
        query: String,
    },
}

pub use frontdesk_core::links::RefusedLink;

impl DeepLink {
    /// Parses a `frontdesk://` link (the core's rule: [`frontdesk_core::links::parse`]).
    ///
    /// # Errors
    /// [`RefusedLink`] for another scheme, an unknown path, or a malformed value.
    pub fn parse(link: &str) -> Result<DeepLink, RefusedLink> {
        Ok(match frontdesk_core::links::parse(link)? {
            Link::Day { date } => DeepLink::Day { date },
            Link::Appointment { id } => DeepLink::Appointment { id },
            Link::OAuthCallback { provider, query } => DeepLink::OAuthCallback { provider, query },
        })
    }
}
