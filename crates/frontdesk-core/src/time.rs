//! Time rules: local wall times in IANA zones, turned into UTC instants without silent shifts.
//!
//! Every appointment is stored as a UTC instant plus the zone it was booked in. This module owns
//! the conversion, and refuses what has no single answer: a wall time that does not exist (the
//! spring-forward gap) is refused with the valid times on either side; a wall time that happens
//! twice (the fall-back overlap) is refused unless the caller picks [`Fold::Earlier`] or
//! [`Fold::Later`]. It never guesses.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::error::{CoreError, Field, Result};

/// The first and last years Frontdesk accepts in any date.
pub const YEAR_RANGE: std::ops::RangeInclusive<i32> = 1900..=2200;

/// Which of the two instants to take when a local time happens twice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "lowercase")]
pub enum Fold {
    /// The first occurrence (still on daylight time, before the clocks go back).
    Earlier,
    /// The second occurrence (after the clocks have gone back).
    Later,
}

/// A wall-clock time in a zone, as a person at the desk types it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LocalTime {
    pub at: NaiveDateTime,
    pub tz: Tz,
    /// The choice for an ambiguous time; ignored when the time is not ambiguous.
    pub fold: Option<Fold>,
}

impl LocalTime {
    /// The UTC instant of this wall time. See [`resolve`].
    ///
    /// # Errors
    /// [`CoreError::NonexistentTime`] or [`CoreError::AmbiguousTime`], as for [`resolve`].
    pub fn instant(&self) -> Result<DateTime<Utc>> {
        resolve(self.at, self.tz, self.fold)
    }
}

/// Parses an IANA zone name such as `America/Toronto`.
///
/// # Errors
/// [`CoreError::InvalidField`] on [`Field::TZ`] for a name that is not in the IANA database.
pub fn parse_zone(name: &str) -> Result<Tz> {
    let trimmed = name.trim();
    trimmed.parse::<Tz>().map_err(|_| {
        CoreError::invalid_field(
            Field::TZ,
            format!(
                "unknown time zone \"{}\": use an IANA name such as America/Toronto or Europe/London",
                printable(trimmed)
            ),
        )
    })
}

/// Parses a calendar date `YYYY-MM-DD` with a year in [`YEAR_RANGE`].
///
/// # Errors
/// [`CoreError::InvalidField`] on `field` when the text is not such a date.
pub fn parse_date(field: Field, text: &str) -> Result<NaiveDate> {
    let date = NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| {
        // The text is not repeated: it may be a patient's date of birth.
        CoreError::invalid_field(field, "not a date; write it as YYYY-MM-DD, e.g. 2026-03-08")
    })?;
    check_year(field, date.year())?;
    Ok(date)
}

/// Parses a local wall time `YYYY-MM-DDTHH:MM` (seconds optional) with a year in [`YEAR_RANGE`].
///
/// # Errors
/// [`CoreError::InvalidField`] on `field` when the text is not such a time.
pub fn parse_local(field: Field, text: &str) -> Result<NaiveDateTime> {
    let trimmed = text.trim();
    let parsed = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
        .iter()
        .find_map(|fmt| NaiveDateTime::parse_from_str(trimmed, fmt).ok())
        .ok_or_else(|| {
            CoreError::invalid_field(
                field,
                format!(
                    "\"{}\" is not a date and time; write it as YYYY-MM-DDTHH:MM, e.g. 2026-03-08T09:30",
                    printable(text)
                ),
            )
        })?;
    check_year(field, parsed.year())?;
    Ok(parsed)
}

fn check_year(field: Field, year: i32) -> Result<()> {
    if YEAR_RANGE.contains(&year) {
        Ok(())
    } else {
        Err(CoreError::invalid_field(
            field,
            // Nor is the year, for the same reason.
            format!("the year must be within {}..{}", YEAR_RANGE.start(), YEAR_RANGE.end()),
        ))
    }
}

