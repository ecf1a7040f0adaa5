//! The patient e-mail channel of the job runner ([`frontdesk_jobs`]): e-mails each patient an invitation (`.ics`, iTIP `REQUEST`) for their
//! appointment, an update when it moves and a cancellation (`CANCEL`) when it is cancelled,
//! through the clinic's SMTP server (`lettre`, rustls only).
//!
//! The job was written with the change (`frontdesk_core::store::MailWork`); a telehealth
//! invitation is held until its meeting is ready, so it carries the join link. The runner holds
//! `locks/mail.lock` for each pass.
//!
//! Delivery is at least once, never knowingly twice: the send is recorded as open before the
//! message goes, and the server's acceptance after. SMTP has no idempotency key, so if the app
//! dies between the server's `250` and that record, the next pass sends the same message
//! again. That duplicate is harmless by construction: it has the same `Message-ID`, the same
//! `UID` and the same `SEQUENCE`, so calendars treat it as the event they already have. The
//! other choice (never resend an open attempt) could lose an invitation or a cancellation
//! silently, which is worse for a patient.
//!
//! Nothing logged or returned here holds the patient's address, name or the message: the
//! server's refusal text is stored with the address replaced.
//!
//! It needs no provider account: only the clinic's settings (and their store), a clock and the
//! data folder's lock files.

pub mod error;

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use chrono_tz::Tz;
use frontdesk_core::ics::{event_uid, invitation, Invitation};
use frontdesk_core::mail_text::{self, Language, MailFacts, MailKind, MailTexts};
use frontdesk_core::store::{crash_point, MailOutcome, MailWork, Queue};
use frontdesk_core::{AppointmentId, Clock, Locks};
use frontdesk_jobs::{jittered_backoff, Channel, Runner};
use frontdesk_settings::{Secret, Setting, Settings, SmtpSecurity};
use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{Address, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

pub use crate::error::SmtpSettingsError;

/// A mail that cannot go because SMTP is not set up is looked at again this often.
const NOT_CONFIGURED_RECHECK: TimeDelta = TimeDelta::hours(1);
/// The longest the running worker sleeps between passes (a meeting may have become ready).
const MAX_IDLE: Duration = Duration::from_secs(15);
/// How long one SMTP conversation may take.
const SMTP_TIMEOUT: Duration = Duration::from_secs(30);

/// What one pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct MailPassReport {
    pub sent: usize,
    /// Nothing to send (no address, or cancelled before any invitation left).
    pub skipped: usize,
    /// Still pending: the server was unreachable or SMTP is not set up.
    pub waiting: usize,
    /// Refused by the server: they wait for `mail resend`.
    pub failed: usize,
}

/// The clinic's SMTP settings, read for each pass.
pub struct SmtpConfig {
    host: String,
    port: u16,
    security: SmtpSecurity,
    user: Option<String>,
    password: Option<Secret>,
    from: Address,
    ca_pem: Option<Vec<u8>>,
}

impl std::fmt::Display for MailPassReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Mail: {} sent, {} not needed; {} still waiting, {} failed",
            self.sent, self.skipped, self.waiting, self.failed
        )
    }
}

/// Sends patient e-mail: the job runner over the [`Mail`] channel.
pub type MailWorker = Runner<Mail>;

/// The patient e-mail channel: each appointment's invitation, update or cancellation.
pub struct Mail {
    settings: Settings,
    clock: Arc<dyn Clock>,
}

impl Channel for Mail {
    const NAME: &'static str = "mail";
    const IDLE: (Duration, Duration) = (Duration::from_millis(200), MAX_IDLE);
    type Work = MailWork;
    type Outcome = MailOutcome;
    type Report = MailPassReport;
    /// The SMTP settings, read at the first mail of a pass that needs them.
    type Pass = Option<Result<Arc<SmtpConfig>, Arc<SmtpSettingsError>>>;

    async fn next(&self, ignore_due: bool, seen: &[i64]) -> frontdesk_core::Result<Option<MailWork>> {
        self.settings.store().next_mail_work(ignore_due, seen).await
    }

