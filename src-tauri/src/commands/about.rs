//! Settings → About: the log's level and folder, and diagnostics for a bug report.

use wallet_service::logs::LogLevel;
use wallet_service::views::SettingsInfo;
use wallet_service::AppError;

use super::App;
use crate::desktop::Desktop;

/// Sets how much the log records.
#[tauri::command]
#[specta::specta]
pub fn set_log_level(app: App<'_>, level: LogLevel) -> Result<SettingsInfo, AppError> {
    Ok(app.set_log_level(level)?)
}

/// Versions, network, class, session state and the log's last problems, as text for a bug
/// report: nothing secret (no key, PIN, API key, bearer token or node URL).
#[tauri::command]
#[specta::specta]
pub fn get_diagnostics(app: App<'_>) -> String {
    app.diagnostics(env!("CARGO_PKG_VERSION"))
}

/// Opens the folder the log is written in, in the system's file manager.
#[tauri::command]
#[specta::specta]
pub fn open_logs_folder(app: App<'_>, desktop: tauri::State<'_, Desktop>) -> Result<(), AppError> {
    let folder = app.logs_folder()?;
    Ok(desktop.open(&format!("file://{}", folder.display()))?)
}
