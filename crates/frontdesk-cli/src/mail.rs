//! `mail`: patient e-mail (invitations, updates, cancellations) from the command line.

use clap::Subcommand;
use frontdesk_core::{AppointmentId, Store};
use frontdesk_providers::{AccountError, MailWorker};

use crate::outbox::{accounts, until_ctrl_c};
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
}

pub async fn run(store: &Store, command: MailCommand, out: &Output) -> Result<(), AccountError> {
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
            let worker = MailWorker::new(accounts(store)?, |_| {});
            if once {
                let report = worker.run_pass(true).await?;
                if out.json {
                    return Ok(out.json_value(&report)?);
                }
                emit(format_args!(
                    "Mail: {} sent, {} not needed; {} still waiting, {} failed",
                    report.sent, report.skipped, report.waiting, report.failed
                ))?;
                return Ok(());
            }
            worker.run(until_ctrl_c()).await;
            Ok(())
        }
        MailCommand::Resend { appointment } => {
            store.resend_mail(AppointmentId(appointment)).await?;
            if out.json {
                return Ok(out.json_value(
                    &serde_json::json!({ "appointment_id": appointment, "state": "pending" }),
                )?);
            }
            emit(format_args!("The e-mail of appointment {appointment} is queued again"))?;
            Ok(())
        }
    }
}
