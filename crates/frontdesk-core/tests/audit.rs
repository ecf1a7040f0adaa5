//! The audit log, on both engines: its hash chain (rows written past Frontdesk, by a SQL shell
//! with the triggers dropped as someone holding the file could, are found and named); reads of
//! one patient's data recorded once per person and record in five minutes; a print; the export.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests panic on purpose

mod engines;

use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime};
use engines::TestDb;
use frontdesk_core::store::{
    AuditAction, AuditAnchor, AuditBreak, AuditEntry, AuditFilter, Engine, NewPatient, EXPORT_HEADER,
    VIEW_WINDOW_MINUTES,
};
use frontdesk_core::time::parse_zone;
use frontdesk_core::{
    Actor, AppointmentId, BookingRequest, Clock, ErrorKind, HandClock, LocalTime, Mode, PatientId, Role,
    StaffId, Store, TypeId,
};

on_both_engines!(
    an_edited_or_removed_audit_row_is_named,
    rows_from_before_the_chain_are_counted_not_trusted,
    an_anchor_kept_apart_finds_rows_removed_from_the_end_or_a_rewritten_chain,
    opening_a_record_is_recorded_once_per_person_and_record_in_five_minutes,
    a_printed_day_sheet_is_recorded_with_its_count_and_no_names,
    the_log_exports_as_csv_for_admins_only_and_the_export_is_recorded,
);

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
    let intact = store.verify_audit(None).await.unwrap();
    assert!(intact.rows >= 6 && intact.before_chain == 0 && intact.broken.is_none(), "{intact:?}");
    let ids: Vec<i64> = store.audit_log(&Default::default()).await.unwrap().iter().map(|e| e.id).collect();

    drop_triggers(&db).await;
    // An edit: the row no longer matches its hash.
    let edited = ids[3];
    db.exec(&format!("UPDATE audit_log SET detail = '{{\"changed\":true}}' WHERE id = {edited}"))
        .await
        .unwrap();
    let found = store.verify_audit(None).await.unwrap().broken.unwrap();
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
    let found = store.verify_audit(None).await.unwrap().broken.unwrap();
    assert_eq!(found, AuditBreak { id: ids[4], problem: format!("it does not follow row {edited}: a row between them was removed, or row {edited} was changed") });

    // A removal: the row after it names the row before.
    let (db, store) = clinic(engine).await;
    drop_triggers(&db).await;
    db.exec(&format!("DELETE FROM audit_log WHERE id = {}", ids[2])).await.unwrap();
    let found = store.verify_audit(None).await.unwrap().broken.unwrap();
    assert_eq!(found.id, ids[3]);
    assert!(found.problem.contains(&format!("does not follow row {}", ids[1])), "{found:?}");

    // The first rows removed.
    db.exec(&format!("DELETE FROM audit_log WHERE id <= {}", ids[1])).await.unwrap();
    let found = store.verify_audit(None).await.unwrap().broken.unwrap();
    assert_eq!(found.id, ids[3]);
    assert!(found.problem.contains("rows before it were removed"), "{found:?}");

    // A row written past Frontdesk, with no hash.
    let (db, store) = clinic(engine).await;
    db.exec("INSERT INTO audit_log (at_ms, actor, action, detail) VALUES (0, 'cli:mallory', 'patient_added', '{}')")
        .await
        .unwrap();
    let found = store.verify_audit(None).await.unwrap().broken.unwrap();
    assert!(found.problem.contains("written past Frontdesk"), "{found:?}");
}

