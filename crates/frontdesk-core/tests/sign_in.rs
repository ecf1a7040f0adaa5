//! First start, PIN sign-in and the directory edits behind the desktop app's screens.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests panic on purpose

mod engines;

use std::sync::atomic::Ordering;
use std::sync::Arc;

use engines::TestDb;
use frontdesk_core::store::{AuditFilter, ClinicSettings, Engine, NewPatient, StaffUpdate, MAX_PIN_FAILURES};
use frontdesk_core::{Actor, CoreError, ErrorKind, HandClock, Mode, PatientId, Role, StaffId, Store, TypeId};

on_both_engines!(
    first_run_sets_up_the_clinic_and_its_admin_once,
    wrong_pins_are_counted_and_pause_sign_in,
    each_pause_in_a_row_doubles_the_next,
    the_clinic_keeps_an_active_admin_and_edits_are_checked,
);

/// The command-line twin's rights, for setting a clinic up.
fn it() -> Actor {
    Actor::Tool { tool: "test", user: "it".into() }
}

async fn fresh(engine: Engine) -> (TestDb, Store, Arc<HandClock>) {
    let db = TestDb::new(engine).await;
    let clock = Arc::new(HandClock(1_780_000_000.into()));
    let store = db.open(clock.clone()).await;
    (db, store, clock)
}

async fn first_run_sets_up_the_clinic_and_its_admin_once(engine: Engine) {
    let (_dir, store, _) = fresh(engine).await;
    assert!(store.clinic().await.unwrap().is_none());
    let (clinic, admin) =
        store.first_run("Maple Clinic", "America/Toronto", "Eli Admin", "1357").await.unwrap();
    assert_eq!(clinic.name, "Maple Clinic");
    assert_eq!(clinic.lock_minutes, 10);
    assert_eq!(admin.role, Role::Admin);
    assert!(admin.has_pin);
    let again = store.first_run("Other", "UTC", "Mallory", "0000").await.unwrap_err();
    assert!(matches!(again, CoreError::AlreadyInitialized(_)));
    assert_eq!(store.list_staff().await.unwrap().len(), 1);
    // Bad input changes nothing.
    let (_dir2, empty, _) = fresh(engine).await;
    assert!(empty.first_run("Clinic", "Nowhere/Else", "A", "1234").await.is_err());
    assert!(empty.first_run("Clinic", "UTC", "A", "12").await.is_err());
    assert!(empty.clinic().await.unwrap().is_none());
}

async fn wrong_pins_are_counted_and_pause_sign_in(engine: Engine) {
    let (_dir, store, clock) = fresh(engine).await;
    let (_, admin) = store.first_run("Maple Clinic", "UTC", "Eli Admin", "1357").await.unwrap();
    assert_eq!(store.sign_in(admin.id, "1357").await.unwrap().id, admin.id);
    for left in (0..MAX_PIN_FAILURES).rev() {
        match store.sign_in(admin.id, "9999").await.unwrap_err() {
            CoreError::WrongPin { attempts_left, .. } => assert_eq!(attempts_left, left),
            other => panic!("{other:?}"),
        }
    }
    // Paused: even the right PIN is refused, and the message says until when.
    let paused = store.sign_in(admin.id, "1357").await.unwrap_err();
    assert_eq!(paused.kind(), ErrorKind::Unauthenticated);
    assert!(paused.to_string().contains("paused until"), "{paused}");
    clock.0.fetch_add(5 * 60 + 1, Ordering::SeqCst);
    store.sign_in(admin.id, "1357").await.unwrap();
    // Every try is in the audit log, under the account it was for: never the PIN typed.
    let log = store.audit_log(&AuditFilter { staff: Some(admin.id), ..Default::default() }).await.unwrap();
    let actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
    let mut expected = vec!["signed_in"];
    expected.extend(std::iter::repeat_n("sign_in_refused", 5));
    expected.extend(["sign_in_paused", "sign_in_refused", "signed_in"]);
    assert_eq!(actions, expected);
    assert_eq!(log[5].detail["tries_left"], 0);
    assert_eq!(log[7].detail["paused"], true);
    assert!(log
        .iter()
        .all(|e| !e.detail.to_string().contains("9999") && !e.detail.to_string().contains("1357")));
    // Unknown, inactive, or without a PIN.
    assert!(matches!(store.sign_in(StaffId(99), "1357").await, Err(CoreError::NotFound { .. })));
    let no_pin = store.add_staff(&it(), "Dr Lee", Role::Doctor, None).await.unwrap();
    assert!(matches!(store.sign_in(no_pin.id, "1234").await, Err(CoreError::NoPin)));
}

