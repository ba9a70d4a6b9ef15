//! What the app keeps that is not secret: the network, the current wallet, the session's public
//! parts, and the activity list. In the app this lives in `tauri-plugin-store`; tests use a file.

use chipi_session::{Network, SessionRecord, UncheckedPolicies};
use serde::{Deserialize, Serialize};
use starknet_core::types::Felt;

use crate::error::ServiceError;
use crate::host::PrefsStore;
pub use crate::session_rules::SessionRules;
use crate::views::{ActivityKind, ActivityStatus};

/// The wallet without its key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WalletPrefs {
    /// Account address.
    pub address: Felt,
    /// Owner public key.
    pub owner_public_key: Felt,
    /// Account class.
    pub class_hash: Felt,
    /// Deployment salt, for wallets made here.
    pub salt: Option<Felt>,
    /// The session layout a class the table does not list showed when it was imported.
    #[serde(default)]
    pub probed_layout: Option<chipi_session::wallet_type::StatusLayout>,
    /// Biometric unlock is on (its key is behind the OS's check, the wrapped PIN in the
    /// keychain).
    #[serde(default)]
    pub biometric_unlock: bool,
    /// A gasless execution signed and sent whose outcome is not known yet (public: the calls,
    /// the typed data, the signature), kept so that after a crash the same calls are not signed
    /// and sent again before the chain says whether it ran.
    #[serde(default)]
    pub unsettled: Option<serde_json::Value>,
    /// On a CHIPI v33 class: whether its interfaces are still to be registered (an upgrade
    /// whose second transaction did not run); `None` until the chain was asked.
    #[serde(default)]
    pub interfaces_pending: Option<bool>,
    /// The rules of the last session registered, kept so that it can be extended or renewed
    /// with the same rules and one confirmation.
    #[serde(default)]
    pub session_rules: Option<SessionRules>,
    /// The apps paired through the wallet API, each with a session of its own.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub apps: Vec<crate::app_prefs::AppPrefs>,
}

/// The session without its key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionPrefs {
    /// Session public key.
    pub public_key: Felt,
    /// Expiry.
    pub valid_until: u64,
    /// Registration confirmed.
    pub registered: bool,
    /// Registration sent, not settled.
    pub registering: Option<Felt>,
    /// Revoked from this device.
    pub revoked: bool,
    /// Tokens with a spending limit.
    pub spending_tokens: Vec<Felt>,
    /// The call budget registered, when known.
    #[serde(default)]
    pub max_calls: Option<u32>,
    /// When the registration in flight was sent.
    #[serde(default)]
    pub registering_since: Option<u64>,
    /// Spending policies registered and not yet read back on chain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unchecked_policies: Option<UncheckedPolicies>,
}

impl SessionPrefs {
    /// The public parts of a record.
    pub fn of(record: &SessionRecord) -> Self {
        Self {
            public_key: record.public_key,
            valid_until: record.valid_until,
            registered: record.registered,
            registering: record.registering,
            revoked: record.revoked,
            spending_tokens: record.spending_tokens.clone(),
            max_calls: record.max_calls,
            registering_since: record.registering_since,
            unchecked_policies: record.unchecked_policies.clone(),
        }
    }

    /// The record again, with its sealed key from the keychain.
    pub fn with_key(&self, sealed_key: String) -> SessionRecord {
        SessionRecord {
            public_key: self.public_key,
            sealed_key,
            valid_until: self.valid_until,
            registered: self.registered,
            registering: self.registering,
            revoked: self.revoked,
            spending_tokens: self.spending_tokens.clone(),
            max_calls: self.max_calls,
            registering_since: self.registering_since,
            unchecked_policies: self.unchecked_policies.clone(),
        }
    }
}

