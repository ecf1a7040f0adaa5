//! The seam between the store's rules and its two engines: SQLite (one computer) and PostgreSQL
//! (the clinic's server).
//!
//! The store's methods are written once, in SQL that both engines read the same way (`$1`
//! parameters, `RETURNING`, `ON CONFLICT`, `TRUE`/`FALSE`, `lower(...)`). They run it through
//! [`query`], [`query_as`] and [`query_scalar`], which mirror sqlx's functions of the same names:
//! the arguments are kept as plain values until the statement meets a connection, and are then
//! encoded by that engine's own sqlx driver, and rows are decoded by the driver too (so types
//! stay strict on PostgreSQL). Where the engines' SQL really differs (building the day view's
//! JSON, a list parameter, a backup), [`Engine::pick`] chooses the text.
//!
//! Writes take one lock for the whole clinic for their transaction: SQLite's `BEGIN IMMEDIATE`,
//! and on PostgreSQL a transaction-level advisory lock. Each change therefore sees every change
//! committed before it, on both engines alike, and the rules' checks (a free slot, an allowed
//! status change, the last admin) need no engine-specific locking. PostgreSQL's own constraints
//! (the exclusion of double bookings among them) hold beneath that, against any other writer.

use password_hash::rand_core::{OsRng, RngCore};
use sqlx::postgres::{PgArguments, PgConnection, PgPool, PgRow};
use sqlx::sqlite::{SqliteArguments, SqliteConnection, SqlitePool, SqliteRow};
use sqlx::{Arguments, Decode, FromRow, Postgres, Sqlite, Transaction, Type};

use crate::error::CoreError;

/// Which database engine a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    /// A SQLite file in the data folder: one computer.
    Sqlite,
    /// A PostgreSQL server: every computer of the clinic.
    Postgres,
}

impl Engine {
    /// The engine's text, where the two engines' SQL differs.
    pub(crate) fn pick<'a>(self, sqlite: &'a str, postgres: &'a str) -> &'a str {
        match self {
            Engine::Sqlite => sqlite,
            Engine::Postgres => postgres,
        }
    }
}

/// The key of PostgreSQL's advisory lock that every write transaction holds (`"frontdes"` in ASCII).
const WRITE_LOCK: i64 = 0x6672_6f6e_7464_6573;

/// A pool of connections to either engine.
#[derive(Clone)]
pub(crate) enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

impl Pool {
    pub(crate) fn engine(&self) -> Engine {
        match self {
            Pool::Sqlite(_) => Engine::Sqlite,
            Pool::Postgres(_) => Engine::Postgres,
        }
    }

    /// Starts a write transaction that holds the clinic's write lock from its first statement.
    /// On the clinic's server it also leaves a mark ([`Mark`]) that tells, if the connection is
    /// lost while it commits, whether it did.
    pub(crate) async fn write(&self) -> Result<Tx, sqlx::Error> {
        Ok(match self {
            Pool::Sqlite(pool) => Tx::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await?),
            Pool::Postgres(pool) => {
                let mut tx = pool.begin().await?;
                sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(WRITE_LOCK).execute(&mut *tx).await?;
                let id = i64::from_ne_bytes(OsRng.next_u64().to_ne_bytes());
                // Marks older than a day are of no use to anyone: each write clears them away.
                sqlx::query(
                    "WITH old AS (DELETE FROM write_marks WHERE at < now() - interval '1 day')
                     INSERT INTO write_marks (id, at) VALUES ($1, now())",
                )
                .bind(id)
                .execute(&mut *tx)
                .await?;
                Tx::Postgres(tx, Some(Mark { id, pool: pool.clone() }))
            }
        })
    }

    /// Starts a read transaction: several reads that see one point in time.
    pub(crate) async fn read(&self) -> Result<Tx, sqlx::Error> {
        Ok(match self {
            Pool::Sqlite(pool) => Tx::Sqlite(pool.begin().await?),
            Pool::Postgres(pool) => {
                Tx::Postgres(pool.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ").await?, None)
            }
        })
    }

    pub(crate) async fn close(&self) {
        match self {
            Pool::Sqlite(pool) => pool.close().await,
            Pool::Postgres(pool) => pool.close().await,
        }
    }
}

