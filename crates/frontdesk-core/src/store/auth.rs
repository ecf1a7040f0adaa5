//! Signing in at a shared desk: the first-run set-up of the clinic and its first admin, PIN
//! checks that count wrong guesses, a person's own new PIN, and an admin's unlock.
//!
//! A PIN is short, so wrong guesses are counted in rounds of [`MAX_PIN_FAILURES`] in a row:
//! the first round pauses sign-in for that person for 5 minutes, the second for 30, and the
//! third locks it until an admin unlocks it ([`Store::unlock_staff`], or a new PIN from an
//! admin). Signing in with the right PIN starts the count again. Every try is in the audit log:
//! a sign-in, a refusal (with the tries left, or during a pause or a lock), a pause, a lock and
//! an unlock; an admin's sign-in hands them the pauses, locks and unlocks since their previous
//! one ([`SignedIn::security_notices`]).
//!
//! # The clock
//!
//! A pause is kept as the wall-clock instant it began and its length (not as an end time), and
//! holds until the clock reads at least its start plus its length, and never while the clock
//! reads earlier than its start ([`Pause::holds_at`]). So a clock set back never ends a pause
//! early: it keeps it on (by as long as the clock went back; an admin can unlock it sooner). The
//! start, kept apart from the length, also tells the audit log and the admins when it began.
//!
//! A clock set forward does end a pause early: no rule based on the wall clock can tell a clock
//! set forward from time that passed, and the process that paused sign-in may have been closed
//! since (the pause must outlive restarts, so it cannot rest on the process's own monotonic
//! clock). That is the residual risk, and the lock bounds it: the lock has no end time at all,
//! so whatever the clock says, at most `3 × 5 = 15` wrong PINs are tried before an admin must
//! act (one chance in about 67,000 against a 6-digit PIN).
//!
//! A PIN shorter than new PINs may be ([`validate::MIN_PIN_DIGITS`], set before that rule) still
//! signs in, and the sign-in says that its owner must choose a new one
//! ([`SignedIn::must_change_pin`]); the app lets them do nothing else until they have.

use argon2::password_hash::{PasswordHash, PasswordVerifier};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use zeroize::Zeroizing;

use super::audit::{self, AuditAbout, AuditAction, AuditEntry};
use super::directory::{clinic_in, hash_pin, staff_detail};
use super::sql::{self, Tx};
use super::Store;
use crate::access::Action;
use crate::error::{CoreError, Field, Result};
use crate::model::{Actor, Clinic, Role, Staff, StaffId};
use crate::{time, validate};

/// Wrong PINs in a row that make one round: the round ends in a pause, or (the third) a lock.
pub const MAX_PIN_FAILURES: i64 = 5;
/// How long the pauses after the first and the second round last, in minutes; the third round
/// locks sign-in until an admin unlocks it.
pub const PIN_PAUSE_MINUTES: [i64; 2] = [5, 30];
/// The most admin notices one sign-in carries (the newest).
const MAX_NOTICES: i64 = 50;

/// What the end of a round of wrong PINs brings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum PinPenalty {
    /// Sign-in pauses for this many minutes.
    Pause { minutes: i64 },
    /// Sign-in is locked until an admin unlocks it.
    Lock,
}

impl PinPenalty {
    /// What ends round `round` (1 for the first [`MAX_PIN_FAILURES`] wrong PINs in a row):
    /// 5 minutes, then 30, then the lock.
    pub fn after_round(round: i64) -> PinPenalty {
        let pause = usize::try_from(round.saturating_sub(1)).ok().and_then(|i| PIN_PAUSE_MINUTES.get(i));
        match pause {
            Some(&minutes) => PinPenalty::Pause { minutes },
            None => PinPenalty::Lock,
        }
    }
}

/// A pause of sign-in: when it began by the wall clock (Unix seconds), and how long it lasts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pause {
    pub started: i64,
    pub seconds: i64,
}

