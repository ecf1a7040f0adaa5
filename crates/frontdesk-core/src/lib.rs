//! Frontdesk's core: the schedule's domain rules, time rules and storage.
//!
//! This crate knows nothing of windows: it has no dependency on Tauri or any web view, so that
//! the app, the command-line twin and the tests all run the same code headless. Callers hold a
//! [`Store`], make an [`Actor`] for whoever is acting, and get [`CoreError`]s whose messages are
//! safe to show at the desk.

pub mod access;
pub mod clock;
pub mod error;
pub mod ics;
pub mod links;
pub mod locks;
pub mod mail_text;
#[macro_use]
pub mod model;
pub mod hours;
pub mod paper;
pub mod paths;
pub mod store;
pub mod time;
pub mod validate;
pub mod views;

pub use access::{Action, Sight};
pub use clock::{Clock, FixedClock, HandClock, SystemClock};
pub use error::{CoreError, ErrorKind, Field, Result};
pub use locks::{HeldLock, Locks};
pub use model::{
    initials, Actor, Appointment, AppointmentDetail, AppointmentId, AppointmentType, Clinic, HistoryEntry,
    MailMethod, MailState, MeetingInfo, MeetingState, Mode, Patient, PatientId, Provider, Role, Staff,
    StaffId, Status, TypeId, Waiting,
};
pub use store::{BookingRequest, NewPatient, Reschedule, Store};
pub use time::{Fold, LocalTime};
