//! Network and gas settings.

use wallet_service::views::{FeeQuote, GasInput, NetworkChoice, NetworkInfo, SettingsInfo};
use wallet_service::{AppError, Pin};

use super::App;

/// The network.
#[tauri::command]
#[specta::specta]
pub fn get_network(app: App<'_>) -> NetworkInfo {
    app.network_info()
}

/// Switches to `mainnet`, `sepolia`, `local` or a saved network, once its node reports the
/// right chain id; each network keeps its own wallet and session.
#[tauri::command]
#[specta::specta]
pub async fn set_network(app: App<'_>, name: String) -> Result<NetworkInfo, AppError> {
    Ok(app.set_network(&name).await?)
}

/// The settings screen: network, saved networks, gas settings with keys masked.
#[tauri::command]
#[specta::specta]
pub fn get_settings(app: App<'_>) -> Result<SettingsInfo, AppError> {
    Ok(app.settings()?)
}

/// Switches network (a profile, a saved one, or a custom one), checking the node's chain id.
/// Moving the node, paymaster or Chipi API of a network that holds a wallet needs its PIN
/// (`pin` null: biometric unlock).
#[tauri::command]
#[specta::specta]
pub async fn switch_network(
    app: App<'_>,
    choice: NetworkChoice,
    pin: Option<Pin>,
) -> Result<SettingsInfo, AppError> {
    Ok(app.switch_network(&choice, pin.as_ref()).await?)
}

/// Lets sessions use the direct path on an account class whose session message leaves the fee
/// unsigned, or stops it; turning it on needs the PIN (`pin` null: biometric unlock).
#[tauri::command]
#[specta::specta]
pub async fn set_direct_unsigned_fees(
    app: App<'_>,
    allowed: bool,
    pin: Option<Pin>,
) -> Result<SettingsInfo, AppError> {
    Ok(app.set_direct_unsigned_fees(allowed, pin.as_ref()).await?)
}

/// Saves the gas settings of the selected network; keys go to the keychain.
#[tauri::command]
#[specta::specta]
pub fn save_gas_settings(app: App<'_>, input: GasInput) -> Result<SettingsInfo, AppError> {
    Ok(app.save_gas(&input)?)
}

/// What a transfer would cost with the current gas settings, before sending it.
#[tauri::command]
#[specta::specta]
pub async fn quote_transfer(
    app: App<'_>,
    token: String,
    recipient: String,
    amount: String,
) -> Result<FeeQuote, AppError> {
    Ok(app.quote_transfer(&token, &recipient, &amount).await?)
}

/// Sets the minutes without use before the wallet locks itself (0: never).
#[tauri::command]
#[specta::specta]
pub fn set_auto_lock(app: App<'_>, minutes: u32) -> Result<SettingsInfo, AppError> {
    Ok(app.set_auto_lock(minutes)?)
}
