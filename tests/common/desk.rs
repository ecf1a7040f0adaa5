//! A clinic with one admin and one doctor, its provider settings pointing at the OAuth server on
//! 127.0.0.1, and the doctor's accounts connected through the loopback as a browser would.

use std::sync::Arc;

use frontdesk_accounts::{Accounts, StartedFlow};
use frontdesk_core::store::ConnectionState;
use frontdesk_core::{Actor, Clock, Provider, Role, StaffId, Store, SystemClock};
use frontdesk_settings::secrets::{self, SecretStore};
use frontdesk_settings::{OsKeyring, RedirectMode, Secret, Setting, Settings};
use serde_json::{json, Value};

use super::OAuthPeer;

pub const DR_LEE: &str = "dr.lee@clinic.example";

pub struct Desk {
    pub dir: tempfile::TempDir,
    /// The clinic's database on the test server, in the PostgreSQL runs.
    pub server: Option<String>,
    pub store: Store,
    pub accounts: Arc<Accounts>,
    pub doctor: StaffId,
    pub peer: OAuthPeer,
    pub admin: Actor,
}

impl Desk {
    pub async fn new() -> Desk {
        Desk::with_clock(Arc::new(SystemClock)).await
    }

    pub async fn with_clock(clock: Arc<dyn Clock>) -> Desk {
        Desk::build(clock, super::on_postgres()).await
    }

    /// A single computer's clinic (its SQLite file), whatever the run.
    pub async fn on_this_computer() -> Desk {
        Desk::build(Arc::new(SystemClock), false).await
    }

    async fn build(clock: Arc<dyn Clock>, on_server: bool) -> Desk {
        super::capture_logs();
        let peer = OAuthPeer::start();
        let dir = tempfile::tempdir().unwrap();
        let (store, server) = super::open_store_on(dir.path(), clock.clone(), on_server).await;
        store.init_clinic("Maple Clinic", "America/Toronto").await.unwrap();
        let it = Actor::Tool { tool: "test", user: "it".into() };
        let admin = store.add_staff(&it, "Eli Admin", Role::Admin, Some("135790")).await.unwrap();
        let doctor = store.add_staff(&it, "Dr Ada Lee", Role::Doctor, None).await.unwrap().id;
        let accounts = Arc::new(
            Accounts::new(
                Settings::keeping(store.clone(), Arc::new(OsKeyring)),
                frontdesk_core::Locks::for_store(&store).unwrap(),
                clock,
            )
            .unwrap(),
        );
        let admin = Actor::Staff { id: admin.id, role: Role::Admin };
        let desk = Desk { dir, server, store, accounts, doctor, peer, admin };
        let zoom = desk.peer.zoom.clone();
        let microsoft = desk.peer.microsoft.clone();
        for (key, value) in [
            (Setting::ZoomAuthBase, zoom.clone()),
            (Setting::ZoomApiBase, format!("{zoom}/v2")),
            (Setting::ZoomClientId, "zoom-client".into()),
            (Setting::ZoomClientSecret, "zoom-secret".into()),
            (Setting::MicrosoftAuthBase, microsoft.clone()),
            (Setting::MicrosoftGraphBase, format!("{microsoft}/v1.0")),
            (Setting::MicrosoftClientId, "ms-client".into()),
        ] {
            desk.accounts.settings().config_set(&desk.admin, key, Some(&value)).await.unwrap();
        }
        desk
    }

    /// `frontdesk-cli` on this data folder.
    pub fn cli_command(&self) -> std::process::Command {
        let mut cmd = std::process::Command::new(super::cli_path());
        cmd.arg("--data-dir").arg(self.dir.path()).env_remove("FRONTDESK_DATA_DIR");
        match &self.server {
            Some(url) => cmd.env("FRONTDESK_DATABASE_URL", url),
            None => cmd.env_remove("FRONTDESK_DATABASE_URL"),
        };
        cmd
    }

    pub fn cli(&self, args: &[&str]) -> super::Run {
        super::run_with(self.cli_command().args(args))
    }

    pub async fn uid(&self) -> String {
        self.store.clinic_uid().await.unwrap()
    }

    pub async fn token_entry(&self, provider: Provider) -> Option<Value> {
        let name = secrets::token_name(&self.uid().await, self.doctor, provider);
        OsKeyring.get(&name).unwrap().map(|s| serde_json::from_str(s.expose()).unwrap())
    }

