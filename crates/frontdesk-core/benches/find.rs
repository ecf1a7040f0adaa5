//! Find as the desk types (issue 17: the list after each typed letter within a tenth of a second),
//! on a clinic of 100,000 patients and 500,000 visits.
//!
//! Prints `BENCH <name> <value> <unit> ref=<value> ratio=<value>`:
//! - `find_letter_<n>_p50` / `_p95`: `Store::find` for the first `n` letters of "nguyen" (each
//!   answer: at most 20 patients, each with their next and last visit);
//! - `find_miss_p50` / `_p95`: a text that matches nobody, so that every patient is read.
//!
//! The reference of each is the plain read of the same matching names, sorted and limited as
//! Find's (`lower(full_name) LIKE '%text%' ORDER BY full_name COLLATE NOCASE LIMIT 21`), run by
//! the `sqlite3` shell on the same file and timed by its `.timer` (user + sys CPU time). Run with
//! `scripts/bench`.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark panics on failure

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use common::{percentile, report};
use frontdesk_core::paths::DATABASE_FILE;
use frontdesk_core::store::AtRest;
use frontdesk_core::{Actor, FixedClock, Role, StaffId, Store};

const PATIENTS: i64 = 100_000;
const VISITS: i64 = 500_000;
const DOCTORS: i64 = 40;
const SAMPLES: usize = 100;
const WARM: usize = 10;
const TYPED: &str = "nguyen";
const MISS: &str = "zqxv";

const FIRST: [&str; 20] = [
    "Tom", "Ana", "Priya", "Sam", "Maria", "Olu", "Jane", "Wei", "Fatima", "Liam", "Noah", "Emma", "Aiko",
    "Carlos", "Ines", "Omar", "Sofia", "Ivan", "Grace", "Kofi",
];
const LAST: [&str; 25] = [
    "Nguyen", "Silva", "Patel", "Roe", "Garcia", "Ade", "Doe", "Chen", "Khan", "Smith", "Martin", "Tremblay",
    "Roy", "Gagnon", "Lee", "Wong", "Brown", "Singh", "Kim", "Lopez", "Okafor", "Haddad", "Novak", "Costa",
    "Murphy",
];

fn main() {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(run());
}

async fn run() {
    let clock = Arc::new(FixedClock(
        DateTime::parse_from_rfc3339("2027-05-01T12:00:00Z").unwrap().with_timezone(&Utc),
    ));
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_with_clock(dir.path(), clock, AtRest::Clear).await.unwrap();
    let seeded = Instant::now();
    seed(&store).await;
    eprintln!("seeded {PATIENTS} patients and {VISITS} visits in {:.1} s", seeded.elapsed().as_secs_f64());
    let desk = Actor::Staff { id: StaffId(1), role: Role::Receptionist };
    let db = dir.path().join(DATABASE_FILE);

    let found = store.find(&desk, TYPED).await.unwrap();
    assert_eq!(found.patients.len(), 20, "a common name fills the list");
    assert!(found.patients.iter().all(|p| p.next.is_some() || p.last.is_some()), "with their visits");
    assert!(store.find(&desk, MISS).await.unwrap().patients.is_empty());

    let mut worst: Option<(usize, Duration, Duration)> = None;
    for n in 1..=TYPED.len() {
        let text = &TYPED[..n];
        let times = measure(&store, &desk, text).await;
        let reference = sqlite3_names(&db, text);
        report(&format!("find_letter_{n}_p50"), percentile(&times, 50.0), Some(percentile(&reference, 50.0)));
        report(&format!("find_letter_{n}_p95"), percentile(&times, 95.0), Some(percentile(&reference, 95.0)));
        let p95 = percentile(&times, 95.0);
        if worst.is_none_or(|(_, w, _)| p95 > w) {
            worst = Some((n, p95, percentile(&reference, 95.0)));
        }
    }
    let times = measure(&store, &desk, MISS).await;
    let reference = sqlite3_names(&db, MISS);
    report("find_miss_p50", percentile(&times, 50.0), Some(percentile(&reference, 50.0)));
    report("find_miss_p95", percentile(&times, 95.0), Some(percentile(&reference, 95.0)));
    if let Some((n, p95, r)) = worst {
        report(&format!("find_per_letter_worst_p95 (letter {n})"), p95, Some(r));
    }
    println!("BENCH_TARGETS find_per_letter_worst_p95<=100ms find_miss_p95<=100ms");
    store.close().await;
}

/// Find, warmed then measured, wall clock.
async fn measure(store: &Store, desk: &Actor, text: &str) -> Vec<Duration> {
    for _ in 0..WARM {
        std::hint::black_box(store.find(desk, text).await.unwrap());
    }
    let mut times = Vec::with_capacity(SAMPLES);
    for _ in 0..SAMPLES {
        let t = Instant::now();
        std::hint::black_box(store.find(desk, text).await.unwrap());
        times.push(t.elapsed());
    }
    times
}

/// The clinic: staff and types through the store, patients and visits in SQL (one transaction).
async fn seed(store: &Store) {
    common::seed_clinic(store, DOCTORS).await;
    let file = store.data_dir().join(DATABASE_FILE);
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", file.display())).await.unwrap();
    let mut tx = pool.begin().await.unwrap();
    for i in 0..PATIENTS {
        let (first, last) = (FIRST[(i % 20) as usize], LAST[((i / 20) % 25) as usize]);
        sqlx::query(
            "INSERT INTO patients (full_name, email, phone, date_of_birth, created_at) VALUES (?1, ?2, ?3, ?4, 0)",
        )
        .bind(format!("{first} {last} {i}"))
        .bind(format!("{}.{}{i}@mail.example", first.to_lowercase(), last.to_lowercase()))
        .bind(format!("416 555 {:04}", i % 10_000))
        .bind(format!("{}-{:02}-{:02}", 1940 + i % 70, 1 + i % 12, 1 + i % 28))
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    // Two years of visits around "now" (2027-05-01), half past and half to come.
    let start = DateTime::parse_from_rfc3339("2026-05-01T13:00:00Z").unwrap().timestamp();
    for v in 0..VISITS {
        let at = start + (v * 2 * 365 * 86_400 / VISITS) / 1800 * 1800;
        sqlx::query(
            "INSERT INTO appointments (patient_id, doctor_id, type_id, start_at, end_at, tz, status, created_at, updated_at)
             VALUES (?1, ?2, 1, ?3, ?4, 'America/Toronto', 'booked', 0, 0)",
        )
        .bind(1 + (v * 7919) % PATIENTS)
        .bind(2 + v % DOCTORS)
        .bind(at)
        .bind(at + 1800)
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    sqlx::query("ANALYZE").execute(&pool).await.unwrap();
    pool.close().await;
}

/// The matching names, sorted and limited as Find's, read by the `sqlite3` shell: each read's
/// CPU time (user + sys).
fn sqlite3_names(db: &std::path::Path, text: &str) -> Vec<Duration> {
    let sql = format!(
        "SELECT id, full_name FROM patients WHERE lower(full_name) LIKE '%{text}%' ORDER BY full_name COLLATE NOCASE, id LIMIT 21;\n"
    );
    common::sqlite3_times(db, &sql, WARM, SAMPLES)
}
