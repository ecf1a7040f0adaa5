//! Checks of the project's structure that must never silently regress.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests panic on purpose

use std::collections::{BTreeSet, HashMap};
use std::process::Command;

/// Each workspace member's name and its normal (non-dev, non-build) dependencies' names,
/// transitively.
fn normal_dependencies() -> Vec<(String, BTreeSet<String>)> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--offline"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo metadata");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let names: HashMap<&str, &str> = meta["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["id"].as_str().unwrap(), p["name"].as_str().unwrap()))
        .collect();
    let nodes: HashMap<&str, &serde_json::Value> =
        meta["resolve"]["nodes"].as_array().unwrap().iter().map(|n| (n["id"].as_str().unwrap(), n)).collect();
    let closure = |root: &str| -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut stack = vec![root];
        while let Some(id) = stack.pop() {
            for dep in nodes[id]["deps"].as_array().unwrap() {
                let normal = dep["dep_kinds"].as_array().unwrap().iter().any(|k| k["kind"].is_null());
                let pkg = dep["pkg"].as_str().unwrap();
                if normal && seen.insert(pkg) {
                    stack.push(pkg);
                }
            }
        }
        seen.into_iter().map(|id| names[id].to_owned()).collect()
    };
    meta["workspace_members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|member| {
            let id = member.as_str().unwrap();
            (names[id].to_owned(), closure(id))
        })
        .collect()
}

/// The core, the domain crates and the command-line twin build without Tauri or any web view;
/// only the app package may depend on them.
#[test]
fn only_the_app_package_depends_on_tauri() {
    let window = ["tauri", "wry", "tao", "webkit2gtk", "webview2-com"];
    let mut with_tauri = Vec::new();
    let mut without = Vec::new();
    for (name, deps) in normal_dependencies() {
        if window.iter().any(|w| deps.contains(*w)) {
            with_tauri.push(name);
        } else {
            without.push(name);
        }
    }
    assert_eq!(with_tauri, vec!["frontdesk"], "only the app shell may depend on tauri");
    for member in [
        "frontdesk-core",
        "frontdesk-settings",
        "frontdesk-jobs",
        "frontdesk-accounts",
        "frontdesk-meetings",
        "frontdesk-mail",
        "frontdesk-cli",
    ] {
        assert!(without.iter().any(|w| w == member), "{member} missing or with tauri: {without:?}");
    }
}

/// The crates depend only downwards: the job runner knows no channel, account or setting; the
/// mail channel needs settings, never the provider accounts; settings need only the core; the
/// accounts know nothing of what their calls are for.
#[test]
fn the_domain_crates_depend_only_downwards() {
    let never: &[(&str, &[&str])] = &[
        (
            "frontdesk-core",
            &[
                "frontdesk-settings",
                "frontdesk-jobs",
                "frontdesk-accounts",
                "frontdesk-meetings",
                "frontdesk-mail",
            ],
        ),
        (
            "frontdesk-settings",
            &["frontdesk-jobs", "frontdesk-accounts", "frontdesk-meetings", "frontdesk-mail"],
        ),
        (
            "frontdesk-jobs",
            &["frontdesk-settings", "frontdesk-accounts", "frontdesk-meetings", "frontdesk-mail"],
        ),
        ("frontdesk-accounts", &["frontdesk-jobs", "frontdesk-meetings", "frontdesk-mail"]),
        ("frontdesk-meetings", &["frontdesk-mail"]),
        ("frontdesk-mail", &["frontdesk-accounts", "frontdesk-meetings"]),
    ];
    let members = normal_dependencies();
    for (crate_name, forbidden) in never {
        let (_, deps) = members.iter().find(|(n, _)| n == crate_name).expect("a workspace member");
        let found: Vec<&&str> = forbidden.iter().filter(|f| deps.contains(**f)).collect();
        assert!(found.is_empty(), "{crate_name} depends on {found:?}");
    }
}

/// The command-line twin finds the app's data folder because both use the same identifier.
#[test]
fn the_cli_and_the_app_share_one_identifier() {
    let conf: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tauri.conf.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(conf["identifier"], frontdesk_core::paths::APP_IDENTIFIER);
}

#[test]
fn one_version_for_the_app_the_cli_and_the_packages() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--no-deps", "--offline"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo metadata");
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let versions: BTreeSet<&str> =
        meta["packages"].as_array().unwrap().iter().map(|p| p["version"].as_str().unwrap()).collect();
    let version = env!("CARGO_PKG_VERSION");
    assert_eq!(versions, BTreeSet::from([version]), "every crate takes the workspace's version");
    // Without a version of its own, Tauri gives the packages the app crate's.
    let conf: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tauri.conf.json")).unwrap(),
    )
    .unwrap();
    assert!(conf.get("version").is_none(), "tauri.conf.json must not carry a second version");
    let changelog = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/CHANGELOG.md")).unwrap();
    assert!(changelog.contains(&format!("\n## {version}\n")), "CHANGELOG.md has no heading for {version}");
}

