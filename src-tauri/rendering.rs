//! How WebKitGTK draws the window on Linux.
//!
//! WebKitGTK composites the page with OpenGL. On a machine with no GPU (a virtual machine, a
//! remote desktop session, a thin client: common at a front desk) that GL runs on the CPU in
//! Mesa's software rasteriser, and drawing the day view took about twice as long as WebKit's
//! own software painting (`scripts/bench`, start-up part; ADR 0012). So when the machine has no
//! GPU render node, the app asks WebKit for its software painting before any window exists.
//! A user's own setting of the variable wins. Windows (WebView2) and macOS (WKWebView) are not
//! concerned.

use std::path::Path;

/// WebKitGTK's switch for its non-composited (software) painting mode.
pub const COMPOSITING_VARIABLE: &str = "WEBKIT_DISABLE_COMPOSITING_MODE";

/// Where Linux lists the GPUs' render nodes (`renderD128`, ...).
const DRI_DIR: &str = "/dev/dri";

/// Chooses WebKit's software painting on a Linux machine without a GPU. Call it first thing in
/// `main`, before any thread starts (it sets a process environment variable).
pub fn prefer_software_painting_without_gpu() {
    if cfg!(target_os = "linux")
        && std::env::var_os(COMPOSITING_VARIABLE).is_none()
        && !has_render_node(Path::new(DRI_DIR))
    {
        std::env::set_var(COMPOSITING_VARIABLE, "1");
    }
}

/// Whether `dir` holds a DRM render node, i.e. the machine has a GPU that WebKit can draw with.
pub fn has_render_node(dir: &Path) -> bool {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries.flatten().any(|entry| entry.file_name().to_string_lossy().starts_with("renderD"))
        })
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_render_node_means_a_gpu_and_a_card_alone_or_no_folder_does_not() {
        let dir = tempfile::tempdir().expect("temp dir");
        assert!(!has_render_node(&dir.path().join("missing")));
        assert!(!has_render_node(dir.path()));
        std::fs::write(dir.path().join("card0"), b"").expect("card");
        assert!(!has_render_node(dir.path()));
        std::fs::write(dir.path().join("renderD128"), b"").expect("render node");
        assert!(has_render_node(dir.path()));
    }
}
