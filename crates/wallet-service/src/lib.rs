//! The wallet every front end shares: one wallet with its session, activity and settings, over
//! the `chipi-session` core. It knows nothing of Tauri or of a terminal: a front end supplies the
//! [`host`] parts (a secret vault, a preference store, biometrics, a clock) and calls
//! [`WalletService`]; the desktop app is one such host, the sandbox another.

pub mod api;
pub mod app_error;
pub mod app_prefs;
pub mod error;
pub mod host;
pub mod keychain;
pub mod logs;
pub mod pin;
pub mod pin_guard;
pub mod prefs;
pub mod service;
pub mod session_rules;
pub mod views;

pub use app_error::AppError;
pub use error::{Field, LimitPer, ServiceError};
pub use host::{Biometrics, Confirmation, Confirmer, PinOnly, PrefsStore, SecretVault};
pub use pin::Pin;
pub use service::{GasBackend, WalletService};
