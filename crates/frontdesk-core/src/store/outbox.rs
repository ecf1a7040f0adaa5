//! The outbox: one provisioning job per telehealth appointment, written in the same transaction
//! as the change that calls for it, and each appointment's meeting state.
//!
//! A job means "make the provider's meeting match the appointment as it is now". A change that
//! comes while a job waits folds into it (`changes` goes up), so book-then-cancel before sending
//! makes no call and several moves send one update. The worker that sends jobs lives with the
//! provider clients (`frontdesk-meetings`); it reads its work here and writes back what it
//! learned, and only one worker runs at a time per database (it holds a lock file meanwhile).

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;

use super::audit::{self, AuditAbout, AuditAction};
use super::jobs::{JobVisit, Queue, VisitRow};
use super::sql::{self, Tx};
use super::{instant, Store};
use crate::access::Action;
use crate::error::{CoreError, Result};
use crate::mail_text::type_shown;
use crate::model::{
    is_join_link, meeting_title, Actor, AppointmentId, MeetingState, Mode, Provider, StaffId, Waiting,
};

/// Zoom's limit of meeting creates and updates per host per UTC day.
pub const ZOOM_DAILY_MEETING_CALLS: i64 = 100;

/// A job as `outbox list` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct OutboxJob {
    pub id: i64,
    pub appointment_id: AppointmentId,
    pub doctor_id: StaffId,
    pub provider: Provider,
    /// `pending` or `failed`.
    pub state: String,
    pub waiting: Option<Waiting>,
    /// When a pending job goes next.
    pub due: DateTime<Utc>,
    pub tries: i64,
    /// How many changes of the appointment this job carries.
    pub changes: i64,
    /// Why it waits or failed.
    pub reason: Option<String>,
}

/// One job with everything the worker needs to send it, and nothing of the patient but initials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeetingWork {
    pub job_id: i64,
    /// The job's change count when it was read: a change that comes during the call keeps the job.
    pub changes: i64,
    /// The appointment as it is now.
    pub visit: JobVisit,
    pub doctor_id: StaffId,
    pub provider: Provider,
    /// "Telehealth consult — J.D.": the type and the patient's initials.
    pub title: String,
    /// The provider's id of the meeting made so far (Zoom's number as decimal digits).
    pub meeting_id: Option<String>,
    /// Create attempts recorded so far (a Zoom meeting's agenda numbers them).
    pub attempts: i64,
    /// A create attempt was recorded and its answer never stored: look for its meeting first.
    pub attempt_open: bool,
    /// The times the provider has, when known.
    pub synced: Option<(DateTime<Utc>, DateTime<Utc>)>,
    /// The visit was rescheduled to another doctor, or to a type held on another provider: the
    /// meeting is deleted where it is (`doctor_id`'s account on `provider`), then made anew on
    /// this provider for the visit's doctor.
    pub moves_to: Option<Provider>,
}

/// What sending a job came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The meeting exists at the provider with the times in `work` (the join link is kept when
    /// `join_url` is `None`, e.g. after an update).
    Ready { meeting_id: String, join_url: Option<String> },
    /// The meeting is gone at the provider (or was never made).
    Cancelled,
    /// Not sent now; it goes again at `due`.
    Deferred { waiting: Waiting, due: DateTime<Utc>, reason: String },
    /// The meeting is deleted where it was (see [`MeetingWork::moves_to`]); the job goes on at
    /// once to make it for the visit's doctor.
    Moved,
    /// The provider refused; retrying will not help until someone acts. `forget_meeting` drops
    /// the meeting id (the provider no longer has it), so a Retry makes a new one.
    Refused { reason: String, forget_meeting: bool },
}

#[derive(sqlx::FromRow)]
struct WorkRow {
    job_id: i64,
    changes: i64,
    #[sqlx(flatten)]
    visit: VisitRow,
    doctor_id: i64,
    provider: String,
    type_name: String,
    patient_name: String,
    neutral_titles: bool,
    locale: String,
    zoom_id: Option<i64>,
    teams_id: Option<String>,
    attempts: i64,
    attempt_open: bool,
    synced_start: Option<i64>,
    synced_end: Option<i64>,
    visit_doctor_id: i64,
    wanted_mode: String,
}

#[derive(sqlx::FromRow)]
struct JobRow {
    id: i64,
    appointment_id: i64,
    doctor_id: i64,
    provider: String,
    state: String,
    waiting: Option<String>,
    due_at_ms: i64,
    tries: i64,
    changes: i64,
    reason: Option<String>,
}

