//! What commands return: addresses, public keys, expiry and counts as strings and numbers the
//! UI can show, and every closed set of values as an enum (a union in the UI's bindings). No type
//! here can hold a key or a PIN.

mod activity;
mod apps;
mod contacts;
mod settings;

pub use activity::{ActivityInfo, ActivityKind, ActivityStatus, BalanceInfo};
pub use apps::AppInfo;
pub use contacts::{AddressBook, ContactInfo, ContactInput, RecentRecipient};
pub use settings::{
    mask, FeeQuote, GasInfo, GasInput, NetworkChoice, NetworkInfo, SettingsInfo, TokenInfo,
};

use chipi_session::SessionView;
use serde::{Deserialize, Serialize};

/// Where the session stands, as the card shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "lowercase")]
pub enum SessionState {
    /// No session on this device.
    None,
    /// A key exists locally; it is not registered on chain.
    Created,
    /// A registration was sent and is not confirmed yet.
    Registering,
    /// Registered, not expired, calls left.
    Active,
    /// Past its expiry or out of calls.
    Expired,
    /// Revoked on chain.
    Revoked,
}

impl From<chipi_session::SessionState> for SessionState {
    fn from(state: chipi_session::SessionState) -> Self {
        use chipi_session::SessionState as Core;
        match state {
            Core::None => Self::None,
            Core::Created => Self::Created,
            Core::Registering => Self::Registering,
            Core::Active => Self::Active,
            Core::Expired => Self::Expired,
            Core::Revoked => Self::Revoked,
        }
    }
}

/// The Chipi SDK's error codes, as `useChipiSession` reports them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SdkCode {
    /// `SESSION_EXPIRED`.
    SessionExpired,
    /// `SESSION_MAX_CALLS_EXCEEDED`.
    SessionMaxCallsExceeded,
    /// `SESSION_ENTRYPOINT_NOT_ALLOWED`.
    SessionEntrypointNotAllowed,
    /// `SESSION_NOT_REGISTERED`.
    SessionNotRegistered,
    /// `SESSION_REVOKED`.
    SessionRevoked,
    /// `SESSION_DECRYPTION_FAILED`.
    SessionDecryptionFailed,
    /// `SESSION_INVALID_RESPONSE`.
    SessionInvalidResponse,
    /// `INVALID_SPENDING_POLICY`.
    InvalidSpendingPolicy,
    /// `SESSION_CREATION_FAILED`.
    SessionCreationFailed,
    /// `INVALID_WALLET_TYPE_FOR_SESSION`.
    InvalidWalletTypeForSession,
}

impl SdkCode {
    /// The code as the core names it; `None` for one this list lacks (a test keeps them equal).
    pub fn parse(code: &str) -> Option<Self> {
        serde_json::from_value(serde_json::Value::String(code.to_owned())).ok()
    }
}

/// The wallet's account class, as far as this app knows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
pub enum WalletKind {
    /// A CHIPI account (or ours): sessions work.
    #[serde(rename = "CHIPI")]
    Chipi,
    /// A READY (Argent) account: no sessions.
    #[serde(rename = "READY")]
    Ready,
    /// A class this app does not know.
    #[serde(rename = "unknown")]
    Unknown,
}

impl WalletKind {
    /// The kind of `wallet`'s class.
    pub fn of(wallet: &chipi_session::Wallet) -> Self {
        match wallet.wallet_type() {
            Some(chipi_session::WalletType::Chipi) => Self::Chipi,
            Some(chipi_session::WalletType::Ready) => Self::Ready,
            None => Self::Unknown,
        }
    }
}

/// The wallet as the UI sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct WalletInfo {
    /// Account address.
    pub address: String,
    /// Owner public key.
    pub owner_public_key: String,
    /// Account class hash.
    pub class_hash: String,
    /// What the class is.
    pub wallet_type: WalletKind,
    /// Whether sessions work with this account.
    pub supports_sessions: bool,
    /// The known session-capable class it runs (`CHIPI v29`, ...), if any.
    pub account_class: Option<String>,
    /// Its contract keeps per-token spending limits: a set-up may ask for them.
    pub spending_limits_enforced: bool,
    /// Its gasless (outside-execution) path checks the allowlist and the call budget; when
    /// false, a gasless session call is limited on chain by the expiry only.
    pub gasless_limits_enforced: bool,
    /// A session key of this account can also sign messages apps check against it (permits,
    /// off-chain orders): its `is_valid_signature` accepts session signatures.
    pub session_signs_messages: bool,
    /// The account keeps spending limits only on the tokens given one (CHIPI v33): the set-up
    /// gives every other token of the network a refusing policy and says that tokens outside
    /// the network's list are not bounded.
    pub unbounded_without_policy: bool,
    /// The account's class keeps no spending limits and can be upgraded to CHIPI v33, declared
    /// on this network (Settings offers "Upgrade account").
    pub upgradable: bool,
    /// An upgrade to CHIPI v33 stopped before the account's interfaces were registered
    /// (paymasters cannot relay for it until then): "Upgrade account" finishes it.
    pub upgrade_unfinished: bool,
    /// Whether the session key is open in memory (executions need no PIN).
    pub unlocked: bool,
    /// Network name.
    pub network: String,
    /// Biometric unlock on this device and for this wallet.
    pub biometrics: BiometricsInfo,
    /// Whether this app can deploy the account (it created it, and the network has a
    /// sponsor): where the chain has no account yet, the home screen offers the deployment.
    pub deployable: bool,
}

