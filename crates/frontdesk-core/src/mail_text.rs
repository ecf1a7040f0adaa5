//! The words of the patient e-mails, in English, French and Spanish: the built-in texts, the
//! rules an admin's own wording must follow, and [`render`], which fills them.
//!
//! Each language has thirteen sentence texts ([`TextKey`]): the three subjects, the greeting,
//! the lines of an invitation, an update and a cancellation, and the sign-off. The defaults are
//! data in this file; a clinic may replace any of them ([`MailTexts`] holds one language's
//! effective texts: the defaults with the clinic's overrides, which the store keeps). The
//! weekday and month names and the date pattern are locale data, not texts a clinic edits.
//!
//! Placeholders in braces are filled by [`render`]: `{clinic}`, `{doctor}`, `{type}`, `{date}`,
//! `{time}`, `{zone}`, `{link}` (the join link, in `join` only) and `{reason}` (in
//! `cancelled_reason` only). The texts never name the patient, and there is no placeholder for
//! the name on purpose (ADR 0010): the message may be read by whoever shares the mailbox, and the
//! greeting needs no name. This module never reads or writes storage.

use chrono::{DateTime, Datelike, Duration, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::error::{CoreError, Field, Result};
use crate::time::printable;

/// The longest subject accepted, in characters (a subject is one line of a mail header).
pub const MAX_SUBJECT_CHARS: usize = 200;
/// The longest other text accepted, in characters.
pub const MAX_TEXT_CHARS: usize = 2000;

/// A language the patient e-mails are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum Language {
    En,
    Fr,
    Es,
}

/// What a visit of type `type_name` is called where it leaves the clinic (a meeting title, a
/// patient e-mail): its name, or, where the clinic keeps types to itself (`neutral`), the neutral
/// word in the language of `locale`.
pub fn type_shown<'a>(type_name: &'a str, locale: &str, neutral: bool) -> &'a str {
    if neutral {
        Language::for_locale(locale).neutral_type()
    } else {
        type_name
    }
}

impl Language {
    /// Every language, in the order screens list them.
    pub const ALL: [Language; 3] = [Language::En, Language::Fr, Language::Es];

    /// The ISO 639-1 code used in storage, JSON and on the command line.
    pub fn code(self) -> &'static str {
        match self {
            Language::En => "en",
            Language::Fr => "fr",
            Language::Es => "es",
        }
    }

    /// The language's name in English, for the command line.
    pub fn name(self) -> &'static str {
        match self {
            Language::En => "English",
            Language::Fr => "French",
            Language::Es => "Spanish",
        }
    }

    /// What a visit is called where the clinic keeps its type's name to itself (meeting titles,
    /// patient e-mails): the type can tell a condition.
    pub fn neutral_type(self) -> &'static str {
        match self {
            Language::En => "Appointment",
            Language::Fr => "Rendez-vous",
            Language::Es => "Cita",
        }
    }

    /// The language of a BCP 47 locale: `fr-CA` → French, `es-MX` → Spanish, anything else English.
    pub fn for_locale(locale: &str) -> Language {
        let language = locale.split(['-', '_']).next().unwrap_or_default().to_ascii_lowercase();
        match language.as_str() {
            "fr" => Language::Fr,
            "es" => Language::Es,
            _ => Language::En,
        }
    }

    fn defaults(self) -> &'static Defaults {
        match self {
            Language::En => &EN,
            Language::Fr => &FR,
            Language::Es => &ES,
        }
    }

    /// The built-in text for `key` in this language.
    pub fn default_text(self, key: TextKey) -> &'static str {
        self.defaults().get(key)
    }
}

impl std::fmt::Display for Language {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

impl std::str::FromStr for Language {
    type Err = CoreError;

