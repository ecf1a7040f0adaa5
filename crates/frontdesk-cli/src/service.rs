//! `server`: the clinic service. On the computer that stays on (the one with PostgreSQL, or any
//! other), it runs the meeting and mail workers for the whole clinic until stopped, and wakes
//! them as soon as a desk's change is announced. On the clinic's server it is also the one keeper
//! of the doctors' tokens and the clinic's secrets, in this computer's keyring: desks hand them
//! over sealed to its key, and ask it for what needs them (see `frontdesk_meetings::custodian`).
//! Several processes may run on that computer; each job is taken by one of them at a time (see
//! the store's job leases).

use std::sync::Arc;

use frontdesk_core::store::Engine;
use frontdesk_core::{Locks, Store, SystemClock};
use frontdesk_jobs::Runner;
use frontdesk_mail::Mail;
use frontdesk_meetings::{Custodian, Meetings};

use crate::accounts::keeping_settings;
use crate::error::CliError;
use crate::outbox::{keeping_accounts, until_ctrl_c};
use crate::output::{emit, Output};

pub async fn serve(store: &Store, take_over: bool, out: &Output) -> Result<(), CliError> {
    let locks = Locks::for_store(store)?;
    let clock = Arc::new(SystemClock);
    let accounts = keeping_accounts(store)?;
    let custodian = match store.engine() {
        Engine::Postgres => {
            Some(Arc::new(Custodian::start(accounts.clone(), &this_computer(), take_over).await?))
        }
        Engine::Sqlite => None,
    };
    let meetings = Runner::new(Meetings::new(accounts), locks.clone(), clock.clone(), |_| {});
    let mail = Runner::new(Mail::new(keeping_settings(store), clock.clone()), locks, clock, |_| {});
    if !out.json {
        emit(format_args!(
            "Frontdesk's clinic service is running: meetings and patient e-mail{}; Ctrl+C stops it",
            if custodian.is_some() { ", and the clinic's video accounts" } else { "" }
        ))?;
    }
    // A desk's change (a booking, a move) wakes both workers at once; without a server there is
    // nothing to hear, and they look when their next job falls due.
    let wake_on_changes = async {
        store
            .follow_changes(|_| {
                meetings.wake();
                mail.wake();
            })
            .await;
        std::future::pending::<()>().await
    };
    let keeping = async {
        match custodian {
            Some(custodian) => custodian.run().await,
            None => std::future::pending().await,
        }
    };
    tokio::select! {
        () = until_ctrl_c() => Ok(()),
        stopped = keeping => Err(stopped.into()),
        _ = async { tokio::join!(meetings.run(std::future::pending()), mail.run(std::future::pending()), wake_on_changes) } => Ok(()),
    }
}

/// This computer's name, as desks are told where the clinic service runs.
fn this_computer() -> String {
    let from_env = std::env::var("COMPUTERNAME").or_else(|_| std::env::var("HOSTNAME")).ok();
    let name = from_env
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
        .map(|n| n.trim().to_owned())
        .filter(|n| !n.is_empty() && n.chars().all(|c| !c.is_control()));
    name.unwrap_or_else(|| "the clinic service's computer".into())
}