/// Opens the meeting of a newly booked telehealth appointment and queues its job.
pub(super) async fn open_meeting(
    conn: &mut Tx,
    appointment: AppointmentId,
    provider: Provider,
    now: DateTime<Utc>,
) -> Result<()> {
    // A visit rescheduled from a telehealth type to one in person and back finds its old row,
    // its meeting deleted: it starts again.
    sql::query(
        "INSERT INTO meetings (appointment_id, provider, state, waiting, updated_at) VALUES ($1, $2, 'pending', 'queued', $3)
         ON CONFLICT (appointment_id) DO UPDATE SET provider = excluded.provider, state = 'pending', waiting = 'queued',
           zoom_id = NULL, teams_id = NULL, join_url = NULL, error = NULL, attempts = 0, attempt_open = FALSE,
           synced_start = NULL, synced_end = NULL, host_id = NULL, updated_at = excluded.updated_at",
    )
    .bind(appointment.0)
    .bind(provider.as_str())
    .bind(now.timestamp())
    .execute(&mut *conn)
    .await?;
    queue(conn, appointment, now).await
}

/// Whether the appointment has a meeting that is not cancelled (made, being made, or failed).
pub(super) async fn has_live_meeting(conn: &mut Tx, appointment: AppointmentId) -> Result<bool> {
    let state: Option<String> = sql::query_scalar("SELECT state FROM meetings WHERE appointment_id = $1")
        .bind(appointment.0)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(state.is_some_and(|s| s != "cancelled"))
}

/// Folds a change of a telehealth appointment (moved, cancelled) into its job; nothing for an
/// in-person visit.
pub(super) async fn enqueue_change(
    conn: &mut Tx,
    appointment: AppointmentId,
    now: DateTime<Utc>,
) -> Result<()> {
    let has_meeting = sql::query(
        "UPDATE meetings SET state = 'pending', waiting = 'queued', error = NULL, updated_at = $2
         WHERE appointment_id = $1 AND state <> 'cancelled'",
    )
    .bind(appointment.0)
    .bind(now.timestamp())
    .execute(&mut *conn)
    .await?
        > 0;
    if has_meeting {
        queue(conn, appointment, now).await?;
    }
    Ok(())
}