    /// Makes the stored access token look expired (as if an hour had passed).
    pub async fn expire_stored_token(&self, provider: Provider) {
        let name = secrets::token_name(&self.uid().await, self.doctor, provider);
        let mut entry = self.token_entry(provider).await.expect("stored tokens");
        entry["expires_at"] = json!(0);
        OsKeyring.set(&name, &Secret::new(entry.to_string())).unwrap();
    }

    /// Connects through the loopback redirect, as a browser would.
    pub async fn connect(&self, provider: Provider) -> frontdesk_accounts::Connected {
        let started = self
            .accounts
            .start_connect(&self.admin, self.doctor, provider, Some(RedirectMode::Loopback))
            .await
            .unwrap();
        let StartedFlow::Loopback(flow) = started else { panic!("loopback flow expected") };
        let url = flow.authorize_url.clone();
        let accounts = self.accounts.clone();
        let waiting = tokio::spawn(async move { accounts.finish_loopback(flow).await });
        let callback = OAuthPeer::approve(&url).await;
        let page = reqwest::get(&callback).await.unwrap();
        let status = page.status();
        let text = page.text().await.unwrap();
        assert!(status == 200 && text.contains("Connected as"), "{status}: {text}");
        waiting.await.unwrap().unwrap()
    }

    /// Points a provider's address elsewhere (a stand-in, Prism, a dead port) behind the back
    /// of the settings: the app refuses to change an address that receives tokens while doctors
    /// are connected, and the tests stage exactly that.
    pub async fn point(&self, setting: frontdesk_settings::Setting, address: &str) {
        self.store.set_provider_setting(&self.admin, setting.as_str(), Some(address)).await.unwrap();
    }

    pub async fn audit_actions(&self) -> Vec<String> {
        self.store
            .audit_log(&Default::default())
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.action.to_string())
            .collect()
    }

    pub async fn state(&self, provider: Provider) -> Option<ConnectionState> {
        self.store.connection(self.doctor, provider).await.unwrap().map(|c| c.state)
    }

    /// The database files (with the WAL) as bytes, to look for token values in.
    /// Connects the doctor's account with `frontdesk-cli connect` as a person would: the
    /// command prints the address, a browser signs in there, the answer comes back to the
    /// command's loopback. What it printed (`--json`), and what it said on standard error.
    pub async fn connect_with_cli(&self, provider: &str) -> (Value, String) {
        use std::io::BufRead;
        let mut child = self
            .cli_command()
            .args(["--json", "connect", provider, "--doctor", &self.doctor.to_string()])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
        let mut url = String::new();
        stdout.read_line(&mut url).unwrap();
        let url = url.trim().to_owned();
        assert!(url.contains("code_challenge="), "{url}");
        let callback = OAuthPeer::approve(&url).await;
        assert_eq!(reqwest::get(&callback).await.unwrap().status(), 200);
        let mut rest = String::new();
        std::io::Read::read_to_string(&mut stdout, &mut rest).unwrap();
        let mut errors = Vec::new();
        std::io::Read::read_to_end(&mut std::io::BufReader::new(stderr), &mut errors).unwrap();
        super::log_output(format!("{url}\n{rest}").as_bytes());
        super::log_output(&errors);
        assert!(child.wait().unwrap().success(), "{}", String::from_utf8_lossy(&errors));
        (serde_json::from_str(&rest).unwrap(), String::from_utf8_lossy(&errors).into_owned())
    }

    /// The clinic service on this desk's data folder and keyring, in the PostgreSQL runs (where
    /// the desk's command line asks it for whatever needs a token or a secret).
    pub fn service(&self) -> Option<super::Service> {
        self.server.as_deref().map(|url| super::Service::start(self.dir.path(), url))
    }

    /// Everything the clinic's database holds: the file (and its log), or a dump of the server's.
    pub fn database_bytes(&self) -> Vec<u8> {
        if let Some(url) = &self.server {
            let dump = std::process::Command::new("pg_dump").args(["--data-only", url]).output().unwrap();
            assert!(dump.status.success(), "{}", String::from_utf8_lossy(&dump.stderr));
            return dump.stdout;
        }
        // The file is encrypted: read what it holds, as someone with its key could.
        super::sqlite_dump(self.dir.path()).into_bytes()
    }
}

pub fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle.as_bytes())
}
