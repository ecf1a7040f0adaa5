//! Working hours in the store: the admins' use cases that enter them (each audited), the reads
//! the calendar and `hours show` need, the check that booking and moving make, and the
//! free-slot search. The rules themselves are in [`crate::hours`]; this module reads the rows
//! (one query for every hour that matters, one for the visits) and writes them.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::audit::{self, AuditAbout, AuditAction};
use super::sql::{self, Exec, Tx};
use super::Store;
use crate::access::Action;
use crate::error::{CoreError, Field, Result};
use crate::hours::{
    self, Block, Closed, Day, DayPart, DoctorWeek, ExceptionKind, FreeSlot, Hours, HoursException,
    SlotSearch, Span, Taken, WeekHours, HOURS, MAX_DAYS_OFF, MAX_SEARCH_DAYS, MAX_SLOTS,
};
use crate::model::{Actor, Role, StaffId, Status, TypeId};
use crate::time::{self, Fold};
use crate::validate;

/// The label of an exception, as forms and the command line name it.
pub const LABEL: Field = Field::new("label", "label");

/// A new exception to the weekly hours, as an admin enters it.
#[derive(Debug, Clone, Deserialize, specta::Type)]
pub struct NewException {
    /// The doctor; `None` for the whole clinic (a holiday: days off only).
    pub doctor_id: Option<StaffId>,
    pub kind: ExceptionKind,
    pub first_day: NaiveDate,
    /// The last day off (the first day when absent); extra hours are on one day.
    pub last_day: Option<NaiveDate>,
    /// The extra hours (extra only).
    pub block: Option<Block>,
    pub label: Option<String>,
}

/// What the free-slot search is asked, as the booking dialog and `free` ask it.
#[derive(Debug, Clone, Deserialize, specta::Type)]
pub struct FreeSlotQuery {
    /// The type of visit (its length).
    pub type_id: TypeId,
    /// One doctor, or any active doctor.
    pub doctor_id: Option<StaffId>,
    /// The first local day (the clinic's); today when absent. Slots never start in the past.
    pub from: Option<NaiveDate>,
    /// How many days to look at (31 when absent; at most 92).
    pub days: Option<u32>,
    /// How many slots to answer (5 when absent; at most 50).
    pub count: Option<u32>,
    /// Only mornings (starting before 12:00) or afternoons.
    pub part: Option<DayPart>,
}

/// A span of time, as instants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
pub struct TimeSpan {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

/// A whole local day not worked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct DayOff {
    pub date: NaiveDate,
    pub label: Option<String>,
}

/// The clinic's opening time over some days.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct ClinicTime {
    /// Whether the clinic entered opening hours (or holidays) at all; if not, it is open at all hours.
    pub restricted: bool,
    /// When the clinic is open, merged.
    pub open: Vec<TimeSpan>,
    /// The earliest opening on the clock on any of the days (minutes since midnight): where the
    /// day view opens. `None` when the clinic set no hours or is closed on every one of the days.
    pub opens_at_minute: Option<u16>,
    /// The clinic's holidays among the days.
    pub holidays: Vec<DayOff>,
}

/// One doctor's working time over some days.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct DoctorTime {
    pub doctor_id: StaffId,
    /// Whether any hours apply to the doctor (theirs, the clinic's, an exception); if not, every
    /// instant is working time.
    pub restricted: bool,
    /// When the doctor works, merged (the calendar shades the rest of their column).
    pub working: Vec<TimeSpan>,
    /// Their own days off among the days (the clinic's holidays are in [`ClinicTime`]).
    pub days_off: Vec<DayOff>,
}

/// Working time over local days of the clinic, as instants: what the calendar shades.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct WorkingTime {
    /// The clinic's zone, whose local days these are.
    pub tz: String,
    pub first: NaiveDate,
    pub days: u32,
    pub clinic: ClinicTime,
    /// Every active doctor (or the one asked for), by id.
    pub doctors: Vec<DoctorTime>,
}

