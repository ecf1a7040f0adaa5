//! Working hours: the clinic's opening hours, each doctor's weekly hours from a date on, and
//! the exceptions (a doctor's days off, the clinic's holidays, a doctor's one-off extra hours);
//! what they make of a local day as UTC instants, across DST changes; and the search for the
//! next free slots. Pure rules and arithmetic: the store reads and writes them
//! (`store/hours.rs`), and never decides them itself (ADR 0021).
//!
//! Hours are wall-clock blocks in the clinic's zone, as minutes since local midnight, so that a
//! 09:00 shift stays 09:00 when the clocks change. A block on a local date runs from the first
//! instant its start shows on the clock to the last instant before its end shows (a start in a
//! spring-forward gap begins when the clocks jump; an end in a fall-back overlap is the later
//! one): weekly blocks are resolved per day this way and are never refused for a DST day, while a
//! one-off extra block whose start or end does not exist on its date is refused when entered.
//!
//! **Nothing entered means no restriction**: a clinic that never entered opening hours is open
//! at all hours, and a doctor with no weekly hours in effect on a date works whenever the clinic
//! is open that day. An extra block is always working time, whatever else says.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, Offset, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::error::{CoreError, Field, Result};
use crate::model::StaffId;
use crate::time;

/// Minutes in a local day's clock: a block ends at most at 24:00.
pub const DAY_MINUTES: u16 = 24 * 60;

/// The longest day off or holiday entered at once, in days.
pub const MAX_DAYS_OFF: i64 = 366;

/// The most days the free-slot search looks ahead.
pub const MAX_SEARCH_DAYS: u32 = 92;

/// The most free slots one search answers.
pub const MAX_SLOTS: usize = 50;

/// The hours of a week or a day, as a form or a command line names them.
pub const HOURS: Field = Field::new("hours", "hours");

word_enum!(
    /// A day of the week, Monday first (ISO 8601).
    Day, "weekday" {
        Mon = "mon",
        Tue = "tue",
        Wed = "wed",
        Thu = "thu",
        Fri = "fri",
        Sat = "sat",
        Sun = "sun",
    }
);

impl Day {
    /// The weekday of a date.
    pub fn of(date: NaiveDate) -> Day {
        Day::from_index(date.weekday().num_days_from_monday())
    }

    /// 0 for Monday to 6 for Sunday.
    pub fn index(self) -> usize {
        match self {
            Day::Mon => 0,
            Day::Tue => 1,
            Day::Wed => 2,
            Day::Thu => 3,
            Day::Fri => 4,
            Day::Sat => 5,
            Day::Sun => 6,
        }
    }

    /// ISO 8601's number: 1 for Monday to 7 for Sunday (as stored).
    pub fn number(self) -> i64 {
        match self {
            Day::Mon => 1,
            Day::Tue => 2,
            Day::Wed => 3,
            Day::Thu => 4,
            Day::Fri => 5,
            Day::Sat => 6,
            Day::Sun => 7,
        }
    }

    fn from_index(i: u32) -> Day {
        match i {
            0 => Day::Mon,
            1 => Day::Tue,
            2 => Day::Wed,
            3 => Day::Thu,
            4 => Day::Fri,
            5 => Day::Sat,
            _ => Day::Sun,
        }
    }

    /// The day of ISO 8601's number (as stored).
    ///
    /// # Errors
    /// [`CoreError::Invalid`] outside 1..=7.
    pub fn from_number(n: i64) -> Result<Day> {
        match u32::try_from(n) {
            Ok(n @ 1..=7) => Ok(Day::from_index(n - 1)),
            _ => Err(CoreError::invalid(format!("weekday {n} is not 1 (Monday) to 7 (Sunday)"))),
        }
    }

    /// The day as people type it: `mon`, `Monday`, `MON`.
    ///
    /// # Errors
    /// [`CoreError::InvalidField`] on [`HOURS`] naming the accepted words.
    pub fn from_user(text: &str) -> Result<Day> {
        let lower = text.trim().to_ascii_lowercase();
        Day::ALL
            .iter()
            .copied()
            .find(|d| lower == d.as_str() || lower == d.name().to_ascii_lowercase())
            .ok_or_else(|| {
                CoreError::invalid_field(
                    HOURS,
                    format!(
                        "\"{}\" is not a weekday (mon, tue, wed, thu, fri, sat or sun)",
                        time::printable(text)
                    ),
                )
            })
    }

