//! Zoom and Teams meetings for telehealth appointments: create, update, delete, the host link.
//!
//! What goes to a provider is decided here and nowhere else: the appointment type's name and the
//! patient's **initials** as the title, the times, and a marker that holds no patient data. Every
//! meeting gets the clinic's rules whatever the provider's defaults: Zoom with the waiting room
//! on, join-before-host off and a passcode from the operating system's random source; Teams with
//! the lobby bypassed by the organizer only.

use chrono::{DateTime, Utc};
use frontdesk_accounts::{AccountError, Accounts};
use frontdesk_core::store::{AuditAbout, AuditAction};
use frontdesk_core::{Action, Actor, AppointmentId, CoreError, Provider, StaffId};
use frontdesk_settings::Secret;
use serde_json::{json, Value};

use crate::error::CallError;

/// What a desk in clinic mode asks the clinic service (`crate::custodian`) to do with a meeting:
/// fetch its host link now, sealed back to the asking desk.
pub const HOST_LINK: &str = "host_link";
/// ... and reconcile a doctor's meetings at a provider (`crate::reconcile`).
pub const RECONCILE: &str = "reconcile";

/// The characters Zoom allows in a meeting passcode.
pub const ZOOM_PASSCODE_ALPHABET: &[u8] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789@-_*";
/// Zoom's passcode length limit, and the length Frontdesk uses.
pub const ZOOM_PASSCODE_LEN: usize = 10;

/// A meeting as Frontdesk asks for it. It holds no patient detail beyond initials in the title.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeetingSpec {
    /// "Telehealth consult — J.D."
    pub title: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// The appointment's IANA zone, for the provider's display only (times are sent in UTC).
    pub tz: String,
    /// Identifies the appointment (and, for Zoom, the attempt) without patient data: Teams'
    /// `externalId`, Zoom's agenda. E.g. `frontdesk:<clinic uid>:appointment:42:attempt:1`.
    pub marker: String,
}

/// A meeting the provider made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Meeting {
    /// Zoom's 64-bit meeting number (as text), or Graph's meeting id.
    pub id: String,
    /// The patient-side join link.
    pub join_url: String,
}

pub use frontdesk_core::model::{initials, meeting_title};

/// A fresh Zoom passcode: 10 characters of Zoom's alphabet from the operating system's
/// cryptographic random source, drawn without bias.
///
/// # Errors
/// When the system's random source fails.
pub fn zoom_passcode() -> Result<String, getrandom::Error> {
    let alphabet = ZOOM_PASSCODE_ALPHABET;
    // The largest multiple of the alphabet's size that fits in a byte: bytes above it are
    // drawn again, so every character is equally likely.
    let limit = 256 - 256 % alphabet.len();
    let mut passcode = String::with_capacity(ZOOM_PASSCODE_LEN);
    let mut byte = [0u8; 1];
    while passcode.len() < ZOOM_PASSCODE_LEN {
        getrandom::getrandom(&mut byte)?;
        if usize::from(byte[0]) < limit {
            passcode.push(char::from(alphabet[usize::from(byte[0]) % alphabet.len()]));
        }
    }
    Ok(passcode)
}

fn utc(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn minutes(spec: &MeetingSpec) -> i64 {
    (spec.end - spec.start).num_minutes().max(1)
}

/// A meeting in the doctor's account that carries a Frontdesk marker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarkedMeeting {
    pub id: String,
    pub marker: String,
    pub start: Option<DateTime<Utc>>,
    pub join_url: Option<String>,
}

/// What Frontdesk does with a provider's meetings. Zoom and Teams implement it; callers pick one
/// with [`MeetingCalls::create_meeting`] and its siblings, which take the [`Provider`].
#[allow(async_fn_in_trait)] // used with static dispatch only
pub trait MeetingApi {
    /// Creates the meeting. Teams' is idempotent by the spec's marker; Zoom's is not (see
    /// [`MeetingApi::find_marked`]).
    async fn create(&self, doctor: StaffId, spec: &MeetingSpec) -> Result<Meeting, CallError>;
    /// Moves the meeting and re-applies the clinic's rules.
    async fn update(&self, doctor: StaffId, meeting_id: &str, spec: &MeetingSpec) -> Result<(), CallError>;
    /// Deletes the meeting; [`CallError::Gone`] when it is already gone.
    async fn delete(&self, doctor: StaffId, meeting_id: &str) -> Result<(), CallError>;
    /// The host's link, fetched now and never stored.
    async fn host_link(&self, doctor: StaffId, meeting_id: &str) -> Result<String, CallError>;
    /// The doctor's upcoming meetings whose marker starts with `prefix`, or `None` when the
    /// provider cannot list them.
    async fn find_marked(
        &self,
        doctor: StaffId,
        prefix: &str,
    ) -> Result<Option<Vec<MarkedMeeting>>, CallError>;
}

