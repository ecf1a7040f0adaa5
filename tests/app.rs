//! The app's commands on Tauri's mock runtime, with the real configuration and capabilities:
//! sign-in, role checks in Rust, the error shape, and the generated TypeScript bindings.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests panic on purpose

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

mod common;

use frontdesk_app::{builder, AppConfig, AppState, OpenUrl, COMMAND_NAMES};

use frontdesk_core::{Clock, HandClock, SystemClock};
use frontdesk_settings::Setting;
use serde_json::{json, Value};
use tauri::test::{get_ipc_response, MockRuntime, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::{App, WebviewWindow, WebviewWindowBuilder};

struct Desk {
    _dir: tempfile::TempDir,
    app: App<MockRuntime>,
    window: WebviewWindow<MockRuntime>,
    /// Every answer and error the window received, as JSON text.
    answers: Mutex<Vec<String>>,
    /// The desk's keyring (it holds the database's key).
    secrets: Arc<dyn frontdesk_settings::SecretStore>,
}

impl Desk {
    fn new() -> Desk {
        Desk::with_clock(Arc::new(SystemClock))
    }

    fn with_clock(clock: Arc<dyn Clock>) -> Desk {
        let secrets = Arc::new(frontdesk_settings::MemorySecrets::default());
        Desk::build(clock, secrets, Arc::new(|_url: &str| Ok(())))
    }

    fn build(
        clock: Arc<dyn Clock>,
        secrets: Arc<dyn frontdesk_settings::SecretStore>,
        browser: OpenUrl,
    ) -> Desk {
        Desk::build_on(None, clock, secrets, browser)
    }

    /// A desk whose schedule is on the clinic's server at `url`.
    fn on_server(url: &str) -> Desk {
        let secrets = Arc::new(frontdesk_settings::MemorySecrets::default());
        Desk::build_on(Some(url.to_owned()), Arc::new(SystemClock), secrets, Arc::new(|_url: &str| Ok(())))
    }

    fn build_on(
        database: Option<String>,
        clock: Arc<dyn Clock>,
        secrets: Arc<dyn frontdesk_settings::SecretStore>,
        browser: OpenUrl,
    ) -> Desk {
        let dir = tempfile::tempdir().unwrap();
        let config = AppConfig {
            data_dir: Some(dir.path().to_path_buf()),
            database,
            clock,
            secrets: secrets.clone(),
            browser,
        };
        let app = builder(tauri::test::mock_builder(), config).build(tauri::generate_context!()).unwrap();
        let window = WebviewWindowBuilder::new(&app, "main", Default::default()).build().unwrap();
        Desk { _dir: dir, app, window, answers: Mutex::default(), secrets }
    }

    fn call(&self, cmd: &str, args: Value) -> Result<Value, Value> {
        let request = InvokeRequest {
            cmd: cmd.into(),
            callback: tauri::ipc::CallbackFn(0),
            error: tauri::ipc::CallbackFn(1),
            url: "tauri://localhost".parse().unwrap(),
            body: tauri::ipc::InvokeBody::Json(args),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        };
        let response =
            get_ipc_response(&self.window, request).map(|body| body.deserialize::<Value>().unwrap());
        match &response {
            Ok(v) | Err(v) => self.answers.lock().unwrap().push(format!("{cmd} {v}")),
        }
        // Every IPC response of the suite goes to one file, which the test command scans for
        // token and secret values at the end of the run.
        if let Some(path) = std::env::var_os("FRONTDESK_IPC_LOG") {
            use std::io::Write;
            let line = match &response {
                Ok(v) | Err(v) => format!("{cmd} {v}\n"),
            };
            let mut file = std::fs::OpenOptions::new().create(true).append(true).open(path).unwrap();
            file.write_all(line.as_bytes()).unwrap();
        }
        response
    }

    fn ok(&self, cmd: &str, args: Value) -> Value {
        self.call(cmd, args).unwrap_or_else(|e| panic!("{cmd} failed: {e}"))
    }

    fn err(&self, cmd: &str, args: Value) -> Value {
        self.call(cmd, args).map(|v| panic!("{cmd} should fail, got {v}")).unwrap_err()
    }

    /// A clinic with an admin (PIN 135790), a receptionist (246802), a doctor (111111), a patient
    /// and a type.
    fn seeded() -> Desk {
        Desk::seed(Desk::new())
    }

    fn seed(desk: Desk) -> Desk {
        desk.ok("first_run", json!({ "clinicName": "Maple Clinic", "tz": "America/Toronto", "adminName": "Eli Admin", "pin": "135790" }));
        desk.ok("add_staff", json!({ "staff": { "name": "Dana Desk", "role": "receptionist", "active": true, "pin": "246802" } }));
        desk.ok(
            "add_staff",
            json!({ "staff": { "name": "Dr Ada Lee", "role": "doctor", "active": true, "pin": "111111" } }),
        );
        desk.ok("add_patient", json!({ "patient": { "full_name": "Jane Doe", "email": null, "phone": null, "date_of_birth": null, "note": null } }));
        desk.ok("add_type", json!({ "name": "Consult", "minutes": 30, "mode": "zoom" }));
        desk.ok("sign_out", json!({}));
        desk
    }

    fn sign_in(&self, id: i64, pin: &str) {
        self.ok("sign_in", json!({ "staffId": id, "pin": pin }));
    }

    /// Runs SQL on the desk's own database file, past the app (as an older Frontdesk wrote it).
    fn sql(&self, sql: &str) {
        let at_rest = frontdesk_settings::database_at_rest(self.secrets.clone());
        tauri::async_runtime::block_on(async {
            let options = frontdesk_core::store::file_options(self._dir.path(), &at_rest).await.unwrap();
            let pool = sqlx::SqlitePool::connect_with(options).await.unwrap();
            sqlx::query(sql).execute(&pool).await.unwrap();
            pool.close().await;
        });
    }
}

/// The PIN 2468 as an older Frontdesk stored it (argon2id), from before PINs had 6 digits.
const OLD_SHORT_PIN_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$1B96NV1X6gD0crqF3Wlo4g$JP1J1Mkn+vg9nqe+OiYcvAtpbWtaJjErGQhUzY8H8WA";

fn booking(at: &str) -> Value {
    json!({ "input": {
        "patient_id": 1, "doctor_id": 3, "type_id": 1,
        "start": { "at": at, "tz": null, "fold": null },
        "allow_overlap": false, "topic": null, "description": null
    } })
}

#[test]
fn first_start_then_sign_in_and_book() {
    let desk = Desk::new();
    let status = desk.ok("app_status", json!({}));
    assert_eq!(status["setup_needed"], true);
    desk.ok("first_run", json!({ "clinicName": "Maple Clinic", "tz": "America/Toronto", "adminName": "Eli Admin", "pin": "135790" }));
    let status = desk.ok("app_status", json!({}));
    assert_eq!(status["setup_needed"], false);
    assert_eq!(status["signed_in"]["name"], "Eli Admin", "the first admin is signed in");
    assert_eq!(status["staff"][0]["role"], "admin");
}

#[test]
fn roles_are_enforced_in_rust() {
    let desk = Desk::seeded();
    // Nobody signed in.
    let e = desk.err("schedule", json!({ "date": "2026-07-06", "days": 1 }));
    assert_eq!(e["kind"], "unauthenticated");
    // The receptionist books and reads, but cannot touch staff, types or settings.
    desk.sign_in(2, "246802");
    let a = desk.ok("book", booking("2026-07-06T09:30"));
    assert_eq!(a["local_start"], "2026-07-06T09:30:00-04:00");
    let panel = desk.ok("appointment", json!({ "id": 1 }));
    assert_eq!(panel["next_statuses"], json!(["checked-in", "in-progress", "cancelled", "no-show"]));
    assert_eq!(
        panel["rights"],
        json!({ "reschedule": true, "cancel": true, "change_status": true, "start_meeting": false, "retry_meeting": true, "resend_mail": true })
    );
    assert_eq!(desk.ok("schedule", json!({ "date": "2026-07-06", "days": 1 }))["may_book"], true);
    for (cmd, args) in [
        (
            "add_staff",
            json!({ "staff": { "name": "Mallory", "role": "admin", "active": true, "pin": "000000" } }),
        ),
        (
            "update_staff",
            json!({ "id": 2, "staff": { "name": "Dana", "role": "admin", "active": true, "pin": null } }),
        ),
        ("list_all_staff", json!({})),
        ("add_type", json!({ "name": "X", "minutes": 10, "mode": "zoom" })),
        (
            "update_settings",
            json!({ "settings": { "name": "X", "tz": "UTC", "lock_minutes": 5, "locale": "en" } }),
        ),
    ] {
        let e = desk.err(cmd, args);
        assert_eq!(e["kind"], "forbidden", "{cmd}: {e}");
        assert!(e["message"].as_str().unwrap().contains("only admin"), "{e}");
    }
    // The doctor reads and runs their own visits, but does not book.
    desk.ok("sign_out", json!({}));
    desk.sign_in(3, "111111");
    assert_eq!(
        desk.ok("schedule", json!({ "date": "2026-07-06", "days": 1 }))["appointments"][0]["patient_name"],
        "Jane Doe"
    );
    assert_eq!(desk.err("book", booking("2026-07-06T11:00"))["kind"], "forbidden");
    // The window is offered only what the doctor may do: their own visit's status, no cancel,
    // no drag, no booking.
    let panel = desk.ok("appointment", json!({ "id": 1 }));
    assert_eq!(panel["next_statuses"], json!(["checked-in", "in-progress", "no-show"]));
    assert_eq!(
        panel["rights"],
        json!({ "reschedule": false, "cancel": false, "change_status": true, "start_meeting": true, "retry_meeting": true, "resend_mail": false })
    );
    assert_eq!(desk.ok("schedule", json!({ "date": "2026-07-06", "days": 1 }))["may_book"], false);
    assert_eq!(desk.ok("set_status", json!({ "id": 1, "status": "in-progress" }))["status"], "in-progress");
    // The admin does everything.
    desk.ok("sign_out", json!({}));
    desk.sign_in(1, "135790");
    assert_eq!(desk.ok("list_all_staff", json!({})).as_array().unwrap().len(), 3);
}

#[test]
fn the_audit_log_is_admin_only_and_filters_by_person_patient_and_date() {
    let desk = Desk::seeded();
    desk.sign_in(2, "246802");
    desk.ok("book", booking("2026-07-06T09:30"));
    let e = desk.err("audit_log", json!({ "staff": null, "patient": null, "from": null, "to": null }));
    assert_eq!(e["kind"], "forbidden", "{e}");
    desk.ok("sign_out", json!({}));
    desk.sign_in(1, "135790");
    let all = desk.ok("audit_log", json!({ "staff": null, "patient": null, "from": null, "to": null }));
    assert!(!all.as_array().unwrap().is_empty());
    let by_desk = desk.ok("audit_log", json!({ "staff": 2, "patient": 1, "from": null, "to": null }));
    let by_desk = by_desk.as_array().unwrap();
    assert!(!by_desk.is_empty(), "the receptionist's booking is logged");
    assert!(by_desk.iter().all(|e| e["actor"] == "staff:2" && e["patient_id"] == 1), "{by_desk:?}");
    assert_eq!(by_desk[0]["actor_name"], "Dana Desk");
    let future =
        desk.ok("audit_log", json!({ "staff": null, "patient": null, "from": "2199-01-01", "to": null }));
    assert_eq!(future, json!([]));
    let past =
        desk.ok("audit_log", json!({ "staff": null, "patient": null, "from": null, "to": "1901-01-01" }));
    assert_eq!(past, json!([]));
    let e = desk.err("audit_log", json!({ "staff": null, "patient": null, "from": "soon", "to": null }));
    assert_eq!(e["kind"], "validation", "{e}");
}

#[test]
fn the_reminder_time_is_an_admin_setting_from_1_to_240_minutes() {
    let desk = Desk::seeded();
    desk.sign_in(2, "246802");
    assert_eq!(desk.err("reminder_minutes", json!({}))["kind"], "forbidden");
    assert_eq!(desk.err("set_reminder_minutes", json!({ "minutes": 30 }))["kind"], "forbidden");
    desk.ok("sign_out", json!({}));
    desk.sign_in(1, "135790");
    assert_eq!(desk.ok("reminder_minutes", json!({})), 10);
    assert_eq!(desk.ok("set_reminder_minutes", json!({ "minutes": 30 })), 30);
    let e = desk.err("set_reminder_minutes", json!({ "minutes": 0 }));
    assert_eq!(e["kind"], "validation", "{e}");
    assert!(e["message"].as_str().unwrap().contains("1 to 240"), "{e}");
    assert_eq!(desk.ok("reminder_minutes", json!({})), 30);
}

#[test]
fn errors_have_a_kind_a_safe_message_and_a_field() {
    let desk = Desk::seeded();
    let e = desk.err("sign_in", json!({ "staffId": 2, "pin": "000000" }));
    assert_eq!(
        e,
        json!({ "kind": "unauthenticated", "message": "wrong PIN; 4 more tries before sign-in pauses for 5 minutes", "field": "pin" })
    );
    desk.sign_in(2, "246802");
    let gap = desk.err("book", booking("2026-03-08T02:30"));
    assert_eq!(gap["kind"], "validation");
    assert_eq!(gap["field"], "start");
    assert!(gap["message"].as_str().unwrap().contains("01:59 and 03:00"));
    desk.ok("book", booking("2026-07-06T09:30"));
    let clash = desk.err("book", booking("2026-07-06T09:45"));
    assert_eq!((clash["kind"].as_str(), clash["field"].as_str()), (Some("conflict"), Some("start")));
    // No patient detail in an error: the message names the appointment, not the patient.
    assert!(!clash["message"].as_str().unwrap().contains("Jane"));
    let missing = desk.err("appointment", json!({ "id": 99 }));
    assert_eq!(missing["kind"], "not_found");
    // A malformed argument is refused by the IPC layer before any code runs.
    assert!(desk.call("book", json!({ "input": { "patient_id": "one" } })).is_err());
}

/// A refusal of one input names that input in `field`, as the form knows it, and its message
/// reads beside it (it does not start with the field's name, and repeats nothing of a patient's).
#[test]
fn a_refused_input_names_its_field_as_data() {
    let desk = Desk::seeded();
    desk.sign_in(2, "246802"); // receptionist: adds patients
    let patient = |email: &str| json!({ "full_name": "Jo Park", "email": email, "phone": null, "date_of_birth": null, "note": null });
    let e = desk.err("add_patient", json!({ "patient": patient("jo.park@clinic") }));
    assert_eq!(
        e,
        json!({ "kind": "validation", "message": "not an e-mail address (expected name@example.com)", "field": "email" })
    );
    let e = desk.err("update_patient", json!({ "id": 1, "patient": patient("jane@") }));
    assert_eq!((&e["kind"], &e["field"]), (&json!("validation"), &json!("email")), "{e}");
    assert!(!e.to_string().contains("jane@") && !e.to_string().contains("Jane"), "{e}");

    desk.sign_in(1, "135790"); // admin: staff and provider settings
    let e = desk.err(
        "add_staff",
        json!({ "staff": { "name": "   ", "role": "doctor", "active": true, "pin": null } }),
    );
    assert_eq!(e, json!({ "kind": "validation", "message": "the name is empty", "field": "name" }));
    let e = desk.err(
        "update_staff",
        json!({ "id": 3, "staff": { "name": "Dr\u{7}Lee", "role": "doctor", "active": true, "pin": null } }),
    );
    assert_eq!((&e["kind"], &e["field"]), (&json!("validation"), &json!("name")), "{e}");

    let mut settings = desk.ok("provider_settings", json!({}));
    settings["zoom_api_base"] = json!("http://api.zoom.us/v2");
    let e = desk.err(
        "update_provider_settings",
        json!({ "settings": settings, "zoomClientSecret": null, "zoomS2sClientSecret": null }),
    );
    assert_eq!(
        e,
        json!({
            "kind": "validation",
            "message": "the address must start with https:// (http:// only for this computer)",
            "field": "zoom.api_base"
        })
    );
    assert_eq!(desk.ok("provider_settings", json!({}))["zoom_api_base"], "https://api.zoom.us/v2");
}

#[test]
fn the_window_may_call_only_the_commands_its_capability_grants() {
    let conf: Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tauri.conf.json")).unwrap(),
    )
    .unwrap();
    let granted: Vec<String> = conf["app"]["security"]["capabilities"][0]["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p.as_str()?.strip_prefix("allow-").map(|c| c.replace('-', "_")))
        .collect();
    let mut expected: Vec<String> = COMMAND_NAMES.iter().map(|c| (*c).to_owned()).collect();
    expected.sort();
    let mut granted_sorted = granted.clone();
    granted_sorted.sort();
    assert_eq!(granted_sorted, expected);
    // And the runtime enforces it: an unknown command is refused.
    let desk = Desk::new();
    assert!(desk.call("plugin:fs|read_file", json!({ "path": "/etc/passwd" })).is_err());
    assert!(desk.call("not_a_command", json!({})).is_err());
}

#[test]
fn typescript_bindings_are_generated_from_the_rust_types() {
    let committed = concat!(env!("CARGO_MANIFEST_DIR"), "/ui/src/bindings.ts");
    if std::env::var_os("UPDATE_BINDINGS").is_some() {
        frontdesk_app::export_bindings(std::path::Path::new(committed)).unwrap();
    }
    let fresh = tempfile::tempdir().unwrap().keep().join("bindings.ts");
    frontdesk_app::export_bindings(&fresh).unwrap();
    let want = std::fs::read_to_string(&fresh).unwrap();
    let have = std::fs::read_to_string(committed).unwrap_or_default();
    assert!(have == want, "ui/src/bindings.ts is stale: run scripts/bindings and commit the result");
    for name in COMMAND_NAMES {
        let camel: String = name
            .split('_')
            .enumerate()
            .map(|(i, w)| if i == 0 { w.to_owned() } else { w[..1].to_uppercase() + &w[1..] })
            .collect();
        assert!(want.contains(&format!("\t{camel}: (")), "{name} missing from the bindings");
    }
}

#[test]
fn the_desk_locks_after_the_configured_inactivity() {
    let clock = Arc::new(HandClock(AtomicI64::new(1_780_000_000)));
    let desk = Desk::with_clock(clock.clone());
    desk.ok(
        "first_run",
        json!({ "clinicName": "Maple Clinic", "tz": "UTC", "adminName": "Eli Admin", "pin": "135790" }),
    );
    desk.ok(
        "update_settings",
        json!({ "settings": { "name": "Maple Clinic", "tz": "UTC", "lock_minutes": 3, "locale": "en-CA" } }),
    );
    // A person's input (keys, clicks, reported by the window) keeps the session.
    clock.0.fetch_add(170, Ordering::SeqCst);
    desk.ok("still_here", json!({}));
    clock.0.fetch_add(170, Ordering::SeqCst);
    desk.ok("still_here", json!({}));
    // The window's background reads do not: every minute a read, and nobody at the desk.
    for _ in 0..3 {
        clock.0.fetch_add(60, Ordering::SeqCst);
        desk.ok("list_types", json!({}));
    }
    // Three minutes and more since the last input: locked, however busy the window was.
    clock.0.fetch_add(1, Ordering::SeqCst);
    let locked = desk.err("list_types", json!({}));
    assert_eq!(locked["kind"], "unauthenticated");
    assert!(locked["message"].as_str().unwrap().contains("locked"), "{locked}");
    assert_eq!(desk.ok("app_status", json!({}))["signed_in"], Value::Null);
    assert_eq!(desk.err("list_types", json!({}))["kind"], "unauthenticated");
    assert_eq!(desk.err("still_here", json!({}))["kind"], "unauthenticated", "input cannot reopen it");
    // Locking at once (the shortcut) is signing out.
    desk.sign_in(1, "135790");
    desk.ok("sign_out", json!({}));
    assert_eq!(desk.err("list_types", json!({}))["kind"], "unauthenticated");
}

/// A PIN shorter than 6 digits, set before the rule, still signs in, but the session refuses
/// every command but the PIN change until the person has chosen a new one.
#[test]
fn a_short_old_pin_signs_in_to_choosing_a_new_one_and_nothing_else() {
    let desk = Desk::seeded();
    desk.sql(&format!("UPDATE staff SET pin_hash = '{OLD_SHORT_PIN_HASH}' WHERE id = 2"));
    let signed_in = desk.ok("sign_in", json!({ "staffId": 2, "pin": "2468" }));
    assert_eq!(signed_in["must_change_pin"], true);
    assert_eq!(signed_in["staff"]["name"], "Dana Desk");
    assert_eq!(signed_in["security_notices"], json!([]));
    assert_eq!(desk.ok("app_status", json!({}))["must_change_pin"], true, "after a reload too");
    let first = json!({ "kind": "unauthenticated", "message": "choose a new PIN of at least 6 digits first", "field": "new_pin" });
    for (cmd, args) in [
        ("list_types", json!({})),
        ("schedule", json!({ "date": "2026-07-06", "days": 1 })),
        ("book", booking("2026-07-06T09:30")),
    ] {
        assert_eq!(desk.err(cmd, args), first, "{cmd}");
    }
    let short = desk.err("change_pin", json!({ "pin": "1357" }));
    assert_eq!((&short["kind"], &short["field"]), (&json!("validation"), &json!("pin")), "{short}");
    assert_eq!(desk.err("list_types", json!({})), first);

    let changed = desk.ok("change_pin", json!({ "pin": "864202" }));
    assert_eq!(changed["id"], 2);
    assert_eq!(desk.ok("app_status", json!({}))["must_change_pin"], false);
    desk.ok("list_types", json!({}));
    desk.ok("sign_out", json!({}));
    assert_eq!(desk.err("sign_in", json!({ "staffId": 2, "pin": "2468" }))["field"], "pin");
    assert_eq!(desk.ok("sign_in", json!({ "staffId": 2, "pin": "864202" }))["must_change_pin"], false);
    desk.ok("sign_out", json!({}));
    assert_eq!(desk.err("change_pin", json!({ "pin": "864202" }))["message"], "sign in first");
}

/// Three rounds of wrong PINs lock a person's sign-in; the admin's next sign-in tells of the
/// pauses and the lock, and the admin unlocks it from the staff screen.
#[test]
fn an_admin_is_told_of_a_lock_and_unlocks_it() {
    let clock = Arc::new(HandClock(AtomicI64::new(1_780_000_000)));
    let desk = Desk::seed(Desk::with_clock(clock.clone()));
    desk.sign_in(1, "135790");
    desk.ok("sign_out", json!({}));
    for _ in 0..3 {
        for _ in 0..5 {
            desk.err("sign_in", json!({ "staffId": 3, "pin": "999999" }));
        }
        clock.0.fetch_add(31 * 60, Ordering::SeqCst);
    }
    let locked = desk.err("sign_in", json!({ "staffId": 3, "pin": "111111" }));
    assert_eq!(
        locked,
        json!({
            "kind": "unauthenticated",
            "message": "sign-in for Dr Ada Lee is locked after too many wrong PINs; an admin can unlock it in Staff",
            "field": "pin"
        })
    );
    desk.sign_in(2, "246802");
    assert_eq!(desk.err("sign_in_holds", json!({}))["kind"], "forbidden");
    assert_eq!(desk.err("unlock_staff", json!({ "id": 3 }))["kind"], "forbidden");
    desk.ok("sign_out", json!({}));

    let admin = desk.ok("sign_in", json!({ "staffId": 1, "pin": "135790" }));
    let told = admin["security_notices"].as_array().unwrap();
    let events: Vec<_> = told.iter().map(|n| (n["event"].as_str().unwrap(), n["minutes"].as_i64())).collect();
    assert_eq!(events, [("paused", Some(5)), ("paused", Some(30)), ("locked", None)]);
    assert!(told.iter().all(|n| n["staff_name"] == "Dr Ada Lee" && n["staff_id"] == 3), "{told:?}");
    assert_eq!(told[2]["wrong_pins"], 15);
    assert_eq!(
        desk.ok("sign_in_holds", json!({})),
        json!([{ "staff_id": 3, "locked": true, "paused_until": null }])
    );
    assert_eq!(desk.ok("unlock_staff", json!({ "id": 3 }))["name"], "Dr Ada Lee");
    assert_eq!(desk.ok("sign_in_holds", json!({})), json!([]));
    desk.ok("sign_out", json!({}));
    desk.sign_in(3, "111111");
}

#[test]
fn provider_settings_are_admin_only_and_never_show_a_secret() {
    let desk = Desk::seeded();
    desk.sign_in(2, "246802"); // receptionist
    for (cmd, args) in [
        ("provider_settings", json!({})),
        ("disconnect_account", json!({ "doctorId": 3, "provider": "zoom" })),
        ("connect_server_to_server", json!({ "doctorId": 3, "zoomEmail": "dr.lee@clinic.example" })),
    ] {
        let e = desk.err(cmd, args);
        assert_eq!(e["kind"], "forbidden", "{cmd}: {e}");
    }
    // Anyone sees the connection states (and nothing else).
    assert_eq!(desk.ok("connections", json!({})), json!([]));

    desk.sign_in(1, "135790"); // admin
    let settings = desk.ok("provider_settings", json!({}));
    assert_eq!(settings["zoom_api_base"], "https://api.zoom.us/v2");
    assert_eq!(settings["microsoft_tenant"], "organizations");
    assert_eq!(settings["zoom_client_secret_set"], false);
    let mut changed = settings.clone();
    changed["zoom_client_id"] = json!("zoom-client-id");
    changed["zoom_api_base"] = json!("https://api.zoomgov.com/v2/");
    let saved = desk.ok(
        "update_provider_settings",
        json!({ "settings": changed, "zoomClientSecret": "very-secret-value", "zoomS2sClientSecret": null }),
    );
    assert_eq!(saved["zoom_client_id"], "zoom-client-id");
    assert_eq!(saved["zoom_api_base"], "https://api.zoomgov.com/v2");
    assert_eq!(saved["zoom_client_secret_set"], true);
    assert!(!saved.to_string().contains("very-secret-value"), "{saved}");
    // A bad value is refused with a message that names the setting; nothing is saved.
    let mut bad = saved.clone();
    bad["microsoft_tenant"] = json!("consumers");
    bad["zoom_client_id"] = json!("other-id");
    let e = desk.err(
        "update_provider_settings",
        json!({ "settings": bad, "zoomClientSecret": null, "zoomS2sClientSecret": null }),
    );
    assert_eq!(e["kind"], "validation");
    assert!(e["message"].as_str().unwrap().contains("personal Microsoft accounts"), "{e}");
    assert_eq!(e["field"], "microsoft.tenant");
    assert_eq!(desk.ok("provider_settings", json!({}))["zoom_client_id"], "zoom-client-id");

    // A doctor manages only their own connections.
    desk.sign_in(3, "111111");
    let e = desk.err("disconnect_account", json!({ "doctorId": 4, "provider": "zoom" }));
    assert_eq!(e["kind"], "forbidden", "{e}");
    let e = desk.err("disconnect_account", json!({ "doctorId": 3, "provider": "zoom" }));
    assert_eq!(e["kind"], "setup", "not connected yet: {e}");
}

/// Signs the admin in, adds a second doctor (Dr Ben Roy, id 4, PIN 2222) and signs out.
fn add_second_doctor(desk: &Desk) {
    desk.sign_in(1, "135790");
    desk.ok(
        "add_staff",
        json!({ "staff": { "name": "Dr Ben Roy", "role": "doctor", "active": true, "pin": "222222" } }),
    );
    desk.ok("sign_out", json!({}));
}

#[test]
fn only_the_assigned_doctor_or_an_admin_starts_a_meeting() {
    let desk = Desk::seeded();
    add_second_doctor(&desk);
    desk.sign_in(2, "246802"); // receptionist
    let booked = desk.ok("book", booking("2026-07-06T09:30"));
    // A Consult is a Zoom visit: its meeting is queued with the booking.
    let meeting = &booked["meeting"];
    assert_eq!(
        (&meeting["provider"], &meeting["state"], &meeting["waiting"]),
        (&json!("zoom"), &json!("pending"), &json!("queued"))
    );
    let id = json!({ "appointmentId": 1 });
    let e = desk.err("start_meeting", id.clone());
    assert_eq!(e["kind"], "forbidden", "{e}");
    // Anyone may join a ready meeting; this one is not ready yet, and only a failed one is retried.
    assert_eq!(desk.err("join_meeting", id.clone())["kind"], "conflict");
    assert_eq!(desk.err("retry_meeting", id.clone())["kind"], "conflict");

    desk.sign_in(4, "222222"); // another doctor
    for cmd in ["start_meeting", "retry_meeting"] {
        let e = desk.err(cmd, id.clone());
        assert_eq!(e["kind"], "forbidden", "{cmd}: {e}");
    }
    desk.sign_in(3, "111111"); // the assigned doctor: allowed, but there is nothing to start yet
    let e = desk.err("start_meeting", id.clone());
    assert_eq!(e["kind"], "conflict", "{e}");
    assert!(e["message"].as_str().unwrap().contains("pending"), "{e}");
    desk.sign_in(1, "135790"); // an admin
    assert_eq!(desk.err("start_meeting", id)["kind"], "conflict");
    // An in-person visit has no meeting at all.
    desk.ok("add_type", json!({ "name": "Check-up", "minutes": 15, "mode": "in-person" }));
    let mut visit = booking("2026-07-06T11:00");
    visit["input"]["type_id"] = json!(2);
    let visit = desk.ok("book", visit);
    assert_eq!(visit["meeting"], Value::Null);
    assert_eq!(desk.err("join_meeting", json!({ "appointmentId": visit["id"] }))["kind"], "not_found");
}

/// The host's start link as the stand-in Zoom answers it: it must reach the system browser only.
const HOST_LINK: &str = "https://zoom.us/s/85746065432?zak=HOST-ONLY-SECRET";
const JOIN_LINK: &str = "https://zoom.us/j/85746065432?pwd=patient";

#[test]
fn the_worker_makes_the_meeting_and_the_host_link_never_reaches_the_window() {
    use frontdesk_core::store::ConnectionKind;
    use frontdesk_core::{Actor, AppointmentId, Provider, StaffId};
    use frontdesk_settings::{secrets, Secret, SecretStore};
    use tauri::{Listener, Manager};
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    // A stand-in for Zoom's API: a create answers the meeting, a read its (fresh) start link.
    let meeting = json!({ "id": 85_746_065_432_i64, "join_url": JOIN_LINK, "start_url": HOST_LINK });
    let zoom = tauri::async_runtime::block_on(async {
        let zoom = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/users/me/meetings"))
            .respond_with(ResponseTemplate::new(201).set_body_json(&meeting))
            .mount(&zoom)
            .await;
        Mock::given(method("GET"))
            .and(path("/meetings/85746065432"))
            .respond_with(ResponseTemplate::new(200).set_body_json(&meeting))
            .mount(&zoom)
            .await;
        zoom
    });
    let opened = Arc::new(Mutex::new(Vec::<String>::new()));
    let browser: OpenUrl = {
        let opened = opened.clone();
        Arc::new(move |url: &str| {
            opened.lock().unwrap().push(url.to_owned());
            Ok(())
        })
    };
    let keyring = Arc::new(frontdesk_settings::MemorySecrets::default());
    let desk = Desk::seed(Desk::build(Arc::new(SystemClock), keyring.clone(), browser));
    add_second_doctor(&desk);

    // Dr Ada Lee's Zoom account is connected (as after the wizard), against the stand-in.
    let state = desk.app.state::<AppState>();
    let store = state.store.as_ref().unwrap().clone();
    let accounts = state.accounts.as_ref().unwrap().clone();
    tauri::async_runtime::block_on(async {
        let it = Actor::Tool { tool: "test", user: "it".into() };
        for (key, value) in [(Setting::ZoomApiBase, zoom.uri()), (Setting::ZoomClientId, "zoom-app".into())] {
            accounts.settings().config_set(&it, key, Some(&value)).await.unwrap();
        }
        let uid = store.clinic_uid().await.unwrap();
        let tokens = json!({ "access_token": "access", "refresh_token": "refresh", "expires_at": chrono::Utc::now().timestamp() + 3600 });
        keyring
            .set(&secrets::token_name(&uid, StaffId(3), Provider::Zoom), &Secret::new(tokens.to_string()))
            .unwrap();
        store
            .record_connected(&it, StaffId(3), Provider::Zoom, ConnectionKind::User, "dr.lee@clinic.example")
            .await
            .unwrap();
    });
    let changed = Arc::new(Mutex::new(Vec::<String>::new()));
    {
        let changed = changed.clone();
        desk.app.listen_any("meeting-changed", move |event| {
            changed.lock().unwrap().push(event.payload().to_owned())
        });
    }
    assert!(frontdesk_app::start_outbox(desk.app.handle()), "the worker starts when asked");
    assert!(!frontdesk_app::start_outbox(desk.app.handle()), "and only once");

    // The booking wakes the worker, which makes the meeting and tells the window.
    desk.sign_in(2, "246802");
    desk.ok("book", booking("2026-07-06T09:30"));
    let deadline = Instant::now() + Duration::from_secs(20);
    let ready = loop {
        let shown = desk.ok("appointment", json!({ "id": 1 }));
        if shown["meeting"]["state"] == "ready" || Instant::now() > deadline {
            break shown;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(ready["meeting"]["state"], "ready", "{ready}");
    assert_eq!(ready["meeting"]["join_url"], JOIN_LINK);
    while changed.lock().unwrap().is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(changed.lock().unwrap().first().map(String::as_str), Some(r#"{"appointment_id":1}"#));

    // Anyone joins as the patient would; only the doctor or an admin starts as the host.
    assert_eq!(desk.ok("join_meeting", json!({ "appointmentId": 1 })), Value::Null);
    assert_eq!(desk.err("start_meeting", json!({ "appointmentId": 1 }))["kind"], "forbidden");
    desk.sign_in(4, "222222");
    assert_eq!(desk.err("start_meeting", json!({ "appointmentId": 1 }))["kind"], "forbidden");
    desk.sign_in(3, "111111");
    assert_eq!(desk.ok("start_meeting", json!({ "appointmentId": 1 })), Value::Null);
    desk.sign_in(1, "135790");
    assert_eq!(desk.ok("start_meeting", json!({ "appointmentId": 1 })), Value::Null);
    assert_eq!(*opened.lock().unwrap(), [JOIN_LINK, HOST_LINK, HOST_LINK], "opened outside the app");

    // Each use is audited, without the link.
    let audit = tauri::async_runtime::block_on(store.audit_log(&Default::default())).unwrap();
    let uses: Vec<_> = audit.iter().filter(|e| e.action.as_str() == "host_link_opened").collect();
    assert_eq!(uses.len(), 2);
    assert_eq!((uses[0].actor.as_str(), uses[1].actor.as_str()), ("staff:3", "staff:1"));
    assert_eq!(uses[0].doctor_id, Some(StaffId(3)));
    assert_eq!(uses[0].detail, json!({ "appointment_id": 1, "provider": "zoom" }));
    let joins: Vec<_> = audit.iter().filter(|e| e.action.as_str() == "join_opened").collect();
    assert_eq!(joins.len(), 1, "Join is audited too");
    assert_eq!(
        (joins[0].appointment_id, &joins[0].detail),
        (Some(AppointmentId(1)), &json!({ "provider": "zoom" }))
    );
    assert!(
        audit.iter().all(|e| !e.detail.to_string().contains("zak=") && !e.detail.to_string().contains("/j/")),
        "{audit:?}"
    );

    // No answer the window received holds a host link.
    let answers = desk.answers.lock().unwrap();
    assert!(answers.iter().any(|a| a.contains(JOIN_LINK)), "the join link is shown");
    for answer in answers.iter() {
        for host in ["start_url", "/s/", "zak=", "HOST-ONLY-SECRET"] {
            assert!(!answer.contains(host), "an IPC answer holds a host link: {answer}");
        }
    }
}

#[test]
fn the_signed_in_doctor_gets_each_due_reminder_once_with_initials_only() {
    // 2031-05-05 10:00 in Toronto is 14:00 UTC; the reminder is due from 13:50.
    let clock = Arc::new(HandClock(AtomicI64::new(
        chrono::DateTime::parse_from_rfc3339("2031-05-05T12:00:00Z").unwrap().timestamp(),
    )));
    let desk = Desk::seed(Desk::with_clock(clock.clone()));
    desk.sign_in(1, "135790");
    desk.ok("book", booking("2031-05-05T10:00"));
    desk.ok("sign_out", json!({}));
    clock.0.store(
        chrono::DateTime::parse_from_rfc3339("2031-05-05T13:50:00Z").unwrap().timestamp(),
        Ordering::SeqCst,
    );
    desk.sign_in(3, "111111");
    let shown: Arc<Mutex<Vec<String>>> = Arc::default();
    let recorder = shown.clone();
    frontdesk_app::reminders::start_reminders(
        desk.app.handle(),
        Arc::new(move |r: &frontdesk_core::store::Reminder| recorder.lock().unwrap().push(r.text.clone())),
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    while shown.lock().unwrap().is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(*shown.lock().unwrap(), ["Telehealth with J.D. in 10 min"]);
}

/// On a locked desk a reminder still comes to the person who was signed in, but says only that
/// something is due: no initials, time or Join for whoever passes the screen.
#[test]
fn a_reminder_on_a_locked_desk_names_nothing() {
    let at = |t: &str| chrono::DateTime::parse_from_rfc3339(t).unwrap().timestamp();
    let clock = Arc::new(HandClock(AtomicI64::new(at("2031-05-05T12:00:00Z"))));
    let desk = Desk::seed(Desk::with_clock(clock.clone()));
    desk.sign_in(1, "135790");
    desk.ok("book", booking("2031-05-05T10:00"));
    desk.ok("sign_out", json!({}));
    desk.sign_in(3, "111111");
    type Shown = Vec<(String, Option<String>)>;
    let shown: Arc<Mutex<Shown>> = Arc::default();
    let recorder = shown.clone();
    frontdesk_app::reminders::start_reminders(
        desk.app.handle(),
        Arc::new(move |r: &frontdesk_core::store::Reminder| {
            recorder.lock().unwrap().push((r.text.clone(), r.join_url.clone()));
        }),
    );
    // The loop has seen who uses the desk; then it locks, and the visit comes due.
    std::thread::sleep(Duration::from_millis(500));
    desk.ok("sign_out", json!({}));
    clock.0.store(at("2031-05-05T13:50:00Z"), Ordering::SeqCst);
    let deadline = Instant::now() + Duration::from_secs(25);
    while shown.lock().unwrap().is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(*shown.lock().unwrap(), [(frontdesk_app::reminders::LOCKED_TEXT.to_owned(), None)]);
}

#[test]
fn every_admin_change_leaves_one_audit_row_naming_the_admin_and_never_a_pin() {
    use tauri::Manager;
    let desk = Desk::seeded();
    let state = desk.app.state::<AppState>();
    let store = state.store.as_ref().unwrap().clone();
    // The seeding (two staff, a type) is audited too; count from here.
    let seeded = tauri::async_runtime::block_on(store.audit_log(&Default::default())).unwrap().len();
    desk.sign_in(1, "135790");
    desk.ok("update_settings", json!({ "settings": { "name": "Maple Clinic", "tz": "America/Toronto", "lock_minutes": 5, "locale": "en-CA" } }));
    desk.ok("set_reminder_minutes", json!({ "minutes": 15 }));
    desk.ok("add_type", json!({ "name": "Follow-up", "minutes": 15, "mode": "teams" }));
    desk.ok("update_type", json!({ "id": 2, "name": "Follow-up call", "minutes": 20, "mode": "teams" }));
    desk.ok(
        "add_staff",
        json!({ "staff": { "name": "Dr Cy Novak", "role": "doctor", "active": true, "pin": "975310" } }),
    );
    desk.ok("update_staff", json!({ "id": 4, "staff": { "name": "Dr Cy Novak", "role": "doctor", "active": false, "pin": null } }));
    // A refused change leaves no row.
    desk.err("set_reminder_minutes", json!({ "minutes": 0 }));
    let log = tauri::async_runtime::block_on(store.audit_log(&Default::default())).unwrap();
    let mine: Vec<&str> =
        log[seeded..].iter().filter(|e| e.actor == "staff:1").map(|e| e.action.as_str()).collect();
    assert_eq!(
        mine,
        [
            "signed_in",
            "settings_changed",
            "settings_changed",
            "type_added",
            "type_changed",
            "staff_added",
            "staff_changed"
        ]
    );
    let text = serde_json::to_string(&log).unwrap();
    assert!(!text.contains("975310") && !text.contains("135790"), "no PIN in the log: {text}");
}

/// Opening an appointment's panel or a patient's form, and printing the day sheet, are recorded
/// by the member of staff who did it, with ids and counts only; a panel read again at once is
/// not recorded again.
#[test]
fn opening_a_visit_or_a_patient_and_printing_the_day_are_audited_by_who_did_it() {
    use tauri::Manager;
    let desk = Desk::seeded();
    let store = desk.app.state::<AppState>().store.as_ref().unwrap().clone();
    let log = |action: &str| -> Vec<Value> {
        let all = tauri::async_runtime::block_on(store.audit_log(&Default::default())).unwrap();
        serde_json::to_value(all)
            .unwrap()
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["action"] == action)
            .cloned()
            .collect()
    };
    desk.sign_in(2, "246802"); // receptionist
    desk.ok("book", booking("2026-07-06T09:30"));
    assert!(log("appointment_viewed").is_empty(), "booking is not a view");
    let panel = desk.ok("appointment", json!({ "id": 1 }));
    assert_eq!(panel["patient_id"], 1);
    desk.ok("appointment", json!({ "id": 1 }));
    let viewed = log("appointment_viewed");
    assert_eq!(viewed.len(), 1, "{viewed:?}");
    assert_eq!(
        (
            &viewed[0]["actor"],
            &viewed[0]["actor_name"],
            &viewed[0]["patient_id"],
            &viewed[0]["appointment_id"]
        ),
        (&json!("staff:2"), &json!("Dana Desk"), &json!(1), &json!(1))
    );
    assert_eq!(viewed[0]["detail"], json!({}));
    assert_eq!(desk.err("appointment", json!({ "id": 99 }))["kind"], "not_found");

    // The doctor opening the same visit is a row of their own.
    desk.sign_in(3, "111111");
    desk.ok("appointment", json!({ "id": 1 }));
    let by: Vec<Value> = log("appointment_viewed").iter().map(|e| e["actor"].clone()).collect();
    assert_eq!(by, [json!("staff:2"), json!("staff:3")]);

    desk.sign_in(2, "246802");
    assert_eq!(desk.ok("patient", json!({ "id": 1 }))["full_name"], "Jane Doe");
    let patient = log("patient_viewed");
    assert_eq!((&patient[0]["actor"], &patient[0]["patient_id"]), (&json!("staff:2"), &json!(1)));
    desk.ok("day_sheet_printed", json!({ "date": "2026-07-06", "doctorId": null }));
    let printed = log("day_sheet_printed");
    assert_eq!(printed[0]["actor"], "staff:2");
    assert_eq!(printed[0]["detail"], json!({ "date": "2026-07-06", "doctor_id": null, "appointments": 1 }));
    assert_eq!(
        desk.err("day_sheet_printed", json!({ "date": "soon", "doctorId": null }))["kind"],
        "validation"
    );

    // Nobody signed in opens nothing, and nothing is recorded for them.
    desk.ok("sign_out", json!({}));
    assert_eq!(desk.err("appointment", json!({ "id": 1 }))["kind"], "unauthenticated");
    assert_eq!(desk.err("patient", json!({ "id": 1 }))["kind"], "unauthenticated");
    assert_eq!(log("appointment_viewed").len(), 2);
    // The rows hold ids and states only; the admin's screen reads the names beside them.
    let all =
        serde_json::to_string(&tauri::async_runtime::block_on(store.audit_log(&Default::default())).unwrap())
            .unwrap();
    assert!(!all.contains("Jane"), "{all}");
    let named = frontdesk_core::store::AuditFilter { with_names: true, ..Default::default() };
    let rows = tauri::async_runtime::block_on(store.audit_log(&named)).unwrap();
    assert!(rows.iter().any(|r| r.patient_name.as_deref() == Some("Jane Doe")));
}

#[test]
fn under_the_minimum_necessary_a_doctors_window_gets_other_doctors_patients_only_as_busy_time() {
    let desk = Desk::seeded();
    add_second_doctor(&desk); // Dr Ben Roy, 4
    desk.sign_in(1, "135790");
    desk.ok("add_patient", json!({ "patient": { "full_name": "Tom Nguyen", "email": null, "phone": null, "date_of_birth": null, "note": null } }));
    let settings = json!({ "name": "Maple Clinic", "tz": "America/Toronto", "lock_minutes": 10, "locale": "en-CA", "own_patients_only": true });
    assert_eq!(desk.ok("update_settings", json!({ "settings": settings }))["own_patients_only"], true);
    desk.sign_in(2, "246802");
    desk.ok("book", booking("2026-07-06T09:30"));
    let mut toms = booking("2026-07-06T10:00");
    toms["input"]["patient_id"] = json!(2);
    toms["input"]["doctor_id"] = json!(4);
    desk.ok("book", toms);
    let desk_sees = desk.ok("schedule", json!({ "date": "2026-07-06", "days": 1 }));
    assert_eq!(
        (desk_sees["appointments"].as_array().unwrap().len(), desk_sees["busy"].as_array().unwrap().len()),
        (2, 0)
    );

    desk.sign_in(3, "111111"); // Dr Ada Lee
    let first = desk.answers.lock().unwrap().len();
    let day = desk.ok("schedule", json!({ "date": "2026-07-06", "days": 1 }));
    assert_eq!(day["appointments"].as_array().unwrap().len(), 1);
    assert_eq!(day["appointments"][0]["patient_name"], "Jane Doe");
    assert_eq!(
        day["busy"],
        json!([{ "doctor_id": 4, "start": "2026-07-06T14:00:00Z", "end": "2026-07-06T14:30:00Z",
                 "local_start": "2026-07-06T10:00:00-04:00", "local_end": "2026-07-06T10:30:00-04:00" }])
    );
    for (cmd, args) in [
        ("appointment", json!({ "id": 2 })),
        ("patient", json!({ "id": 2 })),
        ("mail_status", json!({ "appointmentId": 2 })),
        ("join_meeting", json!({ "appointmentId": 2 })),
    ] {
        let e = desk.err(cmd, args);
        assert_eq!(e["kind"], "forbidden", "{cmd}: {e}");
        assert!(e["message"].as_str().unwrap().contains("only their own patients"), "{cmd}: {e}");
    }
    assert_eq!(desk.ok("find_patients", json!({ "text": "Nguyen" })), json!([]));
    assert_eq!(desk.ok("appointment", json!({ "id": 1 }))["patient_id"], 1);
    let answers = desk.answers.lock().unwrap()[first..].join("\n");
    assert!(!answers.contains("Tom"), "{answers}");
}

/// The sign-in screen sends the PIN as it is typed, so that its check is under way before Enter:
/// the command answers nothing for a right, wrong or partial PIN, signs nobody in, and the
/// sign-in that follows signs in or refuses (and counts) as always.
#[test]
fn the_pin_as_typed_answers_nothing_and_the_sign_in_then_counts_as_always() {
    let desk = Desk::seeded();
    for typed in ["2", "24680", "246802", "999999", "24680x", "246802"] {
        assert_eq!(desk.ok("pin_typed", json!({ "staffId": 2, "pin": typed })), Value::Null, "{typed}");
    }
    assert_eq!(desk.ok("pin_typed", json!({ "staffId": 99, "pin": "246802" })), Value::Null);
    assert!(desk.ok("app_status", json!({}))["signed_in"].is_null());
    assert_eq!(desk.err("schedule", json!({ "date": null, "days": 1 }))["kind"], "unauthenticated");
    desk.ok("pin_typed", json!({ "staffId": 2, "pin": "246802" }));
    let wrong = desk.err("sign_in", json!({ "staffId": 2, "pin": "999999" }));
    assert!(wrong["message"].as_str().unwrap().contains("4 more tries"), "{wrong}");
    desk.ok("pin_typed", json!({ "staffId": 2, "pin": "246802" }));
    assert_eq!(desk.ok("sign_in", json!({ "staffId": 2, "pin": "246802" }))["staff"]["name"], "Dana Desk");
}

/// The sign-in's answer carries today's day view, read while the PIN was checked, as the person
/// may see it (the desk opens on it without asking again); a wrong PIN answers nothing of it, and
/// neither does a PIN that must be changed first.
#[test]
fn the_sign_in_answers_with_todays_day_as_the_person_may_see_it() {
    let desk = Desk::seeded();
    add_second_doctor(&desk); // Dr Ben Roy, 4
    desk.sign_in(1, "135790");
    desk.ok("add_patient", json!({ "patient": { "full_name": "Tom Nguyen", "email": null, "phone": null, "date_of_birth": null, "note": null } }));
    let settings = json!({ "name": "Maple Clinic", "tz": "America/Toronto", "lock_minutes": 10, "locale": "en-CA", "own_patients_only": true });
    desk.ok("update_settings", json!({ "settings": settings }));
    // Today in the clinic's zone, as the calendar reads it when no date is given.
    let today =
        || desk.ok("schedule", json!({ "date": null, "days": 1 }))["date"].as_str().unwrap().to_owned();
    let day = today();
    desk.ok("book", booking(&format!("{day}T09:30")));
    let mut toms = booking(&format!("{day}T10:00"));
    toms["input"]["patient_id"] = json!(2);
    toms["input"]["doctor_id"] = json!(4);
    desk.ok("book", toms);
    desk.ok("sign_out", json!({}));
    // Past midnight in Toronto meanwhile: the desk opens on the new day, which has no visits.
    let names = |answer: &Value| -> Vec<String> {
        answer["today"]["sheet"]["appointments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["patient_name"].as_str().unwrap().to_owned())
            .collect()
    };

    let dana = desk.ok("sign_in", json!({ "staffId": 2, "pin": "246802" }));
    assert_eq!(dana["staff"]["name"], "Dana Desk");
    if dana["today"]["sheet"]["date"] != json!(today()) || day != today() {
        return;
    }
    assert_eq!(names(&dana), ["Jane Doe", "Tom Nguyen"]);
    assert_eq!(dana["today"]["sheet"]["days"], 1);
    assert!(dana["today"]["hours"]["doctors"].is_array(), "{}", dana["today"]["hours"]);

    // A doctor under the minimum necessary: their own patients, the other doctor's visit as busy time.
    let ada = desk.ok("sign_in", json!({ "staffId": 3, "pin": "111111" }));
    assert_eq!(names(&ada), ["Jane Doe"]);
    assert_eq!(ada["today"]["sheet"]["busy"].as_array().unwrap().len(), 1);
    assert!(!ada.to_string().contains("Tom"), "{ada}");

    desk.ok("sign_out", json!({}));
    let wrong = desk.err("sign_in", json!({ "staffId": 2, "pin": "000000" }));
    assert!(!wrong.to_string().contains("Jane"), "{wrong}");
    assert!(wrong.get("today").is_none(), "{wrong}");

    desk.sql(&format!("UPDATE staff SET pin_hash = '{OLD_SHORT_PIN_HASH}' WHERE id = 2"));
    let short = desk.ok("sign_in", json!({ "staffId": 2, "pin": "2468" }));
    assert_eq!(short["must_change_pin"], true);
    assert!(short["today"].is_null(), "{short}");
}

/// Find (`/`): the desk's one search answers patients with their next and last visit, and a
/// patient's record lists their visits (audited as opening the record), as the signed-in person
/// may see them.
#[test]
fn the_search_finds_patients_with_their_visits_and_the_record_lists_them() {
    use tauri::Manager;
    let clock = Arc::new(HandClock::at(
        chrono::DateTime::parse_from_rfc3339("2026-07-06T12:00:00Z").unwrap().to_utc(),
    ));
    let desk = Desk::seed(Desk::with_clock(clock));
    add_second_doctor(&desk); // Dr Ben Roy, 4
    desk.sign_in(2, "246802");
    desk.ok("book", booking("2026-07-01T09:30"));
    desk.ok("book", booking("2026-07-06T09:30"));

    let found = desk.ok("find", json!({ "text": "jane" }));
    assert_eq!(found["more"], false);
    let jane = &found["patients"][0];
    assert_eq!(jane["full_name"], "Jane Doe");
    assert_eq!(
        (
            &jane["next"]["id"],
            &jane["next"]["local_start"],
            &jane["next"]["doctor_name"],
            &jane["next"]["type_name"]
        ),
        (&json!(2), &json!("2026-07-06T09:30:00-04:00"), &json!("Dr Ada Lee"), &json!("Consult"))
    );
    assert_eq!((&jane["last"]["id"], &jane["last"]["status"]), (&json!(1), &json!("booked")));
    assert_eq!(desk.err("find", json!({ "text": " " }))["field"], "text");

    let store = desk.app.state::<AppState>().store.as_ref().unwrap().clone();
    let views = || {
        let all = tauri::async_runtime::block_on(store.audit_log(&Default::default())).unwrap();
        all.iter().filter(|e| e.action.as_str() == "patient_viewed").count()
    };
    assert_eq!(views(), 0, "a search is not a view of one patient");
    let visits = desk.ok("patient_visits", json!({ "id": 1 }));
    assert_eq!((&visits["upcoming"][0]["id"], &visits["past"][0]["id"]), (&json!(2), &json!(1)));
    desk.ok("patient", json!({ "id": 1 }));
    assert_eq!(views(), 1, "the record and its visits, opened together");
    assert_eq!(desk.err("patient_visits", json!({ "id": 99 }))["kind"], "not_found");

    // Under the minimum-necessary setting Dr Ben Roy finds no patient of Dr Ada Lee's.
    desk.sign_in(1, "135790");
    let settings = json!({ "name": "Maple Clinic", "tz": "America/Toronto", "lock_minutes": 10, "locale": "en-CA", "own_patients_only": true });
    desk.ok("update_settings", json!({ "settings": settings }));
    desk.sign_in(4, "222222");
    assert_eq!(desk.ok("find", json!({ "text": "jane" })), json!({ "patients": [], "more": false }));
    assert_eq!(desk.err("patient_visits", json!({ "id": 1 }))["kind"], "forbidden");
    desk.sign_in(3, "111111");
    assert_eq!(desk.ok("find", json!({ "text": "jane" }))["patients"][0]["next"]["id"], 2);

    desk.ok("sign_out", json!({}));
    assert_eq!(desk.err("find", json!({ "text": "jane" }))["kind"], "unauthenticated");
    assert_eq!(desk.err("patient_visits", json!({ "id": 1 }))["kind"], "unauthenticated");
}

#[test]
fn the_window_reads_each_doctors_working_time_over_the_shown_days() {
    use frontdesk_core::hours::{self, Day, WeekHours};
    use tauri::Manager;
    let desk = Desk::seeded();
    desk.sign_in(2, "246802");
    let none = desk.ok("working_time", json!({ "date": "2026-07-06", "days": 1 }));
    assert_eq!(none["doctors"][0]["restricted"], false, "no hours entered: not restricted");
    let store = desk.app.state::<AppState>().store.as_ref().unwrap().clone();
    let monday = hours::parse_day("mon", "09:00-12:00,13:00-17:00").unwrap();
    let week = WeekHours::new([(Day::Mon, monday)]).unwrap();
    let admin = frontdesk_core::Actor::Tool { tool: "test", user: "it".into() };
    let from = chrono::NaiveDate::from_ymd_opt(2026, 7, 1).unwrap();
    tauri::async_runtime::block_on(store.set_doctor_hours(&admin, frontdesk_core::StaffId(3), from, &week))
        .unwrap();
    let time = desk.ok("working_time", json!({ "date": "2026-07-06", "days": 1 }));
    assert_eq!(time["doctors"][0]["doctor_id"], 3);
    assert_eq!(time["doctors"][0]["restricted"], true);
    assert_eq!(
        time["doctors"][0]["working"],
        json!([{ "start": "2026-07-06T13:00:00Z", "end": "2026-07-06T16:00:00Z" }, { "start": "2026-07-06T17:00:00Z", "end": "2026-07-06T21:00:00Z" }])
    );
    desk.ok("sign_out", json!({}));
    assert_eq!(
        desk.err("working_time", json!({ "date": "2026-07-06", "days": 1 }))["kind"],
        "unauthenticated"
    );
}

#[test]
fn an_admin_enters_the_clinics_and_a_doctors_hours_and_the_exceptions_in_the_window() {
    let desk = Desk::seeded();
    let week = |mon: &str, tue: &str| json!([{ "day": "mon", "text": mon }, { "day": "tue", "text": tue }]);
    desk.sign_in(2, "246802");
    let refused = desk.err(
        "set_doctor_hours",
        json!({ "doctorId": 3, "from": "2026-07-01", "week": week("09:00-17:00", "") }),
    );
    assert_eq!(refused["kind"], "forbidden", "only admins enter hours");
    assert_eq!(desk.ok("hours", json!({}))["clinic"], Value::Null, "reading them is anyone's");
    desk.ok("sign_out", json!({}));

    desk.sign_in(1, "135790");
    assert_eq!(desk.ok("hours", json!({})), json!({ "clinic": null, "doctors": [], "exceptions": [] }));
    let clinic = desk.ok("set_clinic_hours", json!({ "week": week("08:00-18:00", "08:00-18:00") }));
    assert_eq!(
        clinic["clinic"]["days"][0],
        json!({ "day": "mon", "blocks": [{ "start_minute": 480, "end_minute": 1080 }] })
    );
    let set = desk.ok(
        "set_doctor_hours",
        json!({ "doctorId": 3, "from": "2026-07-01", "week": week("09:00-12:00, 13:00-17:00", " ") }),
    );
    assert_eq!(set["doctors"][0]["effective_from"], "2026-07-01");
    assert_eq!(set["doctors"][0]["week"]["days"][0]["blocks"].as_array().map(Vec::len), Some(2));

    // Each refusal names the field the form shows it beside, in words for the desk.
    let overlap = desk.err(
        "set_doctor_hours",
        json!({ "doctorId": 3, "from": "2026-07-01", "week": week("09:00-12:00", "09:00-12:00,11:00-13:00") }),
    );
    assert_eq!((overlap["kind"].as_str(), overlap["field"].as_str()), (Some("validation"), Some("tue")));
    assert_eq!(overlap["message"], "on Tuesday, 09:00-12:00 and 11:00-13:00 overlap; give each time once");
    let backwards = desk.err("set_clinic_hours", json!({ "week": week("17:00-09:00", "") }));
    assert_eq!(backwards["field"], "mon");
    assert!(backwards["message"].as_str().unwrap().contains("the end is before the start"), "{backwards}");
    let unknown = desk.err(
        "set_doctor_hours",
        json!({ "doctorId": 99, "from": "2026-07-01", "week": week("09:00-12:00", "") }),
    );
    assert_eq!((unknown["kind"].as_str(), unknown["field"].as_str()), (Some("not_found"), Some("doctor")));
    assert_eq!(
        desk.err("set_doctor_hours", json!({ "doctorId": 3, "from": "", "week": week("", "") }))["field"],
        "from"
    );

    let off = json!({ "doctor_id": 3, "kind": "off", "date": "2026-07-06", "to": "2026-07-07", "hours": null, "label": "Conference" });
    let day_off = desk.ok("add_hours_exception", json!({ "exception": off }));
    assert_eq!(
        (day_off["first_day"].as_str(), day_off["last_day"].as_str()),
        (Some("2026-07-06"), Some("2026-07-07"))
    );
    let holiday = json!({ "doctor_id": null, "kind": "off", "date": "2026-07-01", "to": "", "hours": null, "label": "Canada Day" });
    desk.ok("add_hours_exception", json!({ "exception": holiday }));
    // 02:30 does not exist in Toronto on 8 March 2026 (the clocks jump from 02:00 to 03:00).
    let gap = json!({ "doctor_id": 3, "kind": "extra", "date": "2026-03-08", "to": null, "hours": "02:30-04:00", "label": null });
    let gap = desk.err("add_hours_exception", json!({ "exception": gap }));
    assert_eq!((gap["kind"].as_str(), gap["field"].as_str()), (Some("validation"), Some("start")), "{gap}");
    let unknown = json!({ "doctor_id": 99, "kind": "off", "date": "2026-07-09", "to": null, "hours": null, "label": null });
    assert_eq!(desk.err("add_hours_exception", json!({ "exception": unknown }))["field"], "doctor");
    let malformed = json!({ "doctor_id": 3, "kind": "extra", "date": "2026-07-11", "to": null, "hours": "9-12", "label": null });
    assert_eq!(desk.err("add_hours_exception", json!({ "exception": malformed }))["field"], "hours");

    let time = desk.ok("working_time", json!({ "date": "2026-07-06", "days": 1 }));
    assert_eq!(time["doctors"][0]["days_off"], json!([{ "date": "2026-07-06", "label": "Conference" }]));
    let entered = desk.ok("hours", json!({}));
    assert_eq!(entered["exceptions"].as_array().map(Vec::len), Some(2));
    let id = day_off["id"].as_i64().unwrap();
    assert_eq!(desk.ok("remove_hours_exception", json!({ "id": id }))["id"], id);
    let removed = desk.ok("remove_doctor_hours", json!({ "doctorId": 3, "from": "2026-07-01" }));
    assert_eq!(removed["doctors"], json!([]));
    assert_eq!(desk.ok("clear_clinic_hours", json!({}))["clinic"], Value::Null);
    let audited: Vec<String> = desk
        .ok("audit_log", json!({ "staff": null, "patient": null, "from": null, "to": null }))
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["action"].as_str().filter(|a| a.contains("hours")).map(str::to_owned))
        .collect();
    assert_eq!(audited.len(), 7, "every change audited: {audited:?}");
}

/// The one mail-state and resend answers the window got, as text (to look for the address in).
fn mail_answers(desk: &Desk) -> String {
    let answers = desk.answers.lock().unwrap();
    answers
        .iter()
        .filter(|a| a.starts_with("mail_status ") || a.starts_with("resend_mail "))
        .cloned()
        .collect()
}

#[test]
fn the_panel_reads_the_mail_state_and_only_those_who_book_send_it_again() {
    let desk = Desk::seeded();
    desk.sign_in(2, "246802"); // receptionist

    // Jane Doe has no address: nothing is sent, the state says why, and a resend is refused.
    desk.ok("book", booking("2026-07-06T09:30"));
    let jane = desk.ok("mail_status", json!({ "appointmentId": 1 }));
    assert_eq!((&jane["state"], &jane["has_address"]), (&json!("skipped"), &json!(false)), "{jane}");
    assert!(jane["reason"].as_str().unwrap().contains("no e-mail address"), "{jane}");
    let e = desk.err("resend_mail", json!({ "appointmentId": 1 }));
    assert_eq!(
        e,
        json!({ "kind": "validation", "message": "no mail is sent: the patient has no e-mail address", "field": null })
    );

    // Sam Roe has one: his Zoom visit's invitation waits for the meeting's join link.
    desk.ok("add_patient", json!({ "patient": { "full_name": "Sam Roe", "email": "sam.roe@example.org", "phone": null, "date_of_birth": null, "note": null } }));
    let mut sam = booking("2026-07-06T11:00");
    sam["input"]["patient_id"] = json!(2);
    desk.ok("book", sam);
    let id = json!({ "appointmentId": 2 });
    let waiting = desk.ok("mail_status", id.clone());
    assert_eq!(
        (&waiting["state"], &waiting["waiting_for_meeting"], &waiting["has_address"]),
        (&json!("pending"), &json!(true), &json!(true)),
        "{waiting}"
    );
    assert_eq!(desk.ok("resend_mail", id.clone())["state"], "pending");

    // A doctor sees the state but does not send: refused in Rust, with the usual error shape.
    desk.sign_in(3, "111111");
    assert_eq!(desk.ok("mail_status", id.clone())["state"], "pending");
    let e = desk.err("resend_mail", id.clone());
    assert_eq!(e["kind"], "forbidden", "{e}");
    assert_eq!(e["field"], Value::Null);
    assert_eq!(e.as_object().unwrap().len(), 3, "{e}");
    assert!(e["message"].as_str().unwrap().contains("only receptionist or admin"), "{e}");
    // An admin may; an appointment without a mail has no state, and a resend says it is not found.
    desk.sign_in(1, "135790");
    assert_eq!(desk.ok("resend_mail", id)["state"], "pending");
    assert_eq!(desk.ok("mail_status", json!({ "appointmentId": 99 })), Value::Null);
    assert_eq!(desk.err("resend_mail", json!({ "appointmentId": 99 }))["kind"], "not_found");
    // Nobody signed in reads nothing.
    desk.ok("sign_out", json!({}));
    assert_eq!(desk.err("mail_status", json!({ "appointmentId": 2 }))["kind"], "unauthenticated");

    let shown = mail_answers(&desk);
    assert!(
        !shown.contains("sam.roe") && !shown.contains("Sam Roe"),
        "a mail answer holds patient data: {shown}"
    );

    // Each resend is recorded by the person who pressed it, about the appointment, with ids only;
    // the refused ones are not.
    use tauri::Manager;
    let store = desk.app.state::<AppState>().store.as_ref().unwrap().clone();
    let filter = frontdesk_core::store::AuditFilter {
        action: Some(frontdesk_core::store::AuditAction::MailResent),
        ..Default::default()
    };
    let resent = tauri::async_runtime::block_on(store.audit_log(&filter)).unwrap();
    let rows: Vec<_> = resent
        .iter()
        .map(|e| (e.actor.as_str(), e.appointment_id.map(|a| a.0), e.patient_id.map(|p| p.0)))
        .collect();
    assert_eq!(rows, [("staff:2", Some(2), Some(2)), ("staff:1", Some(2), Some(2))]);
    assert!(resent.iter().all(|e| e.detail == json!({})));
}

#[test]
fn a_resend_wakes_the_mail_worker_and_the_window_hears_the_new_state() {
    use tauri::Listener;
    let desk = Desk::seeded();
    let changed = Arc::new(Mutex::new(Vec::<String>::new()));
    {
        let changed = changed.clone();
        desk.app.listen_any("mail-changed", move |event| {
            changed.lock().unwrap().push(event.payload().to_owned())
        });
    }
    assert!(frontdesk_app::start_outbox(desk.app.handle()));
    let heard = |n: usize| {
        let deadline = Instant::now() + Duration::from_secs(10);
        while changed.lock().unwrap().len() < n && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        changed.lock().unwrap().len()
    };
    desk.sign_in(1, "135790");
    desk.ok("add_type", json!({ "name": "Check-up", "minutes": 15, "mode": "in-person" }));
    desk.ok("add_patient", json!({ "patient": { "full_name": "Sam Roe", "email": "sam.roe@example.org", "phone": null, "date_of_birth": null, "note": null } }));
    let mut visit = booking("2026-07-06T11:00");
    visit["input"]["patient_id"] = json!(2);
    visit["input"]["type_id"] = json!(2);
    desk.ok("book", visit);
    // The clinic's SMTP server is not set up: the worker keeps the mail, says why, looks hourly.
    assert_eq!(heard(1), 1, "the booking woke the mail worker");
    assert_eq!(changed.lock().unwrap()[0], r#"{"appointment_id":1}"#);
    let mail = desk.ok("mail_status", json!({ "appointmentId": 1 }));
    assert_eq!((&mail["state"], &mail["tries"]), (&json!("pending"), &json!(1)), "{mail}");
    assert!(mail["reason"].as_str().unwrap().contains("not set up"), "{mail}");
    // Sending it again makes it due now and wakes the worker, well before its hourly look (or
    // its 15 s idle look).
    let resent = desk.ok("resend_mail", json!({ "appointmentId": 1 }));
    assert_eq!((&resent["state"], &resent["tries"]), (&json!("pending"), &json!(0)), "{resent}");
    let started = Instant::now();
    assert_eq!(heard(2), 2, "the resend woke the mail worker");
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(desk.ok("mail_status", json!({ "appointmentId": 1 }))["tries"], 1);
}

#[test]
fn only_admins_edit_the_patient_email_texts_and_a_refusal_names_the_text() {
    use tauri::Manager;
    let desk = Desk::seeded();
    let store = desk.app.state::<AppState>().store.as_ref().unwrap().clone();
    let audited = || {
        let log = tauri::async_runtime::block_on(store.audit_log(&Default::default())).unwrap();
        log.into_iter().filter(|e| e.action.as_str() == "mail_template_changed").count()
    };
    let join = json!({ "language": "fr", "key": "join", "text": "Rejoignez la consultation : {link}" });
    // The desk and doctors are refused in Rust, with the usual error shape, and nothing changes.
    for (id, pin) in [(2, "246802"), (3, "111111")] {
        desk.sign_in(id, pin);
        let e = desk.err("set_mail_template", join.clone());
        assert_eq!(e["kind"], "forbidden", "{e}");
        assert_eq!(e.as_object().unwrap().len(), 3, "{e}");
        for (cmd, args) in [
            ("mail_templates", json!({ "language": "fr" })),
            ("reset_mail_template", json!({ "language": "fr", "key": "join" })),
            ("preview_mail", json!({ "language": "fr", "kind": "new", "drafts": [] })),
        ] {
            assert_eq!(desk.err(cmd, args)["kind"], "forbidden", "{cmd}");
        }
    }
    assert_eq!(audited(), 0);

    desk.sign_in(1, "135790");
    let listed = desk.ok("mail_templates", json!({ "language": "fr" }));
    assert_eq!(listed.as_array().unwrap().len(), 13);
    assert_eq!((&listed[6]["key"], &listed[6]["overridden"]), (&json!("join"), &json!(false)));
    let saved = desk.ok("set_mail_template", join);
    assert_eq!((&saved["overridden"], &saved["changed_by"]), (&json!(true), &json!("Eli Admin")), "{saved}");
    assert_eq!(audited(), 1, "one change, one audit row");
    // A refusal says which text and why, without the key in front, for the form to show beside it.
    let e = desk
        .err("set_mail_template", json!({ "language": "fr", "key": "join", "text": "Rejoignez : {lien}" }));
    assert_eq!(e["kind"], "validation");
    assert_eq!(e["field"], "join");
    assert!(e["message"].as_str().unwrap().starts_with("{lien} is not a placeholder"), "{e}");
    let e = desk.err(
        "set_mail_template",
        json!({ "language": "en", "key": "subject_new", "text": "Hi\r\nBcc: all@example.org" }),
    );
    assert_eq!((&e["kind"], &e["field"]), (&json!("validation"), &json!("subject_new")), "{e}");
    assert_eq!(audited(), 1);
    // The preview shows the saved text, and a draft in its place without saving it.
    let preview = desk.ok("preview_mail", json!({ "language": "fr", "kind": "new", "drafts": [] }));
    assert!(preview["body"].as_str().unwrap().contains("Rejoignez la consultation : https://"), "{preview}");
    let draft = json!({ "language": "fr", "kind": "new", "drafts": [{ "key": "greeting", "text": "Madame, Monsieur," }] });
    assert!(desk.ok("preview_mail", draft)["body"].as_str().unwrap().starts_with("Madame, Monsieur,\n"));
    let bad =
        json!({ "language": "fr", "kind": "new", "drafts": [{ "key": "booked", "text": "Le {date}." }] });
    assert_eq!(desk.err("preview_mail", bad)["field"], "booked");
    let reset = desk.ok("reset_mail_template", json!({ "language": "fr", "key": "join" }));
    assert_eq!(reset["overridden"], false);
    assert_eq!(reset["text"], reset["default_text"]);
    assert_eq!(audited(), 2);
}

/// A role changed or an account deactivated elsewhere (another desk, the command line) applies
/// at this desk's next command, without waiting for the person to sign in again.
#[test]
fn a_role_changed_elsewhere_applies_at_the_next_command() {
    use frontdesk_core::store::StaffUpdate;
    use frontdesk_core::{Actor, Role, StaffId};
    use tauri::Manager;
    let desk = Desk::seeded();
    let store = desk.app.state::<AppState>().store.as_ref().unwrap().clone();
    let it = Actor::Tool { tool: "cli", user: "it".into() };
    let change = |role: Role, active: bool| {
        let update = StaffUpdate { name: "Dr Ada Lee".into(), role, active, pin: None };
        tauri::async_runtime::block_on(store.update_staff(&it, StaffId(3), &update)).unwrap();
    };
    let patient = json!({ "patient": { "full_name": "Tom Nguyen", "email": null, "phone": null, "date_of_birth": null, "note": null } });

    desk.sign_in(3, "111111");
    assert_eq!(desk.err("add_patient", patient.clone())["kind"], "forbidden", "a doctor keeps no records");
    change(Role::Receptionist, true);
    desk.ok("add_patient", patient.clone());
    change(Role::Receptionist, false);
    let e = desk.err("list_types", json!({}));
    assert_eq!(e["kind"], "unauthenticated");
    assert!(e["message"].as_str().unwrap().contains("deactivated"), "{e}");
    // And the desk is signed out: nothing more until someone signs in.
    assert_eq!(desk.err("list_types", json!({}))["message"], "sign in first");
}

/// A desk on the clinic's server hears a booking made at another desk (here the command line on
/// the same server) within a second, without re-reading on a timer, and runs no background
/// worker: that is the clinic service's.
#[test]
fn a_desk_on_the_clinics_server_hears_other_desks_and_runs_no_worker() {
    use tauri::Listener;
    if std::env::var_os("FRONTDESK_TEST_POSTGRES").is_none() {
        assert!(std::env::var_os("FRONTDESK_REQUIRE_POSTGRES").is_none(), "run through scripts/postgres");
        return;
    }
    let url = common::new_postgres_database();
    let clinic = common::Clinic { dir: tempfile::tempdir().unwrap(), server: Some(url.clone()) };
    clinic.run(&["init", "--clinic", "Maple Clinic", "--tz", "America/Toronto"]).ok();
    clinic.run(&["staff", "add", "--name", "Dr Ada Lee", "--role", "doctor"]).ok();
    clinic
        .run_with_input(
            &["staff", "add", "--name", "Cal Desk", "--role", "receptionist", "--pin", "-"],
            "246802\n",
        )
        .ok();
    clinic.run(&["patient", "add", "--name", "Jane Doe"]).ok();
    clinic.run(&["type", "add", "--name", "Consult", "--minutes", "30", "--mode", "zoom"]).ok();

    let desk = Desk::on_server(&url);
    let heard = Arc::new(Mutex::new(Vec::<(Instant, Value)>::new()));
    {
        let heard = heard.clone();
        desk.app.listen_any("schedule-changed", move |event| {
            heard.lock().unwrap().push((Instant::now(), serde_json::from_str(event.payload()).unwrap()))
        });
    }
    assert!(frontdesk_app::live::start(desk.app.handle()), "a desk on the server listens");
    assert!(!frontdesk_app::start_outbox(desk.app.handle()), "and runs no worker");
    std::thread::sleep(Duration::from_millis(300)); // the line comes up

    let args = ["book", "--patient", "1", "--doctor", "1", "--type", "1", "--at", "2026-07-06T09:30"];
    clinic.run(&args).ok();
    let committed = Instant::now();
    let deadline = committed + Duration::from_secs(1);
    let booked = loop {
        let found = heard
            .lock()
            .unwrap()
            .iter()
            .find(|(_, e)| e["appointment_id"] == 1 && e["spans"] != json!([]))
            .cloned();
        if let Some(found) = found {
            break found;
        }
        assert!(Instant::now() < deadline, "heard within a second: {:?}", heard.lock().unwrap());
        std::thread::sleep(Duration::from_millis(10));
    };
    assert_eq!(booked.1["spans"], json!([["2026-07-06T13:30:00Z", "2026-07-06T14:00:00Z"]]));
    desk.sign_in(2, "246802");
    let day = desk.ok("schedule", json!({ "date": "2026-07-06", "days": 1 }));
    assert_eq!(day["appointments"][0]["patient_name"], "Jane Doe");
}

/// First start on a new desk: "Join my clinic's server" checks the server (its address, the
/// password, that it holds a clinic), keeps the choice in the data folder and the password in the
/// keyring only, and the next start opens the clinic on the server. Once this computer has a
/// clinic of its own, only an admin may move it to a server.
#[test]
fn a_new_desk_joins_the_clinics_server() {
    if std::env::var_os("FRONTDESK_TEST_POSTGRES").is_none() {
        assert!(std::env::var_os("FRONTDESK_REQUIRE_POSTGRES").is_none(), "run through scripts/postgres");
        return;
    }
    let url = common::new_postgres_database();
    let (rest, database) = url.rsplit_once('/').unwrap();
    let (credentials, host_port) = rest.trim_start_matches("postgres://").split_once('@').unwrap();
    let (user, password) = credentials.split_once(':').unwrap();
    let (host, port) = host_port.split_once(':').unwrap();
    let choice = |database: &str| json!({ "choice": { "host": host, "port": port.parse::<u16>().unwrap(), "database": database, "user": user, "ca_file": null }, "password": password });

    let secrets = Arc::new(frontdesk_settings::MemorySecrets::default());
    let dir = tempfile::tempdir().unwrap();
    let start = || {
        let config = AppConfig {
            data_dir: Some(dir.path().to_path_buf()),
            database: None,
            clock: Arc::new(SystemClock),
            secrets: secrets.clone(),
            browser: Arc::new(|_url: &str| Ok(())),
        };
        let app = builder(tauri::test::mock_builder(), config).build(tauri::generate_context!()).unwrap();
        let window = WebviewWindowBuilder::new(&app, "main", Default::default()).build().unwrap();
        Desk {
            _dir: tempfile::tempdir().unwrap(),
            app,
            window,
            answers: Mutex::default(),
            secrets: secrets.clone(),
        }
    };
    let desk = start();
    assert_eq!(desk.ok("app_status", json!({}))["setup_needed"], true);
    assert_eq!(desk.ok("clinic_server", json!({})), Value::Null);

    // Each refusal says why, and keeps nothing.
    let mut wrong = choice(database);
    wrong["password"] = json!("not-the-password");
    let refused = desk.err("join_server", wrong);
    assert!(refused["message"].as_str().unwrap().contains("refused the password"), "{refused}");
    assert!(!refused.to_string().contains("not-the-password"));
    let mut spaced = choice(database);
    spaced["choice"]["host"] = json!("clinic server");
    assert_eq!(desk.err("join_server", spaced)["field"], "host");
    let empty = desk.err("join_server", choice(database));
    assert!(empty["message"].as_str().unwrap().contains("has no clinic yet"), "{empty}");
    assert_eq!(desk.ok("clinic_server", json!({})), Value::Null);

    // The clinic is set up on the server (from its computer); now the desk joins it.
    let clinic = common::Clinic { dir: tempfile::tempdir().unwrap(), server: Some(url.clone()) };
    clinic.run(&["init", "--clinic", "Maple Clinic", "--tz", "America/Toronto"]).ok();
    clinic
        .run_with_input(
            &["staff", "add", "--name", "Cal Desk", "--role", "receptionist", "--pin", "-"],
            "246802\n",
        )
        .ok();
    // Through TLS, the server's certificate checked against the clinic's CA.
    let mut verified = choice(database);
    verified["choice"]["ca_file"] = json!(std::env::var("FRONTDESK_TEST_POSTGRES_CA").unwrap());
    desk.ok("join_server", verified);
    let kept = std::fs::read_to_string(dir.path().join("clinic-server.json")).unwrap();
    assert!(kept.contains(host) && !kept.contains(password), "{kept}");
    assert_eq!(desk.ok("clinic_server", json!({}))["database"], database);
    drop(desk);

    // The next start opens the clinic on the server.
    let desk = start();
    let status = desk.ok("app_status", json!({}));
    assert_eq!(status["clinic"]["name"], "Maple Clinic");
    assert_eq!(status["staff"][0]["name"], "Cal Desk");
    // With a clinic to work on, moving the desk elsewhere is an admin's.
    let e = desk.err("join_server", choice(database));
    assert_eq!(e["kind"], "unauthenticated", "{e}");
}

/// A desk whose server does not answer says why, and may be given a new password for that
/// server, but not be pointed at another one without an admin (a passer-by must not redirect a
/// shared desk, where PINs are typed, to a server of their own).
#[test]
fn a_desk_whose_server_is_away_cannot_be_pointed_elsewhere() {
    let dir = tempfile::tempdir().unwrap();
    let away = json!({ "host": "127.0.0.1", "port": 1, "database": "frontdesk", "user": "frontdesk", "ca_file": null });
    std::fs::write(dir.path().join("clinic-server.json"), away.to_string()).unwrap();
    let secrets: Arc<dyn frontdesk_settings::SecretStore> =
        Arc::new(frontdesk_settings::MemorySecrets::default());
    let config = AppConfig {
        data_dir: Some(dir.path().to_path_buf()),
        database: None,
        clock: Arc::new(SystemClock),
        secrets: secrets.clone(),
        browser: Arc::new(|_url: &str| Ok(())),
    };
    let app = builder(tauri::test::mock_builder(), config).build(tauri::generate_context!()).unwrap();
    let window = WebviewWindowBuilder::new(&app, "main", Default::default()).build().unwrap();
    let desk = Desk { _dir: tempfile::tempdir().unwrap(), app, window, answers: Mutex::default(), secrets };

    let why = desk.err("app_status", json!({}));
    assert_eq!(why["kind"], "unavailable", "{why}");
    assert!(why["message"].as_str().unwrap().contains("127.0.0.1:1/frontdesk cannot be reached"), "{why}");
    assert_eq!(desk.ok("clinic_server", json!({})), away);

    let mut elsewhere = away.clone();
    elsewhere["host"] = json!("rogue.example");
    let refused = desk.err("join_server", json!({ "choice": elsewhere, "password": "x" }));
    assert_eq!(refused["kind"], "forbidden", "{refused}");
    assert!(refused["message"].as_str().unwrap().contains("an admin signs in"), "{refused}");
    // The same server with a new password is tried (and here still does not answer).
    let tried = desk.err("join_server", json!({ "choice": away, "password": "new" }));
    assert_eq!(tried["kind"], "unavailable", "{tried}");
    assert_eq!(desk.ok("clinic_server", json!({})), away, "nothing changed");
}

/// Every desk writes today's and tomorrow's day sheet into its data folder, readable by this
/// computer's user only, holding what the printed sheet holds, and writes it again after a change.
#[test]
fn every_desk_writes_todays_and_tomorrows_day_sheet_as_it_prints() {
    // 2031-05-05 08:00 in Toronto.
    let clock = Arc::new(HandClock(AtomicI64::new(
        chrono::DateTime::parse_from_rfc3339("2031-05-05T12:00:00Z").unwrap().timestamp(),
    )));
    let desk = Desk::seed(Desk::with_clock(clock));
    desk.sign_in(2, "246802");
    let visit = desk.ok("book", booking("2031-05-05T10:00"))["id"].clone();
    desk.ok("book", booking("2031-05-06T09:30"));
    assert_eq!(desk.ok("server_link", json!({})), Value::Null, "a single computer has no server to lose");
    let folder = desk.ok("day_sheet_folder", json!({}));
    let folder = std::path::PathBuf::from(folder.as_str().unwrap());
    assert!(frontdesk_app::read_copy::start_paper(desk.app.handle()));

    let read = |date: &str, containing: &str| {
        let path = folder.join(format!("day-sheet-{date}.html"));
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            if let Ok(text) = std::fs::read_to_string(&path) {
                if text.contains(containing) {
                    return (path, text);
                }
            }
            assert!(Instant::now() < deadline, "{} never said {containing}", path.display());
            std::thread::sleep(Duration::from_millis(100));
        }
    };
    let (path, today) = read("2031-05-05", "Jane Doe");
    assert_eq!(path.file_name().and_then(|n| n.to_str()), Some("day-sheet-2031-05-05.html"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
    }
    // The printed sheet's rows, word for word: time, doctor, patient, type, mode, status.
    let printed = desk.ok("schedule", json!({ "date": "2031-05-05", "days": 1 }));
    let row = &printed["appointments"][0];
    let cells = format!(
        "<tr><td>10:00</td><td>{}</td><td>{}</td><td>{}</td><td>Zoom</td><td>Booked</td></tr>",
        row["doctor_name"].as_str().unwrap(),
        row["patient_name"].as_str().unwrap(),
        row["type_name"].as_str().unwrap()
    );
    assert!(today.contains(&cells), "{today}");
    assert_eq!(today.matches("<tr><td>").count(), 1, "today's visits only: {today}");
    assert!(today.contains("Maple Clinic · Monday, May 5, 2031"), "{today}");
    let (_, tomorrow) = read("2031-05-06", "09:30");
    assert!(tomorrow.contains("<td>Jane Doe</td>"), "{tomorrow}");
    // Nothing else of the patient: the sheet holds what the printed one does.
    assert!(!today.contains("Knee") && !today.contains('@'), "{today}");

    desk.ok("cancel_appointment", json!({ "id": visit, "reason": "Unwell" }));
    let (_, today) = read("2031-05-05", "<td>Cancelled</td>");
    assert!(!today.contains("Unwell"), "the reason is not on the sheet: {today}");
}
