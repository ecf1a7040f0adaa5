//! The command-line twin, run as a real binary on real SQLite files.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests panic on purpose

mod common;

use common::{run_with, Clinic};
use serde_json::Value;

fn book(c: &Clinic, extra: &[&str]) -> Value {
    let mut args = vec!["book", "--patient", "1", "--doctor", "1", "--type", "1"];
    args.extend_from_slice(extra);
    c.json(&args)
}

#[test]
fn booking_round_trip_in_json() {
    let c = Clinic::seeded();
    let a = book(&c, &["--at", "2026-07-06T09:30", "--topic", "Follow-up"]);
    assert_eq!(a["id"], 1);
    assert_eq!(a["patient_id"], 1);
    assert_eq!(a["doctor_id"], 1);
    assert_eq!(a["type_id"], 1);
    assert_eq!(a["start"], "2026-07-06T13:30:00Z");
    assert_eq!(a["end"], "2026-07-06T14:00:00Z");
    assert_eq!(a["tz"], "America/Toronto");
    assert_eq!(a["local_start"], "2026-07-06T09:30:00-04:00");
    assert_eq!(a["status"], "booked");
    assert_eq!(a["cancel_reason"], Value::Null);

    // Booked in another zone: the instant is London's 14:00.
    let b = c.json(&[
        "book",
        "--patient",
        "2",
        "--doctor",
        "2",
        "--type",
        "2",
        "--at",
        "2026-07-06T14:00",
        "--tz",
        "Europe/London",
    ]);
    assert_eq!(b["start"], "2026-07-06T13:00:00Z");
    assert_eq!(b["local_start"], "2026-07-06T14:00:00+01:00");
    let early = book(&c, &["--at", "2026-07-06T08:00"]);

    // The day, sorted by start, in the clinic's zone by default.
    let day = c.json(&["day", "--date", "2026-07-06"]);
    let ids: Vec<_> = day.as_array().unwrap().iter().map(|a| a["id"].as_i64().unwrap()).collect();
    assert_eq!(ids, vec![early["id"].as_i64().unwrap(), 2, 1]);
    let for_doctor = c.json(&["day", "--date", "2026-07-06", "--doctor", "2"]);
    assert_eq!(for_doctor.as_array().unwrap().len(), 1);

    // Move, check in, cancel: every change in the history, with who and when.
    let moved = c.json(&["move", "1", "--at", "2026-07-06T11:00"]);
    assert_eq!(moved["start"], "2026-07-06T15:00:00Z");
    assert_eq!(moved["end"], "2026-07-06T15:30:00Z");
    // A reschedule to another doctor and type is the same visit, with the new type's length.
    let rescheduled = c.json(&[
        "move",
        &early["id"].to_string(),
        "--at",
        "2026-07-07T09:00",
        "--doctor",
        "2",
        "--type",
        "2",
    ]);
    assert_eq!(
        (rescheduled["id"].clone(), rescheduled["doctor_id"].clone()),
        (early["id"].clone(), 2.into())
    );
    assert_eq!(
        (rescheduled["start"].as_str(), rescheduled["end"].as_str()),
        (Some("2026-07-07T13:00:00Z"), Some("2026-07-07T14:00:00Z"))
    );
    c.run(&["move", &early["id"].to_string(), "--at", "2026-07-07T09:00", "--doctor", "3"])
        .refused("not a doctor");
    c.json(&["status", "1", "checked-in"]);
    let cancelled = c.json(&["cancel", "1", "--reason", "Patient unwell"]);
    assert_eq!(cancelled["status"], "cancelled");
    assert_eq!(cancelled["cancel_reason"], "Patient unwell");
    let shown = c.json(&["show", "1"]);
    let actions: Vec<_> = shown["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["action"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(actions, ["booked", "moved", "status", "cancelled"]);
    for h in shown["history"].as_array().unwrap() {
        assert!(h["actor"].as_str().unwrap().starts_with("cli:"), "{h}");
        assert!(h["at"].as_str().unwrap().ends_with('Z'), "{h}");
    }
    assert_eq!(shown["history"][1]["detail"]["from"]["start"], "2026-07-06T13:30:00Z");
    assert_eq!(shown["history"][3]["detail"]["reason"], "Patient unwell");

    // A cancelled visit cannot be checked in, and nothing changes.
    let before = c.dump();
    c.run(&["status", "1", "checked-in"]).refused("cannot become checked-in");
    assert_eq!(before, c.dump());

    // The cancellation undone (within two minutes, by who made it): checked in again.
    let back = c.json(&["undo", "1"]);
    assert_eq!((back["status"].as_str(), back["cancel_reason"].as_str()), (Some("checked-in"), None));
    c.run(&["undo", "1"]).refused("changed since");
}

#[test]
fn created_objects_are_printed() {
    let c = Clinic::empty();
    let clinic = c.json(&["init", "--clinic", "Birch Clinic", "--tz", "Europe/London"]);
    assert_eq!(
        clinic,
        serde_json::json!({
            "name": "Birch Clinic", "tz": "Europe/London", "lock_minutes": 10, "locale": "en-CA", "neutral_titles": false,
            "own_patients_only": false
        })
    );
    let s = c.run_with_input(
        &["--json", "staff", "add", "--name", "Dr Kay", "--role", "doctor", "--pin", "-"],
        "123456\n",
    );
    let s = s.ok().json();
    // A PIN only ever comes on standard input, and is checked there as anywhere.
    let eve = ["staff", "add", "--name", "Eve", "--role", "admin", "--pin", "-"];
    c.run_with_input(&eve, "12\n").refused("PIN");
    c.run_with_input(&eve, "1234\n").refused("PIN: use 6 to 12 digits; a shorter PIN is too easy to guess");
    c.run_with_input(&eve, "").refused("standard input was empty");
    assert_eq!(
        s,
        serde_json::json!({ "id": 1, "name": "Dr Kay", "role": "doctor", "has_pin": true, "active": true })
    );
    assert!(!c.dump().contains("123456'"), "the PIN is stored only as a hash");
    let p = c.json(&[
        "patient",
        "add",
        "--name",
        "Ola Nowak",
        "--dob",
        "1990-05-06",
        "--email",
        "ola@example.org",
    ]);
    assert_eq!(p["id"], 1);
    assert_eq!(p["date_of_birth"], "1990-05-06");
    let t = c.json(&["type", "add", "--name", "Video visit", "--minutes", "20", "--mode", "teams"]);
    assert_eq!(t, serde_json::json!({ "id": 1, "name": "Video visit", "minutes": 20, "mode": "teams" }));
    assert_eq!(c.json(&["staff", "list"]).as_array().unwrap().len(), 1);
    assert_eq!(c.json(&["type", "list"]).as_array().unwrap().len(), 1);
    let found = c.json(&["patient", "find", "now"]);
    assert_eq!(found[0]["full_name"], "Ola Nowak");
    assert_eq!(c.json(&["patient", "find", "1990-05-06"]).as_array().unwrap().len(), 1);
    assert_eq!(c.json(&["patient", "find", "zzz"]).as_array().unwrap().len(), 0);
    // Human output too.
    let out = c.run(&["day", "--date", "2026-01-05"]);
    out.ok();
    assert!(out.stdout.contains("0 appointment"), "{}", out.stdout);
}

#[test]
fn dst_gap_and_overlap_on_the_command_line() {
    let c = Clinic::seeded();
    let before = c.dump();
    c.run(&["book", "--patient", "1", "--doctor", "1", "--type", "1", "--at", "2026-03-08T02:30"])
        .refused("01:59 and 03:00");
    c.run(&["book", "--patient", "1", "--doctor", "1", "--type", "1", "--at", "2026-11-01T01:30"])
        .refused("--fold");
    assert_eq!(before, c.dump());
    let earlier = book(&c, &["--at", "2026-11-01T01:30", "--fold", "earlier"]);
    assert_eq!(earlier["start"], "2026-11-01T05:30:00Z");
    assert_eq!(earlier["local_start"], "2026-11-01T01:30:00-04:00");
    let later = c.json(&[
        "book",
        "--patient",
        "2",
        "--doctor",
        "2",
        "--type",
        "1",
        "--at",
        "2026-11-01T01:30",
        "--fold",
        "later",
    ]);
    assert_eq!(later["start"], "2026-11-01T06:30:00Z");
    assert_eq!(later["local_start"], "2026-11-01T01:30:00-05:00");
    // The 25-hour day holds both, in order; the 23-hour day starts at the right instant.
    let day = c.json(&["day", "--date", "2026-11-01"]);
    assert_eq!(day.as_array().unwrap().len(), 2);
    assert_eq!(day[0]["id"], earlier["id"]);
    c.run(&[
        "book",
        "--patient",
        "1",
        "--doctor",
        "1",
        "--type",
        "1",
        "--at",
        "2026-11-01T01:30",
        "--fold",
        "sideways",
    ])
    .refused("earlier or later");
    let lh = c.json(&[
        "book",
        "--patient",
        "1",
        "--doctor",
        "1",
        "--type",
        "1",
        "--at",
        "2026-10-04T02:30",
        "--tz",
        "Australia/Lord_Howe",
    ]);
    assert_eq!(lh["local_start"], "2026-10-04T02:30:00+11:00");
    c.run(&[
        "book",
        "--patient",
        "1",
        "--doctor",
        "1",
        "--type",
        "1",
        "--at",
        "2026-10-04T02:10",
        "--tz",
        "Australia/Lord_Howe",
    ])
    .refused("02:30");
}

#[test]
fn double_booking_needs_an_explicit_override_which_is_recorded() {
    let c = Clinic::seeded();
    let first = book(&c, &["--at", "2026-07-06T10:00"]);
    let before = c.dump();
    c.run(&["book", "--patient", "2", "--doctor", "1", "--type", "2", "--at", "2026-07-06T09:45"]).refused(
        "Dr Ada Lee already has a visit from 10:00 to 10:30 on Monday, July 6, 2026; choose another time",
    );
    assert_eq!(before, c.dump());
    // Back to back is fine; another doctor is fine.
    book(&c, &["--at", "2026-07-06T10:30"]);
    c.json(&["book", "--patient", "2", "--doctor", "2", "--type", "1", "--at", "2026-07-06T10:00"]);
    let forced = c.json(&[
        "book",
        "--patient",
        "2",
        "--doctor",
        "1",
        "--type",
        "2",
        "--at",
        "2026-07-06T09:45",
        "--allow-overlap",
    ]);
    let history = &c.json(&["show", &forced["id"].to_string()])["history"];
    assert_eq!(history[0]["detail"]["overlap_allowed"], true);
    assert_eq!(history[0]["detail"]["overlaps"], serde_json::json!([first["id"], 2]));
    // Moving onto a busy slot is refused too; a cancelled appointment frees its slot.
    c.run(&["move", "2", "--at", "2026-07-06T10:15"])
        .refused("Dr Ada Lee already has a visit from 09:45 to 10:45 on Monday, July 6, 2026 (and one more)");
    c.json(&["cancel", &first["id"].to_string(), "--reason", "Rebooked"]);
    c.json(&["move", &forced["id"].to_string(), "--at", "2026-07-06T08:30"]);
    c.json(&["book", "--patient", "1", "--doctor", "1", "--type", "1", "--at", "2026-07-06T10:00"]);
}

#[test]
fn bad_input_gets_one_clear_line_and_changes_nothing() {
    let c = Clinic::seeded();
    book(&c, &["--at", "2026-07-06T10:00"]);
    let before = c.dump();
    // A booking of patient 1 with doctor 1, type 1, plus the given flags.
    let book_with = |extra: &[&'static str]| -> Vec<&'static str> {
        let mut args = vec!["book", "--patient", "1", "--doctor", "1", "--type", "1"];
        args.extend_from_slice(extra);
        args
    };
    let long: &'static str = Box::leak("x".repeat(501).into_boxed_str());
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["book", "--patient", "99", "--doctor", "1", "--type", "1", "--at", "2026-07-07T10:00"],
            "patient 99 does not exist",
        ),
        (
            vec!["book", "--patient", "1", "--doctor", "98", "--type", "1", "--at", "2026-07-07T10:00"],
            "doctor 98 does not exist",
        ),
        (
            vec!["book", "--patient", "1", "--doctor", "3", "--type", "1", "--at", "2026-07-07T10:00"],
            "not a doctor",
        ),
        (
            vec!["book", "--patient", "1", "--doctor", "1", "--type", "97", "--at", "2026-07-07T10:00"],
            "appointment type 97 does not exist",
        ),
        (book_with(&["--at", "2026-07-07 25:00"]), "YYYY-MM-DDTHH:MM"),
        (book_with(&["--at", "1899-07-07T10:00"]), "1900"),
        (book_with(&["--at", "2201-07-07T10:00"]), "2200"),
        (book_with(&["--at", "2026-07-07T10:00", "--tz", "Mars/Base"]), "unknown time zone"),
        (book_with(&["--at", "2026-07-07T10:00", "--topic", long]), "too long"),
        (
            vec!["book", "--patient", "x", "--doctor", "1", "--type", "1", "--at", "2026-07-07T10:00"],
            "--patient",
        ),
        (vec!["move", "96", "--at", "2026-07-07T10:00"], "appointment 96 does not exist"),
        (vec!["cancel", "1", "--reason", "  "], "reason is empty"),
        (vec!["cancel", "95", "--reason", "x"], "appointment 95 does not exist"),
        (vec!["status", "1", "cancelled"], "needs a reason"),
        (vec!["status", "1", "done"], "not one of"),
        (vec!["status", "1", "completed"], "cannot become completed"),
        (vec!["show", "94"], "appointment 94 does not exist"),
        (vec!["day", "--date", "2026-02-30"], "not a date"),
        (vec!["day", "--doctor", "93"], "staff member 93 does not exist"),
        (vec!["staff", "add", "--name", "", "--role", "doctor"], "name is empty"),
        (vec!["staff", "add", "--name", long, "--role", "doctor"], "too long"),
        (vec!["staff", "add", "--name", "Eve\u{1b}[31m", "--role", "doctor"], "control character"),
        (vec!["staff", "add", "--name", "Eve", "--role", "nurse"], "receptionist, doctor, admin"),
        (
            vec!["staff", "add", "--name", "Eve", "--role", "admin", "--pin", "123456"],
            "write the PIN on standard input",
        ),
        (vec!["patient", "add", "--name", "Al", "--email", "al@"], "not an e-mail address"),
        (vec!["patient", "add", "--name", "Al", "--email", "al.example.com"], "not an e-mail address"),
        (vec!["patient", "add", "--name", "Al", "--dob", "03/04/1980"], "YYYY-MM-DD"),
        (vec!["patient", "add", "--name", "Al", "--dob", "1850-01-01"], "1900"),
        (vec!["patient", "add", "--name", "Al", "--dob", "2199-01-01"], "in the future"),
        (vec!["patient", "add", "--name", "Al", "--phone", "call me"], "not a phone number"),
        (vec!["patient", "add", "--name", "Al", "--note", "a\u{1}b"], "control character"),
        (vec!["patient", "find", " "], "empty"),
        (vec!["type", "add", "--name", "Zero", "--minutes", "0", "--mode", "zoom"], "1 to 720"),
        (vec!["type", "add", "--name", "Long", "--minutes", "721", "--mode", "zoom"], "1 to 720"),
        (vec!["type", "add", "--name", "Neg", "--minutes", "-5", "--mode", "zoom"], "1 to 720"),
        (vec!["type", "add", "--name", "consult", "--minutes", "30", "--mode", "zoom"], "already exists"),
        (
            vec!["type", "add", "--name", "Video", "--minutes", "30", "--mode", "skype"],
            "in-person, zoom, teams",
        ),
        (vec!["init", "--clinic", "Again", "--tz", "UTC"], "already holds the clinic"),
        (vec!["frobnicate"], "frobnicate"),
    ];
    for (args, needle) in cases {
        let run = c.run(&args);
        assert_eq!(run.code, 2, "{args:?}: stderr={}", run.stderr);
        run.refused(needle);
        assert_eq!(before, c.dump(), "{args:?} changed the database");
    }
}

