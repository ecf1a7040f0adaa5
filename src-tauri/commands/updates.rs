//! Updates (admins only, on the Settings screen): what the clinic's feed offers, the feed's
//! address, and installing a verified update, which restarts the app.

use frontdesk_core::{Action, ErrorKind};
use frontdesk_settings::Setting;
use tauri::State;

use crate::error::AppError;
use crate::updates::UpdateStatus;
use crate::AppState;

/// This build's version, the feed, and whether it offers a newer version.
#[tauri::command]
#[specta::specta]
pub async fn check_update(state: State<'_, AppState>) -> Result<UpdateStatus, AppError> {
    state.require(Action::Administer).await?;
    state.updates()?.check(&state.settings.clone()?).await
}

/// Sets (or with `None` clears) the update feed's address (`updates.feed`, audited), then checks it.
#[tauri::command]
#[specta::specta]
pub async fn set_update_feed(
    state: State<'_, AppState>,
    feed: Option<String>,
) -> Result<UpdateStatus, AppError> {
    let actor = state.actor().await?;
    let settings = state.settings.clone()?;
    let feed = feed.filter(|f| !f.trim().is_empty());
    settings.config_set(&actor, Setting::UpdateFeed, feed.as_deref()).await?;
    state.updates()?.check(&settings).await
}

/// Installs `version` if the feed still offers it and its package verifies; the app then restarts.
#[tauri::command]
#[specta::specta]
pub async fn install_update(state: State<'_, AppState>, version: String) -> Result<(), AppError> {
    state.require(Action::Administer).await?;
    let updates = state.updates()?;
    let feed = state.settings.clone()?.config_get(Setting::UpdateFeed).await?;
    let feed = feed.ok_or_else(|| AppError::setup("no update feed is set"))?;
    match updates.find(&feed).await? {
        Some(update) if update.version == version => updates.install(&update).await,
        _ => Err(AppError::new(
            ErrorKind::Conflict,
            format!("the update feed no longer offers Frontdesk {version}; check again"),
        )),
    }
}
