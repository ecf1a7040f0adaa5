//! The store conformance suite: every test here runs on a real SQLite file and on a real
//! PostgreSQL server (see `engines`): transactions, racing desks, constraints, the day on DST
//! days, the lifecycle, access. A few tests are about one engine's own file or server.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests panic on purpose

mod engines;

use std::sync::Arc;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use engines::TestDb;
use frontdesk_core::store::{ClinicSettings, Engine, NewPatient};
use frontdesk_core::time::parse_zone;
use frontdesk_core::{
    Actor, AppointmentId, BookingRequest, CoreError, FixedClock, LocalTime, Mode, PatientId, Role, StaffId,
    Status, Store, TypeId,
};
use proptest::prelude::*;

fn clock() -> Arc<FixedClock> {
    Arc::new(FixedClock(DateTime::parse_from_rfc3339("2026-06-01T12:00:00Z").unwrap().with_timezone(&Utc)))
}

fn desk() -> Actor {
    Actor::Staff { id: StaffId(3), role: Role::Receptionist }
}

/// The command-line twin's rights, for setting a clinic up.
fn it() -> Actor {
    Actor::Tool { tool: "test", user: "it".into() }
}

fn at(text: &str, tz: &str) -> LocalTime {
    LocalTime {
        at: NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M").unwrap(),
        tz: parse_zone(tz).unwrap(),
        fold: None,
    }
}

fn request(doctor: i64, start: LocalTime, allow_overlap: bool) -> BookingRequest {
    BookingRequest {
        patient_id: PatientId(1),
        doctor_id: StaffId(doctor),
        type_id: TypeId(1),
        start,
        allow_overlap,
        allow_outside_hours: false,
        topic: None,
        description: None,
    }
}

on_both_engines!(
    constraints_come_back_as_domain_errors,
    the_database_itself_refuses_a_double_booking,
    two_desks_racing_for_one_slot_cannot_both_win,
    a_newer_database_is_refused_and_left_alone,
    the_day_is_the_local_day_on_dst_days,
    status_lifecycle_is_enforced_and_recorded,
    each_use_case_checks_who_acts_and_whose_visit_it_is,
    times_are_utc_and_a_reopened_store_keeps_everything,
    a_clinic_can_keep_the_type_of_visit_out_of_what_leaves_it,
    under_the_minimum_necessary_a_doctor_reads_only_their_own_patients,
    a_reschedule_to_another_doctor_and_type_is_one_visit_whose_meeting_follows,
    the_author_of_a_change_can_undo_it_for_two_minutes_as_a_change_like_any_other,
);

/// Undo takes back the last change to a visit, by whoever made it, for two minutes: a booking
/// (cancelled), a move or reschedule (back to the doctor, type and time before), a cancellation
/// and a status change (back to the status before). Each undo is a change in the history and
/// the audit log; nobody else's change, and nothing older, is undone.
async fn the_author_of_a_change_can_undo_it_for_two_minutes_as_a_change_like_any_other(engine: Engine) {
    use frontdesk_core::store::UNDO_SECONDS;
    use frontdesk_core::{HandClock, Reschedule};
    let db = TestDb::new(engine).await;
    let start = DateTime::parse_from_rfc3339("2026-06-01T12:00:00Z").unwrap().with_timezone(&Utc);
    let hand = Arc::new(HandClock::at(start));
    seeded(&db).await;
    let store = db.open(hand.clone()).await;
    let other = Actor::Staff { id: StaffId(4), role: Role::Admin };

    // A booking undone is a cancelled visit, its meeting going with it.
    let visit =
        store.book(&desk(), &request(1, at("2026-07-06T09:30", "America/Toronto"), false)).await.unwrap();
    let undone = store.undo(&desk(), visit.id).await.unwrap();
    assert_eq!(undone.status, Status::Cancelled);
    // ...and an undo is not undone in turn (it is the last change now, but an undo).
    assert!(matches!(store.undo(&desk(), visit.id).await, Err(CoreError::Transition(_))));

    // A reschedule undone: back to Dr Lee, the Consult and 09:30.
    let visit =
        store.book(&desk(), &request(1, at("2026-07-06T09:30", "America/Toronto"), false)).await.unwrap();
    let short = store.add_type(&it(), "Short", 15, Mode::InPerson).await.unwrap().id;
    let change = Reschedule {
        to: at("2026-07-07T15:00", "America/Toronto"),
        doctor_id: Some(StaffId(2)),
        type_id: Some(short),
        allow_overlap: false,
        allow_outside_hours: false,
    };
    store.reschedule(&desk(), visit.id, &change).await.unwrap();
    // Someone else cannot undo it.
    assert!(matches!(store.undo(&other, visit.id).await, Err(CoreError::Transition(_))));
    let back = store.undo(&desk(), visit.id).await.unwrap();
    assert_eq!(
        (back.doctor_id, back.type_id, back.start, back.end),
        (visit.doctor_id, visit.type_id, visit.start, visit.end)
    );

    // A check-in and a cancellation undone: back to where they were.
    store.set_status(&desk(), visit.id, Status::CheckedIn).await.unwrap();
    assert_eq!(store.undo(&desk(), visit.id).await.unwrap().status, Status::Booked);
    store.cancel(&desk(), visit.id, "Called to cancel").await.unwrap();
    let restored = store.undo(&desk(), visit.id).await.unwrap();
    assert_eq!((restored.status, restored.cancel_reason), (Status::Booked, None));

    // Each undo is in the history, naming the row it undoes.
    let history = store.appointment(visit.id).await.unwrap().history;
    let actions: Vec<(&str, bool)> =
        history.iter().map(|h| (h.action.as_str(), h.detail.get("undoes").is_some())).collect();
    assert_eq!(
        actions,
        [
            ("booked", false),
            ("moved", false),
            ("moved", true),
            ("status", false),
            ("status", true),
            ("cancelled", false),
            ("status", true)
        ]
    );

    // Too late: two minutes and a second after the change.
    store.set_status(&desk(), visit.id, Status::CheckedIn).await.unwrap();
    hand.set(start + chrono::Duration::seconds(UNDO_SECONDS + 1));
    let late = store.undo(&desk(), visit.id).await;
    assert!(matches!(&late, Err(CoreError::Transition(m)) if m.contains("2 minutes")), "{late:?}");
    assert_eq!(store.appointment(visit.id).await.unwrap().appointment.status, Status::CheckedIn);

    // A move back onto time taken since is refused as a double booking, and changes nothing.
    hand.set(start);
    let early =
        store.book(&desk(), &request(1, at("2026-07-08T09:00", "America/Toronto"), false)).await.unwrap();
    store
        .move_appointment(&desk(), early.id, at("2026-07-08T11:00", "America/Toronto"), false, false)
        .await
        .unwrap();
    store.book(&other, &request(1, at("2026-07-08T09:00", "America/Toronto"), false)).await.unwrap();
    let refused = store.undo(&desk(), early.id).await;
    assert!(matches!(refused, Err(CoreError::Overlap(_))), "{refused:?}");
    let kept = store.appointment(early.id).await.unwrap().appointment;
    assert_eq!(frontdesk_core::time::in_zone(kept.start, kept.tz).format("%H:%M").to_string(), "11:00");
}

