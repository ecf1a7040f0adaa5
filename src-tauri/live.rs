//! A desk on the clinic's server hears what other desks and the clinic service change, and tells
//! its window ([`ScheduleChanged`]), which re-reads what it shows of it. A single computer's desk
//! has nothing to listen to: its own commands and workers tell the window themselves.

use chrono::{DateTime, Utc};
use frontdesk_core::store::{Change, Engine};
use frontdesk_core::AppointmentId;
use serde::Serialize;
use tauri::{Manager, Runtime};
use tauri_specta::Event;

/// The event (`schedule-changed`) the window hears when another desk or the clinic service
/// changed the schedule: one appointment (and the times it held before and after, when they
/// changed), or, with no appointment, anything (re-read all that is shown).
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type, tauri_specta::Event)]
pub struct ScheduleChanged {
    pub appointment_id: Option<AppointmentId>,
    pub spans: Vec<(DateTime<Utc>, DateTime<Utc>)>,
}

impl From<Change> for ScheduleChanged {
    fn from(change: Change) -> ScheduleChanged {
        match change {
            Change::Appointment { id, spans } => ScheduleChanged { appointment_id: Some(id), spans },
            Change::Everything => ScheduleChanged { appointment_id: None, spans: Vec::new() },
        }
    }
}

/// Starts listening when the store is on the clinic's server; false (nothing started) on a
/// single computer.
pub fn start<R: Runtime>(app: &tauri::AppHandle<R>) -> bool {
    let state = app.state::<crate::AppState>();
    let Some(store) = state.store.as_ref().ok().filter(|s| s.engine() == Engine::Postgres).cloned() else {
        return false;
    };
    let handle = app.clone();
    tauri::async_runtime::spawn(async move {
        store
            .follow_changes(|change| {
                // The desk's read copy follows every change it hears of.
                handle.state::<crate::AppState>().refresh_copy.ask();
                drop(ScheduleChanged::from(change).emit(&handle));
            })
            .await;
    });
    true
}