impl Pause {
    /// Whether sign-in is still paused when the clock reads `now` (Unix seconds): until the
    /// clock reads at least the start plus the length, and whenever it reads earlier than the
    /// start (a clock set back keeps the pause on; see the module's notes on the clock). A
    /// length that does not fit holds for ever: only an admin ends it.
    pub fn holds_at(&self, now: i64) -> bool {
        let over = self.started.checked_add(self.seconds).is_some_and(|end| now >= end);
        !(over && now >= self.started)
    }

    /// When it ends if the clock runs on from here.
    fn ends(&self) -> i64 {
        self.started.saturating_add(self.seconds)
    }

    fn from_columns(started: Option<i64>, seconds: Option<i64>) -> Option<Pause> {
        started.map(|started| Pause { started, seconds: seconds.unwrap_or(0) })
    }
}

/// What sign-in (and the lock and pause on the staff screen) reads of a member of staff.
#[derive(sqlx::FromRow)]
struct PinRow {
    id: i64,
    name: String,
    role: String,
    active: bool,
    pin_hash: Option<String>,
    pin_failures: i64,
    pin_pauses: i64,
    pin_paused_at: Option<i64>,
    pin_pause_seconds: Option<i64>,
    pin_locked_at: Option<i64>,
}

const PIN_COLUMNS: &str = "id, name, role, active, pin_hash, pin_failures, pin_pauses, pin_paused_at, \
                           pin_pause_seconds, pin_locked_at";

/// A member of staff's sign-in state, read in `tx`'s transaction.
async fn pin_row(tx: &mut Tx, id: StaffId) -> Result<Option<PinRow>> {
    Ok(sql::query_as(&format!("SELECT {PIN_COLUMNS} FROM staff WHERE id = $1"))
        .bind(id.0)
        .fetch_optional(&mut *tx)
        .await?)
}

impl PinRow {
    fn pause(&self) -> Option<Pause> {
        Pause::from_columns(self.pin_paused_at, self.pin_pause_seconds)
    }

    /// What holds sign-in back at `now`, if anything.
    fn held(&self, now: i64) -> Option<Hold> {
        if self.pin_locked_at.is_some() {
            return Some(Hold::Locked);
        }
        self.pause().filter(|p| p.holds_at(now)).map(Hold::Paused)
    }
}

/// What holds someone's sign-in back.
#[derive(Debug, Clone, Copy)]
enum Hold {
    Locked,
    Paused(Pause),
}

impl Hold {
    /// The audit log's word for it.
    fn as_str(self) -> &'static str {
        match self {
            Hold::Locked => "locked",
            Hold::Paused(_) => "paused",
        }
    }
}

/// Whether `pin` is the one `hash` was made from (Argon2id: tens of milliseconds by design).
fn verify_pin(pin: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| argon2::Argon2::default().verify_password(pin.as_bytes(), &parsed).is_ok())
        .unwrap_or(false)
}

/// [`verify_pin`] on a blocking thread, so that the async workers go on meanwhile (the desk's
/// first view is read while it runs, `sign_in` in the app).
fn start_pin_check(pin: &str, hash: &str) -> tokio::task::JoinHandle<bool> {
    let (pin, hash) = (Zeroizing::new(pin.to_owned()), hash.to_owned());
    tokio::task::spawn_blocking(move || verify_pin(&pin, &hash))
}

async fn pin_answer(check: tokio::task::JoinHandle<bool>) -> Result<bool> {
    check.await.map_err(|e| CoreError::Io {
        context: "the PIN could not be checked".into(),
        source: std::io::Error::other(e),
    })
}

/// A PIN check started while the PIN was typed, before the sign-in asked
/// ([`Store::check_pin_early`]). [`Store::sign_in_after`] takes its answer when it is for the same
/// person, the same PIN and the same stored hash, and checks afresh otherwise; nobody else ever
/// sees the answer, and nothing is counted or audited until the sign-in.
pub struct EarlyPinCheck {
    id: StaffId,
    pin: Zeroizing<String>,
    hash: String,
    answer: tokio::task::JoinHandle<bool>,
}

impl std::fmt::Debug for EarlyPinCheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EarlyPinCheck").field("id", &self.id).finish_non_exhaustive()
    }
}

