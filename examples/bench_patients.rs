//! Adds patients to a clinic's data folder for the window benchmarks (`tests/bench/clinic.py`):
//! `bench_patients DATA_DIR COUNT` writes COUNT patients in one transaction, past the store, in
//! the encrypted file with its key from the OS keyring (as the command line keeps it). Their names
//! are the core's Find benchmark's ("Tom Nguyen 17"), so a typed name matches as many.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark's tool stops at the first failure

use std::sync::Arc;

const FIRST: [&str; 20] = [
    "Tom", "Ana", "Priya", "Sam", "Maria", "Olu", "Jane", "Wei", "Fatima", "Liam", "Noah", "Emma", "Aiko",
    "Carlos", "Ines", "Omar", "Sofia", "Ivan", "Grace", "Kofi",
];
const LAST: [&str; 25] = [
    "Nguyen", "Silva", "Patel", "Roe", "Garcia", "Ade", "Doe", "Chen", "Khan", "Smith", "Martin", "Tremblay",
    "Roy", "Gagnon", "Lee", "Wong", "Brown", "Singh", "Kim", "Lopez", "Okafor", "Haddad", "Novak", "Costa",
    "Murphy",
];

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (dir, count) = (std::path::PathBuf::from(&args[1]), args[2].parse::<i64>().expect("COUNT"));
    let at_rest = frontdesk_settings::database_at_rest(Arc::new(frontdesk_settings::OsKeyring));
    let options = frontdesk_core::store::file_options(&dir, &at_rest).await.expect("the database's key");
    let pool = sqlx::SqlitePool::connect_with(options).await.expect("the database");
    let mut tx = pool.begin().await.unwrap();
    for i in 0..count {
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
    tx.commit().await.unwrap();
    sqlx::query("ANALYZE").execute(&pool).await.unwrap();
    pool.close().await;
}
