//! A desk's read copy of the clinic's server (ADR 0027), on PostgreSQL on loopback, at 40 doctors
//! and 600 appointments a day over the copy's 16 days (yesterday to 14 ahead), 20,000 patients.
//!
//! Prints `BENCH <name> <value> <unit>` lines, with `ref=<value> ratio=<value>` where a reference
//! is measured in the same run:
//! - `read_copy_refresh_p50` / `_max`: `Store::refresh_copy`, the whole snapshot (one read of the
//!   server, one SQLite transaction that replaces the copy), against the `psql` shell reading the
//!   same rows with the same statements on the same loopback (its `\timing`, summed per pass).
//! - `read_copy_detect_away_p50` / `_max`: from the desk's cable to the server being cut to the
//!   desk reading its copy, with the desk asking every second as the app does (the cable drops
//!   what it carried, as a restarted switch does); and `read_copy_detect_back_*` when it is mended.
//!   Target: 5 s.
//! - `read_copy_day_view_p50`: today's day view for every doctor read from the copy, against the
//!   same view read from the server just before.
//!
//! Run with `scripts/bench`, which starts a throwaway server (`scripts/postgres`).
#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark panics on failure

#[path = "../tests/engines/cable.rs"]
mod cable;
mod common;

use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use cable::{server_of, Cable};
use chrono::Utc;
use common::{new_database, percentile, psql_timings, report, run_shell};
use frontdesk_core::store::{AtRest, MemoryKeys, ServerAddress, COPY_DAYS_AHEAD};
use frontdesk_core::time::{day_bounds, parse_zone, today_in};
use frontdesk_core::{Sight, Store, SystemClock};

const DOCTORS: i64 = 40;
const PER_DAY: i64 = 600;
const PATIENTS: i64 = 20_000;
const REFRESHES: usize = 7;
const CUTS: usize = 5;
const DAY_READS: usize = 50;

fn main() {
    let admin =
        std::env::var("FRONTDESK_TEST_POSTGRES").expect("run through scripts/postgres (scripts/bench does)");
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    runtime.block_on(run(&admin));
}

async fn run(admin: &str) {
    let url = new_database(admin, "copybench").await;
    let tz = parse_zone("America/Toronto").unwrap();
    let today = today_in(tz, Utc::now());
    let first = today - chrono::Days::new(1);
    let from = day_bounds(first, tz).0.timestamp();
    let to = day_bounds(today + chrono::Days::new(COPY_DAYS_AHEAD as u64), tz).1.timestamp();
    seed(&url, from).await;

    let cable = Cable::to(server_of(&url)).await;
    let dir = tempfile::tempdir().unwrap();
    let keys = AtRest::Encrypted(Arc::new(MemoryKeys::default()));
    let desk = Store::connect_with_copy(&cable.address(&url), dir.path(), Arc::new(SystemClock), keys)
        .await
        .unwrap();

    // The refresh, against psql reading the same rows.
    let mut refreshes = Vec::new();
    let mut held = 0;
    for _ in 0..REFRESHES {
        let started = Instant::now();
        held = desk.refresh_copy(Sight::Everything).await.unwrap().appointments;
        refreshes.push(started.elapsed());
    }
    eprintln!("the copy holds {held} appointments");
    let reference = psql_reads(&url, from, to);
    let refreshes = &refreshes[1..];
    report("read_copy_refresh_p50", percentile(refreshes, 50.0), Some(percentile(&reference, 50.0)));
    report("read_copy_refresh_max", percentile(refreshes, 100.0), Some(percentile(&reference, 100.0)));

    // Today's view from the server, then from the copy.
    let server_day = day_reads(&desk, today, tz).await;

    // Away and back, with the desk asking every second as the app does.
    let watcher = desk.clone();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        loop {
            if let Some(link) = watcher.check_server().await {
                let _ = tx.send((Instant::now(), link.away_since.is_some()));
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    });
    let (mut away, mut back) = (Vec::new(), Vec::new());
    let mut copy_day = Vec::new();
    for round in 0..CUTS {
        // Each cut at another moment of the desk's second.
        tokio::time::sleep(Duration::from_millis(1000 + 217 * round as u64)).await;
        cable.cut();
        let cut = Instant::now();
        let (at, is_away) = rx.recv().await.unwrap();
        assert!(is_away);
        away.push(at - cut);
        copy_day.extend(day_reads(&desk, today, tz).await);
        tokio::time::sleep(Duration::from_millis(700 + 131 * round as u64)).await;
        cable.mend();
        let mended = Instant::now();
        let (at, is_away) = rx.recv().await.unwrap();
        assert!(!is_away);
        back.push(at - mended);
    }
    report("read_copy_detect_away_p50", percentile(&away, 50.0), None);
    report("read_copy_detect_away_max", percentile(&away, 100.0), None);
    report("read_copy_detect_back_p50", percentile(&back, 50.0), None);
    report("read_copy_detect_back_max", percentile(&back, 100.0), None);
    report("read_copy_day_view_p50", percentile(&copy_day, 50.0), Some(percentile(&server_day, 50.0)));
    println!("BENCH_TARGETS read_copy_detect_away_max<=5000ms read_copy_detect_back_max<=5000ms");
}

