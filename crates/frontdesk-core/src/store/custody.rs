//! The clinic service as the keeper of every token and secret, on the clinic's server
//! (`migrations/postgres/0005_custody.sql`): which service keeps them (its public key), and what
//! desks ask of it. The rows carry no secret in clear: what a request needs of one is sealed to
//! the service's key, what comes back secret is sealed to the asking desk's key (see
//! `frontdesk_settings::sealed`), and each row is gone once its answer has been read.
//!
//! A single computer's store keeps its own tokens and has none of this.

use chrono::{DateTime, Utc};
use sqlx::postgres::{PgListener, PgPool};

use super::sql::Pool;
use super::Store;
use crate::error::{CoreError, Result};

/// How often the clinic service says it is still there.
pub const SERVICE_HEARTBEAT: std::time::Duration = std::time::Duration::from_secs(5);
/// How long without a word before desks say the service is away.
pub const SERVICE_AWAY_AFTER_MS: i64 = 30_000;
/// How long a request is kept: an answer nobody read, or a question nobody took, is cleared away
/// (a sign-in's code is worthless by then, and a host link must not linger).
pub const REQUEST_LIFETIME_MS: i64 = 2 * 60_000;
/// The notification channel for requests and answers.
const CHANNEL: &str = "frontdesk_requests";
/// The advisory lock a clinic service holds while it makes its key and registers: two processes
/// starting at once on one computer make one key, not two.
const SERVICE_LOCK: i64 = 0x6672_6f6e_7473_7663;

/// A lock held on the clinic's server until dropped (its connection closes with it).
#[derive(Debug)]
pub struct ServerLock {
    _connection: sqlx::PgConnection,
}

/// The clinic service that keeps the clinic's tokens and secrets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClinicService {
    /// Its public key (base64), which desks seal to.
    pub public_key: String,
    /// The computer it runs on, as it names itself.
    pub host: String,
    pub registered_at: DateTime<Utc>,
    pub seen_at: DateTime<Utc>,
}

/// What a desk asks of the clinic service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceRequest {
    pub id: i64,
    /// What to do (`connect`, `host_link`, ...): the service knows each.
    pub kind: String,
    /// Who asked, as the audit log names them (`staff:3`, `cli:ana`).
    pub asked_by: String,
    /// The plain arguments (JSON), never a secret.
    pub args: String,
    /// Arguments sealed to the service's key.
    pub sealed_args: Option<String>,
    /// The asking desk's public key, for an answer that must be sealed.
    pub reply_key: Option<String>,
}

/// The service's answer to a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServiceAnswer {
    /// Done: the plain answer (JSON), and what is sealed to the desk.
    Done { answer: String, sealed: Option<String> },
    /// Not done: why (JSON: the error's kind and message).
    Refused(String),
}

#[derive(sqlx::FromRow)]
struct ServiceRow {
    public_key: String,
    host: String,
    registered_at: i64,
    seen_at: i64,
}

impl From<ServiceRow> for ClinicService {
    fn from(r: ServiceRow) -> ClinicService {
        let at = |ms| DateTime::from_timestamp_millis(ms).unwrap_or_default();
        ClinicService {
            public_key: r.public_key,
            host: r.host,
            registered_at: at(r.registered_at),
            seen_at: at(r.seen_at),
        }
    }
}

#[derive(sqlx::FromRow)]
struct RequestRow {
    id: i64,
    kind: String,
    asked_by: String,
    args: String,
    sealed_args: Option<String>,
    reply_key: Option<String>,
}

#[derive(sqlx::FromRow)]
struct AnswerRow {
    answer: Option<String>,
    sealed_answer: Option<String>,
    problem: Option<String>,
}

impl Store {
    /// The clinic's server, or a clear refusal on a single computer's file, or while a desk's
    /// server is away (what the clinic service does for a desk needs the server).
    fn clinic_server(&self) -> Result<&PgPool> {
        if let Some(copy) = self.copy.as_ref().filter(|c| c.is_away()) {
            return Err(copy.server_away());
        }
        match &self.pool {
            Pool::Postgres(pool) => Ok(pool),
            Pool::Sqlite(_) => Err(CoreError::invalid(
                "a single computer keeps its own accounts; the clinic service is for a clinic on a server",
            )),
        }
    }

    /// Takes the clinic service's start-up lock, waiting while another process holds it.
    ///
    /// # Errors
    /// Not on a server; [`CoreError::Storage`].
    pub async fn hold_service_lock(&self) -> Result<ServerLock> {
        self.hold_advisory_lock(SERVICE_LOCK).await
    }

