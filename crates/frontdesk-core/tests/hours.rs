//! Working hours and the next free slot (issue 18), on both engines (see `engines`): admins
//! enter the clinic's hours, doctors' weeks from a date and the exceptions, each audited; bad
//! hours are refused naming the problem; booking and moving outside hours need staff's
//! confirmation, which the history and the day sheet keep; hours keep their wall clock across
//! DST in America/Toronto and Europe/London; and the free-slot search agrees with a brute-force
//! minute-by-minute model.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests panic on purpose

mod engines;

use std::sync::Arc;

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Timelike, Utc};
use chrono_tz::Tz;
use engines::TestDb;
use frontdesk_core::hours::{
    self, Block, Day, DayPart, DoctorWeek, ExceptionKind, Hours, HoursException, SlotSearch, Span, Taken,
    WeekHours,
};
use frontdesk_core::store::{
    AuditAction, AuditFilter, ClinicSettings, Engine, FreeSlotQuery, NewException, NewPatient,
};
use frontdesk_core::time::parse_zone;
use frontdesk_core::{
    Actor, BookingRequest, CoreError, ErrorKind, FixedClock, LocalTime, Mode, PatientId, Role, StaffId,
    Store, TypeId,
};
use proptest::prelude::*;

on_both_engines!(
    admins_enter_hours_and_every_change_is_audited,
    bad_hours_are_refused_naming_the_problem,
    a_new_week_takes_over_on_its_date,
    booking_outside_hours_needs_a_recorded_confirmation,
    no_hours_entered_means_no_restriction,
    hours_keep_their_wall_clock_across_dst,
    the_first_free_slots_from_the_store,
);

fn clock() -> Arc<FixedClock> {
    Arc::new(FixedClock(utc("2026-06-01T12:00:00Z")))
}

fn utc(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc)
}

fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

fn it() -> Actor {
    Actor::Tool { tool: "test", user: "it".into() }
}

fn admin() -> Actor {
    Actor::Staff { id: StaffId(4), role: Role::Admin }
}

fn desk() -> Actor {
    Actor::Staff { id: StaffId(3), role: Role::Receptionist }
}

fn at(text: &str) -> LocalTime {
    LocalTime {
        at: NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M").unwrap(),
        tz: parse_zone("America/Toronto").unwrap(),
        fold: None,
    }
}

fn request(doctor: i64, start: &str, allow_outside_hours: bool) -> BookingRequest {
    BookingRequest {
        patient_id: PatientId(1),
        doctor_id: StaffId(doctor),
        type_id: TypeId(1),
        start: at(start),
        allow_overlap: false,
        allow_outside_hours,
        topic: None,
        description: None,
    }
}

/// `mon 09:00-12:00,13:00-17:00; tue ...` as a week.
fn week(text: &str) -> WeekHours {
    let days = text.split(';').filter(|d| !d.trim().is_empty()).map(|d| {
        let (day, blocks) = d.trim().split_once(' ').unwrap();
        let day = Day::from_user(day).unwrap();
        (day, hours::parse_day(day.name(), blocks).unwrap())
    });
    WeekHours::new(days).unwrap()
}

fn off(doctor: Option<i64>, first: &str, last: Option<&str>, label: Option<&str>) -> NewException {
    NewException {
        doctor_id: doctor.map(StaffId),
        kind: ExceptionKind::Off,
        first_day: date(first),
        last_day: last.map(date),
        block: None,
        label: label.map(str::to_owned),
    }
}

fn extra(doctor: i64, day: &str, block: &str) -> NewException {
    NewException {
        doctor_id: Some(StaffId(doctor)),
        kind: ExceptionKind::Extra,
        first_day: date(day),
        last_day: None,
        block: Some(Block::parse(block).unwrap()),
        label: None,
    }
}

/// Doctors 1 (Dr Ada Lee) and 2, receptionist 3, admin 4, a patient, a 30-minute type.
async fn seeded(db: &TestDb) -> Store {
    let store = db.open(clock()).await;
    store.init_clinic("Maple Clinic", "America/Toronto").await.unwrap();
    store.add_staff(&it(), "Dr Ada Lee", Role::Doctor, None).await.unwrap();
    store.add_staff(&it(), "Dr Ben Roy", Role::Doctor, None).await.unwrap();
    store.add_staff(&it(), "Cal Desk", Role::Receptionist, None).await.unwrap();
    store.add_staff(&it(), "Dee Admin", Role::Admin, None).await.unwrap();
    let jane = NewPatient { full_name: "Jane Doe".into(), ..Default::default() };
    store.add_patient(&it(), &jane).await.unwrap();
    store.add_type(&it(), "Consult", 30, Mode::InPerson).await.unwrap();
    store
}

async fn audited(store: &Store, action: AuditAction) -> usize {
    let filter = AuditFilter { action: Some(action), ..AuditFilter::default() };
    store.audit_log(&filter).await.unwrap().len()
}

