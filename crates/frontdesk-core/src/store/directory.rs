//! The clinic's directory: its settings, staff, patients and appointment types.

use argon2::password_hash::{rand_core::OsRng, PasswordHasher, SaltString};
use chrono::NaiveDate;
use sqlx::FromRow;

use serde_json::json;

use super::audit::{self, AuditAbout, AuditAction};
use super::sql::{self, Engine, Tx};
use super::{violates, Store};
use crate::access::{Action, Sight, OTHER_PATIENT};
use crate::error::{CoreError, Field, Result};
use crate::model::{Actor, AppointmentType, Clinic, Mode, Patient, PatientId, Role, Staff, StaffId, TypeId};
use crate::time::{self, printable};
use crate::validate;

/// What the desk types in to register a patient. Validated by [`Store::add_patient`].
#[derive(Debug, Clone, Default, serde::Deserialize, specta::Type)]
pub struct NewPatient {
    pub full_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// `YYYY-MM-DD`.
    pub date_of_birth: Option<String>,
    pub note: Option<String>,
}

#[derive(FromRow)]
struct StaffRow {
    id: i64,
    name: String,
    role: String,
    has_pin: bool,
    active: bool,
}

impl TryFrom<StaffRow> for Staff {
    type Error = CoreError;
    fn try_from(r: StaffRow) -> Result<Staff> {
        Ok(Staff {
            id: StaffId(r.id),
            name: r.name,
            role: r.role.parse()?,
            has_pin: r.has_pin,
            active: r.active,
        })
    }
}

/// The clinic settings an admin can change.
#[derive(Debug, Clone, serde::Deserialize, specta::Type)]
pub struct ClinicSettings {
    pub name: String,
    /// IANA zone name.
    pub tz: String,
    pub lock_minutes: i64,
    /// BCP 47 locale, e.g. `en-CA`, `fr-CA`, `es-MX`.
    pub locale: String,
    /// Keep the appointment type's name out of meeting titles and patient e-mails (off when
    /// not given).
    #[serde(default)]
    pub neutral_titles: bool,
    /// Show each doctor only their own patients, and other doctors' visits as busy time (off
    /// when not given).
    #[serde(default)]
    pub own_patients_only: bool,
}

/// A change to a member of staff. `pin: None` keeps the current PIN.
#[derive(Debug, Clone, serde::Deserialize, specta::Type)]
pub struct StaffUpdate {
    pub name: String,
    pub role: Role,
    pub active: bool,
    pub pin: Option<String>,
}

#[derive(FromRow)]
pub(super) struct PatientRow {
    id: i64,
    full_name: String,
    email: Option<String>,
    phone: Option<String>,
    date_of_birth: Option<String>,
    note: Option<String>,
}

impl From<PatientRow> for Patient {
    fn from(r: PatientRow) -> Patient {
        Patient {
            id: PatientId(r.id),
            full_name: r.full_name,
            email: r.email,
            phone: r.phone,
            date_of_birth: r.date_of_birth.and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok()),
            note: r.note,
        }
    }
}

#[derive(FromRow)]
struct TypeRow {
    id: i64,
    name: String,
    minutes: i64,
    mode: String,
}

impl TryFrom<TypeRow> for AppointmentType {
    type Error = CoreError;
    fn try_from(r: TypeRow) -> Result<AppointmentType> {
        Ok(AppointmentType { id: TypeId(r.id), name: r.name, minutes: r.minutes, mode: r.mode.parse()? })
    }
}

const STAFF_COLUMNS: &str = "id, name, role, pin_hash IS NOT NULL AS has_pin, active";
pub(super) const PATIENT_COLUMNS: &str = "id, full_name, email, phone, date_of_birth, note";

