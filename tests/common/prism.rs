//! Stoplight Prism (`tests/peers/node_modules/.bin/prism`, installed by scripts/setup) serving a
//! provider's published API description on 127.0.0.1. It answers a request that follows the
//! description with the documented status, and refuses one that breaks it (422 with a
//! `validation` list, 401 without the declared credentials, 404 for a path it does not describe).
//! Its log names every request and every violation: [`Prism::check`] reads it, so a test also
//! fails when the client took a refusal for success (a 404 on delete counts as "already gone").
//!
//! The descriptions are Zoom's 2021 Swagger 2 file and Graph's onlineMeetings OpenAPI 3 file
//! (kept in tests/specs; see the README there).
//! [`zoom_description`] writes a copy patched for how Zoom behaves today; each patch says why.

use std::future::Future;
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// Zoom's description (Swagger 2, archived `zoom/api` repository, June 2021).
pub const ZOOM: &str = "zoom-api-2021.openapi.v2.json";
/// Graph v1.0's `/me/onlineMeetings*` paths (OpenAPI 3).
pub const GRAPH: &str = "graph-onlinemeetings.openapi3.json";
/// The meeting number the patched Zoom description answers with: above 2^32, as real ones are.
pub const ZOOM_MEETING_NUMBER: i64 = 85_746_065_432;

/// How long Prism may take to read a description (Graph's takes about 9 s on 2 cores).
const START_TIMEOUT: Duration = Duration::from_secs(90);

/// The folder holding the published descriptions.
pub fn specs_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/specs")
}

/// The unpatched description `name` in [`specs_dir`].
pub fn description(name: &str) -> PathBuf {
    let path = specs_dir().join(name);
    assert!(path.is_file(), "{} is missing (tests/specs holds the providers' descriptions)", path.display());
    path
}

/// Writes Zoom's description, patched for today's API, into `dir`, and returns its path.
/// Request-body schemas are left exactly as published.
pub fn zoom_description(dir: &Path) -> PathBuf {
    let text = std::fs::read_to_string(description(ZOOM)).expect("read Zoom's description");
    let mut spec: Value = serde_json::from_str(&text).expect("Zoom's description is JSON");

    // Zoom takes the OAuth access token as `Authorization: Bearer <token>`, not the 2021 file's
    // `?access_token=` (providers.md §1.1 user-managed OAuth app; specs/README.md). Swagger 2 has
    // no bearer scheme: an API key in the Authorization header is what Prism can check.
    let global =
        spec.pointer_mut("/securityDefinitions/global").expect("Zoom declares its `global` security");
    assert_eq!(global["in"], "query", "Zoom's description changed: {global}");
    *global = json!({ "type": "apiKey", "in": "header", "name": "Authorization" });

    // Zoom answers the meeting number as a 64-bit integer (providers.md §1.3 "Response fields"),
    // which the file declares as a string while typing the `{meetingId}` path parameter integer.
    let created = format!("/paths/{}/post/responses/201", escape("/users/{userId}/meetings"));
    let fetched = format!("/paths/{}/get/responses/200", escape("/meetings/{meetingId}"));
    for pointer in [
        format!("{created}/schema/allOf/0/properties/id"),
        format!("{fetched}/schema/allOf/0/properties/id"),
        "/definitions/MeetingList/allOf/1/properties/meetings/items/allOf/0/properties/id".to_owned(),
    ] {
        let id =
            spec.pointer_mut(&pointer).unwrap_or_else(|| panic!("Zoom's description changed: no {pointer}"));
        assert_eq!(id["type"], "string", "Zoom's description changed: {pointer} is {id}");
        *id = json!({ "type": "integer", "format": "int64", "example": ZOOM_MEETING_NUMBER });
    }

    let patched = dir.join(ZOOM);
    std::fs::write(&patched, serde_json::to_vec(&spec).expect("serialise"))
        .expect("write Zoom's patched description");
    patched
}

/// A JSON-pointer token (RFC 6901) for an OpenAPI path key.
fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// A Prism mock server on 127.0.0.1. Stopped when dropped.
pub struct Prism {
    child: Child,
    port: u16,
    output: Arc<Mutex<String>>,
    started_in: Duration,
}

impl Prism {
    /// Starts `prism mock --errors` on `spec` and waits until it listens.
    pub fn start(spec: &Path) -> Prism {
        // A port found free may be taken before Prism binds it: try again with another.
        for _ in 0..3 {
            if let Some(prism) = Prism::try_start(spec) {
                return prism;
            }
        }
        panic!("Prism did not start on {}: the port was taken three times", spec.display());
    }

