//! The patient e-mail of an appointment, as the panel shows it, and sending it again.
//!
//! What crosses to the window is the mail's state, times and reason (`MailStatus`): never the
//! patient's address or the message. The mail worker sends; these commands only read the state
//! or queue the mail again and wake the worker.

use frontdesk_core::store::MailStatus;
use frontdesk_core::AppointmentId;
use serde::Serialize;
use tauri::State;

use super::store;
use crate::error::AppError;
use crate::AppState;

/// The event (`mail-changed`) the window hears when the mail worker wrote an appointment's mail
/// state: which appointment (read it again with `mail_status`).
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type, tauri_specta::Event)]
pub struct MailChanged {
    pub appointment_id: AppointmentId,
}

/// Where the appointment's patient e-mail stands; none for an appointment booked before
/// Frontdesk sent e-mail. Whoever may open the appointment may see it, as they see the
/// meeting's state.
#[tauri::command]
#[specta::specta]
pub async fn mail_status(
    state: State<'_, AppState>,
    appointment_id: AppointmentId,
) -> Result<Option<MailStatus>, AppError> {
    let actor = state.actor().await?;
    Ok(store(&state)?.read_mail_status(&actor, appointment_id).await?)
}

/// Sends the appointment's e-mail again, as the appointment is now (those who book: the desk and
/// admins), and wakes the mail worker. The new state follows as a [`MailChanged`] event.
#[tauri::command]
#[specta::specta]
pub async fn resend_mail(
    state: State<'_, AppState>,
    appointment_id: AppointmentId,
) -> Result<Option<MailStatus>, AppError> {
    let actor = state.actor().await?;
    let store = store(&state)?;
    store.resend_mail(&actor, appointment_id).await?;
    // The answer is what the resend made (due now, no tries yet), read before the worker is
    // woken: what the worker does next reaches the window as its `mail-changed` event.
    let resent = store.mail_status(appointment_id).await?;
    state.wake_outbox();
    Ok(resent)
}
