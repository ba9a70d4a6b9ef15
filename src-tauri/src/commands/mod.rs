//! Tauri commands, one module per domain; each takes the managed service, calls one operation
//! and returns its view or its tagged error. Every command that takes a PIN is async: Argon2id
//! never runs on the UI thread.

pub mod about;
pub mod activity;
pub mod apps;
pub mod lists;
pub mod session;
pub mod settings;
pub mod wallet;

/// The managed state.
pub type App<'a> = tauri::State<'a, std::sync::Arc<wallet_service::WalletService>>;
