//! The commands the window may call. Each is a few lines: get the store, call the core, map the error.

use chrono::Utc;
use frontdesk_core::time;
use frontdesk_core::views::DaySheet;
use tauri::State;

use crate::error::AppError;
use crate::AppState;

/// The day sheet of one local day in the clinic's zone (`date` as YYYY-MM-DD; today when absent).
#[tauri::command]
pub async fn day_view(state: State<'_, AppState>, date: Option<String>) -> Result<DaySheet, AppError> {
    let store = state.store.as_ref().map_err(Clone::clone)?;
    let clinic = store.require_clinic().await?;
    let date = match date {
        Some(d) => time::parse_date("date", &d)?,
        None => time::today_in(clinic.tz, Utc::now()),
    };
    Ok(store.day_sheet(&clinic, date, 1, clinic.tz, None).await?)
}