#[test]
fn the_data_folder_is_checked_before_anything_is_written() {
    if common::on_postgres() {
        return; // the SQLite file's own checks; the server's are in the next test
    }
    // Not set up: refused, and no database is left behind.
    let empty = Clinic::empty();
    empty.run(&["day"]).refused("no clinic is set up");
    empty.run(&["staff", "list"]).refused("frontdesk-cli init");
    assert!(!empty.db().exists());

    // A data folder that cannot be created (a file stands in the way). Root ignores file
    // permissions, so this is what "not writable" looks like for every user.
    let blocker = empty.path().join("not-a-folder");
    std::fs::write(&blocker, "x").unwrap();
    let mut cmd = std::process::Command::new(common::cli_path());
    cmd.arg("--data-dir").arg(blocker.join("clinic")).args(["init", "--clinic", "X", "--tz", "UTC"]);
    run_with(&mut cmd).refused("cannot use the data folder");

    // Not a database.
    let junk = Clinic::empty();
    std::fs::write(
        junk.db(),
        "this is not sqlite, it is long enough to have a header of sorts....................................",
    )
    .unwrap();
    junk.run(&["day"]).refused("not a Frontdesk database");

    // A database from a newer Frontdesk is refused and left exactly as it was.
    let newer = Clinic::seeded();
    newer.sql("INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) VALUES (99990101000000, 'from the future', 1, x'00', 0)");
    let bytes = std::fs::read(newer.db()).unwrap();
    newer.run(&["day"]).refused("newer version of Frontdesk");
    newer.run(&["staff", "add", "--name", "Zed", "--role", "doctor"]).refused("update Frontdesk");
    assert!(bytes == std::fs::read(newer.db()).unwrap(), "the file changed");
}