    /// The field of this weekday's hours in a form of the week (its key is [`Day::as_str`]).
    pub fn field(self) -> Field {
        Field::new(self.as_str(), self.name())
    }

    /// The day's English name: `Monday`.
    pub fn name(self) -> &'static str {
        match self {
            Day::Mon => "Monday",
            Day::Tue => "Tuesday",
            Day::Wed => "Wednesday",
            Day::Thu => "Thursday",
            Day::Fri => "Friday",
            Day::Sat => "Saturday",
            Day::Sun => "Sunday",
        }
    }
}

/// A block of working time on a local day: `[start_minute, end_minute)` minutes since local
/// midnight on the clock, `end_minute` at most [`DAY_MINUTES`] (24:00).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, specta::Type)]
pub struct Block {
    pub start_minute: u16,
    pub end_minute: u16,
}

impl Block {
    /// The whole local day, 00:00 to 24:00.
    pub const WHOLE_DAY: Block = Block { start_minute: 0, end_minute: DAY_MINUTES };

    /// A block from `start_minute` to `end_minute`.
    ///
    /// # Errors
    /// [`CoreError::InvalidField`] on [`HOURS`] when the end is not after the start or the
    /// minutes are outside the day.
    pub fn new(start_minute: u16, end_minute: u16) -> Result<Block> {
        let block = Block { start_minute, end_minute };
        if start_minute >= DAY_MINUTES || end_minute > DAY_MINUTES {
            return Err(CoreError::invalid_field(
                HOURS,
                format!("{block}: a day's clock runs from 00:00 to 24:00"),
            ));
        }
        if end_minute < start_minute {
            return Err(CoreError::invalid_field(HOURS, format!("{block}: the end is before the start")));
        }
        if end_minute == start_minute {
            return Err(CoreError::invalid_field(
                HOURS,
                format!("{block}: the block is empty (it ends when it starts)"),
            ));
        }
        Ok(block)
    }

    /// Parses `HH:MM-HH:MM` (an en dash also works; `24:00` only as an end).
    ///
    /// # Errors
    /// [`CoreError::InvalidField`] on [`HOURS`] naming what is wrong.
    pub fn parse(text: &str) -> Result<Block> {
        let t = text.trim();
        let bad = || {
            CoreError::invalid_field(
                HOURS,
                format!(
                    "\"{}\" is not a block of hours; write it as HH:MM-HH:MM, e.g. 09:00-12:00",
                    time::printable(t)
                ),
            )
        };
        let (start, end) = t.split_once(['-', '–']).ok_or_else(bad)?;
        let start = clock_minute(start).ok_or_else(bad)?;
        let end = clock_minute(end).ok_or_else(bad)?;
        if start == DAY_MINUTES {
            return Err(CoreError::invalid_field(HOURS, format!("{t}: a block cannot start at 24:00")));
        }
        Block::new(start, end)
    }

    /// Whether the two blocks share a minute (touching blocks do not).
    pub fn overlaps(self, other: Block) -> bool {
        self.start_minute < other.end_minute && other.start_minute < self.end_minute
    }
}

impl std::fmt::Display for Block {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-{}", Clock(self.start_minute), Clock(self.end_minute))
    }
}

/// A minute of the day as `HH:MM`.
struct Clock(u16);

impl std::fmt::Display for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:02}:{:02}", self.0 / 60, self.0 % 60)
    }
}

/// `HH:MM` (or `H:MM`) as minutes since midnight, 00:00 to 24:00.
fn clock_minute(text: &str) -> Option<u16> {
    let (h, m) = text.trim().split_once(':')?;
    if h.is_empty()
        || h.len() > 2
        || m.len() != 2
        || !(h.chars().chain(m.chars())).all(|c| c.is_ascii_digit())
    {
        return None;
    }
    let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
    let minute = h.checked_mul(60)?.checked_add(m)?;
    (m < 60 && minute <= DAY_MINUTES).then_some(minute)
}

/// Parses one day's blocks: `09:00-12:00,13:00-17:00`, or `off` (none). The blocks come back in
/// order; `day` names the day in the messages.
///
/// # Errors
/// [`CoreError::InvalidField`] on [`HOURS`] for a malformed block, an end before a start, or
/// two blocks that overlap.
pub fn parse_day(day: &str, text: &str) -> Result<Vec<Block>> {
    let t = text.trim();
    if t.eq_ignore_ascii_case("off") || t.eq_ignore_ascii_case("closed") {
        return Ok(Vec::new());
    }
    let blocks =
        t.split(',').map(|b| Block::parse(b).map_err(|e| on_day(day, e))).collect::<Result<Vec<_>>>()?;
    check_day(day, blocks)
}

