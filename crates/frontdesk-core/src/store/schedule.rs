//! Appointments: booking, moving, cancelling, status changes, and the day view.
//!
//! Each change is one `BEGIN IMMEDIATE` transaction that checks the rules (the doctor exists, the
//! slot is free, the status change is allowed), writes the appointment and appends its history
//! entry. Nothing is written when a rule refuses.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use serde_json::json;
use sqlx::FromRow;

use super::audit::{self, AuditAbout, AuditAction};
use super::sql::{self, Tx};
use super::{crash_point, hours, instant, mail, outbox, Store};
use crate::access::Action;
use crate::error::{CoreError, Field, Result};
use crate::model::{
    Actor, Appointment, AppointmentDetail, AppointmentId, HistoryEntry, MeetingInfo, MeetingState, Mode,
    PatientId, Role, StaffId, Status, TypeId,
};
use crate::time::{self, LocalTime};
use crate::validate;

/// What the desk asks for when booking.
#[derive(Debug, Clone)]
pub struct BookingRequest {
    pub patient_id: PatientId,
    pub doctor_id: StaffId,
    pub type_id: TypeId,
    pub start: LocalTime,
    /// Staff confirmed that the doctor may be double-booked; recorded in the history.
    pub allow_overlap: bool,
    /// Staff confirmed the visit outside the doctor's working hours (or the clinic's, or on a
    /// day off); recorded in the history, and the day sheet marks it.
    pub allow_outside_hours: bool,
    pub topic: Option<String>,
    pub description: Option<String>,
}

/// How long after a change its author may undo it ([`Store::undo`]).
pub const UNDO_SECONDS: i64 = 120;

/// A visit's new day and time, and its doctor and type when they change (a reschedule).
#[derive(Debug, Clone)]
pub struct Reschedule {
    pub to: LocalTime,
    /// Another doctor; the meeting of a telehealth visit moves to their account.
    pub doctor_id: Option<StaffId>,
    /// Another type: its length, and its mode (a meeting is made, moved or deleted to match).
    pub type_id: Option<TypeId>,
    pub allow_overlap: bool,
    pub allow_outside_hours: bool,
}

/// The day view's query: every appointment that shares an instant with `[$1, $2)` (Unix seconds),
/// in start order, for all doctors (`$3` NULL) or one. The lower bound on `start_at` (12 hours, the
/// longest appointment) lets SQLite answer from an index. The rows come back as one JSON array of
/// arrays built inside SQLite: a day holds hundreds of rows, and handing them over one by one from
/// SQLite's worker thread cost more than the query itself (see docs/adr/0003). The benchmark runs
/// this same text in the `sqlite3` shell.
/// Each row carries its meeting's state (NULLs for an in-person visit).
pub const DAY_QUERY: &str = "SELECT json_group_array(json_array(a.id, a.patient_id, a.doctor_id, a.type_id, a.start_at, a.end_at, a.tz, a.topic, a.description, a.status, a.cancel_reason, \
m.provider, m.state, m.waiting, o.due_at_ms, m.join_url, m.error)) \
FROM (SELECT * FROM appointments WHERE start_at >= $1 - 43200 AND start_at < $2 AND end_at > $1 AND ($3 IS NULL OR doctor_id = $3) \
ORDER BY start_at, doctor_id, id) a LEFT JOIN meetings m ON m.appointment_id = a.id LEFT JOIN outbox o ON o.appointment_id = a.id";

/// [`DAY_QUERY`] in PostgreSQL's words, with the same arguments and the same JSON.
pub const DAY_QUERY_POSTGRES: &str = "SELECT coalesce(json_agg(json_build_array(a.id, a.patient_id, a.doctor_id, a.type_id, a.start_at, a.end_at, a.tz, a.topic, a.description, a.status, a.cancel_reason, \
m.provider, m.state, m.waiting, o.due_at_ms, m.join_url, m.error) ORDER BY a.start_at, a.doctor_id, a.id), '[]')::text \
FROM (SELECT * FROM appointments WHERE start_at >= $1 - 43200 AND start_at < $2 AND end_at > $1 AND ($3::bigint IS NULL OR doctor_id = $3)) a \
LEFT JOIN meetings m ON m.appointment_id = a.id LEFT JOIN outbox o ON o.appointment_id = a.id";

