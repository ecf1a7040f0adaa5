//! The admins' hours screen: the clinic's opening hours, each doctor's weeks from a date, and
//! the exceptions (days off, the clinic's holidays, extra hours). The core checks, audits and
//! refuses; a week comes as each weekday's text (`09:00-12:00, 13:00-17:00`), parsed by the
//! core, whose refusal names the weekday's field.

use frontdesk_core::hours::{self, Block, Day, ExceptionKind, Hours, HoursException, WeekHours};
use frontdesk_core::store::NewException;
use frontdesk_core::{time, Action, Field, StaffId};
use serde::Deserialize;
use tauri::State;

use super::store;
use crate::error::AppError;
use crate::AppState;

/// One weekday's hours as typed: blocks separated by commas, blank when not worked.
#[derive(Debug, Deserialize, specta::Type)]
pub struct DayText {
    pub day: Day,
    pub text: String,
}

/// A day off, a holiday or extra hours as the form sends it.
#[derive(Debug, Deserialize, specta::Type)]
pub struct ExceptionInput {
    /// The doctor; `None` for the whole clinic (a holiday).
    pub doctor_id: Option<StaffId>,
    pub kind: ExceptionKind,
    /// `YYYY-MM-DD`.
    pub date: String,
    /// The last day off, `YYYY-MM-DD` (the first when blank).
    pub to: Option<String>,
    /// Extra hours, `HH:MM-HH:MM`.
    pub hours: Option<String>,
    pub label: Option<String>,
}

fn week(days: &[DayText]) -> Result<WeekHours, AppError> {
    Ok(hours::parse_week(days.iter().map(|d| (d.day, d.text.as_str())))?)
}

fn date(key: &'static str, text: &str) -> Result<chrono::NaiveDate, AppError> {
    Ok(time::parse_date(Field::new(key, key), text)?)
}

/// Every hour entered (the screen's lists and its forms' starting values). Reading them is
/// anyone's, as on the command line; entering them is the admins' (the core checks).
#[tauri::command]
#[specta::specta]
pub async fn hours(state: State<'_, AppState>) -> Result<Hours, AppError> {
    state.require(Action::Read).await?;
    Ok(store(&state)?.hours().await?)
}

/// Sets the clinic's opening hours for the whole week (a weekday left blank is closed).
#[tauri::command]
#[specta::specta]
pub async fn set_clinic_hours(state: State<'_, AppState>, week: Vec<DayText>) -> Result<Hours, AppError> {
    let actor = state.actor().await?;
    Ok(store(&state)?.set_clinic_hours(&actor, &self::week(&week)?).await?)
}

/// Removes the clinic's opening hours: open at all hours.
#[tauri::command]
#[specta::specta]
pub async fn clear_clinic_hours(state: State<'_, AppState>) -> Result<Hours, AppError> {
    let actor = state.actor().await?;
    Ok(store(&state)?.clear_clinic_hours(&actor).await?)
}

/// Sets a doctor's weekly hours from `from` (`YYYY-MM-DD`) on.
#[tauri::command]
#[specta::specta]
pub async fn set_doctor_hours(
    state: State<'_, AppState>,
    doctor_id: StaffId,
    from: String,
    week: Vec<DayText>,
) -> Result<Hours, AppError> {
    let actor = state.actor().await?;
    let (from, week) = (date("from", &from)?, self::week(&week)?);
    Ok(store(&state)?.set_doctor_hours(&actor, doctor_id, from, &week).await?)
}

/// Removes the doctor's weekly hours that start on `from`.
#[tauri::command]
#[specta::specta]
pub async fn remove_doctor_hours(
    state: State<'_, AppState>,
    doctor_id: StaffId,
    from: String,
) -> Result<Hours, AppError> {
    let actor = state.actor().await?;
    Ok(store(&state)?.remove_doctor_hours(&actor, doctor_id, date("from", &from)?).await?)
}

/// Adds a day off (or several), a clinic holiday, or a doctor's extra hours on one day.
#[tauri::command]
#[specta::specta]
pub async fn add_hours_exception(
    state: State<'_, AppState>,
    exception: ExceptionInput,
) -> Result<HoursException, AppError> {
    let actor = state.actor().await?;
    let filled =
        |t: &Option<String>| t.as_deref().map(str::trim).filter(|t| !t.is_empty()).map(str::to_owned);
    let new = NewException {
        doctor_id: exception.doctor_id,
        kind: exception.kind,
        first_day: date("date", &exception.date)?,
        last_day: filled(&exception.to).map(|t| date("to", &t)).transpose()?,
        block: filled(&exception.hours).map(|t| Block::parse(&t)).transpose()?,
        label: exception.label,
    };
    Ok(store(&state)?.add_hours_exception(&actor, &new).await?)
}

/// Removes a day off, holiday or extra hours by its id.
#[tauri::command]
#[specta::specta]
pub async fn remove_hours_exception(state: State<'_, AppState>, id: i64) -> Result<HoursException, AppError> {
    let actor = state.actor().await?;
    Ok(store(&state)?.remove_hours_exception(&actor, id).await?)
}
