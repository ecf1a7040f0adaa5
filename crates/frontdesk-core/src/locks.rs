//! Lock files in the data folder (`locks/<name>.lock`): how two processes on one database (the
//! app and `frontdesk-cli`) take turns at something that must run once at a time, such as a
//! background channel's pass or an account's token refresh.
//!
//! The lock is the operating system's exclusive file lock, so it is released when the file is
//! closed or the process dies: a crash never leaves a stale lock behind. A lock that must hold
//! across the clinic's computers ([`Locks::take_clinic_wide`], a doctor's token refresh) is a
//! PostgreSQL session lock on the clinic's server instead, released the same way when its
//! connection closes. It lives here, beside
//! the data folder the core owns, so that the job runner and the accounts can share it without
//! depending on each other.

use std::path::PathBuf;

use crate::error::{CoreError, Result};
use crate::store::Store;

/// The data folder's `locks/` directory (and the clinic's server, in clinic mode). Cheap to clone.
#[derive(Debug, Clone)]
pub struct Locks {
    dir: PathBuf,
    store: Store,
}

/// A held lock: the lock is released when this is dropped (or the process ends).
#[derive(Debug)]
pub struct HeldLock {
    _held: Held,
}

#[derive(Debug)]
enum Held {
    File(#[allow(dead_code)] std::fs::File),
    Server(#[allow(dead_code)] crate::store::ServerLock),
}

impl Locks {
    /// The lock folder in `store`'s data folder, made if it is missing.
    ///
    /// # Errors
    /// [`CoreError::Io`] when the folder cannot be made.
    pub fn for_store(store: &Store) -> Result<Locks> {
        let dir = store.data_dir().join("locks");
        std::fs::create_dir_all(&dir).map_err(|source| CoreError::Io {
            context: format!("could not create {}", dir.display()),
            source,
        })?;
        Ok(Locks { dir, store: store.clone() })
    }

    /// Takes the exclusive lock on `locks/<name>`, waiting (off the async threads) while another
    /// task or process holds it. `what` names the lock in the error, for the desk.
    ///
    /// # Errors
    /// [`CoreError::Io`] when the lock file cannot be opened or locked.
    pub async fn take(&self, name: &str, what: &str) -> Result<HeldLock> {
        let path = self.dir.join(name);
        let io = |source| CoreError::Io { context: format!("could not take {what}"), source };
        let file =
            std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(&path).map_err(io)?;
        tokio::task::spawn_blocking(move || file.lock().map(|()| HeldLock { _held: Held::File(file) }))
            .await
            .map_err(|e| io(std::io::Error::other(e.to_string())))?
            .map_err(io)
    }

    /// [`Locks::take`] for something that must happen once at a time across every computer of
    /// the clinic: on the clinic's server, its session lock named by `name`; on a single
    /// computer, the file lock.
    ///
    /// # Errors
    /// [`CoreError::Io`] / [`CoreError::Storage`] when the lock cannot be taken.
    pub async fn take_clinic_wide(&self, name: &str, what: &str) -> Result<HeldLock> {
        match self.store.engine() {
            crate::store::Engine::Sqlite => self.take(name, what).await,
            crate::store::Engine::Postgres => {
                Ok(HeldLock { _held: Held::Server(self.store.hold_server_lock(name).await?) })
            }
        }
    }
}
