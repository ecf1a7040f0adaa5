//! The append-only audit log: who did what, when, to which doctor, patient and appointment.
//!
//! Every row is written by [`append`], inside the transaction of the change it records, so a
//! change and its row are saved together or not at all. Actions are a closed set
//! ([`AuditAction`]). Rows hold ids, times, states and settings: never a PIN, a token, an
//! address or words typed about a patient (a cancellation's reason stays in the appointment's
//! history). Triggers refuse updates and deletes, and the rows form a hash chain: each carries
//! the SHA-256 of the previous row's hash and its own content, so an edit or a removal made past
//! the triggers (someone with the file and a SQL shell) is found by [`Store::verify_audit`]. What
//! the chain alone cannot see (rows removed from its end, or every hash made again after an edit)
//! an [`AuditAnchor`] kept apart from the database shows, for every row up to it.
//!
//! Reads of one patient's data are rows too: opening a patient's record or an appointment
//! ([`append_view`]), once per person and record within [`VIEW_WINDOW_MINUTES`], so that the
//! log says who looked at whom without a row for every re-read of an open panel. Reads that
//! list many (a day, search results) are not recorded row by row. [`Store::export_audit`]
//! writes the log as CSV for a security officer, with each row's hash.

use std::path::Path;

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

use super::sql::{self, Tx};
use super::Store;
use crate::access::Action;
use crate::error::{CoreError, Result};
use crate::model::{Actor, Appointment, AppointmentId, PatientId, StaffId};

/// How long one person's view of one record stands: opening the same record again within this
/// many minutes adds no row (the desk re-reads an open panel on every meeting or mail change).
pub const VIEW_WINDOW_MINUTES: i64 = 5;

/// The header of [`Store::export_audit`]'s CSV file, one column per field.
pub const EXPORT_HEADER: [&str; 10] = [
    "id",
    "at",
    "actor",
    "actor_name",
    "action",
    "doctor_id",
    "patient_id",
    "appointment_id",
    "detail",
    "hash",
];

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
        /// A backup was restored as the clinic's database (`restore`).
        BackupRestored = "backup_restored",
        /// A day's appointments were exported as a calendar file.
        DayExported = "day_exported",
        /// A patient's record was opened (the same person opening it again within
        /// [`VIEW_WINDOW_MINUTES`] is not recorded again).
        PatientViewed = "patient_viewed",
        /// An appointment was opened, with its patient and history (the desk's side panel,
        /// `show`); once per person and appointment within [`VIEW_WINDOW_MINUTES`].
        AppointmentViewed = "appointment_viewed",
        /// A day sheet (the day's appointments, with the patients' names) was printed.
        DaySheetPrinted = "day_sheet_printed",
        /// The audit log was exported to a file (`audit export`).
        AuditExported = "audit_exported",
        /// A member of staff signed in.
        SignedIn = "signed_in",
        /// A wrong PIN, or a try while sign-in is paused or locked, for this member of staff.
        SignInRefused = "sign_in_refused",
        /// Too many wrong PINs: sign-in for this member of staff is paused.
        SignInPaused = "sign_in_paused",
        /// Too many wrong PINs, three rounds in a row: sign-in for this member of staff is locked
        /// until an admin unlocks it.
        SignInLocked = "sign_in_locked",
        /// An admin lifted a lock or a pause of someone's sign-in (or set them a new PIN, which
        /// does too).
        SignInUnlocked = "sign_in_unlocked",
        /// The clinic's opening hours were set or cleared.
        ClinicHoursChanged = "clinic_hours_changed",
        /// A doctor's weekly hours from a date were set or removed.
        DoctorHoursChanged = "doctor_hours_changed",
        /// A day off, a clinic holiday or a doctor's extra hours were entered.
        HoursExceptionAdded = "hours_exception_added",
        /// A day off, a clinic holiday or a doctor's extra hours were removed.
        HoursExceptionRemoved = "hours_exception_removed",
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
    /// The patient's and the doctor's names, when asked for ([`AuditFilter::with_names`]).
    pub patient_name: Option<String>,
    pub doctor_name: Option<String>,
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
    /// Read each row's patient and doctor names beside its ids (the admin's screen). The rows
    /// themselves hold ids only, and the command line and the export show those.
    pub with_names: bool,
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
    /// The row's link in the chain (`None` for rows from before the chain); only the export shows it.
    hash: Option<String>,
    #[sqlx(default)]
    patient_name: Option<String>,
    #[sqlx(default)]
    doctor_name: Option<String>,
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
            patient_name: r.patient_name,
            doctor_name: r.doctor_name,
        })
    }
}

