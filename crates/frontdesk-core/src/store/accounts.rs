//! Video-visit accounts in the database: the clinic's provider settings, each doctor's
//! connection state. No token or secret is ever stored here.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::audit::{self, AuditAbout, AuditAction};
use super::sql;
use super::Store;
use crate::error::{CoreError, Result};
use crate::model::{Actor, Provider, Role, StaffId};

/// How the app acts for a doctor at a provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum ConnectionKind {
    /// Through the doctor's own OAuth grant; the tokens are in the keyring.
    User,
    /// Through the clinic's Zoom Server-to-Server app, as the doctor's Zoom user.
    ServerToServer,
}

/// Whether a connection can be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum ConnectionState {
    Connected,
    /// Not usable until the doctor reconnects; `problem` says why.
    Disconnected,
}

/// A doctor's connection to a provider, as the desk may see it: never a token.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
pub struct Connection {
    pub doctor_id: StaffId,
    pub doctor_name: String,
    pub provider: Provider,
    pub kind: ConnectionKind,
    pub state: ConnectionState,
    /// The provider account the app acts as, e.g. `dr.lee@clinic.example`.
    pub account_email: Option<String>,
    /// Why the connection is disconnected, in words for the desk; `None` when it was
    /// disconnected at the desk on purpose.
    pub problem: Option<String>,
    /// The provider stopped accepting the connection: the doctor (and admins) should reconnect.
    pub needs_reconnect: bool,
    pub connected_at: Option<DateTime<Utc>>,
}

#[derive(sqlx::FromRow)]
struct ConnectionRow {
    doctor_id: i64,
    doctor_name: String,
    provider: String,
    kind: String,
    state: String,
    account_email: Option<String>,
    problem: Option<String>,
    connected_at: Option<i64>,
}

impl TryFrom<ConnectionRow> for Connection {
    type Error = CoreError;
    fn try_from(r: ConnectionRow) -> Result<Connection> {
        Ok(Connection {
            doctor_id: StaffId(r.doctor_id),
            doctor_name: r.doctor_name,
            provider: r.provider.parse()?,
            kind: if r.kind == "server_to_server" {
                ConnectionKind::ServerToServer
            } else {
                ConnectionKind::User
            },
            state: if r.state == "connected" {
                ConnectionState::Connected
            } else {
                ConnectionState::Disconnected
            },
            account_email: r.account_email,
            needs_reconnect: r.state != "connected" && r.problem.is_some(),
            problem: r.problem,
            connected_at: r.connected_at.and_then(|t| DateTime::from_timestamp(t, 0)),
        })
    }
}

const CONNECTION_QUERY: &str = "SELECT c.doctor_id, s.name AS doctor_name, c.provider, c.kind, c.state, \
     c.account_email, c.problem, c.connected_at FROM connections c JOIN staff s ON s.id = c.doctor_id";

impl Store {
    /// The clinic's unique id, which scopes its entries in the operating system's keyring.
    ///
    /// # Errors
    /// [`CoreError::NotInitialized`] before the clinic is set up.
    pub async fn clinic_uid(&self) -> Result<String> {
        let uid: Option<Option<String>> =
            sql::query_scalar("SELECT uid FROM clinic WHERE id = 1").fetch_optional(self.reads()).await?;
        uid.flatten().ok_or(CoreError::NotInitialized)
    }

    /// A provider setting, or `None` when it is not set (the caller applies the default).
    ///
    /// # Errors
    /// [`CoreError::Storage`].
    pub async fn provider_setting(&self, key: &str) -> Result<Option<String>> {
        Ok(sql::query_scalar("SELECT value FROM provider_settings WHERE key = $1")
            .bind(key)
            .fetch_optional(self.reads())
            .await?)
    }

