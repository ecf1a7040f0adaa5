//! The schedule's records and the rules that belong to them: roles, appointment modes, the
//! status lifecycle and the overlap rule.

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::error::{CoreError, Result};

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, specta::Type)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

id_type!(
    /// A staff member's id.
    StaffId
);
id_type!(
    /// A patient's id.
    PatientId
);
id_type!(
    /// An appointment type's id.
    TypeId
);
id_type!(
    /// An appointment's id.
    AppointmentId
);

/// Defines an enum stored and shown as fixed kebab-case words.
macro_rules! word_enum {
    ($(#[$doc:meta])* $name:ident, $what:literal { $($(#[$vdoc:meta])* $variant:ident = $word:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, specta::Type)]
        pub enum $name {
            $($(#[$vdoc])* #[serde(rename = $word)] $variant),+
        }

        impl $name {
            /// Every value, in lifecycle order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The word used in storage, JSON and on the command line.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $word),+ }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = CoreError;
            fn from_str(s: &str) -> Result<Self> {
                match s.trim() {
                    $($word => Ok($name::$variant),)+
                    other => Err(CoreError::invalid(format!(
                        "{}: \"{}\" is not one of {}",
                        $what,
                        crate::time::printable(other),
                        [$($word),+].join(", ")
                    ))),
                }
            }
        }
    };
}

word_enum!(
    /// What a staff member may do: [`crate::access::Action`] says which roles take each action.
    Role, "role" {
        /// Books, moves, cancels and checks patients in.
        Receptionist = "receptionist",
        /// Sees their day and runs their visits; can be booked.
        Doctor = "doctor",
        /// Everything, plus clinic settings and staff.
        Admin = "admin",
    }
);

word_enum!(
    /// How an appointment type is held.
    Mode, "mode" {
        /// At the clinic.
        InPerson = "in-person",
        /// A Zoom meeting.
        Zoom = "zoom",
        /// A Microsoft Teams meeting.
        Teams = "teams",
    }
);

word_enum!(
    /// A video-visit provider that a doctor connects an account of.
    Provider, "provider" {
        /// Zoom (zoom.us, or ZoomGov through the host settings).
        Zoom = "zoom",
        /// Microsoft Teams, through Microsoft Graph.
        Microsoft = "microsoft",
    }
);

word_enum!(
    /// Where a telehealth appointment's meeting stands.
    MeetingState, "meeting state" {
        /// Not sent to the provider yet; `waiting` says why.
        Pending = "pending",
        /// The provider made it; the join link works.
        Ready = "ready",
        /// The provider refused it; `error` says why, and Retry sends it again.
        Failed = "failed",
        /// Deleted at the provider, or never made because the visit was cancelled first.
        Cancelled = "cancelled",
    }
);

word_enum!(
    /// Why a pending meeting has not been sent yet.
    Waiting, "waiting" {
        /// In the queue; it goes within seconds.
        Queued = "queued",
        /// The provider could not be reached; it goes when the network is back.
        Offline = "offline",
        /// Zoom's daily limit of meeting changes for this doctor is used up; it goes after 00:00 UTC.
        Quota = "quota",
        /// The doctor's account is not connected; it goes once they connect it.
        NotConnected = "not_connected",
        /// The provider asked to slow down or failed for a moment; it goes at `due`.
        Retrying = "retrying",
    }
);

word_enum!(
    /// Where an appointment's patient e-mail stands.
    MailState, "mail state" {
        /// Not sent yet: due, held for the meeting's join link, or waiting to try again.
        Pending = "pending",
        /// The clinic's SMTP server accepted the latest message.
        Sent = "sent",
        /// The server refused it; it stays so until someone sends it again.
        Failed = "failed",
        /// Nothing to send: the patient has no address, or the visit was cancelled before any
        /// invitation left.
        Skipped = "skipped",
    }
);

word_enum!(
    /// What a patient e-mail's calendar part asks (iTIP): take the visit, or drop it.
    MailMethod, "mail method" {
        /// An invitation, or its update after a move.
        Request = "REQUEST",
        /// A cancellation.
        Cancel = "CANCEL",
    }
);

/// A telehealth appointment's meeting as the desk sees it. It never holds the host link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct MeetingInfo {
    pub provider: Provider,
    pub state: MeetingState,
    /// Why a pending meeting waits.
    pub waiting: Option<Waiting>,
    /// When a pending meeting will be sent next.
    pub due: Option<DateTime<Utc>>,
    /// The patient's join link, once the meeting is ready.
    pub join_url: Option<String>,
    /// The provider's reason, when it refused.
    pub error: Option<String>,
}

impl Mode {
    /// The provider that holds this kind of visit's meetings; none for an in-person visit.
    pub fn provider(self) -> Option<Provider> {
        match self {
            Mode::InPerson => None,
            Mode::Zoom => Some(Provider::Zoom),
            Mode::Teams => Some(Provider::Microsoft),
        }
    }
}

impl Provider {
    /// The name the desk knows the provider by.
    pub fn label(self) -> &'static str {
        match self {
            Provider::Zoom => "Zoom",
            Provider::Microsoft => "Microsoft",
        }
    }

    /// Parses the provider as people type it: `zoom`, `microsoft` or `teams`.
    ///
    /// # Errors
    /// [`CoreError::Invalid`] naming the accepted words.
    pub fn from_user(text: &str) -> Result<Provider, CoreError> {
        match text.trim().to_ascii_lowercase().as_str() {
            "teams" => Ok(Provider::Microsoft),
            other => other.parse(),
        }
    }
}

word_enum!(
    /// Where an appointment is in its lifecycle.
    Status, "status" {
        /// Booked, patient not arrived yet.
        Booked = "booked",
        /// The patient has arrived.
        CheckedIn = "checked-in",
        /// The doctor is seeing the patient.
        InProgress = "in-progress",
        /// The visit happened.
        Completed = "completed",
        /// Called off, with a reason.
        Cancelled = "cancelled",
        /// The patient did not come.
        NoShow = "no-show",
    }
);

impl Status {
    /// Whether an appointment in this status holds its time slot (counts for double-booking).
    pub fn holds_slot(self) -> bool {
        !matches!(self, Status::Cancelled | Status::NoShow)
    }

    /// Whether the lifecycle allows going from `self` to `next`.
    ///
    /// ```text
    /// booked ──► checked-in ──► in-progress ──► completed
    ///   │  ╲         │ ▲             ▲
    ///   │   ╲────────┼─┼─────────────┘  (telehealth starts without check-in)
    ///   │            ▼ │
    ///   ├──► no-show ──┘ (late arrival)     checked-in ──► booked (undo)
    ///   └──► cancelled   (also from checked-in)
    /// ```
    /// Completed and cancelled are final.
    pub fn can_become(self, next: Status) -> bool {
        use Status::*;
        matches!(
            (self, next),
            (Booked, CheckedIn | InProgress | Cancelled | NoShow)
                | (CheckedIn, Booked | InProgress | Cancelled | NoShow)
                | (InProgress, Completed)
                | (NoShow, CheckedIn)
        )
    }

    /// Whether an appointment in this status may still be moved to another time.
    pub fn is_movable(self) -> bool {
        matches!(self, Status::Booked | Status::CheckedIn)
    }

    /// Checks a status change.
    ///
    /// # Errors
    /// [`CoreError::Transition`] with a message naming both statuses.
    pub fn check_change(self, next: Status) -> Result<()> {
        if self.can_become(next) {
            Ok(())
        } else if self == next {
            Err(CoreError::Transition(format!("the appointment is already {next}")))
        } else {
            Err(CoreError::Transition(format!("a {self} appointment cannot become {next}")))
        }
    }
}

/// Whether the half-open intervals `[a_start, a_end)` and `[b_start, b_end)` share an instant.
/// Back-to-back appointments (one ends when the next starts) do not overlap.
pub fn overlaps<T: PartialOrd>(a_start: T, a_end: T, b_start: T, b_end: T) -> bool {
    a_start < b_end && b_start < a_end
}

/// The clinic's own settings.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
pub struct Clinic {
    pub name: String,
    /// The clinic's default IANA zone: the day view and bookings use it unless told otherwise.
    #[serde(serialize_with = "ser_tz")]
    #[specta(type = String)]
    pub tz: Tz,
    /// Minutes of inactivity after which the desktop app locks (a front desk is a shared machine).
    pub lock_minutes: i64,
    /// BCP 47 locale that dates and times are shown in, e.g. `en-CA`.
    pub locale: String,
    /// Keep the appointment type's name out of meeting titles and patient e-mails (it can tell
    /// a condition): they say "Appointment" in the clinic's language instead.
    pub neutral_titles: bool,
    /// Keep to the minimum necessary: each doctor reads only their own patients' records and
    /// visits, and sees other doctors' visits only as busy time (see [`crate::access::Sight`]).
    pub own_patients_only: bool,
}

/// A member of staff.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
pub struct Staff {
    pub id: StaffId,
    pub name: String,
    pub role: Role,
    /// Whether a sign-in PIN is set (the PIN itself is only kept as an argon2 hash).
    pub has_pin: bool,
    /// Inactive staff keep their history but cannot sign in or be booked.
    pub active: bool,
}

/// A patient. Everything here but the id is patient data: it never goes to a log or a provider.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
pub struct Patient {
    pub id: PatientId,
    pub full_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub date_of_birth: Option<NaiveDate>,
    pub note: Option<String>,
}

/// A kind of visit: its length and how it is held.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
pub struct AppointmentType {
    pub id: TypeId,
    pub name: String,
    pub minutes: i64,
    pub mode: Mode,
}

/// An appointment as stored: a UTC instant, the zone it was booked in, and its status.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
pub struct Appointment {
    pub id: AppointmentId,
    pub patient_id: PatientId,
    pub doctor_id: StaffId,
    pub type_id: TypeId,
    /// Start instant, UTC.
    pub start: DateTime<Utc>,
    /// End instant, UTC.
    pub end: DateTime<Utc>,
    /// The IANA zone the appointment was booked in.
    #[serde(serialize_with = "ser_tz")]
    #[specta(type = String)]
    pub tz: Tz,
    /// The start shown in `tz`, with that zone's offset.
    pub local_start: DateTime<FixedOffset>,
    pub duration_minutes: i64,
    pub topic: Option<String>,
    pub description: Option<String>,
    pub status: Status,
    pub cancel_reason: Option<String>,
    /// The Zoom or Teams meeting of a telehealth appointment; none for an in-person visit.
    pub meeting: Option<MeetingInfo>,
}

/// One change in an appointment's history.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
pub struct HistoryEntry {
    pub at: DateTime<Utc>,
    /// Who made the change, e.g. `staff:3` or `cli:alice`.
    pub actor: String,
    /// The staff member's name when the actor is a member of staff.
    pub actor_name: Option<String>,
    /// `booked`, `moved`, `status` or `cancelled`.
    pub action: String,
    /// What changed, as JSON (times, statuses, reason, whether an overlap was allowed).
    pub detail: serde_json::Value,
}

/// An appointment with its whole history, oldest first.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
pub struct AppointmentDetail {
    #[serde(flatten)]
    pub appointment: Appointment,
    pub history: Vec<HistoryEntry>,
    /// The statuses the reader may give it next: what the lifecycle allows and their rights do
    /// (what the status buttons offer).
    pub next_statuses: Vec<Status>,
    /// What the reader may do with it (what the panel and the calendar offer).
    pub rights: crate::access::VisitRights,
}

/// Who is making a change, as recorded in history and the audit log, and with what rights
/// (see [`crate::access`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    /// A signed-in staff member, in the role they signed in with.
    Staff { id: StaffId, role: Role },
    /// A tool acting for a named operating-system user (the command-line twin). It acts with the
    /// clinic's full rights: whoever can run it can already read and write the data folder.
    Tool { tool: &'static str, user: String },
    /// Frontdesk itself (`system`, `system:outbox`, `system:mail`): a background worker's
    /// outcome, a refresh the provider refused.
    System(&'static str),
}

impl Actor {
    /// Frontdesk's own account work (refreshes, revocations it detects).
    pub const SYSTEM: Actor = Actor::System("system");
    /// The meeting worker.
    pub const OUTBOX: Actor = Actor::System("system:outbox");
    /// The patient e-mail worker.
    pub const MAIL: Actor = Actor::System("system:mail");

    /// A signed-in member of staff.
    pub fn staff(staff: &Staff) -> Actor {
        Actor::Staff { id: staff.id, role: staff.role }
    }

    /// The member of staff acting, if a person at the desk is.
    pub fn staff_id(&self) -> Option<StaffId> {
        match self {
            Actor::Staff { id, .. } => Some(*id),
            Actor::Tool { .. } | Actor::System(_) => None,
        }
    }
}

impl std::fmt::Display for Actor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Actor::Staff { id, .. } => write!(f, "staff:{id}"),
            Actor::Tool { tool, user } => write!(f, "{tool}:{user}"),
            Actor::System(name) => f.write_str(name),
        }
    }
}