/// A reschedule changes the day, the doctor and the type in one change: the same visit (id,
/// patient, history), the new doctor's rules (clash, hours), the new length; the meeting made on
/// the old doctor's account is first deleted there (the worker is given that account), then made
/// anew for the new doctor; a type held in person drops it; a telehealth type brings one back.
async fn a_reschedule_to_another_doctor_and_type_is_one_visit_whose_meeting_follows(engine: Engine) {
    use frontdesk_core::store::Outcome;
    use frontdesk_core::{MeetingState, Provider, Reschedule};
    let db = TestDb::new(engine).await;
    let store = seeded(&db).await;
    let short = store.add_type(&it(), "Teams check", 15, Mode::Teams).await.unwrap().id;
    let in_person = store.add_type(&it(), "In person", 20, Mode::InPerson).await.unwrap().id;
    let visit =
        store.book(&desk(), &request(1, at("2026-07-06T09:30", "America/Toronto"), false)).await.unwrap();
    let ben =
        store.book(&desk(), &request(2, at("2026-07-06T14:00", "America/Toronto"), false)).await.unwrap();
    // The worker made the Zoom meeting on Dr Lee's account.
    let work = store.next_meeting_work(true, &[]).await.unwrap().unwrap();
    assert_eq!((work.doctor_id, work.moves_to), (StaffId(1), None));
    store
        .record_outcome(
            &work,
            &Outcome::Ready {
                meeting_id: "85746065123".into(),
                join_url: Some("https://zoom.us/j/85746065123".into()),
            },
        )
        .await
        .unwrap();
    let work = store.next_meeting_work(true, &[]).await.unwrap().unwrap();
    store
        .record_outcome(
            &work,
            &Outcome::Ready {
                meeting_id: "85746065124".into(),
                join_url: Some("https://zoom.us/j/85746065124".into()),
            },
        )
        .await
        .unwrap();

    let change = |doctor: i64, type_id: TypeId, when: &str, allow_overlap: bool| Reschedule {
        to: at(when, "America/Toronto"),
        doctor_id: Some(StaffId(doctor)),
        type_id: Some(type_id),
        allow_overlap,
        allow_outside_hours: false,
    };
    // Onto Dr Roy's taken time: refused as a double booking, and nothing changed.
    let refused = store.reschedule(&desk(), visit.id, &change(2, TypeId(1), "2026-07-06T14:10", false)).await;
    assert!(matches!(refused, Err(CoreError::Overlap(_))), "{refused:?}");
    assert_eq!(store.appointment(visit.id).await.unwrap().appointment.doctor_id, StaffId(1));
    // To Dr Roy, as a 15-minute Teams visit the next day.
    let moved =
        store.reschedule(&desk(), visit.id, &change(2, short, "2026-07-07T10:00", false)).await.unwrap();
    assert_eq!(
        (moved.id, moved.patient_id, moved.doctor_id, moved.type_id),
        (visit.id, visit.patient_id, StaffId(2), short)
    );
    assert_eq!(moved.duration_minutes, 15);
    assert_eq!(moved.end - moved.start, chrono::Duration::minutes(15));
    let detail = store.appointment(visit.id).await.unwrap();
    let last = detail.history.last().unwrap();
    assert_eq!(last.action, "moved");
    assert_eq!(
        (last.detail["from"]["doctor_id"].as_i64(), last.detail["to"]["doctor_id"].as_i64()),
        (Some(1), Some(2))
    );
    assert_eq!(last.detail["to"]["type_id"].as_i64(), Some(short.0));
    // The worker is sent to delete the Zoom meeting on Dr Lee's account first...
    let work = store.next_meeting_work(true, &[]).await.unwrap().unwrap();
    assert_eq!(work.visit.appointment_id, visit.id);
    assert_eq!(
        (work.doctor_id, work.provider, work.moves_to),
        (StaffId(1), Provider::Zoom, Some(Provider::Microsoft))
    );
    assert_eq!(work.meeting_id.as_deref(), Some("85746065123"));
    assert!(work.visit.active);
    store.record_outcome(&work, &Outcome::Moved).await.unwrap();
    // ...then to make it on Dr Roy's Teams, from nothing.
    let work = store.next_meeting_work(true, &[]).await.unwrap().unwrap();
    assert_eq!((work.doctor_id, work.provider, work.moves_to), (StaffId(2), Provider::Microsoft, None));
    assert_eq!((work.meeting_id.as_deref(), work.attempts), (None, 0));
    let meeting = store.appointment(visit.id).await.unwrap().appointment.meeting.unwrap();
    assert_eq!(
        (meeting.state, meeting.join_url),
        (MeetingState::Pending, None),
        "the old link is not shown meanwhile"
    );
    store
        .record_outcome(
            &work,
            &Outcome::Ready {
                meeting_id: "teams-1".into(),
                join_url: Some("https://teams.microsoft.com/l/meetup-join/1".into()),
            },
        )
        .await
        .unwrap();
    assert!(store.next_meeting_work(true, &[]).await.unwrap().is_none());

    // Held in person: the Teams meeting is deleted (on Dr Roy's account), not moved.
    store.reschedule(&desk(), visit.id, &change(2, in_person, "2026-07-07T10:00", false)).await.unwrap();
    let work = store.next_meeting_work(true, &[]).await.unwrap().unwrap();
    assert_eq!(
        (work.doctor_id, work.provider, work.moves_to, work.visit.active),
        (StaffId(2), Provider::Microsoft, None, false)
    );
    store.record_outcome(&work, &Outcome::Cancelled).await.unwrap();
    // Back to a telehealth type: a new meeting is made.
    store.reschedule(&desk(), visit.id, &change(1, TypeId(1), "2026-07-08T10:00", false)).await.unwrap();
    let work = store.next_meeting_work(true, &[]).await.unwrap().unwrap();
    assert_eq!(
        (work.doctor_id, work.provider, work.moves_to, work.visit.active),
        (StaffId(1), Provider::Zoom, None, true)
    );
    assert_eq!(work.meeting_id, None);

    // A doctor does not reschedule; an unknown doctor or type is named.
    let ada = Actor::Staff { id: StaffId(1), role: Role::Doctor };
    assert!(matches!(
        store.reschedule(&ada, ben.id, &change(1, TypeId(1), "2026-07-09T10:00", false)).await,
        Err(CoreError::Forbidden(_))
    ));
    assert!(matches!(
        store.reschedule(&desk(), ben.id, &change(99, TypeId(1), "2026-07-09T10:00", false)).await,
        Err(CoreError::NotFound { what: "doctor", .. })
    ));
    assert!(matches!(
        store.reschedule(&desk(), ben.id, &change(2, TypeId(99), "2026-07-09T10:00", false)).await,
        Err(CoreError::NotFound { what: "appointment type", .. })
    ));
}

