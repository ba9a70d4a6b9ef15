//! Network profiles: where the node, the sponsor and Chipi's API are, and which tokens exist.

use serde::{Deserialize, Serialize};
use starknet_core::types::Felt;

use crate::backends::chipi_api::CHIPI_API_URL;
use crate::chain::node_client::NodeClient;
use crate::error::SessionError;
use crate::wallet_type::{CHIPI_V33_CLASS_HASH, SESSION_ACCOUNT_CLASS_HASH};

/// A token the wallet can send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Token {
    /// Ticker, e.g. `USDC`.
    pub symbol: String,
    /// The ERC-20 contract.
    pub address: Felt,
    /// Decimals of one unit.
    pub decimals: u8,
    /// The token's own name, as its contract gives it (tokens the user added).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Added by the user (read from the chain), not one of the network's own.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub added: bool,
    /// Hidden by the user: no balance shown, not offered to send, not scanned for receipts.
    /// Still known, so a line of the activity or a limit on it reads right.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub hidden: bool,
}

impl Token {
    /// One of a network's own tokens.
    pub fn new(symbol: &str, address: Felt, decimals: u8) -> Self {
        Self {
            symbol: symbol.to_owned(),
            address,
            decimals,
            name: None,
            added: false,
            hidden: false,
        }
    }
}

/// Where a wallet talks to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Network {
    /// `mainnet`, `sepolia` or `local`.
    pub name: String,
    /// The chain id the node must report.
    pub chain_id: Felt,
    /// JSON-RPC endpoint of a node.
    pub rpc_url: String,
    /// Other nodes of the network, tried in order when the first refuses or rate-limits (the
    /// keyless public nodes of the built-in profiles; empty once the user sets a node).
    #[serde(default)]
    pub fallback_rpc_urls: Vec<String>,
    /// SNIP-29 paymaster endpoint (gasless execution), if any.
    pub sponsor_url: Option<String>,
    /// Chipi's hosted API, if used on this network.
    pub chipi_api_url: Option<String>,
    /// Block explorer transaction page prefix, if any.
    pub explorer_tx_url: Option<String>,
    /// Tokens the wallet offers.
    pub tokens: Vec<Token>,
    /// The account class new wallets get on this network (one declared there): CHIPI's
    /// production class on the public networks; `None` for this project's class.
    #[serde(default)]
    pub account_class_hash: Option<Felt>,
    /// How long one request to the node or the paymaster may take before it is given up, in
    /// seconds; `None`: 30 for the node, 60 for a paymaster.
    #[serde(default)]
    pub request_timeout_seconds: Option<u64>,
}

/// STRK, at the same address on mainnet, Sepolia and devnet.
pub const STRK: Felt =
    Felt::from_hex_unchecked("0x04718f5a0fc34cc1af16a1cdee98ffb20c31f5cd61d6ab07201858f4287c938d");
/// ETH, at the same address on mainnet, Sepolia and devnet.
pub const ETH: Felt =
    Felt::from_hex_unchecked("0x049d36570d4e46f48e99674bd3fcc84644ddd6b96f7c741b1562b82f9e004dc7");
/// Native USDC on mainnet.
pub const USDC_MAINNET: Felt =
    Felt::from_hex_unchecked("0x033068F6539f8e6e6b131e6B2B814e6c34A5224bC66947c47DaB9dFeE93b35fb");
/// Bridged USDC.e on mainnet.
pub const USDC_E_MAINNET: Felt =
    Felt::from_hex_unchecked("0x053c91253bc9682c04929ca02ed00b3e423f6710d2ee7e0d5ebb06f3ecf368a8");
/// `SN_MAIN`.
pub const SN_MAIN: Felt = Felt::from_hex_unchecked("0x534e5f4d41494e");
/// `SN_SEPOLIA`.
pub const SN_SEPOLIA: Felt = Felt::from_hex_unchecked("0x534e5f5345504f4c4941");

/// ZAN's keyless public mainnet node, spec 0.9 (starknet.js's default).
pub const ZAN_MAINNET: &str = "https://api.zan.top/public/starknet-mainnet/rpc/v0_9";
/// Lava's keyless public mainnet node, spec 0.9.
pub const LAVA_MAINNET: &str = "https://rpc.starknet.lava.build/rpc/v0_9";
/// ZAN's keyless public Sepolia node, spec 0.9.
pub const ZAN_SEPOLIA: &str = "https://api.zan.top/public/starknet-sepolia/rpc/v0_9";

