//! Any text as the value of every setting: accepted and normalised, or refused with a message,
//! never a panic. A normalised value is accepted again unchanged.
#![no_main]

use frontdesk_settings::{normalise, Setting};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    for setting in Setting::ALL {
        if let Ok(value) = normalise(setting, text) {
            assert_eq!(normalise(setting, &value).ok().as_deref(), Some(value.as_str()), "{setting}");
            let _ = setting.is_providers_own(&value);
        }
    }
});