/// With the clinic's minimum-necessary setting, a doctor's day shows other doctors' visits as
/// busy time (no patient, no type), and a doctor can open only their own visits and the records
/// of patients who have one with them; the desk, admins and the command line read everything.
async fn under_the_minimum_necessary_a_doctor_reads_only_their_own_patients(engine: Engine) {
    use frontdesk_core::ErrorKind;
    let db = TestDb::new(engine).await;
    let store = seeded(&db).await;
    let (ada, ben) = (Actor::Staff { id: StaffId(1), role: Role::Doctor }, StaffId(2));
    let admin = Actor::Staff { id: StaffId(9), role: Role::Admin };
    let tom = NewPatient { full_name: "Tom Nguyen".into(), ..Default::default() };
    let tom = store.add_patient(&it(), &tom).await.unwrap().id;
    let own =
        store.book(&desk(), &request(1, at("2026-07-06T09:30", "America/Toronto"), false)).await.unwrap();
    let theirs =
        BookingRequest { patient_id: tom, ..request(2, at("2026-07-06T10:00", "America/Toronto"), false) };
    let theirs = store.book(&desk(), &theirs).await.unwrap();
    let gone =
        BookingRequest { patient_id: tom, ..request(2, at("2026-07-06T11:00", "America/Toronto"), false) };
    let gone = store.book(&desk(), &gone).await.unwrap();
    store.cancel(&desk(), gone.id, "Moved away").await.unwrap();
    let clinic = || async { store.clinic().await.unwrap().unwrap() };
    let day = NaiveDate::from_ymd_opt(2026, 7, 6).unwrap();
    let sheet = |who: Actor| {
        let store = &store;
        async move {
            let clinic = store.clinic().await.unwrap().unwrap();
            store.day_sheet(&who, &clinic, day, 1, clinic.tz, None).await.unwrap()
        }
    };
    let forbidden = |e: CoreError| {
        assert_eq!(e.kind(), ErrorKind::Forbidden, "{e}");
        assert!(e.to_string().contains("only their own patients"), "{e}");
    };

    // Off until the clinic asks: a doctor reads the whole day and every patient.
    assert!(!clinic().await.own_patients_only);
    assert_eq!(sheet(ada.clone()).await.appointments.len(), 3);
    store.view_patient(&ada, tom).await.unwrap();
    assert_eq!(store.find_patients(&ada, "Nguyen").await.unwrap().len(), 1);

    let on = ClinicSettings {
        name: "Maple Clinic".into(),
        tz: "America/Toronto".into(),
        lock_minutes: 10,
        locale: "en-CA".into(),
        neutral_titles: false,
        own_patients_only: true,
    };
    assert!(store.update_clinic(&admin, &on).await.unwrap().own_patients_only);

    let mine = sheet(ada.clone()).await;
    assert_eq!(mine.appointments.iter().map(|a| a.appointment.id).collect::<Vec<_>>(), vec![own.id]);
    assert_eq!(mine.busy.len(), 1, "the cancelled visit holds no time");
    let block = &mine.busy[0];
    assert_eq!((block.doctor_id, block.start, block.end), (ben, theirs.start, theirs.end));
    assert_eq!(block.local_start.to_rfc3339(), "2026-07-06T10:00:00-04:00");
    let json = serde_json::to_string(&mine).unwrap();
    assert!(
        !json.contains("Tom") && !json.contains(&format!("\"id\":{},\"patient_id\"", theirs.id.0)),
        "{json}"
    );
    assert_eq!(store.day_sheet_printed(&ada, &clinic().await, day, None).await.unwrap(), 1);

    forbidden(store.view_appointment(&ada, theirs.id).await.unwrap_err());
    forbidden(store.view_appointment(&ada, gone.id).await.unwrap_err());
    store.view_appointment(&ada, own.id).await.unwrap();
    forbidden(store.view_patient(&ada, tom).await.unwrap_err());
    store.view_patient(&ada, PatientId(1)).await.unwrap();
    assert!(store.find_patients(&ada, "Nguyen").await.unwrap().is_empty());
    assert_eq!(store.find_patients(&ada, "Doe").await.unwrap().len(), 1);
    forbidden(store.join_link(&ada, theirs.id).await.unwrap_err());
    forbidden(store.read_mail_status(&ada, theirs.id).await.unwrap_err());
    store.read_mail_status(&ada, own.id).await.unwrap();

    // The doctor of those visits, the desk, admins and the command line still read everything.
    let ben = Actor::Staff { id: ben, role: Role::Doctor };
    assert_eq!(sheet(ben.clone()).await.appointments.len(), 2, "Ben's own two, cancelled included");
    store.view_patient(&ben, tom).await.unwrap();
    for everyone in [desk(), admin, it()] {
        let all = sheet(everyone.clone()).await;
        assert_eq!((all.appointments.len(), all.busy.len()), (3, 0), "{everyone:?}");
        store.view_appointment(&everyone, theirs.id).await.unwrap();
        store.view_patient(&everyone, tom).await.unwrap();
        assert_eq!(store.find_patients(&everyone, "Nguyen").await.unwrap().len(), 1);
    }
}

