//! A doctor's token pair. It lives in the keyring as one entry, so that the access and refresh
//! tokens are always replaced together; it has a redacted `Debug` and no `Serialize`.

use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;

use frontdesk_settings::Secret;

/// How long before its expiry an access token is refreshed rather than used.
pub const REFRESH_MARGIN: Duration = Duration::seconds(120);

/// An access token, the refresh token that replaces it, and when the access token expires.
#[derive(Clone, PartialEq, Eq)]
pub struct TokenSet {
    pub access: Secret,
    pub refresh: Option<Secret>,
    pub expires_at: DateTime<Utc>,
}

impl std::fmt::Debug for TokenSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenSet")
            .field("access", &self.access)
            .field("refresh", &self.refresh)
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// The keyring entry's layout (private: only this module reads or writes it).
#[derive(Deserialize)]
struct Stored {
    access_token: String,
    refresh_token: Option<String>,
    expires_at: i64,
}

impl TokenSet {
    /// Whether the access token can still be used at `now` (with the refresh margin to spare).
    pub fn is_fresh(&self, now: DateTime<Utc>) -> bool {
        now + REFRESH_MARGIN < self.expires_at
    }

    /// The keyring entry for this pair.
    pub(crate) fn to_secret(&self) -> Secret {
        let value = serde_json::json!({
            "access_token": self.access.expose(),
            "refresh_token": self.refresh.as_ref().map(Secret::expose),
            "expires_at": self.expires_at.timestamp(),
        });
        Secret::new(value.to_string())
    }

    /// Reads a keyring entry; `None` when it is not a token pair Frontdesk wrote.
    pub(crate) fn from_secret(secret: &Secret) -> Option<TokenSet> {
        let stored: Stored = serde_json::from_str(secret.expose()).ok()?;
        Some(TokenSet {
            access: Secret::new(stored.access_token),
            refresh: stored.refresh_token.map(Secret::new),
            expires_at: DateTime::from_timestamp(stored.expires_at, 0)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_never_prints_tokens() {
        let set = TokenSet {
            access: Secret::new("access-abc"),
            refresh: Some(Secret::new("refresh-xyz")),
            expires_at: DateTime::from_timestamp(2_000_000_000, 0).unwrap(),
        };
        assert_eq!(TokenSet::from_secret(&set.to_secret()), Some(set.clone()));
        let shown = format!("{set:?}");
        assert!(!shown.contains("abc") && !shown.contains("xyz"), "{shown}");
    }

    #[test]
    fn refreshes_ahead_of_expiry() {
        let expires_at = DateTime::from_timestamp(1_000_000, 0).unwrap();
        let set = TokenSet { access: Secret::new("a"), refresh: None, expires_at };
        assert!(set.is_fresh(expires_at - Duration::seconds(121)));
        assert!(!set.is_fresh(expires_at - Duration::seconds(119)));
    }
}