    async fn next_due(&self) -> frontdesk_core::Result<Option<DateTime<Utc>>> {
        self.settings.store().next_due(Queue::Mail).await
    }

    fn key(work: &MailWork) -> i64 {
        work.visit.appointment_id.0
    }

    fn appointment(work: &MailWork) -> AppointmentId {
        work.visit.appointment_id
    }

    async fn send(&self, work: &MailWork, config: &mut Self::Pass) -> MailOutcome {
        if let Some(skip) = skip_without_sending(work) {
            return skip;
        }
        let smtp = match config {
            Some(c) => c.clone(),
            None => config.insert(self.config().await.map(Arc::new).map_err(Arc::new)).clone(),
        };
        match smtp {
            Ok(smtp) => self.deliver(work, &smtp).await,
            // The reason every waiting mail records says what an admin must set.
            Err(e) => MailOutcome::Deferred {
                due: self.clock.now() + NOT_CONFIGURED_RECHECK,
                reason: e.to_string(),
            },
        }
    }

    async fn record(&self, work: &MailWork, outcome: &MailOutcome) -> frontdesk_core::Result<()> {
        self.settings.store().record_mail(work, outcome).await
    }

    fn count(report: &mut MailPassReport, outcome: &MailOutcome) {
        match outcome {
            MailOutcome::Sent => report.sent += 1,
            MailOutcome::Skipped { .. } => report.skipped += 1,
            MailOutcome::Deferred { .. } => report.waiting += 1,
            MailOutcome::Refused { .. } => report.failed += 1,
        }
    }

    fn log(work: &MailWork, outcome: &MailOutcome) {
        tracing::info!(
            appointment = work.visit.appointment_id.0,
            method = work.method(),
            sequence = work.sequence,
            outcome = outcome_word(outcome),
            "patient mail"
        );
    }
}

impl Mail {
    /// The channel over the clinic's settings (and their store), by `clock`.
    pub fn new(settings: Settings, clock: Arc<dyn Clock>) -> Mail {
        Mail { settings, clock }
    }

    /// The mail worker: this channel under the job runner, taking its turns with `locks`,
    /// calling `on_change` after each appointment whose mail it updates.
    pub fn worker(
        settings: Settings,
        locks: Locks,
        clock: Arc<dyn Clock>,
        on_change: impl Fn(AppointmentId) + Send + Sync + 'static,
    ) -> MailWorker {
        Runner::new(Mail::new(settings, clock.clone()), locks, clock, on_change)
    }

    /// Reads the SMTP settings.
    ///
    /// # Errors
    /// [`SmtpSettingsError`], which says what an admin must set.
    async fn config(&self) -> Result<SmtpConfig, SmtpSettingsError> {
        let settings = &self.settings;
        let get = |setting: Setting| async move { settings.config_get(setting).await };
        let host = get(Setting::SmtpHost).await?.ok_or(SmtpSettingsError::NotSetUp)?;
        let from = get(Setting::SmtpFrom).await?.ok_or(SmtpSettingsError::NotSetUp)?;
        let from: Address = from.parse().map_err(|_| SmtpSettingsError::Unusable {
            setting: Setting::SmtpFrom,
            message: "not a valid e-mail address",
        })?;
        let security = get(Setting::SmtpSecurity)
            .await?
            .as_deref()
            .and_then(SmtpSecurity::parse)
            .unwrap_or(SmtpSecurity::StartTls);
        if security == SmtpSecurity::None && host != "127.0.0.1" {
            return Err(SmtpSettingsError::Unusable {
                setting: Setting::SmtpSecurity,
                message: "none is allowed only for a server on 127.0.0.1; use starttls or tls",
            });
        }
        let port = match get(Setting::SmtpPort).await?.and_then(|p| p.parse::<u16>().ok()) {
            Some(p) => p,
            None if security == SmtpSecurity::Tls => 465,
            None if security == SmtpSecurity::None => 25,
            None => 587,
        };
        let user = get(Setting::SmtpUser).await?;
        let password = match &user {
            Some(_) => settings.secret(Setting::SmtpPassword).await?,
            None => None,
        };
        let ca_pem = match get(Setting::SmtpCaFile).await? {
            Some(path) => match tokio::fs::read(&path).await {
                Ok(pem) => Some(pem),
                Err(source) => return Err(SmtpSettingsError::CaFileUnreadable { path, source }),
            },
            None => None,
        };
        Ok(SmtpConfig { host, port, security, user, password, from, ca_pem })
    }