/// Meeting titles and patient e-mails carry the appointment type's name, which can tell a
/// condition, unless the clinic keeps it to itself: then "Appointment" in the clinic's language.
async fn a_clinic_can_keep_the_type_of_visit_out_of_what_leaves_it(engine: Engine) {
    let db = TestDb::new(engine).await;
    let store = seeded(&db).await;
    let tom = NewPatient {
        full_name: "Tom Nguyen".into(),
        email: Some("tom@example.com".into()),
        ..Default::default()
    };
    let tom = store.add_patient(&it(), &tom).await.unwrap().id;
    let review = store.add_type(&it(), "Sexual health review", 30, Mode::InPerson).await.unwrap().id;
    store.book(&desk(), &request(1, at("2026-07-06T09:30", "America/Toronto"), false)).await.unwrap();
    let in_person = BookingRequest {
        patient_id: tom,
        type_id: review,
        ..request(2, at("2026-07-06T10:00", "America/Toronto"), false)
    };
    store.book(&desk(), &in_person).await.unwrap();
    let title = || async { store.next_meeting_work(true, &[]).await.unwrap().unwrap().title };
    let mail_type = || async { store.next_mail_work(true, &[]).await.unwrap().unwrap().type_name };
    assert_eq!(title().await, "Consult — J.D.");
    assert_eq!(mail_type().await, "Sexual health review");
    assert!(!store.clinic().await.unwrap().unwrap().neutral_titles, "off until the clinic asks");

    let settings = ClinicSettings {
        name: "Maple Clinic".into(),
        tz: "America/Toronto".into(),
        lock_minutes: 5,
        locale: "fr-CA".into(),
        neutral_titles: true,
        own_patients_only: false,
    };
    assert!(store.update_clinic(&it(), &settings).await.unwrap().neutral_titles);
    assert_eq!(title().await, "Rendez-vous — J.D.");
    assert_eq!(mail_type().await, "Rendez-vous");
    let english = ClinicSettings { locale: "en-CA".into(), ..settings };
    store.update_clinic(&it(), &english).await.unwrap();
    assert_eq!(title().await, "Appointment — J.D.");
}

/// A clinic with doctors 1 and 2, receptionist 3, one patient, and a 30-minute type.
async fn seeded(db: &TestDb) -> Store {
    let store = db.open(clock()).await;
    store.init_clinic("Maple Clinic", "America/Toronto").await.unwrap();
    store.add_staff(&it(), "Dr Ada Lee", Role::Doctor, None).await.unwrap();
    store.add_staff(&it(), "Dr Ben Roy", Role::Doctor, None).await.unwrap();
    store.add_staff(&it(), "Cal Desk", Role::Receptionist, Some("246802")).await.unwrap();
    store
        .add_patient(&it(), &NewPatient { full_name: "Jane Doe".into(), ..Default::default() })
        .await
        .unwrap();
    store.add_type(&it(), "Consult", 30, Mode::Zoom).await.unwrap();
    store
}

#[tokio::test]
async fn the_file_is_wal_with_foreign_keys_and_a_bounded_page_cache() {
    let db = TestDb::new(Engine::Sqlite).await;
    seeded(&db).await;
    assert_eq!(db.count("SELECT journal_mode = 'wal' FROM pragma_journal_mode").await, 1);
    assert_eq!(db.count("SELECT foreign_keys FROM pragma_foreign_keys").await, 1);
    // The connections' page caches together are held to 16 MiB (the limit is the process's).
    assert_eq!(db.count("PRAGMA soft_heap_limit").await, 16 << 20);
}

