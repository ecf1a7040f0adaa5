//! The clinic service as the one keeper of tokens, on the clinic's server: which service keeps
//! them, and the requests desks leave for it. PostgreSQL only (a single computer keeps its own
//! tokens, and says so when asked for a service).

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests panic on purpose

mod engines;

use std::sync::atomic::Ordering;
use std::sync::Arc;

use engines::TestDb;
use frontdesk_core::store::{ConnectionKind, ConnectionState, Engine, ServiceAnswer};
use frontdesk_core::{Actor, CoreError, ErrorKind, HandClock, Provider, Role, Store};

fn it() -> Actor {
    Actor::Tool { tool: "test", user: "it".into() }
}

async fn clinic(engine: Engine) -> (TestDb, Store, Arc<HandClock>) {
    let db = TestDb::new(engine).await;
    let clock = Arc::new(HandClock(1_780_000_000.into()));
    let store = db.open(clock.clone()).await;
    store.init_clinic("Maple Clinic", "America/Toronto").await.unwrap();
    (db, store, clock)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_single_computer_has_no_clinic_service() {
    let (_db, store, _) = clinic(Engine::Sqlite).await;
    let err = store.clinic_service().await.unwrap_err();
    assert!(err.to_string().contains("a single computer keeps its own accounts"), "{err}");
    assert_eq!(err.kind(), ErrorKind::Validation);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_service_keeps_the_accounts_until_another_takes_over() {
    if !engines::postgres_here() {
        return;
    }
    let (_db, store, clock) = clinic(Engine::Postgres).await;
    let doctor = store.add_staff(&it(), "Dr Ada Lee", Role::Doctor, None).await.unwrap().id;
    store
        .record_connected(&it(), doctor, Provider::Zoom, ConnectionKind::User, "ada@clinic.example")
        .await
        .unwrap();

    assert!(matches!(store.service_present().await, Err(CoreError::NoClinicService)));
    let first = store.register_service("key-A", "front-office", false).await.unwrap();
    assert_eq!((first.public_key.as_str(), first.host.as_str()), ("key-A", "front-office"));
    // The same key again (a restart, a second process on that computer) is welcome.
    store.register_service("key-A", "front-office", false).await.unwrap();
    assert!(store.service_seen("key-A").await.unwrap());

    // Another computer's key is refused, naming where the accounts are kept.
    let err = store.register_service("key-B", "back-office", false).await.unwrap_err();
    assert!(matches!(err, CoreError::ServiceElsewhere { .. }), "{err}");
    assert!(err.to_string().contains("front-office") && err.to_string().contains("--take-over"), "{err}");
    assert_eq!(store.clinic_service().await.unwrap().unwrap().public_key, "key-A");

    // Silent for more than 30 seconds: desks are told it is away, and where it runs.
    clock.0.fetch_add(31, Ordering::SeqCst);
    let away = store.service_present().await.unwrap_err();
    assert!(
        matches!(away, CoreError::ServiceAway { .. }) && away.to_string().contains("front-office"),
        "{away}"
    );
    assert_eq!(away.kind(), ErrorKind::Unavailable);

    // Taking over: the old service's connections are gone with its keyring.
    store.register_service("key-B", "back-office", true).await.unwrap();
    assert!(!store.service_seen("key-A").await.unwrap(), "the old service learns it must stop");
    assert!(store.service_seen("key-B").await.unwrap());
    let connection = store.connection(doctor, Provider::Zoom).await.unwrap().unwrap();
    assert_eq!(connection.state, ConnectionState::Disconnected);
    assert!(connection.needs_reconnect && connection.problem.unwrap().contains("front-office"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_is_taken_once_and_its_answer_read_once() {
    if !engines::postgres_here() {
        return;
    }
    let (db, store, clock) = clinic(Engine::Postgres).await;
    let (other_process, _dir) = db.open_elsewhere(clock.clone()).await;
    let args = serde_json::json!({ "appointment": 7 });
    let id = store.ask_service("host_link", &it(), &args, Some("c2VhbGVk"), Some("desk-key")).await.unwrap();
    assert_eq!(store.open_requests().await.unwrap(), vec![id]);
    assert!(store.take_answer(id).await.unwrap().is_none(), "no answer yet");

    // Two processes of the service race for it: one gets it.
    let (a, b) = tokio::join!(store.take_request(id), other_process.take_request(id));
    let taken: Vec<_> = [a.unwrap(), b.unwrap()].into_iter().flatten().collect();
    assert_eq!(taken.len(), 1);
    let request = &taken[0];
    assert_eq!((request.kind.as_str(), request.asked_by.as_str()), ("host_link", "test:it"));
    assert_eq!(request.sealed_args.as_deref(), Some("c2VhbGVk"));
    assert_eq!(request.reply_key.as_deref(), Some("desk-key"));
    assert!(store.open_requests().await.unwrap().is_empty());

    let answer = ServiceAnswer::Done { answer: "null".into(), sealed: Some("Zm9y".into()) };
    store.answer_request(id, &answer).await.unwrap();
    assert_eq!(db.count("SELECT count(*) FROM service_requests WHERE sealed_args IS NOT NULL").await, 0);
    assert_eq!(store.take_answer(id).await.unwrap(), Some(answer));
    assert_eq!(store.take_answer(id).await.unwrap(), None, "read once, then gone");
    assert_eq!(db.count("SELECT count(*) FROM service_requests").await, 0);

    // A request nobody answered is cleared away after two minutes; a taker that went quiet for
    // 30 seconds loses it to another.
    let left = store.ask_service("check", &it(), &args, None, None).await.unwrap();
    store.take_request(left).await.unwrap().unwrap();
    clock.0.fetch_add(31, Ordering::SeqCst);
    assert_eq!(other_process.open_requests().await.unwrap(), vec![left]);
    assert!(other_process.take_request(left).await.unwrap().is_some());
    clock.0.fetch_add(120, Ordering::SeqCst);
    assert_eq!(store.clear_old_requests().await.unwrap(), 1);
    assert_eq!(db.count("SELECT count(*) FROM service_requests").await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_are_answered_as_whoever_asked_with_their_rights_now() {
    if !engines::postgres_here() {
        return;
    }
    let (_db, store, _) = clinic(Engine::Postgres).await;
    let staff = store.add_staff(&it(), "Ana Desk", Role::Receptionist, Some("246810")).await.unwrap();
    assert_eq!(store.actor_named(&format!("staff:{}", staff.id)).await.unwrap(), Actor::staff(&staff));
    assert_eq!(store.actor_named("cli:ana").await.unwrap(), Actor::Tool { tool: "cli", user: "ana".into() });
    for nobody in ["staff:999", "system", "staff:x", "cli:", "test:it"] {
        let err = store.actor_named(nobody).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Forbidden, "{nobody}: {err}");
    }
}
