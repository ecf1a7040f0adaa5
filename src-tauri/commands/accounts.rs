//! Video-visit accounts: the clinic's provider settings (admins), and connecting a doctor's
//! Zoom or Microsoft account (the doctor themself, or an admin). The window learns only the
//! connection's state and account e-mail: tokens never cross into it.

use std::sync::Arc;

use frontdesk_accounts::{Accounts, Connected, Disconnected, StartedFlow};
use frontdesk_core::store::Connection;
use frontdesk_core::{Action, Provider, StaffId};
use frontdesk_settings::{ProviderSettings, Setting, Settings};
use serde::Serialize;
use tauri::ipc::Channel;
use tauri::State;

use super::store;
use crate::error::AppError;
use crate::AppState;

/// How a connect flow ended: sent on a loopback flow's channel, and as the `account-connection`
/// event when a deep-link flow ends.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type, tauri_specta::Event)]
#[tauri_specta(event_name = "account-connection")]
pub struct ConnectionEvent {
    pub doctor_id: StaffId,
    pub provider: Provider,
    /// The connected account, when it worked.
    pub account_email: Option<String>,
    /// Why it did not, in words for the desk.
    pub error: Option<String>,
}

/// A connect flow has started: the browser is open at `authorize_url`.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct ConnectStarted {
    /// Shown in the wizard so the page can be opened again if the browser did not appear.
    pub authorize_url: String,
    /// Whether the answer comes back on this computer's loopback (else through a deep link).
    pub loopback: bool,
}

fn accounts(state: &State<'_, AppState>) -> Result<Arc<Accounts>, AppError> {
    state.accounts.as_ref().map(Arc::clone).map_err(Clone::clone)
}

fn settings(state: &State<'_, AppState>) -> Result<Settings, AppError> {
    state.settings.clone()
}

#[tauri::command]
#[specta::specta]
pub async fn provider_settings(state: State<'_, AppState>) -> Result<ProviderSettings, AppError> {
    state.require(Action::Administer).await?;
    Ok(settings(&state)?.provider_settings().await?)
}

/// A provider address that names another host than the provider's own, which an admin allowed
/// (`providers.hosts any`).
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
pub struct OtherHost {
    pub setting: Setting,
    pub address: String,
}

/// The provider addresses that name other hosts than the providers' own: every desk's status
/// line shows them, so that nobody works unaware of where the doctors' tokens go.
#[tauri::command]
#[specta::specta]
pub async fn provider_hosts(state: State<'_, AppState>) -> Result<Vec<OtherHost>, AppError> {
    state.require(Action::Read).await?;
    let found = settings(&state)?.other_hosts().await?;
    Ok(found.into_iter().map(|(setting, address)| OtherHost { setting, address }).collect())
}

/// Saves the provider settings; a secret is replaced only when a new one is typed. A new address
/// for a provider's sign-in or API first disconnects every doctor connected to that provider
/// (their tokens deleted), so that it never receives their tokens; they connect again.
#[tauri::command]
#[specta::specta]
pub async fn update_provider_settings(
    state: State<'_, AppState>,
    settings: ProviderSettings,
    zoom_client_secret: Option<String>,
    zoom_s2s_client_secret: Option<String>,
) -> Result<ProviderSettings, AppError> {
    let actor = state.actor().await?;
    let secrets = [
        (Setting::ZoomClientSecret, zoom_client_secret.as_deref().unwrap_or("")),
        (Setting::ZoomS2sClientSecret, zoom_s2s_client_secret.as_deref().unwrap_or("")),
    ];
    let (saved, _disconnected) =
        accounts(&state)?.update_provider_settings(&actor, &settings, &secrets).await?;
    Ok(saved)
}

#[tauri::command]
#[specta::specta]
pub async fn connections(state: State<'_, AppState>) -> Result<Vec<Connection>, AppError> {
    state.require(Action::Read).await?;
    Ok(store(&state)?.connections().await?)
}

/// Starts connecting: opens the provider's sign-in page in the system browser (never in the
/// app's own window) and waits in the background. The outcome arrives on `done` for a loopback
/// redirect, and as a [`ConnectionEvent`] event for a deep-link one.
#[tauri::command]
#[specta::specta]
pub async fn connect_account(
    state: State<'_, AppState>,
    doctor_id: StaffId,
    provider: Provider,
    done: Channel<ConnectionEvent>,
) -> Result<ConnectStarted, AppError> {
    let actor = state.actor().await?;
    let accounts = accounts(&state)?;
    let started = accounts.start_connect(&actor, doctor_id, provider, None).await?;
    let authorize_url = started.authorize_url().to_owned();
    (state.browser)(&authorize_url).map_err(|e| {
        tracing::warn!(error = %e, "could not open the system browser");
        AppError::new(
            frontdesk_core::ErrorKind::Unavailable,
            "could not open the web browser; use Copy link and open it yourself",
        )
    })?;
    let loopback = matches!(started, StartedFlow::Loopback(_));
    if let StartedFlow::Loopback(flow) = started {
        let outbox = state.meetings();
        let task = tauri::async_runtime::spawn(async move {
            let outcome = accounts.finish_loopback(flow).await;
            // The doctor's meetings that waited for this connection are due now.
            if let Some(worker) = outbox.filter(|_| outcome.is_ok()) {
                worker.wake();
            }
            let _ = done.send(ConnectionEvent::from_outcome(doctor_id, provider, outcome));
        });
        // A new Connect for the same account replaces (and stops) one left waiting.
        if let Some(previous) = state.connect_tasks().insert((doctor_id, provider), task) {
            previous.abort();
        }
    }
    Ok(ConnectStarted { authorize_url, loopback })
}

/// Stops waiting for a connect flow (the wizard was closed).
#[tauri::command]
#[specta::specta]
pub async fn cancel_connect(
    state: State<'_, AppState>,
    doctor_id: StaffId,
    provider: Provider,
) -> Result<(), AppError> {
    state.actor().await?.may_for(Action::ManageAccount, doctor_id)?;
    if let Some(task) = state.connect_tasks().remove(&(doctor_id, provider)) {
        task.abort();
    }
    accounts(&state)?.cancel_pending(doctor_id, provider);
    Ok(())
}

#[tauri::command]
#[specta::specta]
pub async fn disconnect_account(
    state: State<'_, AppState>,
    doctor_id: StaffId,
    provider: Provider,
) -> Result<Disconnected, AppError> {
    let actor = state.actor().await?;
    Ok(accounts(&state)?.disconnect(&actor, doctor_id, provider).await?)
}

/// Connects a doctor through the clinic's Zoom Server-to-Server app (admins only).
#[tauri::command]
#[specta::specta]
pub async fn connect_server_to_server(
    state: State<'_, AppState>,
    doctor_id: StaffId,
    zoom_email: String,
) -> Result<Connected, AppError> {
    let actor = state.actor().await?;
    let connected = accounts(&state)?.connect_server_to_server(&actor, doctor_id, &zoom_email).await?;
    state.wake_outbox();
    Ok(connected)
}

impl ConnectionEvent {
    pub fn from_outcome(
        doctor_id: StaffId,
        provider: Provider,
        outcome: frontdesk_accounts::Result<Connected>,
    ) -> ConnectionEvent {
        match outcome {
            Ok(c) => {
                ConnectionEvent { doctor_id, provider, account_email: Some(c.account_email), error: None }
            }
            Err(e) => {
                ConnectionEvent { doctor_id, provider, account_email: None, error: Some(e.to_string()) }
            }
        }
    }
}
