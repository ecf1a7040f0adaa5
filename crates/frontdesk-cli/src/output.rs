//! What the command line prints: JSON for scripts (`--json`), short lines for people.

use std::io::Write;
use std::path::Path;

use chrono_tz::Tz;
use frontdesk_core::store::{MailStatus, Moved, SignInHold};
use frontdesk_core::views::DaySheet;
use frontdesk_core::{
    time, Appointment, AppointmentDetail, AppointmentType, Clinic, CoreError, Patient, Staff, Store,
};
use serde::Serialize;

/// Writes one line to standard output. A closed pipe (`frontdesk-cli day | head -1`) ends the
/// output quietly instead of failing.
pub fn emit(line: std::fmt::Arguments<'_>) -> Result<(), CoreError> {
    let mut out = std::io::stdout().lock();
    match writeln!(out, "{line}") {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(CoreError::Io { context: "could not write the output".into(), source: e })
        }
        _ => Ok(()),
    }
}

pub struct Output {
    pub json: bool,
}

impl Output {
    fn print_json<T: Serialize + ?Sized>(&self, value: &T) -> Result<(), CoreError> {
        let text = serde_json::to_string_pretty(value)
            .map_err(|e| CoreError::invalid(format!("could not write JSON: {e}")))?;
        emit(format_args!("{text}"))?;
        Ok(())
    }

    /// Any value as JSON (for `--json`).
    pub fn json_value<T: Serialize + ?Sized>(&self, value: &T) -> Result<(), CoreError> {
        self.print_json(value)
    }

    pub fn audit_check(
        &self,
        check: &frontdesk_core::store::AuditCheck,
        anchor: Option<&frontdesk_core::store::AuditAnchor>,
    ) -> Result<(), CoreError> {
        if self.json {
            return self.print_json(check);
        }
        let older = if check.before_chain > 0 {
            format!(" ({} older rows were written before the chain began)", check.before_chain)
        } else {
            String::new()
        };
        if let Some(b) = &check.broken {
            return emit(format_args!("The audit log was tampered with at row {}: {}.", b.id, b.problem));
        }
        let reached = anchor.map(|a| format!(", up to the anchor's row {} and on", a.id)).unwrap_or_default();
        emit(format_args!("The audit log holds: {} rows checked{older}{reached}.", check.rows))?;
        match &check.head {
            Some(head) => emit(format_args!(
                "Its last row is the anchor {head}: keep it apart from this computer, and check \
                 later with `frontdesk-cli audit verify --anchor {head}` that no row up to it was removed or rewritten."
            )),
            None => Ok(()),
        }
    }

    pub fn audit(&self, entries: &[frontdesk_core::store::AuditEntry]) -> Result<(), CoreError> {
        if self.json {
            return self.print_json(entries);
        }
        for e in entries {
            let who = e.actor_name.as_deref().unwrap_or(&e.actor);
            let mut ids = String::new();
            if let Some(d) = e.doctor_id {
                ids.push_str(&format!(" doctor {d}"));
            }
            if let Some(a) = e.appointment_id {
                ids.push_str(&format!(" appointment {a}"));
            }
            emit(format_args!(
                "{}  {who}  {}{ids}  {}",
                e.at.format("%Y-%m-%d %H:%M:%SZ"),
                e.action,
                e.detail
            ))?;
        }
        Ok(())
    }

    /// `place`: where the clinic now is (its data folder, or its server).
    pub fn clinic(&self, clinic: &Clinic, place: &str) -> Result<(), CoreError> {
        if self.json {
            return self.print_json(clinic);
        }
        emit(format_args!("Set up clinic \"{}\" in {} ({place})", clinic.name, clinic.tz.name(),))?;
        Ok(())
    }