async fn admins_enter_hours_and_every_change_is_audited(engine: Engine) {
    let db = TestDb::new(engine).await;
    let store = seeded(&db).await;
    let clinic = week("mon 08:00-18:00; tue 08:00-18:00; wed 08:00-18:00; thu 08:00-18:00; fri 08:00-16:00");
    let lee = week("mon 09:00-12:00,13:00-17:00; wed 09:00-12:00,13:00-17:00; fri 09:00-12:00");

    // Only admins (and the command line, with the clinic's rights) enter hours.
    let refused = store.set_clinic_hours(&desk(), &clinic).await.unwrap_err();
    assert_eq!(refused.kind(), ErrorKind::Forbidden);
    let refused = store.set_doctor_hours(&desk(), StaffId(1), date("2026-07-01"), &lee).await.unwrap_err();
    assert_eq!(refused.kind(), ErrorKind::Forbidden);
    assert_eq!(
        store.add_hours_exception(&desk(), &off(Some(1), "2026-07-10", None, None)).await.unwrap_err().kind(),
        ErrorKind::Forbidden
    );
    assert_eq!(store.hours().await.unwrap(), Hours::default(), "nothing written");

    let hours = store.set_clinic_hours(&admin(), &clinic).await.unwrap();
    assert_eq!(hours.clinic.as_ref().unwrap().on(Day::Fri), [Block::parse("08:00-16:00").unwrap()]);
    assert!(hours.clinic.as_ref().unwrap().on(Day::Sat).is_empty(), "a weekday not given is closed");
    store.set_doctor_hours(&admin(), StaffId(1), date("2026-07-01"), &lee).await.unwrap();
    let next = week("mon 13:00-17:00");
    store.set_doctor_hours(&admin(), StaffId(1), date("2026-09-01"), &next).await.unwrap();
    let vacation = store
        .add_hours_exception(&admin(), &off(Some(1), "2026-07-20", Some("2026-07-24"), Some("Vacation")))
        .await
        .unwrap();
    let canada_day = store
        .add_hours_exception(&admin(), &off(None, "2026-07-01", None, Some("Canada Day")))
        .await
        .unwrap();
    let saturday = store.add_hours_exception(&admin(), &extra(1, "2026-07-11", "09:00-12:00")).await.unwrap();
    assert_eq!(canada_day.last_day, date("2026-07-01"), "one day when no last day is given");

    let hours = store.hours().await.unwrap();
    assert_eq!(hours.doctors.len(), 2);
    assert_eq!(hours.doctors[0].effective_from, date("2026-07-01"));
    assert_eq!(hours.doctors[0].week, lee);
    assert_eq!(hours.doctors[1].week, next);
    let ids: Vec<i64> = hours.exceptions.iter().map(|e| e.id).collect();
    assert_eq!(ids, [canada_day.id, saturday.id, vacation.id], "by first day");
    assert_eq!(hours.exceptions[0].label.as_deref(), Some("Canada Day"));

    // Replacing a week from the same date, removing one, removing an exception.
    store.set_doctor_hours(&admin(), StaffId(1), date("2026-09-01"), &week("tue 13:00-17:00")).await.unwrap();
    assert_eq!(store.hours().await.unwrap().doctors[1].week, week("tue 13:00-17:00"));
    store.remove_doctor_hours(&admin(), StaffId(1), date("2026-09-01")).await.unwrap();
    let gone = store.remove_doctor_hours(&admin(), StaffId(1), date("2026-09-01")).await.unwrap_err();
    assert!(gone.to_string().contains("Dr Ada Lee has no weekly hours that start on 2026-09-01"), "{gone}");
    store.remove_hours_exception(&admin(), vacation.id).await.unwrap();
    assert!(matches!(
        store.remove_hours_exception(&admin(), vacation.id).await,
        Err(CoreError::NotFound { what: "hours exception", .. })
    ));
    let cleared = store.clear_clinic_hours(&admin()).await.unwrap();
    assert_eq!(cleared.clinic, None);

    // Every change, one row each, about the doctor where there is one, and no label.
    assert_eq!(audited(&store, AuditAction::ClinicHoursChanged).await, 2);
    assert_eq!(audited(&store, AuditAction::DoctorHoursChanged).await, 4);
    assert_eq!(audited(&store, AuditAction::HoursExceptionAdded).await, 3);
    assert_eq!(audited(&store, AuditAction::HoursExceptionRemoved).await, 1);
    let filter = AuditFilter { action: Some(AuditAction::DoctorHoursChanged), ..AuditFilter::default() };
    let first = &store.audit_log(&filter).await.unwrap()[0];
    assert_eq!(first.doctor_id, Some(StaffId(1)));
    assert_eq!(first.actor, "staff:4");
    assert_eq!(first.detail["effective_from"], "2026-07-01");
    assert_eq!(first.detail["hours"]["mon"], serde_json::json!(["09:00-12:00", "13:00-17:00"]));
    let filter = AuditFilter { action: Some(AuditAction::HoursExceptionAdded), ..AuditFilter::default() };
    for row in store.audit_log(&filter).await.unwrap() {
        assert!(
            !row.detail.to_string().contains("Vacation") && !row.detail.to_string().contains("Canada"),
            "{}",
            row.detail
        );
    }
    assert!(store.verify_audit(None).await.unwrap().broken.is_none());
}

