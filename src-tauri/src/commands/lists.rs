//! The token list and the address book.

use wallet_service::views::{AddressBook, ContactInput, TokenInfo};
use wallet_service::AppError;

use super::App;

/// What the contract at `address` says it is, read from the network's node; refused when it
/// is not an ERC-20 token here.
#[tauri::command]
#[specta::specta]
pub async fn token_preview(app: App<'_>, address: String) -> Result<TokenInfo, AppError> {
    Ok(app.token_preview(&address).await?)
}

/// Adds the token at `address` (read from the chain again); the new list.
#[tauri::command]
#[specta::specta]
pub async fn add_token(app: App<'_>, address: String) -> Result<Vec<TokenInfo>, AppError> {
    Ok(app.add_token(&address).await?)
}

/// Hides or shows the token at `address`; the new list.
#[tauri::command]
#[specta::specta]
pub fn set_token_hidden(
    app: App<'_>,
    address: String,
    hidden: bool,
) -> Result<Vec<TokenInfo>, AppError> {
    Ok(app.set_token_hidden(&address, hidden)?)
}

/// The address book and the recent recipients.
#[tauri::command]
#[specta::specta]
pub fn get_address_book(app: App<'_>) -> AddressBook {
    app.address_book()
}

/// Saves a contact (a known address gets the new name and note).
#[tauri::command]
#[specta::specta]
pub fn save_contact(app: App<'_>, input: ContactInput) -> Result<AddressBook, AppError> {
    Ok(app.save_contact(&input)?)
}

/// Removes the contact at `address`.
#[tauri::command]
#[specta::specta]
pub fn remove_contact(app: App<'_>, address: String) -> Result<AddressBook, AppError> {
    Ok(app.remove_contact(&address)?)
}
