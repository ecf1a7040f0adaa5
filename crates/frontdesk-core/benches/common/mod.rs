//! What the benchmarks share: percentiles and the `BENCH` lines they print.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)] // a benchmark panics on failure

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Duration;

use chrono::NaiveDate;
use frontdesk_core::time::day_bounds;

/// A shell script of `header`, then the day view's `query` for each of `days`, `passes` times,
/// with its parameters written in (no parameter is `NULL`: every doctor).
pub fn day_script(header: &str, query: &str, days: &[NaiveDate], tz: chrono_tz::Tz, passes: usize) -> String {
    let mut script = String::from(header);
    for _ in 0..passes {
        for d in days {
            let (from, to) = day_bounds(*d, tz);
            let sql = query
                .replace("$1", &from.timestamp().to_string())
                .replace("$2", &to.timestamp().to_string())
                .replace("$3", "NULL");
            script.push_str(&sql);
            script.push_str(";\n");
        }
    }
    script
}

/// Runs `shell` with `script` on its standard input and gives what it printed.
pub fn run_shell(shell: &mut Command, script: &str) -> String {
    let mut child = shell
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the reference shell (installed by scripts/setup)");
    child.stdin.take().unwrap().write_all(script.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The `p`th percentile of `samples` (nearest rank).
pub fn percentile(samples: &[Duration], p: f64) -> Duration {
    let mut sorted = samples.to_vec();
    sorted.sort_unstable();
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

/// Prints one `BENCH` line, with the reference measured in the same run when there is one.
pub fn report(name: &str, value: Duration, reference: Option<Duration>) {
    let ms = value.as_secs_f64() * 1e3;
    match reference {
        Some(r) => {
            let rms = r.as_secs_f64() * 1e3;
            println!("BENCH {name} {ms:.3} ms ref={rms:.3} ratio={:.2}", ms / rms.max(1e-6));
        }
        None => println!("BENCH {name} {ms:.3} ms"),
    }
}

/// A bench clinic in Toronto: a receptionist (staff 1), `doctors` doctors (staff 2 onwards) and
/// a 30-minute in-person "Consult" (type 1), entered through the store as the command line does.
pub async fn seed_clinic(store: &frontdesk_core::Store, doctors: i64) {
    use frontdesk_core::{Actor, Mode, Role};
    let it = Actor::Tool { tool: "bench", user: "bench".into() };
    store.init_clinic("Bench Clinic", "America/Toronto").await.unwrap();
    store.add_staff(&it, "Front Desk", Role::Receptionist, None).await.unwrap();
    for i in 1..=doctors {
        store.add_staff(&it, &format!("Dr {i}"), Role::Doctor, None).await.unwrap();
    }
    store.add_type(&it, "Consult", 30, Mode::InPerson).await.unwrap();
}

/// `sql` run `warm + samples` times by the `sqlite3` shell on the file `db` (read only): the CPU
/// time (user + sys) of each of the last `samples` runs.
pub fn sqlite3_times(db: &std::path::Path, sql: &str, warm: usize, samples: usize) -> Vec<Duration> {
    let mut script = String::from(".timer on\n.output /dev/null\n");
    for _ in 0..warm + samples {
        script.push_str(sql);
    }
    let text = run_shell(Command::new("sqlite3").arg("-readonly").arg(db), &script);
    let times = sqlite3_timer_lines(&text);
    assert_eq!(times.len(), warm + samples, "sqlite3 timer lines: {text}");
    times[warm..].to_vec()
}

/// The CPU time (user + sys) of each statement, from the `sqlite3` shell's `.timer on` lines.
pub fn sqlite3_timer_lines(text: &str) -> Vec<Duration> {
    text.lines()
        .filter_map(|l| {
            let mut words = l.split_whitespace();
            let _ = words.position(|w| w == "user")?;
            let user: f64 = words.next()?.parse().ok()?;
            let _ = words.next()?; // "sys"
            let sys: f64 = words.next()?.parse().ok()?;
            Some(Duration::from_secs_f64(user + sys))
        })
        .collect()
}

/// A new, empty database named `<prefix><process id>` on the PostgreSQL server whose
/// superuser address is `admin`, and its address.
pub async fn new_database(admin: &str, prefix: &str) -> String {
    let pool = sqlx::PgPool::connect(admin).await.unwrap();
    let name = format!("{prefix}{}", std::process::id());
    sqlx::query(&format!("CREATE DATABASE {name}")).execute(&pool).await.unwrap();
    pool.close().await;
    format!("{}/{name}", admin.rsplit_once('/').unwrap().0)
}

/// The round trip of each statement, from the `psql` shell's `\timing` lines.
pub fn psql_timings(text: &str) -> Vec<Duration> {
    text.lines()
        .filter_map(|l| l.strip_prefix("Time: ")?.split_whitespace().next()?.parse::<f64>().ok())
        .map(|ms| Duration::from_secs_f64(ms / 1000.0))
        .collect()
}