/// Every hour that applies to a range of local days, in one query: the clinic's week, every
/// doctor's weeks (or one doctor's), and the exceptions that touch the days (the doctor's and
/// the clinic's). `CAST(NULL AS ...)` gives both engines the columns' types.
const HOURS_QUERY: &str = "SELECT 'clinic', CAST(NULL AS BIGINT), CAST(NULL AS BIGINT), CAST(NULL AS TEXT), CAST(NULL AS TEXT), \
weekday, start_minute, end_minute, CAST(NULL AS TEXT) FROM clinic_hours \
UNION ALL SELECT 'week', w.id, w.doctor_id, w.effective_from, CAST(NULL AS TEXT), h.weekday, h.start_minute, h.end_minute, CAST(NULL AS TEXT) \
FROM doctor_weeks w LEFT JOIN doctor_hours h ON h.week_id = w.id \
WHERE CAST($3 AS BIGINT) IS NULL OR w.doctor_id = CAST($3 AS BIGINT) \
UNION ALL SELECT e.kind, e.id, e.doctor_id, e.first_day, e.last_day, CAST(NULL AS BIGINT), e.start_minute, e.end_minute, e.label \
FROM hours_exceptions e WHERE e.last_day >= $1 AND e.first_day <= $2 \
AND (e.doctor_id IS NULL OR CAST($3 AS BIGINT) IS NULL OR e.doctor_id = CAST($3 AS BIGINT))";

type HoursRow = (
    String,
    Option<i64>,
    Option<i64>,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<String>,
);

/// The hours that apply to the local days `first..=last` (every day with `None`), for every
/// doctor or one.
async fn read_hours<'e>(
    on: impl Exec<'e>,
    days: Option<(NaiveDate, NaiveDate)>,
    doctor: Option<StaffId>,
) -> Result<Hours> {
    let (first, last) = match days {
        Some((f, l)) => (f.to_string(), l.to_string()),
        None => ("0000-00-00".to_owned(), "9999-99-99".to_owned()),
    };
    let rows: Vec<HoursRow> =
        sql::query_as(HOURS_QUERY).bind(first).bind(last).bind(doctor.map(|d| d.0)).fetch_all(on).await?;
    let mut clinic: Vec<(Day, Block)> = Vec::new();
    let mut weeks: std::collections::BTreeMap<(i64, NaiveDate), Vec<(Day, Block)>> = Default::default();
    let mut exceptions = Vec::new();
    for (kind, id, doctor_id, day, last_day, weekday, start, end, label) in rows {
        let block = match (start, end) {
            (Some(s), Some(e)) => Some(stored_block(s, e)?),
            _ => None,
        };
        match kind.as_str() {
            "clinic" => {
                if let (Some(w), Some(b)) = (weekday, block) {
                    clinic.push((Day::from_number(w)?, b));
                }
            }
            "week" => {
                let (Some(doctor), Some(from)) = (doctor_id, day) else { continue };
                let entry = weeks.entry((doctor, stored_date(&from)?)).or_default();
                if let (Some(w), Some(b)) = (weekday, block) {
                    entry.push((Day::from_number(w)?, b));
                }
            }
            other => {
                let first = stored_date(day.as_deref().unwrap_or_default())?;
                exceptions.push(HoursException {
                    id: id.unwrap_or_default(),
                    doctor_id: doctor_id.map(StaffId),
                    kind: other.parse()?,
                    first_day: first,
                    last_day: last_day.as_deref().map(stored_date).transpose()?.unwrap_or(first),
                    block,
                    label,
                });
            }
        }
    }
    exceptions.sort_by_key(|e| (e.first_day, e.doctor_id, e.id));
    Ok(Hours {
        clinic: (!clinic.is_empty()).then(|| week_of_rows(clinic)),
        doctors: weeks
            .into_iter()
            .map(|((doctor, from), rows)| DoctorWeek {
                doctor_id: StaffId(doctor),
                effective_from: from,
                week: week_of_rows(rows),
            })
            .collect(),
        exceptions,
    })
}

/// A stored week (checked when it was written).
fn week_of_rows(mut rows: Vec<(Day, Block)>) -> WeekHours {
    rows.sort_unstable_by_key(|(d, b)| (d.index(), *b));
    let mut week = WeekHours::default();
    for (day, block) in rows {
        match week.days.last_mut() {
            Some(last) if last.day == day => last.blocks.push(block),
            _ => week.days.push(hours::DayBlocks { day, blocks: vec![block] }),
        }
    }
    week
}

fn stored_block(start: i64, end: i64) -> Result<Block> {
    let minute = |m: i64| {
        u16::try_from(m).map_err(|_| CoreError::invalid(format!("stored minute {m} is out of range")))
    };
    Ok(Block { start_minute: minute(start)?, end_minute: minute(end)? })
}

fn stored_date(text: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| CoreError::invalid(format!("stored date \"{}\" is not a date", time::printable(text))))
}

/// A date within the years Frontdesk accepts.
fn check_date(field: Field, date: NaiveDate) -> Result<NaiveDate> {
    time::parse_date(field, &date.to_string())
}

