//! Any text as a `frontdesk://` link: parsed or refused, never a panic, and what is accepted is
//! what the link says.
#![no_main]

use frontdesk_core::links::{parse, Link};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    match parse(text) {
        Ok(Link::Day { date }) => {
            assert!(chrono::NaiveDate::parse_from_str(&date, "%Y-%m-%d").is_ok(), "{date}");
            assert!(text.contains(&date));
        }
        Ok(Link::Appointment { id }) => assert!(id > 0),
        Ok(Link::OAuthCallback { provider, query }) => {
            assert!(provider == "zoom" || provider == "microsoft");
            assert!(!query.is_empty());
        }
        Err(_) => {}
    }
});