    /// Takes the clinic-wide lock named `name` on the server (see `Locks::take_clinic_wide`),
    /// waiting while another process, on any computer, holds it.
    ///
    /// # Errors
    /// Not on a server; [`CoreError::Storage`].
    pub async fn hold_server_lock(&self, name: &str) -> Result<ServerLock> {
        // FNV-1a: a stable 64-bit key for the name, the same in every process and version.
        let key = name
            .bytes()
            .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
        self.hold_advisory_lock(i64::from_ne_bytes(key.to_ne_bytes())).await
    }

    async fn hold_advisory_lock(&self, key: i64) -> Result<ServerLock> {
        let mut connection = self.clinic_server()?.acquire().await?.detach();
        sqlx::query("SELECT pg_advisory_lock($1)").bind(key).execute(&mut connection).await?;
        Ok(ServerLock { _connection: connection })
    }

    /// The service that keeps the clinic's tokens, if one has started.
    ///
    /// # Errors
    /// Not on a server; [`CoreError::Storage`].
    pub async fn clinic_service(&self) -> Result<Option<ClinicService>> {
        let row: Option<ServiceRow> = sqlx::query_as(
            "SELECT public_key, host, registered_at, seen_at FROM clinic_service WHERE id = 1",
        )
        .fetch_optional(self.clinic_server()?)
        .await?;
        Ok(row.map(ClinicService::from))
    }

    /// The clinic service, when it is there to answer now.
    ///
    /// # Errors
    /// [`CoreError::NoClinicService`]; [`CoreError::ServiceAway`] when it has been silent for
    /// longer than [`SERVICE_AWAY_AFTER_MS`].
    pub async fn service_present(&self) -> Result<ClinicService> {
        let service = self.clinic_service().await?.ok_or(CoreError::NoClinicService)?;
        let silent = self.now().signed_duration_since(service.seen_at).num_milliseconds();
        if silent > SERVICE_AWAY_AFTER_MS {
            return Err(CoreError::ServiceAway {
                host: service.host.clone(),
                since: service.seen_at.format("%Y-%m-%d %H:%M UTC").to_string(),
            });
        }
        Ok(service)
    }

    /// Registers the service with `public_key` on `host` as the clinic's keeper of tokens. The
    /// same key again (a restart, or a second process on that computer) is welcome. Another key
    /// is refused while one is registered, unless `take_over`: then it replaces it, and every
    /// doctor's own connection is marked disconnected (its tokens are in the old computer's
    /// keyring), with the reason, and audited.
    ///
    /// # Errors
    /// [`CoreError::ServiceElsewhere`]; not on a server; [`CoreError::Storage`].
    pub async fn register_service(
        &self,
        public_key: &str,
        host: &str,
        take_over: bool,
    ) -> Result<ClinicService> {
        let pool = self.clinic_server()?;
        let now = self.now();
        let ms = now.timestamp_millis();
        let mut tx = pool.begin().await?;
        let current: Option<ServiceRow> = sqlx::query_as(
            "SELECT public_key, host, registered_at, seen_at FROM clinic_service WHERE id = 1 FOR UPDATE",
        )
        .fetch_optional(&mut *tx)
        .await?;
        let host: String = host.chars().take(200).collect();
        // The service this one replaces, if it takes over from another.
        let replaced = match current.map(ClinicService::from) {
            Some(c) if c.public_key == public_key => {
                sqlx::query("UPDATE clinic_service SET host = $1, seen_at = $2 WHERE id = 1")
                    .bind(&host)
                    .bind(ms)
                    .execute(&mut *tx)
                    .await?;
                None
            }
            Some(c) if !take_over => {
                return Err(CoreError::ServiceElsewhere {
                    host: c.host,
                    since: c.registered_at.format("%Y-%m-%d %H:%M UTC").to_string(),
                });
            }
            previous => {
                sqlx::query(
                    "INSERT INTO clinic_service (id, public_key, host, registered_at, seen_at) \
                     VALUES (1, $1, $2, $3, $3) ON CONFLICT (id) DO UPDATE SET public_key = $1, host = $2, \
                     registered_at = $3, seen_at = $3",
                )
                .bind(public_key)
                .bind(&host)
                .bind(ms)
                .execute(&mut *tx)
                .await?;
                previous
            }
        };
        tx.commit().await?;
        if let Some(previous) = replaced {
            self.forget_kept_connections(&previous.host).await?;
        }
        self.clinic_service().await?.ok_or(CoreError::NoClinicService)
    }