/// The chain alone cannot see rows removed from its end, or a chain whose hashes were all made
/// again after an edit; an anchor kept apart from the database (the last row a check printed, or
/// an earlier export's last row) can, for every row up to it.
async fn an_anchor_kept_apart_finds_rows_removed_from_the_end_or_a_rewritten_chain(engine: Engine) {
    let (db, store) = clinic(engine).await;
    let ids: Vec<i64> = store.audit_log(&Default::default()).await.unwrap().iter().map(|e| e.id).collect();
    let head = store.verify_audit(None).await.unwrap().head.unwrap();
    assert_eq!(head.id, *ids.last().unwrap());
    assert_eq!(AuditAnchor::parse(&head.to_string()), Some(head.clone()), "it reads back as printed");
    let export = db.dir.path().join("earlier.csv");
    store.export_audit(&it(), &Default::default(), &export).await.unwrap();
    assert_eq!(AuditAnchor::from_export(&export).unwrap(), head, "an export's last row is an anchor");

    // Rows written since leave the anchor standing.
    store
        .add_patient(&it(), &NewPatient { full_name: "New Patient".into(), ..Default::default() })
        .await
        .unwrap();
    let later = store.verify_audit(Some(&head)).await.unwrap();
    assert_eq!(later.broken, None);
    assert!(later.head.unwrap().id > head.id);

    // The anchor's row and everything after it removed: the chain still holds, the anchor does not.
    drop_triggers(&db).await;
    db.exec(&format!("DELETE FROM audit_log WHERE id >= {}", head.id)).await.unwrap();
    assert_eq!(store.verify_audit(None).await.unwrap().broken, None, "the chain alone cannot tell");
    let found = store.verify_audit(Some(&head)).await.unwrap().broken.unwrap();
    assert_eq!(
        found,
        AuditBreak {
            id: head.id,
            problem: "it is gone, though the anchor recorded it: rows were removed from the end of the log"
                .into()
        }
    );

    // A row that is no longer the one the anchor recorded (its hash made again).
    let earlier = AuditAnchor { id: ids[2], hash: "0".repeat(64) };
    let found = store.verify_audit(Some(&earlier)).await.unwrap().broken.unwrap();
    assert_eq!(found.id, ids[2]);
    assert!(found.problem.contains("rewritten"), "{found:?}");

    // What is not an anchor is said so.
    let a64 = "a".repeat(64);
    for bad in [
        "12".into(),
        format!("x:{a64}"),
        format!("0:{a64}"),
        format!("-3:{a64}"),
        "3:abc".into(),
        format!("3:{}", "z".repeat(64)),
    ] {
        assert_eq!(AuditAnchor::parse(&bad), None, "{bad}");
    }
    std::fs::write(db.dir.path().join("notes.csv"), "a,b\n1,2\n").unwrap();
    let refused = AuditAnchor::from_export(&db.dir.path().join("notes.csv")).unwrap_err();
    assert_eq!(refused.kind(), ErrorKind::Validation);
    assert!(refused.to_string().contains("neither ID:HASH nor an audit export"), "{refused}");
    let missing = AuditAnchor::from_export(&db.dir.path().join("none.csv")).unwrap_err();
    assert_eq!(missing.kind(), ErrorKind::Validation, "{missing}");
}

async fn rows_from_before_the_chain_are_counted_not_trusted(engine: Engine) {
    let (db, store) = clinic(engine).await;
    // As a database from before the chain leaves it: no hashes at all.
    drop_triggers(&db).await;
    db.exec("UPDATE audit_log SET hash = NULL, prev_hash = NULL").await.unwrap();
    let old = store.verify_audit(None).await.unwrap();
    assert_eq!((old.before_chain, old.broken.clone()), (old.rows, None));
    // The chain begins with the next row, and holds from there.
    store
        .add_patient(&it(), &NewPatient { full_name: "New Patient".into(), ..Default::default() })
        .await
        .unwrap();
    let now = store.verify_audit(None).await.unwrap();
    assert_eq!((now.rows, now.before_chain, now.broken), (old.rows + 1, old.rows, None));
}

/// A clinic with a doctor (1), a receptionist (2), another receptionist (3), two patients with
/// details worth keeping out of the log, and a visit of each (appointments 1 and 2), on a clock
/// moved by hand.
async fn clinic_with_visits(engine: Engine) -> (TestDb, Store, Arc<HandClock>) {
    let db = TestDb::new(engine).await;
    let clock =
        Arc::new(HandClock::at(DateTime::parse_from_rfc3339("2026-07-06T12:00:00Z").unwrap().to_utc()));
    let store = db.open(clock.clone()).await;
    store.init_clinic("Maple Clinic", "America/Toronto").await.unwrap();
    store.add_staff(&it(), "Dr Ada Lee", Role::Doctor, None).await.unwrap();
    store.add_staff(&it(), "Dana Desk", Role::Receptionist, None).await.unwrap();
    store.add_staff(&it(), "Rae Desk", Role::Receptionist, None).await.unwrap();
    store.add_type(&it(), "Consult", 30, Mode::InPerson).await.unwrap();
    for (n, name) in ["Jane Doe", "Sam Roe"].into_iter().enumerate() {
        let patient = NewPatient {
            full_name: name.into(),
            email: Some(format!("{}@example.org", name.to_lowercase().replace(' ', "."))),
            note: Some("Allergic to penicillin".into()),
            ..Default::default()
        };
        let patient = store.add_patient(&it(), &patient).await.unwrap();
        let start = LocalTime {
            at: NaiveDateTime::parse_from_str(&format!("2026-07-06T{:02}:00", 9 + n), "%Y-%m-%dT%H:%M")
                .unwrap(),
            tz: parse_zone("America/Toronto").unwrap(),
            fold: None,
        };
        let request = BookingRequest {
            patient_id: patient.id,
            doctor_id: StaffId(1),
            type_id: TypeId(1),
            start,
            allow_overlap: false,
            allow_outside_hours: false,
            topic: None,
            description: None,
        };
        store.book(&it(), &request).await.unwrap();
    }
    (db, store, clock)
}