async fn bad_hours_are_refused_naming_the_problem(engine: Engine) {
    let db = TestDb::new(engine).await;
    let store = seeded(&db).await;
    let before = db.count("SELECT COUNT(*) FROM audit_log").await;

    // Overlapping blocks, an end before a start: refused as they are parsed, and again when a
    // week comes from a form.
    let overlap = hours::parse_day("Monday", "09:00-12:00,11:30-13:00").unwrap_err();
    assert_eq!(
        overlap.to_string(),
        "hours: on Monday, 09:00-12:00 and 11:30-13:00 overlap; give each time once"
    );
    let backwards = hours::parse_day("Tuesday", "17:00-09:00").unwrap_err();
    assert_eq!(backwards.to_string(), "hours: on Tuesday, 17:00-09:00: the end is before the start");
    let from_a_form = WeekHours {
        days: vec![hours::DayBlocks {
            day: Day::Wed,
            blocks: vec![
                Block { start_minute: 600, end_minute: 660 },
                Block { start_minute: 540, end_minute: 610 },
            ],
        }],
    };
    let refused =
        store.set_doctor_hours(&admin(), StaffId(1), date("2026-07-01"), &from_a_form).await.unwrap_err();
    assert!(
        matches!(&refused, CoreError::InvalidField { field, .. } if field.key() == "hours"),
        "{refused:?}"
    );
    assert!(refused.to_string().contains("on Wednesday, 09:00-10:10 and 10:00-11:00 overlap"), "{refused}");
    let inverted = WeekHours {
        days: vec![hours::DayBlocks {
            day: Day::Thu,
            blocks: vec![Block { start_minute: 600, end_minute: 540 }],
        }],
    };
    let refused = store.set_clinic_hours(&admin(), &inverted).await.unwrap_err();
    assert!(
        refused.to_string().contains("on Thursday, 10:00-09:00: the end is before the start"),
        "{refused}"
    );
    let none = store.set_clinic_hours(&admin(), &WeekHours::default()).await.unwrap_err();
    assert!(none.to_string().contains("at least one weekday"), "{none}");

    // Hours that do not exist on a DST day: a one-off block in Toronto's spring-forward gap.
    let gap = store.add_hours_exception(&admin(), &extra(1, "2026-03-08", "02:30-06:00")).await.unwrap_err();
    assert_eq!(gap.kind(), ErrorKind::Validation);
    let text = gap.to_string();
    assert!(
        text.contains("extra hours 02:30-06:00") && text.contains("does not exist in America/Toronto"),
        "{text}"
    );
    assert!(text.contains("01:59") && text.contains("03:00"), "{text}");
    let ends_in_gap =
        store.add_hours_exception(&admin(), &extra(1, "2026-03-08", "00:00-02:15")).await.unwrap_err();
    assert!(ends_in_gap.to_string().contains("02:15 does not exist"), "{ends_in_gap}");
    // ...while a weekly block is resolved per day and never refused for one.
    store.set_doctor_hours(&admin(), StaffId(1), date("2026-03-01"), &week("sun 02:30-06:00")).await.unwrap();

    // An exception for an unknown doctor, or for someone who is not one.
    let unknown =
        store.add_hours_exception(&admin(), &off(Some(99), "2026-07-10", None, None)).await.unwrap_err();
    assert_eq!(unknown.to_string(), "doctor 99 does not exist");
    assert_eq!(unknown.kind(), ErrorKind::NotFound);
    let desk_person =
        store.add_hours_exception(&admin(), &off(Some(3), "2026-07-10", None, None)).await.unwrap_err();
    assert!(desk_person.to_string().contains("Cal Desk (staff 3) is not a doctor"), "{desk_person}");
    let unknown_week =
        store.set_doctor_hours(&admin(), StaffId(42), date("2026-07-01"), &week("mon 09:00-12:00")).await;
    assert!(matches!(unknown_week, Err(CoreError::NotFound { what: "doctor", id: 42 })));

    // Days the wrong way round, extra hours of the clinic, and twice the same days off.
    let backwards =
        store.add_hours_exception(&admin(), &off(Some(1), "2026-07-10", Some("2026-07-08"), None)).await;
    assert!(backwards
        .unwrap_err()
        .to_string()
        .contains("the last day (2026-07-08) is before the first (2026-07-10)"));
    let clinic_extra = NewException { doctor_id: None, ..extra(1, "2026-07-11", "09:00-12:00") };
    assert!(store
        .add_hours_exception(&admin(), &clinic_extra)
        .await
        .unwrap_err()
        .to_string()
        .contains("name the doctor"));
    store.add_hours_exception(&admin(), &off(Some(1), "2026-07-20", Some("2026-07-24"), None)).await.unwrap();
    let twice = store
        .add_hours_exception(&admin(), &off(Some(1), "2026-07-24", Some("2026-07-27"), None))
        .await
        .unwrap_err();
    assert!(twice.to_string().contains("Dr Ada Lee is already off from 2026-07-20 to 2026-07-24"), "{twice}");
    store.add_hours_exception(&admin(), &extra(1, "2026-07-11", "09:00-12:00")).await.unwrap();
    let overlapping =
        store.add_hours_exception(&admin(), &extra(1, "2026-07-11", "11:00-13:00")).await.unwrap_err();
    assert!(
        overlapping.to_string().contains("already has extra hours 09:00-12:00 on 2026-07-11"),
        "{overlapping}"
    );

    // Only the three accepted changes were written and audited.
    assert_eq!(db.count("SELECT COUNT(*) FROM audit_log").await, before + 3);
    assert_eq!(db.count("SELECT COUNT(*) FROM hours_exceptions").await, 2);
    assert_eq!(db.count("SELECT COUNT(*) FROM clinic_hours").await, 0);
}

