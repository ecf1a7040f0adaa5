//! Signed updates (ADR 0026), through Tauri's real updater plugin on the mock runtime: a feed
//! (`latest.json`) and its packages served from 127.0.0.1 by a tiny HTTP server of the test,
//! packages signed by the real `tauri signer sign` with the test key in `tests/updater/` (never
//! a release key). A good update is offered to an admin only and verifies; a package with one
//! byte changed, one signed with another key, and a feed pairing a new version with an older
//! signed package are refused with a clear error, before anything is installed.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests panic on purpose

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};

use frontdesk_app::{builder, updates, AppConfig, AppState};
use frontdesk_core::SystemClock;
use serde_json::{json, Value};
use tauri::test::{get_ipc_response, MockRuntime, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::{App, Manager, WebviewWindow, WebviewWindowBuilder};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const CURRENT: &str = env!("CARGO_PKG_VERSION");

/// The test key pair: `tauri signer generate --ci -p "" -w tests/updater/test-key`.
fn test_key() -> PathBuf {
    Path::new(ROOT).join("tests/updater/test-key")
}

fn public_key(private: &Path) -> String {
    std::fs::read_to_string(private.with_extension("pub")).unwrap().trim().to_owned()
}

fn tauri_cli() -> Command {
    let cli = Path::new(ROOT).join("ui/node_modules/.bin/tauri");
    assert!(cli.exists(), "{} is missing: run scripts/setup", cli.display());
    Command::new(cli)
}

/// Signs `file` as the release workflow's `tauri build` does (bound to `version`); returns the
/// `.sig` file's text, which is what a feed carries.
fn sign(file: &Path, key: &Path, version: &str) -> String {
    let out = tauri_cli()
        .args(["signer", "sign", "-p", "", "--app-version", version, "-f"])
        .arg(key)
        .arg(file)
        .env_remove("TAURI_SIGNING_PRIVATE_KEY")
        .output()
        .unwrap();
    assert!(out.status.success(), "tauri signer sign: {}", String::from_utf8_lossy(&out.stderr));
    let mut sig = file.as_os_str().to_owned();
    sig.push(".sig");
    std::fs::read_to_string(sig).unwrap()
}

/// The next minor version after this build's.
fn next_version(minor_step: u64) -> String {
    let mut parts = CURRENT.split('.').map(|p| p.parse::<u64>().unwrap());
    let (major, minor) = (parts.next().unwrap(), parts.next().unwrap());
    format!("{major}.{}.0", minor + minor_step)
}

/// The updater's name for this platform in a feed's `platforms`.
fn platform() -> String {
    let os = match std::env::consts::OS {
        "macos" => "darwin",
        other => other,
    };
    format!("{os}-{}", std::env::consts::ARCH)
}

/// A tiny HTTP server on 127.0.0.1: each path answers its bytes, anything else 404.
struct Feed {
    base: String,
    files: Arc<Mutex<HashMap<String, Vec<u8>>>>,
    /// The paths asked for, in order.
    asked: Arc<Mutex<Vec<String>>>,
}

impl Feed {
    fn start() -> Feed {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let files: Arc<Mutex<HashMap<String, Vec<u8>>>> = Arc::default();
        let asked: Arc<Mutex<Vec<String>>> = Arc::default();
        let (serving, asking) = (files.clone(), asked.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut request = String::new();
                if reader.read_line(&mut request).is_err() {
                    continue;
                }
                loop {
                    let mut header = String::new();
                    if reader.read_line(&mut header).unwrap_or(0) == 0 || header == "\r\n" {
                        break;
                    }
                }
                let path = request.split_whitespace().nth(1).unwrap_or("/").to_owned();
                asking.lock().unwrap().push(path.clone());
                let body = serving.lock().unwrap().get(&path).cloned();
                let (status, body) = match body {
                    Some(body) => ("200 OK", body),
                    None => ("404 Not Found", b"not here".to_vec()),
                };
                let head = format!(
                    "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = stream.write_all(head.as_bytes()).and_then(|()| stream.write_all(&body));
            }
        });
        Feed { base, files, asked }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn serve(&self, path: &str, body: Vec<u8>) {
        self.files.lock().unwrap().insert(path.to_owned(), body);
    }

    /// Publishes `latest.json` announcing `version`, its package at `/package.bin` with `signature`.
    fn announce(&self, version: &str, signature: &str) {
        let latest = json!({
            "version": version,
            "notes": "Faster day view.",
            "pub_date": "2026-12-01T09:00:00Z",
            "platforms": { platform(): { "signature": signature, "url": self.url("/package.bin") } },
        });
        self.serve("/latest.json", latest.to_string().into_bytes());
    }
}

/// A desk on the mock runtime whose build's update key is `key` (`None`: the repository's
/// configuration, which has none), with an admin (id 1, signed in) and a receptionist (id 2).
struct Desk {
    _dir: tempfile::TempDir,
    app: App<MockRuntime>,
    window: WebviewWindow<MockRuntime>,
}

impl Desk {
    fn new(key: Option<String>) -> Desk {
        let dir = tempfile::tempdir().unwrap();
        let config = AppConfig {
            data_dir: Some(dir.path().to_path_buf()),
            database: None,
            clock: Arc::new(SystemClock),
            secrets: Arc::new(frontdesk_settings::MemorySecrets::default()),
            browser: Arc::new(|_url: &str| Ok(())),
        };
        let mut context = tauri::generate_context!();
        if let Some(key) = key {
            let updater = json!({ "pubkey": key, "requireSignedVersion": true });
            context.config_mut().plugins.0.insert("updater".into(), updater);
        }
        let app = builder(tauri::test::mock_builder(), config).build(context).unwrap();
        let window = WebviewWindowBuilder::new(&app, "main", Default::default()).build().unwrap();
        let desk = Desk { _dir: dir, app, window };
        desk.ok("first_run", json!({ "clinicName": "Maple Clinic", "tz": "America/Toronto", "adminName": "Eli Admin", "pin": "135790" }));
        desk.ok("add_staff", json!({ "staff": { "name": "Dana Desk", "role": "receptionist", "active": true, "pin": "246802" } }));
        desk
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
        get_ipc_response(&self.window, request).map(|body| body.deserialize::<Value>().unwrap())
    }

    fn ok(&self, cmd: &str, args: Value) -> Value {
        self.call(cmd, args).unwrap_or_else(|e| panic!("{cmd} failed: {e}"))
    }

    fn err(&self, cmd: &str, args: Value) -> Value {
        self.call(cmd, args).map(|v| panic!("{cmd} should fail, got {v}")).unwrap_err()
    }

    /// The update the feed offers, through the app's own use of the plugin.
    fn find(&self, feed: &Feed) -> Option<tauri_plugin_updater::Update> {
        let updates = self.app.state::<AppState>().updates().unwrap();
        tauri::async_runtime::block_on(updates.find(&feed.url("/latest.json"))).unwrap()
    }
}

/// A package, its bytes, and the folder it was signed in.
fn package(dir: &Path, text: &str) -> (PathBuf, Vec<u8>) {
    let path = dir.join("package.bin");
    std::fs::write(&path, text).unwrap();
    (path, text.as_bytes().to_vec())
}

#[test]
fn a_signed_update_is_offered_to_an_admin_only_and_verifies() {
    let scratch = tempfile::tempdir().unwrap();
    let next = next_version(1);
    let (path, bytes) = package(scratch.path(), &format!("Frontdesk {next}, signed"));
    let feed = Feed::start();
    feed.announce(&next, &sign(&path, &test_key(), &next));
    feed.serve("/package.bin", bytes.clone());
    let desk = Desk::new(Some(public_key(&test_key())));

    // The admin sets the clinic's feed on the Settings screen and is told what it offers.
    let status = desk.ok("set_update_feed", json!({ "feed": feed.url("/latest.json") }));
    assert_eq!(status["current"], CURRENT);
    assert_eq!(status["feed"], feed.url("/latest.json"));
    assert_eq!(
        status["check"],
        json!({ "state": "available", "version": next, "notes": "Faster day view." })
    );
    assert_eq!(desk.ok("check_update", json!({}))["check"]["state"], "available");

    // Its package downloads and verifies against the build's key.
    let update = desk.find(&feed).expect("offered");
    assert_eq!(update.version, next);
    let downloaded = tauri::async_runtime::block_on(updates::download_verified(&update)).unwrap();
    assert_eq!(downloaded, bytes);
    assert_eq!(*feed.asked.lock().unwrap().last().unwrap(), "/package.bin");

    // A receptionist is never shown it, nor may install it or change the feed.
    desk.ok("sign_out", json!({}));
    desk.ok("sign_in", json!({ "staffId": 2, "pin": "246802" }));
    for (cmd, args) in [
        ("check_update", json!({})),
        ("install_update", json!({ "version": next })),
        ("set_update_feed", json!({ "feed": "https://elsewhere.example/latest.json" })),
    ] {
        assert_eq!(desk.err(cmd, args)["kind"], "forbidden", "{cmd}");
    }
}

#[test]
fn a_package_changed_by_one_byte_is_refused_and_never_installed() {
    let scratch = tempfile::tempdir().unwrap();
    let next = next_version(1);
    let (path, mut bytes) = package(scratch.path(), &format!("Frontdesk {next}, signed"));
    let feed = Feed::start();
    feed.announce(&next, &sign(&path, &test_key(), &next));
    bytes[3] ^= 0x01;
    feed.serve("/package.bin", bytes);
    let desk = Desk::new(Some(public_key(&test_key())));
    desk.ok("set_update_feed", json!({ "feed": feed.url("/latest.json") }));

    let update = desk.find(&feed).expect("offered: the feed itself is not signed");
    let refused = tauri::async_runtime::block_on(updates::download_verified(&update)).unwrap_err();
    assert_eq!(refused.kind, frontdesk_core::ErrorKind::Conflict);
    assert!(
        refused.message.starts_with(&format!("Frontdesk {next} was refused: its package does not match")),
        "{}",
        refused.message
    );
    assert!(refused.message.contains("Nothing was installed"), "{}", refused.message);

    // Install goes through the same check first, so the admin sees the same refusal.
    let e = desk.err("install_update", json!({ "version": next }));
    assert_eq!(e["kind"], "conflict");
    assert_eq!(e["message"], refused.message);
}

#[test]
fn a_package_signed_with_another_key_is_refused() {
    let scratch = tempfile::tempdir().unwrap();
    let other = scratch.path().join("other-key");
    let made = tauri_cli().args(["signer", "generate", "--ci", "-p", "", "-w"]).arg(&other).output().unwrap();
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    let next = next_version(1);
    let (path, bytes) = package(scratch.path(), &format!("Frontdesk {next}, signed elsewhere"));
    let feed = Feed::start();
    feed.announce(&next, &sign(&path, &other, &next));
    feed.serve("/package.bin", bytes);
    let desk = Desk::new(Some(public_key(&test_key())));
    desk.ok("set_update_feed", json!({ "feed": feed.url("/latest.json") }));

    let update = desk.find(&feed).expect("offered");
    let refused = tauri::async_runtime::block_on(updates::download_verified(&update)).unwrap_err();
    assert_eq!(refused.kind, frontdesk_core::ErrorKind::Conflict);
    assert!(refused.message.contains("signed with another key"), "{}", refused.message);
    assert_eq!(desk.err("install_update", json!({ "version": next }))["kind"], "conflict");
}

#[test]
fn a_feed_announcing_a_newer_version_for_an_older_signed_package_is_refused() {
    let scratch = tempfile::tempdir().unwrap();
    let (older, newer) = (next_version(1), next_version(2));
    let (path, bytes) = package(scratch.path(), &format!("Frontdesk {older}, signed"));
    let feed = Feed::start();
    // A genuine signature, but of the older release: the feed (unsigned) was changed.
    feed.announce(&newer, &sign(&path, &test_key(), &older));
    feed.serve("/package.bin", bytes);
    let desk = Desk::new(Some(public_key(&test_key())));
    desk.ok("set_update_feed", json!({ "feed": feed.url("/latest.json") }));

    let update = desk.find(&feed).expect("offered");
    let refused = tauri::async_runtime::block_on(updates::download_verified(&update)).unwrap_err();
    assert_eq!(refused.kind, frontdesk_core::ErrorKind::Conflict);
    assert!(
        refused.message.contains(&format!("signed as version {older}, not {newer}")),
        "{}",
        refused.message
    );
}

#[test]
fn nothing_newer_no_feed_or_no_key_offers_nothing() {
    let scratch = tempfile::tempdir().unwrap();
    let (path, bytes) = package(scratch.path(), "this very version");
    let feed = Feed::start();
    feed.announce(CURRENT, &sign(&path, &test_key(), CURRENT));
    feed.serve("/package.bin", bytes);

    let desk = Desk::new(Some(public_key(&test_key())));
    let status = desk.ok("check_update", json!({}));
    assert_eq!(status["feed"], Value::Null);
    assert_eq!(status["check"]["state"], "off");
    assert!(status["check"]["reason"].as_str().unwrap().starts_with("no update feed is set"));
    let status = desk.ok("set_update_feed", json!({ "feed": feed.url("/latest.json") }));
    assert_eq!(status["check"], json!({ "state": "up_to_date" }));

    // A feed that does not answer is said so, and the admin can still change it.
    let status = desk.ok("set_update_feed", json!({ "feed": feed.url("/nowhere.json") }));
    assert_eq!(status["check"]["state"], "failed");
    assert!(status["check"]["reason"].as_str().unwrap().contains("could not be fetched"), "{status}");
    // Plain http is accepted only for this computer.
    let e = desk.err("set_update_feed", json!({ "feed": "http://updates.clinic.example/latest.json" }));
    assert_eq!((e["kind"].as_str(), e["field"].as_str()), (Some("validation"), Some("updates.feed")));

    // The repository's configuration has no update key: such a build looks for nothing.
    let keyless = Desk::new(None);
    let status = keyless.ok("set_update_feed", json!({ "feed": feed.url("/latest.json") }));
    assert_eq!(status["check"]["state"], "off");
    assert!(status["check"]["reason"].as_str().unwrap().contains("without an update key"), "{status}");
}
