//! A desk's read copy of the clinic's server: taken as a snapshot of the days around today,
//! read while the server is away (changes refused, sign-in and audited views on the copy),
//! and left when the server answers again; a desk that starts while the server is away starts
//! on its copy. PostgreSQL only. The desk reaches the server through a cable the test can cut
//! (a forwarder on 127.0.0.1); the partition test in `tests/offline/` cuts a real link.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests panic on purpose

mod engines;

use engines::cable::{server_of, Cable};

use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use engines::TestDb;
use frontdesk_core::store::{ClinicSettings, Engine, NewPatient, COPY_FILE};
use frontdesk_core::time::parse_zone;
use frontdesk_core::{
    Actor, AppointmentId, BookingRequest, CoreError, ErrorKind, HandClock, LocalTime, Mode, PatientId, Role,
    Sight, StaffId, Store, TypeId,
};

/// Monday 2026-07-06, 10:00 in Toronto.
fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-07-06T14:00:00Z").unwrap().with_timezone(&Utc)
}

const ADA: StaffId = StaffId(1);
const BEN: StaffId = StaffId(2);
const DESK: StaffId = StaffId(3);
const JANE: PatientId = PatientId(1);
const TOM: PatientId = PatientId(2);

fn desk() -> Actor {
    Actor::Staff { id: DESK, role: Role::Receptionist }
}

fn it() -> Actor {
    Actor::Tool { tool: "test", user: "it".into() }
}

fn toronto() -> chrono_tz::Tz {
    parse_zone("America/Toronto").unwrap()
}

fn request(patient: PatientId, doctor: StaffId, at: &str) -> BookingRequest {
    BookingRequest {
        patient_id: patient,
        doctor_id: doctor,
        type_id: TypeId(1),
        start: LocalTime {
            at: NaiveDateTime::parse_from_str(at, "%Y-%m-%dT%H:%M").unwrap(),
            tz: toronto(),
            fold: None,
        },
        allow_overlap: false,
        allow_outside_hours: false,
        topic: Some("Knee pain".into()),
        description: None,
    }
}

async fn book(store: &Store, patient: PatientId, doctor: StaffId, at: &str) -> AppointmentId {
    store.book(&desk(), &request(patient, doctor, at)).await.unwrap().id
}

/// A clinic on the server: Dr Ada Lee and Dr Ben Roy, a receptionist with a PIN, Jane Doe and
/// Tom Nguyen; Jane with Ada today, Tom with Ben in three days, Jane with Ada in three weeks
/// (beyond the copy's days).
async fn clinic(db: &TestDb, clock: Arc<HandClock>) -> Store {
    let store = db.open(clock).await;
    store.init_clinic("Maple Clinic", "America/Toronto").await.unwrap();
    store.add_staff(&it(), "Dr Ada Lee", Role::Doctor, None).await.unwrap();
    store.add_staff(&it(), "Dr Ben Roy", Role::Doctor, None).await.unwrap();
    store.add_staff(&it(), "Rita Desk", Role::Receptionist, Some("482915")).await.unwrap();
    store.add_type(&it(), "Consult", 30, Mode::InPerson).await.unwrap();
    for name in ["Jane Doe", "Tom Nguyen"] {
        let new = NewPatient {
            full_name: name.into(),
            email: None,
            phone: Some("613-555-0100".into()),
            date_of_birth: None,
            note: None,
        };
        store.add_patient(&it(), &new).await.unwrap();
    }
    book(&store, JANE, ADA, "2026-07-06T11:00").await;
    book(&store, TOM, BEN, "2026-07-09T09:00").await;
    book(&store, JANE, ADA, "2026-07-27T09:00").await;
    store
}

async fn desk_on(db: &TestDb, cable: &Cable, dir: &std::path::Path, clock: Arc<HandClock>) -> Store {
    let address = cable.address(db.url.as_deref().unwrap());
    Store::connect_with_copy(&address, dir, clock, db.at_rest()).await.unwrap()
}

