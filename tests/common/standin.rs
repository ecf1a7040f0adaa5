//! A stateful stand-in for Zoom's meetings API and Microsoft Graph's online meetings on
//! 127.0.0.1, for the scenarios the published descriptions (checked by Prism in
//! tests/contract.rs) cannot stage: a crash between two calls, a 429 storm, the daily limit.
//!
//! It follows the providers' documented behaviour (../shared/reference/providers.md): Zoom
//! answers a create with 201 and the meeting (a 64-bit id), PATCH and DELETE with 204, an unknown
//! meeting with 404 code 3001, a bad token with 401 code 124, and more than 100 creates and
//! updates per host per day with 429; Graph's `createOrGet` returns the meeting already made
//! for an `externalId` (200) or a new one (201). Every request is recorded, to check that none
//! carries patient data.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// One request as the stand-in saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub url: String,
    pub headers: String,
    pub body: String,
}

/// An answer to give instead of the normal one, to the next matching request.
#[derive(Debug, Clone)]
pub struct Forced {
    pub method: Option<&'static str>,
    pub status: u16,
    pub retry_after: Option<u64>,
    pub body: Value,
}

#[derive(Default)]
pub struct State {
    pub zoom: BTreeMap<i64, Value>,
    pub teams: BTreeMap<String, Value>,
    pub seen: Vec<Seen>,
    pub forced: VecDeque<Forced>,
    /// Creates and updates per Zoom user today.
    pub zoom_calls: BTreeMap<String, u32>,
    next_id: i64,
    /// Time spent answering, for the benchmark's "provider's own time".
    pub busy: Duration,
    /// Added to every answer, to stand for the provider's own latency.
    pub latency: Duration,
}

pub struct Standin {
    server: MockServer,
    state: Arc<Mutex<State>>,
}

/// Zoom's daily limit of meeting creates and updates per host.
pub const ZOOM_DAILY_LIMIT: u32 = 100;

impl Standin {
    pub async fn start() -> Standin {
        let state = Arc::new(Mutex::new(State { next_id: 85_746_065_432, ..State::default() }));
        let server = MockServer::builder().start().await;
        Mock::given(wiremock::matchers::any()).respond_with(Handler(state.clone())).mount(&server).await;
        Standin { server, state }
    }

    /// The base for `zoom.api_base`.
    pub fn zoom_base(&self) -> String {
        format!("{}/v2", self.server.uri())
    }

    /// The base for `microsoft.graph_base`.
    pub fn graph_base(&self) -> String {
        format!("{}/v1.0", self.server.uri())
    }

    pub fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Answers the next request (of `method`, if given) with `status` instead.
    pub fn force(&self, method: Option<&'static str>, status: u16, retry_after: Option<u64>, body: Value) {
        self.state().forced.push_back(Forced { method, status, retry_after, body });
    }

    /// The requests that changed something (POST, PATCH, DELETE), as "METHOD path".
    pub fn writes(&self) -> Vec<String> {
        self.state()
            .seen
            .iter()
            .filter(|s| s.method != "GET")
            .map(|s| format!("{} {}", s.method, s.url.split('?').next().unwrap_or_default()))
            .collect()
    }

    /// Zoom meetings whose agenda names this appointment (any attempt).
    pub fn zoom_meetings_of(&self, marker_prefix: &str) -> Vec<Value> {
        self.state()
            .zoom
            .values()
            .filter(|m| m["agenda"].as_str().is_some_and(|a| a.starts_with(marker_prefix)))
            .cloned()
            .collect()
    }

    /// Every recorded request as one text, to look for patient data in.
    pub fn everything_sent(&self) -> String {
        let state = self.state();
        state.seen.iter().map(|s| format!("{} {}\n{}\n{}\n", s.method, s.url, s.headers, s.body)).collect()
    }
}

struct Handler(Arc<Mutex<State>>);

impl Respond for Handler {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let started = Instant::now();
        let mut state = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let method = request.method.as_str().to_owned();
        let path = request.url.path().to_owned();
        let body: Value = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
        let headers = request
            .headers
            .iter()
            .map(|(k, v)| format!("{k}: {}", v.to_str().unwrap_or("?")))
            .collect::<Vec<_>>()
            .join("\n");
        state.seen.push(Seen {
            method: method.clone(),
            url: request.url.to_string(),
            headers,
            body: String::from_utf8_lossy(&request.body).into_owned(),
        });
        if let Some(line) = std::env::var_os("FRONTDESK_PROVIDER_REQUESTS") {
            use std::io::Write;
            if let Ok(mut f) = std::fs::OpenOptions::new().create(true).append(true).open(line) {
                let _ = writeln!(f, "{method} {}\n{}", request.url, String::from_utf8_lossy(&request.body));
            }
        }
        let latency = state.latency;
        let answer = answer(&mut state, request, &method, &path, body);
        state.busy += started.elapsed() + latency;
        drop(state);
        answer.set_delay(latency)
    }
}

