//! [`Settings`]: reading and writing the clinic's settings. Plain values live in the store (each
//! change audited by the core); secret ones only in the keyring, whose calls run off the async
//! threads (a keyring call may block on a D-Bus round trip). A secret is never read back for
//! showing: only whether it is set.

use std::sync::Arc;

use frontdesk_core::store::Engine;
use frontdesk_core::store::{AuditAbout, AuditAction, ConnectionState};
use frontdesk_core::{Action, Actor, Provider, Store};

/// The request kind that hands a secret setting to the clinic service.
pub const KEEP_SECRET: &str = "keep_secret";

use crate::custody::{self, Ask};
use crate::error::{Result, SettingsError};
use crate::sealed::KeyPair;
use crate::secrets::{self, Secret, SecretStore};
use crate::setting::{self, ProviderSettings, RedirectMode, Setting};

/// The clinic's settings over a store and a secret store. Cheap to clone: both are handles.
#[derive(Clone)]
pub struct Settings {
    store: Store,
    secrets: Arc<dyn SecretStore>,
    /// Whether this process keeps the clinic's secrets in its keyring: always on a single
    /// computer; in clinic mode only the clinic service (and its workers) do, and a desk hands
    /// each secret to the service instead.
    keeper: bool,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings").field("store", &self.store).finish_non_exhaustive()
    }
}

impl Settings {
    /// Settings kept in `store`, as a desk uses them: with secret ones in `secrets` on a single
    /// computer, and handed to the clinic service in clinic mode.
    pub fn new(store: Store, secrets: Arc<dyn SecretStore>) -> Settings {
        let keeper = store.engine() == Engine::Sqlite;
        Settings { store, secrets, keeper }
    }

    /// Settings whose secrets are kept in `secrets` whatever the engine: the clinic service's.
    pub fn keeping(store: Store, secrets: Arc<dyn SecretStore>) -> Settings {
        Settings { store, secrets, keeper: true }
    }

    /// Whether this process keeps the secrets (see [`Settings::keeping`]).
    pub fn is_keeper(&self) -> bool {
        self.keeper
    }

    /// The schedule store the settings live in.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// A setting's value (or default); a secret setting reads only as `set` or `not set`.
    ///
    /// # Errors
    /// Storage or keyring failures.
    pub async fn config_get(&self, setting: Setting) -> Result<Option<String>> {
        if setting.is_secret() {
            let set = if self.on_server() {
                // The keeper is on another computer: the database says whether it holds one.
                self.store.provider_setting(setting.as_str()).await?.is_some()
            } else {
                let name = secrets::setting_name(&self.store.clinic_uid().await?, setting);
                self.secret_get(name).await?.is_some()
            };
            return Ok(Some(if set { "set" } else { "not set" }.to_owned()));
        }
        let stored = self.store.provider_setting(setting.as_str()).await?;
        Ok(stored.or_else(|| setting.default_value().map(str::to_owned)))
    }

    /// Sets (or with `None` clears) a setting. Secret ones go to the keyring only.
    ///
    /// # Errors
    /// [`SettingsError::InvalidSetting`] for a bad value; forbidden unless an admin; storage or
    /// keyring failures.
    pub async fn config_set(&self, actor: &Actor, setting: Setting, value: Option<&str>) -> Result<()> {
        actor.may(Action::Administer)?;
        let value = value.map(|v| setting::normalise(setting, v)).transpose()?;
        self.check_address_change(setting, value.as_deref()).await?;
        self.check_provider_host(setting, value.as_deref()).await?;
        let key = setting.as_str();
        if setting.is_secret() && !self.keeper {
            let sealed = serde_json::json!({ "setting": key, "value": value }).to_string();
            let ask = Ask {
                kind: KEEP_SECRET,
                args: serde_json::json!({ "setting": key }),
                sealed: Some(Secret::new(sealed)),
                secret_answer: false,
                wait: custody::QUICK,
            };
            self.ask_service::<serde_json::Value>(actor, ask).await?;
            return Ok(());
        }
        if setting.is_secret() {
            let name = secrets::setting_name(&self.store.clinic_uid().await?, setting);
            match &value {
                Some(v) => self.secret_set(name, Secret::new(v.clone())).await?,
                None => self.secret_delete(name).await?,
            }
            if self.on_server() {
                // Every desk sees that it is set (never what it is); the change is audited there.
                return Ok(self
                    .store
                    .set_provider_setting(actor, key, value.as_ref().map(|_| "set"))
                    .await?);
            }
            let detail = serde_json::json!({ "key": key, "value": value.as_ref().map(|_| "[secret]") });
            self.store.audit(actor, AuditAction::SettingChanged, AuditAbout::NOTHING, detail).await?;
            return Ok(());
        }
        Ok(self.store.set_provider_setting(actor, key, value.as_deref()).await?)
    }

