//! The Frontdesk desktop app: a thin Tauri shell over `frontdesk-core`.
//!
//! It wires state (the store, the session, the clock), plugins and commands; each command
//! checks the caller's role with the session, calls the core, and maps the error to
//! `{ kind, message, field }`. No domain rule lives here.

#[cfg(feature = "bench")]
pub mod bench;
pub mod clinic_server;
pub mod commands;
pub mod deep_link;
pub mod error;
pub mod live;
pub mod logging;
pub mod read_copy;
pub mod reminders;
pub mod rendering;
pub mod session;
pub mod updates;

include!("command_names.rs");

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

use frontdesk_accounts::Accounts;
use frontdesk_core::paths::{default_data_dir, DATABASE_URL_ENV, DATA_DIR_ENV};
use frontdesk_core::store::{Engine, ServerAddress};
use frontdesk_core::{
    Action, Actor, Clock, ErrorKind, Locks, Provider, Sight, Staff, StaffId, Store, SystemClock,
};
use frontdesk_mail::{Mail, MailWorker};
use frontdesk_meetings::{Meetings, Worker};
use frontdesk_settings::{OsKeyring, SecretStore, Settings};
use tauri::{Manager, Runtime};
use tauri_specta::Event;

use crate::commands::accounts::ConnectionEvent;
use crate::commands::mail::MailChanged;
use crate::commands::meetings::MeetingChanged;
use crate::deep_link::DeepLink;
use crate::error::AppError;
use crate::live::ScheduleChanged;
use crate::session::Session;
use crate::updates::Updates;

/// Opens a web address outside the app: the system browser, or the provider's own client.
pub type OpenUrl = Arc<dyn Fn(&str) -> std::io::Result<()> + Send + Sync>;

/// Managed state: a few cheap handles, no lock around everything.
pub struct AppState {
    /// The store, or why it could not be opened (every command shows that instead of crashing).
    pub store: Result<Store, AppError>,
    pub session: Session,
    /// The clinic's settings over the same store (secrets in the keyring), or why not.
    pub settings: Result<Settings, AppError>,
    /// Provider accounts over those settings, or why they are unavailable.
    pub accounts: Result<Arc<Accounts>, AppError>,
    /// The clock the app runs by (the background workers sleep by it).
    clock: Arc<dyn Clock>,
    /// This computer's data folder, or `None` when the system has none.
    data_dir: Option<PathBuf>,
    /// The OS keyring (or the tests' stand-in): the clinic server's password is kept there.
    secrets: Arc<dyn SecretStore>,
    /// How sign-in pages are opened: in the system browser, never in the app's web view.
    pub browser: OpenUrl,
    connect_tasks: Mutex<HashMap<(StaffId, Provider), tauri::async_runtime::JoinHandle<()>>>,
    /// The outbox worker that sends meetings to the providers, once [`start_outbox`] started it.
    meetings: OnceLock<Arc<Worker>>,
    /// The worker that e-mails patients through the clinic's SMTP server, started with it.
    mail: OnceLock<Arc<MailWorker>>,
    /// Signed updates from the clinic's feed, once the app is built (ADR 0026).
    updates: OnceLock<Arc<Updates>>,
    /// Whose sight this desk's read copy and day sheets keep (see [`read_copy::widen`]); `None`
    /// until someone signs in.
    desk_sight: Mutex<Option<Sight>>,
    /// An announced change asks for a new read copy.
    pub refresh_copy: read_copy::RefreshAsked,
    /// The check of the PIN being typed on the sign-in screen, for the sign-in that follows.
    pub early_pin: Mutex<Option<frontdesk_core::store::EarlyPinCheck>>,
}

impl AppState {
    /// Who acts at this desk, as the store knows them now: a role changed, or an account
    /// deactivated, from another desk or the command line applies at this desk's next command.
    /// Counts as activity.
    ///
    /// # Errors
    /// `unauthenticated` when nobody is signed in, the desk locked, or the account was
    /// deactivated (which also signs it out here).
    pub async fn actor(&self) -> Result<Actor, AppError> {
        Ok(Actor::staff(&self.current_staff().await?))
    }