/// Zoom's meetings API, for the doctor's own grant or the clinic's Server-to-Server app.
pub struct Zoom<'a>(pub &'a Accounts);

/// Microsoft Graph's online meetings, for the doctor's own work or school account.
pub struct Teams<'a>(pub &'a Accounts);

impl MeetingApi for Zoom<'_> {
    async fn create(&self, doctor: StaffId, spec: &MeetingSpec) -> Result<Meeting, CallError> {
        let passcode = zoom_passcode().map_err(|e| {
            AccountError::Core(frontdesk_core::CoreError::Io {
                context: "the system's random source failed".into(),
                source: std::io::Error::other(e.to_string()),
            })
        })?;
        let body = json!({
            "topic": spec.title,
            "type": 2,
            "start_time": utc(spec.start),
            "duration": minutes(spec),
            "timezone": spec.tz,
            "password": passcode,
            "agenda": spec.marker,
            "settings": zoom_settings(),
        });
        let user = zoom_user(self.0, doctor).await?;
        let answer = call(
            self.0,
            doctor,
            Provider::Zoom,
            Method::Post,
            &format!("/users/{user}/meetings"),
            Some(body),
        )
        .await?;
        zoom_meeting(&answer)
    }

    async fn update(&self, doctor: StaffId, meeting_id: &str, spec: &MeetingSpec) -> Result<(), CallError> {
        let body = json!({
            "topic": spec.title,
            "start_time": utc(spec.start),
            "duration": minutes(spec),
            "timezone": spec.tz,
            "settings": zoom_settings(),
        });
        let path = format!("/meetings/{}", path_segment(meeting_id));
        call(self.0, doctor, Provider::Zoom, Method::Patch, &path, Some(body)).await.map(drop)
    }

    async fn delete(&self, doctor: StaffId, meeting_id: &str) -> Result<(), CallError> {
        let path = format!("/meetings/{}", path_segment(meeting_id));
        call(self.0, doctor, Provider::Zoom, Method::Delete, &path, None).await.map(drop)
    }

    async fn host_link(&self, doctor: StaffId, meeting_id: &str) -> Result<String, CallError> {
        let path = format!("/meetings/{}", path_segment(meeting_id));
        let answer = call(self.0, doctor, Provider::Zoom, Method::Get, &path, None).await?;
        text_field(&answer, "start_url", Provider::Zoom)
    }

    async fn find_marked(
        &self,
        doctor: StaffId,
        prefix: &str,
    ) -> Result<Option<Vec<MarkedMeeting>>, CallError> {
        let user = zoom_user(self.0, doctor).await?;
        let mut found = Vec::new();
        let mut page_token = String::new();
        for _ in 0..MAX_LIST_PAGES {
            let mut path = format!("/users/{user}/meetings?type=upcoming&page_size=300");
            if !page_token.is_empty() {
                path.push_str(&format!("&next_page_token={}", path_segment(&page_token)));
            }
            let answer = call(self.0, doctor, Provider::Zoom, Method::Get, &path, None).await?;
            for item in answer.get("meetings").and_then(Value::as_array).into_iter().flatten() {
                let Some(id) = zoom_id(item) else { continue };
                // Today's list carries the agenda; older answers may not: then ask for the meeting.
                let agenda = match item.get("agenda").and_then(Value::as_str) {
                    Some(agenda) => agenda.to_owned(),
                    None => {
                        let path = format!("/meetings/{}", path_segment(&id));
                        match call(self.0, doctor, Provider::Zoom, Method::Get, &path, None).await {
                            Ok(meeting) => {
                                meeting.get("agenda").and_then(Value::as_str).unwrap_or_default().to_owned()
                            }
                            Err(CallError::Gone { .. }) => continue,
                            Err(e) => return Err(e),
                        }
                    }
                };
                let join_url = item.get("join_url").and_then(Value::as_str).map(str::to_owned);
                if agenda.starts_with(prefix) {
                    let start = item
                        .get("start_time")
                        .and_then(Value::as_str)
                        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
                        .map(|t| t.with_timezone(&Utc));
                    found.push(MarkedMeeting { id, marker: agenda, start, join_url });
                }
            }
            page_token = answer.get("next_page_token").and_then(Value::as_str).unwrap_or_default().to_owned();
            if page_token.is_empty() {
                break;
            }
        }
        Ok(Some(found))
    }
}

