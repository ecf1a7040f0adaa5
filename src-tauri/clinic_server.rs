//! Which clinic this desk works on: its data folder's own file (one computer), or the clinic's
//! server, chosen at first start ("Join my clinic's server") or later by an admin. The choice
//! belongs to this computer: it is kept in the data folder (`clinic-server.json`, which holds no
//! password) and the password in the OS keyring.

use std::path::{Path, PathBuf};

use frontdesk_core::store::ServerAddress;
use frontdesk_core::{CoreError, Store};
use frontdesk_settings::{Secret, SecretStore};
use serde::{Deserialize, Serialize};
use tauri::State;

use crate::error::AppError;
use crate::AppState;

/// The file in the data folder that says this desk is on the clinic's server.
const FILE: &str = "clinic-server.json";

/// Where the clinic's server is, as the desk's form asks for it (no password).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct ServerChoice {
    pub host: String,
    pub port: u16,
    pub database: String,
    pub user: String,
    /// The clinic's CA certificate (a PEM file on this computer): the server's certificate must
    /// be signed by it and name `host`. Without it the connection is not encrypted.
    pub ca_file: Option<String>,
}

impl ServerChoice {
    /// Whether `other` names the same database on the same server (the password and the CA
    /// certificate may differ).
    fn same_server(&self, other: &ServerChoice) -> bool {
        self.host.trim().eq_ignore_ascii_case(other.host.trim())
            && self.port == other.port
            && self.database.trim() == other.database.trim()
    }

    /// The keyring entry of this choice's password.
    fn password_name(&self) -> String {
        format!("clinic-server/{}@{}:{}/{}", self.user, self.host, self.port, self.database)
    }

    /// The server's address with the password from the keyring.
    ///
    /// # Errors
    /// A malformed part of the choice, or a keyring that cannot be read.
    pub fn address(&self, secrets: &dyn SecretStore) -> Result<ServerAddress, AppError> {
        let password = secrets.get(&self.password_name())?;
        self.address_with(password.as_ref().map(Secret::expose))
    }

    fn address_with(&self, password: Option<&str>) -> Result<ServerAddress, AppError> {
        let mut address = ServerAddress::from_parts(&self.host, self.port, &self.database, &self.user)?;
        if let Some(password) = password.filter(|p| !p.is_empty()) {
            address = address.with_password(password);
        }
        if let Some(ca) = self.ca_file.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
            let ca = PathBuf::from(ca);
            if !ca.is_file() {
                return Err(AppError::from(CoreError::InvalidField {
                    field: frontdesk_core::Field::new("ca_file", "CA certificate"),
                    message: format!("there is no file {} on this computer", ca.display()),
                }));
            }
            address = address.with_ca_certificate(&ca);
        }
        Ok(address)
    }
}

/// The server this desk was set to use, if any.
pub fn load(data_dir: &Path) -> Option<ServerChoice> {
    let text = std::fs::read_to_string(data_dir.join(FILE)).ok()?;
    serde_json::from_str(&text).ok()
}

fn save(data_dir: &Path, choice: &ServerChoice) -> Result<(), AppError> {
    let text = serde_json::to_string_pretty(choice)
        .map_err(|e| AppError::new(frontdesk_core::ErrorKind::Internal, e.to_string()))?;
    let path = data_dir.join(FILE);
    std::fs::write(&path, text).map_err(|source| {
        AppError::from(CoreError::Io { context: format!("could not write {}", path.display()), source })
    })
}

/// The clinic's server this desk uses, or `None` when it keeps the clinic on this computer.
#[tauri::command]
#[specta::specta]
pub async fn clinic_server(state: State<'_, AppState>) -> Result<Option<ServerChoice>, AppError> {
    Ok(state.data_dir.as_deref().and_then(load))
}

/// Joins this desk to the clinic's server: connects with `choice` and `password`, checks that
/// the server's database holds a clinic, then keeps the choice (the password in the OS keyring).
/// The app then restarts on the server ([`restart_app`]).
///
/// At first start (no clinic on this computer) anyone at the desk may; while the desk's server
/// cannot be used, anyone may give it again with a new password or CA certificate, but not
/// another server; otherwise only an admin.
#[tauri::command]
#[specta::specta]
pub async fn join_server(
    state: State<'_, AppState>,
    choice: ServerChoice,
    password: String,
) -> Result<(), AppError> {
    let data_dir = state.data_dir.clone().ok_or_else(|| AppError::setup("this system has no data folder"))?;
    let current = load(&data_dir);
    match state.store.as_ref() {
        // The server does not answer, or refuses: the desk may be given its new password or CA
        // certificate, but not another server (a passer-by must not point a shared desk, where
        // PINs are typed, at a server of their own).
        Err(_) => {
            if let Some(current) = current.filter(|c| !c.same_server(&choice)) {
                return Err(AppError::forbidden(format!(
                    "this desk works on the clinic's server at {}:{}/{}; to move it to another server, \
                     an admin signs in while that server answers (Settings), or the clinic's IT changes it",
                    current.host, current.port, current.database
                )));
            }
        }
        // A clinic to work on: moving the desk is an admin's.
        Ok(store) => {
            if store.clinic().await?.is_some() {
                state.require(frontdesk_core::Action::Administer).await?;
            }
        }
    }
    let address = choice.address_with(Some(&password))?;
    let store = Store::connect(&address, &data_dir, state.clock.clone()).await?;
    let clinic = store.clinic().await;
    store.close().await;
    if clinic?.is_none() {
        return Err(AppError::from(CoreError::invalid(format!(
            "the database at {address} has no clinic yet: set it up there with frontdesk-cli init, \
             or move this computer's clinic there with frontdesk-cli move-to-server"
        ))));
    }
    state.secrets.set(&choice.password_name(), &Secret::new(password))?;
    save(&data_dir, &choice)
}

/// Restarts the app (after joining a server, to open the clinic there).
#[tauri::command]
#[specta::specta]
pub fn restart_app() {
    tauri::process::restart(&tauri::Env::default());
}

#[cfg(test)]
mod tests {
    use super::ServerChoice;

    #[test]
    fn the_same_server_is_the_same_host_port_and_database_whatever_the_password() {
        let at = |host: &str, port: u16, database: &str| ServerChoice {
            host: host.into(),
            port,
            database: database.into(),
            user: "frontdesk".into(),
            ca_file: None,
        };
        let current = at("clinic-server", 5432, "frontdesk");
        assert!(current.same_server(&at("CLINIC-SERVER ", 5432, "frontdesk")));
        assert!(!current.same_server(&at("elsewhere.example", 5432, "frontdesk")));
        assert!(!current.same_server(&at("clinic-server", 5433, "frontdesk")));
        assert!(!current.same_server(&at("clinic-server", 5432, "other")));
    }
}
