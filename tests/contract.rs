//! Contract tests: every request Frontdesk's meeting clients send to Zoom and to Microsoft Graph
//! is checked by Stoplight Prism against the provider's published OpenAPI description (see
//! tests/common/prism.rs). The doctor's accounts are connected through the real OAuth test peer
//! with tokens in the real OS keyring (`scripts/session` gives the D-Bus session it needs); the
//! API base then points at Prism. Prism keeps no state: these tests check the shape of what is
//! sent and that the answers as documented are understood, not what the provider would do next.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests panic on purpose

mod common;

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use common::desk::Desk;
use common::prism::{self, Prism};
use frontdesk_core::Provider;
use frontdesk_meetings::api::{meeting_title, Meeting, MeetingSpec};
use frontdesk_meetings::MeetingCalls;
use frontdesk_settings::Setting;

#[tokio::test(flavor = "multi_thread")]
async fn zoom_meeting_requests_follow_zooms_description() {
    let specs = tempfile::tempdir().unwrap();
    let spec = prism::zoom_description(specs.path());
    let (desk, prism) = connected(Provider::Zoom, spec).await;
    // The setting holds Zoom's base with `/v2` (https://api.zoom.us/v2); Prism's paths lack it.
    desk.point(Setting::ZoomApiBase, &prism.base_url()).await;

    let meeting = meeting_lifecycle(&desk, &prism, Provider::Zoom).await;
    // The 64-bit meeting number came back as a number and went out again in every path.
    assert_eq!(meeting.id, prism::ZOOM_MEETING_NUMBER.to_string());

    // The doctor's upcoming meetings, searched for one that a lost answer left behind. Prism's
    // sample agenda is no marker of ours, so nothing is found: what counts is that each request
    // passed.
    let search =
        desk.accounts.find_marked_meetings(desk.doctor, Provider::Zoom, "frontdesk:test:appointment:1:");
    let (found, requests) = prism.check("find marked", search).await;
    eprintln!("Zoom find marked: {}", requests.join(", "));
    assert_eq!(found, Some(Vec::new()));
    credentials_are_required(&prism, &format!("/meetings/{}", meeting.id)).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn graph_meeting_requests_follow_graphs_description() {
    let (desk, prism) = connected(Provider::Microsoft, prism::description(prism::GRAPH)).await;
    // The setting holds Graph's base with `/v1.0`; Prism's paths lack it.
    desk.point(Setting::MicrosoftGraphBase, &prism.base_url()).await;

    let meeting = meeting_lifecycle(&desk, &prism, Provider::Microsoft).await;
    credentials_are_required(&prism, &format!("/me/onlineMeetings/{}", meeting.id)).await;
}

/// A desk with the doctor's `provider` account connected, and Prism on `spec` (started at the
/// same time: Graph's description takes Prism several seconds to read).
async fn connected(provider: Provider, spec: PathBuf) -> (Desk, Prism) {
    let prism = tokio::task::spawn_blocking(move || Prism::start(&spec));
    let desk = Desk::new().await;
    desk.connect(provider).await;
    let prism = prism.await.unwrap();
    eprintln!("Prism on the {} description started in {:.1?}", provider.label(), prism.started_in());
    (desk, prism)
}

/// An hour-long telehealth consult a week from now (on the hour), moved by `shift_hours`.
fn consult(shift_hours: i64) -> MeetingSpec {
    let hour = Utc::now().timestamp() / 3600 + 7 * 24 + shift_hours;
    let at = |h: i64| DateTime::from_timestamp(h * 3600, 0).unwrap();
    MeetingSpec {
        title: meeting_title("Telehealth consult", "Jane Doe"),
        start: at(hour),
        end: at(hour + 1),
        tz: "America/Toronto".into(),
        marker: "frontdesk:test:appointment:1:attempt:1".into(),
    }
}

/// Create, move, fetch the host's link, delete: each call must succeed and every request it
/// sends must pass Prism's validation. Returns the meeting that was created.
async fn meeting_lifecycle(desk: &Desk, prism: &Prism, provider: Provider) -> Meeting {
    let (accounts, doctor, label) = (&desk.accounts, desk.doctor, provider.label());
    let sent = |what: &str, requests: &[String]| eprintln!("{label} {what}: {}", requests.join(", "));

    let (meeting, requests) =
        prism.check("create", accounts.create_meeting(doctor, provider, &consult(0))).await;
    sent("create", &requests);
    assert!(!meeting.id.is_empty() && !meeting.join_url.is_empty(), "{meeting:?}");

    // Every later call names the meeting that was created.
    let names_it = |requests: &[String]| {
        let segment = format!("/{}", meeting.id);
        assert!(requests.iter().all(|r| r.contains(&segment)), "{requests:?} should all name {segment}");
    };
    let ((), requests) =
        prism.check("update", accounts.update_meeting(doctor, provider, &meeting.id, &consult(26))).await;
    sent("update", &requests);
    names_it(&requests);

    let (link, requests) = prism.check("host link", accounts.host_link(doctor, provider, &meeting.id)).await;
    sent("host link", &requests);
    names_it(&requests);
    assert!(!link.is_empty());

    let ((), requests) = prism.check("delete", accounts.delete_meeting(doctor, provider, &meeting.id)).await;
    sent("delete", &requests);
    names_it(&requests);
    meeting
}

/// The description declares its credentials and Prism enforces them: the clients' requests
/// above passed, so they carried an `Authorization` header.
async fn credentials_are_required(prism: &Prism, path: &str) {
    let url = format!("{}{path}", prism.base_url());
    let http = reqwest::Client::new();
    let bare = http.delete(&url).send().await.unwrap();
    assert_eq!(bare.status(), 401, "{path} without credentials: {}", bare.text().await.unwrap());
    let with_token = http.delete(&url).bearer_auth("a-token").send().await.unwrap();
    assert_eq!(with_token.status(), 204, "{path} with a token: {}", with_token.text().await.unwrap());
}