/// A desk that cannot use the clinic's server says exactly why, and writes nothing.
#[test]
fn the_clinics_server_is_checked_before_anything_is_written() {
    let Ok(admin) = std::env::var("FRONTDESK_TEST_POSTGRES") else {
        assert!(std::env::var_os("FRONTDESK_REQUIRE_POSTGRES").is_none(), "run through scripts/postgres");
        return;
    };
    let folder = tempfile::tempdir().unwrap();
    let on = |url: &str, args: &[&str]| {
        let mut cmd = std::process::Command::new(common::cli_path());
        cmd.arg("--data-dir").arg(folder.path()).arg("--database").arg(url).args(args);
        cmd.env_remove("FRONTDESK_DATABASE_URL");
        run_with(&mut cmd)
    };
    let base = admin.rsplit_once('/').unwrap().0;
    on("mysql://clinic/frontdesk", &["day"]).refused("must start with postgres://");
    on(&format!("{base}/no_such_clinic"), &["day"]).refused("has no such database");
    let (scheme_user, host) = base.split_once('@').unwrap();
    let wrong = format!("{}:not-the-password@{host}/postgres", scheme_user.rsplit_once(':').unwrap().0);
    let refused = on(&wrong, &["day"]);
    refused.refused("refused the password for the user postgres");
    assert!(!refused.stderr.contains("not-the-password"), "the password is never repeated");
    let away = on("postgres://frontdesk@127.0.0.1:1/frontdesk", &["day"]);
    assert_ne!(away.code, 0);
    assert!(away.stderr.contains("cannot be reached (Connection refused"), "{}", away.stderr);

    // The README's set-up: a role that owns its database, and nothing more, sets the clinic up.
    let psql = |sql: &str| {
        let out = std::process::Command::new("psql")
            .args(["-q", "-v", "ON_ERROR_STOP=1", &admin, "-c", sql])
            .output();
        assert!(out.unwrap().status.success(), "{sql}");
    };
    let role = format!("desk{}", std::process::id());
    psql(&format!("CREATE ROLE {role} LOGIN PASSWORD 'choose-a-long-one'"));
    psql(&format!("CREATE DATABASE {role} OWNER {role}"));
    let owned = format!("postgres://{role}:choose-a-long-one@{host}/{role}");
    on(&owned, &["init", "--clinic", "Maple Clinic", "--tz", "America/Toronto"]).ok();
    on(&owned, &["staff", "add", "--name", "Dr Ada Lee", "--role", "doctor"]).ok();

    // An empty database is not a clinic yet; a database from a newer Frontdesk is left alone.
    let url = common::new_postgres_database();
    on(&url, &["day"]).refused("no clinic is set up");
    on(&url, &["init", "--clinic", "Maple Clinic", "--tz", "America/Toronto"]).ok();
    // TLS with the clinic's CA: the server's certificate is verified, and a wrong CA is refused.
    let ca = std::env::var("FRONTDESK_TEST_POSTGRES_CA").unwrap();
    let other_ca = std::env::var("FRONTDESK_TEST_POSTGRES_OTHER_CA").unwrap();
    on(&format!("{url}?sslmode=verify-full&sslrootcert={ca}"), &["day"]).ok();
    on(&format!("{url}?sslmode=verify-full&sslrootcert={other_ca}"), &["day"])
        .refused("could not be reached securely (TLS");
    let server = Clinic { dir: tempfile::tempdir().unwrap(), server: Some(url.clone()) };
    server.sql("INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) VALUES (99990101000000, 'from the future', TRUE, '\\x00', 0)");
    let before = server.dump();
    on(&url, &["day"]).refused("newer version of Frontdesk");
    assert_eq!(before, server.dump(), "the database changed");
    assert!(!folder.path().join("frontdesk.db").exists(), "no SQLite file beside a server");
}

#[test]
fn data_folder_defaults_to_the_apps_own() {
    let home = tempfile::tempdir().unwrap();
    let xdg = home.path().join("share");
    let run = |extra_env: &[(&str, &std::path::Path)], args: &[&str]| {
        let mut cmd = std::process::Command::new(common::cli_path());
        cmd.env_remove("FRONTDESK_DATA_DIR").env("HOME", home.path()).env("XDG_DATA_HOME", &xdg);
        for (k, v) in extra_env {
            cmd.env(k, v);
        }
        run_with(cmd.args(args))
    };
    run(&[], &["init", "--clinic", "Default", "--tz", "UTC"]).ok();
    assert!(xdg.join("app.frontdesk.desk").join("frontdesk.db").is_file());
    let elsewhere = home.path().join("elsewhere");
    run(&[("FRONTDESK_DATA_DIR", &elsewhere)], &["init", "--clinic", "Env", "--tz", "UTC"]).ok();
    assert!(elsewhere.join("frontdesk.db").is_file());
}

#[test]
fn a_crash_inside_a_command_leaves_the_database_as_it_was() {
    let c = Clinic::seeded();
    book(&c, &["--at", "2026-07-06T10:00"]);
    let mut before = c.dump();
    for (point, args) in [
        ("book", vec!["book", "--patient", "2", "--doctor", "2", "--type", "1", "--at", "2026-07-06T11:00"]),
        ("move", vec!["move", "1", "--at", "2026-07-06T12:00"]),
        ("status", vec!["cancel", "1", "--reason", "Storm"]),
    ] {
        let mut cmd = c.command();
        cmd.env("FRONTDESK_CRASH_AT", point).args(&args);
        let run = run_with(&mut cmd);
        assert_ne!(run.code, 0, "{point}: the process should have died");
        assert_eq!(before, c.dump(), "{point}: a crash changed the database");
        // And the same command then works.
        c.run(&args).ok();
        let after = c.dump();
        assert_ne!(before, after);
        before = after;
    }
}

#[test]
fn backup_while_the_clinic_is_in_use_and_restore_with_its_passphrase() {
    let c = Clinic::seeded();
    book(&c, &["--at", "2026-07-06T10:00"]);
    let target = c.path().join("copy.db");
    let file = target.to_str().unwrap();
    let out = c.run_with_input(&["backup", file, "--passphrase", "-"], "a long passphrase\n");
    if common::on_postgres() {
        out.refused("back it up there with pg_dump");
        return;
    }
    out.ok();
    let bytes = std::fs::read(&target).unwrap();
    for clear in ["SQLite format 3", "Jane", "Maple"] {
        assert!(!bytes.windows(clear.len()).any(|w| w == clear.as_bytes()), "{clear} in clear in the backup");
    }
    // The passphrase is never an argument, and is long enough.
    c.run(&["backup", c.path().join("b.db").to_str().unwrap(), "--passphrase", "a long passphrase"])
        .refused("standard input");
    c.run_with_input(&["backup", c.path().join("b.db").to_str().unwrap(), "--passphrase", "-"], "short\n")
        .refused("at least 10 characters");
    c.run_with_input(&["backup", file, "--passphrase", "-"], "a long passphrase\n").refused("already exists");
    let nowhere = c.path().join("no/such/folder.db");
    c.run_with_input(&["backup", nowhere.to_str().unwrap(), "--passphrase", "-"], "a long passphrase\n")
        .refused("does not exist");

    // Another computer: the backup opens with its passphrase only, and becomes that clinic.
    let copy = Clinic::empty();
    copy.run_with_input(&["restore", file, "--passphrase", "-"], "not it at all\n")
        .refused("does not open with this passphrase");
    let restored =
        copy.run_with_input(&["--json", "restore", file, "--passphrase", "-"], "a long passphrase\n");
    restored.ok();
    assert!(restored.json()["rows"].as_u64().unwrap() > 5);
    assert_eq!(copy.json(&["show", "1"])["start"], "2026-07-06T14:00:00Z");
    assert!(!std::fs::read(copy.db()).unwrap().starts_with(b"SQLite format 3"), "restored encrypted");
    copy.run_with_input(&["restore", file, "--passphrase", "-"], "a long passphrase\n").refused("--replace");
    copy.run_with_input(&["restore", file, "--passphrase", "-", "--replace"], "a long passphrase\n").ok();
    let actions = copy.json(&["audit", "--action", "backup_restored"]);
    assert_eq!(
        actions.as_array().unwrap().len(),
        1,
        "the restore is audited in the restored clinic: {actions}"
    );
}

