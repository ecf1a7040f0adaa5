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
    pub(super) appointment_id: i64,
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

impl Queue {
    /// The queue's table, and the column that names one job.
    fn table(self) -> (&'static str, &'static str) {
        match self {
            Queue::Meetings => ("outbox", "id"),
            Queue::Mail => ("mails", "appointment_id"),
        }
    }
}

/// How long a job taken by a worker stays that worker's: another worker (the clinic service on
/// another computer) takes it over only once this has passed without a write-back. It is longer
/// than any one send (the providers' and the SMTP server's timeouts) with room to spare.
pub const JOB_LEASE_MS: i64 = 2 * 60 * 1000;

impl Store {
    /// Takes the first job of a channel's work query: pending, due at `now` (any pending one with
    /// `ignore_due`), not among the keys `seen` this pass, and not held by another worker's lease;
    /// and holds it for this worker for [`JOB_LEASE_MS`]. The query binds `$1` to now (Unix
    /// milliseconds), `$2` to `ignore_due`, `$3` to `seen` as a JSON array (read as
    /// `NOT IN (SEEN_KEYS)`) and `$4` to this worker (read as `FREE(<alias>)`).
    ///
    /// The job is taken in a write transaction, which holds the clinic's write lock: two workers
    /// never take one job, on one computer or on several. A worker that dies holding a job leaves
    /// it to others when its lease ends, and takes it back at once when it starts again (its id
    /// is its data folder's).
    ///
    /// # Errors
    /// [`crate::CoreError::Storage`].
    pub(super) async fn next_work<R>(
        &self,
        queue: Queue,
        sql: &str,
        ignore_due: bool,
        seen: &[i64],
        key: impl Fn(&R) -> i64,
    ) -> Result<Option<R>>
    where
        R: sql::Record,
    {
        let engine = self.pool.engine();
        let (table, column) = queue.table();
        let mut sql = sql.replace(
            "SEEN_KEYS",
            engine.pick(
                "SELECT value FROM json_each($3)",
                "SELECT value::bigint FROM json_array_elements_text($3::json)",
            ),
        );
        for alias in ["o", "ml"] {
            sql = sql.replace(
                &format!("FREE({alias})"),
                &format!("({alias}.lease_until_ms IS NULL OR {alias}.lease_until_ms <= $1 OR {alias}.leased_by = $4)"),
            );
        }
        let now = self.now().timestamp_millis();
        let mut tx = self.write().await?;
        let row: Option<R> = sql::query_as(&sql)
            .bind(now)
            .bind(ignore_due)
            .bind(serde_json::to_string(seen).unwrap_or_else(|_| "[]".into()))
            .bind(self.worker.as_str())
            .fetch_optional(&mut tx)
            .await?;
        if let Some(row) = &row {
            sql::query(&format!(
                "UPDATE {table} SET lease_until_ms = $2, leased_by = $3 WHERE {column} = $1"
            ))
            .bind(key(row))
            .bind(now.saturating_add(JOB_LEASE_MS))
            .bind(self.worker.as_str())
            .execute(&mut tx)
            .await?;
        }
        tx.commit().await?;
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