const ONE_QUERY: &str = "SELECT a.id, a.patient_id, a.doctor_id, a.type_id, a.start_at, a.end_at, a.tz, a.topic, a.description, a.status, a.cancel_reason, \
m.provider AS meeting_provider, m.state AS meeting_state, m.waiting, o.due_at_ms, m.join_url, m.error AS meeting_error \
FROM appointments a LEFT JOIN meetings m ON m.appointment_id = a.id LEFT JOIN outbox o ON o.appointment_id = a.id WHERE a.id = $1";

/// An appointment row, in [`DAY_QUERY`]'s column order (the day view reads it from JSON arrays).
#[derive(FromRow, serde::Deserialize)]
struct AppointmentRow {
    id: i64,
    patient_id: i64,
    doctor_id: i64,
    type_id: i64,
    start_at: i64,
    end_at: i64,
    tz: String,
    topic: Option<String>,
    description: Option<String>,
    status: String,
    cancel_reason: Option<String>,
    meeting_provider: Option<String>,
    meeting_state: Option<String>,
    waiting: Option<String>,
    due_at_ms: Option<i64>,
    join_url: Option<String>,
    meeting_error: Option<String>,
}

impl TryFrom<AppointmentRow> for Appointment {
    type Error = CoreError;
    fn try_from(r: AppointmentRow) -> Result<Appointment> {
        let tz: Tz = time::parse_zone(&r.tz)?;
        appointment_from(r, tz)
    }
}

fn appointment_from(r: AppointmentRow, tz: Tz) -> Result<Appointment> {
    let start = instant(r.start_at)?;
    let end = instant(r.end_at)?;
    let meeting = match (&r.meeting_provider, &r.meeting_state) {
        (Some(provider), Some(state)) => {
            let state: MeetingState = state.parse()?;
            Some(MeetingInfo {
                provider: provider.parse()?,
                state,
                waiting: r.waiting.as_deref().map(str::parse).transpose()?,
                due: r
                    .due_at_ms
                    .filter(|_| state == MeetingState::Pending)
                    .and_then(DateTime::from_timestamp_millis),
                join_url: r.join_url.filter(|_| state != MeetingState::Cancelled),
                error: r.meeting_error,
            })
        }
        _ => None,
    };
    Ok(Appointment {
        id: AppointmentId(r.id),
        patient_id: PatientId(r.patient_id),
        doctor_id: StaffId(r.doctor_id),
        type_id: TypeId(r.type_id),
        local_start: time::in_zone(start, tz),
        duration_minutes: (end - start).num_minutes(),
        start,
        end,
        tz,
        topic: r.topic,
        description: r.description,
        status: r.status.parse()?,
        cancel_reason: r.cancel_reason,
        meeting,
    })
}

/// An active appointment of the same doctor that shares an instant with the requested slot.
#[derive(FromRow)]
struct Clash {
    id: i64,
    start_at: i64,
    end_at: i64,
}