/// One line of the activity list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityEntry {
    /// Unix seconds.
    pub at: u64,
    /// What was done.
    pub kind: ActivityKind,
    /// A sentence.
    pub summary: String,
    /// The transaction, if one was sent.
    pub transaction_hash: Option<Felt>,
    /// Where it stands.
    pub status: ActivityStatus,
    /// The token moved (its symbol), for transfers.
    #[serde(default)]
    pub token: Option<String>,
    /// The amount moved, in whole units of the token.
    #[serde(default)]
    pub amount: Option<String>,
    /// The other side: the recipient of a transfer, the sender of a receipt.
    #[serde(default)]
    pub counterparty: Option<Felt>,
}

/// How transactions reach the chain on a network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum GasMode {
    /// The network's SNIP-29 paymaster (or direct when it has none).
    #[default]
    Paymaster,
    /// Chipi's hosted API.
    ChipiApi,
    /// A direct INVOKE the account pays for.
    Direct,
}

/// Who pays a paymaster's fee.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum FeeModeSetting {
    /// The paymaster pays (its operator may require an API key).
    #[default]
    Sponsored,
    /// The user pays the fee in a token the paymaster takes; the paymaster appends the fee
    /// transfer, shown and counted before signing.
    Gasless,
}

/// The gas settings of one network. Its keys (paymaster API key, Chipi API key and bearer
/// token) are in the vault, under [`crate::keychain::network_secret_entry`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct GasPrefs {
    /// The path transactions take.
    pub mode: GasMode,
    /// Who pays a paymaster's fee.
    pub fee_mode: FeeModeSetting,
    /// The token a gasless fee is paid in (a symbol of the network).
    pub gas_token: String,
    /// The most a gasless fee may be, in whole units of the gas token.
    pub max_fee: String,
    /// A command that prints a fresh bearer token for Chipi's API (the SDK's `getBearerToken`),
    /// run again when the API answers 401. Set by the host only, never over IPC: it is a
    /// program the wallet runs.
    pub bearer_command: Option<String>,
    /// The Chipi API URL the command was set for: it runs for that URL only, and is dropped
    /// when the network's Chipi API URL changes (a page that moved the URL would otherwise
    /// receive a fresh token).
    #[serde(default)]
    pub bearer_command_url: Option<String>,
    /// Whether a session may use the direct path on a class whose session message leaves the
    /// fee unsigned (turned on by the user with the PIN, after a warning).
    #[serde(default)]
    pub direct_unsigned_fees: bool,
    /// The relayer the Chipi API named first, pinned for later executions, and the API URL it
    /// was seen at (another URL learns its own).
    #[serde(default)]
    pub chipi_caller: Option<Felt>,
    /// The Chipi API URL `chipi_caller` was seen at.
    #[serde(default)]
    pub chipi_caller_url: Option<String>,
}

impl Default for GasPrefs {
    fn default() -> Self {
        Self {
            mode: GasMode::Paymaster,
            fee_mode: FeeModeSetting::Sponsored,
            gas_token: "STRK".into(),
            max_fee: "0.1".into(),
            bearer_command: None,
            bearer_command_url: None,
            direct_unsigned_fees: false,
            chipi_caller: None,
            chipi_caller_url: None,
        }
    }
}

/// What the app keeps for one network; the selected one's lives at the top of [`Prefs`], the
/// others here until selected again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetworkProfile {
    /// The network.
    pub network: Network,
    /// Its gas settings.
    #[serde(default)]
    pub gas: GasPrefs,
    /// Its wallet.
    pub wallet: Option<WalletPrefs>,
    /// Its session.
    pub session: Option<SessionPrefs>,
    /// Its activity.
    pub activity: Vec<ActivityEntry>,
}

/// A saved address (the same on every network: an address book is the user's, not a chain's).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    /// What the user calls it.
    pub name: String,
    /// The address.
    pub address: Felt,
    /// A note, possibly empty.
    #[serde(default)]
    pub note: String,
}

