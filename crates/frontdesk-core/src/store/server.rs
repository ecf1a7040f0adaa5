//! The clinic's server: where a PostgreSQL database is, how a desk connects to it, and the
//! reasons it cannot, said the way the person setting up a desk can act on them.

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions, PgSslMode};
use sqlx::ConnectOptions;

use crate::error::{CoreError, Result};

pub(super) static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// The oldest PostgreSQL the clinic's server may run (15: `EXCLUDE` with `btree_gist`,
/// nondeterministic ICU collations, `GENERATED ... AS IDENTITY`, all long stable there).
const OLDEST_SERVER: i64 = 150_000;

/// How long a desk waits for the server before saying it cannot be reached.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// How long a write waits for another desk's transaction before giving up with [`CoreError::Busy`].
const LOCK_TIMEOUT: &str = "10s";

/// Where the clinic's database is: a `postgres://user@host:port/database` address, with
/// `sslmode` and `sslrootcert` (the clinic's CA certificate) when the server uses TLS. The
/// password comes from the address or is given separately (a desk keeps it in its OS keyring);
/// [`ServerAddress`] shows and logs neither.
#[derive(Clone)]
pub struct ServerAddress {
    options: PgConnectOptions,
    shown: String,
}

impl std::fmt::Debug for ServerAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.shown)
    }
}

impl std::fmt::Display for ServerAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.shown)
    }
}

impl ServerAddress {
    /// Reads a `postgres://` (or `postgresql://`) address.
    ///
    /// # Errors
    /// [`CoreError::Invalid`] naming what is wrong with it (never repeating a password).
    pub fn parse(url: &str) -> Result<ServerAddress> {
        let url = url.trim();
        if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
            return Err(CoreError::invalid(
                "the clinic's database address must start with postgres:// (for example postgres://frontdesk@clinic-server/frontdesk)",
            ));
        }
        let options = PgConnectOptions::from_str(url).map_err(|_| {
            CoreError::invalid(
                "the clinic's database address is not a valid postgres:// address (postgres://USER@HOST:PORT/DATABASE)",
            )
        })?;
        let database = options.get_database().unwrap_or("postgres");
        let shown = format!("{}:{}/{database}", options.get_host(), options.get_port());
        Ok(ServerAddress { options, shown })
    }

    /// The address of `database` on `host:port`, as `user` (what a desk's "Join my clinic's
    /// server" form asks for).
    ///
    /// # Errors
    /// [`CoreError::InvalidField`] naming the empty or malformed part.
    pub fn from_parts(host: &str, port: u16, database: &str, user: &str) -> Result<ServerAddress> {
        use crate::error::Field;
        let part = |field: Field, value: &str| -> Result<String> {
            let value = value.trim();
            if value.is_empty()
                || value.len() > 253
                || value.chars().any(|c| c.is_whitespace() || c.is_control())
            {
                return Err(CoreError::InvalidField {
                    field,
                    message: "give it without spaces, as the clinic's IT wrote it down".into(),
                });
            }
            Ok(value.to_owned())
        };
        let host = part(Field::new("host", "server address"), host)?;
        let database = part(Field::new("database", "database"), database)?;
        let user = part(Field::new("user", "user"), user)?;
        if port == 0 {
            return Err(CoreError::InvalidField {
                field: Field::new("port", "port"),
                message: "give the server's port (usually 5432)".into(),
            });
        }
        let options =
            PgConnectOptions::new_without_pgpass().host(&host).port(port).database(&database).username(&user);
        Ok(ServerAddress { options, shown: format!("{host}:{port}/{database}") })
    }

    /// The same address with this password (kept out of every message).
    #[must_use]
    pub fn with_password(mut self, password: &str) -> ServerAddress {
        self.options = self.options.password(password);
        self
    }

    /// The address with the clinic's CA certificate: the server's certificate must be signed
    /// by it and name the server's host.
    #[must_use]
    pub fn with_ca_certificate(mut self, pem_file: &std::path::Path) -> ServerAddress {
        self.options = self.options.ssl_mode(PgSslMode::VerifyFull).ssl_root_cert(pem_file);
        self
    }

    /// The user the desk connects as.
    pub fn user(&self) -> &str {
        self.options.get_username()
    }
}

/// The connection options every desk uses on the server.
fn options(server: &ServerAddress) -> PgConnectOptions {
    server
        .options
        .clone()
        .application_name("frontdesk")
        .options([("lock_timeout", LOCK_TIMEOUT)])
        .disable_statement_logging()
}

fn pool_options() -> PgPoolOptions {
    PgPoolOptions::new().max_connections(4).min_connections(1).acquire_timeout(CONNECT_TIMEOUT)
}

