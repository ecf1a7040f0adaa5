//! One job runner for every background channel (meetings at Zoom or Microsoft, patient e-mail;
//! tomorrow SMS or another provider).
//!
//! The runner owns what every channel needs alike: one pass at a time per database (an OS file
//! lock, `locks/<channel>.lock`, released even if the process dies), taking due jobs in order
//! and each once per pass, writing each outcome back before the next job, telling the app which
//! appointment changed, counting what happened, and between passes sleeping until the next job is
//! due, a wake, or the channel's longest idle time. The backoff with jitter is here too.
//!
//! A channel ([`Channel`]) supplies only what differs: where its jobs are, how to send one and
//! read the answer (the attempt recorded before a send that may reach the other side, a
//! `Retry-After`), and how to write the outcome back. Jobs are written by the core in the same
//! transaction as the change that calls for them, so nothing here decides *whether* to send.
//!
//! The runner knows nothing of accounts, providers or settings: it is given a channel, the data
//! folder's lock files and a clock. Its own failures are the core's (the database, the lock
//! file), so it returns [`CoreError`] rather than a type that would only wrap it.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use frontdesk_core::store::crash_point;
use frontdesk_core::{AppointmentId, Clock, CoreError, Locks};
use futures_util::FutureExt;
use tokio::sync::Notify;

/// The first retry waits this long; each further one twice as long, up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_secs(5);
const MAX_BACKOFF: Duration = Duration::from_secs(60 * 60);

/// What differs between background channels. The [`Runner`] does the rest.
pub trait Channel: Send + Sync + 'static {
    /// The channel's name in logs, its lock file (`locks/<NAME>.lock`) and its crash points
    /// (`<NAME>:before-record`).
    const NAME: &'static str;
    /// The shortest and the longest sleep between passes.
    const IDLE: (Duration, Duration);
    /// One job, with everything needed to send it.
    type Work: Send + Sync;
    /// What sending one job came to.
    type Outcome: Send + Sync;
    /// What one pass did, by kind of outcome.
    type Report: Default + std::fmt::Display + serde::Serialize + Send;
    /// What a pass reads once and keeps between its jobs (e.g. the SMTP settings).
    type Pass: Default + Send;

    /// The next job due (every pending one with `ignore_due`), leaving out the `seen` keys.
    fn next(
        &self,
        ignore_due: bool,
        seen: &[i64],
    ) -> impl Future<Output = frontdesk_core::Result<Option<Self::Work>>> + Send;

    /// When the next job is due, if any is pending.
    fn next_due(&self) -> impl Future<Output = frontdesk_core::Result<Option<DateTime<Utc>>>> + Send;

    /// The job's key within one pass (`seen`).
    fn key(work: &Self::Work) -> i64;

    /// The appointment the job is for (the app shows its new state).
    fn appointment(work: &Self::Work) -> AppointmentId;

    /// Sends one job and sorts what happened; it never writes the outcome (the runner does).
    fn send(&self, work: &Self::Work, pass: &mut Self::Pass) -> impl Future<Output = Self::Outcome> + Send;

    /// Writes what sending `work` came to.
    fn record(
        &self,
        work: &Self::Work,
        outcome: &Self::Outcome,
    ) -> impl Future<Output = frontdesk_core::Result<()>> + Send;

    /// Counts `outcome` in the pass's report.
    fn count(report: &mut Self::Report, outcome: &Self::Outcome);

    /// One log line's worth of the job and its outcome: ids and states, never patient data.
    fn log(work: &Self::Work, outcome: &Self::Outcome);
}

/// Runs one channel's jobs. Cheap to share; one per channel per process.
pub struct Runner<C: Channel> {
    channel: C,
    locks: Locks,
    clock: Arc<dyn Clock>,
    wake: Notify,
    on_change: Box<dyn Fn(AppointmentId) + Send + Sync>,
}

impl<C: Channel> Runner<C> {
    /// A runner of `channel`, taking turns with other processes through `locks` and sleeping by
    /// `clock`, calling `on_change` after each appointment whose state it wrote.
    pub fn new(
        channel: C,
        locks: Locks,
        clock: Arc<dyn Clock>,
        on_change: impl Fn(AppointmentId) + Send + Sync + 'static,
    ) -> Self {
        Runner { channel, locks, clock, wake: Notify::new(), on_change: Box::new(on_change) }
    }