/// A week as a form gives it: each weekday's blocks as text (`09:00-12:00, 13:00-17:00`; blank
/// or `off` when not worked), parsed as [`parse_day`] does. A refusal names the weekday's own
/// field ([`Day::field`]), so that a form shows it beside that day.
///
/// # Errors
/// [`CoreError::InvalidField`] on the weekday's field for a malformed block, an end before a
/// start or two blocks that overlap; on [`HOURS`] for a weekday given twice.
pub fn parse_week<'a>(days: impl IntoIterator<Item = (Day, &'a str)>) -> Result<WeekHours> {
    let mut week = Vec::new();
    for (day, text) in days {
        let blocks = if text.trim().is_empty() {
            Vec::new()
        } else {
            parse_day(day.name(), text).map_err(|e| match e {
                CoreError::InvalidField { message, .. } => {
                    CoreError::InvalidField { field: day.field(), message }
                }
                other => other,
            })?
        };
        week.push((day, blocks));
    }
    WeekHours::new(week)
}

/// Puts `day`'s name in front of a block's refusal.
fn on_day(day: &str, e: CoreError) -> CoreError {
    match e {
        CoreError::InvalidField { field, message } => {
            CoreError::InvalidField { field, message: format!("on {day}, {message}") }
        }
        other => other,
    }
}

/// Sorts one day's blocks and refuses two that overlap.
///
/// # Errors
/// [`CoreError::InvalidField`] on [`HOURS`] naming the two blocks and the day.
pub fn check_day(day: &str, mut blocks: Vec<Block>) -> Result<Vec<Block>> {
    blocks.sort_unstable();
    for pair in blocks.windows(2) {
        if pair[0].overlaps(pair[1]) {
            return Err(CoreError::invalid_field(
                HOURS,
                format!("on {day}, {} and {} overlap; give each time once", pair[0], pair[1]),
            ));
        }
    }
    Ok(blocks)
}

/// One weekday's blocks in a week's hours.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct DayBlocks {
    pub day: Day,
    pub blocks: Vec<Block>,
}

/// A week's hours: the blocks of each weekday. A weekday not listed (or listed with no block)
/// is not worked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct WeekHours {
    /// In weekday order, each weekday at most once.
    pub days: Vec<DayBlocks>,
}

impl WeekHours {
    /// A week from each weekday's blocks, checked: no weekday twice, no two blocks of a day
    /// overlapping, no end before a start.
    ///
    /// # Errors
    /// [`CoreError::InvalidField`] on [`HOURS`] naming the day and the problem.
    pub fn new(days: impl IntoIterator<Item = (Day, Vec<Block>)>) -> Result<WeekHours> {
        let mut by_day: BTreeMap<usize, DayBlocks> = BTreeMap::new();
        for (day, blocks) in days {
            for b in &blocks {
                Block::new(b.start_minute, b.end_minute).map_err(|e| on_day(day.name(), e))?;
            }
            let blocks = check_day(day.name(), blocks)?;
            if by_day.insert(day.index(), DayBlocks { day, blocks }).is_some() {
                return Err(CoreError::invalid_field(
                    HOURS,
                    format!(
                        "{} is given twice; give each weekday's blocks once, separated by commas",
                        day.name()
                    ),
                ));
            }
        }
        Ok(WeekHours { days: by_day.into_values().filter(|d| !d.blocks.is_empty()).collect() })
    }

    /// The blocks of `day` (none when it is not worked).
    pub fn on(&self, day: Day) -> &[Block] {
        self.days.iter().find(|d| d.day == day).map_or(&[], |d| &d.blocks)
    }

    /// Whether no weekday has a block.
    pub fn is_empty(&self) -> bool {
        self.days.iter().all(|d| d.blocks.is_empty())
    }
}

word_enum!(
    /// What an exception to the weekly hours is.
    ExceptionKind, "exception" {
        /// Days not worked: a doctor's days off, or (with no doctor) the clinic's holidays.
        Off = "off",
        /// One-off extra working hours of a doctor on one date.
        Extra = "extra",
    }
);

