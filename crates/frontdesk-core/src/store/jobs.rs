//! What every background channel's queue has alike: pending jobs with a due time. Each
//! channel's own table (`outbox` for meetings, `mails` for patient e-mail) is written by the
//! use cases in the change's transaction; the job runner asks here when to look next.

use chrono::{DateTime, Utc};

use super::sql;
use super::{instant, Store};
use crate::error::Result;
use crate::model::{AppointmentId, Status};

/// What every job knows of its appointment, as it is when the job is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobVisit {
    pub appointment_id: AppointmentId,
    /// Sends tried so far (the backoff grows with them).
    pub tries: i64,
    /// False once the appointment is cancelled: the job undoes what was sent (the meeting goes,
    /// the patient gets a cancellation).
    pub active: bool,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// The zone it was booked in.
    pub tz: String,
    /// The clinic's id in markers and calendar `UID`s.
    pub clinic_uid: String,
}

/// [`JobVisit`]'s columns in a channel's work query (`#[sqlx(flatten)]`).
#[derive(sqlx::FromRow)]
pub(super) struct VisitRow {
    appointment_id: i64,
    tries: i64,
    status: String,
    start_at: i64,
    end_at: i64,
    tz: String,
    clinic_uid: String,
}

impl TryFrom<VisitRow> for JobVisit {
    type Error = crate::CoreError;

    fn try_from(r: VisitRow) -> Result<JobVisit> {
        let status: Status = r.status.parse()?;
        Ok(JobVisit {
            appointment_id: AppointmentId(r.appointment_id),
            tries: r.tries,
            active: status != Status::Cancelled,
            start: instant(r.start_at)?,
            end: instant(r.end_at)?,
            tz: r.tz,
            clinic_uid: r.clinic_uid,
        })
    }
}

/// A background channel's queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Queue {
    /// Each telehealth appointment's meeting job (`outbox`).
    Meetings,
    /// Each appointment's patient e-mail (`mails`); a telehealth invitation held for its meeting
    /// counts too: the runner looks again then.
    Mail,
}

impl Store {
    /// The first row of a channel's work query: pending, due at `now` (any pending one with
    /// `ignore_due`), and not among the keys `seen` this pass. The query binds `$1` to now (Unix
    /// milliseconds), `$2` to `ignore_due` and `$3` to `seen` as a JSON array, which the query reads as `NOT IN (SEEN_KEYS)`.
    ///
    /// # Errors
    /// [`crate::CoreError::Storage`].
    pub(super) async fn next_work<R>(&self, sql: &str, ignore_due: bool, seen: &[i64]) -> Result<Option<R>>
    where
        R: sql::Record,
    {
        // `$3`, the keys seen, is a JSON array of integers; `SEEN_KEYS` in the query reads it.
        let sql = sql.replace(
            "SEEN_KEYS",
            self.pool.engine().pick(
                "SELECT value FROM json_each($3)",
                "SELECT value::bigint FROM json_array_elements_text($3::json)",
            ),
        );
        let row: Option<R> = sql::query_as(&sql)
            .bind(self.now().timestamp_millis())
            .bind(ignore_due)
            .bind(serde_json::to_string(seen).unwrap_or_else(|_| "[]".into()))
            .fetch_optional(&self.pool)
            .await?;
        Ok(row)
    }

    /// Marks whether a send that may reach the other side is open for `appointment`: opened
    /// before the send, closed when the answer says nothing was made. A job found with an open
    /// attempt was maybe sent: its channel looks (Zoom) or sends the same again (mail).
    ///
    /// # Errors
    /// [`crate::CoreError::Storage`].
    pub async fn mark_attempt(&self, queue: Queue, appointment: AppointmentId, open: bool) -> Result<()> {
        let sql = match queue {
            Queue::Meetings => "UPDATE meetings SET attempt_open = $2 WHERE appointment_id = $1",
            Queue::Mail => "UPDATE mails SET attempt_open = $2 WHERE appointment_id = $1",
        };
        let mut tx = self.write().await?;
        sql::query(sql).bind(appointment.0).bind(open).execute(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// When the queue's next pending job is due, if any is pending.
    ///
    /// # Errors
    /// [`crate::CoreError::Storage`].
    pub async fn next_due(&self, queue: Queue) -> Result<Option<DateTime<Utc>>> {
        let sql = match queue {
            Queue::Meetings => "SELECT min(due_at_ms) FROM outbox WHERE state = 'pending'",
            Queue::Mail => "SELECT min(due_at_ms) FROM mails WHERE state = 'pending'",
        };
        let due: Option<i64> = sql::query_scalar(sql).fetch_one(&self.pool).await?;
        Ok(due.and_then(DateTime::from_timestamp_millis))
    }
}