/// Biometric unlock, as the unlock and settings screens show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct BiometricsInfo {
    /// What the device offers ("Touch ID", "Windows Hello"; "PIN" where there is nothing).
    pub name: String,
    /// Whether it can be turned on here.
    pub available: bool,
    /// Whether it is on for this wallet (unlock, set-up and revoke without the PIN).
    pub enabled: bool,
    /// Whether the OS seals the key with the check itself (Touch ID's Keychain item); when
    /// false the check is asked before the key is read, but a program running as the user could
    /// read the key without it (Windows Hello over DPAPI).
    pub sealed_by_check: bool,
}

/// A spending limit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct LimitInfo {
    /// Token address.
    pub token: String,
    /// Token symbol, when known.
    pub symbol: Option<String>,
    /// Decimals of the token (18 when unknown).
    pub decimals: u8,
    /// Per call, base units.
    pub max_per_call: String,
    /// Per window, base units.
    pub max_per_window: String,
    /// Window seconds.
    pub window_seconds: u32,
    /// Spent in the window, base units.
    pub spent_in_window: String,
}

/// Operations in progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct BusyInfo {
    /// Creating.
    pub creating: bool,
    /// Registering.
    pub registering: bool,
    /// Revoking.
    pub revoking: bool,
    /// Executing.
    pub executing: bool,
    /// Loading status.
    pub loading_status: bool,
}

/// The last error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct LastError {
    /// The SDK's code, when one applies.
    pub code: Option<SdkCode>,
    /// A sentence.
    pub message: String,
}

/// The session card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct SessionInfo {
    /// Where the session stands.
    pub state: SessionState,
    /// Session public key.
    pub public_key: Option<String>,
    /// Expiry, unix seconds, as a string.
    pub valid_until: Option<String>,
    /// Chain time at the last read, unix seconds, as a string.
    pub chain_time: String,
    /// Calls left.
    pub remaining_calls: Option<u32>,
    /// The session's call budget, when known (the bar is drawn as `remaining / max`).
    pub max_calls: Option<u32>,
    /// Allowed selectors (hex); empty means any.
    pub allowed_entrypoints: Vec<String>,
    /// The same, by name where the selector is a known token entrypoint (else the hex).
    pub allowed_names: Vec<String>,
    /// Spending limits.
    pub limits: Vec<LimitInfo>,
    /// Busy flags.
    pub busy: BusyInfo,
    /// Last error.
    pub last_error: Option<LastError>,
    /// The rules of the last session set up on this device, which an extension or a renewal
    /// registers again (shown before it is confirmed); `None` when none are kept.
    pub kept_rules: Option<KeptRules>,
}

/// A session's rules as kept for an extension or a renewal, as the set-up asked for them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct KeptRules {
    /// The call budget (`None`: the default).
    pub max_calls: Option<u32>,
    /// Entrypoints allowed on any contract.
    pub allowed_entrypoints: Vec<String>,
    /// Spending limits, in whole units of the token.
    pub limits: Vec<KeptLimit>,
    /// Entrypoints allowed on one contract, as `entrypoint on 0x…`.
    pub allowed_calls: Vec<String>,
}

/// One kept spending limit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct KeptLimit {
    /// The token, as the set-up named it.
    pub token: String,
    /// Per transfer.
    pub max_per_call: String,
    /// Per window.
    pub max_per_window: String,
    /// The window, in seconds.
    pub window_seconds: u32,
}

impl SessionInfo {
    /// The UI form of the core's view; `token_info` names tokens.
    pub fn of(view: &SessionView, token_info: impl Fn(&str) -> (Option<String>, u8)) -> Self {
        Self {
            state: view.state.into(),
            public_key: view.public_key.clone(),
            valid_until: view.valid_until.map(|v| v.to_string()),
            chain_time: view.chain_time.to_string(),
            remaining_calls: view.remaining_calls,
            max_calls: view.max_calls,
            allowed_entrypoints: view.allowed_entrypoints.clone(),
            allowed_names: view
                .allowed_entrypoints
                .iter()
                .map(|hex| entrypoint_name(hex))
                .collect(),
            limits: view
                .spending_limits
                .iter()
                .map(|l| {
                    let (symbol, decimals) = token_info(&l.token);
                    LimitInfo {
                        token: l.token.clone(),
                        symbol,
                        decimals,
                        max_per_call: l.max_per_call.clone(),
                        max_per_window: l.max_per_window.clone(),
                        window_seconds: u32::try_from(l.window_seconds).unwrap_or(u32::MAX),
                        spent_in_window: l.spent_in_window.clone(),
                    }
                })
                .collect(),
            busy: BusyInfo {
                creating: view.busy.creating,
                registering: view.busy.registering,
                revoking: view.busy.revoking,
                executing: view.busy.executing,
                loading_status: view.busy.loading_status,
            },
            last_error: view.last_error.as_ref().map(|e| LastError {
                code: e.code.and_then(SdkCode::parse),
                message: e.message.clone(),
            }),
            kept_rules: None,
        }
    }
}

