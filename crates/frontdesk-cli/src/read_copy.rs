//! A desk's read copy of the clinic's server, from the command line: every command of a desk on
//! the server opens it beside the server (when the data folder holds one), so that while the
//! server does not answer the day, a visit and patients are read from it, and changes are
//! refused by the core; `read-copy` takes the copy, once or for as long as it runs (`--every`),
//! for a desk computer without the app.
//!
//! It never decides what the copy holds or when a change is refused: the core does
//! (`Store::refresh_copy`, `CoreError::ReadOnly`).

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use frontdesk_core::store::{AtRest, Change, Changes, CopyWindow, ServerAddress, COPY_FILE};
use frontdesk_core::{Clock, CoreError, Sight, Store};
use serde::Serialize;
use tokio::sync::Notify;

use crate::error::CliError;
use crate::outbox::until_ctrl_c;
use crate::output::{emit, Output};

/// How often `read-copy --every` asks whether the server answers.
const CHECK_EVERY: Duration = Duration::from_secs(1);

/// How long one taking of the copy may last before the desk keeps the copy it has: a link that
/// dies in the middle leaves a read waiting for as long as TCP retries.
const TAKE_AT_MOST: Duration = Duration::from_secs(60);

/// How long listening for other desks' changes may take to start.
const LISTEN_AT_MOST: Duration = Duration::from_secs(5);

/// Connects a desk's command to the clinic's server. With a read copy in the data folder (or
/// `keep_copy`, for `read-copy`), the copy is opened beside it, and the command reads it while
/// the server does not answer. A copy that this computer's keyring cannot open does not stop a
/// command while the server answers.
///
/// # Errors
/// As [`Store::connect`] and [`Store::connect_with_copy`].
pub async fn connect(
    server: &ServerAddress,
    data_dir: &Path,
    clock: Arc<dyn Clock>,
    at_rest: AtRest,
    keep_copy: bool,
) -> Result<Store, CoreError> {
    if !keep_copy && !data_dir.join(COPY_FILE).is_file() {
        return Store::connect(server, data_dir, clock).await;
    }
    match Store::connect_with_copy(server, data_dir, clock.clone(), at_rest).await {
        Err(e @ (CoreError::Keyring { .. } | CoreError::KeyLost { .. })) if !keep_copy => {
            eprintln!(
                "warning: this desk's read copy cannot be opened ({e}); reading the clinic's server only"
            );
            Store::connect(server, data_dir, clock).await
        }
        opened => opened,
    }
}

/// Says on standard error, in one line, that the server does not answer and how old the shown
/// schedule is, when the store reads its copy.
pub async fn say_when_away(store: &Store, server: &ServerAddress) {
    let Some(link) = store.server_link().filter(|l| l.away_since.is_some()) else { return };
    let tz = clinic_zone(store).await;
    let as_of = link.copy_as_of.map_or_else(|| "an unknown time".to_owned(), |at| local_minute(at, tz));
    eprintln!(
        "the clinic's server at {server} does not answer: showing the schedule as of {as_of} ({})",
        zone_words(tz)
    );
}

/// `read-copy`: takes the copy now, or (`every`) every so many seconds and at once on each change
/// another desk makes, saying when the server stops answering and when it answers again, until
/// Ctrl+C.
///
/// # Errors
/// Taking the copy once: [`CoreError::ReadOnly`] while the server does not answer, storage
/// errors. Kept: only an error writing the output.
pub async fn run(
    store: &Store,
    server: &ServerAddress,
    every: Option<u64>,
    out: &Output,
) -> Result<(), CliError> {
    // A doctor's desk keeps what the doctor sees; the command line reads everything otherwise.
    let sight = store.copy_sight().await?.unwrap_or(Sight::Everything);
    let tz = clinic_zone(store).await;
    let Some(seconds) = every else {
        let window = store.refresh_copy(sight).await?;
        return Ok(taken(out, &window, tz)?);
    };
    if seconds == 0 {
        return Err(CoreError::invalid_field(
            frontdesk_core::Field::new("every", "--every"),
            "give the number of seconds between two copies (at least 1)",
        )
        .into());
    }
    say_when_away(store, server).await;
    let back = Notify::new();
    let watch = watch_server(store, server, tz, &back);
    let keep = keep_copy(store, sight, Duration::from_secs(seconds), tz, &back, out);
    tokio::select! {
        () = until_ctrl_c() => Ok(()),
        () = watch => Ok(()),
        kept = keep => kept,
    }
}

