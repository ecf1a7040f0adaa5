//! The append-only audit log: who did what, when, to which doctor, patient and appointment.
//!
//! Every row is written by [`append`], inside the transaction of the change it records, so a
//! change and its row are saved together or not at all. Actions are a closed set
//! ([`AuditAction`]). Rows hold ids, times, states and settings: never a PIN, a token, an
//! address or words typed about a patient (a cancellation's reason stays in the appointment's
//! history). Triggers refuse updates and deletes.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::sql::{self, Tx};
use super::Store;
use crate::error::{CoreError, Result};
use crate::model::{Actor, Appointment, AppointmentId, PatientId, StaffId};

word_enum!(
    /// What an audit row records.
    AuditAction, "audit action" {
        /// An appointment was booked.
        AppointmentBooked = "appointment_booked",
        /// An appointment was moved (time or doctor).
        AppointmentMoved = "appointment_moved",
        /// An appointment was cancelled (the reason stays in its history).
        AppointmentCancelled = "appointment_cancelled",
        /// An appointment's status changed (check-in, start, complete, no-show).
        AppointmentStatus = "appointment_status",
        /// A patient record was added.
        PatientAdded = "patient_added",
        /// A patient record was changed.
        PatientChanged = "patient_changed",
        /// A member of staff was added.
        StaffAdded = "staff_added",
        /// A member of staff was changed (name, role, PIN, active).
        StaffChanged = "staff_changed",
        /// An appointment type was added.
        TypeAdded = "type_added",
        /// An appointment type was changed.
        TypeChanged = "type_changed",
        /// A clinic setting was changed (name, zone, lock, language, reminder time).
        SettingsChanged = "settings_changed",
        /// A provider setting was changed (never a secret's value).
        SettingChanged = "setting_changed",
        /// A patient e-mail text was changed or reset.
        MailTemplateChanged = "mail_template_changed",
        /// A video account was connected.
        Connected = "connected",
        /// A video account was disconnected at the desk.
        Disconnected = "disconnected",
        /// The provider no longer accepts a connection.
        RevokeDetected = "revoke_detected",
        /// A token refresh failed.
        RefreshFailed = "refresh_failed",
        /// The provider's revocation of a disconnected account's tokens.
        RevokedAtProvider = "revoked_at_provider",
        /// A meeting went back to pending.
        MeetingPending = "meeting_pending",
        /// A meeting was made.
        MeetingReady = "meeting_ready",
        /// The provider refused a meeting.
        MeetingFailed = "meeting_failed",
        /// A meeting was deleted (or never made) because its visit was cancelled.
        MeetingCancelled = "meeting_cancelled",
        /// A failed meeting was sent again.
        MeetingRetried = "meeting_retried",
        /// A meeting of this clinic that no visit owns was deleted.
        OrphanMeetingDeleted = "orphan_meeting_deleted",
        /// A meeting's host (start) link was fetched and opened.
        HostLinkOpened = "host_link_opened",
        /// A patient e-mail was sent.
        MailSent = "mail_sent",
        /// A patient e-mail was queued again by hand.
        MailResent = "mail_resent",
        /// A meeting's patient-side link was opened (Join).
        JoinOpened = "join_opened",
        /// A copy of the whole database was written (`backup`).
        BackupMade = "backup_made",
        /// A day's appointments were exported as a calendar file.
        DayExported = "day_exported",
        /// A member of staff signed in.
        SignedIn = "signed_in",
        /// A wrong PIN, or a try while sign-in is paused, for this member of staff.
        SignInRefused = "sign_in_refused",
        /// Too many wrong PINs: sign-in for this member of staff is paused.
        SignInPaused = "sign_in_paused",
    }
);

impl AuditAction {
    /// What the meeting worker learned, by the meeting's new state.
    pub fn meeting(state: crate::model::MeetingState) -> AuditAction {
        use crate::model::MeetingState;
        match state {
            MeetingState::Pending => AuditAction::MeetingPending,
            MeetingState::Ready => AuditAction::MeetingReady,
            MeetingState::Failed => AuditAction::MeetingFailed,
            MeetingState::Cancelled => AuditAction::MeetingCancelled,
        }
    }
}

/// The ids a row is about; any may be absent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AuditAbout {
    pub doctor: Option<StaffId>,
    pub patient: Option<PatientId>,
    pub appointment: Option<AppointmentId>,
}

impl AuditAbout {
    /// About nothing in particular (a setting, a type).
    pub const NOTHING: AuditAbout = AuditAbout { doctor: None, patient: None, appointment: None };

    /// About one doctor (their account).
    pub fn doctor(doctor: StaffId) -> AuditAbout {
        AuditAbout { doctor: Some(doctor), ..AuditAbout::NOTHING }
    }

    /// About one patient's record.
    pub fn patient(patient: PatientId) -> AuditAbout {
        AuditAbout { patient: Some(patient), ..AuditAbout::NOTHING }
    }

    /// About an appointment, its doctor and its patient.
    pub fn appointment(a: &Appointment) -> AuditAbout {
        AuditAbout { doctor: Some(a.doctor_id), patient: Some(a.patient_id), appointment: Some(a.id) }
    }
}

