//! Connecting Zoom and Microsoft accounts against a real OAuth server on 127.0.0.1
//! (oidc-provider, shaped like each provider: see tests/peers/oauth-server.mjs), with tokens in
//! the real OS keyring (Secret Service; `scripts/test` runs the suite in a D-Bus session with an
//! unlocked gnome-keyring).

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests panic on purpose

mod common;

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use common::desk::{contains, Desk, DR_LEE};
use common::OAuthPeer;
use frontdesk_accounts::{AccountError, StartedFlow};
use frontdesk_core::store::{ConnectionKind, ConnectionState};
use frontdesk_core::HandClock;
use frontdesk_core::{Actor, Provider, Role, SystemClock};
use frontdesk_settings::secrets::{self, SecretStore};
use frontdesk_settings::{OsKeyring, RedirectMode, Setting, Settings};
use serde_json::{json, Value};

#[tokio::test(flavor = "multi_thread")]
async fn zoom_connects_through_the_loopback_with_pkce_and_basic_auth() {
    let desk = Desk::new().await;
    let connected = desk.connect(Provider::Zoom).await;
    assert_eq!(connected.account_email, DR_LEE);
    assert_eq!(desk.state(Provider::Zoom).await, Some(ConnectionState::Connected));
    let connection = desk.store.connection(desk.doctor, Provider::Zoom).await.unwrap().unwrap();
    assert_eq!(connection.account_email.as_deref(), Some(DR_LEE));
    assert_eq!(connection.kind, ConnectionKind::User);

    // The pair is in the OS keyring, and nowhere in the database.
    let entry = desk.token_entry(Provider::Zoom).await.expect("tokens in the keyring");
    let access = entry["access_token"].as_str().unwrap();
    let refresh = entry["refresh_token"].as_str().unwrap();
    let db = desk.database_bytes();
    assert!(!contains(&db, access) && !contains(&db, refresh), "a token reached the database");
    // It works: the account's identity is read with it.
    assert_eq!(desk.accounts.check(desk.doctor, Provider::Zoom).await.unwrap(), DR_LEE);
    assert_eq!(desk.peer.stats("zoom").await["token_requests"]["authorization_code"], 1);
    assert_eq!(desk.audit_actions().await.iter().filter(|a| *a == "connected").count(), 1);
}

#[test]
fn microsoft_connects_through_the_deep_link_handler() {
    use tauri::Manager;
    let dir = tempfile::tempdir().unwrap();
    let peer = OAuthPeer::start();
    let config = frontdesk_app::AppConfig {
        data_dir: Some(dir.path().to_path_buf()),
        database: None,
        clock: Arc::new(SystemClock),
        secrets: Arc::new(OsKeyring),
        browser: Arc::new(|_url: &str| Ok(())),
    };
    let app = frontdesk_app::builder(tauri::test::mock_builder(), config)
        .build(tauri::generate_context!())
        .unwrap();
    tauri::async_runtime::block_on(async {
        let state = app.state::<frontdesk_app::AppState>();
        let store = state.store.as_ref().unwrap().clone();
        store.init_clinic("Maple Clinic", "America/Toronto").await.unwrap();
        let admin = Actor::Tool { tool: "test", user: "it".into() };
        let doctor = store.add_staff(&admin, "Dr Ada Lee", Role::Doctor, None).await.unwrap().id;
        let accounts = state.accounts.as_ref().unwrap().clone();
        for (key, value) in [
            (Setting::MicrosoftAuthBase, peer.microsoft.clone()),
            (Setting::MicrosoftGraphBase, format!("{}/v1.0", peer.microsoft)),
            (Setting::MicrosoftClientId, "ms-client".into()),
            (Setting::MicrosoftRedirect, "deep-link".into()),
        ] {
            accounts.settings().config_set(&admin, key, Some(&value)).await.unwrap();
        }
        let started = accounts.start_connect(&admin, doctor, Provider::Microsoft, None).await.unwrap();
        let StartedFlow::DeepLink(flow) = started else { panic!("deep-link flow expected") };
        assert!(flow.authorize_url.contains("code_challenge_method=S256"));
        assert!(flow.authorize_url.contains("offline_access"));
        let link = OAuthPeer::approve(&flow.authorize_url).await;
        assert!(link.starts_with("frontdesk://oauth/microsoft/callback?"), "{link}");

        let event = frontdesk_app::handle_deep_link(app.handle(), &link).await.expect("a connect outcome");
        assert_eq!(event.account_email.as_deref(), Some(DR_LEE), "{event:?}");
        assert_eq!(event.doctor_id, doctor);

        // The same answer again (a replay) is refused, and exchanges nothing.
        let replay = frontdesk_app::handle_deep_link(app.handle(), &link).await.unwrap();
        assert!(
            replay.error.as_deref().unwrap().contains("does not match a connection in progress"),
            "{replay:?}"
        );
        assert_eq!(peer.stats("microsoft").await["token_requests"]["authorization_code"], 1);
        let connection = store.connection(doctor, Provider::Microsoft).await.unwrap().unwrap();
        assert_eq!(connection.state, ConnectionState::Connected);
        accounts.disconnect(&admin, doctor, Provider::Microsoft).await.unwrap();
    });
}