async fn a_new_week_takes_over_on_its_date(engine: Engine) {
    let db = TestDb::new(engine).await;
    let store = seeded(&db).await;
    store.set_doctor_hours(&it(), StaffId(1), date("2026-07-01"), &week("mon 09:00-17:00")).await.unwrap();
    store.set_doctor_hours(&it(), StaffId(1), date("2026-08-03"), &week("mon 13:00-17:00")).await.unwrap();
    // Before the first week: no restriction. Under the first: mornings on Mondays.
    store.book(&desk(), &request(1, "2026-06-29T07:00", false)).await.unwrap();
    store.book(&desk(), &request(1, "2026-07-27T09:30", false)).await.unwrap();
    let refused = store.book(&desk(), &request(1, "2026-07-28T09:30", false)).await.unwrap_err();
    assert_eq!(refused.to_string(), "Dr Ada Lee does not work on Tuesday, July 28, 2026: choose another time, or confirm the booking outside hours");
    // From the second week's date on, Monday mornings are no longer worked.
    let refused = store.book(&desk(), &request(1, "2026-08-03T09:30", false)).await.unwrap_err();
    assert_eq!(refused.kind(), ErrorKind::OutsideHours);
    assert_eq!(
        refused.to_string(),
        "Dr Ada Lee works 13:00-17:00 on Monday, August 3, 2026, and 09:30-10:00 is outside that: choose another time, or confirm the booking outside hours"
    );
    store.book(&desk(), &request(1, "2026-08-03T16:30", false)).await.unwrap();
    // A visit must lie wholly within the hours.
    assert!(store.book(&desk(), &request(1, "2026-08-10T16:45", false)).await.is_err());
    // The other doctor has no hours: nothing restricts them.
    store.book(&desk(), &request(2, "2026-08-03T06:00", false)).await.unwrap();

    let time = store.working_time(date("2026-07-31"), 4, None).await.unwrap();
    let lee = &time.doctors[0];
    assert!(lee.restricted);
    // Fri 07-31 and Sat, Sun not worked; Mon 08-03 13:00-17:00 EDT.
    assert_eq!(lee.working.len(), 1);
    assert_eq!(lee.working[0].start, utc("2026-08-03T17:00:00Z"));
    assert_eq!(lee.working[0].end, utc("2026-08-03T21:00:00Z"));
    let roy = &time.doctors[1];
    assert!(!roy.restricted);
    assert_eq!(
        (roy.working[0].start, roy.working[0].end),
        (utc("2026-07-31T04:00:00Z"), utc("2026-08-04T04:00:00Z"))
    );
}

async fn booking_outside_hours_needs_a_recorded_confirmation(engine: Engine) {
    let db = TestDb::new(engine).await;
    let store = seeded(&db).await;
    store
        .set_clinic_hours(
            &it(),
            &week("mon 08:00-18:00; tue 08:00-18:00; wed 08:00-18:00; thu 08:00-18:00; fri 08:00-18:00"),
        )
        .await
        .unwrap();
    store
        .set_doctor_hours(
            &it(),
            StaffId(1),
            date("2026-01-01"),
            &week("mon 09:00-12:00,13:00-17:00; fri 09:00-17:00"),
        )
        .await
        .unwrap();
    store.add_hours_exception(&it(), &off(Some(1), "2026-07-10", None, Some("Conference"))).await.unwrap();
    store.add_hours_exception(&it(), &off(None, "2026-07-13", None, Some("Staff training"))).await.unwrap();
    store.add_hours_exception(&it(), &extra(1, "2026-07-11", "09:00-12:00")).await.unwrap();
    let before = db.count("SELECT COUNT(*) FROM appointments").await;

    // Over lunch, on a day off, on a clinic holiday, on a closed weekday: refused, nothing written.
    for (start, why) in [
        ("2026-07-06T12:15", "Dr Ada Lee works 09:00-12:00, 13:00-17:00 on Monday, July 6, 2026"),
        ("2026-07-10T10:00", "Dr Ada Lee is off on Friday, July 10, 2026 (Conference)"),
        ("2026-07-13T10:00", "the clinic is closed on Monday, July 13, 2026 (Staff training)"),
        ("2026-07-07T10:00", "Dr Ada Lee does not work on Tuesday, July 7, 2026"),
        ("2026-07-06T08:30", "Dr Ada Lee works 09:00-12:00, 13:00-17:00 on Monday"),
    ] {
        let refused = store.book(&desk(), &request(1, start, false)).await.unwrap_err();
        assert!(matches!(refused, CoreError::OutsideHours(_)), "{start}: {refused:?}");
        assert!(refused.to_string().contains(why), "{start}: {refused}");
    }
    assert_eq!(db.count("SELECT COUNT(*) FROM appointments").await, before);

    // Extra hours on a Saturday the clinic is closed: working time.
    store.book(&desk(), &request(1, "2026-07-11T10:00", false)).await.unwrap();
    let inside = store.book(&desk(), &request(1, "2026-07-06T09:00", false)).await.unwrap();

    // Confirmed: booked, and the history and the day sheet say so.
    let late = store.book(&desk(), &request(1, "2026-07-06T17:30", true)).await.unwrap();
    let history = store.appointment(late.id).await.unwrap().history;
    assert_eq!(history[0].detail["outside_hours_allowed"], true);
    assert_eq!(
        store.appointment(inside.id).await.unwrap().history[0].detail.get("outside_hours_allowed"),
        None
    );
    let clinic = store.require_clinic().await.unwrap();
    let sheet = store.day_sheet(&it(), &clinic, date("2026-07-06"), 1, clinic.tz, None).await.unwrap();
    let marks: Vec<(i64, bool)> =
        sheet.appointments.iter().map(|r| (r.appointment.id.0, r.outside_hours)).collect();
    assert_eq!(marks, [(inside.id.0, false), (late.id.0, true)]);
    // Confirming when the time is within hours records nothing.
    let fine = store.book(&desk(), &request(1, "2026-07-06T14:00", true)).await.unwrap();
    assert_eq!(
        store.appointment(fine.id).await.unwrap().history[0].detail.get("outside_hours_allowed"),
        None
    );

    // Moving: into hours clears the mark; out of them needs the confirmation again.
    store.move_appointment(&desk(), late.id, at("2026-07-06T15:00"), false, false).await.unwrap();
    let sheet = store.day_sheet(&it(), &clinic, date("2026-07-06"), 1, clinic.tz, None).await.unwrap();
    assert!(sheet.appointments.iter().all(|r| !r.outside_hours));
    let refused =
        store.move_appointment(&desk(), late.id, at("2026-07-10T15:00"), false, false).await.unwrap_err();
    assert_eq!(refused.kind(), ErrorKind::OutsideHours);
    let moved = store.move_appointment(&desk(), late.id, at("2026-07-10T15:00"), false, true).await.unwrap();
    let history = store.appointment(moved.id).await.unwrap().history;
    assert_eq!(history.last().unwrap().action, "moved");
    assert_eq!(history.last().unwrap().detail["outside_hours_allowed"], true);
    assert_eq!(db.count("SELECT COUNT(*) FROM appointments WHERE outside_hours = TRUE").await, 1);
}

