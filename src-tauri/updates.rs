//! Signed updates (ADR 0026): the clinic's update feed (`updates.feed`, a `latest.json` it
//! hosts) read through Tauri's updater plugin, each package checked against this build's update
//! key (the minisign public key in the plugin's configuration) before anything is installed.
//!
//! Only an admin looks (the Settings screen asks when it opens): nobody else is ever shown or
//! interrupted by an update. This module never installs a package whose signature does not
//! verify, nor one signed for another version than the feed announces (`requireSignedVersion`).

use std::time::Duration;

use frontdesk_core::ErrorKind;
use frontdesk_settings::{Setting, Settings};
use serde::Serialize;
use tauri::{AppHandle, Runtime};
use tauri_plugin_updater::{Error as UpdaterError, Update, UpdaterBuilder, UpdaterExt};

use crate::error::AppError;

/// How long one request to the feed or for the package may take.
const TIMEOUT: Duration = Duration::from_secs(120);

/// What the admin's Updates card shows.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum UpdateCheck {
    /// Updates are not looked for: `reason` says why (no feed set, or this build has no update
    /// key), in words for the admin.
    Off { reason: String },
    /// The feed offers nothing newer than this build.
    UpToDate,
    /// The feed offers `version`.
    Available { version: String, notes: Option<String> },
    /// The feed could not be read; `reason` says why.
    Failed { reason: String },
}

/// The feed, this build's version and what the feed offers.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
pub struct UpdateStatus {
    /// This build's version.
    pub current: String,
    /// The feed's address (`updates.feed`), if one is set.
    pub feed: Option<String>,
    pub check: UpdateCheck,
}

/// How this app asks the feed and installs: the updater plugin's builder (which needs the app's
/// handle, so it is made once the app is built), this build's update key and version, and how to
/// restart. A few cheap handles in the app's state.
pub struct Updates {
    updater: Box<dyn Fn() -> UpdaterBuilder + Send + Sync>,
    restart: Box<dyn Fn() + Send + Sync>,
    key: Option<String>,
    current: String,
}

impl Updates {
    /// The app's updates, with the key of its configuration: the updater plugin's `pubkey`
    /// (minisign public key, base64 as `tauri signer generate` writes it), `None` when the build
    /// was made without one (`""` in the repository's `tauri.conf.json`; the release workflow
    /// puts the release key there).
    pub fn for_app<R: Runtime>(app: &AppHandle<R>) -> Updates {
        let key = app
            .config()
            .plugins
            .0
            .get("updater")
            .and_then(|u| u.get("pubkey"))
            .and_then(|k| k.as_str())
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .map(str::to_owned);
        let (updating, restarting) = (app.clone(), app.clone());
        Updates {
            updater: Box::new(move || updating.updater_builder()),
            restart: Box::new(move || restarting.restart()),
            key,
            current: app.package_info().version.to_string(),
        }
    }

    /// Asks the clinic's feed for a newer version than this build.
    ///
    /// # Errors
    /// Storage failures reading the setting; an [`UpdateCheck::Failed`] is not an error.
    pub async fn check(&self, settings: &Settings) -> Result<UpdateStatus, AppError> {
        let feed = settings.config_get(Setting::UpdateFeed).await?;
        let check = match (&feed, &self.key) {
            (None, _) => UpdateCheck::Off {
                reason: "no update feed is set: enter the address of the clinic's latest.json".to_owned(),
            },
            (Some(_), None) => UpdateCheck::Off {
                reason: "this build of Frontdesk was made without an update key, so it cannot check \
                         updates; install new versions by hand"
                    .to_owned(),
            },
            (Some(feed), Some(_)) => match self.find(feed).await {
                Ok(Some(update)) => UpdateCheck::Available { version: update.version, notes: update.body },
                Ok(None) => UpdateCheck::UpToDate,
                Err(e) => UpdateCheck::Failed { reason: e.message },
            },
        };
        Ok(UpdateStatus { current: self.current.clone(), feed, check })
    }

