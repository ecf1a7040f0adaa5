//! The schedule on the clinic's server: PostgreSQL on loopback, with the same clinic as the
//! SQLite benchmark (1,000,000 appointments over five years, 40 doctors).
//!
//! Prints `BENCH <name> <value> <unit>` lines, with `ref=<value> ratio=<value>` where a reference
//! is measured in the same run:
//! - `pg_day_view_p50` / `_p99`: `Store::day` for one clinic day, all doctors, against the same
//!   SQL text run by the `psql` shell on the same database (its `\timing`, a round trip on the
//!   same loopback). Target: within 1.5x.
//! - `pg_book_commit_p50` / `_p99`: `Store::book` end to end, its transaction holding the
//!   clinic's write lock. Target: p99 at most 10 ms.
//! - `pg_desk_to_desk_p50` / `_p99`: from one desk's booking committing to another desk having
//!   heard of it and read the booked day again, over 200 bookings. Target: p99 under 500 ms.
//!
//! Run with `scripts/bench`, which starts a throwaway server (`scripts/postgres`).
#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark panics on failure

mod common;

use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{day_script, new_database, percentile, psql_timings, report, run_shell};

use chrono::{DateTime, NaiveDate};
use frontdesk_core::store::{Change, ServerAddress, DAY_QUERY_POSTGRES};
use frontdesk_core::time::parse_zone;
use frontdesk_core::{Actor, BookingRequest, LocalTime, PatientId, StaffId, Store, SystemClock, TypeId};

const DOCTORS: i64 = 40;
const DAYS: i64 = 5 * 365 + 1; // 2024-01-01 .. 2028-12-31
const DAY_SAMPLES: usize = 300;
const WARM_PASSES: usize = 2;
const PASSES: usize = 3;
const BOOK_SAMPLES: usize = 1000;
const DESK_TO_DESK: usize = 200;

fn main() {
    let admin =
        std::env::var("FRONTDESK_TEST_POSTGRES").expect("run through scripts/postgres (scripts/bench does)");
    let total: i64 =
        std::env::var("BENCH_APPOINTMENTS").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000_000);
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    runtime.block_on(run(&admin, total));
}

async fn run(admin: &str, total: i64) {
    let url = new_database(admin, "bench").await;
    let dir = tempfile::tempdir().unwrap();
    let server = ServerAddress::parse(&url).unwrap();
    let store = Store::connect(&server, dir.path(), Arc::new(SystemClock)).await.unwrap();
    let seeded = Instant::now();
    seed(&url, total).await;
    eprintln!("seeded {total} appointments on PostgreSQL in {:.1} s", seeded.elapsed().as_secs_f64());
    let tz = parse_zone("America/Toronto").unwrap();

    let first = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
    let days: Vec<NaiveDate> =
        (0..DAY_SAMPLES).map(|i| first + chrono::Days::new((i as u64 * 7919) % DAYS as u64)).collect();
    for _ in 0..WARM_PASSES {
        for d in &days {
            std::hint::black_box(store.day(*d, tz, None).await.unwrap());
        }
    }
    let mut wall = Vec::with_capacity(days.len() * PASSES);
    for _ in 0..PASSES {
        for d in &days {
            let t = Instant::now();
            std::hint::black_box(store.day(*d, tz, None).await.unwrap());
            wall.push(t.elapsed());
        }
    }
    let reference = psql_shell(&url, &days, tz);
    report("pg_day_view_p50", percentile(&wall, 50.0), Some(percentile(&reference, 50.0)));
    report("pg_day_view_p99", percentile(&wall, 99.0), Some(percentile(&reference, 99.0)));

    let actor = Actor::Staff { id: StaffId(1), role: frontdesk_core::Role::Admin };
    let request = |i: i64, hour: u32| BookingRequest {
        patient_id: PatientId(1 + i % 1000),
        doctor_id: StaffId(2 + (i * 7) % DOCTORS),
        type_id: TypeId(1),
        start: LocalTime {
            at: (first + chrono::Days::new(((i * 104_729) % DAYS) as u64)).and_hms_opt(hour, 0, 0).unwrap(),
            tz,
            fold: None,
        },
        allow_overlap: false,
        allow_outside_hours: false,
        topic: None,
        description: None,
    };
    let mut commits = Vec::with_capacity(BOOK_SAMPLES);
    for i in 0..BOOK_SAMPLES as i64 {
        let req = request(i, 18 + (i % 4) as u32);
        let t = Instant::now();
        // An evening slot already taken by an earlier sample is refused: that is a commit path too.
        let _ = store.book(&actor, &req).await;
        commits.push(t.elapsed());
    }
    report("pg_book_commit_p50", percentile(&commits, 50.0), None);
    report("pg_book_commit_p99", percentile(&commits, 99.0), None);

    // Another desk: its own pool and its own line to the server's announcements.
    let other_dir = tempfile::tempdir().unwrap();
    let other = Store::connect(&server, other_dir.path(), Arc::new(SystemClock)).await.unwrap();
    let mut changes = other.changes().await.unwrap().expect("a server store listens");
    let mut latencies = Vec::with_capacity(DESK_TO_DESK);
    for i in 0..DESK_TO_DESK as i64 {
        let booked = match store.book(&actor, &request(i, 22)).await {
            Ok(booked) => booked,
            Err(_) => continue,
        };
        let committed = Instant::now();
        loop {
            let change = tokio::time::timeout(Duration::from_secs(5), changes.next()).await.unwrap().unwrap();
            if matches!(change, Change::Appointment { id, ref spans } if id == booked.id && !spans.is_empty())
            {
                break;
            }
        }
        let day = booked.local_start.date_naive();
        let shown = other.day(day, tz, None).await.unwrap();
        assert!(shown.iter().any(|a| a.id == booked.id));
        latencies.push(committed.elapsed());
    }
    eprintln!("desk to desk: {} bookings", latencies.len());
    report("pg_desk_to_desk_p50", percentile(&latencies, 50.0), None);
    report("pg_desk_to_desk_p99", percentile(&latencies, 99.0), None);
    println!("BENCH_TARGETS pg_day_view<=1.5x_ref pg_book_commit_p99<=10ms pg_desk_to_desk_p99<500ms");
}