/// The store's methods that write without an actor: the first start, sign-in's failure count,
/// and what the background workers and the reminder loop record. Every other writing method is
/// a use case that takes the `actor` and checks what they may do (`frontdesk_core::access`).
const WRITES_WITHOUT_ACTOR: &[(&str, &str)] = &[
    ("first_run", "the first admin, before anyone exists (refused once the clinic is set up)"),
    ("sign_in", "counts wrong PINs for the person signing in"),
    ("sign_in_after", "counts wrong PINs for the person signing in"),
    ("init_clinic", "the command line's first start"),
    ("take_reminder", "the reminder loop records a reminder as shown"),
    ("mark_attempt", "the job runner's channels"),
    ("record_mail", "mail worker"),
    ("record_create_attempt", "meeting worker"),
    ("take_meeting_call", "meeting worker"),
    ("return_meeting_call", "meeting worker"),
    ("use_up_meeting_calls", "meeting worker"),
    ("record_outcome", "meeting worker"),
];

/// The store methods whose name says they belong to the workers and the account flows, never to
/// a command or a CLI subcommand.
const FOR_WORKERS_ONLY: &[&str] = &[
    "mark_attempt",
    "record_mail",
    "record_create_attempt",
    "take_meeting_call",
    "return_meeting_call",
    "use_up_meeting_calls",
    "record_outcome",
    "record_connected",
    "record_disconnected",
    "set_provider_setting",
];

fn rust_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files
}

/// Every change goes through a core use case: each store method that opens a write transaction
/// takes the actor (or is one of the few listed above), and the app's commands and the command
/// line reach the database only through those methods: no SQL, no pool, no worker-only method.
#[test]
fn commands_and_the_cli_change_the_store_only_through_use_cases() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let store = root.join("crates/frontdesk-core/src/store");
    let signature = regex_lite_fn();
    let mut unlisted = Vec::new();
    for file in rust_files(&store) {
        let text = std::fs::read_to_string(&file).unwrap();
        for (name, params, body) in signature(&text) {
            let writes = body.contains("self.write()");
            let listed = WRITES_WITHOUT_ACTOR.iter().any(|(n, _)| *n == name);
            if writes && !params.contains("actor: &Actor") && !listed {
                unlisted.push(name);
            }
        }
    }
    assert!(unlisted.is_empty(), "store methods that write with no actor: {unlisted:?}");

    let mut found = Vec::new();
    for dir in ["src-tauri", "crates/frontdesk-cli/src"] {
        for file in rust_files(&root.join(dir)) {
            let text = std::fs::read_to_string(&file).unwrap();
            let code: String =
                text.lines().filter(|l| !l.trim_start().starts_with("//")).collect::<Vec<_>>().join("\n");
            for needle in ["sqlx", ".pool()", "INSERT ", "UPDATE ", "DELETE FROM"] {
                if code.contains(needle) {
                    found.push(format!("{}: {needle}", file.display()));
                }
            }
            for name in FOR_WORKERS_ONLY {
                if code.contains(&format!(".{name}(")) {
                    found.push(format!("{}: {name}", file.display()));
                }
            }
        }
    }
    assert!(found.is_empty(), "the shells write to the store other than through use cases: {found:?}");
}

/// What a person opens of one patient is audited by the core: the app's commands and the command
/// line read one appointment only through `view_appointment`, and the app reads one patient only
/// through `view_patient` (the command line's one-line summaries look up the name beside an
/// appointment they just changed, which is not opening the record).
#[test]
fn the_shells_open_one_appointment_or_patient_only_through_audited_reads() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut found = Vec::new();
    for (dir, needles) in [
        ("src-tauri", &["store.appointment(", "?.appointment(", "store.patient(", "?.patient("][..]),
        ("crates/frontdesk-cli/src", &["store.appointment(", "?.appointment("][..]),
    ] {
        for file in rust_files(&root.join(dir)) {
            let text = std::fs::read_to_string(&file).unwrap();
            for needle in needles {
                if text.contains(needle) {
                    found.push(format!("{}: {needle}", file.display()));
                }
            }
        }
    }
    assert!(found.is_empty(), "unaudited reads of one appointment or patient: {found:?}");
}

/// `pub async fn name(params) ... { body }` of each method in a store file (by indentation: the
/// store's methods sit in `impl Store` blocks, four spaces in, closed by a line `    }`).
fn regex_lite_fn() -> impl Fn(&str) -> Vec<(String, String, String)> {
    |text: &str| {
        let mut out = Vec::new();
        let mut rest = text;
        while let Some(at) = rest.find("\n    pub async fn ") {
            let after = &rest[at + "\n    pub async fn ".len()..];
            let name: String = after.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            let open = after.find('{').unwrap();
            let params = after[..open].to_owned();
            let close = after[open..].find("\n    }\n").map_or(after.len(), |c| open + c);
            out.push((name, params, after[open..close].to_owned()));
            rest = &after[close..];
        }
        out
    }
}
