//! Apps paired through the local wallet API: the list, revoke and disconnect, the Settings
//! switch, and the user's answer to a pairing.

use std::sync::Arc;

use wallet_service::api::{CallsPrompt, PairingPrompt};
use wallet_service::views::{AppInfo, SettingsInfo};
use wallet_service::{AppError, Pin};

use super::App;
use crate::apps::ApiHost;

/// The host's API state.
pub type Api<'a> = tauri::State<'a, Arc<ApiHost>>;

/// The paired apps with their sessions, read from the chain.
#[tauri::command]
#[specta::specta]
pub async fn list_apps(app: App<'_>) -> Result<Vec<AppInfo>, AppError> {
    Ok(app.apps_refreshed().await?)
}

/// Revokes an app's session on chain (after the PIN, or biometrics with `pin` null) and forgets
/// the app.
#[tauri::command]
#[specta::specta]
pub async fn revoke_app(
    app: App<'_>,
    id: String,
    pin: Option<Pin>,
) -> Result<Vec<AppInfo>, AppError> {
    app.revoke_app(&id, pin.as_ref()).await?;
    Ok(app.apps()?)
}

/// Forgets an app and deletes its session key, without a transaction.
#[tauri::command]
#[specta::specta]
pub fn disconnect_app(app: App<'_>, id: String) -> Result<Vec<AppInfo>, AppError> {
    app.disconnect_app(&id)?;
    Ok(app.apps()?)
}

/// Turns the local wallet API on (listening on 127.0.0.1) or off (every connection closed).
#[tauri::command]
#[specta::specta]
pub async fn set_wallet_api(
    app: App<'_>,
    api: Api<'_>,
    enabled: bool,
) -> Result<SettingsInfo, AppError> {
    api.switch(Arc::clone(&app), enabled).await?;
    Ok(app.set_wallet_api(enabled)?)
}

/// The pairing waiting for the user, if any (the window asks at start).
#[tauri::command]
#[specta::specta]
pub fn pending_pairing(api: Api<'_>) -> Option<PairingPrompt> {
    api.pending()
}

/// The user's answer to pairing prompt `id` (the one on screen): declined, or approved with the
/// PIN (`pin` null: biometrics). The app paired, `null` when declined.
#[tauri::command]
#[specta::specta]
pub async fn answer_pairing(
    api: Api<'_>,
    id: String,
    approve: bool,
    pin: Option<Pin>,
) -> Result<Option<AppInfo>, AppError> {
    api.answer(&id, approve, pin).await
}

/// Calls outside an app's session waiting for the user, if any.
#[tauri::command]
#[specta::specta]
pub fn pending_calls(api: Api<'_>) -> Option<CallsPrompt> {
    api.pending_calls()
}

/// The user's answer to calls prompt `id`, outside an app's session: declined, or approved with the PIN
/// (`pin` null: biometrics) and sent signed with the owner key. The transaction hash, `null`
/// when declined.
#[tauri::command]
#[specta::specta]
pub async fn answer_calls(
    api: Api<'_>,
    id: String,
    approve: bool,
    pin: Option<Pin>,
) -> Result<Option<String>, AppError> {
    api.answer_calls(&id, approve, pin).await
}