impl MeetingApi for Teams<'_> {
    async fn create(&self, doctor: StaffId, spec: &MeetingSpec) -> Result<Meeting, CallError> {
        // createOrGet with the appointment's marker as externalId: a retry can never make a
        // second meeting. It takes no lobby or recording settings, so they follow in a PATCH.
        let body = json!({
            "externalId": spec.marker,
            "subject": spec.title,
            "startDateTime": utc(spec.start),
            "endDateTime": utc(spec.end),
        });
        let answer = call(
            self.0,
            doctor,
            Provider::Microsoft,
            Method::Post,
            "/me/onlineMeetings/createOrGet",
            Some(body),
        )
        .await?;
        let meeting = teams_meeting(&answer)?;
        let path = format!("/me/onlineMeetings/{}", path_segment(&meeting.id));
        call(self.0, doctor, Provider::Microsoft, Method::Patch, &path, Some(teams_rules())).await?;
        Ok(meeting)
    }

    async fn update(&self, doctor: StaffId, meeting_id: &str, spec: &MeetingSpec) -> Result<(), CallError> {
        // Graph needs both ends of the meeting whenever the time changes.
        let mut body = teams_rules();
        body["subject"] = json!(spec.title);
        body["startDateTime"] = json!(utc(spec.start));
        body["endDateTime"] = json!(utc(spec.end));
        let path = format!("/me/onlineMeetings/{}", path_segment(meeting_id));
        call(self.0, doctor, Provider::Microsoft, Method::Patch, &path, Some(body)).await.map(drop)
    }

    async fn delete(&self, doctor: StaffId, meeting_id: &str) -> Result<(), CallError> {
        let path = format!("/me/onlineMeetings/{}", path_segment(meeting_id));
        call(self.0, doctor, Provider::Microsoft, Method::Delete, &path, None).await.map(drop)
    }

    async fn host_link(&self, doctor: StaffId, meeting_id: &str) -> Result<String, CallError> {
        // The organizer joins through the meeting's own link, signed in as themselves.
        let path = format!("/me/onlineMeetings/{}", path_segment(meeting_id));
        let answer = call(self.0, doctor, Provider::Microsoft, Method::Get, &path, None).await?;
        text_field(&answer, "joinWebUrl", Provider::Microsoft)
    }

    async fn find_marked(
        &self,
        _doctor: StaffId,
        _prefix: &str,
    ) -> Result<Option<Vec<MarkedMeeting>>, CallError> {
        // Graph lists no one's online meetings; createOrGet already rules out a second meeting.
        Ok(None)
    }
}

/// Zoom answers a meeting list a page at a time; this many pages of 300 is more than any doctor's
/// upcoming meetings.
const MAX_LIST_PAGES: usize = 20;

/// The meeting calls on a doctor's account, by provider: `accounts.create_meeting(...)`. An
/// extension of [`Accounts`] because the accounts crate knows nothing of meetings.
#[allow(async_fn_in_trait)] // implemented once, for `Accounts`, and used with static dispatch
pub trait MeetingCalls {
    /// Creates the meeting in the doctor's account.
    ///
    /// # Errors
    /// [`CallError`], sorted for retrying.
    async fn create_meeting(
        &self,
        doctor: StaffId,
        provider: Provider,
        spec: &MeetingSpec,
    ) -> Result<Meeting, CallError>;

    /// Moves the meeting (and re-applies the clinic's rules).
    ///
    /// # Errors
    /// [`CallError`]; [`CallError::Gone`] when the meeting no longer exists.
    async fn update_meeting(
        &self,
        doctor: StaffId,
        provider: Provider,
        meeting_id: &str,
        spec: &MeetingSpec,
    ) -> Result<(), CallError>;