    /// `en`, `fr` or `es` (any case).
    fn from_str(s: &str) -> Result<Language> {
        let code = s.trim().to_ascii_lowercase();
        Language::ALL.into_iter().find(|l| l.code() == code).ok_or_else(|| {
            CoreError::invalid_field(
                Field::new("language", "language"),
                format!(
                    "\"{}\" is not a language of the patient e-mails; use en, fr or es",
                    printable(s.trim())
                ),
            )
        })
    }
}

/// One editable text of the patient e-mails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum TextKey {
    /// The subject of the first invitation.
    SubjectNew,
    /// The subject of an update after a move.
    SubjectMoved,
    /// The subject of a cancellation.
    SubjectCancelled,
    /// The first line of every message.
    Greeting,
    /// What, where and when, in the first invitation.
    Booked,
    /// What, where and the new when, in an update.
    Moved,
    /// For a video visit: where to join.
    Join,
    /// How the patient cancels or changes the visit.
    HowToCancel,
    /// What the attached invitation does.
    Attached,
    /// What, where and when, in a cancellation.
    Cancelled,
    /// The reason given for a cancellation, when there is one.
    CancelledReason,
    /// How to book again, after a cancellation.
    BookAgain,
    /// The last line of every message.
    SignOff,
}

/// Every placeholder a text may hold.
pub const PLACEHOLDERS: [&str; 8] = ["clinic", "doctor", "type", "date", "time", "zone", "link", "reason"];

impl TextKey {
    /// Every text, in the order the messages use them.
    pub const ALL: [TextKey; 13] = [
        TextKey::SubjectNew,
        TextKey::SubjectMoved,
        TextKey::SubjectCancelled,
        TextKey::Greeting,
        TextKey::Booked,
        TextKey::Moved,
        TextKey::Join,
        TextKey::HowToCancel,
        TextKey::Attached,
        TextKey::Cancelled,
        TextKey::CancelledReason,
        TextKey::BookAgain,
        TextKey::SignOff,
    ];

    /// The field a refusal of this text is about: the text's box in a form, known by the key.
    pub fn field(self) -> Field {
        Field::new(self.as_str(), self.as_str())
    }

