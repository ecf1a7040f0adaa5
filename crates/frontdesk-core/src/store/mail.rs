//! Patient e-mail: one mail job per appointment, written in the same transaction as the booking,
//! move or cancellation that calls for it, and what the mail worker reads and writes back.
//!
//! A job means "tell the patient about the appointment as it is now": an invitation (iTIP
//! `REQUEST`) while it takes place, a cancellation (`CANCEL`) once cancelled. Each change raises
//! the invitation's `SEQUENCE`, and changes that come while a mail waits fold into it. The SMTP
//! client lives in `frontdesk-mail`; this module never holds a message or a password, and
//! what it returns for listing holds no address.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::audit::{self, AuditAbout, AuditAction};
use super::jobs::{JobVisit, Queue, VisitRow};
use super::sql::{self, Tx};
use super::Store;
use crate::access::{Action, Sight};
use crate::error::{CoreError, Result};
use crate::model::{Actor, AppointmentId, MailMethod, MailState};

/// Why a mail is not sent: the patient has no address.
const NO_ADDRESS: &str = "the patient has no e-mail address";
/// A telehealth invitation waits for its meeting's join link.
const WAITING_FOR_MEETING: &str = "waiting for the video meeting's join link";

/// A mail as `mail list`, `show` and the desk's panel report it: states and times, never the
/// address or text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct MailStatus {
    pub appointment_id: AppointmentId,
    pub state: MailState,
    /// The invitation's SEQUENCE the next (or last) message carries.
    pub sequence: i64,
    /// What the last accepted message was (`REQUEST` or `CANCEL`), once one was.
    pub sent_method: Option<MailMethod>,
    /// The SEQUENCE of that message (0: the first invitation; more: an update).
    pub sent_sequence: Option<i64>,
    pub sent_at: Option<DateTime<Utc>>,
    /// When a pending mail goes next.
    pub due: Option<DateTime<Utc>>,
    pub tries: i64,
    /// Why it waits, failed or was skipped (a server's refusal with the address replaced).
    pub reason: Option<String>,
    /// A pending invitation held until its video meeting is ready: the join link goes in it.
    pub waiting_for_meeting: bool,
    /// Whether the patient has an e-mail address now (never the address): sending again needs one.
    pub has_address: bool,
}

/// One mail with everything the worker needs to write and send it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailWork {
    /// The appointment as it is now (cancelled: the mail is a cancellation).
    pub visit: JobVisit,
    /// The SEQUENCE when read: a change that comes during the send keeps the job.
    pub sequence: i64,
    /// An invitation was accepted by the server (or may have been): a cancellation must follow.
    pub invited: bool,
    pub type_name: String,
    pub doctor_name: String,
    pub clinic_name: String,
    pub locale: String,
    /// The patient's address as it is now; `None` when it was removed meanwhile.
    pub to: Option<String>,
    pub join_url: Option<String>,
    pub cancel_reason: Option<String>,
}

impl MailWork {
    /// `CANCEL` once the appointment is cancelled, else `REQUEST`.
    pub fn method(&self) -> &'static str {
        if self.visit.active {
            "REQUEST"
        } else {
            "CANCEL"
        }
    }
}

/// What sending a mail came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MailOutcome {
    /// The server accepted the message.
    Sent,
    /// Nothing to send (no address, or cancelled before any invitation left).
    Skipped { reason: String },
    /// Not sent now; it goes again at `due`.
    Deferred { due: DateTime<Utc>, reason: String },
    /// The server refused it (5xx): failed until someone resends.
    Refused { reason: String },
}

#[derive(sqlx::FromRow)]
struct WorkRow {
    #[sqlx(flatten)]
    visit: VisitRow,
    sequence: i64,
    invited: bool,
    type_name: String,
    doctor_name: String,
    clinic_name: String,
    locale: String,
    neutral_titles: bool,
    email: Option<String>,
    join_url: Option<String>,
    cancel_reason: Option<String>,
}

#[derive(sqlx::FromRow)]
struct StatusRow {
    appointment_id: i64,
    state: String,
    sequence: i64,
    sent_sequence: Option<i64>,
    sent_method: Option<String>,
    sent_at_ms: Option<i64>,
    due_at_ms: i64,
    tries: i64,
    reason: Option<String>,
    held: bool,
    has_address: bool,
}