    /// Whether the clinic is on a server (secrets' presence is then read from the database).
    fn on_server(&self) -> bool {
        self.store.engine() == Engine::Postgres
    }

    /// Keeps a secret handed over by a desk (the clinic service's side of [`KEEP_SECRET`]):
    /// `sealed` is the opened JSON `{"setting": key, "value": value-or-null}`.
    ///
    /// # Errors
    /// As [`Settings::config_set`]; a key that is not a secret setting.
    pub async fn keep_handed_secret(&self, actor: &Actor, opened: &Secret) -> Result<()> {
        #[derive(serde::Deserialize)]
        struct Handed {
            setting: String,
            value: Option<String>,
        }
        let handed: Handed = serde_json::from_str(opened.expose())
            .map_err(|_| SettingsError::Sealed("the handed secret could not be read".into()))?;
        let setting: Setting = handed.setting.parse()?;
        if !setting.is_secret() {
            return Err(setting.invalid("is not a secret"));
        }
        self.config_set(actor, setting, handed.value.as_deref()).await
    }

    /// A provider's addresses cannot change while doctors are connected to it: the next call
    /// would carry their tokens to the new address. `Accounts::config_set` and
    /// `Accounts::update_provider_settings` disconnect them first; this refuses a change made
    /// past them.
    ///
    /// # Errors
    /// [`SettingsError::InvalidSetting`] naming the setting and how many accounts are connected.
    async fn check_address_change(&self, setting: Setting, value: Option<&str>) -> Result<()> {
        let Some(provider) = setting.token_address_of() else { return Ok(()) };
        let now = self.config_get(setting).await?;
        let new = value.or(setting.default_value());
        if now.as_deref() == new {
            return Ok(());
        }
        let connected = self
            .store
            .connections()
            .await?
            .into_iter()
            .filter(|c| c.provider == provider && c.state == ConnectionState::Connected)
            .count();
        if connected == 0 {
            return Ok(());
        }
        Err(setting.invalid(format!(
            "{connected} doctor{} connected to {}: the next call would send their tokens to the new \
             address; disconnect {} first, then change it",
            if connected == 1 { " is" } else { "s are" },
            provider.label(),
            if connected == 1 { "that account" } else { "those accounts" }
        )))
    }

    /// A provider's address must name its own host (see [`Setting::is_providers_own`]) unless an
    /// admin allowed others (`providers.hosts any`, which every desk's status line then shows:
    /// [`Settings::other_hosts`]); and `own` cannot come back while an address names another.
    ///
    /// # Errors
    /// [`SettingsError::InvalidSetting`] naming the setting, the host and what to do.
    async fn check_provider_host(&self, setting: Setting, value: Option<&str>) -> Result<()> {
        if setting == Setting::ProviderHosts {
            if value.unwrap_or("own") == "own" {
                if let Some((other, address)) = self.other_hosts().await?.into_iter().next() {
                    return Err(setting.invalid(format!(
                        "{other} is {address}, which is not the provider's own address; set it back first"
                    )));
                }
            }
            return Ok(());
        }
        let (Some(provider), Some(value)) = (setting.token_address_of(), value) else { return Ok(()) };
        if setting.is_providers_own(value)
            || self.config_get(Setting::ProviderHosts).await?.as_deref() == Some("any")
        {
            return Ok(());
        }
        Err(setting.invalid(format!(
            "{value} is not one of {}'s own addresses, and the doctors' tokens would go there; a clinic \
             that must use another (a proxy of its own) sets {} to any first, which every desk then shows",
            provider.label(),
            Setting::ProviderHosts
        )))
    }

    /// The provider addresses that name other hosts than the providers' own, with their values:
    /// what the desks' status line shows.
    ///
    /// # Errors
    /// Storage failures.
    pub async fn other_hosts(&self) -> Result<Vec<(Setting, String)>> {
        let mut found = Vec::new();
        for setting in Setting::ALL.into_iter().filter(|s| s.token_address_of().is_some()) {
            if let Some(value) = self.config_get(setting).await?.filter(|v| !setting.is_providers_own(v)) {
                found.push((setting, value));
            }
        }
        Ok(found)
    }

    /// A secret setting's value from the keyring (e.g. `smtp.password`), for the client that
    /// sends it; never shown.
    ///
    /// # Errors
    /// A non-secret setting (validation); storage or keyring failures.
    pub async fn secret(&self, setting: Setting) -> Result<Option<Secret>> {
        if !setting.is_secret() {
            return Err(setting.invalid("is not a secret"));
        }
        let name = secrets::setting_name(&self.store.clinic_uid().await?, setting);
        self.secret_get(name).await
    }

