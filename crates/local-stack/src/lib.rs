//! What every integration suite and the sandbox start from: [`LocalStack`] (a node on loopback
//! with our account class declared, a funded relayer and the sponsor, as a [`Network`]),
//! [`app_env`] (the environment the app is started with) and [`webdriver`] (the app driven
//! through `tauri-driver`).
//!
//! [`Network`]: chipi_session::Network

pub mod chipi_api;
pub mod fault_proxy;
pub mod webdriver;

use std::path::Path;

use chipi_session::Network;
use devnet_harness::{Devnet, PredeployedAccount};
use sponsor::{start, SponsorConfig};
use starknet_core::types::Felt;

/// A running local stack; the node and the sponsor stop when it is dropped (also on panic).
pub struct LocalStack {
    /// The node.
    pub node: Devnet,
    /// Our session account class, declared on it.
    pub class_hash: Felt,
    /// The predeployed account (index 1) that relays the sponsor's transactions and pays for them.
    pub relayer: PredeployedAccount,
    /// The sponsor's JSON-RPC URL.
    pub sponsor_url: String,
    /// The `local` network profile on these endpoints.
    pub network: Network,
    _sponsor: sponsor::Running,
}

impl std::fmt::Debug for LocalStack {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalStack")
            .field("rpc_url", &self.network.rpc_url)
            .field("sponsor_url", &self.sponsor_url)
            .finish_non_exhaustive()
    }
}

impl LocalStack {
    /// Starts `starknet-devnet` on a free loopback port, declares our account class and starts
    /// the sponsor with predeployed account 1 as its relayer.
    pub async fn start() -> anyhow::Result<Self> {
        Self::on(Devnet::start().await?, Network::profile("local")?).await
    }

    /// A rehearsal of the mainnet profile: the node reports `SN_MAIN`, and the network is the
    /// `mainnet` profile on the local endpoints, with STRK and ETH at their mainnet addresses (devnet
    /// predeploys them there) and a 6-decimal USDC deployed for the test (devnet cannot place a
    /// contract at USDC's mainnet address); USDC.e and the hosted Chipi API are left out. The
    /// predeployed account 0 holds the USDC supply. The network's class (what new wallets get
    /// where ours is not declared, and the upgrade target) is the v33-like test class, declared
    /// here in place of CHIPI v33 (whose artifact cannot be fetched); the v29-like one is
    /// declared too, for accounts of the older layout.
    pub async fn start_mainnet_rehearsal() -> anyhow::Result<Self> {
        Self::mainnet_rehearsal(true).await
    }

    /// [`Self::start_mainnet_rehearsal`] with this project's class not declared, as on the
    /// public networks today: new wallets get the network's class.
    pub async fn start_mainnet_rehearsal_without_our_class() -> anyhow::Result<Self> {
        Self::mainnet_rehearsal(false).await
    }

    async fn mainnet_rehearsal(declare_ours: bool) -> anyhow::Result<Self> {
        let node = Devnet::start_on("MAINNET").await?;
        node.declare_chipi_layout_account().await?;
        let production_class = node.declare_chipi_v33_layout_account().await?;
        let usdc = node
            .deploy_erc20("USD Coin", "USDC", 6, 1_000_000 * 1_000_000)
            .await?;
        let mut network = Network::profile("mainnet")?;
        network.chipi_api_url = None;
        network.explorer_tx_url = None;
        network.tokens.retain(|t| t.symbol != "USDC.e");
        network.account_class_hash = Some(production_class);
        for token in &mut network.tokens {
            if token.symbol == "USDC" {
                token.address = usdc;
            }
        }
        Self::on_declaring(node, network, declare_ours).await
    }

    /// The stack on a started `node`, with `network` pointed at it.
    async fn on(node: Devnet, network: Network) -> anyhow::Result<Self> {
        Self::on_declaring(node, network, true).await
    }

    /// [`Self::on`], declaring this project's class only when `declare_ours`.
    async fn on_declaring(
        node: Devnet,
        mut network: Network,
        declare_ours: bool,
    ) -> anyhow::Result<Self> {
        let class_hash = if declare_ours {
            node.declare_session_account().await?
        } else {
            chipi_session::wallet_type::SESSION_ACCOUNT_CLASS_HASH
        };
        let relayer = node.predeployed_accounts().await?[1].clone();
        let sponsor = start(&SponsorConfig::new(
            node.rpc_url().to_string(),
            relayer.address,
            relayer.private_key,
        ))
        .await?;
        network.rpc_url = node.rpc_url().to_string();
        network.fallback_rpc_urls.clear();
        network.sponsor_url = Some(sponsor.url.clone());
        Ok(Self {
            node,
            class_hash,
            relayer,
            sponsor_url: sponsor.url.clone(),
            network,
            _sponsor: sponsor,
        })
    }

    /// The node's URL.
    pub fn rpc_url(&self) -> String {
        self.network.rpc_url.clone()
    }

    /// The app's environment on this stack: see [`app_env`].
    pub fn app_env(&self, confirmer: Option<&str>, root: &Path) -> Vec<(&'static str, String)> {
        app_env(&self.network, confirmer, root)
    }
}

/// Private `XDG_*` directories under `root`, so the app's store and caches never touch the user's.
pub fn xdg_dirs(root: &Path) -> Vec<(&'static str, String)> {
    [
        ("XDG_DATA_HOME", "data"),
        ("XDG_CACHE_HOME", "cache"),
        ("XDG_CONFIG_HOME", "config"),
    ]
    .into_iter()
    .map(|(name, dir)| (name, root.join(dir).display().to_string()))
    .collect()
}

/// The environment the app starts with on `network`: `CHIPI_NETWORK`, `CHIPI_RPC_URL`,
/// `CHIPI_SPONSOR_URL`, the test confirmer when given (`approve` or `deny`), and [`xdg_dirs`].
pub fn app_env(
    network: &Network,
    confirmer: Option<&str>,
    root: &Path,
) -> Vec<(&'static str, String)> {
    let mut env = vec![
        ("CHIPI_NETWORK", network.name.clone()),
        ("CHIPI_RPC_URL", network.rpc_url.clone()),
    ];
    if let Some(sponsor) = &network.sponsor_url {
        env.push(("CHIPI_SPONSOR_URL", sponsor.clone()));
    }
    if let Some(confirmer) = confirmer {
        env.push(("CHIPI_TEST_CONFIRMER", confirmer.to_owned()));
    }
    env.extend(xdg_dirs(root));
    env
}
