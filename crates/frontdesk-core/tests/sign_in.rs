//! First start, PIN sign-in and the directory edits behind the desktop app's screens.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests panic on purpose

mod engines;

use std::sync::atomic::Ordering;
use std::sync::Arc;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHasher, SaltString};
use argon2::Argon2;
use engines::TestDb;
use frontdesk_core::store::{
    AuditAction, AuditFilter, ClinicSettings, Engine, NewPatient, Pause, PinPenalty, SecurityEvent,
    SignInHold, StaffUpdate, MAX_PIN_FAILURES,
};
use frontdesk_core::{
    Actor, Clock, CoreError, ErrorKind, Field, HandClock, Mode, PatientId, Role, StaffId, Store, TypeId,
};

on_both_engines!(
    first_run_sets_up_the_clinic_and_its_admin_once,
    wrong_pins_are_counted_and_pause_sign_in,
    wrong_pins_pause_for_5_then_30_minutes_then_lock_until_an_admin_unlocks,
    the_count_of_wrong_pins_survives_reopening_the_store,
    a_clock_set_back_keeps_a_pause_and_no_clock_ends_a_lock,
    a_new_pin_from_an_admin_lifts_a_lock,
    a_pin_checked_as_it_is_typed_signs_in_exactly_as_a_check_at_the_enter_would,
    new_pins_have_six_digits_and_a_shorter_old_one_must_be_changed,
    admins_are_told_of_pauses_locks_and_unlocks_since_their_last_sign_in,
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

/// Five wrong PINs in a row for `id`: the last refusal.
async fn five_wrong(store: &Store, id: StaffId) -> CoreError {
    let mut last = None;
    for _ in 0..MAX_PIN_FAILURES {
        last = Some(store.sign_in(id, "999999").await.unwrap_err());
    }
    last.unwrap()
}

fn minutes(clock: &HandClock, n: i64) {
    clock.0.fetch_add(n * 60, Ordering::SeqCst);
}

/// The audit log's actions for rows by (or about) `id`, in order.
async fn actions_of(store: &Store, id: StaffId) -> Vec<String> {
    let log = store.audit_log(&AuditFilter { staff: Some(id), ..Default::default() }).await.unwrap();
    log.iter().map(|e| e.action.as_str().to_owned()).collect()
}

async fn first_run_sets_up_the_clinic_and_its_admin_once(engine: Engine) {
    let (_dir, store, _) = fresh(engine).await;
    assert!(store.clinic().await.unwrap().is_none());
    let (clinic, admin) =
        store.first_run("Maple Clinic", "America/Toronto", "Eli Admin", "135790").await.unwrap();
    assert_eq!(clinic.name, "Maple Clinic");
    assert_eq!(clinic.lock_minutes, 10);
    assert_eq!(admin.role, Role::Admin);
    assert!(admin.has_pin);
    let again = store.first_run("Other", "UTC", "Mallory", "000000").await.unwrap_err();
    assert!(matches!(again, CoreError::AlreadyInitialized(_)));
    assert_eq!(store.list_staff().await.unwrap().len(), 1);
    // Bad input changes nothing.
    let (_dir2, empty, _) = fresh(engine).await;
    assert!(empty.first_run("Clinic", "Nowhere/Else", "A", "123456").await.is_err());
    assert!(empty.first_run("Clinic", "UTC", "A", "12").await.is_err());
    let short = empty.first_run("Clinic", "UTC", "A", "1234").await.unwrap_err();
    assert_eq!(short.to_string(), "PIN: use 6 to 12 digits; a shorter PIN is too easy to guess");
    assert!(empty.clinic().await.unwrap().is_none());
}

async fn wrong_pins_are_counted_and_pause_sign_in(engine: Engine) {
    let (_dir, store, clock) = fresh(engine).await;
    let (_, admin) = store.first_run("Maple Clinic", "UTC", "Eli Admin", "135790").await.unwrap();
    let signed_in = store.sign_in(admin.id, "135790").await.unwrap();
    assert_eq!(signed_in.staff.id, admin.id);
    assert!(!signed_in.must_change_pin);
    for left in (0..MAX_PIN_FAILURES).rev() {
        match store.sign_in(admin.id, "999999").await.unwrap_err() {
            CoreError::WrongPin { attempts_left, .. } => assert_eq!(attempts_left, left),
            other => panic!("{other:?}"),
        }
    }
    // Paused: even the right PIN is refused, and the message says until when.
    let paused = store.sign_in(admin.id, "135790").await.unwrap_err();
    assert_eq!(paused.kind(), ErrorKind::Unauthenticated);
    assert!(paused.to_string().contains("paused until"), "{paused}");
    minutes(&clock, 5);
    store.sign_in(admin.id, "135790").await.unwrap();
    // Every try is in the audit log, under the account it was for: never the PIN typed.
    let log = store.audit_log(&AuditFilter { staff: Some(admin.id), ..Default::default() }).await.unwrap();
    let actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
    let mut expected = vec!["signed_in"];
    expected.extend(std::iter::repeat_n("sign_in_refused", 5));
    expected.extend(["sign_in_paused", "sign_in_refused", "signed_in"]);
    assert_eq!(actions, expected);
    assert_eq!(log[5].detail["tries_left"], 0);
    assert_eq!(log[6].detail["minutes"], 5);
    assert_eq!(log[7].detail["paused"], true);
    assert!(log
        .iter()
        .all(|e| !e.detail.to_string().contains("999999") && !e.detail.to_string().contains("135790")));
    // Unknown, inactive, or without a PIN.
    assert!(matches!(store.sign_in(StaffId(99), "135790").await, Err(CoreError::NotFound { .. })));
    let no_pin = store.add_staff(&it(), "Dr Lee", Role::Doctor, None).await.unwrap();
    assert!(matches!(store.sign_in(no_pin.id, "123456").await, Err(CoreError::NoPin)));
}

/// Five wrong PINs in a row pause sign-in for 5 minutes, the next five (with no sign-in between)
/// for 30, and the next five lock it until an admin unlocks it; each step is audited.
async fn wrong_pins_pause_for_5_then_30_minutes_then_lock_until_an_admin_unlocks(engine: Engine) {
    let (_dir, store, clock) = fresh(engine).await;
    let (_, admin) = store.first_run("Maple Clinic", "UTC", "Eli Admin", "135790").await.unwrap();
    let dr = store.add_staff(&it(), "Dr Lee", Role::Doctor, Some("111111")).await.unwrap().id;
    let first = store.sign_in(dr, "999999").await.unwrap_err();
    assert_eq!(first.to_string(), "wrong PIN; 4 more tries before sign-in pauses for 5 minutes");
    // With the one above, the fourth of these is the fifth wrong PIN: the fifth comes in the pause.
    let in_the_pause = five_wrong(&store, dr).await;
    assert!(matches!(in_the_pause, CoreError::PinPaused { .. }), "{in_the_pause}");
    minutes(&clock, 5);

    let second = store.sign_in(dr, "999999").await.unwrap_err();
    assert_eq!(second.to_string(), "wrong PIN; 4 more tries before sign-in pauses for 30 minutes");
    for _ in 0..3 {
        store.sign_in(dr, "999999").await.unwrap_err();
    }
    let paused = store.sign_in(dr, "999999").await.unwrap_err();
    assert_eq!(paused.to_string(), "wrong PIN; sign-in is now paused for 30 minutes");
    minutes(&clock, 29);
    assert!(matches!(store.sign_in(dr, "111111").await, Err(CoreError::PinPaused { .. })));
    minutes(&clock, 1);

    for left in (1..MAX_PIN_FAILURES).rev() {
        let e = store.sign_in(dr, "999999").await.unwrap_err();
        assert!(e.to_string().contains("before sign-in is locked until an admin unlocks it"), "{e}");
        assert!(
            matches!(e, CoreError::WrongPin { attempts_left, then: PinPenalty::Lock } if attempts_left == left)
        );
    }
    let locked = store.sign_in(dr, "999999").await.unwrap_err();
    assert_eq!(
        locked.to_string(),
        "wrong PIN; sign-in is now locked after too many wrong PINs; an admin can unlock it in Staff"
    );
    // Locked: the right PIN is refused, however long one waits.
    minutes(&clock, 60 * 24 * 400);
    let refused = store.sign_in(dr, "111111").await.unwrap_err();
    assert_eq!(refused.kind(), ErrorKind::Unauthenticated);
    assert_eq!(
        refused.to_string(),
        "sign-in for Dr Lee is locked after too many wrong PINs; an admin can unlock it in Staff"
    );
    let holds = store.sign_in_holds().await.unwrap();
    assert_eq!(holds, [SignInHold { staff_id: dr, locked: true, paused_until: None }]);

    // Only an admin unlocks.
    let desk = store.add_staff(&it(), "Dana Desk", Role::Receptionist, Some("246802")).await.unwrap();
    let as_desk = Actor::Staff { id: desk.id, role: Role::Receptionist };
    assert_eq!(store.unlock_staff(&as_desk, dr).await.unwrap_err().kind(), ErrorKind::Forbidden);
    assert!(matches!(store.unlock_staff(&it(), StaffId(99)).await, Err(CoreError::NotFound { .. })));
    let as_admin = Actor::Staff { id: admin.id, role: Role::Admin };
    store.unlock_staff(&as_admin, dr).await.unwrap();
    assert!(store.sign_in_holds().await.unwrap().is_empty());
    // The count starts again: five wrong PINs pause for 5 minutes.
    assert!(matches!(
        five_wrong(&store, dr).await,
        CoreError::WrongPin { attempts_left: 0, then: PinPenalty::Pause { minutes: 5 } }
    ));
    minutes(&clock, 5);
    store.sign_in(dr, "111111").await.unwrap();
    // Signed in: the next round is the first again.
    assert!(five_wrong(&store, dr).await.to_string().contains("paused for 5 minutes"));

    // Each round: five refusals, then its pause or lock; a try during one is refused too.
    let round = |then: &'static str| {
        let mut r = vec!["sign_in_refused"; 5];
        r.push(then);
        r
    };
    let expected: Vec<&str> = [
        round("sign_in_paused"),
        vec!["sign_in_refused"],
        round("sign_in_paused"),
        vec!["sign_in_refused"],
        round("sign_in_locked"),
        vec!["sign_in_refused"],
        round("sign_in_paused"),
        vec!["signed_in"],
        round("sign_in_paused"),
    ]
    .concat();
    assert_eq!(actions_of(&store, dr).await, expected);
    let log = store.audit_log(&AuditFilter::default()).await.unwrap();
    let of = |action: &str| log.iter().filter(|e| e.action.as_str() == action).collect::<Vec<_>>();
    let pauses = of("sign_in_paused");
    assert_eq!(
        pauses
            .iter()
            .map(|e| (e.detail["minutes"].as_i64(), e.detail["wrong_pins"].as_i64()))
            .collect::<Vec<_>>(),
        [(Some(5), Some(5)), (Some(30), Some(10)), (Some(5), Some(5)), (Some(5), Some(5))]
    );
    let locks = of("sign_in_locked");
    assert_eq!(locks.len(), 1);
    assert_eq!(locks[0].detail, serde_json::json!({ "staff_id": dr, "wrong_pins": 15 }));
    let unlocks = of("sign_in_unlocked");
    assert_eq!(unlocks.len(), 1);
    assert_eq!(unlocks[0].actor_staff_id, Some(admin.id), "under the admin who unlocked");
    assert_eq!(unlocks[0].detail, serde_json::json!({ "staff_id": dr, "name": "Dr Lee", "was": "locked" }));
    // Unlocking someone with nothing to lift writes nothing.
    let rows = log.len();
    store.unlock_staff(&as_admin, admin.id).await.unwrap();
    assert_eq!(store.audit_log(&AuditFilter::default()).await.unwrap().len(), rows);
    assert_eq!(store.verify_audit(None).await.unwrap().broken, None);
}