    /// Every provider setting, for the settings screen.
    ///
    /// # Errors
    /// Storage or keyring failures.
    pub async fn provider_settings(&self) -> Result<ProviderSettings> {
        let get = |setting: Setting| async move { self.config_get(setting).await };
        let req = |v: Option<String>| v.unwrap_or_default();
        Ok(ProviderSettings {
            zoom_auth_base: req(get(Setting::ZoomAuthBase).await?),
            zoom_api_base: req(get(Setting::ZoomApiBase).await?),
            zoom_client_id: get(Setting::ZoomClientId).await?,
            zoom_redirect: setting::redirect_mode(get(Setting::ZoomRedirect).await?.as_deref()),
            zoom_bounce_url: get(Setting::ZoomBounceUrl).await?,
            zoom_s2s_account_id: get(Setting::ZoomS2sAccountId).await?,
            zoom_s2s_client_id: get(Setting::ZoomS2sClientId).await?,
            microsoft_auth_base: req(get(Setting::MicrosoftAuthBase).await?),
            microsoft_graph_base: req(get(Setting::MicrosoftGraphBase).await?),
            microsoft_client_id: get(Setting::MicrosoftClientId).await?,
            microsoft_tenant: req(get(Setting::MicrosoftTenant).await?),
            microsoft_redirect: setting::redirect_mode(get(Setting::MicrosoftRedirect).await?.as_deref()),
            zoom_client_secret_set: get(Setting::ZoomClientSecret).await?.as_deref() == Some("set"),
            zoom_s2s_client_secret_set: get(Setting::ZoomS2sClientSecret).await?.as_deref() == Some("set"),
        })
    }

    /// Saves the settings screen: every value that changed, and new secrets when given
    /// (an empty secret leaves the stored one as it is).
    ///
    /// # Errors
    /// The first bad value, naming its setting; nothing after it is saved.
    pub async fn update_provider_settings(
        &self,
        actor: &Actor,
        new: &ProviderSettings,
        secrets: &[(Setting, &str)],
    ) -> Result<ProviderSettings> {
        let values = self.check_provider_settings(new, secrets).await?;
        for (setting, value) in &values {
            self.check_address_change(*setting, value.as_deref()).await?;
        }
        for (setting, value) in &values {
            let stored = self.store.provider_setting(setting.as_str()).await?;
            if stored.as_deref() != value.as_deref() {
                if value.is_some() && value.as_deref() == setting.default_value() && stored.is_none() {
                    continue;
                }
                self.config_set(actor, *setting, value.as_deref()).await?;
            }
        }
        for (setting, value) in secrets.iter().filter(|(_, v)| !v.trim().is_empty()) {
            self.config_set(actor, *setting, Some(value)).await?;
        }
        self.provider_settings().await
    }

    /// Checks the settings screen's values as [`Settings::update_provider_settings`] saves them,
    /// saving nothing: each value and secret, and that addresses name the providers' own hosts
    /// (not whether doctors are connected). The values, trimmed (`None` for an empty one).
    ///
    /// # Errors
    /// The first bad value, naming its setting.
    pub async fn check_provider_settings(
        &self,
        new: &ProviderSettings,
        secrets: &[(Setting, &str)],
    ) -> Result<Vec<(Setting, Option<String>)>> {
        let redirect = |m: RedirectMode| match m {
            RedirectMode::Loopback => "loopback".to_owned(),
            RedirectMode::DeepLink => "deep-link".to_owned(),
        };
        let values: [(Setting, Option<String>); 12] = [
            (Setting::ZoomAuthBase, Some(new.zoom_auth_base.clone())),
            (Setting::ZoomApiBase, Some(new.zoom_api_base.clone())),
            (Setting::ZoomClientId, new.zoom_client_id.clone()),
            (Setting::ZoomRedirect, Some(redirect(new.zoom_redirect))),
            (Setting::ZoomBounceUrl, new.zoom_bounce_url.clone()),
            (Setting::ZoomS2sAccountId, new.zoom_s2s_account_id.clone()),
            (Setting::ZoomS2sClientId, new.zoom_s2s_client_id.clone()),
            (Setting::MicrosoftAuthBase, Some(new.microsoft_auth_base.clone())),
            (Setting::MicrosoftGraphBase, Some(new.microsoft_graph_base.clone())),
            (Setting::MicrosoftClientId, new.microsoft_client_id.clone()),
            (Setting::MicrosoftTenant, Some(new.microsoft_tenant.clone())),
            (Setting::MicrosoftRedirect, Some(redirect(new.microsoft_redirect))),
        ];
        // Check everything first, so a bad value saves nothing.
        for (setting, value) in secrets.iter().filter(|(_, v)| !v.trim().is_empty()) {
            setting::normalise(*setting, value)?;
        }
        let mut checked = Vec::with_capacity(values.len());
        for (setting, value) in values {
            let value = value.as_deref().map(str::trim).filter(|v| !v.is_empty());
            let normalised = value.map(|v| setting::normalise(setting, v)).transpose()?;
            self.check_provider_host(setting, normalised.as_deref()).await?;
            checked.push((setting, value.map(str::to_owned)));
        }
        Ok(checked)
    }

