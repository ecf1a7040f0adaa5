//! [`Custodian`]: the clinic service as the one keeper of the doctors' tokens and the clinic's
//! secrets, in clinic mode. It registers its public key on the server, then answers what desks
//! ask of it (see `frontdesk_settings::custody`): it opens what was sealed to it, does the work
//! with the tokens in its own keyring, and seals a secret answer (a host link) to the asking
//! desk's key. It says it is still there every few seconds, and clears away requests left behind.

use std::sync::Arc;

use frontdesk_accounts::accounts::ask;
use frontdesk_accounts::{AccountError, Accounts};
use frontdesk_core::store::{RequestEvent, ServiceAnswer, ServiceRequest, SERVICE_HEARTBEAT};
use frontdesk_core::{AppointmentId, CoreError, ErrorKind, Provider, StaffId};
use frontdesk_settings::custody::Refusal;
use frontdesk_settings::service::KEEP_SECRET;
use frontdesk_settings::{sealed, KeyPair, Secret};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::api::{MeetingCalls, HOST_LINK, RECONCILE};

/// The clinic service's keeping of tokens and secrets.
pub struct Custodian {
    accounts: Arc<Accounts>,
    key: KeyPair,
}

/// The plain arguments of every kind of request (each uses some).
#[derive(Deserialize, Default)]
#[serde(default)]
struct Args {
    doctor: Option<StaffId>,
    provider: Option<Provider>,
    email: Option<String>,
    appointment: Option<AppointmentId>,
    delete: bool,
}

/// A request's failure, as the desk is told it.
struct Failure {
    kind: ErrorKind,
    message: String,
}

macro_rules! failure_from {
    ($($t:ty),*) => {$(
        impl From<$t> for Failure {
            fn from(e: $t) -> Failure {
                Failure { kind: e.kind(), message: e.to_string() }
            }
        }
    )*};
}
failure_from!(AccountError, CoreError, frontdesk_settings::SettingsError, crate::CallError);

impl Custodian {
    /// Loads (or makes) this computer's key pair for the clinic and registers the service as
    /// the clinic's keeper. With `take_over`, replaces another computer's service (see
    /// [`frontdesk_core::Store::register_service`]).
    ///
    /// # Errors
    /// [`CoreError::ServiceElsewhere`]; keyring and storage failures.
    pub async fn start(
        accounts: Arc<Accounts>,
        host: &str,
        take_over: bool,
    ) -> Result<Custodian, AccountError> {
        let uid = accounts.store().clinic_uid().await?;
        // Two processes starting at once on this computer make one key between them.
        let lock = accounts.store().hold_service_lock().await?;
        let key = accounts.settings().key_pair(format!("{uid}/clinic-service-key")).await?;
        accounts.store().register_service(&key.public_key(), host, take_over).await?;
        drop(lock);
        Ok(Custodian { accounts, key })
    }

    /// Answers requests until another computer's service takes over (the reason is returned).
    pub async fn run(self: Arc<Self>) -> CoreError {
        let store = self.accounts.store().clone();
        let mut heartbeat = tokio::time::interval(SERVICE_HEARTBEAT);
        let mut events = None;
        loop {
            if events.is_none() {
                match store.request_events().await {
                    Ok(e) => {
                        events = Some(e);
                        self.answer_open().await;
                    }
                    Err(e) => tracing::warn!(error = %e, "cannot hear desks' requests; trying again soon"),
                }
            }
            tokio::select! {
                _ = heartbeat.tick() => {
                    match store.service_seen(&self.key.public_key()).await {
                        Ok(true) => {}
                        Ok(false) => {
                            return CoreError::invalid(
                                "another computer's clinic service has taken over keeping this clinic's accounts; this one stops",
                            )
                        }
                        Err(e) => tracing::warn!(error = %e, "the clinic's server does not answer"),
                    }
                    if let Err(e) = store.clear_old_requests().await {
                        tracing::warn!(error = %e, "could not clear old requests");
                    }
                    // A notification lost on the way is made up for here.
                    self.answer_open().await;
                }
                event = next(&mut events) => match event {
                    Some(Ok(RequestEvent::Asked(id))) => self.answer_one(id).await,
                    Some(Ok(RequestEvent::Missed)) => self.answer_open().await,
                    Some(Ok(RequestEvent::Answered(_))) | None => {}
                    Some(Err(e)) => {
                        tracing::warn!(error = %e, "lost the line to desks' requests");
                        events = None;
                        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                    }
                },
            }
        }
    }

