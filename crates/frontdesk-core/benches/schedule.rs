//! Schedule benchmarks on a clinic with 1,000,000 appointments over five years and 40 doctors.
//!
//! Prints one line per figure: `BENCH <name> <value> <unit>` and, where there is one, the
//! reference measured in the same run: `ref=<value> ratio=<value>`.
//!
//! - `day_view_p50` / `day_view_p99`: `Store::day` for one clinic day, all doctors (query and
//!   mapping into appointments), against the same SQL text run by the `sqlite3` shell on the same
//!   file, timed by the shell's `.timer` (user + sys CPU time, the part with microsecond resolution).
//! - `book_commit_p50` / `book_commit_p99`: `Store::book` end to end (its write transaction with
//!   the overlap check, the insert, the history entry and the commit). Target: p99 at most 10 ms.
//! - `encrypted_*`: the same day views and bookings on the same clinic encrypted at rest
//!   (SQLCipher, as the app keeps it), next to the clear file's figures of this run; and
//!   `encrypt_existing_database`, the first start's conversion of the clear file.
//!
//! Run with `scripts/bench` (release build). `BENCH_APPOINTMENTS` overrides the size.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark panics on failure

mod common;

use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{day_script, percentile, report, run_shell};

use chrono::{DateTime, NaiveDate, Utc};
use frontdesk_core::paths::DATABASE_FILE;
use frontdesk_core::store::{AtRest, MemoryKeys, DAY_QUERY};
use frontdesk_core::time::parse_zone;
use frontdesk_core::{
    Actor, BookingRequest, FixedClock, LocalTime, PatientId, StaffId, Store, SystemClock, TypeId,
};

const DOCTORS: i64 = 40;
const DAYS: i64 = 5 * 365 + 1; // 2024-01-01 .. 2028-12-31
const DAY_SAMPLES: usize = 300;
const WARM_PASSES: usize = 2;
const PASSES: usize = 3;
const BOOK_SAMPLES: usize = 1000;

fn main() {
    let total: i64 =
        std::env::var("BENCH_APPOINTMENTS").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000_000);
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(run(total));
}

