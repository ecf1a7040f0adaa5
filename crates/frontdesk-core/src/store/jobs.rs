//! What every background channel's queue has alike: pending jobs with a due time. Each
//! channel's own table (`outbox` for meetings, `mails` for patient e-mail) is written by the
//! use cases in the change's transaction; the job runner asks here when to look next.

use chrono::{DateTime, Utc};

use super::Store;
use crate::error::Result;

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
    /// When the queue's next pending job is due, if any is pending.
    ///
    /// # Errors
    /// [`crate::CoreError::Storage`].
    pub async fn next_due(&self, queue: Queue) -> Result<Option<DateTime<Utc>>> {
        let sql = match queue {
            Queue::Meetings => "SELECT min(due_at_ms) FROM outbox WHERE state = 'pending'",
            Queue::Mail => "SELECT min(due_at_ms) FROM mails WHERE state = 'pending'",
        };
        let due: Option<i64> = sqlx::query_scalar(sql).fetch_one(&self.pool).await?;
        Ok(due.and_then(DateTime::from_timestamp_millis))
    }
}
