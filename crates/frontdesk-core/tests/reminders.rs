//! Desktop reminders computed from the database, with a clock the test moves by hand (no sleeps):
//! timing, restart, moved and cancelled visits, missed reminders, clocks set back.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests panic on purpose

mod engines;

use std::sync::Arc;

use chrono::{DateTime, NaiveDate};
use engines::TestDb;
use frontdesk_core::store::{Engine, NewPatient, ReminderKind};
use frontdesk_core::{
    Actor, Appointment, BookingRequest, HandClock, LocalTime, Mode, Role, StaffId, Status, Store, TypeId,
};

on_both_engines!(
    the_doctor_is_reminded_once_at_the_clinics_lead_time,
    a_reminder_missed_while_closed_is_not_shown_late,
    moved_and_cancelled_visits_follow_the_schedule,
    the_front_desk_hears_of_in_person_patients_not_checked_in_at_start,
);

/// The command-line twin's rights, for setting a clinic up.
fn it() -> Actor {
    Actor::Tool { tool: "test", user: "it".into() }
}

struct Clinic {
    db: TestDb,
    clock: Arc<HandClock>,
    store: Store,
    doctor: StaffId,
    desk: StaffId,
    admin: StaffId,
    telehealth: TypeId,
    in_person: TypeId,
}

impl Clinic {
    async fn new(engine: Engine) -> Clinic {
        let db = TestDb::new(engine).await;
        let clock = Arc::new(HandClock::default());
        let store = db.open(clock.clone()).await;
        store.init_clinic("Maple Clinic", "America/Toronto").await.unwrap();
        let admin = store.add_staff(&it(), "Eli Admin", Role::Admin, Some("135790")).await.unwrap().id;
        let doctor = store.add_staff(&it(), "Dr Ada Lee", Role::Doctor, None).await.unwrap().id;
        let desk = store.add_staff(&it(), "Dana Desk", Role::Receptionist, Some("246802")).await.unwrap().id;
        let patient = NewPatient {
            full_name: "Jane Mary Doe".into(),
            email: None,
            phone: None,
            date_of_birth: None,
            note: None,
        };
        store.add_patient(&it(), &patient).await.unwrap();
        let telehealth = store.add_type(&it(), "Telehealth consult", 30, Mode::Zoom).await.unwrap().id;
        let in_person = store.add_type(&it(), "Checkup", 30, Mode::InPerson).await.unwrap().id;
        Clinic { db, clock, store, doctor, desk, admin, telehealth, in_person }
    }

    /// Sets the clock to `hh:mm:ss` UTC on 2031-05-05 (Toronto is UTC-4 then).
    fn at(&self, time: &str) {
        let t = DateTime::parse_from_rfc3339(&format!("2031-05-05T{time}Z")).unwrap();
        self.clock.set(t.with_timezone(&chrono::Utc));
    }

    async fn book(&self, type_id: TypeId, local_hour: u32) -> Appointment {
        let at = NaiveDate::from_ymd_opt(2031, 5, 5).unwrap().and_hms_opt(local_hour, 0, 0).unwrap();
        let tz = frontdesk_core::time::parse_zone("America/Toronto").unwrap();
        let request = BookingRequest {
            patient_id: frontdesk_core::PatientId(1),
            doctor_id: self.doctor,
            type_id,
            start: LocalTime { at, tz, fold: None },
            allow_overlap: false,
            allow_outside_hours: false,
            topic: None,
            description: None,
        };
        self.store.book(&Actor::Staff { id: self.admin, role: Role::Admin }, &request).await.unwrap()
    }

    /// The texts of the reminders due for `staff`, each taken (recorded as shown).
    async fn show(&self, staff: StaffId) -> Vec<String> {
        let mut shown = Vec::new();
        for reminder in self.store.due_reminders(staff).await.unwrap() {
            if self.store.take_reminder(staff, &reminder).await.unwrap() {
                shown.push(reminder.text);
            }
        }
        shown
    }
}