impl Store {
    /// Books an appointment.
    ///
    /// The local start is resolved in its zone (refusing DST gaps and unresolved overlaps), the
    /// length comes from the appointment type, the visit must lie within the doctor's working
    /// hours unless `allow_outside_hours` is set, and the doctor must be free unless
    /// `allow_overlap` is set (the history records either, with the appointments it overlaps).
    ///
    /// # Errors
    /// [`CoreError::Invalid`], [`CoreError::NonexistentTime`], [`CoreError::AmbiguousTime`] for bad
    /// input; [`CoreError::NotFound`] for an unknown patient, doctor or type;
    /// [`CoreError::OutsideHours`] when the doctor does not work then (ADR 0021);
    /// [`CoreError::Overlap`] when the doctor is already booked then; [`CoreError::Forbidden`]
    /// for a doctor (the desk and admins book).
    pub async fn book(&self, actor: &Actor, req: &BookingRequest) -> Result<Appointment> {
        actor.may(Action::Book)?;
        let topic = validate::optional_line(Field::TOPIC, req.topic.as_deref())?;
        let description = validate::optional_text(Field::DESCRIPTION, req.description.as_deref())?;
        let start = req.start.instant()?;
        let now = self.now();

        let mut tx = self.write().await?;
        exists(&mut tx, "SELECT id FROM patients WHERE id = $1", req.patient_id.0, "patient").await?;
        bookable_doctor(&mut tx, req.doctor_id).await?;
        let (minutes, mode) = visit_type(&mut tx, req.type_id).await?;
        let end = start + Duration::minutes(minutes);

        let outside = hours::outside_hours(&mut tx, req.doctor_id, start, end).await?;
        refuse_outside_hours(&outside, req.allow_outside_hours)?;
        let clashes = clashes(&mut tx, req.doctor_id, start, end, None).await?;
        refuse_overlap(&mut tx, req.doctor_id, req.start.tz, &clashes, req.allow_overlap).await?;

        let id: i64 = sql::query_scalar(
            "INSERT INTO appointments
               (patient_id, doctor_id, type_id, start_at, end_at, tz, topic, description, status, created_at, updated_at, double_booked, outside_hours)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'booked', $9, $9, $10, $11) RETURNING id",
        )
        .bind(req.patient_id.0)
        .bind(req.doctor_id.0)
        .bind(req.type_id.0)
        .bind(start.timestamp())
        .bind(end.timestamp())
        .bind(req.start.tz.name())
        .bind(&topic)
        .bind(&description)
        .bind(now.timestamp())
        .bind(!clashes.is_empty())
        .bind(outside.is_some())
        .fetch_one(&mut tx)
        .await?;
        let mut detail = json!({
            "start": start, "end": end, "tz": req.start.tz.name(),
            "doctor_id": req.doctor_id, "type_id": req.type_id,
        });
        note_overlap(&mut detail, &clashes);
        note_outside_hours(&mut detail, &outside);
        append_history(&mut tx, id, now, actor, "booked", detail.clone()).await?;
        if let Some(provider) = mode.provider() {
            outbox::open_meeting(&mut tx, AppointmentId(id), provider, now).await?;
        }
        mail::enqueue_mail(&mut tx, AppointmentId(id), now).await?;
        crash_point("book");
        let booked = load(&mut tx, AppointmentId(id)).await?;
        audit::append(
            &mut tx,
            now,
            actor,
            AuditAction::AppointmentBooked,
            AuditAbout::appointment(&booked),
            &detail,
        )
        .await?;
        tx.commit().await?;
        Ok(booked)
    }

    /// Moves an appointment to a new local start, keeping its doctor and length; outside the
    /// doctor's hours only with `allow_outside_hours`, onto taken time only with `allow_overlap`.
    ///
    /// # Errors
    /// As for [`Store::reschedule`].
    pub async fn move_appointment(
        &self,
        actor: &Actor,
        id: AppointmentId,
        to: LocalTime,
        allow_overlap: bool,
        allow_outside_hours: bool,
    ) -> Result<Appointment> {
        let change = Reschedule { to, doctor_id: None, type_id: None, allow_overlap, allow_outside_hours };
        self.reschedule(actor, id, &change).await
    }

    /// Reschedules an appointment: a new local start, and another doctor or type when given. It
    /// stays one visit (its history, patient, topic and e-mail go with it). The same rules as a
    /// booking apply to the new doctor and length. A telehealth visit's meeting follows: the
    /// worker deletes it from the old doctor's account (or the old provider) and makes it anew
    /// for the new doctor, and the patient is sent the new link; a type held in person deletes
    /// it, and a telehealth type on an in-person visit makes one (ADR 0023).
    ///
    /// # Errors
    /// As for [`Store::book`]; also [`CoreError::Transition`] when the appointment is no longer
    /// movable (in progress, completed, cancelled, no-show).
    pub async fn reschedule(
        &self,
        actor: &Actor,
        id: AppointmentId,
        change: &Reschedule,
    ) -> Result<Appointment> {
        actor.may(Action::Book)?;
        let mut tx = self.write().await?;
        let moved = self.reschedule_in(&mut tx, actor, id, change, None).await?;
        tx.commit().await?;
        Ok(moved)
    }

    /// [`Store::reschedule`] inside `tx`; `undoing` names the history row it undoes.
    async fn reschedule_in(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        id: AppointmentId,
        change: &Reschedule,
        undoing: Option<i64>,
    ) -> Result<Appointment> {
        let start = change.to.instant()?;
        let now = self.now();
        let current = load(&mut *tx, id).await?;
        if !current.status.is_movable() {
            return Err(CoreError::Transition(format!("a {} appointment cannot be moved", current.status)));
        }
        let doctor = change.doctor_id.unwrap_or(current.doctor_id);
        if doctor != current.doctor_id {
            bookable_doctor(&mut *tx, doctor).await?;
        }
        let type_id = change.type_id.unwrap_or(current.type_id);
        let (minutes, mode) = if type_id == current.type_id {
            (current.duration_minutes, None)
        } else {
            let (minutes, mode) = visit_type(&mut *tx, type_id).await?;
            (minutes, Some(mode))
        };
        let end = start + Duration::minutes(minutes);
        let outside = hours::outside_hours(&mut *tx, doctor, start, end).await?;
        refuse_outside_hours(&outside, change.allow_outside_hours)?;
        let clashes = clashes(&mut *tx, doctor, start, end, Some(id)).await?;
        refuse_overlap(&mut *tx, doctor, change.to.tz, &clashes, change.allow_overlap).await?;
        // The meeting made so far stays with the doctor whose account holds it until the worker
        // has deleted it there.
        if doctor != current.doctor_id {
            sql::query("UPDATE meetings SET host_id = coalesce(host_id, $2) WHERE appointment_id = $1 AND state <> 'cancelled'")
                .bind(id.0)
                .bind(current.doctor_id.0)
                .execute(&mut *tx)
                .await?;
        }
        sql::query(
            "UPDATE appointments SET doctor_id = $2, type_id = $3, start_at = $4, end_at = $5, tz = $6, updated_at = $7,
               double_booked = $8, outside_hours = $9 WHERE id = $1",
        )
        .bind(id.0)
        .bind(doctor.0)
        .bind(type_id.0)
        .bind(start.timestamp())
        .bind(end.timestamp())
        .bind(change.to.tz.name())
        .bind(now.timestamp())
        .bind(!clashes.is_empty())
        .bind(outside.is_some())
        .execute(&mut *tx)
        .await?;
        let mut detail = json!({
            "from": { "start": current.start, "end": current.end, "tz": current.tz.name() },
            "to": { "start": start, "end": end, "tz": change.to.tz.name() },
        });
        if doctor != current.doctor_id {
            detail["from"]["doctor_id"] = json!(current.doctor_id);
            detail["to"]["doctor_id"] = json!(doctor);
        }
        if type_id != current.type_id {
            detail["from"]["type_id"] = json!(current.type_id);
            detail["to"]["type_id"] = json!(type_id);
        }
        note_overlap(&mut detail, &clashes);
        note_outside_hours(&mut detail, &outside);
        note_undo(&mut detail, undoing);
        append_history(&mut *tx, id.0, now, actor, "moved", detail.clone()).await?;
        match mode.and_then(Mode::provider) {
            // A telehealth type on a visit with no meeting yet (or one deleted before): make one.
            Some(provider) if !outbox::has_live_meeting(&mut *tx, id).await? => {
                outbox::open_meeting(&mut *tx, id, provider, now).await?;
            }
            _ => outbox::enqueue_change(&mut *tx, id, now).await?,
        }
        mail::enqueue_mail(&mut *tx, id, now).await?;
        crash_point("move");
        let moved = load(&mut *tx, id).await?;
        audit::append(
            &mut *tx,
            now,
            actor,
            AuditAction::AppointmentMoved,
            AuditAbout::appointment(&moved),
            &detail,
        )
        .await?;
        Ok(moved)
    }

    /// Cancels an appointment with a reason. The record and its history are kept.
    ///
    /// # Errors
    /// [`CoreError::Invalid`] for an empty or bad reason; [`CoreError::Transition`] when the
    /// appointment is already cancelled, in progress or completed.
    pub async fn cancel(&self, actor: &Actor, id: AppointmentId, reason: &str) -> Result<Appointment> {
        actor.may(Action::Book)?;
        let reason = validate::name(Field::REASON, reason)?;
        self.change_status(actor, id, Status::Cancelled, Some(reason)).await
    }

    /// Undoes the last change to a visit: its booking (the visit is cancelled), a move or
    /// reschedule (back to the day, time, doctor and type before), a cancellation or a status
    /// change (back to the status before). Only the person who made the change, within
    /// [`UNDO_SECONDS`], and only while it is still the visit's last change: the undo is a
    /// change like any other, checked by the same rules, in the history and the audit log.
    ///
    /// # Errors
    /// [`CoreError::Transition`] when there is nothing of theirs to undo, or it is too late;
    /// as for the change it makes otherwise (e.g. [`CoreError::Overlap`] when the old time has
    /// been taken since).
    pub async fn undo(&self, actor: &Actor, id: AppointmentId) -> Result<Appointment> {
        let now = self.now();
        let mut tx = self.write().await?;
        let last: Option<(i64, i64, String, String, String)> = sql::query_as(
            "SELECT id, at_ms, actor, action, detail FROM appointment_history WHERE appointment_id = $1 ORDER BY id DESC LIMIT 1",
        )
        .bind(id.0)
        .fetch_optional(&mut tx)
        .await?;
        let Some((entry, at_ms, by, action, detail)) = last else {
            return Err(CoreError::NotFound { what: "appointment", id: id.0 });
        };
        let detail: serde_json::Value = serde_json::from_str(&detail).unwrap_or_default();
        if by != actor.to_string() || detail.get("undoes").is_some() {
            return Err(CoreError::Transition(
                "the visit has changed since; change it again instead of undoing".into(),
            ));
        }
        if now.timestamp_millis().saturating_sub(at_ms) > UNDO_SECONDS * 1000 {
            return Err(CoreError::Transition(format!(
                "a change can be undone for {} minutes; change the visit again instead",
                UNDO_SECONDS / 60
            )));
        }
        let status_before =
            || -> Result<Status> { detail["from"].as_str().unwrap_or_default().parse::<Status>() };
        let undone = match action.as_str() {
            "booked" => {
                actor.may(Action::Book)?;
                let reason = Some("Booking undone".to_owned());
                self.change_status_in(&mut tx, actor, id, Status::Cancelled, reason, Some(entry)).await?
            }
            "moved" => {
                actor.may(Action::Book)?;
                let from = &detail["from"];
                let start: DateTime<Utc> = serde_json::from_value(from["start"].clone())
                    .map_err(|_| CoreError::Transition("this move cannot be undone".into()))?;
                let tz = time::parse_zone(from["tz"].as_str().unwrap_or_default())?;
                let back = Reschedule {
                    to: time::local_of(start, tz),
                    doctor_id: from["doctor_id"].as_i64().map(StaffId),
                    type_id: from["type_id"].as_i64().map(TypeId),
                    allow_overlap: false,
                    // It was there before: the hours were confirmed then, or were not in the way.
                    allow_outside_hours: true,
                };
                self.reschedule_in(&mut tx, actor, id, &back, Some(entry)).await?
            }
            "cancelled" => {
                actor.may(Action::Book)?;
                self.change_status_in(&mut tx, actor, id, status_before()?, None, Some(entry)).await?
            }
            "status" => {
                self.change_status_in(&mut tx, actor, id, status_before()?, None, Some(entry)).await?
            }
            _ => return Err(CoreError::Transition("this change cannot be undone".into())),
        };
        tx.commit().await?;
        Ok(undone)
    }

    /// Changes an appointment's status (check in, start, complete, no-show, undo check-in): the
    /// desk and admins, and a doctor on their own visits.
    ///
    /// # Errors
    /// [`CoreError::Forbidden`]; [`CoreError::Transition`] when the lifecycle does not allow it; [`CoreError::Invalid`] for
    /// `cancelled`, which needs a reason (use [`Store::cancel`]).
    pub async fn set_status(&self, actor: &Actor, id: AppointmentId, next: Status) -> Result<Appointment> {
        if next == Status::Cancelled {
            return Err(CoreError::invalid("cancelling needs a reason; use cancel"));
        }
        self.change_status(actor, id, next, None).await
    }

    async fn change_status(
        &self,
        actor: &Actor,
        id: AppointmentId,
        next: Status,
        reason: Option<String>,
    ) -> Result<Appointment> {
        let mut tx = self.write().await?;
        let changed = self.change_status_in(&mut tx, actor, id, next, reason, None).await?;
        tx.commit().await?;
        Ok(changed)
    }

    /// [`Store::change_status`] inside `tx`. An undo (`undoing` names the history row it undoes)
    /// goes back to the status before, which the lifecycle alone would not allow (a cancelled
    /// visit booked again, a check-in taken back to booked).
    async fn change_status_in(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        id: AppointmentId,
        next: Status,
        reason: Option<String>,
        undoing: Option<i64>,
    ) -> Result<Appointment> {
        let now = self.now();
        let current = load(&mut *tx, id).await?;
        if reason.is_none() {
            actor.may_for(Action::ChangeStatus, current.doctor_id)?;
        }
        if undoing.is_none() {
            current.status.check_change(next)?;
        }
        sql::query("UPDATE appointments SET status = $2, cancel_reason = $3, updated_at = $4 WHERE id = $1")
            .bind(id.0)
            .bind(next.as_str())
            .bind(&reason)
            .bind(now.timestamp())
            .execute(&mut *tx)
            .await?;
        let (action, mut detail) = match &reason {
            Some(r) => ("cancelled", json!({ "from": current.status, "reason": r })),
            None => ("status", json!({ "from": current.status, "to": next })),
        };
        note_undo(&mut detail, undoing);
        append_history(&mut *tx, id.0, now, actor, action, detail).await?;
        if next == Status::Cancelled {
            outbox::enqueue_change(&mut *tx, id, now).await?;
            mail::enqueue_mail(&mut *tx, id, now).await?;
        } else if current.status == Status::Cancelled {
            // A cancellation undone: the meeting is made again if it was deleted meanwhile (or
            // kept if not), and the patient is told the visit stands.
            match visit_type(&mut *tx, current.type_id).await?.1.provider() {
                Some(provider) if !outbox::has_live_meeting(&mut *tx, id).await? => {
                    outbox::open_meeting(&mut *tx, id, provider, now).await?;
                }
                _ => outbox::enqueue_change(&mut *tx, id, now).await?,
            }
            mail::enqueue_mail(&mut *tx, id, now).await?;
        }
        crash_point("status");
        let changed = load(&mut *tx, id).await?;
        // The reason stays in the appointment's history: words typed at the desk may name the
        // patient's condition, and the audit log holds ids and states only.
        let mut audited = match reason {
            Some(_) => (AuditAction::AppointmentCancelled, json!({ "from": current.status })),
            None => (AuditAction::AppointmentStatus, json!({ "from": current.status, "to": next })),
        };
        note_undo(&mut audited.1, undoing);
        audit::append(&mut *tx, now, actor, audited.0, AuditAbout::appointment(&changed), &audited.1).await?;
        Ok(changed)
    }

    /// One appointment with its whole history, oldest first, as a member of staff opens it (the
    /// desk's side panel, `show`): anyone who reads the schedule (a doctor, under the clinic's
    /// minimum-necessary setting, only their own visits), and audited (`appointment_viewed`, with the appointment's ids and nothing else), once per person and
    /// appointment within [`audit::VIEW_WINDOW_MINUTES`]. The read and its row are one
    /// transaction.
    ///
    /// # Errors
    /// [`CoreError::Forbidden`]; [`CoreError::NotFound`] for an unknown id.
    pub async fn view_appointment(&self, actor: &Actor, id: AppointmentId) -> Result<AppointmentDetail> {
        actor.may(Action::Read)?;
        let now = self.now();
        let mut tx = self.write_here().await?;
        let detail = detail(&mut tx, id, actor).await?;
        super::directory::sight_in(&mut tx, actor).await?.check_visit_of(detail.appointment.doctor_id)?;
        let about = AuditAbout::appointment(&detail.appointment);
        audit::append_view(&mut tx, now, actor, AuditAction::AppointmentViewed, about).await?;
        tx.commit().await?;
        Ok(detail)
    }

    /// One appointment with its whole history, oldest first, unaudited: for Frontdesk's own
    /// workers. What a person opens goes through [`Store::view_appointment`].
    ///
    /// # Errors
    /// [`CoreError::NotFound`] for an unknown id.
    pub async fn appointment(&self, id: AppointmentId) -> Result<AppointmentDetail> {
        let mut tx = self.reads().read().await?;
        detail(&mut tx, id, &Actor::SYSTEM).await
    }

    /// Every appointment (any status) that shares an instant with the local day `date` in `tz`,
    /// optionally for one doctor, in start order. The day is exactly the local day, 23 or 25
    /// hours long on DST days.
    ///
    /// # Errors
    /// [`CoreError::Storage`].
    pub async fn day(&self, date: NaiveDate, tz: Tz, doctor: Option<StaffId>) -> Result<Vec<Appointment>> {
        self.days(date, 1, tz, doctor).await
    }

    /// As [`Store::day`], for `count` local days from `first` (the week view asks for 7).
    ///
    /// # Errors
    /// [`CoreError::Invalid`] for more than 42 days; [`CoreError::Storage`].
    pub async fn days(
        &self,
        first: NaiveDate,
        count: u32,
        tz: Tz,
        doctor: Option<StaffId>,
    ) -> Result<Vec<Appointment>> {
        if !(1..=42).contains(&count) {
            return Err(CoreError::invalid("days: ask for 1 to 42 days at a time"));
        }
        let last = first.checked_add_days(chrono::Days::new(u64::from(count - 1))).unwrap_or(first);
        let (from, _) = time::day_bounds(first, tz);
        let (_, to) = time::day_bounds(last, tz);
        let json: String = sql::query_scalar(self.read_engine().pick(DAY_QUERY, DAY_QUERY_POSTGRES))
            .bind(from.timestamp())
            .bind(to.timestamp())
            .bind(doctor.map(|d| d.0))
            .fetch_one(self.reads())
            .await?;
        // Serde reads each JSON array positionally into the row struct.
        let rows: Vec<AppointmentRow> =
            serde_json::from_str(&json).map_err(|e| CoreError::from(sqlx::Error::Decode(Box::new(e))))?;
        // Most rows share one zone: parse each distinct name once.
        let mut zones: Vec<Tz> = Vec::with_capacity(2);
        let mut list = Vec::with_capacity(rows.len());
        for row in rows {
            let zone = match zones.iter().find(|z| z.name() == row.tz) {
                Some(z) => *z,
                None => {
                    let z = time::parse_zone(&row.tz)?;
                    zones.push(z);
                    z
                }
            };
            list.push(appointment_from(row, zone)?);
        }
        // json_group_array keeps the inner ORDER BY in practice; SQL does not promise it, so make sure.
        list.sort_by_key(|a| (a.start, a.doctor_id, a.id));
        Ok(list)
    }
}