/// Which rows of `patients` a search text matches, with its arguments `$1` to `$4` (bound by
/// [`PatientMatch::bind`]): the name, e-mail or phone contains the text (any case), the phone's
/// digits contain its digits (three or more), or the date of birth is the text; and, for a
/// doctor under the minimum-necessary setting, a visit with them.
///
/// No index serves `LIKE '%text%'`: with `ORDER BY full_name COLLATE NOCASE, id` and a `LIMIT`
/// SQLite walks `patients_by_name` in order and stops at the limit, so a common text reads few
/// rows, and a rare one reads each patient once. The phone's digits are compared in two steps:
/// `$3` is the digits with `%` between them (`%5%5%5%`), which a phone holding them holds too,
/// a cheap test that spares most phones the costly removal of its punctuation. `{LIKE}` is each
/// engine's case-blind match: SQLite's `LIKE` already is (for ASCII, as its `lower` is), and
/// calling `lower` on both sides of every row made a search that matches nobody 5 times the
/// cost of the plain read of the names; PostgreSQL's is `ILIKE`.
const TEXT_MATCH: &str = "(full_name {LIKE} $1 ESCAPE '\\' OR email {LIKE} $1 ESCAPE '\\'
        OR phone LIKE $1 ESCAPE '\\' OR date_of_birth = $2
        OR ($3 <> '' AND phone LIKE $3
            AND replace(replace(replace(replace(replace(phone, ' ', ''), '-', ''), '(', ''), ')', ''), '.', '') LIKE ('%' || replace($3, '%', '') || '%')))
   AND ($4 = 0 OR EXISTS (SELECT 1 FROM appointments a WHERE a.patient_id = patients.id AND a.doctor_id = $4))";

/// [`TEXT_MATCH`] for a text that is a date (`YYYY-MM-DD`): no name, e-mail or phone holds one,
/// so only the date of birth is compared, which `patients_by_birth` finds at once. (`$1` and `$3`
/// are still named, always true, so that both engines see the same four arguments.)
const BIRTH_MATCH: &str = "date_of_birth = $2 AND $1 <> '' AND $3 = ''
   AND ($4 = 0 OR EXISTS (SELECT 1 FROM appointments a WHERE a.patient_id = patients.id AND a.doctor_id = $4))";

/// A search text as the arguments of its match ([`PatientMatch::clause`]).
pub(super) struct PatientMatch {
    pattern: String,
    text: String,
    phone_pattern: String,
    is_date: bool,
    /// The doctor whose patients only are found, or 0 for everyone's.
    pub(super) own: i64,
}

impl PatientMatch {
    /// # Errors
    /// [`CoreError::Invalid`] for empty or malformed search text.
    pub(super) fn new(text: &str, sight: Sight) -> Result<PatientMatch> {
        let text = validate::name(Field::SEARCH, text)?;
        let pattern = format!("%{}%", text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
        let is_date = NaiveDate::parse_from_str(&text, "%Y-%m-%d").is_ok();
        let digits: String = text.chars().filter(char::is_ascii_digit).collect();
        let phone_pattern = if digits.len() >= 3 && !is_date {
            digits.chars().fold(String::from("%"), |mut p, d| {
                p.push(d);
                p.push('%');
                p
            })
        } else {
            String::new()
        };
        let own = match sight {
            Sight::OwnPatients(doctor) => doctor.0,
            Sight::Everything => 0,
        };
        Ok(PatientMatch { pattern, text, phone_pattern, is_date, own })
    }

    /// The condition on `patients` (`$1` to `$4`), in `engine`'s SQL.
    pub(super) fn clause(&self, engine: Engine) -> String {
        if self.is_date {
            BIRTH_MATCH.to_owned()
        } else {
            let like = match engine {
                Engine::Sqlite => "LIKE",
                Engine::Postgres => "ILIKE",
            };
            TEXT_MATCH.replace("{LIKE}", like)
        }
    }

    /// Binds `$1` to `$4`.
    pub(super) fn bind<'q, O>(&self, statement: sql::Statement<'q, O>) -> sql::Statement<'q, O> {
        statement.bind(&self.pattern).bind(&self.text).bind(&self.phone_pattern).bind(self.own)
    }
}

