//! The activity list.

use super::App;
use crate::views::ActivityInfo;

/// Activity, newest first.
#[tauri::command]
#[specta::specta]
pub fn list_activity(app: App<'_>) -> Vec<ActivityInfo> {
    app.activity()
}