async fn exists(conn: &mut Tx, sql: &str, id: i64, what: &'static str) -> Result<()> {
    let found: Option<i64> = sql::query_scalar(sql).bind(id).fetch_optional(&mut *conn).await?;
    found.map(|_| ()).ok_or(CoreError::NotFound { what, id })
}

/// Marks a change as the undoing of history row `undoing`.
fn note_undo(detail: &mut serde_json::Value, undoing: Option<i64>) {
    if let (Some(row), Some(map)) = (undoing, detail.as_object_mut()) {
        map.insert("undoes".into(), json!(row));
    }
}

/// Checks that `doctor` is an active doctor (appointments are booked with doctors).
async fn bookable_doctor(conn: &mut Tx, doctor: StaffId) -> Result<()> {
    let role: Option<String> = sql::query_scalar("SELECT role FROM staff WHERE id = $1 AND active")
        .bind(doctor.0)
        .fetch_optional(&mut *conn)
        .await?;
    match role.as_deref().map(str::parse::<Role>).transpose()? {
        None => Err(CoreError::NotFound { what: "doctor", id: doctor.0 }),
        Some(Role::Doctor) => Ok(()),
        Some(other) => Err(CoreError::invalid(format!(
            "staff member {doctor} is {} {other}, not a doctor; appointments are booked with doctors",
            if other == Role::Admin { "an" } else { "a" }
        ))),
    }
}

