//! Bench builds only (`--features bench`, `scripts/bench`): the window's own timing marks reach
//! the log. The UI of a bench build (`VITE_FRONTDESK_BENCH=1`, `ui/src/bench.ts`) times each
//! interaction on its `performance` clock, from the input event to the frame painted after the
//! change, and emits it as a `bench-mark` event; this prints each one for `tests/bench/` to read.
//! A shipped build has neither half: no listener, no grant, no probe in its UI.

use tauri::ipc::CapabilityBuilder;
use tauri::{AppHandle, Listener, Manager, Runtime};

/// The event the bench build's UI sends, one per measured interaction (JSON: name, ms, ...).
pub const MARK_EVENT: &str = "bench-mark";

/// Lets the main window emit the marks (the shipped capability grants it no event emission) and
/// prints each as `frontdesk: bench {json}` on stderr.
///
/// # Errors
/// When the grant cannot be added to the window's permissions.
pub fn start<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<()> {
    app.add_capability(
        CapabilityBuilder::new("bench-marks").window("main").permission("core:event:allow-emit"),
    )?;
    app.listen_any(MARK_EVENT, |event| eprintln!("frontdesk: bench {}", event.payload()));
    Ok(())
}