/// A successful sign-in.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
pub struct SignedIn {
    pub staff: Staff,
    /// The PIN is shorter than new PINs may be (it was set before the rule): the person must
    /// choose a new one (`Store::set_own_pin`) before doing anything else.
    pub must_change_pin: bool,
    /// For an admin: the pauses, locks and unlocks of anyone's sign-in since this admin's
    /// previous sign-in, oldest first (the newest 50). Empty for everyone else.
    pub security_notices: Vec<SecurityNotice>,
}

word_enum!(
    /// What happened to someone's sign-in, as admins are told of it.
    SecurityEvent, "security event" {
        /// Paused after a round of wrong PINs.
        Paused = "paused",
        /// Locked after the third round of wrong PINs.
        Locked = "locked",
        /// An admin lifted a lock or a pause (or set a new PIN).
        Unlocked = "unlocked",
    }
);

/// One pause, lock or unlock of someone's sign-in, for an admin's attention.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
pub struct SecurityNotice {
    pub at: DateTime<Utc>,
    pub event: SecurityEvent,
    /// Whose sign-in.
    pub staff_id: StaffId,
    pub staff_name: String,
    /// The wrong PINs in a row that led to a pause or a lock.
    pub wrong_pins: Option<i64>,
    /// How long a pause lasts.
    pub minutes: Option<i64>,
    /// Who unlocked: a member of staff's name, or the command line's `cli:<user>`.
    pub by: Option<String>,
}

/// Someone who cannot sign in now because of wrong PINs (the admin's staff screen).
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
pub struct SignInHold {
    pub staff_id: StaffId,
    /// Locked until an admin unlocks it; otherwise paused.
    pub locked: bool,
    /// When a pause ends, if the clock runs on; `None` for a lock.
    pub paused_until: Option<DateTime<Utc>>,
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
        super::directory::insert_clinic(&mut tx, &clinic_name, tz, now).await?;
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

    /// Checks a member of staff's PIN, counting wrong ones (see the module's notes).
    ///
    /// # Errors
    /// [`CoreError::NotFound`] for an unknown or inactive person; [`CoreError::NoPin`] when no PIN
    /// is set; [`CoreError::PinLocked`] after three rounds of wrong PINs, until an admin unlocks;
    /// [`CoreError::PinPaused`] during a pause; [`CoreError::WrongPin`] with the tries left.
    pub async fn sign_in(&self, id: StaffId, pin: &str) -> Result<SignedIn> {
        self.sign_in_after(id, pin, None).await
    }

    /// Starts checking `pin` for `id` as it is typed (the sign-in screen asks at each keystroke),
    /// for [`Store::sign_in_after`]: at a desk, the Enter then waits for little or
    /// none of the Argon2id check. `None` for someone unknown or without a PIN.
    ///
    /// # Errors
    /// Storage errors reading the person's PIN hash.
    pub async fn check_pin_early(&self, id: StaffId, pin: &str) -> Result<Option<EarlyPinCheck>> {
        let mut tx = self.reads().read().await?;
        let hash = pin_row(&mut tx, id).await?.and_then(|r| r.pin_hash);
        Ok(hash.map(|hash| EarlyPinCheck {
            id,
            pin: Zeroizing::new(pin.to_owned()),
            answer: start_pin_check(pin, &hash),
            hash,
        }))
    }