    /// `created`: one new record, printed as an object in JSON; otherwise a list, as an array.
    pub fn staff(&self, staff: &[Staff], created: bool) -> Result<(), CoreError> {
        match (self.json, staff) {
            (true, [one]) if created => self.print_json(one),
            (true, _) => self.print_json(staff),
            (false, [one]) if created => {
                emit(format_args!("Added staff {}: {} ({})", one.id, one.name, one.role))?;
                Ok(())
            }
            (false, _) => {
                for s in staff {
                    emit(format_args!("{:>5}  {:<12}  {}", s.id, s.role.as_str(), s.name))?;
                }
                Ok(())
            }
        }
    }

    /// The active staff, each with their sign-in's lock or pause (in words only: the JSON is the
    /// staff as they are).
    pub fn staff_list(&self, staff: &[Staff], holds: &[SignInHold], tz: Tz) -> Result<(), CoreError> {
        if self.json {
            return self.print_json(staff);
        }
        for s in staff {
            let hold = match holds.iter().find(|h| h.staff_id == s.id) {
                Some(SignInHold { locked: true, .. }) => "  (sign-in locked after wrong PINs)".to_owned(),
                Some(SignInHold { paused_until: Some(until), .. }) => {
                    format!("  (sign-in paused until {})", until.with_timezone(&tz).format("%H:%M"))
                }
                _ => String::new(),
            };
            emit(format_args!("{:>5}  {:<12}  {}{hold}", s.id, s.role.as_str(), s.name))?;
        }
        Ok(())
    }

    /// A member of staff whose sign-in was unlocked.
    pub fn unlocked(&self, staff: &Staff) -> Result<(), CoreError> {
        if self.json {
            return self.print_json(staff);
        }
        emit(format_args!("Sign-in for {} (staff {}) is unlocked", staff.name, staff.id))
    }

    pub fn patients(&self, patients: &[Patient], created: bool) -> Result<(), CoreError> {
        match (self.json, patients) {
            (true, [one]) if created => self.print_json(one),
            (true, _) => self.print_json(patients),
            (false, [one]) if created => {
                emit(format_args!("Added patient {}: {}", one.id, one.full_name))?;
                Ok(())
            }
            (false, _) => {
                if patients.is_empty() {
                    emit(format_args!("No patient found"))?;
                }
                for p in patients {
                    let dob = p.date_of_birth.map(|d| d.to_string()).unwrap_or_default();
                    emit(format_args!(
                        "{:>6}  {}  {}  {}  {}",
                        p.id,
                        p.full_name,
                        dob,
                        p.phone.as_deref().unwrap_or(""),
                        p.email.as_deref().unwrap_or("")
                    ))?;
                }
                Ok(())
            }
        }
    }

    pub fn types(&self, types: &[AppointmentType], created: bool) -> Result<(), CoreError> {
        match (self.json, types) {
            (true, [one]) if created => self.print_json(one),
            (true, _) => self.print_json(types),
            (false, [one]) if created => {
                emit(format_args!(
                    "Added type {}: {} ({} min, {})",
                    one.id, one.name, one.minutes, one.mode
                ))?;
                Ok(())
            }
            (false, _) => {
                for t in types {
                    emit(format_args!(
                        "{:>4}  {:>4} min  {:<9}  {}",
                        t.id,
                        t.minutes,
                        t.mode.as_str(),
                        t.name
                    ))?;
                }
                Ok(())
            }
        }
    }

    pub async fn appointment(&self, store: &Store, a: &Appointment, verb: &str) -> Result<(), CoreError> {
        if self.json {
            return self.print_json(a);
        }
        emit(format_args!("{verb} appointment {}", a.id))?;
        emit(format_args!("{}", line(store, a, a.tz).await?))?;
        Ok(())
    }