#[test]
fn a_closed_pipe_ends_the_output_quietly() {
    let c = Clinic::seeded();
    for i in 0..5 {
        book(&c, &["--at", &format!("2026-07-06T{:02}:00", 9 + i)]);
    }
    let mut child = c
        .command()
        .args(["day", "--date", "2026-07-06"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take()); // the reader went away, like `| head -0`
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(out.status.code(), Some(0), "{stderr}");
}

#[test]
fn every_change_of_an_appointment_leaves_one_audit_row_without_the_reason() {
    let c = Clinic::seeded();
    let a = book(&c, &["--at", "2026-07-06T09:30"]);
    let id = a["id"].as_i64().unwrap().to_string();
    c.run(&["move", &id, "--at", "2026-07-06T10:30"]).ok();
    c.run(&["status", &id, "checked-in"]).ok();
    c.run(&["status", &id, "booked"]).ok();
    c.run(&["cancel", &id, "--reason", "Flu symptoms, Jane called"]).ok();
    // A refused change leaves no row.
    c.run(&["cancel", &id, "--reason", "again"]).refused("already cancelled");
    let audit = c.json(&["audit"]);
    let rows: Vec<&Value> =
        audit.as_array().unwrap().iter().filter(|r| r["appointment_id"] == a["id"]).collect();
    let actions: Vec<&str> = rows.iter().map(|r| r["action"].as_str().unwrap()).collect();
    assert_eq!(
        actions,
        [
            "appointment_booked",
            "appointment_moved",
            "appointment_status",
            "appointment_status",
            "appointment_cancelled"
        ]
    );
    for row in &rows {
        assert_eq!(row["patient_id"], a["patient_id"]);
        assert_eq!(row["doctor_id"], a["doctor_id"]);
        assert!(row["actor"].as_str().unwrap().starts_with("cli:"));
    }
    let text = audit.to_string();
    assert!(!text.contains("Flu") && !text.contains("Jane"), "{text}");
    // --since is a local day in the clinic's zone.
    assert_eq!(c.json(&["audit", "--since", "2199-01-01"]), serde_json::json!([]));
    c.run(&["audit", "--since", "yesterday"]).refused("--since");
    // The log cannot be edited or emptied, whoever writes to the file.
    for edit in ["UPDATE audit_log SET actor = 'someone else'", "DELETE FROM audit_log"] {
        assert!(c.try_sql(edit).contains("append-only"), "{edit}");
    }
    assert_eq!(c.json(&["audit"]), audit);
}

/// Parses an .ics file with both independent parsers and checks they agree.
fn ics_events(file: &std::path::Path) -> Value {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let parse = |cmd: &mut std::process::Command| -> Value {
        let out = cmd.output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let python = parse(
        std::process::Command::new(root.join(".venv/bin/python"))
            .arg(root.join("tests/ics_events.py"))
            .arg(file),
    );
    let ical_js =
        parse(std::process::Command::new("node").arg(root.join("tests/peers/ics_events.mjs")).arg(file));
    assert_eq!(python, ical_js, "the two parsers read the file differently");
    python
}

#[test]
fn the_day_exports_as_ics_at_the_right_instants_across_a_dst_change() {
    let c = Clinic::seeded();
    // 2026-03-08: Toronto springs forward at 02:00; 01:30 is EST (-5), 09:30 is EDT (-4).
    let early = book(&c, &["--at", "2026-03-08T01:30"]);
    let late =
        c.json(&["book", "--patient", "2", "--doctor", "2", "--type", "2", "--at", "2026-03-08T09:30"]);
    let gone = book(&c, &["--at", "2026-03-08T11:00"]);
    c.run(&["cancel", &gone["id"].to_string(), "--reason", "Patient unwell"]).ok();
    let file = c.path().join("day.ics");
    c.run(&["export-ics", "--date", "2026-03-08", "--out", file.to_str().unwrap()]).ok();
    let parsed = ics_events(&file);
    let events = parsed["events"].as_array().unwrap();
    assert_eq!(events.len(), 2, "the cancelled visit is left out: {parsed}");
    assert_eq!(events[0]["start"], "2026-03-08T06:30:00.000Z");
    assert_eq!(events[0]["end"], "2026-03-08T07:00:00.000Z");
    assert_eq!(events[0]["summary"], "Consult — J.D.", "initials only");
    assert_eq!(events[1]["start"], "2026-03-08T13:30:00.000Z");
    assert_eq!(events[1]["end"], "2026-03-08T14:30:00.000Z");
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(!text.contains("Jane") && !text.contains("555 0100"), "{text}");
    assert_eq!(text.matches("PRODID:").count(), 1, "{text}");
    // The same appointment has the same UID in every export.
    assert!(events[0]["uid"].as_str().unwrap().starts_with(&format!("appointment-{}@", early["id"])));
    assert!(events[1]["uid"].as_str().unwrap().starts_with(&format!("appointment-{}@", late["id"])));
    let again = c.path().join("again.ics");
    c.run(&["export-ics", "--date", "2026-03-08", "--doctor", "2", "--out", again.to_str().unwrap()]).ok();
    let only_roy = ics_events(&again);
    assert_eq!(only_roy["events"].as_array().unwrap().len(), 1);
    assert_eq!(only_roy["events"][0]["uid"], events[1]["uid"]);
    // Standard output by default; bad input changes nothing.
    assert!(c.run(&["export-ics", "--date", "2026-03-08"]).stdout.starts_with("BEGIN:VCALENDAR"));
    c.run(&["export-ics", "--date", "2026-02-30"]).refused("--date");
    c.run(&["export-ics", "--date", "2026-03-08", "--doctor", "3"]).refused("not a doctor");
}

#[test]
fn patient_email_texts_are_listed_changed_from_standard_input_previewed_and_reset() {
    let c = Clinic::seeded();
    // The clinic's language by default (en-CA): thirteen texts, none changed.
    let listed = c.json(&["mail", "templates"]);
    assert_eq!(listed.as_array().unwrap().len(), 13);
    assert!(listed.as_array().unwrap().iter().all(|t| t["language"] == "en" && t["overridden"] == false));

    // Refused texts name the text and change nothing.
    let before = c.dump();
    c.run(&["mail", "template", "set", "fr", "join", "Rejoindre : {lien}"])
        .refused("join: {lien} is not a placeholder");
    c.run(&["mail", "template", "set", "fr", "join", "Rejoindre avec le lien reçu."])
        .refused("must keep {link}");
    c.run(&["mail", "template", "set", "fr", "subject_new", "Rendez-vous\r\nBcc: x@example.org"])
        .refused("subject_new: a subject is one line");
    c.run(&["mail", "template", "set", "de", "join", "{link}"]).refused("language:");
    c.run(&["mail", "template", "set", "fr", "name", "Bonjour"]).refused("key:");
    assert_eq!(before, c.dump());

    // A text on standard input may span lines.
    let mut cmd = c.command();
    cmd.args(["mail", "template", "set", "fr", "sign_off", "-"]).stdin(std::process::Stdio::piped());
    cmd.stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), "{clinic}\n12 rue des Érables\n".as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let join = c.json(&["mail", "template", "set", "fr", "join", "Consultation vidéo : {link}"]);
    assert_eq!(
        (&join["overridden"], &join["text"]),
        (&serde_json::json!(true), &serde_json::json!("Consultation vidéo : {link}"))
    );

    let human = c.run(&["mail", "templates", "--language", "fr"]);
    human.ok();
    assert!(
        human.stdout.contains("join               changed  Consultation vidéo : {link}"),
        "{}",
        human.stdout
    );
    assert!(human.stdout.contains("greeting           default  Bonjour,"), "{}", human.stdout);
    let preview = c.json(&["mail", "template", "preview", "fr"]);
    let body = preview["body"].as_str().unwrap();
    assert!(
        body.contains("Consultation vidéo : https://video.example/j/")
            && body.ends_with("Maple Clinic\n12 rue des Érables\n"),
        "{body}"
    );
    assert!(!body.contains("Jane") && !body.contains("Dr Ada Lee"), "sample facts only: {body}");
    let cancelled = c.run(&["mail", "template", "preview", "fr", "--kind", "cancelled"]);
    cancelled.ok();
    assert!(cancelled.stdout.starts_with("Subject: Annulé : "), "{}", cancelled.stdout);
    c.run(&["mail", "template", "preview", "fr", "--kind", "later"]).refused("kind:");

    // A reset brings the default back; each change and reset is one audit row.
    c.json(&["mail", "template", "reset", "fr", "join"]);
    let fr = c.json(&["mail", "templates", "--language", "fr"]);
    assert_eq!(fr[6]["text"], fr[6]["default_text"]);
    let audit = c.json(&["audit"]);
    let rows: Vec<_> =
        audit.as_array().unwrap().iter().filter(|r| r["action"] == "mail_template_changed").collect();
    assert_eq!(rows.len(), 3, "{audit}");
    assert!(rows.iter().all(|r| r["actor"].as_str().unwrap().starts_with("cli:")));
    assert_eq!(rows[2]["detail"], serde_json::json!({ "language": "fr", "key": "join", "text": null }));
}

/// Each admin edit made from the command line is one use case of the core: the change and its
/// audit row (by `cli:<OS user>`) are saved together, and a crash between the two saves neither.
#[test]
fn every_admin_edit_from_the_command_line_leaves_one_audit_row_in_its_own_transaction() {
    let c = Clinic::seeded();
    let edits: [(&str, &[&str]); 8] = [
        ("staff_added", &["staff", "add", "--name", "Ines Admin", "--role", "admin"]),
        ("staff_changed", &["staff", "edit", "1", "--name", "Dr Ada Lee-Park"]),
        ("staff_changed", &["staff", "edit", "1", "--deactivate"]),
        ("type_added", &["type", "add", "--name", "Long consult", "--minutes", "60", "--mode", "in-person"]),
        ("type_changed", &["type", "edit", "1", "--minutes", "45"]),
        ("patient_added", &["patient", "add", "--name", "Tom Nguyen"]),
        ("mail_template_changed", &["mail", "template", "set", "en", "sign_off", "See you soon"]),
        ("setting_changed", &["config", "set", "zoom.client_id", "clinic-app"]),
    ];
    for (action, args) in edits {
        let rows = c.json(&["audit"]).as_array().unwrap().len();
        let before = c.dump();
        let mut cmd = c.command();
        cmd.env("FRONTDESK_CRASH_AT", "audit").args(args);
        assert_ne!(run_with(&mut cmd).code, 0, "{args:?}: the process should have died");
        assert_eq!(
            before,
            c.dump(),
            "{args:?}: a crash between the change and its audit row saved something"
        );

        c.run(args).ok();
        let log = c.json(&["audit"]);
        let new = &log.as_array().unwrap()[rows..];
        assert_eq!(new.len(), 1, "{args:?}: {new:?}");
        assert_eq!(new[0]["action"], action, "{args:?}");
        assert!(new[0]["actor"].as_str().unwrap().starts_with("cli:"), "{new:?}");
        assert_eq!(new[0]["actor_staff_id"], Value::Null);
    }
    // The filters run in the database: by action, and by patient.
    let added = c.json(&["audit", "--action", "staff_changed"]);
    assert_eq!(added.as_array().unwrap().len(), 2);
    c.run(&["audit", "--action", "lunch"]).refused("audit action");
    let added = c.json(&["audit", "--action", "patient_added"]);
    let tom = added.as_array().unwrap().last().unwrap()["patient_id"].clone();
    let patient = c.json(&["audit", "--patient", &tom.to_string()]);
    assert!(patient.as_array().unwrap().iter().all(|e| e["patient_id"] == tom), "{patient}");
    assert_eq!(patient.as_array().unwrap().len(), 1);
}

/// `staff unlock` lifts the lock that three rounds of wrong PINs leave on someone's sign-in
/// (staged here with SQL: sign-in happens at a desk), audited by the command line's user; a
/// person with nothing to lift writes nothing. A new PIN shorter than 6 digits is refused.
#[test]
fn staff_unlock_lifts_a_lock_and_a_short_pin_is_refused() {
    let c = Clinic::seeded();
    c.run_with_input(&["staff", "edit", "3", "--pin", "-"], "2468\n").refused("use 6 to 12 digits");
    c.sql("UPDATE staff SET pin_locked_at = 1780000000, pin_pauses = 3 WHERE id = 3");
    let listed = c.run(&["staff", "list"]);
    assert!(listed.ok().stdout.contains("Cal Desk  (sign-in locked after wrong PINs)"), "{}", listed.stdout);

    let unlocked = c.run(&["staff", "unlock", "3"]);
    assert_eq!(unlocked.ok().stdout.trim(), "Sign-in for Cal Desk (staff 3) is unlocked");
    assert!(!c.run(&["staff", "list"]).stdout.contains("locked"));
    let rows = c.json(&["audit", "--action", "sign_in_unlocked"]);
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 1);
    assert!(rows[0]["actor"].as_str().unwrap().starts_with("cli:"), "{rows:?}");
    assert_eq!(rows[0]["detail"], serde_json::json!({ "staff_id": 3, "name": "Cal Desk", "was": "locked" }));

    let again = c.json(&["staff", "unlock", "3"]);
    assert_eq!(again["name"], "Cal Desk");
    assert_eq!(c.json(&["audit", "--action", "sign_in_unlocked"]).as_array().unwrap().len(), 1);
    c.run(&["staff", "unlock", "99"]).refused("staff member 99 does not exist");
    // A new PIN unlocks too (the clinic keeps an admin, as any change of staff asks).
    c.run(&["staff", "add", "--name", "Ines Admin", "--role", "admin"]).ok();
    c.sql("UPDATE staff SET pin_locked_at = 1780000000, pin_pauses = 3 WHERE id = 3");
    c.run_with_input(&["staff", "edit", "3", "--pin", "-"], "864202\n").ok();
    assert_eq!(c.json(&["audit", "--action", "sign_in_unlocked"]).as_array().unwrap().len(), 2);
}

