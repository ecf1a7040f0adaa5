//! Desktop reminders, computed from the database: the doctor hears of each visit a set time
//! before it starts ("Telehealth with J.D. in 10 min"), and the front desk hears of an in-person
//! patient who has not checked in when the visit should start.
//!
//! A reminder is due only inside a short window after its moment, so one missed while the app
//! was closed or the machine slept is not shown late. Each one shown is recorded with the
//! appointment's start, so it is never shown twice (a restart, a clock set back, two windows),
//! and a moved visit is reminded at its new time only. Texts carry initials only: screens are
//! seen by passers-by.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use super::sql;
use super::{instant, Store};
use crate::error::{CoreError, Field, Result};
use crate::model::{initials, Actor, AppointmentId, Role, StaffId};

/// How long after its moment a reminder may still be shown.
pub const REMINDER_WINDOW: Duration = Duration::minutes(2);

/// What a reminder is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum ReminderKind {
    /// The doctor's visit starts soon.
    Upcoming,
    /// An in-person patient has not checked in at the start time.
    Arrival,
}

impl ReminderKind {
    /// The word stored in `reminders_shown.kind`.
    fn as_str(self) -> &'static str {
        match self {
            ReminderKind::Upcoming => "upcoming",
            ReminderKind::Arrival => "arrival",
        }
    }
}

/// A reminder to show now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct Reminder {
    pub appointment_id: AppointmentId,
    pub kind: ReminderKind,
    pub start: DateTime<Utc>,
    /// "Telehealth with J.D. in 10 min": initials only.
    pub text: String,
    /// The patient-side join link of a ready telehealth meeting, for a Join action.
    pub join_url: Option<String>,
}

#[derive(sqlx::FromRow)]
struct Candidate {
    id: i64,
    start_at: i64,
    mode: String,
    patient_name: String,
    doctor_name: String,
    join_url: Option<String>,
}

impl Store {
    /// Minutes before a visit that its doctor is reminded.
    ///
    /// # Errors
    /// [`CoreError::Storage`].
    pub async fn reminder_minutes(&self) -> Result<i64> {
        Ok(sql::query_scalar("SELECT reminder_minutes FROM clinic WHERE id = 1")
            .fetch_optional(self.reads())
            .await?
            .unwrap_or(10))
    }

    /// Sets the minutes before a visit that its doctor is reminded (1 to 240; admins), audited.
    ///
    /// # Errors
    /// [`CoreError::Forbidden`]; [`CoreError::Invalid`] outside 1..=240.
    pub async fn set_reminder_minutes(&self, actor: &Actor, minutes: i64) -> Result<()> {
        actor.may(crate::access::Action::Administer)?;
        if !(1..=240).contains(&minutes) {
            return Err(CoreError::invalid_field(
                Field::REMINDER_MINUTES,
                "choose 1 to 240 minutes before the visit",
            ));
        }
        let mut tx = self.write().await?;
        sql::query("UPDATE clinic SET reminder_minutes = $1 WHERE id = 1")
            .bind(minutes)
            .execute(&mut tx)
            .await?;
        let detail = serde_json::json!({ "reminder_minutes": minutes });
        let action = super::audit::AuditAction::SettingsChanged;
        super::audit::append(&mut tx, self.now(), actor, action, super::audit::AuditAbout::NOTHING, &detail)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The reminders due now for this member of staff and not shown to them yet: a doctor's
    /// visits starting in the clinic's reminder time; for the front desk, in-person patients not
    /// checked in at their start.
    ///
    /// # Errors
    /// [`CoreError::NotFound`] for unknown staff; [`CoreError::Storage`].
    pub async fn due_reminders(&self, staff: StaffId) -> Result<Vec<Reminder>> {
        let member = self.staff(staff).await?;
        let now = self.now();
        let lead = Duration::minutes(self.reminder_minutes().await?);
        let (kind, sql, moment) = match member.role {
            Role::Doctor => (
                ReminderKind::Upcoming,
                "a.doctor_id = $1 AND a.status IN ('booked', 'checked_in') AND a.start_at - $4 <= $2 AND a.start_at - $4 >= $2 - $3 AND a.start_at > $2",
                lead,
            ),
            Role::Receptionist => (
                ReminderKind::Arrival,
                "t.mode = 'in-person' AND a.status = 'booked' AND a.start_at <= $2 AND a.start_at >= $2 - $3",
                Duration::zero(),
            ),
            Role::Admin => return Ok(Vec::new()),
        };
        let query = format!(
            "SELECT a.id, a.start_at, t.mode, p.full_name AS patient_name, s.name AS doctor_name,
                    CASE WHEN m.state = 'ready' THEN m.join_url END AS join_url
             FROM appointments a
             JOIN appointment_types t ON t.id = a.type_id
             JOIN patients p ON p.id = a.patient_id
             JOIN staff s ON s.id = a.doctor_id
             LEFT JOIN meetings m ON m.appointment_id = a.id
             WHERE {sql} AND NOT EXISTS (SELECT 1 FROM reminders_shown r
                 WHERE r.appointment_id = a.id AND r.staff_id = $5 AND r.kind = $6 AND r.start_at = a.start_at)
             ORDER BY a.start_at, a.id"
        );
        let rows: Vec<Candidate> = sql::query_as(&query)
            .bind(staff.0)
            .bind(now.timestamp())
            .bind(REMINDER_WINDOW.num_seconds())
            .bind(moment.num_seconds())
            .bind(staff.0)
            .bind(kind.as_str())
            .fetch_all(self.reads())
            .await?;
        let clinic = self.require_clinic().await?;
        rows.into_iter()
            .map(|r| {
                let start = instant(r.start_at)?;
                let who = initials(&r.patient_name);
                let text = match kind {
                    ReminderKind::Upcoming => {
                        let minutes = ((start - now).num_seconds().max(0) + 59) / 60;
                        let what = if r.mode == "in-person" { "Visit" } else { "Telehealth" };
                        format!("{what} with {who} in {minutes} min")
                    }
                    ReminderKind::Arrival => format!(
                        "{who} has not checked in ({} with {})",
                        start.with_timezone(&clinic.tz).format("%H:%M"),
                        r.doctor_name
                    ),
                };
                Ok(Reminder { appointment_id: AppointmentId(r.id), kind, start, text, join_url: r.join_url })
            })
            .collect()
    }

    /// Records that `reminder` is shown to `staff`; `false` when it already was (do not show it).
    ///
    /// # Errors
    /// [`CoreError::Storage`].
    pub async fn take_reminder(&self, staff: StaffId, reminder: &Reminder) -> Result<bool> {
        let mut tx = self.write_here().await?;
        let new = sql::query(
            "INSERT INTO reminders_shown (appointment_id, staff_id, kind, start_at, shown_at_ms) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
        )
        .bind(reminder.appointment_id.0)
        .bind(staff.0)
        .bind(reminder.kind.as_str())
        .bind(reminder.start.timestamp())
        .bind(self.now().timestamp_millis())
        .execute(&mut tx)
        .await?
            > 0;
        tx.commit().await?;
        Ok(new)
    }
}
