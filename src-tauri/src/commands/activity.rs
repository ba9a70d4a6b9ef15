//! The activity list, received tokens, balances and the explorer.

use wallet_service::views::{ActivityInfo, BalanceInfo};
use wallet_service::AppError;

use super::App;
use crate::desktop::Desktop;

/// Activity, newest first.
#[tauri::command]
#[specta::specta]
pub fn list_activity(app: App<'_>) -> Vec<ActivityInfo> {
    app.activity()
}

/// Looks for tokens received (the chain's recent `Transfer` events), then the activity.
#[tauri::command]
#[specta::specta]
pub async fn refresh_history(app: App<'_>) -> Result<Vec<ActivityInfo>, AppError> {
    app.sync_incoming().await?;
    Ok(app.activity())
}

/// The wallet's balance of each token of the network.
#[tauri::command]
#[specta::specta]
pub async fn get_balances(app: App<'_>) -> Result<Vec<BalanceInfo>, AppError> {
    Ok(app.balances().await?)
}

/// Opens the transaction's page on the network's explorer in the system browser.
#[tauri::command]
#[specta::specta]
pub fn open_explorer(
    app: App<'_>,
    desktop: tauri::State<'_, Desktop>,
    transaction_hash: String,
) -> Result<(), AppError> {
    let url = app.explorer_url(&transaction_hash)?;
    Ok(desktop.open(&url)?)
}
