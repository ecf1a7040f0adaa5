//! The video meeting of a telehealth appointment: sending a failed one again, joining it, and
//! starting it as the host.
//!
//! The host link lets whoever holds it run the meeting as the doctor, so it never crosses into
//! the window: `start_meeting` fetches it from the provider at the moment of use, opens it
//! outside the app, writes who opened it to the audit log, and returns nothing. It is never
//! stored, logged or put in an error.

use frontdesk_core::{AppointmentId, ErrorKind};
use frontdesk_meetings::MeetingCalls;
use serde::Serialize;
use tauri::State;

use super::store;
use crate::error::AppError;
use crate::AppState;

/// The event (`meeting-changed`) the window hears when the outbox worker changed an
/// appointment's meeting: which appointment (read it again with `appointment`).
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type, tauri_specta::Event)]
pub struct MeetingChanged {
    pub appointment_id: AppointmentId,
}

/// Opens `url` outside the app; the reason it failed is logged, never the address.
fn open(state: &State<'_, AppState>, url: &str) -> Result<(), AppError> {
    (state.browser)(url).map_err(|e| {
        tracing::warn!(error = %e, "could not open the meeting link");
        AppError::new(
            ErrorKind::Unavailable,
            "could not open the meeting; check that a web browser is installed",
        )
    })
}

/// Sends a failed meeting to the provider again (the desk, the assigned doctor, an admin).
#[tauri::command]
#[specta::specta]
pub async fn retry_meeting(
    state: State<'_, AppState>,
    appointment_id: AppointmentId,
) -> Result<(), AppError> {
    let actor = state.actor().await?;
    store(&state)?.retry_meeting(&actor, appointment_id).await?;
    state.wake_outbox();
    Ok(())
}

/// Opens the patient-side join link (Zoom's `join_url`, Teams' `joinWebUrl`) outside the app,
/// where the system hands it to the provider's client if one is installed.
#[tauri::command]
#[specta::specta]
pub async fn join_meeting(state: State<'_, AppState>, appointment_id: AppointmentId) -> Result<(), AppError> {
    let actor = state.actor().await?;
    let link = store(&state)?.join_link(&actor, appointment_id).await?;
    open(&state, &link)
}

/// Starts the meeting as its host: only the assigned doctor or an admin. The host link is
/// fetched now, opened outside the app and audited; it is not returned.
#[tauri::command]
#[specta::specta]
pub async fn start_meeting(
    state: State<'_, AppState>,
    appointment_id: AppointmentId,
) -> Result<(), AppError> {
    let actor = state.actor().await?;
    let accounts = state.accounts.as_ref().map_err(Clone::clone)?;
    let host_link = accounts.start_meeting(&actor, appointment_id).await?;
    open(&state, host_link.expose())
}
