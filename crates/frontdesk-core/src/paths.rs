//! Where Frontdesk keeps its data. The app and the command-line twin use the same folder.

use std::path::PathBuf;

/// The app's identifier: the Tauri bundle identifier, and the data folder's name.
/// A test checks that `tauri.conf.json` says the same.
pub const APP_IDENTIFIER: &str = "app.frontdesk.desk";

/// The database file's name inside the data folder.
pub const DATABASE_FILE: &str = "frontdesk.db";

/// The environment variable that overrides the data folder.
pub const DATA_DIR_ENV: &str = "FRONTDESK_DATA_DIR";

/// The environment variable that names the clinic's server (a `postgres://` address); without
/// it, the schedule is the SQLite file in the data folder.
pub const DATABASE_URL_ENV: &str = "FRONTDESK_DATABASE_URL";

/// The app's data folder: the platform's data directory plus [`APP_IDENTIFIER`] (the same folder
/// that Tauri's `app_data_dir` gives: `~/.local/share/...` on Linux, `~/Library/Application
/// Support/...` on macOS, `%APPDATA%\...` on Windows). `None` when the platform has none.
pub fn default_data_dir() -> Option<PathBuf> {
    dirs::data_dir().map(|d| d.join(APP_IDENTIFIER))
}

/// The app's log folder: where Tauri's `app_log_dir` puts it (`%LOCALAPPDATA%\...\logs` on
/// Windows, `~/Library/Logs/...` on macOS, `~/.local/share/.../logs` on Linux), or the `logs`
/// folder inside `data_dir` when the data folder was chosen (`FRONTDESK_DATA_DIR`), so that a
/// chosen folder holds everything. `None` when the platform has none.
pub fn log_dir(data_dir: Option<&std::path::Path>) -> Option<PathBuf> {
    if let Some(dir) = data_dir {
        return Some(dir.join("logs"));
    }
    if cfg!(target_os = "macos") {
        return dirs::home_dir().map(|home| home.join("Library/Logs").join(APP_IDENTIFIER));
    }
    dirs::data_local_dir().map(|d| d.join(APP_IDENTIFIER).join("logs"))
}
