//! Helpers shared by the integration tests: the real `frontdesk-cli` binary and a scratch data folder.
#![allow(dead_code)]

pub mod desk;
pub mod prism;
pub mod standin;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

/// The `frontdesk-cli` binary of this build, built once per test run if it is not there yet.
pub fn cli_path() -> &'static Path {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        let exe = std::env::current_exe().expect("test executable path");
        // target/<profile>/deps/<test> -> target/<profile>
        let profile_dir = exe.parent().and_then(Path::parent).expect("target profile folder").to_path_buf();
        let bin = profile_dir.join(format!("frontdesk-cli{}", std::env::consts::EXE_SUFFIX));
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let mut build = Command::new(cargo);
        build.args(["build", "--quiet", "-p", "frontdesk-cli"]);
        if profile_dir.file_name().is_some_and(|n| n == "release") {
            build.arg("--release");
        }
        let status = build.status().expect("run cargo build");
        assert!(status.success(), "building frontdesk-cli failed");
        assert!(bin.is_file(), "{} missing after build", bin.display());
        bin
    })
}

/// A scratch clinic folder and a way to run the CLI on it. With `$FRONTDESK_CLI_ON_POSTGRES`
/// set, the clinic's schedule is a new database of its own on the test server that
/// `scripts/postgres` started (`$FRONTDESK_TEST_POSTGRES`), and every run names it with
/// `--database`: the same scenarios then run on the clinic's server.
pub struct Clinic {
    pub dir: tempfile::TempDir,
    /// The clinic's database on the test server, in the PostgreSQL runs.
    pub server: Option<String>,
}

/// Whether this run puts each clinic on the PostgreSQL test server.
pub fn on_postgres() -> bool {
    std::env::var_os("FRONTDESK_CLI_ON_POSTGRES").is_some()
}

/// A store for a test's clinic: the SQLite file in `dir`, or (in the PostgreSQL runs) a new
/// database of its own on the test server, with `dir` as the computer's data folder. Also the
/// database's address, for the command line (`--database`), in the PostgreSQL runs.
pub async fn open_store(
    dir: &Path,
    clock: std::sync::Arc<dyn frontdesk_core::Clock>,
) -> (frontdesk_core::Store, Option<String>) {
    open_store_on(dir, clock, on_postgres()).await
}

/// [`open_store`] on the server or on this computer's file, as `on_server` says.
pub async fn open_store_on(
    dir: &Path,
    clock: std::sync::Arc<dyn frontdesk_core::Clock>,
    on_server: bool,
) -> (frontdesk_core::Store, Option<String>) {
    use frontdesk_core::store::ServerAddress;
    if on_server {
        let url = new_postgres_database();
        let server = ServerAddress::parse(&url).expect("the test server's address");
        let store =
            frontdesk_core::Store::connect(&server, dir, clock).await.expect("connect to the test server");
        (store, Some(url))
    } else {
        let store = frontdesk_core::Store::open_with_clock(dir, clock, at_rest()).await;
        (store.expect("open the clinic's file"), None)
    }
}

/// A new database on the PostgreSQL test server, by its address.
pub fn new_postgres_database() -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let admin = std::env::var("FRONTDESK_TEST_POSTGRES").expect("run through scripts/postgres");
    let name = format!("cli{}_{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed));
    let out = Command::new("psql")
        .args(["-q", "-v", "ON_ERROR_STOP=1", &admin, "-c", &format!("CREATE DATABASE {name}")])
        .output()
        .expect("run psql");
    assert!(out.status.success(), "CREATE DATABASE failed: {}", String::from_utf8_lossy(&out.stderr));
    let base = admin.rsplit_once('/').map(|(base, _)| base).expect("a database address");
    format!("{base}/{name}")
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", self.stdout))
    }

    /// Asserts a bad-input failure: exit code 2 and exactly one line on stderr containing `needle`.
    #[track_caller]
    pub fn refused(&self, needle: &str) -> &Self {
        assert_eq!(self.code, 2, "expected exit 2; stdout={} stderr={}", self.stdout, self.stderr);
        assert_eq!(self.stderr.trim_end().lines().count(), 1, "one line on stderr: {:?}", self.stderr);
        assert!(self.stderr.starts_with("error: "), "{:?}", self.stderr);
        assert!(self.stderr.contains(needle), "stderr {:?} lacks {:?}", self.stderr, needle);
        assert!(self.stdout.is_empty(), "nothing on stdout: {:?}", self.stdout);
        self
    }

    #[track_caller]
    pub fn ok(&self) -> &Self {
        assert_eq!(self.code, 0, "expected success; stderr={}", self.stderr);
        self
    }
}

