//! What the settings screens read and send: networks, gas, fees.

use serde::Serialize;

/// Network settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct NetworkInfo {
    /// A first start without a wallet: the user must choose the network before anything else.
    pub choice_pending: bool,
    /// Profile name.
    pub name: String,
    /// The chain id the node must report (hex).
    pub chain_id: String,
    /// The account class a new wallet gets here (`CHIPI v29`, or this project's).
    pub new_wallet_class: String,
    /// Node URL.
    pub rpc_url: String,
    /// Nodes tried after it, in order, when it refuses or rate-limits.
    pub fallback_rpc_urls: Vec<String>,
    /// The node that answered the last check, once checked.
    pub node_in_use: Option<String>,
    /// The JSON-RPC spec version that node speaks (`starknet_specVersion`), once checked.
    pub node_spec_version: Option<String>,
    /// Sponsor URL.
    pub sponsor_url: Option<String>,
    /// Tokens: symbol, address, decimals, hidden ones included.
    pub tokens: Vec<TokenInfo>,
}

/// A token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct TokenInfo {
    /// Symbol.
    pub symbol: String,
    /// Address.
    pub address: String,
    /// Decimals.
    pub decimals: u8,
    /// The token's own name, for a token the user added.
    pub name: Option<String>,
    /// Added by the user, not one of the network's own.
    pub added: bool,
    /// Hidden by the user: no balance, not offered to send.
    pub hidden: bool,
}

/// The settings screen: the network, the networks kept on this device, how transactions reach
/// the chain. Keys are shown masked, never in full.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct SettingsInfo {
    /// The selected network.
    pub network: NetworkInfo,
    /// The other networks with settings (and maybe a wallet) on this device.
    pub saved_networks: Vec<String>,
    /// Gas settings of the selected network.
    pub gas: GasInfo,
    /// Minutes without use before the wallet locks itself (0: never).
    pub auto_lock_minutes: u32,
    /// The same in seconds, as the window applies it (a test build may shorten it).
    pub auto_lock_seconds: u32,
    /// How much the app's log records.
    pub log_level: crate::logs::LogLevel,
    /// Desktop notifications are on.
    pub notifications: bool,
    /// The local wallet API is on: apps on this computer may ask to pair.
    pub wallet_api: bool,
}

/// Gas settings as shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct GasInfo {
    /// The path transactions take.
    pub mode: crate::prefs::GasMode,
    /// Who pays a paymaster's fee.
    pub fee_mode: crate::prefs::FeeModeSetting,
    /// The gasless fee token's symbol.
    pub gas_token: String,
    /// The most a gasless fee may be, whole units.
    pub max_fee: String,
    /// The paymaster API key, masked (`pk_l…6789`), if set.
    pub paymaster_api_key: Option<String>,
    /// Chipi's public API key, masked, if set.
    pub chipi_api_key: Option<String>,
    /// Whether a Chipi bearer token is stored.
    pub chipi_bearer_set: bool,
    /// Whether the host set a command that prints a fresh bearer token
    /// (`CHIPI_BEARER_COMMAND`); the command itself is not shown.
    pub bearer_command_set: bool,
    /// Whether a session may use the direct path on a class whose session message leaves the
    /// fee unsigned.
    pub direct_unsigned_fees: bool,
}

/// A network to switch to: a profile (`mainnet`, `sepolia`, `local`, a saved custom one) or
/// `custom` with its name, node and chain id. The node's chain id is checked before anything
/// is saved.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct NetworkChoice {
    /// `mainnet`, `sepolia`, `local`, the name of a saved network, or `custom`.
    pub profile: String,
    /// A custom network's name.
    pub name: Option<String>,
    /// The node's URL (a profile's own when absent).
    pub rpc_url: Option<String>,
    /// A custom network's chain id: hex (`0x534e5f4d41494e`) or its short string (`SN_MAIN`).
    pub chain_id: Option<String>,
    /// A SNIP-29 paymaster URL (a profile's own when absent).
    pub sponsor_url: Option<String>,
    /// Chipi's API URL (a profile's own when absent).
    #[serde(default)]
    pub chipi_api_url: Option<String>,
}

/// New gas settings for the selected network. A key left out is kept; an empty one is removed.
#[derive(Debug, Clone, serde::Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct GasInput {
    /// The path transactions take.
    pub mode: crate::prefs::GasMode,
    /// Who pays a paymaster's fee.
    pub fee_mode: crate::prefs::FeeModeSetting,
    /// The gasless fee token (a symbol of the network).
    pub gas_token: String,
    /// The most a gasless fee may be, whole units.
    pub max_fee: String,
    /// The paymaster API key.
    pub paymaster_api_key: Option<crate::pin::Pin>,
    /// Chipi's public API key.
    pub chipi_api_key: Option<crate::pin::Pin>,
    /// A Chipi bearer token.
    pub chipi_bearer: Option<crate::pin::Pin>,
}

/// What a gasless execution will cost, shown before it is sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct FeeQuote {
    /// `sponsored` (nothing to pay), `gasless` (paid in `token`) or `direct` (the account pays
    /// the network fee).
    pub mode: String,
    /// The fee token's symbol.
    pub token: String,
    /// The fee in whole units (`0` when sponsored).
    pub amount: String,
    /// The most the settings accept, whole units.
    pub max_fee: String,
}

/// A key shown as its first and last four characters.
pub fn mask(key: &str) -> String {
    let chars: Vec<char> = key.chars().collect();
    if chars.len() < 12 {
        return "•".repeat(chars.len().min(8));
    }
    let tail: String = chars[chars.len() - 4..].iter().collect();
    // A short key shows its last four characters only: never most of it.
    if chars.len() < 20 {
        return format!("…{tail}");
    }
    let head: String = chars[..4].iter().collect();
    format!("{head}…{tail}")
}

#[cfg(test)]
mod tests {

    #[test]
    fn keys_are_masked_to_a_small_part() {
        assert_eq!(super::mask("short"), "•••••");
        assert_eq!(super::mask("pk_dev_local"), "…ocal");
        assert_eq!(super::mask("pk_local_0123456789abcdef"), "pk_l…cdef");
    }
}
