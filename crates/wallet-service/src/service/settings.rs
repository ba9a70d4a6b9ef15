//! The network.

use chipi_session::Network;

use super::{hex, WalletService};
use crate::error::AppError;
use crate::views::{NetworkInfo, TokenInfo};

impl WalletService {
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