    /// [`Store::sign_in`], with the answer of a check started as the PIN was typed when it is for
    /// this person, this PIN and the hash stored now (else the PIN is checked afresh).
    ///
    /// # Errors
    /// As for [`Store::sign_in`].
    pub async fn sign_in_after(
        &self,
        id: StaffId,
        pin: &str,
        early: Option<EarlyPinCheck>,
    ) -> Result<SignedIn> {
        let now = self.now();
        let mut tx = self.write_here().await?;
        let row = pin_row(&mut tx, id).await?.filter(|r| r.active);
        let row = row.ok_or(CoreError::NotFound { what: "staff member", id: id.0 })?;
        let hash = row.pin_hash.clone().ok_or(CoreError::NoPin)?;
        let role: Role = row.role.parse()?;
        // Each try is audited under the account it was for: whoever typed is not known.
        let person = Actor::Staff { id, role };
        let (nothing, refused) = (AuditAbout::NOTHING, AuditAction::SignInRefused);
        match row.held(now.timestamp()) {
            Some(Hold::Locked) => {
                audit::append(&mut tx, now, &person, refused, nothing, &json!({ "locked": true })).await?;
                tx.commit().await?;
                return Err(CoreError::PinLocked { name: row.name });
            }
            Some(Hold::Paused(pause)) => {
                let clinic = clinic_in(&mut tx).await?.ok_or(CoreError::NotInitialized)?;
                let local =
                    DateTime::from_timestamp(pause.ends(), 0).unwrap_or(now).with_timezone(&clinic.tz);
                audit::append(&mut tx, now, &person, refused, nothing, &json!({ "paused": true })).await?;
                tx.commit().await?;
                return Err(CoreError::PinPaused { until: local.format("%H:%M").to_string() });
            }
            None => {}
        }
        let check = match early {
            Some(e) if e.id == id && e.pin.as_str() == pin && e.hash == hash => e.answer,
            _ => start_pin_check(pin, &hash),
        };
        if pin_answer(check).await? {
            sql::query(
                "UPDATE staff SET pin_failures = 0, pin_pauses = 0, pin_paused_at = NULL, pin_pause_seconds = NULL
                 WHERE id = $1",
            )
            .bind(id.0)
            .execute(&mut tx)
            .await?;
            let must_change_pin = validate::pin_too_short(pin);
            // The admin's previous sign-in, read before this one is written.
            let previous = audit::last_id_of(&mut tx, AuditAction::SignedIn, id).await?;
            let detail = if must_change_pin { json!({ "must_change_pin": true }) } else { json!({}) };
            audit::append(&mut tx, now, &person, AuditAction::SignedIn, nothing, &detail).await?;
            let security_notices = match role {
                Role::Admin => notices_after(&mut tx, previous.unwrap_or(0)).await?,
                Role::Receptionist | Role::Doctor => Vec::new(),
            };
            tx.commit().await?;
            let staff = self.staff(id).await?;
            return Ok(SignedIn { staff, must_change_pin, security_notices });
        }
        let refusal = count_wrong_pin(&mut tx, now, id, &row).await?;
        tx.commit().await?;
        Err(refusal)
    }

    /// The signed-in person chooses a new PIN for themselves (the step a short PIN's sign-in
    /// asks for), audited as a change of their own record (never the PIN).
    ///
    /// # Errors
    /// [`CoreError::Forbidden`] for anyone but a member of staff acting for themselves;
    /// [`CoreError::InvalidField`] on the PIN; [`CoreError::NotFound`] for an inactive account.
    pub async fn set_own_pin(&self, actor: &Actor, pin: &str) -> Result<Staff> {
        let Actor::Staff { id, .. } = *actor else {
            return Err(CoreError::Forbidden(
                "only the person signed in chooses their own PIN; an admin sets anyone's in Staff".into(),
            ));
        };
        let pin_hash = hash_pin(validate::pin(pin)?)?;
        let mut tx = self.write().await?;
        let changed = sql::query(
            "UPDATE staff SET pin_hash = $2, pin_failures = 0, pin_pauses = 0, pin_paused_at = NULL,
                    pin_pause_seconds = NULL
             WHERE id = $1 AND active",
        )
        .bind(id.0)
        .bind(&pin_hash)
        .execute(&mut tx)
        .await?;
        if changed == 0 {
            return Err(CoreError::NotFound { what: "staff member", id: id.0 });
        }
        let staff = super::directory::staff_in(&mut tx, id).await?;
        let detail = staff_detail(&staff, true);
        audit::append(&mut tx, self.now(), actor, AuditAction::StaffChanged, AuditAbout::NOTHING, &detail)
            .await?;
        tx.commit().await?;
        Ok(staff)
    }