fn patients(day: &[frontdesk_core::Appointment]) -> Vec<PatientId> {
    day.iter().map(|a| a.patient_id).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_desk_reads_its_copy_while_the_server_is_away_and_the_server_again_when_it_answers() {
    if !engines::postgres_here() {
        return;
    }
    let db = TestDb::new(Engine::Postgres).await;
    let clock = Arc::new(HandClock(now().timestamp().into()));
    let other_desk = clinic(&db, clock.clone()).await;
    let cable = Cable::to(server_of(db.url.as_deref().unwrap())).await;
    let folder = tempfile::tempdir().unwrap();
    let store = desk_on(&db, &cable, folder.path(), clock.clone()).await;

    let copy = store.refresh_copy(Sight::Everything).await.unwrap();
    assert_eq!(copy.first_day, NaiveDate::from_ymd_opt(2026, 7, 5).unwrap());
    assert_eq!(copy.last_day, NaiveDate::from_ymd_opt(2026, 7, 20).unwrap());
    assert_eq!(copy.appointments, 2, "today's and Thursday's visits; not the one in three weeks");
    assert_eq!(store.server_link().unwrap().away_since, None);

    // The copy is this computer's alone, and never in clear.
    let path = folder.path().join(COPY_FILE);
    let header = std::fs::read(&path).unwrap();
    assert_ne!(&header[..16], b"SQLite format 3\0", "the read copy is encrypted");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
    }

    // The server goes away: the next check says so, within the two seconds it waits.
    cable.cut();
    let started = Instant::now();
    let link = store.check_server().await.expect("the desk notices the server is away");
    assert!(started.elapsed() < std::time::Duration::from_secs(5), "{:?}", started.elapsed());
    assert_eq!(link.away_since, Some(now()));
    assert_eq!(link.copy_as_of, Some(now()));
    assert_eq!(store.check_server().await, None, "said once");

    // Reads answer from the copy, with the same words.
    let day = NaiveDate::from_ymd_opt(2026, 7, 6).unwrap();
    let started = Instant::now();
    assert_eq!(patients(&store.day(day, toronto(), None).await.unwrap()), [JANE]);
    assert!(started.elapsed() < std::time::Duration::from_secs(1), "{:?}", started.elapsed());
    let thursday = NaiveDate::from_ymd_opt(2026, 7, 9).unwrap();
    let tom = store.day(thursday, toronto(), None).await.unwrap()[0].id;
    let detail = store.view_appointment(&desk(), tom).await.unwrap();
    assert_eq!(detail.appointment.patient_id, TOM);
    assert_eq!(store.view_patient(&desk(), TOM).await.unwrap().full_name, "Tom Nguyen");
    assert_eq!(store.find(&desk(), "Tom").await.unwrap().patients.len(), 1);
    // The receptionist signs in with the PIN the copy knows.
    assert_eq!(store.sign_in(DESK, "482915").await.unwrap().staff.id, DESK);
    assert!(store.sign_in(DESK, "000000").await.is_err());

    // Reminders still come: Dr Lee's 11:00 visit, ten minutes before, once.
    clock.0.store(now().timestamp() + 50 * 60, std::sync::atomic::Ordering::SeqCst);
    let due = store.due_reminders(ADA).await.unwrap();
    assert_eq!(due.len(), 1, "{due:?}");
    assert!(store.take_reminder(ADA, &due[0]).await.unwrap());
    assert!(store.due_reminders(ADA).await.unwrap().is_empty(), "shown once");
    clock.0.store(now().timestamp(), std::sync::atomic::Ordering::SeqCst);

    // Changes wait for the server, and say why.
    let err = store.book(&desk(), &request(TOM, ADA, "2026-07-06T15:00")).await.unwrap_err();
    assert!(matches!(err, CoreError::ReadOnly { .. }), "{err}");
    assert_eq!(err.kind(), ErrorKind::Unavailable);
    assert!(err.to_string().contains("does not answer"), "{err}");
    assert!(store.refresh_copy(Sight::Everything).await.is_err(), "no copy is taken from nowhere");

    // Meanwhile another desk books; when the server answers again, the desk sees it.
    book(&other_desk, TOM, ADA, "2026-07-06T14:00").await;
    cable.mend();
    let link = store.check_server().await.expect("the desk notices the server is back");
    assert_eq!(link.away_since, None);
    assert_eq!(patients(&store.day(day, toronto(), None).await.unwrap()), [JANE, TOM]);
    store.refresh_copy(Sight::Everything).await.unwrap();
    let booked = store.book(&desk(), &request(TOM, BEN, "2026-07-06T15:00")).await.unwrap();
    assert_eq!(booked.patient_id, TOM);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_desk_that_starts_while_the_server_is_away_starts_on_its_copy() {
    if !engines::postgres_here() {
        return;
    }
    let db = TestDb::new(Engine::Postgres).await;
    let clock = Arc::new(HandClock(now().timestamp().into()));
    let _other_desk = clinic(&db, clock.clone()).await;
    let cable = Cable::to(server_of(db.url.as_deref().unwrap())).await;
    let folder = tempfile::tempdir().unwrap();

    // A desk with no copy yet cannot start without its server.
    cable.cut();
    let address = cable.address(db.url.as_deref().unwrap());
    let err =
        Store::connect_with_copy(&address, folder.path(), clock.clone(), db.at_rest()).await.unwrap_err();
    assert!(matches!(err, CoreError::ServerAway { .. }), "{err}");

    cable.mend();
    let store = desk_on(&db, &cable, folder.path(), clock.clone()).await;
    store.refresh_copy(Sight::Everything).await.unwrap();
    store.close().await;
    drop(store);

    cable.cut();
    let store = desk_on(&db, &cable, folder.path(), clock.clone()).await;
    let link = store.server_link().unwrap();
    assert_eq!((link.away_since, link.copy_as_of), (Some(now()), Some(now())));
    assert_eq!(store.sign_in(DESK, "482915").await.unwrap().staff.name, "Rita Desk");
    let day = NaiveDate::from_ymd_opt(2026, 7, 6).unwrap();
    assert_eq!(patients(&store.day(day, toronto(), None).await.unwrap()), [JANE]);
    assert!(matches!(store.cancel(&desk(), AppointmentId(1), "ill").await, Err(CoreError::ReadOnly { .. })));

    cable.mend();
    assert_eq!(store.check_server().await.map(|l| l.away_since), Some(None), "back, once checked");
    store.cancel(&desk(), AppointmentId(1), "ill").await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_doctors_desk_keeps_no_other_doctors_patients_under_the_minimum_necessary() {
    if !engines::postgres_here() {
        return;
    }
    let db = TestDb::new(Engine::Postgres).await;
    let clock = Arc::new(HandClock(now().timestamp().into()));
    let server = clinic(&db, clock.clone()).await;
    let settings = ClinicSettings {
        name: "Maple Clinic".into(),
        tz: "America/Toronto".into(),
        lock_minutes: 10,
        locale: "en-CA".into(),
        neutral_titles: false,
        own_patients_only: true,
    };
    server.update_clinic(&it(), &settings).await.unwrap();
    let cable = Cable::to(server_of(db.url.as_deref().unwrap())).await;
    let folder = tempfile::tempdir().unwrap();
    let store = desk_on(&db, &cable, folder.path(), clock.clone()).await;
    store.refresh_copy(Sight::OwnPatients(ADA)).await.unwrap();
    assert_eq!(store.copy_sight().await.unwrap(), Some(Sight::OwnPatients(ADA)));

    cable.cut();
    store.check_server().await.expect("away");
    // Ada's own patient is whole; Ben's is only busy time in the copy itself.
    assert_eq!(store.patient(JANE).await.unwrap().full_name, "Jane Doe");
    let tom = store.patient(TOM).await.unwrap();
    assert_eq!((tom.full_name.as_str(), tom.phone.as_deref()), ("Busy", None));
    let thursday = NaiveDate::from_ymd_opt(2026, 7, 9).unwrap();
    let visit = &store.day(thursday, toronto(), None).await.unwrap()[0];
    assert_eq!(visit.topic, None, "another doctor's topic is not kept");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_sets_how_many_days_each_desk_keeps() {
    if !engines::postgres_here() {
        return;
    }
    let db = TestDb::new(Engine::Postgres).await;
    let clock = Arc::new(HandClock(now().timestamp().into()));
    let server = clinic(&db, clock.clone()).await;
    assert_eq!(server.copy_days().await.unwrap(), 14);
    let err = server.set_copy_days(&it(), 0).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Validation);
    assert!(server.set_copy_days(&desk(), 3).await.is_err(), "an admin's setting");
    server.set_copy_days(&it(), 2).await.unwrap();
    let cable = Cable::to(server_of(db.url.as_deref().unwrap())).await;
    let folder = tempfile::tempdir().unwrap();
    let store = desk_on(&db, &cable, folder.path(), clock.clone()).await;
    let copy = store.refresh_copy(Sight::Everything).await.unwrap();
    assert_eq!(copy.last_day, NaiveDate::from_ymd_opt(2026, 7, 8).unwrap());
    assert_eq!(copy.appointments, 1, "Thursday's visit is beyond the two days");
}