/// Token entrypoints a session is commonly limited to, by name.
const KNOWN_ENTRYPOINTS: &[&str] = &[
    "transfer",
    "transfer_from",
    "transferFrom",
    "approve",
    "increase_allowance",
    "decrease_allowance",
];

/// The entrypoint's name when the selector is a known one, else the selector itself.
fn entrypoint_name(hex: &str) -> String {
    KNOWN_ENTRYPOINTS
        .iter()
        .find(|name| format!("{:#x}", chipi_session::entrypoint::selector(name)) == hex)
        .map_or_else(|| hex.to_owned(), |name| (*name).to_owned())
}

/// A confirmed transaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct TxResult {
    /// Transaction hash.
    pub transaction_hash: String,
    /// Calls left.
    pub remaining_calls: u32,
    /// Explorer link, when the network has one.
    pub explorer_url: Option<String>,
}

/// A spending limit to register, amounts as decimal strings in whole token units.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct LimitInput {
    /// Token symbol or address.
    pub token: String,
    /// Per call, e.g. `"5"`.
    pub max_per_call: String,
    /// Per window.
    pub max_per_window: String,
    /// Window seconds.
    pub window_seconds: u32,
}

/// An entrypoint allowed on one contract only.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct AllowedCallInput {
    /// Contract address.
    pub contract_address: String,
    /// Entrypoint name or hex selector.
    pub entrypoint: String,
}

/// What a session may do, as the set-up screen asks for it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct SessionRequest {
    /// Lifetime in seconds (default 6 h).
    pub duration_seconds: Option<u32>,
    /// Call budget (default 1000).
    pub max_calls: Option<u32>,
    /// Entrypoint names or hex selectors allowed on any contract; empty allows none. Value
    /// entrypoints (`transfer`, …) move only tokens that have a limit below.
    pub allowed_entrypoints: Vec<String>,
    /// Spending limits, one per token the session may move.
    pub limits: Vec<LimitInput>,
    /// Entrypoints allowed on one contract only.
    #[serde(default)]
    pub allowed_calls: Vec<AllowedCallInput>,
    /// Expiry, unix seconds as a string, for a session created earlier (default: the one chosen
    /// when it was created).
    #[serde(default)]
    pub valid_until: Option<String>,
    /// The user acknowledged that the account's class keeps no spending limit (the set-up
    /// says so first): without it a set-up there is refused.
    #[serde(default)]
    pub no_limit_acknowledged: bool,
}

/// A call from the UI.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct CallInput {
    /// Contract address.
    pub contract_address: String,
    /// Entrypoint name or hex selector.
    pub entrypoint: String,
    /// Calldata felts (hex or decimal strings).
    pub calldata: Vec<String>,
}

#[cfg(test)]
mod tests {
    use chipi_session::SessionError;

    #[test]
    fn every_code_the_core_reports_has_its_variant() {
        let errors = [
            SessionError::SessionExpired { valid_until: 1 },
            SessionError::CallsExhausted,
            SessionError::PrivilegedCall,
            SessionError::SessionNotRegistered,
            SessionError::SessionRevoked,
            SessionError::WrongPin,
            SessionError::InvalidResponse("x".into()),
            SessionError::InvalidSpendingPolicy("x".into()),
            SessionError::InvalidKey,
            SessionError::WalletUnsupported {
                class_hash: starknet_core::types::Felt::ONE,
            },
            SessionError::Reverted {
                transaction_hash: None,
                reason: "Policy: over window limit".into(),
            },
        ];
        for error in errors {
            let code = error.sdk_code().expect("a code");
            let parsed = super::SdkCode::parse(code).expect(code);
            assert_eq!(serde_json::to_value(parsed).unwrap(), code);
        }
        assert_eq!(super::SdkCode::parse("SOMETHING_ELSE"), None);
    }

    #[test]
    fn known_selectors_read_as_names() {
        let transfer = format!("{:#x}", chipi_session::entrypoint::selector("transfer"));
        assert_eq!(super::entrypoint_name(&transfer), "transfer");
        assert_eq!(super::entrypoint_name("0x1234"), "0x1234");
    }
}