/// Makes the doctor's jobs that wait for a connection due now (they just connected).
pub(super) async fn wake_jobs(
    conn: &mut Tx,
    doctor: StaffId,
    provider: Provider,
    now: DateTime<Utc>,
) -> Result<()> {
    sql::query(
        "UPDATE outbox SET due_at_ms = $3 WHERE state = 'pending' AND appointment_id IN
           (SELECT a.id FROM appointments a JOIN meetings m ON m.appointment_id = a.id
            WHERE coalesce(m.host_id, a.doctor_id) = $1 AND m.provider = $2 AND m.waiting = 'not_connected')",
    )
    .bind(doctor.0)
    .bind(provider.as_str())
    .bind(now.timestamp_millis())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

async fn queue(conn: &mut Tx, appointment: AppointmentId, now: DateTime<Utc>) -> Result<()> {
    sql::query(
        "INSERT INTO outbox (appointment_id, state, due_at_ms, created_at_ms, updated_at_ms) VALUES ($1, 'pending', $2, $2, $2)
         ON CONFLICT (appointment_id) DO UPDATE SET
           state = 'pending', changes = outbox.changes + 1, tries = 0, due_at_ms = $2, reason = NULL, updated_at_ms = $2",
    )
    .bind(appointment.0)
    .bind(now.timestamp_millis())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

impl Store {
    /// The jobs waiting or failed, oldest due first.
    ///
    /// # Errors
    /// [`CoreError::Storage`].
    pub async fn outbox_jobs(&self) -> Result<Vec<OutboxJob>> {
        let rows: Vec<JobRow> = sql::query_as(
            "SELECT o.id, o.appointment_id, a.doctor_id, m.provider, o.state, m.waiting, o.due_at_ms, o.tries, o.changes, o.reason
             FROM outbox o JOIN appointments a ON a.id = o.appointment_id JOIN meetings m ON m.appointment_id = o.appointment_id
             ORDER BY o.state DESC, o.due_at_ms, o.id",
        )
        .fetch_all(self.reads())
        .await?;
        rows.into_iter()
            .map(|r| {
                Ok(OutboxJob {
                    id: r.id,
                    appointment_id: AppointmentId(r.appointment_id),
                    doctor_id: StaffId(r.doctor_id),
                    provider: r.provider.parse()?,
                    state: r.state,
                    waiting: r.waiting.as_deref().map(str::parse).transpose()?,
                    due: DateTime::from_timestamp_millis(r.due_at_ms).unwrap_or_default(),
                    tries: r.tries,
                    changes: r.changes,
                    reason: r.reason,
                })
            })
            .collect()
    }

    /// The next pending job that is due at `now` (any pending job with `ignore_due`), other than
    /// those in `skip`.
    ///
    /// # Errors
    /// [`CoreError::Storage`].
    pub async fn next_meeting_work(&self, ignore_due: bool, skip: &[i64]) -> Result<Option<MeetingWork>> {
        let row: Option<WorkRow> = self.next_work(
            Queue::Meetings,
            "SELECT o.id AS job_id, o.changes, o.tries, a.id AS appointment_id, coalesce(m.host_id, a.doctor_id) AS doctor_id,
                    a.doctor_id AS visit_doctor_id, t.mode AS wanted_mode, m.provider, a.status,
                    a.start_at, a.end_at, a.tz, t.name AS type_name, p.full_name AS patient_name,
                    c.uid AS clinic_uid, c.neutral_titles, c.locale,
                    m.zoom_id, m.teams_id, m.attempts, m.attempt_open, m.synced_start, m.synced_end
             FROM outbox o
             JOIN appointments a ON a.id = o.appointment_id
             JOIN meetings m ON m.appointment_id = a.id
             JOIN appointment_types t ON t.id = a.type_id
             JOIN patients p ON p.id = a.patient_id
             JOIN clinic c ON c.id = 1
             WHERE o.state = 'pending' AND ($2 OR o.due_at_ms <= $1)
               AND o.id NOT IN (SEEN_KEYS) AND FREE(o)
             ORDER BY o.due_at_ms, o.id LIMIT 1",
            ignore_due,
            skip,
            |r: &WorkRow| r.job_id,
        )
        .await?;
        let Some(r) = row else { return Ok(None) };
        let synced = match (r.synced_start, r.synced_end) {
            (Some(s), Some(e)) => Some((instant(s)?, instant(e)?)),
            _ => None,
        };
        let provider: Provider = r.provider.parse()?;
        let mut visit: JobVisit = r.visit.try_into()?;
        // A visit rescheduled to a type held in person keeps no meeting; one moved to another
        // doctor or provider has its meeting made anew there.
        let wanted = r.wanted_mode.parse::<Mode>()?.provider();
        visit.active &= wanted.is_some();
        let moves_to = wanted.filter(|w| *w != provider || r.visit_doctor_id != r.doctor_id);
        Ok(Some(MeetingWork {
            job_id: r.job_id,
            changes: r.changes,
            visit,
            doctor_id: StaffId(r.doctor_id),
            provider,
            title: meeting_title(type_shown(&r.type_name, &r.locale, r.neutral_titles), &r.patient_name),
            meeting_id: r.zoom_id.map(|id| id.to_string()).or(r.teams_id),
            attempts: r.attempts,
            attempt_open: r.attempt_open,
            synced,
            moves_to,
        }))
    }

    /// Records a create attempt before it is sent, and returns its number.
    ///
    /// # Errors
    /// [`CoreError::Storage`].
    pub async fn record_create_attempt(&self, appointment: AppointmentId) -> Result<i64> {
        let mut tx = self.write().await?;
        let attempt: i64 = sql::query_scalar(
            "UPDATE meetings SET attempts = attempts + 1, attempt_open = TRUE WHERE appointment_id = $1 RETURNING attempts",
        )
        .bind(appointment.0)
        .fetch_one(&mut tx)
        .await?;
        tx.commit().await?;
        Ok(attempt)
    }

    /// Counts a meeting create or update for the doctor's daily quota, before it is sent.
    /// Returns false (and counts nothing) when the day's quota is used up.
    ///
    /// # Errors
    /// [`CoreError::Storage`].
    pub async fn take_meeting_call(&self, doctor: StaffId, provider: Provider) -> Result<bool> {
        if provider != Provider::Zoom {
            return Ok(true);
        }
        let day = self.now().format("%Y-%m-%d").to_string();
        let mut tx = self.write().await?;
        let taken = sql::query(
            "INSERT INTO meeting_calls (doctor_id, provider, utc_day, count) VALUES ($1, $2, $3, 1)
             ON CONFLICT (doctor_id, provider, utc_day) DO UPDATE SET count = meeting_calls.count + 1 WHERE meeting_calls.count < $4",
        )
        .bind(doctor.0)
        .bind(provider.as_str())
        .bind(&day)
        .bind(ZOOM_DAILY_MEETING_CALLS)
        .execute(&mut tx)
        .await?
            > 0;
        tx.commit().await?;
        Ok(taken)
    }

    /// Gives back a call counted by [`Store::take_meeting_call`] that never reached the provider
    /// (offline, not connected), so that a long outage does not use up the day.
    ///
    /// # Errors
    /// [`CoreError::Storage`].
    pub async fn return_meeting_call(&self, doctor: StaffId, provider: Provider) -> Result<()> {
        let day = self.now().format("%Y-%m-%d").to_string();
        let mut tx = self.write().await?;
        sql::query(
            "UPDATE meeting_calls SET count = count - 1 WHERE doctor_id = $1 AND provider = $2 AND utc_day = $3 AND count > 0",
        )
        .bind(doctor.0)
        .bind(provider.as_str())
        .bind(&day)
        .execute(&mut tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Marks the doctor's quota for today as used up (the provider said so).
    ///
    /// # Errors
    /// [`CoreError::Storage`].
    pub async fn use_up_meeting_calls(&self, doctor: StaffId, provider: Provider) -> Result<()> {
        let day = self.now().format("%Y-%m-%d").to_string();
        let mut tx = self.write().await?;
        sql::query(
            "INSERT INTO meeting_calls (doctor_id, provider, utc_day, count) VALUES ($1, $2, $3, $4)
             ON CONFLICT (doctor_id, provider, utc_day) DO UPDATE SET count = $4",
        )
        .bind(doctor.0)
        .bind(provider.as_str())
        .bind(&day)
        .bind(ZOOM_DAILY_MEETING_CALLS)
        .execute(&mut tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Writes back what sending `work` came to, in one transaction: the meeting's new state, the
    /// job (gone, tried again later, failed, or due now when the appointment changed again
    /// meanwhile, so the next pass sends the newer state) and, when the state changed, an audit
    /// row. What to write is decided first, by [`write_back`]; this only applies it.
    ///
    /// # Errors
    /// [`CoreError::Storage`]; [`CoreError::Invalid`] for a Zoom meeting id that is not a 64-bit integer.
    pub async fn record_outcome(&self, work: &MeetingWork, outcome: &Outcome) -> Result<()> {
        let now = self.now();
        let mut tx = self.write().await?;
        let changes: Option<i64> = sql::query_scalar("SELECT changes FROM outbox WHERE id = $1")
            .bind(work.job_id)
            .fetch_optional(&mut tx)
            .await?;
        let before: Option<String> =
            sql::query_scalar("SELECT state FROM meetings WHERE appointment_id = $1")
                .bind(work.visit.appointment_id.0)
                .fetch_optional(&mut tx)
                .await?;
        let changed_since = changes.is_some_and(|c| c != work.changes);
        let effect = write_back(work, outcome, changed_since, now)?;
        let id = work.visit.appointment_id.0;
        let at = now.timestamp();
        match &effect.meeting {
            MeetingWrite::Ready { zoom_id, teams_id, join_url } => {
                sql::query(
                    "UPDATE meetings SET zoom_id = $2, teams_id = $3, join_url = coalesce($4, join_url), error = NULL, attempt_open = FALSE,
                       synced_start = $5, synced_end = $6, state = 'ready', waiting = NULL, updated_at = $7
                     WHERE appointment_id = $1",
                )
                .bind(id)
                .bind(zoom_id)
                .bind(teams_id)
                .bind(join_url)
                .bind(work.visit.start.timestamp())
                .bind(work.visit.end.timestamp())
                .bind(at)
                .execute(&mut tx)
                .await?;
            }
            MeetingWrite::Cancelled => {
                sql::query(
                    "UPDATE meetings SET zoom_id = NULL, teams_id = NULL, join_url = NULL, error = NULL, attempt_open = FALSE,
                       synced_start = NULL, synced_end = NULL, state = 'cancelled', waiting = NULL, updated_at = $2
                     WHERE appointment_id = $1",
                )
                .bind(id)
                .bind(at)
                .execute(&mut tx)
                .await?;
            }
            MeetingWrite::Moved { provider } => {
                sql::query(
                    "UPDATE meetings SET provider = $2, host_id = NULL, zoom_id = NULL, teams_id = NULL, join_url = NULL, error = NULL,
                       attempts = 0, attempt_open = FALSE, synced_start = NULL, synced_end = NULL, state = 'pending',
                       waiting = 'queued', updated_at = $3
                     WHERE appointment_id = $1",
                )
                .bind(id)
                .bind(provider.as_str())
                .bind(at)
                .execute(&mut tx)
                .await?;
            }
            MeetingWrite::Pending { waiting } => {
                sql::query("UPDATE meetings SET state = 'pending', waiting = $2, updated_at = $3 WHERE appointment_id = $1")
                    .bind(id)
                    .bind(waiting.as_str())
                    .bind(at)
                    .execute(&mut tx)
                    .await?;
            }
            MeetingWrite::Failed { reason, forget_meeting } => {
                sql::query(
                    "UPDATE meetings SET state = 'failed', waiting = NULL, error = $2, updated_at = $3,
                       zoom_id = CASE WHEN $4 THEN NULL ELSE zoom_id END,
                       teams_id = CASE WHEN $4 THEN NULL ELSE teams_id END,
                       join_url = CASE WHEN $4 THEN NULL ELSE join_url END,
                       synced_start = CASE WHEN $4 THEN NULL ELSE synced_start END
                     WHERE appointment_id = $1",
                )
                .bind(id)
                .bind(reason)
                .bind(at)
                .bind(forget_meeting)
                .execute(&mut tx)
                .await?;
            }
        }
        if effect.shown_queued {
            sql::query("UPDATE meetings SET state = 'pending', waiting = 'queued' WHERE appointment_id = $1")
                .bind(id)
                .execute(&mut tx)
                .await?;
        }
        let at_ms = now.timestamp_millis();
        match &effect.job {
            JobWrite::Delete => {
                sql::query("DELETE FROM outbox WHERE id = $1").bind(work.job_id).execute(&mut tx).await?;
            }
            JobWrite::Retry { due, reason } => {
                sql::query(
                    "UPDATE outbox SET tries = tries + 1, due_at_ms = $2, reason = $3, updated_at_ms = $4 WHERE id = $1",
                )
                .bind(work.job_id)
                .bind(due.timestamp_millis())
                .bind(reason)
                .bind(at_ms)
                .execute(&mut tx)
                .await?;
            }
            JobWrite::Fail { reason } => {
                sql::query("UPDATE outbox SET state = 'failed', tries = tries + 1, reason = $2, updated_at_ms = $3 WHERE id = $1")
                    .bind(work.job_id)
                    .bind(reason)
                    .bind(at_ms)
                    .execute(&mut tx)
                    .await?;
            }
            JobWrite::Requeue => {
                sql::query("UPDATE outbox SET due_at_ms = $2, tries = 0, updated_at_ms = $2 WHERE id = $1")
                    .bind(work.job_id)
                    .bind(at_ms)
                    .execute(&mut tx)
                    .await?;
            }
        }
        // The job is no longer this worker's.
        sql::query("UPDATE outbox SET lease_until_ms = NULL, leased_by = NULL WHERE id = $1")
            .bind(work.job_id)
            .execute(&mut tx)
            .await?;
        if let Some((state, detail)) =
            effect.audit.filter(|(state, _)| before.as_deref() != Some(state.as_str()))
        {
            // What the worker learned, never the join or host link.
            let about = AuditAbout {
                doctor: Some(work.doctor_id),
                patient: None,
                appointment: Some(work.visit.appointment_id),
            };
            audit::append(&mut tx, now, &Actor::OUTBOX, AuditAction::meeting(state), about, &detail).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Puts a failed job back in the queue, due now.
    ///
    /// # Errors
    /// [`CoreError::NotFound`] for an unknown job; [`CoreError::Transition`] for one that has not failed.
    pub async fn retry_job(&self, actor: &Actor, job: i64) -> Result<AppointmentId> {
        let appointment: Option<(i64, String)> =
            sql::query_as("SELECT appointment_id, state FROM outbox WHERE id = $1")
                .bind(job)
                .fetch_optional(self.reads())
                .await?;
        match appointment {
            None => Err(CoreError::NotFound { what: "outbox job", id: job }),
            Some((_, state)) if state != "failed" => Err(CoreError::Transition(format!(
                "job {job} has not failed; it is already waiting to be sent"
            ))),
            Some((appointment, _)) => {
                self.retry_meeting(actor, AppointmentId(appointment)).await?;
                Ok(AppointmentId(appointment))
            }
        }
    }

    /// Sends a failed meeting again (the desk, the visit's doctor, an admin): its job goes
    /// back in the queue, due now, and the audit log says who asked.
    ///
    /// # Errors
    /// [`CoreError::Forbidden`]; [`CoreError::NotFound`] for an appointment without a meeting;
    /// [`CoreError::Transition`] when its meeting has not failed.
    pub async fn retry_meeting(&self, actor: &Actor, appointment: AppointmentId) -> Result<()> {
        actor.may(Action::RetryMeeting)?;
        let now = self.now();
        let mut tx = self.write().await?;
        let row: Option<(String, i64, i64)> = sql::query_as(
            "SELECT m.state, a.doctor_id, a.patient_id FROM meetings m JOIN appointments a ON a.id = m.appointment_id
             WHERE m.appointment_id = $1",
        )
        .bind(appointment.0)
        .fetch_optional(&mut tx)
        .await?;
        let Some((state, doctor, patient)) = row else {
            return Err(CoreError::NotFound { what: "meeting of appointment", id: appointment.0 });
        };
        actor.may_for(Action::RetryMeeting, StaffId(doctor))?;
        if state != "failed" {
            return Err(CoreError::Transition(format!(
                "the meeting is {state}; only a failed meeting is sent again"
            )));
        }
        sql::query("UPDATE meetings SET state = 'pending', waiting = 'queued', error = NULL, updated_at = $2 WHERE appointment_id = $1")
            .bind(appointment.0)
            .bind(now.timestamp())
            .execute(&mut tx)
            .await?;
        queue(&mut tx, appointment, now).await?;
        let about = AuditAbout {
            doctor: Some(StaffId(doctor)),
            patient: Some(crate::model::PatientId(patient)),
            appointment: Some(appointment),
        };
        audit::append(&mut tx, now, actor, AuditAction::MeetingRetried, about, &json!({})).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The patient-side join link of an appointment's ready meeting, for anyone at the desk to
    /// open (Join; a doctor under the clinic's minimum-necessary setting only for their own
    /// visits), audited; only an https address is ever returned.
    ///
    /// # Errors
    /// [`CoreError::Forbidden`]; [`CoreError::NotFound`] for an unknown appointment;
    /// [`CoreError::NoMeeting`]; [`CoreError::MeetingNotReady`]; [`CoreError::NotAWebLink`].
    pub async fn join_link(&self, actor: &Actor, appointment: AppointmentId) -> Result<String> {
        actor.may(Action::Read)?;
        let visit = self.appointment(appointment).await?.appointment;
        self.sight(actor).await?.check_visit_of(visit.doctor_id)?;
        let Some(meeting) = &visit.meeting else { return Err(CoreError::NoMeeting) };
        match meeting.join_url.clone() {
            Some(url) if meeting.state == MeetingState::Ready && crate::model::is_web_link(&url) => {
                let detail = json!({ "provider": meeting.provider });
                self.audit(actor, AuditAction::JoinOpened, AuditAbout::appointment(&visit), detail).await?;
                Ok(url)
            }
            Some(_) if meeting.state == MeetingState::Ready => {
                Err(CoreError::NotAWebLink(meeting.provider.label()))
            }
            _ => Err(CoreError::MeetingNotReady(meeting.state.as_str())),
        }
    }

    /// The provider and the provider's id of a ready meeting, for fetching its host link.
    ///
    /// # Errors
    /// [`CoreError::Storage`].
    pub async fn meeting_ref(&self, appointment: AppointmentId) -> Result<Option<(Provider, String)>> {
        let row: Option<(String, Option<String>)> = sql::query_as(
            "SELECT provider, coalesce(CAST(zoom_id AS TEXT), teams_id) FROM meetings WHERE appointment_id = $1 AND state = 'ready'",
        )
        .bind(appointment.0)
        .fetch_optional(self.reads())
        .await?;
        match row {
            Some((provider, Some(id))) => Ok(Some((provider.parse()?, id))),
            _ => Ok(None),
        }
    }

    /// The provider meeting ids that belong to the doctor's appointments which still want them
    /// (not cancelled), for the reconcile pass.
    ///
    /// # Errors
    /// [`CoreError::Storage`].
    /// Also the appointments with a create attempt in flight (their meeting is not recorded yet),
    /// as `appointment:<id>`.
    pub async fn owned_meeting_ids(&self, doctor: StaffId, provider: Provider) -> Result<Vec<String>> {
        let ids: Vec<String> = sql::query_scalar(
            "SELECT CASE WHEN m.attempt_open THEN 'appointment:' || a.id ELSE coalesce(CAST(m.zoom_id AS TEXT), m.teams_id) END
             FROM meetings m JOIN appointments a ON a.id = m.appointment_id
             WHERE coalesce(m.host_id, a.doctor_id) = $1 AND m.provider = $2 AND a.status <> 'cancelled'
               AND (m.attempt_open OR m.zoom_id IS NOT NULL OR m.teams_id IS NOT NULL)",
        )
        .bind(doctor.0)
        .bind(provider.as_str())
        .fetch_all(self.reads())
        .await?;
        Ok(ids)
    }
}

/// What writing back an outcome does to the meeting row.
#[derive(Debug, Clone, PartialEq, Eq)]
enum MeetingWrite {
    /// Made or updated at the provider: its ids, its join link (kept when `None`), the times synced.
    Ready { zoom_id: Option<i64>, teams_id: Option<String>, join_url: Option<String> },
    /// Gone at the provider, or never made.
    Cancelled,
    /// Deleted where it was; to be made on `provider` for the visit's doctor.
    Moved { provider: Provider },
    /// Not sent now, and why.
    Pending { waiting: Waiting },
    /// Refused, with the provider's reason; `forget_meeting` drops the ids of a meeting it no longer has.
    Failed { reason: String, forget_meeting: bool },
}

/// What writing back an outcome does to the job.
#[derive(Debug, Clone, PartialEq, Eq)]
enum JobWrite {
    /// Done: the job goes.
    Delete,
    /// Sent again at `due` (one more try, the reason kept).
    Retry { due: DateTime<Utc>, reason: String },
    /// Refused: it waits for Retry.
    Fail { reason: String },
    /// The appointment changed while the job was out: due now for the newer state, tries from zero.
    Requeue,
}

/// The whole write-back of one outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
struct WriteBack {
    meeting: MeetingWrite,
    /// The meeting shows as pending (queued) for the newer change, whatever was just learned.
    shown_queued: bool,
    job: JobWrite,
    /// The state and detail the audit log records when the meeting's state changed; none for a
    /// job that only waits (its tries would fill the log).
    audit: Option<(MeetingState, serde_json::Value)>,
}

/// The rule of the outbox's write-back, decided before any SQL: what an outcome does to the
/// meeting, to the job and to the audit log, given whether the appointment changed again while
/// the job was out.
///
/// # Errors
/// [`CoreError::Invalid`] for a Zoom meeting id that is not a 64-bit integer.
fn write_back(
    work: &MeetingWork,
    outcome: &Outcome,
    changed_since: bool,
    now: DateTime<Utc>,
) -> Result<WriteBack> {
    let requeue_or = |done: JobWrite| if changed_since { JobWrite::Requeue } else { done };
    let audited = |state: MeetingState, detail: serde_json::Value| Some((state, detail));
    // A join link goes into patients' e-mails, calendar files and the desk's Join button: only
    // an https address on the provider's own hosts is kept; anything else is a refusal the desk sees.
    let odd_link =
        matches!(outcome, Outcome::Ready { join_url: Some(url), .. } if !is_join_link(work.provider, url));
    let refused;
    let outcome = if odd_link {
        let reason = format!(
            "{} answered with a join link that is not one of its own web addresses",
            work.provider.label()
        );
        refused = Outcome::Refused { reason, forget_meeting: false };
        &refused
    } else {
        outcome
    };
    Ok(match outcome {
        Outcome::Ready { meeting_id, join_url } => {
            let (zoom_id, teams_id) = match work.provider {
                Provider::Zoom => {
                    let id = meeting_id.parse::<i64>().map_err(|_| {
                        CoreError::invalid("Zoom answered with a meeting number that is not a 64-bit integer")
                    })?;
                    (Some(id), None)
                }
                Provider::Microsoft => (None, Some(meeting_id.clone())),
            };
            WriteBack {
                meeting: MeetingWrite::Ready { zoom_id, teams_id, join_url: join_url.clone() },
                shown_queued: changed_since,
                job: requeue_or(JobWrite::Delete),
                audit: audited(MeetingState::Ready, json!({ "provider": work.provider, "state": "ready" })),
            }
        }
        Outcome::Cancelled => WriteBack {
            meeting: MeetingWrite::Cancelled,
            shown_queued: changed_since,
            job: requeue_or(JobWrite::Delete),
            audit: audited(
                MeetingState::Cancelled,
                json!({ "provider": work.provider, "state": "cancelled" }),
            ),
        },
        Outcome::Moved => WriteBack {
            meeting: MeetingWrite::Moved { provider: work.moves_to.unwrap_or(work.provider) },
            shown_queued: false,
            job: JobWrite::Requeue,
            audit: audited(
                MeetingState::Cancelled,
                json!({ "provider": work.provider, "state": "cancelled", "moved": true }),
            ),
        },
        Outcome::Deferred { waiting, due, reason } => WriteBack {
            meeting: MeetingWrite::Pending { waiting: *waiting },
            shown_queued: false,
            // A change that came meanwhile is due now, not at the backoff time.
            job: JobWrite::Retry { due: if changed_since { now } else { *due }, reason: reason.clone() },
            audit: None,
        },
        Outcome::Refused { reason, forget_meeting } => WriteBack {
            meeting: MeetingWrite::Failed { reason: reason.clone(), forget_meeting: *forget_meeting },
            shown_queued: false,
            job: requeue_or(JobWrite::Fail { reason: reason.clone() }),
            audit: audited(
                MeetingState::Failed,
                json!({ "provider": work.provider, "state": "failed", "error": reason }),
            ),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn work(provider: Provider) -> MeetingWork {
        let at = DateTime::from_timestamp(1_780_000_000, 0).unwrap();
        MeetingWork {
            job_id: 1,
            changes: 0,
            visit: JobVisit {
                appointment_id: AppointmentId(7),
                tries: 2,
                active: true,
                start: at,
                end: at + chrono::Duration::minutes(30),
                tz: "America/Toronto".into(),
                clinic_uid: "c".repeat(32),
            },
            doctor_id: StaffId(3),
            provider,
            title: "Consult — J.D.".into(),
            meeting_id: None,
            attempts: 0,
            attempt_open: false,
            synced: None,
            moves_to: None,
        }
    }

    /// Every outcome, with and without a change while the job was out: what happens to the job
    /// and whether the audit log hears of it. One rule, whatever engine applies it.
    #[test]
    fn each_outcome_decides_the_job_and_the_audit_row() {
        let now = DateTime::from_timestamp(1_780_000_100, 0).unwrap();
        let later = now + chrono::Duration::minutes(5);
        let ready =
            Outcome::Ready { meeting_id: "85746065".into(), join_url: Some("https://zoom.us/j/1".into()) };
        let deferred = Outcome::Deferred { waiting: Waiting::Offline, due: later, reason: "offline".into() };
        let refused = Outcome::Refused { reason: "no".into(), forget_meeting: false };
        let cases = [
            (&ready, false, JobWrite::Delete, Some(MeetingState::Ready), false),
            (&ready, true, JobWrite::Requeue, Some(MeetingState::Ready), true),
            (&Outcome::Cancelled, false, JobWrite::Delete, Some(MeetingState::Cancelled), false),
            (&Outcome::Cancelled, true, JobWrite::Requeue, Some(MeetingState::Cancelled), true),
            (&deferred, false, JobWrite::Retry { due: later, reason: "offline".into() }, None, false),
            (&deferred, true, JobWrite::Retry { due: now, reason: "offline".into() }, None, false),
            (&refused, false, JobWrite::Fail { reason: "no".into() }, Some(MeetingState::Failed), false),
            (&refused, true, JobWrite::Requeue, Some(MeetingState::Failed), false),
        ];
        for (outcome, changed, job, audited, queued) in cases {
            let effect = write_back(&work(Provider::Zoom), outcome, changed, now).unwrap();
            assert_eq!(effect.job, job, "{outcome:?} changed={changed}");
            assert_eq!(effect.audit.map(|(state, _)| state), audited, "{outcome:?} changed={changed}");
            assert_eq!(effect.shown_queued, queued, "{outcome:?} changed={changed}");
        }
    }

    #[test]
    fn a_zoom_id_must_be_a_number_and_a_teams_id_is_kept_as_given() {
        let now = DateTime::from_timestamp(1_780_000_100, 0).unwrap();
        let odd = Outcome::Ready { meeting_id: "abc".into(), join_url: None };
        assert_eq!(
            write_back(&work(Provider::Zoom), &odd, false, now).unwrap_err().kind(),
            crate::ErrorKind::Validation
        );
        let teams = write_back(&work(Provider::Microsoft), &odd, false, now).unwrap();
        assert_eq!(
            teams.meeting,
            MeetingWrite::Ready { zoom_id: None, teams_id: Some("abc".into()), join_url: None }
        );
    }

    #[test]
    fn a_join_link_that_is_not_the_providers_own_web_address_is_never_kept() {
        let now = DateTime::from_timestamp(1_780_000_100, 0).unwrap();
        for link in [
            "javascript:alert(1)",
            "file:///etc/passwd",
            "http://zoom.us/j/1",
            "zoommtg://zoom.us/join",
            "https://zoom.us.evil.example/j/1",
            "https://evil.example/zoom.us/j/1",
            "https://zoom.us@evil.example/j/1",
            "https://teams.microsoft.com/l/meetup-join/1",
        ] {
            let odd = Outcome::Ready { meeting_id: "1".into(), join_url: Some(link.into()) };
            let effect = write_back(&work(Provider::Zoom), &odd, false, now).unwrap();
            let reason = "Zoom answered with a join link that is not one of its own web addresses".to_owned();
            assert_eq!(
                effect.meeting,
                MeetingWrite::Failed { reason: reason.clone(), forget_meeting: false },
                "{link}"
            );
            assert_eq!(effect.job, JobWrite::Fail { reason }, "{link}");
        }
    }
}