/// The id of the last row of `action` by the member of staff `staff`, if any.
///
/// # Errors
/// [`CoreError::Storage`].
pub(super) async fn last_id_of(conn: &mut Tx, action: AuditAction, staff: StaffId) -> Result<Option<i64>> {
    let id: Option<Option<i64>> =
        sql::query_scalar("SELECT MAX(id) FROM audit_log WHERE action = $1 AND actor_staff_id = $2")
            .bind(action.as_str())
            .bind(staff.0)
            .fetch_optional(&mut *conn)
            .await?;
    Ok(id.flatten())
}

/// The newest `limit` rows after the row `after_id` whose action is one of `actions`, oldest
/// first.
///
/// # Errors
/// [`CoreError::Storage`].
pub(super) async fn rows_after(
    conn: &mut Tx,
    after_id: i64,
    actions: &[AuditAction],
    limit: i64,
) -> Result<Vec<AuditEntry>> {
    let marks: Vec<String> = (0..actions.len()).map(|n| format!("${}", n + 3)).collect();
    let text = format!(
        "SELECT a.id, a.at_ms, a.actor, a.actor_staff_id, s.name AS actor_name, a.action, a.doctor_id,
                a.patient_id, a.appointment_id, a.detail, a.hash
         FROM audit_log a LEFT JOIN staff s ON s.id = a.actor_staff_id
         WHERE a.id > $1 AND a.action IN ({})
         ORDER BY a.id DESC LIMIT $2",
        marks.join(", ")
    );
    let mut query = sql::query_as::<AuditRow>(&text).bind(after_id).bind(limit);
    for action in actions {
        query = query.bind(action.as_str());
    }
    let mut rows: Vec<AuditEntry> =
        query.fetch_all(&mut *conn).await?.into_iter().map(AuditEntry::try_from).collect::<Result<_>>()?;
    rows.reverse();
    Ok(rows)
}