    /// The key's name in storage, JSON and on the command line (`subject_new`, `join`...).
    pub fn as_str(self) -> &'static str {
        match self {
            TextKey::SubjectNew => "subject_new",
            TextKey::SubjectMoved => "subject_moved",
            TextKey::SubjectCancelled => "subject_cancelled",
            TextKey::Greeting => "greeting",
            TextKey::Booked => "booked",
            TextKey::Moved => "moved",
            TextKey::Join => "join",
            TextKey::HowToCancel => "how_to_cancel",
            TextKey::Attached => "attached",
            TextKey::Cancelled => "cancelled",
            TextKey::CancelledReason => "cancelled_reason",
            TextKey::BookAgain => "book_again",
            TextKey::SignOff => "sign_off",
        }
    }

    /// A subject: one line of the message's header.
    pub fn is_subject(self) -> bool {
        matches!(self, TextKey::SubjectNew | TextKey::SubjectMoved | TextKey::SubjectCancelled)
    }

    /// The placeholders the text must keep: the join link in `join`, the reason in
    /// `cancelled_reason` (those lines exist only to carry them), and the date and time in the
    /// three sentences that say when the visit is (the patient must not get a message that
    /// leaves them out). The subjects and the other lines need none.
    pub fn required(self) -> &'static [&'static str] {
        match self {
            TextKey::Join => &["link"],
            TextKey::CancelledReason => &["reason"],
            TextKey::Booked | TextKey::Moved | TextKey::Cancelled => &["date", "time"],
            _ => &[],
        }
    }

    /// Whether the text may hold `placeholder`: `{link}` only in `join` and `{reason}` only in
    /// `cancelled_reason`, the one line each is filled in; the others anywhere.
    pub fn allows(self, placeholder: &str) -> bool {
        match placeholder {
            "link" => self == TextKey::Join,
            "reason" => self == TextKey::CancelledReason,
            other => PLACEHOLDERS.contains(&other),
        }
    }

    fn max_chars(self) -> usize {
        if self.is_subject() {
            MAX_SUBJECT_CHARS
        } else {
            MAX_TEXT_CHARS
        }
    }

    /// Checks an admin's wording for this text and returns it cleaned: trimmed, line endings as
    /// `\n`. Refused: an empty text (reset it to go back to the default), one longer than the
    /// limit, a subject on more than one line (a line break in a header could add headers of its
    /// own), control characters other than line breaks and tabs, an unknown placeholder or one
    /// this text cannot fill, a `{` that opens no placeholder, and a text that drops a
    /// placeholder it needs ([`TextKey::required`]).
    ///
    /// # Errors
    /// [`CoreError::InvalidField`] whose field is this key (`join`, `subject_new`...).
    pub fn check(self, text: &str) -> Result<String> {
        let invalid = |message: String| CoreError::invalid_field(self.field(), message);
        let text = text.replace("\r\n", "\n");
        let text = text.trim();
        if text.is_empty() {
            return Err(invalid("the text is empty; write one, or reset it to the default".into()));
        }
        let count = text.chars().count();
        if count > self.max_chars() {
            return Err(invalid(format!(
                "the text is too long ({count} characters; at most {})",
                self.max_chars()
            )));
        }
        if self.is_subject() && text.contains(['\n', '\r']) {
            return Err(invalid("a subject is one line: remove the line break".into()));
        }
        if let Some(c) = text.chars().find(|c| c.is_control() && !matches!(c, '\n' | '\t')) {
            return Err(invalid(format!(
                "the text contains a control character ({}); remove it",
                c.escape_debug()
            )));
        }
        let used = placeholders(text).map_err(invalid)?;
        if let Some(unknown) = used.iter().find(|p| !PLACEHOLDERS.contains(&p.as_str())) {
            return Err(invalid(format!(
                "{{{}}} is not a placeholder; use {}",
                printable(unknown),
                self.usable().join(" ")
            )));
        }
        if let Some(misplaced) = used.iter().find(|p| !self.allows(p)) {
            let home = if misplaced == "link" { "join" } else { "cancelled_reason" };
            return Err(invalid(format!(
                "{{{misplaced}}} is filled only in the {home} text; here use {}",
                self.usable().join(" ")
            )));
        }
        if let Some(missing) = self.required().iter().find(|r| !used.iter().any(|u| u == *r)) {
            return Err(invalid(format!("the text must keep {{{missing}}}: {}", why_required(missing))));
        }
        Ok(text.to_owned())
    }

    /// The placeholders this text may hold, written as in a text.
    fn usable(self) -> Vec<String> {
        PLACEHOLDERS.iter().filter(|p| self.allows(p)).map(|p| format!("{{{p}}}")).collect()
    }
}

fn why_required(placeholder: &str) -> &'static str {
    match placeholder {
        "link" => "it is where the patient joins the video visit",
        "reason" => "this line is sent only to give the reason",
        _ => "the patient must read when the visit is",
    }
}

/// The names of the placeholders in `text`, in order.
///
/// # Errors
/// A message for a `{` with no `}` after it.
fn placeholders(text: &str) -> std::result::Result<Vec<String>, String> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            return Err("a { opens no placeholder: write placeholders as {doctor}, or remove the {".into());
        };
        found.push(after[..close].to_owned());
        rest = &after[close + 1..];
    }
    Ok(found)
}

impl std::fmt::Display for TextKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for TextKey {
    type Err = CoreError;

    fn from_str(s: &str) -> Result<TextKey> {
        let name = s.trim();
        TextKey::ALL.into_iter().find(|k| k.as_str() == name).ok_or_else(|| {
            let keys: Vec<&str> = TextKey::ALL.iter().map(|k| k.as_str()).collect();
            CoreError::invalid_field(
                Field::new("key", "key"),
                format!(
                    "\"{}\" is not a patient e-mail text; use one of {}",
                    printable(name),
                    keys.join(", ")
                ),
            )
        })
    }
}