/// A transaction on either engine; rolled back when dropped without [`Tx::commit`].
pub(crate) enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    /// On the clinic's server; a write carries its [`Mark`].
    Postgres(Transaction<'static, Postgres>, Option<Mark>),
}

/// A row a write on the clinic's server adds in its own transaction (`write_marks`): if the
/// connection is lost while the write commits, the desk cannot know from the connection whether
/// the server committed it, and looks for the mark on another connection instead.
pub(crate) struct Mark {
    id: i64,
    pool: PgPool,
}

impl Mark {
    /// Whether the write with this mark was committed, asked again for a few seconds while the
    /// server does not answer.
    async fn settle(&self) -> crate::error::Result<()> {
        for _ in 0..5 {
            match sqlx::query_scalar::<_, i64>("SELECT id FROM write_marks WHERE id = $1")
                .bind(self.id)
                .fetch_optional(&self.pool)
                .await
            {
                Ok(Some(_)) => return Ok(()),
                Ok(None) => return Err(CoreError::NotSaved),
                Err(_) => tokio::time::sleep(std::time::Duration::from_secs(1)).await,
            }
        }
        Err(CoreError::MaybeSaved)
    }
}

/// Whether an error means the connection itself was lost (not a refusal by the server).
fn connection_lost(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::Io(_) | sqlx::Error::Tls(_) | sqlx::Error::Protocol(_) | sqlx::Error::PoolClosed => true,
        // The server ended the session (57P01..57P03), or the connection failed (class 08).
        sqlx::Error::Database(db) => db.code().is_some_and(|c| c.starts_with("57P") || c.starts_with("08")),
        _ => false,
    }
}

impl Tx {
    /// Commits. On the clinic's server, a connection lost on the way is answered by the write's
    /// mark: saved (`Ok`), [`CoreError::NotSaved`], or [`CoreError::MaybeSaved`] while the
    /// server does not answer.
    pub(crate) async fn commit(self) -> crate::error::Result<()> {
        match self {
            Tx::Sqlite(tx) => Ok(tx.commit().await?),
            Tx::Postgres(tx, None) => Ok(tx.commit().await?),
            Tx::Postgres(mut tx, Some(mark)) => {
                let lose = lose_at();
                if lose.as_deref() == Some("commit") {
                    lose_connection(&mut tx, &mark.pool).await;
                }
                match tx.commit().await {
                    Ok(()) if lose.as_deref() == Some("commit-answer") => mark.settle().await,
                    Ok(()) => Ok(()),
                    Err(e) if connection_lost(&e) => {
                        tracing::warn!(error = %e, "the connection to the clinic's server was lost while a change was saved");
                        mark.settle().await
                    }
                    Err(e) => Err(e.into()),
                }
            }
        }
    }
}

/// Test hook, as [`super::crash_point`]: in debug builds `FRONTDESK_LOSE_AT=commit` ends a
/// write's connection just before it commits, and `commit-answer` acts as if the server's answer
/// to the commit was lost. Release builds never lose anything on purpose.
fn lose_at() -> Option<String> {
    if cfg!(debug_assertions) {
        std::env::var("FRONTDESK_LOSE_AT").ok()
    } else {
        None
    }
}

/// Ends `tx`'s session from another connection, as a cut cable would.
async fn lose_connection(tx: &mut Transaction<'static, Postgres>, pool: &PgPool) {
    if let Ok(pid) = sqlx::query_scalar::<_, i32>("SELECT pg_backend_pid()").fetch_one(&mut **tx).await {
        let _ = sqlx::query("SELECT pg_terminate_backend($1)").bind(pid).execute(pool).await;
    }
}

