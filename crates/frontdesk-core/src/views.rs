//! Read models for screens and reports: records joined with the names people read.

use std::collections::HashMap;

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use crate::access::Action;
use crate::error::{CoreError, Result};
use crate::model::{Actor, Appointment, Clinic, Mode, Role, Staff, StaffId};
use crate::store::{AuditAbout, AuditAction, Store};
use crate::time;

/// One appointment on the day sheet, with the names shown beside it.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct DaySheetRow {
    #[serde(flatten)]
    pub appointment: Appointment,
    /// The end shown in the appointment's own zone.
    pub local_end: DateTime<FixedOffset>,
    pub type_name: String,
    pub mode: Mode,
    pub doctor_name: String,
    pub patient_name: String,
    /// Booked (or moved) outside the doctor's working hours with staff's confirmation.
    pub outside_hours: bool,
}

/// Time another doctor's visit holds, as a doctor sees it under the clinic's minimum-necessary
/// setting: when, and whose column, never the patient, the type or the visit itself.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
pub struct BusyBlock {
    pub doctor_id: StaffId,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// The start and end shown in the clinic's zone.
    pub local_start: DateTime<FixedOffset>,
    pub local_end: DateTime<FixedOffset>,
}

/// Local days of the clinic: its doctors (the columns) and every appointment the reader may see,
/// in start order.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct DaySheet {
    pub clinic_name: String,
    /// The zone whose local days these are.
    pub tz: String,
    /// The first day.
    pub date: NaiveDate,
    /// How many days from `date`.
    pub days: u32,
    pub doctors: Vec<Staff>,
    pub appointments: Vec<DaySheetRow>,
    /// Other doctors' visits that hold their time, for a doctor who sees only their own patients
    /// ([`crate::Sight`]); empty for everyone else.
    pub busy: Vec<BusyBlock>,
    /// Whether the reader books and moves visits (the calendar then offers its empty slots and
    /// lets visits be dragged).
    pub may_book: bool,
}

impl Store {
    /// The sheet for `days` local days from `date` in `tz` (usually the clinic's zone), for every
    /// doctor or one, as `reader` may see it: a doctor under the clinic's minimum-necessary
    /// setting gets other doctors' visits as [`BusyBlock`]s (cancelled and no-show ones not at
    /// all), and no name of their patients.
    ///
    /// # Errors
    /// As for [`Store::days`].
    pub async fn day_sheet(
        &self,
        reader: &Actor,
        clinic: &Clinic,
        date: NaiveDate,
        days: u32,
        tz: Tz,
        doctor: Option<StaffId>,
    ) -> Result<DaySheet> {
        let sight = reader.sight(clinic.own_patients_only);
        let (appointments, others): (Vec<_>, Vec<_>) = self
            .days(date, days, tz, doctor)
            .await?
            .into_iter()
            .partition(|a| sight.sees_visits_of(a.doctor_id));
        let busy = others
            .into_iter()
            .filter(|a| a.status.holds_slot())
            .map(|a| BusyBlock {
                doctor_id: a.doctor_id,
                start: a.start,
                end: a.end,
                local_start: time::in_zone(a.start, tz),
                local_end: time::in_zone(a.end, tz),
            })
            .collect();
        let staff = self.list_staff().await?;
        let types: HashMap<_, _> = self.list_types().await?.into_iter().map(|t| (t.id, t)).collect();
        let staff_names: HashMap<_, _> = staff.iter().map(|s| (s.id, s.name.clone())).collect();
        let patients = self.patient_names(appointments.iter().map(|a| a.patient_id)).await?;
        let outside = match (appointments.first(), appointments.last()) {
            (Some(first), Some(_)) => {
                let end = appointments.iter().map(|a| a.end).max().unwrap_or(first.end);
                self.outside_hours_between(first.start, end, doctor).await?
            }
            _ => Default::default(),
        };
        let rows = appointments
            .into_iter()
            .map(|a| {
                let kind = types.get(&a.type_id);
                DaySheetRow {
                    local_end: time::in_zone(a.end, a.tz),
                    type_name: kind.map(|t| t.name.clone()).unwrap_or_default(),
                    mode: kind.map(|t| t.mode).unwrap_or(Mode::InPerson),
                    doctor_name: staff_names.get(&a.doctor_id).cloned().unwrap_or_default(),
                    patient_name: patients.get(&a.patient_id).cloned().unwrap_or_default(),
                    outside_hours: outside.contains(&a.id),
                    appointment: a,
                }
            })
            .collect();
        Ok(DaySheet {
            clinic_name: clinic.name.clone(),
            tz: tz.name().to_owned(),
            date,
            days,
            doctors: staff
                .into_iter()
                .filter(|s| s.role == Role::Doctor && doctor.is_none_or(|d| d == s.id))
                .collect(),
            appointments: rows,
            busy,
            may_book: reader.may(Action::Book).is_ok(),
        })
    }

    /// Records that `actor` printed the day sheet of the clinic's local day `date` (every doctor,
    /// or one): the date, the doctor and how many appointments it lists, never a name. The
    /// window prints the sheet itself and says so here as it opens the print dialog. The number
    /// of appointments recorded.
    ///
    /// # Errors
    /// [`CoreError::Forbidden`]; [`CoreError::Invalid`] when `doctor` is not a doctor; as for
    /// [`Store::day_sheet`].
    pub async fn day_sheet_printed(
        &self,
        actor: &Actor,
        clinic: &Clinic,
        date: NaiveDate,
        doctor: Option<StaffId>,
    ) -> Result<usize> {
        actor.may(Action::Read)?;
        self.check_doctor(doctor).await?;
        let sight = actor.sight(clinic.own_patients_only);
        // The sheet lists the appointments whose local start falls on the day (ui/src/daysheet.ts).
        let count = self
            .days(date, 1, clinic.tz, doctor)
            .await?
            .iter()
            .filter(|a| a.local_start.date_naive() == date && sight.sees_visits_of(a.doctor_id))
            .count();
        let detail = serde_json::json!({ "date": date, "doctor_id": doctor, "appointments": count });
        let about = AuditAbout { doctor, ..AuditAbout::NOTHING };
        self.audit(actor, AuditAction::DaySheetPrinted, about, detail).await?;
        Ok(count)
    }

    /// Refuses a `doctor` filter that names someone who is not a doctor.
    ///
    /// # Errors
    /// [`CoreError::NotFound`] for an unknown id; [`CoreError::Invalid`] for another role.
    pub(crate) async fn check_doctor(&self, doctor: Option<StaffId>) -> Result<()> {
        let Some(d) = doctor else { return Ok(()) };
        let staff = self.staff(d).await?;
        if staff.role != Role::Doctor {
            return Err(CoreError::invalid(format!("--doctor: {} is not a doctor", staff.name)));
        }
        Ok(())
    }
}