impl Store {
    /// Sets the clinic up: its name and default IANA zone.
    ///
    /// # Errors
    /// [`CoreError::Invalid`] for a bad name or zone; [`CoreError::AlreadyInitialized`] when the
    /// clinic is already set up (its settings are kept).
    pub async fn init_clinic(&self, name: &str, tz: &str) -> Result<Clinic> {
        let name = validate::name(Field::CLINIC_NAME, name)?;
        let tz = time::parse_zone(tz)?;
        let mut tx = self.write().await?;
        insert_clinic(&mut tx, &name, tz, self.now().timestamp()).await?;
        let clinic = clinic_in(&mut tx).await?.ok_or(CoreError::NotInitialized)?;
        tx.commit().await?;
        Ok(clinic)
    }

    /// Changes the clinic's settings (admins), audited.
    ///
    /// # Errors
    /// [`CoreError::Forbidden`]; [`CoreError::Invalid`] for a bad name, zone, lock time
    /// (1..=240 minutes) or locale; [`CoreError::NotInitialized`] before the clinic is set up.
    pub async fn update_clinic(&self, actor: &Actor, settings: &ClinicSettings) -> Result<Clinic> {
        actor.may(Action::Administer)?;
        let name = validate::name(Field::CLINIC_NAME, &settings.name)?;
        let tz = time::parse_zone(&settings.tz)?;
        if !(1..=240).contains(&settings.lock_minutes) {
            return Err(CoreError::invalid_field(Field::LOCK_MINUTES, "choose 1 to 240 minutes"));
        }
        let locale = validate::locale(&settings.locale)?;
        let mut tx = self.write().await?;
        let changed =
            sql::query("UPDATE clinic SET name = $1, tz = $2, lock_minutes = $3, locale = $4, neutral_titles = $5, own_patients_only = $6 WHERE id = 1")
                .bind(&name)
                .bind(tz.name())
                .bind(settings.lock_minutes)
                .bind(&locale)
                .bind(settings.neutral_titles)
                .bind(settings.own_patients_only)
                .execute(&mut tx)
                .await?;
        if changed == 0 {
            return Err(CoreError::NotInitialized);
        }
        let clinic = clinic_in(&mut tx).await?.ok_or(CoreError::NotInitialized)?;
        let detail = json!({ "name": clinic.name, "tz": clinic.tz.name(), "lock_minutes": clinic.lock_minutes, "locale": clinic.locale, "neutral_titles": clinic.neutral_titles, "own_patients_only": clinic.own_patients_only });
        audit::append(&mut tx, self.now(), actor, AuditAction::SettingsChanged, AuditAbout::NOTHING, &detail)
            .await?;
        tx.commit().await?;
        Ok(clinic)
    }

    /// The clinic's settings, or `None` before it is set up.
    ///
    /// # Errors
    /// [`CoreError::Storage`].
    pub async fn clinic(&self) -> Result<Option<Clinic>> {
        clinic_in(&mut self.reads().read().await?).await
    }

    /// The clinic's settings.
    ///
    /// # Errors
    /// [`CoreError::NotInitialized`] before the clinic is set up.
    pub async fn require_clinic(&self) -> Result<Clinic> {
        self.clinic().await?.ok_or(CoreError::NotInitialized)
    }

