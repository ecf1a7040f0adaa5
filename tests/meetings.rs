//! Telehealth meetings through the outbox, against a stateful stand-in of Zoom and Graph on
//! 127.0.0.1 (tests/common/standin.rs), with the doctor's accounts connected through the real
//! OAuth server and tokens in the real OS keyring. Every test ends by checking that nothing the
//! stand-in received holds the patient's name, e-mail, phone, date of birth or note.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests panic on purpose

mod common;

use std::sync::Arc;
use std::time::Duration;

use chrono::{NaiveDate, Utc};
use common::desk::Desk;
use common::standin::{Standin, ZOOM_DAILY_LIMIT};
use frontdesk_core::store::NewPatient;
use frontdesk_core::{
    Appointment, AppointmentId, BookingRequest, LocalTime, MeetingState, Mode, PatientId, Provider, TypeId,
    Waiting,
};
use frontdesk_meetings::{MeetingCalls, Meetings, Worker};
use frontdesk_settings::Setting;
use serde_json::Value;

/// Everything the clinic knows of the patient: none of it may reach Zoom or Microsoft.
const PATIENT: [&str; 5] = [
    "Juniper Quintessa Delacroix",
    "juniper.delacroix@mail.example",
    "416 555 0199",
    "1984-02-29",
    "allergic to penicillin",
];
const PHI_FRAGMENTS: [&str; 7] =
    ["Juniper", "Quintessa", "Delacroix", "delacroix@", "555 0199", "1984-02-29", "penicillin"];

struct Clinic {
    desk: Desk,
    standin: Standin,
    worker: Worker,
    patient: PatientId,
    zoom_type: TypeId,
    teams_type: TypeId,
}

impl Clinic {
    async fn new() -> Clinic {
        let desk = Desk::new().await;
        desk.connect(Provider::Zoom).await;
        desk.connect(Provider::Microsoft).await;
        Clinic::around(desk).await
    }

    /// The clinic around `desk`, with the APIs at the stand-in.
    async fn around(desk: Desk) -> Clinic {
        let standin = Standin::start().await;
        let clinic_store = &desk.store;
        let patient = clinic_store
            .add_patient(
                &desk.admin,
                &NewPatient {
                    full_name: PATIENT[0].into(),
                    email: Some(PATIENT[1].into()),
                    phone: Some(PATIENT[2].into()),
                    date_of_birth: Some(PATIENT[3].into()),
                    note: Some(PATIENT[4].into()),
                },
            )
            .await
            .unwrap()
            .id;
        let zoom_type =
            clinic_store.add_type(&desk.admin, "Telehealth consult", 30, Mode::Zoom).await.unwrap().id;
        let teams_type =
            clinic_store.add_type(&desk.admin, "Teams follow-up", 20, Mode::Teams).await.unwrap().id;
        let worker = Meetings::worker(desk.accounts.clone(), |_| {});
        let clinic = Clinic { desk, standin, worker, patient, zoom_type, teams_type };
        clinic.online().await;
        clinic
    }

    /// Sets a provider setting; an address is pointed behind the settings' back (the tests move
    /// the providers' addresses while doctors are connected, which the app refuses).
    async fn set(&self, key: Setting, value: &str) {
        match key.token_address_of() {
            Some(_) => self.desk.point(key, value).await,
            None => {
                self.desk.accounts.settings().config_set(&self.desk.admin, key, Some(value)).await.unwrap()
            }
        }
    }

    async fn online(&self) {
        self.set(Setting::ZoomApiBase, &self.standin.zoom_base()).await;
        self.set(Setting::MicrosoftGraphBase, &self.standin.graph_base()).await;
    }

    /// Points both APIs at a port nothing listens on.
    async fn offline(&self) {
        let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
        self.set(Setting::ZoomApiBase, &format!("http://{dead}/v2")).await;
        self.set(Setting::MicrosoftGraphBase, &format!("http://{dead}/v1.0")).await;
    }

    /// What one `SELECT count(*)` answers on the clinic's server.
    fn count_sql(&self, sql: &str) -> i64 {
        let url = self.desk.server.as_deref().expect("on the server");
        let out = std::process::Command::new("psql").args(["-qtA", url, "-c", sql]).output().unwrap();
        String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
    }

    /// Runs SQL on the clinic's server past the store (to stage what the app never writes).
    fn desk_sql(&self, sql: &str) {
        let url = self.desk.server.as_deref().expect("on the server");
        let out =
            std::process::Command::new("psql").args(["-q", "-v", "ON_ERROR_STOP=1", url, "-c", sql]).output();
        assert!(out.unwrap().status.success());
    }

    async fn book(&self, type_id: TypeId, day: u32, hour: u32) -> Appointment {
        let request = BookingRequest {
            patient_id: self.patient,
            doctor_id: self.desk.doctor,
            type_id,
            start: local(day, hour),
            allow_overlap: false,
            allow_outside_hours: false,
            topic: None,
            description: Some(PATIENT[4].into()),
        };
        self.desk.store.book(&self.desk.admin, &request).await.unwrap()
    }

    async fn move_to(&self, id: AppointmentId, day: u32, hour: u32) {
        self.desk.store.move_appointment(&self.desk.admin, id, local(day, hour), false, false).await.unwrap();
    }

    async fn cancel(&self, id: AppointmentId) {
        self.desk.store.cancel(&self.desk.admin, id, "patient asked").await.unwrap();
    }

    async fn meeting(&self, id: AppointmentId) -> frontdesk_core::MeetingInfo {
        self.desk
            .store
            .appointment(id)
            .await
            .unwrap()
            .appointment
            .meeting
            .expect("a telehealth appointment has a meeting")
    }

    async fn pass(&self) -> frontdesk_meetings::PassReport {
        self.worker.run_pass(true).await.unwrap()
    }

    async fn marker(&self, id: AppointmentId) -> String {
        format!("frontdesk:{}:appointment:{id}:", self.desk.uid().await)
    }

