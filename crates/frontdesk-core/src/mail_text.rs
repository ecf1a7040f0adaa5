//! The words of the patient e-mails, in English, French and Spanish, kept here as data (one
//! [`MailText`] per language) so that a clinic can later edit them without touching code.
//!
//! Placeholders in braces are filled by [`render`]: `{clinic}`, `{doctor}`, `{type}`, `{date}`,
//! `{time}`, `{zone}`, `{link}`, `{reason}`. The texts never name the patient: the message may be
//! read by whoever shares the mailbox, and the greeting needs no name.

use chrono::{DateTime, Datelike, Utc};
use chrono_tz::Tz;

/// One language's texts.
#[derive(Debug, Clone, Copy)]
pub struct MailText {
    pub subject_new: &'static str,
    pub subject_moved: &'static str,
    pub subject_cancelled: &'static str,
    pub greeting: &'static str,
    /// The first line of an invitation or update.
    pub booked: &'static str,
    pub moved: &'static str,
    /// For a video visit: where to join.
    pub join: &'static str,
    pub how_to_cancel: &'static str,
    pub attached: &'static str,
    pub cancelled: &'static str,
    pub cancelled_reason: &'static str,
    pub book_again: &'static str,
    pub sign_off: &'static str,
    /// `{weekday}`, `{day}`, `{month}`, `{year}`.
    pub date_pattern: &'static str,
    pub weekdays: [&'static str; 7],
    pub months: [&'static str; 12],
}

/// English.
pub const EN: MailText = MailText {
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

/// French.
pub const FR: MailText = MailText {
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

/// Spanish.
pub const ES: MailText = MailText {
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

/// The texts for a BCP 47 locale: `fr-CA` → French, `es-MX` → Spanish, anything else English.
pub fn for_locale(locale: &str) -> &'static MailText {
    let language = locale.split(['-', '_']).next().unwrap_or_default().to_ascii_lowercase();
    match language.as_str() {
        "fr" => &FR,
        "es" => &ES,
        _ => &EN,
    }
}

/// What the message is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailKind {
    /// The first invitation.
    New,
    /// An update after a move (a higher SEQUENCE).
    Moved,
    Cancelled,
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
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedMail {
    pub subject: String,
    pub body: String,
}

/// Fills the language's texts with the facts; times are the clinic's local wall time in the
/// appointment's zone, with the zone named (IANA name and abbreviation).
pub fn render(text: &MailText, kind: MailKind, facts: &MailFacts<'_>) -> RenderedMail {
    let local = facts.start.with_timezone(&facts.tz);
    let weekday = text.weekdays[local.weekday().num_days_from_monday() as usize];
    let month = text.months[local.month0() as usize];
    let date = text
        .date_pattern
        .replace("{weekday}", weekday)
        .replace("{day}", &local.day().to_string())
        .replace("{month}", month)
        .replace("{year}", &local.year().to_string());
    let time = local.format("%H:%M").to_string();
    let zone = format!("{}, {}", facts.tz.name(), local.format("%Z"));
    let fill = |pattern: &str| {
        pattern
            .replace("{clinic}", facts.clinic)
            .replace("{doctor}", facts.doctor)
            .replace("{type}", facts.type_name)
            .replace("{date}", &date)
            .replace("{time}", &time)
            .replace("{zone}", &zone)
            .replace("{link}", facts.join_url.unwrap_or_default())
            .replace("{reason}", facts.reason.unwrap_or_default())
    };
    let mut lines = vec![fill(text.greeting), String::new()];
    let subject = match kind {
        MailKind::New | MailKind::Moved => {
            lines.push(fill(if kind == MailKind::New { text.booked } else { text.moved }));
            if facts.join_url.is_some() {
                lines.push(String::new());
                lines.push(fill(text.join));
            }
            lines.push(String::new());
            lines.push(fill(text.how_to_cancel));
            lines.push(fill(text.attached));
            fill(if kind == MailKind::New { text.subject_new } else { text.subject_moved })
        }
        MailKind::Cancelled => {
            lines.push(fill(text.cancelled));
            if facts.reason.is_some() {
                lines.push(fill(text.cancelled_reason));
            }
            lines.push(String::new());
            lines.push(fill(text.book_again));
            fill(text.subject_cancelled)
        }
    };
    lines.push(String::new());
    lines.push(fill(text.sign_off));
    RenderedMail { subject, body: lines.join("\n") + "\n" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_locale_picks_the_language_and_the_zone_is_named() {
        let facts = MailFacts {
            clinic: "Lakeside Clinic",
            doctor: "Dr Roy",
            type_name: "Consult",
            start: DateTime::parse_from_rfc3339("2026-03-08T14:30:00Z").unwrap().with_timezone(&Utc),
            tz: chrono_tz::America::Toronto,
            join_url: Some("https://zoom.example/j/1"),
            reason: None,
        };
        let fr = render(for_locale("fr-CA"), MailKind::New, &facts);
        assert!(fr.body.contains("dimanche 8 mars 2026 à 10:30 (heure America/Toronto, EDT)"), "{}", fr.body);
        assert!(fr.body.contains("https://zoom.example/j/1"));
        let es = render(
            for_locale("es"),
            MailKind::Cancelled,
            &MailFacts { reason: Some("Doctor ill"), ..facts.clone() },
        );
        assert!(es.subject.starts_with("Cancelada"), "{}", es.subject);
        assert!(es.body.contains("Motivo: Doctor ill"));
        let en = render(for_locale("en-CA"), MailKind::New, &facts);
        assert!(en.body.contains("Sunday, March 8, 2026 at 10:30"), "{}", en.body);
        assert!(en.body.contains("call the clinic"));
    }
}