/// The rounds are counted in the database: closing the app and opening it again (another store
/// on the same database) starts nothing again.
async fn the_count_of_wrong_pins_survives_reopening_the_store(engine: Engine) {
    let (db, store, clock) = fresh(engine).await;
    let (_, admin) = store.first_run("Maple Clinic", "UTC", "Eli Admin", "135790").await.unwrap();
    for _ in 0..3 {
        store.sign_in(admin.id, "999999").await.unwrap_err();
    }
    store.close().await;
    let store = db.open(clock.clone()).await;
    let e = store.sign_in(admin.id, "999999").await.unwrap_err();
    assert!(matches!(e, CoreError::WrongPin { attempts_left: 1, .. }), "{e}");
    store.sign_in(admin.id, "999999").await.unwrap_err();
    store.close().await;
    let store = db.open(clock.clone()).await;
    assert!(matches!(store.sign_in(admin.id, "135790").await, Err(CoreError::PinPaused { .. })));
    minutes(&clock, 5);
    let e = five_wrong(&store, admin.id).await;
    assert!(e.to_string().contains("paused for 30 minutes"), "{e}");
    store.close().await;
    let store = db.open(clock.clone()).await;
    minutes(&clock, 30);
    let e = five_wrong(&store, admin.id).await;
    assert!(matches!(e, CoreError::WrongPin { then: PinPenalty::Lock, .. }), "{e}");
    store.close().await;
    let store = db.open(clock.clone()).await;
    assert!(matches!(store.sign_in(admin.id, "135790").await, Err(CoreError::PinLocked { .. })));
}