#[tokio::test(flavor = "multi_thread")]
async fn forged_expired_and_refused_answers_store_nothing() {
    let clock = Arc::new(HandClock(AtomicI64::new(1_800_000_000)));
    let desk = Desk::with_clock(clock.clone()).await;
    desk.accounts
        .settings()
        .config_set(&desk.admin, Setting::MicrosoftRedirect, Some("deep-link"))
        .await
        .unwrap();
    let start = || async {
        match desk.accounts.start_connect(&desk.admin, desk.doctor, Provider::Microsoft, None).await.unwrap()
        {
            StartedFlow::DeepLink(flow) => flow.authorize_url,
            StartedFlow::Loopback(_) => panic!("deep-link flow expected"),
        }
    };
    let query_of = |link: &str| link.split_once('?').unwrap().1.to_owned();
    let state_of = |url: &str| {
        url::Url::parse(url).unwrap().query_pairs().find(|(k, _)| k == "state").unwrap().1.into_owned()
    };

    // A forged state.
    let url = start().await;
    let link = OAuthPeer::approve(&url).await;
    let forged = query_of(&link).replace(&state_of(&url), "forged-state");
    let err = desk.accounts.complete_deep_link(Provider::Microsoft, &forged).await.unwrap_err();
    assert!(matches!(err, AccountError::Callback(_)), "{err}");
    // The answer for the wrong provider.
    let err = desk.accounts.complete_deep_link(Provider::Zoom, &query_of(&link)).await.unwrap_err();
    assert!(matches!(err, AccountError::Callback(_)), "{err}");

    // The provider's error (the doctor refused), with the right state.
    let url = start().await;
    let refused = format!("error=access_denied&state={}&iss=x", state_of(&url));
    let err = desk.accounts.complete_deep_link(Provider::Microsoft, &refused).await.unwrap_err();
    assert!(err.to_string().contains("access_denied"), "{err}");
    // Missing parameters.
    let err = desk.accounts.complete_deep_link(Provider::Microsoft, "state=").await.unwrap_err();
    assert!(matches!(err, AccountError::Callback(_)), "{err}");

    // An answer that comes after the 10 minutes.
    let url = start().await;
    let link = OAuthPeer::approve(&url).await;
    clock.0.fetch_add(10 * 60 + 1, Ordering::SeqCst);
    let err = desk.accounts.complete_deep_link(Provider::Microsoft, &query_of(&link)).await.unwrap_err();
    assert!(err.to_string().contains("older than 10 minutes"), "{err}");

    // Nothing was exchanged or stored.
    assert_eq!(desk.peer.stats("microsoft").await["token_requests"]["authorization_code"], 0);
    assert!(desk.token_entry(Provider::Microsoft).await.is_none());
    assert_eq!(desk.state(Provider::Microsoft).await, None);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_request_to_the_loopback_does_not_cancel_the_sign_in() {
    let desk = Desk::new().await;
    let started = desk
        .accounts
        .start_connect(&desk.admin, desk.doctor, Provider::Zoom, Some(RedirectMode::Loopback))
        .await
        .unwrap();
    let StartedFlow::Loopback(flow) = started else { panic!() };
    let url = flow.authorize_url.clone();
    let accounts = desk.accounts.clone();
    let waiting = tokio::spawn(async move { accounts.finish_loopback(flow).await });
    let callback = OAuthPeer::approve(&url).await;
    let base = callback.split_once('?').unwrap().0;
    // Another program knocks with a forged state, or without one: error pages, still waiting.
    for knock in
        [format!("{base}?code=stolen&state=forged"), format!("{base}?code=x"), base.replace("/callback", "/")]
    {
        let response = reqwest::get(&knock).await.unwrap();
        assert_eq!(response.status(), 400, "{knock}");
    }
    assert!(!waiting.is_finished());
    let page = reqwest::get(&callback).await.unwrap();
    assert_eq!(page.status(), 200);
    assert_eq!(waiting.await.unwrap().unwrap().account_email, DR_LEE);
    // The listener is closed now: a replay cannot even connect.
    assert!(reqwest::get(&callback).await.is_err());
}

#[tokio::test(flavor = "multi_thread")]
async fn fifty_calls_with_an_expired_token_refresh_once() {
    let desk = Desk::new().await;
    desk.connect(Provider::Zoom).await;
    for round in 0..2 {
        if round == 0 {
            // Expired by the clock: the calls notice before sending.
            desk.expire_stored_token(Provider::Zoom).await;
        } else {
            // Expired at the provider: the calls get 401 (Zoom code 124) and refresh once.
            desk.peer.control("zoom", "expire-access-tokens", json!({})).await;
        }
        desk.peer.control("zoom", "reset", json!({})).await;
        let calls: Vec<_> = (0..50)
            .map(|_| {
                let accounts = desk.accounts.clone();
                let doctor = desk.doctor;
                tokio::spawn(async move { accounts.check(doctor, Provider::Zoom).await })
            })
            .collect();
        for call in calls {
            assert_eq!(call.await.unwrap().unwrap(), DR_LEE);
        }
        let stats = desk.peer.stats("zoom").await;
        assert_eq!(stats["token_requests"]["refresh_token"], 1, "round {round}: {stats}");
        assert_eq!(stats["refresh_failures"], 0);
        assert_eq!(desk.state(Provider::Zoom).await, Some(ConnectionState::Connected));
    }
    // The connection survives: the next call works with the rotated pair.
    assert_eq!(desk.accounts.check(desk.doctor, Provider::Zoom).await.unwrap(), DR_LEE);
}

#[tokio::test(flavor = "multi_thread")]
async fn two_processes_with_an_expired_token_refresh_once() {
    let desk = Desk::new().await;
    desk.connect(Provider::Zoom).await;
    for round in 0..3 {
        desk.expire_stored_token(Provider::Zoom).await;
        desk.peer.control("zoom", "reset", json!({})).await;
        // On the clinic's server both ask the clinic service (started afresh, nothing cached).
        let _service = desk.service();
        let spawn = || {
            let mut cmd = desk.cli_command();
            cmd.args(["accounts", "--check"]);
            cmd.stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped()).spawn().unwrap()
        };
        let (a, b) = (spawn(), spawn());
        for child in [a, b] {
            let out = child.wait_with_output().unwrap();
            common::log_output(&out.stdout);
            common::log_output(&out.stderr);
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(out.status.success() && stderr.is_empty(), "round {round}: {stderr}");
            assert!(String::from_utf8_lossy(&out.stdout).contains("connected"));
        }
        let stats = desk.peer.stats("zoom").await;
        assert_eq!(stats["token_requests"]["refresh_token"], 1, "round {round}: {stats}");
    }
    assert_eq!(desk.accounts.check(desk.doctor, Provider::Zoom).await.unwrap(), DR_LEE);
}

