//! The meetings channel of the job runner ([`frontdesk_jobs`]): sends each telehealth
//! appointment's meeting job to Zoom or Microsoft and sorts what came back.
//!
//! Booking never waits for it: the job was written with the appointment. A job carries only
//! "make the meeting match the appointment as it is now", so retries and coalescing need no
//! bookkeeping of their own. The runner holds `locks/outbox.lock` for each pass, so the app and
//! `frontdesk-cli outbox run` can run side by side and a job is never sent twice.
//!
//! Never two meetings for one appointment: Teams' `createOrGet` is keyed by the appointment; a
//! Zoom create is recorded before it is sent, with the attempt in the meeting's agenda, and a
//! worker that finds an attempt without an answer looks for that meeting before creating again.
//! Teams creates are recorded too, so that a cancellation after an unanswered create still
//! deletes what that create may have made.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Days, TimeDelta, Utc};
use frontdesk_core::store::{crash_point, MeetingWork, Outcome, Queue};
use frontdesk_core::{AppointmentId, Provider, Waiting};

use frontdesk_accounts::{AccountError, Accounts};
use frontdesk_jobs::{jittered_backoff, retry_at, Channel, Runner};

use crate::api::{MarkedMeeting, MeetingCalls, MeetingSpec};
use crate::error::CallError;

/// A job whose doctor is not connected is looked at again this often (connecting wakes it at once).
const NOT_CONNECTED_RECHECK: Duration = Duration::from_secs(60 * 60);
/// The longest the running worker sleeps between passes.
const MAX_IDLE: Duration = Duration::from_secs(30);

/// What one pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct PassReport {
    /// Meetings now ready at the provider.
    pub ready: usize,
    /// Meetings deleted, or never made because the visit was cancelled first.
    pub cancelled: usize,
    /// Jobs held back (offline, quota, not connected, rate limited): still pending.
    pub waiting: usize,
    /// Jobs the provider refused: they wait for Retry.
    pub failed: usize,
}

impl std::fmt::Display for PassReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Sent: {} ready, {} cancelled; {} still waiting, {} failed",
            self.ready, self.cancelled, self.waiting, self.failed
        )
    }
}

/// Sends meeting jobs: the job runner over the [`Meetings`] channel.
pub type Worker = Runner<Meetings>;

/// The meetings channel: each telehealth appointment's meeting at Zoom or Microsoft.
pub struct Meetings {
    accounts: Arc<Accounts>,
}

impl Channel for Meetings {
    const NAME: &'static str = "outbox";
    const IDLE: (Duration, Duration) = (Duration::from_millis(50), MAX_IDLE);
    type Work = MeetingWork;
    type Outcome = Outcome;
    type Report = PassReport;
    type Pass = ();

    async fn next(&self, ignore_due: bool, seen: &[i64]) -> frontdesk_core::Result<Option<MeetingWork>> {
        self.accounts.store().next_meeting_work(ignore_due, seen).await
    }

    async fn next_due(&self) -> frontdesk_core::Result<Option<DateTime<Utc>>> {
        self.accounts.store().next_due(Queue::Meetings).await
    }

    fn key(work: &MeetingWork) -> i64 {
        work.job_id
    }

    fn appointment(work: &MeetingWork) -> AppointmentId {
        work.visit.appointment_id
    }

    async fn send(&self, work: &MeetingWork, (): &mut ()) -> Outcome {
        match self.attempt(work).await {
            Ok(outcome) => outcome,
            Err(e) => self.sort_failure(work, e).await,
        }
    }

    async fn record(&self, work: &MeetingWork, outcome: &Outcome) -> frontdesk_core::Result<()> {
        self.accounts.store().record_outcome(work, outcome).await
    }

    fn count(report: &mut PassReport, outcome: &Outcome) {
        match outcome {
            Outcome::Ready { .. } => report.ready += 1,
            Outcome::Cancelled | Outcome::Moved => report.cancelled += 1,
            Outcome::Deferred { .. } => report.waiting += 1,
            Outcome::Refused { .. } => report.failed += 1,
        }
    }

    fn log(work: &MeetingWork, outcome: &Outcome) {
        tracing::info!(
            appointment = work.visit.appointment_id.0,
            provider = work.provider.as_str(),
            outcome = outcome_word(outcome),
            "meeting job sent"
        );
    }
}

