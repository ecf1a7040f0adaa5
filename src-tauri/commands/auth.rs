//! First start, sign-in, sign-out and lock.

use frontdesk_core::store::SignedIn;
use frontdesk_core::{Actor, Clinic, Role, Staff, StaffId};
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
    /// The person still signed in must choose a new PIN before anything else.
    pub must_change_pin: bool,
    /// This build's version, for the About line: the one version of the app, `frontdesk-cli
    /// --version` and the packages (the workspace's, in the root `Cargo.toml`).
    pub version: String,
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
        must_change_pin: state.session.must_change_pin(),
        version: env!("CARGO_PKG_VERSION").to_owned(),
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
    state.session.sign_in(admin.clone(), clinic.lock_minutes, false);
    Ok(admin)
}

/// Signs in with a PIN. The answer says whether the person must choose a new PIN first (every
/// other command is refused until then), and tells an admin of the sign-in pauses, locks and
/// unlocks since their previous sign-in.
#[tauri::command]
#[specta::specta]
pub async fn sign_in(
    state: State<'_, AppState>,
    staff_id: StaffId,
    pin: String,
) -> Result<SignedIn, AppError> {
    let store = store(&state)?;
    let signed_in = store.sign_in(staff_id, &pin).await?;
    let lock_minutes = store.require_clinic().await?.lock_minutes;
    state.session.sign_in(signed_in.staff.clone(), lock_minutes, signed_in.must_change_pin);
    if let Ok(sight) = store.sight(&Actor::staff(&signed_in.staff)).await {
        state.note_desk_user(sight);
    }
    Ok(signed_in)
}

/// The signed-in person chooses a new PIN (6 to 12 digits): the step a sign-in with a shorter,
/// older PIN asks for before anything else.
#[tauri::command]
#[specta::specta]
pub async fn change_pin(state: State<'_, AppState>, pin: String) -> Result<Staff, AppError> {
    let me = state.session.signed_in_for_pin_change()?;
    let changed = store(&state)?.set_own_pin(&Actor::staff(&me), &pin).await?;
    state.session.pin_changed();
    Ok(changed)
}

/// A person pressed a key or clicked in the window: the only thing that keeps the session open
/// (the window sends it at most every 30 seconds while someone works).
#[tauri::command]
#[specta::specta]
pub async fn still_here(state: State<'_, AppState>) -> Result<(), AppError> {
    state.session.input()
}

/// Signs out (also the "lock now" shortcut: the desk is shared).
#[tauri::command]
#[specta::specta]
pub async fn sign_out(state: State<'_, AppState>) -> Result<(), AppError> {
    state.session.sign_out();
    Ok(())
}
