//! [`Accounts`]: connecting a doctor's Zoom or Microsoft account, keeping its tokens fresh, and
//! making authorized calls with them.
//!
//! Refreshing is single-flight per account, within the process (an async mutex) and across
//! processes (a file lock in the data folder), because Zoom's refresh tokens are single-use: a
//! second refresh with the old token would kill the connection. Whoever holds the lock re-reads
//! the stored pair first (another task or process may just have refreshed it), and saves the new
//! pair before anyone uses the new access token.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Utc};
use frontdesk_core::store::{AuditAbout, AuditAction, Connection, ConnectionKind, ConnectionState};
use frontdesk_core::{Action, Actor, Clock, HeldLock, Locks, Provider, StaffId, Store};
use frontdesk_settings::custody::{self, Ask};
use frontdesk_settings::secrets::{self, Secret};
use frontdesk_settings::{redirect_mode, ProviderSettings, RedirectMode, Setting, Settings};
use oauth2::PkceCodeVerifier;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::error::{AccountError, Result};
use crate::flow::{self, CallbackParams, Loopback, FLOW_LIFETIME};
use crate::oauth::{Endpoints, TokenError};
use crate::tokens::TokenSet;

/// The deep link each provider's answer comes back to.
pub fn deep_link_uri(provider: Provider) -> String {
    format!("frontdesk://oauth/{provider}/callback")
}

/// What a desk in clinic mode asks the clinic service to do with a doctor's account (see
/// [`Accounts::answer`]).
pub mod ask {
    /// Finish a connection: the sign-in's code and PKCE verifier, sealed to the service.
    pub const CONNECT: &str = "connect";
    /// Connect through the clinic's Zoom Server-to-Server app.
    pub const CONNECT_S2S: &str = "connect_s2s";
    /// Disconnect, deleting and revoking the tokens.
    pub const DISCONNECT: &str = "disconnect";
    /// Read the account's identity with its tokens (the connection works).
    pub const CHECK: &str = "check";
    /// Keep a connection's tokens handed over as the clinic moves to its server.
    pub const KEEP_TOKENS: &str = "keep_tokens";
}

/// A connection just made: what the desk is told.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct Connected {
    pub doctor_id: StaffId,
    pub provider: Provider,
    pub account_email: String,
}

/// The result of a disconnect.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct Disconnected {
    /// Whether the provider confirmed the revocation. The tokens are deleted here either way.
    pub revoked_at_provider: bool,
    /// Why the provider was not told, when it was not.
    pub note: Option<String>,
}

/// A flow waiting for the browser.
struct PendingFlow {
    actor: Actor,
    doctor: StaffId,
    provider: Provider,
    endpoints: Endpoints,
    redirect_uri: String,
    verifier: PkceCodeVerifier,
    started: DateTime<Utc>,
}

/// A connect flow that waits on a loopback listener; finish it with [`Accounts::finish_loopback`].
pub struct LoopbackFlow {
    /// Where to send the browser.
    pub authorize_url: String,
    loopback: Loopback,
    state: String,
    flow: PendingFlow,
}

/// A connect flow whose answer comes back as a deep link, to [`Accounts::complete_deep_link`].
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct DeepLinkFlow {
    pub authorize_url: String,
}

/// Either kind of started flow.
pub enum StartedFlow {
    Loopback(Box<LoopbackFlow>),
    DeepLink(DeepLinkFlow),
}

impl StartedFlow {
    pub fn authorize_url(&self) -> &str {
        match self {
            StartedFlow::Loopback(f) => &f.authorize_url,
            StartedFlow::DeepLink(f) => &f.authorize_url,
        }
    }
}

/// One doctor's account at one provider.
type AccountKey = (StaffId, Provider);

/// Connecting and using provider accounts. Cheap to share behind an `Arc`.
pub struct Accounts {
    store: Store,
    settings: Settings,
    clock: Arc<dyn Clock>,
    http: reqwest::Client,
    locks: Locks,
    refresh_locks: Mutex<HashMap<AccountKey, Arc<tokio::sync::Mutex<()>>>>,
    /// Access tokens read from the keyring, until they near expiry: a keyring read costs tens of
    /// milliseconds. A refresh by another process goes unseen until this one expires or the
    /// provider answers 401, and both are handled; refresh tokens are never kept here.
    access_cache: Mutex<HashMap<AccountKey, (Secret, DateTime<Utc>)>>,
    pending: Mutex<HashMap<String, PendingFlow>>,
    s2s_token: tokio::sync::Mutex<Option<(Secret, DateTime<Utc>)>>,
}

/// What a desk hands the clinic service to finish a connection (sealed to the service's key).
#[derive(Serialize, Deserialize)]
struct HandedSignIn {
    doctor: StaffId,
    provider: Provider,
    redirect_uri: String,
    code: String,
    verifier: String,
}

impl std::fmt::Debug for Accounts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Accounts").field("store", &self.store).finish_non_exhaustive()
    }
}

/// The Server-to-Server form's field for the doctor's Zoom e-mail address.
const ZOOM_EMAIL: frontdesk_core::Field = frontdesk_core::Field::new("zoom_email", "e-mail");

impl Accounts {
    /// Accounts over the clinic's `settings` (and their store), keeping tokens in the settings'
    /// keyring and taking refresh locks in `locks`.
    ///
    /// # Errors
    /// When the HTTP client cannot be built (no TLS roots).
    pub fn new(settings: Settings, locks: Locks, clock: Arc<dyn Clock>) -> Result<Accounts> {
        let http = reqwest::Client::builder()
            // The token endpoint must never be followed elsewhere with a code or a secret.
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(std::time::Duration::from_secs(10))
            .timeout(std::time::Duration::from_secs(30))
            .user_agent(concat!("Frontdesk/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| {
                AccountError::Core(frontdesk_core::CoreError::Io {
                    context: "could not start the network client".into(),
                    source: std::io::Error::other(e.to_string()),
                })
            })?;
        Ok(Accounts {
            store: settings.store().clone(),
            settings,
            clock,
            http,
            locks,
            refresh_locks: Mutex::default(),
            access_cache: Mutex::default(),
            pending: Mutex::default(),
            s2s_token: tokio::sync::Mutex::default(),
        })
    }

