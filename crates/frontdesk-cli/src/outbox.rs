//! `outbox` and `reconcile`: the queue of Zoom and Teams meeting jobs, from the command line.

use std::sync::Arc;

use clap::Subcommand;
use frontdesk_accounts::Accounts;
use frontdesk_core::store::ConnectionState;
use frontdesk_core::{Actor, Locks, StaffId, Store, SystemClock};
use frontdesk_jobs::{Channel, Runner};
use frontdesk_meetings::{reconcile, Meetings, Reconciled};

use crate::accounts::{keeping_settings, settings};
use crate::error::CliError;
use crate::output::{emit, Output};

#[derive(Subcommand)]
pub enum OutboxCommand {
    /// List the meeting jobs waiting to be sent, or failed.
    List,
    /// Send meeting jobs: keeps running, sending each as it falls due, until stopped (Ctrl+C).
    Run {
        /// Try every pending job once now, ignoring backoff timers, then exit.
        #[arg(long)]
        once: bool,
    },
    /// Put a failed job back in the queue.
    Retry { id: i64 },
}

pub async fn run(store: &Store, actor: &Actor, command: OutboxCommand, out: &Output) -> Result<(), CliError> {
    match command {
        OutboxCommand::List => {
            let jobs = store.outbox_jobs().await?;
            if out.json {
                return Ok(out.json_value(&jobs)?);
            }
            if jobs.is_empty() {
                emit(format_args!("No meeting jobs waiting."))?;
            }
            for job in jobs {
                let waiting = job.waiting.map_or_else(String::new, |w| format!(" ({w})"));
                emit(format_args!(
                    "job {}  appointment {}  {}  {}{}  due {}  tries {}{}",
                    job.id,
                    job.appointment_id,
                    job.provider.label(),
                    job.state,
                    waiting,
                    job.due.format("%Y-%m-%d %H:%M:%SZ"),
                    job.tries,
                    job.reason.map_or_else(String::new, |r| format!("  {r}")),
                ))?;
            }
            Ok(())
        }
        OutboxCommand::Run { once } => {
            run_channel(Meetings::new(keeping_accounts(store)?), store, once, out).await
        }
        OutboxCommand::Retry { id } => {
            let appointment = store.retry_job(actor, id).await?;
            if out.json {
                return Ok(out.json_value(&serde_json::json!({ "job": id, "appointment_id": appointment }))?);
            }
            emit(format_args!("Job {id} (appointment {appointment}) is queued again"))?;
            Ok(())
        }
    }
}

/// `reconcile`: every connected doctor (or one), every provider they are connected to.
pub async fn reconcile_all(
    store: &Store,
    actor: &Actor,
    doctor: Option<i64>,
    delete: bool,
    out: &Output,
) -> Result<(), CliError> {
    if let Some(id) = doctor {
        store.require_doctor(StaffId(id)).await?;
    }
    let accounts = accounts(store)?;
    let mut results: Vec<Reconciled> = Vec::new();
    for c in store.connections().await? {
        if c.state != ConnectionState::Connected || doctor.is_some_and(|d| d != c.doctor_id.0) {
            continue;
        }
        results.push(reconcile(&accounts, actor, c.doctor_id, c.provider, delete).await?);
    }
    if out.json {
        return Ok(out.json_value(&results)?);
    }
    if results.is_empty() {
        emit(format_args!("No connected accounts to reconcile."))?;
    }
    for r in &results {
        let who = format!("doctor {} {}", r.doctor_id, r.provider.label());
        if !r.listed {
            emit(format_args!(
                "{who}: not listed (Teams meetings are made with createOrGet, so never twice)"
            ))?;
        } else if r.orphans.is_empty() {
            emit(format_args!("{who}: every upcoming meeting belongs to an active appointment"))?;
        }
        for o in &r.orphans {
            emit(format_args!(
                "{who}: meeting {} (appointment {}, {}) belongs to no active appointment{}",
                o.meeting_id,
                o.appointment_id.map_or_else(|| "?".into(), |a| a.to_string()),
                o.start.map_or_else(|| "no start".into(), |s| s.format("%Y-%m-%d %H:%MZ").to_string()),
                if o.deleted { ": deleted" } else { " (--delete removes it)" },
            ))?;
        }
    }
    Ok(())
}

/// `run [--once]` of any background channel: with `once`, one pass over every pending job
/// (backoff timers ignored) and its report; otherwise keep sending until Ctrl+C.
pub async fn run_channel<C: Channel>(
    channel: C,
    store: &Store,
    once: bool,
    out: &Output,
) -> Result<(), CliError> {
    let runner = Runner::new(channel, Locks::for_store(store)?, Arc::new(SystemClock), |_| {});
    if once {
        let report = runner.run_pass(true).await?;
        if out.json {
            return Ok(out.json_value(&report)?);
        }
        return Ok(emit(format_args!("{report}"))?);
    }
    runner.run(until_ctrl_c()).await;
    Ok(())
}

/// Resolves at Ctrl+C; without a Ctrl+C handler, never (the process is ended instead).
pub async fn until_ctrl_c() {
    if tokio::signal::ctrl_c().await.is_err() {
        std::future::pending::<()>().await;
    }
}

/// The accounts over `store`, as a desk uses them (see [`settings`]).
pub fn accounts(store: &Store) -> Result<Arc<Accounts>, CliError> {
    Ok(Arc::new(Accounts::new(settings(store), Locks::for_store(store)?, Arc::new(SystemClock))?))
}

/// The accounts with their tokens in this computer's keyring: the clinic service's and its
/// workers' (see [`keeping_settings`]).
pub fn keeping_accounts(store: &Store) -> Result<Arc<Accounts>, CliError> {
    Ok(Arc::new(Accounts::new(keeping_settings(store), Locks::for_store(store)?, Arc::new(SystemClock))?))
}