    /// One appointment with its history and, when it has one, its patient e-mail's state
    /// (`mail`, next to `meeting`).
    pub async fn detail(
        &self,
        store: &Store,
        d: &AppointmentDetail,
        mail: Option<&MailStatus>,
    ) -> Result<(), CoreError> {
        if self.json {
            let mut value = serde_json::to_value(d)
                .map_err(|e| CoreError::invalid(format!("could not write JSON: {e}")))?;
            if let Some(object) = value.as_object_mut() {
                let mail = serde_json::to_value(mail)
                    .map_err(|e| CoreError::invalid(format!("could not write JSON: {e}")))?;
                object.insert("mail".into(), mail);
            }
            return self.print_json(&value);
        }
        let a = &d.appointment;
        emit(format_args!("{}", line(store, a, a.tz).await?))?;
        if let Some(t) = &a.topic {
            emit(format_args!("  topic: {t}"))?;
        }
        if let Some(r) = &a.cancel_reason {
            emit(format_args!("  cancelled: {r}"))?;
        }
        if let Some(m) = &a.meeting {
            let waiting = m.waiting.map_or_else(String::new, |w| format!(" ({w})"));
            emit(format_args!("  meeting: {} {}{waiting}", m.provider.label(), m.state))?;
            if let Some(url) = &m.join_url {
                emit(format_args!("  join: {url}"))?;
            }
            if let Some(e) = &m.error {
                emit(format_args!("  meeting error: {e}"))?;
            }
        }
        if let Some(m) = mail {
            let reason = m.reason.as_deref().map_or_else(String::new, |r| format!(" ({r})"));
            emit(format_args!("  mail: {} (sequence {}){reason}", m.state, m.sequence))?;
        }
        emit(format_args!("  history:"))?;
        for h in &d.history {
            emit(format_args!(
                "    {}  {:<10} {:<9} {}",
                h.at.format("%Y-%m-%d %H:%M:%SZ"),
                h.actor,
                h.action,
                h.detail
            ))?;
        }
        Ok(())
    }

    pub fn day(&self, sheet: &DaySheet) -> Result<(), CoreError> {
        if self.json {
            // Each appointment as `show` prints it, and whether it was booked outside hours.
            #[derive(Serialize)]
            struct Row<'a> {
                #[serde(flatten)]
                appointment: &'a Appointment,
                outside_hours: bool,
            }
            let list: Vec<Row<'_>> = sheet
                .appointments
                .iter()
                .map(|r| Row { appointment: &r.appointment, outside_hours: r.outside_hours })
                .collect();
            return self.print_json(&list);
        }
        emit(format_args!(
            "{} ({}): {} appointment(s)",
            sheet.date.format("%A %Y-%m-%d"),
            sheet.tz,
            sheet.appointments.len()
        ))?;
        let tz = time::parse_zone(&sheet.tz)?;
        for r in &sheet.appointments {
            let outside = if r.outside_hours { "  [outside hours]" } else { "" };
            emit(format_args!(
                "{}{outside}",
                describe(&r.appointment, tz, &r.type_name, &r.doctor_name, &r.patient_name)
            ))?;
        }
        Ok(())
    }

    pub fn backup(&self, file: &Path) -> Result<(), CoreError> {
        if self.json {
            return self.print_json(&serde_json::json!({ "backup": file }));
        }
        emit(format_args!("Backup written to {}", file.display()))?;
        Ok(())
    }

    pub fn restored(&self, file: &Path, rows: u64) -> Result<(), CoreError> {
        if self.json {
            return self.print_json(&serde_json::json!({ "restored": file, "rows": rows }));
        }
        emit(format_args!(
            "Restored {} ({rows} rows); this computer's clinic is the backup's now",
            file.display()
        ))?;
        Ok(())
    }

    pub fn audit_exported(&self, file: &Path, rows: usize) -> Result<(), CoreError> {
        if self.json {
            return self.print_json(&serde_json::json!({ "exported": file, "rows": rows }));
        }
        emit(format_args!("Wrote {rows} audit rows to {}", file.display()))?;
        Ok(())
    }

    pub fn moved(&self, moved: &Moved) -> Result<(), CoreError> {
        if self.json {
            return self.print_json(moved);
        }
        emit(format_args!("Moved the clinic to {}; every table checked:", moved.server))?;
        for (table, rows) in &moved.tables {
            emit(format_args!("  {table:<20} {rows:>8} rows"))?;
        }
        emit(format_args!("Appointments checksum {} on both sides.", moved.appointments_checksum))?;
        Ok(())
    }
}