/// A type's length in minutes and how it is held.
async fn visit_type(conn: &mut Tx, id: TypeId) -> Result<(i64, Mode)> {
    let kind: Option<(i64, String)> =
        sql::query_as("SELECT minutes, mode FROM appointment_types WHERE id = $1")
            .bind(id.0)
            .fetch_optional(&mut *conn)
            .await?;
    let (minutes, mode) = kind.ok_or(CoreError::NotFound { what: "appointment type", id: id.0 })?;
    Ok((minutes, mode.parse()?))
}

async fn load(conn: &mut Tx, id: AppointmentId) -> Result<Appointment> {
    let row: Option<AppointmentRow> = sql::query_as(ONE_QUERY).bind(id.0).fetch_optional(&mut *conn).await?;
    row.ok_or(CoreError::NotFound { what: "appointment", id: id.0 })?.try_into()
}

/// One appointment with its whole history, oldest first, and what `reader` may do with it next.
async fn detail(conn: &mut Tx, id: AppointmentId, reader: &Actor) -> Result<AppointmentDetail> {
    let appointment = load(&mut *conn, id).await?;
    let rows: Vec<(i64, String, Option<String>, String, String)> = sql::query_as(
        "SELECT h.at_ms, h.actor, s.name, h.action, h.detail FROM appointment_history h
         LEFT JOIN staff s ON h.actor = 'staff:' || s.id
         WHERE h.appointment_id = $1 ORDER BY h.id",
    )
    .bind(id.0)
    .fetch_all(&mut *conn)
    .await?;
    let history = rows
        .into_iter()
        .map(|(at_ms, actor, actor_name, action, detail)| HistoryEntry {
            at: DateTime::from_timestamp_millis(at_ms).unwrap_or_default(),
            actor,
            actor_name,
            action,
            detail: serde_json::from_str(&detail).unwrap_or(serde_json::Value::Null),
        })
        .collect();
    Ok(AppointmentDetail {
        next_statuses: reader.next_statuses(&appointment),
        rights: reader.rights_on(&appointment),
        appointment,
        history,
    })
}