    /// The time now, by the clock the accounts were made with.
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }

    /// The clock the accounts were made with (a background channel over them sleeps by it).
    pub fn clock(&self) -> Arc<dyn Clock> {
        self.clock.clone()
    }

    /// The data folder's lock files the accounts take turns with.
    pub fn locks(&self) -> &Locks {
        &self.locks
    }

    /// The schedule store these accounts belong to.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Whether this process keeps the tokens (a single computer, or the clinic service); else
    /// it asks the clinic service for everything that needs one.
    pub fn is_keeper(&self) -> bool {
        self.settings.is_keeper()
    }

    /// Asks the clinic service (from a desk in clinic mode) for what needs a token.
    ///
    /// # Errors
    /// The service is missing or away; its refusal.
    pub async fn ask_service<T: serde::de::DeserializeOwned>(
        &self,
        actor: &Actor,
        ask: Ask<'_>,
    ) -> Result<custody::Answer<T>> {
        Ok(self.settings.ask_service(actor, ask).await?)
    }

    /// A desk keeps no token: reaching for one there is a mistake in Frontdesk, said plainly.
    fn only_the_keeper(&self) -> Result<()> {
        if self.is_keeper() {
            return Ok(());
        }
        Err(frontdesk_core::CoreError::Relayed {
            kind: frontdesk_core::ErrorKind::Internal,
            message: "this desk keeps no tokens: the clinic service makes this call".into(),
        }
        .into())
    }

    /// The HTTP client (no redirects followed, timeouts set) for provider calls.
    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// The clinic's settings these accounts read their endpoints and app credentials from.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The provider's API base (Zoom's API host, or Graph's), without reading any secret.
    ///
    /// # Errors
    /// [`AccountError::NotConfigured`] when it is unset.
    pub async fn api_base(&self, provider: Provider) -> Result<String> {
        let (key, missing) = match provider {
            Provider::Zoom => (Setting::ZoomApiBase, "API host"),
            Provider::Microsoft => (Setting::MicrosoftGraphBase, "Graph host"),
        };
        self.settings
            .config_get(key)
            .await?
            .ok_or(AccountError::NotConfigured { provider: provider.label(), missing })
    }

    /// The provider's endpoints as the clinic set them up.
    ///
    /// # Errors
    /// [`AccountError::NotConfigured`] without a client ID.
    pub async fn endpoints(&self, provider: Provider) -> Result<Endpoints> {
        let get = |setting: Setting| async move { self.settings.config_get(setting).await };
        let need = |v: Option<String>, missing: &'static str| {
            v.ok_or(AccountError::NotConfigured { provider: provider.label(), missing })
        };
        let uid = self.store.clinic_uid().await?;
        match provider {
            Provider::Zoom => {
                let auth = need(get(Setting::ZoomAuthBase).await?, "sign-in host")?;
                let secret =
                    self.settings.secret_get(secrets::setting_name(&uid, Setting::ZoomClientSecret)).await?;
                Ok(Endpoints {
                    provider,
                    client_id: need(get(Setting::ZoomClientId).await?, "client ID")?,
                    client_secret: secret,
                    authorize_url: format!("{auth}/oauth/authorize"),
                    token_url: format!("{auth}/oauth/token"),
                    revoke_url: Some(format!("{auth}/oauth/revoke")),
                    api_base: need(get(Setting::ZoomApiBase).await?, "API host")?,
                    redirect: redirect_mode(get(Setting::ZoomRedirect).await?.as_deref()),
                    bounce_url: get(Setting::ZoomBounceUrl).await?,
                })
            }
            Provider::Microsoft => {
                let auth = need(get(Setting::MicrosoftAuthBase).await?, "sign-in host")?;
                let tenant = need(get(Setting::MicrosoftTenant).await?, "tenant")?;
                Ok(Endpoints {
                    provider,
                    client_id: need(get(Setting::MicrosoftClientId).await?, "application (client) ID")?,
                    client_secret: None,
                    authorize_url: format!("{auth}/{tenant}/oauth2/v2.0/authorize"),
                    token_url: format!("{auth}/{tenant}/oauth2/v2.0/token"),
                    revoke_url: None,
                    api_base: need(get(Setting::MicrosoftGraphBase).await?, "Graph host")?,
                    redirect: redirect_mode(get(Setting::MicrosoftRedirect).await?.as_deref()),
                    bounce_url: None,
                })
            }
        }
    }

    // ----- connecting -----------------------------------------------------------------------

    /// Starts connecting `doctor`'s account: the authorization URL to open in the system
    /// browser, and the flow that waits for the answer. `mode` overrides the clinic's redirect
    /// setting (the command-line twin always uses the loopback).
    ///
    /// # Errors
    /// Not a doctor, provider not set up, no loopback port.
    pub async fn start_connect(
        &self,
        actor: &Actor,
        doctor: StaffId,
        provider: Provider,
        mode: Option<RedirectMode>,
    ) -> Result<StartedFlow> {
        actor.may_for(Action::ManageAccount, doctor)?;
        self.store.require_doctor(doctor).await?;
        if !self.is_keeper() {
            // The sign-in finishes at the clinic service: it must be there to take it.
            self.store.service_present().await?;
        }
        let endpoints = self.endpoints(provider).await?;
        let mode = mode.unwrap_or(endpoints.redirect);
        // The loopback listener comes first: its port is part of the redirect URI.
        let loopback = match mode {
            RedirectMode::Loopback => Some(Loopback::bind().await.map_err(|e| {
                AccountError::Core(frontdesk_core::CoreError::Io {
                    context: "could not open a port on this computer for the sign-in answer".into(),
                    source: e,
                })
            })?),
            RedirectMode::DeepLink => None,
        };
        let redirect_uri = match (&loopback, provider) {
            (Some(loopback), _) => loopback.redirect_uri(),
            (None, Provider::Microsoft) => deep_link_uri(provider),
            (None, Provider::Zoom) => endpoints.bounce_url.clone().ok_or(AccountError::NotConfigured {
                provider: provider.label(),
                missing: "bounce page address (needed for deep-link redirects)",
            })?,
        };
        let authorization = endpoints.authorize(&redirect_uri)?;
        let flow = PendingFlow {
            actor: actor.clone(),
            doctor,
            provider,
            endpoints,
            redirect_uri,
            verifier: authorization.verifier,
            started: self.clock.now(),
        };
        let Some(loopback) = loopback else {
            let mut pending = self.pending();
            // One flow per doctor and provider: a new Connect replaces an abandoned one.
            pending.retain(|_, f| !(f.doctor == doctor && f.provider == provider));
            pending.insert(authorization.state, flow);
            return Ok(StartedFlow::DeepLink(DeepLinkFlow { authorize_url: authorization.url }));
        };
        Ok(StartedFlow::Loopback(Box::new(LoopbackFlow {
            authorize_url: authorization.url,
            loopback,
            state: authorization.state,
            flow,
        })))
    }

    /// Waits for the loopback answer (until the flow's 10 minutes are up), exchanges the code,
    /// reads the account's identity, stores the tokens and records the connection.
    ///
    /// # Errors
    /// [`AccountError::Expired`] when nothing came in time; otherwise as the exchange.
    pub async fn finish_loopback(&self, flow: Box<LoopbackFlow>) -> Result<Connected> {
        let deadline = tokio::time::Instant::now() + FLOW_LIFETIME;
        let provider = flow.flow.provider;
        let Some((params, mut stream)) = flow.loopback.wait(&flow.state, deadline).await else {
            return Err(AccountError::Expired(format!(
                "nobody finished signing in to {} within 10 minutes; start Connect again",
                provider.label()
            )));
        };
        let result = self.complete(flow.flow, &params).await;
        let page = match &result {
            Ok(c) => {
                format!("Connected as {}. You can close this tab and go back to Frontdesk.", c.account_email)
            }
            Err(e) => format!("{e}"),
        };
        flow::respond(&mut stream, if result.is_ok() { 200 } else { 400 }, &page).await;
        result
    }

    /// Completes a flow from a `frontdesk://oauth/<provider>/callback?...` deep link. Only a
    /// pending flow with the same `state` and provider, started less than 10 minutes ago, is
    /// accepted, and only once.
    ///
    /// # Errors
    /// [`AccountError::Callback`] for anything else; nothing is stored then.
    pub async fn complete_deep_link(&self, provider: Provider, query: &str) -> Result<Connected> {
        let params = CallbackParams::from_query(query);
        let now = self.clock.now();
        let flow = {
            let mut pending = self.pending();
            let lifetime = Duration::from_std(FLOW_LIFETIME).unwrap_or(Duration::minutes(10));
            pending.retain(|_, f| now - f.started <= lifetime);
            let matches =
                params.state.as_ref().and_then(|s| pending.get(s)).is_some_and(|f| f.provider == provider);
            match params.state.as_ref().filter(|_| matches) {
                Some(state) => pending.remove(state),
                None => None,
            }
        };
        let Some(flow) = flow else {
            tracing::warn!(%provider, "sign-in answer refused: no pending flow with its state");
            return Err(AccountError::Callback(format!(
                "this answer from {} does not match a connection in progress (it may be older than 10 minutes, \
                 already used, or not from Frontdesk); start Connect again",
                provider.label()
            )));
        };
        self.complete(flow, &params).await
    }

    /// Forgets any deep-link flow waiting for `doctor` at `provider` (the wizard was closed).
    pub fn cancel_pending(&self, doctor: StaffId, provider: Provider) {
        self.pending().retain(|_, f| !(f.doctor == doctor && f.provider == provider));
    }

    async fn complete(&self, flow: PendingFlow, params: &CallbackParams) -> Result<Connected> {
        let provider = flow.provider;
        let now = self.clock.now();
        if now - flow.started > Duration::from_std(FLOW_LIFETIME).unwrap_or(Duration::minutes(10)) {
            return Err(AccountError::Expired(format!(
                "the sign-in to {} took more than 10 minutes; start Connect again",
                provider.label()
            )));
        }
        if let Some(error) = params.error_code() {
            let hint = match error.as_str() {
                "access_denied" => " (the sign-in was cancelled or permission was refused)",
                "consent_required" => " (an administrator of the organisation must consent to the app first)",
                _ => "",
            };
            return Err(AccountError::Callback(format!(
                "{} did not connect the account: {error}{hint}",
                provider.label()
            )));
        }
        let Some(code) = params.code.as_deref() else {
            return Err(AccountError::Callback(format!("the answer from {} has no code", provider.label())));
        };
        if !self.is_keeper() {
            // The clinic service exchanges the code (with the clinic's app secret) and keeps the
            // tokens: this desk never holds one.
            let handed = HandedSignIn {
                doctor: flow.doctor,
                provider,
                redirect_uri: flow.redirect_uri,
                code: code.to_owned(),
                verifier: flow.verifier.secret().clone(),
            };
            let sealed = Secret::new(serde_json::to_string(&handed).unwrap_or_default());
            let ask = Ask {
                kind: ask::CONNECT,
                args: json!({ "doctor": flow.doctor, "provider": provider }),
                sealed: Some(sealed),
                secret_answer: false,
                wait: custody::SLOW,
            };
            return Ok(self.ask_service(&flow.actor, ask).await?.value);
        }
        self.keep_exchanged(
            &flow.actor,
            flow.doctor,
            &flow.endpoints,
            &flow.redirect_uri,
            code,
            flow.verifier,
        )
        .await
    }

    /// Exchanges a sign-in's code, reads the account's identity, keeps the tokens and records
    /// the connection.
    async fn keep_exchanged(
        &self,
        actor: &Actor,
        doctor: StaffId,
        endpoints: &Endpoints,
        redirect_uri: &str,
        code: &str,
        verifier: PkceCodeVerifier,
    ) -> Result<Connected> {
        let provider = endpoints.provider;
        let tokens = endpoints
            .exchange(&self.http, redirect_uri, code, verifier, self.clock.now())
            .await
            .map_err(|e| self.token_error(provider, e, "exchange"))?;
        let email = self.identity(endpoints, &tokens.access).await?;
        let uid = self.store.clinic_uid().await?;
        self.settings.secret_set(secrets::token_name(&uid, doctor, provider), tokens.to_secret()).await?;
        self.store.record_connected(actor, doctor, provider, ConnectionKind::User, &email).await?;
        tracing::info!(%doctor, %provider, "account connected");
        Ok(Connected { doctor_id: doctor, provider, account_email: email })
    }

    /// The clinic service's side of [`ask::KEEP_TOKENS`]: a connection made on a single
    /// computer, handed over as the clinic moves to its server (`opened` is
    /// `{"doctor", "provider", "tokens"}`, opened). Only for a connection the database says is
    /// connected, by someone who may administer.
    ///
    /// # Errors
    /// Not allowed; not connected; unreadable tokens; keyring failures.
    pub async fn keep_handed_tokens(&self, actor: &Actor, opened: &Secret) -> Result<()> {
        #[derive(Deserialize)]
        struct Handed {
            doctor: StaffId,
            provider: Provider,
            tokens: String,
        }
        actor.may(Action::Administer)?;
        let handed: Handed = serde_json::from_str(opened.expose())
            .map_err(|_| AccountError::Callback("the handed connection could not be read".into()))?;
        let tokens = TokenSet::from_secret(&Secret::new(handed.tokens))
            .ok_or_else(|| AccountError::Callback("the handed connection holds no tokens".into()))?;
        let connected = self
            .store
            .connection(handed.doctor, handed.provider)
            .await?
            .is_some_and(|c| c.state == ConnectionState::Connected && c.kind == ConnectionKind::User);
        if !connected {
            let doctor = self.store.staff(handed.doctor).await?.name;
            return Err(AccountError::NotConnected { doctor, provider: handed.provider.label() });
        }
        let uid = self.store.clinic_uid().await?;
        let name = secrets::token_name(&uid, handed.doctor, handed.provider);
        self.settings.secret_set(name, tokens.to_secret()).await?;
        tracing::info!(doctor = %handed.doctor, provider = %handed.provider, "connection handed over");
        Ok(())
    }

    /// This computer's stored token pair for a connection, as it is handed to the clinic service
    /// when the clinic moves to a server; `None` when none is stored.
    ///
    /// # Errors
    /// Keyring failures.
    pub async fn tokens_to_hand_over(&self, doctor: StaffId, provider: Provider) -> Result<Option<Secret>> {
        let uid = self.store.clinic_uid().await?;
        Ok(self.settings.secret_get(secrets::token_name(&uid, doctor, provider)).await?)
    }

    /// The clinic service's side of [`ask::CONNECT`]: finishes the sign-in a desk handed over
    /// (`opened` is its sealed part, opened), with the clinic's own app credentials.
    ///
    /// # Errors
    /// Not allowed; the exchange's errors.
    pub async fn connect_handed(&self, actor: &Actor, opened: &Secret) -> Result<Connected> {
        let handed: HandedSignIn = serde_json::from_str(opened.expose())
            .map_err(|_| AccountError::Callback("the handed sign-in could not be read".into()))?;
        actor.may_for(Action::ManageAccount, handed.doctor)?;
        self.store.require_doctor(handed.doctor).await?;
        let endpoints = self.endpoints(handed.provider).await?;
        let verifier = PkceCodeVerifier::new(handed.verifier);
        self.keep_exchanged(actor, handed.doctor, &endpoints, &handed.redirect_uri, &handed.code, verifier)
            .await
    }

    fn token_error(&self, provider: Provider, err: TokenError, during: &str) -> AccountError {
        match err {
            TokenError::Revoked(code) | TokenError::Refused(code) => {
                tracing::warn!(%provider, %code, during, "token request refused");
                AccountError::refused(provider, format!("the sign-in could not be completed ({code}); start Connect again, and check the app settings if it happens again"))
            }
            TokenError::Transient(what) => AccountError::unreachable(provider, what),
            TokenError::Setup(e) => e,
        }
    }

    /// The account's e-mail, read with a fresh access token (before it is stored).
    async fn identity(&self, endpoints: &Endpoints, access: &Secret) -> Result<String> {
        let provider = endpoints.provider;
        let response = self
            .http
            .get(identity_url(endpoints))
            .bearer_auth(access.expose())
            .send()
            .await
            .map_err(|e| AccountError::unreachable(provider, describe(&e)))?;
        read_identity(provider, response).await
    }

    // ----- tokens ---------------------------------------------------------------------------

    /// A usable access token for the doctor's account, refreshed first if it is about to expire.
    ///
    /// # Errors
    /// [`AccountError::NotConnected`], [`AccountError::Revoked`] (the connection is now marked
    /// disconnected), [`AccountError::Unreachable`] (the stored token is kept for a later try),
    /// keyring failures.
    pub async fn access_token(&self, doctor: StaffId, provider: Provider) -> Result<Secret> {
        let connection = self.store.connection(doctor, provider).await?;
        self.user_token(doctor, provider, connection.as_ref()).await
    }

    /// [`Accounts::access_token`] with the doctor's connection as just read.
    async fn user_token(
        &self,
        doctor: StaffId,
        provider: Provider,
        connection: Option<&Connection>,
    ) -> Result<Secret> {
        let now = self.clock.now();
        if let Some(token) = self.cached_access(doctor, provider, now) {
            // Disconnected meanwhile (here or by another process)? The database says.
            let connected = connection
                .is_some_and(|c| c.state == ConnectionState::Connected && c.kind == ConnectionKind::User);
            if connected {
                return Ok(token);
            }
            self.forget_access(doctor, provider);
        }
        let tokens = self.stored_tokens(doctor, provider).await?;
        if tokens.is_fresh(now) {
            self.remember_access(doctor, provider, &tokens);
            return Ok(tokens.access);
        }
        self.refresh(doctor, provider, None).await
    }

    fn access_cache(&self) -> std::sync::MutexGuard<'_, HashMap<AccountKey, (Secret, DateTime<Utc>)>> {
        self.access_cache.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn cached_access(&self, doctor: StaffId, provider: Provider, now: DateTime<Utc>) -> Option<Secret> {
        self.access_cache()
            .get(&(doctor, provider))
            .filter(|(_, expires_at)| now + crate::tokens::REFRESH_MARGIN < *expires_at)
            .map(|(token, _)| token.clone())
    }

    fn remember_access(&self, doctor: StaffId, provider: Provider, tokens: &TokenSet) {
        self.access_cache().insert((doctor, provider), (tokens.access.clone(), tokens.expires_at));
    }

    fn forget_access(&self, doctor: StaffId, provider: Provider) {
        self.access_cache().remove(&(doctor, provider));
    }

    /// Sends an authorized request to the provider's API (`path` after the API base), refreshing
    /// once and retrying once when the provider answers 401 (Zoom code 124: expired token).
    ///
    /// # Errors
    /// As [`Accounts::access_token`]; [`AccountError::Unreachable`] on network failure.
    pub async fn send(
        &self,
        doctor: StaffId,
        provider: Provider,
        build: impl Fn(&reqwest::Client, &Secret) -> reqwest::RequestBuilder,
    ) -> Result<reqwest::Response> {
        // A doctor connected through the clinic's Zoom Server-to-Server app uses its token.
        let connection = self.store.connection(doctor, provider).await?;
        let server_to_server = provider == Provider::Zoom
            && connection.as_ref().is_some_and(|c| {
                c.state == ConnectionState::Connected && c.kind == ConnectionKind::ServerToServer
            });
        let mut token = if server_to_server {
            self.s2s_access_token().await?
        } else {
            self.user_token(doctor, provider, connection.as_ref()).await?
        };
        for attempt in 0..2 {
            let response = build(&self.http, &token)
                .send()
                .await
                .map_err(|e| AccountError::unreachable(provider, describe(&e)))?;
            if response.status() != reqwest::StatusCode::UNAUTHORIZED || attempt == 1 {
                return Ok(response);
            }
            token = if server_to_server {
                *self.s2s_token.lock().await = None;
                self.s2s_access_token().await?
            } else {
                self.refresh(doctor, provider, Some(&token)).await?
            };
        }
        Err(AccountError::refused(provider, "the access token was refused twice"))
    }

    /// The connected account's e-mail, read from the provider now (checks the connection works).
    ///
    /// # Errors
    /// As [`Accounts::send`].
    pub async fn check(&self, doctor: StaffId, provider: Provider) -> Result<String> {
        let url = identity_url(&self.endpoints(provider).await?);
        let response =
            self.send(doctor, provider, |http, token| http.get(&url).bearer_auth(token.expose())).await?;
        read_identity(provider, response).await
    }

    /// [`Accounts::check`] for `actor`, from wherever this runs: a desk in clinic mode asks the
    /// clinic service, which holds the tokens.
    ///
    /// # Errors
    /// As [`Accounts::check`]; the service is missing or away.
    pub async fn check_as(&self, actor: &Actor, doctor: StaffId, provider: Provider) -> Result<String> {
        actor.may(Action::Read)?;
        if self.is_keeper() {
            return self.check(doctor, provider).await;
        }
        let ask = Ask::plain(ask::CHECK, json!({ "doctor": doctor, "provider": provider }), custody::SLOW);
        Ok(self.ask_service(actor, ask).await?.value)
    }

    /// Refreshes the pair, one at a time per account across tasks and processes. With
    /// `rejected`, the provider refused that access token: a different stored one (refreshed by
    /// someone else meanwhile) is used instead of refreshing again.
    async fn refresh(
        &self,
        doctor: StaffId,
        provider: Provider,
        rejected: Option<&Secret>,
    ) -> Result<Secret> {
        self.forget_access(doctor, provider);
        let in_process = self.refresh_lock(doctor, provider);
        let _in_process = in_process.lock().await;
        let _across_processes = self.file_lock(doctor, provider).await?;
        let tokens = self.stored_tokens(doctor, provider).await?;
        let now = self.clock.now();
        let someone_refreshed = match rejected {
            Some(rejected) => tokens.access != *rejected && tokens.is_fresh(now),
            None => tokens.is_fresh(now),
        };
        if someone_refreshed {
            self.remember_access(doctor, provider, &tokens);
            return Ok(tokens.access);
        }
        let Some(refresh_token) = &tokens.refresh else {
            return Err(self.mark_revoked(doctor, provider, "no refresh token").await);
        };
        let endpoints = self.endpoints(provider).await?;
        match endpoints.refresh(&self.http, refresh_token, now).await {
            Ok(new) => {
                // Save before use: with Zoom the old refresh token is already dead.
                let uid = self.store.clinic_uid().await?;
                self.settings
                    .secret_set(secrets::token_name(&uid, doctor, provider), new.to_secret())
                    .await?;
                self.remember_access(doctor, provider, &new);
                tracing::info!(%doctor, %provider, "access token refreshed");
                Ok(new.access)
            }
            Err(TokenError::Revoked(code)) => Err(self.mark_revoked(doctor, provider, &code).await),
            // Microsoft answers a dead refresh token with "invalid_request" (AADSTS9002313).
            Err(TokenError::Refused(code))
                if provider == Provider::Microsoft && code == "invalid_request" =>
            {
                Err(self.mark_revoked(doctor, provider, &code).await)
            }
            Err(TokenError::Refused(code)) => {
                let detail = serde_json::json!({ "provider": provider, "error": code });
                self.store
                    .audit(&Actor::SYSTEM, AuditAction::RefreshFailed, AuditAbout::doctor(doctor), detail)
                    .await?;
                Err(AccountError::refused(
                    provider,
                    format!(
                        "the clinic's app credentials were refused ({code}); an admin should check Settings"
                    ),
                ))
            }
            Err(TokenError::Transient(what)) => {
                let detail = serde_json::json!({ "provider": provider, "error": what });
                self.store
                    .audit(&Actor::SYSTEM, AuditAction::RefreshFailed, AuditAbout::doctor(doctor), detail)
                    .await?;
                Err(AccountError::unreachable(provider, what))
            }
            Err(TokenError::Setup(e)) => Err(e),
        }
    }

    /// The provider no longer accepts the grant: delete the tokens, mark the connection
    /// disconnected, audit it, and say so.
    async fn mark_revoked(&self, doctor: StaffId, provider: Provider, code: &str) -> AccountError {
        self.forget_access(doctor, provider);
        tracing::warn!(%doctor, %provider, code, "the provider refused the refresh token; connection disconnected");
        let doctor_name =
            self.store.staff(doctor).await.map(|s| s.name).unwrap_or_else(|_| doctor.to_string());
        let problem = format!(
            "{} no longer accepts this connection (revoked or expired there): reconnect",
            provider.label()
        );
        let outcome = async {
            let uid = self.store.clinic_uid().await?;
            self.settings.secret_delete(secrets::token_name(&uid, doctor, provider)).await?;
            let detail = serde_json::json!({ "error": code });
            self.store
                .record_disconnected(
                    &Actor::SYSTEM,
                    doctor,
                    provider,
                    AuditAction::RevokeDetected,
                    Some(&problem),
                    detail,
                )
                .await?;
            Ok::<_, AccountError>(())
        }
        .await;
        match outcome {
            Ok(()) => AccountError::Revoked { doctor: doctor_name, provider: provider.label() },
            Err(e) => e,
        }
    }

    async fn stored_tokens(&self, doctor: StaffId, provider: Provider) -> Result<TokenSet> {
        self.only_the_keeper()?;
        let not_connected = || async {
            let doctor =
                self.store.staff(doctor).await.map(|s| s.name).unwrap_or_else(|_| doctor.to_string());
            AccountError::NotConnected { doctor, provider: provider.label() }
        };
        let connected = self
            .store
            .connection(doctor, provider)
            .await?
            .is_some_and(|c| c.state == ConnectionState::Connected && c.kind == ConnectionKind::User);
        if !connected {
            return Err(not_connected().await);
        }
        let uid = self.store.clinic_uid().await?;
        match self.settings.secret_get(secrets::token_name(&uid, doctor, provider)).await? {
            Some(secret) => match TokenSet::from_secret(&secret) {
                Some(tokens) => Ok(tokens),
                None => Err(not_connected().await),
            },
            None => Err(not_connected().await),
        }
    }

    fn refresh_lock(&self, doctor: StaffId, provider: Provider) -> Arc<tokio::sync::Mutex<()>> {
        let mut locks = self.refresh_locks.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        locks.entry((doctor, provider)).or_default().clone()
    }

    /// The account's refresh lock, across processes (and, in clinic mode, across the clinic
    /// service's processes on any computer), released when the returned lock drops or the process
    /// dies: Zoom's refresh tokens are single-use.
    async fn file_lock(&self, doctor: StaffId, provider: Provider) -> Result<HeldLock> {
        let name = format!("{provider}-doctor-{doctor}.lock");
        Ok(self.locks.take_clinic_wide(&name, "the account's refresh lock").await?)
    }

    // ----- the providers' addresses ---------------------------------------------------------

    /// Changes a provider setting (admins), as [`Settings::config_set`] does. A new address for a
    /// provider's sign-in or API (which receives the doctors' tokens) first disconnects every
    /// doctor connected to that provider: their tokens are deleted, and revoked at the old
    /// address where the provider has a way, so that no call carries them to the new one. A
    /// value that would be refused disconnects nobody. The doctors disconnected.
    ///
    /// # Errors
    /// Not an admin; a bad value, naming its setting; storage, keyring or clinic-service failures.
    pub async fn config_set(
        &self,
        actor: &Actor,
        setting: Setting,
        value: Option<&str>,
    ) -> Result<Vec<StaffId>> {
        actor.may(Action::Administer)?;
        self.settings.check_setting(setting, value).await?;
        let providers = self.settings.address_changes(&[(setting, value.map(str::to_owned))]).await?;
        let gone = self.disconnect_every(actor, &providers).await?;
        self.settings.config_set(actor, setting, value).await?;
        Ok(gone)
    }

    /// Saves the settings screen (admins), as [`Settings::update_provider_settings`] does, after
    /// checking every value; a new address first disconnects that provider's doctors, as
    /// [`Accounts::config_set`] says. The settings as saved, and the doctors disconnected.
    ///
    /// # Errors
    /// As [`Accounts::config_set`]; nothing is saved and nobody disconnected when a value is bad.
    pub async fn update_provider_settings(
        &self,
        actor: &Actor,
        new: &ProviderSettings,
        secrets: &[(Setting, &str)],
    ) -> Result<(ProviderSettings, Vec<StaffId>)> {
        actor.may(Action::Administer)?;
        let values = self.settings.check_provider_settings(new, secrets).await?;
        let providers = self.settings.address_changes(&values).await?;
        let gone = self.disconnect_every(actor, &providers).await?;
        Ok((self.settings.update_provider_settings(actor, new, secrets).await?, gone))
    }

    /// Disconnects every doctor connected to one of `providers` (see [`Accounts::disconnect`]).
    async fn disconnect_every(&self, actor: &Actor, providers: &[Provider]) -> Result<Vec<StaffId>> {
        let mut gone = Vec::new();
        for c in self.store.connections().await? {
            if providers.contains(&c.provider) && c.state == ConnectionState::Connected {
                self.disconnect(actor, c.doctor_id, c.provider).await?;
                gone.push(c.doctor_id);
            }
        }
        Ok(gone)
    }

    // ----- disconnecting --------------------------------------------------------------------

    /// Disconnects: deletes the tokens here at once, then revokes them at the provider where it
    /// has an endpoint (Zoom). The tokens are gone even when the provider cannot be reached.
    ///
    /// # Errors
    /// Not connected; storage or keyring failures.
    pub async fn disconnect(
        &self,
        actor: &Actor,
        doctor: StaffId,
        provider: Provider,
    ) -> Result<Disconnected> {
        actor.may_for(Action::ManageAccount, doctor)?;
        if !self.is_keeper() {
            let ask =
                Ask::plain(ask::DISCONNECT, json!({ "doctor": doctor, "provider": provider }), custody::SLOW);
            return Ok(self.ask_service(actor, ask).await?.value);
        }
        let Some(connection) = self.store.connection(doctor, provider).await? else {
            let doctor = self.store.staff(doctor).await?.name;
            return Err(AccountError::NotConnected { doctor, provider: provider.label() });
        };
        self.forget_access(doctor, provider);
        let uid = self.store.clinic_uid().await?;
        let name = secrets::token_name(&uid, doctor, provider);
        let tokens = {
            // Under the refresh lock, so that no refresh saves a new pair after the delete.
            let in_process = self.refresh_lock(doctor, provider);
            let _in_process = in_process.lock().await;
            let _across_processes = self.file_lock(doctor, provider).await?;
            let tokens =
                self.settings.secret_get(name.clone()).await?.and_then(|s| TokenSet::from_secret(&s));
            self.settings.secret_delete(name).await?;
            tokens
        };
        // Disconnected on purpose: no problem to report, nothing to reconnect.
        self.store
            .record_disconnected(
                actor,
                doctor,
                provider,
                AuditAction::Disconnected,
                None,
                serde_json::json!({}),
            )
            .await?;
        let Some(tokens) = tokens.filter(|_| connection.kind == ConnectionKind::User) else {
            return Ok(Disconnected { revoked_at_provider: false, note: None });
        };
        let endpoints = self.endpoints(provider).await?;
        let Some(revoke_url) = &endpoints.revoke_url else {
            return Ok(Disconnected {
                revoked_at_provider: false,
                note: Some(format!(
                    "{} has no way for an app to revoke access; the doctor can remove it in their account's app permissions",
                    provider.label()
                )),
            });
        };
        let mut request = self
            .http
            .post(revoke_url)
            .timeout(std::time::Duration::from_secs(10))
            .form(&[("token", tokens.access.expose())]);
        request = match &endpoints.client_secret {
            Some(secret) => request.basic_auth(&endpoints.client_id, Some(secret.expose())),
            None => request
                .form(&[("token", tokens.access.expose()), ("client_id", endpoints.client_id.as_str())]),
        };
        match request.send().await {
            Ok(r) if r.status().is_success() => {
                let detail = serde_json::json!({ "provider": provider });
                self.store
                    .audit(actor, AuditAction::RevokedAtProvider, AuditAbout::doctor(doctor), detail)
                    .await?;
                Ok(Disconnected { revoked_at_provider: true, note: None })
            }
            Ok(r) => Ok(Disconnected {
                revoked_at_provider: false,
                note: Some(format!(
                    "{} answered the revocation with status {}; the tokens are deleted here",
                    provider.label(),
                    r.status().as_u16()
                )),
            }),
            Err(e) => Ok(Disconnected {
                revoked_at_provider: false,
                note: Some(format!(
                    "could not reach {} to revoke ({}); the tokens are deleted here",
                    provider.label(),
                    describe(&e)
                )),
            }),
        }
    }

    // ----- Zoom Server-to-Server --------------------------------------------------------------

    /// Connects `doctor` through the clinic's Zoom Server-to-Server app as the Zoom user
    /// `email`, after checking that Zoom knows that user.
    ///
    /// # Errors
    /// Not configured; Zoom has no such user; network failures.
    pub async fn connect_server_to_server(
        &self,
        actor: &Actor,
        doctor: StaffId,
        email: &str,
    ) -> Result<Connected> {
        actor.may(Action::Administer)?;
        self.store.require_doctor(doctor).await?;
        if !self.is_keeper() {
            let ask =
                Ask::plain(ask::CONNECT_S2S, json!({ "doctor": doctor, "email": email }), custody::SLOW);
            return Ok(self.ask_service(actor, ask).await?.value);
        }
        let email = frontdesk_core::validate::optional_email(ZOOM_EMAIL, Some(email))?.ok_or_else(|| {
            frontdesk_core::CoreError::invalid_field(ZOOM_EMAIL, "give the doctor's Zoom e-mail address")
        })?;
        let endpoints = self.endpoints_s2s().await?;
        let token = self.s2s_access_token().await?;
        let url = format!(
            "{}/users/{}",
            endpoints.1,
            url::form_urlencoded::byte_serialize(email.as_bytes()).collect::<String>()
        );
        let response = self
            .http
            .get(url)
            .bearer_auth(token.expose())
            .send()
            .await
            .map_err(|e| AccountError::unreachable(Provider::Zoom, describe(&e)))?;
        if !response.status().is_success() {
            return Err(AccountError::refused(
                Provider::Zoom,
                format!("the Zoom account has no user {email} (status {})", response.status().as_u16()),
            ));
        }
        self.store
            .record_connected(actor, doctor, Provider::Zoom, ConnectionKind::ServerToServer, &email)
            .await?;
        Ok(Connected { doctor_id: doctor, provider: Provider::Zoom, account_email: email })
    }

    /// The clinic's Server-to-Server token (`account_credentials`), cached until shortly
    /// before it expires. Its secret is read from the keyring for each new token only.
    ///
    /// # Errors
    /// Not configured; Zoom refused the credentials; network failures.
    pub async fn s2s_access_token(&self) -> Result<Secret> {
        self.only_the_keeper()?;
        let mut cached = self.s2s_token.lock().await;
        let now = self.clock.now();
        if let Some((token, expires_at)) =
            cached.as_ref().filter(|(_, e)| now + crate::tokens::REFRESH_MARGIN < *e)
        {
            let _ = expires_at;
            return Ok(token.clone());
        }
        let (auth_base, _) = self.endpoints_s2s().await?;
        let not_set = |missing| AccountError::NotConfigured { provider: "Zoom Server-to-Server", missing };
        let account =
            self.settings.config_get(Setting::ZoomS2sAccountId).await?.ok_or(not_set("account ID"))?;
        let client = self.settings.config_get(Setting::ZoomS2sClientId).await?.ok_or(not_set("client ID"))?;
        let uid = self.store.clinic_uid().await?;
        let secret = self
            .settings
            .secret_get(secrets::setting_name(&uid, Setting::ZoomS2sClientSecret))
            .await?
            .ok_or(not_set("client secret"))?;
        let response = self
            .http
            .post(format!("{auth_base}/oauth/token"))
            .basic_auth(&client, Some(secret.expose()))
            .form(&[("grant_type", "account_credentials"), ("account_id", account.as_str())])
            .send()
            .await
            .map_err(|e| AccountError::unreachable(Provider::Zoom, describe(&e)))?;
        let status = response.status();
        let body: serde_json::Value = response.json().await.unwrap_or(serde_json::Value::Null);
        let token = body.get("access_token").and_then(serde_json::Value::as_str);
        let Some(token) = token.filter(|_| status.is_success()) else {
            let code = body.get("error").and_then(serde_json::Value::as_str).unwrap_or("no token");
            return Err(AccountError::refused(
                Provider::Zoom,
                format!(
                    "the Server-to-Server credentials were refused ({}, status {})",
                    code.chars().take(64).collect::<String>(),
                    status.as_u16()
                ),
            ));
        };
        let lifetime = body.get("expires_in").and_then(serde_json::Value::as_i64);
        let token = Secret::new(token);
        *cached = Some((token.clone(), crate::tokens::expiry(now, lifetime)));
        Ok(token)
    }

    async fn endpoints_s2s(&self) -> Result<(String, String)> {
        let auth = self.settings.config_get(Setting::ZoomAuthBase).await?.unwrap_or_default();
        let api = self.settings.config_get(Setting::ZoomApiBase).await?.unwrap_or_default();
        Ok((auth, api))
    }

    fn pending(&self) -> std::sync::MutexGuard<'_, HashMap<String, PendingFlow>> {
        self.pending.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Where the account's identity is read: Zoom `GET /users/me`, Graph `GET /me`.
