//! Find, on both engines: the desk's one search over patients with their next and last visit,
//! and one patient's visits, each as the reader may see them (the clinic's minimum-necessary
//! setting), the visit list audited as opening the record.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests panic on purpose

mod engines;

use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use engines::TestDb;
use frontdesk_core::store::{ClinicSettings, Engine, NewPatient, Visit, FIND_LIMIT, VISITS_LIMIT};
use frontdesk_core::time::parse_zone;
use frontdesk_core::{
    Actor, AppointmentId, BookingRequest, ErrorKind, HandClock, LocalTime, Mode, PatientId, Role, StaffId,
    Status, Store, TypeId,
};

on_both_engines!(
    a_search_finds_patients_with_their_next_and_last_visit,
    a_search_is_bounded_and_says_so,
    a_record_lists_every_visit_upcoming_and_past,
    under_the_minimum_necessary_a_doctor_finds_only_their_own_patients_and_visits,
    opening_the_visits_is_audited_as_opening_the_record,
);

/// Monday 2026-07-06, 10:00 in Toronto.
fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-07-06T14:00:00Z").unwrap().with_timezone(&Utc)
}

const ADA: StaffId = StaffId(1);
const BEN: StaffId = StaffId(2);
const JANE: PatientId = PatientId(1);
const TOM: PatientId = PatientId(2);
const JANET: PatientId = PatientId(3);

fn desk() -> Actor {
    Actor::Staff { id: StaffId(3), role: Role::Receptionist }
}

fn doctor(id: StaffId) -> Actor {
    Actor::Staff { id, role: Role::Doctor }
}

fn it() -> Actor {
    Actor::Tool { tool: "test", user: "it".into() }
}

async fn book(store: &Store, patient: PatientId, doctor: StaffId, at: &str) -> AppointmentId {
    let request = BookingRequest {
        patient_id: patient,
        doctor_id: doctor,
        type_id: TypeId(1),
        start: LocalTime {
            at: NaiveDateTime::parse_from_str(at, "%Y-%m-%dT%H:%M").unwrap(),
            tz: parse_zone("America/Toronto").unwrap(),
            fold: None,
        },
        allow_overlap: false,
        allow_outside_hours: false,
        topic: None,
        description: None,
    };
    store.book(&desk(), &request).await.unwrap().id
}

/// Jane Doe's visits, by what each shows.
struct Visits {
    done: AppointmentId,
    no_show: AppointmentId,
    cancelled_past: AppointmentId,
    now: AppointmentId,
    cancelled_next: AppointmentId,
    ada_next: AppointmentId,
}

/// A clinic of two doctors (Ada, Ben) and a desk; Jane Doe with six visits, Tom Nguyen with one
/// of Ben's, Janet Roe with none.
async fn clinic(db: &TestDb) -> (Store, Arc<HandClock>, Visits) {
    let clock = Arc::new(HandClock::at(now()));
    let store = db.open(clock.clone()).await;
    store.init_clinic("Maple Clinic", "America/Toronto").await.unwrap();
    store.add_staff(&it(), "Dr Ada Lee", Role::Doctor, None).await.unwrap();
    store.add_staff(&it(), "Dr Ben Roy", Role::Doctor, None).await.unwrap();
    store.add_staff(&it(), "Cal Desk", Role::Receptionist, Some("246802")).await.unwrap();
    store.add_type(&it(), "Consult", 30, Mode::InPerson).await.unwrap();
    let jane = NewPatient {
        full_name: "Jane Doe".into(),
        email: Some("jane.doe@example.com".into()),
        phone: Some("(416) 555-0101".into()),
        date_of_birth: Some("1980-02-03".into()),
        note: None,
    };
    for patient in [jane, NewPatient { full_name: "Tom Nguyen".into(), ..Default::default() }] {
        store.add_patient(&it(), &patient).await.unwrap();
    }
    let janet = NewPatient { full_name: "Janet Roe".into(), ..Default::default() };
    store.add_patient(&it(), &janet).await.unwrap();

    let done = book(&store, JANE, ADA, "2026-06-01T09:00").await;
    for status in [Status::CheckedIn, Status::InProgress, Status::Completed] {
        store.set_status(&desk(), done, status).await.unwrap();
    }
    let no_show = book(&store, JANE, BEN, "2026-06-15T09:00").await;
    store.set_status(&desk(), no_show, Status::NoShow).await.unwrap();
    let cancelled_past = book(&store, JANE, ADA, "2026-07-01T09:00").await;
    store.cancel(&desk(), cancelled_past, "Unwell").await.unwrap();
    // 09:45 to 10:15: under way at 10:00, so still to come.
    let now = book(&store, JANE, BEN, "2026-07-06T09:45").await;
    let cancelled_next = book(&store, JANE, ADA, "2026-07-08T09:00").await;
    store.cancel(&desk(), cancelled_next, "Away").await.unwrap();
    let ada_next = book(&store, JANE, ADA, "2026-07-20T11:00").await;
    book(&store, TOM, BEN, "2026-07-07T09:00").await;
    (store, clock, Visits { done, no_show, cancelled_past, now, cancelled_next, ada_next })
}

