//! The references for the start-up benchmark: a bare Tauri window built with the same
//! configuration, crates, profile and painting mode as the app, showing a trivial page
//! (`ui/bare.html`); or, with `floor` or `floor-empty` as its argument, the app's calendar alone
//! with a page of ten doctors and their appointments, or none, from constants
//! (`ui/floor.html`, `ui/floor-empty.html`, and the configurations ADR 0025 weighs,
//! `ui/floor-hours.html`, `ui/floor-plain.html`, `ui/floor-own.html`); or, with `saved FILE`, the bare page first and then
//! FILE: a screen of the app saved as static HTML with its stylesheet and no script but the paint
//! report (the paint floor of that screen, `tests/bench/interactions.py` saves it). Each page
//! reports its first paint the same way the app does; the saved page also reports the time from
//! its navigation to its painted frame on its own `performance` clock.

mod painted {
    use std::sync::OnceLock;
    use std::time::Instant;

    pub static STARTED: OnceLock<Instant> = OnceLock::new();

    /// Where the saved page is served from (a protocol of its own: no CSP, as a static page).
    pub const SAVED_URL: &str = "floor://localhost/";

    /// Whether a saved page is to be shown once the bare page has painted.
    pub struct Saved(pub bool);

    #[tauri::command]
    pub fn ui_painted(
        screen: String,
        page_ms: Option<f64>,
        window: tauri::WebviewWindow,
        saved: tauri::State<'_, Saved>,
    ) {
        let ms = STARTED.get().map(|t| t.elapsed().as_millis()).unwrap_or_default();
        match page_ms {
            Some(page) => eprintln!("frontdesk: painted {screen} after {ms} ms page {page:.1} ms"),
            None => eprintln!("frontdesk: painted {screen} after {ms} ms"),
        }
        if screen == "bare" && saved.0 {
            if let Ok(url) = tauri::Url::parse(SAVED_URL) {
                if let Err(e) = window.navigate(url) {
                    eprintln!("bare window: no saved page: {e}");
                }
            }
        }
    }
}

fn main() {
    painted::STARTED.get_or_init(std::time::Instant::now);
    frontdesk_app::rendering::prefer_software_painting_without_gpu();
    let args: Vec<String> = std::env::args().collect();
    // `floor`, `floor-empty` and the calendar's alternatives (`floor-hours`, ...): ui/<page>.html.
    let page = match args.get(1).map(String::as_str) {
        Some(page) if page.starts_with("floor") => format!("{page}.html"),
        _ => "bare.html".to_owned(),
    };
    // The saved screen, read before the window exists: what is timed is its painting, not the disk.
    let saved = match (args.get(1).map(String::as_str), args.get(2)) {
        (Some("saved"), Some(file)) => match std::fs::read(file) {
            Ok(bytes) => Some(bytes),
            Err(e) => {
                eprintln!("bare window: cannot read {file}: {e}");
                std::process::exit(1);
            }
        },
        _ => None,
    };
    let mut context = tauri::generate_context!();
    for window in &mut context.config_mut().app.windows {
        window.url = tauri::WebviewUrl::App(page.clone().into());
    }
    let mut app = tauri::Builder::default()
        .manage(painted::Saved(saved.is_some()))
        .invoke_handler(tauri::generate_handler![painted::ui_painted]);
    if let Some(bytes) = saved {
        app = app.register_uri_scheme_protocol("floor", move |_ctx, _request| {
            let mut response = tauri::http::Response::new(bytes.clone());
            response.headers_mut().insert(
                tauri::http::header::CONTENT_TYPE,
                tauri::http::HeaderValue::from_static("text/html; charset=utf-8"),
            );
            response
        });
    }
    if let Err(e) = app.run(context) {
        eprintln!("bare window failed: {e}");
        std::process::exit(1);
    }
}
