//! First start, sign-in, sign-out and lock.

use chrono::Utc;
use frontdesk_core::store::{SignedIn, WorkingTime};
use frontdesk_core::views::DaySheet;
use frontdesk_core::{time, validate};
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
) -> Result<SignInAnswer, AppError> {
    let store = store(&state)?;
    // The desk's first view is read while the PIN is checked (Argon2id takes tens of
    // milliseconds by design), for the person the PIN is typed for, as their role may see it. It
    // stays here unless the PIN is right and the role is still the one it was read for.
    let claimed = store.staff(staff_id).await.ok();
    let clinic = store.require_clinic().await;
    let first_view = async {
        let (claimed, clinic) = (claimed.as_ref()?, clinic.as_ref().ok()?);
        let date = time::today_in(clinic.tz, Utc::now());
        let reader = Actor::staff(claimed);
        let (sheet, hours) = tokio::join!(
            store.day_sheet(&reader, clinic, date, 1, clinic.tz, None),
            store.working_time(date, 1, None)
        );
        Some(Today { sheet: sheet.ok()?, hours: hours.ok() })
    };
    let early = state.early_pin.lock().ok().and_then(|mut e| e.take());
    let (signed_in, today) = tokio::join!(store.sign_in_after(staff_id, &pin, early), first_view);
    let signed_in = signed_in?;
    let lock_minutes = clinic?.lock_minutes;
    state.session.sign_in(signed_in.staff.clone(), lock_minutes, signed_in.must_change_pin);
    if let Ok(sight) = store.sight(&Actor::staff(&signed_in.staff)).await {
        if state.note_desk_user(sight) {
            // The read copy is taken again for what the desk's people now may see.
            state.refresh_copy.ask();
        }
    }
    let same_role = claimed.is_some_and(|c| c.role == signed_in.staff.role);
    let today = today.filter(|_| same_role && !signed_in.must_change_pin);
    Ok(SignInAnswer { signed_in, today })
}

/// The PIN as typed so far on the sign-in screen, for the person picked: its check starts now, so
/// that the sign-in that follows waits for little or none of it (`Store::check_pin_early`). Asked
/// at each keystroke; answers nothing, counts nothing and audits nothing (the sign-in does). A
/// text that cannot be a PIN starts nothing (and drops the check before it).
#[tauri::command]
#[specta::specta]
pub async fn pin_typed(state: State<'_, AppState>, staff_id: StaffId, pin: String) -> Result<(), AppError> {
    let check = match validate::pin(&pin) {
        Ok(pin) => store(&state)?.check_pin_early(staff_id, pin).await.ok().flatten(),
        Err(_) => None,
    };
    if let Ok(mut early) = state.early_pin.lock() {
        *early = check;
    }
    Ok(())
}

/// A sign-in's answer: who signed in, and the view the desk opens on.
#[derive(Debug, Serialize, specta::Type)]
pub struct SignInAnswer {
    #[serde(flatten)]
    pub signed_in: SignedIn,
    /// Today in the day view, read while the PIN was checked; absent when it could not be read
    /// then (the desk reads it as usual) or when a new PIN must be chosen first.
    pub today: Option<Today>,
}

/// Today's appointments and working hours, as the `schedule` and `working_time` commands give
/// them for one day.
#[derive(Debug, Serialize, specta::Type)]
pub struct Today {
    pub sheet: DaySheet,
    /// Absent when the hours could not be read: the day still shows, unshaded.
    pub hours: Option<WorkingTime>,
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
