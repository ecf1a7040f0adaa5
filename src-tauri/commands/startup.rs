//! Start-up timing: the window says when it has painted a screen, and the time since the process
//! started goes to the log (how long a receptionist waited), which the start-up benchmark reads.

use std::sync::OnceLock;
use std::time::Instant;

use crate::error::AppError;

static STARTED: OnceLock<Instant> = OnceLock::new();

/// Marks the process start; called first thing in `run()`.
pub fn mark_start() {
    STARTED.get_or_init(Instant::now);
}

/// The window painted `screen` (`signin` or `day`) for the first time.
#[tauri::command]
#[specta::specta]
pub async fn ui_painted(screen: String) -> Result<(), AppError> {
    let screen: String = screen.chars().filter(char::is_ascii_alphanumeric).take(20).collect();
    let ms = STARTED.get().map(|t| t.elapsed().as_millis()).unwrap_or_default();
    tracing::info!(%screen, ms, "screen painted");
    eprintln!("frontdesk: painted {screen} after {ms} ms");
    Ok(())
}