/// Today's view for every doctor, read `DAY_READS` times.
async fn day_reads(desk: &Store, today: chrono::NaiveDate, tz: chrono_tz::Tz) -> Vec<Duration> {
    let mut times = Vec::new();
    for _ in 0..DAY_READS {
        let started = Instant::now();
        let day = desk.day(today, tz, None).await.unwrap();
        times.push(started.elapsed());
        assert_eq!(day.len() as i64, PER_DAY);
    }
    times
}

/// The clinic, migrated by a store, then seeded in SQL: 40 doctors, 20,000 patients, one type,
/// and 600 half-hour appointments a day from 08:00 (15 per doctor) over the copy's 16 days, each
/// with a history row.
async fn seed(url: &str, from: i64) {
    let store = Store::connect(
        &ServerAddress::parse(url).unwrap(),
        tempfile::tempdir().unwrap().path(),
        Arc::new(SystemClock),
    )
    .await
    .unwrap();
    store.close().await;
    let pool = sqlx::PgPool::connect(url).await.unwrap();
    let mut tx = pool.begin().await.unwrap();
    sqlx::query("SET LOCAL session_replication_role = replica").execute(&mut *tx).await.unwrap();
    for sql in [
        "INSERT INTO clinic (id, name, tz, created_at) VALUES (1, 'Bench Clinic', 'America/Toronto', 0)",
        "INSERT INTO staff (name, role, created_at) VALUES ('Front Desk', 'receptionist', 0)",
        "INSERT INTO staff (name, role, created_at) SELECT 'Dr ' || i, 'doctor', 0 FROM generate_series(1, 40) i",
        "INSERT INTO appointment_types (name, minutes, mode, created_at) VALUES ('Consult', 30, 'in-person', 0)",
    ] {
        sqlx::query(sql).execute(&mut *tx).await.unwrap();
    }
    sqlx::query(
        "INSERT INTO patients (full_name, email, phone, created_at)
         SELECT 'Patient ' || i, 'p' || i || '@example.com', '613-555-' || lpad((i % 10000)::text, 4, '0'), 0
         FROM generate_series(1, $1) i",
    )
    .bind(PATIENTS)
    .execute(&mut *tx)
    .await
    .unwrap();
    let slots = PER_DAY / DOCTORS;
    sqlx::query(
        "INSERT INTO appointments (patient_id, doctor_id, type_id, start_at, end_at, tz, status, created_at, updated_at)
         SELECT 1 + (i * 7919) % $5, 2 + (i / $3) % $4, 1,
                $1 + (i / $2) * 86400 + 28800 + (i % $3) * 1800,
                $1 + (i / $2) * 86400 + 28800 + (i % $3) * 1800 + 1800,
                'America/Toronto', 'booked', 0, 0
         FROM generate_series(0, $2 * (2 + $6) - 1) i",
    )
    .bind(from)
    .bind(PER_DAY)
    .bind(slots)
    .bind(DOCTORS)
    .bind(PATIENTS)
    .bind(COPY_DAYS_AHEAD)
    .execute(&mut *tx)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO appointment_history (appointment_id, at_ms, actor, action, detail)
         SELECT id, 0, 'bench', 'booked', '{}' FROM appointments",
    )
    .execute(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
    sqlx::query("ANALYZE").execute(&pool).await.unwrap();
    pool.close().await;
}

/// The `psql` shell reading the rows a refresh reads, with the same statements, a pass per
/// refresh: the time of each pass (the sum of its statements' `\timing`).
fn psql_reads(url: &str, from: i64, to: i64) -> Vec<Duration> {
    let window = format!("SELECT id FROM appointments WHERE start_at < {to} AND end_at > {from}");
    let statements = [
        "SELECT * FROM clinic".to_owned(),
        "SELECT * FROM staff".to_owned(),
        "SELECT * FROM appointment_types".to_owned(),
        "SELECT * FROM clinic_hours".to_owned(),
        "SELECT * FROM doctor_weeks".to_owned(),
        "SELECT * FROM doctor_hours".to_owned(),
        "SELECT * FROM hours_exceptions".to_owned(),
        format!("SELECT * FROM patients WHERE id IN (SELECT patient_id FROM appointments WHERE start_at < {to} AND end_at > {from})"),
        format!("SELECT * FROM appointments WHERE start_at < {to} AND end_at > {from}"),
        format!("SELECT * FROM appointment_history WHERE appointment_id IN ({window})"),
        format!("SELECT * FROM meetings WHERE appointment_id IN ({window})"),
        format!("SELECT * FROM mails WHERE appointment_id IN ({window})"),
        format!("SELECT * FROM reminders_shown WHERE appointment_id IN ({window})"),
    ];
    let mut script = String::from("\\timing on\n\\o /dev/null\n");
    for _ in 0..REFRESHES {
        script.push_str("BEGIN ISOLATION LEVEL REPEATABLE READ;\n");
        for s in &statements {
            script.push_str(s);
            script.push_str(";\n");
        }
        script.push_str("COMMIT;\n");
    }
    let text = run_shell(Command::new("psql").args(["-X", "-q", url]), &script);
    let times = psql_timings(&text);
    let per_pass = statements.len() + 2;
    assert_eq!(times.len(), REFRESHES * per_pass, "psql timings: {text}");
    times.chunks(per_pass).skip(1).map(|pass| pass.iter().sum()).collect()
}
