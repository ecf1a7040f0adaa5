//! The paper fallback: the day sheet as a printable file, which every desk writes by itself (into
//! its data folder's `day-sheets`) so that the clinic has the day even if the app cannot start.
//! It holds what the printed day sheet does and no more: each visit's time, doctor, patient,
//! type, mode and status, in the words the desk prints (`ui/src/daysheet.ts`, `ui/src/messages.ts`).

use std::fmt::Write as _;

use chrono::{DateTime, NaiveDate, Utc};

use crate::model::{Mode, Status};
use crate::time;
use crate::views::DaySheet;

/// The folder in the data folder that holds the written day sheets.
pub const DAY_SHEET_FOLDER: &str = "day-sheets";

/// The written day sheet's file name for `date`.
pub fn day_sheet_file(date: NaiveDate) -> String {
    format!("day-sheet-{date}.html")
}

/// The printed word of a status (the desk's `status.*` words).
pub fn status_word(status: Status) -> &'static str {
    match status {
        Status::Booked => "Booked",
        Status::CheckedIn => "Checked in",
        Status::InProgress => "In progress",
        Status::Completed => "Completed",
        Status::Cancelled => "Cancelled",
        Status::NoShow => "No-show",
    }
}

/// The printed word of a mode (the desk's `mode.*` words).
pub fn mode_word(mode: Mode) -> &'static str {
    match mode {
        Mode::InPerson => "In person",
        Mode::Zoom => "Zoom",
        Mode::Teams => "Teams",
    }
}

/// The day sheet of `date` (one of `sheet`'s days) as a page that prints as the desk prints it:
/// one table of every visit by start time, then doctor. `as_of` says when the schedule was read.
pub fn day_sheet_html(sheet: &DaySheet, date: NaiveDate, as_of: DateTime<Utc>) -> String {
    let order = |id| sheet.doctors.iter().position(|d| d.id == id).unwrap_or(usize::MAX);
    let mut rows: Vec<_> =
        sheet.appointments.iter().filter(|r| r.appointment.local_start.date_naive() == date).collect();
    rows.sort_by_key(|r| (r.appointment.start, order(r.appointment.doctor_id)));
    let tz = time::parse_zone(&sheet.tz).ok();
    let as_of = match tz {
        Some(tz) => as_of.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string(),
        None => as_of.format("%Y-%m-%d %H:%M UTC").to_string(),
    };
    let title = format!("{} · {}", sheet.clinic_name, date.format("%A, %B %-d, %Y"));
    let mut page = String::new();
    let _ = write!(
        page,
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title>\
         <style>body{{font:12pt sans-serif;margin:1.5cm}}table{{border-collapse:collapse;width:100%}}\
         th,td{{border:1px solid #444;padding:4px 6px;text-align:left}}p.as-of{{color:#444}}</style></head>\n\
         <body>\n<h1>{title}</h1>\n<p class=\"as-of\">Schedule as of {as_of} ({zone})</p>\n",
        title = escape(&title),
        as_of = escape(&as_of),
        zone = escape(&sheet.tz),
    );
    if rows.is_empty() {
        page.push_str("<p>No appointments this day</p>\n");
    } else {
        page.push_str(
            "<table>\n<thead><tr><th scope=\"col\">Time</th><th scope=\"col\">Doctor</th><th scope=\"col\">Patient</th>\
             <th scope=\"col\">Type</th><th scope=\"col\">Mode</th><th scope=\"col\">Status</th></tr></thead>\n<tbody>\n",
        );
        for row in rows {
            let _ = writeln!(
                page,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                row.appointment.local_start.format("%H:%M"),
                escape(&row.doctor_name),
                escape(&row.patient_name),
                escape(&row.type_name),
                mode_word(row.mode),
                status_word(row.appointment.status),
            );
        }
        page.push_str("</tbody>\n</table>\n");
    }
    page.push_str("</body>\n</html>\n");
    page
}

/// Text as HTML that shows it as it is.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The written sheet says what the printed one says: the words are the desk's own.
    #[test]
    fn the_written_words_are_the_desks_printed_words() {
        let messages = include_str!("../../../ui/src/messages.ts");
        let word = |key: &str| {
            let line = messages.lines().find(|l| l.trim_start().starts_with(&format!("'{key}':")));
            line.and_then(|l| l.split('\'').nth(3)).map(str::to_owned)
        };
        for status in Status::ALL {
            assert_eq!(word(&format!("status.{}", status.as_str())).as_deref(), Some(status_word(*status)));
        }
        for mode in Mode::ALL {
            assert_eq!(word(&format!("mode.{}", mode.as_str())).as_deref(), Some(mode_word(*mode)));
        }
        for (key, text) in [
            ("print.time", "Time"),
            ("print.doctor", "Doctor"),
            ("print.patient", "Patient"),
            ("print.type", "Type"),
            ("print.mode", "Mode"),
            ("print.status", "Status"),
            ("print.empty", "No appointments this day"),
        ] {
            assert_eq!(word(key).as_deref(), Some(text), "{key}");
        }
    }

    #[test]
    fn names_are_shown_as_they_are_never_as_markup() {
        assert_eq!(escape("O'Brien <b>&"), "O&#39;Brien &lt;b&gt;&amp;");
    }
}