    /// Lifts a lock or a pause of someone's sign-in and starts their count of wrong PINs again
    /// (admins), audited. Nothing is written when there is nothing to lift.
    ///
    /// # Errors
    /// [`CoreError::Forbidden`]; [`CoreError::NotFound`] for an unknown id.
    pub async fn unlock_staff(&self, actor: &Actor, id: StaffId) -> Result<Staff> {
        actor.may(Action::Administer)?;
        let now = self.now();
        let mut tx = self.write().await?;
        let row =
            pin_row(&mut tx, id).await?.ok_or(CoreError::NotFound { what: "staff member", id: id.0 })?;
        let was = match row.held(now.timestamp()) {
            Some(held) => held.as_str(),
            None if row.pin_failures > 0 || row.pin_pauses > 0 => "wrong_pins",
            None => {
                // Nothing to lift: no row, no audit.
                drop(tx);
                return self.staff(id).await;
            }
        };
        clear_pin_count(&mut tx, id).await?;
        let detail = json!({ "staff_id": id, "name": row.name, "was": was });
        audit::append(&mut tx, now, actor, AuditAction::SignInUnlocked, AuditAbout::NOTHING, &detail).await?;
        let staff = super::directory::staff_in(&mut tx, id).await?;
        tx.commit().await?;
        Ok(staff)
    }

    /// Everyone whose sign-in is locked, or paused now (the admin's staff screen).
    ///
    /// # Errors
    /// [`CoreError::Storage`].
    pub async fn sign_in_holds(&self) -> Result<Vec<SignInHold>> {
        let now = self.now().timestamp();
        let rows: Vec<PinRow> = sql::query_as(&format!(
            "SELECT {PIN_COLUMNS} FROM staff WHERE pin_locked_at IS NOT NULL OR pin_paused_at IS NOT NULL ORDER BY id"
        ))
        .fetch_all(self.reads())
        .await?;
        Ok(rows
            .into_iter()
            .filter_map(|row| {
                let staff_id = StaffId(row.id);
                Some(match row.held(now)? {
                    Hold::Locked => SignInHold { staff_id, locked: true, paused_until: None },
                    Hold::Paused(pause) => SignInHold {
                        staff_id,
                        locked: false,
                        paused_until: DateTime::from_timestamp(pause.ends(), 0),
                    },
                })
            })
            .collect())
    }
}

/// Counts a wrong PIN for `id` in `tx`: the refusal with the tries left, or the end of the
/// round (a pause, or the lock), audited.
async fn count_wrong_pin(tx: &mut Tx, now: DateTime<Utc>, id: StaffId, row: &PinRow) -> Result<CoreError> {
    let person = &Actor::Staff { id, role: row.role.parse()? };
    let (nothing, refused) = (AuditAbout::NOTHING, AuditAction::SignInRefused);
    let failures = row.pin_failures.saturating_add(1);
    let round = row.pin_pauses.saturating_add(1);
    let then = PinPenalty::after_round(round);
    let tries_left = MAX_PIN_FAILURES.saturating_sub(failures).max(0);
    if tries_left > 0 {
        sql::query("UPDATE staff SET pin_failures = $2 WHERE id = $1")
            .bind(id.0)
            .bind(failures)
            .execute(&mut *tx)
            .await?;
        audit::append(tx, now, person, refused, nothing, &json!({ "tries_left": tries_left })).await?;
        return Ok(CoreError::WrongPin { attempts_left: tries_left, then });
    }
    // The round is over: a pause, or the lock.
    let (paused_at, pause_seconds, locked_at) = match then {
        PinPenalty::Pause { minutes } => (Some(now.timestamp()), Some(minutes.saturating_mul(60)), None),
        PinPenalty::Lock => (None, None, Some(now.timestamp())),
    };
    sql::query(
        "UPDATE staff SET pin_failures = 0, pin_pauses = $2, pin_paused_at = $3, pin_pause_seconds = $4,
                pin_locked_at = $5
         WHERE id = $1",
    )
    .bind(id.0)
    .bind(round)
    .bind(paused_at)
    .bind(pause_seconds)
    .bind(locked_at)
    .execute(&mut *tx)
    .await?;
    audit::append(tx, now, person, refused, nothing, &json!({ "tries_left": 0 })).await?;
    let wrong_pins = round.saturating_mul(MAX_PIN_FAILURES);
    let (action, detail) = match then {
        PinPenalty::Pause { minutes } => (
            AuditAction::SignInPaused,
            json!({ "staff_id": id, "minutes": minutes, "wrong_pins": wrong_pins }),
        ),
        PinPenalty::Lock => (AuditAction::SignInLocked, json!({ "staff_id": id, "wrong_pins": wrong_pins })),
    };
    audit::append(tx, now, person, action, nothing, &detail).await?;
    Ok(CoreError::WrongPin { attempts_left: 0, then })
}