/// A pause holds until the clock reads its start plus its length, and whenever it reads earlier
/// than its start: a clock set back never ends it early. A lock has no end at all.
async fn a_clock_set_back_keeps_a_pause_and_no_clock_ends_a_lock(engine: Engine) {
    let (_dir, store, clock) = fresh(engine).await;
    let (_, admin) = store.first_run("Maple Clinic", "UTC", "Eli Admin", "135790").await.unwrap();
    let start = clock.now();
    five_wrong(&store, admin.id).await;
    for back in [chrono::Duration::minutes(1), chrono::Duration::hours(1), chrono::Duration::days(3650)] {
        clock.set(start - back);
        let e = store.sign_in(admin.id, "135790").await.unwrap_err();
        assert!(matches!(e, CoreError::PinPaused { .. }), "set back {back}: {e}");
    }
    // Four minutes after the start, still paused; five, over.
    clock.set(start + chrono::Duration::minutes(4));
    assert!(matches!(store.sign_in(admin.id, "135790").await, Err(CoreError::PinPaused { .. })));
    clock.set(start + chrono::Duration::minutes(5));
    store.sign_in(admin.id, "135790").await.unwrap();
    // The rule itself, at its edges.
    let pause = Pause { started: 1_000, seconds: 300 };
    assert!([999, 1_000, 1_299].iter().all(|&now| pause.holds_at(now)));
    assert!(!pause.holds_at(1_300));
    assert!(Pause { started: i64::MAX, seconds: 60 }.holds_at(i64::MAX), "a length past the end holds");

    // Three rounds, with the clock moved each time: locked, whichever way the clock then goes.
    for _ in 0..3 {
        five_wrong(&store, admin.id).await;
        minutes(&clock, 31);
    }
    for at in [start - chrono::Duration::days(1), start + chrono::Duration::days(36500)] {
        clock.set(at);
        assert!(matches!(store.sign_in(admin.id, "135790").await, Err(CoreError::PinLocked { .. })));
    }
}