/// Turns a local wall time in `tz` into a UTC instant.
///
/// # Errors
/// - [`CoreError::NonexistentTime`] when the wall time falls in a spring-forward gap; the message
///   names the last valid minute before the gap and the first valid time after it.
/// - [`CoreError::AmbiguousTime`] when the wall time happens twice and `fold` is `None`; the
///   message names both instants with their offsets.
pub fn resolve(local: NaiveDateTime, tz: Tz, fold: Option<Fold>) -> Result<DateTime<Utc>> {
    match tz.from_local_datetime(&local) {
        chrono::LocalResult::Single(t) => Ok(t.with_timezone(&Utc)),
        chrono::LocalResult::Ambiguous(first, second) => match fold {
            Some(Fold::Earlier) => Ok(first.with_timezone(&Utc)),
            Some(Fold::Later) => Ok(second.with_timezone(&Utc)),
            None => Err(CoreError::AmbiguousTime(format!(
                "{} happens twice in {tz} (the clocks go back that night): choose earlier ({}, UTC{}) or later ({}, UTC{})",
                local.format("%Y-%m-%d %H:%M"),
                first.format("%H:%M %Z"),
                first.offset().fix(),
                second.format("%H:%M %Z"),
                second.offset().fix(),
            ))),
        },
        chrono::LocalResult::None => {
            let gap = gap_around(local, tz);
            Err(CoreError::NonexistentTime(format!(
                "{} does not exist in {tz}: at {} the clocks jump forward to {}; the valid times on either side are {} and {}",
                local.format("%Y-%m-%d %H:%M"),
                gap.starts.format("%H:%M"),
                gap.ends.format("%H:%M"),
                (gap.starts - Duration::minutes(1)).format("%H:%M"),
                gap.ends.format("%H:%M"),
            )))
        }
    }
}

/// A spring-forward gap: local wall times in `[starts, ends)` do not exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Gap {
    pub starts: NaiveDateTime,
    pub ends: NaiveDateTime,
    /// The instant of the transition.
    pub at: DateTime<Utc>,
}