/// Seeds the clinic in SQL, as the SQLite benchmark does: 40 doctors, 20,000 patients, five
/// types, and `total` appointments in half-hour slots from 08:00 local, every day for five years.
async fn seed(url: &str, total: i64) {
    let pool = sqlx::PgPool::connect(url).await.unwrap();
    let mut tx = pool.begin().await.unwrap();
    // The seed is not what is measured: the desks' announcements are not needed for it.
    sqlx::query("SET LOCAL session_replication_role = replica").execute(&mut *tx).await.unwrap();
    for sql in [
        "INSERT INTO clinic (id, name, tz, created_at) VALUES (1, 'Bench Clinic', 'America/Toronto', 0)",
        "INSERT INTO staff (name, role, created_at) VALUES ('Front Desk', 'receptionist', 0)",
        "INSERT INTO staff (name, role, created_at) SELECT 'Dr ' || i, 'doctor', 0 FROM generate_series(1, 40) i",
        "INSERT INTO patients (full_name, email, created_at) SELECT 'Patient ' || i, 'p' || i || '@example.com', 0 FROM generate_series(1, 20000) i",
        "INSERT INTO appointment_types (name, minutes, mode, created_at) VALUES
         ('Consult', 30, 'zoom', 0), ('Checkup', 30, 'in-person', 0), ('Review', 30, 'teams', 0),
         ('Vaccination', 30, 'in-person', 0), ('Follow-up', 30, 'zoom', 0)",
    ] {
        sqlx::query(sql).execute(&mut *tx).await.unwrap();
    }
    let per_day = (total + DAYS - 1) / DAYS;
    let slots_per_doctor = (per_day + DOCTORS - 1) / DOCTORS;
    sqlx::query(
        "INSERT INTO appointments (patient_id, doctor_id, type_id, start_at, end_at, tz, status, cancel_reason, created_at, updated_at)
         SELECT 1 + (i * 7919) % 20000,
                2 + (i / $3) % 40,
                1 + i % 5,
                $4 + (i / $2) * 86400 + 46800 + (i % $3) * 1800,
                $4 + (i / $2) * 86400 + 46800 + (i % $3) * 1800 + 1800,
                'America/Toronto',
                CASE WHEN i % 23 = 0 THEN 'cancelled' WHEN i % 31 = 0 THEN 'no-show' ELSE 'booked' END,
                CASE WHEN i % 23 = 0 THEN 'Rebooked' END,
                0, 0
         FROM generate_series(0, $1 - 1) i",
    )
    .bind(total)
    .bind(per_day)
    .bind(slots_per_doctor)
    .bind(DateTime::parse_from_rfc3339("2024-01-01T00:00:00Z").unwrap().timestamp())
    .execute(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
    sqlx::query("ANALYZE").execute(&pool).await.unwrap();
    pool.close().await;
}

/// Runs the day view's SQL for each day in one `psql` session and returns the round trip its
/// `\timing` reports for each statement (the same loopback the store uses).
fn psql_shell(url: &str, days: &[NaiveDate], tz: chrono_tz::Tz) -> Vec<Duration> {
    let query = DAY_QUERY_POSTGRES.replace("$3::bigint", "NULL::bigint");
    let script = day_script("\\timing on\n\\o /dev/null\n", &query, days, tz, WARM_PASSES + PASSES);
    let text = run_shell(Command::new("psql").args(["-X", "-q", url]), &script);
    let times = psql_timings(&text);
    assert_eq!(times.len(), (WARM_PASSES + PASSES) * days.len(), "psql timings: {text}");
    times[WARM_PASSES * days.len()..].to_vec()
}