fn answer(state: &mut State, request: &Request, method: &str, path: &str, body: Value) -> ResponseTemplate {
    let authorized = request
        .headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("Bearer ") && v.len() > 7);
    if !authorized {
        return ResponseTemplate::new(401)
            .set_body_json(json!({ "code": 124, "message": "Invalid access token." }));
    }
    let position = state.forced.iter().position(|f| f.method.is_none_or(|m| m == method));
    if let Some(forced) = position.and_then(|i| state.forced.remove(i)) {
        let mut template = ResponseTemplate::new(forced.status).set_body_json(forced.body);
        if let Some(seconds) = forced.retry_after {
            template = template.insert_header("Retry-After", seconds.to_string().as_str());
        }
        return template;
    }
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    match (method, parts.as_slice()) {
        ("POST", ["v2", "users", user, "meetings"]) => {
            if !take_zoom_call(state, user) {
                return zoom_daily_limit();
            }
            state.next_id += 1;
            let id = state.next_id;
            let mut meeting = body;
            meeting["id"] = json!(id);
            meeting["host_email"] = json!(format!("{user}"));
            meeting["join_url"] = json!(format!("https://zoom.us/j/{id}?pwd=standin"));
            state.zoom.insert(id, meeting.clone());
            ResponseTemplate::new(201).set_body_json(meeting)
        }
        ("GET", ["v2", "users", _user, "meetings"]) => {
            let meetings: Vec<Value> = state
                .zoom
                .values()
                .map(|m| json!({ "id": m["id"], "topic": m["topic"], "start_time": m["start_time"], "agenda": m["agenda"], "join_url": m["join_url"] }))
                .collect();
            ResponseTemplate::new(200)
                .set_body_json(json!({ "page_size": 300, "total_records": meetings.len(), "next_page_token": "", "meetings": meetings }))
        }
        (_, ["v2", "meetings", id]) => {
            let Some(id) = id.parse::<i64>().ok().filter(|id| state.zoom.contains_key(id)) else {
                return ResponseTemplate::new(404).set_body_json(
                    json!({ "code": 3001, "message": format!("Meeting does not exist: {id}.") }),
                );
            };
            match method {
                "GET" => {
                    let mut meeting = state.zoom[&id].clone();
                    meeting["start_url"] = json!(format!("https://zoom.us/s/{id}?zak=host-secret-{id}"));
                    ResponseTemplate::new(200).set_body_json(meeting)
                }
                "PATCH" => {
                    if !take_zoom_call(state, "me") {
                        return zoom_daily_limit();
                    }
                    let meeting = state.zoom.get_mut(&id).expect("checked above");
                    merge(meeting, body);
                    ResponseTemplate::new(204)
                }
                "DELETE" => {
                    state.zoom.remove(&id);
                    ResponseTemplate::new(204)
                }
                _ => ResponseTemplate::new(405),
            }
        }
        ("POST", ["v1.0", "me", "onlineMeetings", "createOrGet"]) => {
            let external = body["externalId"].as_str().unwrap_or_default().to_owned();
            if let Some(existing) = state.teams.values().find(|m| m["externalId"] == json!(external)) {
                return ResponseTemplate::new(200).set_body_json(existing.clone());
            }
            state.next_id += 1;
            let id = format!("MSo{}", state.next_id);
            let mut meeting = body;
            meeting["id"] = json!(id);
            meeting["joinWebUrl"] = json!(format!("https://teams.microsoft.com/l/meetup-join/{id}"));
            state.teams.insert(id, meeting.clone());
            ResponseTemplate::new(201).set_body_json(meeting)
        }
        (_, ["v1.0", "me", "onlineMeetings", id]) => {
            let id = (*id).to_owned();
            if !state.teams.contains_key(&id) {
                return ResponseTemplate::new(404).set_body_json(
                    json!({ "error": { "code": "NotFound", "message": "The meeting was not found." } }),
                );
            }
            match method {
                "GET" => ResponseTemplate::new(200).set_body_json(state.teams[&id].clone()),
                "PATCH" => {
                    let meeting = state.teams.get_mut(&id).expect("checked above");
                    merge(meeting, body);
                    ResponseTemplate::new(200).set_body_json(meeting.clone())
                }
                "DELETE" => {
                    state.teams.remove(&id);
                    ResponseTemplate::new(204)
                }
                _ => ResponseTemplate::new(405),
            }
        }
        _ => ResponseTemplate::new(404).set_body_json(json!({ "code": 404, "message": "No such endpoint." })),
    }
}

fn take_zoom_call(state: &mut State, user: &str) -> bool {
    let count = state.zoom_calls.entry(user.to_owned()).or_default();
    if *count >= ZOOM_DAILY_LIMIT {
        return false;
    }
    *count += 1;
    true
}

fn zoom_daily_limit() -> ResponseTemplate {
    ResponseTemplate::new(429).set_body_json(json!({
        "code": 429,
        "message": "You have reached the maximum daily rate limit for this API. Refer to the response header for details on when you can make another request."
    }))
}

fn merge(target: &mut Value, patch: Value) {
    match (target, patch) {
        (Value::Object(t), Value::Object(p)) => {
            for (k, v) in p {
                merge(t.entry(k).or_insert(Value::Null), v);
            }
        }
        (t, p) => *t = p,
    }
}
