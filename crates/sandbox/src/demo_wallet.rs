//! The demo wallet, written where the app will find it: its sealed keys in the OS keychain under the
//! app's identifier and its preferences in the app's store file, through the app's own operations.

use std::path::Path;
use std::sync::Arc;

use anyhow::Result;
use chipi_session::{Network, SystemClock};
use devnet_harness::Devnet;
use starknet_core::types::Felt;
use wallet_service::keychain::{owner_key_entry, session_key_entry, KeyringVault};
use wallet_service::prefs::FilePrefs;
use wallet_service::views::{LimitInput, SessionRequest};
use wallet_service::{Pin, PinOnly, SecretVault, WalletService};

use crate::DEMO_PIN;

/// The app's identifier (its data directory and keychain service).
fn identifier() -> String {
    let config: serde_json::Value =
        serde_json::from_str(include_str!("../../../tauri.conf.json")).expect("tauri.conf.json");
    config["identifier"]
        .as_str()
        .expect("an identifier")
        .to_owned()
}

/// A demo wallet in the keychain; [`DemoWallet::forget`] removes its entries.
pub struct DemoWallet {
    pub address: String,
    network: String,
    vault: KeyringVault,
}

impl DemoWallet {
    /// Removes the wallet's keychain entries (the node it lived on is gone).
    pub fn forget(&self) {
        let _ = self
            .vault
            .delete(&owner_key_entry(&self.network, &self.address));
        let _ = self
            .vault
            .delete(&session_key_entry(&self.network, &self.address));
    }
}

/// Creates the wallet (deployed through the sponsor), funds it with 100 STRK and 1000 USDC, and
/// sets up a session: 6 hours, 20 transfers, at most 5 STRK / 100 USDC per transfer.
pub async fn create(
    node: &Devnet,
    network: &Network,
    usdc: Felt,
    xdg_data: &Path,
) -> Result<DemoWallet> {
    let identifier = identifier();
    let store = FilePrefs(xdg_data.join(&identifier).join("prefs.json"));
    let app = WalletService::open(
        Arc::new(KeyringVault::new(identifier.clone())),
        Arc::new(store),
        network.clone(),
        Box::new(PinOnly),
        Arc::new(SystemClock),
    )?;
    // This project's class: the demo session has spending limits, which CHIPI's classes do not keep.
    let wallet = app.create_wallet(&Pin::new(DEMO_PIN), true).await?;
    let demo = DemoWallet {
        address: wallet.address.clone(),
        network: network.name.clone(),
        vault: KeyringVault::new(identifier),
    };
    let address = Felt::from_hex(&wallet.address)?;
    node.mint_strk(address, 100 * 10u128.pow(18)).await?;
    node.send_erc20(usdc, address, 1_000 * 10u128.pow(6))
        .await?;
    let limit = |token: &str, per_call: &str, per_window: &str| LimitInput {
        token: token.into(),
        max_per_call: per_call.into(),
        max_per_window: per_window.into(),
        window_seconds: 3600,
    };
    app.set_up_session(
        &SessionRequest {
            duration_seconds: Some(6 * 3600),
            max_calls: Some(20),
            allowed_entrypoints: vec!["transfer".into()],
            limits: vec![limit("STRK", "5", "50"), limit("USDC", "100", "500")],
            allowed_calls: vec![],
            valid_until: None,
            no_limit_acknowledged: false,
        },
        Some(&Pin::new(DEMO_PIN)),
    )
    .await?;
    Ok(demo)
}