/// The clinic's zone, read in the transaction (UTC before the clinic is set up).
async fn clinic_zone(conn: &mut Tx) -> Result<Tz> {
    let tz: Option<String> =
        sql::query_scalar("SELECT tz FROM clinic WHERE id = 1").fetch_optional(&mut *conn).await?;
    tz.map_or(Ok(Tz::UTC), |t| time::parse_zone(&t))
}

/// The doctor's name; [`CoreError::NotFound`] for an unknown id and [`CoreError::Invalid`] for
/// someone who is not a doctor.
async fn doctor_name(conn: &mut Tx, doctor: StaffId) -> Result<String> {
    let row: Option<(String, String)> = sql::query_as("SELECT name, role FROM staff WHERE id = $1")
        .bind(doctor.0)
        .fetch_optional(&mut *conn)
        .await?;
    let (name, role) = row.ok_or(CoreError::NotFound { what: "doctor", id: doctor.0 })?;
    if role.parse::<Role>()? != Role::Doctor {
        return Err(CoreError::invalid(format!(
            "doctor: {name} (staff {doctor}) is not a doctor, so has no working hours"
        )));
    }
    Ok(name)
}

/// A week as the audit log keeps it: `{"mon": ["09:00-12:00"], ...}`.
fn week_detail(week: &WeekHours) -> serde_json::Value {
    let map: serde_json::Map<String, serde_json::Value> = week
        .days
        .iter()
        .map(|d| {
            (d.day.as_str().to_owned(), json!(d.blocks.iter().map(Block::to_string).collect::<Vec<_>>()))
        })
        .collect();
    serde_json::Value::Object(map)
}

/// A week re-checked (it may come from a form).
fn checked_week(week: &WeekHours) -> Result<WeekHours> {
    WeekHours::new(week.days.iter().map(|d| (d.day, d.blocks.clone())))
}

async fn write_blocks(tx: &mut Tx, table_and_key: (&str, Option<i64>), week: &WeekHours) -> Result<()> {
    for d in &week.days {
        for b in &d.blocks {
            let (sql_text, key) = table_and_key;
            let mut q = sql::query(sql_text);
            if let Some(k) = key {
                q = q.bind(k);
            }
            q.bind(d.day.number())
                .bind(i64::from(b.start_minute))
                .bind(i64::from(b.end_minute))
                .execute(&mut *tx)
                .await?;
        }
    }
    Ok(())
}

impl Store {
    /// Every hour entered: the clinic's week, doctors' weeks and all exceptions (`hours show`).
    ///
    /// # Errors
    /// [`CoreError::Storage`].
    pub async fn hours(&self) -> Result<Hours> {
        read_hours(self.reads(), None, None).await
    }

    /// Sets the clinic's opening hours (admins): the whole week, a weekday not given closed.
    /// Audited with the new week.
    ///
    /// # Errors
    /// [`CoreError::Forbidden`]; [`CoreError::InvalidField`] for overlapping blocks, an end
    /// before a start, or no weekday at all (remove them with [`Store::clear_clinic_hours`]).
    pub async fn set_clinic_hours(&self, actor: &Actor, week: &WeekHours) -> Result<Hours> {
        actor.may(Action::Administer)?;
        let week = checked_week(week)?;
        if week.is_empty() {
            return Err(CoreError::invalid_field(
                HOURS,
                "give the clinic's opening hours of at least one weekday (to stop restricting hours, clear them)",
            ));
        }
        let now = self.now();
        let mut tx = self.write().await?;
        sql::query("DELETE FROM clinic_hours").execute(&mut tx).await?;
        write_blocks(
            &mut tx,
            ("INSERT INTO clinic_hours (weekday, start_minute, end_minute) VALUES ($1, $2, $3)", None),
            &week,
        )
        .await?;
        let detail = json!({ "hours": week_detail(&week) });
        audit::append(&mut tx, now, actor, AuditAction::ClinicHoursChanged, AuditAbout::NOTHING, &detail)
            .await?;
        let hours = read_hours(&mut tx, None, None).await?;
        tx.commit().await?;
        Ok(hours)
    }

