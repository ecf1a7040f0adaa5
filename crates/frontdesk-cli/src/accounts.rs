//! `connect`, `disconnect`, `accounts` and `config`: the doctors' video-visit accounts and the
//! clinic's provider settings, from the command line.

use std::io::Read;
use std::sync::Arc;

use clap::Subcommand;
use frontdesk_accounts::{Accounts, StartedFlow};
use frontdesk_core::{Actor, CoreError, Locks, Provider, StaffId, Store, SystemClock};
use frontdesk_settings::{OsKeyring, RedirectMode, Setting, Settings};

use crate::error::CliError;
use crate::output::{emit, Output};

#[derive(Subcommand)]
pub enum ConfigCommand {
    /// Set a provider setting. Secrets (e.g. zoom.client_secret) only as `-`, read from standard input.
    Set {
        key: String,
        /// The value, or `-` to read it from standard input.
        value: String,
    },
    /// Show a provider setting (a secret shows only as set or not set).
    Get { key: String },
    /// Show every provider setting.
    List,
    /// Clear a setting back to its default.
    Unset { key: String },
}

/// What the account commands do.
pub enum AccountCommand {
    Connect { provider: String, doctor: i64, server_to_server_as: Option<String> },
    Disconnect { provider: String, doctor: i64 },
    List { check: bool },
    Config(ConfigCommand),
}

pub async fn run(
    store: &Store,
    actor: &Actor,
    command: AccountCommand,
    out: &Output,
) -> Result<(), CliError> {
    let settings = settings(store);
    let accounts = || -> Result<Accounts, CliError> {
        Ok(Accounts::new(settings.clone(), Locks::for_store(store)?, Arc::new(SystemClock))?)
    };
    match command {
        AccountCommand::Connect { provider, doctor, server_to_server_as } => {
            let provider = Provider::from_user(&provider)?;
            let doctor = StaffId(doctor);
            if let Some(email) = server_to_server_as {
                if provider != Provider::Zoom {
                    return Err(CoreError::invalid(
                        "--server-to-server: only Zoom has Server-to-Server apps",
                    )
                    .into());
                }
                let connected = accounts()?.connect_server_to_server(actor, doctor, &email).await?;
                return Ok(out.connected(&connected)?);
            }
            let accounts = accounts()?;
            let StartedFlow::Loopback(flow) =
                accounts.start_connect(actor, doctor, provider, Some(RedirectMode::Loopback)).await?
            else {
                return Err(CoreError::invalid(
                    "connect: the command line waits on a loopback redirect only",
                )
                .into());
            };
            // The URL on a line of its own, so that a script (or a person) can open it.
            if !out.json {
                emit(format_args!(
                    "Open this address in a browser to connect the {} account:",
                    provider.label()
                ))?;
            }
            emit(format_args!("{}", flow.authorize_url))?;
            let connected = accounts.finish_loopback(flow).await?;
            Ok(out.connected(&connected)?)
        }
        AccountCommand::Disconnect { provider, doctor } => {
            let provider = Provider::from_user(&provider)?;
            let result = accounts()?.disconnect(actor, StaffId(doctor), provider).await?;
            Ok(out.disconnected(provider, &result)?)
        }
        AccountCommand::List { check } => {
            let mut connections = store.connections().await?;
            let mut problems = Vec::new();
            if check {
                let accounts = accounts()?;
                for c in connections
                    .iter()
                    .filter(|c| c.state == frontdesk_core::store::ConnectionState::Connected)
                {
                    if c.kind == frontdesk_core::store::ConnectionKind::User {
                        if let Err(e) = accounts.check_as(actor, c.doctor_id, c.provider).await {
                            problems.push(format!("{} {}: {e}", c.doctor_name, c.provider.label()));
                        }
                    }
                }
                connections = store.connections().await?;
            }
            out.connections(&connections)?;
            for p in &problems {
                eprintln!("warning: {p}");
            }
            Ok(())
        }
        AccountCommand::Config(ConfigCommand::Set { key, value }) => {
            let setting: Setting = key.parse()?;
            let value = if value == "-" {
                read_stdin()?
            } else if setting.is_secret() {
                return Err(CoreError::invalid(format!(
                    "{key} is a secret: give - and write the value on standard input, so that it stays out of \
                     the shell history and the process list"
                ))
                .into());
            } else {
                value
            };
            let gone = accounts()?.config_set(actor, setting, Some(&value)).await?;
            if !out.json {
                emit(format_args!("Set {key}"))?;
                said_disconnected(store, setting, &gone).await?;
            }
            Ok(())
        }
        AccountCommand::Config(ConfigCommand::Unset { key }) => {
            let setting: Setting = key.parse()?;
            let gone = accounts()?.config_set(actor, setting, None).await?;
            if !out.json {
                emit(format_args!("Cleared {key}"))?;
                said_disconnected(store, setting, &gone).await?;
            }
            Ok(())
        }
        AccountCommand::Config(ConfigCommand::Get { key }) => {
            let value = settings.config_get(key.parse()?).await?;
            Ok(out.setting(&key, value.as_deref())?)
        }
        AccountCommand::Config(ConfigCommand::List) => {
            let mut values = Vec::new();
            for setting in Setting::ALL {
                values.push((setting.as_str(), settings.config_get(setting).await?));
            }
            Ok(out.settings(&values)?)
        }
    }
}