/// `audit verify` walks the audit log's hash chain and names the first row changed past
/// Frontdesk (with the SQL shell, the triggers dropped as someone holding the data could).
#[test]
fn audit_verify_names_a_row_changed_with_a_sql_shell() {
    let c = Clinic::seeded();
    book(&c, &["--at", "2026-07-06T10:00"]);
    let held = c.run(&["audit", "verify"]);
    assert!(held.ok().stdout.starts_with("The audit log holds:"), "{}", held.stdout);
    let rows = c.json(&["audit"]);
    let booked = rows.as_array().unwrap().iter().find(|r| r["action"] == "appointment_booked").unwrap();
    let id = booked["id"].as_i64().unwrap();
    c.sql(if c.server.is_some() {
        "DROP TRIGGER audit_log_is_append_only ON audit_log"
    } else {
        "DROP TRIGGER audit_log_is_append_only_update"
    });
    c.sql(&format!("UPDATE audit_log SET actor = 'cli:someone-else' WHERE id = {id}"));
    let broken = c.run(&["audit", "verify"]);
    assert_eq!(broken.code, 1, "{}{}", broken.stdout, broken.stderr);
    assert_eq!(
        broken.stdout.trim(),
        format!("The audit log was tampered with at row {id}: its content was changed after it was written.")
    );
    let json = c.run(&["--json", "audit", "verify"]);
    let found: Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(found["broken"]["id"], id);
}

/// `audit verify` prints the chain's last row as an anchor to keep apart; with `--anchor` (that
/// line, or an earlier export's file) it finds rows removed from the end of the log, which the
/// chain alone cannot.
#[test]
fn audit_verify_with_an_anchor_finds_rows_removed_from_the_end() {
    let c = Clinic::seeded();
    book(&c, &["--at", "2026-07-06T10:00"]);
    let check = c.json(&["audit", "verify"]);
    let (id, hash) =
        (check["head"]["id"].as_i64().unwrap(), check["head"]["hash"].as_str().unwrap().to_owned());
    let anchor = format!("{id}:{hash}");
    let said = c.run(&["audit", "verify"]);
    assert!(
        said.ok().stdout.contains(&format!("Its last row is the anchor {anchor}: keep it apart")),
        "{}",
        said.stdout
    );
    let export = c.path().join("earlier.csv");
    c.run(&["audit", "export", "--out", export.to_str().unwrap()]).ok();
    book(&c, &["--at", "2026-07-06T11:00"]);
    for given in [anchor.clone(), export.to_str().unwrap().to_owned()] {
        let held = c.run(&["audit", "verify", "--anchor", &given]);
        assert!(held.ok().stdout.contains(&format!("up to the anchor's row {id} and on")), "{}", held.stdout);
    }

    c.sql(if c.server.is_some() {
        "DROP TRIGGER audit_log_is_append_only ON audit_log"
    } else {
        "DROP TRIGGER audit_log_is_append_only_delete"
    });
    c.sql(&format!("DELETE FROM audit_log WHERE id >= {id}"));
    c.run(&["audit", "verify"]).ok();
    for given in [anchor, export.to_str().unwrap().to_owned()] {
        let broken = c.run(&["audit", "verify", "--anchor", &given]);
        assert_eq!(broken.code, 1, "{}{}", broken.stdout, broken.stderr);
        assert_eq!(
            broken.stdout.trim(),
            format!("The audit log was tampered with at row {id}: it is gone, though the anchor recorded it: rows were removed from the end of the log.")
        );
    }
    c.run(&["audit", "verify", "--anchor", "12:abc"]).refused("neither ID:HASH nor an audit export");
}

