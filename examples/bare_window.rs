//! The references for the start-up benchmark: a bare Tauri window built with the same
//! configuration, crates, profile and painting mode as the app, showing a trivial page
//! (`ui/bare.html`); or, with `floor` or `floor-empty` as its argument, the app's calendar alone
//! with a page of ten doctors and their appointments, or none, from constants
//! (`ui/floor.html`, `ui/floor-empty.html`). Each page reports its first paint the same way the
//! app does.

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
    frontdesk_app::rendering::prefer_software_painting_without_gpu();
    let page = match std::env::args().nth(1).as_deref() {
        Some("floor") => "floor.html",
        Some("floor-empty") => "floor-empty.html",
        _ => "bare.html",
    };
    let mut context = tauri::generate_context!();
    for window in &mut context.config_mut().app.windows {
        window.url = tauri::WebviewUrl::App(page.into());
    }
    let app = tauri::Builder::default().invoke_handler(tauri::generate_handler![painted::ui_painted]);
    if let Err(e) = app.run(context) {
        eprintln!("bare window failed: {e}");
        std::process::exit(1);
    }
}