/// One appointment as a line, looking up the names it shows.
async fn line(store: &Store, a: &Appointment, tz: Tz) -> Result<String, CoreError> {
    let doctor = store.staff(a.doctor_id).await?;
    let patient = store.patient(a.patient_id).await?;
    let kind = store.appointment_type(a.type_id).await?;
    Ok(describe(a, tz, &kind.name, &doctor.name, &patient.full_name))
}

/// One appointment as a line, with its times shown in `tz` (and its booked zone when that differs).
fn describe(a: &Appointment, tz: Tz, type_name: &str, doctor: &str, patient: &str) -> String {
    let start = a.start.with_timezone(&tz);
    let end = a.end.with_timezone(&tz);
    let booked_in = if a.tz == tz { String::new() } else { format!(" [booked in {}]", a.tz.name()) };
    format!(
        "#{:<6} {} {}–{} {}{}  {}  {}  with {}  {}",
        a.id.0,
        start.format("%Y-%m-%d"),
        start.format("%H:%M"),
        end.format("%H:%M %Z"),
        tz.name(),
        booked_in,
        a.status,
        type_name,
        doctor,
        patient
    )
}

impl Output {
    pub fn connected(&self, c: &frontdesk_accounts::Connected) -> Result<(), CoreError> {
        if self.json {
            return self.print_json(c);
        }
        emit(format_args!(
            "Connected as {} ({} for doctor {})",
            c.account_email,
            c.provider.label(),
            c.doctor_id
        ))
    }

    pub fn disconnected(
        &self,
        provider: frontdesk_core::Provider,
        d: &frontdesk_accounts::Disconnected,
    ) -> Result<(), CoreError> {
        if self.json {
            return self.print_json(d);
        }
        let revoked = if d.revoked_at_provider {
            format!(" and revoked at {}", provider.label())
        } else {
            String::new()
        };
        emit(format_args!("Disconnected: tokens deleted{revoked}"))?;
        if let Some(note) = &d.note {
            emit(format_args!("Note: {note}"))?;
        }
        Ok(())
    }

    pub fn connections(&self, list: &[frontdesk_core::store::Connection]) -> Result<(), CoreError> {
        if self.json {
            return self.print_json(list);
        }
        if list.is_empty() {
            return emit(format_args!("No doctor has connected a video-visit account yet"));
        }
        for c in list {
            let state = match c.state {
                frontdesk_core::store::ConnectionState::Connected => "connected".to_owned(),
                frontdesk_core::store::ConnectionState::Disconnected => match &c.problem {
                    Some(problem) => format!("disconnected ({problem})"),
                    None => "disconnected".to_owned(),
                },
            };
            let via = match c.kind {
                frontdesk_core::store::ConnectionKind::User => "",
                frontdesk_core::store::ConnectionKind::ServerToServer => " via Server-to-Server",
            };
            emit(format_args!(
                "{} ({})\t{}{}\t{}\t{}",
                c.doctor_name,
                c.doctor_id,
                c.provider.label(),
                via,
                c.account_email.as_deref().unwrap_or("-"),
                state
            ))?;
        }
        Ok(())
    }

    pub fn setting(&self, key: &str, value: Option<&str>) -> Result<(), CoreError> {
        if self.json {
            return self.print_json(&serde_json::json!({ "key": key, "value": value }));
        }
        emit(format_args!("{}", value.unwrap_or("(not set)")))
    }

    pub fn settings(&self, values: &[(&str, Option<String>)]) -> Result<(), CoreError> {
        if self.json {
            let map: serde_json::Map<String, serde_json::Value> =
                values.iter().map(|(k, v)| ((*k).to_owned(), serde_json::json!(v))).collect();
            return self.print_json(&map);
        }
        for (key, value) in values {
            emit(format_args!("{key} = {}", value.as_deref().unwrap_or("(not set)")))?;
        }
        Ok(())
    }
}