impl Meetings {
    /// The channel over the doctors' accounts (and, through them, the store and the clock).
    pub fn new(accounts: Arc<Accounts>) -> Meetings {
        Meetings { accounts }
    }

    /// The meeting worker: this channel under the job runner, taking its turns with the
    /// accounts' lock files and sleeping by their clock, calling `on_change` after each
    /// appointment it updates.
    pub fn worker(
        accounts: Arc<Accounts>,
        on_change: impl Fn(AppointmentId) + Send + Sync + 'static,
    ) -> Worker {
        let (locks, clock) = (accounts.locks().clone(), accounts.clock());
        Runner::new(Meetings::new(accounts), locks, clock, on_change)
    }

    async fn attempt(&self, work: &MeetingWork) -> Result<Outcome, CallError> {
        let accounts = &self.accounts;
        let store = accounts.store();
        let (doctor, provider) = (work.doctor_id, work.provider);
        let spec = |marker: String| MeetingSpec {
            title: work.title.clone(),
            start: work.visit.start,
            end: work.visit.end,
            tz: work.visit.tz.clone(),
            marker,
        };

        // A cancelled visit's meeting goes; so does one whose visit moved to another doctor or
        // provider, before it is made there.
        if !work.visit.active || work.moves_to.is_some() {
            if let Some(id) = &work.meeting_id {
                accounts.delete_meeting(doctor, provider, id).await?;
            } else if work.attempt_open {
                match provider {
                    Provider::Zoom => {
                        for found in self.attempted(work).await? {
                            accounts.delete_meeting(doctor, provider, &found.id).await?;
                        }
                    }
                    // Graph lists no one's online meetings, but createOrGet with the
                    // appointment's externalId gives back what an unanswered call made (or makes
                    // it now): either way it is deleted.
                    Provider::Microsoft => {
                        let made =
                            accounts.create_meeting(doctor, provider, &spec(marker(work, None))).await?;
                        accounts.delete_meeting(doctor, provider, &made.id).await?;
                    }
                }
            }
            return Ok(if work.visit.active { Outcome::Moved } else { Outcome::Cancelled });
        }

        if let Some(id) = &work.meeting_id {
            if work.synced == Some((work.visit.start, work.visit.end)) {
                return Ok(Outcome::Ready { meeting_id: id.clone(), join_url: None });
            }
            if !store.take_meeting_call(doctor, provider).await.map_err(AccountError::from)? {
                return Ok(quota_wait(self.accounts.now()));
            }
            return match accounts.update_meeting(doctor, provider, id, &spec(marker(work, None))).await {
                Ok(()) => Ok(Outcome::Ready { meeting_id: id.clone(), join_url: None }),
                Err(CallError::Gone { provider }) => Ok(Outcome::Refused {
                    reason: format!("the meeting was deleted in {provider}; Retry makes a new one"),
                    forget_meeting: true,
                }),
                Err(e) => Err(self.unsent(work, e).await),
            };
        }

        // A create that was sent but whose answer was never stored: adopt what it made.
        if work.attempt_open {
            let mut found = self.attempted(work).await?.into_iter();
            if let Some(first) = found.next() {
                for extra in found {
                    accounts.delete_meeting(doctor, provider, &extra.id).await?;
                }
                if first.start != Some(work.visit.start) {
                    accounts.update_meeting(doctor, provider, &first.id, &spec(marker(work, None))).await?;
                }
                return Ok(Outcome::Ready { meeting_id: first.id, join_url: first.join_url });
            }
        }

        if !store.take_meeting_call(doctor, provider).await.map_err(AccountError::from)? {
            return Ok(quota_wait(self.accounts.now()));
        }
        let attempt =
            store.record_create_attempt(work.visit.appointment_id).await.map_err(AccountError::from)?;
        // A Zoom meeting carries its attempt in the agenda; Teams' createOrGet is keyed by the
        // appointment alone, so a retry gets the same meeting back.
        let numbered = (provider == Provider::Zoom).then_some(attempt);
        crash_point("outbox:before-create");
        let meeting = match accounts.create_meeting(doctor, provider, &spec(marker(work, numbered))).await {
            Ok(meeting) => meeting,
            // An answer that refused the create made no meeting; only a call that may have
            // reached the provider unanswered (a timeout, a dropped connection) leaves the
            // attempt open, to be looked for next time.
            Err(e) => {
                let unanswered = matches!(e, CallError::Account(AccountError::Unreachable { .. }));
                if !unanswered {
                    store
                        .mark_attempt(Queue::Meetings, work.visit.appointment_id, false)
                        .await
                        .map_err(AccountError::from)?;
                }
                return Err(self.unsent(work, e).await);
            }
        };
        crash_point("outbox:after-create");
        Ok(Outcome::Ready { meeting_id: meeting.id, join_url: Some(meeting.join_url) })
    }