/// One language's built-in texts and its locale data.
struct Defaults {
    subject_new: &'static str,
    subject_moved: &'static str,
    subject_cancelled: &'static str,
    greeting: &'static str,
    booked: &'static str,
    moved: &'static str,
    join: &'static str,
    how_to_cancel: &'static str,
    attached: &'static str,
    cancelled: &'static str,
    cancelled_reason: &'static str,
    book_again: &'static str,
    sign_off: &'static str,
    /// `{weekday}`, `{day}`, `{month}`, `{year}`.
    date_pattern: &'static str,
    weekdays: [&'static str; 7],
    months: [&'static str; 12],
}

impl Defaults {
    fn get(&self, key: TextKey) -> &'static str {
        match key {
            TextKey::SubjectNew => self.subject_new,
            TextKey::SubjectMoved => self.subject_moved,
            TextKey::SubjectCancelled => self.subject_cancelled,
            TextKey::Greeting => self.greeting,
            TextKey::Booked => self.booked,
            TextKey::Moved => self.moved,
            TextKey::Join => self.join,
            TextKey::HowToCancel => self.how_to_cancel,
            TextKey::Attached => self.attached,
            TextKey::Cancelled => self.cancelled,
            TextKey::CancelledReason => self.cancelled_reason,
            TextKey::BookAgain => self.book_again,
            TextKey::SignOff => self.sign_off,
        }
    }
}

const EN: Defaults = Defaults {
    subject_new: "Your appointment with {doctor} on {date}",
    subject_moved: "Your appointment has moved: {date} at {time}",
    subject_cancelled: "Cancelled: your appointment with {doctor} on {date}",
    greeting: "Hello,",
    booked: "Your appointment ({type}) at {clinic} with {doctor} is on {date} at {time} ({zone} time).",
    moved: "Your appointment ({type}) at {clinic} with {doctor} has moved. It is now on {date} at {time} ({zone} time).",
    join: "This is a video visit. At the time of your appointment, join here: {link}",
    how_to_cancel: "To cancel or change this appointment, please call the clinic.",
    attached: "The attached invitation adds the appointment to your calendar.",
    cancelled: "Your appointment ({type}) at {clinic} with {doctor} on {date} at {time} ({zone} time) has been cancelled.",
    cancelled_reason: "Reason: {reason}",
    book_again: "To book another appointment, please call the clinic.",
    sign_off: "{clinic}",
    date_pattern: "{weekday}, {month} {day}, {year}",
    weekdays: ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
    months: [
        "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
        "November", "December",
    ],
};

const FR: Defaults = Defaults {
    subject_new: "Votre rendez-vous avec {doctor} le {date}",
    subject_moved: "Votre rendez-vous a été déplacé : {date} à {time}",
    subject_cancelled: "Annulé : votre rendez-vous avec {doctor} le {date}",
    greeting: "Bonjour,",
    booked: "Votre rendez-vous ({type}) à {clinic} avec {doctor} aura lieu le {date} à {time} (heure {zone}).",
    moved: "Votre rendez-vous ({type}) à {clinic} avec {doctor} a été déplacé. Il aura lieu le {date} à {time} (heure {zone}).",
    join: "Il s'agit d'une consultation vidéo. À l'heure du rendez-vous, rejoignez-la ici : {link}",
    how_to_cancel: "Pour annuler ou modifier ce rendez-vous, veuillez téléphoner à la clinique.",
    attached: "L'invitation jointe ajoute le rendez-vous à votre agenda.",
    cancelled: "Votre rendez-vous ({type}) à {clinic} avec {doctor} le {date} à {time} (heure {zone}) est annulé.",
    cancelled_reason: "Motif : {reason}",
    book_again: "Pour prendre un autre rendez-vous, veuillez téléphoner à la clinique.",
    sign_off: "{clinic}",
    date_pattern: "{weekday} {day} {month} {year}",
    weekdays: ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"],
    months: [
        "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
        "novembre", "décembre",
    ],
};

const ES: Defaults = Defaults {
    subject_new: "Su cita con {doctor} el {date}",
    subject_moved: "Su cita ha cambiado: {date} a las {time}",
    subject_cancelled: "Cancelada: su cita con {doctor} el {date}",
    greeting: "Hola:",
    booked: "Su cita ({type}) en {clinic} con {doctor} es el {date} a las {time} (hora de {zone}).",
    moved: "Su cita ({type}) en {clinic} con {doctor} ha cambiado. Ahora es el {date} a las {time} (hora de {zone}).",
    join: "Es una consulta por video. A la hora de su cita, únase aquí: {link}",
    how_to_cancel: "Para cancelar o cambiar esta cita, llame a la clínica.",
    attached: "La invitación adjunta añade la cita a su calendario.",
    cancelled: "Su cita ({type}) en {clinic} con {doctor} el {date} a las {time} (hora de {zone}) ha sido cancelada.",
    cancelled_reason: "Motivo: {reason}",
    book_again: "Para pedir otra cita, llame a la clínica.",
    sign_off: "{clinic}",
    date_pattern: "{weekday} {day} de {month} de {year}",
    weekdays: ["lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"],
    months: [
        "enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre",
        "noviembre", "diciembre",
    ],
};

/// One language's effective texts: the built-in ones, with the clinic's overrides in place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailTexts {
    language: Language,
    /// In [`TextKey::ALL`] order; `None` where the default applies.
    overrides: [Option<String>; 13],
}

