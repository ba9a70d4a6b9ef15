//! Wallet onboarding and locking.

use wallet_service::views::{BiometricsInfo, WalletInfo};
use wallet_service::{AppError, Pin};

use super::App;
use crate::desktop::Desktop;

/// The current wallet.
#[tauri::command]
#[specta::specta]
pub fn get_wallet(app: App<'_>) -> Result<WalletInfo, AppError> {
    Ok(app.wallet_info()?)
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
    Ok(app.create_wallet(&pin, own_class.unwrap_or(false)).await?)
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
    Ok(app
        .import_wallet(&address, owner_key.expose(), &pin)
        .await?)
}

/// Upgrades an older CHIPI account to CHIPI v33 (the device's session revoked with it) after the
/// PIN (`pin` null: biometric unlock).
#[tauri::command]
#[specta::specta]
pub async fn upgrade_account(app: App<'_>, pin: Option<Pin>) -> Result<WalletInfo, AppError> {
    Ok(app.upgrade_account(pin.as_ref()).await?)
}

/// Opens the session key so transfers need no prompt: with the PIN or, with `pin` null,
/// biometric unlock.
#[tauri::command]
#[specta::specta]
pub async fn unlock(app: App<'_>, pin: Option<Pin>) -> Result<WalletInfo, AppError> {
    Ok(app.unlock(pin.as_ref()).await?)
}

/// Turns biometric unlock on (after the PIN and one OS check).
#[tauri::command]
#[specta::specta]
pub async fn enable_biometrics(app: App<'_>, pin: Pin) -> Result<BiometricsInfo, AppError> {
    Ok(app.enable_biometrics(&pin).await?)
}

/// Turns biometric unlock off, deleting its key.
#[tauri::command]
#[specta::specta]
pub fn disable_biometrics(app: App<'_>) -> Result<BiometricsInfo, AppError> {
    Ok(app.disable_biometrics()?)
}

/// Whether the wallet's account exists on chain (read from the node).
#[tauri::command]
#[specta::specta]
pub async fn is_deployed(app: App<'_>) -> Result<bool, AppError> {
    Ok(app.is_deployed().await?)
}

/// Deploys the wallet created here (gaslessly, signed by its owner key opened with `pin`): the
/// way on when the deployment at creation failed.
#[tauri::command]
#[specta::specta]
pub async fn deploy_wallet(app: App<'_>, pin: Pin) -> Result<WalletInfo, AppError> {
    app.deploy_wallet(&pin).await?;
    Ok(app.wallet_info()?)
}

/// Closes it.
#[tauri::command]
#[specta::specta]
pub fn lock(app: App<'_>) -> Result<WalletInfo, AppError> {
    Ok(app.lock()?)
}

/// Loads the stored wallet again, after the keychain was unlocked.
#[tauri::command]
#[specta::specta]
pub fn retry_keychain(app: App<'_>) -> Result<WalletInfo, AppError> {
    Ok(app.retry_load().map_or_else(|| app.wallet_info(), Err)?)
}

/// Writes a backup of the owner key, sealed under `passphrase` (10+ characters, not the PIN),
/// to the backups folder; the file's path.
#[tauri::command]
#[specta::specta]
pub async fn export_backup(
    app: App<'_>,
    desktop: tauri::State<'_, Desktop>,
    pin: Pin,
    passphrase: Pin,
) -> Result<String, AppError> {
    let text = app.export_backup(&pin, &passphrase).await?;
    let address = app.wallet_info()?.address;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let path = desktop.write_backup(&address, now, &text)?;
    Ok(path.display().to_string())
}

/// Restores a wallet from a backup file's text (read by the window from a file the user
/// picked), opened with `passphrase`, sealed under the new `pin`.
#[tauri::command]
#[specta::specta]
pub async fn import_backup(
    app: App<'_>,
    backup: String,
    passphrase: Pin,
    pin: Pin,
) -> Result<WalletInfo, AppError> {
    Ok(app.import_backup(&backup, &passphrase, &pin).await?)
}

/// Removes the wallet from this device, after the PIN and the user's word that it is backed up.
#[tauri::command]
#[specta::specta]
pub async fn remove_wallet(app: App<'_>, pin: Pin, backed_up: bool) -> Result<(), AppError> {
    Ok(app.remove_wallet(&pin, backed_up).await?)
}
