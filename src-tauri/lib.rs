//! The Frontdesk desktop app: a thin Tauri shell over `frontdesk-core`.
//!
//! It wires state (the store), plugins and commands; each command checks the caller, calls the
//! core, and maps the error to `{ kind, message }`. No domain rule lives here.

pub mod commands;
pub mod error;

use tauri::{Manager, Runtime};

use frontdesk_core::Store;

/// The store, or why it could not be opened (shown by every command instead of crashing).
pub struct AppState {
    pub store: Result<Store, error::AppError>,
}

/// The app's builder, generic over the runtime so that tests can run it on Tauri's mock runtime.
pub fn builder<R: Runtime>() -> tauri::Builder<R> {
    tauri::Builder::<R>::new()
        .setup(|app| {
            let store = match Manager::path(app.handle()).app_data_dir() {
                Ok(dir) => tauri::async_runtime::block_on(Store::open(&dir)).map_err(error::AppError::from),
                Err(e) => Err(error::AppError::setup(format!("this system has no data folder ({e})"))),
            };
            app.manage(AppState { store });
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![commands::day_view])
}

/// Runs the app.
pub fn run() {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_max_level(tracing_subscriber::filter::LevelFilter::INFO)
        .init();
    if let Err(e) = builder::<tauri::Wry>().run(tauri::generate_context!()) {
        eprintln!("Frontdesk could not start: {e}");
        std::process::exit(1);
    }
}
