//! Registers the app's own commands with Tauri's permission system, so that a window can call a
//! command only when its capability grants it by name (see `tauri.conf.json`).

include!("command_names.rs");

fn main() {
    let manifest = tauri_build::AppManifest::new().commands(COMMAND_NAMES);
    if let Err(e) = tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest)) {
        eprintln!("tauri build step failed: {e:#}");
        std::process::exit(1);
    }
}
