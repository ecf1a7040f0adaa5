//! Read models for screens and reports: records joined with the names people read.

use std::collections::HashMap;

use chrono::{DateTime, FixedOffset, NaiveDate};
use chrono_tz::Tz;
use serde::Serialize;

use crate::error::Result;
use crate::model::{Appointment, Clinic, Mode, Role, Staff, StaffId};
use crate::store::Store;
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
}

/// Local days of the clinic: its doctors (the columns) and every appointment, in start order.
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
}

impl Store {
    /// The sheet for `days` local days from `date` in `tz` (usually the clinic's zone), for every
    /// doctor or one.
    ///
    /// # Errors
    /// As for [`Store::days`].
    pub async fn day_sheet(
        &self,
        clinic: &Clinic,
        date: NaiveDate,
        days: u32,
        tz: Tz,
        doctor: Option<StaffId>,
    ) -> Result<DaySheet> {
        let appointments = self.days(date, days, tz, doctor).await?;
        let staff = self.list_staff().await?;
        let types: HashMap<_, _> = self.list_types().await?.into_iter().map(|t| (t.id, t)).collect();
        let staff_names: HashMap<_, _> = staff.iter().map(|s| (s.id, s.name.clone())).collect();
        let patients = self.patient_names(appointments.iter().map(|a| a.patient_id)).await?;
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
        })
    }
}
