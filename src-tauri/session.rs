//! Who is signed in at this desk, and the lock after inactivity.
//!
//! The session lives in the Rust process, not in the web view: every command asks it for the
//! signed-in person, so hiding a button is never what protects an action. Who may do what is
//! the core's rule ([`frontdesk_core::access`]): a command that changes something passes the
//! [`frontdesk_core::Actor`] to a core use case, which checks it; a command that reads asks
//! [`crate::AppState::require`] with the core's [`frontdesk_core::Action`].
//!
//! Only a person's input keeps the session: the window reports keys and clicks
//! ([`Session::input`], through the `still_here` command, at most every
//! [`INPUT_REPORT_SECONDS`]). Commands do not, so the window's background reads (the status
//! line's look at the accounts, a reload after another desk's change) never keep an unattended
//! desk open: once the clinic's idle time has passed since the last input, every command is
//! refused, whatever the window does.
//!
//! A sign-in with a PIN shorter than new PINs may be (set before the rule) is a session that
//! must choose a new PIN first: every command is refused but the PIN change
//! ([`Session::signed_in_for_pin_change`]), until [`Session::pin_changed`].

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Utc};
use frontdesk_core::{Clock, Staff};

use crate::error::AppError;

/// How often, at most, the window reports a person's input (the UI's throttle).
pub const INPUT_REPORT_SECONDS: i64 = 30;

/// The signed-in person, if any.
pub struct Session {
    clock: Arc<dyn Clock>,
    inner: Mutex<Option<SignedIn>>,
}

struct SignedIn {
    staff: Staff,
    /// The sign-in, or the last key or click the window reported.
    last_seen: DateTime<Utc>,
    lock_after: Duration,
    /// Their PIN is too short: nothing but a new PIN until they have chosen one.
    must_change_pin: bool,
}

impl Session {
    pub fn new(clock: Arc<dyn Clock>) -> Self {
        Session { clock, inner: Mutex::new(None) }
    }

    /// `must_change_pin`: the core's word that their PIN is too short (see the module's notes).
    pub fn sign_in(&self, staff: Staff, lock_minutes: i64, must_change_pin: bool) {
        let signed_in = SignedIn {
            staff,
            last_seen: self.clock.now(),
            lock_after: Duration::minutes(lock_minutes),
            must_change_pin,
        };
        *self.lock() = Some(signed_in);
    }

    pub fn sign_out(&self) {
        *self.lock() = None;
    }

    /// The signed-in person when the session has not timed out (without counting as activity).
    pub fn current(&self) -> Option<Staff> {
        let now = self.clock.now();
        let mut guard = self.lock();
        if guard.as_ref().is_some_and(|s| now - s.last_seen > s.lock_after) {
            *guard = None;
        }
        guard.as_ref().map(|s| s.staff.clone())
    }

    /// Whether the person signed in must choose a new PIN before anything else.
    pub fn must_change_pin(&self) -> bool {
        self.current().is_some() && self.lock().as_ref().is_some_and(|s| s.must_change_pin)
    }

    /// The new PIN is chosen: the session is a whole one.
    pub fn pin_changed(&self) {
        if let Some(s) = self.lock().as_mut() {
            s.must_change_pin = false;
        }
    }

    /// Changes the inactivity lock of the current session (after the admin changes the setting).
    pub fn set_lock_minutes(&self, minutes: i64) {
        if let Some(s) = self.lock().as_mut() {
            s.lock_after = Duration::minutes(minutes);
        }
    }

    /// The member of staff signed in at this desk, as they signed in; not activity (see the
    /// module's notes). The commands ask [`crate::AppState::actor`], which reads them again from
    /// the store.
    ///
    /// # Errors
    /// `unauthenticated` when nobody is signed in, the desk locked after inactivity, or the
    /// person must choose a new PIN first.
    pub fn signed_in(&self) -> Result<Staff, AppError> {
        self.touch(false)
    }

    /// As [`Session::signed_in`], but also for a person who must choose a new PIN first: for
    /// the command that changes it, and only that one.
    ///
    /// # Errors
    /// `unauthenticated` when nobody is signed in or the desk locked after inactivity.
    pub fn signed_in_for_pin_change(&self) -> Result<Staff, AppError> {
        self.touch(true)
    }

    fn touch(&self, for_pin_change: bool) -> Result<Staff, AppError> {
        self.with_live(|signed_in, _| {
            if signed_in.must_change_pin && !for_pin_change {
                return Err(AppError::pin_change_needed());
            }
            Ok(signed_in.staff.clone())
        })
    }

    /// A person pressed a key or clicked: the session lasts the clinic's idle time from now.
    ///
    /// # Errors
    /// `unauthenticated` when nobody is signed in, or the desk already locked (an input cannot
    /// bring a locked session back).
    pub fn input(&self) -> Result<(), AppError> {
        self.with_live(|signed_in, now| {
            signed_in.last_seen = now;
            Ok(())
        })
    }

    /// Runs `f` on the session if someone is signed in and it has not locked; a session past its
    /// idle time is ended here.
    fn with_live<T>(
        &self,
        f: impl FnOnce(&mut SignedIn, DateTime<Utc>) -> Result<T, AppError>,
    ) -> Result<T, AppError> {
        let now = self.clock.now();
        let mut guard = self.lock();
        let Some(signed_in) = guard.as_mut() else {
            return Err(AppError::unauthenticated("sign in first"));
        };
        if now - signed_in.last_seen > signed_in.lock_after {
            *guard = None;
            return Err(AppError::unauthenticated(
                "the desk locked after a period without use; sign in again",
            ));
        }
        f(signed_in, now)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<SignedIn>> {
        // A panic while holding this lock cannot leave the session half-written: take it anyway.
        self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}