    /// Sets (or, with `None`, clears) a provider setting (admins), and records the change in the
    /// audit log. The caller has validated the value; secrets never come here.
    ///
    /// # Errors
    /// [`CoreError::Storage`].
    pub async fn set_provider_setting(&self, actor: &Actor, key: &str, value: Option<&str>) -> Result<()> {
        actor.may(crate::access::Action::Administer)?;
        let now = self.now();
        let mut tx = self.write().await?;
        match value {
            Some(value) => {
                sql::query(
                    "INSERT INTO provider_settings (key, value, updated_at) VALUES ($1, $2, $3) \
                     ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
                )
                .bind(key)
                .bind(value)
                .bind(now.timestamp())
                .execute(&mut tx)
                .await?;
            }
            None => {
                sql::query("DELETE FROM provider_settings WHERE key = $1").bind(key).execute(&mut tx).await?;
            }
        }
        let detail = serde_json::json!({ "key": key, "value": value });
        audit::append(&mut tx, now, actor, AuditAction::SettingChanged, AuditAbout::NOTHING, &detail).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Checks that `id` is an active doctor: only doctors hold video visits.
    ///
    /// # Errors
    /// [`CoreError::NotFound`] or [`CoreError::Invalid`].
    pub async fn require_doctor(&self, id: StaffId) -> Result<()> {
        let staff = self.staff(id).await?;
        if staff.role != Role::Doctor || !staff.active {
            return Err(CoreError::invalid(format!(
                "doctor: {} is not an active doctor, so has no video-visit accounts",
                staff.name
            )));
        }
        Ok(())
    }

    /// Every doctor's connections.
    ///
    /// # Errors
    /// [`CoreError::Storage`].
    pub async fn connections(&self) -> Result<Vec<Connection>> {
        let rows: Vec<ConnectionRow> =
            sql::query_as(&format!("{CONNECTION_QUERY} ORDER BY s.name COLLATE NOCASE, c.provider"))
                .fetch_all(self.reads())
                .await?;
        rows.into_iter().map(Connection::try_from).collect()
    }

    /// One doctor's connection to one provider, if one was ever made.
    ///
    /// # Errors
    /// [`CoreError::Storage`].
    pub async fn connection(&self, doctor: StaffId, provider: Provider) -> Result<Option<Connection>> {
        let row: Option<ConnectionRow> =
            sql::query_as(&format!("{CONNECTION_QUERY} WHERE c.doctor_id = $1 AND c.provider = $2"))
                .bind(doctor.0)
                .bind(provider.as_str())
                .fetch_optional(self.reads())
                .await?;
        row.map(Connection::try_from).transpose()
    }

    /// Records a new connection (replacing an older one) and audits it.
    ///
    /// # Errors
    /// [`CoreError::Storage`].
    pub async fn record_connected(
        &self,
        actor: &Actor,
        doctor: StaffId,
        provider: Provider,
        kind: ConnectionKind,
        account_email: &str,
    ) -> Result<()> {
        let now = self.now();
        let kind_word = match kind {
            ConnectionKind::User => "user",
            ConnectionKind::ServerToServer => "server_to_server",
        };
        let mut tx = self.write().await?;
        sql::query(
            "INSERT INTO connections (doctor_id, provider, kind, state, account_email, problem, connected_at, updated_at) \
             VALUES ($1, $2, $3, 'connected', $4, NULL, $5, $5) \
             ON CONFLICT (doctor_id, provider) DO UPDATE SET kind = excluded.kind, state = 'connected', \
             account_email = excluded.account_email, problem = NULL, connected_at = excluded.connected_at, \
             updated_at = excluded.updated_at",
        )
        .bind(doctor.0)
        .bind(provider.as_str())
        .bind(kind_word)
        .bind(account_email)
        .bind(now.timestamp())
        .execute(&mut tx)
        .await?;
        let detail = serde_json::json!({ "provider": provider, "kind": kind, "account": account_email });
        audit::append(&mut tx, now, actor, AuditAction::Connected, AuditAbout::doctor(doctor), &detail)
            .await?;
        super::outbox::wake_jobs(&mut tx, doctor, provider, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Marks a connection disconnected, with the reason the desk will read when the provider
    /// refused it (`None` when it was disconnected on purpose), and audits it under `action`
    /// ([`AuditAction::Disconnected`], [`AuditAction::RevokeDetected`]...).
    ///
    /// # Errors
    /// [`CoreError::Storage`].
    pub async fn record_disconnected(
        &self,
        actor: &Actor,
        doctor: StaffId,
        provider: Provider,
        action: AuditAction,
        problem: Option<&str>,
        detail: serde_json::Value,
    ) -> Result<()> {
        let now = self.now();
        let mut tx = self.write().await?;
        sql::query(
            "UPDATE connections SET state = 'disconnected', problem = $3, updated_at = $4 \
             WHERE doctor_id = $1 AND provider = $2",
        )
        .bind(doctor.0)
        .bind(provider.as_str())
        .bind(problem)
        .bind(now.timestamp())
        .execute(&mut tx)
        .await?;
        let mut detail = detail;
        if let Some(map) = detail.as_object_mut() {
            map.insert("provider".into(), serde_json::json!(provider));
        }
        audit::append(&mut tx, now, actor, action, AuditAbout::doctor(doctor), &detail).await?;
        tx.commit().await?;
        Ok(())
    }
}