/// The sign-in screen has the PIN checked as it is typed (`check_pin_early`); the sign-in uses
/// that answer only for the same person, PIN and stored hash, counts and audits as always, and
/// the early checks alone count, audit and unlock nothing.
async fn a_pin_checked_as_it_is_typed_signs_in_exactly_as_a_check_at_the_enter_would(engine: Engine) {
    let (_dir, store, _) = fresh(engine).await;
    store.first_run("Maple Clinic", "UTC", "Eli Admin", "135790").await.unwrap();
    let dr = store.add_staff(&it(), "Dr Lee", Role::Doctor, Some("111111")).await.unwrap().id;
    let early = |pin: &'static str| {
        let store = &store;
        async move { store.check_pin_early(dr, pin).await.unwrap() }
    };
    store.sign_in_after(dr, "111111", early("111111").await).await.unwrap();
    // Checked ahead for one PIN, Enter on another: the one sent is what counts.
    let other = store.sign_in_after(dr, "999999", early("111111").await).await.unwrap_err();
    assert!(
        matches!(other, CoreError::WrongPin { attempts_left, .. } if attempts_left == MAX_PIN_FAILURES - 1)
    );
    let after_wrong = store.sign_in_after(dr, "111111", early("999999").await).await.unwrap();
    assert_eq!(after_wrong.staff.id, dr);
    // Early checks of wrong PINs, however many, are no tries.
    for _ in 0..MAX_PIN_FAILURES + 1 {
        drop(early("999999").await);
    }
    let wrong = store.sign_in_after(dr, "999999", early("999999").await).await.unwrap_err();
    assert!(
        matches!(wrong, CoreError::WrongPin { attempts_left, .. } if attempts_left == MAX_PIN_FAILURES - 1)
    );
    let tries: Vec<String> =
        actions_of(&store, dr).await.into_iter().filter(|a| a.starts_with("sign")).collect();
    assert_eq!(tries, ["signed_in", "sign_in_refused", "signed_in", "sign_in_refused"]);
    // A right PIN checked before an admin set a new one no longer signs in.
    let before = early("111111").await;
    let update =
        StaffUpdate { name: "Dr Lee".into(), role: Role::Doctor, active: true, pin: Some("222222".into()) };
    store.update_staff(&it(), dr, &update).await.unwrap();
    assert!(matches!(store.sign_in_after(dr, "111111", before).await, Err(CoreError::WrongPin { .. })));
    // Paused: a right PIN checked early is refused like any other.
    five_wrong(&store, dr).await;
    assert!(matches!(
        store.sign_in_after(dr, "222222", early("222222").await).await,
        Err(CoreError::PinPaused { .. })
    ));
    // Nobody, or nobody with a PIN: nothing to check.
    assert!(store.check_pin_early(StaffId(99), "123456").await.unwrap().is_none());
}