/// Appends a row recording that `actor` opened one patient's data (`action`: a view, about
/// the patient and, for an appointment, the appointment), unless the same actor has a row of
/// the same action about the same record in the last [`VIEW_WINDOW_MINUTES`]. Whether it
/// appended one.
///
/// The caller's transaction holds the clinic's write lock, so two desks of the same person
/// cannot both find no row and both append, on either engine. A row dated after `at` (a clock
/// set back) does not count: the view is recorded.
///
/// # Errors
/// [`CoreError::Storage`].
pub(super) async fn append_view(
    conn: &mut Tx,
    at: DateTime<Utc>,
    actor: &Actor,
    action: AuditAction,
    about: AuditAbout,
) -> Result<bool> {
    let since = at - Duration::minutes(VIEW_WINDOW_MINUTES);
    // Every view is about a patient: the (patient_id, at_ms) index finds the few rows to look at.
    let recent: Option<i64> = sql::query_scalar(
        "SELECT id FROM audit_log
         WHERE patient_id = $1 AND at_ms > $2 AND at_ms <= $3 AND actor = $4 AND action = $5
           AND appointment_id IS NOT DISTINCT FROM $6
         LIMIT 1",
    )
    .bind(about.patient.map(|p| p.0))
    .bind(since.timestamp_millis())
    .bind(at.timestamp_millis())
    .bind(actor.to_string())
    .bind(action.as_str())
    .bind(about.appointment.map(|a| a.0))
    .fetch_optional(&mut *conn)
    .await?;
    if recent.is_some() {
        return Ok(false);
    }
    append(conn, at, actor, action, about, &serde_json::json!({})).await?;
    Ok(true)
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
    // The caller's transaction holds the clinic's write lock: the last row stays the last.
    let prev: Option<Option<String>> =
        sql::query_scalar("SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1")
            .fetch_optional(&mut *conn)
            .await?;
    let row = ChainedRow {
        at_ms: at.timestamp_millis(),
        actor: actor.to_string(),
        actor_staff_id: actor.staff_id().map(|s| s.0),
        action: action.as_str().to_owned(),
        doctor_id: about.doctor.map(|d| d.0),
        patient_id: about.patient.map(|p| p.0),
        appointment_id: about.appointment.map(|a| a.0),
        detail: detail.to_string(),
    };
    let prev_hash = prev.flatten().unwrap_or_default();
    let hash = row.hash(&prev_hash);
    sql::query(
        "INSERT INTO audit_log (at_ms, actor, actor_staff_id, action, doctor_id, patient_id, appointment_id, detail,
                                prev_hash, hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(row.at_ms)
    .bind(&row.actor)
    .bind(row.actor_staff_id)
    .bind(&row.action)
    .bind(row.doctor_id)
    .bind(row.patient_id)
    .bind(row.appointment_id)
    .bind(&row.detail)
    .bind(prev_hash)
    .bind(hash)
    .execute(conn)
    .await?;
    Ok(())
}

/// One audit row's content, as the chain hashes it.
#[derive(sqlx::FromRow)]
struct ChainedRow {
    at_ms: i64,
    actor: String,
    actor_staff_id: Option<i64>,
    action: String,
    doctor_id: Option<i64>,
    patient_id: Option<i64>,
    appointment_id: Option<i64>,
    detail: String,
}

impl ChainedRow {
    /// SHA-256 (hex) of the previous row's hash and this row's content, each field on a line of
    /// its own (a field holds no line break but `detail`, which is last).
    fn hash(&self, prev_hash: &str) -> String {
        use sha2::{Digest, Sha256};
        let opt = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
        let text = format!(
            "{prev_hash}\n{}\n{}\n{}\n{}\n{}\n{}\n{}\n{}",
            self.at_ms,
            self.actor,
            opt(self.actor_staff_id),
            self.action,
            opt(self.doctor_id),
            opt(self.patient_id),
            opt(self.appointment_id),
            self.detail
        );
        Sha256::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// [`ChainedRow`] with its place in the log.
#[derive(sqlx::FromRow)]
struct StoredRow {
    id: i64,
    #[sqlx(flatten)]
    row: ChainedRow,
    prev_hash: Option<String>,
    hash: Option<String>,
}

/// What [`Store::verify_audit`] found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditCheck {
    /// Rows read.
    pub rows: i64,
    /// Rows written before the chain began (by an older Frontdesk), which it cannot vouch for.
    pub before_chain: i64,
    /// The first row that does not hold, and how; `None` when the whole chain holds.
    pub broken: Option<AuditBreak>,
    /// The chain's last row, to keep apart from the database as an anchor for later checks;
    /// `None` when no row is chained.
    pub head: Option<AuditAnchor>,
}

/// A row of the chain and its hash, kept apart from the database (written down, or the last row
/// of an earlier export): the chain must still reach that row with that hash. The chain alone
/// cannot tell that rows were removed from its end, or that someone with the file made every hash
/// again after changing a row; an anchor can, for every row up to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditAnchor {
    pub id: i64,
    /// SHA-256, 64 lowercase hexadecimal digits.
    pub hash: String,
}

impl std::fmt::Display for AuditAnchor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.id, self.hash)
    }
}

impl AuditAnchor {
    /// `ID:HASH`, as [`AuditAnchor`]'s `Display` writes it (and `audit verify` prints it).
    pub fn parse(text: &str) -> Option<AuditAnchor> {
        let (id, hash) = text.trim().split_once(':')?;
        let id: i64 = id.parse().ok().filter(|id| *id > 0)?;
        let hash = hash.to_ascii_lowercase();
        (hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit())).then_some(AuditAnchor { id, hash })
    }

    /// The last row of an earlier export ([`Store::export_audit`]'s CSV file).
    ///
    /// # Errors
    /// [`CoreError::Invalid`] when there is no such file, or it is not an export of the audit
    /// log or holds no row; [`CoreError::Io`] when it cannot be read.
    pub fn from_export(path: &Path) -> Result<AuditAnchor> {
        let not_export = || {
            CoreError::invalid(format!(
                "--anchor: {} is neither ID:HASH nor an audit export with a row (frontdesk-cli audit export)",
                path.display()
            ))
        };
        let file = std::fs::File::open(path).map_err(|source| match source.kind() {
            std::io::ErrorKind::NotFound => not_export(),
            _ => CoreError::Io { context: format!("--anchor: could not read {}", path.display()), source },
        })?;
        let mut csv = csv::Reader::from_reader(file);
        let header = csv.headers().map_err(|_| not_export())?.clone();
        if header.iter().ne(EXPORT_HEADER) {
            return Err(not_export());
        }
        let mut last = None;
        for record in csv.records() {
            last = Some(record.map_err(|_| not_export())?);
        }
        let last = last.ok_or_else(not_export)?;
        AuditAnchor::parse(&format!("{}:{}", &last[0], &last[EXPORT_HEADER.len() - 1])).ok_or_else(not_export)
    }
}

