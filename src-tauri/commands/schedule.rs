//! The calendar: reading days and weeks, booking, moving, cancelling, status changes.
//!
//! A change to a telehealth appointment queues its meeting in the same transaction (the core
//! does that); the command then wakes the outbox worker so that the meeting goes at once.

use chrono::{NaiveDate, Utc};
use frontdesk_core::hours::FreeSlot;
use frontdesk_core::store::{FreeSlotQuery, WorkingTime};
use frontdesk_core::time::{self, Fold, LocalTime};
use frontdesk_core::views::DaySheet;
use frontdesk_core::{
    Action, Actor, Appointment, AppointmentDetail, AppointmentId, BookingRequest, Clinic, Field, PatientId,
    Reschedule, StaffId, Status, TypeId,
};
use serde::Deserialize;
use tauri::State;

use super::store;
use crate::error::AppError;
use crate::AppState;

/// A wall time as the booking dialog sends it: `YYYY-MM-DDTHH:MM` in `tz` (the clinic's zone
/// when absent), with the choice for a time that happens twice.
#[derive(Debug, Deserialize, specta::Type)]
pub struct WallTime {
    pub at: String,
    pub tz: Option<String>,
    pub fold: Option<Fold>,
}

#[derive(Debug, Deserialize, specta::Type)]
pub struct BookInput {
    pub patient_id: PatientId,
    pub doctor_id: StaffId,
    pub type_id: TypeId,
    pub start: WallTime,
    pub allow_overlap: bool,
    /// Staff confirmed the visit outside the doctor's working hours (false when absent).
    #[serde(default)]
    pub allow_outside_hours: bool,
    pub topic: Option<String>,
    pub description: Option<String>,
}

async fn local(state: &State<'_, AppState>, wall: &WallTime) -> Result<LocalTime, AppError> {
    let tz = match &wall.tz {
        Some(z) => time::parse_zone(z)?,
        None => store(state)?.require_clinic().await?.tz,
    };
    Ok(LocalTime { at: time::parse_local(Field::START, &wall.at)?, tz, fold: wall.fold })
}

/// `days` local days (1 for the day view, 7 for the week) from `date` (today when absent), in
/// the clinic's zone, with one column per doctor, as the signed-in person may see them.
#[tauri::command]
#[specta::specta]
pub async fn schedule(
    state: State<'_, AppState>,
    date: Option<String>,
    days: u32,
) -> Result<DaySheet, AppError> {
    let reader = Actor::staff(&state.require(Action::Read).await?);
    let store = store(&state)?;
    let clinic = store.require_clinic().await?;
    let date = shown_date(&clinic, date)?;
    Ok(store.day_sheet(&reader, &clinic, date, days, clinic.tz, None).await?)
}

/// The first shown day: `date` (`YYYY-MM-DD`), or today in the clinic's zone.
fn shown_date(clinic: &Clinic, date: Option<String>) -> Result<NaiveDate, AppError> {
    Ok(match date {
        Some(d) => time::parse_date(Field::new("date", "date"), &d)?,
        None => time::today_in(clinic.tz, Utc::now()),
    })
}

/// When each doctor works over the same days as [`schedule`] (the calendar shades the rest of
/// their column and marks days off), and where the day view opens.
#[tauri::command]
#[specta::specta]
pub async fn working_time(
    state: State<'_, AppState>,
    date: Option<String>,
    days: u32,
) -> Result<WorkingTime, AppError> {
    state.require(Action::Read).await?;
    let store = store(&state)?;
    let date = shown_date(&store.require_clinic().await?, date)?;
    Ok(store.working_time(date, days, None).await?)
}

/// The first free slots for a type of visit, with one doctor or any (the booking dialog's
/// "First available"): within working hours, clear of every active visit, never in the past.
#[tauri::command]
#[specta::specta]
pub async fn free_slots(state: State<'_, AppState>, query: FreeSlotQuery) -> Result<Vec<FreeSlot>, AppError> {
    state.require(Action::Book).await?;
    Ok(store(&state)?.free_slots(&query).await?)
}

/// One appointment with its history, for the side panel. Opening it is audited (once per person
/// and appointment in five minutes).
#[tauri::command]
#[specta::specta]
pub async fn appointment(
    state: State<'_, AppState>,
    id: AppointmentId,
) -> Result<AppointmentDetail, AppError> {
    let actor = state.actor().await?;
    Ok(store(&state)?.view_appointment(&actor, id).await?)
}

