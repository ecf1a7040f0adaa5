//! `hours`: the clinic's opening hours, doctors' weekly hours from a date, and the exceptions
//! (days off, clinic holidays, extra hours); and `free`, the first free slots for a type of
//! visit. The rules are the core's (`frontdesk_core::hours`); this module reads the flags and
//! prints.

use std::collections::HashMap;

use clap::{ArgGroup, Args, Subcommand};
use frontdesk_core::hours::{
    self, Block, Day, DayPart, ExceptionKind, FreeSlot, Hours, HoursException, WeekHours,
};
use frontdesk_core::store::{FreeSlotQuery, NewException};
use frontdesk_core::{time, Actor, Clinic, CoreError, Field, StaffId, Store, TypeId};

use crate::output::{emit, Output};

#[derive(Subcommand)]
pub enum HoursCommand {
    /// List every hour entered: the clinic's, each doctor's weeks, and the exceptions.
    Show {
        /// Only this doctor's (with the clinic's).
        #[arg(long, value_name = "ID")]
        doctor: Option<i64>,
    },
    /// The clinic's opening hours.
    #[command(subcommand)]
    Clinic(ClinicHours),
    /// A doctor's weekly hours from a date on.
    #[command(subcommand)]
    Doctor(DoctorHours),
    /// Days not worked: a doctor's (--doctor) or the whole clinic's holidays (--clinic).
    #[command(group(ArgGroup::new("whose").required(true).args(["doctor", "clinic"])))]
    Off {
        #[arg(long, value_name = "ID")]
        doctor: Option<i64>,
        /// A holiday of the whole clinic.
        #[arg(long)]
        clinic: bool,
        /// The first day off.
        #[arg(long, value_name = "YYYY-MM-DD")]
        date: String,
        /// The last day off (default: --date).
        #[arg(long, value_name = "YYYY-MM-DD")]
        to: Option<String>,
        /// What the clinic calls it ("Canada Day", "Conference").
        #[arg(long, value_name = "TEXT")]
        label: Option<String>,
    },
    /// One-off extra working hours of a doctor on one day (worked even where the week or the
    /// clinic's hours say otherwise).
    Extra {
        #[arg(long, value_name = "ID")]
        doctor: i64,
        #[arg(long, value_name = "YYYY-MM-DD")]
        date: String,
        /// HH:MM-HH:MM, in the clinic's zone.
        #[arg(value_name = "HOURS")]
        hours: String,
        #[arg(long, value_name = "TEXT")]
        label: Option<String>,
    },
    /// Remove an exception (a day off, a holiday, extra hours) by its number in `hours show`.
    Remove { id: i64 },
}

/// The week's blocks, as `--weekday DAY HOURS`, repeated.
#[derive(Args)]
pub struct Week {
    /// A weekday (mon..sun, or a range such as mon-fri) and its hours: HH:MM-HH:MM blocks
    /// separated by commas, or `off`. Repeat for each weekday; a weekday not given is not worked.
    #[arg(long = "weekday", num_args = 2, value_names = ["DAY", "HOURS"], required = true)]
    weekday: Vec<String>,
}

#[derive(Subcommand)]
pub enum ClinicHours {
    /// Set the clinic's opening hours for the whole week (a weekday not given is closed).
    Set {
        #[command(flatten)]
        week: Week,
    },
    /// Remove the clinic's opening hours: open at all hours, as before any were entered.
    Clear,
}

#[derive(Subcommand)]
pub enum DoctorHours {
    /// Set a doctor's weekly hours from a day on (replacing any set from that same day).
    Set {
        id: i64,
        /// The first day these hours apply (until the doctor's next week's date).
        #[arg(long, value_name = "YYYY-MM-DD")]
        from: String,
        #[command(flatten)]
        week: Week,
    },
    /// Remove the doctor's weekly hours that start on a day.
    Remove {
        id: i64,
        #[arg(long, value_name = "YYYY-MM-DD")]
        from: String,
    },
}

/// `free`'s flags.
#[derive(Args)]
pub struct FreeArgs {
    /// The type of visit (its length).
    #[arg(long = "type", value_name = "ID")]
    type_id: i64,
    /// One doctor (default: any active doctor).
    #[arg(long, value_name = "ID")]
    doctor: Option<i64>,
    /// The first day to look at, in the clinic's zone (default: today; never before now).
    #[arg(long, value_name = "YYYY-MM-DD")]
    from: Option<String>,
    /// How many days to look at (default 31, at most 92).
    #[arg(long, value_name = "N")]
    days: Option<u32>,
    /// How many slots (default 5, at most 50).
    #[arg(long, value_name = "N")]
    count: Option<u32>,
    /// Only slots that start before 12:00.
    #[arg(long, conflicts_with = "afternoon")]
    morning: bool,
    /// Only slots that start at 12:00 or later.
    #[arg(long)]
    afternoon: bool,
}