/// Opens a pool on the clinic's server, checks the server and the database's schema, and
/// brings the schema up to date.
pub(super) async fn connect(server: &ServerAddress) -> Result<PgPool> {
    let options = options(server);
    // One connection first, on its own: a pool retries a refused connection until its timeout,
    // and the desk must hear the server's own reason (refused, wrong password, no database).
    let first = tokio::time::timeout(CONNECT_TIMEOUT, options.connect())
        .await
        .map_err(|_| CoreError::ServerAway {
            server: server.to_string(),
            problem: "no answer within 5 seconds".into(),
        })?
        .map_err(|e| refused(server, &e))?;
    let _ = sqlx::Connection::close(first).await;
    let pool = pool_options().connect_with(options).await.map_err(|e| refused(server, &e))?;
    prepare(&pool).await.map_err(|e| match e {
        Refusal::Sql(e) => refused(server, &e),
        Refusal::TooOld(problem) => CoreError::ServerRefused { server: server.to_string(), problem },
        Refusal::Newer { found, known } => CoreError::NewerDatabase { found, known },
        Refusal::Migration(other) => CoreError::ServerRefused {
            server: server.to_string(),
            problem: format!("holds a database that could not be brought up to date ({other})"),
        },
    })?;
    Ok(pool)
}

/// A pool on the server that connects only when first used: a desk that starts while the
/// server is away reads its copy, and checks the server ([`prepare`]) once it answers.
pub(super) fn lazy_pool(server: &ServerAddress) -> PgPool {
    pool_options().connect_lazy_with(options(server))
}

/// Why a server's database cannot be used as it is.
pub(super) enum Refusal {
    Sql(sqlx::Error),
    TooOld(String),
    Newer { found: i64, known: i64 },
    Migration(sqlx::migrate::MigrateError),
}

impl From<sqlx::Error> for Refusal {
    fn from(e: sqlx::Error) -> Refusal {
        Refusal::Sql(e)
    }
}

/// Checks the server's version and the database's schema, and brings the schema up to date.
pub(super) async fn prepare(pool: &PgPool) -> std::result::Result<(), Refusal> {
    let version: String = sqlx::query_scalar("SHOW server_version_num").fetch_one(pool).await?;
    if let Some(problem) = too_old(&version) {
        return Err(Refusal::TooOld(problem));
    }
    let known = MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0);
    let found: Option<i64> = sqlx::query_scalar("SELECT max(version) FROM _sqlx_migrations WHERE success")
        .fetch_one(pool)
        .await
        .or_else(|e| match &e {
            // No migrations table yet: a new, empty database.
            sqlx::Error::Database(db) if db.code().as_deref() == Some("42P01") => Ok(None),
            _ => Err(e),
        })?;
    if let Some(found) = found.filter(|v| *v > known) {
        return Err(Refusal::Newer { found, known });
    }
    MIGRATOR.run(pool).await.map_err(|e| match e {
        sqlx::migrate::MigrateError::Execute(inner) => Refusal::Sql(inner),
        other => Refusal::Migration(other),
    })
}

/// Why the server could not be used, in words a person setting up a desk acts on.
fn refused(server: &ServerAddress, err: &sqlx::Error) -> CoreError {
    let problem = |text: String| CoreError::ServerRefused { server: server.to_string(), problem: text };
    match err {
        sqlx::Error::Database(db) => match db.code().as_deref() {
            Some("28P01") | Some("28000") => problem(format!(
                "refused the password for the user {}; check the password (an admin sets it in Settings)",
                server.user()
            )),
            Some("3D000") => {
                problem("has no such database; check the database name, or create it first (see the README)".into())
            }
            Some("42501") => problem(format!(
                "does not let the user {} create Frontdesk's tables; grant it the database (see the README)",
                server.user()
            )),
            _ => CoreError::from(sqlx::Error::Protocol(db.message().to_owned())),
        },
        sqlx::Error::Tls(e) => problem(format!(
            "could not be reached securely (TLS: {e}); check the clinic's CA certificate and the server's name"
        )),
        // A certificate the clinic's CA did not sign, or for another name, comes back from the
        // TLS layer as data the connection refused to accept.
        sqlx::Error::Io(e) if e.kind() == std::io::ErrorKind::InvalidData => problem(format!(
            "could not be reached securely (TLS: {e}); check the clinic's CA certificate and the server's name"
        )),
        sqlx::Error::Io(e) => CoreError::ServerAway { server: server.to_string(), problem: e.to_string() },
        sqlx::Error::PoolTimedOut => {
            CoreError::ServerAway { server: server.to_string(), problem: "no answer within 5 seconds".into() }
        }
        other => CoreError::ServerAway { server: server.to_string(), problem: other.to_string() },
    }
}

/// Why a server of `server_version_num` cannot be used, if it cannot.
fn too_old(server_version_num: &str) -> Option<String> {
    let version = server_version_num.trim().parse::<i64>().ok()?;
    (version < OLDEST_SERVER)
        .then(|| format!("runs PostgreSQL {}, and Frontdesk needs PostgreSQL 15 or later", version / 10_000))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_server_older_than_postgresql_15_is_refused_by_name() {
        assert_eq!(
            too_old("140011").as_deref(),
            Some("runs PostgreSQL 14, and Frontdesk needs PostgreSQL 15 or later")
        );
        assert_eq!(
            too_old("90624").as_deref(),
            Some("runs PostgreSQL 9, and Frontdesk needs PostgreSQL 15 or later")
        );
        assert_eq!(too_old("150018"), None);
        assert_eq!(too_old("170002"), None);
        assert_eq!(too_old("not a number"), None, "an odd answer is left to the checks that follow");
    }
}
