//! The Frontdesk desktop app: a thin Tauri shell over `frontdesk-core`.
//!
//! It wires state (the store, the session, the clock), plugins and commands; each command
//! checks the caller's role with the session, calls the core, and maps the error to
//! `{ kind, message, field }`. No domain rule lives here.

pub mod commands;
pub mod deep_link;
pub mod error;
pub mod session;

include!("command_names.rs");

use std::path::PathBuf;
use std::sync::Arc;

use frontdesk_core::paths::{default_data_dir, DATA_DIR_ENV};
use frontdesk_core::{Clock, Store, SystemClock};
use tauri::{Emitter, Manager, Runtime};

use crate::deep_link::DeepLink;
use crate::error::AppError;
use crate::session::Session;

/// Managed state: a few cheap handles, no lock around everything.
pub struct AppState {
    /// The store, or why it could not be opened (every command shows that instead of crashing).
    pub store: Result<Store, AppError>,
    pub session: Session,
}

/// Where the app keeps its data and which clock it reads.
pub struct AppConfig {
    /// The data folder; `None` uses the platform's app data folder.
    pub data_dir: Option<PathBuf>,
    pub clock: Arc<dyn Clock>,
}

impl AppConfig {
    /// The data folder from `FRONTDESK_DATA_DIR` if set (as for the command-line twin), and the
    /// system clock.
    pub fn from_env() -> AppConfig {
        AppConfig {
            data_dir: std::env::var_os(DATA_DIR_ENV).map(PathBuf::from),
            clock: Arc::new(SystemClock),
        }
    }
}

/// The typed command list: the invoke handler and the generated TypeScript come from it.
pub fn specta_builder<R: Runtime>() -> tauri_specta::Builder<R> {
    use commands::{auth, directory, schedule, startup};
    tauri_specta::Builder::<R>::new()
        .commands(tauri_specta::collect_commands![
            auth::app_status,
            auth::first_run,
            auth::sign_in,
            auth::sign_out,
            schedule::schedule,
            schedule::appointment,
            schedule::book,
            schedule::move_appointment,
            schedule::cancel_appointment,
            schedule::set_status,
            directory::find_patients,
            directory::add_patient,
            directory::update_patient,
            directory::list_types,
            directory::add_type,
            directory::update_type,
            directory::list_staff,
            directory::list_all_staff,
            directory::add_staff,
            directory::update_staff,
            directory::clinic_settings,
            directory::update_settings,
            startup::ui_painted,
        ])
        .typ::<DeepLink>()
        .error_handling(tauri_specta::ErrorHandlingMode::Throw)
        .dangerously_cast_bigints_to_number()
        .disable_serde_phases()
}

/// Writes the TypeScript bindings for the commands and their types.
///
/// # Errors
/// When the file cannot be written.
pub fn export_bindings(path: &std::path::Path) -> Result<(), String> {
    specta_builder::<tauri::Wry>()
        .export(
            specta_typescript::Typescript::default()
                .header("// Generated from the Rust types by `scripts/bindings`. Do not edit.\n"),
            path,
        )
        .map_err(|e| e.to_string())
}

/// Adds the app's state and commands to `base`: generic over the runtime so that tests can pass
/// Tauri's mock builder. Plugins that need a real desktop session are added by [`run`].
///
/// The store is opened here, before the window exists, so that the first command never waits.
/// The data folder is the same one Tauri's `app_data_dir` gives (a test checks the identifier).
pub fn builder<R: Runtime>(base: tauri::Builder<R>, config: AppConfig) -> tauri::Builder<R> {
    let store = match config.data_dir.or_else(default_data_dir) {
        Some(dir) => tauri::async_runtime::block_on(Store::open_with_clock(&dir, config.clock.clone()))
            .map_err(AppError::from),
        None => Err(AppError::setup("this system has no data folder; set FRONTDESK_DATA_DIR")),
    };
    base.manage(AppState { store, session: Session::new(config.clock) })
        .invoke_handler(specta_builder::<R>().invoke_handler())
}

/// Runs the app.
pub fn run() {
    commands::startup::mark_start();
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_max_level(tracing_subscriber::filter::LevelFilter::INFO)
        .init();
    let app = builder(tauri::Builder::<tauri::Wry>::new(), AppConfig::from_env())
        // First: a second launch hands its arguments (deep links) to this one and focuses it.
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            if let Some(window) = app.get_webview_window("main") {
                let _ = window.unminimize();
                let _ = window.set_focus();
            }
        }))
        .plugin(tauri_plugin_deep_link::init())
        .setup(|app| {
            use tauri_plugin_deep_link::DeepLinkExt;
            let handle = app.handle().clone();
            app.deep_link().on_open_url(move |event| {
                for url in event.urls() {
                    match DeepLink::parse(url.as_str()) {
                        Ok(link) => {
                            let _ = handle.emit("deep-link", link);
                        }
                        Err(refused) => tracing::warn!(%refused, "deep link refused"),
                    }
                }
            });
            Ok(())
        });
    if let Err(e) = app.run(tauri::generate_context!()) {
        eprintln!("Frontdesk could not start: {e}");
        std::process::exit(1);
    }
}