    /// Asks the running runner to look at the queue now (a job was just written).
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Sends every job that is due (every pending one with `ignore_due`), each once, and
    /// returns what came of them. Waits for another process's pass to end first.
    ///
    /// # Errors
    /// [`CoreError`] when the database or the lock file cannot be used; a job's own failure is
    /// written to the job instead.
    pub async fn run_pass(&self, ignore_due: bool) -> Result<C::Report, CoreError> {
        let lock = format!("{}.lock", C::NAME);
        let _lock = self.locks.take(&lock, "a background worker's lock").await?;
        let mut report = C::Report::default();
        let mut pass = C::Pass::default();
        let mut seen = Vec::new();
        while let Some(work) = self.channel.next(ignore_due, &seen).await? {
            seen.push(C::key(&work));
            let outcome = self.channel.send(&work, &mut pass).await;
            C::count(&mut report, &outcome);
            crash_point(&format!("{}:before-record", C::NAME));
            self.channel.record(&work, &outcome).await?;
            C::log(&work, &outcome);
            (self.on_change)(C::appointment(&work));
        }
        Ok(report)
    }

    /// Runs passes until `stop` resolves: after each, it sleeps until the next job is due, a
    /// [`Runner::wake`], or the channel's longest idle time (and at least its shortest). A
    /// failed pass is logged and tried again on the next turn; so is a pass that panicked (a
    /// bug, or an answer nobody foresaw), so one bad job never stops the channel.
    pub async fn run(&self, stop: impl Future<Output = ()>) {
        let (shortest, longest) = C::IDLE;
        tokio::pin!(stop);
        loop {
            match AssertUnwindSafe(self.run_pass(false)).catch_unwind().await {
                Ok(Ok(_)) => {}
                Ok(Err(e)) => {
                    tracing::warn!(error = %e, worker = C::NAME, "a pass failed; trying again shortly")
                }
                Err(_) => tracing::error!(worker = C::NAME, "a pass panicked; trying again shortly"),
            }
            let idle = match self.channel.next_due().await {
                Ok(Some(due)) => (due - self.clock.now()).to_std().unwrap_or(Duration::ZERO).min(longest),
                _ => longest,
            };
            tokio::select! {
                () = &mut stop => return,
                () = self.wake.notified() => {}
                () = tokio::time::sleep(idle.max(shortest)) => {}
            }
        }
    }
}

/// Exponential backoff with jitter: 5 s, 10 s, 20 s... up to an hour, each drawn at random
/// between half and all of it, so desks that lost the network together do not retry together.
pub fn jittered_backoff(tries: i64) -> TimeDelta {
    let doubling = u32::try_from(tries.clamp(0, 20)).unwrap_or(20);
    let full = FIRST_BACKOFF.saturating_mul(2u32.saturating_pow(doubling)).min(MAX_BACKOFF);
    let mut byte = [0u8; 2];
    let random = getrandom::getrandom(&mut byte).map_or(u16::MAX, |()| u16::from_le_bytes(byte));
    let fraction = 0.5 + f64::from(random) / f64::from(u16::MAX) / 2.0;
    TimeDelta::from_std(full.mul_f64(fraction)).unwrap_or_else(|_| TimeDelta::hours(1))
}

/// `now` plus a provider's `Retry-After`, or the backoff when there is none or it is absurd
/// (an untrusted number must not overflow the clock).
pub fn retry_at(now: DateTime<Utc>, retry_after: Option<Duration>, tries: i64) -> DateTime<Utc> {
    retry_after
        .and_then(|d| TimeDelta::from_std(d).ok())
        .and_then(|d| now.checked_add_signed(d))
        .unwrap_or_else(|| now + jittered_backoff(tries))
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
    fn a_retry_after_is_kept_unless_it_would_overflow_the_clock() {
        let now = DateTime::parse_from_rfc3339("2026-03-08T22:15:00Z").unwrap().with_timezone(&Utc);
        assert_eq!(retry_at(now, Some(Duration::from_secs(120)), 0), now + TimeDelta::seconds(120));
        let absurd = retry_at(now, Some(Duration::from_secs(u64::MAX)), 0);
        assert!(absurd > now && absurd <= now + TimeDelta::seconds(5), "{absurd}");
    }
}