/// An admin's new PIN for `id` lifts a lock or a pause as an unlock does, and starts the count
/// of wrong PINs again: audited as an unlock when there was one to lift. Called in the admin's
/// change, in its transaction.
pub(super) async fn unlock_by_new_pin(
    tx: &mut Tx,
    now: DateTime<Utc>,
    actor: &Actor,
    id: StaffId,
) -> Result<()> {
    let Some(row) = pin_row(tx, id).await? else { return Ok(()) };
    let held = row.held(now.timestamp());
    clear_pin_count(tx, id).await?;
    if let Some(was) = held {
        let detail = json!({ "staff_id": id, "name": row.name, "was": was.as_str(), "new_pin": true });
        audit::append(tx, now, actor, AuditAction::SignInUnlocked, AuditAbout::NOTHING, &detail).await?;
    }
    Ok(())
}

/// Starts someone's count of wrong PINs again, with no pause and no lock.
async fn clear_pin_count(tx: &mut Tx, id: StaffId) -> Result<()> {
    sql::query(
        "UPDATE staff SET pin_failures = 0, pin_pauses = 0, pin_paused_at = NULL, pin_pause_seconds = NULL,
                pin_locked_at = NULL
         WHERE id = $1",
    )
    .bind(id.0)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// The pauses, locks and unlocks written after the audit row `after_id`, as an admin is told.
async fn notices_after(tx: &mut Tx, after_id: i64) -> Result<Vec<SecurityNotice>> {
    let actions = [AuditAction::SignInPaused, AuditAction::SignInLocked, AuditAction::SignInUnlocked];
    let rows = audit::rows_after(tx, after_id, &actions, MAX_NOTICES).await?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let names: std::collections::HashMap<i64, String> =
        sql::query_as::<(i64, String)>("SELECT id, name FROM staff")
            .fetch_all(&mut *tx)
            .await?
            .into_iter()
            .collect();
    Ok(rows.into_iter().filter_map(|row| notice(row, &names)).collect())
}

/// One audit row as an admin's notice; `None` for a row that names nobody (none is written so).
fn notice(row: AuditEntry, names: &std::collections::HashMap<i64, String>) -> Option<SecurityNotice> {
    let event = match row.action {
        AuditAction::SignInPaused => SecurityEvent::Paused,
        AuditAction::SignInLocked => SecurityEvent::Locked,
        AuditAction::SignInUnlocked => SecurityEvent::Unlocked,
        _ => return None,
    };
    let number = |key: &str| row.detail.get(key).and_then(serde_json::Value::as_i64);
    // Pauses and locks are written under the account they are for (and, since this version,
    // name it in the detail); unlocks under the admin, naming the account in the detail.
    let staff_id = match event {
        SecurityEvent::Unlocked => number("staff_id")?,
        SecurityEvent::Paused | SecurityEvent::Locked => {
            number("staff_id").or(row.actor_staff_id.map(|s| s.0))?
        }
    };
    let by = (event == SecurityEvent::Unlocked).then(|| row.actor_name.clone().unwrap_or(row.actor.clone()));
    Some(SecurityNotice {
        at: row.at,
        event,
        staff_id: StaffId(staff_id),
        staff_name: names.get(&staff_id).cloned().unwrap_or_else(|| format!("staff {staff_id}")),
        wrong_pins: number("wrong_pins"),
        minutes: number("minutes"),
        by,
    })
}
