//! What changed at another desk: on the clinic's server, every write to an appointment, its
//! meeting or its mail is announced when it commits (`migrations/postgres/0002_changes.sql`), and
//! [`Changes`] hands each announcement to the desk, which re-reads what it shows of it.
//!
//! Announcements sent while a desk's connection was down are lost: after a reconnection the desk
//! is told [`Change::Everything`] and re-reads all it shows. A single computer's store announces
//! nothing (its app is the only one writing, and tells its window itself).

use chrono::{DateTime, Utc};
use sqlx::postgres::PgListener;

use super::sql::Pool;
use super::Store;
use crate::error::Result;
use crate::model::AppointmentId;

/// How long a desk waits before listening again after the server stopped answering.
const RETRY: std::time::Duration = std::time::Duration::from_secs(1);

/// The notification channel the server's triggers announce on.
const CHANNEL: &str = "frontdesk_changes";

/// One change another desk (or the clinic service) made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// An appointment, its meeting or its mail changed; `spans` are the times it held before
    /// and after (none when only its meeting or mail changed).
    Appointment { id: AppointmentId, spans: Vec<(DateTime<Utc>, DateTime<Utc>)> },
    /// Something every screen may show changed (staff, patients, types, the clinic), or
    /// announcements may have been missed: re-read everything shown.
    Everything,
}

/// A desk's line to the server's announcements.
pub struct Changes {
    listener: PgListener,
}

#[derive(serde::Deserialize)]
struct Payload {
    appointment: Option<i64>,
    #[serde(default)]
    spans: Vec<(i64, i64)>,
}

impl Store {
    /// Starts listening for other desks' changes: `None` for a single computer's store.
    ///
    /// # Errors
    /// [`crate::CoreError::Storage`] when the server cannot be reached.
    pub async fn changes(&self) -> Result<Option<Changes>> {
        let Pool::Postgres(pool) = &self.pool else { return Ok(None) };
        let mut listener = PgListener::connect_with(pool).await?;
        listener.listen(CHANNEL).await?;
        Ok(Some(Changes { listener }))
    }
}

impl Store {
    /// Hands every change other desks make to `on`, for as long as the future runs: it listens
    /// again (after a second) whenever the server stops answering, and then says
    /// [`Change::Everything`], since what was said meanwhile is lost. On a single computer's store
    /// there is nothing to hear, and it returns at once.
    pub async fn follow_changes(&self, mut on: impl FnMut(Change)) {
        let mut missed = false;
        loop {
            match self.changes().await {
                Ok(None) => return,
                Ok(Some(mut changes)) => {
                    if missed {
                        on(Change::Everything);
                    }
                    while let Ok(change) = changes.next().await {
                        on(change);
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %e, "the clinic's server does not answer; listening again soon")
                }
            }
            missed = true;
            tokio::time::sleep(RETRY).await;
        }
    }
}

impl Changes {
    /// The next change. After the connection dropped (and came back), [`Change::Everything`].
    ///
    /// # Errors
    /// [`crate::CoreError::Storage`] while the server cannot be reached; calling again retries.
    pub async fn next(&mut self) -> Result<Change> {
        let Some(notification) = self.listener.try_recv().await? else {
            return Ok(Change::Everything);
        };
        Ok(read(notification.payload()))
    }
}

/// Reads one announcement; anything unreadable means "re-read everything".
fn read(payload: &str) -> Change {
    let Ok(Payload { appointment: Some(id), spans }) = serde_json::from_str::<Payload>(payload) else {
        return Change::Everything;
    };
    let spans = spans
        .into_iter()
        .filter_map(|(start, end)| {
            Some((DateTime::from_timestamp(start, 0)?, DateTime::from_timestamp(end, 0)?))
        })
        .collect();
    Change::Appointment { id: AppointmentId(id), spans }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn announcements_are_read_and_anything_else_means_everything() {
        let at = |s| DateTime::from_timestamp(s, 0).unwrap_or_default();
        assert_eq!(
            read(r#"{"appointment": 7, "spans": [[60, 120], [0, 60]]}"#),
            Change::Appointment { id: AppointmentId(7), spans: vec![(at(60), at(120)), (at(0), at(60))] }
        );
        assert_eq!(
            read(r#"{"appointment": 7, "spans": []}"#),
            Change::Appointment { id: AppointmentId(7), spans: vec![] }
        );
        assert_eq!(read("{}"), Change::Everything);
        assert_eq!(read("not json"), Change::Everything);
    }
}
