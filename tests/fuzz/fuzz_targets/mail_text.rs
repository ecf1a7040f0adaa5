//! Any text as each of the patient e-mail's texts: refused, or accepted and then filled into an
//! e-mail of every kind in every language, never a panic.
#![no_main]

use frontdesk_core::mail_text::{preview, Language, MailKind, MailTexts, TextKey};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let now = chrono::DateTime::from_timestamp(1_780_000_000, 0).unwrap_or_default();
    for key in TextKey::ALL {
        let Ok(checked) = key.check(text) else { continue };
        for language in Language::ALL {
            let mut texts = MailTexts::defaults(language);
            texts.set(key, checked.clone());
            for kind in [MailKind::New, MailKind::Moved, MailKind::Cancelled] {
                let mail = preview(&texts, kind, "Maple Clinic", chrono_tz::America::Toronto, now);
                assert!(!mail.subject.contains('\n'), "a subject is one line");
            }
        }
    }
});