fn staff(id: i64, role: Role) -> Actor {
    Actor::Staff { id: StaffId(id), role }
}

async fn rows_of(store: &Store, action: AuditAction) -> Vec<AuditEntry> {
    store.audit_log(&AuditFilter { action: Some(action), ..Default::default() }).await.unwrap()
}

async fn opening_a_record_is_recorded_once_per_person_and_record_in_five_minutes(engine: Engine) {
    let (_db, store, clock) = clinic_with_visits(engine).await;
    let dana = staff(2, Role::Receptionist);
    let rae = staff(3, Role::Receptionist);
    let doctor = staff(1, Role::Doctor);
    let start = clock.now();
    let views = |action| rows_of(&store, action);

    // Dana opens Jane's visit, and the panel is read again and again for a while: one row.
    let shown = store.view_appointment(&dana, AppointmentId(1)).await.unwrap();
    assert_eq!(shown.appointment.id, AppointmentId(1));
    assert!(!shown.history.is_empty());
    for seconds in [0, 60, 299] {
        clock.set(start + Duration::seconds(seconds));
        store.view_appointment(&dana, AppointmentId(1)).await.unwrap();
    }
    let rows = views(AuditAction::AppointmentViewed).await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    let row = &rows[0];
    assert_eq!((row.actor.as_str(), row.actor_staff_id), ("staff:2", Some(StaffId(2))));
    assert_eq!(
        (row.doctor_id, row.patient_id, row.appointment_id),
        (Some(StaffId(1)), Some(PatientId(1)), Some(AppointmentId(1)))
    );
    assert_eq!(row.detail, serde_json::json!({}));

    // Someone else, or another appointment, is another row; so is a doctor reading.
    store.view_appointment(&rae, AppointmentId(1)).await.unwrap();
    store.view_appointment(&dana, AppointmentId(2)).await.unwrap();
    store.view_appointment(&doctor, AppointmentId(2)).await.unwrap();
    assert_eq!(views(AuditAction::AppointmentViewed).await.len(), 4);

    // Five minutes after her first view, Dana's next one is recorded again.
    clock.set(start + Duration::minutes(VIEW_WINDOW_MINUTES));
    store.view_appointment(&dana, AppointmentId(1)).await.unwrap();
    let rows = views(AuditAction::AppointmentViewed).await;
    assert_eq!(rows.len(), 5);
    assert_eq!(rows[4].at, start + Duration::minutes(VIEW_WINDOW_MINUTES));

    // A clock set back does not hide a view behind a row "from the future".
    clock.set(start - Duration::hours(1));
    store.view_appointment(&dana, AppointmentId(1)).await.unwrap();
    assert_eq!(views(AuditAction::AppointmentViewed).await.len(), 6);
    clock.set(start + Duration::minutes(VIEW_WINDOW_MINUTES + 1));

    // A patient's record: the same rule, by patient, apart from appointment views.
    let jane = store.view_patient(&dana, PatientId(1)).await.unwrap();
    assert_eq!(jane.full_name, "Jane Doe");
    store.view_patient(&dana, PatientId(1)).await.unwrap();
    store.view_patient(&dana, PatientId(2)).await.unwrap();
    let rows = views(AuditAction::PatientViewed).await;
    let about: Vec<_> =
        rows.iter().map(|r| (r.actor.as_str(), r.patient_id, r.appointment_id, r.doctor_id)).collect();
    assert_eq!(
        about,
        [("staff:2", Some(PatientId(1)), None, None), ("staff:2", Some(PatientId(2)), None, None)]
    );

    // What cannot be read is not recorded; the command line's user is a person like any other.
    assert_eq!(
        store.view_appointment(&dana, AppointmentId(99)).await.unwrap_err().kind(),
        ErrorKind::NotFound
    );
    assert_eq!(store.view_patient(&dana, PatientId(99)).await.unwrap_err().kind(), ErrorKind::NotFound);
    store.view_appointment(&it(), AppointmentId(1)).await.unwrap();
    store.view_appointment(&it(), AppointmentId(1)).await.unwrap();
    let rows = views(AuditAction::AppointmentViewed).await;
    assert_eq!(rows.len(), 7);
    assert_eq!(rows[6].actor, "test:it");

    // Ids only: no name, address or note of a patient anywhere in the log, and the chain holds.
    let log = serde_json::to_string(&store.audit_log(&Default::default()).await.unwrap()).unwrap();
    for detail in ["Jane", "Sam", "example.org", "penicillin"] {
        assert!(!log.contains(detail), "{detail} in the log: {log}");
    }
    assert_eq!(store.verify_audit(None).await.unwrap().broken, None);
}

