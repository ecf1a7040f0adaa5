//! `mail`: patient e-mail (invitations, updates, cancellations) from the command line, and the
//! clinic's own wording of it (`mail templates`, `mail template set|reset|preview`).

use std::io::Read;
use std::sync::Arc;

use clap::Subcommand;
use frontdesk_core::mail_text::{Language, MailKind, TextKey};
use frontdesk_core::store::MailTemplate;
use frontdesk_core::{Actor, AppointmentId, CoreError, Store, SystemClock};
use frontdesk_mail::Mail;

use crate::accounts::keeping_settings;
use crate::error::CliError;
use crate::outbox::run_channel;
use crate::output::{emit, Output};

#[derive(Subcommand)]
pub enum MailCommand {
    /// List the patient e-mails waiting to be sent, or failed (never their address or text).
    List,
    /// Send patient e-mail: keeps running, sending each as it falls due, until stopped (Ctrl+C).
    Run {
        /// Try every pending mail once now, ignoring backoff timers, then exit.
        #[arg(long)]
        once: bool,
    },
    /// Send an appointment's e-mail again, as the appointment is now.
    Resend { appointment: i64 },
    /// List the patient e-mail texts: each key, whether the clinic changed it, and the text.
    Templates {
        /// en, fr or es (default: the clinic's language).
        #[arg(long, value_name = "en|fr|es")]
        language: Option<String>,
    },
    /// Change a patient e-mail text, bring its default back, or preview a message.
    #[command(subcommand)]
    Template(TemplateCommand),
}

#[derive(Subcommand)]
pub enum TemplateCommand {
    /// Use the clinic's own wording for one text. Placeholders: {clinic} {doctor} {type} {date}
    /// {time} {zone}, {link} in join, {reason} in cancelled_reason.
    Set {
        /// en, fr or es.
        language: String,
        /// subject_new, subject_moved, subject_cancelled, greeting, booked, moved, join,
        /// how_to_cancel, attached, cancelled, cancelled_reason, book_again or sign_off.
        key: String,
        /// The text, or `-` to read it from standard input (it may then span lines).
        text: String,
    },
    /// Bring back one text's default wording.
    Reset { language: String, key: String },
    /// Show a message as a patient would get it, filled with sample facts (no real patient).
    Preview {
        language: String,
        #[arg(long, value_name = "new|moved|cancelled", default_value = "new")]
        kind: String,
    },
}

pub async fn run(store: &Store, actor: &Actor, command: MailCommand, out: &Output) -> Result<(), CliError> {
    match command {
        MailCommand::List => {
            let mails = store.mail_jobs().await?;
            if out.json {
                return Ok(out.json_value(&mails)?);
            }
            if mails.is_empty() {
                emit(format_args!("No patient e-mail waiting."))?;
            }
            for m in mails {
                emit(format_args!(
                    "appointment {}  {}  sequence {}{}  tries {}{}",
                    m.appointment_id,
                    m.state,
                    m.sequence,
                    m.due.map_or_else(String::new, |d| format!("  due {}", d.format("%Y-%m-%d %H:%M:%SZ"))),
                    m.tries,
                    m.reason.map_or_else(String::new, |r| format!("  {r}")),
                ))?;
            }
            Ok(())
        }
        MailCommand::Run { once } => {
            run_channel(Mail::new(keeping_settings(store), Arc::new(SystemClock)), store, once, out).await
        }
        MailCommand::Resend { appointment } => {
            store.resend_mail(actor, AppointmentId(appointment)).await?;
            if out.json {
                return Ok(out.json_value(
                    &serde_json::json!({ "appointment_id": appointment, "state": "pending" }),
                )?);
            }
            emit(format_args!("The e-mail of appointment {appointment} is queued again"))?;
            Ok(())
        }
        MailCommand::Templates { language } => {
            let language = match language {
                Some(code) => code.parse()?,
                None => Language::for_locale(&store.require_clinic().await?.locale),
            };
            Ok(templates(&store.mail_templates(language).await?, language, out)?)
        }
        MailCommand::Template(TemplateCommand::Set { language, key, text }) => {
            let (language, key) = (language.parse::<Language>()?, key.parse::<TextKey>()?);
            let text = if text == "-" { read_stdin()? } else { text };
            let saved = store.set_mail_template(actor, language, key, &text).await?;
            if out.json {
                return Ok(out.json_value(&saved)?);
            }
            let what =
                if saved.overridden { "set" } else { "the same as the default, so it follows the default" };
            emit(format_args!("The {} {key} text is {what}", language.name()))?;
            Ok(())
        }
        MailCommand::Template(TemplateCommand::Reset { language, key }) => {
            let (language, key) = (language.parse::<Language>()?, key.parse::<TextKey>()?);
            let reset = store.reset_mail_template(actor, language, key).await?;
            if out.json {
                return Ok(out.json_value(&reset)?);
            }
            emit(format_args!("The {} {key} text is the default again", language.name()))?;
            Ok(())
        }
        MailCommand::Template(TemplateCommand::Preview { language, kind }) => {
            let (language, kind) = (language.parse::<Language>()?, kind.parse::<MailKind>()?);
            let mail = store.preview_mail(language, kind, &[]).await?;
            if out.json {
                return Ok(out.json_value(&mail)?);
            }
            emit(format_args!("Subject: {}", mail.subject))?;
            emit(format_args!(""))?;
            emit(format_args!("{}", mail.body.trim_end()))?;
            Ok(())
        }
    }
}

/// One line per text: key, `changed` or `default`, and the text (its further lines indented).
fn templates(list: &[MailTemplate], language: Language, out: &Output) -> Result<(), CoreError> {
    if out.json {
        return out.json_value(list);
    }
    emit(format_args!("Patient e-mail texts in {} ({language}):", language.name()))?;
    for t in list {
        let state = if t.overridden { "changed" } else { "default" };
        let text = t.text.replace('\n', &format!("\n{:30}", ""));
        emit(format_args!("  {:<18} {state:<8} {text}", t.key.as_str()))?;
    }
    Ok(())
}

/// A text from standard input, all of it (a text may span lines), without the final line end.
fn read_stdin() -> Result<String, CoreError> {
    let mut text = String::new();
    std::io::stdin()
        .take(64 * 1024)
        .read_to_string(&mut text)
        .map_err(|e| CoreError::Io { context: "could not read standard input".into(), source: e })?;
    Ok(text.trim_end_matches(['\r', '\n']).to_owned())
}
