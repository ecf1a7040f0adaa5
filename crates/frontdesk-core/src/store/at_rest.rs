//! The database file encrypted at rest: SQLCipher (AES-256 with an HMAC on every page), with a
//! random 256-bit key kept in this computer's keyring ([`KeyStore`], which `frontdesk-settings`
//! implements on the operating system's keyring). The key's name there comes from a random id
//! kept in the data folder, so each folder has its own key and a copied folder is useless
//! without the keyring it came from.
//!
//! A clear database from an earlier Frontdesk is converted on the first start: an encrypted copy
//! is written beside it and checked (every table holds as many rows as before), the two are
//! swapped by renames, and the clear file is overwritten with zeros and removed. A crash at any
//! step leaves one readable database: the next start finishes or repeats the conversion.
//!
//! Backups are encrypted with a passphrase the admin chooses (SQLCipher derives their key with
//! PBKDF2), so a backup can be restored on another computer, one whose keyring never held the
//! database's key: that is what `restore` is for when a keyring is lost.
//!
//! On Unix the data folder is 0700 and the database file 0600; SQLite gives its WAL and
//! shared-memory files the database file's mode.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use password_hash::rand_core::{OsRng, RngCore};
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{ConnectOptions, Connection};
use zeroize::Zeroizing;

use super::BUSY_TIMEOUT;
use crate::error::{CoreError, Result};

/// A database key: 32 random bytes, wiped from memory when dropped, never shown.
#[derive(Clone)]
pub struct DatabaseKey(Zeroizing<[u8; 32]>);

impl DatabaseKey {
    /// A new random key.
    pub fn generate() -> DatabaseKey {
        let mut bytes = Zeroizing::new([0u8; 32]);
        OsRng.fill_bytes(bytes.as_mut());
        DatabaseKey(bytes)
    }

    /// The key as 64 hexadecimal digits, as the keyring keeps it.
    pub fn to_hex(&self) -> Zeroizing<String> {
        let mut text = Zeroizing::new(String::with_capacity(64));
        for byte in self.0.iter() {
            text.push(char::from(HEX[usize::from(byte >> 4)]));
            text.push(char::from(HEX[usize::from(byte & 0x0f)]));
        }
        text
    }

    /// A key from its 64 hexadecimal digits; `None` for anything else.
    pub fn from_hex(text: &str) -> Option<DatabaseKey> {
        let text = text.trim().as_bytes();
        if text.len() != 64 {
            return None;
        }
        let mut bytes = Zeroizing::new([0u8; 32]);
        for (byte, pair) in bytes.iter_mut().zip(text.chunks_exact(2)) {
            let digit = |c: u8| char::from(c).to_digit(16).and_then(|d| u8::try_from(d).ok());
            *byte = digit(pair[0])? << 4 | digit(pair[1])?;
        }
        Some(DatabaseKey(bytes))
    }

    /// The value of SQLCipher's `key` pragma for this raw key (no key derivation: it is random).
    fn pragma(&self) -> String {
        format!("\"x'{}'\"", self.to_hex().as_str())
    }
}

const HEX: &[u8; 16] = b"0123456789ABCDEF";

impl std::fmt::Debug for DatabaseKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DatabaseKey([redacted])")
    }
}

/// Where database keys are kept: the operating system's keyring in the app and the command
/// line. Calls may block (a D-Bus round trip); the store makes them off the async runtime.
pub trait KeyStore: Send + Sync + 'static {
    /// The key kept under `name`, if any. The error says why the keyring cannot be used.
    fn get(&self, name: &str) -> std::result::Result<Option<DatabaseKey>, String>;
    /// Keeps `key` under `name`.
    fn keep(&self, name: &str, key: &DatabaseKey) -> std::result::Result<(), String>;
}

/// Keys kept in memory only: for tests and benchmarks, which have no keyring of their own.
#[derive(Default)]
pub struct MemoryKeys(Mutex<HashMap<String, DatabaseKey>>);