    /// A create or update that failed before the provider answered (offline, not connected)
    /// does not count against the doctor's daily quota.
    async fn unsent(&self, work: &MeetingWork, error: CallError) -> CallError {
        if matches!(error, CallError::Account(_)) {
            if let Err(e) = self.accounts.store().return_meeting_call(work.doctor_id, work.provider).await {
                tracing::warn!(error = %e, "could not give back an unsent meeting call");
            }
        }
        error
    }

    /// The meetings an earlier create attempt for this appointment made.
    async fn attempted(&self, work: &MeetingWork) -> Result<Vec<MarkedMeeting>, CallError> {
        let prefix = format!("{}:", marker(work, None));
        let found = self.accounts.find_marked_meetings(work.doctor_id, work.provider, &prefix).await?;
        Ok(found.unwrap_or_default())
    }

    /// Turns a failed call into a wait (with its reason and when it goes again) or a refusal.
    async fn sort_failure(&self, work: &MeetingWork, error: CallError) -> Outcome {
        let now = self.accounts.now();
        let backoff = || now + jittered_backoff(work.visit.tries);
        match error {
            CallError::Refused { .. } | CallError::Gone { .. } => {
                Outcome::Refused { reason: error.to_string(), forget_meeting: false }
            }
            CallError::RateLimited { daily_limit: true, .. } => {
                if let Err(e) =
                    self.accounts.store().use_up_meeting_calls(work.doctor_id, work.provider).await
                {
                    tracing::warn!(error = %e, "could not record the used-up daily limit");
                }
                quota_wait(now)
            }
            CallError::RateLimited { provider, retry_after, .. } => {
                let due = retry_at(now, retry_after, work.visit.tries);
                Outcome::Deferred {
                    waiting: Waiting::Retrying,
                    due,
                    reason: format!(
                        "{provider} asked to slow down; it goes again at {}",
                        due.format("%H:%M:%S UTC")
                    ),
                }
            }
            CallError::Account(e @ (AccountError::NotConnected { .. } | AccountError::Revoked { .. })) => {
                Outcome::Deferred {
                    waiting: Waiting::NotConnected,
                    due: now + TimeDelta::from_std(NOT_CONNECTED_RECHECK).unwrap_or_default(),
                    reason: e.to_string(),
                }
            }
            CallError::Account(e @ (AccountError::NotConfigured { .. } | AccountError::Refused { .. })) => {
                Outcome::Refused { reason: e.to_string(), forget_meeting: false }
            }
            CallError::Account(e @ AccountError::Unreachable { .. }) => {
                Outcome::Deferred { waiting: Waiting::Offline, due: backoff(), reason: e.to_string() }
            }
            CallError::Account(e) => {
                Outcome::Deferred { waiting: Waiting::Retrying, due: backoff(), reason: e.to_string() }
            }
        }
    }
}

/// A meeting at the provider that carries this clinic's marker but that no active appointment owns.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Orphan {
    pub doctor_id: frontdesk_core::StaffId,
    pub provider: Provider,
    pub meeting_id: String,
    /// The appointment its marker names.
    pub appointment_id: Option<i64>,
    pub start: Option<DateTime<Utc>>,
    /// Whether it was deleted at the provider just now.
    pub deleted: bool,
}

/// What a reconcile pass found for one doctor and provider.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Reconciled {
    pub doctor_id: frontdesk_core::StaffId,
    pub provider: Provider,
    /// False when the provider cannot list meetings (Graph); `createOrGet` rules out
    /// duplicates there.
    pub listed: bool,
    pub orphans: Vec<Orphan>,
}

