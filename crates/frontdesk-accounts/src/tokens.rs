//! A doctor's token pair. It lives in the keyring as one entry, so that the access and refresh
//! tokens are always replaced together; it has a redacted `Debug` and no `Serialize`.

use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;

use frontdesk_settings::Secret;

/// How long before its expiry an access token is refreshed rather than used.
pub const REFRESH_MARGIN: Duration = Duration::seconds(120);

/// The lifetime assumed when a provider gives none (the providers' own, an hour).
const DEFAULT_LIFETIME_SECS: i64 = 3600;
/// The longest lifetime believed: a token said to live longer is refreshed after a day anyway.
const MAX_LIFETIME_SECS: i64 = 24 * 3600;

/// When a token that a provider says lives `lifetime_secs` expires. The number comes from the
/// network: a negative one counts as already expired, an absurd one as a day, so no answer can
/// overflow the clock.
pub fn expiry(now: DateTime<Utc>, lifetime_secs: Option<i64>) -> DateTime<Utc> {
    let secs = lifetime_secs.unwrap_or(DEFAULT_LIFETIME_SECS).clamp(0, MAX_LIFETIME_SECS);
    now.checked_add_signed(Duration::seconds(secs)).unwrap_or(now)
}

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
    fn a_lifetime_from_the_network_never_overflows_the_clock() {
        let now = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        assert_eq!(expiry(now, None), now + Duration::seconds(3600));
        assert_eq!(expiry(now, Some(599)), now + Duration::seconds(599));
        assert_eq!(expiry(now, Some(-5)), now, "already expired");
        assert_eq!(expiry(now, Some(i64::MAX)), now + Duration::hours(24));
        assert_eq!(expiry(DateTime::<Utc>::MAX_UTC, Some(3600)), DateTime::<Utc>::MAX_UTC);
    }

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
