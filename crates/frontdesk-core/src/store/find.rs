//! Find: the desk's one search over patients and their visits, and one patient's visits (their
//! record's list of past and upcoming visits).
//!
//! Both read what the reader may see ([`Sight`]): under the clinic's minimum-necessary setting a
//! doctor finds only their own patients, and sees only their own visits of them. The search
//! answers as the desk types, so it is bounded ([`FIND_LIMIT`] patients, one upcoming and one
//! past visit each) and takes two queries: the patients with their two visits' ids (each found
//! through `appointments_by_patient_start`), then those visits with their names. A search lists
//! many and is not audited row by row; one patient's visits are that patient's data, and opening
//! them is recorded as opening the record ([`AuditAction::PatientViewed`], once per person and
//! patient within [`super::VIEW_WINDOW_MINUTES`], so the record and its visits opened together
//! are one row).

use chrono::{DateTime, FixedOffset, Utc};
use serde::Serialize;
use sqlx::FromRow;

use super::audit::{self, AuditAbout, AuditAction};
use super::directory::{sight_in, PatientMatch, PatientRow, PATIENT_COLUMNS};
use super::sql::{self, Tx};
use super::{instant, Store};
use crate::access::{Action, Sight, OTHER_PATIENT};
use crate::error::{CoreError, Result};
use crate::model::{Actor, AppointmentId, Mode, Patient, PatientId, StaffId, Status};
use crate::time;

/// At most this many patients answer one search (the desk types more to narrow it).
pub const FIND_LIMIT: usize = 20;

/// At most this many upcoming, and this many past, visits in one patient's list.
pub const VISITS_LIMIT: usize = 50;

/// A visit as a list shows it: when, with whom, what, and its status.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
pub struct Visit {
    pub id: AppointmentId,
    pub patient_id: PatientId,
    pub doctor_id: StaffId,
    pub doctor_name: String,
    pub type_name: String,
    pub mode: Mode,
    /// Start and end instants, UTC.
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// The IANA zone the visit was booked in.
    pub tz: String,
    /// The start and end shown in `tz`, with that zone's offset.
    pub local_start: DateTime<FixedOffset>,
    pub local_end: DateTime<FixedOffset>,
    pub status: Status,
}

/// A patient a search found, with their next visit and their last one.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
pub struct FoundPatient {
    #[serde(flatten)]
    pub patient: Patient,
    /// The soonest visit that has not ended and still holds its time (booked, checked in, in
    /// progress).
    pub next: Option<Visit>,
    /// The latest visit that has ended, unless it was cancelled (a no-show is shown as one).
    pub last: Option<Visit>,
}

/// What a search found: patients by name, each with their next and last visit.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
pub struct Found {
    pub patients: Vec<FoundPatient>,
    /// More than [`FIND_LIMIT`] patients match: only the first ones by name are here.
    pub more: bool,
}

/// One patient's visits, every status, as the reader may see them.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
pub struct PatientVisits {
    pub patient_id: PatientId,
    /// Visits that have not ended, soonest first.
    pub upcoming: Vec<Visit>,
    /// Visits that have ended, latest first.
    pub past: Vec<Visit>,
    /// Later upcoming visits than the [`VISITS_LIMIT`] shown exist.
    pub more_upcoming: bool,
    /// Earlier past visits than the [`VISITS_LIMIT`] shown exist.
    pub more_past: bool,
}

#[derive(FromRow)]
struct FoundRow {
    #[sqlx(flatten)]
    patient: PatientRow,
    next_id: Option<i64>,
    last_id: Option<i64>,
}

#[derive(FromRow)]
struct VisitRow {
    id: i64,
    patient_id: i64,
    doctor_id: i64,
    doctor_name: String,
    type_name: String,
    mode: String,
    start_at: i64,
    end_at: i64,
    tz: String,
    status: String,
}