/// The host of Blast's public Starknet nodes, shut down in October 2025: earlier versions of
/// this wallet saved them as the default node.
const SHUT_DOWN_HOST: &str = ".public.blastapi.io";

fn token(symbol: &str, address: Felt, decimals: u8) -> Token {
    Token::new(symbol, address, decimals)
}

impl Network {
    /// A built-in profile by name: `mainnet`, `sepolia` or `local` (devnet on port 5050 and the
    /// project's sponsor on 5051).
    pub fn profile(name: &str) -> Result<Self, SessionError> {
        let network = match name {
            "mainnet" => Network {
                name: "mainnet".into(),
                chain_id: SN_MAIN,
                rpc_url: ZAN_MAINNET.into(),
                fallback_rpc_urls: vec![LAVA_MAINNET.into()],
                sponsor_url: Some("https://starknet.paymaster.avnu.fi".into()),
                chipi_api_url: Some(CHIPI_API_URL.into()),
                explorer_tx_url: Some("https://voyager.online/tx/".into()),
                account_class_hash: Some(CHIPI_V33_CLASS_HASH),
                request_timeout_seconds: None,
                tokens: vec![
                    token("USDC", USDC_MAINNET, 6),
                    token("USDC.e", USDC_E_MAINNET, 6),
                    token("STRK", STRK, 18),
                    token("ETH", ETH, 18),
                ],
            },
            "sepolia" => Network {
                name: "sepolia".into(),
                chain_id: SN_SEPOLIA,
                rpc_url: ZAN_SEPOLIA.into(),
                fallback_rpc_urls: vec![],
                sponsor_url: Some("https://sepolia.paymaster.avnu.fi".into()),
                chipi_api_url: None,
                explorer_tx_url: Some("https://sepolia.voyager.online/tx/".into()),
                account_class_hash: Some(CHIPI_V33_CLASS_HASH),
                request_timeout_seconds: None,
                tokens: vec![token("STRK", STRK, 18), token("ETH", ETH, 18)],
            },
            "local" => Network {
                name: "local".into(),
                chain_id: Felt::from_hex_unchecked("0x534e5f5345504f4c4941"),
                rpc_url: "http://127.0.0.1:5050/rpc".into(),
                fallback_rpc_urls: vec![],
                sponsor_url: Some("http://127.0.0.1:5051/rpc".into()),
                chipi_api_url: None,
                explorer_tx_url: None,
                tokens: vec![token("STRK", STRK, 18), token("ETH", ETH, 18)],
                account_class_hash: None,
                request_timeout_seconds: None,
            },
            other => {
                return Err(SessionError::InvalidConfig(format!(
                    "unknown network {other:?} (mainnet, sepolia, local)"
                )))
            }
        };
        Ok(network)
    }

    /// A client of this network's node (its fallbacks after it), with its request timeout.
    pub fn node(&self) -> NodeClient {
        let node =
            NodeClient::new(self.rpc_url.clone()).with_fallbacks(self.fallback_rpc_urls.clone());
        match self.request_timeout() {
            Some(timeout) => node.with_timeout(timeout),
            None => node,
        }
    }

    /// A network saved by an earlier version whose node no longer exists (Blast's public
    /// endpoints) gets its profile's nodes; `true` when it changed.
    pub fn replace_shut_down_nodes(&mut self) -> bool {
        if !self.rpc_url.contains(SHUT_DOWN_HOST) {
            return false;
        }
        match Network::profile(&self.name) {
            Ok(profile) if profile.chain_id == self.chain_id => {
                self.rpc_url = profile.rpc_url;
                self.fallback_rpc_urls = profile.fallback_rpc_urls;
                true
            }
            _ => false,
        }
    }

    /// The request timeout set for this network, if any.
    pub fn request_timeout(&self) -> Option<std::time::Duration> {
        self.request_timeout_seconds
            .map(std::time::Duration::from_secs)
    }

    /// The class a new wallet gets here: the network's, or this project's when `own_class`
    /// (only where it has been declared) or when the network names none.
    pub fn new_wallet_class(&self, own_class: bool) -> Felt {
        match self.account_class_hash {
            Some(class_hash) if !own_class => class_hash,
            _ => SESSION_ACCOUNT_CLASS_HASH,
        }
    }