/// One row of the audit log.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
pub struct AuditEntry {
    pub id: i64,
    pub at: DateTime<Utc>,
    /// `staff:<id>`, `cli:<os user>`, `system`, `system:outbox` or `system:mail`.
    pub actor: String,
    /// The member of staff who acted, when one did.
    pub actor_staff_id: Option<StaffId>,
    /// The actor's name when the actor is a member of staff.
    pub actor_name: Option<String>,
    pub action: AuditAction,
    pub doctor_id: Option<StaffId>,
    pub patient_id: Option<PatientId>,
    pub appointment_id: Option<AppointmentId>,
    pub detail: serde_json::Value,
}

/// Which rows to read; every part is optional and they combine with "and".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// What this member of staff did.
    pub staff: Option<StaffId>,
    /// What touched this patient.
    pub patient: Option<PatientId>,
    /// From this instant (inclusive).
    pub since: Option<DateTime<Utc>>,
    /// Before this instant.
    pub until: Option<DateTime<Utc>>,
    /// Only this action.
    pub action: Option<AuditAction>,
}

#[derive(sqlx::FromRow)]
struct AuditRow {
    id: i64,
    at_ms: i64,
    actor: String,
    actor_staff_id: Option<i64>,
    actor_name: Option<String>,
    action: String,
    doctor_id: Option<i64>,
    patient_id: Option<i64>,
    appointment_id: Option<i64>,
    detail: String,
}

impl TryFrom<AuditRow> for AuditEntry {
    type Error = CoreError;

    fn try_from(r: AuditRow) -> Result<AuditEntry> {
        Ok(AuditEntry {
            id: r.id,
            at: DateTime::from_timestamp_millis(r.at_ms).unwrap_or_default(),
            actor: r.actor,
            actor_staff_id: r.actor_staff_id.map(StaffId),
            actor_name: r.actor_name,
            action: r.action.parse()?,
            doctor_id: r.doctor_id.map(StaffId),
            patient_id: r.patient_id.map(PatientId),
            appointment_id: r.appointment_id.map(AppointmentId),
            detail: serde_json::from_str(&r.detail).unwrap_or(serde_json::Value::Null),
        })
    }
}

/// Appends one row in the caller's transaction: the only way a row is written.
///
/// # Errors
/// [`CoreError::Storage`].
pub(crate) async fn append(
    conn: &mut Tx,
    at: DateTime<Utc>,
    actor: &Actor,
    action: AuditAction,
    about: AuditAbout,
    detail: &serde_json::Value,
) -> Result<()> {
    // A crash here, after the change and before its row, must leave neither (the tests use it).
    super::crash_point("audit");
    sql::query(
        "INSERT INTO audit_log (at_ms, actor, actor_staff_id, action, doctor_id, patient_id, appointment_id, detail)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(at.timestamp_millis())
    .bind(actor.to_string())
    .bind(actor.staff_id().map(|s| s.0))
    .bind(action.as_str())
    .bind(about.doctor.map(|d| d.0))
    .bind(about.patient.map(|p| p.0))
    .bind(about.appointment.map(|a| a.0))
    .bind(detail.to_string())
    .execute(conn)
    .await?;
    Ok(())
}

impl Store {
    /// Records something that changed nothing in the database (a host link opened, an
    /// orphan meeting deleted at the provider, a refresh the provider refused) in a
    /// transaction of its own.
    ///
    /// # Errors
    /// [`CoreError::Storage`].
    pub async fn audit(
        &self,
        actor: &Actor,
        action: AuditAction,
        about: AuditAbout,
        detail: serde_json::Value,
    ) -> Result<()> {
        let now = self.now();
        let mut tx = self.write().await?;
        append(&mut tx, now, actor, action, about, &detail).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The rows `filter` keeps, oldest first, filtered by the database.
    ///
    /// # Errors
    /// [`CoreError::Storage`].
    pub async fn audit_log(&self, filter: &AuditFilter) -> Result<Vec<AuditEntry>> {
        let rows: Vec<AuditRow> = sql::query_as(
            "SELECT a.id, a.at_ms, a.actor, a.actor_staff_id, s.name AS actor_name, a.action, a.doctor_id,
                    a.patient_id, a.appointment_id, a.detail
             FROM audit_log a LEFT JOIN staff s ON s.id = a.actor_staff_id
             WHERE a.at_ms >= $1 AND a.at_ms < $2
               AND ($3 IS NULL OR a.actor_staff_id = $3)
               AND ($4 IS NULL OR a.patient_id = $4)
               AND ($5 IS NULL OR a.action = $5)
             ORDER BY a.id",
        )
        .bind(filter.since.map_or(i64::MIN, |t| t.timestamp_millis()))
        .bind(filter.until.map_or(i64::MAX, |t| t.timestamp_millis()))
        .bind(filter.staff.map(|s| s.0))
        .bind(filter.patient.map(|p| p.0))
        .bind(filter.action.map(AuditAction::as_str))
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(AuditEntry::try_from).collect()
    }
}
