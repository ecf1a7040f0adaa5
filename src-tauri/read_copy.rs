//! A desk on the clinic's server keeps the day when the server is away (ADR 0027): it watches
//! the server every second, tells the window when it stops answering and when it is back
//! ([`ServerLinkChanged`]), and keeps its read copy fresh: after every announced change and every
//! few minutes. The core decides what the copy holds and reads it while the server is away; this
//! is only when. And every desk, on either kind of clinic, writes today's and tomorrow's day sheet
//! into its data folder ([`start_paper`]).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use frontdesk_core::paper::{day_sheet_file, day_sheet_html, DAY_SHEET_FOLDER};
use frontdesk_core::store::ServerLink;
use frontdesk_core::{Actor, Role, Sight, StaffId, Store};
use serde::Serialize;
use tauri::{Manager, Runtime, State};
use tauri_specta::Event;

use crate::error::AppError;
use crate::live::ScheduleChanged;
use crate::AppState;

/// How often the desk asks whether its server answers.
const CHECK_EVERY: Duration = Duration::from_secs(1);
/// How often the copy is taken again when nothing was announced.
const REFRESH_EVERY: Duration = Duration::from_secs(180);
/// How often the day sheets are written again when the schedule did not change.
const PAPER_EVERY: Duration = Duration::from_secs(600);
/// How often the desk looks whether the day sheets changed.
const PAPER_LOOK_EVERY: Duration = Duration::from_secs(5);

/// The event (`server-link-changed`) the window hears when the clinic's server stops answering
/// or answers again; also what [`server_link`] answers.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, specta::Type, tauri_specta::Event)]
pub struct ServerLinkChanged {
    /// When the server stopped answering; `None` while it answers (the desk can change things).
    pub away_since: Option<DateTime<Utc>>,
    /// When the desk's read copy was last taken (what it shows while the server is away).
    pub copy_as_of: Option<DateTime<Utc>>,
}

impl From<ServerLink> for ServerLinkChanged {
    fn from(link: ServerLink) -> ServerLinkChanged {
        ServerLinkChanged { away_since: link.away_since, copy_as_of: link.copy_as_of }
    }
}

/// Whether this desk's server answers, and how old its read copy is; `None` for a desk that
/// keeps the clinic on this computer.
#[tauri::command]
#[specta::specta]
pub async fn server_link(state: State<'_, AppState>) -> Result<Option<ServerLinkChanged>, AppError> {
    Ok(state.store.as_ref().ok().and_then(Store::server_link).map(ServerLinkChanged::from))
}

/// Where this desk writes its day sheets (today's and tomorrow's, for when the app cannot be used).
#[tauri::command]
#[specta::specta]
pub async fn day_sheet_folder(state: State<'_, AppState>) -> Result<Option<String>, AppError> {
    Ok(state.data_dir.as_deref().map(|d| d.join(DAY_SHEET_FOLDER).display().to_string()))
}

/// Asks for a new copy now (an announced change); the watcher takes it within a second.
#[derive(Default)]
pub struct RefreshAsked(AtomicBool);