impl KeyStore for MemoryKeys {
    fn get(&self, name: &str) -> std::result::Result<Option<DatabaseKey>, String> {
        Ok(self.0.lock().map_err(|_| "poisoned".to_owned())?.get(name).cloned())
    }

    fn keep(&self, name: &str, key: &DatabaseKey) -> std::result::Result<(), String> {
        self.0.lock().map_err(|_| "poisoned".to_owned())?.insert(name.to_owned(), key.clone());
        Ok(())
    }
}

/// How the SQLite file is kept on disk.
#[derive(Clone)]
pub enum AtRest {
    /// Encrypted with the data folder's key from this key store: the app and the command line.
    Encrypted(Arc<dyn KeyStore>),
    /// In clear: only the benchmarks' reference, and tests that make a database as an earlier
    /// Frontdesk did.
    Clear,
}

/// The file in the data folder that names the database's key in the keyring.
const KEY_ID_FILE: &str = "database-key-id";

/// What is at a database path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Found {
    /// No file, or an empty one: SQLite starts a new database there.
    Nothing,
    Clear,
    Encrypted,
}

fn found_at(path: &Path) -> std::io::Result<Found> {
    let mut header = [0u8; 16];
    let mut file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Found::Nothing),
        Err(e) => return Err(e),
    };
    let mut read = 0;
    while read < header.len() {
        match file.read(&mut header[read..])? {
            0 => break,
            n => read += n,
        }
    }
    Ok(match read {
        0 => Found::Nothing,
        _ if &header == b"SQLite format 3\0" => Found::Clear,
        _ => Found::Encrypted,
    })
}

/// Readies the database at `path` to be opened as `at_rest` asks: finishes a conversion a crash
/// interrupted, converts a clear database, makes the key of a new one, and sets file modes.
/// Gives the key to open it with (`None` in clear).
pub(super) async fn prepare(data_dir: &Path, path: &Path, at_rest: &AtRest) -> Result<Option<DatabaseKey>> {
    restrict_folder(data_dir)?;
    finish_interrupted(path)?;
    let found = found_at(path).map_err(io(path, "could not read"))?;
    let key = match at_rest {
        AtRest::Clear if found == Found::Encrypted => {
            return Err(CoreError::DataDir {
                path: data_dir.display().to_string(),
                reason: "its database is encrypted and no key was given".into(),
            })
        }
        AtRest::Clear => None,
        AtRest::Encrypted(keys) => {
            if found == Found::Encrypted && !data_dir.join(KEY_ID_FILE).exists() {
                // Never encrypted here: junk, or a clinic's file copied without its folder.
                return Err(CoreError::DataDir {
                    path: data_dir.display().to_string(),
                    reason: format!(
                        "{} is not a Frontdesk database (a clinic from another computer is moved with `frontdesk-cli backup` and `restore`)",
                        crate::paths::DATABASE_FILE
                    ),
                });
            }
            let (name, kept) = kept_key(keys, data_dir).await?;
            let key = match (kept, found) {
                (Some(key), _) => key,
                (None, Found::Encrypted) => {
                    return Err(CoreError::KeyLost { path: data_dir.display().to_string() })
                }
                (None, Found::Nothing | Found::Clear) => {
                    let key = DatabaseKey::generate();
                    let (keys, kept) = (Arc::clone(keys), key.clone());
                    blocking(move || keys.keep(&name, &kept)).await?;
                    key
                }
            };
            if found == Found::Clear {
                convert(path, &key).await?;
            }
            Some(key)
        }
    };
    if found == Found::Nothing {
        create_private(path)?;
    }
    restrict_file(path)?;
    Ok(key)
}