/// Everything non-secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Prefs {
    /// The selected network.
    pub network: Network,
    /// How transactions reach it.
    #[serde(default)]
    pub gas: GasPrefs,
    /// The wallet, once created or imported.
    pub wallet: Option<WalletPrefs>,
    /// The device's session.
    pub session: Option<SessionPrefs>,
    /// Newest last.
    pub activity: Vec<ActivityEntry>,
    /// The other networks used on this device, each with its own wallet and session.
    #[serde(default)]
    pub others: Vec<NetworkProfile>,
    /// Minutes without use before the wallet locks itself (0: never).
    #[serde(default = "default_auto_lock")]
    pub auto_lock_minutes: u32,
    /// The user picked the network (a first start asks before anything else, unless the host
    /// names the network: the sandbox, the tests, the CLI).
    #[serde(default)]
    pub network_chosen: bool,
    /// How much the app's log records.
    #[serde(default)]
    pub log_level: crate::logs::LogLevel,
    /// The address book.
    #[serde(default)]
    pub contacts: Vec<Contact>,
    /// Desktop notifications are on (the default).
    #[serde(default = "default_notifications")]
    pub notifications: bool,
    /// The local wallet API is on (off unless the user turns it on).
    #[serde(default)]
    pub wallet_api: bool,
}

fn default_notifications() -> bool {
    true
}

/// The idle time before the wallet locks itself, unless changed: 15 minutes.
pub const DEFAULT_AUTO_LOCK_MINUTES: u32 = 15;

fn default_auto_lock() -> u32 {
    DEFAULT_AUTO_LOCK_MINUTES
}

impl Prefs {
    /// Fresh preferences on `network`.
    pub fn new(network: Network) -> Self {
        Self {
            network,
            gas: GasPrefs::default(),
            wallet: None,
            session: None,
            activity: vec![],
            others: vec![],
            auto_lock_minutes: DEFAULT_AUTO_LOCK_MINUTES,
            network_chosen: false,
            log_level: crate::logs::LogLevel::default(),
            contacts: vec![],
            notifications: true,
            wallet_api: false,
        }
    }

    /// Selects `network`: the current network's profile is kept among the others, and the
    /// profile saved under `network`'s name (if any) comes back with its wallet and session;
    /// `network` itself (the endpoints just checked) replaces the saved one.
    pub fn switch_to(&mut self, network: Network) {
        let current = NetworkProfile {
            network: self.network.clone(),
            gas: std::mem::take(&mut self.gas),
            wallet: self.wallet.take(),
            session: self.session.take(),
            activity: std::mem::take(&mut self.activity),
        };
        self.others
            .retain(|p| p.network.name != current.network.name);
        self.others.push(current);
        let saved = self
            .others
            .iter()
            .position(|p| p.network.name == network.name)
            .map(|i| self.others.remove(i));
        if let Some(saved) = saved {
            self.gas = saved.gas;
            self.wallet = saved.wallet;
            self.session = saved.session;
            self.activity = saved.activity;
        }
        self.network = network;
    }
}

/// Renames the file at `path` to `<name>.damaged-<unix seconds>` (a number more if that exists);
/// the new name.
pub fn set_aside(path: &std::path::Path) -> Result<String, ServiceError> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut kept = path.with_file_name(format!("{name}.damaged-{now}"));
    let mut n = 1;
    while kept.exists() {
        kept = path.with_file_name(format!("{name}.damaged-{now}-{n}"));
        n += 1;
    }
    std::fs::rename(path, &kept).map_err(|e| ServiceError::storage("preferences", e))?;
    Ok(kept.display().to_string())
}

/// The key the preferences live under in the store file.
pub const STORE_KEY: &str = "prefs";

/// A JSON file in `tauri-plugin-store`'s format (`{"prefs": …}`), written without the plugin: the
/// tests use it, and the sandbox writes a demo wallet's preferences with it before the app starts
/// (never while the app runs).
#[derive(Debug, Clone)]
pub struct FilePrefs(pub std::path::PathBuf);

