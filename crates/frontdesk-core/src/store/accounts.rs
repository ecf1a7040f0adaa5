//! Video-visit accounts in the database: the clinic's provider settings, each doctor's
//! connection state, and the append-only audit log. No token or secret is ever stored here.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::Store;
use crate::error::{CoreError, Result};
use crate::model::{Actor, AppointmentId, PatientId, Provider, Role, StaffId};

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

/// One row of the audit log.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
pub struct AuditEntry {
    pub id: i64,
    pub at: DateTime<Utc>,
    /// `staff:<id>`, `cli:<os user>` or `system`.
    pub actor: String,
    /// The actor's name when the actor is a member of staff.
    pub actor_name: Option<String>,
    pub action: String,
    pub doctor_id: Option<StaffId>,
    pub patient_id: Option<PatientId>,
    pub appointment_id: Option<AppointmentId>,
    pub detail: serde_json::Value,
}

#[derive(sqlx::FromRow)]
struct AuditRow {
    id: i64,
    at_ms: i64,
    actor: String,
    actor_name: Option<String>,
    action: String,
    doctor_id: Option<i64>,
    patient_id: Option<i64>,
    appointment_id: Option<i64>,
    detail: String,
}

/// Who acts when nobody in particular does (the background refresh, the outbox).
pub const SYSTEM_ACTOR: &str = "system";

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
            sqlx::query_scalar("SELECT uid FROM clinic WHERE id = 1").fetch_optional(&self.pool).await?;
        uid.flatten().ok_or(CoreError::NotInitialized)
    }

    /// A provider setting, or `None` when it is not set (the caller applies the default).
    ///
    /// # Errors
    /// [`CoreError::Storage`].
    pub async fn provider_setting(&self, key: &str) -> Result<Option<String>> {
        Ok(sqlx::query_scalar("SELECT value FROM provider_settings WHERE key = ?1")
            .bind(key)
            .fetch_optional(&self.pool)
            .await?)
    }

    /// Sets (or, with `None`, clears) a provider setting, and records the change in the audit
    /// log. The caller has validated the value; secrets never come here.
    ///
    /// # Errors
    /// [`CoreError::Storage`].
    pub async fn set_provider_setting(&self, actor: &Actor, key: &str, value: Option<&str>) -> Result<()> {
        let now = self.now();
        let mut tx = self.write().await?;
        match value {
            Some(value) => {
                sqlx::query(
                    "INSERT INTO provider_settings (key, value, updated_at) VALUES (?1, ?2, ?3) \
                     ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
                )
                .bind(key)
                .bind(value)
                .bind(now.timestamp())
                .execute(&mut *tx)
                .await?;
            }
            None => {
                sqlx::query("DELETE FROM provider_settings WHERE key = ?1")
                    .bind(key)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        let detail = serde_json::json!({ "key": key, "value": value });
        append_audit(&mut tx, now, &actor.to_string(), "setting_changed", None, &detail).await?;
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
            sqlx::query_as(&format!("{CONNECTION_QUERY} ORDER BY s.name COLLATE NOCASE, c.provider"))
                .fetch_all(&self.pool)
                .await?;
        rows.into_iter().map(Connection::try_from).collect()
    }

    /// One doctor's connection to one provider, if one was ever made.
    ///
    /// # Errors
    /// [`CoreError::Storage`].
    pub async fn connection(&self, doctor: StaffId, provider: Provider) -> Result<Option<Connection>> {
        let row: Option<ConnectionRow> =
            sqlx::query_as(&format!("{CONNECTION_QUERY} WHERE c.doctor_id = ?1 AND c.provider = ?2"))
                .bind(doctor.0)
                .bind(provider.as_str())
                .fetch_optional(&self.pool)
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
        sqlx::query(
            "INSERT INTO connections (doctor_id, provider, kind, state, account_email, problem, connected_at, updated_at) \
             VALUES (?1, ?2, ?3, 'connected', ?4, NULL, ?5, ?5) \
             ON CONFLICT (doctor_id, provider) DO UPDATE SET kind = excluded.kind, state = 'connected', \
             account_email = excluded.account_email, problem = NULL, connected_at = excluded.connected_at, \
             updated_at = excluded.updated_at",
        )
        .bind(doctor.0)
        .bind(provider.as_str())
        .bind(kind_word)
        .bind(account_email)
        .bind(now.timestamp())
        .execute(&mut *tx)
        .await?;
        let detail = serde_json::json!({ "provider": provider, "kind": kind, "account": account_email });
        append_audit(&mut tx, now, &actor.to_string(), "connected", Some(doctor), &detail).await?;
        super::outbox::wake_jobs(&mut tx, doctor, provider, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Marks a connection disconnected, with the reason the desk will read when the provider
    /// refused it (`None` when it was disconnected on purpose), and audits it under `action`
    /// (`disconnected`, `revoke_detected`...). `actor` is `None` for the system.
    ///
    /// # Errors
    /// [`CoreError::Storage`].
    pub async fn record_disconnected(
        &self,
        actor: Option<&Actor>,
        doctor: StaffId,
        provider: Provider,
        action: &str,
        problem: Option<&str>,
        detail: serde_json::Value,
    ) -> Result<()> {
        let now = self.now();
        let mut tx = self.write().await?;
        sqlx::query(
            "UPDATE connections SET state = 'disconnected', problem = ?3, updated_at = ?4 \
             WHERE doctor_id = ?1 AND provider = ?2",
        )
        .bind(doctor.0)
        .bind(provider.as_str())
        .bind(problem)
        .bind(now.timestamp())
        .execute(&mut *tx)
        .await?;
        let mut detail = detail;
        if let Some(map) = detail.as_object_mut() {
            map.insert("provider".into(), serde_json::json!(provider));
        }
        let actor = actor.map_or_else(|| SYSTEM_ACTOR.to_owned(), Actor::to_string);
        append_audit(&mut tx, now, &actor, action, Some(doctor), &detail).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Appends one row to the audit log.
    ///
    /// # Errors
    /// [`CoreError::Storage`].
    pub async fn audit(
        &self,
        actor: Option<&Actor>,
        action: &str,
        doctor: Option<StaffId>,
        detail: serde_json::Value,
    ) -> Result<()> {
        let now = self.now();
        let actor = actor.map_or_else(|| SYSTEM_ACTOR.to_owned(), Actor::to_string);
        let mut tx = self.write().await?;
        append_audit(&mut tx, now, &actor, action, doctor, &detail).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The audit log from `since` on, oldest first.
    ///
    /// # Errors
    /// [`CoreError::Storage`].
    pub async fn audit_log(&self, since: Option<DateTime<Utc>>) -> Result<Vec<AuditEntry>> {
        let rows: Vec<AuditRow> = sqlx::query_as(
            "SELECT a.id, a.at_ms, a.actor, s.name AS actor_name, a.action, a.doctor_id, a.patient_id, a.appointment_id, a.detail FROM audit_log a \
             LEFT JOIN staff s ON a.actor = 'staff:' || s.id \
             WHERE a.at_ms >= ?1 ORDER BY a.id",
        )
        .bind(since.map_or(i64::MIN, |t| t.timestamp_millis()))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| AuditEntry {
                id: r.id,
                at: DateTime::from_timestamp_millis(r.at_ms).unwrap_or_default(),
                actor: r.actor,
                actor_name: r.actor_name,
                action: r.action,
                doctor_id: r.doctor_id.map(StaffId),
                patient_id: r.patient_id.map(PatientId),
                appointment_id: r.appointment_id.map(AppointmentId),
                detail: serde_json::from_str(&r.detail).unwrap_or(serde_json::Value::Null),
            })
            .collect())
    }
}

/// Audits a change of an appointment, in the change's own transaction: who, what, the ids and
/// `detail` (times and statuses; never a reason typed at the desk or any other patient detail).
pub(super) async fn audit_appointment(
    conn: &mut sqlx::SqliteConnection,
    at: DateTime<Utc>,
    actor: &Actor,
    action: &str,
    appointment: &crate::model::Appointment,
    detail: &serde_json::Value,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO audit_log (at_ms, actor, action, doctor_id, patient_id, appointment_id, detail)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )
    .bind(at.timestamp_millis())
    .bind(actor.to_string())
    .bind(action)
    .bind(appointment.doctor_id.0)
    .bind(appointment.patient_id.0)
    .bind(appointment.id.0)
    .bind(detail.to_string())
    .execute(conn)
    .await?;
    Ok(())
}

/// Appends one audit row in the caller's transaction.
pub(super) async fn append_audit(
    conn: &mut sqlx::SqliteConnection,
    at: DateTime<Utc>,
    actor: &str,
    action: &str,
    doctor: Option<StaffId>,
    detail: &serde_json::Value,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO audit_log (at_ms, actor, action, doctor_id, detail) VALUES (?1, ?2, ?3, ?4, ?5)",
    )
    .bind(at.timestamp_millis())
    .bind(actor)
    .bind(action)
    .bind(doctor.map(|d| d.0))
    .bind(detail.to_string())
    .execute(conn)
    .await?;
    Ok(())
}
