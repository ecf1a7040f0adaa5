//! The outbox worker: sends each telehealth appointment's meeting job to Zoom or Microsoft and
//! writes back what it learned.
//!
//! Booking never waits for it: the job was written with the appointment. The worker takes jobs
//! in due order, one at a time, and a job carries only "make the meeting match the appointment
//! as it is now", so retries and coalescing need no bookkeeping of their own. Only one worker
//! runs at a time per database: it holds `locks/outbox.lock` (an OS file lock, released even if
//! the process dies) for each pass, so the app and `frontdesk-cli outbox run` can run side by
//! side and a job is never sent twice.
//!
//! Never two meetings for one appointment: Teams' `createOrGet` is keyed by the appointment; a
//! Zoom create is recorded before it is sent, with the attempt in the meeting's agenda, and a
//! worker that finds an attempt without an answer looks for that meeting before creating again.
//! Teams creates are recorded too, so that a cancellation after an unanswered create still
//! deletes what that create may have made.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Days, TimeDelta, Utc};
use frontdesk_core::store::{crash_point, MeetingWork, Outcome};
use frontdesk_core::{AppointmentId, Provider, Waiting};
use tokio::sync::Notify;

use crate::accounts::Accounts;
use crate::error::AccountError;
use crate::meetings::{CallError, MarkedMeeting, MeetingSpec};

/// The first retry waits this long; each further one twice as long, up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_secs(5);
const MAX_BACKOFF: Duration = Duration::from_secs(60 * 60);
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

/// Sends outbox jobs. Cheap to share; one per process.
pub struct Worker {
    accounts: Arc<Accounts>,
    wake: Arc<Notify>,
    on_change: Box<dyn Fn(AppointmentId) + Send + Sync>,
}

impl Worker {
    /// A worker over the accounts' store, calling `on_change` after each appointment whose
    /// meeting state it wrote.
    pub fn new(accounts: Arc<Accounts>, on_change: impl Fn(AppointmentId) + Send + Sync + 'static) -> Worker {
        Worker { accounts, wake: Arc::new(Notify::new()), on_change: Box::new(on_change) }
    }

    /// Asks the running worker to look at the queue now (a job was just written).
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Sends every job that is due (every pending job with `ignore_due`), each once, and
    /// returns what came of them. Waits for another worker's pass to end first.
    ///
    /// # Errors
    /// [`AccountError::Core`] when the database or the lock file cannot be used; a job's own
    /// failure is written to the job instead.
    pub async fn run_pass(&self, ignore_due: bool) -> Result<PassReport, AccountError> {
        let _lock = self.accounts.lock_file("outbox.lock", "the outbox lock").await?;
        let store = self.accounts.store();
        let mut report = PassReport::default();
        let mut seen = Vec::new();
        while let Some(work) = store.next_meeting_work(ignore_due, &seen).await? {
            seen.push(work.job_id);
            let outcome = self.send(&work).await;
            match &outcome {
                Outcome::Ready { .. } => report.ready += 1,
                Outcome::Cancelled => report.cancelled += 1,
                Outcome::Deferred { .. } => report.waiting += 1,
                Outcome::Refused { .. } => report.failed += 1,
            }
            crash_point("outbox:before-record");
            store.record_outcome(&work, &outcome).await?;
            tracing::info!(
                appointment = work.appointment_id.0,
                provider = work.provider.as_str(),
                outcome = outcome_word(&outcome),
                "meeting job sent"
            );
            (self.on_change)(work.appointment_id);
        }
        Ok(report)
    }

    /// Runs passes until `stop` resolves: after each, it sleeps until the next job is due, a
    /// new job is written ([`Worker::wake`]), or 30 s pass.
    pub async fn run(&self, stop: impl Future<Output = ()>) {
        let idle = (Duration::from_millis(50), MAX_IDLE);
        let next_due = || self.accounts.store().next_job_due();
        keep_running("outbox", &self.accounts, &self.wake, idle, stop, || self.run_pass(false), next_due)
            .await;
    }

    /// Sends one job and sorts what happened; nothing here writes the outcome.
    async fn send(&self, work: &MeetingWork) -> Outcome {
        match self.attempt(work).await {
            Ok(outcome) => outcome,
            Err(e) => self.sort_failure(work, e).await,
        }
    }

