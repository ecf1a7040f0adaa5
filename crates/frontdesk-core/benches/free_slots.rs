//! The next-free-slot search over a month, for 40 doctors (issue 18; target: under 20 ms).
//!
//! A clinic of 40 doctors, each with a week of two blocks a day (Saturday mornings for half of
//! them), clinic hours, a holiday and days off, and three months of visits filling nine in ten
//! of their half-hour slots. Prints `BENCH <name> <value> <unit> ref=<value> ratio=<value>`:
//!
//! - `free_slots_month_p50` / `_p99`: `Store::free_slots` for a 30-minute visit with any doctor,
//!   31 days, 5 answers (its reads of the hours and the visits, and the arithmetic);
//! - `free_slots_month_none_p50` / `_p99`: the same for a 4-hour visit that fits nowhere, so
//!   every day of every doctor is searched to the end;
//! - `encrypted_free_slots_month_p50`: the first on the same clinic encrypted at rest (as the app
//!   keeps it), against the clear file's figure of this run.
//!
//! The reference is the plain SQL read of the month's active visits (what the search must read
//! at least) run by the `sqlite3` shell on the same clear file, timed by its `.timer` (user +
//! sys CPU time). Run with `scripts/bench`.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark panics on failure

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use common::{percentile, report};
use frontdesk_core::hours::{self, Day, ExceptionKind, WeekHours};
use frontdesk_core::paths::DATABASE_FILE;
use frontdesk_core::store::{AtRest, FreeSlotQuery, MemoryKeys, NewException};
use frontdesk_core::{Actor, FixedClock, Mode, StaffId, Store, TypeId};

const DOCTORS: i64 = 40;
const SAMPLES: usize = 200;
const WARM: usize = 20;

fn main() {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(run());
}

fn clock() -> Arc<FixedClock> {
    Arc::new(FixedClock(DateTime::parse_from_rfc3339("2027-05-01T12:00:00Z").unwrap().with_timezone(&Utc)))
}

async fn run() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_with_clock(dir.path(), clock(), AtRest::Clear).await.unwrap();
    let seeded = Instant::now();
    let visits = seed(&store).await;
    eprintln!("seeded 40 doctors' hours and {visits} visits in {:.1} s", seeded.elapsed().as_secs_f64());
    let month = NaiveDate::from_ymd_opt(2027, 6, 1).unwrap();
    let query = |type_id: i64| FreeSlotQuery {
        type_id: TypeId(type_id),
        doctor_id: None,
        from: Some(month),
        days: Some(31),
        count: Some(5),
        part: None,
    };
    let found = store.free_slots(&query(1)).await.unwrap();
    assert_eq!(found.len(), 5, "the month has free half hours");
    assert!(store.free_slots(&query(2)).await.unwrap().is_empty(), "no four free hours in a row");

    let first = measure(&store, &query(1)).await;
    let none = measure(&store, &query(2)).await;
    store.close().await;
    let reference = sqlite3_month(&dir.path().join(DATABASE_FILE), month);

    // The same clinic encrypted at rest, converted from a copy of the clear file.
    let encrypted_dir = tempfile::tempdir().unwrap();
    std::fs::copy(dir.path().join(DATABASE_FILE), encrypted_dir.path().join(DATABASE_FILE)).unwrap();
    let keys = AtRest::Encrypted(Arc::new(MemoryKeys::default()));
    let encrypted = Store::open_with_clock(encrypted_dir.path(), clock(), keys).await.unwrap();
    let encrypted_first = measure(&encrypted, &query(1)).await;

    let reference_p50 = percentile(&reference, 50.0);
    report("free_slots_month_p50", percentile(&first, 50.0), Some(reference_p50));
    report("free_slots_month_p99", percentile(&first, 99.0), Some(percentile(&reference, 99.0)));
    report("free_slots_month_none_p50", percentile(&none, 50.0), Some(reference_p50));
    report("free_slots_month_none_p99", percentile(&none, 99.0), Some(percentile(&reference, 99.0)));
    report(
        "encrypted_free_slots_month_p50",
        percentile(&encrypted_first, 50.0),
        Some(percentile(&first, 50.0)),
    );
    println!("BENCH_TARGETS free_slots_month_p99<=20ms free_slots_month_none_p99<=20ms");
}

/// The search, warmed then measured, wall clock.
async fn measure(store: &Store, query: &FreeSlotQuery) -> Vec<Duration> {
    for _ in 0..WARM {
        std::hint::black_box(store.free_slots(query).await.unwrap());
    }
    let mut times = Vec::with_capacity(SAMPLES);
    for _ in 0..SAMPLES {
        let t = Instant::now();
        std::hint::black_box(store.free_slots(query).await.unwrap());
        times.push(t.elapsed());
    }
    times
}