impl RefreshAsked {
    pub fn ask(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    fn take(&self) -> bool {
        self.0.swap(false, Ordering::SeqCst)
    }
}

/// Whose sight the copy is taken for: the widest of the people who signed in at this desk
/// (anyone but a doctor under the minimum-necessary setting sees everything; among doctors,
/// the last one), or, before anyone did, the copy's own, or nobody's patients.
pub fn widen(current: Option<Sight>, signed_in: Sight) -> Sight {
    match (current, signed_in) {
        (Some(Sight::Everything), _) | (_, Sight::Everything) => Sight::Everything,
        (_, own) => own,
    }
}

/// Starts watching the server and keeping the copy, when this desk has one; false otherwise.
pub fn start<R: Runtime>(app: &tauri::AppHandle<R>) -> bool {
    let state = app.state::<AppState>();
    let Some(store) = state.store.as_ref().ok().filter(|s| s.server_link().is_some()).cloned() else {
        return false;
    };
    let handle = app.clone();
    tauri::async_runtime::spawn(async move {
        let mut last_copy: Option<Instant> = None;
        loop {
            let state = handle.state::<AppState>();
            if let Some(link) = store.check_server().await {
                let back = link.away_since.is_none();
                if back {
                    tracing::info!("the clinic's server answers again");
                    last_copy = None;
                } else {
                    tracing::warn!("the clinic's server does not answer; this desk shows its read copy");
                }
                let _ = ServerLinkChanged::from(link).emit(&handle);
                // Everything shown is read again: from the copy, or from the server.
                let _ = ScheduleChanged { appointment_id: None, spans: Vec::new() }.emit(&handle);
            }
            let away = store.server_link().is_some_and(|l| l.away_since.is_some());
            let due = last_copy.is_none_or(|t| t.elapsed() >= REFRESH_EVERY);
            if !away && (state.refresh_copy.take() || due) {
                let sight = desk_sight(&state, &store).await;
                match store.refresh_copy(sight).await {
                    Ok(copy) => {
                        last_copy = Some(Instant::now());
                        tracing::info!(appointments = copy.appointments, "read copy taken");
                    }
                    Err(e) => tracing::warn!(error = %e, "could not take the read copy"),
                }
            }
            tokio::time::sleep(CHECK_EVERY).await;
        }
    });
    true
}

/// The sight the copy is taken for (see [`widen`]).
async fn desk_sight(state: &AppState, store: &Store) -> Sight {
    if let Some(sight) = state.desk_sight() {
        return sight;
    }
    // Nobody signed in yet: what the copy was taken for, else no patient of anyone's.
    store.copy_sight().await.ok().flatten().unwrap_or(Sight::OwnPatients(StaffId(0)))
}

/// Starts writing today's and tomorrow's day sheet into the data folder: when they change
/// (looked at every 5 seconds) and at least every 10 minutes.
pub fn start_paper<R: Runtime>(app: &tauri::AppHandle<R>) -> bool {
    let state = app.state::<AppState>();
    let (Ok(store), Some(dir)) = (state.store.as_ref().cloned(), state.data_dir.clone()) else {
        return false;
    };
    let handle = app.clone();
    tauri::async_runtime::spawn(async move {
        let folder = dir.join(DAY_SHEET_FOLDER);
        let mut written: Option<(Vec<String>, Instant)> = None;
        loop {
            let state = handle.state::<AppState>();
            let sight = state.desk_sight();
            match day_sheets(&store, sight, state.clock.now()).await {
                Ok(sheets) => {
                    let bodies: Vec<String> = sheets.iter().map(|(_, body, _)| body.clone()).collect();
                    let stale = written
                        .as_ref()
                        .is_none_or(|(last, at)| *last != bodies || at.elapsed() >= PAPER_EVERY);
                    if stale {
                        match write_sheets(&folder, &sheets) {
                            Ok(()) => written = Some((bodies, Instant::now())),
                            Err(e) => tracing::warn!(error = %e, "could not write the day sheets"),
                        }
                    }
                }
                Err(e) => tracing::warn!(error = %e, "could not read the day sheets"),
            }
            tokio::time::sleep(PAPER_LOOK_EVERY).await;
        }
    });
    true
}

/// Today's and tomorrow's sheets: (file name, the table part that changes with the schedule,
/// the whole page).
async fn day_sheets(
    store: &Store,
    sight: Option<Sight>,
    now: DateTime<Utc>,
) -> Result<Vec<(String, String, String)>, AppError> {
    let clinic = store.require_clinic().await?;
    // A doctor's desk under the minimum-necessary setting writes what that doctor may see.
    let reader = match sight {
        Some(Sight::OwnPatients(doctor)) => Actor::Staff { id: doctor, role: Role::Doctor },
        _ => Actor::Tool { tool: "day-sheet", user: "desk".into() },
    };
    let today = frontdesk_core::time::today_in(clinic.tz, now);
    let sheet = store.day_sheet(&reader, &clinic, today, 2, clinic.tz, None).await?;
    let as_of = store.server_link().and_then(|l| l.away_since.and(l.copy_as_of)).unwrap_or(now);
    Ok([today, today.succ_opt().unwrap_or(today)]
        .into_iter()
        .map(|date| {
            // The table alone decides whether the sheet changed; the time it was read does not.
            let body = day_sheet_html(&sheet, date, DateTime::<Utc>::MIN_UTC);
            (day_sheet_file(date), body, day_sheet_html(&sheet, date, as_of))
        })
        .collect())
}

/// Writes the sheets (each beside its place, then renamed into it, so a reader never sees half
/// of one), readable by this computer's user only, and removes older days' sheets.
fn write_sheets(folder: &Path, sheets: &[(String, String, String)]) -> std::io::Result<()> {
    std::fs::create_dir_all(folder)?;
    for (name, _, page) in sheets {
        let path = folder.join(name);
        let partial: PathBuf = folder.join(format!(".{name}.partial"));
        write_private(&partial, page.as_bytes())?;
        std::fs::rename(&partial, &path)?;
    }
    for entry in std::fs::read_dir(folder)?.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with("day-sheet-") && !sheets.iter().any(|(kept, ..)| *kept == name) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
    Ok(())
}

fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}
