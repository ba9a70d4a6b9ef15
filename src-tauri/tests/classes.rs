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
    CHIPI_V33_CLASS_HASH, CHIPI_V33_LAYOUT_TEST_CLASS_HASH, SESSION_ACCOUNT_CLASS_HASH,
};
use chipi_session::NodeClient;
use common::Fixture;
use devnet_harness::STRK;
use local_stack::LocalStack;
use serde_json::{json, Value};
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
    // Without the acknowledgement that nothing limits the amounts, refused before the PIN.
    let unacknowledged = json!({"durationSeconds": 3600, "maxCalls": 5, "allowedEntrypoints": ["transfer"], "limits": []});
    let refused = ui
        .call(
            "set_up_session",
            json!({"request": unacknowledged, "pin": PIN}),
        )
        .await
        .unwrap_err();
    assert_eq!(refused["kind"], "InvalidInput", "{refused}");
    assert!(
        refused["message"]
            .as_str()
            .unwrap()
            .contains("keeps no spending limit"),
        "{refused}"
    );
    let request = json!({"durationSeconds": 3600, "maxCalls": 5, "allowedEntrypoints": ["transfer"], "limits": [], "noLimitAcknowledged": true});
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
/// class (CHIPI v33; on the rehearsal node its stand-in, the v33-like test class), which keeps
/// spending limits.
#[tokio::test(flavor = "multi_thread")]
async fn a_new_wallet_gets_the_networks_class_where_ours_is_not_declared() {
    let stack = LocalStack::start_mainnet_rehearsal_without_our_class()
        .await
        .unwrap();
    a_new_wallet_gets(
        stack,
        "CHIPI v33-layout test class",
        CHIPI_V33_LAYOUT_TEST_CLASS_HASH,
        true,
    )
    .await;
}

/// The hash of the last transaction of the latest block.
async fn last_transaction(node: &devnet_harness::Devnet) -> Felt {
    use starknet_core::types::{BlockId, BlockTag, MaybePreConfirmedBlockWithTxHashes};
    use starknet_providers::Provider;
    let block = node
        .provider()
        .get_block_with_tx_hashes(BlockId::Tag(BlockTag::Latest))
        .await
        .unwrap();
    let MaybePreConfirmedBlockWithTxHashes::Block(block) = block else {
        panic!("a closed block")
    };
    *block.transactions.last().unwrap()
}

/// `selector` of `name` in the calldata of the transaction `hash`, counted.
async fn selector_count(node: &devnet_harness::Devnet, hash: Felt, name: &str) -> usize {
    use starknet_providers::Provider;
    let tx = node.provider().get_transaction_by_hash(hash).await.unwrap();
    let starknet_core::types::Transaction::Invoke(starknet_core::types::InvokeTransaction::V3(
        invoke,
    )) = tx
    else {
        panic!("an INVOKE v3: {tx:?}")
    };
    let wanted = chipi_session::entrypoint::selector(name);
    invoke.calldata.iter().filter(|f| **f == wanted).count()
}

/// The mainnet rehearsal whose network class for new wallets is the v33-like one.
async fn rehearsal() -> Fixture {
    let stack = LocalStack::start_mainnet_rehearsal_without_our_class()
        .await
        .unwrap();
    Fixture::on(stack).await
}