    /// Deletes the meeting. A meeting that is already gone counts as deleted.
    ///
    /// # Errors
    /// [`CallError`] other than [`CallError::Gone`].
    async fn delete_meeting(
        &self,
        doctor: StaffId,
        provider: Provider,
        meeting_id: &str,
    ) -> Result<(), CallError>;

    /// The host's link, fetched now (never stored).
    ///
    /// # Errors
    /// [`CallError`].
    async fn host_link(
        &self,
        doctor: StaffId,
        provider: Provider,
        meeting_id: &str,
    ) -> Result<String, CallError>;

    /// Starts an appointment's meeting as its host: fetches, checks and audits the host link.
    ///
    /// # Errors
    /// Forbidden; no ready meeting; the provider's answer; a link that is not a web address.
    async fn start_meeting(&self, actor: &Actor, appointment: AppointmentId) -> Result<Secret, AccountError>;

    /// The doctor's upcoming meetings with a marker starting with `prefix`; `None` when the
    /// provider cannot list them (Teams).
    ///
    /// # Errors
    /// [`CallError`].
    async fn find_marked_meetings(
        &self,
        doctor: StaffId,
        provider: Provider,
        prefix: &str,
    ) -> Result<Option<Vec<MarkedMeeting>>, CallError>;
}

impl MeetingCalls for Accounts {
    /// Creates the meeting in the doctor's account.
    ///
    /// # Errors
    /// [`CallError`], sorted for retrying.
    async fn create_meeting(
        &self,
        doctor: StaffId,
        provider: Provider,
        spec: &MeetingSpec,
    ) -> Result<Meeting, CallError> {
        match provider {
            Provider::Zoom => Zoom(self).create(doctor, spec).await,
            Provider::Microsoft => Teams(self).create(doctor, spec).await,
        }
    }

    /// Moves the meeting (and re-applies the clinic's rules).
    ///
    /// # Errors
    /// [`CallError`]; [`CallError::Gone`] when the meeting no longer exists.
    async fn update_meeting(
        &self,
        doctor: StaffId,
        provider: Provider,
        meeting_id: &str,
        spec: &MeetingSpec,
    ) -> Result<(), CallError> {
        match provider {
            Provider::Zoom => Zoom(self).update(doctor, meeting_id, spec).await,
            Provider::Microsoft => Teams(self).update(doctor, meeting_id, spec).await,
        }
    }