fn output(out: Output) -> Run {
    log_output(&out.stdout);
    log_output(&out.stderr);
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

impl Clinic {
    /// The clinic service on this clinic's data folder and keyring, in the PostgreSQL runs
    /// (where the command line asks it for whatever needs a token or a secret).
    pub fn service(&self) -> Option<Service> {
        self.server.as_deref().map(|url| Service::start(self.dir.path(), url))
    }

    /// An empty data folder (no clinic yet).
    pub fn empty() -> Clinic {
        let server = on_postgres().then(new_postgres_database);
        Clinic { dir: tempfile::tempdir().expect("tempdir"), server }
    }

    /// A clinic in America/Toronto with doctors 1 and 2, receptionist 3, patients 1 and 2, and
    /// types 1 (Consult, 30 min, zoom) and 2 (Checkup, 60 min, in-person).
    pub fn seeded() -> Clinic {
        Clinic::seed(Clinic::empty())
    }

    /// As [`Clinic::seeded`], always in the data folder's SQLite file.
    pub fn seeded_file() -> Clinic {
        Clinic::seed(Clinic { dir: tempfile::tempdir().expect("tempdir"), server: None })
    }

    /// Sets up the seeded clinic in `c` (its folder, or its database on the server).
    pub fn seed(c: Clinic) -> Clinic {
        c.run(&["init", "--clinic", "Maple Clinic", "--tz", "America/Toronto"]).ok();
        c.run(&["staff", "add", "--name", "Dr Ada Lee", "--role", "doctor"]).ok();
        c.run(&["staff", "add", "--name", "Dr Ben Roy", "--role", "doctor"]).ok();
        c.run_with_input(
            &["staff", "add", "--name", "Cal Desk", "--role", "receptionist", "--pin", "-"],
            "246802\n",
        )
        .ok();
        c.run(&[
            "patient",
            "add",
            "--name",
            "Jane Doe",
            "--email",
            "jane@example.com",
            "--phone",
            "+1 416 555 0100",
            "--dob",
            "1980-02-03",
        ])
        .ok();
        c.run(&["patient", "add", "--name", "Sam Roe"]).ok();
        c.run(&["type", "add", "--name", "Consult", "--minutes", "30", "--mode", "zoom"]).ok();
        c.run(&["type", "add", "--name", "Checkup", "--minutes", "60", "--mode", "in-person"]).ok();
        c
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn db(&self) -> PathBuf {
        self.path().join("frontdesk.db")
    }

    pub fn command(&self) -> Command {
        let mut cmd = Command::new(cli_path());
        cmd.arg("--data-dir").arg(self.path());
        if let Some(url) = &self.server {
            cmd.arg("--database").arg(url);
        }
        cmd.env_remove("FRONTDESK_DATA_DIR")
            .env_remove("FRONTDESK_CRASH_AT")
            .env_remove("FRONTDESK_LOSE_AT")
            .env_remove("FRONTDESK_DATABASE_URL");
        cmd
    }

    pub fn run(&self, args: &[&str]) -> Run {
        output(self.command().args(args).output().expect("run frontdesk-cli"))
    }

    /// [`Clinic::run`] with `input` on standard input (a PIN or a secret given as `-`).
    pub fn run_with_input(&self, args: &[&str], input: &str) -> Run {
        use std::io::Write;
        let mut child = self
            .command()
            .args(args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("run frontdesk-cli");
        child.stdin.take().expect("stdin").write_all(input.as_bytes()).expect("write stdin");
        output(child.wait_with_output().expect("run frontdesk-cli"))
    }

    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let run = self.run(&all);
        run.ok();
        run.json()
    }

    /// Every row of every table (as `pg_dump` dumps it, or [`sqlite_dump`]): equal dumps mean
    /// nothing changed.
    pub fn dump(&self) -> String {
        if let Some(url) = &self.server {
            let out = Command::new("pg_dump").args(["--data-only", url]).output().expect("run pg_dump");
            assert!(out.status.success(), "pg_dump failed: {}", String::from_utf8_lossy(&out.stderr));
            // Leave out the dump's random guard lines, and where each id sequence stands: a
            // rolled-back insert moves a sequence on without changing any row.
            return String::from_utf8_lossy(&out.stdout)
                .lines()
                .filter(|l| !l.starts_with("\\restrict") && !l.starts_with("\\unrestrict"))
                .filter(|l| !l.starts_with("SELECT pg_catalog.setval"))
                .collect::<Vec<_>>()
                .join("\n");
        }
        sqlite_dump(self.path())
    }

    /// Runs SQL that is meant to be refused, and gives what the shell said.
    pub fn try_sql(&self, sql: &str) -> String {
        let out = match &self.server {
            Some(url) => Command::new("psql").args(["-q", url, "-c", sql]).output(),
            None => return sqlite_exec(self.path(), sql).err().unwrap_or_default(),
        };
        String::from_utf8_lossy(&out.expect("run the SQL shell").stderr).into_owned()
    }

    /// Runs SQL on the clinic's file (with its key from the keyring), or with `psql`, to stage
    /// states the app itself never writes.
    pub fn sql(&self, sql: &str) {
        if let Some(url) = &self.server {
            let out = Command::new("psql")
                .args(["-q", "-v", "ON_ERROR_STOP=1", url, "-c", sql])
                .output()
                .expect("run psql");
            assert!(out.status.success(), "psql failed: {}", String::from_utf8_lossy(&out.stderr));
            return;
        }
        if let Err(e) = sqlite_exec(self.path(), sql) {
            panic!("{sql}: {e}");
        }
    }
}

/// How the app and the command line keep the data folder's file: encrypted, with its key in
/// this test session's keyring.
pub fn at_rest() -> frontdesk_core::store::AtRest {
    frontdesk_settings::database_at_rest(std::sync::Arc::new(frontdesk_settings::OsKeyring))
}

/// Runs `work` on a connection to the encrypted file in `dir`, past the app (as a program that
/// holds the key could), on a thread and runtime of its own.
fn on_the_file<T: Send + 'static>(
    dir: &Path,
    work: impl for<'c> FnOnce(
            &'c mut sqlx::SqliteConnection,
        )
            -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<T, String>> + Send + 'c>>
        + Send
        + 'static,
) -> Result<T, String> {
    let dir = dir.to_path_buf();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
        runtime.block_on(async move {
            use sqlx::{ConnectOptions, Connection};
            let options =
                frontdesk_core::store::file_options(&dir, &at_rest()).await.map_err(|e| e.to_string())?;
            let mut conn = options.connect().await.map_err(|e| e.to_string())?;
            let result = work(&mut conn).await;
            let _ = conn.close().await;
            result
        })
    })
    .join()
    .expect("the SQL thread")
}