/// The doctor's slot-holding appointments that overlap `[start, end)`, other than `except`.
async fn clashes(
    conn: &mut Tx,
    doctor: StaffId,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    except: Option<AppointmentId>,
) -> Result<Vec<Clash>> {
    let held: Vec<&str> = Status::ALL.iter().filter(|s| s.holds_slot()).map(|s| s.as_str()).collect();
    let sql = format!(
        "SELECT id, start_at, end_at FROM appointments
         WHERE doctor_id = $1 AND start_at >= $2 - 43200 AND start_at < $3 AND end_at > $2
           AND id IS DISTINCT FROM $4 AND status IN ('{}')
         ORDER BY start_at, id",
        held.join("', '")
    );
    Ok(sql::query_as(&sql)
        .bind(doctor.0)
        .bind(start.timestamp())
        .bind(end.timestamp())
        .bind(except.map(|a| a.0))
        .fetch_all(&mut *conn)
        .await?)
}

/// Refuses a visit on the doctor's taken time that staff did not confirm, saying whose time and
/// when, on the clock of the time asked for (never the other patient: the error reaches the UI).
async fn refuse_overlap(
    conn: &mut Tx,
    doctor: StaffId,
    tz: Tz,
    clashes: &[Clash],
    allowed: bool,
) -> Result<()> {
    let Some(first) = clashes.first().filter(|_| !allowed) else {
        return Ok(());
    };
    let name: Option<String> = sql::query_scalar("SELECT name FROM staff WHERE id = $1")
        .bind(doctor.0)
        .fetch_optional(&mut *conn)
        .await?;
    let name = name.unwrap_or_else(|| "the doctor".into());
    let (Ok(start), Ok(end)) = (instant(first.start_at), instant(first.end_at)) else {
        return Err(CoreError::Overlap(format!("{name} already has a visit then")));
    };
    let (start, end) = (start.with_timezone(&tz), end.with_timezone(&tz));
    let others = match clashes.len() {
        1 => String::new(),
        2 => " (and one more)".to_owned(),
        n => format!(" (and {} more)", n - 1),
    };
    Err(CoreError::Overlap(format!(
        "{name} already has a visit from {} to {} on {}{others}; choose another time, or confirm the double booking",
        start.format("%H:%M"),
        end.format("%H:%M"),
        time::spoken_day(start.date_naive()),
    )))
}

