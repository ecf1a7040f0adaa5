//! The clinic's file encrypted at rest (SQLCipher): nothing of a patient in clear in the file,
//! its WAL or a backup; it opens only with its key; a clear database from an earlier Frontdesk
//! is converted with every row; private file modes; a lost key is explained and a backup
//! restores the clinic.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests panic on purpose

mod engines;

use std::path::Path;
use std::sync::Arc;

use engines::TestDb;
use frontdesk_core::store::{AtRest, Engine, MemoryKeys, NewPatient};
use frontdesk_core::{Actor, CoreError, FixedClock, Role, Store};

const PATIENT: &str = "Zelda Quimby-Ortega";
const EMAIL: &str = "zelda.quimby@example.org";
const PASSPHRASE: &str = "staple battery horse";

fn it() -> Actor {
    Actor::Tool { tool: "test", user: "it".into() }
}

fn clock() -> Arc<FixedClock> {
    Arc::new(FixedClock(chrono::DateTime::from_timestamp(1_780_000_000, 0).unwrap()))
}

/// A clinic with a patient whose details are easy to find in bytes.
async fn clinic(dir: &Path, at_rest: AtRest) -> Store {
    let store = Store::open_with_clock(dir, clock(), at_rest).await.unwrap();
    store.init_clinic("Maple Clinic", "America/Toronto").await.unwrap();
    store.add_staff(&it(), "Dr Ada Lee", Role::Doctor, None).await.unwrap();
    let patient = NewPatient {
        full_name: PATIENT.into(),
        email: Some(EMAIL.into()),
        note: Some("allergic to penicillin".into()),
        ..Default::default()
    };
    store.add_patient(&it(), &patient).await.unwrap();
    store
}

fn bytes_of(dir: &Path, names: &[&str]) -> Vec<u8> {
    names.iter().filter_map(|n| std::fs::read(dir.join(n)).ok()).flatten().collect()
}

fn holds(bytes: &[u8], needle: &str) -> bool {
    bytes.windows(needle.len()).any(|w| w == needle.as_bytes())
}

#[tokio::test]
async fn the_file_its_wal_and_a_backup_hold_nothing_in_clear_and_open_only_with_the_key() {
    let db = TestDb::new(Engine::Sqlite).await;
    let dir = db.dir.path();
    let store = clinic(dir, db.at_rest()).await;
    // While the store is open the latest writes are in the WAL: read both.
    let open_files = bytes_of(dir, &["frontdesk.db", "frontdesk.db-wal"]);
    assert!(std::fs::metadata(dir.join("frontdesk.db-wal")).unwrap().len() > 0, "the WAL holds writes");
    let backup = dir.join("backup.db");
    store.backup(&it(), &backup, PASSPHRASE).await.unwrap();
    store.close().await;
    let all =
        [open_files, bytes_of(dir, &["frontdesk.db", "frontdesk.db-wal"]), std::fs::read(&backup).unwrap()];
    for bytes in &all {
        assert!(!bytes.is_empty());
        for needle in [PATIENT, EMAIL, "penicillin", "Maple Clinic", "Dr Ada Lee", "SQLite format 3"] {
            assert!(!holds(bytes, needle), "{needle} in clear");
        }
    }
    // With the right key it opens and holds the patient.
    let again = Store::open_with_clock(dir, clock(), db.at_rest()).await.unwrap();
    assert_eq!(again.find_patients(&it(), "Zelda").await.unwrap().len(), 1);
    again.close().await;
    // Without it, or with another, it does not; nothing is changed and the message says what to do.
    let other_keyring = AtRest::Encrypted(Arc::new(MemoryKeys::default()));
    let lost = Store::open_with_clock(dir, clock(), other_keyring).await.unwrap_err();
    assert!(matches!(lost, CoreError::KeyLost { .. }), "{lost:?}");
    assert!(lost.to_string().contains("frontdesk-cli restore"), "{lost}");
    let clear = Store::open_with_clock(dir, clock(), AtRest::Clear).await.unwrap_err();
    assert!(clear.to_string().contains("encrypted"), "{clear}");
    // The backup opens with its passphrase only.
    let elsewhere = TestDb::new(Engine::Sqlite).await;
    let wrong = Store::restore(
        &it(),
        elsewhere.dir.path(),
        &backup,
        "not the passphrase",
        false,
        clock(),
        elsewhere.at_rest(),
    )
    .await
    .unwrap_err();
    assert!(wrong.to_string().contains("does not open with this passphrase"), "{wrong}");
    assert!(!elsewhere.dir.path().join("frontdesk.db").exists(), "a refused restore leaves nothing");
}

#[tokio::test]
async fn a_clear_database_from_today_converts_with_every_row_and_leaves_no_clear_copy() {
    let db = TestDb::new(Engine::Sqlite).await;
    let dir = db.dir.path();
    // A clinic kept in clear, as every Frontdesk before this one kept it.
    let store = clinic(dir, AtRest::Clear).await;
    for n in 0..200 {
        let patient = NewPatient { full_name: format!("Patient {n}"), ..Default::default() };
        store.add_patient(&it(), &patient).await.unwrap();
    }
    store.close().await;
    let clear_dump = dump(dir, AtRest::Clear).await;
    assert!(clear_dump.contains(PATIENT));

    let converted = Store::open_with_clock(dir, clock(), db.at_rest()).await.unwrap();
    converted.close().await;
    assert_eq!(dump(dir, db.at_rest()).await, clear_dump, "every row of every table survives");
    let bytes = bytes_of(dir, &["frontdesk.db", "frontdesk.db-wal"]);
    assert!(!holds(&bytes, PATIENT) && !holds(&bytes, "SQLite format 3"));
    let left: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert!(
        left.iter()
            .all(|n| !n.to_string_lossy().contains("clear") && !n.to_string_lossy().contains("encrypting")),
        "{left:?}"
    );
    // The audit chain came across intact.
    let store = Store::open_with_clock(dir, clock(), db.at_rest()).await.unwrap();
    let check = store.verify_audit(None).await.unwrap();
    assert!(check.broken.is_none() && check.rows > 0, "{check:?}");
}

