//! The network, its endpoints, and how transactions reach it: the settings screen's operations.
//! Settings live in the preferences (one set per network, with that network's wallet and
//! session); the keys they use live in the vault.

use chipi_session::Network;
use starknet_core::types::Felt;
use starknet_core::utils::{cairo_short_string_to_felt, parse_cairo_short_string};

use super::gas::{CHIPI_API_KEY, CHIPI_BEARER, PAYMASTER_API_KEY};
use super::{hex, WalletService};
use crate::error::{Field, ServiceError};
use crate::host::Confirmation;
use crate::keychain::network_secret_entry;
use crate::pin::Pin;
use crate::views::{mask, GasInfo, NetworkChoice, NetworkInfo, SettingsInfo, TokenInfo};

/// A chain id in words: its short string (`SN_MAIN`) when it is one, else hex.
fn chain_words(id: Felt) -> String {
    parse_cairo_short_string(&id)
        .ok()
        .filter(|s| !s.is_empty() && s.chars().all(|c| c.is_ascii_graphic()))
        .unwrap_or_else(|| hex(id))
}

fn parse_chain_id(text: &str) -> Result<Felt, ServiceError> {
    let text = text.trim();
    let parsed = if text.starts_with("0x") {
        Felt::from_hex(text).ok()
    } else {
        cairo_short_string_to_felt(text).ok()
    };
    parsed.filter(|id| *id != Felt::ZERO).ok_or_else(|| {
        ServiceError::invalid(
            Field::ChainId,
            format!("chain id {text:?}: hex or a short string"),
        )
    })
}

fn url(text: &str, what: &str) -> Result<String, ServiceError> {
    let text = text.trim();
    match url::Url::parse(text) {
        Ok(u) if matches!(u.scheme(), "http" | "https") => Ok(text.to_owned()),
        _ => Err(ServiceError::invalid(
            Field::Url,
            format!("{what}: not an http(s) URL"),
        )),
    }
}

