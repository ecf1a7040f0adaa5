//! The app's log: standard error, and a file in the log folder (`frontdesk_core::paths::log_dir`).
//!
//! The file is what a clinic's IT reads on Windows, where the app has no console to write to
//! (and on a macOS or Linux desk started from its menu). It is started afresh when it has grown
//! past [`KEEP_BYTES`], the previous one kept beside it as `frontdesk.log.1`. What is logged is
//! the tracing events the crates emit, which never carry patient details, tokens or PINs (the
//! test command scans every log of its run for them).

use std::fs::{File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::fmt::writer::MakeWriterExt;

/// The log file's name in the log folder.
pub const LOG_FILE: &str = "frontdesk.log";

/// A log file larger than this at start is moved aside to `frontdesk.log.1` (replacing the one
/// before), so two files of at most about this size are kept.
pub const KEEP_BYTES: u64 = 5 * 1024 * 1024;

/// Opens `dir/frontdesk.log` for appending, creating the folder, after moving a file larger than
/// `keep_bytes` aside. Returns the file and its path.
///
/// # Errors
/// When the folder cannot be created or the file opened (the app then logs to standard error
/// only, and says so there).
pub fn open_log_file(dir: &Path, keep_bytes: u64) -> io::Result<(File, PathBuf)> {
    let mut folder = std::fs::DirBuilder::new();
    folder.recursive(true);
    let mut options = OpenOptions::new();
    options.create(true).append(true);
    // Readable by this user only, as the data folder is.
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
        folder.mode(0o700);
        options.mode(0o600);
    }
    folder.create(dir)?;
    let path = dir.join(LOG_FILE);
    if std::fs::metadata(&path).is_ok_and(|m| m.len() > keep_bytes) {
        std::fs::rename(&path, dir.join(format!("{LOG_FILE}.1")))?;
    }
    let file = options.open(&path)?;
    Ok((file, path))
}

/// Starts the app's logging: standard error, and the file in `dir` when there is one. Called once,
/// first thing in `run()`.
pub fn init(dir: Option<PathBuf>) {
    let level = LevelFilter::INFO;
    let file = dir.map(|dir| open_log_file(&dir, KEEP_BYTES));
    match file {
        Some(Ok((file, path))) => {
            tracing_subscriber::fmt()
                .with_writer(io::stderr.and(Mutex::new(file)))
                .with_max_level(level)
                .init();
            tracing::info!(version = env!("CARGO_PKG_VERSION"), log = %path.display(), "Frontdesk started");
        }
        other => {
            tracing_subscriber::fmt().with_writer(io::stderr).with_max_level(level).init();
            if let Some(Err(e)) = other {
                tracing::warn!(error = %e, "the log file could not be opened; logging to standard error only");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_large_log_is_kept_aside_once_and_a_new_one_started() {
        let dir = tempfile::tempdir().unwrap();
        let logs = dir.path().join("logs");
        let (mut file, path) = open_log_file(&logs, 10).unwrap();
        assert_eq!(path, logs.join(LOG_FILE));
        io::Write::write_all(&mut file, b"first run, long enough\n").unwrap();
        drop(file);
        let (mut file, _) = open_log_file(&logs, 10).unwrap();
        io::Write::write_all(&mut file, b"second\n").unwrap();
        drop(file);
        assert_eq!(
            std::fs::read_to_string(logs.join("frontdesk.log.1")).unwrap(),
            "first run, long enough\n"
        );
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "second\n");
        // Under the limit, the next start appends.
        let (mut file, _) = open_log_file(&logs, 10).unwrap();
        io::Write::write_all(&mut file, b"third\n").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "second\nthird\n");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
            assert_eq!(std::fs::metadata(&logs).unwrap().permissions().mode() & 0o777, 0o700);
        }
    }
}