    /// Writes and sends one mail, and sorts what happened; nothing here writes the outcome.
    async fn deliver(&self, work: &MailWork, config: &SmtpConfig) -> MailOutcome {
        if let Some(skip) = skip_without_sending(work) {
            return skip;
        }
        let Some(to) = work.to.as_deref() else { return MailOutcome::Skipped { reason: NO_ADDRESS.into() } };
        // The clinic's own wording where it has one, read for each mail: an admin's change
        // applies to the next message.
        let texts = match self.settings.store().mail_texts(Language::for_locale(&work.locale)).await {
            Ok(texts) => texts,
            Err(e) => {
                return MailOutcome::Deferred {
                    due: self.clock.now() + jittered_backoff(work.visit.tries),
                    reason: format!("could not read the e-mail texts: {e}"),
                }
            }
        };
        let message = match compose(work, &texts, config, to, self.clock.now()) {
            Ok(m) => m,
            Err(reason) => return MailOutcome::Refused { reason },
        };
        let transport = match transport(config) {
            Ok(t) => t,
            Err(e) => {
                return MailOutcome::Deferred {
                    due: self.clock.now() + NOT_CONFIGURED_RECHECK,
                    reason: e.to_string(),
                }
            }
        };
        if let Err(e) = self.settings.store().mark_attempt(Queue::Mail, work.visit.appointment_id, true).await
        {
            return MailOutcome::Deferred {
                due: self.clock.now() + jittered_backoff(work.visit.tries),
                reason: format!("could not record the send: {e}"),
            };
        }
        crash_point("mail:before-send");
        match transport.send(message).await {
            Ok(_) => MailOutcome::Sent,
            Err(e) if e.is_permanent() => MailOutcome::Refused {
                reason: redact(&format!("the mail server refused the message: {e}"), to),
            },
            Err(e) => {
                let due = self.clock.now() + jittered_backoff(work.visit.tries);
                MailOutcome::Deferred {
                    due,
                    reason: redact(
                        &format!(
                            "the mail server is unavailable ({e}); trying again at {}",
                            due.format("%H:%M:%S UTC")
                        ),
                        to,
                    ),
                }
            }
        }
    }
}

const NO_ADDRESS: &str = "the patient has no e-mail address";

/// A mail that needs no message: no address, or a cancellation of an invitation never sent.
fn skip_without_sending(work: &MailWork) -> Option<MailOutcome> {
    if work.to.is_none() {
        return Some(MailOutcome::Skipped { reason: NO_ADDRESS.into() });
    }
    if !work.visit.active && !work.invited {
        return Some(MailOutcome::Skipped {
            reason: "cancelled before any invitation was sent; nothing to tell".into(),
        });
    }
    None
}

