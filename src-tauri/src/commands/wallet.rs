//! Wallet onboarding and locking.

use wallet_service::views::WalletInfo;
use wallet_service::{AppError, Pin};

use super::App;

/// The current wallet.
#[tauri::command]
#[specta::specta]
pub fn get_wallet(app: App<'_>) -> Result<WalletInfo, AppError> {
    app.wallet_info()
}

/// A new wallet, deployed gaslessly where the network has a paymaster: of the network's account
/// class, or of this project's with `own_class`.
#[tauri::command]
#[specta::specta]
pub async fn create_wallet(
    app: App<'_>,
    pin: Pin,
    own_class: Option<bool>,
) -> Result<WalletInfo, AppError> {
    app.create_wallet(&pin, own_class.unwrap_or(false)).await
}

/// An existing account with its owner key in the SDK's encrypted format, or the raw key in hex
/// (sealed under the PIN at once, like the PIN itself never kept).
#[tauri::command]
#[specta::specta]
pub async fn import_wallet(
    app: App<'_>,
    address: String,
    owner_key: Pin,
    pin: Pin,
) -> Result<WalletInfo, AppError> {
    app.import_wallet(&address, owner_key.expose(), &pin).await
}

/// Opens the session key so transfers need no prompt.
#[tauri::command]
#[specta::specta]
pub async fn unlock(app: App<'_>, pin: Pin) -> Result<WalletInfo, AppError> {
    app.unlock(&pin).await
}

/// Closes it.
#[tauri::command]
#[specta::specta]
pub fn lock(app: App<'_>) -> Result<WalletInfo, AppError> {
    app.lock()
}

/// Loads the stored wallet again, after the keychain was unlocked.
#[tauri::command]
#[specta::specta]
pub fn retry_keychain(app: App<'_>) -> Result<WalletInfo, AppError> {
    app.retry_load().map_or_else(|| app.wallet_info(), Err)
}