    /// Deletes the meeting. A meeting that is already gone counts as deleted.
    ///
    /// # Errors
    /// [`CallError`] other than [`CallError::Gone`].
    async fn delete_meeting(
        &self,
        doctor: StaffId,
        provider: Provider,
        meeting_id: &str,
    ) -> Result<(), CallError> {
        let deleted = match provider {
            Provider::Zoom => Zoom(self).delete(doctor, meeting_id).await,
            Provider::Microsoft => Teams(self).delete(doctor, meeting_id).await,
        };
        match deleted {
            Ok(()) | Err(CallError::Gone { .. }) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// The host's link, fetched now (Zoom's `start_url` expires after 2 hours, so it is never
    /// stored); for Teams the organizer joins through the meeting's own link.
    ///
    /// # Errors
    /// [`CallError`].
    async fn host_link(
        &self,
        doctor: StaffId,
        provider: Provider,
        meeting_id: &str,
    ) -> Result<String, CallError> {
        match provider {
            Provider::Zoom => Zoom(self).host_link(doctor, meeting_id).await,
            Provider::Microsoft => Teams(self).host_link(doctor, meeting_id).await,
        }
    }

    /// Starts an appointment's meeting as its host (the visit's doctor, or an admin): fetches
    /// the host link now, checks that it is an https address, and audits who opened it. The
    /// link lets whoever holds it run the meeting as the doctor, so it comes back as a
    /// [`Secret`] for the caller to open at once, never to store, log or show.
    ///
    /// # Errors
    /// Forbidden; the appointment has no ready meeting; the provider's answer
    /// ([`CallError`] as an [`AccountError`]); a link that is not a web address.
    async fn start_meeting(&self, actor: &Actor, appointment: AppointmentId) -> Result<Secret, AccountError> {
        actor.may(Action::StartMeeting)?;
        if !self.is_keeper() {
            // The clinic service fetches it with the doctor's tokens and seals it to this desk.
            let ask = frontdesk_settings::custody::Ask {
                kind: HOST_LINK,
                args: json!({ "appointment": appointment }),
                sealed: None,
                secret_answer: true,
                wait: frontdesk_settings::custody::QUICK,
            };
            let answer = self.ask_service::<Value>(actor, ask).await?;
            let link = answer.secret.ok_or_else(|| CoreError::NotAWebLink("the clinic service"))?;
            if !frontdesk_core::model::is_web_link(link.expose()) {
                return Err(CoreError::NotAWebLink("the clinic service").into());
            }
            return Ok(link);
        }
        let store = self.store();
        let visit = store.appointment(appointment).await?.appointment;
        actor.may_for(Action::StartMeeting, visit.doctor_id)?;
        let Some((provider, meeting_id)) = store.meeting_ref(appointment).await? else {
            return Err(match visit.meeting {
                None => CoreError::NoMeeting,
                Some(m) => CoreError::MeetingNotReady(m.state.as_str()),
            }
            .into());
        };
        let doctor = visit.doctor_id;
        let link = self.host_link(doctor, provider, &meeting_id).await.map_err(AccountError::from)?;
        if !frontdesk_core::model::is_web_link(&link) {
            return Err(CoreError::NotAWebLink(provider.label()).into());
        }
        let detail = json!({ "appointment_id": appointment, "provider": provider });
        store.audit(actor, AuditAction::HostLinkOpened, AuditAbout::appointment(&visit), detail).await?;
        Ok(Secret::new(link))
    }

    /// The doctor's upcoming meetings with a marker starting with `prefix`; `None` when the
    /// provider cannot list them (Teams).
    ///
    /// # Errors
    /// [`CallError`].
    async fn find_marked_meetings(
        &self,
        doctor: StaffId,
        provider: Provider,
        prefix: &str,
    ) -> Result<Option<Vec<MarkedMeeting>>, CallError> {
        match provider {
            Provider::Zoom => Zoom(self).find_marked(doctor, prefix).await,
            Provider::Microsoft => Teams(self).find_marked(doctor, prefix).await,
        }
    }
}

/// `me` for the doctor's own grant; their Zoom e-mail under the clinic's Server-to-Server app.
async fn zoom_user(accounts: &Accounts, doctor: StaffId) -> Result<String, CallError> {
    let connection = accounts.store().connection(doctor, Provider::Zoom).await.map_err(AccountError::from)?;
    Ok(match connection {
        Some(c) if c.kind == frontdesk_core::store::ConnectionKind::ServerToServer => {
            path_segment(c.account_email.as_deref().unwrap_or("me"))
        }
        _ => "me".to_owned(),
    })
}

/// One authorized JSON call to the provider's API, with its answer sorted.
async fn call(
    accounts: &Accounts,
    doctor: StaffId,
    provider: Provider,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> Result<Value, CallError> {
    let url = format!("{}{path}", accounts.api_base(provider).await?);
    let response = accounts
        .send(doctor, provider, |http, token| {
            let request = match method {
                Method::Get => http.get(&url),
                Method::Post => http.post(&url),
                Method::Patch => http.patch(&url),
                Method::Delete => http.delete(&url),
            };
            let request = request.bearer_auth(token.expose());
            match &body {
                Some(body) => request.json(body),
                None => request,
            }
        })
        .await?;
    let status = response.status();
    let retry_after = response
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(std::time::Duration::from_secs);
    let text = response.text().await.unwrap_or_default();
    let answer: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    let label = provider.label();
    match status.as_u16() {
        200..=299 => Ok(answer),
        404 => Err(CallError::Gone { provider: label }),
        429 => {
            let message = answer.get("message").and_then(Value::as_str).unwrap_or_default();
            Err(CallError::RateLimited {
                provider: label,
                retry_after,
                daily_limit: message.contains("daily"),
            })
        }
        code @ 500..=599 => Err(AccountError::unreachable(provider, format!("status {code}")).into()),
        code => {
            Err(CallError::Refused { provider: label, status: code, reason: refusal_reason(&answer, code) })
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum Method {
    Get,
    Post,
    Patch,
    Delete,
}

/// The clinic's rules for every Zoom meeting: the patient waits to be admitted, nobody starts
/// before the doctor, and nothing is recorded (a recording of a visit is patient data at Zoom).
fn zoom_settings() -> Value {
    json!({ "waiting_room": true, "join_before_host": false, "auto_recording": "none" })
}

/// The clinic's rules for every Teams meeting: only the organizer bypasses the lobby (the
/// patient waits to be admitted), and nothing is recorded automatically.
fn teams_rules() -> Value {
    json!({
        "lobbyBypassSettings": { "scope": "organizer", "isDialInBypassEnabled": false },
        "recordAutomatically": false,
    })
}

/// Zoom's meeting number is a 64-bit integer (the 2021 description says string): accept both,
/// never through a float.
fn zoom_id(answer: &Value) -> Option<String> {
    match answer.get("id") {
        Some(Value::Number(n)) => n.as_i64().map(|n| n.to_string()),
        Some(Value::String(s)) if s.parse::<i64>().is_ok() => Some(s.clone()),
        _ => None,
    }
}

fn text_field(answer: &Value, field: &str, provider: Provider) -> Result<String, CallError> {
    answer.get(field).and_then(Value::as_str).map(str::to_owned).ok_or_else(|| CallError::Refused {
        provider: provider.label(),
        status: 200,
        reason: format!("the answer has no {field}"),
    })
}

fn zoom_meeting(answer: &Value) -> Result<Meeting, CallError> {
    let id = zoom_id(answer);
    let join_url = answer.get("join_url").and_then(Value::as_str);
    match (id, join_url) {
        (Some(id), Some(join_url)) => Ok(Meeting { id, join_url: join_url.to_owned() }),
        _ => Err(CallError::Refused {
            provider: "Zoom",
            status: 201,
            reason: "the answer has no meeting id or join link".into(),
        }),
    }
}

fn teams_meeting(answer: &Value) -> Result<Meeting, CallError> {
    let id = answer.get("id").and_then(Value::as_str);
    let join_url = answer.get("joinWebUrl").and_then(Value::as_str);
    match (id, join_url) {
        (Some(id), Some(join_url)) => Ok(Meeting { id: id.to_owned(), join_url: join_url.to_owned() }),
        _ => Err(CallError::Refused {
            provider: "Microsoft",
            status: 200,
            reason: "the answer has no meeting id or joinWebUrl".into(),
        }),
    }
}

/// The provider's own words for a refusal (Zoom `message`, Graph `error.message`), shortened.
fn refusal_reason(answer: &Value, status: u16) -> String {
    let message = answer
        .get("message")
        .or_else(|| answer.get("error").and_then(|e| e.get("message")))
        .or_else(|| answer.get("title"))
        .and_then(Value::as_str)
        .unwrap_or("no reason given");
    let message: String = message.chars().filter(|c| !c.is_control()).take(300).collect();
    format!("{message} (status {status})")
}

/// A value made safe to put in a URL path.
fn path_segment(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_carry_initials_only() {
        assert_eq!(initials("Jane Mary Doe"), "J.D.");
        assert_eq!(initials("  jane   doe "), "J.D.");
        assert_eq!(initials("Prince"), "P.");
        assert_eq!(initials("Éloïse O'Brien-Smith"), "É.O.");
        assert_eq!(initials(""), "");
        assert_eq!(meeting_title("Telehealth consult", "Jane Doe"), "Telehealth consult — J.D.");
        assert!(!meeting_title("Consult", "Jane Doe").contains("Jane"));
    }

    #[test]
    fn passcodes_are_ten_characters_of_zooms_alphabet_and_differ() {
        let codes: Vec<String> = (0..200).map(|_| zoom_passcode().unwrap()).collect();
        for code in &codes {
            assert_eq!(code.len(), ZOOM_PASSCODE_LEN);
            assert!(code.bytes().all(|b| ZOOM_PASSCODE_ALPHABET.contains(&b)), "{code}");
        }
        let distinct: std::collections::HashSet<&String> = codes.iter().collect();
        assert_eq!(distinct.len(), codes.len());
    }

    #[test]
    fn zoom_meeting_numbers_are_read_as_integers_or_text() {
        let big = json!({ "id": 85_746_065_432_i64, "join_url": "https://zoom.us/j/85746065432?pwd=x" });
        assert_eq!(zoom_meeting(&big).unwrap().id, "85746065432");
        let text = json!({ "id": "85746065432", "join_url": "https://zoom.us/j/1" });
        assert_eq!(zoom_meeting(&text).unwrap().id, "85746065432");
        assert!(zoom_meeting(&json!({ "id": 1 })).is_err());
    }
}