    /// Adds a member of staff (admins), with an optional sign-in PIN (kept only as an argon2id
    /// hash), audited.
    ///
    /// # Errors
    /// [`CoreError::Forbidden`]; [`CoreError::Invalid`] for a bad name or PIN.
    pub async fn add_staff(&self, actor: &Actor, name: &str, role: Role, pin: Option<&str>) -> Result<Staff> {
        actor.may(Action::Administer)?;
        let name = validate::name(Field::NAME, name)?;
        let pin_hash = match pin {
            Some(p) => Some(hash_pin(validate::pin(p)?)?),
            None => None,
        };
        let mut tx = self.write().await?;
        let id: i64 = sql::query_scalar(
            "INSERT INTO staff (name, role, pin_hash, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(&name)
        .bind(role.as_str())
        .bind(&pin_hash)
        .bind(self.now().timestamp())
        .fetch_one(&mut tx)
        .await?;
        let added = Staff { id: StaffId(id), name, role, has_pin: pin_hash.is_some(), active: true };
        let detail = staff_detail(&added, pin.is_some());
        audit::append(&mut tx, self.now(), actor, AuditAction::StaffAdded, AuditAbout::NOTHING, &detail)
            .await?;
        tx.commit().await?;
        Ok(added)
    }

    /// Changes a member of staff (admins): name, role, active, and (when given) a new PIN;
    /// audited (whether a PIN was set, never the PIN).
    ///
    /// # Errors
    /// [`CoreError::Forbidden`]; [`CoreError::NotFound`] for an unknown id;
    /// [`CoreError::Invalid`] for a bad name or PIN; [`CoreError::LastAdmin`] when the change
    /// would leave no active admin.
    pub async fn update_staff(&self, actor: &Actor, id: StaffId, update: &StaffUpdate) -> Result<Staff> {
        actor.may(Action::Administer)?;
        let name = validate::name(Field::NAME, &update.name)?;
        let pin_hash = match update.pin.as_deref() {
            Some(p) => Some(hash_pin(validate::pin(p)?)?),
            None => None,
        };
        let mut tx = self.write().await?;
        if pin_hash.is_some() {
            // A new PIN from an admin also lifts a lock or a pause of their sign-in.
            super::auth::unlock_by_new_pin(&mut tx, self.now(), actor, id).await?;
        }
        let changed = sql::query(
            "UPDATE staff SET name = $2, role = $3, active = $4, pin_hash = COALESCE($5, pin_hash) WHERE id = $1",
        )
        .bind(id.0)
        .bind(&name)
        .bind(update.role.as_str())
        .bind(update.active)
        .bind(&pin_hash)
        .execute(&mut tx)
        .await?;
        if changed == 0 {
            return Err(CoreError::NotFound { what: "staff member", id: id.0 });
        }
        let admins: i64 = sql::query_scalar("SELECT COUNT(*) FROM staff WHERE role = 'admin' AND active")
            .fetch_one(&mut tx)
            .await?;
        if admins == 0 {
            return Err(CoreError::LastAdmin);
        }
        let changed = staff_in(&mut tx, id).await?;
        let detail = staff_detail(&changed, update.pin.is_some());
        audit::append(&mut tx, self.now(), actor, AuditAction::StaffChanged, AuditAbout::NOTHING, &detail)
            .await?;
        tx.commit().await?;
        Ok(changed)
    }

    /// Every active member of staff, by name.
    ///
    /// # Errors
    /// [`CoreError::Storage`].
    pub async fn list_staff(&self) -> Result<Vec<Staff>> {
        self.staff_where("WHERE active").await
    }

    /// Every member of staff, active or not, by name (the admin's staff screen).
    ///
    /// # Errors
    /// [`CoreError::Storage`].
    pub async fn list_all_staff(&self) -> Result<Vec<Staff>> {
        self.staff_where("").await
    }

    async fn staff_where(&self, filter: &str) -> Result<Vec<Staff>> {
        let rows: Vec<StaffRow> = sql::query_as(&format!(
            "SELECT {STAFF_COLUMNS} FROM staff {filter} ORDER BY name COLLATE NOCASE, id"
        ))
        .fetch_all(self.reads())
        .await?;
        rows.into_iter().map(Staff::try_from).collect()
    }

    /// One member of staff.
    ///
    /// # Errors
    /// [`CoreError::NotFound`] for an unknown id.
    pub async fn staff(&self, id: StaffId) -> Result<Staff> {
        let row: Option<StaffRow> =
            sql::query_as(&format!("SELECT {STAFF_COLUMNS} FROM staff WHERE id = $1"))
                .bind(id.0)
                .fetch_optional(self.reads())
                .await?;
        row.ok_or(CoreError::NotFound { what: "staff member", id: id.0 })?.try_into()
    }

    /// Registers a patient (the desk and admins), audited by id.
    ///
    /// # Errors
    /// [`CoreError::Forbidden`]; [`CoreError::Invalid`] naming the first field that breaks a rule (empty or overlong name,
    /// control characters, malformed e-mail, phone or date, a birth date in the future).
    pub async fn add_patient(&self, actor: &Actor, new: &NewPatient) -> Result<Patient> {
        actor.may(Action::Book)?;
        let Patient { full_name, email, phone, date_of_birth, note, .. } =
            self.checked_patient(PatientId(0), new)?;
        let mut tx = self.write().await?;
        let id: i64 = sql::query_scalar(
            "INSERT INTO patients (full_name, email, phone, date_of_birth, note, created_at)
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(&full_name)
        .bind(&email)
        .bind(&phone)
        .bind(date_of_birth.map(|d| d.format("%Y-%m-%d").to_string()))
        .bind(&note)
        .bind(self.now().timestamp())
        .fetch_one(&mut tx)
        .await?;
        let about = AuditAbout::patient(PatientId(id));
        audit::append(&mut tx, self.now(), actor, AuditAction::PatientAdded, about, &json!({})).await?;
        tx.commit().await?;
        Ok(Patient { id: PatientId(id), full_name, email, phone, date_of_birth, note })
    }

    /// Changes a patient's details (the desk and admins); the audit row names the fields that
    /// changed, never their values.
    ///
    /// # Errors
    /// As for [`Store::add_patient`]; [`CoreError::NotFound`] for an unknown id.
    pub async fn update_patient(
        &self,
        actor: &Actor,
        id: PatientId,
        details: &NewPatient,
    ) -> Result<Patient> {
        actor.may(Action::Book)?;
        let patient = self.checked_patient(id, details)?;
        let mut tx = self.write().await?;
        let before: Option<PatientRow> =
            sql::query_as(&format!("SELECT {PATIENT_COLUMNS} FROM patients WHERE id = $1"))
                .bind(id.0)
                .fetch_optional(&mut tx)
                .await?;
        let before = Patient::from(before.ok_or(CoreError::NotFound { what: "patient", id: id.0 })?);
        sql::query(
            "UPDATE patients SET full_name = $2, email = $3, phone = $4, date_of_birth = $5, note = $6 WHERE id = $1",
        )
        .bind(id.0)
        .bind(&patient.full_name)
        .bind(&patient.email)
        .bind(&patient.phone)
        .bind(patient.date_of_birth.map(|d| d.format("%Y-%m-%d").to_string()))
        .bind(&patient.note)
        .execute(&mut tx)
        .await?;
        let fields: Vec<&str> = [
            ("name", before.full_name != patient.full_name),
            ("email", before.email != patient.email),
            ("phone", before.phone != patient.phone),
            ("date_of_birth", before.date_of_birth != patient.date_of_birth),
            ("note", before.note != patient.note),
        ]
        .into_iter()
        .filter_map(|(field, differs)| differs.then_some(field))
        .collect();
        let detail = json!({ "fields": fields });
        audit::append(
            &mut tx,
            self.now(),
            actor,
            AuditAction::PatientChanged,
            AuditAbout::patient(id),
            &detail,
        )
        .await?;
        tx.commit().await?;
        Ok(patient)
    }

    /// Checks a patient's details against the input rules.
    fn checked_patient(&self, id: PatientId, new: &NewPatient) -> Result<Patient> {
        let full_name = validate::name(Field::FULL_NAME, &new.full_name)?;
        let email = validate::optional_email(Field::EMAIL, new.email.as_deref())?;
        let phone = validate::optional_phone(Field::PHONE, new.phone.as_deref())?;
        let date_of_birth = match new.date_of_birth.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(d) => Some(time::parse_date(Field::DATE_OF_BIRTH, d)?),
        };
        if date_of_birth.is_some_and(|d| d > self.now().date_naive()) {
            return Err(CoreError::invalid_field(Field::DATE_OF_BIRTH, "that date is in the future"));
        }
        let note = validate::optional_text(Field::NOTE, new.note.as_deref())?;
        Ok(Patient { id, full_name, email, phone, date_of_birth, note })
    }

    /// One patient's record as a member of staff opens it (the patient form): anyone who reads
    /// the schedule (a doctor, under the clinic's minimum-necessary setting, only a patient with
    /// a visit of theirs), and audited (`patient_viewed`, with the patient's id and nothing else),
    /// once per person and patient within [`audit::VIEW_WINDOW_MINUTES`]. The read and its row
    /// are one transaction.
    ///
    /// # Errors
    /// [`CoreError::Forbidden`]; [`CoreError::NotFound`] for an unknown id.
    pub async fn view_patient(&self, actor: &Actor, id: PatientId) -> Result<Patient> {
        actor.may(Action::Read)?;
        let now = self.now();
        let mut tx = self.write_here().await?;
        let patient = patient_in(&mut tx, id).await?;
        if let Sight::OwnPatients(doctor) = sight_in(&mut tx, actor).await? {
            let theirs: Option<i64> = sql::query_scalar(
                "SELECT id FROM appointments WHERE patient_id = $1 AND doctor_id = $2 LIMIT 1",
            )
            .bind(id.0)
            .bind(doctor.0)
            .fetch_optional(&mut tx)
            .await?;
            if theirs.is_none() {
                return Err(CoreError::Forbidden(OTHER_PATIENT.to_owned()));
            }
        }
        audit::append_view(&mut tx, now, actor, AuditAction::PatientViewed, AuditAbout::patient(id)).await?;
        tx.commit().await?;
        Ok(patient)
    }

    /// What `actor` reads under the clinic's minimum-necessary setting.
    ///
    /// # Errors
    /// [`CoreError::Storage`].
    pub async fn sight(&self, actor: &Actor) -> Result<Sight> {
        sight_in(self.reads(), actor).await
    }

    /// One patient, unaudited: for names beside what a screen already shows. What a person
    /// opens goes through [`Store::view_patient`].
    ///
    /// # Errors
    /// [`CoreError::NotFound`] for an unknown id.
    pub async fn patient(&self, id: PatientId) -> Result<Patient> {
        patient_in(self.reads(), id).await
    }

    /// Patients whose name, e-mail or phone contains `text` (any case), or whose date of birth is
    /// `text` (`YYYY-MM-DD`); at most 50, by name. A doctor under the clinic's minimum-necessary
    /// setting finds only patients with a visit of theirs.
    ///
    /// # Errors
    /// [`CoreError::Forbidden`]; [`CoreError::Invalid`] for empty or malformed search text.
    pub async fn find_patients(&self, actor: &Actor, text: &str) -> Result<Vec<Patient>> {
        actor.may(Action::Read)?;
        let search = PatientMatch::new(text, self.sight(actor).await?)?;
        let rows: Vec<PatientRow> = search
            .bind(sql::query_as(&format!(
                "SELECT {PATIENT_COLUMNS} FROM patients WHERE {}
                 ORDER BY full_name COLLATE NOCASE, id LIMIT 50",
                search.clause(self.read_engine())
            )))
            .fetch_all(self.reads())
            .await?;
        Ok(rows.into_iter().map(Patient::from).collect())
    }

    /// The full names of the given patients, by id (for screens that list appointments).
    ///
    /// # Errors
    /// [`CoreError::Storage`].
    pub async fn patient_names(
        &self,
        ids: impl IntoIterator<Item = PatientId>,
    ) -> Result<std::collections::HashMap<PatientId, String>> {
        let mut ids: Vec<i64> = ids.into_iter().map(|p| p.0).collect();
        ids.sort_unstable();
        ids.dedup();
        let mut names = std::collections::HashMap::with_capacity(ids.len());
        // SQLite's default limit is 32766 bound parameters; stay far below it.
        for chunk in ids.chunks(500) {
            let marks = (1..=chunk.len()).map(|n| format!("${n}")).collect::<Vec<_>>().join(", ");
            let sql = format!("SELECT id, full_name FROM patients WHERE id IN ({marks})");
            let mut query = sql::query_as::<(i64, String)>(&sql);
            for id in chunk {
                query = query.bind(id);
            }
            for (id, name) in query.fetch_all(self.reads()).await? {
                names.insert(PatientId(id), name);
            }
        }
        Ok(names)
    }

    /// Adds an appointment type (admins), audited.
    ///
    /// # Errors
    /// [`CoreError::Forbidden`]; [`CoreError::Invalid`] for a bad or duplicate name or a length
    /// outside 1..=720 minutes.
    pub async fn add_type(
        &self,
        actor: &Actor,
        name: &str,
        minutes: i64,
        mode: Mode,
    ) -> Result<AppointmentType> {
        actor.may(Action::Administer)?;
        let name = validate::name(Field::TYPE_NAME, name)?;
        let minutes = validate::minutes(minutes)?;
        let mut tx = self.write().await?;
        let inserted = sql::query_scalar(
            "INSERT INTO appointment_types (name, minutes, mode, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(&name)
        .bind(minutes)
        .bind(mode.as_str())
        .bind(self.now().timestamp())
        .fetch_one(&mut tx)
        .await;
        let id: i64 = inserted.map_err(|e| duplicate_type(e, &name))?;
        let added = AppointmentType { id: TypeId(id), name, minutes, mode };
        audit::append(
            &mut tx,
            self.now(),
            actor,
            AuditAction::TypeAdded,
            AuditAbout::NOTHING,
            &type_detail(&added),
        )
        .await?;
        tx.commit().await?;
        Ok(added)
    }

    /// Changes an appointment type (admins), audited. Existing appointments keep the length
    /// they were booked with.
    ///
    /// # Errors
    /// As for [`Store::add_type`]; [`CoreError::NotFound`] for an unknown id.
    pub async fn update_type(
        &self,
        actor: &Actor,
        id: TypeId,
        name: &str,
        minutes: i64,
        mode: Mode,
    ) -> Result<AppointmentType> {
        actor.may(Action::Administer)?;
        let name = validate::name(Field::TYPE_NAME, name)?;
        let minutes = validate::minutes(minutes)?;
        let mut tx = self.write().await?;
        let changed =
            sql::query("UPDATE appointment_types SET name = $2, minutes = $3, mode = $4 WHERE id = $1")
                .bind(id.0)
                .bind(&name)
                .bind(minutes)
                .bind(mode.as_str())
                .execute(&mut tx)
                .await
                .map_err(|e| duplicate_type(e, &name))?;
        if changed == 0 {
            return Err(CoreError::NotFound { what: "appointment type", id: id.0 });
        }
        let changed = AppointmentType { id, name, minutes, mode };
        let detail = type_detail(&changed);
        audit::append(&mut tx, self.now(), actor, AuditAction::TypeChanged, AuditAbout::NOTHING, &detail)
            .await?;
        tx.commit().await?;
        Ok(changed)
    }

    /// Every appointment type, by name.
    ///
    /// # Errors
    /// [`CoreError::Storage`].
    pub async fn list_types(&self) -> Result<Vec<AppointmentType>> {
        let rows: Vec<TypeRow> = sql::query_as(
            "SELECT id, name, minutes, mode FROM appointment_types ORDER BY name COLLATE NOCASE, id",
        )
        .fetch_all(self.reads())
        .await?;
        rows.into_iter().map(AppointmentType::try_from).collect()
    }

    /// One appointment type.
    ///
    /// # Errors
    /// [`CoreError::NotFound`] for an unknown id.
    pub async fn appointment_type(&self, id: TypeId) -> Result<AppointmentType> {
        let row: Option<TypeRow> =
            sql::query_as("SELECT id, name, minutes, mode FROM appointment_types WHERE id = $1")
                .bind(id.0)
                .fetch_optional(self.reads())
                .await?;
        row.ok_or(CoreError::NotFound { what: "appointment type", id: id.0 })?.try_into()
    }
}

/// One patient, read through `conn` (the pool, or a transaction).
async fn patient_in<'e>(conn: impl sql::Exec<'e>, id: PatientId) -> Result<Patient> {
    let row: Option<PatientRow> =
        sql::query_as(&format!("SELECT {PATIENT_COLUMNS} FROM patients WHERE id = $1"))
            .bind(id.0)
            .fetch_optional(conn)
            .await?;
    Ok(row.ok_or(CoreError::NotFound { what: "patient", id: id.0 })?.into())
}

/// A member of staff, read in `conn`'s transaction.
pub(super) async fn staff_in(conn: &mut Tx, id: StaffId) -> Result<Staff> {
    let row: Option<StaffRow> = sql::query_as(&format!("SELECT {STAFF_COLUMNS} FROM staff WHERE id = $1"))
        .bind(id.0)
        .fetch_optional(&mut *conn)
        .await?;
    row.ok_or(CoreError::NotFound { what: "staff member", id: id.0 })?.try_into()
}

/// An admin's change of staff in the audit log: ids, name, role and state, never a PIN.
pub(super) fn staff_detail(staff: &Staff, pin_set: bool) -> serde_json::Value {
    json!({ "staff_id": staff.id, "name": staff.name, "role": staff.role, "active": staff.active, "pin_set": pin_set })
}

fn type_detail(t: &AppointmentType) -> serde_json::Value {
    json!({ "type_id": t.id, "name": t.name, "minutes": t.minutes, "mode": t.mode })
}

fn duplicate_type(e: sqlx::Error, name: &str) -> CoreError {
    if violates(&e, "appointment_types.name") {
        CoreError::invalid(format!(
            "type name: an appointment type named \"{}\" already exists",
            printable(name)
        ))
    } else {
        CoreError::from(e)
    }
}

/// What `actor` reads under the clinic's minimum-necessary setting, read in `conn` (only a
/// doctor's sight depends on it).
pub(super) async fn sight_in<'e>(conn: impl sql::Exec<'e>, actor: &Actor) -> Result<Sight> {
    if !matches!(actor, Actor::Staff { role: Role::Doctor, .. }) {
        return Ok(Sight::Everything);
    }
    let own: Option<bool> =
        sql::query_scalar("SELECT own_patients_only FROM clinic WHERE id = 1").fetch_optional(conn).await?;
    Ok(actor.sight(own.unwrap_or(false)))
}