async fn times_are_utc_and_a_reopened_store_keeps_everything(engine: Engine) {
    let db = TestDb::new(engine).await;
    let store = seeded(&db).await;
    let a = store.book(&desk(), &request(1, at("2026-07-06T09:30", "America/Toronto"), false)).await.unwrap();
    let start = db.count(&format!("SELECT start_at FROM appointments WHERE id = {}", a.id.0)).await;
    assert_eq!(start, DateTime::parse_from_rfc3339("2026-07-06T13:30:00Z").unwrap().timestamp());
    let zoned = db.count("SELECT COUNT(*) FROM appointments WHERE tz = 'America/Toronto'").await;
    assert_eq!(zoned, 1);
    // Reopening runs no migration twice and keeps everything.
    store.close().await;
    let again = db.open(clock()).await;
    assert_eq!(again.appointment(a.id).await.unwrap().appointment, a);
}

async fn constraints_come_back_as_domain_errors(engine: Engine) {
    let db = TestDb::new(engine).await;
    let store = seeded(&db).await;
    let dup = store.add_type(&it(), "CONSULT", 15, Mode::Teams).await.unwrap_err();
    assert!(matches!(dup, CoreError::Invalid(_)), "{dup:?}");
    assert!(dup.to_string().contains("already exists"));
    let a = store.book(&desk(), &request(1, at("2026-07-06T09:30", "America/Toronto"), false)).await.unwrap();
    // History and appointments are append-only in SQL itself, not only in the app.
    let edit = db.exec("UPDATE appointment_history SET actor = 'someone else'").await;
    assert!(edit.unwrap_err().to_string().contains("append-only"));
    let delete = db.exec("DELETE FROM appointment_history").await;
    assert!(delete.is_err());
    let gone = db.exec(&format!("DELETE FROM appointments WHERE id = {}", a.id.0)).await;
    assert!(gone.unwrap_err().to_string().contains("never deleted"));
    // A cancelled row without a reason cannot exist.
    let bad = db.exec(&format!("UPDATE appointments SET status = 'cancelled' WHERE id = {}", a.id.0)).await;
    assert!(bad.is_err());
    // Foreign keys hold even for SQL written by hand.
    let orphan = db
        .exec(
            "INSERT INTO appointments (patient_id, doctor_id, type_id, start_at, end_at, tz, status, created_at, updated_at)
             VALUES (999, 1, 1, 0, 60, 'UTC', 'booked', 0, 0)",
        )
        .await;
    assert!(orphan.is_err());
}

/// Beneath the store's own check, the clinic's server refuses a second visit in a doctor's taken
/// time from any writer, and the store reads that refusal as the same conflict; a double
/// booking that staff confirmed is set aside, and SQLite's rows say the same.
async fn the_database_itself_refuses_a_double_booking(engine: Engine) {
    let db = TestDb::new(engine).await;
    let store = seeded(&db).await;
    let a = store.book(&desk(), &request(1, at("2026-07-06T09:30", "America/Toronto"), false)).await.unwrap();
    let b = store.book(&desk(), &request(1, at("2026-07-06T09:45", "America/Toronto"), true)).await.unwrap();
    let flagged = db.count("SELECT COUNT(*) FROM appointments WHERE double_booked = TRUE").await;
    assert_eq!(flagged, 1, "the confirmed double booking is marked");
    assert!(overridden(&store, b.id).await && !overridden(&store, a.id).await);
    let by_hand = format!(
        "INSERT INTO appointments (patient_id, doctor_id, type_id, start_at, end_at, tz, status, created_at, updated_at)
         VALUES (1, 1, 1, {}, {}, 'America/Toronto', 'booked', 0, 0)",
        a.start.timestamp() + 600,
        a.end.timestamp() + 600
    );
    let refused = db.exec(&by_hand).await;
    if engine == Engine::Postgres {
        let err = CoreError::from(refused.unwrap_err());
        assert!(matches!(err, CoreError::Overlap(_)), "{err:?}");
        assert!(err.to_string().contains("confirm the double booking"), "{err}");
        // Another doctor, a cancelled visit, or the next free time are not refused.
        db.exec(&by_hand.replace("(1, 1, 1,", "(1, 2, 1,")).await.unwrap();
        store.cancel(&desk(), a.id, "Ill").await.unwrap();
        db.exec(&by_hand).await.unwrap();
    } else {
        refused.unwrap();
    }
}

async fn two_desks_racing_for_one_slot_cannot_both_win(engine: Engine) {
    let db = TestDb::new(engine).await;
    let first = seeded(&db).await;
    // The second desk is another connection pool on the same database, as another process would be.
    let second = db.open(clock()).await;
    for round in 0..20 {
        let start = at(&format!("2026-08-{:02}T10:00", round + 1), "America/Toronto");
        let desks = [first.clone(), second.clone()]
            .map(|store| tokio::spawn(async move { store.book(&desk(), &request(1, start, false)).await }));
        let mut results = Vec::new();
        for d in desks {
            results.push(d.await.unwrap());
        }
        assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1, "round {round}: {results:?}");
        let loser = results.into_iter().find_map(Result::err).unwrap();
        assert!(matches!(loser, CoreError::Overlap(_)), "{loser:?}");
    }
    assert_eq!(db.count("SELECT COUNT(*) FROM appointments").await, 20);
}