/// "J.D." for "Jane Mary Doe": the first letters of the first and last names, and nothing else
/// of the patient's name. This is all of a patient that ever reaches Zoom or Microsoft.
pub fn initials(full_name: &str) -> String {
    let firsts: Vec<char> = full_name
        .split_whitespace()
        .filter_map(|word| word.chars().find(|c| c.is_alphabetic()))
        .flat_map(char::to_uppercase)
        .collect();
    match firsts.as_slice() {
        [] => String::new(),
        [only] => format!("{only}."),
        [first, .., last] => format!("{first}.{last}."),
    }
}

/// Whether a link from a provider may be handed to the system to open: only an https address,
/// never a file, a script or another app's scheme.
pub fn is_web_link(url: &str) -> bool {
    url.starts_with("https://")
}

/// Whether `url` is a join link of `provider`'s own: an https address on one of its hosts (Zoom:
/// zoom.us and zoomgov.com and their subdomains; Teams: teams.microsoft.com and Microsoft's
/// national clouds). Only such a link is stored, and so only such a link reaches a patient's
/// e-mail, a calendar file or the Join button.
pub fn is_join_link(provider: Provider, url: &str) -> bool {
    let Some(rest) = url.strip_prefix("https://") else { return false };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains('@') {
        return false; // user information before the host hides the real one
    }
    let host = authority.split(':').next().unwrap_or_default().to_ascii_lowercase();
    match provider {
        Provider::Zoom => is_zoom_host(&host),
        Provider::Microsoft => ["teams.microsoft.com", "teams.microsoft.us", "teams.microsoftonline.cn"]
            .into_iter()
            .any(|domain| host_under(&host, domain)),
    }
}