/// An admin's new PIN for someone locked out also unlocks them, audited as an unlock.
async fn a_new_pin_from_an_admin_lifts_a_lock(engine: Engine) {
    let (_dir, store, clock) = fresh(engine).await;
    store.first_run("Maple Clinic", "UTC", "Eli Admin", "135790").await.unwrap();
    let dr = store.add_staff(&it(), "Dr Lee", Role::Doctor, Some("111111")).await.unwrap().id;
    for _ in 0..3 {
        five_wrong(&store, dr).await;
        minutes(&clock, 31);
    }
    assert!(matches!(store.sign_in(dr, "111111").await, Err(CoreError::PinLocked { .. })));
    let update =
        StaffUpdate { name: "Dr Lee".into(), role: Role::Doctor, active: true, pin: Some("222222".into()) };
    store.update_staff(&it(), dr, &update).await.unwrap();
    assert!(store.sign_in_holds().await.unwrap().is_empty());
    store.sign_in(dr, "222222").await.unwrap();
    let unlocks = store
        .audit_log(&AuditFilter { action: Some(AuditAction::SignInUnlocked), ..Default::default() })
        .await
        .unwrap();
    assert_eq!(unlocks.len(), 1);
    assert_eq!(unlocks[0].actor, "test:it");
    assert_eq!(unlocks[0].detail["was"], "locked");
    assert_eq!(unlocks[0].detail["new_pin"], true);
    // A new PIN for someone not held back is no unlock.
    store.update_staff(&it(), dr, &update).await.unwrap();
    let again = store
        .audit_log(&AuditFilter { action: Some(AuditAction::SignInUnlocked), ..Default::default() })
        .await
        .unwrap();
    assert_eq!(again.len(), 1);
}