/// An account of the v29-like layout (no spending limits) on the mainnet rehearsal: a session
/// without limits, then "Upgrade account" to the network's v33-like class (owner PIN): the
/// class replaced, the owner key and the balance kept, the old session revoked with it, the
/// interfaces registered. Then a session with a STRK limit: its policies and a refusing one for
/// every other token of the network set in the registration's one transaction, read on chain;
/// a token without a limit refused before signing.
#[tokio::test(flavor = "multi_thread")]
async fn an_older_chipi_account_upgrades_to_v33_and_its_sessions_get_policies() {
    let fx = rehearsal().await;
    let node = &fx.stack.node;
    let seen = Arc::new(Mutex::new(Vec::new()));
    let (app, ui) = fx.start_app(&seen, "approve");
    let (owner, address) = fx.layout_account().await;
    let wallet = ui.import(address, &owner, PIN).await;
    assert_eq!(wallet["accountClass"], "CHIPI-layout test class");
    assert_eq!(wallet["upgradable"], true, "{wallet}");
    assert_eq!(wallet["unboundedWithoutPolicy"], false);
    let open = json!({"durationSeconds": 3600, "maxCalls": 5, "allowedEntrypoints": ["transfer"], "limits": [], "noLimitAcknowledged": true});
    let old = ui
        .ok("set_up_session", json!({"request": open, "pin": PIN}))
        .await;
    assert_eq!(old["state"], "active", "{old}");
    let old_key = Felt::from_hex(old["publicKey"].as_str().unwrap()).unwrap();
    let balance = node.erc20_balance(STRK, address).await.unwrap();

    // The PIN is checked first; then one upgrade.
    assert_eq!(
        ui.kind("upgrade_account", json!({"pin": "wrong-pin-0"}))
            .await,
        "WrongPin"
    );
    let upgraded = ui.ok("upgrade_account", json!({"pin": PIN})).await;
    assert_eq!(upgraded["accountClass"], "CHIPI v33-layout test class");
    assert_eq!(upgraded["unboundedWithoutPolicy"], true);
    assert_eq!(upgraded["upgradable"], false);
    assert_eq!(upgraded["spendingLimitsEnforced"], true);
    let chain = NodeClient::new(fx.stack.rpc_url());
    assert_eq!(
        chain.class_hash_at(address).await.unwrap(),
        Some(CHIPI_V33_LAYOUT_TEST_CLASS_HASH)
    );
    let call = |entrypoint: &'static str, calldata: Vec<Felt>| {
        let chain = &chain;
        async move { chain.call(address, entrypoint, &calldata).await.unwrap() }
    };
    assert_eq!(
        call("get_public_key", vec![]).await,
        vec![owner.verifying_key().scalar()],
        "the owner key stays"
    );
    assert_eq!(
        node.erc20_balance(STRK, address).await.unwrap(),
        balance,
        "the balance stays (the paymaster sponsored both transactions)"
    );
    assert_eq!(
        call("get_session_data", vec![old_key]).await,
        vec![Felt::ZERO; 4],
        "the old session was revoked with the upgrade"
    );
    assert_eq!(
        call(
            "supports_interface",
            vec![Felt::from_hex_unchecked(
                "0x2ceccef7f994940b3962a6c67e0ba4fcd37df7d131417c604f91e03caecc1cd"
            )]
        )
        .await,
        vec![Felt::ONE],
        "register_interfaces ran"
    );
    assert_eq!(
        ui.ok("get_session_view", json!({})).await["state"],
        "revoked"
    );
    let kinds: Vec<Value> = ui
        .ok("list_activity", json!({}))
        .await
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["kind"].clone())
        .collect();
    assert!(kinds.contains(&json!("upgrade")), "{kinds:?}");

    // A session on v33: the STRK limit and a refusing policy for ETH and USDC, in one
    // transaction.
    ui.ok("clear_session", json!({"pin": null, "revoke": false}))
        .await;
    let limited = json!({"durationSeconds": 3600, "maxCalls": 5, "allowedEntrypoints": ["transfer"],
        "limits": [{"token": "STRK", "maxPerCall": "2", "maxPerWindow": "5", "windowSeconds": 3600}]});
    let active = ui
        .ok("set_up_session", json!({"request": limited, "pin": PIN}))
        .await;
    assert_eq!(active["state"], "active", "{active}");
    let limits = active["limits"].as_array().unwrap();
    assert_eq!(limits.len(), 1, "only STRK's limit is shown: {active}");
    let key = Felt::from_hex(active["publicKey"].as_str().unwrap()).unwrap();
    // The registration is the chain's last transaction (devnet: a block each).
    let hash = last_transaction(node).await;
    assert_eq!(
        selector_count(node, hash, "add_or_update_session_key").await,
        1
    );
    assert_eq!(
        selector_count(node, hash, "set_spending_policy").await,
        fx.stack.network.tokens.len(),
        "one policy per token of the network, in the registration's transaction"
    );
    for token in &fx.stack.network.tokens {
        let policy = call("get_spending_policy", vec![key, token.address]).await;
        let expected: [u128; 5] = if token.symbol == "STRK" {
            [2 * UNIT, 0, 5 * UNIT, 0, 3600]
        } else {
            [0, 0, 1, 0, 3600]
        };
        assert_eq!(
            policy[..5],
            expected.map(Felt::from),
            "{}: [per call, per window, window]",
            token.symbol
        );
    }
    let recipient = "0x1234abcd";
    ui.ok(
        "transfer",
        json!({"token": "STRK", "recipient": recipient, "amount": "1"}),
    )
    .await;
    assert_eq!(
        node.erc20_balance(STRK, Felt::from_hex(recipient).unwrap())
            .await
            .unwrap(),
        UNIT
    );
    assert_eq!(
        ui.kind(
            "transfer",
            json!({"token": "ETH", "recipient": recipient, "amount": "0.001"})
        )
        .await,
        "SpendingLimit",
        "a token without a limit is refused before signing"
    );
    drop(app);
}

