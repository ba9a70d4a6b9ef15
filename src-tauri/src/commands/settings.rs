//! Network settings.

use wallet_service::views::NetworkInfo;
use wallet_service::AppError;

use super::App;

/// The network.
#[tauri::command]
#[specta::specta]
pub fn get_network(app: App<'_>) -> NetworkInfo {
    app.network_info()
}

/// Picks `mainnet`, `sepolia` or `local` (before a wallet exists).
#[tauri::command]
#[specta::specta]
pub fn set_network(app: App<'_>, name: String) -> Result<NetworkInfo, AppError> {
    app.set_network(&name)
}
