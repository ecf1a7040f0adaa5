//! The store conformance suite's two engines: each test written once runs on a real SQLite file
//! and on a real PostgreSQL server (a database of its own on the server that `scripts/postgres`
//! starts, named by `$FRONTDESK_TEST_POSTGRES`).
//!
//! Without that variable the PostgreSQL half says it did not run, unless
//! `$FRONTDESK_REQUIRE_POSTGRES` is set (as the test command sets it): then it fails.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)] // each test binary uses a part

pub mod cable;

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use frontdesk_core::clock::Clock;
use frontdesk_core::store::{AtRest, Engine, MemoryKeys, ServerAddress};
use frontdesk_core::Store;
use sqlx::{PgPool, SqlitePool};

/// Runs each named `async fn name(engine: Engine)` once per engine, as `name::sqlite` and
/// `name::postgres`.
#[macro_export]
macro_rules! on_both_engines {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name(frontdesk_core::store::Engine::Sqlite).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if $crate::engines::postgres_here() {
                    super::$name(frontdesk_core::store::Engine::Postgres).await;
                }
            }
        }
    )*};
}

/// Whether the PostgreSQL half can run; fails when it must and cannot.
pub fn postgres_here() -> bool {
    if std::env::var_os("FRONTDESK_TEST_POSTGRES").is_some() {
        return true;
    }
    assert!(
        std::env::var_os("FRONTDESK_REQUIRE_POSTGRES").is_none(),
        "FRONTDESK_TEST_POSTGRES is not set: run the tests through scripts/postgres"
    );
    eprintln!("PostgreSQL half not run: run the tests through scripts/postgres");
    false
}

/// One test's database, on either engine, with this computer's data folder.
pub struct TestDb {
    pub engine: Engine,
    pub dir: tempfile::TempDir,
    /// The database's own address on the test server (PostgreSQL only).
    pub url: Option<String>,
    /// The keyring of the SQLite file's key (encrypted, as the app and the command line keep it).
    pub keys: Arc<MemoryKeys>,
}

static NEXT: AtomicU32 = AtomicU32::new(0);

impl TestDb {
    /// A new, empty database.
    pub async fn new(engine: Engine) -> TestDb {
        let dir = tempfile::tempdir().unwrap();
        let url = match engine {
            Engine::Sqlite => None,
            Engine::Postgres => Some(new_postgres_database().await),
        };
        TestDb { engine, dir, url, keys: Arc::default() }
    }

    /// A store on the database: a desk. Each call is another desk (its own pool).
    pub async fn open(&self, clock: Arc<dyn Clock>) -> Store {
        self.try_open(clock).await.unwrap()
    }

    /// A store on the same database from another computer (its own data folder); on SQLite,
    /// the same computer again.
    pub async fn open_elsewhere(&self, clock: Arc<dyn Clock>) -> (Store, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let store = match &self.url {
            None => Store::open_with_clock(self.dir.path(), clock, self.at_rest()).await.unwrap(),
            Some(url) => {
                Store::connect(&ServerAddress::parse(url).unwrap(), dir.path(), clock).await.unwrap()
            }
        };
        (store, dir)
    }

    pub async fn try_open(&self, clock: Arc<dyn Clock>) -> frontdesk_core::Result<Store> {
        match &self.url {
            None => Store::open_with_clock(self.dir.path(), clock, self.at_rest()).await,
            Some(url) => Store::connect(&ServerAddress::parse(url)?, self.dir.path(), clock).await,
        }
    }

    /// How the SQLite file is kept: encrypted, with its key in this test's keyring.
    pub fn at_rest(&self) -> AtRest {
        AtRest::Encrypted(self.keys.clone())
    }

    /// Runs SQL written by hand, past the store (as another program could).
    pub async fn exec(&self, sql: &str) -> Result<u64, sqlx::Error> {
        Ok(match self.raw().await {
            Raw::Sqlite(pool) => sqlx::query(sql).execute(&pool).await?.rows_affected(),
            Raw::Postgres(pool) => sqlx::query(sql).execute(&pool).await?.rows_affected(),
        })
    }

    /// The number a `SELECT COUNT(*)` (or any one BIGINT) query answers.
    pub async fn count(&self, sql: &str) -> i64 {
        match self.raw().await {
            Raw::Sqlite(pool) => sqlx::query_scalar(sql).fetch_one(&pool).await.unwrap(),
            Raw::Postgres(pool) => sqlx::query_scalar(sql).fetch_one(&pool).await.unwrap(),
        }
    }

    /// The text a one-row, one-column query answers.
    pub async fn text(&self, sql: &str) -> String {
        match self.raw().await {
            Raw::Sqlite(pool) => sqlx::query_scalar(sql).fetch_one(&pool).await.unwrap(),
            Raw::Postgres(pool) => sqlx::query_scalar(sql).fetch_one(&pool).await.unwrap(),
        }
    }

    async fn raw(&self) -> Raw {
        match &self.url {
            None => {
                let options =
                    frontdesk_core::store::file_options(self.dir.path(), &self.at_rest()).await.unwrap();
                Raw::Sqlite(SqlitePool::connect_with(options).await.unwrap())
            }
            Some(url) => Raw::Postgres(PgPool::connect(url).await.unwrap()),
        }
    }
}

enum Raw {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Creates a database of its own on the test server, and gives its address.
async fn new_postgres_database() -> String {
    let admin = std::env::var("FRONTDESK_TEST_POSTGRES").unwrap();
    let name = format!("t{}_{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed));
    let pool = PgPool::connect(&admin).await.unwrap();
    sqlx::query(&format!("CREATE DATABASE {name}")).execute(&pool).await.unwrap();
    pool.close().await;
    let base = admin.rsplit_once('/').map(|(base, _)| base).unwrap();
    format!("{base}/{name}")
}