async fn no_hours_entered_means_no_restriction(engine: Engine) {
    let db = TestDb::new(engine).await;
    let store = seeded(&db).await;
    // Sunday 02:00: the clinic never entered hours, so it books as it always did.
    let night = store.book(&desk(), &request(1, "2026-07-05T02:00", false)).await.unwrap();
    assert_eq!(
        store.appointment(night.id).await.unwrap().history[0].detail.get("outside_hours_allowed"),
        None
    );
    let time = store.working_time(date("2026-07-05"), 1, None).await.unwrap();
    assert!(!time.clinic.restricted);
    assert_eq!(time.clinic.opens_at_minute, None);
    assert!(time.doctors.iter().all(|d| !d.restricted && d.working.len() == 1));
    // Only the clinic's holiday restricts the doctors, then.
    store.add_hours_exception(&it(), &off(None, "2026-07-06", None, None)).await.unwrap();
    assert!(store.book(&desk(), &request(2, "2026-07-06T10:00", false)).await.is_err());
    store.book(&desk(), &request(2, "2026-07-07T02:00", false)).await.unwrap();
}

async fn hours_keep_their_wall_clock_across_dst(engine: Engine) {
    let db = TestDb::new(engine).await;
    let store = seeded(&db).await;
    let every_day = "mon 09:00-17:00; tue 09:00-17:00; wed 09:00-17:00; thu 09:00-17:00; fri 09:00-17:00; sat 09:00-17:00; sun 01:00-03:00,09:00-17:00";
    store.set_doctor_hours(&it(), StaffId(1), date("2026-01-01"), &week(every_day)).await.unwrap();
    store.set_clinic_hours(&it(), &week("mon 07:30-20:00; sat 08:00-12:00; sun 01:00-18:00")).await.unwrap();

    // Toronto springs forward on Sunday, March 8, 2026 at 02:00: 09:00 is 14:00Z before, 13:00Z after;
    // the 01:00-03:00 block that night lasts one hour.
    let time = store.working_time(date("2026-03-07"), 3, Some(StaffId(1))).await.unwrap();
    let spans: Vec<(DateTime<Utc>, DateTime<Utc>)> =
        time.doctors[0].working.iter().map(|s| (s.start, s.end)).collect();
    assert_eq!(
        spans,
        [
            (utc("2026-03-07T14:00:00Z"), utc("2026-03-07T17:00:00Z")), // Saturday, within the clinic's 08:00-12:00
            (utc("2026-03-08T06:00:00Z"), utc("2026-03-08T07:00:00Z")), // Sunday 01:00 EST to 03:00 EDT
            (utc("2026-03-08T13:00:00Z"), utc("2026-03-08T21:00:00Z")),
            (utc("2026-03-09T13:00:00Z"), utc("2026-03-09T21:00:00Z")),
        ]
    );
    let monday = store.working_time(date("2026-03-09"), 1, None).await.unwrap();
    assert_eq!(
        monday.clinic.opens_at_minute,
        Some(7 * 60 + 30),
        "the day view opens at the clinic's opening"
    );
    // Toronto falls back on 2026-11-01: 01:00-03:00 on the clock is three hours.
    let time = store.working_time(date("2026-11-01"), 1, Some(StaffId(1))).await.unwrap();
    assert_eq!(
        (time.doctors[0].working[0].start, time.doctors[0].working[0].end),
        (utc("2026-11-01T05:00:00Z"), utc("2026-11-01T08:00:00Z"))
    );
    // Booking at 09:00 on the clock is in hours on either side of the change.
    store.book(&desk(), &request(1, "2026-03-06T09:00", true)).await.unwrap(); // a Friday: the clinic is closed
    store.book(&desk(), &request(1, "2026-03-09T09:00", false)).await.unwrap();
    store.book(&desk(), &request(1, "2026-03-08T09:00", false)).await.unwrap();
    // That night's block: 01:30 is in it, 02:30 does not exist, and at 03:00 EDT it has ended.
    store.book(&desk(), &request(1, "2026-03-08T01:30", false)).await.unwrap();
    assert_eq!(
        store.book(&desk(), &request(1, "2026-03-08T02:30", false)).await.unwrap_err().kind(),
        ErrorKind::Validation
    );
    let ended = store.book(&desk(), &request(2, "2026-03-08T03:00", false)).await;
    assert!(ended.is_ok(), "Dr Roy has no hours of his own: the clinic's are his");
    let ended = store.book(&desk(), &request(1, "2026-03-08T03:00", false)).await.unwrap_err();
    assert_eq!(ended.kind(), ErrorKind::OutsideHours);

    // Europe/London: the same week, an hour's change after midnight.
    let settings = ClinicSettings {
        name: "Maple Clinic".into(),
        tz: "Europe/London".into(),
        lock_minutes: 10,
        locale: "en-GB".into(),
        neutral_titles: false,
        own_patients_only: false,
    };
    store.update_clinic(&it(), &settings).await.unwrap();
    store.clear_clinic_hours(&it()).await.unwrap();
    let time = store.working_time(date("2026-03-28"), 3, Some(StaffId(1))).await.unwrap();
    let starts: Vec<DateTime<Utc>> = time.doctors[0].working.iter().map(|s| s.start).collect();
    assert_eq!(
        starts,
        [
            utc("2026-03-28T09:00:00Z"),
            utc("2026-03-29T01:00:00Z"), // 01:00 GMT does not exist: the block starts as the clocks jump to 02:00 BST
            utc("2026-03-29T08:00:00Z"),
            utc("2026-03-30T08:00:00Z"),
        ]
    );
    assert_eq!(time.doctors[0].working[1].end, utc("2026-03-29T02:00:00Z"), "03:00 BST");
    let time = store.working_time(date("2026-10-25"), 2, Some(StaffId(1))).await.unwrap();
    let spans: Vec<(DateTime<Utc>, DateTime<Utc>)> =
        time.doctors[0].working.iter().map(|s| (s.start, s.end)).collect();
    assert_eq!(
        spans,
        [
            (utc("2026-10-25T00:00:00Z"), utc("2026-10-25T03:00:00Z")), // 01:00 BST to 03:00 GMT
            (utc("2026-10-25T09:00:00Z"), utc("2026-10-25T17:00:00Z")),
            (utc("2026-10-26T09:00:00Z"), utc("2026-10-26T17:00:00Z")),
        ]
    );
}

