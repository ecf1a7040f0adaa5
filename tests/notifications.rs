//! A reminder shown to a real notification daemon (dunst, on a virtual display, in the test
//! run's private D-Bus session: `scripts/test` runs the suite under `scripts/session`) and
//! observed there.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests panic on purpose

use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn wait_for(what: &str, mut ready: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !ready() {
        assert!(Instant::now() < deadline, "{what} did not start");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn dunstctl(args: &[&str]) -> String {
    let out = Command::new("dunstctl").args(args).output().unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn a_reminder_reaches_the_desktops_notification_daemon() {
    assert!(
        std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some(),
        "run under scripts/session: the test needs a private D-Bus session"
    );
    let display = format!(":{}", 200 + std::process::id() % 500);
    let _xvfb = Killed(
        Command::new("Xvfb")
            .args([display.as_str(), "-screen", "0", "800x600x24", "-nolisten", "tcp"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let socket = format!("/tmp/.X11-unix/X{}", &display[1..]);
    wait_for("Xvfb", || std::path::Path::new(&socket).exists());
    let _dunst = Killed(
        Command::new("dunst")
            .env("DISPLAY", &display)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    wait_for("dunst", || {
        Command::new("dunstctl").arg("is-paused").output().is_ok_and(|o| o.status.success())
    });

    let browser: frontdesk_app::OpenUrl = Arc::new(|_url: &str| Ok(()));
    frontdesk_app::reminders::show_notification("Telehealth with J.D. in 10 min", None, &browser).unwrap();

    wait_for("the notification", || dunstctl(&["count", "displayed"]).trim() == "1");
    dunstctl(&["close-all"]);
    let history: serde_json::Value = serde_json::from_str(&dunstctl(&["history"])).unwrap();
    let shown = &history["data"][0][0];
    assert_eq!(shown["appname"]["data"], "Frontdesk", "{history}");
    assert_eq!(shown["body"]["data"], "Telehealth with J.D. in 10 min", "{history}");
}