    async fn attempt(&self, work: &MeetingWork) -> Result<Outcome, CallError> {
        let accounts = &self.accounts;
        let store = accounts.store();
        let (doctor, provider) = (work.doctor_id, work.provider);
        let spec = |marker: String| MeetingSpec {
            title: work.title.clone(),
            start: work.start,
            end: work.end,
            tz: work.tz.clone(),
            marker,
        };

        if !work.active {
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
            return Ok(Outcome::Cancelled);
        }

        if let Some(id) = &work.meeting_id {
            if work.synced == Some((work.start, work.end)) {
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
                if first.start != Some(work.start) {
                    accounts.update_meeting(doctor, provider, &first.id, &spec(marker(work, None))).await?;
                }
                return Ok(Outcome::Ready { meeting_id: first.id, join_url: first.join_url });
            }
        }

        if !store.take_meeting_call(doctor, provider).await.map_err(AccountError::from)? {
            return Ok(quota_wait(self.accounts.now()));
        }
        let attempt = store.record_create_attempt(work.appointment_id).await.map_err(AccountError::from)?;
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
                    store.close_create_attempt(work.appointment_id).await.map_err(AccountError::from)?;
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
        let backoff = || now + jittered_backoff(work.tries);
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
                let due =
                    retry_after.and_then(|d| TimeDelta::from_std(d).ok()).map_or_else(backoff, |d| now + d);
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

/// Runs a worker's `pass` until `stop` resolves: after each, it sleeps until `next_due`, a
/// `wake`, or the longest idle time (and at least the shortest). A failed pass is logged and
/// tried again on the next turn.
pub(crate) async fn keep_running<T, P, D>(
    worker: &str,
    accounts: &Accounts,
    wake: &Notify,
    (shortest, longest): (Duration, Duration),
    stop: impl Future<Output = ()>,
    pass: impl Fn() -> P,
    next_due: impl Fn() -> D,
) where
    P: Future<Output = Result<T, AccountError>>,
    D: Future<Output = frontdesk_core::Result<Option<DateTime<Utc>>>>,
{
    tokio::pin!(stop);
    loop {
        if let Err(e) = pass().await {
            tracing::warn!(error = %e, worker, "a pass failed; trying again shortly");
        }
        let idle = match next_due().await {
            Ok(Some(due)) => (due - accounts.now()).to_std().unwrap_or(Duration::ZERO).min(longest),
            _ => longest,
        };
        tokio::select! {
            () = &mut stop => return,
            () = wake.notified() => {}
            () = tokio::time::sleep(idle.max(shortest)) => {}
        }
    }
}

/// A meeting at the provider that carries this clinic's marker but that no active appointment owns.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
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
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
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
    let base = format!("frontdesk:{}:appointment:{}", work.clinic_uid, work.appointment_id);
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

/// Exponential backoff with jitter: 5 s, 10 s, 20 s... up to an hour, each drawn at random
/// between half and all of it, so desks that lost the network together do not retry together.
pub(crate) fn jittered_backoff(tries: i64) -> TimeDelta {
    let doubling = u32::try_from(tries.clamp(0, 20)).unwrap_or(20);
    let full = FIRST_BACKOFF.saturating_mul(2u32.saturating_pow(doubling)).min(MAX_BACKOFF);
    let mut byte = [0u8; 2];
    let random = getrandom::getrandom(&mut byte).map_or(u16::MAX, |()| u16::from_le_bytes(byte));
    let fraction = 0.5 + f64::from(random) / f64::from(u16::MAX) / 2.0;
    TimeDelta::from_std(full.mul_f64(fraction)).unwrap_or_else(|_| TimeDelta::hours(1))
}

fn outcome_word(outcome: &Outcome) -> &'static str {
    match outcome {
        Outcome::Ready { .. } => "ready",
        Outcome::Cancelled => "cancelled",
        Outcome::Deferred { .. } => "waiting",
        Outcome::Refused { .. } => "refused",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_with_jitter_up_to_an_hour() {
        for tries in 0..30 {
            let full = FIRST_BACKOFF.saturating_mul(2u32.saturating_pow(tries.min(20))).min(MAX_BACKOFF);
            let got = jittered_backoff(i64::from(tries)).to_std().unwrap();
            assert!(got >= full / 2 && got <= full, "{tries}: {got:?} not in [{:?}, {full:?}]", full / 2);
        }
    }

    #[test]
    fn the_quota_wait_ends_just_after_midnight_utc() {
        let now = DateTime::parse_from_rfc3339("2026-03-08T22:15:00Z").unwrap().with_timezone(&Utc);
        let Outcome::Deferred { waiting, due, reason } = quota_wait(now) else { panic!() };
        assert_eq!(waiting, Waiting::Quota);
        assert_eq!(due.to_rfc3339(), "2026-03-09T00:00:30+00:00");
        assert!(reason.contains("2026-03-09 00:00 UTC"), "{reason}");
    }
}