async fn the_first_free_slots_from_the_store(engine: Engine) {
    let db = TestDb::new(engine).await;
    let store = seeded(&db).await;
    store.add_type(&it(), "Long", 60, Mode::InPerson).await.unwrap();
    store
        .set_doctor_hours(
            &it(),
            StaffId(1),
            date("2026-01-01"),
            &week("mon 09:00-12:00; tue 09:00-12:00,13:00-17:00"),
        )
        .await
        .unwrap();
    store
        .set_doctor_hours(&it(), StaffId(2), date("2026-01-01"), &week("mon 10:00-11:00; tue 14:00-16:00"))
        .await
        .unwrap();
    store.add_hours_exception(&it(), &off(Some(1), "2026-07-07", None, None)).await.unwrap();
    store.book(&desk(), &request(1, "2026-07-06T09:00", false)).await.unwrap();
    store.book(&desk(), &request(1, "2026-07-06T10:00", false)).await.unwrap();
    let cancelled = store.book(&desk(), &request(1, "2026-07-06T11:00", false)).await.unwrap();
    store.cancel(&desk(), cancelled.id, "Rebooked").await.unwrap();
    let query = |doctor: Option<i64>, type_id: i64, count: u32, part: Option<DayPart>| FreeSlotQuery {
        type_id: TypeId(type_id),
        doctor_id: doctor.map(StaffId),
        from: Some(date("2026-07-06")),
        days: Some(7),
        count: Some(count),
        part,
    };
    let local = |slots: &[hours::FreeSlot]| -> Vec<(i64, String)> {
        slots.iter().map(|s| (s.doctor_id.0, s.local_start.format("%a %H:%M").to_string())).collect()
    };
    // Dr Lee's Monday: 09:00 and 10:00 taken, 11:00 freed by a cancellation; Tuesday off.
    let lee = store.free_slots(&query(Some(1), 1, 3, None)).await.unwrap();
    assert_eq!(local(&lee), [(1, "Mon 09:30".into()), (1, "Mon 10:30".into()), (1, "Mon 11:00".into())]);
    let any = store.free_slots(&query(None, 2, 4, None)).await.unwrap();
    assert_eq!(
        local(&any),
        [(2, "Mon 10:00".into()), (1, "Mon 10:30".into()), (2, "Tue 14:00".into()), (2, "Tue 15:00".into())]
    );
    let afternoons = store.free_slots(&query(None, 1, 2, Some(DayPart::Afternoon))).await.unwrap();
    assert_eq!(local(&afternoons), [(2, "Tue 14:00".into()), (2, "Tue 14:30".into())]);
    assert_eq!(afternoons[0].end - afternoons[0].start, chrono::Duration::minutes(30));
    // From a day in the past: never before now (the store's clock says 2026-06-01 12:00 UTC).
    let past = FreeSlotQuery { from: Some(date("2026-05-01")), days: Some(60), ..query(Some(1), 1, 1, None) };
    assert_eq!(store.free_slots(&past).await.unwrap()[0].start, utc("2026-06-01T13:00:00Z"), "Monday 09:00");
    // Bad questions.
    assert!(matches!(
        store.free_slots(&query(None, 9, 1, None)).await,
        Err(CoreError::NotFound { what: "appointment type", .. })
    ));
    assert!(matches!(
        store.free_slots(&query(Some(77), 1, 1, None)).await,
        Err(CoreError::NotFound { what: "doctor", .. })
    ));
    assert!(store.free_slots(&query(None, 1, 0, None)).await.unwrap_err().to_string().contains("1 to 50"));
    let far = FreeSlotQuery { days: Some(400), ..query(None, 1, 1, None) };
    assert!(store.free_slots(&far).await.is_err());
}

