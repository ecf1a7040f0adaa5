//! iCalendar (RFC 5545) files of appointments, built with the `icalendar` crate: the day export
//! for a doctor's own calendar, and (with `METHOD`) the invitations sent to patients.
//!
//! Each appointment keeps one `UID` for its whole life (`appointment-<id>@<clinic uid>`), so a
//! calendar that imports the file again updates the event instead of adding a second one. Times
//! are written in UTC (`...Z`), which every calendar reads without a `VTIMEZONE`.

use chrono::{DateTime, Utc};
use icalendar::{Calendar, Component, Event, EventLike, EventStatus};

use crate::model::{initials, Status};
use crate::views::DaySheet;

/// The `UID` of an appointment's event, the same in every file Frontdesk writes.
pub fn event_uid(clinic_uid: &str, appointment: i64) -> String {
    format!("appointment-{appointment}@{clinic_uid}.frontdesk")
}

/// The day sheet as one calendar, one event per appointment that still takes place (cancelled
/// ones are left out). Titles hold the type and the patient's initials only: a calendar file
/// travels further than the desk.
pub fn day_calendar(sheet: &DaySheet, clinic_uid: &str, stamped: DateTime<Utc>) -> String {
    let mut calendar = Calendar::new();
    calendar
        .name(&format!("{} — {}", sheet.clinic_name, sheet.date))
        .append_property(("PRODID", "-//Frontdesk//Frontdesk//EN"));
    for row in sheet.appointments.iter().filter(|r| r.appointment.status != Status::Cancelled) {
        let a = &row.appointment;
        let mut event = Event::new();
        event
            .uid(&event_uid(clinic_uid, a.id.0))
            .timestamp(stamped)
            .starts(a.start)
            .ends(a.end)
            .summary(&format!("{} — {}", row.type_name, initials(&row.patient_name)))
            .description(&format!("{} · {}", row.doctor_name, row.mode))
            .status(EventStatus::Confirmed);
        if let Some(url) = a.meeting.as_ref().and_then(|m| m.join_url.as_deref()) {
            event.location(url).url(url);
        }
        calendar.push(event.done());
    }
    calendar.done().to_string()
}