/// Sets SQLCipher's OpenSSL up once, before its first use, without its clean-up at exit: that
/// clean-up runs as the process exits, while the threads that held the SQLite connections may
/// still be ending and freeing their OpenSSL state, and the two free the same memory (glibc
/// stopped a command-line run with "double free or corruption"). The operating system frees a
/// process's memory anyway.
pub(super) fn init_crypto() {
    openssl_sys::init();
}

/// Connection options for the database at `path`, with its key first when it has one.
pub(super) fn options(path: &Path, key: Option<&DatabaseKey>) -> SqliteConnectOptions {
    init_crypto();
    // The key is in the text of the first statement: sqlx must not log it.
    let options =
        SqliteConnectOptions::new().filename(path).busy_timeout(BUSY_TIMEOUT).disable_statement_logging();
    match key {
        Some(key) => options.pragma("key", key.pragma()),
        None => options,
    }
}

/// Connection options for the database file in `data_dir`, with its key from `at_rest`: for
/// tests and tools that read or change the file past the store. Makes no key.
///
/// # Errors
/// [`CoreError::KeyLost`] when the key store has none; [`CoreError::Keyring`].
pub async fn file_options(data_dir: &Path, at_rest: &AtRest) -> Result<SqliteConnectOptions> {
    let path = data_dir.join(crate::paths::DATABASE_FILE);
    let key = match at_rest {
        AtRest::Clear => None,
        AtRest::Encrypted(keys) => {
            let (_, key) = kept_key(keys, data_dir).await?;
            Some(key.ok_or_else(|| CoreError::KeyLost { path: data_dir.display().to_string() })?)
        }
    };
    Ok(options(&path, key.as_ref()))
}

/// Writes a consistent, encrypted copy of the database open on `conn` to `dest`, keyed with
/// `passphrase` (at least [`MIN_PASSPHRASE`] characters), as a backup.
pub(super) async fn export_with_passphrase(
    conn: &mut SqliteConnection,
    dest: &Path,
    passphrase: &str,
) -> Result<()> {
    // Made private before SQLite writes a byte of it (an empty file is a new database to SQLite).
    create_private(dest)?;
    let dest = utf8(dest)?;
    sqlx::query("ATTACH DATABASE $1 AS backup KEY $2")
        .bind(dest)
        .bind(passphrase)
        .execute(&mut *conn)
        .await?;
    let exported = async {
        // One transaction: every table is read at the same instant while other desks write.
        sqlx::query("BEGIN").execute(&mut *conn).await?;
        let copied = sqlx::query("SELECT sqlcipher_export('backup')").execute(&mut *conn).await;
        match copied {
            Ok(_) => sqlx::query("COMMIT").execute(&mut *conn).await.map(|_| ()),
            Err(e) => {
                let _ = sqlx::query("ROLLBACK").execute(&mut *conn).await;
                Err(e)
            }
        }
    }
    .await;
    let detached = sqlx::query("DETACH DATABASE backup").execute(&mut *conn).await;
    exported?;
    detached?;
    Ok(())
}

/// The fewest characters a backup's passphrase may have.
pub const MIN_PASSPHRASE: usize = 10;

/// Checks a backup passphrase the admin chose.
///
/// # Errors
/// [`CoreError::Invalid`] when it is too short.
pub fn check_passphrase(passphrase: &str) -> Result<()> {
    if passphrase.trim().chars().count() < MIN_PASSPHRASE {
        return Err(CoreError::invalid(format!(
            "the backup's passphrase must have at least {MIN_PASSPHRASE} characters; keep it apart from the backup"
        )));
    }
    Ok(())
}