    /// Removes the clinic's opening hours (admins): the clinic is then open at all hours.
    /// Audited.
    ///
    /// # Errors
    /// [`CoreError::Forbidden`].
    pub async fn clear_clinic_hours(&self, actor: &Actor) -> Result<Hours> {
        actor.may(Action::Administer)?;
        let now = self.now();
        let mut tx = self.write().await?;
        sql::query("DELETE FROM clinic_hours").execute(&mut tx).await?;
        let detail = json!({ "hours": null });
        audit::append(&mut tx, now, actor, AuditAction::ClinicHoursChanged, AuditAbout::NOTHING, &detail)
            .await?;
        let hours = read_hours(&mut tx, None, None).await?;
        tx.commit().await?;
        Ok(hours)
    }

    /// Sets a doctor's weekly hours from the local day `from` on, until their next week's date
    /// (admins): a weekday not given is not worked. A week already set from that day is
    /// replaced. Audited.
    ///
    /// # Errors
    /// [`CoreError::Forbidden`]; [`CoreError::NotFound`] for an unknown doctor;
    /// [`CoreError::Invalid`] for someone who is not a doctor; [`CoreError::InvalidField`] for
    /// overlapping blocks or an end before a start.
    pub async fn set_doctor_hours(
        &self,
        actor: &Actor,
        doctor: StaffId,
        from: NaiveDate,
        week: &WeekHours,
    ) -> Result<Hours> {
        actor.may(Action::Administer)?;
        let week = checked_week(week)?;
        let from = check_date(Field::new("from", "from"), from)?;
        let now = self.now();
        let mut tx = self.write().await?;
        doctor_name(&mut tx, doctor).await?;
        sql::query("DELETE FROM doctor_weeks WHERE doctor_id = $1 AND effective_from = $2")
            .bind(doctor.0)
            .bind(from.to_string())
            .execute(&mut tx)
            .await?;
        let id: i64 = sql::query_scalar(
            "INSERT INTO doctor_weeks (doctor_id, effective_from, created_at) VALUES ($1, $2, $3) RETURNING id",
        )
        .bind(doctor.0)
        .bind(from.to_string())
        .bind(now.timestamp())
        .fetch_one(&mut tx)
        .await?;
        write_blocks(
            &mut tx,
            ("INSERT INTO doctor_hours (week_id, weekday, start_minute, end_minute) VALUES ($1, $2, $3, $4)", Some(id)),
            &week,
        )
        .await?;
        let detail = json!({ "effective_from": from, "hours": week_detail(&week) });
        audit::append(
            &mut tx,
            now,
            actor,
            AuditAction::DoctorHoursChanged,
            AuditAbout::doctor(doctor),
            &detail,
        )
        .await?;
        let hours = read_hours(&mut tx, None, Some(doctor)).await?;
        tx.commit().await?;
        Ok(hours)
    }

    /// Removes the doctor's weekly hours that start on `from` (admins): the week before them
    /// (or no restriction, with none) applies again. Audited.
    ///
    /// # Errors
    /// [`CoreError::Forbidden`]; [`CoreError::NotFound`] for an unknown doctor; [`CoreError::Invalid`]
    /// when they have no hours from that day.
    pub async fn remove_doctor_hours(
        &self,
        actor: &Actor,
        doctor: StaffId,
        from: NaiveDate,
    ) -> Result<Hours> {
        actor.may(Action::Administer)?;
        let now = self.now();
        let mut tx = self.write().await?;
        let name = doctor_name(&mut tx, doctor).await?;
        let removed = sql::query("DELETE FROM doctor_weeks WHERE doctor_id = $1 AND effective_from = $2")
            .bind(doctor.0)
            .bind(from.to_string())
            .execute(&mut tx)
            .await?;
        if removed == 0 {
            return Err(CoreError::invalid(format!("from: {name} has no weekly hours that start on {from}")));
        }
        let detail = json!({ "effective_from": from, "hours": null });
        audit::append(
            &mut tx,
            now,
            actor,
            AuditAction::DoctorHoursChanged,
            AuditAbout::doctor(doctor),
            &detail,
        )
        .await?;
        let hours = read_hours(&mut tx, None, Some(doctor)).await?;
        tx.commit().await?;
        Ok(hours)
    }

