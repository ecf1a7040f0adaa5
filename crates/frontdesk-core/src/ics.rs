//! iCalendar (RFC 5545) files of appointments, built with the `icalendar` crate: the day export
//! for a doctor's own calendar, and (with `METHOD`) the invitations sent to patients.
//!
//! Each appointment keeps one `UID` for its whole life (`appointment-<id>@<clinic uid>`), so a
//! calendar that imports the file again updates the event instead of adding a second one. The
//! day export writes times in UTC (`...Z`), which every calendar reads without a `VTIMEZONE`;
//! invitations write the clinic's wall time with its `TZID` and a `VTIMEZONE` built from the
//! zone database's transitions around the visit, so the patient's calendar shows the zone the
//! clinic means.

use chrono::{DateTime, Duration, NaiveDateTime, Offset, TimeZone, Utc};
use chrono_tz::{OffsetComponents, OffsetName, Tz};
use icalendar::{Calendar, CalendarDateTime, Component, Event, EventLike, EventStatus, Property};

use crate::model::{initials, Status};
use crate::views::DaySheet;

impl crate::Store {
    /// One local day as a calendar file (times in UTC, titles with initials only), for every
    /// doctor or one; audited, since the file leaves Frontdesk.
    ///
    /// # Errors
    /// [`crate::CoreError::Invalid`] when `doctor` is not a doctor; as for [`crate::Store::day_sheet`].
    pub async fn day_calendar(
        &self,
        actor: &crate::Actor,
        clinic: &crate::model::Clinic,
        date: chrono::NaiveDate,
        doctor: Option<crate::StaffId>,
    ) -> crate::Result<String> {
        actor.may(crate::Action::Read)?;
        self.check_doctor(doctor).await?;
        let sheet = self.day_sheet(actor, clinic, date, 1, clinic.tz, doctor).await?;
        let ics = day_calendar(&sheet, &self.clinic_uid().await?, chrono::Utc::now());
        let detail = serde_json::json!({ "date": date, "doctor_id": doctor, "appointments": sheet.appointments.len() });
        let about = crate::store::AuditAbout { doctor, ..crate::store::AuditAbout::NOTHING };
        self.audit(actor, crate::store::AuditAction::DayExported, about, detail).await?;
        Ok(ics)
    }
}

/// The `UID` of an appointment's event, the same in every file Frontdesk writes.
pub fn event_uid(clinic_uid: &str, appointment: i64) -> String {
    format!("appointment-{appointment}@{clinic_uid}.frontdesk")
}

/// The day sheet as one calendar, one event per appointment that still takes place (cancelled
/// ones are left out). Titles hold the type and the patient's initials only: a calendar file
/// travels further than the desk.
pub fn day_calendar(sheet: &DaySheet, clinic_uid: &str, stamped: DateTime<Utc>) -> String {
    let mut calendar = calendar_head();
    calendar.name(&format!("{} — {}", sheet.clinic_name, sheet.date));
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

/// An iTIP (RFC 5546) message about one appointment: an invitation or update (`REQUEST`), or a
/// cancellation (`CANCEL`).
#[derive(Debug, Clone)]
pub struct Invitation<'a> {
    /// From [`event_uid`]: the same for every message about the appointment.
    pub uid: &'a str,
    /// Goes up with each change, so calendars apply only the newest message.
    pub sequence: i64,
    pub cancel: bool,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub tz: Tz,
    pub summary: &'a str,
    pub description: &'a str,
    /// The patient's join link of a video visit: `LOCATION` and `URL`.
    pub join_url: Option<&'a str>,
    /// The clinic's sending address.
    pub organizer: &'a str,
    pub attendee: &'a str,
    pub stamped: DateTime<Utc>,
}

/// The calendar file of an invitation or cancellation.
pub fn invitation(inv: &Invitation<'_>) -> String {
    let wall = |t: DateTime<Utc>| CalendarDateTime::WithTimezone {
        date_time: t.with_timezone(&inv.tz).naive_local(),
        tzid: inv.tz.name().to_owned(),
    };
    let mut event = Event::new();
    event
        .uid(inv.uid)
        .timestamp(inv.stamped)
        .starts(wall(inv.start))
        .ends(wall(inv.end))
        .summary(inv.summary)
        .description(inv.description)
        .sequence(u32::try_from(inv.sequence).unwrap_or(u32::MAX))
        .status(if inv.cancel { EventStatus::Cancelled } else { EventStatus::Confirmed })
        .append_property(Property::new("ORGANIZER", format!("mailto:{}", inv.organizer)))
        .append_multi_property(
            Property::new("ATTENDEE", format!("mailto:{}", inv.attendee))
                .add_parameter("ROLE", "REQ-PARTICIPANT")
                .add_parameter("RSVP", "FALSE")
                .done(),
        );
    if let Some(url) = inv.join_url {
        event.location(url).url(url);
    }
    let mut calendar = calendar_head();
    calendar.append_property(("METHOD", if inv.cancel { "CANCEL" } else { "REQUEST" })).push(event.done());
    let text = calendar.done().to_string();
    // icalendar 0.17 has no public builder for VTIMEZONE (nor any named component), so the
    // block is written here and placed before the event, as RFC 5545 orders them.
    let zone = vtimezone(inv.tz, inv.start);
    match text.find("BEGIN:VEVENT") {
        Some(at) => format!("{}{zone}{}", &text[..at], &text[at..]),
        None => text,
    }
}

