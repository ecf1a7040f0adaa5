//! Patients, staff, appointment types and clinic settings.

use frontdesk_core::store::{ClinicSettings, Found, NewPatient, PatientVisits, SignInHold, StaffUpdate};
use frontdesk_core::{Action, AppointmentType, Clinic, Mode, Patient, PatientId, Staff, StaffId, TypeId};
use tauri::State;

use super::store;
use crate::error::AppError;
use crate::AppState;

#[tauri::command]
#[specta::specta]
pub async fn find_patients(state: State<'_, AppState>, text: String) -> Result<Vec<Patient>, AppError> {
    let actor = state.actor().await?;
    Ok(store(&state)?.find_patients(&actor, &text).await?)
}

/// One patient's record, for the patient form. Opening it is audited (once per person and
/// patient in five minutes).
#[tauri::command]
#[specta::specta]
pub async fn patient(state: State<'_, AppState>, id: PatientId) -> Result<Patient, AppError> {
    let actor = state.actor().await?;
    Ok(store(&state)?.view_patient(&actor, id).await?)
}

/// The desk's one search (`/`): the patients the text finds (name, phone, e-mail, date of birth),
/// each with their next and last visit, as the signed-in person may see them.
#[tauri::command]
#[specta::specta]
pub async fn find(state: State<'_, AppState>, text: String) -> Result<Found, AppError> {
    let actor = state.actor().await?;
    Ok(store(&state)?.find(&actor, &text).await?)
}

/// One patient's visits, upcoming and past, for their record. Opening them is audited as opening
/// the record (once per person and patient in five minutes).
#[tauri::command]
#[specta::specta]
pub async fn patient_visits(state: State<'_, AppState>, id: PatientId) -> Result<PatientVisits, AppError> {
    let actor = state.actor().await?;
    Ok(store(&state)?.view_patient_visits(&actor, id).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn add_patient(state: State<'_, AppState>, patient: NewPatient) -> Result<Patient, AppError> {
    let actor = state.actor().await?;
    Ok(store(&state)?.add_patient(&actor, &patient).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn update_patient(
    state: State<'_, AppState>,
    id: PatientId,
    patient: NewPatient,
) -> Result<Patient, AppError> {
    let actor = state.actor().await?;
    Ok(store(&state)?.update_patient(&actor, id, &patient).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn list_types(state: State<'_, AppState>) -> Result<Vec<AppointmentType>, AppError> {
    state.require(Action::Read).await?;
    Ok(store(&state)?.list_types().await?)
}

#[tauri::command]
#[specta::specta]
pub async fn add_type(
    state: State<'_, AppState>,
    name: String,
    minutes: i64,
    mode: Mode,
) -> Result<AppointmentType, AppError> {
    let actor = state.actor().await?;
    Ok(store(&state)?.add_type(&actor, &name, minutes, mode).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn update_type(
    state: State<'_, AppState>,
    id: TypeId,
    name: String,
    minutes: i64,
    mode: Mode,
) -> Result<AppointmentType, AppError> {
    let actor = state.actor().await?;
    Ok(store(&state)?.update_type(&actor, id, &name, minutes, mode).await?)
}

/// Active staff (the calendar's columns and the booking dialog's doctors).
#[tauri::command]
#[specta::specta]
pub async fn list_staff(state: State<'_, AppState>) -> Result<Vec<Staff>, AppError> {
    state.require(Action::Read).await?;
    Ok(store(&state)?.list_staff().await?)
}

/// All staff, active or not (the admin's staff screen).
#[tauri::command]
#[specta::specta]
pub async fn list_all_staff(state: State<'_, AppState>) -> Result<Vec<Staff>, AppError> {
    state.require(Action::Administer).await?;
    Ok(store(&state)?.list_all_staff().await?)
}

#[tauri::command]
#[specta::specta]
pub async fn add_staff(state: State<'_, AppState>, staff: StaffUpdate) -> Result<Staff, AppError> {
    let actor = state.actor().await?;
    Ok(store(&state)?.add_staff(&actor, &staff.name, staff.role, staff.pin.as_deref()).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn update_staff(
    state: State<'_, AppState>,
    id: StaffId,
    staff: StaffUpdate,
) -> Result<Staff, AppError> {
    let actor = state.actor().await?;
    Ok(store(&state)?.update_staff(&actor, id, &staff).await?)
}

/// Whose sign-in is locked, or paused now, after too many wrong PINs (the admin's staff screen).
#[tauri::command]
#[specta::specta]
pub async fn sign_in_holds(state: State<'_, AppState>) -> Result<Vec<SignInHold>, AppError> {
    state.require(Action::Administer).await?;
    Ok(store(&state)?.sign_in_holds().await?)
}

/// Lifts a lock or a pause of someone's sign-in (admins).
#[tauri::command]
#[specta::specta]
pub async fn unlock_staff(state: State<'_, AppState>, id: StaffId) -> Result<Staff, AppError> {
    let actor = state.actor().await?;
    Ok(store(&state)?.unlock_staff(&actor, id).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn clinic_settings(state: State<'_, AppState>) -> Result<Clinic, AppError> {
    state.require(Action::Read).await?;
    Ok(store(&state)?.require_clinic().await?)
}

/// Minutes before a visit that its doctor is reminded (the admin's settings screen).
#[tauri::command]
#[specta::specta]
pub async fn reminder_minutes(state: State<'_, AppState>) -> Result<i64, AppError> {
    state.require(Action::Administer).await?;
    Ok(store(&state)?.reminder_minutes().await?)
}

/// Sets the minutes before a visit that its doctor is reminded (1 to 240).
#[tauri::command]
#[specta::specta]
pub async fn set_reminder_minutes(state: State<'_, AppState>, minutes: i64) -> Result<i64, AppError> {
    let actor = state.actor().await?;
    let store = store(&state)?;
    store.set_reminder_minutes(&actor, minutes).await?;
    Ok(store.reminder_minutes().await?)
}

/// How many days after today each desk's read copy of the clinic's server holds (the admin's
/// settings screen).
#[tauri::command]
#[specta::specta]
pub async fn copy_days(state: State<'_, AppState>) -> Result<i64, AppError> {
    state.require(Action::Administer).await?;
    Ok(store(&state)?.copy_days().await?)
}

/// Sets how many days after today each desk's read copy holds (1 to 60).
#[tauri::command]
#[specta::specta]
pub async fn set_copy_days(state: State<'_, AppState>, days: i64) -> Result<i64, AppError> {
    let actor = state.actor().await?;
    let store = store(&state)?;
    store.set_copy_days(&actor, days).await?;
    Ok(store.copy_days().await?)
}

#[tauri::command]
#[specta::specta]
pub async fn update_settings(
    state: State<'_, AppState>,
    settings: ClinicSettings,
) -> Result<Clinic, AppError> {
    let actor = state.actor().await?;
    let clinic = store(&state)?.update_clinic(&actor, &settings).await?;
    state.session.set_lock_minutes(clinic.lock_minutes);
    Ok(clinic)
}
