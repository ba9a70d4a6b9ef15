//! Accounts of classes the wallet's table does not list, over Tauri's IPC on a real node: an
//! account speaking the CHIPI session interface (the CHIPI-layout test class declared again
//! under another class hash, as an older or newer CHIPI version would be) is probed at import,
//! given the weakest guarantees of its layout (no spending limits, expiry-only gasless checks)
//! and completes the session flow — set-up, a gasless transfer through the sponsor, revoke; a
//! contract that is not an account is refused in words, before anything is kept. And the class
//! a new wallet gets on a public network where this project's is not declared.
//!
//! Run under `scripts/with-keychain`, as `scripts/test` does.

mod common;

use std::sync::{Arc, Mutex};

use chipi_session::wallet_type::{
    CHIPI_LAYOUT_TEST_CLASS_HASH, CHIPI_V33_CLASS_HASH, SESSION_ACCOUNT_CLASS_HASH,
};
use chipi_session::NodeClient;
use common::Fixture;
use devnet_harness::STRK;
use local_stack::LocalStack;
use serde_json::json;
use starknet_core::types::Felt;
use starknet_signers::SigningKey;

const PIN: &str = "pin-Classes#7";
const UNIT: u128 = 1_000_000_000_000_000_000;

#[tokio::test(flavor = "multi_thread")]
async fn an_account_of_an_unlisted_chipi_class_is_probed_and_works() {
    let fx = Fixture::new().await;
    let node = &fx.stack.node;
    let seen = Arc::new(Mutex::new(Vec::new()));
    let (app, ui) = fx.start_app(&seen, "approve");

    // Not an account at all: the STRK token's address.
    let refused = ui
        .call(
            "import_wallet",
            json!({"address": format!("{STRK:#x}"), "ownerKey": "0x1234", "pin": PIN}),
        )
        .await
        .unwrap_err();
    assert_eq!(refused["kind"], "WalletUnsupported", "{refused}");
    assert!(
        refused["message"]
            .as_str()
            .unwrap()
            .contains("not an account"),
        "{refused}"
    );
    assert_eq!(ui.kind("get_wallet", json!({})).await, "NoWallet");

    let owner = SigningKey::from_random();
    let account = node
        .deploy_chipi_layout_variant(1, owner.clone())
        .await
        .unwrap();
    let variant = node.declare_chipi_layout_variant(1).await.unwrap();
    assert!(
        chipi_session::wallet_type::ClassProfile::of(variant).is_none(),
        "a class the table does not list"
    );
    node.mint_strk(account.address, 20 * UNIT).await.unwrap();
    let wallet = ui
        .ok(
            "import_wallet",
            json!({"address": format!("{:#x}", account.address),
                "ownerKey": format!("{:#x}", owner.secret_scalar()), "pin": PIN}),
        )
        .await;
    assert_eq!(
        wallet["accountClass"], "CHIPI-layout account (class not in the table, rules unverified)",
        "{wallet}"
    );
    assert_eq!(wallet["spendingLimitsEnforced"], false);
    assert_eq!(wallet["gaslessLimitsEnforced"], false);
    assert_eq!(
        wallet["sessionSignsMessages"], true,
        "said of a class whose signature check is unknown"
    );

    // Limits it cannot keep are refused; a session without them works through the sponsor.
    let limited = json!({"durationSeconds": 3600, "maxCalls": 5, "allowedEntrypoints": ["transfer"],
        "limits": [{"token": "STRK", "maxPerCall": "2", "maxPerWindow": "10", "windowSeconds": 3600}]});
    assert_eq!(
        ui.kind("set_up_session", json!({"request": limited, "pin": PIN}))
            .await,
        "SpendingLimit"
    );
    let _ = ui
        .call("clear_session", json!({"pin": null, "revoke": false}))
        .await;
    let request = json!({"durationSeconds": 3600, "maxCalls": 5, "allowedEntrypoints": ["transfer"], "limits": []});
    let active = ui
        .ok("set_up_session", json!({"request": request, "pin": PIN}))
        .await;
    assert_eq!(active["state"], "active", "{active}");
    assert_eq!(
        active["remainingCalls"], 5,
        "the counted layout, read right"
    );
    let recipient = Felt::from(0x1234abcd_u64);
    ui.ok(
        "transfer",
        json!({"token": "STRK", "recipient": format!("{recipient:#x}"), "amount": "1"}),
    )
    .await;
    assert_eq!(node.erc20_balance(STRK, recipient).await.unwrap(), UNIT);
    // The fee paid in a token is not served to a class the sponsor cannot vouch for (it refunds
    // what the signed fee call overpays, and such a class could skip that call).
    let gas = |fee_mode: &str| {
        json!({"input": {"mode": "paymaster", "feeMode": fee_mode, "gasToken": "STRK",
            "maxFee": "0.1", "paymasterApiKey": null, "chipiApiKey": null, "chipiBearer": null}})
    };
    ui.ok("save_gas_settings", gas("gasless")).await;
    let refused = ui
        .call(
            "quote_transfer",
            json!({"token": "STRK", "recipient": format!("{recipient:#x}"), "amount": "1"}),
        )
        .await
        .unwrap_err();
    assert_eq!(refused["kind"], "Paymaster", "{refused}");
    ui.ok("save_gas_settings", gas("sponsored")).await;
    assert_eq!(
        ui.ok("revoke_session", json!({"pin": PIN})).await["state"],
        "revoked"
    );

    // Still known as probed after a restart (kept with the wallet).
    drop(app);
    let (app, ui) = fx.start_app(&seen, "approve");
    let wallet = ui.ok("get_wallet", json!({})).await;
    assert_eq!(
        wallet["accountClass"],
        "CHIPI-layout account (class not in the table, rules unverified)"
    );
    drop(app);
}