/// An exception to the weekly hours.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct HoursException {
    pub id: i64,
    /// The doctor; `None`: the whole clinic (a holiday).
    pub doctor_id: Option<StaffId>,
    pub kind: ExceptionKind,
    /// The first local day it applies to.
    pub first_day: NaiveDate,
    /// The last local day it applies to (the same day for extra hours).
    pub last_day: NaiveDate,
    /// The extra hours; `None` for days off.
    pub block: Option<Block>,
    /// What the clinic calls it ("Canada Day", "Conference").
    pub label: Option<String>,
}

impl HoursException {
    fn covers(&self, date: NaiveDate) -> bool {
        self.first_day <= date && date <= self.last_day
    }
}

/// A doctor's weekly hours from a date on, until the next of theirs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct DoctorWeek {
    pub doctor_id: StaffId,
    pub effective_from: NaiveDate,
    pub week: WeekHours,
}

/// Every hour entered: what `hours show` lists, and what the rules below read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, specta::Type)]
pub struct Hours {
    /// The clinic's opening hours; `None` when never entered (open at all hours).
    pub clinic: Option<WeekHours>,
    /// Doctors' weekly hours, by doctor and then effective date.
    pub doctors: Vec<DoctorWeek>,
    /// The exceptions, by first day.
    pub exceptions: Vec<HoursException>,
}

/// Why a doctor does not work on a whole local day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Closed {
    /// The clinic's holiday, with its label.
    Holiday(Option<String>),
    /// The doctor's day off, with its label.
    DayOff(Option<String>),
}

/// What the hours make of one doctor's local day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalDay {
    /// The working blocks on the clock, in order, merged; the whole day when nothing restricts it.
    pub blocks: Vec<Block>,
    /// A holiday or a day off, when the day is one (extra hours may still be worked).
    pub closed: Option<Closed>,
}

impl Hours {
    /// Whether anything restricts `doctor` at all: clinic hours, their weekly hours, or an
    /// exception of theirs or of the clinic.
    pub fn restricts(&self, doctor: StaffId) -> bool {
        self.clinic.is_some()
            || self.doctors.iter().any(|w| w.doctor_id == doctor)
            || self.exceptions.iter().any(|e| e.doctor_id.is_none_or(|d| d == doctor))
    }

    /// The weekly hours of `doctor` in effect on `date`: the latest that starts on or before it.
    pub fn week_of(&self, doctor: StaffId, date: NaiveDate) -> Option<&DoctorWeek> {
        self.doctors
            .iter()
            .filter(|w| w.doctor_id == doctor && w.effective_from <= date)
            .max_by_key(|w| w.effective_from)
    }

    /// The clinic's holiday on `date`, if any.
    pub fn holiday(&self, date: NaiveDate) -> Option<&HoursException> {
        self.exceptions
            .iter()
            .find(|e| e.kind == ExceptionKind::Off && e.doctor_id.is_none() && e.covers(date))
    }

    /// `doctor`'s working blocks on the local `date`: their weekly hours in effect (the whole
    /// day with none) within the clinic's opening hours (the whole day with none), nothing on a
    /// holiday or a day off, and their extra hours on top of whatever that leaves.
    pub fn local_day(&self, doctor: StaffId, date: NaiveDate) -> LocalDay {
        let day = Day::of(date);
        let mine = |e: &&HoursException| e.doctor_id == Some(doctor) && e.covers(date);
        let closed = match self.holiday(date) {
            Some(h) => Some(Closed::Holiday(h.label.clone())),
            None => self
                .exceptions
                .iter()
                .filter(mine)
                .find(|e| e.kind == ExceptionKind::Off)
                .map(|e| Closed::DayOff(e.label.clone())),
        };
        let mut blocks = if closed.is_some() {
            Vec::new()
        } else {
            let whole = [Block::WHOLE_DAY];
            let clinic = self.clinic.as_ref().map_or(&whole[..], |w| w.on(day));
            let own = self.week_of(doctor, date).map_or(&whole[..], |w| w.week.on(day));
            intersect_blocks(clinic, own)
        };
        let extras: Vec<Block> = self
            .exceptions
            .iter()
            .filter(mine)
            .filter(|e| e.kind == ExceptionKind::Extra)
            .filter_map(|e| e.block)
            .collect();
        if !extras.is_empty() {
            blocks.extend(extras);
            blocks = merge_blocks(blocks);
        }
        LocalDay { blocks, closed }
    }
}

