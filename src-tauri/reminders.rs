//! Desktop reminders: every few seconds, the reminders due for whoever uses this desk (the
//! signed-in member of staff, or the last one while the desk is locked) are taken from the
//! database and shown as system notifications. The core decides what is due and records what
//! was shown (`frontdesk_core::store::reminders`), so nothing here can show one twice. While the
//! desk is locked a reminder says only that something is due: no initials, time or Join, since
//! anyone passing the screen reads it.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use frontdesk_core::store::Reminder;
use frontdesk_core::StaffId;
use tauri::{Manager, Runtime};

use crate::{AppState, OpenUrl};

/// How often the desk looks for due reminders.
const LOOK_EVERY: Duration = Duration::from_secs(15);

/// What a reminder says on a locked desk.
pub const LOCKED_TEXT: &str = "A visit needs you soon: unlock Frontdesk to see it";

/// Shows one reminder: the system's notifications in the app, a recorder in tests.
pub type ShowReminder = Arc<dyn Fn(&Reminder) + Send + Sync>;

/// Starts looking for reminders for this desk's user, showing each with `show`.
pub fn start_reminders<R: Runtime>(app: &tauri::AppHandle<R>, show: ShowReminder) {
    let handle = app.clone();
    let last_user: Mutex<Option<StaffId>> = Mutex::new(None);
    tauri::async_runtime::spawn(async move {
        loop {
            let state = handle.state::<AppState>();
            let current = state.session.current().map(|s| s.id);
            // A sign-in that must choose a new PIN first is not a whole one yet: nothing shows.
            let locked = current.is_none() || state.session.must_change_pin();
            let user = {
                let mut last = last_user.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                if current.is_some() {
                    *last = current;
                }
                *last
            };
            if let (Some(user), Ok(store)) = (user, state.store.as_ref()) {
                match store.due_reminders(user).await {
                    Ok(due) => {
                        for reminder in due {
                            if !store.take_reminder(user, &reminder).await.unwrap_or(false) {
                                continue;
                            }
                            if locked {
                                show(&Reminder { text: LOCKED_TEXT.into(), join_url: None, ..reminder });
                            } else {
                                show(&reminder);
                            }
                        }
                    }
                    Err(e) => tracing::warn!(error = %e, "could not read the reminders"),
                }
            }
            tokio::time::sleep(LOOK_EVERY).await;
        }
    });
}

/// A reminder as a system notification, with a Join action for a ready telehealth visit that
/// opens the patient-side link through `browser` (where the platform offers actions).
pub fn desktop_notification(browser: OpenUrl) -> ShowReminder {
    Arc::new(move |reminder: &Reminder| {
        let text = reminder.text.clone();
        // The same rule as the window's Join: only an https address is handed to the system.
        let join = reminder.join_url.clone().filter(|u| frontdesk_core::model::is_web_link(u));
        let browser = browser.clone();
        // Showing (and waiting for an action) blocks: keep it off the async runtime.
        std::thread::spawn(move || {
            if let Err(e) = show_notification(&text, join.as_deref(), &browser) {
                tracing::warn!(error = %e, "could not show a reminder");
            }
        });
    })
}

/// The Join action's identifier, and its label: macOS hands back the label, the others the
/// identifier.
const JOIN: (&str, &str) = ("join", "Join");

/// Shows the notification; returns once it is shown, or, with a Join action, once it is acted on
/// or closed. notify-rust offers actions on Linux (D-Bus), Windows (toast buttons) and macOS.
///
/// # Errors
/// When the system's notification service is not there.
pub fn show_notification(
    text: &str,
    join_url: Option<&str>,
    browser: &OpenUrl,
) -> Result<(), notify_rust::error::Error> {
    let mut notification = notify_rust::Notification::new();
    notification
        .appname("Frontdesk")
        .summary("Frontdesk")
        .body(text)
        .timeout(notify_rust::Timeout::Milliseconds(60_000));
    // Windows names a toast's sender by the installed app's AppUserModelID, its bundle identifier.
    #[cfg(target_os = "windows")]
    notification.app_id(frontdesk_core::paths::APP_IDENTIFIER);
    if join_url.is_some() {
        notification.action(JOIN.0, JOIN.1);
    }
    let handle = notification.show()?;
    if let Some(url) = join_url {
        handle.wait_for_action(|action| {
            if action == JOIN.0 || action == JOIN.1 {
                if let Err(e) = browser(url) {
                    tracing::warn!(error = %e, "could not open the join link");
                }
            }
        });
    }
    Ok(())
}
