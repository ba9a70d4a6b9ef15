//! The activity list.

use wallet_service::views::ActivityInfo;

use super::App;

/// Activity, newest first.
#[tauri::command]
#[specta::specta]
pub fn list_activity(app: App<'_>) -> Vec<ActivityInfo> {
    app.activity()
}