/// Each pause in a row doubles the next (5 minutes, then 10...), so five guesses every five
/// minutes cannot go on for ever; signing in, or a new PIN from an admin, starts again at 5.
async fn each_pause_in_a_row_doubles_the_next(engine: Engine) {
    let (_dir, store, clock) = fresh(engine).await;
    let (_, admin) = store.first_run("Maple Clinic", "UTC", "Eli Admin", "1357").await.unwrap();
    let guess_five = || async {
        let mut last = None;
        for _ in 0..MAX_PIN_FAILURES {
            last = Some(store.sign_in(admin.id, "9999").await.unwrap_err());
        }
        last.unwrap()
    };
    let minute = |n: i64| clock.0.fetch_add(n * 60, Ordering::SeqCst);
    assert!(guess_five().await.to_string().contains("pauses for 5 minutes"));
    minute(5);
    clock.0.fetch_add(1, Ordering::SeqCst);
    // The second pause in a row is announced and lasts 10 minutes.
    let fifth = guess_five().await;
    assert!(fifth.to_string().contains("pauses for 10 minutes"), "{fifth}");
    minute(6);
    assert!(matches!(store.sign_in(admin.id, "1357").await, Err(CoreError::PinPaused { .. })));
    minute(5);
    store.sign_in(admin.id, "1357").await.unwrap();
    // Signed in: the next pause is 5 minutes again.
    assert!(guess_five().await.to_string().contains("pauses for 5 minutes"));
    assert_eq!(frontdesk_core::store::pause_minutes(0), 5);
    assert_eq!(frontdesk_core::store::pause_minutes(3), 40);
    assert_eq!(frontdesk_core::store::pause_minutes(60), 24 * 60, "never more than a day");
}

async fn the_clinic_keeps_an_active_admin_and_edits_are_checked(engine: Engine) {
    let (_dir, store, _) = fresh(engine).await;
    let (_, admin) = store.first_run("Maple Clinic", "UTC", "Eli Admin", "1357").await.unwrap();
    let demote = StaffUpdate { name: "Eli".into(), role: Role::Receptionist, active: true, pin: None };
    assert!(matches!(store.update_staff(&it(), admin.id, &demote).await, Err(CoreError::LastAdmin)));
    assert_eq!(store.staff(admin.id).await.unwrap().role, Role::Admin, "nothing changed");
    let dr = store.add_staff(&it(), "Dr Lee", Role::Doctor, None).await.unwrap();
    let with_pin =
        StaffUpdate { name: "Dr Ada Lee".into(), role: Role::Doctor, active: true, pin: Some("2468".into()) };
    let updated = store.update_staff(&it(), dr.id, &with_pin).await.unwrap();
    assert!(updated.has_pin);
    store.sign_in(dr.id, "2468").await.unwrap();
    let leave = StaffUpdate { active: false, pin: None, ..with_pin };
    assert!(!store.update_staff(&it(), dr.id, &leave).await.unwrap().active);
    assert_eq!(store.list_staff().await.unwrap().len(), 1);
    assert_eq!(store.list_all_staff().await.unwrap().len(), 2);

    let settings = ClinicSettings {
        name: "Maple".into(),
        tz: "Europe/London".into(),
        lock_minutes: 3,
        locale: "fr-CA".into(),
        neutral_titles: true,
    };
    let clinic = store.update_clinic(&it(), &settings).await.unwrap();
    assert_eq!(
        (clinic.tz.name(), clinic.lock_minutes, clinic.locale.as_str(), clinic.neutral_titles),
        ("Europe/London", 3, "fr-CA", true)
    );
    for bad in [
        ClinicSettings { lock_minutes: 0, ..settings.clone() },
        ClinicSettings { tz: "Europe/Atlantis".into(), ..settings.clone() },
        ClinicSettings { locale: "french".into(), ..settings.clone() },
    ] {
        assert_eq!(store.update_clinic(&it(), &bad).await.unwrap_err().kind(), ErrorKind::Validation);
    }

    let p = store
        .add_patient(&it(), &NewPatient { full_name: "Jane Doe".into(), ..Default::default() })
        .await
        .unwrap();
    let edit = NewPatient {
        full_name: "Jane Q. Doe".into(),
        phone: Some("416 555 0100".into()),
        ..Default::default()
    };
    assert_eq!(store.update_patient(&it(), p.id, &edit).await.unwrap().full_name, "Jane Q. Doe");
    assert_eq!(store.patient(p.id).await.unwrap().phone.as_deref(), Some("416 555 0100"));
    assert!(store.update_patient(&it(), PatientId(77), &edit).await.is_err());
    let bad = NewPatient { email: Some("nope".into()), ..edit };
    assert!(store.update_patient(&it(), p.id, &bad).await.is_err());

    let a = store.add_type(&it(), "Consult", 30, Mode::Zoom).await.unwrap();
    store.add_type(&it(), "Review", 15, Mode::Teams).await.unwrap();
    assert!(store
        .update_type(&it(), a.id, "review", 30, Mode::Zoom)
        .await
        .unwrap_err()
        .to_string()
        .contains("already exists"));
    assert_eq!(store.update_type(&it(), a.id, "Consult", 45, Mode::InPerson).await.unwrap().minutes, 45);
    assert!(matches!(
        store.update_type(&it(), TypeId(9), "X", 5, Mode::Zoom).await,
        Err(CoreError::NotFound { .. })
    ));
}