fn ids(visits: &[Visit]) -> Vec<AppointmentId> {
    visits.iter().map(|v| v.id).collect()
}

fn names(found: &frontdesk_core::store::Found) -> Vec<&str> {
    found.patients.iter().map(|p| p.patient.full_name.as_str()).collect()
}

async fn own_patients_only(store: &Store) {
    let admin = Actor::Staff { id: StaffId(9), role: Role::Admin };
    let on = ClinicSettings {
        name: "Maple Clinic".into(),
        tz: "America/Toronto".into(),
        lock_minutes: 10,
        locale: "en-CA".into(),
        neutral_titles: false,
        own_patients_only: true,
    };
    store.update_clinic(&admin, &on).await.unwrap();
}

/// Patients are found by name, e-mail, phone (typed with or without its punctuation) and date of
/// birth, by name order, each with the soonest visit still to come that holds its time and the
/// latest one that has ended and was not cancelled, with its local time, doctor, type and status.
async fn a_search_finds_patients_with_their_next_and_last_visit(engine: Engine) {
    let db = TestDb::new(engine).await;
    let (store, clock, v) = clinic(&db).await;

    let found = store.find(&desk(), "  jan ").await.unwrap();
    assert_eq!(names(&found), ["Jane Doe", "Janet Roe"]);
    assert!(!found.more);
    let jane = &found.patients[0];
    assert_eq!(jane.patient.phone.as_deref(), Some("(416) 555-0101"));
    let next = jane.next.as_ref().unwrap();
    assert_eq!(next.id, v.now, "under way, so still to come");
    assert_eq!(next.local_start.to_rfc3339(), "2026-07-06T09:45:00-04:00");
    assert_eq!(next.local_end.to_rfc3339(), "2026-07-06T10:15:00-04:00");
    assert_eq!((next.doctor_name.as_str(), next.type_name.as_str()), ("Dr Ben Roy", "Consult"));
    assert_eq!(
        (next.doctor_id, next.patient_id, next.status, next.mode),
        (BEN, JANE, Status::Booked, Mode::InPerson)
    );
    assert_eq!(next.tz, "America/Toronto");
    let last = jane.last.as_ref().unwrap();
    assert_eq!(
        (last.id, last.status),
        (v.no_show, Status::NoShow),
        "the cancelled one after it did not happen"
    );
    assert_eq!(found.patients[1].next, None);
    assert_eq!(found.patients[1].last, None);

    for text in ["JANE.DOE@EXAMPLE", "555-0101", "4165550101", "416 555", "1980-02-03", "Doe"] {
        assert_eq!(names(&store.find(&desk(), text).await.unwrap()), ["Jane Doe"], "{text}");
    }
    for text in ["50%", "_", "1980-02", "Nobody", "4160101"] {
        assert!(store.find(&desk(), text).await.unwrap().patients.is_empty(), "{text}");
    }
    let tom = store.find(&desk(), "nguyen").await.unwrap();
    assert_eq!(tom.patients[0].last, None);
    assert_eq!(tom.patients[0].next.as_ref().unwrap().local_start.to_rfc3339(), "2026-07-07T09:00:00-04:00");

    // Once the visit under way has ended it is the last one, and the next is Ada's in July.
    store.set_status(&desk(), v.now, Status::CheckedIn).await.unwrap();
    clock.set(now() + Duration::minutes(15));
    let jane = &store.find(&desk(), "Jane Doe").await.unwrap().patients[0];
    assert_eq!(
        jane.next.as_ref().map(|n| n.id),
        Some(v.ada_next),
        "the cancelled one on the 8th holds no time"
    );
    assert_eq!(jane.last.as_ref().map(|n| (n.id, n.status)), Some((v.now, Status::CheckedIn)));

    let empty = store.find(&desk(), "  ").await.unwrap_err();
    assert_eq!(empty.kind(), ErrorKind::Validation, "{empty}");
    assert_eq!(store.find_patients(&desk(), "jan").await.unwrap().len(), 2, "the same matching");
}

