//! The admin's audit log screen: who did what, filtered by person, patient and local dates.

use frontdesk_core::store::{AuditAction, AuditEntry, AuditFilter};
use frontdesk_core::{time, Action, Field, PatientId, StaffId};
use tauri::State;

use super::store;
use crate::error::AppError;
use crate::AppState;

/// Audit entries, oldest first. `from`/`to` are local dates (`YYYY-MM-DD`, inclusive) in the
/// clinic's zone; `staff` keeps what that member of staff did, `patient` what touched that
/// patient, `action` one kind of row. The database does the filtering.
#[tauri::command]
#[specta::specta]
pub async fn audit_log(
    state: State<'_, AppState>,
    staff: Option<StaffId>,
    patient: Option<PatientId>,
    from: Option<String>,
    to: Option<String>,
    action: Option<AuditAction>,
) -> Result<Vec<AuditEntry>, AppError> {
    state.require(Action::Administer).await?;
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
    // The admin's screen names whose visit each row is about; the rows hold ids only.
    let filter = AuditFilter { staff, patient, since, until, action, with_names: true };
    Ok(store.audit_log(&filter).await?)
}