/// A backup and a calendar export carry patients' data out of Frontdesk: each is audited, by
/// the command line's user, with no path and no patient detail.
#[test]
fn a_backup_and_an_export_are_audited() {
    let c = Clinic::seeded();
    book(&c, &["--at", "2026-07-06T10:00"]);
    let rows = c.json(&["audit"]).as_array().unwrap().len();
    if common::on_postgres() {
        return; // a clinic on its server is backed up with pg_dump (the test above)
    }
    c.run_with_input(
        &["backup", c.path().join("copy.db").to_str().unwrap(), "--passphrase", "-"],
        "a long passphrase\n",
    )
    .ok();
    c.run(&[
        "export-ics",
        "--date",
        "2026-07-06",
        "--doctor",
        "1",
        "--out",
        c.path().join("day.ics").to_str().unwrap(),
    ])
    .ok();
    let log = c.json(&["audit"]);
    let new = &log.as_array().unwrap()[rows..];
    let actions: Vec<_> = new.iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["backup_made", "day_exported"]);
    assert!(new.iter().all(|e| e["actor"].as_str().unwrap().starts_with("cli:")));
    assert_eq!(
        new[1]["detail"],
        serde_json::json!({ "date": "2026-07-06", "doctor_id": 1, "appointments": 1 })
    );
    assert_eq!(new[1]["doctor_id"], 1);
}

/// `show` opens one appointment with its patient: audited as a view by the command line's user,
/// once within five minutes, with ids only.
#[test]
fn show_is_audited_as_a_view_of_the_appointment() {
    let c = Clinic::seeded();
    let a = book(&c, &["--at", "2026-07-06T10:00"]);
    let id = a["id"].as_i64().unwrap().to_string();
    assert!(c.run(&["show", &id]).ok().stdout.contains("Jane Doe"));
    c.run(&["show", &id]).ok();
    let viewed = c.json(&["audit", "--action", "appointment_viewed"]);
    let viewed = viewed.as_array().unwrap();
    assert_eq!(viewed.len(), 1, "{viewed:?}");
    assert!(viewed[0]["actor"].as_str().unwrap().starts_with("cli:"));
    assert_eq!(
        (&viewed[0]["appointment_id"], &viewed[0]["patient_id"], &viewed[0]["doctor_id"]),
        (&a["id"], &a["patient_id"], &a["doctor_id"])
    );
    assert_eq!(viewed[0]["detail"], serde_json::json!({}));
    c.run(&["show", "99"]).refused("99");
    assert_eq!(c.json(&["audit", "--action", "appointment_viewed"]).as_array().unwrap().len(), 1);
}

/// `audit export` writes the log as CSV (a header, then every row with its hash), never over an
/// existing file, and the export is itself a row of the log.
#[test]
fn audit_export_writes_csv_and_is_audited() {
    let c = Clinic::seeded();
    book(&c, &["--at", "2026-07-06T10:00"]);
    let log = c.json(&["audit"]);
    let log = log.as_array().unwrap();
    let out = c.path().join("audit.csv");
    let file = out.to_str().unwrap();
    let said = c.run(&["audit", "export", "--out", file]);
    assert_eq!(said.ok().stdout.trim(), format!("Wrote {} audit rows to {file}", log.len()));
    let text = std::fs::read_to_string(&out).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "id,at,actor,actor_name,action,doctor_id,patient_id,appointment_id,detail,hash");
    assert_eq!(lines.len(), log.len() + 1, "{text}");
    let booked = log.iter().find(|r| r["action"] == "appointment_booked").unwrap();
    let line = lines.iter().find(|l| l.starts_with(&format!("{},", booked["id"]))).unwrap();
    let at = booked["at"].as_str().unwrap();
    // RFC 3339 in UTC, to the millisecond.
    let cell = line.split(',').nth(1).unwrap();
    assert!(cell.len() == 24 && cell.starts_with(&at[..19]) && cell.ends_with('Z'), "{line} / {at}");
    assert!(line.contains(",appointment_booked,1,1,1,\"{"), "{line}");
    let hash = line.rsplit(',').next().unwrap();
    assert!(hash.len() == 64 && hash.chars().all(|c| c.is_ascii_hexdigit()), "{line}");
    assert!(!text.contains("Jane") && !text.contains("jane@"), "{text}");

    // The export is recorded, with its count; a second one to the same file is refused and
    // leaves the file and the log as they were.
    let exported = c.json(&["audit", "--action", "audit_exported"]);
    assert_eq!(exported.as_array().unwrap().len(), 1);
    assert_eq!(exported[0]["detail"]["rows"], log.len());
    assert!(exported[0]["actor"].as_str().unwrap().starts_with("cli:"));
    c.run(&["audit", "export", "--out", file]).refused("already exists");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), text);
    assert_eq!(c.json(&["audit", "--action", "audit_exported"]).as_array().unwrap().len(), 1);

    // --since and --until are local days; a window with nothing in it is the header alone.
    let none = c.path().join("none.csv");
    let json = c.json(&["audit", "export", "--out", none.to_str().unwrap(), "--since", "2199-01-01"]);
    assert_eq!(json["rows"], 0);
    assert_eq!(std::fs::read_to_string(&none).unwrap().lines().count(), 1);
    c.run(&["audit", "export", "--out", c.path().join("x.csv").to_str().unwrap(), "--until", "soon"])
        .refused("--until");
}

/// A single-computer clinic moves onto the clinic's server whole: 10,000 appointments with
/// their history, meetings, outbox and mail, every table checked, the file left as it was, and
/// the moved clinic then works on the server as it did on the file.
#[test]
fn a_clinic_moves_to_the_server_whole_and_its_file_is_left_as_it_was() {
    if std::env::var_os("FRONTDESK_TEST_POSTGRES").is_none() {
        assert!(std::env::var_os("FRONTDESK_REQUIRE_POSTGRES").is_none(), "run through scripts/postgres");
        return;
    }
    let c = Clinic::seeded_file();
    book(&c, &["--at", "2026-07-06T10:00"]);
    c.run(&["cancel", "1", "--reason", "Ill"]).ok();
    book(&c, &["--at", "2026-07-06T10:00"]);
    c.run(&["mail", "template", "set", "en", "sign_off", "See you soon"]).ok();
    // 10,000 more, written in SQL: one an hour per doctor from 2027, every 23rd cancelled, a
    // meeting for each telehealth one, an invitation sent to every patient with an address.
    c.sql(
        "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 9999)
         INSERT INTO appointments (id, patient_id, doctor_id, type_id, start_at, end_at, tz, status, cancel_reason, created_at, updated_at)
         SELECT 100 + i, 1 + i % 2, 1 + i % 2, 1 + (i / 2) % 2, 1798761600 + (i / 2) * 3600,
                1798761600 + (i / 2) * 3600 + CASE WHEN (i / 2) % 2 = 0 THEN 1800 ELSE 3600 END, 'America/Toronto',
                CASE WHEN i % 23 = 0 THEN 'cancelled' ELSE 'booked' END, CASE WHEN i % 23 = 0 THEN 'Ill' END, 0, 0 FROM n;
         INSERT INTO appointment_history (appointment_id, at_ms, actor, action, detail)
         SELECT id, 0, 'cli:seed', 'booked', '{\"seeded\":true}' FROM appointments WHERE id >= 100;
         INSERT INTO meetings (appointment_id, provider, state, zoom_id, join_url, updated_at)
         SELECT id, 'zoom', 'ready', 81000000000 + id, 'https://zoom.us/j/' || (81000000000 + id), 0 FROM appointments WHERE id >= 100 AND type_id = 1;
         INSERT INTO outbox (appointment_id, state, due_at_ms, created_at_ms, updated_at_ms)
         SELECT id, 'pending', 0, 0, 0 FROM appointments WHERE id >= 100 AND type_id = 1 AND id % 100 = 0;
         INSERT INTO mails (appointment_id, state, sequence, sent_sequence, sent_method, due_at_ms, sent_at_ms, updated_at_ms)
         SELECT id, 'sent', 0, 0, 'REQUEST', 0, 0, 0 FROM appointments WHERE id >= 100 AND patient_id = 1;",
    );
    c.run(&["hours", "doctor", "set", "1", "--from", "2026-01-01", "--weekday", "mon-fri", "07:00-20:00"])
        .ok();
    c.run(&["hours", "off", "--clinic", "--date", "2027-12-25", "--label", "Christmas"]).ok();
    let before = c.dump();
    let days = ["2026-07-06", "2027-01-01", "2027-03-15", "2027-06-30"];
    let on_file: Vec<Value> = days.iter().map(|d| c.json(&["day", "--date", d])).collect();

    let url = common::new_postgres_database();
    let moved = c.json(&["move-to-server", &url]);
    let tables: Vec<(String, i64)> = serde_json::from_value(moved["tables"].clone()).unwrap();
    assert_eq!(tables.len(), 19, "{moved}");
    let rows = |table: &str| tables.iter().find(|(t, _)| t == table).unwrap().1;
    assert_eq!(rows("appointments"), 10_002);
    assert!(
        rows("appointment_history") >= 10_003 && rows("meetings") >= 5_000 && rows("mails") >= 5_000,
        "{moved}"
    );
    assert_eq!(rows("mail_templates"), 1);
    assert!(rows("audit_log") > 8, "{moved}");
    assert_eq!(before, c.dump(), "the file is left as it was");

    // The moved clinic answers as the file did, and goes on from there.
    let server = Clinic { dir: tempfile::tempdir().unwrap(), server: Some(url.clone()) };
    for (day, expected) in days.iter().zip(&on_file) {
        assert_eq!(&server.json(&["day", "--date", day]), expected, "{day}");
    }
    assert_eq!(server.json(&["audit"]), c.json(&["audit"]));
    assert_eq!(server.json(&["hours", "show"]), c.json(&["hours", "show"]));
    assert_eq!((rows("doctor_weeks"), rows("doctor_hours"), rows("hours_exceptions")), (1, 5, 1));
    let next = book(&server, &["--at", "2026-07-07T10:00"]);
    assert_eq!(next["id"], 10_100, "ids go on after the largest one");
    assert_eq!(book(&server, &["--at", "2026-07-07T11:00"])["id"], 10_101);
    server.run(&["cancel", "10100", "--reason", "Moved"]).ok();

    // Moving again only hands over what this computer keeps (nothing is copied twice); a
    // database holding another clinic is refused, and so is a clinic already on a server.
    let again = c.run(&["move-to-server", &url]);
    assert!(again.ok().stdout.contains("already on"), "{}", again.stdout);
    let other = Clinic { dir: tempfile::tempdir().unwrap(), server: Some(common::new_postgres_database()) };
    other.run(&["init", "--clinic", "Elm Clinic", "--tz", "America/Toronto"]).ok();
    c.run(&["move-to-server", other.server.as_deref().unwrap()]).refused("is not empty");
    server.run(&["move-to-server", &url]).refused("already on a server");
}

