//! Network profiles: where the node, the sponsor and Chipi's API are, and which tokens exist.

use serde::{Deserialize, Serialize};
use starknet_core::types::Felt;

use crate::backends::chipi_api::CHIPI_API_URL;
use crate::chain::node_client::NodeClient;
use crate::error::SessionError;
use crate::wallet_type::{CHIPI_V29_CLASS_HASH, SESSION_ACCOUNT_CLASS_HASH};

/// A token the wallet can send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Token {
    /// Ticker, e.g. `USDC`.
    pub symbol: String,
    /// The ERC-20 contract.
    pub address: Felt,
    /// Decimals of one unit.
    pub decimals: u8,
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

fn token(symbol: &str, address: Felt, decimals: u8) -> Token {
    Token {
        symbol: symbol.to_owned(),
        address,
        decimals,
    }
}

impl Network {
    /// A built-in profile by name: `mainnet`, `sepolia` or `local` (devnet on port 5050 and the
    /// project's sponsor on 5051).
    pub fn profile(name: &str) -> Result<Self, SessionError> {
        let network = match name {
            "mainnet" => Network {
                name: "mainnet".into(),
                chain_id: SN_MAIN,
                rpc_url: "https://starknet-mainnet.public.blastapi.io/rpc/v0_9".into(),
                sponsor_url: Some("https://starknet.paymaster.avnu.fi".into()),
                chipi_api_url: Some(CHIPI_API_URL.into()),
                explorer_tx_url: Some("https://voyager.online/tx/".into()),
                account_class_hash: Some(CHIPI_V29_CLASS_HASH),
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
                rpc_url: "https://starknet-sepolia.public.blastapi.io/rpc/v0_9".into(),
                sponsor_url: Some("https://sepolia.paymaster.avnu.fi".into()),
                chipi_api_url: None,
                explorer_tx_url: Some("https://sepolia.voyager.online/tx/".into()),
                account_class_hash: Some(CHIPI_V29_CLASS_HASH),
                request_timeout_seconds: None,
                tokens: vec![token("STRK", STRK, 18), token("ETH", ETH, 18)],
            },
            "local" => Network {
                name: "local".into(),
                chain_id: Felt::from_hex_unchecked("0x534e5f5345504f4c4941"),
                rpc_url: "http://127.0.0.1:5050/rpc".into(),
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

    /// A client of this network's node, with its request timeout.
    pub fn node(&self) -> NodeClient {
        let node = NodeClient::new(self.rpc_url.clone());
        match self.request_timeout() {
            Some(timeout) => node.with_timeout(timeout),
            None => node,
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
        assert_eq!(mainnet.new_wallet_class(false), CHIPI_V29_CLASS_HASH);
        assert_eq!(mainnet.new_wallet_class(true), SESSION_ACCOUNT_CLASS_HASH);
        assert_eq!(sepolia.new_wallet_class(false), CHIPI_V29_CLASS_HASH);
        assert_eq!(
            Network::profile("local").unwrap().new_wallet_class(false),
            SESSION_ACCOUNT_CLASS_HASH
        );
        assert!(local_token_missing());
    }

    fn local_token_missing() -> bool {
        Network::profile("local").unwrap().token("DOGE").is_err()
    }
}