/// The minutes two sorted lists of disjoint blocks share.
fn intersect_blocks(a: &[Block], b: &[Block]) -> Vec<Block> {
    let mut out = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        let start = a[i].start_minute.max(b[j].start_minute);
        let end = a[i].end_minute.min(b[j].end_minute);
        if start < end {
            out.push(Block { start_minute: start, end_minute: end });
        }
        if a[i].end_minute < b[j].end_minute {
            i += 1;
        } else {
            j += 1;
        }
    }
    out
}

/// Blocks sorted, with those that overlap or touch made one.
fn merge_blocks(mut blocks: Vec<Block>) -> Vec<Block> {
    blocks.sort_unstable();
    let mut out: Vec<Block> = Vec::with_capacity(blocks.len());
    for b in blocks {
        match out.last_mut() {
            Some(last) if b.start_minute <= last.end_minute => {
                last.end_minute = last.end_minute.max(b.end_minute)
            }
            _ => out.push(b),
        }
    }
    out
}

/// A span of time `[start, end)` in Unix seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Span {
    pub start: i64,
    pub end: i64,
}

/// A local date's clock in a zone: where its minutes fall in UTC.
#[derive(Debug, Clone, Copy)]
pub struct DayClock {
    pub date: NaiveDate,
    /// The day's first instant, and the next day's (Unix seconds).
    pub start: i64,
    pub end: i64,
    tz: Tz,
    /// The offset does not change during the day: minute `m` is `start + 60 m`.
    uniform: bool,
}

impl DayClock {
    /// The clock of `date` in `tz`.
    pub fn new(date: NaiveDate, tz: Tz) -> DayClock {
        let (start, end) = time::day_bounds(date, tz);
        let offset = |t: DateTime<Utc>| tz.offset_from_utc_datetime(&t.naive_utc()).fix();
        let noon = start + chrono::Duration::hours(12);
        let last = end - chrono::Duration::seconds(1);
        let uniform = (end - start).num_seconds() == 86_400
            && offset(start) == offset(noon)
            && offset(noon) == offset(last)
            && start.with_timezone(&tz).time() == chrono::NaiveTime::MIN;
        DayClock { date, start: start.timestamp(), end: end.timestamp(), tz, uniform }
    }

    /// The instant the clock shows `minute` (24:00 is the next day's start). When the clock
    /// never shows it (a spring-forward gap), the instant it jumps; when it shows it twice (a
    /// fall-back overlap), the earlier one, or the later one with `later`.
    pub fn instant(&self, minute: u16, later: bool) -> i64 {
        if minute >= DAY_MINUTES {
            return self.end;
        }
        if self.uniform {
            return self.start + i64::from(minute) * 60;
        }
        let local =
            self.date.and_hms_opt(u32::from(minute / 60), u32::from(minute % 60), 0).unwrap_or_default();
        match self.tz.from_local_datetime(&local) {
            chrono::LocalResult::Single(t) => t.timestamp(),
            chrono::LocalResult::Ambiguous(first, second) => {
                if later {
                    second.timestamp()
                } else {
                    first.timestamp()
                }
            }
            chrono::LocalResult::None => time::gap_around(local, self.tz).at.timestamp(),
        }
    }

    /// The spans of `blocks` on this day: each from its start's first instant to its end's last.
    /// A block wholly inside a gap has none.
    pub fn spans(&self, blocks: &[Block]) -> Vec<Span> {
        blocks
            .iter()
            .map(|b| Span {
                start: self.instant(b.start_minute, false),
                end: self.instant(b.end_minute, true),
            })
            .filter(|s| s.start < s.end)
            .collect()
    }
}

/// The clocks of `days` local days from `first`.
pub fn day_clocks(first: NaiveDate, days: u32, tz: Tz) -> Vec<DayClock> {
    first.iter_days().take(days as usize).map(|d| DayClock::new(d, tz)).collect()
}

/// Spans sorted, with those that overlap or touch made one.
pub fn merge_spans(mut spans: Vec<Span>) -> Vec<Span> {
    spans.sort_unstable();
    let mut out: Vec<Span> = Vec::with_capacity(spans.len());
    for s in spans {
        match out.last_mut() {
            Some(last) if s.start <= last.end => last.end = last.end.max(s.end),
            _ => out.push(s),
        }
    }
    out
}

/// `doctor`'s working spans over the days of `clocks`, merged (a night's block before 24:00 and
/// the next morning's from 00:00 make one).
pub fn working_spans(hours: &Hours, doctor: StaffId, clocks: &[DayClock]) -> Vec<Span> {
    let mut spans = Vec::with_capacity(clocks.len() * 2);
    for clock in clocks {
        spans.extend(clock.spans(&hours.local_day(doctor, clock.date).blocks));
    }
    merge_spans(spans)
}

