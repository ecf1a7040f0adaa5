//! Lock files in the data folder (`locks/<name>.lock`): how two processes on one database (the
//! app and `frontdesk-cli`) take turns at something that must run once at a time, such as a
//! background channel's pass or an account's token refresh.
//!
//! The lock is the operating system's exclusive file lock, so it is released when the file is
//! closed or the process dies: a crash never leaves a stale lock behind. It lives here, beside
//! the data folder the core owns, so that the job runner and the accounts can share it without
//! depending on each other.

use std::path::PathBuf;

use crate::error::{CoreError, Result};
use crate::store::Store;

/// The data folder's `locks/` directory. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Locks {
    dir: PathBuf,
}

/// A held lock: the lock is released when this is dropped (or the process ends).
#[derive(Debug)]
pub struct HeldLock {
    _file: std::fs::File,
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
        Ok(Locks { dir })
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
        tokio::task::spawn_blocking(move || file.lock().map(|()| HeldLock { _file: file }))
            .await
            .map_err(|e| io(std::io::Error::other(e.to_string())))?
            .map_err(io)
    }
}