/// Asks the server every second whether it answers, says so once when that changes, and wakes
/// the keeper when it is back.
async fn watch_server(store: &Store, server: &ServerAddress, tz: Tz, back: &Notify) {
    let mut tick = tokio::time::interval(CHECK_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let Some(link) = store.check_server().await else { continue };
        match link.away_since {
            Some(since) => {
                let as_of =
                    link.copy_as_of.map_or_else(|| "none taken".to_owned(), |at| local_minute(at, tz));
                eprintln!(
                    "the clinic's server at {server} does not answer since {}: keeping the copy as of {as_of} ({})",
                    since.with_timezone(&tz).format("%H:%M:%S"),
                    zone_words(tz)
                );
            }
            None => {
                eprintln!(
                    "the clinic's server at {server} answers again ({} {}): taking the copy",
                    Utc::now().with_timezone(&tz).format("%H:%M:%S"),
                    zone_words(tz)
                );
                back.notify_one();
            }
        }
    }
}

/// Takes the copy every `period`, on each announced change and when the server is back; while
/// the server does not answer, keeps the copy it has.
async fn keep_copy(
    store: &Store,
    sight: Sight,
    period: Duration,
    tz: Tz,
    back: &Notify,
    out: &Output,
) -> Result<(), CliError> {
    let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut listening: Option<Changes> = None;
    // Each turn takes the copy (unless the server does not answer), then waits for the next
    // reason to take it.
    loop {
        let away = store.server_link().is_some_and(|l| l.away_since.is_some());
        if !away {
            // Listen first, then read: a change committed after the read is announced, and one
            // committed before it is in the copy. Announcements missed while the line was down
            // are covered by this read.
            if listening.is_none() {
                listening = tokio::time::timeout(LISTEN_AT_MOST, store.changes())
                    .await
                    .ok()
                    .and_then(Result::ok)
                    .flatten();
            }
            match tokio::time::timeout(TAKE_AT_MOST, store.refresh_copy(sight)).await {
                Ok(Ok(window)) => taken(out, &window, tz)?,
                Ok(Err(e)) => eprintln!("the read copy was not taken, and the last one is kept: {e}"),
                Err(_) => eprintln!(
                    "the read copy was not taken within {} seconds, and the last one is kept",
                    TAKE_AT_MOST.as_secs()
                ),
            }
        }
        tokio::select! {
            _ = tick.tick() => {}
            () = back.notified() => listening = None,
            change = next_change(&mut listening) => {
                if !matches!(change, Ok(Change::Appointment { .. })) {
                    // The line to the server dropped: listen again before reading everything.
                    listening = None;
                }
            }
        }
    }
}

/// The next announced change; never, while the desk is not listening.
async fn next_change(listening: &mut Option<Changes>) -> Result<Change, CoreError> {
    match listening {
        Some(changes) => changes.next().await,
        None => std::future::pending().await,
    }
}

/// Prints one taking of the copy.
fn taken(out: &Output, window: &CopyWindow, tz: Tz) -> Result<(), CoreError> {
    if out.json {
        #[derive(Serialize)]
        struct Taken {
            first_day: chrono::NaiveDate,
            last_day: chrono::NaiveDate,
            as_of: DateTime<Utc>,
            appointments: u64,
        }
        let line = serde_json::to_string(&Taken {
            first_day: window.first_day,
            last_day: window.last_day,
            as_of: window.as_of,
            appointments: window.appointments,
        })
        .map_err(|e| CoreError::invalid(format!("could not write JSON: {e}")))?;
        return emit(format_args!("{line}"));
    }
    emit(format_args!(
        "Read copy taken at {} ({}): {} to {}, {} appointment(s)",
        local_minute(window.as_of, tz),
        zone_words(tz),
        window.first_day,
        window.last_day,
        window.appointments
    ))
}

/// The clinic's zone, as the store reads it (from the copy while the server is away); UTC for a
/// store that cannot say.
async fn clinic_zone(store: &Store) -> Tz {
    store.require_clinic().await.map_or(chrono_tz::UTC, |c| c.tz)
}

fn local_minute(at: DateTime<Utc>, tz: Tz) -> String {
    at.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string()
}

/// "Toronto time" for America/Toronto: the zone's place, as a desk says it.
fn zone_words(tz: Tz) -> String {
    let name = tz.name();
    let place = name.rsplit('/').next().unwrap_or(name).replace('_', " ");
    format!("{place} time")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_zone_is_said_by_its_place() {
        assert_eq!(zone_words(chrono_tz::America::Toronto), "Toronto time");
        assert_eq!(zone_words(chrono_tz::America::Argentina::Buenos_Aires), "Buenos Aires time");
        assert_eq!(zone_words(chrono_tz::UTC), "UTC time");
    }
}