/// Whether `[start, end)` lies wholly within one of the merged `spans`.
pub fn within(spans: &[Span], start: i64, end: i64) -> bool {
    spans.iter().any(|s| s.start <= start && end <= s.end)
}

/// `spans` minus `taken` (both sorted; `taken` may overlap itself).
pub fn subtract(spans: &[Span], taken: &[Span]) -> Vec<Span> {
    let mut out = Vec::with_capacity(spans.len() + taken.len());
    let mut k = 0;
    for s in spans {
        let mut from = s.start;
        // Skip what ends before this span; `taken` is sorted by start, so walk from k.
        while k < taken.len() && taken[k].end <= s.start {
            k += 1;
        }
        let mut j = k;
        while j < taken.len() && taken[j].start < s.end {
            let t = taken[j];
            if t.start > from {
                out.push(Span { start: from, end: t.start });
            }
            from = from.max(t.end);
            j += 1;
        }
        if from < s.end {
            out.push(Span { start: from, end: s.end });
        }
    }
    out
}

word_enum!(
    /// A part of the day a patient asks for.
    DayPart, "part of the day" {
        /// Visits that start before 12:00.
        Morning = "morning",
        /// Visits that start at 12:00 or later.
        Afternoon = "afternoon",
    }
);

/// What the free-slot search is asked.
#[derive(Debug, Clone)]
pub struct SlotSearch {
    /// The visit's length (its type's), in minutes.
    pub minutes: i64,
    /// The doctors to look at, in the order ties are answered.
    pub doctors: Vec<StaffId>,
    /// The first local day, and how many days to look at.
    pub first: NaiveDate,
    pub days: u32,
    /// No slot starts before this instant (now, when the search starts today).
    pub not_before: DateTime<Utc>,
    /// How many slots to answer.
    pub count: usize,
    /// Only slots that start in this part of the day.
    pub part: Option<DayPart>,
}

/// An active visit that holds a doctor's time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Taken {
    pub doctor: StaffId,
    pub span: Span,
}

/// A free slot: a doctor, and the visit's start and end.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct FreeSlot {
    pub doctor_id: StaffId,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// The start on the clinic's clock, with its offset.
    pub local_start: DateTime<FixedOffset>,
}

/// The first `search.count` free slots, earliest first (ties in `search.doctors`' order): each a
/// whole minute, within the doctor's working time, overlapping none of their `taken` visits nor
/// an earlier answer of theirs, starting no earlier than `search.not_before`, and in the part of
/// the day asked for. `taken` need not be sorted.
pub fn free_slots(hours: &Hours, taken: &[Taken], search: &SlotSearch, tz: Tz) -> Vec<FreeSlot> {
    let count = search.count.min(MAX_SLOTS);
    let Some(length) = search.minutes.checked_mul(60).filter(|l| *l > 0) else { return Vec::new() };
    if count == 0 {
        return Vec::new();
    }
    let clocks = day_clocks(search.first, search.days.min(MAX_SEARCH_DAYS), tz);
    // Where a start may fall for the part of the day asked for (the same for every doctor).
    let windows: Option<Vec<Span>> = search.part.map(|part| {
        clocks
            .iter()
            .map(|c| {
                let noon = c.instant(12 * 60, false);
                match part {
                    DayPart::Morning => Span { start: c.start, end: noon },
                    DayPart::Afternoon => Span { start: noon, end: c.end },
                }
            })
            .filter(|s| s.start < s.end)
            .collect()
    });
    let mut by_doctor: BTreeMap<StaffId, Vec<Span>> = BTreeMap::new();
    for t in taken {
        by_doctor.entry(t.doctor).or_default().push(t.span);
    }
    let not_before = ceil_minute(search.not_before.timestamp());
    let mut found: Vec<(i64, usize)> = Vec::new();
    for (rank, doctor) in search.doctors.iter().enumerate() {
        let mut busy = by_doctor.remove(doctor).unwrap_or_default();
        busy.sort_unstable();
        let free = subtract(&working_spans(hours, *doctor, &clocks), &busy);
        // The instants each slot may start at: [start, end - length] of each free span.
        let mut starts: Vec<Span> = free
            .iter()
            .filter_map(|f| {
                let first = ceil_minute(f.start.max(not_before));
                let last = f.end - length;
                (first <= last).then_some(Span { start: first, end: last })
            })
            .collect();
        if let Some(windows) = &windows {
            starts = intersect_closed(&starts, windows);
        }
        let mut cursor = i64::MIN;
        let mut mine = 0;
        'spans: for s in starts {
            let mut t = ceil_minute(s.start.max(cursor));
            while t <= s.end {
                found.push((t, rank));
                mine += 1;
                if mine == count {
                    break 'spans;
                }
                cursor = t + length;
                t = ceil_minute(cursor);
            }
        }
    }
    found.sort_unstable();
    found.truncate(count);
    found
        .into_iter()
        .filter_map(|(t, rank)| {
            let start = DateTime::from_timestamp(t, 0)?;
            let end = DateTime::from_timestamp(t + length, 0)?;
            Some(FreeSlot {
                doctor_id: search.doctors[rank],
                start,
                end,
                local_start: time::in_zone(start, tz),
            })
        })
        .collect()
}

