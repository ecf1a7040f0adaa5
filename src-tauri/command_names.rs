// The app's own commands, by name. `build.rs` registers them with Tauri's permission system and
// `lib.rs` checks the invoke handler against this list; `tests/app.rs` checks that the main
// window's capability in `tauri.conf.json` grants exactly these.
pub const COMMAND_NAMES: &[&str] = &[
    "app_status",
    "first_run",
    "sign_in",
    "sign_out",
    "schedule",
    "appointment",
    "book",
    "move_appointment",
    "cancel_appointment",
    "set_status",
    "find_patients",
    "add_patient",
    "update_patient",
    "list_types",
    "add_type",
    "update_type",
    "list_staff",
    "list_all_staff",
    "add_staff",
    "update_staff",
    "clinic_settings",
    "update_settings",
    "ui_painted",
];
