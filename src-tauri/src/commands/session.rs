//! The hook's operations.

use wallet_service::views::{CallInput, SessionInfo, SessionRequest, TxResult};
use wallet_service::{AppError, Pin};

use super::App;

/// The session card.
#[tauri::command]
#[specta::specta]
pub fn get_session_view(app: App<'_>) -> Result<SessionInfo, AppError> {
    Ok(app.session_info()?)
}

/// `createSession`, after the PIN or, with `pin` null, biometric unlock.
#[tauri::command]
#[specta::specta]
pub async fn create_session(
    app: App<'_>,
    duration_seconds: Option<u32>,
    pin: Option<Pin>,
) -> Result<SessionInfo, AppError> {
    Ok(app.create_session(duration_seconds, pin.as_ref()).await?)
}

/// `registerSession`, after the PIN or, with `pin` null, biometric unlock.
#[tauri::command]
#[specta::specta]
pub async fn register_session(
    app: App<'_>,
    request: SessionRequest,
    pin: Option<Pin>,
) -> Result<SessionInfo, AppError> {
    Ok(app.register_session(&request, pin.as_ref()).await?)
}

/// Create and register with one confirmation: the PIN or, with `pin` null, biometric unlock.
#[tauri::command]
#[specta::specta]
pub async fn set_up_session(
    app: App<'_>,
    request: SessionRequest,
    pin: Option<Pin>,
) -> Result<SessionInfo, AppError> {
    Ok(app.set_up_session(&request, pin.as_ref()).await?)
}

/// `executeWithSession`.
#[tauri::command]
#[specta::specta]
pub async fn execute_with_session(
    app: App<'_>,
    calls: Vec<CallInput>,
) -> Result<TxResult, AppError> {
    Ok(app.execute(&calls).await?)
}

/// A gasless transfer; `amount` is a decimal string in whole units. `accepted_fee` is the fee
/// the user saw and accepted in the gasless fee mode (whole units of the gas token): no higher
/// fee is signed.
#[tauri::command]
#[specta::specta]
pub async fn transfer(
    app: App<'_>,
    desktop: tauri::State<'_, crate::desktop::Desktop>,
    token: String,
    recipient: String,
    amount: String,
    accepted_fee: Option<String>,
) -> Result<TxResult, AppError> {
    let done = app
        .transfer_paying(&token, &recipient, &amount, accepted_fee.as_deref())
        .await?;
    // Confirmed while the window was out of sight: said on the desktop.
    if desktop.window_hidden() {
        if let Some(notice) = app.sent_notice(&amount, &token, &recipient) {
            let _ = desktop.notify(&notice);
        }
    }
    Ok(done)
}

/// `revokeSession`, after the PIN or, with `pin` null, biometric unlock.
#[tauri::command]
#[specta::specta]
pub async fn revoke_session(app: App<'_>, pin: Option<Pin>) -> Result<SessionInfo, AppError> {
    Ok(app.revoke_session(pin.as_ref()).await?)
}

/// `clearSession`: a session still active on chain needs the PIN; `revoke` ends it first.
#[tauri::command]
#[specta::specta]
pub async fn clear_session(
    app: App<'_>,
    pin: Option<Pin>,
    revoke: bool,
) -> Result<SessionInfo, AppError> {
    Ok(app.clear_session(pin.as_ref(), revoke).await?)
}

/// `refetchStatus`.
#[tauri::command]
#[specta::specta]
pub async fn refresh_status(app: App<'_>) -> Result<SessionInfo, AppError> {
    Ok(app.refresh_status().await?)
}

/// Extends the active session by `duration_seconds` from now: the same key and rules, after
/// the PIN (`pin` null: biometrics).
#[tauri::command]
#[specta::specta]
pub async fn extend_session(
    app: App<'_>,
    duration_seconds: u32,
    pin: Option<Pin>,
) -> Result<SessionInfo, AppError> {
    Ok(app.extend_session(duration_seconds, pin.as_ref()).await?)
}

/// Renews an expired or revoked session: a new key with the same rules for
/// `duration_seconds`, after the PIN (`pin` null: biometrics).
#[tauri::command]
#[specta::specta]
pub async fn renew_session(
    app: App<'_>,
    duration_seconds: u32,
    pin: Option<Pin>,
) -> Result<SessionInfo, AppError> {
    Ok(app.renew_session(duration_seconds, pin.as_ref()).await?)
}