/// Start ranges (`[start, end]`, both ends allowed) within the half-open `windows`.
fn intersect_closed(starts: &[Span], windows: &[Span]) -> Vec<Span> {
    let mut out = Vec::new();
    for s in starts {
        for w in windows {
            let start = s.start.max(w.start);
            // The last whole minute before the window's end.
            let end = s.end.min(w.end - 1);
            if start <= end {
                out.push(Span { start, end });
            }
        }
    }
    out.sort_unstable();
    out
}

/// The next whole minute at or after `t` (Unix seconds).
fn ceil_minute(t: i64) -> i64 {
    t.saturating_add(59).div_euclid(60).saturating_mul(60)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(text: &str) -> Block {
        Block::parse(text).unwrap()
    }

    #[test]
    fn a_forms_week_names_the_weekday_a_refusal_is_about() {
        let week =
            parse_week([(Day::Mon, "09:00-12:00, 13:00-17:00"), (Day::Tue, " "), (Day::Wed, "off")]).unwrap();
        assert_eq!(week.on(Day::Mon), &[b("09:00-12:00"), b("13:00-17:00")]);
        assert!(week.on(Day::Tue).is_empty() && week.on(Day::Wed).is_empty());
        let refused = |text: &str| match parse_week([(Day::Mon, "09:00-12:00"), (Day::Thu, text)]) {
            Err(CoreError::InvalidField { field, message }) => (field.key(), message),
            other => panic!("{other:?}"),
        };
        assert_eq!(
            refused("09:00-12:00,11:00-13:00"),
            ("thu", "on Thursday, 09:00-12:00 and 11:00-13:00 overlap; give each time once".to_owned())
        );
        assert_eq!(
            refused("17:00-13:00"),
            ("thu", "on Thursday, 17:00-13:00: the end is before the start".to_owned())
        );
        assert_eq!(refused("9-5").0, "thu");
    }

    #[test]
    fn blocks_are_parsed_and_refused_with_their_reason() {
        assert_eq!(b("09:00-12:00"), Block { start_minute: 540, end_minute: 720 });
        assert_eq!(b(" 9:30 – 24:00 "), Block { start_minute: 570, end_minute: 1440 });
        assert_eq!(b("13:00-17:00").to_string(), "13:00-17:00");
        let msg = |t: &str| Block::parse(t).unwrap_err().to_string();
        assert_eq!(msg("12:00-09:00"), "hours: 12:00-09:00: the end is before the start");
        assert!(msg("09:00-09:00").contains("empty"));
        assert!(msg("09:00").contains("HH:MM-HH:MM"));
        assert!(msg("9-12").contains("HH:MM-HH:MM"));
        assert!(msg("09:60-12:00").contains("HH:MM-HH:MM"));
        assert!(msg("24:00-24:00").contains("cannot start at 24:00"));
        assert!(msg("09:00-24:01").contains("HH:MM-HH:MM"));
        let overlap = parse_day("Monday", "09:00-12:00,11:00-13:00").unwrap_err().to_string();
        assert_eq!(overlap, "hours: on Monday, 09:00-12:00 and 11:00-13:00 overlap; give each time once");
        assert_eq!(
            parse_day("Monday", "13:00-17:00,09:00-12:00").unwrap(),
            vec![b("09:00-12:00"), b("13:00-17:00")]
        );
        assert_eq!(
            parse_day("Monday", "09:00-12:00,12:00-13:00").unwrap().len(),
            2,
            "touching blocks are fine"
        );
        assert!(parse_day("Monday", "off").unwrap().is_empty());
        let inverted = parse_day("Tuesday", "09:00-12:00,17:00-13:00").unwrap_err().to_string();
        assert_eq!(inverted, "hours: on Tuesday, 17:00-13:00: the end is before the start");
        assert!(WeekHours::new([(Day::Mon, vec![]), (Day::Mon, vec![])])
            .unwrap_err()
            .to_string()
            .contains("Monday is given twice"));
        assert_eq!(Day::from_user("Wednesday").unwrap(), Day::Wed);
        assert!(Day::from_user("wk").unwrap_err().to_string().contains("not a weekday"));
    }

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn utc(s: &str) -> i64 {
        DateTime::parse_from_rfc3339(s).unwrap().timestamp()
    }

    fn tz(name: &str) -> Tz {
        time::parse_zone(name).unwrap()
    }

    /// A 09:00 shift is 09:00 on the clock on either side of a DST change, and blocks across the
    /// change itself run from the first instant of their start to the last of their end.
    #[test]
    fn blocks_keep_their_wall_clock_across_dst() {
        let toronto = tz("America/Toronto");
        let spans = |d: &str, z: Tz, blocks: &[Block]| DayClock::new(date(d), z).spans(blocks);
        let nine = [b("09:00-17:00")];
        assert_eq!(
            spans("2026-03-06", toronto, &nine),
            [Span { start: utc("2026-03-06T14:00:00Z"), end: utc("2026-03-06T22:00:00Z") }]
        );
        assert_eq!(
            spans("2026-03-09", toronto, &nine),
            [Span { start: utc("2026-03-09T13:00:00Z"), end: utc("2026-03-09T21:00:00Z") }]
        );
        // Spring forward at 02:00: a block 01:00-03:00 is one hour; one starting in the gap
        // starts when the clocks jump; one wholly inside the gap is nothing.
        assert_eq!(
            spans("2026-03-08", toronto, &[b("01:00-03:00")]),
            [Span { start: utc("2026-03-08T06:00:00Z"), end: utc("2026-03-08T07:00:00Z") }]
        );
        assert_eq!(spans("2026-03-08", toronto, &[b("02:30-04:00")])[0].start, utc("2026-03-08T07:00:00Z"));
        assert!(spans("2026-03-08", toronto, &[b("02:10-02:50")]).is_empty());
        // Fall back at 02:00 (01:00-02:00 twice): 00:00-03:00 is four hours.
        let fall = spans("2026-11-01", toronto, &[b("00:00-03:00")]);
        assert_eq!(fall, [Span { start: utc("2026-11-01T04:00:00Z"), end: utc("2026-11-01T08:00:00Z") }]);
        // London: the same rules an hour after midnight.
        let london = tz("Europe/London");
        assert_eq!(
            spans("2026-03-29", london, &[b("00:00-03:00")]),
            [Span { start: utc("2026-03-29T00:00:00Z"), end: utc("2026-03-29T02:00:00Z") }]
        );
        assert_eq!(
            spans("2026-10-25", london, &[b("00:30-01:30")]),
            [Span { start: utc("2026-10-24T23:30:00Z"), end: utc("2026-10-25T01:30:00Z") }]
        );
        assert_eq!(
            spans("2026-10-26", london, &[b("09:00-12:00")]),
            [Span { start: utc("2026-10-26T09:00:00Z"), end: utc("2026-10-26T12:00:00Z") }]
        );
        // The whole day is the local day, 23 or 25 hours.
        let whole = spans("2026-03-08", toronto, &[Block::WHOLE_DAY]);
        assert_eq!(whole[0].end - whole[0].start, 23 * 3600);
    }

    #[test]
    fn spans_subtract_and_merge() {
        let s = |a: i64, b: i64| Span { start: a, end: b };
        assert_eq!(merge_spans(vec![s(5, 7), s(0, 2), s(2, 3)]), vec![s(0, 3), s(5, 7)]);
        assert_eq!(
            subtract(&[s(0, 10), s(20, 30)], &[s(2, 4), s(3, 5), s(9, 21), s(25, 26)]),
            vec![s(0, 2), s(5, 9), s(21, 25), s(26, 30)]
        );
        assert!(within(&[s(0, 10)], 0, 10));
        assert!(!within(&[s(0, 5), s(5, 10)], 4, 6), "spans are merged before");
    }
}