/// A new wallet made through the app on `stack`: Settings names `name` as the class new wallets
/// get (once the start's chain check has read the node), the wallet has it, keeps spending
/// limits where `limits`, and is deployed by the paymaster's `deploy` at its counterfactual
/// address, of class `class_hash`, without gas.
async fn a_new_wallet_gets(stack: LocalStack, name: &str, class_hash: Felt, limits: bool) {
    let fx = Fixture::on(stack).await;
    let seen = Arc::new(Mutex::new(Vec::new()));
    let (app, ui) = fx.start_app(&seen, "approve");
    let mut network = ui.ok("get_network", json!({})).await;
    for _ in 0..100 {
        if !network["nodeSpecVersion"].is_null() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        network = ui.ok("get_network", json!({})).await;
    }
    assert_eq!(network["newWalletClass"], name, "{network}");
    let wallet = ui.ok("create_wallet", json!({"pin": PIN})).await;
    assert_eq!(wallet["accountClass"], name);
    assert_eq!(wallet["spendingLimitsEnforced"], limits);
    let address = Felt::from_hex(wallet["address"].as_str().unwrap()).unwrap();
    assert_eq!(
        NodeClient::new(fx.stack.rpc_url())
            .class_hash_at(address)
            .await
            .unwrap(),
        Some(class_hash),
        "deployed by the paymaster at its counterfactual address"
    );
    assert_eq!(
        fx.stack.node.erc20_balance(STRK, address).await.unwrap(),
        0,
        "without gas"
    );
    drop(app);
}

/// On a public network a new wallet gets this project's class where it is declared (asked of
/// the node first; it is on the rehearsal node).
#[tokio::test(flavor = "multi_thread")]
async fn a_new_wallet_gets_this_projects_class_where_it_is_declared() {
    let stack = LocalStack::start_mainnet_rehearsal().await.unwrap();
    let node = NodeClient::new(stack.rpc_url());
    assert!(node
        .class_declared(SESSION_ACCOUNT_CLASS_HASH)
        .await
        .unwrap());
    assert!(
        !node.class_declared(CHIPI_V33_CLASS_HASH).await.unwrap(),
        "CHIPI v33 is not on the rehearsal node"
    );
    a_new_wallet_gets(
        stack,
        "session account (this project)",
        SESSION_ACCOUNT_CLASS_HASH,
        true,
    )
    .await;
}

/// Where this project's class is not declared (as on mainnet and Sepolia today), the network's
/// class (CHIPI v33; on the rehearsal node its stand-in, the CHIPI-layout test class).
#[tokio::test(flavor = "multi_thread")]
async fn a_new_wallet_gets_the_networks_class_where_ours_is_not_declared() {
    let stack = LocalStack::start_mainnet_rehearsal_without_our_class()
        .await
        .unwrap();
    a_new_wallet_gets(
        stack,
        "CHIPI-layout test class",
        CHIPI_LAYOUT_TEST_CLASS_HASH,
        false,
    )
    .await;
}
