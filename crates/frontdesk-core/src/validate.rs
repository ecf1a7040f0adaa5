//! Input rules shared by every entry point (app, command line): names, free text, e-mail, phone,
//! durations. Each returns the cleaned value or a [`CoreError::InvalidField`] that carries its
//! [`Field`] as data, with a message written to be shown beside that field.

use crate::error::{CoreError, Field, Result};
use crate::time::printable;

/// The longest name or single-line text accepted, in characters.
pub const MAX_NAME_CHARS: usize = 500;
/// The longest free text (notes, descriptions) accepted, in characters.
pub const MAX_TEXT_CHARS: usize = 10_000;
/// The longest appointment accepted, in minutes (12 hours).
pub const MAX_MINUTES: i64 = 12 * 60;

/// A required single-line text: trimmed, not empty, at most [`MAX_NAME_CHARS`], no control characters.
///
/// # Errors
/// [`CoreError::InvalidField`] on `field`.
pub fn name(field: Field, text: &str) -> Result<String> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(CoreError::invalid_field(field, format!("the {} is empty", field.label())));
    }
    single_line(field, trimmed)
}

/// An optional single-line text: `None` or blank becomes `None`; otherwise as [`name`].
///
/// # Errors
/// [`CoreError::InvalidField`] on `field`.
pub fn optional_line(field: Field, text: Option<&str>) -> Result<Option<String>> {
    match text.map(str::trim) {
        None | Some("") => Ok(None),
        Some(t) => single_line(field, t).map(Some),
    }
}

fn single_line(field: Field, text: &str) -> Result<String> {
    let count = text.chars().count();
    if count > MAX_NAME_CHARS {
        return Err(CoreError::invalid_field(
            field,
            format!("too long ({count} characters; at most {MAX_NAME_CHARS})"),
        ));
    }
    refuse_control(field, text, |_| false)?;
    Ok(text.to_owned())
}

/// Refuses the first control character that `allowed` does not let through.
fn refuse_control(field: Field, text: &str, allowed: impl Fn(char) -> bool) -> Result<()> {
    match text.chars().find(|c| c.is_control() && !allowed(*c)) {
        Some(c) => Err(CoreError::invalid_field(
            field,
            format!("contains a control character ({}); remove it", c.escape_debug()),
        )),
        None => Ok(()),
    }
}

/// An optional free text (note, description): line breaks and tabs allowed, other control
/// characters refused, at most [`MAX_TEXT_CHARS`].
///
/// # Errors
/// [`CoreError::InvalidField`] on `field`.
pub fn optional_text(field: Field, text: Option<&str>) -> Result<Option<String>> {
    let Some(t) = text.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    let count = t.chars().count();
    if count > MAX_TEXT_CHARS {
        return Err(CoreError::invalid_field(
            field,
            format!("too long ({count} characters; at most {MAX_TEXT_CHARS})"),
        ));
    }
    refuse_control(field, t, |c| matches!(c, '\n' | '\r' | '\t'))?;
    Ok(Some(t.to_owned()))
}

/// An optional e-mail address, checked against RFC 5322's address syntax (with a dot in the domain).
///
/// # Errors
/// [`CoreError::InvalidField`] on `field`.
pub fn optional_email(field: Field, text: Option<&str>) -> Result<Option<String>> {
    let Some(t) = optional_line(field, text)? else {
        return Ok(None);
    };
    let parsed = email_address::EmailAddress::parse_with_options(
        &t,
        email_address::Options::default().without_display_text().without_domain_literal(),
    );
    match parsed {
        Ok(addr) if addr.domain().contains('.') && !addr.domain().ends_with('.') => Ok(Some(t)),
        // The address is not repeated: it may be a patient's, and the form still shows it.
        _ => Err(CoreError::invalid_field(field, "not an e-mail address (expected name@example.com)")),
    }
}

/// An optional phone number: digits with the usual separators, 3 to 20 digits.
///
/// # Errors
/// [`CoreError::InvalidField`] on `field`.
pub fn optional_phone(field: Field, text: Option<&str>) -> Result<Option<String>> {
    let Some(t) = optional_line(field, text)? else {
        return Ok(None);
    };
    let allowed = |c: char| c.is_ascii_digit() || " +-().".contains(c);
    let digits = t.chars().filter(char::is_ascii_digit).count();
    if !t.chars().all(allowed) || !(3..=20).contains(&digits) || t.chars().skip(1).any(|c| c == '+') {
        // Nor is a phone number.
        return Err(CoreError::invalid_field(
            field,
            "not a phone number (digits, spaces, + - ( ) and . only)",
        ));
    }
    Ok(Some(t))
}

/// An appointment length in minutes: 1 to [`MAX_MINUTES`].
///
/// # Errors
/// [`CoreError::InvalidField`] on [`Field::MINUTES`].
pub fn minutes(value: i64) -> Result<i64> {
    if (1..=MAX_MINUTES).contains(&value) {
        Ok(value)
    } else {
        Err(CoreError::invalid_field(
            Field::MINUTES,
            format!("{value} is out of range; an appointment lasts 1 to {MAX_MINUTES} minutes"),
        ))
    }
}