fn identity_url(endpoints: &Endpoints) -> String {
    let path = match endpoints.provider {
        Provider::Zoom => "/users/me",
        Provider::Microsoft => "/me",
    };
    format!("{}{path}", endpoints.api_base)
}

/// The account's e-mail from the identity answer (Graph: `mail`, else `userPrincipalName`).
async fn read_identity(provider: Provider, response: reqwest::Response) -> Result<String> {
    if !response.status().is_success() {
        return Err(AccountError::refused(
            provider,
            format!("reading the account's identity failed with status {}", response.status().as_u16()),
        ));
    }
    let body: serde_json::Value = response
        .json()
        .await
        .map_err(|_| AccountError::unreachable(provider, "an answer it could not read"))?;
    let email = match provider {
        Provider::Zoom => body.get("email"),
        Provider::Microsoft => {
            body.get("mail").filter(|m| !m.is_null()).or_else(|| body.get("userPrincipalName"))
        }
    };
    email
        .and_then(serde_json::Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| AccountError::refused(provider, "the account has no e-mail address"))
}

/// A network failure in words, without the URL (which may carry a query).
fn describe(err: &reqwest::Error) -> String {
    if err.is_timeout() {
        "no answer in time".into()
    } else if err.is_connect() {
        "no connection".into()
    } else {
        "the request failed".into()
    }
}
