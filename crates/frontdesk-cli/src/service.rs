//! `server`: the clinic service. On the computer that stays on (the one with PostgreSQL, or any
//! other), it runs the meeting and mail workers for the whole clinic until stopped, and wakes
//! them as soon as a desk's change is announced. Several may run (one per computer): each job
//! is taken by one of them at a time (see the store's job leases).

use std::sync::Arc;

use frontdesk_core::{Locks, Store, SystemClock};
use frontdesk_jobs::Runner;
use frontdesk_mail::Mail;
use frontdesk_meetings::Meetings;

use crate::accounts::settings;
use crate::error::CliError;
use crate::outbox::{accounts, until_ctrl_c};
use crate::output::{emit, Output};

pub async fn serve(store: &Store, out: &Output) -> Result<(), CliError> {
    let locks = Locks::for_store(store)?;
    let clock = Arc::new(SystemClock);
    let meetings = Runner::new(Meetings::new(accounts(store)?), locks.clone(), clock.clone(), |_| {});
    let mail = Runner::new(Mail::new(settings(store), clock.clone()), locks, clock, |_| {});
    if !out.json {
        emit(format_args!(
            "Frontdesk's clinic service is running: meetings and patient e-mail; Ctrl+C stops it"
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
    tokio::select! {
        () = until_ctrl_c() => {}
        _ = async { tokio::join!(meetings.run(std::future::pending()), mail.run(std::future::pending()), wake_on_changes) } => {}
    }
    Ok(())
}