/// The first place the chain does not hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditBreak {
    /// The row's id.
    pub id: i64,
    /// What is wrong there, in words.
    pub problem: String,
}

impl Store {
    /// Walks the audit log's hash chain from its first row: each row's hash must match its
    /// content, and name the row before it; with an `anchor`, the chain must reach the anchor's
    /// row with the anchor's hash. The first row that does not, and why.
    ///
    /// # Errors
    /// [`CoreError::Storage`].
    pub async fn verify_audit(&self, anchor: Option<&AuditAnchor>) -> Result<AuditCheck> {
        let rows: Vec<StoredRow> = sql::query_as(
            "SELECT id, at_ms, actor, actor_staff_id, action, doctor_id, patient_id, appointment_id, detail,
                    prev_hash, hash
             FROM audit_log ORDER BY id",
        )
        .fetch_all(self.reads())
        .await?;
        let mut check = AuditCheck { rows: 0, before_chain: 0, broken: None, head: None };
        let mut last: Option<(i64, String)> = None;
        let mut met = false;
        for stored in rows {
            check.rows += 1;
            let broken = |problem: String| Some(AuditBreak { id: stored.id, problem });
            if let Some(anchor) = anchor.filter(|a| a.id == stored.id) {
                if stored.hash.as_deref() != Some(anchor.hash.as_str()) {
                    check.broken = broken(
                        "it is not the row the anchor recorded: the log was rewritten from here or before"
                            .into(),
                    );
                    return Ok(check);
                }
                met = true;
            }
            let Some(hash) = &stored.hash else {
                if last.is_none() {
                    check.before_chain += 1;
                    continue;
                }
                check.broken = broken(
                    "it has no hash, though the rows before it do: it was written past Frontdesk".into(),
                );
                return Ok(check);
            };
            let prev = stored.prev_hash.clone().unwrap_or_default();
            match &last {
                Some((id, last_hash)) if *last_hash != prev => {
                    check.broken = broken(format!(
                        "it does not follow row {id}: a row between them was removed, or row {id} was changed"
                    ));
                    return Ok(check);
                }
                None if !prev.is_empty() => {
                    check.broken = broken("the rows before it were removed".into());
                    return Ok(check);
                }
                _ => {}
            }
            if stored.row.hash(&prev) != *hash {
                check.broken = broken("its content was changed after it was written".into());
                return Ok(check);
            }
            last = Some((stored.id, hash.clone()));
        }
        check.head = last.map(|(id, hash)| AuditAnchor { id, hash });
        if let Some(anchor) = anchor.filter(|_| !met) {
            let problem = if check.head.as_ref().is_none_or(|head| head.id < anchor.id) {
                "it is gone, though the anchor recorded it: rows were removed from the end of the log"
            } else {
                "it is gone, though the anchor recorded it: it was removed"
            };
            check.broken = Some(AuditBreak { id: anchor.id, problem: problem.into() });
        }
        Ok(check)
    }

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
        let mut tx = self.write_here().await?;
        append(&mut tx, now, actor, action, about, &detail).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The rows `filter` keeps, oldest first, filtered by the database.
    ///
    /// # Errors
    /// [`CoreError::Storage`].
    pub async fn audit_log(&self, filter: &AuditFilter) -> Result<Vec<AuditEntry>> {
        self.audit_rows(filter).await?.into_iter().map(AuditEntry::try_from).collect()
    }