    /// The update the feed at `feed` offers, if it is newer than this build.
    ///
    /// # Errors
    /// An unreadable feed (`unavailable`), an address the updater refuses (`validation`).
    pub async fn find(&self, feed: &str) -> Result<Option<Update>, AppError> {
        let url = tauri::Url::parse(feed).map_err(|_| {
            AppError::new(ErrorKind::Validation, "the update feed is not a web address")
                .on(Setting::UpdateFeed.as_str())
        })?;
        let updater = (self.updater)()
            .endpoints(vec![url])
            .and_then(|b| b.timeout(TIMEOUT).build())
            .map_err(|e| explain(e, None))?;
        updater.check().await.map_err(|e| explain(e, None))
    }

    /// Downloads, verifies and installs `update`, then restarts the app into it (on Windows the
    /// installer closes the app and starts the new one).
    ///
    /// # Errors
    /// As [`download_verified`]; the platform's installer refusing (`internal`, logged).
    pub async fn install(&self, update: &Update) -> Result<(), AppError> {
        let package = download_verified(update).await?;
        tracing::info!(version = %update.version, "installing the verified update");
        update.install(&package).map_err(|e| explain(e, Some(&update.version)))?;
        (self.restart)();
        Ok(())
    }
}

/// Downloads `update`'s package and checks its signature against this build's update key and
/// the version the feed announced. Returns the package only when it verifies.
///
/// # Errors
/// `conflict` when the package does not verify (changed after signing, signed with another key,
/// or for another version): nothing is installed; `unavailable` when it cannot be downloaded.
pub async fn download_verified(update: &Update) -> Result<Vec<u8>, AppError> {
    update.download(|_, _| {}, || {}).await.map_err(|e| explain(e, Some(&update.version)))
}

/// The updater's error, for the admin: what happened and what to do.
fn explain(e: UpdaterError, version: Option<&str>) -> AppError {
    let named = version.map(|v| format!("Frontdesk {v}")).unwrap_or_else(|| "the update".to_owned());
    match e {
        UpdaterError::Minisign(_)
        | UpdaterError::Base64(_)
        | UpdaterError::SignatureUtf8(_)
        | UpdaterError::MissingSignedVersion => {
            tracing::warn!(error = %e, "an update was refused: its signature does not verify");
            AppError::new(
                ErrorKind::Conflict,
                format!(
                    "{named} was refused: its package does not match its signature with this build's \
                     update key (it was changed after signing, or signed with another key). Nothing was \
                     installed; tell whoever hosts the clinic's update feed"
                ),
            )
        }
        UpdaterError::SignedVersionMismatch { signed, announced } => {
            tracing::warn!(%signed, %announced, "an update was refused: signed for another version");
            AppError::new(
                ErrorKind::Conflict,
                format!(
                    "Frontdesk {announced} was refused: its package was signed as version {signed}, not \
                     {announced}, so the feed was changed. Nothing was installed; tell whoever hosts the \
                     clinic's update feed"
                ),
            )
        }
        UpdaterError::InsecureTransportProtocol => AppError::new(
            ErrorKind::Validation,
            "the update feed must be an https:// address",
        )
        .on(Setting::UpdateFeed.as_str()),
        UpdaterError::Reqwest(_)
        | UpdaterError::Network(_)
        | UpdaterError::ReleaseNotFound
        | UpdaterError::Serialization(_)
        | UpdaterError::TargetNotFound(_)
        | UpdaterError::TargetsNotFound(_) => AppError::new(
            ErrorKind::Unavailable,
            format!("{named} could not be fetched from the update feed ({e}); check the feed's address and try again"),
        ),
        other => {
            tracing::error!(error = %other, "the update could not be installed");
            AppError::new(ErrorKind::Internal, format!("{named} could not be installed: {other}"))
        }
    }
}