    async fn answer_open(self: &Arc<Self>) {
        match self.accounts.store().open_requests().await {
            Ok(ids) => {
                for id in ids {
                    self.answer_one(id).await;
                }
            }
            Err(e) => tracing::warn!(error = %e, "could not read desks' requests"),
        }
    }

    /// Takes request `id` (unless another process did) and answers it in its own task, so that
    /// a slow sign-in never holds up a host link.
    async fn answer_one(self: &Arc<Self>, id: i64) {
        let request = match self.accounts.store().take_request(id).await {
            Ok(Some(request)) => request,
            Ok(None) => return,
            Err(e) => return tracing::warn!(error = %e, "could not take a desk's request"),
        };
        let me = self.clone();
        tokio::spawn(async move {
            let kind = request.kind.clone();
            let answer = match me.answer(request).await {
                Ok((value, sealed)) => ServiceAnswer::Done { answer: value.to_string(), sealed },
                Err(f) => {
                    tracing::info!(kind, problem = %f.message, "a desk's request was refused");
                    let refusal = Refusal { kind: f.kind, message: f.message };
                    ServiceAnswer::Refused(serde_json::to_string(&refusal).unwrap_or_default())
                }
            };
            if let Err(e) = me.accounts.store().answer_request(id, &answer).await {
                tracing::warn!(error = %e, "could not write the answer to a desk's request");
            }
        });
    }

    /// Does what the request asks, as the person who asked (with their rights as they are now).
    async fn answer(&self, request: ServiceRequest) -> Result<(Value, Option<String>), Failure> {
        let accounts = &self.accounts;
        let store = accounts.store();
        let actor = store.actor_named(&request.asked_by).await?;
        let args: Args = serde_json::from_str(&request.args).unwrap_or_default();
        let opened = || -> Result<Secret, Failure> {
            let sealed = request.sealed_args.as_deref().ok_or_else(|| missing("its sealed part"))?;
            Ok(self.key.open(sealed)?)
        };
        let doctor = || args.doctor.ok_or_else(|| missing("the doctor"));
        let provider = || args.provider.ok_or_else(|| missing("the provider"));
        let plain = |v: Value| Ok((v, None));
        match request.kind.as_str() {
            ask::CONNECT => plain(json!(accounts.connect_handed(&actor, &opened()?).await?)),
            ask::CONNECT_S2S => {
                let email = args.email.clone().unwrap_or_default();
                plain(json!(accounts.connect_server_to_server(&actor, doctor()?, &email).await?))
            }
            ask::DISCONNECT => plain(json!(accounts.disconnect(&actor, doctor()?, provider()?).await?)),
            ask::CHECK => plain(json!(accounts.check_as(&actor, doctor()?, provider()?).await?)),
            ask::KEEP_TOKENS => {
                accounts.keep_handed_tokens(&actor, &opened()?).await?;
                plain(json!(null))
            }
            KEEP_SECRET => {
                accounts.settings().keep_handed_secret(&actor, &opened()?).await?;
                plain(json!(null))
            }
            HOST_LINK => {
                let reply = request.reply_key.as_deref().ok_or_else(|| missing("the desk's key"))?;
                let appointment = args.appointment.ok_or_else(|| missing("the appointment"))?;
                let link = accounts.start_meeting(&actor, appointment).await?;
                Ok((json!(null), Some(sealed::seal(reply, &link)?)))
            }
            RECONCILE => {
                let found =
                    crate::reconcile(accounts, &actor, doctor()?, provider()?, args.delete).await?;
                plain(json!(found))
            }
            other => Err(Failure {
                kind: ErrorKind::Validation,
                message: format!(
                    "the clinic service does not know the request {other:?}; update Frontdesk on the computer that runs it"
                ),
            }),
        }
    }
}

fn missing(what: &str) -> Failure {
    Failure {
        kind: ErrorKind::Validation,
        message: format!("the request to the clinic service lacks {what}"),
    }
}

/// The next event on the line, or never while there is no line.
async fn next(
    events: &mut Option<frontdesk_core::store::RequestEvents>,
) -> Option<Result<RequestEvent, CoreError>> {
    match events {
        Some(e) => Some(e.next().await),
        None => std::future::pending().await,
    }
}