/// Runs SQL on the clinic's file in `dir`; the error is the database's message.
pub fn sqlite_exec(dir: &Path, sql: &str) -> Result<(), String> {
    let sql = sql.to_owned();
    on_the_file(dir, move |conn| {
        Box::pin(async move {
            use sqlx::Executor;
            conn.execute(sql.as_str()).await.map(|_| ()).map_err(|e| e.to_string())
        })
    })
}

/// The schema and every row of every table of the clinic's file in `dir`, as text (each value
/// as SQL's `quote()` writes it).
pub fn sqlite_dump(dir: &Path) -> String {
    on_the_file(dir, |conn| {
        Box::pin(async move {
            let e = |e: sqlx::Error| e.to_string();
            let schema: Vec<(String, String)> = sqlx::query_as(
                "SELECT name, coalesce(sql, '') FROM sqlite_master WHERE name NOT LIKE 'sqlite_autoindex%' ORDER BY type, name",
            )
            .fetch_all(&mut *conn)
            .await
            .map_err(e)?;
            let mut dump = String::new();
            for (name, sql) in &schema {
                dump.push_str(sql);
                dump.push_str(";\n");
                if !sql.starts_with("CREATE TABLE") {
                    continue;
                }
                let columns: Vec<String> =
                    sqlx::query_scalar("SELECT name FROM pragma_table_info($1) ORDER BY cid")
                        .bind(name)
                        .fetch_all(&mut *conn)
                        .await
                        .map_err(e)?;
                let row = columns.iter().map(|c| format!("quote(\"{c}\")")).collect::<Vec<_>>().join(" || ',' || ");
                let rows: Vec<String> = sqlx::query_scalar(&format!("SELECT {row} FROM \"{name}\" ORDER BY rowid"))
                    .fetch_all(&mut *conn)
                    .await
                    .map_err(e)?;
                for values in rows {
                    dump.push_str(&format!("INSERT INTO {name} VALUES({values});\n"));
                }
            }
            Ok(dump)
        })
    })
    .expect("dump the clinic's file")
}