    fn try_start(spec: &Path) -> Option<Prism> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let port = free_port();
        let started = Instant::now();
        let mut child = Command::new(root.join("tests/peers/node_modules/.bin/prism"))
            .args(["mock", "--errors", "-h", "127.0.0.1", "-p", &port.to_string()])
            .arg(spec)
            .env("NO_COLOR", "1")
            .env("FORCE_COLOR", "0")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start tests/peers/node_modules/.bin/prism (installed by scripts/setup)");
        let output = Arc::new(Mutex::new(String::new()));
        collect(child.stdout.take().expect("prism stdout"), output.clone());
        collect(child.stderr.take().expect("prism stderr"), output.clone());
        let mut prism = Prism { child, port, output, started_in: Duration::ZERO };
        let listening = format!("Prism is listening on http://127.0.0.1:{port}");
        loop {
            if prism.output().contains(&listening) {
                prism.started_in = started.elapsed();
                return Some(prism);
            }
            if let Ok(Some(status)) = prism.child.try_wait() {
                std::thread::sleep(Duration::from_millis(200)); // the rest of its output
                let output = prism.output();
                if output.contains("EADDRINUSE") {
                    return None;
                }
                panic!("Prism exited ({status}) on {}:\n{output}", spec.display());
            }
            if started.elapsed() > START_TIMEOUT {
                panic!(
                    "Prism did not listen within {START_TIMEOUT:?} on {}:\n{}",
                    spec.display(),
                    prism.output()
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// `http://127.0.0.1:<port>`. Prism matches request paths against the description's paths
    /// as written, without its `basePath` or server path (`/v2`, `/v1.0`).
    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// From spawning to listening.
    pub fn started_in(&self) -> Duration {
        self.started_in
    }

    /// Everything Prism printed so far.
    pub fn output(&self) -> String {
        self.output.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }

    /// Runs `call` (one client operation) and checks every request it sent with Prism's log:
    /// each must have matched an operation of the description and passed its validation.
    /// Returns the call's value and the requests as Prism names them (`patch /meetings/1`).
    ///
    /// Panics with the call's error and Prism's log of the call (its validation messages) when
    /// the call failed, sent nothing, or sent a request the description refuses.
    pub async fn check<T, E: std::fmt::Display>(
        &self,
        what: &str,
        call: impl Future<Output = Result<T, E>>,
    ) -> (T, Vec<String>) {
        let mark = self.output().len();
        let result = call.await;
        // Prism's log of the call reaches us through a pipe: wait until every request it
        // received has its outcome logged and nothing more has come for a moment (a call may
        // send several requests).
        let patience = if result.is_ok() { Duration::from_secs(10) } else { Duration::from_secs(2) };
        let waited = Instant::now();
        let mut previous = String::new();
        let log = loop {
            tokio::time::sleep(Duration::from_millis(50)).await;
            let log = self.output()[mark..].to_owned();
            let received = log.matches("Request received").count();
            let answered =
                log.matches("> Responding with").count() + log.matches("Request terminated").count();
            let settled = received > 0 && answered >= received && log == previous;
            if settled || waited.elapsed() > patience {
                break log;
            }
            previous = log;
        };
        let requests: Vec<String> = log
            .lines()
            .filter(|line| line.contains("Request received"))
            .filter_map(|line| line.split("[HTTP SERVER] ").nth(1))
            .filter_map(|rest| rest.split(" ℹ").next())
            .map(str::to_owned)
            .collect();
        let broken = log.contains('✖') || log.contains("did not pass the validation rules");
        match result {
            Ok(value) if !broken && !requests.is_empty() => (value, requests),
            Ok(_) if requests.is_empty() => panic!("{what}: Prism received no request:\n{log}"),
            Ok(_) => panic!("{what} passed, but Prism refused a request it sent:\n{log}"),
            Err(e) => panic!("{what} failed: {e}\nPrism's log of the call:\n{log}"),
        }
    }
}

impl Drop for Prism {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port nothing listens on at this moment.
fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    listener.local_addr().expect("local address").port()
}

/// Appends a pipe's lines to `into` (and to the test log) until it closes.
fn collect(pipe: impl std::io::Read + Send + 'static, into: Arc<Mutex<String>>) {
    std::thread::spawn(move || {
        let mut reader = std::io::BufReader::new(pipe);
        let mut line = Vec::new();
        while reader.read_until(b'\n', &mut line).is_ok_and(|n| n > 0) {
            super::log_output(&line);
            into.lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .push_str(&String::from_utf8_lossy(&line));
            line.clear();
        }
    });
}