impl MailTexts {
    /// The built-in texts of `language`.
    pub fn defaults(language: Language) -> MailTexts {
        MailTexts { language, overrides: Default::default() }
    }

    /// The language.
    pub fn language(&self) -> Language {
        self.language
    }

    /// Uses `text` for `key` instead of the default. The caller has checked it ([`TextKey::check`]).
    pub fn set(&mut self, key: TextKey, text: String) {
        self.overrides[key as usize] = Some(text);
    }

    /// The text in effect for `key`.
    pub fn get(&self, key: TextKey) -> &str {
        self.overrides[key as usize].as_deref().unwrap_or_else(|| self.language.default_text(key))
    }

    /// Whether the clinic replaced the default of `key`.
    pub fn is_overridden(&self, key: TextKey) -> bool {
        self.overrides[key as usize].is_some()
    }
}

/// What the message is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum MailKind {
    /// The first invitation.
    New,
    /// An update after a move (a higher SEQUENCE).
    Moved,
    Cancelled,
}

impl std::str::FromStr for MailKind {
    type Err = CoreError;

    /// `new`, `moved` or `cancelled`.
    fn from_str(s: &str) -> Result<MailKind> {
        match s.trim() {
            "new" => Ok(MailKind::New),
            "moved" => Ok(MailKind::Moved),
            "cancelled" => Ok(MailKind::Cancelled),
            other => Err(CoreError::invalid_field(
                Field::new("kind", "kind"),
                format!("\"{}\" is not new, moved or cancelled", printable(other)),
            )),
        }
    }
}

/// The facts a message states.
#[derive(Debug, Clone)]
pub struct MailFacts<'a> {
    pub clinic: &'a str,
    pub doctor: &'a str,
    pub type_name: &'a str,
    pub start: DateTime<Utc>,
    pub tz: Tz,
    pub join_url: Option<&'a str>,
    pub reason: Option<&'a str>,
}

/// A rendered message: its subject and plain-text body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct RenderedMail {
    pub subject: String,
    pub body: String,
}