// --- The free-slot search against a brute-force minute-by-minute model ---------------------

/// Whether `doctor` works minute `m` of the local `date`, decided minute by minute from what
/// was entered, without the module's block arithmetic.
fn model_works(h: &Hours, doctor: StaffId, date: NaiveDate, m: u16) -> bool {
    let inside = |blocks: &[Block]| blocks.iter().any(|b| b.start_minute <= m && m < b.end_minute);
    let covers = |e: &HoursException| e.first_day <= date && date <= e.last_day;
    if h.exceptions.iter().any(|e| {
        e.kind == ExceptionKind::Extra
            && e.doctor_id == Some(doctor)
            && covers(e)
            && e.block.is_some_and(|b| inside(&[b]))
    }) {
        return true;
    }
    if h.exceptions.iter().any(|e| {
        e.kind == ExceptionKind::Off && (e.doctor_id.is_none() || e.doctor_id == Some(doctor)) && covers(e)
    }) {
        return false;
    }
    let day = Day::of(date);
    let clinic = h.clinic.as_ref().is_none_or(|w| inside(w.on(day)));
    let mut own: Option<&DoctorWeek> = None;
    for w in &h.doctors {
        if w.doctor_id == doctor
            && w.effective_from <= date
            && own.is_none_or(|o| o.effective_from < w.effective_from)
        {
            own = Some(w);
        }
    }
    clinic && own.is_none_or(|w| inside(w.week.on(day)))
}

/// The instant the clock of `date` shows `minute`: the first (or with `later`, the last) time,
/// or the jump over a gap; 24:00 is the next day's first instant.
fn model_instant(date: NaiveDate, minute: u16, later: bool, tz: Tz) -> i64 {
    if minute == 1440 {
        return frontdesk_core::time::day_bounds(date, tz).1.timestamp();
    }
    let local = date.and_hms_opt(u32::from(minute / 60), u32::from(minute % 60), 0).unwrap();
    match tz.from_local_datetime(&local) {
        chrono::LocalResult::Single(t) => t.timestamp(),
        chrono::LocalResult::Ambiguous(a, b) => if later { b } else { a }.timestamp(),
        chrono::LocalResult::None => {
            // The first minute after it that exists is where the clock lands when it jumps.
            let mut probe = local;
            loop {
                probe += chrono::Duration::minutes(1);
                if let Some(t) = tz.from_local_datetime(&probe).earliest() {
                    return t.timestamp();
                }
            }
        }
    }
}

fn model(h: &Hours, taken: &[Taken], s: &SlotSearch, tz: Tz) -> Vec<(i64, StaffId)> {
    let last = s.first + chrono::Days::new(u64::from(s.days) - 1);
    let from = frontdesk_core::time::day_bounds(s.first, tz).0.timestamp();
    let to = frontdesk_core::time::day_bounds(last, tz).1.timestamp();
    let n = usize::try_from((to - from) / 60).unwrap();
    let mut found = Vec::new();
    for doctor in &s.doctors {
        let mut free = vec![false; n];
        for date in s.first.iter_days().take(s.days as usize) {
            let mut m = 0u16;
            while m < 1440 {
                if !model_works(h, *doctor, date, m) {
                    m += 1;
                    continue;
                }
                let start = m;
                while m < 1440 && model_works(h, *doctor, date, m) {
                    m += 1;
                }
                let (a, b) = (model_instant(date, start, false, tz), model_instant(date, m, true, tz));
                for (i, f) in free.iter_mut().enumerate() {
                    let t = from + 60 * i as i64;
                    if a <= t && t < b {
                        *f = true;
                    }
                }
            }
        }
        for t in taken.iter().filter(|t| t.doctor == *doctor) {
            for (i, f) in free.iter_mut().enumerate() {
                let minute = from + 60 * i as i64;
                if t.span.start < minute + 60 && minute < t.span.end {
                    *f = false;
                }
            }
        }
        let len = usize::try_from(s.minutes).unwrap();
        let mut cursor = i64::MIN;
        let mut mine = 0;
        for i in 0..n {
            let t = from + 60 * i as i64;
            if t < s.not_before.timestamp()
                || t < cursor
                || i + len > n
                || !free[i..i + len].iter().all(|f| *f)
            {
                continue;
            }
            let hour = Utc.timestamp_opt(t, 0).unwrap().with_timezone(&tz).hour();
            if s.part.is_some_and(|p| (p == DayPart::Morning) != (hour < 12)) {
                continue;
            }
            found.push((t, *doctor));
            cursor = t + 60 * s.minutes;
            mine += 1;
            if mine == s.count {
                break;
            }
        }
    }
    let rank = |d: &StaffId| s.doctors.iter().position(|x| x == d).unwrap();
    found.sort_by_key(|(t, d)| (*t, rank(d)));
    found.truncate(s.count);
    found
}