async fn run(total: i64) {
    let dir = tempfile::tempdir().unwrap();
    let tz = parse_zone("America/Toronto").unwrap();
    let store = Store::open_with_clock(dir.path(), Arc::new(SystemClock), AtRest::Clear).await.unwrap();
    let seeded = Instant::now();
    seed(&store, total).await;
    eprintln!(
        "seeded {total} appointments in {:.1} s ({})",
        seeded.elapsed().as_secs_f64(),
        store.data_dir().join(DATABASE_FILE).display()
    );
    // The same clinic encrypted, as the app keeps it: a copy of the clear file, converted the
    // way an earlier Frontdesk's database is on its first start.
    store.close().await;
    let encrypted_dir = tempfile::tempdir().unwrap();
    std::fs::copy(dir.path().join(DATABASE_FILE), encrypted_dir.path().join(DATABASE_FILE)).unwrap();
    let keys = AtRest::Encrypted(Arc::new(MemoryKeys::default()));
    let converting = Instant::now();
    let encrypted =
        Store::open_with_clock(encrypted_dir.path(), Arc::new(SystemClock), keys.clone()).await.unwrap();
    report("encrypt_existing_database", converting.elapsed(), None);
    let store = Store::open_with_clock(dir.path(), Arc::new(SystemClock), AtRest::Clear).await.unwrap();

    // Days spread over the five years, the same list for every side.
    let first = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
    let days: Vec<NaiveDate> =
        (0..DAY_SAMPLES).map(|i| first + chrono::Days::new((i as u64 * 7919) % DAYS as u64)).collect();
    let (wall, cpu, rows) = day_views(&store, &days, tz).await;
    let (encrypted_wall, _, _) = day_views(&encrypted, &days, tz).await;
    let reference = sqlite3_shell(&store.data_dir().join(DATABASE_FILE), &days, tz);
    eprintln!(
        "day view: {} days x {PASSES} passes, {:.0} appointments per day on average",
        days.len(),
        rows as f64 / days.len() as f64
    );
    // Wall clock (what the desk feels) and process CPU time (both threads: ours and SQLite's
    // worker), each against the shell's CPU time for the same statement.
    report("day_view_p50", percentile(&wall, 50.0), Some(percentile(&reference, 50.0)));
    report("day_view_p99", percentile(&wall, 99.0), Some(percentile(&reference, 99.0)));
    report("day_view_cpu_p50", percentile(&cpu, 50.0), Some(percentile(&reference, 50.0)));
    report("day_view_cpu_p99", percentile(&cpu, 99.0), Some(percentile(&reference, 99.0)));
    // Encrypted at rest, against the clear file's wall clock in this run.
    report("encrypted_day_view_p50", percentile(&encrypted_wall, 50.0), Some(percentile(&wall, 50.0)));
    report("encrypted_day_view_p99", percentile(&encrypted_wall, 99.0), Some(percentile(&wall, 99.0)));

    let commits = bookings(dir.path(), AtRest::Clear, first, tz).await;
    let encrypted_commits = bookings(encrypted_dir.path(), keys, first, tz).await;
    report("book_commit_p50", percentile(&commits, 50.0), None);
    report("book_commit_p99", percentile(&commits, 99.0), None);
    report(
        "encrypted_book_commit_p50",
        percentile(&encrypted_commits, 50.0),
        Some(percentile(&commits, 50.0)),
    );
    report(
        "encrypted_book_commit_p99",
        percentile(&encrypted_commits, 99.0),
        Some(percentile(&commits, 99.0)),
    );
    println!("BENCH_TARGETS day_view<=2x_ref book_commit_p99<=10ms");
}

/// The day view of each day, warmed then measured: wall clock, process CPU time, rows seen.
async fn day_views(
    store: &Store,
    days: &[NaiveDate],
    tz: chrono_tz::Tz,
) -> (Vec<Duration>, Vec<Duration>, usize) {
    // Warm every side the same way: passes that are not measured.
    let mut rows = 0usize;
    for _ in 0..WARM_PASSES {
        rows = 0;
        for d in days {
            rows += store.day(*d, tz, None).await.unwrap().len();
        }
    }
    let mut wall = Vec::with_capacity(days.len() * PASSES);
    let mut cpu = Vec::with_capacity(days.len() * PASSES);
    for _ in 0..PASSES {
        for d in days {
            let (t, c) = (Instant::now(), cpu_time::ProcessTime::now());
            let list = store.day(*d, tz, None).await.unwrap();
            cpu.push(c.elapsed());
            wall.push(t.elapsed());
            std::hint::black_box(list);
        }
    }
    (wall, cpu, rows)
}