    /// After a take-over: every doctor's own connection was kept by the previous service, so it
    /// is disconnected, with a reason that says to reconnect.
    async fn forget_kept_connections(&self, previous_host: &str) -> Result<()> {
        let problem = format!(
            "the clinic service moved from {previous_host} to another computer, which does not have this \
             connection: reconnect"
        );
        for c in self.connections().await? {
            if c.kind == super::ConnectionKind::User && c.state == super::ConnectionState::Connected {
                self.record_disconnected(
                    &crate::Actor::SYSTEM,
                    c.doctor_id,
                    c.provider,
                    super::AuditAction::RevokeDetected,
                    Some(&problem),
                    serde_json::json!({ "error": "clinic service moved" }),
                )
                .await?;
            }
        }
        Ok(())
    }

    /// The service with `public_key` is still there. `false` when another service has taken
    /// over since (this one must stop).
    ///
    /// # Errors
    /// [`CoreError::Storage`].
    pub async fn service_seen(&self, public_key: &str) -> Result<bool> {
        let done = sqlx::query("UPDATE clinic_service SET seen_at = $1 WHERE id = 1 AND public_key = $2")
            .bind(self.now().timestamp_millis())
            .bind(public_key)
            .execute(self.clinic_server()?)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Starts listening for requests and answers (before asking, so no answer is missed).
    ///
    /// # Errors
    /// Not on a server; [`CoreError::Storage`].
    pub async fn request_events(&self) -> Result<RequestEvents> {
        let mut listener = PgListener::connect_with(self.clinic_server()?).await?;
        listener.listen(CHANNEL).await?;
        Ok(RequestEvents { listener })
    }

    /// Asks the clinic service: the new request's id.
    ///
    /// # Errors
    /// Not on a server; [`CoreError::Storage`].
    pub async fn ask_service(
        &self,
        kind: &str,
        asked_by: &crate::Actor,
        args: &serde_json::Value,
        sealed_args: Option<&str>,
        reply_key: Option<&str>,
    ) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "INSERT INTO service_requests (kind, asked_by, args, sealed_args, reply_key, asked_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(kind)
        .bind(asked_by.to_string())
        .bind(args.to_string())
        .bind(sealed_args)
        .bind(reply_key)
        .bind(self.now().timestamp_millis())
        .fetch_one(self.clinic_server()?)
        .await?)
    }

    /// The requests nobody has taken yet (or whose taker went quiet), oldest first.
    ///
    /// # Errors
    /// [`CoreError::Storage`].
    pub async fn open_requests(&self) -> Result<Vec<i64>> {
        let stale = self.now().timestamp_millis() - SERVICE_AWAY_AFTER_MS;
        Ok(sqlx::query_scalar(
            "SELECT id FROM service_requests WHERE answered_at IS NULL \
             AND (taken_at IS NULL OR taken_at < $1) ORDER BY id",
        )
        .bind(stale)
        .fetch_all(self.clinic_server()?)
        .await?)
    }

    /// Takes request `id` for `worker`: `None` when another process took it first, or it is gone.
    ///
    /// # Errors
    /// [`CoreError::Storage`].
    pub async fn take_request(&self, id: i64) -> Result<Option<ServiceRequest>> {
        let now = self.now().timestamp_millis();
        let row: Option<RequestRow> = sqlx::query_as(
            "UPDATE service_requests SET taken_by = $2, taken_at = $3 WHERE id = $1 AND answered_at IS NULL \
             AND (taken_at IS NULL OR taken_at < $4) \
             RETURNING id, kind, asked_by, args, sealed_args, reply_key",
        )
        .bind(id)
        .bind(self.worker.as_str())
        .bind(now)
        .bind(now - SERVICE_AWAY_AFTER_MS)
        .fetch_optional(self.clinic_server()?)
        .await?;
        Ok(row.map(|r| ServiceRequest {
            id: r.id,
            kind: r.kind,
            asked_by: r.asked_by,
            args: r.args,
            sealed_args: r.sealed_args,
            reply_key: r.reply_key,
        }))
    }

    /// Writes the service's answer to request `id`. The sealed arguments are cleared with it.
    ///
    /// # Errors
    /// [`CoreError::Storage`].
    pub async fn answer_request(&self, id: i64, answer: &ServiceAnswer) -> Result<()> {
        let (plain, sealed, problem) = match answer {
            ServiceAnswer::Done { answer, sealed } => (Some(answer.as_str()), sealed.as_deref(), None),
            ServiceAnswer::Refused(problem) => (None, None, Some(problem.as_str())),
        };
        sqlx::query(
            "UPDATE service_requests SET answered_at = $2, answer = $3, sealed_answer = $4, problem = $5, \
             sealed_args = NULL WHERE id = $1",
        )
        .bind(id)
        .bind(self.now().timestamp_millis())
        .bind(plain)
        .bind(sealed)
        .bind(problem)
        .execute(self.clinic_server()?)
        .await?;
        Ok(())
    }

    /// The answer to request `id` once there is one, deleting the request as it is read: an
    /// answer is read once.
    ///
    /// # Errors
    /// [`CoreError::Storage`].
    pub async fn take_answer(&self, id: i64) -> Result<Option<ServiceAnswer>> {
        let row: Option<AnswerRow> = sqlx::query_as(
            "DELETE FROM service_requests WHERE id = $1 AND answered_at IS NOT NULL \
             RETURNING answer, sealed_answer, problem",
        )
        .bind(id)
        .fetch_optional(self.clinic_server()?)
        .await?;
        Ok(row.map(|r| match r.problem {
            Some(problem) => ServiceAnswer::Refused(problem),
            None => ServiceAnswer::Done { answer: r.answer.unwrap_or_default(), sealed: r.sealed_answer },
        }))
    }

    /// Withdraws request `id` (the desk stopped waiting).
    ///
    /// # Errors
    /// [`CoreError::Storage`].
    pub async fn withdraw_request(&self, id: i64) -> Result<()> {
        sqlx::query("DELETE FROM service_requests WHERE id = $1")
            .bind(id)
            .execute(self.clinic_server()?)
            .await?;
        Ok(())
    }

    /// The actor a request was asked by, with their rights as they are now: a member of staff's
    /// current role (a deactivated one acts no more), the command-line twin for its user.
    ///
    /// # Errors
    /// [`CoreError::Forbidden`] for an inactive or unknown actor; [`CoreError::Storage`].
    pub async fn actor_named(&self, asked_by: &str) -> Result<crate::Actor> {
        let refused = || CoreError::Forbidden(format!("{asked_by} may not ask the clinic service for this"));
        match asked_by.split_once(':') {
            Some(("staff", id)) => {
                let id = id.parse::<i64>().map_err(|_| refused())?;
                let staff = self.staff(crate::StaffId(id)).await.map_err(|_| refused())?;
                if !staff.active {
                    return Err(refused());
                }
                Ok(crate::Actor::staff(&staff))
            }
            Some(("cli", user)) if !user.is_empty() => {
                Ok(crate::Actor::Tool { tool: "cli", user: user.to_owned() })
            }
            _ => Err(refused()),
        }
    }

    /// Clears away requests older than [`REQUEST_LIFETIME_MS`], answered or not.
    ///
    /// # Errors
    /// [`CoreError::Storage`].
    pub async fn clear_old_requests(&self) -> Result<u64> {
        let before = self.now().timestamp_millis() - REQUEST_LIFETIME_MS;
        Ok(sqlx::query("DELETE FROM service_requests WHERE asked_at < $1")
            .bind(before)
            .execute(self.clinic_server()?)
            .await?
            .rows_affected())
    }
}

/// What happened to requests: the service hears `Asked`, a desk waits for `Answered`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestEvent {
    Asked(i64),
    Answered(i64),
    /// The line was lost and is back: anything may have happened meanwhile.
    Missed,
}

/// A line to the requests' announcements.
pub struct RequestEvents {
    listener: PgListener,
}

impl RequestEvents {
    /// The next announcement.
    ///
    /// # Errors
    /// [`CoreError::Storage`] while the server cannot be reached.
    pub async fn next(&mut self) -> Result<RequestEvent> {
        let Some(notification) = self.listener.try_recv().await? else {
            return Ok(RequestEvent::Missed);
        };
        let payload: serde_json::Value =
            serde_json::from_str(notification.payload()).unwrap_or(serde_json::Value::Null);
        let id = |key| payload.get(key).and_then(serde_json::Value::as_i64);
        Ok(match (id("asked"), id("answered")) {
            (Some(id), _) => RequestEvent::Asked(id),
            (_, Some(id)) => RequestEvent::Answered(id),
            _ => RequestEvent::Missed,
        })
    }
}