    /// The member of staff at this desk, as the store knows them now, if the core's access
    /// table lets them take `action` (the commands that read ask this).
    ///
    /// # Errors
    /// As [`AppState::actor`]; `forbidden` when their role may not.
    pub async fn require(&self, action: Action) -> Result<Staff, AppError> {
        let staff = self.current_staff().await?;
        Actor::staff(&staff).may(action)?;
        Ok(staff)
    }

    async fn current_staff(&self) -> Result<Staff, AppError> {
        let signed_in = self.session.signed_in()?;
        let store = self.store.as_ref().map_err(Clone::clone)?;
        let now = store.staff(signed_in.id).await?;
        if !now.active {
            self.session.sign_out();
            return Err(AppError::unauthenticated("this account was deactivated; ask an admin"));
        }
        Ok(now)
    }

    /// Someone signed in at this desk, seeing `sight`: the read copy and the day sheets keep
    /// what the widest of this desk's people may see. True when that changed.
    pub fn note_desk_user(&self, sight: Sight) -> bool {
        let mut current = self.desk_sight.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let widened = Some(read_copy::widen(*current, sight));
        std::mem::replace(&mut *current, widened) != widened
    }

    /// Whose sight this desk keeps, once someone signed in.
    pub fn desk_sight(&self) -> Option<Sight> {
        *self.desk_sight.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Connect flows waiting on a loopback listener, by doctor and provider.
    pub fn connect_tasks(
        &self,
    ) -> std::sync::MutexGuard<'_, HashMap<(StaffId, Provider), tauri::async_runtime::JoinHandle<()>>> {
        self.connect_tasks.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Signed updates from the clinic's feed.
    ///
    /// # Errors
    /// `internal` before the app is built (never seen by a command).
    pub fn updates(&self) -> Result<Arc<Updates>, AppError> {
        self.updates
            .get()
            .cloned()
            .ok_or_else(|| AppError::new(ErrorKind::Internal, "updates are not ready yet"))
    }

    /// The running outbox worker, if one was started.
    pub fn meetings(&self) -> Option<Arc<Worker>> {
        self.meetings.get().cloned()
    }

    /// Asks the outbox worker to send what was just queued (a booking, a move, a cancel, a
    /// retry, a new connection) now rather than at its next look. Nothing when it does not run.
    pub fn wake_outbox(&self) {
        if let Some(worker) = self.meetings.get() {
            worker.wake();
        }
        if let Some(worker) = self.mail.get() {
            worker.wake();
        }
    }
}

/// Where the app keeps its data, which clock it reads, where secrets go, how it opens links.
pub struct AppConfig {
    /// The data folder; `None` uses the platform's app data folder.
    pub data_dir: Option<PathBuf>,
    /// The clinic's server (a `postgres://` address); `None` uses the data folder's file.
    pub database: Option<String>,
    pub clock: Arc<dyn Clock>,
    pub secrets: Arc<dyn SecretStore>,
    pub browser: OpenUrl,
}

impl AppConfig {
    /// The data folder from `FRONTDESK_DATA_DIR` and the clinic's server from
    /// `FRONTDESK_DATABASE_URL` if set (as for the command-line twin), the system clock, the OS
    /// keyring and the system browser.
    pub fn from_env() -> AppConfig {
        AppConfig {
            data_dir: std::env::var_os(DATA_DIR_ENV).map(PathBuf::from),
            database: std::env::var(DATABASE_URL_ENV).ok().filter(|u| !u.trim().is_empty()),
            clock: Arc::new(SystemClock),
            secrets: Arc::new(OsKeyring),
            browser: Arc::new(|url: &str| open::that_detached(url)),
        }
    }
}

/// The typed command and event lists: the invoke handler, the events' names and the generated
/// TypeScript all come from it.
pub fn specta_builder<R: Runtime>() -> tauri_specta::Builder<R> {
    use commands::{
        accounts, audit, auth, directory, hours, mail, mail_texts, meetings, schedule, startup, updates,
    };
    tauri_specta::Builder::<R>::new()
        .commands(tauri_specta::collect_commands![
            auth::app_status,
            auth::first_run,
            clinic_server::clinic_server,
            clinic_server::join_server,
            clinic_server::restart_app,
            read_copy::server_link,
            read_copy::day_sheet_folder,
            auth::pin_typed,
            auth::sign_in,
            auth::change_pin,
            auth::sign_out,
            auth::still_here,
            schedule::schedule,
            schedule::appointment,
            schedule::day_sheet_printed,
            schedule::working_time,
            hours::hours,
            hours::set_clinic_hours,
            hours::clear_clinic_hours,
            hours::set_doctor_hours,
            hours::remove_doctor_hours,
            hours::add_hours_exception,
            hours::remove_hours_exception,
            schedule::free_slots,
            schedule::book,
            schedule::move_appointment,
            schedule::reschedule,
            schedule::undo,
            schedule::cancel_appointment,
            schedule::set_status,
            directory::find_patients,
            directory::patient,
            directory::find,
            directory::patient_visits,
            directory::add_patient,
            directory::update_patient,
            directory::list_types,
            directory::add_type,
            directory::update_type,
            directory::list_staff,
            directory::list_all_staff,
            directory::add_staff,
            directory::update_staff,
            directory::sign_in_holds,
            directory::unlock_staff,
            directory::clinic_settings,
            directory::update_settings,
            directory::reminder_minutes,
            directory::set_reminder_minutes,
            directory::copy_days,
            directory::set_copy_days,
            startup::ui_painted,
            accounts::provider_settings,
            accounts::provider_hosts,
            accounts::update_provider_settings,
            accounts::connections,
            accounts::connect_account,
            accounts::cancel_connect,
            accounts::disconnect_account,
            accounts::connect_server_to_server,
            meetings::retry_meeting,
            meetings::join_meeting,
            meetings::start_meeting,
            mail::mail_status,
            mail::resend_mail,
            mail_texts::mail_templates,
            mail_texts::set_mail_template,
            mail_texts::reset_mail_template,
            mail_texts::preview_mail,
            audit::audit_log,
            updates::check_update,
            updates::set_update_feed,
            updates::install_update,
        ])
        .events(tauri_specta::collect_events![
            DeepLink,
            ConnectionEvent,
            MeetingChanged,
            MailChanged,
            ScheduleChanged,
            read_copy::ServerLinkChanged
        ])
        // The setting keys a provider settings refusal names in `field`, for the settings form.
        .typ::<frontdesk_settings::Setting>()
        .error_handling(tauri_specta::ErrorHandlingMode::Throw)
        .dangerously_cast_bigints_to_number()
        .disable_serde_phases()
}

/// Writes the TypeScript bindings for the commands, the events and their types.
///
/// # Errors
/// When the file cannot be written.
pub fn export_bindings(path: &std::path::Path) -> Result<(), specta_typescript::Error> {
    specta_builder::<tauri::Wry>().export(
        specta_typescript::Typescript::default()
            .header("// Generated from the Rust types by `scripts/bindings`. Do not edit.\n"),
        path,
    )
}

/// Adds the app's state, commands and events to `base`: generic over the runtime so that tests
/// can pass Tauri's mock builder. Plugins that need a real desktop session are added by [`run`].
///
/// The store is opened here, before the window exists, so that the first command never waits.
/// The data folder is the same one Tauri's `app_data_dir` gives (a test checks the identifier).
pub fn builder<R: Runtime>(base: tauri::Builder<R>, config: AppConfig) -> tauri::Builder<R> {
    let specta = specta_builder::<R>();
    let invoke_handler = specta.invoke_handler();
    // The typed events can be sent only once they are mounted on the app. A plugin mounts them,
    // not the app's `setup` hook: a builder has one hook, and `run` sets it.
    let events = tauri::plugin::Builder::<R>::new("frontdesk-events")
        .setup(move |app, _api| {
            specta.mount_events(app);
            let _ = app.state::<AppState>().updates.set(Arc::new(Updates::for_app(app)));
            Ok(())
        })
        .build();
    let data_dir = config.data_dir.or_else(default_data_dir);
    let store = match &data_dir {
        Some(dir) => tauri::async_runtime::block_on(open_store(
            dir,
            config.database,
            &config.secrets,
            config.clock.clone(),
        )),
        None => Err(AppError::setup("this system has no data folder; set FRONTDESK_DATA_DIR")),
    };
    let settings = store.clone().map(|store| Settings::new(store, config.secrets.clone()));
    let accounts = settings.clone().and_then(|settings| {
        let locks = Locks::for_store(settings.store())?;
        Accounts::new(settings, locks, config.clock.clone()).map(Arc::new).map_err(AppError::from)
    });
    base.manage(AppState {
        store,
        session: Session::new(config.clock.clone()),
        settings,
        accounts,
        clock: config.clock,
        data_dir,
        secrets: config.secrets,
        browser: config.browser,
        connect_tasks: Mutex::default(),
        meetings: OnceLock::new(),
        mail: OnceLock::new(),
        updates: OnceLock::new(),
        desk_sight: Mutex::new(None),
        early_pin: Mutex::new(None),
        refresh_copy: read_copy::RefreshAsked::default(),
    })
    .plugin(events)
    // Signed updates (ADR 0026): the key from the plugin's configuration, the feed from the
    // clinic's settings; the window reaches it only through the app's own update commands.
    .plugin(tauri_plugin_updater::Builder::new().build())
    .invoke_handler(invoke_handler)
}

/// The clinic's schedule for this desk: the server named by `FRONTDESK_DATABASE_URL`, else the
/// server this desk joined (`clinic_server`), else the data folder's own file.
async fn open_store(
    dir: &std::path::Path,
    database: Option<String>,
    secrets: &Arc<dyn SecretStore>,
    clock: Arc<dyn Clock>,
) -> Result<Store, AppError> {
    let at_rest = frontdesk_settings::database_at_rest(Arc::clone(secrets));
    // A desk on the clinic's server keeps a read copy beside it, and starts on it while the
    // server is away.
    if let Some(url) = database {
        return Ok(Store::connect_with_copy(&ServerAddress::parse(&url)?, dir, clock, at_rest).await?);
    }
    if let Some(choice) = clinic_server::load(dir) {
        return Ok(Store::connect_with_copy(&choice.address(&**secrets)?, dir, clock, at_rest).await?);
    }
    Ok(Store::open_with_clock(dir, clock, at_rest).await?)
}

/// Starts the outbox workers on Tauri's async runtime: one sends each telehealth appointment's
/// meeting to Zoom or Microsoft and tells the window ([`MeetingChanged`]) each time a meeting's
/// state changes; the other e-mails patients through the clinic's SMTP server and tells the window
/// ([`MailChanged`]) each time a mail's state changes. [`run`] starts it; the mock-runtime tests
/// start it only when they test it, so that no other test depends on when a background pass runs.
/// Returns false, starting nothing, when the accounts are unavailable, the worker already runs,
/// or the desk is on the clinic's server (where the clinic service does this work).
pub fn start_outbox<R: Runtime>(app: &tauri::AppHandle<R>) -> bool {
    let state = app.state::<AppState>();
    // On the clinic's server the background work is the clinic service's, not a desk's.
    if state.store.as_ref().is_ok_and(|s| s.engine() == Engine::Postgres) {
        return false;
    }
    let (Ok(settings), Ok(accounts)) = (state.settings.as_ref(), state.accounts.as_ref()) else {
        return false;
    };
    let handle = app.clone();
    let locks = accounts.locks().clone();
    let mail = Arc::new(Mail::worker(settings.clone(), locks, state.clock.clone(), move |appointment_id| {
        let _ = MailChanged { appointment_id }.emit(&handle);
    }));
    let handle = app.clone();
    let invitations = mail.clone();
    let worker = Arc::new(Meetings::worker(accounts.clone(), move |appointment_id| {
        let _ = MeetingChanged { appointment_id }.emit(&handle);
        // A telehealth invitation waits for its join link: the meeting may have just made it.
        invitations.wake();
    }));
    if state.meetings.set(worker.clone()).is_err() || state.mail.set(mail.clone()).is_err() {
        return false;
    }
    // They run as long as the app: the process ending stops them (a pass cut short is sent again).
    tauri::async_runtime::spawn(async move { worker.run(std::future::pending()).await });
    tauri::async_runtime::spawn(async move { mail.run(std::future::pending()).await });
    true
}

/// Handles a `frontdesk://` link from the operating system. A sign-in answer is completed here,
/// in Rust, and only its outcome reaches the window (the code in it never does); other links
/// are handed to the window. Returns the connect outcome, if the link was one.
pub async fn handle_deep_link<R: Runtime>(app: &tauri::AppHandle<R>, url: &str) -> Option<ConnectionEvent> {
    let link = match DeepLink::parse(url) {
        Ok(link) => link,
        Err(refused) => {
            tracing::warn!(%refused, "deep link refused");
            return None;
        }
    };
    let DeepLink::OAuthCallback { provider, query } = link else {
        let _ = link.emit(app);
        return None;
    };
    let state = app.state::<AppState>();
    let accounts = match state.accounts.as_ref() {
        Ok(accounts) => accounts.clone(),
        Err(e) => {
            tracing::warn!(error = %e, "sign-in answer arrived but accounts are unavailable");
            return None;
        }
    };
    let provider = Provider::from_user(&provider).ok()?;
    let outcome = accounts.complete_deep_link(provider, &query).await;
    // The doctor's meetings that waited for this connection are due now.
    state.wake_outbox();
    let doctor = match &outcome {
        Ok(c) => c.doctor_id,
        // A refused answer belongs to no doctor the app knows of.
        Err(_) => StaffId(0),
    };
    let event = ConnectionEvent::from_outcome(doctor, provider, outcome);
    let _ = event.emit(app);
    Some(event)
}

/// Runs the app.
pub fn run() {
    commands::startup::mark_start();
    rendering::prefer_software_painting_without_gpu();
    let config = AppConfig::from_env();
    logging::init(frontdesk_core::paths::log_dir(config.data_dir.as_deref()));
    let app = builder(tauri::Builder::<tauri::Wry>::new(), config)
        // First: a second launch hands its arguments (deep links) to this one and focuses it.
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            if let Some(window) = app.get_webview_window("main") {
                let _ = window.unminimize();
                let _ = window.set_focus();
            }
        }))
        .plugin(tauri_plugin_deep_link::init())
        .setup(|app| {
            use tauri_plugin_deep_link::DeepLinkExt;
            #[cfg(feature = "bench")]
            bench::start(app.handle())?;
            start_outbox(app.handle());
            live::start(app.handle());
            read_copy::start(app.handle());
            read_copy::start_paper(app.handle());
            let browser = app.state::<AppState>().browser.clone();
            reminders::start_reminders(app.handle(), reminders::desktop_notification(browser));
            let handle = app.handle().clone();
            app.deep_link().on_open_url(move |event| {
                for url in event.urls() {
                    let handle = handle.clone();
                    tauri::async_runtime::spawn(async move {
                        handle_deep_link(&handle, url.as_str()).await;
                    });
                }
            });
            Ok(())
        });
    if let Err(e) = app.run(tauri::generate_context!()) {
        eprintln!("Frontdesk could not start: {e}");
        std::process::exit(1);
    }
}