async fn a_newer_database_is_refused_and_left_alone(engine: Engine) {
    let db = TestDb::new(engine).await;
    let store = seeded(&db).await;
    let blob = if engine == Engine::Sqlite { "x'00'" } else { "'\\x00'::bytea" };
    db.exec(&format!("INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) VALUES (99990101000000, 'future', TRUE, {blob}, 0)"))
        .await
        .unwrap();
    if engine == Engine::Sqlite {
        // Fold the WAL into the file now, so that closing (which sqlx finishes on its own threads)
        // has nothing left to write when the bytes are compared.
        db.exec("PRAGMA wal_checkpoint(TRUNCATE)").await.unwrap();
    }
    store.close().await;
    let bytes = std::fs::read(db.dir.path().join("frontdesk.db")).ok();
    let migrations = db.count("SELECT COUNT(*) FROM _sqlx_migrations").await;
    let err = db.try_open(clock()).await.unwrap_err();
    assert!(matches!(err, CoreError::NewerDatabase { found: 99990101000000, .. }), "{err:?}");
    assert!(bytes == std::fs::read(db.dir.path().join("frontdesk.db")).ok(), "the file changed");
    assert_eq!(db.count("SELECT COUNT(*) FROM _sqlx_migrations").await, migrations);
}

async fn the_day_is_the_local_day_on_dst_days(engine: Engine) {
    let db = TestDb::new(engine).await;
    let store = seeded(&db).await;
    let toronto = parse_zone("America/Toronto").unwrap();
    // 00:00 and 23:30 on the 25-hour day, and 00:00 the next day.
    let mut first = at("2026-11-01T00:00", "America/Toronto");
    first.fold = None;
    let a = store.book(&desk(), &request(1, first, false)).await.unwrap();
    let b = store.book(&desk(), &request(1, at("2026-11-01T23:30", "America/Toronto"), false)).await.unwrap();
    store.book(&desk(), &request(1, at("2026-11-02T00:00", "America/Toronto"), false)).await.unwrap();
    let day = store.day(NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(), toronto, None).await.unwrap();
    assert_eq!(day.iter().map(|x| x.id).collect::<Vec<_>>(), vec![a.id, b.id]);
    assert_eq!((b.start - a.start).num_minutes(), 24 * 60 + 30);
    // Seen from London the same instants fall on other local days.
    let london = store
        .day(NaiveDate::from_ymd_opt(2026, 11, 2).unwrap(), parse_zone("Europe/London").unwrap(), None)
        .await
        .unwrap();
    assert_eq!(london.len(), 2, "04:30 and 05:00 London time on the 2nd");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backup_is_consistent_while_desks_keep_booking() {
    let db = TestDb::new(Engine::Sqlite).await;
    let dir = &db.dir;
    let store = seeded(&db).await;
    let writer = store.clone();
    let booking = tokio::spawn(async move {
        for i in 0..200 {
            let start = at(
                &format!("2027-01-{:02}T{:02}:{:02}", 1 + i / 20, 8 + (i % 20) / 2, (i % 2) * 30),
                "America/Toronto",
            );
            writer.book(&desk(), &request(1 + (i % 2) as i64, start, true)).await.unwrap();
        }
    });
    let mut copies = Vec::new();
    for n in 0..5 {
        let target = dir.path().join(format!("backup-{n}.db"));
        store.backup(&it(), &target, "a long passphrase").await.unwrap();
        copies.push(target);
        tokio::task::yield_now().await;
    }
    booking.await.unwrap();
    for copy in copies {
        let restored = TestDb::new(Engine::Sqlite).await;
        let folder = restored.dir.path();
        let at_rest = restored.at_rest();
        Store::restore(&it(), folder, &copy, "a long passphrase", false, clock(), at_rest).await.unwrap();
        assert_eq!(restored.count("SELECT integrity_check = 'ok' FROM pragma_integrity_check").await, 1);
        // Each appointment arrived together with its history entry: one point in time.
        let appointments = restored.count("SELECT COUNT(*) FROM appointments").await;
        let booked = restored.count("SELECT COUNT(*) FROM appointment_history WHERE action = 'booked'").await;
        assert_eq!(appointments, booked);
    }
}

async fn status_lifecycle_is_enforced_and_recorded(engine: Engine) {
    let db = TestDb::new(engine).await;
    let store = seeded(&db).await;
    let a = store.book(&desk(), &request(1, at("2026-07-06T09:30", "America/Toronto"), false)).await.unwrap();
    store.set_status(&desk(), a.id, Status::CheckedIn).await.unwrap();
    store.set_status(&desk(), a.id, Status::InProgress).await.unwrap();
    let err = store
        .move_appointment(&desk(), a.id, at("2026-07-06T11:00", "America/Toronto"), false, false)
        .await
        .unwrap_err();
    assert!(matches!(err, CoreError::Transition(_)));
    store.set_status(&desk(), a.id, Status::Completed).await.unwrap();
    let err = store.cancel(&desk(), a.id, "too late").await.unwrap_err();
    assert!(err.to_string().contains("a completed appointment cannot become cancelled"), "{err}");
    let detail = store.appointment(a.id).await.unwrap();
    let trail: Vec<_> =
        detail.history.iter().map(|h| (h.action.as_str(), h.detail["to"].as_str().unwrap_or(""))).collect();
    assert_eq!(
        trail,
        vec![("booked", ""), ("status", "checked-in"), ("status", "in-progress"), ("status", "completed")]
    );
    assert!(detail.history.iter().all(|h| h.actor == "staff:3"));
    assert!(detail.history.iter().all(|h| h.actor_name.as_deref() == Some("Cal Desk")), "who, by name");
    assert!(store.appointment(AppointmentId(404)).await.is_err());
}

/// One step of a random day at the desk.
#[derive(Debug, Clone)]
enum Step {
    Book { doctor: i64, slot: u32, allow: bool },
    Move { nth: usize, slot: u32, allow: bool },
    Cancel { nth: usize },
    NoShow { nth: usize },
}

fn step() -> impl Strategy<Value = Step> {
    // Slots are 15-minute steps in a morning; a 30-minute visit spans two, so collisions are common.
    prop_oneof![
        4 => (1i64..=2, 0u32..16, proptest::bool::weighted(0.15)).prop_map(|(doctor, slot, allow)| Step::Book { doctor, slot, allow }),
        2 => (0usize..20, 0u32..16, proptest::bool::weighted(0.15)).prop_map(|(nth, slot, allow)| Step::Move { nth, slot, allow }),
        1 => (0usize..20).prop_map(|nth| Step::Cancel { nth }),
        1 => (0usize..20).prop_map(|nth| Step::NoShow { nth }),
    ]
}

fn slot_time(slot: u32) -> LocalTime {
    at(&format!("2026-09-14T{:02}:{:02}", 8 + slot / 4, (slot % 4) * 15), "America/Toronto")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Whatever the desk does, two slot-holding appointments of one doctor overlap only when the
    /// later booking or move was an explicit, recorded override.
    #[test]
    fn overlaps_exist_only_by_recorded_override(steps in proptest::collection::vec(step(), 1..40)) {
        a_random_day(Engine::Sqlite, steps)?;
    }

    /// The same on the clinic's server, where the database's own constraint holds beneath.
    #[test]
    fn overlaps_exist_only_by_recorded_override_on_postgres(steps in proptest::collection::vec(step(), 1..40)) {
        if engines::postgres_here() {
            a_random_day(Engine::Postgres, steps)?;
        }
    }
}

fn a_random_day(engine: Engine, steps: Vec<Step>) -> Result<(), TestCaseError> {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let db = TestDb::new(engine).await;
        let store = seeded(&db).await;
        let mut ids: Vec<AppointmentId> = Vec::new();
        for s in steps {
            let result = match s {
                Step::Book { doctor, slot, allow } => store
                    .book(&desk(), &request(doctor, slot_time(slot), allow))
                    .await
                    .map(|a| ids.push(a.id)),
                Step::Move { nth, slot, allow } if !ids.is_empty() => store
                    .move_appointment(&desk(), ids[nth % ids.len()], slot_time(slot), allow, false)
                    .await
                    .map(|_| ()),
                Step::Cancel { nth } if !ids.is_empty() => {
                    store.cancel(&desk(), ids[nth % ids.len()], "test").await.map(|_| ())
                }
                Step::NoShow { nth } if !ids.is_empty() => {
                    store.set_status(&desk(), ids[nth % ids.len()], Status::NoShow).await.map(|_| ())
                }
                _ => Ok(()),
            };
            if let Err(e) = result {
                prop_assert!(
                    matches!(e, CoreError::Overlap(_) | CoreError::Transition(_)),
                    "unexpected {e:?}"
                );
            }
        }
        let toronto = parse_zone("America/Toronto").unwrap();
        let all = store.day(NaiveDate::from_ymd_opt(2026, 9, 14).unwrap(), toronto, None).await.unwrap();
        let holding: Vec<_> = all.iter().filter(|a| a.status.holds_slot()).collect();
        for (i, a) in holding.iter().enumerate() {
            for b in &holding[i + 1..] {
                if a.doctor_id == b.doctor_id
                    && frontdesk_core::model::overlaps(a.start, a.end, b.start, b.end)
                {
                    prop_assert!(
                        overridden(&store, a.id).await || overridden(&store, b.id).await,
                        "{} and {} overlap with no override",
                        a.id,
                        b.id
                    );
                }
            }
        }
        store.close().await;
        Ok(())
    })
}