/// The fewest digits a new PIN may have. A PIN set before this rule (4 or 5 digits) still signs
/// in, but its owner must then choose a new one before doing anything else.
pub const MIN_PIN_DIGITS: usize = 6;
/// The most digits a PIN may have.
pub const MAX_PIN_DIGITS: usize = 12;

/// A new staff PIN: [`MIN_PIN_DIGITS`] to [`MAX_PIN_DIGITS`] digits. Every place a PIN is set
/// (first start, adding staff, an admin's new PIN, a person's own change) checks it here.
///
/// # Errors
/// [`CoreError::InvalidField`] on [`Field::PIN`].
pub fn pin(text: &str) -> Result<&str> {
    if (MIN_PIN_DIGITS..=MAX_PIN_DIGITS).contains(&text.len()) && text.chars().all(|c| c.is_ascii_digit()) {
        Ok(text)
    } else {
        Err(CoreError::invalid_field(
            Field::PIN,
            format!("use {MIN_PIN_DIGITS} to {MAX_PIN_DIGITS} digits; a shorter PIN is too easy to guess"),
        ))
    }
}

/// Whether a PIN that signed in is shorter than new PINs may be, so that its owner must choose
/// a new one.
pub fn pin_too_short(text: &str) -> bool {
    text.chars().count() < MIN_PIN_DIGITS
}

/// A BCP 47 language tag such as `en-CA`, `fr-CA` or `es-MX` (syntax only).
///
/// # Errors
/// [`CoreError::InvalidField`] on [`Field::LOCALE`].
pub fn locale(text: &str) -> Result<String> {
    let t = text.trim();
    let mut parts = t.split('-');
    let language_ok = parts
        .next()
        .is_some_and(|l| (2..=3).contains(&l.len()) && l.chars().all(|c| c.is_ascii_alphabetic()));
    let rest_ok = parts.all(|p| (2..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()));
    if language_ok && rest_ok && t.len() <= 35 {
        Ok(t.to_owned())
    } else {
        Err(CoreError::invalid_field(
            Field::LOCALE,
            format!("\"{}\" is not a language tag such as en-CA or fr-CA", printable(t)),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(name(Field::NAME, "  Dr Lee ").unwrap(), "Dr Lee");
        assert!(name(Field::NAME, "   ").unwrap_err().to_string().contains("name is empty"));
        assert!(matches!(
            name(Field::FULL_NAME, " "),
            Err(CoreError::InvalidField { field: Field::FULL_NAME, .. })
        ));
        assert!(name(Field::NAME, &"x".repeat(500)).is_ok());
        assert!(name(Field::NAME, &"x".repeat(501)).unwrap_err().to_string().contains("501"));
        assert!(name(Field::NAME, "Ann\u{7}").unwrap_err().to_string().contains("control"));
        assert!(name(Field::NAME, "Ann\nLee").is_err());
        assert_eq!(name(Field::NAME, "Zoë Ñúñez").unwrap(), "Zoë Ñúñez");
    }

    #[test]
    fn free_text_allows_line_breaks() {
        assert_eq!(optional_text(Field::NOTE, Some("a\nb")).unwrap().as_deref(), Some("a\nb"));
        assert!(optional_text(Field::NOTE, Some("a\u{0}b")).is_err());
        assert_eq!(optional_text(Field::NOTE, Some("  ")).unwrap(), None);
    }

    #[test]
    fn emails() {
        assert!(optional_email(Field::EMAIL, Some("jo@clinic.example")).unwrap().is_some());
        for bad in ["jo", "jo@", "@x.org", "jo@localhost", "jo@@x.org", "a b@x.org", "Jo <jo@x.org>"] {
            assert!(optional_email(Field::EMAIL, Some(bad)).is_err(), "{bad}");
        }
        assert_eq!(optional_email(Field::EMAIL, None).unwrap(), None);
        // The field comes back as data, and the message reads on its own beside it.
        match optional_email(Field::EMAIL, Some("jo@")) {
            Err(CoreError::InvalidField { field, message }) => {
                assert_eq!(field.key(), "email");
                assert_eq!(message, "not an e-mail address (expected name@example.com)");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn phones() {
        assert!(optional_phone(Field::PHONE, Some("+1 (416) 555-0100")).is_ok());
        assert!(optional_phone(Field::PHONE, Some("555-CALL")).is_err());
        assert!(optional_phone(Field::PHONE, Some("12")).is_err());
        assert!(optional_phone(Field::PHONE, Some("1+2")).is_err());
    }

    #[test]
    fn locales() {
        assert_eq!(locale(" fr-CA ").unwrap(), "fr-CA");
        assert!(locale("es").is_ok());
        assert!(locale("english").is_err());
        assert!(locale("en_CA").is_err());
        assert!(locale("").is_err());
    }

    #[test]
    fn durations() {
        assert!(minutes(0).is_err());
        assert!(minutes(1).is_ok());
        assert!(minutes(720).is_ok());
        assert!(minutes(721).is_err());
        assert!(minutes(-5).is_err());
    }
}
