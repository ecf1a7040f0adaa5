//! Any text as a local time, a date and a zone, as the desk and the command line read them; then
//! the local time resolved in the zone: an answer or a refusal, never a panic. A resolved time
//! shows the same wall time in its zone.
#![no_main]

use frontdesk_core::time::{day_bounds, gap_around, parse_date, parse_local, parse_zone, resolve};
use frontdesk_core::{Field, Fold};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    // "<local time>|<zone>", or the whole text as each.
    let (when, zone) = text.split_once('|').unwrap_or((text, text));
    let field = Field::new("at", "--at");
    let _ = parse_date(field, when);
    let tz = parse_zone(zone).unwrap_or(chrono_tz::America::Toronto);
    if let Ok(date) = parse_date(field, when) {
        let (start, end) = day_bounds(date, tz);
        assert!(start < end);
    }
    let Ok(local) = parse_local(field, when) else { return };
    let _ = gap_around(local, tz);
    for fold in [None, Some(Fold::Earlier), Some(Fold::Later)] {
        if let Ok(instant) = resolve(local, tz, fold) {
            assert_eq!(instant.with_timezone(&tz).naive_local(), local, "{when} in {tz}");
        }
    }
});