fn date(flag: &'static str, text: &str) -> Result<chrono::NaiveDate, CoreError> {
    time::parse_date(Field::new(flag.trim_start_matches('-'), flag), text)
}

/// `--weekday` pairs as a week: `mon 09:00-12:00,13:00-17:00`, `mon-fri 08:00-18:00`, `sat off`.
fn week(args: &Week) -> Result<WeekHours, CoreError> {
    let mut days = Vec::new();
    for pair in args.weekday.chunks(2) {
        let [day, blocks] = pair else {
            return Err(CoreError::invalid(
                "--weekday: give a weekday and its hours, e.g. --weekday mon 09:00-17:00",
            ));
        };
        let range: Vec<Day> = match day.split_once('-') {
            Some((a, b)) => {
                let (a, b) = (Day::from_user(a)?.index(), Day::from_user(b)?.index());
                if b < a {
                    return Err(CoreError::invalid(format!(
                        "--weekday: {day} runs backwards; write it Monday first, e.g. mon-fri"
                    )));
                }
                Day::ALL[a..=b].to_vec()
            }
            None => vec![Day::from_user(day)?],
        };
        for d in range {
            days.push((d, hours::parse_day(d.name(), blocks)?));
        }
    }
    WeekHours::new(days)
}

pub async fn run(
    store: &Store,
    actor: &Actor,
    clinic: &Clinic,
    command: HoursCommand,
    out: &Output,
) -> Result<(), CoreError> {
    match command {
        HoursCommand::Show { doctor } => {
            if let Some(d) = doctor {
                store.staff(StaffId(d)).await?;
            }
            show(store, clinic, &store.hours().await?, doctor.map(StaffId), out).await
        }
        HoursCommand::Clinic(ClinicHours::Set { week: w }) => {
            let hours = store.set_clinic_hours(actor, &week(&w)?).await?;
            show(store, clinic, &hours, None, out).await
        }
        HoursCommand::Clinic(ClinicHours::Clear) => {
            let hours = store.clear_clinic_hours(actor).await?;
            show(store, clinic, &hours, None, out).await
        }
        HoursCommand::Doctor(DoctorHours::Set { id, from, week: w }) => {
            let hours =
                store.set_doctor_hours(actor, StaffId(id), date("--from", &from)?, &week(&w)?).await?;
            show(store, clinic, &hours, Some(StaffId(id)), out).await
        }
        HoursCommand::Doctor(DoctorHours::Remove { id, from }) => {
            let hours = store.remove_doctor_hours(actor, StaffId(id), date("--from", &from)?).await?;
            show(store, clinic, &hours, Some(StaffId(id)), out).await
        }
        HoursCommand::Off { doctor, clinic: _, date: first, to, label } => {
            let new = NewException {
                doctor_id: doctor.map(StaffId),
                kind: ExceptionKind::Off,
                first_day: date("--date", &first)?,
                last_day: to.as_deref().map(|t| date("--to", t)).transpose()?,
                block: None,
                label,
            };
            let added = store.add_hours_exception(actor, &new).await?;
            exception(store, &added, "Added", out).await
        }
        HoursCommand::Extra { doctor, date: day, hours: text, label } => {
            let new = NewException {
                doctor_id: Some(StaffId(doctor)),
                kind: ExceptionKind::Extra,
                first_day: date("--date", &day)?,
                last_day: None,
                block: Some(Block::parse(&text)?),
                label,
            };
            let added = store.add_hours_exception(actor, &new).await?;
            exception(store, &added, "Added", out).await
        }
        HoursCommand::Remove { id } => {
            let removed = store.remove_hours_exception(actor, id).await?;
            exception(store, &removed, "Removed", out).await
        }
    }
}