    fn assert_no_patient_data_sent(&self) {
        let sent = self.standin.everything_sent();
        assert!(!sent.is_empty());
        for fragment in PHI_FRAGMENTS {
            assert!(!sent.contains(fragment), "patient data {fragment:?} was sent to a provider:\n{sent}");
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn zoom_book_move_cancel_creates_updates_and_deletes_one_meeting() {
    let clinic = Clinic::new().await;
    let booked = clinic.book(clinic.zoom_type, 5, 9).await;
    let pending = clinic.meeting(booked.id).await;
    assert_eq!((pending.state, pending.waiting), (MeetingState::Pending, Some(Waiting::Queued)));
    assert!(clinic.standin.writes().is_empty(), "booking returns before any call");

    assert_eq!(clinic.pass().await.ready, 1);
    let ready = clinic.meeting(booked.id).await;
    assert_eq!(ready.state, MeetingState::Ready);
    let made = clinic.standin.zoom_meetings_of(&clinic.marker(booked.id).await);
    assert_eq!(made.len(), 1);
    let meeting = &made[0];
    assert_eq!(ready.join_url.as_deref(), meeting["join_url"].as_str());
    assert_eq!(meeting["topic"], "Telehealth consult — J.D.");
    assert_eq!(meeting["start_time"], "2031-05-05T13:00:00Z", "UTC with Z");
    assert_eq!(meeting["timezone"], "America/Toronto");
    assert_eq!(meeting["duration"], 30);
    assert_eq!(meeting["settings"]["waiting_room"], true);
    assert_eq!(meeting["settings"]["join_before_host"], false);
    assert_eq!(meeting["settings"]["auto_recording"], "none", "never recorded");
    let passcode = meeting["password"].as_str().unwrap();
    assert_eq!(passcode.len(), 10);
    assert!(meeting["id"].as_i64().unwrap() > i64::from(u32::MAX), "64-bit meeting numbers survive");

    // Two moves before the worker runs send one update, with the last time.
    clinic.move_to(booked.id, 5, 10).await;
    clinic.move_to(booked.id, 5, 11).await;
    clinic.pass().await;
    let writes = clinic.standin.writes();
    assert_eq!(writes.iter().filter(|w| w.starts_with("PATCH")).count(), 1, "{writes:?}");
    let made = clinic.standin.zoom_meetings_of(&clinic.marker(booked.id).await);
    assert_eq!(made[0]["start_time"], "2031-05-05T15:00:00Z");
    assert_eq!(clinic.meeting(booked.id).await.state, MeetingState::Ready);

    clinic.cancel(booked.id).await;
    assert_eq!(clinic.pass().await.cancelled, 1);
    assert_eq!(clinic.meeting(booked.id).await.state, MeetingState::Cancelled);
    assert!(clinic.standin.state().zoom.is_empty());
    assert_eq!(clinic.standin.writes().len(), 3, "create, one update, delete");
    let audit: Vec<String> = clinic.desk.audit_actions().await;
    assert!(
        audit.contains(&"meeting_ready".to_owned()) && audit.contains(&"meeting_cancelled".to_owned()),
        "{audit:?}"
    );
    clinic.assert_no_patient_data_sent();
}

/// A visit rescheduled from a Zoom type to a Teams one stays one visit: its Zoom meeting is
/// deleted and a Teams meeting made, with the new link in the patient's hands; rescheduled to a
/// type held in person, the Teams meeting is deleted too.
#[tokio::test(flavor = "multi_thread")]
async fn a_visit_rescheduled_to_another_provider_or_in_person_takes_its_meeting_along() {
    let clinic = Clinic::new().await;
    let booked = clinic.book(clinic.zoom_type, 7, 9).await;
    clinic.pass().await;
    let zoom_link = clinic.meeting(booked.id).await.join_url.unwrap();
    assert_eq!(clinic.standin.state().zoom.len(), 1);

    let store = &clinic.desk.store;
    let to_teams = frontdesk_core::Reschedule {
        to: local(7, 11),
        doctor_id: None,
        type_id: Some(clinic.teams_type),
        allow_overlap: false,
        allow_outside_hours: false,
    };
    store.reschedule(&clinic.desk.admin, booked.id, &to_teams).await.unwrap();
    // One pass deletes where it was, the next (due at once) makes it anew.
    assert_eq!(clinic.pass().await.cancelled, 1);
    assert_eq!(clinic.pass().await.ready, 1);
    assert!(clinic.standin.state().zoom.is_empty(), "the Zoom meeting is deleted");
    let teams: Vec<Value> = clinic.standin.state().teams.values().cloned().collect();
    assert_eq!(teams.len(), 1);
    assert_eq!(teams[0]["startDateTime"], "2031-05-07T15:00:00Z");
    assert_eq!(teams[0]["endDateTime"], "2031-05-07T15:20:00Z", "the Teams type's 20 minutes");
    let ready = clinic.meeting(booked.id).await;
    assert_eq!(ready.state, MeetingState::Ready);
    assert_ne!(ready.join_url.as_deref(), Some(zoom_link.as_str()));
    assert!(ready.join_url.unwrap().starts_with("https://teams.microsoft.com/"));

    let in_person =
        store.add_type(&clinic.desk.admin, "Visit in person", 30, Mode::InPerson).await.unwrap().id;
    let held_here = frontdesk_core::Reschedule { type_id: Some(in_person), ..to_teams };
    store.reschedule(&clinic.desk.admin, booked.id, &held_here).await.unwrap();
    clinic.pass().await;
    assert!(clinic.standin.state().teams.is_empty(), "the Teams meeting is deleted");
    assert_eq!(clinic.meeting(booked.id).await.state, MeetingState::Cancelled);
    // Teams' createOrGet takes no lobby or recording settings: a PATCH follows it.
    let writes: Vec<String> =
        clinic.standin.writes().iter().map(|w| w.split(' ').next().unwrap_or_default().to_owned()).collect();
    assert_eq!(
        writes,
        ["POST", "DELETE", "POST", "PATCH", "DELETE"],
        "Zoom create and delete, Teams create and delete"
    );
    clinic.assert_no_patient_data_sent();
}

#[tokio::test(flavor = "multi_thread")]
async fn teams_uses_create_or_get_and_the_organizer_only_lobby() {
    let clinic = Clinic::new().await;
    let booked = clinic.book(clinic.teams_type, 6, 9).await;
    clinic.pass().await;
    let ready = clinic.meeting(booked.id).await;
    assert_eq!(ready.state, MeetingState::Ready);
    let meetings: Vec<Value> = clinic.standin.state().teams.values().cloned().collect();
    assert_eq!(meetings.len(), 1);
    let meeting = &meetings[0];
    assert_eq!(meeting["subject"], "Teams follow-up — J.D.");
    assert_eq!(meeting["startDateTime"], "2031-05-06T13:00:00Z");
    assert_eq!(meeting["endDateTime"], "2031-05-06T13:20:00Z");
    assert_eq!(meeting["lobbyBypassSettings"]["scope"], "organizer");
    assert_eq!(meeting["recordAutomatically"], false, "never recorded");
    assert_eq!(meeting["externalId"], clinic.marker(booked.id).await.trim_end_matches(':'));

    // Sending the same job again (as after a crash) gets the same meeting back.
    let created = clinic
        .desk
        .accounts
        .create_meeting(
            clinic.desk.doctor,
            Provider::Microsoft,
            &frontdesk_meetings::MeetingSpec {
                title: "Teams follow-up — J.D.".into(),
                start: booked.start,
                end: booked.end,
                tz: "America/Toronto".into(),
                marker: meeting["externalId"].as_str().unwrap().into(),
            },
        )
        .await
        .unwrap();
    assert_eq!(Some(created.join_url.as_str()), ready.join_url.as_deref());
    assert_eq!(clinic.standin.state().teams.len(), 1);

    clinic.move_to(booked.id, 6, 14).await;
    clinic.pass().await;
    let meeting = clinic.standin.state().teams.values().next().cloned().unwrap();
    assert_eq!(meeting["startDateTime"], "2031-05-06T18:00:00Z");
    assert_eq!(meeting["endDateTime"], "2031-05-06T18:20:00Z", "Graph gets both ends");

    clinic.cancel(booked.id).await;
    clinic.pass().await;
    assert!(clinic.standin.state().teams.is_empty());
    assert_eq!(clinic.meeting(booked.id).await.state, MeetingState::Cancelled);
    clinic.assert_no_patient_data_sent();
}

/// A worker dies after Graph made the meeting and before the answer is stored; the visit is then
/// cancelled. The next worker still deletes that meeting: Graph lists no one's meetings, so it
/// gets it back with createOrGet and deletes it.
#[tokio::test(flavor = "multi_thread")]
async fn a_teams_meeting_made_by_a_killed_worker_is_deleted_when_the_visit_is_cancelled() {
    let clinic = Clinic::new().await;
    let booked = clinic.book(clinic.teams_type, 6, 9).await;
    let crashed = clinic
        .desk
        .cli_command()
        .args(["outbox", "run", "--once"])
        .env("FRONTDESK_CRASH_AT", "outbox:after-create")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(!crashed.success(), "the worker died at the crash point");
    assert_eq!(clinic.standin.state().teams.len(), 1, "Graph made the meeting");
    assert_eq!(clinic.meeting(booked.id).await.state, MeetingState::Pending, "its answer was never stored");

    clinic.cancel(booked.id).await;
    clinic.pass().await;
    assert!(clinic.standin.state().teams.is_empty(), "{:?}", clinic.standin.writes());
    assert_eq!(clinic.meeting(booked.id).await.state, MeetingState::Cancelled);
    clinic.assert_no_patient_data_sent();
}

#[tokio::test(flavor = "multi_thread")]
async fn offline_bookings_wait_and_go_when_the_provider_is_back() {
    let clinic = Clinic::new().await;
    clinic.offline().await;
    let booked = clinic.book(clinic.zoom_type, 7, 9).await;
    let before = Utc::now();
    assert_eq!(clinic.pass().await.waiting, 1);
    let waiting = clinic.meeting(booked.id).await;
    assert_eq!((waiting.state, waiting.waiting), (MeetingState::Pending, Some(Waiting::Offline)));
    let due = waiting.due.expect("a retry time");
    assert!(due > before + chrono::TimeDelta::seconds(2), "backs off: {due}");

    // Book then cancel while offline: no call at all, ever.
    let never = clinic.book(clinic.zoom_type, 7, 11).await;
    clinic.cancel(never.id).await;

    clinic.online().await;
    let report = clinic.pass().await;
    assert_eq!((report.ready, report.cancelled), (1, 1));
    assert_eq!(clinic.meeting(booked.id).await.state, MeetingState::Ready);
    assert_eq!(clinic.meeting(never.id).await.state, MeetingState::Cancelled);
    assert_eq!(clinic.standin.writes().len(), 1, "one create: {:?}", clinic.standin.writes());
    assert!(clinic.standin.zoom_meetings_of(&clinic.marker(never.id).await).is_empty());
    clinic.assert_no_patient_data_sent();
}

#[tokio::test(flavor = "multi_thread")]
async fn an_expired_token_401_code_124_is_refreshed_once_and_the_call_repeated() {
    let clinic = Clinic::new().await;
    let booked = clinic.book(clinic.zoom_type, 8, 9).await;
    clinic.standin.force(
        Some("POST"),
        401,
        None,
        serde_json::json!({ "code": 124, "message": "Invalid access token." }),
    );
    clinic.pass().await;
    assert_eq!(clinic.meeting(booked.id).await.state, MeetingState::Ready);
    assert_eq!(clinic.standin.zoom_meetings_of(&clinic.marker(booked.id).await).len(), 1);
    assert_eq!(clinic.desk.peer.stats("zoom").await["token_requests"]["refresh_token"], 1);
    clinic.assert_no_patient_data_sent();
}

#[tokio::test(flavor = "multi_thread")]
async fn rate_limits_are_honoured_with_and_without_retry_after() {
    let clinic = Clinic::new().await;
    let booked = clinic.book(clinic.zoom_type, 9, 9).await;
    let slow_down = serde_json::json!({ "code": 429, "message": "You have exceeded the rate limit." });

    clinic.standin.force(Some("POST"), 429, Some(120), slow_down.clone());
    let before = Utc::now();
    clinic.pass().await;
    let waiting = clinic.meeting(booked.id).await;
    assert_eq!(waiting.waiting, Some(Waiting::Retrying));
    let due = waiting.due.unwrap();
    assert!(
        due >= before + chrono::TimeDelta::seconds(119)
            && due <= Utc::now() + chrono::TimeDelta::seconds(121),
        "{due}"
    );

    clinic.standin.force(Some("POST"), 429, None, slow_down);
    let before = Utc::now();
    clinic.pass().await;
    let due = clinic.meeting(booked.id).await.due.unwrap();
    // The second try waits 10 s, jittered to 5..10 s.
    assert!(
        due >= before + chrono::TimeDelta::seconds(4) && due <= Utc::now() + chrono::TimeDelta::seconds(11),
        "{due}"
    );

    clinic.pass().await;
    assert_eq!(clinic.meeting(booked.id).await.state, MeetingState::Ready);
    clinic.assert_no_patient_data_sent();
}

#[tokio::test(flavor = "multi_thread")]
async fn zooms_daily_limit_holds_the_doctors_jobs_until_midnight_utc() {
    let clinic = Clinic::new().await;
    clinic.standin.state().zoom_calls.insert("me".into(), ZOOM_DAILY_LIMIT);
    let first = clinic.book(clinic.zoom_type, 12, 9).await;
    clinic.pass().await;
    let held = clinic.meeting(first.id).await;
    assert_eq!((held.state, held.waiting), (MeetingState::Pending, Some(Waiting::Quota)));
    let due = held.due.unwrap();
    assert_eq!(due.date_naive(), Utc::now().date_naive().succ_opt().unwrap());
    let jobs = clinic.desk.store.outbox_jobs().await.unwrap();
    assert!(jobs[0].reason.as_deref().unwrap().contains("daily limit"), "{jobs:?}");

    // Known to be used up: the next job is held without asking Zoom again.
    let calls = clinic.standin.state().seen.len();
    let second = clinic.book(clinic.zoom_type, 12, 11).await;
    clinic.pass().await;
    assert_eq!(clinic.meeting(second.id).await.waiting, Some(Waiting::Quota));
    assert_eq!(clinic.standin.state().seen.len(), calls);
    clinic.assert_no_patient_data_sent();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refusal_fails_with_the_reason_and_retry_sends_it_again() {
    let clinic = Clinic::new().await;
    let booked = clinic.book(clinic.zoom_type, 13, 9).await;
    clinic.standin.force(
        Some("POST"),
        400,
        None,
        serde_json::json!({ "code": 300, "message": "Invalid meeting start time." }),
    );
    assert_eq!(clinic.pass().await.failed, 1);
    let failed = clinic.meeting(booked.id).await;
    assert_eq!(failed.state, MeetingState::Failed);
    assert!(failed.error.as_deref().unwrap().contains("Invalid meeting start time"), "{failed:?}");
    // Failed jobs are not retried on their own.
    assert_eq!(clinic.pass().await, frontdesk_meetings::PassReport::default());

    clinic.desk.store.retry_meeting(&clinic.desk.admin, booked.id).await.unwrap();
    clinic.pass().await;
    assert_eq!(clinic.meeting(booked.id).await.state, MeetingState::Ready);

    // A 404 on delete counts as done.
    clinic.standin.state().zoom.clear();
    clinic.cancel(booked.id).await;
    clinic.pass().await;
    assert_eq!(clinic.meeting(booked.id).await.state, MeetingState::Cancelled);
    clinic.assert_no_patient_data_sent();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_doctor_without_a_connection_waits_and_goes_once_connected() {
    let clinic = Clinic::new().await;
    clinic.desk.accounts.disconnect(&clinic.desk.admin, clinic.desk.doctor, Provider::Zoom).await.unwrap();
    let booked = clinic.book(clinic.zoom_type, 14, 9).await;
    clinic.worker.run_pass(false).await.unwrap();
    let waiting = clinic.meeting(booked.id).await;
    assert_eq!(waiting.waiting, Some(Waiting::NotConnected));
    assert!(waiting.due.unwrap() > Utc::now() + chrono::TimeDelta::minutes(30));

    // Connecting reads the account's identity from the OAuth server's API.
    clinic.set(Setting::ZoomApiBase, &format!("{}/v2", clinic.desk.peer.zoom)).await;
    clinic.desk.connect(Provider::Zoom).await;
    clinic.online().await;
    // Connecting made the job due now: a normal pass (not --once) sends it.
    clinic.worker.run_pass(false).await.unwrap();
    assert_eq!(clinic.meeting(booked.id).await.state, MeetingState::Ready);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_command_line_lists_runs_and_shows_meetings_without_the_host_link() {
    let clinic = Clinic::new().await;
    let booked = clinic.book(clinic.zoom_type, 15, 9).await;
    let list = clinic.desk.cli(&["--json", "outbox", "list"]).ok().json();
    assert_eq!(list[0]["appointment_id"], booked.id.0);
    assert_eq!(list[0]["state"], "pending");

    let run = clinic.desk.cli(&["--json", "outbox", "run", "--once"]).ok().json();
    assert_eq!(run["ready"], 1);
    let shown = clinic.desk.cli(&["--json", "show", &booked.id.to_string()]).ok().json();
    assert_eq!(shown["meeting"]["provider"], "zoom");
    assert_eq!(shown["meeting"]["state"], "ready");
    assert!(shown["meeting"]["join_url"].as_str().unwrap().contains("/j/"));
    assert_eq!(shown["meeting"]["error"], Value::Null);
    // The host link exists at the provider, but never leaves it through the command line.
    let host = clinic
        .desk
        .accounts
        .host_link(
            clinic.desk.doctor,
            Provider::Zoom,
            &clinic.desk.store.meeting_ref(booked.id).await.unwrap().unwrap().1,
        )
        .await
        .unwrap();
    assert!(host.contains("/s/"));
    assert!(!shown.to_string().contains("/s/") && !shown.to_string().contains("zak="));

    // A refused job shows its reason, and `outbox retry` puts it back.
    let second = clinic.book(clinic.zoom_type, 15, 11).await;
    clinic.standin.force(
        Some("POST"),
        400,
        None,
        serde_json::json!({ "code": 300, "message": "Invalid field." }),
    );
    clinic.desk.cli(&["outbox", "run", "--once"]).ok();
    let list = clinic.desk.cli(&["--json", "outbox", "list"]).ok().json();
    assert_eq!(list[0]["state"], "failed");
    let job = list[0]["id"].as_i64().unwrap().to_string();
    clinic.desk.cli(&["outbox", "retry", &job]).ok();
    clinic.desk.cli(&["outbox", "retry", &job]).refused("has not failed");
    clinic.desk.cli(&["outbox", "retry", "999"]).refused("does not exist");
    clinic.desk.cli(&["outbox", "run", "--once"]).ok();
    assert_eq!(clinic.meeting(second.id).await.state, MeetingState::Ready);
    clinic.assert_no_patient_data_sent();
}

#[tokio::test(flavor = "multi_thread")]
async fn reconcile_reports_and_deletes_meetings_no_appointment_owns() {
    let clinic = Clinic::new().await;
    let kept = clinic.book(clinic.zoom_type, 16, 9).await;
    let lost = clinic.book(clinic.zoom_type, 16, 11).await;
    clinic.pass().await;
    // A meeting made for `lost` whose answer the desk never stored (a second one).
    let stray = {
        let mut state = clinic.standin.state();
        let mut copy = state.zoom.values().last().cloned().unwrap();
        copy["id"] = serde_json::json!(99_999_999_999_i64);
        state.zoom.insert(99_999_999_999, copy);
        99_999_999_999_i64
    };
    // On the clinic's server, the desk asks the clinic service, which holds the tokens.
    let _service = clinic.desk.service();
    let report = clinic.desk.cli(&["--json", "reconcile"]).ok().json();
    let zoom = report.as_array().unwrap().iter().find(|r| r["provider"] == "zoom").unwrap();
    let orphans = zoom["orphans"].as_array().unwrap();
    assert_eq!(orphans.len(), 1, "{report}");
    assert_eq!(orphans[0]["meeting_id"], stray.to_string());
    assert_eq!(orphans[0]["appointment_id"], lost.id.0);
    assert!(clinic.standin.state().zoom.contains_key(&stray), "reported only");
    let teams = report.as_array().unwrap().iter().find(|r| r["provider"] == "microsoft").unwrap();
    assert_eq!(teams["listed"], false);

    clinic.desk.cli(&["reconcile", "--doctor", &clinic.desk.doctor.to_string(), "--delete"]).ok();
    assert!(!clinic.standin.state().zoom.contains_key(&stray));
    assert_eq!(clinic.standin.state().zoom.len(), 2, "the owned meetings stay");
    assert!(clinic.desk.audit_actions().await.contains(&"orphan_meeting_deleted".to_owned()));
    let _ = kept;
    clinic.assert_no_patient_data_sent();
}

#[tokio::test(flavor = "multi_thread")]
async fn two_workers_at_once_never_send_a_job_twice() {
    let clinic = Clinic::new().await;
    let mut ids = Vec::new();
    for hour in 8..18 {
        ids.push(clinic.book(clinic.zoom_type, 19, hour).await.id);
        ids.push(clinic.book(clinic.teams_type, 20, hour).await.id);
    }
    let mut children: Vec<_> = (0..2)
        .map(|_| clinic.desk.cli_command().args(["outbox", "run", "--once"]).spawn().unwrap())
        .collect();
    let in_process = clinic.pass().await;
    for child in &mut children {
        assert!(child.wait().unwrap().success());
    }
    let _ = in_process;
    let writes = clinic.standin.writes();
    let zoom_creates = writes.iter().filter(|w| w.starts_with("POST") && w.contains("/users/")).count();
    let teams_creates = writes.iter().filter(|w| w.contains("createOrGet")).count();
    assert_eq!((zoom_creates, teams_creates), (10, 10), "{writes:?}");
    for id in ids {
        assert_eq!(clinic.meeting(id).await.state, MeetingState::Ready);
    }
}

/// The worker process is killed at random points, including between the provider's answer and
/// the local write; afterwards every appointment has exactly one meeting at the stand-in (none
/// once cancelled) and none is lost.
#[tokio::test(flavor = "multi_thread")]
async fn killing_the_worker_anywhere_never_makes_a_second_meeting() {
    killed_anywhere(1).await;
}

/// Two clinic services (two computers, each with its own data folder) on one PostgreSQL server,
/// each killed at random points in each run: still one meeting per appointment, none for a
/// cancelled one.
#[tokio::test(flavor = "multi_thread")]
async fn two_clinic_services_killed_anywhere_never_make_a_second_meeting() {
    if !common::on_postgres() {
        return; // two computers share a server; the PostgreSQL run of this suite has one
    }
    killed_anywhere(2).await;
}

/// 200 runs of booking, moving and cancelling, each followed by `services` workers sent at once,
/// each killed at a crash point or at a random moment; then every appointment is checked at the
/// provider.
async fn killed_anywhere(services: usize) {
    const RUNS: u32 = 200;
    let clinic = Clinic::new().await;
    // The other computers' data folders (their own locks and worker ids).
    let others: Vec<tempfile::TempDir> = (1..services).map(|_| tempfile::tempdir().unwrap()).collect();
    let points = ["outbox:before-create", "outbox:after-create", "outbox:before-record"];
    let mut booked = Vec::new();
    let mut aborted = 0;
    let mut seed: u64 = 0x5eed_1234_abcd_0001;
    let mut random = move |n: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % n
    };
    for run in 0..RUNS {
        let day = 1 + (run % 28);
        let hour = 6 + (run / 28);
        // One in five is Zoom: Zoom allows 100 creates and updates per host per day.
        let zoom = random(5) == 0;
        let appointment =
            clinic.book(if zoom { clinic.zoom_type } else { clinic.teams_type }, day, hour).await;
        booked.push(appointment.id);
        if random(5) == 0 {
            clinic.move_to(appointment.id, day, hour).await; // a no-op move still makes a job
        }
        if random(6) == 0 {
            let victim = booked[usize::try_from(random(booked.len() as u64)).unwrap()];
            let _ = clinic.desk.store.cancel(&clinic.desk.admin, victim, "patient asked").await;
        }
        let mut children = Vec::new();
        for service in 0..services {
            let mut cmd = match service {
                0 => clinic.desk.cli_command(),
                n => {
                    let mut cmd = std::process::Command::new(common::cli_path());
                    cmd.arg("--data-dir").arg(others[n - 1].path()).env_remove("FRONTDESK_DATA_DIR");
                    cmd.env("FRONTDESK_DATABASE_URL", clinic.desk.server.as_deref().expect("on the server"));
                    cmd
                }
            };
            cmd.args(["outbox", "run", "--once"])
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null());
            if random(2) == 0 {
                cmd.env("FRONTDESK_CRASH_AT", points[usize::try_from(random(3)).unwrap()]);
                children.push((cmd.spawn().unwrap(), None));
            } else {
                children.push((cmd.spawn().unwrap(), Some(Duration::from_millis(random(120)))));
            }
        }
        for (mut child, kill_after) in children {
            match kill_after {
                // Aborted at the point, or finished when no job reached it.
                None => {
                    if !child.wait().unwrap().success() {
                        aborted += 1;
                    }
                }
                Some(after) => {
                    tokio::time::sleep(after).await;
                    let _ = child.kill();
                    let _ = child.wait();
                }
            }
        }
    }
    // One clean pass of each service finishes whatever the killed workers left (each takes back
    // at once the jobs it held when it was killed).
    for _ in 0..2 {
        clinic.desk.cli(&["outbox", "run", "--once"]).ok();
        for other in &others {
            let mut cmd = std::process::Command::new(common::cli_path());
            cmd.arg("--data-dir").arg(other.path()).env_remove("FRONTDESK_DATA_DIR");
            cmd.env("FRONTDESK_DATABASE_URL", clinic.desk.server.as_deref().expect("on the server"));
            common::run_with(cmd.args(["outbox", "run", "--once"])).ok();
        }
    }
    let jobs = clinic.desk.store.outbox_jobs().await.unwrap();
    assert!(jobs.is_empty(), "every job is done: {jobs:?}");
    let teams: Vec<Value> = clinic.standin.state().teams.values().cloned().collect();
    for id in &booked {
        let detail = clinic.desk.store.appointment(*id).await.unwrap();
        let meeting = detail.appointment.meeting.expect("no appointment is lost");
        let cancelled = detail.appointment.status == frontdesk_core::Status::Cancelled;
        let marker = clinic.marker(*id).await;
        let at_provider = match meeting.provider {
            Provider::Zoom => clinic.standin.zoom_meetings_of(&marker).len(),
            Provider::Microsoft => {
                teams.iter().filter(|m| m["externalId"] == marker.trim_end_matches(':')).count()
            }
        };
        if cancelled {
            assert_eq!((meeting.state, at_provider), (MeetingState::Cancelled, 0), "appointment {id}");
        } else {
            assert_eq!((meeting.state, at_provider), (MeetingState::Ready, 1), "appointment {id}");
        }
    }
    assert_eq!(booked.len(), RUNS as usize);
    let creates = clinic.standin.writes().iter().filter(|w| w.starts_with("POST")).count();
    println!(
        "crash test: {RUNS} runs of {services} worker(s), {aborted} aborted at a crash point, the rest killed at random; {creates} creates sent"
    );
    clinic.assert_no_patient_data_sent();
}

#[tokio::test(flavor = "multi_thread")]
async fn the_running_worker_picks_up_a_new_booking_at_once() {
    let clinic = Clinic::new().await;
    let worker = Arc::new(Meetings::worker(clinic.desk.accounts.clone(), |_| {}));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn({
        let worker = worker.clone();
        async move { worker.run(async { stopped.await.unwrap_or(()) }).await }
    });
    let booked = clinic.book(clinic.zoom_type, 21, 9).await;
    worker.wake();
    let mut state = MeetingState::Pending;
    for _ in 0..100 {
        state = clinic.meeting(booked.id).await.state;
        if state == MeetingState::Ready {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(state, MeetingState::Ready);
    stop.send(()).unwrap();
    running.await.unwrap();
}

/// May `day`, 2031, at `hour`:00 in Toronto.
/// Clinic mode: the clinic service (on another computer: its own keyring) is the one keeper of
/// the tokens and the clinic's secrets. A doctor connects from a desk; the desk keeps no token
/// and the database holds none in clear; the service makes the meeting; Start as host from the
/// desk opens the fresh link, sealed to the desk and gone from the database once read. A second
/// service with another key is refused, and cannot open what was sealed to the first.
#[tokio::test(flavor = "multi_thread")]
async fn the_clinic_service_keeps_every_token_and_a_desk_none() {
    use frontdesk_settings::secrets::{self, SecretStore};
    use frontdesk_settings::{OsKeyring, Settings};
    let desk = Desk::new().await;
    let Some(url) = desk.server.clone() else {
        return; // A single computer keeps its own tokens: the tests above and tests/oauth.rs.
    };
    let hand_secret = |key: &str, value: &str| {
        use std::io::Write;
        let mut child = desk
            .cli_command()
            .args(["config", "set", key, "-"])
            .stdin(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(format!("{value}\n").as_bytes()).unwrap();
        child.wait_with_output().unwrap()
    };
    // No service yet: connecting is refused, naming what to start.
    desk.cli(&["connect", "zoom", "--doctor", &desk.doctor.to_string()]).refused("frontdesk-cli server");
    let failed = hand_secret("zoom.client_secret", "zoom-secret");
    assert!(String::from_utf8_lossy(&failed.stderr).contains("no clinic service"), "{failed:?}");

    let service_dir = tempfile::tempdir().unwrap();
    let service = common::Service::start_elsewhere(service_dir.path(), &url, &[]).unwrap();
    assert!(hand_secret("zoom.client_secret", "zoom-secret").status.success());
    let (connected, _) = desk.connect_with_cli("zoom").await;
    assert_eq!(connected["account_email"], common::desk::DR_LEE);

    // The desk's keyring holds no token, and no token is in the database in clear.
    let uid = desk.store.clinic_uid().await.unwrap();
    assert!(OsKeyring.get(&secrets::token_name(&uid, desk.doctor, Provider::Zoom)).unwrap().is_none());
    let issued: Vec<String> = desk.peer.stats("zoom").await["issued"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap().to_owned())
        .collect();
    assert!(!issued.is_empty());
    let dump = desk.database_bytes();
    for token in &issued {
        assert!(!common::desk::contains(&dump, token), "a token is in the database in clear");
    }
    assert!(!common::desk::contains(&dump, "zoom-secret"));

    // The service makes the meeting with the tokens only it has.
    let clinic = Clinic::around(desk).await;
    let visit = clinic.book(clinic.zoom_type, 16, 9).await;
    let started = std::time::Instant::now();
    while clinic.meeting(visit.id).await.state != MeetingState::Ready {
        assert!(started.elapsed() < Duration::from_secs(30), "the service made no meeting");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(clinic.standin.state().zoom.len(), 1);

    // Start as host from the desk: the service fetches the fresh link and seals it to the desk.
    let desk = &clinic.desk;
    let desk_settings = Settings::new(desk.store.clone(), Arc::new(OsKeyring));
    let desk_accounts = Arc::new(
        frontdesk_accounts::Accounts::new(
            desk_settings.clone(),
            frontdesk_core::Locks::for_store(&desk.store).unwrap(),
            Arc::new(frontdesk_core::SystemClock),
        )
        .unwrap(),
    );
    let link = desk_accounts.start_meeting(&desk.admin, visit.id).await.unwrap();
    assert!(link.expose().starts_with("https://zoom.us/s/") && link.expose().contains("zak=host-secret"));
    assert_eq!(clinic.count_sql("SELECT count(*) FROM service_requests"), 0, "no host link is left");
    assert!(!common::desk::contains(&desk.database_bytes(), "host-secret"));

    // A second computer's service is refused while the first keeps the accounts.
    let third_dir = tempfile::tempdir().unwrap();
    let refused = common::Service::start_elsewhere(third_dir.path(), &url, &[]).err().unwrap();
    assert!(
        refused.contains("kept by the clinic service on") && refused.contains("--take-over"),
        "{refused}"
    );

    // What was sealed to the first service cannot be opened by another: the first stops, a
    // secret is handed over meanwhile, and the second takes over.
    drop(service);
    let admin = desk.admin.clone();
    let handing = tokio::spawn(async move {
        desk_settings.config_set(&admin, Setting::ZoomS2sClientSecret, Some("s2s-secret")).await
    });
    while clinic.count_sql("SELECT count(*) FROM service_requests") == 0 {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let _second = common::Service::start_elsewhere(third_dir.path(), &url, &["--take-over"]).unwrap();
    let err = handing.await.unwrap().unwrap_err().to_string();
    assert!(err.contains("sealed to another computer's key"), "{err}");
    let connection = desk.store.connection(desk.doctor, Provider::Zoom).await.unwrap().unwrap();
    assert!(connection.needs_reconnect && connection.problem.unwrap().contains("reconnect"));

    // A service that has gone quiet: Start is refused at once, with where and since when.
    drop(_second);
    clinic.desk_sql("UPDATE clinic_service SET seen_at = seen_at - 60000");
    let away = desk_accounts.start_meeting(&desk.admin, visit.id).await.unwrap_err().to_string();
    assert!(away.contains("has not answered since"), "{away}");
    clinic.assert_no_patient_data_sent();
}

fn local(day: u32, hour: u32) -> LocalTime {
    let at = NaiveDate::from_ymd_opt(2031, 5, day).unwrap().and_hms_opt(hour, 0, 0).unwrap();
    LocalTime { at, tz: frontdesk_core::time::parse_zone("America/Toronto").unwrap(), fold: None }
}

/// Benchmark (run by `scripts/bench`, release build): what the app adds to each meeting beyond
/// the provider's own time, and how fast 1,000 queued jobs drain. The reference is the same
/// create request sent with a bare HTTP client to the same stand-in, in the same run.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "a benchmark: scripts/bench runs it in a release build"]
async fn bench_provisioning() {
    const MEETINGS: u32 = 90; // under Zoom's 100 creates per host per day
    const DRAIN: u32 = 1000;
    let clinic = Clinic::new().await;
    clinic.standin.state().latency = Duration::from_millis(0);

    // Reference: the bare request, as many times, to the same stand-in.
    let http = reqwest::Client::new();
    let url = format!("{}/users/me/meetings", clinic.standin.zoom_base());
    let body = serde_json::json!({ "topic": "Telehealth consult — J.D.", "type": 2, "start_time": "2031-05-01T13:00:00Z",
        "duration": 30, "timezone": "America/Toronto", "password": "abcdEF1234", "agenda": "frontdesk:x:appointment:0:attempt:1",
        "settings": { "waiting_room": true, "join_before_host": false, "auto_recording": "none" } });
    let started = std::time::Instant::now();
    for _ in 0..MEETINGS {
        let answer = http.post(&url).bearer_auth("reference").json(&body).send().await.unwrap();
        assert_eq!(answer.status(), 201);
    }
    let bare = started.elapsed() / MEETINGS;
    {
        let mut state = clinic.standin.state();
        state.zoom.clear();
        state.zoom_calls.clear();
        state.busy = Duration::ZERO;
    }

    for n in 0..MEETINGS {
        clinic.book(clinic.zoom_type, 1 + n % 28, 6 + n / 28).await;
    }
    let started = std::time::Instant::now();
    let report = clinic.pass().await;
    let app = started.elapsed() / MEETINGS;
    assert_eq!(report.ready, MEETINGS as usize);
    let provider = clinic.standin.state().busy / MEETINGS;
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "BENCH meeting_provisioning_per_meeting {:.2} ms (stand-in's own time {:.3} ms)",
        ms(app),
        ms(provider)
    );
    println!(
        "BENCH meeting_provisioning_overhead {:.2} ms ref={:.2} ratio={:.2}",
        ms(app.saturating_sub(provider)),
        ms(bare.saturating_sub(provider)),
        ms(app.saturating_sub(provider)) / ms(bare.saturating_sub(provider)).max(0.001)
    );

    // Drain: 1,000 Teams jobs queued, then sent in one pass.
    for n in 0..DRAIN {
        let request = BookingRequest {
            patient_id: clinic.patient,
            doctor_id: clinic.desk.doctor,
            type_id: clinic.teams_type,
            start: local(1 + n % 28, (n / 28) % 24),
            allow_overlap: true,
            allow_outside_hours: false,
            topic: None,
            description: None,
        };
        clinic.desk.store.book(&clinic.desk.admin, &request).await.unwrap();
    }
    let started = std::time::Instant::now();
    let report = clinic.pass().await;
    let drained = started.elapsed();
    assert_eq!(report.ready, DRAIN as usize);
    println!(
        "BENCH outbox_drain_1000_jobs {:.2} s ({:.1} jobs/s, {:.2} ms per job of which the stand-in {:.3} ms)",
        drained.as_secs_f64(),
        f64::from(DRAIN) / drained.as_secs_f64(),
        ms(drained / DRAIN),
        ms(clinic.standin.state().busy.saturating_sub(provider * MEETINGS) / DRAIN)
    );
}

/// Benchmark (run by `scripts/bench` on the PostgreSQL test server, release build): Start as
/// host from a desk in clinic mode, which asks the clinic service for the fresh link and gets it
/// sealed back, next to the same use case run where the tokens are (the reference: the provider
/// call and the audit row, without the hand-off). Target: p99 under 2 seconds.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "a benchmark: scripts/bench runs it in a release build on the test server"]
async fn bench_host_link_through_the_clinic_service() {
    const STARTS: usize = 200;
    let clinic = Clinic::new().await;
    assert!(clinic.desk.server.is_some(), "run with FRONTDESK_CLI_ON_POSTGRES=1 under scripts/postgres");
    clinic.standin.state().latency = Duration::from_millis(0);
    let visit = clinic.book(clinic.zoom_type, 16, 9).await;
    clinic.pass().await;
    let _service = clinic.desk.service();
    let desk = frontdesk_accounts::Accounts::new(
        frontdesk_settings::Settings::new(clinic.desk.store.clone(), Arc::new(frontdesk_settings::OsKeyring)),
        frontdesk_core::Locks::for_store(&clinic.desk.store).unwrap(),
        Arc::new(frontdesk_core::SystemClock),
    )
    .unwrap();
    let admin = &clinic.desk.admin;
    time_starts(10, &desk, admin, visit.id).await; // the desk's key pair made, connections warm
    let (here50, here99) = time_starts(STARTS, &clinic.desk.accounts, admin, visit.id).await;
    let (desk50, desk99) = time_starts(STARTS, &desk, admin, visit.id).await;
    println!(
        "BENCH host_link_via_clinic_service p50 {desk50:.2} ms p99 {desk99:.2} ms \
         (ref: where the tokens are, p50 {here50:.2} ms p99 {here99:.2} ms; target p99 < 2000 ms)"
    );
}

/// `n` Starts of `visit` as host: the median and the 99th percentile, in milliseconds.
async fn time_starts(
    n: usize,
    accounts: &frontdesk_accounts::Accounts,
    actor: &frontdesk_core::Actor,
    visit: AppointmentId,
) -> (f64, f64) {
    let mut took = Vec::with_capacity(n);
    for _ in 0..n {
        let started = std::time::Instant::now();
        accounts.start_meeting(actor, visit).await.unwrap();
        took.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    took.sort_by(f64::total_cmp);
    (took[n / 2], took[n * 99 / 100])
}

#[tokio::test(flavor = "multi_thread")]
async fn a_doctor_connected_through_zooms_server_to_server_app_gets_meetings_by_email() {
    let clinic = Clinic::new().await;
    clinic.desk.accounts.disconnect(&clinic.desk.admin, clinic.desk.doctor, Provider::Zoom).await.unwrap();
    for (key, value) in [
        (Setting::ZoomS2sAccountId, "acct-1"),
        (Setting::ZoomS2sClientId, "s2s-client"),
        (Setting::ZoomS2sClientSecret, "s2s-secret"),
    ] {
        clinic.set(key, value).await;
    }
    // Connecting reads the user from the OAuth server's API; meetings go to the stand-in.
    clinic.set(Setting::ZoomApiBase, &format!("{}/v2", clinic.desk.peer.zoom)).await;
    clinic
        .desk
        .accounts
        .connect_server_to_server(&clinic.desk.admin, clinic.desk.doctor, common::desk::DR_LEE)
        .await
        .unwrap();
    clinic.online().await;
    let booked = clinic.book(clinic.zoom_type, 22, 9).await;
    clinic.pass().await;
    assert_eq!(clinic.meeting(booked.id).await.state, MeetingState::Ready);
    let writes = clinic.standin.writes();
    assert_eq!(writes.len(), 1);
    assert!(writes[0].ends_with("/v2/users/dr.lee%40clinic.example/meetings"), "{writes:?}");
    // The host link comes through the same app token.
    let (provider, id) = clinic.desk.store.meeting_ref(booked.id).await.unwrap().unwrap();
    assert!(clinic.desk.accounts.host_link(clinic.desk.doctor, provider, &id).await.unwrap().contains("/s/"));
    clinic.assert_no_patient_data_sent();
}

#[tokio::test(flavor = "multi_thread")]
async fn retries_while_offline_do_not_use_up_zooms_daily_limit() {
    let clinic = Clinic::new().await;
    clinic.offline().await;
    let booked = clinic.book(clinic.zoom_type, 23, 9).await;
    for _ in 0..(ZOOM_DAILY_LIMIT + 5) {
        clinic.pass().await;
    }
    assert_eq!(clinic.meeting(booked.id).await.waiting, Some(Waiting::Offline));
    clinic.online().await;
    clinic.pass().await;
    assert_eq!(clinic.meeting(booked.id).await.state, MeetingState::Ready);
}
