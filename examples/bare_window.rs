//! The reference for the start-up benchmark: a bare Tauri window built with the same
//! configuration, crates and profile as the app, showing a trivial page (`ui/bare.html`) that
//! reports its first paint the same way the app does.

mod painted {
    use std::sync::OnceLock;
    use std::time::Instant;

    pub static STARTED: OnceLock<Instant> = OnceLock::new();

    #[tauri::command]
    pub fn ui_painted(screen: String) {
        let ms = STARTED.get().map(|t| t.elapsed().as_millis()).unwrap_or_default();
        eprintln!("frontdesk: painted {screen} after {ms} ms");
    }
}

fn main() {
    painted::STARTED.get_or_init(std::time::Instant::now);
    let mut context = tauri::generate_context!();
    for window in &mut context.config_mut().app.windows {
        window.url = tauri::WebviewUrl::App("bare.html".into());
    }
    let app = tauri::Builder::default().invoke_handler(tauri::generate_handler![painted::ui_painted]);
    if let Err(e) = app.run(context) {
        eprintln!("bare window failed: {e}");
        std::process::exit(1);
    }
}
