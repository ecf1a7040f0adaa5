//! The job runner's contract, run once for each channel (meetings, patient e-mail): due jobs go
//! once per pass, a deferred job waits for its time unless the pass ignores it, each job's
//! appointment is reported as changed, and a running runner wakes for a new job. The channels
//! are staged with nothing to talk to (no doctor connected, no SMTP server set up), so each job
//! comes back deferred without leaving 127.0.0.1.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests panic on purpose

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::NaiveDate;
use frontdesk_accounts::Accounts;
use frontdesk_core::store::NewPatient;
use frontdesk_core::{
    Actor, AppointmentId, BookingRequest, LocalTime, Locks, Mode, PatientId, Role, StaffId, Store,
    SystemClock, TypeId,
};
use frontdesk_jobs::{Channel, Runner};
use frontdesk_mail::Mail;
use frontdesk_meetings::Meetings;
use frontdesk_settings::{MemorySecrets, Settings};

struct Clinic {
    _dir: tempfile::TempDir,
    store: Store,
    settings: Settings,
    locks: Locks,
    accounts: Arc<Accounts>,
    doctor: StaffId,
    /// A patient with an e-mail address and one without.
    patients: [PatientId; 2],
    types: [TypeId; 2],
}

impl Clinic {
    async fn new() -> Clinic {
        let dir = tempfile::tempdir().unwrap();
        let (store, _) = common::open_store(dir.path(), Arc::new(SystemClock)).await;
        store.init_clinic("Maple Clinic", "America/Toronto").await.unwrap();
        let it = it();
        let doctor = store.add_staff(&it, "Dr Ada Lee", Role::Doctor, None).await.unwrap().id;
        let mailed = NewPatient {
            full_name: "Jane Doe".into(),
            email: Some("jane@example.org".into()),
            ..Default::default()
        };
        let unmailed = NewPatient { full_name: "Sam Roe".into(), ..Default::default() };
        let patients = [
            store.add_patient(&it, &mailed).await.unwrap().id,
            store.add_patient(&it, &unmailed).await.unwrap().id,
        ];
        let types = [
            store.add_type(&it, "Checkup", 30, Mode::InPerson).await.unwrap().id,
            store.add_type(&it, "Telehealth consult", 30, Mode::Zoom).await.unwrap().id,
        ];
        let settings = Settings::keeping(store.clone(), Arc::new(MemorySecrets::default()));
        let locks = Locks::for_store(&store).unwrap();
        let accounts =
            Arc::new(Accounts::new(settings.clone(), locks.clone(), Arc::new(SystemClock)).unwrap());
        Clinic { _dir: dir, store, settings, locks, accounts, doctor, patients, types }
    }

    /// Books a visit that makes one job for channel `C` only: an in-person visit of a patient
    /// with an address (one e-mail, no meeting), or a Zoom visit of one without (one meeting,
    /// no e-mail).
    async fn book_for<C: Channel>(&self, hour: u32) -> AppointmentId {
        let (patient, type_id) = if C::NAME == "mail" {
            (self.patients[0], self.types[0])
        } else {
            (self.patients[1], self.types[1])
        };
        let at = NaiveDate::from_ymd_opt(2031, 5, 5).unwrap().and_hms_opt(hour, 0, 0).unwrap();
        let tz = frontdesk_core::time::parse_zone("America/Toronto").unwrap();
        let request = BookingRequest {
            patient_id: patient,
            doctor_id: self.doctor,
            type_id,
            start: LocalTime { at, tz, fold: None },
            allow_overlap: false,
            allow_outside_hours: false,
            topic: None,
            description: None,
        };
        self.store.book(&it(), &request).await.unwrap().id
    }
}

fn it() -> Actor {
    Actor::Tool { tool: "test", user: "it".into() }
}

/// How many jobs a pass handled, and how many of them wait.
fn handled<R: serde::Serialize>(report: &R) -> (u64, u64) {
    let value = serde_json::to_value(report).unwrap();
    let total = value.as_object().unwrap().values().map(|v| v.as_u64().unwrap()).sum();
    (total, value["waiting"].as_u64().unwrap())
}

/// Runs `runner` in the background until the returned sender is used.
fn run_until_stopped<C: Channel>(
    runner: Arc<Runner<C>>,
) -> (tokio::sync::oneshot::Sender<()>, tokio::task::JoinHandle<()>) {
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(async move {
        runner
            .run(async {
                stopped.await.ok();
            })
            .await
    });
    (stop, running)
}