/// `free`: the first free slots.
pub async fn free(store: &Store, clinic: &Clinic, args: FreeArgs, out: &Output) -> Result<(), CoreError> {
    let query = FreeSlotQuery {
        type_id: TypeId(args.type_id),
        doctor_id: args.doctor.map(StaffId),
        from: args.from.as_deref().map(|d| date("--from", d)).transpose()?,
        days: args.days,
        count: args.count,
        part: match (args.morning, args.afternoon) {
            (true, _) => Some(DayPart::Morning),
            (_, true) => Some(DayPart::Afternoon),
            _ => None,
        },
    };
    let slots = store.free_slots(&query).await?;
    if out.json {
        return out.json_value(&slots);
    }
    if slots.is_empty() {
        return emit(format_args!("No free slot in those days; look further ahead with --from or --days"));
    }
    let names = names(store).await?;
    for FreeSlot { doctor_id, start, end, .. } in &slots {
        let (start, end) = (start.with_timezone(&clinic.tz), end.with_timezone(&clinic.tz));
        emit(format_args!(
            "{}  {}-{}  {}  {} ({doctor_id})",
            start.format("%a %Y-%m-%d"),
            start.format("%H:%M"),
            end.format("%H:%M %Z"),
            clinic.tz.name(),
            names.get(doctor_id).map_or("", String::as_str),
        ))?;
    }
    Ok(())
}

async fn names(store: &Store) -> Result<HashMap<StaffId, String>, CoreError> {
    Ok(store.list_all_staff().await?.into_iter().map(|s| (s.id, s.name)).collect())
}

fn week_lines(week: &WeekHours) -> Vec<String> {
    if week.is_empty() {
        return vec!["    no weekly hours".to_owned()];
    }
    week.days
        .iter()
        .map(|d| {
            let blocks: Vec<String> = d.blocks.iter().map(Block::to_string).collect();
            format!("    {:<9}  {}", d.day.name(), blocks.join(", "))
        })
        .collect()
}

/// Every hour entered (the clinic's, and every doctor's or one's), in JSON or as lines.
async fn show(
    store: &Store,
    clinic: &Clinic,
    hours: &Hours,
    doctor: Option<StaffId>,
    out: &Output,
) -> Result<(), CoreError> {
    let mine = |d: Option<StaffId>| doctor.is_none() || d.is_none() || d == doctor;
    let shown = Hours {
        clinic: hours.clinic.clone(),
        doctors: hours.doctors.iter().filter(|w| mine(Some(w.doctor_id))).cloned().collect(),
        exceptions: hours.exceptions.iter().filter(|e| mine(e.doctor_id)).cloned().collect(),
    };
    if out.json {
        return out.json_value(&shown);
    }
    let names = names(store).await?;
    let name = |d: StaffId| names.get(&d).cloned().unwrap_or_else(|| format!("staff {d}"));
    match &shown.clinic {
        None => {
            emit(format_args!("Clinic: no opening hours entered (open at all hours) [{}]", clinic.tz.name()))?
        }
        Some(week) => {
            emit(format_args!("Clinic opening hours [{}]:", clinic.tz.name()))?;
            for line in week_lines(week) {
                emit(format_args!("{line}"))?;
            }
        }
    }
    if shown.doctors.is_empty() {
        emit(format_args!("Doctors: no weekly hours entered (each works whenever the clinic is open)"))?;
    }
    for w in &shown.doctors {
        emit(format_args!("{} ({}) from {}:", name(w.doctor_id), w.doctor_id, w.effective_from))?;
        for line in week_lines(&w.week) {
            emit(format_args!("{line}"))?;
        }
    }
    if !shown.exceptions.is_empty() {
        emit(format_args!("Exceptions:"))?;
    }
    for e in &shown.exceptions {
        emit(format_args!("    {}", describe(e, &name)))?;
    }
    Ok(())
}

fn describe(e: &HoursException, name: &dyn Fn(StaffId) -> String) -> String {
    let days = if e.first_day == e.last_day {
        e.first_day.to_string()
    } else {
        format!("{} to {}", e.first_day, e.last_day)
    };
    let what = match (e.kind, e.doctor_id, e.block) {
        (ExceptionKind::Off, None, _) => "clinic closed".to_owned(),
        (ExceptionKind::Off, Some(d), _) => format!("{} off", name(d)),
        (ExceptionKind::Extra, d, b) => format!(
            "{} works {}",
            d.map(name).unwrap_or_default(),
            b.map(|b| b.to_string()).unwrap_or_default()
        ),
    };
    let label = e.label.as_deref().map(|l| format!(" ({l})")).unwrap_or_default();
    format!("#{:<4} {days}  {what}{label}", e.id)
}

async fn exception(store: &Store, e: &HoursException, verb: &str, out: &Output) -> Result<(), CoreError> {
    if out.json {
        return out.json_value(e);
    }
    let names = names(store).await?;
    let name = |d: StaffId| names.get(&d).cloned().unwrap_or_else(|| format!("staff {d}"));
    emit(format_args!("{verb} exception {}", describe(e, &name)))
}