/// The clinic: hours through the store's use cases (as an admin enters them), visits in SQL.
/// The number of visits.
async fn seed(store: &Store) -> usize {
    common::seed_clinic(store, DOCTORS).await;
    let it = Actor::Tool { tool: "bench", user: "bench".into() };
    store.add_type(&it, "Long procedure", 240, Mode::InPerson).await.unwrap();
    let day = |text: &str| hours::parse_day("any", text).unwrap();
    let clinic = WeekHours::new(
        [Day::Mon, Day::Tue, Day::Wed, Day::Thu, Day::Fri, Day::Sat].map(|d| (d, day("08:00-18:00"))),
    )
    .unwrap();
    store.set_clinic_hours(&it, &clinic).await.unwrap();
    let weekdays = [Day::Mon, Day::Tue, Day::Wed, Day::Thu, Day::Fri];
    for i in 0..DOCTORS {
        let mut days: Vec<(Day, Vec<hours::Block>)> =
            weekdays.iter().map(|d| (*d, day("09:00-12:00,13:00-17:00"))).collect();
        if i % 2 == 0 {
            days.push((Day::Sat, day("09:00-12:00")));
        }
        let from = NaiveDate::from_ymd_opt(2027, 1, 1).unwrap();
        store.set_doctor_hours(&it, StaffId(2 + i), from, &WeekHours::new(days).unwrap()).await.unwrap();
        if i % 5 == 0 {
            let off = NewException {
                doctor_id: Some(StaffId(2 + i)),
                kind: ExceptionKind::Off,
                first_day: NaiveDate::from_ymd_opt(2027, 6, 14).unwrap(),
                last_day: NaiveDate::from_ymd_opt(2027, 6, 18),
                block: None,
                label: Some("Vacation".into()),
            };
            store.add_hours_exception(&it, &off).await.unwrap();
        }
    }
    let holiday = NewException {
        doctor_id: None,
        kind: ExceptionKind::Off,
        first_day: NaiveDate::from_ymd_opt(2027, 7, 1).unwrap(),
        last_day: None,
        block: None,
        label: Some("Canada Day".into()),
    };
    store.add_hours_exception(&it, &holiday).await.unwrap();

    // Visits from May to July, nine in ten of each doctor's half hours on weekdays (EDT all along).
    let file = store.data_dir().join(DATABASE_FILE);
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", file.display())).await.unwrap();
    let mut tx = pool.begin().await.unwrap();
    sqlx::query("INSERT INTO patients (full_name, created_at) VALUES ('Patient', 0)")
        .execute(&mut *tx)
        .await
        .unwrap();
    let mut visits = 0;
    for date in NaiveDate::from_ymd_opt(2027, 5, 1).unwrap().iter_days().take(92) {
        if date.weekday().number_from_monday() > 5 {
            continue;
        }
        let midnight = date.and_hms_opt(4, 0, 0).unwrap().and_utc().timestamp(); // 00:00 EDT
        for doctor in 0..DOCTORS {
            for slot in (18..24).chain(26..34) {
                let salt = (date.ordinal() as i64 * 131 + doctor * 17 + slot * 7) % 10;
                if salt == 0 {
                    continue;
                }
                let start = midnight + slot * 1800;
                sqlx::query(
                    "INSERT INTO appointments (patient_id, doctor_id, type_id, start_at, end_at, tz, status, created_at, updated_at)
                     VALUES (1, ?1, 1, ?2, ?3, 'America/Toronto', 'booked', 0, 0)",
                )
                .bind(2 + doctor)
                .bind(start)
                .bind(start + 1800)
                .execute(&mut *tx)
                .await
                .unwrap();
                visits += 1;
            }
        }
    }
    tx.commit().await.unwrap();
    pool.close().await;
    visits
}

/// The month's active visits read by the `sqlite3` shell, each read's CPU time (user + sys).
fn sqlite3_month(db: &std::path::Path, month: NaiveDate) -> Vec<Duration> {
    let tz = frontdesk_core::time::parse_zone("America/Toronto").unwrap();
    let from = frontdesk_core::time::day_bounds(month, tz).0.timestamp();
    let to = frontdesk_core::time::day_bounds(month + chrono::Days::new(30), tz).1.timestamp();
    let sql = format!(
        "SELECT doctor_id, start_at, end_at FROM appointments WHERE start_at >= {from} - 43200 AND start_at < {to} \
         AND end_at > {from} AND status IN ('booked', 'checked-in', 'in-progress', 'completed');\n"
    );
    common::sqlite3_times(db, &sql, WARM, SAMPLES)
}