#[tokio::test(flavor = "multi_thread")]
async fn revocation_at_the_provider_shows_as_disconnected() {
    let desk = Desk::new().await;
    desk.connect(Provider::Microsoft).await;
    desk.peer.control("microsoft", "revoke-account", json!({ "account": DR_LEE })).await;
    desk.expire_stored_token(Provider::Microsoft).await;
    let err = desk.accounts.check(desk.doctor, Provider::Microsoft).await.unwrap_err();
    assert!(matches!(err, AccountError::Revoked { .. }), "{err}");
    assert!(err.to_string().contains("disconnected — reconnect"), "{err}");
    let connection = desk.store.connection(desk.doctor, Provider::Microsoft).await.unwrap().unwrap();
    assert_eq!(connection.state, ConnectionState::Disconnected);
    assert!(connection.needs_reconnect);
    assert!(connection.problem.unwrap().contains("reconnect"));
    assert!(desk.token_entry(Provider::Microsoft).await.is_none(), "dead tokens are deleted");
    assert_eq!(desk.audit_actions().await.iter().filter(|a| *a == "revoke_detected").count(), 1);
    // Later calls say "not connected" without asking the provider again.
    let err = desk.accounts.check(desk.doctor, Provider::Microsoft).await.unwrap_err();
    assert!(matches!(err, AccountError::NotConnected { .. }), "{err}");
    assert_eq!(desk.peer.stats("microsoft").await["refresh_failures"], 1);
    // And the command line shows it.
    let run = desk.cli(&["accounts"]);
    assert!(run.stdout.contains("disconnected"), "{}", run.stdout);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_error_during_refresh_keeps_the_token_for_later() {
    let desk = Desk::new().await;
    desk.connect(Provider::Zoom).await;
    let before = desk.token_entry(Provider::Zoom).await.unwrap();
    desk.expire_stored_token(Provider::Zoom).await;
    desk.peer.control("zoom", "fail-token", json!({ "status": 503, "count": 1 })).await;
    let err = desk.accounts.check(desk.doctor, Provider::Zoom).await.unwrap_err();
    assert!(matches!(err, AccountError::Unreachable { .. }), "{err}");
    let kept = desk.token_entry(Provider::Zoom).await.unwrap();
    assert_eq!(kept["refresh_token"], before["refresh_token"], "the same refresh token is kept");
    assert_eq!(desk.state(Provider::Zoom).await, Some(ConnectionState::Connected));
    // The next try refreshes with that same token and works.
    assert_eq!(desk.accounts.check(desk.doctor, Provider::Zoom).await.unwrap(), DR_LEE);
    assert_eq!(desk.audit_actions().await.iter().filter(|a| *a == "refresh_failed").count(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn disconnect_revokes_at_zoom_and_deletes_even_when_offline() {
    let desk = Desk::new().await;
    desk.connect(Provider::Zoom).await;
    let access = desk.token_entry(Provider::Zoom).await.unwrap()["access_token"].as_str().unwrap().to_owned();
    let result = desk.accounts.disconnect(&desk.admin, desk.doctor, Provider::Zoom).await.unwrap();
    assert!(result.revoked_at_provider, "{result:?}");
    assert_eq!(desk.peer.stats("zoom").await["revocations"], 1);
    assert!(desk.token_entry(Provider::Zoom).await.is_none());
    let connection = desk.store.connection(desk.doctor, Provider::Zoom).await.unwrap().unwrap();
    assert_eq!(connection.state, ConnectionState::Disconnected);
    assert!(!connection.needs_reconnect, "disconnected on purpose: nobody is told to reconnect");
    let me = reqwest::Client::new()
        .get(format!("{}/v2/users/me", desk.peer.zoom))
        .bearer_auth(&access)
        .send()
        .await;
    assert_eq!(me.unwrap().status(), 401, "the revoked token no longer works");

    // Offline: the provider cannot be reached, the tokens go anyway.
    desk.connect(Provider::Zoom).await;
    desk.point(Setting::ZoomAuthBase, "http://127.0.0.1:9").await;
    let result = desk.accounts.disconnect(&desk.admin, desk.doctor, Provider::Zoom).await.unwrap();
    assert!(!result.revoked_at_provider);
    assert!(result.note.unwrap().contains("could not reach Zoom"));
    assert!(desk.token_entry(Provider::Zoom).await.is_none());
    let actions = desk.audit_actions().await;
    assert_eq!(actions.iter().filter(|a| *a == "disconnected").count(), 2);
    assert_eq!(actions.iter().filter(|a| *a == "revoked_at_provider").count(), 1);
    assert_eq!(actions.iter().filter(|a| *a == "connected").count(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn zoom_server_to_server_acts_for_a_doctor_by_email() {
    let desk = Desk::new().await;
    for (key, value) in [
        (Setting::ZoomS2sAccountId, "acct-1"),
        (Setting::ZoomS2sClientId, "s2s-client"),
        (Setting::ZoomS2sClientSecret, "s2s-secret"),
    ] {
        desk.accounts.settings().config_set(&desk.admin, key, Some(value)).await.unwrap();
    }
    let connected = desk.accounts.connect_server_to_server(&desk.admin, desk.doctor, DR_LEE).await.unwrap();
    assert_eq!(connected.account_email, DR_LEE);
    let connection = desk.store.connection(desk.doctor, Provider::Zoom).await.unwrap().unwrap();
    assert_eq!(connection.kind, ConnectionKind::ServerToServer);
    // The token is cached until it expires: a second use asks Zoom for none.
    desk.accounts.s2s_access_token().await.unwrap();
    assert_eq!(desk.peer.stats("zoom").await["token_requests"]["account_credentials"], 1);
    // A user Zoom does not know is refused.
    let err = desk
        .accounts
        .connect_server_to_server(&desk.admin, desk.doctor, "nobody@clinic.example")
        .await
        .unwrap_err();
    assert!(err.to_string().contains("no user nobody@clinic.example"), "{err}");
    // The secret is only in the keyring.
    assert!(!contains(&desk.database_bytes(), "s2s-secret"));
    assert!(!contains(&desk.database_bytes(), "zoom-secret"));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_command_line_connects_through_the_loopback() {
    let desk = Desk::new().await;
    let _service = desk.service();
    let (printed, _) = desk.connect_with_cli("teams").await;
    assert_eq!(printed["account_email"], DR_LEE);
    assert_eq!(printed["provider"], "microsoft");

    let list = desk.cli(&["--json", "accounts"]);
    let list: Value = serde_json::from_str(&list.stdout).unwrap();
    assert_eq!(list[0]["state"], "connected");
    assert_eq!(list[0]["account_email"], DR_LEE);
    let run = desk.cli(&["disconnect", "teams", "--doctor", &desk.doctor.to_string()]);
    run.ok();
    assert!(run.stdout.contains("Disconnected"), "{}", run.stdout);
}

#[tokio::test(flavor = "multi_thread")]
async fn secrets_come_only_from_standard_input_and_show_only_as_set() {
    use std::io::Write;
    let desk = Desk::new().await;
    let _service = desk.service();
    desk.cli(&["config", "set", "zoom.s2s_client_secret", "s3cret-on-the-line"])
        .refused("give - and write the value on standard input");
    let mut child = desk
        .cli_command()
        .args(["config", "set", "zoom.s2s_client_secret", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"from-stdin-secret\n").unwrap();
    assert!(child.wait_with_output().unwrap().status.success());
    let get = desk.cli(&["config", "get", "zoom.s2s_client_secret"]);
    assert_eq!(get.stdout.trim(), "set");
    let name = secrets::setting_name(&desk.uid().await, Setting::ZoomS2sClientSecret);
    assert_eq!(OsKeyring.get(&name).unwrap().unwrap().expose(), "from-stdin-secret");
    assert!(!contains(&desk.database_bytes(), "from-stdin-secret"));
    // Plain settings: set, get, defaults, checked values.
    desk.cli(&["config", "set", "zoom.api_base", "https://api.zoomgov.com/v2/"]).ok();
    assert_eq!(desk.cli(&["config", "get", "zoom.api_base"]).stdout.trim(), "https://api.zoomgov.com/v2");
    assert_eq!(desk.cli(&["config", "get", "microsoft.tenant"]).stdout.trim(), "organizations");
    desk.cli(&["config", "set", "zoom.api_base", "http://api.zoom.us/v2"]).refused("https://");
    desk.cli(&["config", "set", "microsoft.tenant", "consumers"]).refused("personal Microsoft accounts");
    desk.cli(&["config", "set", "zoom.colour", "blue"]).refused("is not a setting");
}

/// The doctors' tokens go only to the providers' own hosts, unless an admin allows others in a
/// way every desk then shows; every change is audited.
#[tokio::test(flavor = "multi_thread")]
async fn provider_addresses_name_the_providers_own_hosts_unless_an_admin_allows_others() {
    let desk = Desk::new().await;
    let settings = Settings::new(desk.store.clone(), Arc::new(OsKeyring));
    let proxy = "https://zoom-proxy.clinic.example/v2";
    desk.cli(&["config", "set", "zoom.api_base", proxy]).refused("not one of Zoom's own addresses");
    desk.cli(&["config", "set", "zoom.auth_base", "https://zoom.us.evil.example"]).refused("Zoom's own");
    desk.cli(&["config", "set", "microsoft.graph_base", "https://graph.microsoft.com.evil.example/v1.0"])
        .refused("Microsoft's own");
    // National clouds and ZoomGov are the providers' own.
    desk.cli(&["config", "set", "microsoft.graph_base", "https://dod-graph.microsoft.us/v1.0"]).ok();
    desk.cli(&["config", "set", "microsoft.auth_base", "https://login.microsoftonline.us"]).ok();
    desk.cli(&["config", "set", "zoom.api_base", "https://api.zoomgov.com/v2"]).ok();
    assert!(settings.other_hosts().await.unwrap().is_empty());
    // An explicit choice allows another host, and is what the desks then show.
    desk.cli(&["config", "set", "providers.hosts", "anything"]).refused("choose own");
    desk.cli(&["config", "set", "providers.hosts", "any"]).ok();
    desk.cli(&["config", "set", "zoom.api_base", proxy]).ok();
    assert_eq!(settings.other_hosts().await.unwrap(), vec![(Setting::ZoomApiBase, proxy.to_owned())]);
    desk.cli(&["config", "set", "providers.hosts", "own"]).refused("set it back first");
    desk.cli(&["config", "set", "zoom.api_base", "https://api.zoom.us/v2"]).ok();
    desk.cli(&["config", "set", "providers.hosts", "own"]).ok();
    let log = desk.cli(&["--json", "audit", "--action", "setting_changed"]).json();
    let keys: Vec<_> =
        log.as_array().unwrap().iter().map(|e| e["detail"]["key"].as_str().unwrap().to_owned()).collect();
    assert_eq!(keys.iter().filter(|k| *k == "providers.hosts").count(), 2, "{keys:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_missing_keyring_is_named_in_the_error() {
    let desk = Desk::new().await;
    let mut cmd = desk.cli_command();
    cmd.args(["config", "get", "zoom.client_secret"])
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus");
    let run = common::run_with(&mut cmd);
    if desk.server.is_some() {
        // A desk in clinic mode keeps no secret: whether one is set is read from the server.
        assert_eq!(run.ok().stdout.trim(), "set");
        return;
    }
    run.refused("system keyring is locked or unavailable");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_locked_keyring_is_named_in_the_error() {
    // A D-Bus session of its own whose keyring daemon starts locked (nobody unlocks it).
    let desk = Desk::new().await;
    let keyrings = tempfile::tempdir().unwrap();
    let mut cmd = std::process::Command::new("dbus-run-session");
    cmd.arg("--").arg(common::cli_path()).arg("--data-dir").arg(desk.dir.path());
    if let Some(url) = &desk.server {
        cmd.env("FRONTDESK_DATABASE_URL", url);
    }
    cmd.args(["config", "get", "zoom.client_secret"]).env("XDG_DATA_HOME", keyrings.path());
    let run = common::run_with(&mut cmd);
    let stderr: String = run.stderr.lines().filter(|l| !l.starts_with("dbus-daemon")).collect();
    if desk.server.is_some() {
        assert_eq!(run.code, 0, "a desk in clinic mode reads it from the server: {stderr}");
        return;
    }
    assert_eq!(run.code, 2, "{stderr}");
    assert!(stderr.contains("system keyring is locked or unavailable (it is locked)"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_disconnect_by_another_process_is_seen_at_once_despite_the_token_in_memory() {
    let desk = Desk::new().await;
    desk.connect(Provider::Zoom).await;
    // Read once: this process now keeps the access token in memory.
    desk.accounts.access_token(desk.doctor, Provider::Zoom).await.unwrap();
    let _service = desk.service();
    desk.cli(&["disconnect", "zoom", "--doctor", &desk.doctor.to_string()]).ok();
    let err = desk.accounts.access_token(desk.doctor, Provider::Zoom).await.unwrap_err();
    assert!(matches!(err, AccountError::NotConnected { .. }), "{err}");
}

/// A new address for a provider's sign-in or API (which receives doctors' tokens) disconnects
/// every doctor connected to that provider first: their tokens are deleted (and revoked at the
/// old address), so the next call cannot carry them to the new one. A bad value disconnects
/// nobody; another provider's doctors stay; the settings screen and the command line do the same;
/// a change made past the accounts layer is still refused while anyone is connected.
#[tokio::test(flavor = "multi_thread")]
async fn a_new_address_that_receives_tokens_disconnects_that_providers_doctors_first() {
    let desk = Desk::new().await;
    let _service = desk.service();
    let settings = desk.accounts.settings();
    // The test peer's addresses, to come back to before connecting again (nothing here may call
    // the real providers).
    let peer_api = settings.config_get(Setting::ZoomApiBase).await.unwrap().unwrap();
    let peer_auth = settings.config_get(Setting::ZoomAuthBase).await.unwrap().unwrap();
    desk.connect(Provider::Zoom).await;
    let connected = || async {
        desk.store
            .connection(desk.doctor, Provider::Zoom)
            .await
            .unwrap()
            .is_some_and(|c| c.state == ConnectionState::Connected)
    };
    let elsewhere = "https://api.zoomgov.com/v2"; // ZoomGov: a Zoom host, another place

    // Past the accounts layer, the change is refused while the doctor is connected.
    let refused = settings.config_set(&desk.admin, Setting::ZoomApiBase, Some(elsewhere)).await.unwrap_err();
    assert!(refused.to_string().contains("1 doctor is connected to Zoom"), "{refused}");
    // A value that would be refused disconnects nobody, on its own or on the settings screen.
    let proxy =
        desk.accounts.config_set(&desk.admin, Setting::ZoomApiBase, Some("https://proxy.example/v2")).await;
    assert!(proxy.unwrap_err().to_string().contains("not one of Zoom's own addresses"));
    let mut screen = settings.provider_settings().await.unwrap();
    screen.zoom_api_base = elsewhere.into();
    screen.microsoft_tenant = "consumers".into();
    assert!(desk.accounts.update_provider_settings(&desk.admin, &screen, &[]).await.is_err());
    // The same address, and another provider's, leave the Zoom doctor connected.
    assert!(desk
        .accounts
        .config_set(&desk.admin, Setting::ZoomApiBase, Some(&peer_api))
        .await
        .unwrap()
        .is_empty());
    let graph = Some("https://graph.microsoft.us/v1.0");
    assert!(desk
        .accounts
        .config_set(&desk.admin, Setting::MicrosoftGraphBase, graph)
        .await
        .unwrap()
        .is_empty());
    assert!(connected().await);

    // A new Zoom address: the doctor is disconnected first, their tokens gone, then it is saved.
    let gone = desk.accounts.config_set(&desk.admin, Setting::ZoomApiBase, Some(elsewhere)).await.unwrap();
    assert_eq!(gone, vec![desk.doctor]);
    assert!(!connected().await);
    assert_eq!(settings.config_get(Setting::ZoomApiBase).await.unwrap().as_deref(), Some(elsewhere));
    let err = desk.accounts.access_token(desk.doctor, Provider::Zoom).await.unwrap_err();
    assert!(matches!(err, AccountError::NotConnected { .. }), "{err}");
    if desk.server.is_none() {
        let name = secrets::token_name(&desk.uid().await, desk.doctor, Provider::Zoom);
        assert!(OsKeyring.get(&name).unwrap().is_none(), "the token is deleted from the keyring");
    }
    let log = desk.cli(&["--json", "audit", "--action", "disconnected"]).json();
    assert_eq!(log.as_array().unwrap().len(), 1, "{log}");

    // The settings screen does the same.
    desk.accounts.config_set(&desk.admin, Setting::ZoomApiBase, Some(&peer_api)).await.unwrap();
    desk.connect(Provider::Zoom).await;
    let mut screen = settings.provider_settings().await.unwrap();
    screen.zoom_auth_base = "https://zoomgov.com".into();
    let (saved, gone) = desk.accounts.update_provider_settings(&desk.admin, &screen, &[]).await.unwrap();
    assert_eq!((saved.zoom_auth_base.as_str(), gone), ("https://zoomgov.com", vec![desk.doctor]));
    assert!(!connected().await);

    // And the command line, which names who it disconnected.
    desk.accounts.config_set(&desk.admin, Setting::ZoomAuthBase, Some(&peer_auth)).await.unwrap();
    desk.connect(Provider::Zoom).await;
    let said = desk.cli(&["config", "set", "zoom.api_base", elsewhere]);
    assert!(said.ok().stdout.contains("Disconnected Dr Ada Lee from Zoom first"), "{}", said.stdout);
    assert!(!connected().await);
}

/// Moving a single computer's clinic to the server hands its doctors' connections and the
/// clinic's secrets to the clinic service (on another computer: a keyring of its own), sealed on
/// the way; until a service runs, they stay here and the move says how to hand them over.
#[tokio::test(flavor = "multi_thread")]
async fn moving_to_the_server_hands_the_connections_to_the_clinic_service() {
    if std::env::var_os("FRONTDESK_TEST_POSTGRES").is_none() {
        assert!(std::env::var_os("FRONTDESK_REQUIRE_POSTGRES").is_none(), "run through scripts/postgres");
        return;
    }
    let desk = Desk::on_this_computer().await;
    desk.connect(Provider::Zoom).await;
    let url = common::new_postgres_database();
    let first = desk.cli(&["move-to-server", &url]);
    assert!(first.ok().stdout.contains("stay in this computer's keyring"), "{}", first.stdout);

    let service_dir = tempfile::tempdir().unwrap();
    let _service = common::Service::start_elsewhere(service_dir.path(), &url, &[]).unwrap();
    let again = desk.cli(&["move-to-server", &url]);
    assert!(
        again.ok().stdout.contains("Handed 1 video connection(s) and 1 secret(s) to the clinic service"),
        "{}",
        again.stdout
    );
    // A desk on the server checks the account: the service calls Zoom with the handed tokens.
    let calls = desk.peer.stats("zoom").await["api_calls"].as_i64().unwrap();
    let other_desk = tempfile::tempdir().unwrap();
    let mut check = std::process::Command::new(common::cli_path());
    check.arg("--data-dir").arg(other_desk.path()).env_remove("FRONTDESK_DATA_DIR");
    check.env("FRONTDESK_DATABASE_URL", &url).args(["accounts", "--check"]);
    let run = common::run_with(&mut check);
    assert!(run.ok().stderr.is_empty() && run.stdout.contains("connected"), "{}{}", run.stdout, run.stderr);
    assert!(desk.peer.stats("zoom").await["api_calls"].as_i64().unwrap() > calls);
}

/// Clinic mode: two processes of the clinic service that keep data folders of their own (two
/// installations on the keeper's computer) still refresh an expired Zoom token once: the refresh
/// lock is then the server's, not a file's.
#[tokio::test(flavor = "multi_thread")]
async fn keepers_with_data_folders_of_their_own_refresh_once() {
    use frontdesk_accounts::Accounts;
    use frontdesk_core::store::ServerAddress;
    use frontdesk_settings::Settings;
    let desk = Desk::new().await;
    let Some(url) = desk.server.clone() else {
        return; // one computer, one data folder: `two_processes_with_an_expired_token_refresh_once`
    };
    desk.connect(Provider::Zoom).await;
    let other_dir = tempfile::tempdir().unwrap();
    let other_store = frontdesk_core::Store::connect(
        &ServerAddress::parse(&url).unwrap(),
        other_dir.path(),
        Arc::new(SystemClock),
    )
    .await
    .unwrap();
    // A keeper as a fresh process would be (nothing cached), over `store`'s data folder.
    let keeper = |store: &frontdesk_core::Store| {
        Accounts::new(
            Settings::keeping(store.clone(), Arc::new(OsKeyring)),
            frontdesk_core::Locks::for_store(store).unwrap(),
            Arc::new(SystemClock),
        )
        .unwrap()
    };
    for round in 0..3 {
        desk.expire_stored_token(Provider::Zoom).await;
        desk.peer.control("zoom", "reset", json!({})).await;
        let (mine, theirs) = (keeper(&desk.store), keeper(&other_store));
        let (a, b) =
            tokio::join!(mine.check(desk.doctor, Provider::Zoom), theirs.check(desk.doctor, Provider::Zoom));
        assert_eq!((a.unwrap(), b.unwrap()), (DR_LEE.to_owned(), DR_LEE.to_owned()), "round {round}");
        let stats = desk.peer.stats("zoom").await;
        assert_eq!(stats["token_requests"]["refresh_token"], 1, "round {round}: {stats}");
    }
}
