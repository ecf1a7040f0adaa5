//! Patients, staff, appointment types and clinic settings.

use frontdesk_core::store::{ClinicSettings, NewPatient, StaffUpdate};
use frontdesk_core::{
    Actor, AppointmentType, Clinic, Mode, Patient, PatientId, Staff, StaffId, Store, TypeId,
};
use serde_json::{json, Value};
use tauri::State;

use super::store;
use crate::error::AppError;
use crate::session::{ADMIN, ANYONE, DESK};
use crate::AppState;

#[tauri::command]
#[specta::specta]
pub async fn find_patients(state: State<'_, AppState>, text: String) -> Result<Vec<Patient>, AppError> {
    state.session.require(ANYONE)?;
    Ok(store(&state)?.find_patients(&text).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn add_patient(state: State<'_, AppState>, patient: NewPatient) -> Result<Patient, AppError> {
    state.session.require(DESK)?;
    Ok(store(&state)?.add_patient(&patient).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn update_patient(
    state: State<'_, AppState>,
    id: PatientId,
    patient: NewPatient,
) -> Result<Patient, AppError> {
    state.session.require(DESK)?;
    Ok(store(&state)?.update_patient(id, &patient).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn list_types(state: State<'_, AppState>) -> Result<Vec<AppointmentType>, AppError> {
    state.session.require(ANYONE)?;
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
    let (_, actor) = state.session.require(ADMIN)?;
    let store = store(&state)?;
    let added = store.add_type(&name, minutes, mode).await?;
    audit(
        store,
        &actor,
        "type_added",
        json!({ "type_id": added.id, "name": added.name, "minutes": added.minutes, "mode": added.mode }),
    )
    .await?;
    Ok(added)
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
    let (_, actor) = state.session.require(ADMIN)?;
    let store = store(&state)?;
    let changed = store.update_type(id, &name, minutes, mode).await?;
    audit(
        store,
        &actor,
        "type_changed",
        json!({ "type_id": id, "name": changed.name, "minutes": changed.minutes, "mode": changed.mode }),
    )
    .await?;
    Ok(changed)
}

/// Active staff (the calendar's columns and the booking dialog's doctors).
#[tauri::command]
#[specta::specta]
pub async fn list_staff(state: State<'_, AppState>) -> Result<Vec<Staff>, AppError> {
    state.session.require(ANYONE)?;
    Ok(store(&state)?.list_staff().await?)
}

/// All staff, active or not (the admin's staff screen).
#[tauri::command]
#[specta::specta]
pub async fn list_all_staff(state: State<'_, AppState>) -> Result<Vec<Staff>, AppError> {
    state.session.require(ADMIN)?;
    Ok(store(&state)?.list_all_staff().await?)
}

#[tauri::command]
#[specta::specta]
pub async fn add_staff(state: State<'_, AppState>, staff: StaffUpdate) -> Result<Staff, AppError> {
    let (_, actor) = state.session.require(ADMIN)?;
    let store = store(&state)?;
    let added = store.add_staff(&staff.name, staff.role, staff.pin.as_deref()).await?;
    audit(store, &actor, "staff_added", staff_detail(&added, staff.pin.is_some())).await?;
    Ok(added)
}

#[tauri::command]
#[specta::specta]
pub async fn update_staff(
    state: State<'_, AppState>,
    id: StaffId,
    staff: StaffUpdate,
) -> Result<Staff, AppError> {
    let (_, actor) = state.session.require(ADMIN)?;
    let store = store(&state)?;
    let changed = store.update_staff(id, &staff).await?;
    audit(store, &actor, "staff_changed", staff_detail(&changed, staff.pin.is_some())).await?;
    Ok(changed)
}

#[tauri::command]
#[specta::specta]
pub async fn clinic_settings(state: State<'_, AppState>) -> Result<Clinic, AppError> {
    state.session.require(ANYONE)?;
    Ok(store(&state)?.require_clinic().await?)
}

/// Minutes before a visit that its doctor is reminded (the admin's settings screen).
#[tauri::command]
#[specta::specta]
pub async fn reminder_minutes(state: State<'_, AppState>) -> Result<i64, AppError> {
    state.session.require(ADMIN)?;
    Ok(store(&state)?.reminder_minutes().await?)
}

/// Sets the minutes before a visit that its doctor is reminded (1 to 240).
#[tauri::command]
#[specta::specta]
pub async fn set_reminder_minutes(state: State<'_, AppState>, minutes: i64) -> Result<i64, AppError> {
    let (_, actor) = state.session.require(ADMIN)?;
    let store = store(&state)?;
    store.set_reminder_minutes(minutes).await?;
    audit(store, &actor, "settings_changed", json!({ "reminder_minutes": minutes })).await?;
    Ok(store.reminder_minutes().await?)
}

#[tauri::command]
#[specta::specta]
pub async fn update_settings(
    state: State<'_, AppState>,
    settings: ClinicSettings,
) -> Result<Clinic, AppError> {
    let (_, actor) = state.session.require(ADMIN)?;
    let store = store(&state)?;
    let clinic = store.update_clinic(&settings).await?;
    state.session.set_lock_minutes(clinic.lock_minutes);
    let detail = json!({ "name": clinic.name, "tz": clinic.tz.name(), "lock_minutes": clinic.lock_minutes, "locale": clinic.locale });
    audit(store, &actor, "settings_changed", detail).await?;
    Ok(clinic)
}

/// Records an admin's change in the audit log: ids, names and settings, never a PIN.
async fn audit(store: &Store, actor: &Actor, action: &str, detail: Value) -> Result<(), AppError> {
    Ok(store.audit(Some(actor), action, None, detail).await?)
}

fn staff_detail(staff: &Staff, pin_set: bool) -> Value {
    json!({ "staff_id": staff.id, "name": staff.name, "role": staff.role, "active": staff.active, "pin_set": pin_set })
}
