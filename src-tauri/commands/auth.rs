//! First start, sign-in, sign-out and lock.

use frontdesk_core::{Clinic, Role, Staff, StaffId};
use serde::Serialize;
use tauri::State;

use super::store;
use crate::error::AppError;
use crate::AppState;

/// What the app shows before anyone signs in.
#[derive(Debug, Serialize, specta::Type)]
pub struct AppStatus {
    /// No clinic yet: the first-start wizard creates it and its first admin.
    pub setup_needed: bool,
    pub clinic: Option<Clinic>,
    /// The names to pick from on the sign-in screen.
    pub staff: Vec<StaffCard>,
    /// Still signed in (the window was reloaded), if so.
    pub signed_in: Option<Staff>,
}

/// A name on the sign-in screen.
#[derive(Debug, Serialize, specta::Type)]
pub struct StaffCard {
    pub id: StaffId,
    pub name: String,
    pub role: Role,
    pub has_pin: bool,
}

#[tauri::command]
#[specta::specta]
pub async fn app_status(state: State<'_, AppState>) -> Result<AppStatus, AppError> {
    let store = store(&state)?;
    let clinic = store.clinic().await?;
    let staff = store.list_staff().await?;
    Ok(AppStatus {
        setup_needed: clinic.is_none(),
        clinic,
        staff: staff
            .into_iter()
            .map(|s| StaffCard { id: s.id, name: s.name, role: s.role, has_pin: s.has_pin })
            .collect(),
        signed_in: state.session.current(),
    })
}

/// First start: creates the clinic and its first admin, and signs that admin in.
#[tauri::command]
#[specta::specta]
pub async fn first_run(
    state: State<'_, AppState>,
    clinic_name: String,
    tz: String,
    admin_name: String,
    pin: String,
) -> Result<Staff, AppError> {
    let (clinic, admin) = store(&state)?.first_run(&clinic_name, &tz, &admin_name, &pin).await?;
    state.session.sign_in(admin.clone(), clinic.lock_minutes);
    Ok(admin)
}

#[tauri::command]
#[specta::specta]
pub async fn sign_in(state: State<'_, AppState>, staff_id: StaffId, pin: String) -> Result<Staff, AppError> {
    let store = store(&state)?;
    let staff = store.sign_in(staff_id, &pin).await?;
    state.session.sign_in(staff.clone(), store.require_clinic().await?.lock_minutes);
    Ok(staff)
}

/// Signs out (also the "lock now" shortcut: the desk is shared).
#[tauri::command]
#[specta::specta]
pub async fn sign_out(state: State<'_, AppState>) -> Result<(), AppError> {
    state.session.sign_out();
    Ok(())
}