impl TryFrom<VisitRow> for Visit {
    type Error = CoreError;
    fn try_from(r: VisitRow) -> Result<Visit> {
        let zone = time::parse_zone(&r.tz)?;
        let (start, end) = (instant(r.start_at)?, instant(r.end_at)?);
        Ok(Visit {
            id: AppointmentId(r.id),
            patient_id: PatientId(r.patient_id),
            doctor_id: StaffId(r.doctor_id),
            doctor_name: r.doctor_name,
            type_name: r.type_name,
            mode: r.mode.parse()?,
            start,
            end,
            local_start: time::in_zone(start, zone),
            local_end: time::in_zone(end, zone),
            tz: r.tz,
            status: r.status.parse()?,
        })
    }
}

const VISIT_COLUMNS: &str = "a.id, a.patient_id, a.doctor_id, s.name AS doctor_name, t.name AS type_name, \
t.mode, a.start_at, a.end_at, a.tz, a.status \
FROM appointments a JOIN staff s ON s.id = a.doctor_id JOIN appointment_types t ON t.id = a.type_id";

/// A visit has not ended at `now` (a parameter) when it ends after it. The lower bound on
/// `start_at` (12 hours, the longest visit) lets both engines seek `appointments_by_patient_start`
/// from there.
fn upcoming_at(now: &str) -> String {
    format!("a.start_at > {now} - 43200 AND a.end_at > {now}")
}

/// A visit has ended at `now` (a parameter); every visit is either upcoming or past.
fn past_at(now: &str) -> String {
    format!("a.start_at <= {now} AND a.end_at <= {now}")
}

impl Store {
    /// The desk's one search: the patients `text` finds (as [`Store::find_patients`]: name,
    /// e-mail, phone, date of birth), at most [`FIND_LIMIT`] by name, each with their next and
    /// last visit ([`FoundPatient`]) and those visits' doctor and type. A doctor under the
    /// clinic's minimum-necessary setting finds only patients with a visit of theirs, and sees
    /// only their own visits of them. Not audited (a search lists many; see the module).
    ///
    /// # Errors
    /// [`CoreError::Forbidden`]; [`CoreError::Invalid`] for empty or malformed search text.
    pub async fn find(&self, actor: &Actor, text: &str) -> Result<Found> {
        actor.may(Action::Read)?;
        let now = self.now().timestamp();
        let mut tx = self.reads().read().await?;
        let search = PatientMatch::new(text, sight_in(&mut tx, actor).await?)?;
        let holds: Vec<String> =
            Status::ALL.iter().filter(|s| s.holds_slot()).map(|s| format!("'{s}'")).collect();
        let sql = format!(
            "SELECT {PATIENT_COLUMNS},
               (SELECT a.id FROM appointments a
                 WHERE a.patient_id = patients.id AND {upcoming} AND a.status IN ({holds})
                   AND ($4 = 0 OR a.doctor_id = $4)
                 ORDER BY a.start_at, a.id LIMIT 1) AS next_id,
               (SELECT a.id FROM appointments a
                 WHERE a.patient_id = patients.id AND {past} AND a.status <> 'cancelled'
                   AND ($4 = 0 OR a.doctor_id = $4)
                 ORDER BY a.start_at DESC, a.id DESC LIMIT 1) AS last_id
             FROM patients WHERE {matching}
             ORDER BY full_name COLLATE NOCASE, id LIMIT $6",
            matching = search.clause(self.read_engine()),
            upcoming = upcoming_at("$5"),
            past = past_at("$5"),
            holds = holds.join(", ")
        );
        let mut rows: Vec<FoundRow> =
            search.bind(sql::query_as(&sql)).bind(now).bind(FIND_LIMIT as i64 + 1).fetch_all(&mut tx).await?;
        let more = rows.len() > FIND_LIMIT;
        rows.truncate(FIND_LIMIT);
        let ids = rows.iter().flat_map(|r| [r.next_id, r.last_id]).flatten();
        let mut visits = visits_by_id(&mut tx, ids.collect()).await?;
        let mut take = |id: Option<i64>| id.and_then(|id| visits.remove(&id));
        let patients = rows
            .into_iter()
            .map(|r| FoundPatient { next: take(r.next_id), last: take(r.last_id), patient: r.patient.into() })
            .collect();
        Ok(Found { patients, more })
    }