impl FilePrefs {
    fn read(&self) -> Result<serde_json::Map<String, serde_json::Value>, ServiceError> {
        match std::fs::read_to_string(&self.0) {
            Ok(text) => serde_json::from_str(&text)
                .map_err(|e| ServiceError::Corrupted(format!("preferences: {e}"))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Default::default()),
            Err(e) => Err(ServiceError::storage("preferences", e)),
        }
    }
}

impl PrefsStore for FilePrefs {
    fn load(&self) -> Result<Option<Prefs>, ServiceError> {
        self.read()?
            .remove(STORE_KEY)
            .map(|value| {
                serde_json::from_value(value)
                    .map_err(|e| ServiceError::Corrupted(format!("preferences: {e}")))
            })
            .transpose()
    }

    fn set_aside(&self) -> Result<Option<String>, ServiceError> {
        set_aside(&self.0).map(Some)
    }

    fn save(&self, prefs: &Prefs) -> Result<(), ServiceError> {
        let mut file = self.read()?;
        let value =
            serde_json::to_value(prefs).map_err(|e| ServiceError::storage("preferences", e))?;
        file.insert(STORE_KEY.into(), value);
        let text = serde_json::to_string_pretty(&file)
            .map_err(|e| ServiceError::storage("preferences", e))?;
        if let Some(dir) = self.0.parent() {
            std::fs::create_dir_all(dir).map_err(|e| ServiceError::storage("preferences", e))?;
        }
        let tmp = self.0.with_extension("tmp");
        std::fs::write(&tmp, text)
            .and_then(|()| std::fs::rename(&tmp, &self.0))
            .map_err(|e| ServiceError::storage("preferences", e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_is_in_the_store_plugins_format() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("prefs.json");
        std::fs::write(&path, r#"{"other": 1}"#).unwrap();
        let file = FilePrefs(path.clone());
        assert!(file.load().unwrap().is_none());
        let prefs = Prefs::new(chipi_session::Network::profile("local").unwrap());
        file.save(&prefs).unwrap();
        let raw: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        assert_eq!(raw["other"], 1, "other keys of the store are kept");
        assert_eq!(raw[STORE_KEY]["network"]["name"], "local");
        assert_eq!(file.load().unwrap().unwrap().network.name, "local");
    }

    #[test]
    fn each_network_keeps_its_wallet_session_and_settings() {
        let local = chipi_session::Network::profile("local").unwrap();
        let mut prefs = Prefs::new(local.clone());
        let wallet = WalletPrefs {
            address: Felt::from(7u8),
            owner_public_key: Felt::from(8u8),
            class_hash: Felt::from(9u8),
            salt: None,
            probed_layout: None,
            biometric_unlock: false,
            unsettled: None,
            interfaces_pending: None,
            session_rules: None,
            apps: vec![],
        };
        prefs.wallet = Some(wallet.clone());
        prefs.gas.fee_mode = FeeModeSetting::Gasless;
        prefs.switch_to(chipi_session::Network::profile("sepolia").unwrap());
        assert_eq!(prefs.wallet, None, "a network without a wallet yet");
        assert_eq!(prefs.gas, GasPrefs::default());
        assert_eq!(prefs.others.len(), 1);
        prefs.switch_to(local);
        assert_eq!(prefs.wallet, Some(wallet));
        assert_eq!(prefs.gas.fee_mode, FeeModeSetting::Gasless);
        assert_eq!(
            prefs
                .others
                .iter()
                .map(|p| p.network.name.as_str())
                .collect::<Vec<_>>(),
            ["sepolia"]
        );
        // Preferences written before gas settings existed still load.
        let mut old = serde_json::to_value(&prefs).unwrap();
        old.as_object_mut().unwrap().remove("gas");
        old.as_object_mut().unwrap().remove("others");
        let loaded: Prefs = serde_json::from_value(old).unwrap();
        assert_eq!(loaded.gas, GasPrefs::default());
    }
}