async fn overridden(store: &Store, id: AppointmentId) -> bool {
    store.appointment(id).await.unwrap().history.iter().any(|h| h.detail["overlap_allowed"] == true)
}

/// The use cases ask the one access table: a doctor runs only their own visits and meetings,
/// does not book, and only admins edit the clinic; every refusal is `forbidden` and changes nothing.
async fn each_use_case_checks_who_acts_and_whose_visit_it_is(engine: Engine) {
    use frontdesk_core::store::{AuditFilter, ClinicSettings, StaffUpdate};
    use frontdesk_core::ErrorKind;
    let db = TestDb::new(engine).await;
    let store = seeded(&db).await;
    let ada = Actor::Staff { id: StaffId(1), role: Role::Doctor };
    let ben = Actor::Staff { id: StaffId(2), role: Role::Doctor };
    let visit =
        store.book(&desk(), &request(1, at("2026-07-06T09:30", "America/Toronto"), false)).await.unwrap();
    let rows = || async { store.audit_log(&AuditFilter::default()).await.unwrap().len() };
    let before = rows().await;
    let forbidden = |e: CoreError| assert_eq!(e.kind(), ErrorKind::Forbidden, "{e}");

    forbidden(store.set_status(&ben, visit.id, Status::CheckedIn).await.unwrap_err());
    forbidden(store.retry_meeting(&ben, visit.id).await.unwrap_err());
    forbidden(
        store.book(&ada, &request(1, at("2026-07-06T11:00", "America/Toronto"), false)).await.unwrap_err(),
    );
    forbidden(
        store
            .move_appointment(&ada, visit.id, at("2026-07-06T11:00", "America/Toronto"), false, false)
            .await
            .unwrap_err(),
    );
    forbidden(store.cancel(&ada, visit.id, "Ill").await.unwrap_err());
    forbidden(store.resend_mail(&ada, visit.id).await.unwrap_err());
    forbidden(
        store
            .add_patient(&ada, &NewPatient { full_name: "Tom Nguyen".into(), ..Default::default() })
            .await
            .unwrap_err(),
    );
    forbidden(store.add_staff(&desk(), "Mallory", Role::Admin, None).await.unwrap_err());
    let admin = StaffUpdate { name: "Cal Desk".into(), role: Role::Admin, active: true, pin: None };
    forbidden(store.update_staff(&desk(), StaffId(3), &admin).await.unwrap_err());
    forbidden(store.add_type(&desk(), "Free", 5, Mode::InPerson).await.unwrap_err());
    let settings = ClinicSettings {
        name: "Elsewhere".into(),
        tz: "UTC".into(),
        lock_minutes: 240,
        locale: "en-CA".into(),
        neutral_titles: false,
        own_patients_only: false,
    };
    forbidden(store.update_clinic(&ada, &settings).await.unwrap_err());
    forbidden(store.set_reminder_minutes(&desk(), 60).await.unwrap_err());
    assert_eq!(rows().await, before, "a refused action wrote nothing");
    assert_eq!(store.appointment(visit.id).await.unwrap().appointment.status, Status::Booked);

    // The doctor runs their own visit; the desk runs anyone's.
    store.set_status(&ada, visit.id, Status::CheckedIn).await.unwrap();
    store.set_status(&desk(), visit.id, Status::Booked).await.unwrap();
    let log = store.audit_log(&AuditFilter { staff: Some(StaffId(1)), ..Default::default() }).await.unwrap();
    assert_eq!(log.len(), 1, "{log:?}");
    assert_eq!(log[0].actor_name.as_deref(), Some("Dr Ada Lee"));
}