    /// One patient's visits, every status: upcoming soonest first and past latest first, at
    /// most [`VISITS_LIMIT`] of each, with their doctor and type. As the patient's record, it is
    /// for anyone who reads the schedule (a doctor under the clinic's minimum-necessary setting:
    /// only a patient with a visit of theirs, and only those visits), and audited as opening the
    /// record (`patient_viewed`, see the module). The read and its row are one transaction.
    ///
    /// # Errors
    /// [`CoreError::Forbidden`]; [`CoreError::NotFound`] for an unknown patient.
    pub async fn view_patient_visits(&self, actor: &Actor, id: PatientId) -> Result<PatientVisits> {
        actor.may(Action::Read)?;
        let now = self.now();
        let mut tx = self.write_here().await?;
        let known: Option<i64> = sql::query_scalar("SELECT id FROM patients WHERE id = $1")
            .bind(id.0)
            .fetch_optional(&mut tx)
            .await?;
        known.ok_or(CoreError::NotFound { what: "patient", id: id.0 })?;
        let own = match sight_in(&mut tx, actor).await? {
            Sight::OwnPatients(doctor) => doctor.0,
            Sight::Everything => 0,
        };
        let list = |when: String, order: &str| {
            format!(
                "SELECT {VISIT_COLUMNS} WHERE a.patient_id = $1 AND {when} AND ($2 = 0 OR a.doctor_id = $2)
                 ORDER BY {order} LIMIT $4"
            )
        };
        let mut lists = Vec::with_capacity(2);
        for sql in
            [list(upcoming_at("$3"), "a.start_at, a.id"), list(past_at("$3"), "a.start_at DESC, a.id DESC")]
        {
            let rows: Vec<VisitRow> = sql::query_as(&sql)
                .bind(id.0)
                .bind(own)
                .bind(now.timestamp())
                .bind(VISITS_LIMIT as i64 + 1)
                .fetch_all(&mut tx)
                .await?;
            lists.push(rows.into_iter().map(Visit::try_from).collect::<Result<Vec<_>>>()?);
        }
        // Every visit is upcoming or past: a doctor who has none of this patient's is not theirs.
        if own != 0 && lists.iter().all(Vec::is_empty) {
            return Err(CoreError::Forbidden(OTHER_PATIENT.to_owned()));
        }
        audit::append_view(&mut tx, now, actor, AuditAction::PatientViewed, AuditAbout::patient(id)).await?;
        tx.commit().await?;
        let mut past = lists.pop().unwrap_or_default();
        let mut upcoming = lists.pop().unwrap_or_default();
        let (more_upcoming, more_past) = (upcoming.len() > VISITS_LIMIT, past.len() > VISITS_LIMIT);
        upcoming.truncate(VISITS_LIMIT);
        past.truncate(VISITS_LIMIT);
        Ok(PatientVisits { patient_id: id, upcoming, past, more_upcoming, more_past })
    }
}

/// The visits with these ids, with their names, by id.
async fn visits_by_id(conn: &mut Tx, ids: Vec<i64>) -> Result<std::collections::HashMap<i64, Visit>> {
    let mut visits = std::collections::HashMap::with_capacity(ids.len());
    if ids.is_empty() {
        return Ok(visits);
    }
    // At most 2 × FIND_LIMIT ids: one statement, far below either engine's parameter limit.
    let marks = (1..=ids.len()).map(|n| format!("${n}")).collect::<Vec<_>>().join(", ");
    let sql = format!("SELECT {VISIT_COLUMNS} WHERE a.id IN ({marks})");
    let mut query = sql::query_as::<VisitRow>(&sql);
    for id in ids {
        query = query.bind(id);
    }
    for row in query.fetch_all(&mut *conn).await? {
        let visit = Visit::try_from(row)?;
        visits.insert(visit.id.0, visit);
    }
    Ok(visits)
}