/// Creates the clinic row, refusing when the clinic is already set up.
pub(super) async fn insert_clinic(conn: &mut Tx, name: &str, tz: chrono_tz::Tz, now: i64) -> Result<()> {
    if let Some(existing) = clinic_in(&mut *conn).await? {
        return Err(CoreError::AlreadyInitialized(existing.name));
    }
    sql::query("INSERT INTO clinic (id, name, tz, created_at) VALUES (1, $1, $2, $3)")
        .bind(name)
        .bind(tz.name())
        .bind(now)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub(super) async fn clinic_in(conn: &mut Tx) -> Result<Option<Clinic>> {
    let row: Option<(String, String, i64, String, bool, bool)> = sql::query_as(
        "SELECT name, tz, lock_minutes, locale, neutral_titles, own_patients_only FROM clinic WHERE id = 1",
    )
    .fetch_optional(&mut *conn)
    .await?;
    match row {
        None => Ok(None),
        Some((name, tz, lock_minutes, locale, neutral_titles, own_patients_only)) => Ok(Some(Clinic {
            name,
            tz: time::parse_zone(&tz)?,
            lock_minutes,
            locale,
            neutral_titles,
            own_patients_only,
        })),
    }
}

pub(super) fn hash_pin(pin: &str) -> Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    argon2::Argon2::default()
        .hash_password(pin.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|_| CoreError::invalid("the PIN could not be hashed"))
}