    /// Writes the rows `filter` keeps, oldest first, to the new file `dest` as CSV: one header
    /// row ([`EXPORT_HEADER`]), then per row its id, time (RFC 3339, UTC, to the millisecond),
    /// actor, the actor's name, action, the doctor, patient and appointment ids, its detail (the
    /// JSON exactly as stored) and its hash, so that the chain can be checked from the file. The
    /// file is written beside `dest` and renamed into place once the export is audited
    /// (`audit_exported`, with the row count and the filter): nothing leaves unrecorded. Only
    /// those who administer the clinic export. The number of rows written.
    ///
    /// # Errors
    /// [`CoreError::Forbidden`]; [`CoreError::Invalid`] when `dest` already exists or its folder
    /// does not; [`CoreError::Io`] or [`CoreError::Storage`] when reading or writing fails.
    pub async fn export_audit(&self, actor: &Actor, filter: &AuditFilter, dest: &Path) -> Result<usize> {
        actor.may(Action::Administer)?;
        let partial = super::partial_beside(dest, "audit export")?;
        let rows = self.audit_rows(filter).await?;
        let count = rows.len();
        let written = write_csv(&partial, rows);
        if let Err(e) = written {
            let _ = std::fs::remove_file(&partial);
            return Err(e);
        }
        let detail = serde_json::json!({
            "rows": count,
            "since": filter.since,
            "until": filter.until,
            "staff_id": filter.staff,
            "patient_id": filter.patient,
            "action": filter.action,
        });
        if let Err(e) = self.audit(actor, AuditAction::AuditExported, AuditAbout::NOTHING, detail).await {
            let _ = std::fs::remove_file(&partial);
            return Err(e);
        }
        super::put_in_place(&partial, dest, "audit export")?;
        Ok(count)
    }

    /// The rows `filter` keeps, oldest first, as stored.
    async fn audit_rows(&self, filter: &AuditFilter) -> Result<Vec<AuditRow>> {
        Ok(sql::query_as(
            "SELECT a.id, a.at_ms, a.actor, a.actor_staff_id, s.name AS actor_name, a.action, a.doctor_id,
                    a.patient_id, a.appointment_id, a.detail, a.hash,
                    CASE WHEN $6 THEN p.full_name END AS patient_name, CASE WHEN $6 THEN d.name END AS doctor_name
             FROM audit_log a LEFT JOIN staff s ON s.id = a.actor_staff_id
               LEFT JOIN patients p ON p.id = a.patient_id LEFT JOIN staff d ON d.id = a.doctor_id
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
        .bind(filter.with_names)
        .fetch_all(self.reads())
        .await?)
    }
}

/// Writes `rows` to the file `path` as [`Store::export_audit`] describes.
fn write_csv(path: &Path, rows: Vec<AuditRow>) -> Result<()> {
    let io = |source: std::io::Error| CoreError::Io {
        context: format!("audit export: could not write {}", path.display()),
        source,
    };
    let file = std::fs::OpenOptions::new().write(true).create_new(true).open(path).map_err(io)?;
    let mut csv = csv::Writer::from_writer(file);
    csv.write_record(EXPORT_HEADER).map_err(|e| io(e.into()))?;
    let opt = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
    for r in rows {
        let at = DateTime::from_timestamp_millis(r.at_ms).unwrap_or_default();
        csv.write_record([
            r.id.to_string(),
            at.to_rfc3339_opts(SecondsFormat::Millis, true),
            r.actor,
            r.actor_name.as_deref().map(inert_cell).unwrap_or_default(),
            r.action,
            opt(r.doctor_id),
            opt(r.patient_id),
            opt(r.appointment_id),
            r.detail,
            r.hash.unwrap_or_default(),
        ])
        .map_err(|e| io(e.into()))?;
    }
    let file = csv.into_inner().map_err(|e| io(e.into_error()))?;
    file.sync_all().map_err(io)
}

/// A name typed at the desk, made inert for a spreadsheet: one that begins like a formula
/// (`=`, `+`, `-`, `@`, a tab or a carriage return) gets a leading `'`, so that opening the export
/// never runs what a member of staff's name holds.
fn inert_cell(text: &str) -> String {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}"),
        _ => text.to_owned(),
    }
}
