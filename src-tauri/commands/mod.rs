//! The commands the window may call. Each is a few lines: ask who acts (`AppState::actor`, or
//! `AppState::require` with the core's `Action` for a read), call one core function, map the
//! error. Grouped by screen.

pub mod accounts;
pub mod audit;
pub mod auth;
pub mod directory;
pub mod hours;
pub mod mail;
pub mod mail_texts;
pub mod meetings;
pub mod schedule;
pub mod startup;
pub mod updates;

use frontdesk_core::Store;
use tauri::State;

use crate::error::AppError;
use crate::AppState;

/// The store, or why it could not be opened.
fn store<'a>(state: &'a State<'_, AppState>) -> Result<&'a Store, AppError> {
    state.store.as_ref().map_err(Clone::clone)
}