pub fn run_with(cmd: &mut Command) -> Run {
    output(cmd.output().expect("run frontdesk-cli"))
}

/// The OAuth test peer (`tests/peers/oauth-server.mjs`): a Zoom-shaped and a Microsoft-shaped
/// authorization server on 127.0.0.1, built on oidc-provider. Stopped when dropped.
pub struct OAuthPeer {
    child: std::process::Child,
    pub zoom: String,
    pub microsoft: String,
}

impl OAuthPeer {
    pub fn start() -> OAuthPeer {
        // A node process very occasionally stalls at start-up on this 2-core machine when many
        // start at once; give each attempt 20 seconds.
        for _ in 0..3 {
            if let Some(peer) = OAuthPeer::try_start(std::time::Duration::from_secs(20)) {
                return peer;
            }
        }
        panic!("the OAuth test peer did not start (node tests/peers/oauth-server.mjs)");
    }

    fn try_start(wait: std::time::Duration) -> Option<OAuthPeer> {
        use std::io::BufRead;
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut child = Command::new("node")
            .arg(root.join("tests/peers/oauth-server.mjs"))
            .args(["--zoom-port", "0", "--microsoft-port", "0"])
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("start node tests/peers/oauth-server.mjs (installed by scripts/setup)");
        let stdout = child.stdout.take().expect("peer stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = std::io::BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let Ok(line) = rx.recv_timeout(wait) else {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        };
        let ready: serde_json::Value =
            serde_json::from_str(&line).unwrap_or_else(|e| panic!("peer did not start ({e}): {line:?}"));
        Some(OAuthPeer {
            child,
            zoom: ready["zoom"].as_str().expect("zoom url").to_owned(),
            microsoft: ready["microsoft"].as_str().expect("microsoft url").to_owned(),
        })
    }

    fn base(&self, provider: &str) -> &str {
        if provider == "zoom" {
            &self.zoom
        } else {
            &self.microsoft
        }
    }

    /// `GET /test/stats` of one server.
    pub async fn stats(&self, provider: &str) -> serde_json::Value {
        reqwest::get(format!("{}/test/stats", self.base(provider))).await.unwrap().json().await.unwrap()
    }

    /// `POST /test/<what>` with a JSON body.
    pub async fn control(&self, provider: &str, what: &str, body: serde_json::Value) {
        let response = reqwest::Client::new()
            .post(format!("{}/test/{what}", self.base(provider)))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success(), "/test/{what}: {}", response.status());
    }

    /// What a browser does: follows the provider's redirects (with cookies) from the
    /// authorization URL until it is sent to the flow's `redirect_uri`, and returns that
    /// address without opening it.
    pub async fn approve(authorize_url: &str) -> String {
        let browser = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let mut url = url::Url::parse(authorize_url).unwrap();
        let redirect_prefix =
            url.query_pairs().find(|(k, _)| k == "redirect_uri").expect("redirect_uri").1.into_owned();
        let redirect_prefix = redirect_prefix.as_str();
        for _ in 0..12 {
            assert_eq!(url.host_str(), Some("127.0.0.1"), "tests talk to 127.0.0.1 only: {url}");
            let response = browser.get(url.clone()).send().await.unwrap();
            assert!(response.status().is_redirection(), "{url} answered {}", response.status());
            let location = response.headers()["location"].to_str().unwrap().to_owned();
            if location.starts_with(redirect_prefix) {
                return location;
            }
            url = url.join(&location).unwrap();
        }
        panic!("no redirect to {redirect_prefix}");
    }
}