/// Every PIN set from now on has 6 to 12 digits. A shorter one set before still signs in, and
/// the sign-in says that its owner must choose a new one first.
async fn new_pins_have_six_digits_and_a_shorter_old_one_must_be_changed(engine: Engine) {
    let (db, store, _) = fresh(engine).await;
    store.first_run("Maple Clinic", "UTC", "Eli Admin", "135790").await.unwrap();
    let short = |e: CoreError| {
        assert!(matches!(e, CoreError::InvalidField { field, .. } if field == Field::PIN), "{e:?}");
    };
    short(store.add_staff(&it(), "Dr Lee", Role::Doctor, Some("1234")).await.unwrap_err());
    short(store.add_staff(&it(), "Dr Lee", Role::Doctor, Some("12345")).await.unwrap_err());
    short(store.add_staff(&it(), "Dr Lee", Role::Doctor, Some("1234567890123")).await.unwrap_err());
    short(store.add_staff(&it(), "Dr Lee", Role::Doctor, Some("12345a")).await.unwrap_err());
    let dana = store.add_staff(&it(), "Dana Desk", Role::Receptionist, Some("246802")).await.unwrap();
    let update = StaffUpdate {
        name: "Dana Desk".into(),
        role: Role::Receptionist,
        active: true,
        pin: Some("2468".into()),
    };
    short(store.update_staff(&it(), dana.id, &update).await.unwrap_err());

    // A four-digit PIN from before the rule, as an older Frontdesk stored it.
    let salt = SaltString::generate(&mut OsRng);
    let old = Argon2::default().hash_password(b"2468", &salt).unwrap().to_string();
    db.exec(&format!("UPDATE staff SET pin_hash = '{old}' WHERE id = {}", dana.id.0)).await.unwrap();
    let signed_in = store.sign_in(dana.id, "2468").await.unwrap();
    assert!(signed_in.must_change_pin);
    let me = Actor::staff(&signed_in.staff);
    short(store.set_own_pin(&me, "1357").await.unwrap_err());
    assert_eq!(store.set_own_pin(&it(), "135790").await.unwrap_err().kind(), ErrorKind::Forbidden);
    store.set_own_pin(&me, "864202").await.unwrap();
    assert!(matches!(store.sign_in(dana.id, "2468").await, Err(CoreError::WrongPin { .. })));
    let again = store.sign_in(dana.id, "864202").await.unwrap();
    assert!(!again.must_change_pin);
    // Audited as a change of her own record, by her, never with the PIN.
    let log = store.audit_log(&AuditFilter { staff: Some(dana.id), ..Default::default() }).await.unwrap();
    let changed: Vec<_> = log.iter().filter(|e| e.action == AuditAction::StaffChanged).collect();
    assert_eq!(changed.len(), 1);
    assert_eq!(changed[0].detail["pin_set"], true);
    assert_eq!(log.iter().filter(|e| e.detail["must_change_pin"] == true).count(), 1);
    assert!(log.iter().all(|e| !e.detail.to_string().contains("864202")));
}