/// At most FIND_LIMIT patients answer, the first by name, and the answer says there are more.
async fn a_search_is_bounded_and_says_so(engine: Engine) {
    let db = TestDb::new(engine).await;
    let (store, _, _) = clinic(&db).await;
    for n in (1..=FIND_LIMIT + 5).rev() {
        let patient = NewPatient { full_name: format!("Zed {n:02}"), ..Default::default() };
        store.add_patient(&it(), &patient).await.unwrap();
    }
    let found = store.find(&desk(), "zed").await.unwrap();
    assert!(found.more);
    assert_eq!(found.patients.len(), FIND_LIMIT);
    assert_eq!(found.patients[0].patient.full_name, "Zed 01");
    assert_eq!(found.patients[FIND_LIMIT - 1].patient.full_name, format!("Zed {FIND_LIMIT:02}"));
    let narrower = store.find(&desk(), "zed 2").await.unwrap();
    assert!(!narrower.more);
    assert_eq!(narrower.patients.len(), 6, "Zed 20 to Zed 25");
}

/// A patient's record lists every visit, cancelled and no-show included: those still to come
/// soonest first, those that have ended latest first, with their names.
async fn a_record_lists_every_visit_upcoming_and_past(engine: Engine) {
    let db = TestDb::new(engine).await;
    let (store, _, v) = clinic(&db).await;
    let visits = store.view_patient_visits(&desk(), JANE).await.unwrap();
    assert_eq!(visits.patient_id, JANE);
    assert_eq!(ids(&visits.upcoming), [v.now, v.cancelled_next, v.ada_next]);
    assert_eq!(ids(&visits.past), [v.cancelled_past, v.no_show, v.done]);
    assert!(!visits.more_upcoming && !visits.more_past);
    let statuses: Vec<Status> = visits.past.iter().map(|v| v.status).collect();
    assert_eq!(statuses, [Status::Cancelled, Status::NoShow, Status::Completed]);
    assert_eq!(visits.past[2].doctor_name, "Dr Ada Lee");
    assert_eq!(visits.past[2].local_start.to_rfc3339(), "2026-06-01T09:00:00-04:00");

    let none = store.view_patient_visits(&desk(), JANET).await.unwrap();
    assert!(none.upcoming.is_empty() && none.past.is_empty());
    let missing = store.view_patient_visits(&desk(), PatientId(99)).await.unwrap_err();
    assert_eq!(missing.kind(), ErrorKind::NotFound);

    // A long history: the latest VISITS_LIMIT, and the record says there are more.
    let first = chrono::NaiveDate::from_ymd_opt(2026, 1, 5).unwrap();
    for n in 0..=VISITS_LIMIT as u64 {
        let day = first.checked_add_days(chrono::Days::new(n)).unwrap();
        book(&store, JANET, ADA, &format!("{day}T08:00")).await;
    }
    let long = store.view_patient_visits(&desk(), JANET).await.unwrap();
    assert!(long.more_past && !long.more_upcoming);
    assert_eq!(long.past.len(), VISITS_LIMIT);
    let latest = first.checked_add_days(chrono::Days::new(VISITS_LIMIT as u64)).unwrap();
    assert_eq!(long.past[0].local_start.date_naive(), latest);
}