async fn the_doctor_is_reminded_once_at_the_clinics_lead_time(engine: Engine) {
    let c = Clinic::new(engine).await;
    c.at("12:00:00"); // book in the morning
    let visit = c.book(c.telehealth, 10).await; // 14:00 UTC
    c.at("13:49:59");
    assert!(c.show(c.doctor).await.is_empty(), "not before ten minutes");
    c.at("13:50:00");
    let due = c.store.due_reminders(c.doctor).await.unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!((due[0].kind, due[0].appointment_id), (ReminderKind::Upcoming, visit.id));
    assert_eq!(c.show(c.doctor).await, ["Telehealth with J.D. in 10 min"]);
    assert!(c.show(c.doctor).await.is_empty(), "never twice");
    // A clock set back, then forward again: still not twice.
    c.at("13:49:00");
    c.at("13:50:30");
    assert!(c.show(c.doctor).await.is_empty());
    // A restart reads the same record.
    let reopened = c.db.open(c.clock.clone()).await;
    assert!(reopened.due_reminders(c.doctor).await.unwrap().is_empty());
    // Nobody else is reminded of the doctor's visit.
    assert!(c.show(c.admin).await.is_empty() && c.show(c.desk).await.is_empty());
}

async fn a_reminder_missed_while_closed_is_not_shown_late(engine: Engine) {
    let c = Clinic::new(engine).await;
    c.at("12:00:00");
    c.book(c.telehealth, 11).await; // 15:00 UTC: reminder at 14:50
    c.at("14:52:01"); // the app was closed (or asleep) from 14:49 to now
    assert!(c.show(c.doctor).await.is_empty());
    c.at("14:52:00");
    assert_eq!(c.show(c.doctor).await, ["Telehealth with J.D. in 8 min"], "inside the two-minute window");
}

async fn moved_and_cancelled_visits_follow_the_schedule(engine: Engine) {
    let c = Clinic::new(engine).await;
    c.at("12:00:00");
    c.store.set_reminder_minutes(&it(), 15).await.unwrap();
    let moved = c.book(c.telehealth, 12).await; // 16:00 UTC
    let cancelled = c.book(c.in_person, 13).await; // 17:00 UTC
    let admin = Actor::Staff { id: c.admin, role: Role::Admin };
    c.at("15:45:00");
    assert_eq!(c.show(c.doctor).await, ["Telehealth with J.D. in 15 min"]);
    // Moved after its reminder: reminded again for the new time, not the old one.
    let tz = frontdesk_core::time::parse_zone("America/Toronto").unwrap();
    let later = NaiveDate::from_ymd_opt(2031, 5, 5).unwrap().and_hms_opt(14, 0, 0).unwrap();
    c.store
        .move_appointment(&admin, moved.id, LocalTime { at: later, tz, fold: None }, false, false)
        .await
        .unwrap();
    c.store.cancel(&admin, cancelled.id, "patient asked").await.unwrap();
    c.at("16:45:00");
    assert!(c.show(c.doctor).await.is_empty(), "the cancelled visit is not reminded");
    c.at("17:45:00");
    assert_eq!(c.show(c.doctor).await, ["Telehealth with J.D. in 15 min"]);
    assert_eq!(
        c.store.set_reminder_minutes(&it(), 0).await.unwrap_err().kind(),
        frontdesk_core::ErrorKind::Validation
    );
}

async fn the_front_desk_hears_of_in_person_patients_not_checked_in_at_start(engine: Engine) {
    let c = Clinic::new(engine).await;
    c.at("12:00:00");
    let late = c.book(c.in_person, 9).await; // 13:00 UTC
    let arrived = c.book(c.in_person, 10).await; // 14:00 UTC
    let online = c.book(c.telehealth, 11).await; // 15:00 UTC: no arrival to wait for
    c.store
        .set_status(&Actor::Staff { id: c.desk, role: Role::Receptionist }, arrived.id, Status::CheckedIn)
        .await
        .unwrap();
    c.at("13:00:30");
    assert_eq!(c.show(c.desk).await, ["J.D. has not checked in (09:00 with Dr Ada Lee)"]);
    c.at("14:00:30");
    assert!(c.show(c.desk).await.is_empty(), "checked in");
    c.at("15:00:30");
    assert!(c.show(c.desk).await.is_empty(), "telehealth");
    let _ = (late, online);
    // Texts carry initials only.
    c.at("14:50:00");
    for text in c.show(c.doctor).await {
        assert!(!text.contains("Jane") && !text.contains("Doe"), "{text}");
    }
}