async fn the_runner_contract<C: Channel>(channel: impl FnOnce(&Clinic) -> C) {
    let clinic = Clinic::new().await;
    let changed = Arc::new(Mutex::new(Vec::new()));
    let seen = changed.clone();
    let runner = Runner::new(channel(&clinic), clinic.locks.clone(), Arc::new(SystemClock), move |id| {
        seen.lock().unwrap().push(id)
    });
    let first = clinic.book_for::<C>(9).await;

    // One job, sent once, deferred (nothing to send it to), its appointment reported.
    assert_eq!(handled(&runner.run_pass(false).await.unwrap()), (1, 1), "{}", C::NAME);
    assert_eq!(*changed.lock().unwrap(), vec![first]);
    // Deferred for later: the next pass leaves it; a pass that ignores due times takes it.
    assert_eq!(handled(&runner.run_pass(false).await.unwrap()), (0, 0), "{}", C::NAME);
    assert_eq!(handled(&runner.run_pass(true).await.unwrap()), (1, 1), "{}", C::NAME);
    // Report lines read as the command line prints them.
    assert!(!runner.run_pass(true).await.unwrap().to_string().is_empty());

    // Running: a new job is sent as soon as the runner is woken.
    let runner = Arc::new(runner);
    let (stop, running) = run_until_stopped(runner.clone());
    tokio::time::sleep(Duration::from_millis(300)).await;
    let second = clinic.book_for::<C>(11).await;
    runner.wake();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !changed.lock().unwrap().contains(&second) {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{}: the woken runner never sent the new job",
            C::NAME
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    stop.send(()).unwrap();
    running.await.unwrap();
}

#[tokio::test]
async fn the_meetings_channel_keeps_the_runner_contract() {
    the_runner_contract(|clinic| Meetings::new(clinic.accounts.clone())).await;
}

#[tokio::test]
async fn the_mail_channel_keeps_the_runner_contract() {
    the_runner_contract(|clinic| Mail::new(clinic.settings.clone(), Arc::new(SystemClock))).await;
}

/// A channel whose first send panics (a bug, or an answer nobody foresaw), then works.
struct Fragile {
    sends: Arc<std::sync::atomic::AtomicUsize>,
}

#[derive(Default, serde::Serialize)]
struct Sent(usize);

impl std::fmt::Display for Sent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} sent", self.0)
    }
}

impl Channel for Fragile {
    const NAME: &'static str = "fragile";
    const IDLE: (Duration, Duration) = (Duration::from_millis(10), Duration::from_millis(50));
    type Work = i64;
    type Outcome = ();
    type Report = Sent;
    type Pass = ();

    async fn next(&self, _: bool, seen: &[i64]) -> frontdesk_core::Result<Option<i64>> {
        Ok(seen.is_empty().then_some(1))
    }

    async fn next_due(&self) -> frontdesk_core::Result<Option<chrono::DateTime<chrono::Utc>>> {
        Ok(None)
    }

    fn key(work: &i64) -> i64 {
        *work
    }

    fn appointment(work: &i64) -> AppointmentId {
        AppointmentId(*work)
    }

    async fn send(&self, _: &i64, (): &mut ()) {
        if self.sends.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 0 {
            panic!("an answer nobody foresaw");
        }
    }

    async fn record(&self, _: &i64, (): &()) -> frontdesk_core::Result<()> {
        Ok(())
    }

    fn count(report: &mut Sent, (): &()) {
        report.0 += 1;
    }

    fn log(_: &i64, (): &()) {}
}

/// A pass that panics is logged and the channel goes on: one bad job never stops the sending.
#[tokio::test]
async fn a_pass_that_panics_does_not_stop_the_runner() {
    let clinic = Clinic::new().await;
    let sends = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let locks = frontdesk_core::Locks::for_store(&clinic.store).unwrap();
    let runner =
        Arc::new(Runner::new(Fragile { sends: sends.clone() }, locks, Arc::new(SystemClock), |_| {}));
    let (stop, running) = run_until_stopped(runner.clone());
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while sends.load(std::sync::atomic::Ordering::SeqCst) < 3 {
        assert!(tokio::time::Instant::now() < deadline, "the runner stopped after the panic");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    stop.send(()).unwrap();
    running.await.unwrap();
}