/// Where a statement runs: the pool (one statement, any connection) or an open transaction.
pub(crate) enum Target<'e> {
    SqlitePool(&'e SqlitePool),
    PostgresPool(&'e PgPool),
    Sqlite(&'e mut SqliteConnection),
    Postgres(&'e mut PgConnection),
}

/// What a statement can run on: `&pool` or `&mut tx`.
pub(crate) trait Exec<'e> {
    fn target(self) -> Target<'e>;
}

impl<'e> Exec<'e> for &'e Pool {
    fn target(self) -> Target<'e> {
        match self {
            Pool::Sqlite(pool) => Target::SqlitePool(pool),
            Pool::Postgres(pool) => Target::PostgresPool(pool),
        }
    }
}

impl<'e> Exec<'e> for &'e mut Tx {
    fn target(self) -> Target<'e> {
        match self {
            Tx::Sqlite(tx) => Target::Sqlite(tx),
            Tx::Postgres(tx, _) => Target::Postgres(tx),
        }
    }
}

/// One argument of a statement, as a plain value.
#[derive(Debug, Clone)]
pub(crate) enum Arg {
    Int(Option<i64>),
    Real(Option<f64>),
    Bool(Option<bool>),
    Text(Option<String>),
}

/// A value that can be a statement's argument.
pub(crate) trait Bind {
    fn arg(self) -> Arg;
}

macro_rules! bind_as {
    ($variant:ident: $($t:ty => $conv:expr),* $(,)?) => {$(
        impl Bind for $t {
            fn arg(self) -> Arg {
                #[allow(clippy::redundant_closure_call)]
                Arg::$variant(Some(($conv)(self)))
            }
        }
        impl Bind for Option<$t> {
            fn arg(self) -> Arg {
                #[allow(clippy::redundant_closure_call)]
                Arg::$variant(self.map($conv))
            }
        }
    )*};
}

bind_as!(Int: i64 => |v| v, i32 => i64::from, u32 => i64::from);
bind_as!(Real: f64 => |v| v);
bind_as!(Bool: bool => |v| v);
bind_as!(Text: String => |v| v, &str => str::to_owned);

impl<T: Bind + Clone> Bind for &T {
    fn arg(self) -> Arg {
        self.clone().arg()
    }
}

impl Bind for Arg {
    fn arg(self) -> Arg {
        self
    }
}

/// The arguments as `DB`'s driver encodes them.
fn encode<'q, DB: sqlx::Database>(
    args: Vec<Arg>,
) -> Result<<DB as sqlx::Database>::Arguments<'q>, sqlx::Error>
where
    Option<i64>: sqlx::Encode<'q, DB> + Type<DB>,
    Option<f64>: sqlx::Encode<'q, DB> + Type<DB>,
    Option<bool>: sqlx::Encode<'q, DB> + Type<DB>,
    Option<String>: sqlx::Encode<'q, DB> + Type<DB>,
{
    let mut out = <DB as sqlx::Database>::Arguments::<'q>::default();
    for arg in args {
        match arg {
            Arg::Int(v) => out.add(v),
            Arg::Real(v) => out.add(v),
            Arg::Bool(v) => out.add(v),
            Arg::Text(v) => out.add(v),
        }
        .map_err(sqlx::Error::Encode)?;
    }
    Ok(out)
}

fn sqlite_args(args: Vec<Arg>) -> Result<SqliteArguments<'static>, sqlx::Error> {
    encode::<Sqlite>(args)
}

fn postgres_args(args: Vec<Arg>) -> Result<PgArguments, sqlx::Error> {
    encode::<Postgres>(args)
}

/// A row type both engines' drivers can decode (`#[derive(FromRow)]` structs and tuples).
pub(crate) trait Record:
    for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin
{
}
impl<T> Record for T where T: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin {}

/// A single column's type that both engines' drivers can decode.
pub(crate) trait Value:
    for<'r> Decode<'r, Sqlite> + Type<Sqlite> + for<'r> Decode<'r, Postgres> + Type<Postgres> + Send + Unpin
{
}
impl<T> Value for T where
    T: for<'r> Decode<'r, Sqlite>
        + Type<Sqlite>
        + for<'r> Decode<'r, Postgres>
        + Type<Postgres>
        + Send
        + Unpin
{
}

