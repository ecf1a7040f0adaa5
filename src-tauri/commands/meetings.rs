//! The video meeting of a telehealth appointment: sending a failed one again, joining it, and
//! starting it as the host.
//!
//! The host link lets whoever holds it run the meeting as the doctor, so it never crosses into
//! the window: `start_meeting` fetches it from the provider at the moment of use, opens it
//! outside the app, writes who opened it to the audit log, and returns nothing. It is never
//! stored, logged or put in an error.

use frontdesk_core::{Appointment, AppointmentId, ErrorKind, MeetingState, Role, Staff};
use frontdesk_providers::AccountError;
use serde::Serialize;
use serde_json::json;
use tauri::State;

use super::store;
use crate::error::AppError;
use crate::session::ANYONE;
use crate::AppState;

/// The event (`meeting-changed`) the window hears when the outbox worker changed an
/// appointment's meeting: which appointment (read it again with `appointment`).
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type, tauri_specta::Event)]
pub struct MeetingChanged {
    pub appointment_id: AppointmentId,
}

/// Doctors act only on their own visits' meetings.
fn require_own(me: &Staff, appointment: &Appointment) -> Result<(), AppError> {
    if me.role == Role::Doctor && appointment.doctor_id != me.id {
        return Err(AppError::forbidden("doctors can act only on their own appointments' meetings"));
    }
    Ok(())
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

/// Only a web address is handed to the system: never a file or another app's scheme.
fn is_web_address(url: &str) -> bool {
    url.starts_with("https://")
}

fn not_ready(state: Option<MeetingState>) -> AppError {
    match state {
        None => AppError::new(ErrorKind::NotFound, "this appointment has no video meeting"),
        Some(s) => AppError::new(
            ErrorKind::Conflict,
            format!("the meeting is {s}; it can be opened once it is ready"),
        ),
    }
}

/// Sends a failed meeting to the provider again (the desk, the assigned doctor, an admin).
#[tauri::command]
#[specta::specta]
pub async fn retry_meeting(
    state: State<'_, AppState>,
    appointment_id: AppointmentId,
) -> Result<(), AppError> {
    let (me, _) = state.session.require(ANYONE)?;
    let store = store(&state)?;
    require_own(&me, &store.appointment(appointment_id).await?.appointment)?;
    store.retry_meeting(appointment_id).await?;
    state.wake_outbox();
    Ok(())
}

/// Opens the patient-side join link (Zoom's `join_url`, Teams' `joinWebUrl`) outside the app,
/// where the system hands it to the provider's client if one is installed.
#[tauri::command]
#[specta::specta]
pub async fn join_meeting(state: State<'_, AppState>, appointment_id: AppointmentId) -> Result<(), AppError> {
    state.session.require(ANYONE)?;
    let meeting = store(&state)?.appointment(appointment_id).await?.appointment.meeting;
    let url = match &meeting {
        Some(m) if m.state == MeetingState::Ready => m.join_url.as_deref(),
        _ => None,
    };
    match url.filter(|u| is_web_address(u)) {
        Some(url) => open(&state, url),
        None => Err(not_ready(meeting.map(|m| m.state))),
    }
}

/// Starts the meeting as its host: only the assigned doctor or an admin. The host link is
/// fetched now, opened outside the app and audited; it is not returned.
#[tauri::command]
#[specta::specta]
pub async fn start_meeting(
    state: State<'_, AppState>,
    appointment_id: AppointmentId,
) -> Result<(), AppError> {
    let (me, actor) = state.session.require(&[Role::Doctor, Role::Admin])?;
    let store = store(&state)?;
    let appointment = store.appointment(appointment_id).await?.appointment;
    require_own(&me, &appointment)?;
    let Some((provider, meeting_id)) = store.meeting_ref(appointment_id).await? else {
        return Err(not_ready(appointment.meeting.map(|m| m.state)));
    };
    let accounts = state.accounts.as_ref().map_err(Clone::clone)?;
    let doctor = appointment.doctor_id;
    let host_link = accounts.host_link(doctor, provider, &meeting_id).await.map_err(AccountError::from)?;
    if !is_web_address(&host_link) {
        return Err(AppError::new(
            ErrorKind::Conflict,
            format!("{} answered with a start link that is not a web address", provider.label()),
        ));
    }
    let detail = json!({ "appointment_id": appointment_id, "provider": provider });
    store.audit(Some(&actor), "host_link_opened", Some(doctor), detail).await?;
    open(&state, &host_link)
}