/// Bookings in free evening slots, spread over the same five years, through the real path.
async fn bookings(
    dir: &std::path::Path,
    at_rest: AtRest,
    first: NaiveDate,
    tz: chrono_tz::Tz,
) -> Vec<Duration> {
    let clock = FixedClock(DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z").unwrap().with_timezone(&Utc));
    let clock_store = Store::open_with_clock(dir, Arc::new(clock), at_rest).await.unwrap();
    let actor = Actor::Staff { id: StaffId(1), role: frontdesk_core::Role::Admin };
    let mut commits = Vec::with_capacity(BOOK_SAMPLES);
    for i in 0..BOOK_SAMPLES as i64 {
        let day = first + chrono::Days::new(((i * 104_729) % DAYS) as u64);
        let at = day.and_hms_opt(18 + (i % 4) as u32, 0, 0).unwrap();
        let req = BookingRequest {
            patient_id: PatientId(1 + i % 1000),
            doctor_id: StaffId(2 + (i * 7) % DOCTORS),
            type_id: TypeId(1),
            start: LocalTime { at, tz, fold: None },
            allow_overlap: false,
            allow_outside_hours: false,
            topic: None,
            description: None,
        };
        let t = Instant::now();
        // An evening slot already taken by an earlier sample is refused: that is a commit path too.
        let _ = clock_store.book(&actor, &req).await;
        commits.push(t.elapsed());
    }
    clock_store.close().await;
    commits
}

/// Seeds the clinic in SQL (seeding is not what is measured): 40 doctors, 20,000 patients, five
/// types, and `total` appointments in half-hour slots from 08:00 local, every day for five years.
async fn seed(store: &Store, total: i64) {
    let file = store.data_dir().join(DATABASE_FILE);
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", file.display())).await.unwrap();
    let mut tx = pool.begin().await.unwrap();
    for sql in [
        "INSERT INTO clinic (id, name, tz, created_at) VALUES (1, 'Bench Clinic', 'America/Toronto', 0)",
        "INSERT INTO staff (name, role, created_at) VALUES ('Front Desk', 'receptionist', 0)",
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 40)
         INSERT INTO staff (name, role, created_at) SELECT 'Dr ' || i, 'doctor', 0 FROM n",
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)
         INSERT INTO patients (full_name, email, created_at) SELECT 'Patient ' || i, 'p' || i || '@example.com', 0 FROM n",
        "INSERT INTO appointment_types (name, minutes, mode, created_at) VALUES
         ('Consult', 30, 'zoom', 0), ('Checkup', 30, 'in-person', 0), ('Review', 30, 'teams', 0),
         ('Vaccination', 30, 'in-person', 0), ('Follow-up', 30, 'zoom', 0)",
    ] {
        sqlx::query(sql).execute(&mut *tx).await.unwrap();
    }
    // Slot k of doctor d on day n: 08:00 local (13:00 UTC, ignoring DST for seed data) + 30 min * k.
    let per_day = (total + DAYS - 1) / DAYS;
    let slots_per_doctor = (per_day + DOCTORS - 1) / DOCTORS;
    sqlx::query(
        "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ?1 - 1)
         INSERT INTO appointments (patient_id, doctor_id, type_id, start_at, end_at, tz, status, cancel_reason, created_at, updated_at)
         SELECT 1 + (i * 7919) % 20000,
                2 + (i / ?3) % 40,
                1 + i % 5,
                ?4 + (i / ?2) * 86400 + 46800 + (i % ?3) * 1800,
                ?4 + (i / ?2) * 86400 + 46800 + (i % ?3) * 1800 + 1800,
                'America/Toronto',
                CASE WHEN i % 23 = 0 THEN 'cancelled' WHEN i % 31 = 0 THEN 'no-show' ELSE 'booked' END,
                CASE WHEN i % 23 = 0 THEN 'Rebooked' END,
                0, 0
         FROM n",
    )
    .bind(total)
    .bind(per_day)
    .bind(slots_per_doctor)
    .bind(DateTime::parse_from_rfc3339("2024-01-01T00:00:00Z").unwrap().timestamp())
    .execute(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
    pool.close().await;
}

/// Runs the day view's SQL for each day in one `sqlite3` shell session and returns the CPU time
/// (user + sys) the shell reports for each statement.
fn sqlite3_shell(db: &std::path::Path, days: &[NaiveDate], tz: chrono_tz::Tz) -> Vec<Duration> {
    // The same warm-up passes as ours, then the measured passes.
    let script = day_script(".timer on\n.output /dev/null\n", DAY_QUERY, days, tz, WARM_PASSES + PASSES);
    let text = run_shell(Command::new("sqlite3").arg("-readonly").arg(db), &script);
    let times = common::sqlite3_timer_lines(&text);
    assert_eq!(times.len(), days.len() * (WARM_PASSES + PASSES), "sqlite3 timer lines: {text}");
    times[days.len() * WARM_PASSES..].to_vec()
}
