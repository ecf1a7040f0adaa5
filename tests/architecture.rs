//! Checks of the project's structure that must never silently regress.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests panic on purpose

use std::collections::{BTreeSet, HashMap};
use std::process::Command;

/// The core and the command-line twin build without Tauri or any web view; only the app package
/// may depend on them.
#[test]
fn only_the_app_package_depends_on_tauri() {
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
    // Normal (non-dev, non-build) dependencies, transitively.
    let closure = |root: &str| -> BTreeSet<&str> {
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
        seen.into_iter().map(|id| names[id]).collect()
    };
    let window = ["tauri", "wry", "tao", "webkit2gtk", "webview2-com"];
    let mut with_tauri = Vec::new();
    let mut without = Vec::new();
    for member in meta["workspace_members"].as_array().unwrap() {
        let id = member.as_str().unwrap();
        let deps = closure(id);
        if window.iter().any(|w| deps.contains(w)) {
            with_tauri.push(names[id]);
        } else {
            without.push(names[id]);
        }
    }
    assert_eq!(with_tauri, vec!["frontdesk"], "only the app shell may depend on tauri");
    assert!(without.contains(&"frontdesk-core") && without.contains(&"frontdesk-cli"), "{without:?}");
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