/// Fills `pattern`'s placeholders from `value` in one pass, so that a fact holding braces (a
/// doctor named "Dr {link}") is written as it is, never filled in turn. A placeholder `value`
/// does not know stays as written.
fn fill(pattern: &str, value: impl Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(pattern.len());
    let mut rest = pattern;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}').and_then(|close| value(&after[..close]).map(|v| (close, v))) {
            Some((close, v)) => {
                out.push_str(&v);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Fills the effective texts with the facts; times are the local wall time in the
/// appointment's zone, with the zone named (IANA name and abbreviation). A subject is kept on
/// one line whatever the facts hold.
pub fn render(texts: &MailTexts, kind: MailKind, facts: &MailFacts<'_>) -> RenderedMail {
    let words = texts.language.defaults();
    let local = facts.start.with_timezone(&facts.tz);
    let date = fill(words.date_pattern, |name| match name {
        "weekday" => Some(words.weekdays[local.weekday().num_days_from_monday() as usize].to_owned()),
        "day" => Some(local.day().to_string()),
        "month" => Some(words.months[local.month0() as usize].to_owned()),
        "year" => Some(local.year().to_string()),
        _ => None,
    });
    let time = local.format("%H:%M").to_string();
    let zone = format!("{}, {}", facts.tz.name(), local.format("%Z"));
    let line = |key: TextKey| {
        fill(texts.get(key), |name| match name {
            "clinic" => Some(facts.clinic.to_owned()),
            "doctor" => Some(facts.doctor.to_owned()),
            "type" => Some(facts.type_name.to_owned()),
            "date" => Some(date.clone()),
            "time" => Some(time.clone()),
            "zone" => Some(zone.clone()),
            "link" => Some(facts.join_url.unwrap_or_default().to_owned()),
            "reason" => Some(facts.reason.unwrap_or_default().to_owned()),
            _ => None,
        })
    };
    let mut lines = vec![line(TextKey::Greeting), String::new()];
    let subject = match kind {
        MailKind::New | MailKind::Moved => {
            lines.push(line(if kind == MailKind::New { TextKey::Booked } else { TextKey::Moved }));
            if facts.join_url.is_some() {
                lines.push(String::new());
                lines.push(line(TextKey::Join));
            }
            lines.push(String::new());
            lines.push(line(TextKey::HowToCancel));
            lines.push(line(TextKey::Attached));
            line(if kind == MailKind::New { TextKey::SubjectNew } else { TextKey::SubjectMoved })
        }
        MailKind::Cancelled => {
            lines.push(line(TextKey::Cancelled));
            if facts.reason.is_some() {
                lines.push(line(TextKey::CancelledReason));
            }
            lines.push(String::new());
            lines.push(line(TextKey::BookAgain));
            line(TextKey::SubjectCancelled)
        }
    };
    lines.push(String::new());
    lines.push(line(TextKey::SignOff));
    let subject = subject.split(['\r', '\n']).map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>();
    RenderedMail { subject: subject.join(" "), body: lines.join("\n") + "\n" }
}

/// Renders a message of `kind` in the effective texts with made-up facts (a sample doctor, type,
/// link and reason, a visit a week after `now` at 10:30 in `tz`): an admin sees their wording
/// as a patient would, and no patient or appointment of the clinic is in it.
pub fn preview(texts: &MailTexts, kind: MailKind, clinic: &str, tz: Tz, now: DateTime<Utc>) -> RenderedMail {
    let day = crate::time::today_in(tz, now) + Duration::days(7);
    let at = day.and_time(NaiveTime::from_hms_opt(10, 30, 0).unwrap_or_default());
    let start = tz.from_local_datetime(&at).earliest().map_or(now, |t| t.with_timezone(&Utc));
    let (type_name, reason) = match texts.language {
        Language::En => ("Consultation", "The doctor is away that day."),
        Language::Fr => ("Consultation", "Le médecin est absent ce jour-là."),
        Language::Es => ("Consulta", "El médico no está ese día."),
    };
    let facts = MailFacts {
        clinic,
        doctor: "Dr Alex Martin",
        type_name,
        start,
        tz,
        join_url: (kind != MailKind::Cancelled).then_some("https://video.example/j/123456789"),
        reason: (kind == MailKind::Cancelled).then_some(reason),
    };
    render(texts, kind, &facts)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts() -> MailFacts<'static> {
        MailFacts {
            clinic: "Lakeside Clinic",
            doctor: "Dr Roy",
            type_name: "Consult",
            start: DateTime::parse_from_rfc3339("2026-03-08T14:30:00Z").unwrap().with_timezone(&Utc),
            tz: chrono_tz::America::Toronto,
            join_url: Some("https://zoom.example/j/1"),
            reason: None,
        }
    }

    #[test]
    fn the_locale_picks_the_language_and_the_zone_is_named() {
        let facts = facts();
        let fr = render(&MailTexts::defaults(Language::for_locale("fr-CA")), MailKind::New, &facts);
        assert!(fr.body.contains("dimanche 8 mars 2026 à 10:30 (heure America/Toronto, EDT)"), "{}", fr.body);
        assert!(fr.body.contains("https://zoom.example/j/1"));
        let es = render(
            &MailTexts::defaults(Language::for_locale("es")),
            MailKind::Cancelled,
            &MailFacts { reason: Some("Doctor ill"), ..facts.clone() },
        );
        assert!(es.subject.starts_with("Cancelada"), "{}", es.subject);
        assert!(es.body.contains("Motivo: Doctor ill"));
        let en = render(&MailTexts::defaults(Language::for_locale("en-CA")), MailKind::New, &facts);
        assert!(en.body.contains("Sunday, March 8, 2026 at 10:30"), "{}", en.body);
        assert!(en.body.contains("call the clinic"));
        assert_eq!(Language::for_locale("de-DE"), Language::En);
    }

    #[test]
    fn every_default_passes_its_own_rules() {
        for language in Language::ALL {
            for key in TextKey::ALL {
                let text = language.default_text(key);
                assert_eq!(key.check(text).unwrap(), text, "{language} {key}");
            }
        }
    }

    #[test]
    fn an_override_replaces_one_text_and_the_rest_stay_default() {
        let mut texts = MailTexts::defaults(Language::Fr);
        let join = TextKey::Join.check("  Rejoignez la consultation : {link}\r\nÀ bientôt.  ").unwrap();
        assert_eq!(join, "Rejoignez la consultation : {link}\nÀ bientôt.");
        texts.set(TextKey::Join, join);
        assert!(texts.is_overridden(TextKey::Join) && !texts.is_overridden(TextKey::Booked));
        let mail = render(&texts, MailKind::New, &facts());
        assert!(
            mail.body.contains("Rejoignez la consultation : https://zoom.example/j/1\nÀ bientôt."),
            "{}",
            mail.body
        );
        assert!(!mail.body.contains("Il s'agit d'une consultation vidéo"), "{}", mail.body);
        assert!(mail.body.contains("aura lieu le dimanche 8 mars"), "{}", mail.body);
    }

    #[test]
    fn facts_are_written_as_they_are_never_filled_again() {
        let facts = MailFacts { doctor: "Dr {link} {clinic}", ..facts() };
        let mail = render(&MailTexts::defaults(Language::En), MailKind::New, &facts);
        assert!(mail.body.contains("with Dr {link} {clinic} is on"), "{}", mail.body);
        let odd = MailFacts { clinic: "Lakeside\r\nBcc: x@example.org", ..facts };
        let mut texts = MailTexts::defaults(Language::En);
        texts.set(TextKey::SubjectNew, "{clinic}: your visit".into());
        assert_eq!(render(&texts, MailKind::New, &odd).subject, "Lakeside Bcc: x@example.org: your visit");
    }

    fn refused(key: TextKey, text: &str) -> String {
        match key.check(text).unwrap_err() {
            CoreError::InvalidField { field, message } => {
                assert_eq!(field, key.field(), "{message}");
                message
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_text_with_an_unknown_or_misplaced_placeholder_is_refused_naming_the_field() {
        assert!(refused(TextKey::Join, "Join: {lnk} {link}").contains("{lnk} is not a placeholder"));
        assert!(refused(TextKey::Greeting, "Hello {patient},").contains("{patient} is not a placeholder"));
        assert!(refused(TextKey::Greeting, "Hello {name}").contains("use {clinic} {doctor}"));
        assert!(refused(TextKey::Booked, "On {date} at {time}: {link}").contains("only in the join text"));
        assert!(refused(TextKey::Cancelled, "Cancelled {date} {time}: {reason}").contains("cancelled_reason"));
        assert!(refused(TextKey::Greeting, "Hello {").contains("opens no placeholder"));
    }

    #[test]
    fn a_text_must_keep_what_it_is_there_for() {
        assert!(refused(TextKey::Join, "Join with the link in the invitation.").contains("must keep {link}"));
        assert!(refused(TextKey::CancelledReason, "Reason given.").contains("must keep {reason}"));
        assert!(refused(TextKey::Booked, "See you on {date}.").contains("must keep {time}"));
        assert!(refused(TextKey::Moved, "Moved to {time}.").contains("must keep {date}"));
        assert!(refused(TextKey::Cancelled, "Cancelled.").contains("must keep {date}"));
        assert!(TextKey::SubjectNew.check("Your visit").is_ok());
    }

    #[test]
    fn a_subject_is_one_line_and_texts_are_not_empty_or_huge() {
        for text in
            ["Your visit\r\nBcc: all@example.org", "Your visit\nwith {doctor}", "Visit\rBcc: x@example.org"]
        {
            assert!(refused(TextKey::SubjectNew, text).contains("one line"), "{text:?}");
        }
        assert!(TextKey::SignOff.check("Maple Clinic\n12 Elm Street").is_ok());
        assert!(refused(TextKey::Greeting, " \n ").contains("empty"));
        assert!(refused(TextKey::SubjectMoved, &"x".repeat(201)).contains("at most 200"));
        assert!(TextKey::SubjectMoved.check(&"x".repeat(200)).is_ok());
        assert!(refused(TextKey::Attached, &"x".repeat(2001)).contains("at most 2000"));
        assert!(refused(TextKey::Greeting, "Hello\u{0}").contains("control character"));
    }

    #[test]
    fn languages_keys_and_kinds_parse_with_the_field_named() {
        assert_eq!("FR".parse::<Language>().unwrap(), Language::Fr);
        assert_eq!("cancelled_reason".parse::<TextKey>().unwrap(), TextKey::CancelledReason);
        assert_eq!("moved".parse::<MailKind>().unwrap(), MailKind::Moved);
        let field = |e: CoreError| match e {
            CoreError::InvalidField { field, .. } => field.key(),
            other => panic!("{other:?}"),
        };
        assert_eq!(field("de".parse::<Language>().unwrap_err()), "language");
        assert_eq!(field("name".parse::<TextKey>().unwrap_err()), "key");
        assert_eq!(field("soon".parse::<MailKind>().unwrap_err()), "kind");
        for key in TextKey::ALL {
            assert_eq!(key.as_str().parse::<TextKey>().unwrap(), key);
            assert_eq!(serde_json::to_value(key).unwrap(), key.as_str());
        }
    }

    #[test]
    fn the_preview_uses_sample_facts_a_week_ahead() {
        let now = DateTime::parse_from_rfc3339("2026-03-02T12:00:00Z").unwrap().with_timezone(&Utc);
        let tz = chrono_tz::America::Toronto;
        let mail = preview(&MailTexts::defaults(Language::Es), MailKind::Cancelled, "Maple Clinic", tz, now);
        assert!(mail.body.contains("lunes 9 de marzo de 2026 a las 10:30"), "{}", mail.body);
        assert!(mail.body.contains("Motivo: El médico no está ese día."), "{}", mail.body);
        let new = preview(&MailTexts::defaults(Language::En), MailKind::New, "Maple Clinic", tz, now);
        assert!(new.body.contains("join here: https://video.example/j/123456789"), "{}", new.body);
        assert!(new.subject.contains("Dr Alex Martin"), "{}", new.subject);
    }
}