/// Says that the day sheet of `date` (every doctor, or one) is being printed, as the print
/// dialog opens: audited with the date and the number of appointments, no names.
#[tauri::command]
#[specta::specta]
pub async fn day_sheet_printed(
    state: State<'_, AppState>,
    date: String,
    doctor_id: Option<StaffId>,
) -> Result<(), AppError> {
    let actor = state.actor().await?;
    let store = store(&state)?;
    let clinic = store.require_clinic().await?;
    let date = time::parse_date(Field::new("date", "date"), &date)?;
    store.day_sheet_printed(&actor, &clinic, date, doctor_id).await?;
    Ok(())
}

#[tauri::command]
#[specta::specta]
pub async fn book(state: State<'_, AppState>, input: BookInput) -> Result<Appointment, AppError> {
    let actor = state.actor().await?;
    let request = BookingRequest {
        patient_id: input.patient_id,
        doctor_id: input.doctor_id,
        type_id: input.type_id,
        start: local(&state, &input.start).await?,
        allow_overlap: input.allow_overlap,
        allow_outside_hours: input.allow_outside_hours,
        topic: input.topic,
        description: input.description,
    };
    let booked = store(&state)?.book(&actor, &request).await?;
    state.wake_outbox();
    Ok(booked)
}

#[tauri::command]
#[specta::specta]
pub async fn move_appointment(
    state: State<'_, AppState>,
    id: AppointmentId,
    start: WallTime,
    allow_overlap: bool,
    allow_outside_hours: bool,
) -> Result<Appointment, AppError> {
    let actor = state.actor().await?;
    let to = local(&state, &start).await?;
    let moved = store(&state)?.move_appointment(&actor, id, to, allow_overlap, allow_outside_hours).await?;
    state.wake_outbox();
    Ok(moved)
}

/// A visit's new day and time, doctor and type, as the booking dialog sends a reschedule.
#[derive(Debug, Deserialize, specta::Type)]
pub struct RescheduleInput {
    pub doctor_id: StaffId,
    pub type_id: TypeId,
    pub start: WallTime,
    pub allow_overlap: bool,
    pub allow_outside_hours: bool,
}

/// Reschedules a visit from the booking dialog: one change, its meeting and e-mail following.
#[tauri::command]
#[specta::specta]
pub async fn reschedule(
    state: State<'_, AppState>,
    id: AppointmentId,
    change: RescheduleInput,
) -> Result<Appointment, AppError> {
    let actor = state.actor().await?;
    let change = Reschedule {
        to: local(&state, &change.start).await?,
        doctor_id: Some(change.doctor_id),
        type_id: Some(change.type_id),
        allow_overlap: change.allow_overlap,
        allow_outside_hours: change.allow_outside_hours,
    };
    let moved = store(&state)?.reschedule(&actor, id, &change).await?;
    state.wake_outbox();
    Ok(moved)
}

/// Undoes the signed-in person's last change to a visit, within two minutes (the desk's
/// "Booked — Undo").
#[tauri::command]
#[specta::specta]
pub async fn undo(state: State<'_, AppState>, id: AppointmentId) -> Result<Appointment, AppError> {
    let actor = state.actor().await?;
    let undone = store(&state)?.undo(&actor, id).await?;
    state.wake_outbox();
    Ok(undone)
}

#[tauri::command]
#[specta::specta]
pub async fn cancel_appointment(
    state: State<'_, AppState>,
    id: AppointmentId,
    reason: String,
) -> Result<Appointment, AppError> {
    let actor = state.actor().await?;
    let cancelled = store(&state)?.cancel(&actor, id, &reason).await?;
    state.wake_outbox();
    Ok(cancelled)
}

/// Check in, start, complete, no-show, undo check-in. Doctors may change only their own visits.
#[tauri::command]
#[specta::specta]
pub async fn set_status(
    state: State<'_, AppState>,
    id: AppointmentId,
    status: Status,
) -> Result<Appointment, AppError> {
    let actor = state.actor().await?;
    Ok(store(&state)?.set_status(&actor, id, status).await?)
}