/// Whether the (lower-case) `host` is Zoom's: zoom.us or ZoomGov's zoomgov.com, or one of their
/// subdomains. Zoom's sign-in, API and join links all live there.
pub fn is_zoom_host(host: &str) -> bool {
    host_under(host, "zoom.us") || host_under(host, "zoomgov.com")
}

fn host_under(host: &str, domain: &str) -> bool {
    host == domain || host.strip_suffix(domain).is_some_and(|sub| sub.ends_with('.'))
}

/// A meeting's title: the appointment type and the patient's initials ("Telehealth consult — J.D."),
/// at most Zoom's 200 characters.
pub fn meeting_title(type_name: &str, patient_full_name: &str) -> String {
    let initials = initials(patient_full_name);
    let title =
        if initials.is_empty() { type_name.to_owned() } else { format!("{type_name} — {initials}") };
    title.chars().take(200).collect()
}

fn ser_tz<S: serde::Serializer>(tz: &Tz, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(tz.name())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn join_links_are_the_providers_own() {
        for (provider, good) in [
            (Provider::Zoom, "https://zoom.us/j/85746065432?pwd=x"),
            (Provider::Zoom, "https://us02web.zoom.us/j/1"),
            (Provider::Zoom, "https://clinic.zoomgov.com/j/1"),
            (Provider::Microsoft, "https://teams.microsoft.com/l/meetup-join/19%3ameeting"),
            (Provider::Microsoft, "https://dod.teams.microsoft.us/l/meetup-join/1"),
        ] {
            assert!(is_join_link(provider, good), "{good}");
        }
        for (provider, bad) in [
            (Provider::Zoom, "https://teams.microsoft.com/l/meetup-join/1"),
            (Provider::Zoom, "https://notzoom.us/j/1"),
            (Provider::Zoom, "https://zoom.us:443@evil.example/j/1"),
            (Provider::Microsoft, "https://teams.microsoft.com.evil.example/l/1"),
            (Provider::Microsoft, "http://teams.microsoft.com/l/1"),
            (Provider::Microsoft, "https://zoom.us/j/1"),
        ] {
            assert!(!is_join_link(provider, bad), "{bad}");
        }
    }
    use proptest::prelude::*;

    #[test]
    fn a_cancelled_visit_cannot_be_checked_in() {
        assert!(Status::Cancelled.check_change(Status::CheckedIn).is_err());
        for next in Status::ALL {
            assert!(!Status::Cancelled.can_become(*next));
            assert!(!Status::Completed.can_become(*next));
        }
    }

    #[test]
    fn lifecycle_paths() {
        use Status::*;
        assert!(Booked.can_become(CheckedIn));
        assert!(CheckedIn.can_become(InProgress));
        assert!(InProgress.can_become(Completed));
        assert!(Booked.can_become(InProgress), "telehealth visits start without check-in");
        assert!(NoShow.can_become(CheckedIn), "a late arrival");
        assert!(!Booked.can_become(Completed));
        assert!(!InProgress.can_become(Cancelled));
        assert!(!Booked.can_become(Booked));
        assert!(Booked.check_change(Booked).unwrap_err().to_string().contains("already"));
    }

    #[test]
    fn words_round_trip() {
        for s in Status::ALL {
            assert_eq!(s.as_str().parse::<Status>().unwrap(), *s);
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
        assert!("checked in".parse::<Status>().unwrap_err().to_string().contains("checked-in"));
        assert_eq!("in-person".parse::<Mode>().unwrap(), Mode::InPerson);
        assert!("nurse".parse::<Role>().is_err());
    }

    proptest! {
        /// The overlap rule agrees with a minute-by-minute model of the two visits.
        #[test]
        fn overlap_matches_minute_model(a in 0i64..200, alen in 1i64..60, b in 0i64..200, blen in 1i64..60) {
            let shared = (a..a + alen).any(|m| (b..b + blen).contains(&m));
            prop_assert_eq!(overlaps(a, a + alen, b, b + blen), shared);
            prop_assert_eq!(overlaps(a, a + alen, b, b + blen), overlaps(b, b + blen, a, a + alen));
        }
    }
}
