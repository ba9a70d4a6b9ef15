//! The network, its endpoints, and how transactions reach it.

use chipi_session::Network;

use super::{hex, WalletService};
use crate::error::AppError;
use crate::views::{NetworkInfo, TokenInfo};

/// How transactions reach the chain. The app uses the network's default; the CLI picks one.
#[derive(Clone, PartialEq, Eq, Default)]
pub enum GasBackend {
    /// The network's sponsor when it has one, else direct.
    #[default]
    Network,
    /// The network's SNIP-29 sponsor; an error when the network has none.
    Sponsor,
    /// A direct INVOKE the account pays for.
    Direct,
    /// Chipi's hosted API, with its public API key and the user's bearer token.
    ChipiApi {
        /// The public API key (`pk_…`).
        api_key: String,
        /// The user's bearer token.
        bearer: Option<String>,
    },
}

impl std::fmt::Debug for GasBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Network => "Network",
            Self::Sponsor => "Sponsor",
            Self::Direct => "Direct",
            Self::ChipiApi { .. } => "ChipiApi(…)",
        })
    }
}

impl WalletService {
    /// Uses other endpoints for the wallet's network (a node or sponsor that moved), kept.
    pub fn set_endpoints(
        &self,
        rpc_url: Option<String>,
        sponsor_url: Option<String>,
    ) -> Result<(), AppError> {
        let network = self.prefs.get().network;
        let rpc_changes = rpc_url.as_ref().is_some_and(|u| *u != network.rpc_url);
        let sponsor_changes = sponsor_url.is_some() && sponsor_url != network.sponsor_url;
        if !rpc_changes && !sponsor_changes {
            return Ok(());
        }
        self.prefs.update(|p| {
            if let Some(rpc) = rpc_url {
                p.network.rpc_url = rpc;
            }
            if let Some(sponsor) = sponsor_url {
                p.network.sponsor_url = Some(sponsor);
            }
        })?;
        self.reload()
    }

    /// The network, as the core describes it (tokens with their decimals, endpoints).
    pub fn network(&self) -> Network {
        self.prefs.get().network
    }

    /// The network.
    pub fn network_info(&self) -> NetworkInfo {
        let n = self.prefs.get().network;
        NetworkInfo {
            name: n.name,
            rpc_url: n.rpc_url,
            sponsor_url: n.sponsor_url,
            tokens: n
                .tokens
                .iter()
                .map(|t| TokenInfo {
                    symbol: t.symbol.clone(),
                    address: hex(t.address),
                    decimals: t.decimals,
                })
                .collect(),
        }
    }

    /// Picks a network profile; only before a wallet exists (a wallet lives on one network).
    pub fn set_network(&self, name: &str) -> Result<NetworkInfo, AppError> {
        if self.current().is_some() {
            return Err(AppError::InvalidInput(
                "the wallet is on its network; networks are chosen before creating it".into(),
            ));
        }
        let network = Network::profile(name)?;
        self.prefs.update(|p| p.network = network)?;
        Ok(self.network_info())
    }

    /// Uses `network` as is (the sandbox and tests pass their loopback endpoints).
    pub fn set_network_config(&self, network: Network) -> Result<(), AppError> {
        if self.current().is_some() {
            return Err(AppError::InvalidInput(
                "the wallet is on its network".into(),
            ));
        }
        self.prefs.update(|p| p.network = network)
    }
}