async fn a_printed_day_sheet_is_recorded_with_its_count_and_no_names(engine: Engine) {
    let (_db, store, _clock) = clinic_with_visits(engine).await;
    let clinic = store.require_clinic().await.unwrap();
    let day = NaiveDate::from_ymd_opt(2026, 7, 6).unwrap();
    let dana = staff(2, Role::Receptionist);
    assert_eq!(store.day_sheet_printed(&dana, &clinic, day, None).await.unwrap(), 2);
    assert_eq!(
        store.day_sheet_printed(&dana, &clinic, day.succ_opt().unwrap(), Some(StaffId(1))).await.unwrap(),
        0
    );
    let e = store.day_sheet_printed(&dana, &clinic, day, Some(StaffId(2))).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Validation, "{e}");
    let rows = rows_of(&store, AuditAction::DaySheetPrinted).await;
    let printed: Vec<_> = rows.iter().map(|r| (r.actor.as_str(), r.doctor_id, r.detail.clone())).collect();
    assert_eq!(
        printed,
        [
            (
                "staff:2",
                None,
                serde_json::json!({ "date": "2026-07-06", "doctor_id": null, "appointments": 2 })
            ),
            (
                "staff:2",
                Some(StaffId(1)),
                serde_json::json!({ "date": "2026-07-07", "doctor_id": 1, "appointments": 0 })
            ),
        ]
    );
}

async fn the_log_exports_as_csv_for_admins_only_and_the_export_is_recorded(engine: Engine) {
    let (db, store, _clock) = clinic_with_visits(engine).await;
    store.add_staff(&it(), "=HYPERLINK(\"http://x\")", Role::Admin, None).await.unwrap();
    let admin = staff(4, Role::Admin);
    store.view_appointment(&admin, AppointmentId(1)).await.unwrap();
    let out = db.dir.path().join("audit.csv");

    let refused =
        store.export_audit(&staff(2, Role::Receptionist), &Default::default(), &out).await.unwrap_err();
    assert_eq!(refused.kind(), ErrorKind::Forbidden);
    assert!(!out.exists());

    let log = store.audit_log(&Default::default()).await.unwrap();
    assert_eq!(store.export_audit(&admin, &Default::default(), &out).await.unwrap(), log.len());
    let mut csv = csv::Reader::from_path(&out).unwrap();
    assert_eq!(csv.headers().unwrap(), &csv::StringRecord::from(EXPORT_HEADER.to_vec()));
    let rows: Vec<csv::StringRecord> = csv.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), log.len());
    for (row, entry) in rows.iter().zip(&log) {
        assert_eq!(row[0], entry.id.to_string());
        assert_eq!(DateTime::parse_from_rfc3339(&row[1]).unwrap().to_utc(), entry.at);
        assert!(row[1].ends_with('Z'), "{}", &row[1]);
        assert_eq!(row[2], entry.actor);
        assert_eq!(&row[4], entry.action.as_str());
        assert_eq!(serde_json::from_str::<serde_json::Value>(&row[8]).unwrap(), entry.detail);
        assert_eq!(row[9].len(), 64, "each row carries its hash");
    }
    let viewed = rows.iter().find(|r| &r[4] == "appointment_viewed").unwrap();
    let cells: Vec<&str> = [3, 5, 6, 7].iter().map(|n| &viewed[*n]).collect();
    assert_eq!(
        cells,
        ["'=HYPERLINK(\"http://x\")", "1", "1", "1"],
        "a name that looks like a formula is inert"
    );
    // The hashes are the chain's own: the last exported row's is the one before the export's row.
    assert_eq!(
        rows.last().unwrap()[9],
        db.text("SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1 OFFSET 1").await
    );

    // The export itself is recorded, with its count; an existing file is never overwritten.
    let exported = rows_of(&store, AuditAction::AuditExported).await;
    assert_eq!(exported.len(), 1);
    assert_eq!(
        (exported[0].actor.as_str(), &exported[0].detail["rows"]),
        ("staff:4", &serde_json::json!(log.len()))
    );
    let before = std::fs::read(&out).unwrap();
    let e = store.export_audit(&admin, &Default::default(), &out).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Validation);
    assert!(e.to_string().contains("already exists"), "{e}");
    assert_eq!(std::fs::read(&out).unwrap(), before);
    assert_eq!(rows_of(&store, AuditAction::AuditExported).await.len(), 1);

    // A window of days: nothing from the future.
    let later = db.dir.path().join("later.csv");
    let since = Some(DateTime::parse_from_rfc3339("2199-01-01T00:00:00Z").unwrap().to_utc());
    assert_eq!(
        store.export_audit(&admin, &AuditFilter { since, ..Default::default() }, &later).await.unwrap(),
        0
    );
    assert_eq!(std::fs::read_to_string(&later).unwrap(), format!("{}\n", EXPORT_HEADER.join(",")));
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(!text.contains("Jane") && !text.contains("penicillin"), "{text}");
}
