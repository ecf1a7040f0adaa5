//! Signing in at a shared desk: the first-run set-up of the clinic and its first admin, and PIN
//! checks that count wrong guesses (a PIN is short: after [`MAX_PIN_FAILURES`] wrong tries in a
//! row, sign-in for that person pauses for [`PIN_PAUSE_MINUTES`] minutes, and each pause in a row
//! doubles the next, up to a day, until they sign in or an admin sets a new PIN). Every try is in the
//! audit log: a sign-in, a refusal (with the tries left, or during a pause) and a pause.

use argon2::password_hash::{PasswordHash, PasswordVerifier};
use serde_json::json;

use super::audit::{self, AuditAbout, AuditAction};
use super::directory::{clinic_in, hash_pin, insert_clinic};
use super::sql;
use super::Store;
use crate::error::{CoreError, Field, Result};
use crate::model::{Actor, Clinic, Role, Staff, StaffId};
use crate::{time, validate};

/// What sign-in reads of a member of staff.
#[derive(sqlx::FromRow)]
struct PinRow {
    pin_hash: Option<String>,
    pin_failures: i64,
    pin_locked_until: Option<i64>,
    role: String,
    pin_pauses: i64,
}

/// Wrong PINs in a row before sign-in pauses.
pub const MAX_PIN_FAILURES: i64 = 5;
/// How long sign-in first pauses after too many wrong PINs; each pause in a row doubles it.
pub const PIN_PAUSE_MINUTES: i64 = 5;
/// The longest pause: a day.
const MAX_PAUSE_MINUTES: i64 = 24 * 60;

/// How long the pause after `pauses` earlier ones in a row lasts: 5, 10, 20... minutes, at most
/// a day.
pub fn pause_minutes(pauses: i64) -> i64 {
    let doubling = u32::try_from(pauses.clamp(0, 20)).unwrap_or(20);
    PIN_PAUSE_MINUTES.saturating_mul(2i64.saturating_pow(doubling)).min(MAX_PAUSE_MINUTES)
}

impl Store {
    /// Sets the clinic up and creates its first admin, in one transaction: the app's first start.
    ///
    /// # Errors
    /// [`CoreError::Invalid`] for a bad clinic name, zone, admin name or PIN;
    /// [`CoreError::AlreadyInitialized`] when the clinic is already set up.
    pub async fn first_run(
        &self,
        clinic_name: &str,
        tz: &str,
        admin_name: &str,
        pin: &str,
    ) -> Result<(Clinic, Staff)> {
        let clinic_name = validate::name(Field::CLINIC_NAME, clinic_name)?;
        let tz = time::parse_zone(tz)?;
        let admin_name = validate::name(Field::ADMIN_NAME, admin_name)?;
        let pin_hash = hash_pin(validate::pin(pin)?)?;
        let now = self.now().timestamp();
        let mut tx = self.write().await?;
        insert_clinic(&mut tx, &clinic_name, tz, now).await?;
        let id: i64 = sql::query_scalar(
            "INSERT INTO staff (name, role, pin_hash, created_at) VALUES ($1, 'admin', $2, $3) RETURNING id",
        )
        .bind(&admin_name)
        .bind(&pin_hash)
        .bind(now)
        .fetch_one(&mut tx)
        .await?;
        let clinic = clinic_in(&mut tx).await?.ok_or(CoreError::NotInitialized)?;
        tx.commit().await?;
        Ok((
            clinic,
            Staff { id: StaffId(id), name: admin_name, role: Role::Admin, has_pin: true, active: true },
        ))
    }

    /// Checks a member of staff's PIN.
    ///
    /// # Errors
    /// [`CoreError::NotFound`] for an unknown or inactive person; [`CoreError::NoPin`] when no PIN
    /// is set; [`CoreError::PinPaused`] after too many wrong PINs; [`CoreError::WrongPin`] with the
    /// tries left.
    pub async fn sign_in(&self, id: StaffId, pin: &str) -> Result<Staff> {
        let now = self.now();
        let mut tx = self.write().await?;
        let row: Option<PinRow> = sql::query_as(
            "SELECT pin_hash, pin_failures, pin_locked_until, role, pin_pauses FROM staff WHERE id = $1 AND active",
        )
        .bind(id.0)
        .fetch_optional(&mut tx)
        .await?;
        let PinRow {
            pin_hash: hash,
            pin_failures: failures,
            pin_locked_until: paused_until,
            role,
            pin_pauses: pauses,
        } = row.ok_or(CoreError::NotFound { what: "staff member", id: id.0 })?;
        let hash = hash.ok_or(CoreError::NoPin)?;
        // Each try is audited under the account it was for: whoever typed is not known.
        let person = Actor::Staff { id, role: role.parse()? };
        let (nothing, refused) = (AuditAbout::NOTHING, AuditAction::SignInRefused);
        if let Some(until) = paused_until.filter(|u| *u > now.timestamp()) {
            let clinic = clinic_in(&mut tx).await?.ok_or(CoreError::NotInitialized)?;
            let local = chrono::DateTime::from_timestamp(until, 0).unwrap_or(now).with_timezone(&clinic.tz);
            audit::append(&mut tx, now, &person, refused, nothing, &json!({ "paused": true })).await?;
            tx.commit().await?;
            return Err(CoreError::PinPaused { until: local.format("%H:%M").to_string() });
        }
        let matches = PasswordHash::new(&hash)
            .map(|parsed| argon2::Argon2::default().verify_password(pin.as_bytes(), &parsed).is_ok())
            .unwrap_or(false);
        if matches {
            sql::query(
                "UPDATE staff SET pin_failures = 0, pin_locked_until = NULL, pin_pauses = 0 WHERE id = $1",
            )
            .bind(id.0)
            .execute(&mut tx)
            .await?;
            audit::append(&mut tx, now, &person, AuditAction::SignedIn, nothing, &json!({})).await?;
            tx.commit().await?;
            return self.staff(id).await;
        }
        let failures = failures + 1;
        let minutes = pause_minutes(pauses);
        let pause = (failures >= MAX_PIN_FAILURES).then(|| now.timestamp() + minutes * 60);
        sql::query(
            "UPDATE staff SET pin_failures = $2, pin_locked_until = $3, pin_pauses = pin_pauses + $4 WHERE id = $1",
        )
        .bind(id.0)
        .bind(if pause.is_some() { 0 } else { failures })
        .bind(pause)
        .bind(i64::from(pause.is_some()))
        .execute(&mut tx)
        .await?;
        let tries_left = (MAX_PIN_FAILURES - failures).max(0);
        audit::append(&mut tx, now, &person, refused, nothing, &json!({ "tries_left": tries_left })).await?;
        if pause.is_some() {
            let detail = json!({ "minutes": minutes });
            audit::append(&mut tx, now, &person, AuditAction::SignInPaused, nothing, &detail).await?;
        }
        tx.commit().await?;
        Err(CoreError::WrongPin { attempts_left: tries_left, pause_minutes: minutes })
    }
}