/// A pending mail is held (not due) while its appointment takes place and has a video meeting
/// that is not ready: the invitation must carry the join link. (`a`, `m` and `ml` are aliases.)
const HELD_FOR_MEETING: &str =
    "(ml.state = 'pending' AND a.status <> 'cancelled' AND m.appointment_id IS NOT NULL AND m.state <> 'ready')";

/// Writes the mail job for a booking, a move or a cancellation: a pending mail with the next
/// SEQUENCE when the patient has an address, a skipped one saying so otherwise.
pub(super) async fn enqueue_mail(
    conn: &mut Tx,
    appointment: AppointmentId,
    now: DateTime<Utc>,
) -> Result<()> {
    let has_address: bool = sql::query_scalar(
        "SELECT p.email IS NOT NULL AND p.email <> '' FROM appointments a JOIN patients p ON p.id = a.patient_id WHERE a.id = $1",
    )
    .bind(appointment.0)
    .fetch_one(&mut *conn)
    .await?;
    let (state, reason) = if has_address { ("pending", None) } else { ("skipped", Some(NO_ADDRESS)) };
    sql::query(
        "INSERT INTO mails (appointment_id, state, due_at_ms, reason, updated_at_ms) VALUES ($1, $2, $3, $4, $3)
         ON CONFLICT (appointment_id) DO UPDATE SET
           state = $2, sequence = mails.sequence + 1, tries = 0, due_at_ms = $3, reason = $4, updated_at_ms = $3",
    )
    .bind(appointment.0)
    .bind(state)
    .bind(now.timestamp_millis())
    .bind(reason)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

impl Store {
    /// The mail of one appointment, if it has one (appointments booked before mail existed do not).
    ///
    /// # Errors
    /// [`CoreError::Storage`].
    pub async fn mail_status(&self, appointment: AppointmentId) -> Result<Option<MailStatus>> {
        Ok(self.mail_statuses(Some(appointment)).await?.into_iter().next())
    }

    /// [`Store::mail_status`] as a member of staff reads it (the side panel): anyone who reads
    /// the schedule, a doctor under the clinic's minimum-necessary setting only for their own
    /// visits.
    ///
    /// # Errors
    /// [`CoreError::Forbidden`]; [`CoreError::NotFound`] for an unknown appointment.
    pub async fn read_mail_status(
        &self,
        actor: &Actor,
        appointment: AppointmentId,
    ) -> Result<Option<MailStatus>> {
        actor.may(Action::Read)?;
        let sight = self.sight(actor).await?;
        if sight != Sight::Everything {
            sight.check_visit_of(self.appointment(appointment).await?.appointment.doctor_id)?;
        }
        self.mail_status(appointment).await
    }

    /// Every mail that is pending or failed, oldest due first.
    ///
    /// # Errors
    /// [`CoreError::Storage`].
    pub async fn mail_jobs(&self) -> Result<Vec<MailStatus>> {
        let all = self.mail_statuses(None).await?;
        Ok(all.into_iter().filter(|m| matches!(m.state, MailState::Pending | MailState::Failed)).collect())
    }

    async fn mail_statuses(&self, one: Option<AppointmentId>) -> Result<Vec<MailStatus>> {
        let rows: Vec<StatusRow> = sql::query_as(&format!(
            "SELECT ml.appointment_id, ml.state, ml.sequence, ml.sent_sequence, ml.sent_method, ml.sent_at_ms, ml.due_at_ms, ml.tries, ml.reason,
                    {HELD_FOR_MEETING} AS held, (p.email IS NOT NULL AND p.email <> '') AS has_address
             FROM mails ml JOIN appointments a ON a.id = ml.appointment_id
             JOIN patients p ON p.id = a.patient_id
             LEFT JOIN meetings m ON m.appointment_id = ml.appointment_id
             WHERE $1 IS NULL OR ml.appointment_id = $1
             ORDER BY ml.state DESC, ml.due_at_ms, ml.appointment_id"
        ))
        .bind(one.map(|a| a.0))
        .fetch_all(self.reads())
        .await?;
        rows.into_iter()
            .map(|r| {
                let state: MailState = r.state.parse()?;
                let pending = state == MailState::Pending;
                Ok(MailStatus {
                    appointment_id: AppointmentId(r.appointment_id),
                    state,
                    sequence: r.sequence,
                    sent_method: r.sent_method.as_deref().map(str::parse).transpose()?,
                    sent_sequence: r.sent_sequence,
                    sent_at: r.sent_at_ms.and_then(DateTime::from_timestamp_millis),
                    due: DateTime::from_timestamp_millis(r.due_at_ms).filter(|_| pending),
                    tries: r.tries,
                    reason: if r.held { Some(WAITING_FOR_MEETING.to_owned()) } else { r.reason },
                    waiting_for_meeting: r.held,
                    has_address: r.has_address,
                })
            })
            .collect()
    }

    /// The next pending mail that is due (any pending one with `ignore_due`) and not held for
    /// its meeting, other than those in `skip`.
    ///
    /// # Errors
    /// [`CoreError::Storage`].
    pub async fn next_mail_work(&self, ignore_due: bool, skip: &[i64]) -> Result<Option<MailWork>> {
        let row: Option<WorkRow> = self
            .next_work(
                Queue::Mail,
                &format!(
                    "SELECT ml.appointment_id, ml.sequence, ml.tries, a.status,
                    (ml.sent_method IS NOT DISTINCT FROM 'REQUEST' OR ml.attempt_open) AS invited,
                    a.start_at, a.end_at, a.tz, t.name AS type_name, s.name AS doctor_name,
                    c.name AS clinic_name, c.uid AS clinic_uid, c.locale, c.neutral_titles, p.email, m.join_url,
                    a.cancel_reason
             FROM mails ml
             JOIN appointments a ON a.id = ml.appointment_id
             JOIN appointment_types t ON t.id = a.type_id
             JOIN staff s ON s.id = a.doctor_id
             JOIN patients p ON p.id = a.patient_id
             JOIN clinic c ON c.id = 1
             LEFT JOIN meetings m ON m.appointment_id = a.id
             WHERE ml.state = 'pending' AND ($2 OR ml.due_at_ms <= $1) AND NOT {HELD_FOR_MEETING}
               AND ml.appointment_id NOT IN (SEEN_KEYS) AND FREE(ml)
             ORDER BY ml.due_at_ms, ml.appointment_id LIMIT 1"
                ),
                ignore_due,
                skip,
                |r: &WorkRow| r.visit.appointment_id,
            )
            .await?;
        let Some(r) = row else { return Ok(None) };
        Ok(Some(MailWork {
            visit: r.visit.try_into()?,
            sequence: r.sequence,
            invited: r.invited,
            type_name: crate::mail_text::type_shown(&r.type_name, &r.locale, r.neutral_titles).to_owned(),
            doctor_name: r.doctor_name,
            clinic_name: r.clinic_name,
            locale: r.locale,
            to: r.email.filter(|e| !e.trim().is_empty()),
            join_url: r.join_url,
            cancel_reason: r.cancel_reason,
        }))
    }

    /// Writes back what sending `work` came to. When the appointment changed again meanwhile
    /// (its SEQUENCE went up), the mail stays pending, due now, so the next pass sends the newer one.
    ///
    /// # Errors
    /// [`CoreError::Storage`].
    pub async fn record_mail(&self, work: &MailWork, outcome: &MailOutcome) -> Result<()> {
        let at = self.now();
        let now = at.timestamp_millis();
        let mut tx = self.write().await?;
        let sequence: Option<i64> = sql::query_scalar("SELECT sequence FROM mails WHERE appointment_id = $1")
            .bind(work.visit.appointment_id.0)
            .fetch_optional(&mut tx)
            .await?;
        let changed_since = sequence.is_some_and(|s| s != work.sequence);
        let id = work.visit.appointment_id.0;
        match outcome {
            MailOutcome::Sent => {
                sql::query(
                    "UPDATE mails SET state = 'sent', sent_sequence = $2, sent_method = $3, sent_at_ms = $4, attempt_open = FALSE,
                       tries = 0, reason = NULL, updated_at_ms = $4 WHERE appointment_id = $1",
                )
                .bind(id)
                .bind(work.sequence)
                .bind(work.method())
                .bind(now)
                .execute(&mut tx)
                .await?;
                // Who was e-mailed is the appointment's patient: the row holds ids, never the address.
                let about = appointment_about(&mut tx, work.visit.appointment_id).await?;
                let detail = serde_json::json!({ "method": work.method(), "sequence": work.sequence });
                audit::append(&mut tx, at, &Actor::MAIL, AuditAction::MailSent, about, &detail).await?;
            }
            MailOutcome::Skipped { reason } => {
                sql::query("UPDATE mails SET state = 'skipped', reason = $2, updated_at_ms = $3 WHERE appointment_id = $1")
                    .bind(id)
                    .bind(reason)
                    .bind(now)
                    .execute(&mut tx)
                    .await?;
            }
            MailOutcome::Deferred { due, reason } => {
                sql::query("UPDATE mails SET tries = tries + 1, due_at_ms = $2, reason = $3, updated_at_ms = $4 WHERE appointment_id = $1")
                    .bind(id)
                    .bind(due.timestamp_millis())
                    .bind(reason)
                    .bind(now)
                    .execute(&mut tx)
                    .await?;
            }
            MailOutcome::Refused { reason } => {
                sql::query(
                    "UPDATE mails SET state = 'failed', attempt_open = FALSE, tries = tries + 1, reason = $2, updated_at_ms = $3
                     WHERE appointment_id = $1",
                )
                .bind(id)
                .bind(reason)
                .bind(now)
                .execute(&mut tx)
                .await?;
            }
        }
        // The job is no longer this worker's.
        sql::query("UPDATE mails SET lease_until_ms = NULL, leased_by = NULL WHERE appointment_id = $1")
            .bind(id)
            .execute(&mut tx)
            .await?;
        if changed_since {
            sql::query(
                "UPDATE mails SET state = 'pending', due_at_ms = $2, tries = 0, updated_at_ms = $2 WHERE appointment_id = $1",
            )
            .bind(id)
            .bind(now)
            .execute(&mut tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Sends an appointment's mail again (as the appointment is now), due now: the desk and
    /// admins; audited.
    ///
    /// # Errors
    /// [`CoreError::Forbidden`]; [`CoreError::NotFound`] for an appointment without a mail;
    /// [`CoreError::Invalid`] when its patient has no e-mail address.
    pub async fn resend_mail(&self, actor: &Actor, appointment: AppointmentId) -> Result<()> {
        actor.may(Action::Book)?;
        let at = self.now();
        let now = at.timestamp_millis();
        let mut tx = self.write().await?;
        let row: Option<(bool,)> = sql::query_as(
            "SELECT p.email IS NOT NULL AND p.email <> '' FROM mails ml JOIN appointments a ON a.id = ml.appointment_id
             JOIN patients p ON p.id = a.patient_id WHERE ml.appointment_id = $1",
        )
        .bind(appointment.0)
        .fetch_optional(&mut tx)
        .await?;
        match row {
            None => return Err(CoreError::NotFound { what: "mail of appointment", id: appointment.0 }),
            Some((false,)) => return Err(CoreError::invalid(format!("no mail is sent: {NO_ADDRESS}"))),
            Some(_) => {}
        }
        sql::query(
            "UPDATE mails SET state = 'pending', tries = 0, due_at_ms = $2, reason = NULL, updated_at_ms = $2 WHERE appointment_id = $1",
        )
        .bind(appointment.0)
        .bind(now)
        .execute(&mut tx)
        .await?;
        let about = appointment_about(&mut tx, appointment).await?;
        audit::append(&mut tx, at, actor, AuditAction::MailResent, about, &serde_json::json!({})).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// The doctor, patient and appointment an audit row about `appointment` names.
async fn appointment_about(conn: &mut Tx, appointment: AppointmentId) -> Result<AuditAbout> {
    let (doctor, patient): (i64, i64) =
        sql::query_as("SELECT doctor_id, patient_id FROM appointments WHERE id = $1")
            .bind(appointment.0)
            .fetch_one(conn)
            .await?;
    Ok(AuditAbout {
        doctor: Some(crate::model::StaffId(doctor)),
        patient: Some(crate::model::PatientId(patient)),
        appointment: Some(appointment),
    })
}