/// The message: plain text in the clinic's language and wording (`texts`) and the `.ics`
/// invitation or cancellation.
fn compose(
    work: &MailWork,
    texts: &MailTexts,
    config: &SmtpConfig,
    to: &str,
    now: DateTime<Utc>,
) -> Result<Message, String> {
    let tz: Tz = frontdesk_core::time::parse_zone(&work.visit.tz).map_err(|e| e.to_string())?;
    let to: Address = to.parse().map_err(|_| "the patient's e-mail address is not valid".to_owned())?;
    let kind = match (work.visit.active, work.sequence) {
        (false, _) => MailKind::Cancelled,
        (true, 0) => MailKind::New,
        (true, _) => MailKind::Moved,
    };
    let facts = MailFacts {
        clinic: &work.clinic_name,
        doctor: &work.doctor_name,
        type_name: &work.type_name,
        start: work.visit.start,
        tz,
        join_url: work.join_url.as_deref().filter(|_| work.visit.active),
        reason: work.cancel_reason.as_deref(),
    };
    let text = mail_text::render(texts, kind, &facts);
    let uid = event_uid(&work.visit.clinic_uid, work.visit.appointment_id.0);
    let ics = invitation(&Invitation {
        uid: &uid,
        sequence: work.sequence,
        cancel: !work.visit.active,
        start: work.visit.start,
        end: work.visit.end,
        tz,
        summary: &format!("{} — {} ({})", work.type_name, work.doctor_name, work.clinic_name),
        description: &text.body,
        join_url: facts.join_url,
        organizer: config.from.as_ref(),
        attendee: to.as_ref(),
        stamped: now,
    });
    let method = work.method();
    let calendar_type = ContentType::parse(&format!("text/calendar; charset=utf-8; method={method}"))
        .map_err(|e| e.to_string())?;
    Message::builder()
        .from(Mailbox::new(Some(work.clinic_name.clone()), config.from.clone()))
        .to(Mailbox::new(None, to))
        .subject(text.subject)
        // The same for a repeated send of the same change, so a duplicate is recognisable.
        .message_id(Some(format!("<{}.{}.{}@frontdesk>", uid, work.sequence, method.to_ascii_lowercase())))
        .multipart(
            MultiPart::mixed()
                .singlepart(SinglePart::plain(text.body))
                .singlepart(Attachment::new("invite.ics".into()).body(ics, calendar_type)),
        )
        .map_err(|e| format!("could not write the message: {e}"))
}

fn transport(config: &SmtpConfig) -> Result<AsyncSmtpTransport<Tokio1Executor>, SmtpSettingsError> {
    let mut tls = TlsParameters::builder(config.host.clone());
    if let Some(pem) = &config.ca_pem {
        let cert = Certificate::from_pem(pem).map_err(|e| SmtpSettingsError::CaFileNotPem(e.to_string()))?;
        tls = tls.add_root_certificate(cert);
    }
    let tls = tls.build_rustls().map_err(|e| SmtpSettingsError::Tls(e.to_string()))?;
    let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(config.host.clone())
        .port(config.port)
        .timeout(Some(SMTP_TIMEOUT))
        .tls(match config.security {
            SmtpSecurity::StartTls => Tls::Required(tls),
            SmtpSecurity::Tls => Tls::Wrapper(tls),
            SmtpSecurity::None => Tls::None,
        });
    if let (Some(user), Some(password)) = (&config.user, &config.password) {
        builder = builder.credentials(Credentials::new(user.clone(), password.expose().to_owned()));
    }
    Ok(builder.build())
}

/// The text without the patient's address (servers often quote it in refusals), and short.
fn redact(text: &str, address: &str) -> String {
    // ASCII lowering keeps byte offsets the same in both strings.
    let lower = text.to_ascii_lowercase();
    let needle = address.to_ascii_lowercase();
    let mut out = String::new();
    let mut rest = 0;
    if !needle.is_empty() {
        while let Some(found) = lower[rest..].find(&needle) {
            let at = rest + found;
            out.push_str(&text[rest..at]);
            out.push_str("[patient address]");
            rest = at + needle.len();
        }
    }
    out.push_str(&text[rest..]);
    out.chars().filter(|c| !c.is_control()).take(400).collect()
}

fn outcome_word(outcome: &MailOutcome) -> &'static str {
    match outcome {
        MailOutcome::Sent => "sent",
        MailOutcome::Skipped { .. } => "skipped",
        MailOutcome::Deferred { .. } => "waiting",
        MailOutcome::Refused { .. } => "refused",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_never_quote_the_address() {
        let got = redact("550 5.1.1 <Jane.Doe@Example.org>: Recipient rejected", "jane.doe@example.org");
        assert_eq!(got, "550 5.1.1 <[patient address]>: Recipient rejected");
    }
}