/// Restores the backup at `backup` (encrypted with `passphrase`) as the database at `path`,
/// encrypted as `at_rest` says. A database already there is kept beside it, renamed with
/// `.before-restore-<time>`, when `replace` allows it. Gives the number of rows restored.
pub(super) async fn restore(
    data_dir: &Path,
    path: &Path,
    backup: &Path,
    passphrase: &str,
    replace: bool,
    at_rest: &AtRest,
    now: i64,
) -> Result<u64> {
    let not_opened = || {
        CoreError::invalid(format!(
            "restore: {} does not open with this passphrase (or it is not a Frontdesk backup)",
            backup.display()
        ))
    };
    if !backup.is_file() {
        return Err(CoreError::invalid(format!("restore: there is no file {}", backup.display())));
    }
    // Read-write and allowed to create: the restored database is attached to this connection
    // (ATTACH opens files as the main one was opened) and written through it. The backup
    // itself is only read.
    init_crypto();
    let mut source = SqliteConnectOptions::new()
        .filename(backup)
        .create_if_missing(true)
        .disable_statement_logging()
        .pragma("key", sql_text(passphrase))
        .connect()
        .await?;
    let version = super::schema_version_in(&mut source).await.map_err(|_| not_opened())?;
    let known = super::Store::schema_version(super::Engine::Sqlite);
    match version {
        None => return Err(not_opened()),
        Some(found) if found > known => return Err(CoreError::NewerDatabase { found, known }),
        Some(_) => {}
    }
    let rows = table_rows(&mut source).await?;
    if found_at(path).map_err(io(path, "could not read"))? != Found::Nothing {
        if !replace {
            return Err(CoreError::invalid(format!(
                "restore: {} already holds a clinic; add --replace to keep it aside and restore over it",
                data_dir.display()
            )));
        }
        for suffix in ["", "-wal", "-shm"] {
            let old = sibling(path, suffix);
            if old.exists() {
                let aside = sibling(path, &format!(".before-restore-{now}{suffix}"));
                std::fs::rename(&old, &aside).map_err(io(&old, "could not move aside"))?;
            }
        }
    }
    let key = prepare(data_dir, path, at_rest).await?;
    let fresh = sibling(path, ".restoring");
    remove_if_present(&fresh)?;
    copy_into(&mut source, &fresh, key.as_ref()).await?;
    source.close().await?;
    verify(&fresh, key.as_ref(), &rows).await?;
    std::fs::rename(&fresh, path).map_err(io(path, "could not create"))?;
    restrict_file(path)?;
    Ok(rows.values().sum())
}

/// Converts the clear database at `path` into one encrypted with `key`, in place.
async fn convert(path: &Path, key: &DatabaseKey) -> Result<()> {
    let fresh = sibling(path, ".encrypting");
    remove_if_present(&fresh)?;
    // Allowed to create: the encrypted copy is attached to this connection.
    let mut clear = options(path, None).create_if_missing(true).connect().await?;
    // Everything into the main file, so that the WAL can go with it.
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(&mut clear).await?;
    let rows = table_rows(&mut clear).await?;
    copy_into(&mut clear, &fresh, Some(key)).await?;
    clear.close().await?;
    verify(&fresh, Some(key), &rows).await?;
    // The clear database's WAL and shared memory must not meet the encrypted file.
    for suffix in ["-wal", "-shm"] {
        shred(&sibling(path, suffix))?;
    }
    let old = sibling(path, ".clear-old");
    std::fs::rename(path, &old).map_err(io(path, "could not move"))?;
    std::fs::rename(&fresh, path).map_err(io(path, "could not create"))?;
    sync_folder(path);
    shred(&old)?;
    tracing::info!(tables = rows.len(), "converted the clinic's database to an encrypted one");
    Ok(())
}

/// What a crash during a conversion or a restore left: the next start puts it right.
fn finish_interrupted(path: &Path) -> Result<()> {
    let old = sibling(path, ".clear-old");
    if old.exists() {
        if path.exists() {
            shred(&old)?;
        } else {
            std::fs::rename(&old, path).map_err(io(path, "could not put back"))?;
        }
    }
    for unfinished in [".encrypting", ".restoring"] {
        remove_if_present(&sibling(path, unfinished))?;
    }
    Ok(())
}