#[tokio::test]
async fn a_conversion_cut_short_is_finished_on_the_next_start() {
    let db = TestDb::new(Engine::Sqlite).await;
    let dir = db.dir.path();
    clinic(dir, AtRest::Clear).await.close().await;
    // A crash after the clear file was moved aside and before the encrypted one took its place.
    std::fs::rename(dir.join("frontdesk.db"), dir.join("frontdesk.db.clear-old")).unwrap();
    std::fs::write(dir.join("frontdesk.db.encrypting"), b"half written").unwrap();
    let store = Store::open_with_clock(dir, clock(), db.at_rest()).await.unwrap();
    assert_eq!(store.find_patients(&it(), "Zelda").await.unwrap().len(), 1);
    assert!(!dir.join("frontdesk.db.clear-old").exists() && !dir.join("frontdesk.db.encrypting").exists());
    assert!(!holds(&std::fs::read(dir.join("frontdesk.db")).unwrap(), PATIENT));
}

#[cfg(unix)]
#[tokio::test]
async fn the_folder_is_0700_and_its_files_0600() {
    use std::os::unix::fs::PermissionsExt;
    let db = TestDb::new(Engine::Sqlite).await;
    let dir = db.dir.path();
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    let store = clinic(dir, db.at_rest()).await;
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(dir), 0o700);
    for name in ["frontdesk.db", "frontdesk.db-wal", "frontdesk.db-shm", "database-key-id"] {
        assert_eq!(mode(&dir.join(name)), 0o600, "{name}");
    }
    let backup = dir.join("backup.db");
    store.backup(&it(), &backup, PASSPHRASE).await.unwrap();
    assert_eq!(mode(&backup) & 0o077, 0, "a backup is private too");
}

#[tokio::test]
async fn a_lost_key_is_explained_and_a_backup_restores_the_clinic() {
    let db = TestDb::new(Engine::Sqlite).await;
    let dir = db.dir.path();
    let store = clinic(dir, db.at_rest()).await;
    let short = store.backup(&it(), &dir.join("short.db"), "short").await.unwrap_err();
    assert!(short.to_string().contains("at least 10 characters"), "{short}");
    let backup = db.dir.path().join("backup.db");
    store.backup(&it(), &backup, PASSPHRASE).await.unwrap();
    store.close().await;

    // The keyring forgot the key (a new one was set up, the profile was reset).
    let new_keyring = AtRest::Encrypted(Arc::new(MemoryKeys::default()));
    let lost = Store::open_with_clock(dir, clock(), new_keyring.clone()).await.unwrap_err();
    assert!(matches!(lost, CoreError::KeyLost { .. }), "{lost:?}");
    // Restoring over a database needs to be asked for; the old file is kept aside.
    let refused = Store::restore(&it(), dir, &backup, PASSPHRASE, false, clock(), new_keyring.clone())
        .await
        .unwrap_err();
    assert!(refused.to_string().contains("--replace"), "{refused}");
    let (store, rows) =
        Store::restore(&it(), dir, &backup, PASSPHRASE, true, clock(), new_keyring.clone()).await.unwrap();
    assert!(rows > 5, "{rows}");
    assert_eq!(store.find_patients(&it(), "Zelda").await.unwrap().len(), 1);
    let restores = store
        .audit_log(&Default::default())
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action == frontdesk_core::store::AuditAction::BackupRestored)
        .count();
    assert_eq!(restores, 1, "the restore is audited");
    store.close().await;
    // (Its write-ahead log and shared memory, when the failed open left them, go aside beside it.)
    let aside = std::fs::read_dir(dir).unwrap().filter(|e| {
        let name = e.as_ref().unwrap().file_name().to_string_lossy().into_owned();
        name.starts_with("frontdesk.db.before-restore-") && !name.ends_with("-wal") && !name.ends_with("-shm")
    });
    assert_eq!(aside.count(), 1, "the unreadable database is kept aside, not deleted");
    // The restored clinic is encrypted with the new keyring's key, and opens with it.
    Store::open_with_clock(dir, clock(), new_keyring).await.unwrap();
    assert!(!holds(&std::fs::read(dir.join("frontdesk.db")).unwrap(), PATIENT));
}

/// Every table's rows, in order, read through the store's own file options.
async fn dump(dir: &Path, at_rest: AtRest) -> String {
    use sqlx::{ConnectOptions, Connection};
    let mut conn = frontdesk_core::store::file_options(dir, &at_rest).await.unwrap().connect().await.unwrap();
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name != '_sqlx_migrations' ORDER BY name",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    let mut text = String::new();
    for table in tables {
        let columns: Vec<String> = sqlx::query_scalar("SELECT name FROM pragma_table_info($1) ORDER BY cid")
            .bind(&table)
            .fetch_all(&mut conn)
            .await
            .unwrap();
        let row = columns.iter().map(|c| format!("quote(\"{c}\")")).collect::<Vec<_>>().join(" || ',' || ");
        let rows: Vec<String> = sqlx::query_scalar(&format!("SELECT {row} FROM \"{table}\" ORDER BY rowid"))
            .fetch_all(&mut conn)
            .await
            .unwrap();
        text.push_str(&format!("{table}: {}\n", rows.join("\n")));
    }
    conn.close().await.unwrap();
    text
}