/// A day's blocks from a few ranges of half hours (overlapping ranges make one block).
fn blocks_strategy() -> impl Strategy<Value = Vec<Block>> {
    proptest::collection::vec((0u16..48, 1u16..20), 0..3).prop_map(|ranges| {
        let mut halves = [false; 48];
        for (start, len) in ranges {
            for h in start..(start + len).min(48) {
                halves[usize::from(h)] = true;
            }
        }
        let mut blocks = Vec::new();
        let mut h = 0;
        while h < 48 {
            if halves[h] {
                let start = h;
                while h < 48 && halves[h] {
                    h += 1;
                }
                blocks.push(Block { start_minute: start as u16 * 30, end_minute: h as u16 * 30 });
            } else {
                h += 1;
            }
        }
        blocks
    })
}

fn week_strategy() -> impl Strategy<Value = WeekHours> {
    proptest::collection::vec(blocks_strategy(), 7)
        .prop_map(|days| WeekHours::new(Day::ALL.iter().copied().zip(days)).unwrap())
}

/// Days around each zone's DST changes in 2026, and an ordinary one.
const FIRST_DAYS: [&str; 5] = ["2026-03-07", "2026-10-31", "2026-03-28", "2026-10-24", "2026-07-01"];

fn search_case() -> impl Strategy<Value = (Hours, Vec<Taken>, SlotSearch, Tz)> {
    (
        prop_oneof![Just("America/Toronto"), Just("Europe/London")],
        0usize..FIRST_DAYS.len(),
        1u32..4,
        proptest::option::of(week_strategy()),
        proptest::collection::vec((1i64..4, -3i64..4, week_strategy()), 0..4),
        proptest::collection::vec((0i64..4, any::<bool>(), 0i64..4, 0i64..2, (0u16..46, 1u16..8)), 0..5),
        proptest::collection::vec((1i64..4, 0i64..4 * 1440, 5i64..120), 0..12),
        (prop_oneof![Just(10i64), Just(15), Just(30), Just(45), Just(60), Just(90)], 1usize..7),
        (
            proptest::option::of(prop_oneof![Just(DayPart::Morning), Just(DayPart::Afternoon)]),
            -7200i64..2 * 86_400,
        ),
        proptest::sample::subsequence(vec![1i64, 2, 3], 1..=3),
    )
        .prop_map(
            |(
                zone,
                first,
                days,
                clinic,
                weeks,
                exceptions,
                taken,
                (minutes, count),
                (part, late),
                doctors,
            )| {
                let tz: Tz = zone.parse().unwrap();
                let first = date(FIRST_DAYS[first]);
                // One week per doctor and date, as the database keeps them.
                let doctors_weeks = weeks
                    .into_iter()
                    .map(|(d, shift, week)| ((d, shift), week))
                    .collect::<std::collections::BTreeMap<_, _>>()
                    .into_iter()
                    .map(|((d, shift), week)| DoctorWeek {
                        doctor_id: StaffId(d),
                        effective_from: first.checked_add_signed(chrono::Duration::days(shift)).unwrap(),
                        week,
                    })
                    .collect();
                let exceptions = exceptions
                    .into_iter()
                    .enumerate()
                    .map(|(i, (doctor, is_extra, offset, more, (half, halves)))| {
                        let day = first + chrono::Days::new(offset as u64);
                        let doctor_id =
                            if doctor == 0 && !is_extra { None } else { Some(StaffId(doctor.max(1))) };
                        let end = (half + halves).min(48);
                        HoursException {
                            id: i as i64 + 1,
                            doctor_id,
                            kind: if is_extra { ExceptionKind::Extra } else { ExceptionKind::Off },
                            first_day: day,
                            last_day: if is_extra { day } else { day + chrono::Days::new(more as u64) },
                            block: is_extra
                                .then_some(Block { start_minute: half * 30, end_minute: end * 30 }),
                            label: None,
                        }
                    })
                    .collect();
                let from = frontdesk_core::time::day_bounds(first, tz).0.timestamp();
                let taken = taken
                    .into_iter()
                    .map(|(d, minute, len)| Taken {
                        doctor: StaffId(d),
                        span: Span { start: from + 60 * minute, end: from + 60 * (minute + len) },
                    })
                    .collect();
                let search = SlotSearch {
                    minutes,
                    doctors: doctors.into_iter().map(StaffId).collect(),
                    first,
                    days,
                    not_before: DateTime::from_timestamp(from + late, 0).unwrap(),
                    count,
                    part,
                };
                (Hours { clinic, doctors: doctors_weeks, exceptions }, taken, search, tz)
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// The search answers exactly what a minute-by-minute scan of the same hours and visits
    /// finds, across DST changes in Toronto and London.
    #[test]
    fn free_slots_match_a_minute_by_minute_model((h, taken, search, tz) in search_case()) {
        let got: Vec<(i64, StaffId)> =
            hours::free_slots(&h, &taken, &search, tz).iter().map(|s| (s.start.timestamp(), s.doctor_id)).collect();
        let want = model(&h, &taken, &search, tz);
        prop_assert_eq!(got, want);
    }
}