/// Writes everything the connection's main database holds into a new database at `dest`,
/// encrypted with `key` (in clear without one).
async fn copy_into(conn: &mut SqliteConnection, dest: &Path, key: Option<&DatabaseKey>) -> Result<()> {
    // ATTACH takes the key as a value: `x'…'` is a raw key, as in the `key` pragma; empty is none.
    let key = key.map(|k| Zeroizing::new(format!("x'{}'", k.to_hex().as_str()))).unwrap_or_default();
    create_private(dest)?;
    sqlx::query("ATTACH DATABASE $1 AS copy KEY $2")
        .bind(utf8(dest)?)
        .bind(key.as_str())
        .execute(&mut *conn)
        .await?;
    let copied = sqlx::query("SELECT sqlcipher_export('copy')").execute(&mut *conn).await;
    let version: std::result::Result<i64, _> =
        sqlx::query_scalar("PRAGMA main.user_version").fetch_one(&mut *conn).await;
    let versioned = match version {
        Ok(v) => {
            sqlx::query(&format!("PRAGMA copy.user_version = {v}")).execute(&mut *conn).await.map(|_| ())
        }
        Err(e) => Err(e),
    };
    let detached = sqlx::query("DETACH DATABASE copy").execute(&mut *conn).await;
    copied?;
    versioned?;
    detached?;
    super::sync_file(dest).map_err(io(dest, "could not write"))
}

/// Checks that the database at `path` opens with `key`, passes SQLite's check, and holds the
/// same number of rows in every table as `expected`.
async fn verify(path: &Path, key: Option<&DatabaseKey>, expected: &HashMap<String, u64>) -> Result<()> {
    let mut conn = options(path, key).read_only(true).connect().await?;
    let check: String = sqlx::query_scalar("PRAGMA quick_check").fetch_one(&mut conn).await?;
    let rows = table_rows(&mut conn).await?;
    conn.close().await?;
    if check != "ok" || &rows != expected {
        let _ = std::fs::remove_file(path);
        return Err(CoreError::DataDir {
            path: path.display().to_string(),
            reason: format!("the encrypted copy did not match the database ({check}); nothing was changed"),
        });
    }
    Ok(())
}

/// How many rows each table holds.
async fn table_rows(conn: &mut SqliteConnection) -> Result<HashMap<String, u64>> {
    let tables: Vec<String> =
        sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            .fetch_all(&mut *conn)
            .await?;
    let mut rows = HashMap::new();
    for table in tables {
        let count: i64 =
            sqlx::query_scalar(&format!("SELECT count(*) FROM \"{}\"", table.replace('"', "\"\"")))
                .fetch_one(&mut *conn)
                .await?;
        rows.insert(table, u64::try_from(count).unwrap_or(0));
    }
    Ok(rows)
}

/// The name of the data folder's key in `keys`, and the key kept there, if any.
async fn kept_key(keys: &Arc<dyn KeyStore>, data_dir: &Path) -> Result<(String, Option<DatabaseKey>)> {
    let name = format!("database/{}", key_id(data_dir)?);
    let (keys, asked) = (Arc::clone(keys), name.clone());
    let key = blocking(move || keys.get(&asked)).await?;
    Ok((name, key))
}

/// The random id that names this data folder's key, made on first use.
fn key_id(data_dir: &Path) -> Result<String> {
    let path = data_dir.join(KEY_ID_FILE);
    match std::fs::read_to_string(&path) {
        Ok(id) if !id.trim().is_empty() => return Ok(id.trim().to_owned()),
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(io(&path, "could not read")(e)),
    }
    let id = DatabaseKey::generate().to_hex()[..32].to_ascii_lowercase();
    let mut file = create_private(&path)?;
    file.write_all(id.as_bytes()).and_then(|()| file.sync_all()).map_err(io(&path, "could not write"))?;
    Ok(id)
}

/// Creates an empty file (or opens an existing one) readable by this user only.
fn create_private(path: &Path) -> Result<std::fs::File> {
    let mut open = std::fs::OpenOptions::new();
    open.create(true).truncate(false).write(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut open, 0o600);
    open.open(path).map_err(io(path, "could not create"))
}

