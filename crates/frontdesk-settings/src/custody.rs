//! Asking the clinic service, from a desk in clinic mode: what needs a token or a secret is done
//! by the service, the one keeper of them (see the store's `custody` rows). A desk seals what it
//! hands over to the service's public key, and an answer that is itself secret (a host link)
//! comes back sealed to the desk's own key, kept in the desk's keyring.

use std::time::Duration;

use frontdesk_core::store::{RequestEvent, ServiceAnswer};
use frontdesk_core::{Actor, CoreError, ErrorKind, Store};
use serde::de::DeserializeOwned;

use crate::error::{Result, SettingsError};
use crate::sealed::{self, KeyPair};
use crate::secrets::Secret;

/// How long a desk waits for a quick answer (a host link, a setting kept).
pub const QUICK: Duration = Duration::from_secs(10);
/// How long a desk waits for an answer that calls a provider several times (a sign-in's
/// exchange, a reconciliation).
pub const SLOW: Duration = Duration::from_secs(60);

/// A question for the clinic service.
pub struct Ask<'a> {
    /// What to do: the service knows each kind.
    pub kind: &'a str,
    /// The plain arguments: ids and flags, never a secret.
    pub args: serde_json::Value,
    /// What only the service may read, sealed to its key on the way.
    pub sealed: Option<Secret>,
    /// Whether the answer carries a secret for this desk (sealed to the desk's key).
    pub secret_answer: bool,
    pub wait: Duration,
}

impl<'a> Ask<'a> {
    /// A question with plain arguments only, whose answer is plain too.
    pub fn plain(kind: &'a str, args: serde_json::Value, wait: Duration) -> Ask<'a> {
        Ask { kind, args, sealed: None, secret_answer: false, wait }
    }
}

/// The service's answer: the plain part, and the opened secret part when one was asked for.
pub struct Answer<T> {
    pub value: T,
    pub secret: Option<Secret>,
}

/// How a refusal travels back: the error's kind and its words for the desk.
#[derive(serde::Serialize, serde::Deserialize)]
pub struct Refusal {
    pub kind: ErrorKind,
    pub message: String,
}

/// Asks the clinic service and waits for its answer. `reply` is this desk's key pair, for a
/// question whose answer is secret (`ask.secret_answer`).
///
/// # Errors
/// [`CoreError::NoClinicService`] / [`CoreError::ServiceAway`] before asking;
/// [`CoreError::ServiceAway`] when no answer comes within `ask.wait`; the service's own refusal
/// as [`CoreError::Relayed`]; sealing failures.
pub async fn ask<T: DeserializeOwned>(
    store: &Store,
    reply: Option<&KeyPair>,
    actor: &Actor,
    ask: Ask<'_>,
) -> Result<Answer<T>> {
    let service = store.service_present().await?;
    let sealed_args = match &ask.sealed {
        Some(secret) => Some(sealed::seal(&service.public_key, secret)?),
        None => None,
    };
    let mut events = store.request_events().await?;
    let id = store
        .ask_service(
            ask.kind,
            actor,
            &ask.args,
            sealed_args.as_deref(),
            reply.map(KeyPair::public_key).as_deref(),
        )
        .await?;
    let deadline = tokio::time::Instant::now() + ask.wait;
    loop {
        if let Some(answer) = store.take_answer(id).await? {
            return read_answer(answer, reply);
        }
        let wake = async {
            loop {
                match events.next().await {
                    Ok(RequestEvent::Answered(n)) if n != id => continue,
                    _ => return,
                }
            }
        };
        // A notification wakes the desk at once; a look every second covers a lost one.
        let step = deadline.min(tokio::time::Instant::now() + Duration::from_secs(1));
        if tokio::time::timeout_at(step, wake).await.is_err() && tokio::time::Instant::now() >= deadline {
            store.withdraw_request(id).await?;
            return Err(CoreError::ServiceAway {
                host: service.host,
                since: format!("it was asked {} seconds ago", ask.wait.as_secs()),
            }
            .into());
        }
    }
}

fn read_answer<T: DeserializeOwned>(answer: ServiceAnswer, reply: Option<&KeyPair>) -> Result<Answer<T>> {
    match answer {
        ServiceAnswer::Refused(problem) => {
            let refusal: Refusal = serde_json::from_str(&problem).unwrap_or(Refusal {
                kind: ErrorKind::Internal,
                message: "the clinic service could not do this; see its log".into(),
            });
            Err(CoreError::Relayed { kind: refusal.kind, message: refusal.message }.into())
        }
        ServiceAnswer::Done { answer, sealed } => {
            let value = serde_json::from_str(&answer)
                .map_err(|_| SettingsError::Sealed("the clinic service's answer could not be read".into()))?;
            let secret = match (sealed, reply) {
                (Some(sealed), Some(key)) => Some(key.open(&sealed)?),
                _ => None,
            };
            Ok(Answer { value, secret })
        }
    }
}