/// `move-to-server URL`: copies this computer's clinic to the server (see
/// [`Store::move_to_server`]), then hands the doctors' connections and the clinic's secrets to
/// the clinic service, sealed to its key. Without a service yet, they stay in this computer's
/// keyring, and running the command again once the service runs hands them over.
pub async fn move_to_server(store: &Store, actor: &Actor, url: &str, out: &Output) -> Result<(), CliError> {
    let address = frontdesk_core::store::ServerAddress::parse(url)?;
    if store.engine() == frontdesk_core::store::Engine::Postgres {
        // Refused there, with the reason: the clinic is already on a server.
        store.move_to_server(actor, &address).await?;
    }
    let uid = store.clinic_uid().await?;
    let server = Store::connect(&address, store.data_dir(), Arc::new(SystemClock)).await?;
    let already_moved = server.clinic_uid().await.ok().as_deref() == Some(uid.as_str());
    if already_moved {
        if !out.json {
            emit(format_args!("The clinic is already on {address}; handing over what this computer keeps."))?;
        }
    } else {
        let moved = store.move_to_server(actor, &address).await?;
        out.moved(&moved)?;
    }
    let handed = hand_over(store, &server, actor).await;
    server.close().await;
    let (connections, secrets) = match handed {
        Ok(counts) => counts,
        Err(CliError::Core(CoreError::NoClinicService | CoreError::ServiceAway { .. })) => {
            if !out.json {
                emit(format_args!(
                    "The doctors' video connections and the clinic's secrets stay in this computer's keyring: \
                     start the clinic service (`frontdesk-cli server`), then run this command again to hand them over."
                ))?;
            }
            return Ok(());
        }
        Err(e) => return Err(e),
    };
    if !out.json {
        emit(format_args!(
            "Handed {connections} video connection(s) and {secrets} secret(s) to the clinic service."
        ))?;
    }
    Ok(())
}

/// Hands this computer's tokens and secrets to the clinic service of `server`: how many of each.
async fn hand_over(local: &Store, server: &Store, actor: &Actor) -> Result<(usize, usize), CliError> {
    use frontdesk_accounts::accounts::ask;
    use frontdesk_core::store::{ConnectionKind, ConnectionState};
    use frontdesk_settings::custody::{Ask, QUICK};
    server.service_present().await?;
    let here = Accounts::new(keeping_settings(local), Locks::for_store(local)?, Arc::new(SystemClock))?;
    let there = settings(server);
    let mut connections = 0;
    for c in local.connections().await? {
        if c.kind != ConnectionKind::User || c.state != ConnectionState::Connected {
            continue;
        }
        let Some(tokens) = here.tokens_to_hand_over(c.doctor_id, c.provider).await? else { continue };
        let sealed =
            serde_json::json!({ "doctor": c.doctor_id, "provider": c.provider, "tokens": tokens.expose() });
        let ask = Ask {
            kind: ask::KEEP_TOKENS,
            args: serde_json::json!({ "doctor": c.doctor_id, "provider": c.provider }),
            sealed: Some(frontdesk_settings::Secret::new(sealed.to_string())),
            secret_answer: false,
            wait: QUICK,
        };
        there.ask_service::<serde_json::Value>(actor, ask).await?;
        connections += 1;
    }
    let mut secrets = 0;
    for setting in Setting::ALL.into_iter().filter(|s| s.is_secret()) {
        if let Some(value) = here.settings().secret(setting).await? {
            there.config_set(actor, setting, Some(value.expose())).await?;
            secrets += 1;
        }
    }
    Ok((connections, secrets))
}

/// A value from standard input: the first line, without its line ending.
pub fn read_stdin() -> Result<String, CliError> {
    let mut text = String::new();
    std::io::stdin()
        .take(64 * 1024)
        .read_to_string(&mut text)
        .map_err(|e| CoreError::Io { context: "could not read standard input".into(), source: e })?;
    let line = text.lines().next().unwrap_or("").to_owned();
    if line.trim().is_empty() {
        return Err(CoreError::invalid("standard input was empty; write the value on it").into());
    }
    Ok(line)
}

/// The clinic's settings over `store`, as a desk uses them: secrets in the OS keyring on a single
/// computer, handed to the clinic service in clinic mode.
pub fn settings(store: &Store) -> Settings {
    Settings::new(store.clone(), Arc::new(OsKeyring))
}

/// The clinic's settings as the clinic service (and the workers, which run on its computer)
/// use them: secrets in this computer's keyring, in either mode.
pub fn keeping_settings(store: &Store) -> Settings {
    Settings::keeping(store.clone(), Arc::new(OsKeyring))
}

/// Names the doctors a new provider address disconnected first.
async fn said_disconnected(store: &Store, setting: Setting, gone: &[StaffId]) -> Result<(), CliError> {
    let Some(provider) = setting.token_address_of().filter(|_| !gone.is_empty()) else { return Ok(()) };
    let mut names = Vec::with_capacity(gone.len());
    for doctor in gone {
        names.push(store.staff(*doctor).await?.name);
    }
    Ok(emit(format_args!(
        "Disconnected {} from {} first (their tokens are deleted, so the new address never receives them); they connect again",
        names.join(", "),
        provider.label()
    ))?)
}