#[cfg(unix)]
fn restrict_file(path: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    for suffix in ["", "-wal", "-shm"] {
        let file = sibling(path, suffix);
        if file.exists() {
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600))
                .map_err(io(&file, "could not make private"))?;
        }
    }
    Ok(())
}

#[cfg(not(unix))]
fn restrict_file(_path: &Path) -> Result<()> {
    // On Windows the data folder is in the user's own profile, which only they can read.
    Ok(())
}

#[cfg(unix)]
fn restrict_folder(dir: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
        .map_err(io(dir, "could not make private"))
}

#[cfg(not(unix))]
fn restrict_folder(_dir: &Path) -> Result<()> {
    Ok(())
}

/// Overwrites a file with zeros, to the disk, and removes it. (On a solid-state disk the old
/// blocks may survive inside the drive: the README asks clinics for full-disk encryption.)
fn shred(path: &Path) -> Result<()> {
    let len = match std::fs::metadata(path) {
        Ok(meta) => meta.len(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(io(path, "could not read")(e)),
    };
    let mut file =
        std::fs::OpenOptions::new().write(true).open(path).map_err(io(path, "could not overwrite"))?;
    let zeros = vec![0u8; 64 * 1024];
    let mut left = len;
    while left > 0 {
        let n = usize::try_from(left.min(zeros.len() as u64)).unwrap_or(zeros.len());
        file.write_all(&zeros[..n]).map_err(io(path, "could not overwrite"))?;
        left -= n as u64;
    }
    file.sync_all().map_err(io(path, "could not overwrite"))?;
    drop(file);
    std::fs::remove_file(path).map_err(io(path, "could not remove"))
}

fn remove_if_present(path: &Path) -> Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(io(path, "could not remove")(e)),
        _ => Ok(()),
    }
}

#[cfg(unix)]
fn sync_folder(path: &Path) {
    if let Some(dir) = path.parent() {
        let _ = std::fs::File::open(dir).and_then(|d| d.sync_all());
    }
}

/// Windows cannot open a folder as a file to flush it; NTFS journals the rename itself.
#[cfg(not(unix))]
fn sync_folder(_path: &Path) {}

/// `path` with `suffix` added to its file name (`frontdesk.db` → `frontdesk.db-wal`).
fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

fn utf8(path: &Path) -> Result<&str> {
    path.to_str()
        .ok_or_else(|| CoreError::invalid(format!("{}: the path must be valid Unicode", path.display())))
}

/// A string as an SQL literal.
fn sql_text(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

fn io(path: &Path, context: &str) -> impl FnOnce(std::io::Error) -> CoreError {
    let context = format!("{context} {}", path.display());
    move |source| CoreError::Io { context, source }
}

async fn blocking<T: Send + 'static>(
    call: impl FnOnce() -> std::result::Result<T, String> + Send + 'static,
) -> Result<T> {
    tokio::task::spawn_blocking(call)
        .await
        .map_err(|e| CoreError::Keyring { reason: e.to_string() })?
        .map_err(|reason| CoreError::Keyring { reason })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_goes_to_hex_and_back_and_is_never_shown() {
        let key = DatabaseKey::generate();
        let back = DatabaseKey::from_hex(&key.to_hex()).unwrap();
        assert_eq!(*key.0, *back.0);
        assert_eq!(format!("{key:?}"), "DatabaseKey([redacted])");
        assert!(DatabaseKey::from_hex("abc").is_none());
        assert!(DatabaseKey::from_hex(&"g".repeat(64)).is_none());
    }

    #[test]
    fn passphrases_are_long_enough() {
        assert!(check_passphrase("short").is_err());
        assert!(check_passphrase("          x").is_err());
        assert!(check_passphrase("correct horse").is_ok());
    }
}