    /// The providers whose addresses (those that receive doctors' tokens) `values` would change:
    /// the accounts layer disconnects their doctors before the change is saved.
    ///
    /// # Errors
    /// A bad value, naming its setting; storage failures.
    pub async fn address_changes(&self, values: &[(Setting, Option<String>)]) -> Result<Vec<Provider>> {
        let mut providers = Vec::new();
        for (setting, value) in values {
            let Some(provider) = setting.token_address_of() else { continue };
            let value = value.as_deref().map(|v| setting::normalise(*setting, v)).transpose()?;
            let now = self.config_get(*setting).await?;
            if now.as_deref() != value.as_deref().or(setting.default_value())
                && !providers.contains(&provider)
            {
                providers.push(provider);
            }
        }
        Ok(providers)
    }

    /// Checks one setting's value as [`Settings::config_set`] would (its form, and that an
    /// address names the provider's own host), saving nothing.
    ///
    /// # Errors
    /// The bad value, naming its setting.
    pub async fn check_setting(&self, setting: Setting, value: Option<&str>) -> Result<()> {
        let value = value.map(|v| setting::normalise(setting, v)).transpose()?;
        self.check_provider_host(setting, value.as_deref()).await
    }

    // ----- the clinic service, from a desk ----------------------------------------------------

    /// The key pair kept in the keyring under `name`, made and stored there the first time.
    ///
    /// # Errors
    /// [`SettingsError::Keyring`].
    pub async fn key_pair(&self, name: String) -> Result<KeyPair> {
        if let Some(stored) = self.secret_get(name.clone()).await? {
            if let Some(pair) = KeyPair::from_secret(&stored) {
                return Ok(pair);
            }
            tracing::warn!("a key pair in the keyring could not be read; making a new one");
        }
        let pair = KeyPair::generate();
        self.secret_set(name, pair.to_secret()).await?;
        Ok(pair)
    }

    /// Asks the clinic service (see [`custody::ask`]); a secret answer is sealed to this
    /// computer's own key pair, kept in its keyring.
    ///
    /// # Errors
    /// As [`custody::ask`]; keyring failures.
    pub async fn ask_service<T: serde::de::DeserializeOwned>(
        &self,
        actor: &Actor,
        ask: Ask<'_>,
    ) -> Result<custody::Answer<T>> {
        let reply = if ask.secret_answer {
            let uid = self.store.clinic_uid().await?;
            Some(self.key_pair(format!("{uid}/desk-key")).await?)
        } else {
            None
        };
        custody::ask(&self.store, reply.as_ref(), actor, ask).await
    }

    // ----- the keyring, off the async threads -------------------------------------------------

    /// The secret under `name` (see [`secrets::token_name`], [`secrets::setting_name`]), read
    /// off the async threads. For the code that sends it, never for showing.
    ///
    /// # Errors
    /// [`SettingsError::Keyring`].
    pub async fn secret_get(&self, name: String) -> Result<Option<Secret>> {
        let secrets = self.secrets.clone();
        blocking(move || secrets.get(&name)).await
    }

    /// Stores `value` under `name`, off the async threads.
    ///
    /// # Errors
    /// [`SettingsError::Keyring`].
    pub async fn secret_set(&self, name: String, value: Secret) -> Result<()> {
        let secrets = self.secrets.clone();
        blocking(move || secrets.set(&name, &value)).await
    }

    /// Removes the secret under `name` (a missing one is not an error), off the async threads.
    ///
    /// # Errors
    /// [`SettingsError::Keyring`].
    pub async fn secret_delete(&self, name: String) -> Result<()> {
        let secrets = self.secrets.clone();
        blocking(move || secrets.delete(&name)).await
    }
}

async fn blocking<T: Send + 'static>(work: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|_| SettingsError::Keyring("the keyring call did not finish".into()))?
}
