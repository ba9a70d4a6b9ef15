//! What a user interface may see of a session: addresses, public keys, expiry, counts and
//! flags. It holds no secret, so it can cross IPC and be logged.

use serde::Serialize;

use crate::session::state::SessionState;

/// Operations in progress (the hook's `isCreating`, `isRegistering`, ...).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Busy {
    /// `create_session` running.
    pub creating: bool,
    /// `register_session` running.
    pub registering: bool,
    /// `revoke_session` running.
    pub revoking: bool,
    /// `execute_with_session` running.
    pub executing: bool,
    /// `refresh_status` running.
    pub loading_status: bool,
}

/// A spending limit in base units (decimal strings, so JavaScript keeps every digit).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LimitView {
    /// The token.
    pub token: String,
    /// Most one call may move.
    pub max_per_call: String,
    /// Most all calls may move in one window.
    pub max_per_window: String,
    /// Window length.
    pub window_seconds: u64,
    /// Spent in the current window.
    pub spent_in_window: String,
}

/// The last error, as the UI shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorView {
    /// The SDK's code, where one applies.
    pub code: Option<&'static str>,
    /// A sentence for the user.
    pub message: String,
}

/// The session as the UI and the CLI show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionView {
    /// The wallet address.
    pub address: String,
    /// Whether the wallet supports sessions.
    pub supports_sessions: bool,
    /// Derived state.
    pub state: SessionState,
    /// Session public key.
    pub public_key: Option<String>,
    /// Expiry, unix seconds.
    pub valid_until: Option<u64>,
    /// Calls left, from the last status read.
    pub remaining_calls: Option<u32>,
    /// The call budget this device registered, when known.
    pub max_calls: Option<u32>,
    /// Allowed selectors (hex); empty means any.
    pub allowed_entrypoints: Vec<String>,
    /// Spending limits.
    pub spending_limits: Vec<LimitView>,
    /// The chain's time as last seen, unix seconds.
    pub chain_time: u64,
    /// Operations in progress.
    pub busy: Busy,
    /// The last operation's error, cleared by the next success.
    pub last_error: Option<ErrorView>,
    /// The owner's transaction of the last registration or revocation sent.
    pub owner_transaction: Option<String>,
}