/// An admin's sign-in carries the pauses, locks and unlocks of anyone's sign-in since their
/// previous one, once; nobody else's does.
async fn admins_are_told_of_pauses_locks_and_unlocks_since_their_last_sign_in(engine: Engine) {
    let (_dir, store, clock) = fresh(engine).await;
    let (_, admin) = store.first_run("Maple Clinic", "UTC", "Eli Admin", "135790").await.unwrap();
    let ines = store.add_staff(&it(), "Ines Admin", Role::Admin, Some("975310")).await.unwrap().id;
    let dr = store.add_staff(&it(), "Dr Lee", Role::Doctor, Some("111111")).await.unwrap().id;
    let dana = store.add_staff(&it(), "Dana Desk", Role::Receptionist, Some("246802")).await.unwrap().id;
    store.sign_in(admin.id, "135790").await.unwrap();
    store.sign_in(dana, "246802").await.unwrap();
    let start = clock.now();
    for _ in 0..3 {
        five_wrong(&store, dr).await;
        minutes(&clock, 31);
    }
    let as_ines = Actor::Staff { id: ines, role: Role::Admin };
    store.unlock_staff(&as_ines, dr).await.unwrap();

    let told = store.sign_in(admin.id, "135790").await.unwrap().security_notices;
    let seen: Vec<_> =
        told.iter().map(|n| (n.event, n.staff_id, n.wrong_pins, n.minutes, n.by.as_deref())).collect();
    assert_eq!(
        seen,
        [
            (SecurityEvent::Paused, dr, Some(5), Some(5), None),
            (SecurityEvent::Paused, dr, Some(10), Some(30), None),
            (SecurityEvent::Locked, dr, Some(15), None, None),
            (SecurityEvent::Unlocked, dr, None, None, Some("Ines Admin")),
        ]
    );
    assert!(told.iter().all(|n| n.staff_name == "Dr Lee"));
    assert_eq!(told[0].at, start);
    assert_eq!(told[2].at, start + chrono::Duration::minutes(62));
    // Told once: the next sign-in has nothing new.
    assert!(store.sign_in(admin.id, "135790").await.unwrap().security_notices.is_empty());
    // Only admins are told.
    assert!(store.sign_in(dana, "246802").await.unwrap().security_notices.is_empty());
    assert!(store.sign_in(dr, "111111").await.unwrap().security_notices.is_empty());
    // An admin who never signed in before is told of everything (at most the newest 50).
    assert_eq!(store.sign_in(ines, "975310").await.unwrap().security_notices.len(), 4);
}

async fn the_clinic_keeps_an_active_admin_and_edits_are_checked(engine: Engine) {
    let (_dir, store, _) = fresh(engine).await;
    let (_, admin) = store.first_run("Maple Clinic", "UTC", "Eli Admin", "135790").await.unwrap();
    let demote = StaffUpdate { name: "Eli".into(), role: Role::Receptionist, active: true, pin: None };
    assert!(matches!(store.update_staff(&it(), admin.id, &demote).await, Err(CoreError::LastAdmin)));
    assert_eq!(store.staff(admin.id).await.unwrap().role, Role::Admin, "nothing changed");
    let dr = store.add_staff(&it(), "Dr Lee", Role::Doctor, None).await.unwrap();
    let with_pin = StaffUpdate {
        name: "Dr Ada Lee".into(),
        role: Role::Doctor,
        active: true,
        pin: Some("246802".into()),
    };
    let updated = store.update_staff(&it(), dr.id, &with_pin).await.unwrap();
    assert!(updated.has_pin);
    store.sign_in(dr.id, "246802").await.unwrap();
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
        own_patients_only: true,
    };
    let clinic = store.update_clinic(&it(), &settings).await.unwrap();
    assert_eq!(
        (
            clinic.tz.name(),
            clinic.lock_minutes,
            clinic.locale.as_str(),
            clinic.neutral_titles,
            clinic.own_patients_only
        ),
        ("Europe/London", 3, "fr-CA", true, true)
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