/// Lists the doctor's upcoming meetings and reports those carrying this clinic's marker that no
/// active appointment owns; with `delete`, deletes them (each deletion audited).
///
/// # Errors
/// [`CallError`] when the provider cannot be asked.
pub async fn reconcile(
    accounts: &Accounts,
    actor: &frontdesk_core::Actor,
    doctor: frontdesk_core::StaffId,
    provider: Provider,
    delete: bool,
) -> Result<Reconciled, CallError> {
    if !accounts.is_keeper() {
        let ask = frontdesk_settings::custody::Ask::plain(
            crate::api::RECONCILE,
            serde_json::json!({ "doctor": doctor, "provider": provider, "delete": delete }),
            frontdesk_settings::custody::SLOW,
        );
        return Ok(accounts.ask_service(actor, ask).await?.value);
    }
    let store = accounts.store();
    let prefix = format!("frontdesk:{}:appointment:", store.clinic_uid().await.map_err(AccountError::from)?);
    let Some(found) = accounts.find_marked_meetings(doctor, provider, &prefix).await? else {
        return Ok(Reconciled { doctor_id: doctor, provider, listed: false, orphans: Vec::new() });
    };
    let owned = store.owned_meeting_ids(doctor, provider).await.map_err(AccountError::from)?;
    let mut orphans = Vec::new();
    for meeting in found {
        let appointment_id =
            meeting.marker[prefix.len()..].split(':').next().and_then(|n| n.parse::<i64>().ok());
        let in_flight = appointment_id.is_some_and(|id| owned.contains(&format!("appointment:{id}")));
        if owned.contains(&meeting.id) || in_flight {
            continue;
        }
        let mut orphan = Orphan {
            doctor_id: doctor,
            provider,
            meeting_id: meeting.id,
            appointment_id,
            start: meeting.start,
            deleted: false,
        };
        if delete {
            accounts.delete_meeting(doctor, provider, &orphan.meeting_id).await?;
            let detail = serde_json::json!({ "provider": provider, "meeting_id": orphan.meeting_id, "appointment_id": appointment_id });
            let about = frontdesk_core::store::AuditAbout::doctor(doctor);
            store
                .audit(actor, frontdesk_core::store::AuditAction::OrphanMeetingDeleted, about, detail)
                .await
                .map_err(AccountError::from)?;
            orphan.deleted = true;
        }
        orphans.push(orphan);
    }
    Ok(Reconciled { doctor_id: doctor, provider, listed: true, orphans })
}

/// The marker that ties a meeting to its appointment without any patient data:
/// `frontdesk:<clinic uid>:appointment:<id>` (Teams' externalId), plus `:attempt:<n>` in a Zoom
/// meeting's agenda.
fn marker(work: &MeetingWork, attempt: Option<i64>) -> String {
    let base = format!("frontdesk:{}:appointment:{}", work.visit.clinic_uid, work.visit.appointment_id);
    match attempt {
        Some(n) => format!("{base}:attempt:{n}"),
        None => base,
    }
}

/// Waiting for the doctor's daily Zoom quota, which resets at 00:00 UTC.
fn quota_wait(now: DateTime<Utc>) -> Outcome {
    let midnight = now
        .date_naive()
        .checked_add_days(Days::new(1))
        .and_then(|d| d.and_hms_opt(0, 0, 30))
        .map_or(now + TimeDelta::hours(24), |t| t.and_utc());
    Outcome::Deferred {
        waiting: Waiting::Quota,
        due: midnight,
        reason: format!(
            "Zoom's daily limit of {} meeting changes for this doctor is used up; it goes at {}",
            frontdesk_core::store::ZOOM_DAILY_MEETING_CALLS,
            midnight.format("%Y-%m-%d %H:%M UTC")
        ),
    }
}

fn outcome_word(outcome: &Outcome) -> &'static str {
    match outcome {
        Outcome::Ready { .. } => "ready",
        Outcome::Cancelled => "cancelled",
        Outcome::Moved => "moved",
        Outcome::Deferred { .. } => "waiting",
        Outcome::Refused { .. } => "refused",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_quota_wait_ends_just_after_midnight_utc() {
        let now = DateTime::parse_from_rfc3339("2026-03-08T22:15:00Z").unwrap().with_timezone(&Utc);
        let Outcome::Deferred { waiting, due, reason } = quota_wait(now) else { panic!() };
        assert_eq!(waiting, Waiting::Quota);
        assert_eq!(due.to_rfc3339(), "2026-03-09T00:00:30+00:00");
        assert!(reason.contains("2026-03-09 00:00 UTC"), "{reason}");
    }
}