/// Under the clinic's minimum-necessary setting a doctor finds only patients with a visit of
/// theirs and sees only their own visits of them, in the search and in the record; another
/// doctor's patient is refused. The desk, admins, the other doctor and the command line see all.
async fn under_the_minimum_necessary_a_doctor_finds_only_their_own_patients_and_visits(engine: Engine) {
    let db = TestDb::new(engine).await;
    let (store, _, v) = clinic(&db).await;
    // Off until the clinic asks.
    assert_eq!(names(&store.find(&doctor(ADA), "n").await.unwrap()), ["Jane Doe", "Janet Roe", "Tom Nguyen"]);
    own_patients_only(&store).await;

    let mine = store.find(&doctor(ADA), "n").await.unwrap();
    assert_eq!(names(&mine), ["Jane Doe"], "Tom is Ben's patient, Janet nobody's yet");
    let jane = &mine.patients[0];
    assert_eq!(jane.next.as_ref().map(|n| n.id), Some(v.ada_next), "not Ben's visit today");
    assert_eq!(jane.last.as_ref().map(|n| n.id), Some(v.done), "not Ben's no-show");
    let record = store.view_patient_visits(&doctor(ADA), JANE).await.unwrap();
    assert_eq!(ids(&record.upcoming), [v.cancelled_next, v.ada_next]);
    assert_eq!(ids(&record.past), [v.cancelled_past, v.done]);
    let json = serde_json::to_string(&record).unwrap();
    assert!(!json.contains("Ben"), "{json}");
    for patient in [TOM, JANET] {
        let refused = store.view_patient_visits(&doctor(ADA), patient).await.unwrap_err();
        assert_eq!(refused.kind(), ErrorKind::Forbidden, "{refused}");
        assert!(refused.to_string().contains("only their own patients"), "{refused}");
    }

    let bens = store.find(&doctor(BEN), "n").await.unwrap();
    assert_eq!(names(&bens), ["Jane Doe", "Tom Nguyen"]);
    assert_eq!(bens.patients[0].next.as_ref().map(|n| n.id), Some(v.now));
    assert_eq!(bens.patients[0].last.as_ref().map(|n| n.id), Some(v.no_show));
    assert_eq!(ids(&store.view_patient_visits(&doctor(BEN), JANE).await.unwrap().past), [v.no_show]);

    let admin = Actor::Staff { id: StaffId(9), role: Role::Admin };
    for everyone in [desk(), admin, it()] {
        assert_eq!(store.find(&everyone, "n").await.unwrap().patients.len(), 3, "{everyone:?}");
        let all = store.view_patient_visits(&everyone, JANE).await.unwrap();
        assert_eq!((all.upcoming.len(), all.past.len()), (3, 3), "{everyone:?}");
    }
}

/// Opening a patient's visits is a read of their data: recorded as opening the record, once per
/// person and patient within the view window, together with the record itself; a search is not.
async fn opening_the_visits_is_audited_as_opening_the_record(engine: Engine) {
    let db = TestDb::new(engine).await;
    let (store, clock, _) = clinic(&db).await;
    let views =
        || db.count("SELECT COUNT(*) FROM audit_log WHERE action = 'patient_viewed' AND patient_id = 1");
    store.find(&desk(), "Jane").await.unwrap();
    assert_eq!(views().await, 0, "a search lists many and is not recorded row by row");

    store.view_patient(&desk(), JANE).await.unwrap();
    store.view_patient_visits(&desk(), JANE).await.unwrap();
    store.view_patient_visits(&desk(), JANE).await.unwrap();
    assert_eq!(views().await, 1, "the record and its visits opened together");
    store.view_patient_visits(&doctor(ADA), JANE).await.unwrap();
    assert_eq!(views().await, 2, "another person");
    clock.set(now() + Duration::minutes(6));
    store.view_patient_visits(&desk(), JANE).await.unwrap();
    assert_eq!(views().await, 3, "after the window");

    own_patients_only(&store).await;
    let before = db.count("SELECT COUNT(*) FROM audit_log WHERE action = 'patient_viewed'").await;
    store.view_patient_visits(&doctor(ADA), TOM).await.unwrap_err();
    let after = db.count("SELECT COUNT(*) FROM audit_log WHERE action = 'patient_viewed'").await;
    assert_eq!(before, after, "a refused read records nothing");
}
