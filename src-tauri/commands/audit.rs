//! The admin's audit log screen: who did what, filtered by person, patient and local dates.

use frontdesk_core::store::AuditEntry;
use frontdesk_core::{time, Field, PatientId, StaffId};
use tauri::State;

use super::store;
use crate::error::AppError;
use crate::session::ADMIN;
use crate::AppState;

/// Audit entries, oldest first. `from`/`to` are local dates (`YYYY-MM-DD`, inclusive) in the
/// clinic's zone; `staff` keeps what that member of staff did, `patient` what touched that patient.
#[tauri::command]
#[specta::specta]
pub async fn audit_log(
    state: State<'_, AppState>,
    staff: Option<StaffId>,
    patient: Option<PatientId>,
    from: Option<String>,
    to: Option<String>,
) -> Result<Vec<AuditEntry>, AppError> {
    state.session.require(ADMIN)?;
    let store = store(&state)?;
    let tz = store.require_clinic().await?.tz;
    let since = from
        .map(|d| time::parse_date(Field::new("from", "from"), &d))
        .transpose()?
        .map(|d| time::day_bounds(d, tz).0);
    let until = to
        .map(|d| time::parse_date(Field::new("to", "to"), &d))
        .transpose()?
        .map(|d| time::day_bounds(d, tz).1);
    let actor = staff.map(|s| format!("staff:{s}"));
    let mut entries = store.audit_log(since).await?;
    entries.retain(|e| {
        actor.as_ref().is_none_or(|a| &e.actor == a)
            && patient.is_none_or(|p| e.patient_id == Some(p))
            && until.is_none_or(|u| e.at < u)
    });
    Ok(entries)
}