    /// Adds an exception (admins): a doctor's days off, the clinic's holidays (no doctor), or a
    /// doctor's one-off extra hours on one day. Audited (without its label).
    ///
    /// # Errors
    /// [`CoreError::Forbidden`]; [`CoreError::NotFound`] for an unknown doctor;
    /// [`CoreError::Invalid`] / [`CoreError::InvalidField`] for a last day before the first, more
    /// than [`MAX_DAYS_OFF`] days, extra hours with no doctor or no block, days off that overlap
    /// ones already entered, extra hours that overlap others of that day;
    /// [`CoreError::NonexistentTime`] for extra hours whose start or end does not exist on
    /// their day (a DST gap).
    pub async fn add_hours_exception(&self, actor: &Actor, new: &NewException) -> Result<HoursException> {
        actor.may(Action::Administer)?;
        let label = validate::optional_line(LABEL, new.label.as_deref())?;
        let first = check_date(Field::new("date", "date"), new.first_day)?;
        let last = check_date(Field::new("to", "to"), new.last_day.unwrap_or(first))?;
        let block = match (new.kind, new.block) {
            (ExceptionKind::Off, Some(_)) => {
                return Err(CoreError::invalid_field(
                    HOURS,
                    "a day off has no hours; give extra hours as extra",
                ))
            }
            (ExceptionKind::Off, None) => None,
            (ExceptionKind::Extra, None) => {
                return Err(CoreError::invalid_field(HOURS, "give the extra hours, e.g. 09:00-12:00"))
            }
            (ExceptionKind::Extra, Some(b)) => Some(Block::new(b.start_minute, b.end_minute)?),
        };
        if last < first {
            return Err(CoreError::invalid_field(
                Field::new("to", "to"),
                format!("the last day ({last}) is before the first ({first})"),
            ));
        }
        if (last - first).num_days() >= MAX_DAYS_OFF {
            return Err(CoreError::invalid_field(
                Field::new("to", "to"),
                format!("enter at most {MAX_DAYS_OFF} days at a time"),
            ));
        }
        if new.kind == ExceptionKind::Extra {
            if new.doctor_id.is_none() {
                return Err(CoreError::invalid("doctor: extra hours are a doctor's; name the doctor"));
            }
            if last != first {
                return Err(CoreError::invalid_field(Field::new("to", "to"), "extra hours are on one day"));
            }
        }
        let now = self.now();
        let mut tx = self.write().await?;
        let name = match new.doctor_id {
            Some(d) => doctor_name(&mut tx, d).await?,
            None => "the clinic".to_owned(),
        };
        if let Some(b) = block {
            let tz = clinic_zone(&mut tx).await?;
            extra_exists_on(first, b, tz)?;
        }
        let existing = read_hours(&mut tx, Some((first, last)), new.doctor_id).await?;
        if let Some(clash) = existing.exceptions.iter().find(|e| {
            e.doctor_id == new.doctor_id
                && e.kind == new.kind
                && match (e.block, block) {
                    (Some(a), Some(b)) => a.overlaps(b),
                    _ => true,
                }
        }) {
            let what = match clash.kind {
                ExceptionKind::Off if clash.first_day == clash.last_day => {
                    format!("{name} is already off on {} (exception {})", clash.first_day, clash.id)
                }
                ExceptionKind::Off => {
                    format!(
                        "{name} is already off from {} to {} (exception {})",
                        clash.first_day, clash.last_day, clash.id
                    )
                }
                ExceptionKind::Extra => format!(
                    "{name} already has extra hours {} on {} (exception {})",
                    clash.block.map(|b| b.to_string()).unwrap_or_default(),
                    clash.first_day,
                    clash.id
                ),
            };
            return Err(CoreError::invalid(format!("{what}; remove that one first or change these")));
        }
        let id: i64 = sql::query_scalar(
            "INSERT INTO hours_exceptions (doctor_id, kind, first_day, last_day, start_minute, end_minute, label, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(new.doctor_id.map(|d| d.0))
        .bind(new.kind.as_str())
        .bind(first.to_string())
        .bind(last.to_string())
        .bind(block.map(|b| i64::from(b.start_minute)))
        .bind(block.map(|b| i64::from(b.end_minute)))
        .bind(&label)
        .bind(now.timestamp())
        .fetch_one(&mut tx)
        .await?;
        let exception = HoursException {
            id,
            doctor_id: new.doctor_id,
            kind: new.kind,
            first_day: first,
            last_day: last,
            block,
            label,
        };
        let about = new.doctor_id.map_or(AuditAbout::NOTHING, AuditAbout::doctor);
        audit::append(
            &mut tx,
            now,
            actor,
            AuditAction::HoursExceptionAdded,
            about,
            &exception_detail(&exception),
        )
        .await?;
        tx.commit().await?;
        Ok(exception)
    }

    /// Removes an exception (admins). Audited.
    ///
    /// # Errors
    /// [`CoreError::Forbidden`]; [`CoreError::NotFound`] for an unknown id.
    pub async fn remove_hours_exception(&self, actor: &Actor, id: i64) -> Result<HoursException> {
        actor.may(Action::Administer)?;
        let now = self.now();
        let mut tx = self.write().await?;
        let all = read_hours(&mut tx, None, None).await?;
        let exception = all
            .exceptions
            .into_iter()
            .find(|e| e.id == id)
            .ok_or(CoreError::NotFound { what: "hours exception", id })?;
        sql::query("DELETE FROM hours_exceptions WHERE id = $1").bind(id).execute(&mut tx).await?;
        let about = exception.doctor_id.map_or(AuditAbout::NOTHING, AuditAbout::doctor);
        audit::append(
            &mut tx,
            now,
            actor,
            AuditAction::HoursExceptionRemoved,
            about,
            &exception_detail(&exception),
        )
        .await?;
        tx.commit().await?;
        Ok(exception)
    }

    /// Working time over `days` local days of the clinic from `first`, for every active doctor
    /// or one, as instants: what the calendar shades, the days off it marks and where the day
    /// view opens.
    ///
    /// # Errors
    /// [`CoreError::Invalid`] for more than 42 days; [`CoreError::NotInitialized`];
    /// [`CoreError::Storage`].
    pub async fn working_time(
        &self,
        first: NaiveDate,
        days: u32,
        doctor: Option<StaffId>,
    ) -> Result<WorkingTime> {
        if !(1..=42).contains(&days) {
            return Err(CoreError::invalid("days: ask for 1 to 42 days at a time"));
        }
        let mut tx = self.reads().read().await?;
        let clinic = super::directory::clinic_in(&mut tx).await?.ok_or(CoreError::NotInitialized)?;
        let doctors = match doctor {
            Some(d) => {
                doctor_name(&mut tx, d).await?;
                vec![d]
            }
            None => active_doctors(&mut tx).await?,
        };
        let last = first.checked_add_days(chrono::Days::new(u64::from(days - 1))).unwrap_or(first);
        let hours = read_hours(&mut tx, Some((first, last)), doctor).await?;
        drop(tx);
        let clocks = hours::day_clocks(first, days, clinic.tz);
        let as_time = |spans: Vec<Span>| -> Vec<TimeSpan> {
            spans
                .into_iter()
                .filter_map(|s| {
                    Some(TimeSpan {
                        start: DateTime::from_timestamp(s.start, 0)?,
                        end: DateTime::from_timestamp(s.end, 0)?,
                    })
                })
                .collect()
        };
        let mut open = Vec::new();
        let mut holidays = Vec::new();
        let mut opens_at_minute: Option<u16> = None;
        for clock in &clocks {
            if let Some(h) = hours.holiday(clock.date) {
                holidays.push(DayOff { date: clock.date, label: h.label.clone() });
                continue;
            }
            let blocks = hours.clinic.as_ref().map_or(&[Block::WHOLE_DAY][..], |w| w.on(Day::of(clock.date)));
            if hours.clinic.is_some() {
                if let Some(first_block) = blocks.first() {
                    opens_at_minute = Some(
                        opens_at_minute.map_or(first_block.start_minute, |m| m.min(first_block.start_minute)),
                    );
                }
            }
            open.extend(clock.spans(blocks));
        }
        let doctors = doctors
            .into_iter()
            .map(|d| {
                let days_off = clocks
                    .iter()
                    .filter_map(|c| match hours.local_day(d, c.date).closed {
                        Some(Closed::DayOff(label)) => Some(DayOff { date: c.date, label }),
                        _ => None,
                    })
                    .collect();
                DoctorTime {
                    doctor_id: d,
                    restricted: hours.restricts(d),
                    working: as_time(hours::working_spans(&hours, d, &clocks)),
                    days_off,
                }
            })
            .collect();
        Ok(WorkingTime {
            tz: clinic.tz.name().to_owned(),
            first,
            days,
            clinic: ClinicTime {
                restricted: hours.clinic.is_some() || !holidays.is_empty(),
                open: as_time(hours::merge_spans(open)),
                opens_at_minute,
                holidays,
            },
            doctors,
        })
    }

    /// The first free slots for a type of visit, with one doctor or any: within working hours,
    /// overlapping no active visit, from a local day of the clinic on (never in the past),
    /// earliest first. Two reads (the hours; the visits, as one JSON array), then arithmetic in memory
    /// ([`hours::free_slots`]).
    ///
    /// # Errors
    /// [`CoreError::Invalid`] for a count or a number of days out of range;
    /// [`CoreError::NotFound`] for an unknown type or doctor; [`CoreError::Invalid`] for someone
    /// who is not an active doctor; [`CoreError::NotInitialized`]; [`CoreError::Storage`].
    pub async fn free_slots(&self, query: &FreeSlotQuery) -> Result<Vec<FreeSlot>> {
        let count = query.count.unwrap_or(5);
        if !(1..=MAX_SLOTS as u32).contains(&count) {
            return Err(CoreError::invalid(format!("count: ask for 1 to {MAX_SLOTS} slots")));
        }
        let days = query.days.unwrap_or(31);
        if !(1..=MAX_SEARCH_DAYS).contains(&days) {
            return Err(CoreError::invalid(format!("days: look 1 to {MAX_SEARCH_DAYS} days ahead")));
        }
        let now = self.now();
        let mut tx = self.reads().read().await?;
        let clinic = super::directory::clinic_in(&mut tx).await?.ok_or(CoreError::NotInitialized)?;
        let minutes: Option<i64> = sql::query_scalar("SELECT minutes FROM appointment_types WHERE id = $1")
            .bind(query.type_id.0)
            .fetch_optional(&mut tx)
            .await?;
        let minutes = minutes.ok_or(CoreError::NotFound { what: "appointment type", id: query.type_id.0 })?;
        let doctors = match query.doctor_id {
            Some(d) => {
                let name = doctor_name(&mut tx, d).await?;
                let active: Option<bool> = sql::query_scalar("SELECT active FROM staff WHERE id = $1")
                    .bind(d.0)
                    .fetch_optional(&mut tx)
                    .await?;
                if active != Some(true) {
                    return Err(CoreError::invalid(format!(
                        "doctor: {name} is no longer active, so cannot be booked"
                    )));
                }
                vec![d]
            }
            None => active_doctors(&mut tx).await?,
        };
        let first = query.from.unwrap_or_else(|| time::today_in(clinic.tz, now));
        let first = check_date(Field::new("from", "from"), first)?;
        let last = first.checked_add_days(chrono::Days::new(u64::from(days - 1))).unwrap_or(first);
        let hours = read_hours(&mut tx, Some((first, last)), query.doctor_id).await?;
        let (from, _) = time::day_bounds(first, clinic.tz);
        let (_, to) = time::day_bounds(last, clinic.tz);
        let taken =
            taken_between(&mut tx, self.read_engine(), from.timestamp(), to.timestamp(), query.doctor_id)
                .await?;
        drop(tx);
        let search = SlotSearch {
            minutes,
            doctors,
            first,
            days,
            not_before: now.max(from),
            count: count as usize,
            part: query.part,
        };
        Ok(hours::free_slots(&hours, &taken, &search, clinic.tz))
    }
}

impl Store {
    /// The appointments booked or moved outside hours (with staff's confirmation) that start in
    /// `[from, to)`, for every doctor or one: what the day sheet marks.
    ///
    /// # Errors
    /// [`CoreError::Storage`].
    pub(crate) async fn outside_hours_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        doctor: Option<StaffId>,
    ) -> Result<std::collections::HashSet<crate::model::AppointmentId>> {
        let ids: Vec<i64> = sql::query_scalar(
            "SELECT id FROM appointments WHERE start_at >= $1 AND start_at < $2 AND outside_hours = TRUE
               AND (CAST($3 AS BIGINT) IS NULL OR doctor_id = CAST($3 AS BIGINT))",
        )
        .bind(from.timestamp())
        .bind(to.timestamp().saturating_add(1))
        .bind(doctor.map(|d| d.0))
        .fetch_all(self.reads())
        .await?;
        Ok(ids.into_iter().map(crate::model::AppointmentId).collect())
    }
}

