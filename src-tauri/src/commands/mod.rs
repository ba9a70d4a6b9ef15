//! Tauri commands, one module per domain; each takes the managed app, calls one operation and
//! returns its view or its tagged error.

pub mod activity;
pub mod session;
pub mod settings;
pub mod wallet;

/// The managed state.
pub type App<'a> = tauri::State<'a, std::sync::Arc<crate::wallet_app::WalletApp>>;