/// Refuses a visit outside the doctor's hours that staff did not confirm.
fn refuse_outside_hours(outside: &Option<String>, allowed: bool) -> Result<()> {
    match outside {
        Some(why) if !allowed => Err(CoreError::OutsideHours(why.clone())),
        _ => Ok(()),
    }
}

/// Records in the history that staff confirmed a visit outside hours.
fn note_outside_hours(detail: &mut serde_json::Value, outside: &Option<String>) {
    if outside.is_some() {
        detail["outside_hours_allowed"] = json!(true);
    }
}

fn note_overlap(detail: &mut serde_json::Value, clashes: &[Clash]) {
    if !clashes.is_empty() {
        detail["overlap_allowed"] = json!(true);
        detail["overlaps"] = json!(clashes.iter().map(|c| c.id).collect::<Vec<_>>());
    }
}

async fn append_history(
    conn: &mut Tx,
    appointment: i64,
    at: DateTime<Utc>,
    actor: &Actor,
    action: &str,
    detail: serde_json::Value,
) -> Result<()> {
    sql::query(
        "INSERT INTO appointment_history (appointment_id, at_ms, actor, action, detail) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(appointment)
    .bind(at.timestamp_millis())
    .bind(actor.to_string())
    .bind(action)
    .bind(detail.to_string())
    .execute(&mut *conn)
    .await?;
    Ok(())
}