/// The active doctors, by id.
async fn active_doctors(conn: &mut Tx) -> Result<Vec<StaffId>> {
    let ids: Vec<i64> =
        sql::query_scalar("SELECT id FROM staff WHERE role = 'doctor' AND active ORDER BY id")
            .fetch_all(&mut *conn)
            .await?;
    Ok(ids.into_iter().map(StaffId).collect())
}

/// The active visits that share an instant with `[from, to)` (Unix seconds), for every doctor or
/// one. A month holds thousands: they come back as one JSON array built by the engine, as the day
/// view's rows do (ADR 0003), which costs a fraction of decoding them row by row.
async fn taken_between(
    conn: &mut Tx,
    engine: super::Engine,
    from: i64,
    to: i64,
    doctor: Option<StaffId>,
) -> Result<Vec<Taken>> {
    let held: Vec<&str> = Status::ALL.iter().filter(|s| s.holds_slot()).map(|s| s.as_str()).collect();
    let rows = engine.pick(
        "json_group_array(json_array(doctor_id, start_at, end_at))",
        "coalesce(json_agg(json_build_array(doctor_id, start_at, end_at)), '[]')::text",
    );
    let text = format!(
        "SELECT {rows} FROM appointments
         WHERE start_at >= $1 - 43200 AND start_at < $2 AND end_at > $1
           AND (CAST($3 AS BIGINT) IS NULL OR doctor_id = CAST($3 AS BIGINT)) AND status IN ('{}')",
        held.join("', '")
    );
    let json: String =
        sql::query_scalar(&text).bind(from).bind(to).bind(doctor.map(|d| d.0)).fetch_one(&mut *conn).await?;
    let rows: Vec<(i64, i64, i64)> =
        serde_json::from_str(&json).map_err(|e| CoreError::from(sqlx::Error::Decode(Box::new(e))))?;
    Ok(rows
        .into_iter()
        .map(|(d, s, e)| Taken { doctor: StaffId(d), span: Span { start: s, end: e } })
        .collect())
}