/// An upgrade to v33 whose second transaction never ran (here: the class replaced by the owner
/// from elsewhere): the account answers SRC-5 with no, so paymasters cannot tell its
/// outside-execution version. The wallet sees it at import, offers to finish the upgrade, and
/// one owner transaction (after the PIN) registers the interfaces.
#[tokio::test(flavor = "multi_thread")]
async fn an_upgrade_that_stopped_before_its_interfaces_is_finished() {
    let fx = rehearsal().await;
    let node = &fx.stack.node;
    let seen = Arc::new(Mutex::new(Vec::new()));
    let (app, ui) = fx.start_app(&seen, "approve");
    let (owner, address) = fx.layout_account().await;
    node.execute_as(
        address,
        owner.clone(),
        vec![chipi_session::session::registration::upgrade_call(
            address,
            CHIPI_V33_LAYOUT_TEST_CLASS_HASH,
        )],
    )
    .await
    .expect("the class is replaced, nothing more");
    let chain = NodeClient::new(fx.stack.rpc_url());
    let src6 = || async {
        chain
            .call(
                address,
                "supports_interface",
                &[chipi_session::chain::probe::ISRC6_ID],
            )
            .await
            .unwrap()
    };
    assert_eq!(
        src6().await,
        vec![Felt::ZERO],
        "no interface registered yet"
    );

    let wallet = ui.import(address, &owner, PIN).await;
    assert_eq!(wallet["accountClass"], "CHIPI v33-layout test class");
    assert_eq!(
        (&wallet["upgradeUnfinished"], &wallet["upgradable"]),
        (&json!(true), &json!(true)),
        "{wallet}"
    );
    assert_eq!(
        ui.kind("upgrade_account", json!({"pin": "wrong-pin-0"}))
            .await,
        "WrongPin"
    );
    assert_eq!(
        src6().await,
        vec![Felt::ZERO],
        "nothing sent without the PIN"
    );
    // Until then the paymaster cannot tell the account's outside-execution version: it refuses
    // to build for it, as the public server does.
    let open = json!({"durationSeconds": 3600, "maxCalls": 5, "allowedEntrypoints": ["transfer"],
        "limits": [{"token": "STRK", "maxPerCall": "2", "maxPerWindow": "10", "windowSeconds": 3600}]});
    let refused = ui
        .error("set_up_session", json!({"request": open, "pin": PIN}))
        .await;
    assert_eq!(
        (&refused["kind"], &refused["code"]),
        (&json!("Paymaster"), &json!(156)),
        "{refused}"
    );
    assert!(
        refused["message"]
            .as_str()
            .unwrap()
            .contains("invalid version"),
        "{refused}"
    );
    let _ = ui
        .call("clear_session", json!({"pin": PIN, "revoke": false}))
        .await;
    let balance = node.erc20_balance(STRK, address).await.unwrap();
    let finished = ui.ok("upgrade_account", json!({"pin": PIN})).await;
    assert_eq!(
        (&finished["upgradeUnfinished"], &finished["upgradable"]),
        (&json!(false), &json!(false)),
        "{finished}"
    );
    assert_eq!(src6().await, vec![Felt::ONE], "register_interfaces ran");
    assert!(
        node.erc20_balance(STRK, address).await.unwrap() < balance,
        "sent directly: the account paid the network fee"
    );
    // Now the paymaster serves it: a session with a limit, set up gaslessly.
    let active = ui
        .ok("set_up_session", json!({"request": open, "pin": PIN}))
        .await;
    assert_eq!(active["state"], "active", "{active}");
    assert_eq!(
        chain.class_hash_at(address).await.unwrap(),
        Some(CHIPI_V33_LAYOUT_TEST_CLASS_HASH),
        "the class is not touched again"
    );
    let activity = ui.ok("list_activity", json!({})).await;
    assert!(
        activity
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["kind"] == "upgrade"
                && a["summary"]
                    .as_str()
                    .unwrap()
                    .contains("interfaces registered")),
        "{activity}"
    );
    // Kept: a restart does not offer it again.
    drop(ui);
    drop(app);
    let (_app, ui) = fx.start_app(&seen, "approve");
    // Read from what was kept, before any refresh asks the chain.
    assert_eq!(
        ui.ok("get_wallet", json!({})).await["upgradeUnfinished"],
        false
    );
    ui.ok("refresh_status", json!({})).await;
    assert_eq!(
        ui.ok("get_wallet", json!({})).await["upgradeUnfinished"],
        false
    );
}