/// A desk whose connection to the clinic's server is lost while a booking is saved says which
/// way it went: not saved (and nothing was), or saved once.
#[test]
fn a_booking_cut_off_while_saving_says_whether_it_was_saved() {
    if std::env::var_os("FRONTDESK_TEST_POSTGRES").is_none() {
        assert!(std::env::var_os("FRONTDESK_REQUIRE_POSTGRES").is_none(), "run through scripts/postgres");
        return;
    }
    let c = Clinic { dir: tempfile::tempdir().unwrap(), server: Some(common::new_postgres_database()) };
    let c = Clinic::seed(c);
    let args = ["book", "--patient", "1", "--doctor", "1", "--type", "1", "--at", "2026-07-06T10:00"];
    // The connection ends just before the commit: nothing was saved, and the desk says so.
    let before = c.dump();
    let mut cut = c.command();
    cut.env("FRONTDESK_LOSE_AT", "commit").args(args);
    let run = run_with(&mut cut);
    assert_ne!(run.code, 0);
    assert!(run.stderr.contains("lost before this was saved; nothing was changed"), "{}", run.stderr);
    assert_eq!(before, c.dump(), "nothing was saved");
    // The server committed, but its answer was lost: the desk finds the booking saved, once.
    let mut lost = c.command();
    lost.env("FRONTDESK_LOSE_AT", "commit-answer").args(["--json"]).args(args);
    let run = run_with(&mut lost);
    run.ok();
    assert_eq!(c.json(&["day", "--date", "2026-07-06"]).as_array().unwrap().len(), 1, "saved once");
}

/// `hours`: admins enter the clinic's week, a doctor's week from a date, days off, holidays and
/// extra hours; `hours show` lists them; bad hours get one line naming the problem, and change
/// nothing; each change is audited.
#[test]
fn working_hours_are_entered_shown_and_refused_naming_the_problem() {
    let c = Clinic::seeded();
    let hours = c.json(&[
        "hours",
        "clinic",
        "set",
        "--weekday",
        "mon-fri",
        "08:00-18:00",
        "--weekday",
        "sat",
        "09:00-12:00",
    ]);
    assert_eq!(hours["clinic"]["days"].as_array().unwrap().len(), 6);
    assert_eq!(
        hours["clinic"]["days"][5],
        serde_json::json!({ "day": "sat", "blocks": [{ "start_minute": 540, "end_minute": 720 }] })
    );
    let lee = c.json(&[
        "hours",
        "doctor",
        "set",
        "1",
        "--from",
        "2026-07-01",
        "--weekday",
        "mon",
        "09:00-12:00,13:00-17:00",
        "--weekday",
        "wed",
        "09:00-12:00",
    ]);
    assert_eq!(lee["doctors"][0]["doctor_id"], 1);
    assert_eq!(lee["doctors"][0]["effective_from"], "2026-07-01");
    assert_eq!(lee["doctors"][0]["week"]["days"][0]["blocks"].as_array().unwrap().len(), 2);
    let vacation = c.json(&[
        "hours",
        "off",
        "--doctor",
        "1",
        "--date",
        "2026-07-20",
        "--to",
        "2026-07-24",
        "--label",
        "Vacation",
    ]);
    assert_eq!((vacation["kind"].as_str(), vacation["last_day"].as_str()), (Some("off"), Some("2026-07-24")));
    let holiday = c.json(&["hours", "off", "--clinic", "--date", "2026-07-01", "--label", "Canada Day"]);
    assert_eq!(holiday["doctor_id"], Value::Null);
    let extra = c.json(&["hours", "extra", "--doctor", "1", "--date", "2026-07-11", "10:00-12:00"]);
    assert_eq!(extra["block"], serde_json::json!({ "start_minute": 600, "end_minute": 720 }));

    let shown = c.run(&["hours", "show", "--doctor", "1"]);
    shown.ok();
    for line in [
        "Clinic opening hours [America/Toronto]:",
        "Friday     08:00-18:00",
        "Dr Ada Lee (1) from 2026-07-01:",
        "Monday     09:00-12:00, 13:00-17:00",
        "2026-07-01  clinic closed (Canada Day)",
        "2026-07-20 to 2026-07-24  Dr Ada Lee off (Vacation)",
        "2026-07-11  Dr Ada Lee works 10:00-12:00",
    ] {
        assert!(shown.stdout.contains(line), "{line:?} in {}", shown.stdout);
    }

    let before = c.dump();
    let set_lee = |day: &'static str, blocks: &'static str| {
        c.run(&["hours", "doctor", "set", "1", "--from", "2026-08-01", "--weekday", day, blocks])
    };
    set_lee("mon", "09:00-12:00,11:00-13:00")
        .refused("hours: on Monday, 09:00-12:00 and 11:00-13:00 overlap");
    set_lee("tue", "17:00-09:00").refused("hours: on Tuesday, 17:00-09:00: the end is before the start");
    set_lee("tue", "9-5").refused("\"9-5\" is not a block of hours; write it as HH:MM-HH:MM");
    set_lee("fri-mon", "08:00-09:00").refused("fri-mon runs backwards");
    set_lee("someday", "08:00-09:00").refused("\"someday\" is not a weekday");
    c.run(&["hours", "extra", "--doctor", "1", "--date", "2026-03-08", "02:30-04:00"])
        .refused("2026-03-08 02:30 does not exist in America/Toronto");
    c.run(&["hours", "off", "--doctor", "99", "--date", "2026-07-10"]).refused("doctor 99 does not exist");
    c.run(&["hours", "off", "--doctor", "3", "--date", "2026-07-10"])
        .refused("Cal Desk (staff 3) is not a doctor");
    c.run(&["hours", "off", "--date", "2026-07-10"]).refused("required arguments were not provided");
    c.run(&["hours", "off", "--doctor", "1", "--date", "2026-07-22"])
        .refused("Dr Ada Lee is already off from 2026-07-20 to 2026-07-24");
    c.run(&["hours", "clinic", "set", "--weekday", "mon"]).refused("--weekday");
    c.run(&["hours", "remove", "999"]).refused("hours exception 999 does not exist");
    c.run(&["hours", "doctor", "remove", "1", "--from", "2026-07-02"])
        .refused("no weekly hours that start on 2026-07-02");
    assert_eq!(before, c.dump());

    // Removing; each change is one audit row.
    c.json(&["hours", "remove", &vacation["id"].to_string()]);
    c.json(&["hours", "doctor", "remove", "1", "--from", "2026-07-01"]);
    assert_eq!(c.json(&["hours", "clinic", "clear"])["clinic"], Value::Null);
    let audit = |action: &str| c.json(&["audit", "--action", action]).as_array().unwrap().clone();
    assert_eq!(audit("clinic_hours_changed").len(), 2);
    let doctor_rows = audit("doctor_hours_changed");
    assert_eq!(doctor_rows.len(), 2);
    assert_eq!(doctor_rows[0]["detail"]["hours"]["wed"], serde_json::json!(["09:00-12:00"]));
    assert_eq!(doctor_rows[1]["detail"]["hours"], Value::Null);
    assert_eq!(audit("hours_exception_added").len(), 3);
    assert_eq!(audit("hours_exception_removed").len(), 1);
    let out = c.run(&["hours", "show"]);
    assert!(out.ok().stdout.contains("no opening hours entered (open at all hours)"), "{}", out.stdout);
}