/// Refuses extra hours whose start or end the clock never shows on `date` (a DST gap).
fn extra_exists_on(date: NaiveDate, block: Block, tz: Tz) -> Result<()> {
    for (minute, fold) in [(block.start_minute, Fold::Earlier), (block.end_minute, Fold::Later)] {
        if minute >= hours::DAY_MINUTES {
            continue;
        }
        let at = date.and_hms_opt(u32::from(minute / 60), u32::from(minute % 60), 0).unwrap_or_default();
        if let Err(CoreError::NonexistentTime(why)) = time::resolve(at, tz, Some(fold)) {
            return Err(CoreError::NonexistentTime(format!(
                "extra hours {block}: {why}; choose hours that exist that day"
            )));
        }
    }
    Ok(())
}

/// An exception as the audit log keeps it: ids, days and times, never its label.
fn exception_detail(e: &HoursException) -> serde_json::Value {
    json!({
        "id": e.id,
        "kind": e.kind,
        "first_day": e.first_day,
        "last_day": e.last_day,
        "hours": e.block.map(|b| b.to_string()),
    })
}

/// Whether the visit `[start, end)` of `doctor` lies outside their working time: `None` when it
/// lies within, or the reason, written for the desk. Read in the booking's transaction.
///
/// # Errors
/// [`CoreError::Storage`].
pub(super) async fn outside_hours(
    conn: &mut Tx,
    doctor: StaffId,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> Result<Option<String>> {
    let tz = clinic_zone(conn).await?;
    let first_day = time::today_in(tz, start).pred_opt().unwrap_or(NaiveDate::MIN);
    let last_day = time::today_in(tz, end).succ_opt().unwrap_or(NaiveDate::MAX);
    let hours = read_hours(&mut *conn, Some((first_day, last_day)), Some(doctor)).await?;
    if !hours.restricts(doctor) {
        return Ok(None);
    }
    let days = u32::try_from((last_day - first_day).num_days() + 1).unwrap_or(3).min(MAX_SEARCH_DAYS);
    let clocks = hours::day_clocks(first_day, days, tz);
    if hours::within(&hours::working_spans(&hours, doctor, &clocks), start.timestamp(), end.timestamp()) {
        return Ok(None);
    }
    let name: String = sql::query_scalar("SELECT name FROM staff WHERE id = $1")
        .bind(doctor.0)
        .fetch_one(&mut *conn)
        .await?;
    let local = start.with_timezone(&tz);
    let date = local.date_naive();
    let on = time::spoken_day(date);
    let label = |l: &Option<String>| l.as_ref().map(|l| format!(" ({l})")).unwrap_or_default();
    let day = hours.local_day(doctor, date);
    let reason = match (&day.closed, day.blocks.as_slice()) {
        (Some(Closed::Holiday(l)), []) => format!("the clinic is closed on {on}{}", label(l)),
        (Some(Closed::DayOff(l)), []) => format!("{name} is off on {on}{}", label(l)),
        (_, []) => format!("{name} does not work on {on}"),
        (_, blocks) => format!(
            "{name} works {} on {on}, and {}-{} is outside that",
            blocks.iter().map(Block::to_string).collect::<Vec<_>>().join(", "),
            local.format("%H:%M"),
            end.with_timezone(&tz).format("%H:%M"),
        ),
    };
    Ok(Some(format!("{reason}: choose another time, or confirm the booking outside hours")))
}