    /// A network saved by an earlier version whose new wallets got CHIPI v29 (deprecated) gets
    /// v33; `true` when it changed. Existing wallets keep their class.
    pub fn replace_deprecated_class(&mut self) -> bool {
        if self.account_class_hash != Some(crate::wallet_type::CHIPI_V29_CLASS_HASH) {
            return false;
        }
        self.account_class_hash = Some(CHIPI_V33_CLASS_HASH);
        true
    }

    /// A token by symbol (case-insensitive) or by address.
    pub fn token(&self, name_or_address: &str) -> Result<&Token, SessionError> {
        let by_address = Felt::from_hex(name_or_address).ok();
        self.tokens
            .iter()
            .find(|t| {
                t.symbol.eq_ignore_ascii_case(name_or_address) || Some(t.address) == by_address
            })
            .ok_or_else(|| {
                SessionError::InvalidConfig(format!(
                    "no token {name_or_address:?} on {}",
                    self.name
                ))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profiles_and_tokens() {
        let mainnet = Network::profile("mainnet").unwrap();
        assert_eq!(
            mainnet.chain_id,
            starknet_core::utils::cairo_short_string_to_felt("SN_MAIN").unwrap()
        );
        assert_eq!(mainnet.token("usdc").unwrap().decimals, 6);
        assert_eq!(
            mainnet
                .token("0x4718f5a0fc34cc1af16a1cdee98ffb20c31f5cd61d6ab07201858f4287c938d")
                .unwrap()
                .symbol,
            "STRK"
        );
        let sepolia = Network::profile("sepolia").unwrap();
        assert_eq!(
            sepolia.chain_id,
            starknet_core::utils::cairo_short_string_to_felt("SN_SEPOLIA").unwrap()
        );
        let local = Network::profile("local").unwrap();
        assert!(local.rpc_url.starts_with("http://127.0.0.1:"));
        assert!(local.sponsor_url.unwrap().starts_with("http://127.0.0.1:"));
        assert!(Network::profile("moon").is_err());
        assert_eq!(mainnet.new_wallet_class(false), CHIPI_V33_CLASS_HASH);
        assert_eq!(mainnet.new_wallet_class(true), SESSION_ACCOUNT_CLASS_HASH);
        assert_eq!(sepolia.new_wallet_class(false), CHIPI_V33_CLASS_HASH);
        assert_eq!(sepolia.new_wallet_class(true), SESSION_ACCOUNT_CLASS_HASH);
        let mut saved = sepolia.clone();
        saved.account_class_hash = Some(crate::wallet_type::CHIPI_V29_CLASS_HASH);
        assert!(saved.replace_deprecated_class());
        assert_eq!(saved.account_class_hash, Some(CHIPI_V33_CLASS_HASH));
        assert!(!saved.replace_deprecated_class());
        assert_eq!(
            Network::profile("local").unwrap().new_wallet_class(false),
            SESSION_ACCOUNT_CLASS_HASH
        );
        assert!(local_token_missing());
    }

    #[test]
    fn public_profiles_use_nodes_that_exist_and_saved_dead_ones_are_replaced() {
        for name in ["mainnet", "sepolia"] {
            let network = Network::profile(name).unwrap();
            for url in std::iter::once(&network.rpc_url).chain(&network.fallback_rpc_urls) {
                assert!(!url.contains(SHUT_DOWN_HOST), "{name}: {url}");
                assert!(url.starts_with("https://"), "{url}");
            }
        }
        let mainnet = Network::profile("mainnet").unwrap();
        assert_eq!(
            mainnet.node().urls(),
            [ZAN_MAINNET.to_owned(), LAVA_MAINNET.to_owned()],
            "tried in order"
        );
        let mut saved = mainnet.clone();
        saved.rpc_url = "https://starknet-mainnet.public.blastapi.io/rpc/v0_9".into();
        saved.fallback_rpc_urls.clear();
        assert!(saved.replace_shut_down_nodes());
        assert_eq!(saved, mainnet);
        let mut own = mainnet.clone();
        own.rpc_url = "https://my.node.example/rpc".into();
        assert!(!own.replace_shut_down_nodes(), "a node the user set stays");
        // A profile of an older version without the field reads with no fallbacks.
        let mut old = serde_json::to_value(&mainnet).unwrap();
        old.as_object_mut().unwrap().remove("fallback_rpc_urls");
        let read: Network = serde_json::from_value(old).unwrap();
        assert!(read.fallback_rpc_urls.is_empty());
    }

    fn local_token_missing() -> bool {
        Network::profile("local").unwrap().token("DOGE").is_err()
    }
}