/// A statement and its arguments, not yet sent.
pub(crate) struct Statement<'q, O> {
    sql: &'q str,
    args: Vec<Arg>,
    rows: std::marker::PhantomData<fn() -> O>,
}

/// A statement whose rows are not read (or read as `O` by [`query_as`] and [`query_scalar`]).
pub(crate) fn query(sql: &str) -> Statement<'_, ()> {
    Statement { sql, args: Vec::new(), rows: std::marker::PhantomData }
}

/// A statement whose rows are read as `O` (a `FromRow` struct or a tuple).
pub(crate) fn query_as<O: Record>(sql: &str) -> Statement<'_, Rows<O>> {
    Statement { sql, args: Vec::new(), rows: std::marker::PhantomData }
}

/// A statement whose rows' first column is read as `O`.
pub(crate) fn query_scalar<O: Value>(sql: &str) -> Statement<'_, Scalars<O>> {
    Statement { sql, args: Vec::new(), rows: std::marker::PhantomData }
}

/// Marks a statement read by [`query_as`].
pub(crate) struct Rows<O>(O);
/// Marks a statement read by [`query_scalar`].
pub(crate) struct Scalars<O>(O);

impl<'q, O> Statement<'q, O> {
    pub(crate) fn bind(mut self, value: impl Bind) -> Self {
        self.args.push(value.arg());
        self
    }

    /// Runs the statement; the number of rows it changed.
    pub(crate) async fn execute<'e>(self, on: impl Exec<'e>) -> Result<u64, sqlx::Error> {
        let sql = self.sql;
        Ok(match on.target() {
            Target::SqlitePool(p) => {
                sqlx::query_with(sql, sqlite_args(self.args)?).execute(p).await?.rows_affected()
            }
            Target::Sqlite(c) => {
                sqlx::query_with(sql, sqlite_args(self.args)?).execute(c).await?.rows_affected()
            }
            Target::PostgresPool(p) => {
                sqlx::query_with(sql, postgres_args(self.args)?).execute(p).await?.rows_affected()
            }
            Target::Postgres(c) => {
                sqlx::query_with(sql, postgres_args(self.args)?).execute(c).await?.rows_affected()
            }
        })
    }
}

/// The three ways of reading rows, for one kind of statement.
macro_rules! fetching {
    ($marker:ident, $bound:ident, $with:ident) => {
        impl<'q, O: $bound> Statement<'q, $marker<O>> {
            pub(crate) async fn fetch_one<'e>(self, on: impl Exec<'e>) -> Result<O, sqlx::Error> {
                fetching!(@run self, on, $with, fetch_one)
            }

            pub(crate) async fn fetch_optional<'e>(self, on: impl Exec<'e>) -> Result<Option<O>, sqlx::Error> {
                fetching!(@run self, on, $with, fetch_optional)
            }

            pub(crate) async fn fetch_all<'e>(self, on: impl Exec<'e>) -> Result<Vec<O>, sqlx::Error> {
                fetching!(@run self, on, $with, fetch_all)
            }
        }
    };
    (@run $self:ident, $on:ident, $with:ident, $fetch:ident) => {{
        let sql = $self.sql;
        match $on.target() {
            Target::SqlitePool(p) => sqlx::$with(sql, sqlite_args($self.args)?).$fetch(p).await,
            Target::Sqlite(c) => sqlx::$with(sql, sqlite_args($self.args)?).$fetch(c).await,
            Target::PostgresPool(p) => sqlx::$with(sql, postgres_args($self.args)?).$fetch(p).await,
            Target::Postgres(c) => sqlx::$with(sql, postgres_args($self.args)?).$fetch(c).await,
        }
    }};
}

fetching!(Rows, Record, query_as_with);
fetching!(Scalars, Value, query_scalar_with);
