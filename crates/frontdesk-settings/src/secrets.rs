//! Secrets (tokens, client secrets) in the operating system's keyring, and nowhere else.
//!
//! [`OsKeyring`] names each platform's store explicitly (Secret Service on Linux, Credential
//! Manager on Windows, the Keychain on macOS). The `keyring` crate's default store on a platform
//! without its feature is a mock that keeps nothing; naming the store means such a build does
//! not compile instead of silently forgetting every connection.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use frontdesk_core::paths::APP_IDENTIFIER;
use frontdesk_core::store::{AtRest, DatabaseKey, KeyStore};
use frontdesk_core::{Provider, StaffId};

use crate::error::{Result, SettingsError};
use crate::setting::Setting;

/// A secret string: shown as `[redacted]` by `Debug`, never serialised, compared by value.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The value, for the one place that sends it (a request header or form).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[redacted]")
    }
}

/// Where secrets are kept. Calls may block briefly (a D-Bus round trip); callers on the async
/// runtime use [`crate::Settings`], which moves them off the runtime's threads.
pub trait SecretStore: Send + Sync + 'static {
    /// The secret under `name`, or `None` when there is none.
    fn get(&self, name: &str) -> Result<Option<Secret>>;
    /// Stores `value` under `name`, replacing what was there.
    fn set(&self, name: &str, value: &Secret) -> Result<()>;
    /// Removes the secret under `name`; removing a missing one is not an error.
    fn delete(&self, name: &str) -> Result<()>;
}

/// The name of a doctor's token pair for a provider, scoped by the clinic.
pub fn token_name(clinic_uid: &str, doctor: StaffId, provider: Provider) -> String {
    format!("{clinic_uid}/doctor/{doctor}/{provider}")
}

/// The name of a clinic-wide secret setting such as `zoom.client_secret`.
pub fn setting_name(clinic_uid: &str, setting: Setting) -> String {
    format!("{clinic_uid}/setting/{setting}")
}

/// The data folder's database keys, kept among the secrets: in the app and the command line,
/// the operating system's keyring. [`database_at_rest`] is how both open their database.
pub struct DatabaseKeys(pub Arc<dyn SecretStore>);

impl KeyStore for DatabaseKeys {
    fn get(&self, name: &str) -> std::result::Result<Option<DatabaseKey>, String> {
        match self.0.get(name).map_err(|e| e.to_string())? {
            None => Ok(None),
            Some(text) => DatabaseKey::from_hex(text.expose())
                .map(Some)
                .ok_or_else(|| format!("its entry {name} is damaged")),
        }
    }

    fn keep(&self, name: &str, key: &DatabaseKey) -> std::result::Result<(), String> {
        self.0.set(name, &Secret::new(key.to_hex().as_str())).map_err(|e| e.to_string())
    }
}

/// The database encrypted with its key from `secrets`.
pub fn database_at_rest(secrets: Arc<dyn SecretStore>) -> AtRest {
    AtRest::Encrypted(Arc::new(DatabaseKeys(secrets)))
}

/// The operating system's keyring, under the app's identifier as the service name.
#[derive(Debug, Default, Clone, Copy)]
pub struct OsKeyring;

impl OsKeyring {
    fn entry(name: &str) -> Result<keyring::Entry> {
        #[cfg(target_os = "linux")]
        let credential = keyring::secret_service::SsCredential::new_with_target(None, APP_IDENTIFIER, name);
        #[cfg(target_os = "windows")]
        let credential = keyring::windows::WinCredential::new_with_target(None, APP_IDENTIFIER, name);
        #[cfg(target_os = "macos")]
        let credential = keyring::macos::MacCredential::new_with_target(None, APP_IDENTIFIER, name);
        let credential = credential.map_err(keyring_error)?;
        Ok(keyring::Entry::new_with_credential(Box::new(credential)))
    }
}

impl SecretStore for OsKeyring {
    fn get(&self, name: &str) -> Result<Option<Secret>> {
        match OsKeyring::entry(name)?.get_password() {
            Ok(value) => Ok(Some(Secret(value))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(keyring_error(e)),
        }
    }

    fn set(&self, name: &str, value: &Secret) -> Result<()> {
        OsKeyring::entry(name)?.set_password(value.expose()).map_err(keyring_error)
    }

    fn delete(&self, name: &str) -> Result<()> {
        match OsKeyring::entry(name)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(keyring_error(e)),
        }
    }
}

fn keyring_error(err: keyring::Error) -> SettingsError {
    let what = match &err {
        keyring::Error::NoStorageAccess(_) => "it is locked",
        keyring::Error::PlatformFailure(_) => "it could not be reached",
        _ => "it refused the entry",
    };
    // The detail is for clinic IT (the app logs at info); the desk gets the message.
    tracing::info!(error = %err, "keyring failure");
    SettingsError::Keyring(what.to_owned())
}

/// Secrets in memory, for unit tests (and nothing else: it forgets everything on exit).
#[derive(Debug, Default)]
pub struct MemorySecrets {
    values: Mutex<HashMap<String, Secret>>,
}

impl MemorySecrets {
    fn values(&self) -> std::sync::MutexGuard<'_, HashMap<String, Secret>> {
        self.values.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl SecretStore for MemorySecrets {
    fn get(&self, name: &str) -> Result<Option<Secret>> {
        Ok(self.values().get(name).cloned())
    }

    fn set(&self, name: &str, value: &Secret) -> Result<()> {
        self.values().insert(name.to_owned(), value.clone());
        Ok(())
    }

    fn delete(&self, name: &str) -> Result<()> {
        self.values().remove(name);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_show_in_debug() {
        let s = Secret::new("super-secret-value");
        assert_eq!(format!("{s:?}"), "[redacted]");
        assert_eq!(format!("{:?}", Some(s)), "Some([redacted])");
    }
}