impl WalletService {
    /// Uses other endpoints for the wallet's network (a node or sponsor that moved), kept.
    pub fn set_endpoints(
        &self,
        rpc_url: Option<String>,
        sponsor_url: Option<String>,
    ) -> Result<(), ServiceError> {
        let network = self.prefs.get().network;
        let rpc_changes = rpc_url.as_ref().is_some_and(|u| *u != network.rpc_url);
        let sponsor_changes = sponsor_url.is_some() && sponsor_url != network.sponsor_url;
        if !rpc_changes && !sponsor_changes {
            return Ok(());
        }
        self.prefs.update(|p| {
            if let Some(rpc) = rpc_url.filter(|rpc| *rpc != p.network.rpc_url) {
                // The node set here, and no other.
                p.network.rpc_url = rpc;
                p.network.fallback_rpc_urls.clear();
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
        let seen = self.network_watch.seen();
        let new_class = n.new_wallet_class(seen.as_ref().is_some_and(|s| s.own_class_declared));
        let new_wallet_class = chipi_session::wallet_type::ClassProfile::of(new_class)
            .map_or_else(|| hex(new_class), |p| p.name.to_owned());
        let prefs = self.prefs.get();
        let choice_pending =
            self.network_watch.asks() && prefs.wallet.is_none() && !prefs.network_chosen;
        NetworkInfo {
            choice_pending,
            name: n.name,
            chain_id: hex(n.chain_id),
            new_wallet_class,
            node_in_use: seen.as_ref().map(|s| s.url.clone()),
            node_spec_version: seen.map(|s| s.spec_version),
            fallback_rpc_urls: n.fallback_rpc_urls,
            rpc_url: n.rpc_url,
            sponsor_url: n.sponsor_url,
            tokens: n.tokens.iter().map(TokenInfo::of).collect(),
        }
    }

    /// Switches to the profile `name` (see [`Self::switch_network`]).
    #[tracing::instrument(level = "info", skip_all, err(level = "warn", Display))]
    pub async fn set_network(&self, name: &str) -> Result<NetworkInfo, ServiceError> {
        let choice = NetworkChoice {
            profile: name.to_owned(),
            name: None,
            rpc_url: None,
            chain_id: None,
            sponsor_url: None,
            chipi_api_url: None,
        };
        self.switch_network(&choice, None).await?;
        Ok(self.network_info())
    }

    /// A first start asks the user for the network before anything else (the host names none):
    /// until one is chosen, [`NetworkInfo::choice_pending`] is set while no wallet exists.
    pub fn ask_for_network(&self) {
        self.network_watch.ask();
    }

    /// Uses `network` as is (the sandbox and tests pass their loopback endpoints).
    pub fn set_network_config(&self, network: Network) -> Result<(), ServiceError> {
        if self.current().is_some() {
            return Err(ServiceError::input("the wallet is on its network"));
        }
        self.prefs.update(|p| p.network = network)
    }

    /// The settings screen.
    pub fn settings(&self) -> Result<SettingsInfo, ServiceError> {
        let prefs = self.prefs.get();
        let secret = |what: &str| {
            self.vault
                .get(&network_secret_entry(&prefs.network.name, what))
        };
        Ok(SettingsInfo {
            network: self.network_info(),
            saved_networks: prefs
                .others
                .iter()
                .map(|p| p.network.name.clone())
                .collect(),
            gas: GasInfo {
                mode: prefs.gas.mode,
                fee_mode: prefs.gas.fee_mode,
                gas_token: prefs.gas.gas_token.clone(),
                max_fee: prefs.gas.max_fee.clone(),
                paymaster_api_key: secret(PAYMASTER_API_KEY)?.as_deref().map(mask),
                chipi_api_key: secret(CHIPI_API_KEY)?.as_deref().map(mask),
                chipi_bearer_set: secret(CHIPI_BEARER)?.is_some(),
                bearer_command_set: prefs.gas.bearer_command.is_some()
                    && prefs.gas.bearer_command_url.is_some(),
                direct_unsigned_fees: prefs.gas.direct_unsigned_fees,
            },
            auto_lock_minutes: prefs.auto_lock_minutes,
            auto_lock_seconds: (*super::lock(&self.idle_override))
                .unwrap_or(prefs.auto_lock_minutes.saturating_mul(60)),
            log_level: prefs.log_level,
            notifications: prefs.notifications,
            wallet_api: prefs.wallet_api,
        })
    }

    /// Sets the idle time before the wallet locks itself: 0 (never) to a day, in minutes.
    #[tracing::instrument(level = "info", skip_all, err(level = "warn", Display))]
    pub fn set_auto_lock(&self, minutes: u32) -> Result<SettingsInfo, ServiceError> {
        if minutes > 24 * 60 {
            return Err(ServiceError::input(
                "the idle time is at most a day (1440 minutes)",
            ));
        }
        self.prefs.update(|p| p.auto_lock_minutes = minutes)?;
        self.settings()
    }

    /// A host's test setting: the idle time in seconds, replacing the preference's.
    pub fn set_idle_override(&self, seconds: Option<u32>) {
        *super::lock(&self.idle_override) = seconds;
    }

    /// The network `choice` names, from a built-in profile, a saved network or the custom
    /// fields, with the endpoints it overrides.
    fn network_of(&self, choice: &NetworkChoice) -> Result<Network, ServiceError> {
        let prefs = self.prefs.get();
        let saved = |name: &str| {
            if prefs.network.name == name {
                return Some(prefs.network.clone());
            }
            prefs
                .others
                .iter()
                .find(|p| p.network.name == name)
                .map(|p| p.network.clone())
        };
        let mut network = match choice.profile.as_str() {
            "custom" => {
                let name = choice.name.as_deref().map(str::trim).unwrap_or_default();
                let prefs = self.prefs.get();
                let saved_name = prefs.network.name == name
                    || prefs.others.iter().any(|p| p.network.name == name);
                if name.is_empty()
                    || name.len() > 32
                    || saved_name
                    || Network::profile(name).is_ok()
                    || !name
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
                {
                    return Err(ServiceError::invalid(
                        Field::Network,
                        "a custom network needs a new name: letters, digits, - and _",
                    ));
                }
                let rpc_url = url(choice.rpc_url.as_deref().unwrap_or_default(), "node URL")?;
                let chain_id = parse_chain_id(choice.chain_id.as_deref().unwrap_or_default())?;
                let mut network = Network::profile("sepolia")?;
                network.name = name.to_owned();
                network.chain_id = chain_id;
                network.rpc_url = rpc_url;
                network.fallback_rpc_urls.clear();
                network.sponsor_url = None;
                network.chipi_api_url = None;
                network.explorer_tx_url = None;
                network.account_class_hash = None;
                network
            }
            name => match saved(name) {
                Some(network) => network,
                None if self.default_network.name == name => self.default_network.clone(),
                None => Network::profile(name)?,
            },
        };
        if let Some(rpc) = choice.rpc_url.as_deref().filter(|u| !u.trim().is_empty()) {
            let rpc = url(rpc, "node URL")?;
            if rpc != network.rpc_url {
                // The user's own node, and no other.
                network.rpc_url = rpc;
                network.fallback_rpc_urls.clear();
            }
        }
        if let Some(api) = &choice.chipi_api_url {
            network.chipi_api_url = if api.trim().is_empty() {
                None
            } else {
                Some(url(api, "Chipi API URL")?)
            };
        }
        if let Some(sponsor) = &choice.sponsor_url {
            network.sponsor_url = if sponsor.trim().is_empty() {
                None
            } else {
                Some(url(sponsor, "paymaster URL")?)
            };
        }
        Ok(network)
    }

    /// Fails with [`ServiceError::WrongChain`] unless the node at `network.rpc_url` reports
    /// `network.chain_id`.
    async fn check_node_chain(network: &Network) -> Result<NodeSeen, ServiceError> {
        let node = network.node();
        let reported = node.chain_id().await?;
        if reported == network.chain_id {
            let spec_version = node.spec_version().await?;
            if !chipi_session::chain::node_client::spec_supported(&spec_version) {
                return Err(ServiceError::invalid(
                    Field::Url,
                    format!(
                        "the node at {} speaks JSON-RPC {spec_version}; this wallet reads 0.9 and \
                     0.10 (an address ending in /rpc/v0_9 or /rpc/v0_10)",
                        chipi_session::chain::http::host_of(node.url())
                    ),
                ));
            }
            // Where the network names a class for new wallets, whether this project's (which
            // keeps every limit) is declared there instead; a node that cannot say: not.
            let own_class_declared = network.account_class_hash.is_some()
                && node
                    .class_declared(chipi_session::wallet_type::SESSION_ACCOUNT_CLASS_HASH)
                    .await
                    .unwrap_or(false);
            Ok(NodeSeen {
                url: node.url().to_owned(),
                spec_version,
                own_class_declared,
            })
        } else {
            Err(ServiceError::WrongChain(format!(
                "the node at {} is on {}, not on {} ({})",
                chipi_session::chain::http::host_of(&network.rpc_url),
                chain_words(reported),
                chain_words(network.chain_id),
                network.name
            )))
        }
    }

    /// Selects the network `choice` names once its node reports the right chain id. The
    /// current network keeps its wallet, session and settings for when it is selected again;
    /// the chosen one comes back with its own. The wallet is locked.
    /// Pointing a network that holds a wallet at another node, paymaster or Chipi API needs
    /// that wallet's PIN (or biometrics, `pin` `None`): a page that reached the IPC could
    /// otherwise send the wallet's requests, keys and tokens elsewhere.
    #[tracing::instrument(level = "info", skip_all, err(level = "warn", Display))]
    pub async fn switch_network(
        &self,
        choice: &NetworkChoice,
        pin: Option<&Pin>,
    ) -> Result<SettingsInfo, ServiceError> {
        let _switching = self.network_watch.switch().await;
        let network = self.network_of(choice)?;
        self.confirm_moved_endpoints(&network, pin).await?;
        let seen = Self::check_node_chain(&network).await?;
        self.network_watch.set_seen(seen);
        self.forget_keys_of_moved_endpoints(&network)?;
        let same = self.prefs.get().network.name == network.name;
        self.prefs.update(|p| {
            if same {
                p.network = network;
            } else {
                p.switch_to(network);
            }
            p.network_chosen = true;
            // The bearer command goes with the Chipi API URL it was set for.
            if p.gas.bearer_command_url.is_some()
                && p.gas.bearer_command_url != p.network.chipi_api_url
            {
                p.gas.bearer_command = None;
                p.gas.bearer_command_url = None;
            }
        })?;
        if let Some(manager) = self.current() {
            manager.lock_session();
        }
        self.set_unlocked(false);
        self.loaded.keep_error(None);
        self.reload()?;
        self.settings()
    }

    /// Asks for the owner's PIN (or biometrics) when `network` moves an endpoint of a saved
    /// network that holds a wallet; refuses it for a network other than the selected one (its
    /// wallet is not open here: select it first).
    async fn confirm_moved_endpoints(
        &self,
        network: &Network,
        pin: Option<&Pin>,
    ) -> Result<(), ServiceError> {
        let prefs = self.prefs.get();
        let selected = prefs.network.name == network.name;
        let saved = if selected {
            Some((prefs.network.clone(), prefs.wallet.is_some()))
        } else {
            prefs
                .others
                .iter()
                .find(|p| p.network.name == network.name)
                .map(|p| (p.network.clone(), p.wallet.is_some()))
        };
        let Some((saved, true)) = saved else {
            return Ok(());
        };
        let moved = saved.rpc_url != network.rpc_url
            || saved.sponsor_url != network.sponsor_url
            || saved.chipi_api_url != network.chipi_api_url
            || saved.chain_id != network.chain_id;
        if !moved {
            return Ok(());
        }
        if !selected {
            return Err(ServiceError::input(format!(
                "{} holds a wallet: select it first, then change its node or paymaster with its PIN",
                network.name
            )));
        }
        // Opened (and dropped) to check the PIN: the manager may be missing when the node is
        // on another chain, so the wallet is read from the preferences and the keychain.
        let wallet = self
            .stored_wallet(&prefs)?
            .ok_or_else(|| ServiceError::NoWallet("no wallet on this network".into()))?;
        self.open_owner_of(wallet, pin, Confirmation::ChangeEndpoints)
            .await
            .map(drop)
    }

    /// A key stays with the endpoint it was entered for: when a saved network's paymaster or
    /// Chipi API URL changes, its keys are removed (a page that reached the IPC could otherwise
    /// point them at itself).
    fn forget_keys_of_moved_endpoints(&self, network: &Network) -> Result<(), ServiceError> {
        let prefs = self.prefs.get();
        let saved = std::iter::once(&prefs.network)
            .chain(prefs.others.iter().map(|p| &p.network))
            .find(|n| n.name == network.name);
        let Some(saved) = saved else {
            return Ok(());
        };
        let entry = |what: &str| network_secret_entry(&network.name, what);
        if saved.sponsor_url != network.sponsor_url {
            self.vault.delete(&entry(PAYMASTER_API_KEY))?;
        }
        if saved.chipi_api_url != network.chipi_api_url {
            self.vault.delete(&entry(CHIPI_API_KEY))?;
            self.vault.delete(&entry(CHIPI_BEARER))?;
        }
        Ok(())
    }

    /// Checks at start that the node is on the network's chain; a node on another chain
    /// blocks the wallet with [`ServiceError::WrongChain`] until the settings are fixed. A node
    /// that does not answer is not an error here (every operation will say so).
    #[tracing::instrument(level = "debug", skip_all, err(level = "warn", Display))]
    pub async fn check_chain(&self) -> Result<(), ServiceError> {
        let network = self.prefs.get().network;
        match Self::check_node_chain(&network).await {
            Ok(seen) => {
                self.network_watch.set_seen(seen);
                Ok(())
            }
            Err(ServiceError::WrongChain(message)) => {
                self.loaded.set(None);
                self.loaded
                    .keep_error(Some(ServiceError::WrongChain(message.clone()).into()));
                Err(ServiceError::WrongChain(message))
            }
            _ => Ok(()),
        }
    }
}

/// The node that last answered the chain check, and the JSON-RPC spec it speaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NodeSeen {
    pub(crate) url: String,
    pub(crate) spec_version: String,
    /// This project's class is declared on that chain (new wallets get it).
    pub(crate) own_class_declared: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::tests::Memory;
    use crate::host::PinOnly;
    use crate::prefs::FilePrefs;
    use chipi_session::ManualClock;
    use std::sync::Arc;

    fn field_of(error: ServiceError) -> Option<Field> {
        match error {
            ServiceError::InvalidInput { field, .. } => field,
            other => panic!("not an input refusal: {other:?}"),
        }
    }

    /// A service on the local network, no wallet, its preferences in `dir`.
    fn service(dir: &std::path::Path) -> WalletService {
        WalletService::open(
            Arc::new(Memory::default()),
            Arc::new(FilePrefs(dir.join("prefs.json"))),
            Network::profile("local").unwrap(),
            Box::new(PinOnly),
            Arc::new(ManualClock::new(1_900_000_000)),
        )
        .unwrap()
    }

    fn custom(name: &str, rpc: &str, chain_id: &str) -> NetworkChoice {
        NetworkChoice {
            profile: "custom".into(),
            name: Some(name.into()),
            rpc_url: Some(rpc.into()),
            chain_id: Some(chain_id.into()),
            sponsor_url: None,
            chipi_api_url: None,
        }
    }

    #[test]
    fn chain_ids_and_urls_are_checked_before_any_request() {
        let main = cairo_short_string_to_felt("SN_MAIN").unwrap();
        assert_eq!(parse_chain_id(" SN_MAIN ").unwrap(), main);
        assert_eq!(parse_chain_id("0x534e5f4d41494e").unwrap(), main);
        for bad in ["", "0x0", "0xzz", "ü-chain"] {
            assert_eq!(
                field_of(parse_chain_id(bad).unwrap_err()),
                Some(Field::ChainId),
                "{bad}"
            );
        }
        assert!(url("https://node.example/rpc/v0_10", "node URL").is_ok());
        assert!(url("http://127.0.0.1:5050", "node URL").is_ok());
        for bad in [
            "ftp://node.example",
            "node.example/rpc",
            "javascript:alert(1)",
        ] {
            assert_eq!(
                field_of(url(bad, "node URL").unwrap_err()),
                Some(Field::Url),
                "{bad}"
            );
        }
    }

    #[test]
    fn a_custom_network_needs_a_new_name_a_web_url_and_a_chain_id() {
        let dir = tempfile::tempdir().unwrap();
        let wallet = service(dir.path());
        let refused = |choice: NetworkChoice| field_of(wallet.network_of(&choice).unwrap_err());
        // Names a profile or the network in use, or not letters, digits, - and _.
        for name in ["local", "mainnet", "", "with space", &"x".repeat(33)] {
            assert_eq!(
                refused(custom(name, "http://127.0.0.1:1", "SN_SEPOLIA")),
                Some(Field::Network),
                "{name:?}"
            );
        }
        assert_eq!(
            refused(custom("mine", "ftp://x", "SN_SEPOLIA")),
            Some(Field::Url)
        );
        assert_eq!(
            refused(custom("mine", "http://127.0.0.1:1", "0x0")),
            Some(Field::ChainId)
        );
        let network = wallet
            .network_of(&custom(
                "my-node_2",
                " http://127.0.0.1:1/rpc ",
                "SN_SEPOLIA",
            ))
            .unwrap();
        assert_eq!(network.name, "my-node_2");
        assert_eq!(network.rpc_url, "http://127.0.0.1:1/rpc");
        assert_eq!(
            network.chain_id,
            cairo_short_string_to_felt("SN_SEPOLIA").unwrap()
        );
        // A custom network brings nothing of a profile's services: the user names each.
        assert!(network.fallback_rpc_urls.is_empty());
        assert_eq!(
            (
                network.sponsor_url,
                network.chipi_api_url,
                network.explorer_tx_url
            ),
            (None, None, None)
        );
    }

    #[test]
    fn the_idle_time_is_at_most_a_day_and_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let wallet = service(dir.path());
        assert!(matches!(
            wallet.set_auto_lock(24 * 60 + 1),
            Err(ServiceError::InvalidInput { .. })
        ));
        let settings = wallet.set_auto_lock(15).unwrap();
        assert_eq!(settings.auto_lock_seconds, 15 * 60);
        // Read again from the file by a service opened afresh.
        drop(wallet);
        assert_eq!(
            service(dir.path()).settings().unwrap().auto_lock_seconds,
            15 * 60
        );
        // A host's test setting replaces it, in seconds.
        let wallet = service(dir.path());
        wallet.set_idle_override(Some(7));
        assert_eq!(wallet.settings().unwrap().auto_lock_seconds, 7);
    }
}