/// Finds the gap that contains `local`, which must not exist in `tz`.
///
/// Zone transitions are at least days apart, so the offsets a day either side of the wall time
/// are the ones before and after the gap; the transition instant is found by bisection.
pub fn gap_around(local: NaiveDateTime, tz: Tz) -> Gap {
    let offset_at = |t: i64| -> i64 {
        let instant = DateTime::<Utc>::from_timestamp(t, 0).unwrap_or_default();
        i64::from(tz.offset_from_utc_datetime(&instant.naive_utc()).fix().local_minus_utc())
    };
    let guess = local.and_utc().timestamp();
    let mut lo = guess - 2 * 86_400;
    let mut hi = guess + 2 * 86_400;
    let before = offset_at(lo);
    // Invariant: offset_at(lo) == before, offset_at(hi) != before.
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if offset_at(mid) == before {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    let after = offset_at(hi);
    let at = DateTime::<Utc>::from_timestamp(hi, 0).unwrap_or_default();
    let naive = at.naive_utc();
    Gap { starts: naive + Duration::seconds(before), ends: naive + Duration::seconds(after), at }
}

/// The UTC bounds `[start, end)` of the local calendar day `date` in `tz`.
///
/// The day is exactly the local day: 23 hours on a spring-forward day, 25 on a fall-back day,
/// and it starts at the first instant of the date even where midnight itself does not exist.
pub fn day_bounds(date: NaiveDate, tz: Tz) -> (DateTime<Utc>, DateTime<Utc>) {
    let start_of = |d: NaiveDate| -> DateTime<Utc> {
        let midnight = d.and_hms_opt(0, 0, 0).unwrap_or_default();
        match tz.from_local_datetime(&midnight) {
            chrono::LocalResult::Single(t) => t.with_timezone(&Utc),
            chrono::LocalResult::Ambiguous(first, _) => first.with_timezone(&Utc),
            chrono::LocalResult::None => gap_around(midnight, tz).at,
        }
    };
    let next = date.succ_opt().unwrap_or(date);
    (start_of(date), start_of(next))
}

/// An instant shown in `tz`, as RFC 3339 with that zone's offset.
pub fn in_zone(instant: DateTime<Utc>, tz: Tz) -> DateTime<chrono::FixedOffset> {
    instant.with_timezone(&tz).fixed_offset()
}

/// The wall time an instant shows in `tz`, with the fold that names it again when that time
/// happens twice: resolving the answer gives back the same instant.
#[must_use]
pub fn local_of(instant: DateTime<Utc>, tz: Tz) -> LocalTime {
    let at = instant.with_timezone(&tz).naive_local();
    let fold = match tz.from_local_datetime(&at) {
        chrono::LocalResult::Ambiguous(first, _) if first.with_timezone(&Utc) == instant => {
            Some(Fold::Earlier)
        }
        chrono::LocalResult::Ambiguous(..) => Some(Fold::Later),
        _ => None,
    };
    LocalTime { at, tz, fold }
}

/// A day as the desk says it in messages: "Monday, July 6, 2026".
#[must_use]
pub fn spoken_day(date: NaiveDate) -> String {
    date.format("%A, %B %-d, %Y").to_string()
}

/// Today's date in `tz` at `now`.
pub fn today_in(tz: Tz, now: DateTime<Utc>) -> NaiveDate {
    now.with_timezone(&tz).date_naive()
}

/// Shows text in an error message with control characters made visible.
pub(crate) fn printable(text: &str) -> String {
    text.chars().take(80).flat_map(char::escape_debug).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn local(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M").unwrap()
    }

    fn tz(name: &str) -> Tz {
        parse_zone(name).unwrap()
    }

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn ordinary_time_becomes_its_instant() {
        let t = resolve(local("2026-07-01T09:30"), tz("America/Toronto"), None).unwrap();
        assert_eq!(t, utc("2026-07-01T13:30:00Z"));
        let t = resolve(local("2026-01-15T09:30"), tz("Europe/London"), None).unwrap();
        assert_eq!(t, utc("2026-01-15T09:30:00Z"));
    }

    #[test]
    fn toronto_spring_gap_is_refused_with_times_either_side() {
        let err = resolve(local("2026-03-08T02:30"), tz("America/Toronto"), None).unwrap_err();
        assert!(matches!(err, CoreError::NonexistentTime(_)));
        let msg = err.to_string();
        assert!(msg.contains("01:59") && msg.contains("03:00"), "{msg}");
        assert!(msg.contains("America/Toronto"), "{msg}");
        // A fold does not make a nonexistent time exist.
        assert!(resolve(local("2026-03-08T02:00"), tz("America/Toronto"), Some(Fold::Later)).is_err());
        // The edges are valid.
        assert_eq!(
            resolve(local("2026-03-08T01:59"), tz("America/Toronto"), None).unwrap(),
            utc("2026-03-08T06:59:00Z")
        );
        assert_eq!(
            resolve(local("2026-03-08T03:00"), tz("America/Toronto"), None).unwrap(),
            utc("2026-03-08T07:00:00Z")
        );
    }

    #[test]
    fn toronto_fall_overlap_needs_a_choice() {
        let at = local("2026-11-01T01:30");
        let err = resolve(at, tz("America/Toronto"), None).unwrap_err();
        assert!(matches!(err, CoreError::AmbiguousTime(_)));
        let msg = err.to_string();
        assert!(msg.contains("earlier") && msg.contains("later"), "{msg}");
        assert!(msg.contains("-04:00") && msg.contains("-05:00"), "{msg}");
        assert_eq!(
            resolve(at, tz("America/Toronto"), Some(Fold::Earlier)).unwrap(),
            utc("2026-11-01T05:30:00Z")
        );
        assert_eq!(
            resolve(at, tz("America/Toronto"), Some(Fold::Later)).unwrap(),
            utc("2026-11-01T06:30:00Z")
        );
    }

    #[test]
    fn london_gap_and_overlap() {
        let err = resolve(local("2026-03-29T01:15"), tz("Europe/London"), None).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("00:59") && msg.contains("02:00"), "{msg}");
        let at = local("2026-10-25T01:30");
        assert!(matches!(resolve(at, tz("Europe/London"), None), Err(CoreError::AmbiguousTime(_))));
        assert_eq!(
            resolve(at, tz("Europe/London"), Some(Fold::Earlier)).unwrap(),
            utc("2026-10-25T00:30:00Z")
        );
        assert_eq!(resolve(at, tz("Europe/London"), Some(Fold::Later)).unwrap(), utc("2026-10-25T01:30:00Z"));
    }

    #[test]
    fn lord_howe_half_hour_shift() {
        // Lord Howe: +10:30 standard, +11:00 daylight; clocks go 02:00 -> 02:30 on 2026-10-04.
        let zone = tz("Australia/Lord_Howe");
        let err = resolve(local("2026-10-04T02:15"), zone, None).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("01:59") && msg.contains("02:30"), "{msg}");
        assert_eq!(resolve(local("2026-10-04T02:30"), zone, None).unwrap(), utc("2026-10-03T15:30:00Z"));
        // And back 02:00 -> 01:30 on 2026-04-05: 01:45 happens twice, 30 minutes apart.
        let at = local("2026-04-05T01:45");
        assert!(matches!(resolve(at, zone, None), Err(CoreError::AmbiguousTime(_))));
        let earlier = resolve(at, zone, Some(Fold::Earlier)).unwrap();
        let later = resolve(at, zone, Some(Fold::Later)).unwrap();
        assert_eq!(later - earlier, Duration::minutes(30));
        assert_eq!(earlier, utc("2026-04-04T14:45:00Z"));
    }

    #[test]
    fn unknown_zone_is_refused() {
        let err = parse_zone("Mars/Olympus_Mons").unwrap_err();
        assert!(err.to_string().contains("Mars/Olympus_Mons"));
        assert!(parse_zone("").is_err());
        assert!(parse_zone("EST5EDT\n").is_ok(), "trailing whitespace is forgiven");
    }

    #[test]
    fn day_lengths_follow_dst() {
        let toronto = tz("America/Toronto");
        let len = |d: &str, z: Tz| {
            let (a, b) = day_bounds(NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap(), z);
            (b - a).num_minutes()
        };
        assert_eq!(len("2026-03-08", toronto), 23 * 60);
        assert_eq!(len("2026-11-01", toronto), 25 * 60);
        assert_eq!(len("2026-07-01", toronto), 24 * 60);
        assert_eq!(len("2026-03-29", tz("Europe/London")), 23 * 60);
        assert_eq!(len("2026-10-25", tz("Europe/London")), 25 * 60);
        assert_eq!(len("2026-10-04", tz("Australia/Lord_Howe")), 23 * 60 + 30);
        assert_eq!(len("2026-04-05", tz("Australia/Lord_Howe")), 24 * 60 + 30);
        let (start, _) = day_bounds(NaiveDate::from_ymd_opt(2026, 3, 8).unwrap(), toronto);
        assert_eq!(start, utc("2026-03-08T05:00:00Z"));
    }

    #[test]
    fn day_starts_after_a_midnight_gap() {
        // America/Havana springs forward at midnight: 2026-03-08 00:00 does not exist.
        let havana = tz("America/Havana");
        let date = NaiveDate::from_ymd_opt(2026, 3, 8).unwrap();
        assert!(resolve(date.and_hms_opt(0, 0, 0).unwrap(), havana, None).is_err());
        let (start, end) = day_bounds(date, havana);
        assert_eq!(start.with_timezone(&havana).date_naive(), date);
        assert_eq!(
            (start - Duration::seconds(1)).with_timezone(&havana).date_naive(),
            date.pred_opt().unwrap()
        );
        assert_eq!((end - start).num_hours(), 23);
    }

    #[test]
    fn dates_and_years_are_checked() {
        const AT: Field = Field::new("at", "--at");
        assert!(parse_date(Field::DATE_OF_BIRTH, "1985-02-29").is_err());
        assert!(parse_date(Field::DATE_OF_BIRTH, "1899-12-31").unwrap_err().to_string().contains("1900"));
        assert!(parse_date(Field::DATE_OF_BIRTH, "2201-01-01").is_err());
        assert!(parse_date(Field::DATE_OF_BIRTH, "2200-12-31").is_ok());
        assert!(parse_local(AT, "2026-13-01T10:00").is_err());
        assert!(parse_local(AT, "2026-03-01T24:00").is_err());
        assert!(parse_local(AT, "tomorrow").unwrap_err().to_string().contains("YYYY-MM-DDTHH:MM"));
        assert_eq!(parse_local(AT, "2026-03-01T10:05").unwrap(), local("2026-03-01T10:05"));
    }
}