/// On the clinic's server, a desk hears of every change another desk makes as it commits, with
/// the times it concerns; after its connection dropped it is told to re-read everything. A single
/// computer's store has nothing to listen to.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_desk_hears_of_each_change_as_it_commits() {
    use frontdesk_core::store::Change;
    let file = TestDb::new(Engine::Sqlite).await;
    assert!(file.open(clock()).await.changes().await.unwrap().is_none());
    if !engines::postgres_here() {
        return;
    }
    let db = TestDb::new(Engine::Postgres).await;
    let first = seeded(&db).await;
    let other = db.open(clock()).await;
    let mut changes = other.changes().await.unwrap().unwrap();
    let a = first.book(&desk(), &request(1, at("2026-07-06T09:30", "America/Toronto"), false)).await.unwrap();
    assert_eq!(next_with_times(&mut changes).await, (a.id, vec![(a.start, a.end)]));
    let moved = first
        .move_appointment(&desk(), a.id, at("2026-07-07T11:00", "America/Toronto"), false, false)
        .await
        .unwrap();
    assert_eq!(next_with_times(&mut changes).await, (a.id, vec![(moved.start, moved.end), (a.start, a.end)]));

    // The desk's connection drops: what was said meanwhile is lost, so it re-reads everything.
    db.exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'LISTEN%' AND datname = current_database()")
        .await
        .unwrap();
    tokio::time::timeout(std::time::Duration::from_secs(5), async {
        // What was heard before the drop comes first.
        while changes.next().await.unwrap() != Change::Everything {}
    })
    .await
    .expect("told to re-read everything");
    first.cancel(&desk(), a.id, "Ill").await.unwrap();
    assert_eq!(next_with_times(&mut changes).await.0, a.id, "heard again after reconnecting");
}

/// The next change that says which times it concerns (a booking's meeting and mail rows say
/// none), heard within a second.
async fn next_with_times(
    changes: &mut frontdesk_core::store::Changes,
) -> (AppointmentId, Vec<(DateTime<Utc>, DateTime<Utc>)>) {
    loop {
        let change = tokio::time::timeout(std::time::Duration::from_secs(1), changes.next())
            .await
            .expect("heard within a second")
            .unwrap();
        if let frontdesk_core::store::Change::Appointment { id, spans } = change {
            if !spans.is_empty() {
                return (id, spans);
            }
        }
    }
}

/// A background job is one worker's at a time: a second clinic service (another computer) does
/// not take a job the first holds, the first takes it back at once when it starts again, and
/// the second takes it over once the first's lease has passed; the write-back frees it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_is_one_workers_until_its_lease_ends() {
    use frontdesk_core::store::{Outcome, JOB_LEASE_MS};
    if !engines::postgres_here() {
        return;
    }
    let db = TestDb::new(Engine::Postgres).await;
    let first = seeded(&db).await;
    let visit =
        first.book(&desk(), &request(1, at("2026-07-06T09:30", "America/Toronto"), false)).await.unwrap();
    let later =
        |ms: i64| -> Arc<FixedClock> { Arc::new(FixedClock(clock().0 + chrono::Duration::milliseconds(ms))) };
    let (second, _elsewhere) = db.open_elsewhere(later(1000)).await;

    let taken = first.next_meeting_work(false, &[]).await.unwrap().expect("the first service takes the job");
    assert_eq!(taken.visit.appointment_id, visit.id);
    assert!(second.next_meeting_work(true, &[]).await.unwrap().is_none(), "held by the first");
    let again = db.open(later(2000)).await; // the first service, started again
    assert!(again.next_meeting_work(true, &[]).await.unwrap().is_some(), "its own, at once");
    let (second, _elsewhere) = db.open_elsewhere(later(2000 + JOB_LEASE_MS)).await;
    let taken_over = second.next_meeting_work(true, &[]).await.unwrap().expect("taken over after the lease");
    assert_eq!(taken_over.job_id, taken.job_id);
    assert!(again.next_meeting_work(true, &[]).await.unwrap().is_none(), "now the second's");

    // The second writes the outcome back: the job is nobody's, and due again for anyone.
    second
        .record_outcome(
            &taken_over,
            &Outcome::Deferred {
                waiting: frontdesk_core::Waiting::Offline,
                due: clock().0,
                reason: "no network".into(),
            },
        )
        .await
        .unwrap();
    assert_eq!(db.count("SELECT COUNT(*) FROM outbox WHERE leased_by IS NULL").await, 1);
}