/// A `VTIMEZONE` for `tz` covering about a year either side of `around`: one observance
/// (`STANDARD` or `DAYLIGHT`) for the offset in force at the window's start, and one per
/// transition in the window, found in the zone database by bisection.
pub fn vtimezone(tz: Tz, around: DateTime<Utc>) -> String {
    let window_start = around - Duration::days(400);
    let window_end = around + Duration::days(400);
    let offset_at = |t: DateTime<Utc>| tz.offset_from_utc_datetime(&t.naive_utc());
    let seconds = |t: DateTime<Utc>| offset_at(t).fix().local_minus_utc();
    let mut out = format!("BEGIN:VTIMEZONE\r\nTZID:{}\r\n", tz.name());
    let mut observance = |onset: DateTime<Utc>, from: i32| {
        let to = offset_at(onset);
        let kind = if to.dst_offset().is_zero() { "STANDARD" } else { "DAYLIGHT" };
        let local = onset.naive_utc() + Duration::seconds(i64::from(from));
        out.push_str(&format!(
            "BEGIN:{kind}\r\nDTSTART:{}\r\nTZOFFSETFROM:{}\r\nTZOFFSETTO:{}\r\n",
            ical_local(local),
            ical_offset(from),
            ical_offset(to.fix().local_minus_utc()),
        ));
        if let Some(name) =
            to.abbreviation().filter(|n| n.chars().all(|c| c.is_ascii_alphanumeric() || c == '+' || c == '-'))
        {
            out.push_str(&format!("TZNAME:{name}\r\n"));
        }
        out.push_str(&format!("END:{kind}\r\n"));
    };
    observance(window_start, seconds(window_start));
    let mut day = window_start;
    while day < window_end {
        let next = day + Duration::days(1);
        if seconds(next) != seconds(day) {
            // The first second at which the new offset holds.
            let (mut lo, mut hi) = (day, next);
            while hi - lo > Duration::seconds(1) {
                let mid = lo + (hi - lo) / 2;
                if seconds(mid) == seconds(day) {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            observance(hi, seconds(lo));
        }
        day = next;
    }
    out.push_str("END:VTIMEZONE\r\n");
    out
}

fn ical_local(t: NaiveDateTime) -> String {
    t.format("%Y%m%dT%H%M%S").to_string()
}

fn ical_offset(seconds: i32) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let s = seconds.unsigned_abs();
    format!("{sign}{:02}{:02}", s / 3600, (s % 3600) / 60)
}

/// An empty calendar with Frontdesk's PRODID. Built from `empty`, not `new`: `new` already has
/// the crate's own PRODID, and a file has only one.
fn calendar_head() -> Calendar {
    let mut calendar = Calendar::empty();
    calendar
        .append_property(("VERSION", "2.0"))
        .append_property(("PRODID", "-//Frontdesk//Frontdesk//EN"))
        .append_property(("CALSCALE", "GREGORIAN"));
    calendar
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_timezone_names_toronto_transitions_in_local_time() {
        let at = DateTime::parse_from_rfc3339("2026-03-08T14:30:00Z").unwrap().with_timezone(&Utc);
        let zone = vtimezone(chrono_tz::America::Toronto, at);
        assert!(zone.contains("BEGIN:DAYLIGHT\r\nDTSTART:20260308T020000\r\nTZOFFSETFROM:-0500\r\nTZOFFSETTO:-0400\r\nTZNAME:EDT"), "{zone}");
        assert!(
            zone.contains(
                "BEGIN:STANDARD\r\nDTSTART:20261101T020000\r\nTZOFFSETFROM:-0400\r\nTZOFFSETTO:-0500"
            ),
            "{zone}"
        );
        // A zone without daylight time has one observance.
        let tokyo = vtimezone(chrono_tz::Asia::Tokyo, at);
        assert_eq!(tokyo.matches("BEGIN:STANDARD").count(), 1, "{tokyo}");
    }
}
