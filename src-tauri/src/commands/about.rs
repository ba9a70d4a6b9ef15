//! Settings → About: the log's level and folder, diagnostics for a bug report, updates and
//! notifications.

use wallet_service::logs::LogLevel;
use wallet_service::views::SettingsInfo;
use wallet_service::AppError;

use super::App;
use crate::desktop::Desktop;
use crate::updates::{Installed, UpdateInfo, Updates};

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

/// Asks the release endpoint for a newer version; the one offered, if any (nothing installed).
#[tauri::command]
#[specta::specta]
pub async fn check_update(
    updates: tauri::State<'_, Updates>,
) -> Result<Option<UpdateInfo>, AppError> {
    updates.check().await
}

/// Downloads the update offered, checks it against the release key and the version it was
/// signed for, and installs it; refused, nothing changes.
#[tauri::command]
#[specta::specta]
pub async fn install_update(updates: tauri::State<'_, Updates>) -> Result<Installed, AppError> {
    updates.install().await
}

/// Restarts the app (after an update is installed).
#[tauri::command]
#[specta::specta]
pub fn restart_app(updates: tauri::State<'_, Updates>) {
    updates.restart();
}

/// Turns desktop notifications on or off.
#[tauri::command]
#[specta::specta]
pub fn set_notifications(app: App<'_>, on: bool) -> Result<SettingsInfo, AppError> {
    Ok(app.set_notifications(on)?)
}