impl Drop for OAuthPeer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Appends a program's output to `$FRONTDESK_TEST_LOG`, which the test command scans for token
/// and secret values at the end of the run.
pub fn log_output(bytes: &[u8]) {
    if let Some(path) = std::env::var_os("FRONTDESK_TEST_LOG") {
        use std::io::Write;
        if let Ok(mut file) = std::fs::OpenOptions::new().create(true).append(true).open(path) {
            let _ = file.write_all(bytes);
        }
    }
}

/// Sends this test binary's log lines, at debug level and from every crate, to
/// `$FRONTDESK_TEST_LOG` (scanned for token values at the end of the run).
pub fn capture_logs() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let Some(path) = std::env::var_os("FRONTDESK_TEST_LOG") else { return };
        let Ok(file) = std::fs::OpenOptions::new().create(true).append(true).open(path) else { return };
        let _ = tracing_subscriber::fmt()
            .with_writer(std::sync::Mutex::new(file))
            .with_max_level(tracing_subscriber::filter::LevelFilter::DEBUG)
            .with_ansi(false)
            .try_init();
    });
}

/// The clinic service (`frontdesk-cli server`) on a clinic's server, stopped when dropped.
pub struct Service {
    child: std::process::Child,
}

impl Service {
    /// Started in this test's desktop session, so sharing its keyring, on `data_dir`: the
    /// clinic service of the computer the test plays.
    pub fn start(data_dir: &Path, url: &str) -> Service {
        let mut cmd = Command::new(cli_path());
        cmd.arg("--data-dir").arg(data_dir).env_remove("FRONTDESK_DATA_DIR");
        Service::spawn(cmd, url)
    }

    /// Started as another computer's service would be: in a desktop session and keyring of its
    /// own (`scripts/session` again), on its own `data_dir`, with `args` after `server`.
    pub fn start_elsewhere(data_dir: &Path, url: &str, args: &[&str]) -> Result<Service, String> {
        let mut cmd = Command::new(Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/session"));
        cmd.env_remove("FRONTDESK_IN_SESSION").arg(cli_path()).arg("--data-dir").arg(data_dir);
        cmd.env_remove("FRONTDESK_DATA_DIR").args(["server"]).args(args);
        Service::try_spawn(cmd, url)
    }

    fn spawn(mut cmd: Command, url: &str) -> Service {
        cmd.arg("server");
        Service::try_spawn(cmd, url).expect("the clinic service starts")
    }

    /// Spawns it in a process group of its own, and waits for it to say it is running (it has
    /// registered by then); its error output when it stops instead.
    fn try_spawn(mut cmd: Command, url: &str) -> Result<Service, String> {
        use std::io::BufRead;
        cmd.env("FRONTDESK_DATABASE_URL", url);
        // (The tests run the service on Linux; the Windows build of the tests only compiles.)
        #[cfg(unix)]
        std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
        cmd.stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped());
        let mut child = cmd.spawn().expect("spawn the clinic service");
        let mut stdout = std::io::BufReader::new(child.stdout.take().expect("stdout"));
        let mut stderr = child.stderr.take().expect("stderr");
        let mut line = String::new();
        stdout.read_line(&mut line).expect("read the service's first line");
        if !line.contains("is running") {
            let mut errors = String::new();
            let _ = std::io::Read::read_to_string(&mut stderr, &mut errors);
            let _ = child.wait();
            return Err(errors);
        }
        // Keep reading, so that it never blocks on a full pipe.
        std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
        std::thread::spawn(move || std::io::copy(&mut stderr, &mut std::io::sink()));
        Ok(Service { child })
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill").args(["-TERM", "--", &group]).status();
        let _ = self.child.wait();
    }
}