/// Booking or moving outside a doctor's hours, on a day off or a holiday is refused unless
/// `--outside-hours` is given; the history records the override and the day sheet marks it.
#[test]
fn booking_outside_hours_needs_the_flag_and_the_day_sheet_marks_it() {
    let c = Clinic::seeded();
    // Before any hours are entered, nothing is restricted.
    book(&c, &["--at", "2026-07-05T02:00"]);
    c.run(&["hours", "doctor", "set", "1", "--from", "2026-07-06", "--weekday", "mon-fri", "09:00-17:00"])
        .ok();
    c.run(&["hours", "off", "--clinic", "--date", "2026-07-07", "--label", "Staff training"]).ok();
    let before = c.dump();
    c.run(&["book", "--patient", "1", "--doctor", "1", "--type", "1", "--at", "2026-07-06T08:00"]).refused(
        "Dr Ada Lee works 09:00-17:00 on Monday, July 6, 2026, and 08:00-08:30 is outside that: choose another time, or confirm the booking outside hours (with --outside-hours)",
    );
    c.run(&["book", "--patient", "1", "--doctor", "1", "--type", "1", "--at", "2026-07-07T10:00"])
        .refused("the clinic is closed on Tuesday, July 7, 2026 (Staff training)");
    assert_eq!(before, c.dump());
    let early = book(&c, &["--at", "2026-07-06T08:00", "--outside-hours"]);
    let history = &c.json(&["show", &early["id"].to_string()])["history"];
    assert_eq!(history[0]["detail"]["outside_hours_allowed"], true);
    let inside = book(&c, &["--at", "2026-07-06T10:00"]);
    assert_eq!(
        c.json(&["show", &inside["id"].to_string()])["history"][0]["detail"].get("outside_hours_allowed"),
        None
    );

    // The day sheet marks the visit booked outside hours, in JSON and in words.
    let day = c.json(&["day", "--date", "2026-07-06"]);
    let marks: Vec<(Value, Value)> =
        day.as_array().unwrap().iter().map(|a| (a["id"].clone(), a["outside_hours"].clone())).collect();
    assert_eq!(marks, [(early["id"].clone(), Value::Bool(true)), (inside["id"].clone(), Value::Bool(false))]);
    let words = c.run(&["day", "--date", "2026-07-06"]);
    let lines: Vec<&str> = words.ok().stdout.lines().collect();
    assert!(lines[1].ends_with("[outside hours]") && !lines[2].contains("outside"), "{}", words.stdout);

    // Moving follows the same rule.
    let id = inside["id"].to_string();
    c.run(&["move", &id, "--at", "2026-07-11T10:00"])
        .refused("Dr Ada Lee does not work on Saturday, July 11, 2026");
    let moved = c.json(&["move", &id, "--at", "2026-07-11T10:00", "--outside-hours"]);
    assert_eq!(moved["start"], "2026-07-11T14:00:00Z");
    let history = &c.json(&["show", &id])["history"];
    assert_eq!(history[1]["action"], "moved");
    assert_eq!(history[1]["detail"]["outside_hours_allowed"], true);
}

/// `free`: the first free slots for a type of visit, with any doctor or one, mornings or
/// afternoons, in JSON and in words.
#[test]
fn free_lists_the_first_slots_in_json_and_in_words() {
    let c = Clinic::seeded();
    c.run(&["hours", "doctor", "set", "1", "--from", "2030-01-01", "--weekday", "mon", "09:00-12:00"]).ok();
    c.run(&[
        "hours",
        "doctor",
        "set",
        "2",
        "--from",
        "2030-01-01",
        "--weekday",
        "mon",
        "10:00-11:00",
        "--weekday",
        "tue",
        "14:00-16:00",
    ])
    .ok();
    book(&c, &["--at", "2030-07-01T09:00"]);
    let slots = c.json(&["free", "--type", "1", "--from", "2030-07-01", "--days", "2", "--count", "3"]);
    let got: Vec<(i64, &str)> = slots
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["doctor_id"].as_i64().unwrap(), s["start"].as_str().unwrap()))
        .collect();
    assert_eq!(got, [(1, "2030-07-01T13:30:00Z"), (1, "2030-07-01T14:00:00Z"), (2, "2030-07-01T14:00:00Z")]);
    assert_eq!(slots[0]["local_start"], "2030-07-01T09:30:00-04:00");
    assert_eq!(slots[0]["end"], "2030-07-01T14:00:00Z");
    let roy = c.json(&[
        "free",
        "--type",
        "2",
        "--doctor",
        "2",
        "--from",
        "2030-07-01",
        "--afternoon",
        "--count",
        "3",
    ]);
    assert_eq!(roy.as_array().unwrap().len(), 3);
    assert_eq!(roy[0]["start"], "2030-07-02T18:00:00Z");
    assert_eq!(roy[1]["start"], "2030-07-02T19:00:00Z");
    assert_eq!(roy[2]["start"], "2030-07-09T18:00:00Z", "the next Tuesday");
    let words = c.run(&["free", "--type", "2", "--from", "2030-07-01", "--days", "1"]);
    let lines: Vec<&str> = words.ok().stdout.lines().collect();
    assert_eq!(
        lines,
        [
            "Mon 2030-07-01  09:30-10:30 EDT  America/Toronto  Dr Ada Lee (1)",
            "Mon 2030-07-01  10:00-11:00 EDT  America/Toronto  Dr Ben Roy (2)",
            "Mon 2030-07-01  10:30-11:30 EDT  America/Toronto  Dr Ada Lee (1)",
        ]
    );
    let none = c.run(&["free", "--type", "1", "--doctor", "2", "--from", "2030-07-03", "--days", "3"]);
    assert!(none.ok().stdout.contains("No free slot"), "{}", none.stdout);
    c.run(&["free", "--type", "1", "--count", "0"]).refused("count: ask for 1 to 50 slots");
    c.run(&["free", "--type", "9"]).refused("appointment type 9 does not exist");
    c.run(&["free", "--type", "1", "--doctor", "3"]).refused("is not a doctor");
    c.run(&["free", "--type", "1", "--morning", "--afternoon"]).refused("cannot be used with");
}

/// A desk on the clinic's server takes its read copy (`read-copy`), which a single computer has
/// no need of; a server that does not answer ends a command with 3 (try again later), whether
/// or not the desk has a copy to read.
#[test]
fn a_desk_on_the_clinics_server_takes_its_read_copy() {
    let c = Clinic::seeded();
    let away = |args: &[&str]| {
        let mut cmd = std::process::Command::new(common::cli_path());
        cmd.arg("--data-dir")
            .arg(c.path())
            .arg("--database")
            .arg("postgres://frontdesk@127.0.0.1:1/frontdesk");
        run_with(cmd.env_remove("FRONTDESK_DATABASE_URL").args(args))
    };
    let run = away(&["day"]);
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(run.stderr.contains("cannot be reached"), "{}", run.stderr);
    if c.server.is_none() {
        c.run(&["read-copy"]).refused("a read copy is for a desk on the clinic's server");
        assert!(!c.path().join("read-copy.db").exists());
        return;
    }
    let toronto = frontdesk_core::time::parse_zone("America/Toronto").unwrap();
    let today = frontdesk_core::time::today_in(toronto, chrono::Utc::now());
    book(&c, &["--at", &format!("{today}T09:00")]);
    c.run(&["read-copy", "--every", "0"]).refused("at least 1");
    let taken = c.json(&["read-copy"]);
    assert_eq!(taken["appointments"], 1, "{taken}");
    assert_eq!(taken["first_day"], (today - chrono::Duration::days(1)).to_string());
    assert_eq!(taken["last_day"], (today + chrono::Duration::days(14)).to_string());
    let plain = c.run(&["read-copy"]);
    assert!(
        plain.ok().stdout.contains("(Toronto time)") && plain.stdout.contains("1 appointment(s)"),
        "{}",
        plain.stdout
    );
    // With the server answering, commands read it and say nothing of the copy.
    let day = c.run(&["day"]);
    assert!(day.ok().stderr.is_empty(), "{}", day.stderr);
    assert!(day.stdout.contains("1 appointment(s)"), "{}", day.stdout);
}
