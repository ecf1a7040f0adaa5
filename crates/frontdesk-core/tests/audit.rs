//! The audit log's hash chain, on both engines: rows written past Frontdesk (a SQL shell with
//! the triggers dropped, as someone holding the file could) are found and named.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests panic on purpose

mod engines;

use std::sync::Arc;

use engines::TestDb;
use frontdesk_core::store::{AuditBreak, Engine, NewPatient};
use frontdesk_core::{Actor, HandClock, Role, Store};

on_both_engines!(an_edited_or_removed_audit_row_is_named, rows_from_before_the_chain_are_counted_not_trusted);

fn it() -> Actor {
    Actor::Tool { tool: "test", user: "it".into() }
}

/// A clinic with a few audited changes: the clinic, a doctor, five patients.
async fn clinic(engine: Engine) -> (TestDb, Store) {
    let db = TestDb::new(engine).await;
    let store = db.open(Arc::new(HandClock(1_780_000_000.into()))).await;
    store.init_clinic("Maple Clinic", "America/Toronto").await.unwrap();
    store.add_staff(&it(), "Dr Ada Lee", Role::Doctor, None).await.unwrap();
    for n in 0..5 {
        let patient = NewPatient { full_name: format!("Patient {n}"), ..Default::default() };
        store.add_patient(&it(), &patient).await.unwrap();
    }
    (db, store)
}

/// Drops the triggers that keep the log append-only, as someone with a SQL shell could.
async fn drop_triggers(db: &TestDb) {
    let statements: &[&str] = match db.engine {
        Engine::Sqlite => {
            &["DROP TRIGGER audit_log_is_append_only_update", "DROP TRIGGER audit_log_is_append_only_delete"]
        }
        Engine::Postgres => &["DROP TRIGGER audit_log_is_append_only ON audit_log"],
    };
    for sql in statements {
        db.exec(sql).await.unwrap();
    }
}

async fn an_edited_or_removed_audit_row_is_named(engine: Engine) {
    let (db, store) = clinic(engine).await;
    let intact = store.verify_audit().await.unwrap();
    assert!(intact.rows >= 6 && intact.before_chain == 0 && intact.broken.is_none(), "{intact:?}");
    let ids: Vec<i64> = store.audit_log(&Default::default()).await.unwrap().iter().map(|e| e.id).collect();

    drop_triggers(&db).await;
    // An edit: the row no longer matches its hash.
    let edited = ids[3];
    db.exec(&format!("UPDATE audit_log SET detail = '{{\"changed\":true}}' WHERE id = {edited}"))
        .await
        .unwrap();
    let found = store.verify_audit().await.unwrap().broken.unwrap();
    assert_eq!(found.id, edited);
    assert!(found.problem.contains("content was changed"), "{found:?}");

    // Its hash made again by hand, as the chain makes it: the next row's link breaks instead.
    let content = db
        .text(&format!(
            "SELECT coalesce(prev_hash, '') || '\n' || CAST(at_ms AS TEXT) || '\n' || actor || '\n' ||
                    coalesce(CAST(actor_staff_id AS TEXT), '') || '\n' || action || '\n' ||
                    coalesce(CAST(doctor_id AS TEXT), '') || '\n' || coalesce(CAST(patient_id AS TEXT), '') || '\n' ||
                    coalesce(CAST(appointment_id AS TEXT), '') || '\n' || detail
             FROM audit_log WHERE id = {edited}"
        ))
        .await;
    let hash: String = {
        use sha2::{Digest, Sha256};
        Sha256::digest(content.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
    };
    db.exec(&format!("UPDATE audit_log SET hash = '{hash}' WHERE id = {edited}")).await.unwrap();
    let found = store.verify_audit().await.unwrap().broken.unwrap();
    assert_eq!(found, AuditBreak { id: ids[4], problem: format!("it does not follow row {edited}: a row between them was removed, or row {edited} was changed") });

    // A removal: the row after it names the row before.
    let (db, store) = clinic(engine).await;
    drop_triggers(&db).await;
    db.exec(&format!("DELETE FROM audit_log WHERE id = {}", ids[2])).await.unwrap();
    let found = store.verify_audit().await.unwrap().broken.unwrap();
    assert_eq!(found.id, ids[3]);
    assert!(found.problem.contains(&format!("does not follow row {}", ids[1])), "{found:?}");

    // The first rows removed.
    db.exec(&format!("DELETE FROM audit_log WHERE id <= {}", ids[1])).await.unwrap();
    let found = store.verify_audit().await.unwrap().broken.unwrap();
    assert_eq!(found.id, ids[3]);
    assert!(found.problem.contains("rows before it were removed"), "{found:?}");

    // A row written past Frontdesk, with no hash.
    let (db, store) = clinic(engine).await;
    db.exec("INSERT INTO audit_log (at_ms, actor, action, detail) VALUES (0, 'cli:mallory', 'patient_added', '{}')")
        .await
        .unwrap();
    let found = store.verify_audit().await.unwrap().broken.unwrap();
    assert!(found.problem.contains("written past Frontdesk"), "{found:?}");
}

async fn rows_from_before_the_chain_are_counted_not_trusted(engine: Engine) {
    let (db, store) = clinic(engine).await;
    // As a database from before the chain leaves it: no hashes at all.
    drop_triggers(&db).await;
    db.exec("UPDATE audit_log SET hash = NULL, prev_hash = NULL").await.unwrap();
    let old = store.verify_audit().await.unwrap();
    assert_eq!((old.before_chain, old.broken.clone()), (old.rows, None));
    // The chain begins with the next row, and holds from there.
    store
        .add_patient(&it(), &NewPatient { full_name: "New Patient".into(), ..Default::default() })
        .await
        .unwrap();
    let now = store.verify_audit().await.unwrap();
    assert_eq!((now.rows, now.before_chain, now.broken), (old.rows + 1, old.rows, None));
}
