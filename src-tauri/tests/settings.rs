//! The settings screen's commands and an account of the deployed CHIPI classes' interface, over
//! Tauri's IPC on a real node: a wrong chain id refused with its own kind; gas settings saved,
//! keys masked, still there after a restart; a paymaster that wants an API key refused in words,
//! then used with the key; the gasless fee mode's fee quoted, then paid; the CHIPI-layout test
//! class imported with its raw owner key, a set-up with limits refused before anything is sent,
//! gasless and direct transfers counted as its chain counts them, revoke, refusal; each network
//! keeping its own wallet.
//!
//! Run under `scripts/with-keychain`, as `scripts/test` does.

mod common;

use std::sync::{Arc, Mutex};

use chipi_session::{format_amount, parse_amount};
use common::Fixture;
use devnet_harness::STRK;
use serde_json::{json, Value};
use sponsor::SponsorConfig;
use starknet_core::types::Felt;
use wallet_service::SecretVault;

const PIN: &str = "pin-Settings#4";
const API_KEY: &str = "pk_local_0123456789abcdef";
const UNIT: u128 = 1_000_000_000_000_000_000;

fn gas(mode: &str, fee_mode: &str, key: Option<&str>) -> Value {
    json!({"input": {"mode": mode, "feeMode": fee_mode, "gasToken": "STRK", "maxFee": "0.1",
        "paymasterApiKey": key, "chipiApiKey": null, "chipiBearer": null}})
}

/// An account of the CHIPI-layout test class, 20 STRK minted to it, imported over IPC with its
/// raw owner key: its address and that key, as hex.
async fn import_layout_account(fx: &Fixture, ui: &common::Ui) -> (String, String) {
    let (owner, account) = fx.layout_account().await;
    let address = format!("{account:#x}");
    let owner_hex = format!("{:#x}", owner.secret_scalar());
    let wallet = ui.import(account, &owner, PIN).await;
    assert_eq!(wallet["accountClass"], "CHIPI-layout test class");
    assert_eq!(wallet["spendingLimitsEnforced"], false);
    assert_eq!(wallet["gaslessLimitsEnforced"], false);
    assert_eq!(
        wallet["sessionSignsMessages"], false,
        "the double checks the owner only"
    );
    (address, owner_hex)
}

/// A session of transfers without limits (this class keeps none: acknowledged).
fn unlimited() -> Value {
    json!({"durationSeconds": 3600, "maxCalls": 5, "allowedEntrypoints": ["transfer"],
        "limits": [], "noLimitAcknowledged": true})
}

const TRANSFER: &str = r#"{"token": "STRK", "recipient": "0x1234abcd", "amount": "1"}"#;

#[tokio::test(flavor = "multi_thread")]
async fn a_chipi_layout_account_over_ipc() {
    let fx = Fixture::new().await;
    let node = &fx.stack.node;
    let seen = Arc::new(Mutex::new(Vec::new()));
    let (app, ui) = fx.start_app(&seen, "approve");

    let settings = ui.ok("get_settings", json!({})).await;
    assert_eq!(settings["network"]["name"], "local");
    assert_eq!(settings["gas"]["mode"], "paymaster");
    assert_eq!(settings["gas"]["feeMode"], "sponsored");
    assert_eq!(settings["gas"]["paymasterApiKey"], Value::Null);

    // Import an account of the CHIPI-layout class with its raw owner key.
    let (address, owner_hex) = import_layout_account(&fx, &ui).await;
    let account = Felt::from_hex(&address).unwrap();
    // Limits this class cannot keep: refused before anything is sent.
    let nonce = node.nonce(account).await.unwrap();
    let limited = json!({"durationSeconds": 3600, "maxCalls": 5, "allowedEntrypoints": ["transfer"],
        "limits": [{"token": "STRK", "maxPerCall": "2", "maxPerWindow": "10", "windowSeconds": 3600}]});
    assert_eq!(
        ui.kind("set_up_session", json!({"request": limited, "pin": PIN}))
            .await,
        "SpendingLimit"
    );
    assert_eq!(
        node.nonce(account).await.unwrap(),
        nonce,
        "nothing was sent"
    );
    let _ = ui
        .call("clear_session", json!({"pin": null, "revoke": false}))
        .await;
    let request = unlimited();
    let active = ui
        .ok("set_up_session", json!({"request": request, "pin": PIN}))
        .await;
    assert_eq!(active["state"], "active", "{active}");
    assert_eq!(active["remainingCalls"], 5);

    // Sponsored: this class's gasless path consumes no call; the count is the chain's.
    let transfer: Value = serde_json::from_str(TRANSFER).unwrap();
    let sent = ui.ok("transfer", transfer.clone()).await;
    assert_eq!(sent["remainingCalls"], 5, "{sent}");
    // Direct: this class's session message leaves the fee unsigned, so a session is refused
    // there until the user allows it, with the PIN.
    ui.ok("save_gas_settings", gas("direct", "sponsored", None))
        .await;
    let refused = ui.call("transfer", transfer.clone()).await.unwrap_err();
    assert_eq!(refused["kind"], "InvalidInput", "{refused}");
    assert!(
        refused["message"]
            .as_str()
            .unwrap()
            .contains("leaves the fee unsigned"),
        "{refused}"
    );
    assert_eq!(
        ui.kind(
            "set_direct_unsigned_fees",
            json!({"allowed": true, "pin": "999999"})
        )
        .await,
        "WrongPin"
    );
    let allowed = ui
        .ok(
            "set_direct_unsigned_fees",
            json!({"allowed": true, "pin": PIN}),
        )
        .await;
    assert_eq!(allowed["gas"]["directUnsignedFees"], true, "{allowed}");
    // The account pays the gas and the call is counted.
    let sent = ui.ok("transfer", transfer.clone()).await;
    assert_eq!(sent["remainingCalls"], 4, "{sent}");
    assert_eq!(
        ui.ok("quote_transfer", transfer.clone()).await["mode"],
        "direct"
    );
    // Gasless: the fee is quoted first, then paid with the transfer.
    ui.ok("save_gas_settings", gas("paymaster", "gasless", None))
        .await;
    let quote = ui.ok("quote_transfer", transfer.clone()).await;
    assert_eq!(
        (quote["mode"].as_str(), quote["token"].as_str()),
        (Some("gasless"), Some("STRK"))
    );
    // The sponsor prices as AVNU does (its suggestion from an estimate without validation);
    // the quote is that suggestion raised by the class's validation margin, below the most.
    let quoted = parse_amount(quote["amount"].as_str().unwrap(), 18).unwrap();
    assert!(quoted > 0 && quoted < UNIT / 10, "{quote}");
    // The fee the user accepted bounds what is signed: below the paymaster's, nothing is sent;
    // above the settings' most, refused outright.
    let before = node.erc20_balance(STRK, account).await.unwrap();
    let with_fee = |fee: &str| {
        let mut t = transfer.clone();
        t["acceptedFee"] = json!(fee);
        t
    };
    assert_eq!(
        ui.kind("transfer", with_fee(&format_amount(quoted / 3, 18)))
            .await,
        "PaymasterTampered",
        "the paymaster asks more than a third of the quote"
    );
    assert_eq!(ui.kind("transfer", with_fee("0.5")).await, "InvalidInput");
    assert_eq!(node.erc20_balance(STRK, account).await.unwrap(), before);
    let sent = ui
        .ok("transfer", with_fee(quote["amount"].as_str().unwrap()))
        .await;
    assert_eq!(sent["remainingCalls"], 4);
    // Signed for the quote; the forwarder keeps 1.1 times the real cost and refunds the rest.
    let fee = before - node.erc20_balance(STRK, account).await.unwrap() - UNIT;
    assert!(
        fee > 0 && fee < quoted,
        "fee {fee} against the quoted {quoted}"
    );
    assert_eq!(
        node.erc20_balance(STRK, Felt::from_hex("0x1234abcd").unwrap())
            .await
            .unwrap(),
        3 * UNIT
    );

    // A key is saved to the keychain and shown masked; it survives a restart.
    let saved = ui
        .ok(
            "save_gas_settings",
            gas("paymaster", "gasless", Some(API_KEY)),
        )
        .await;
    assert_eq!(saved["gas"]["paymasterApiKey"], "pk_l…cdef");
    drop(app);
    let (app, ui) = fx.start_app(&seen, "approve");
    let settings = ui.ok("get_settings", json!({})).await;
    assert_eq!(settings["gas"]["paymasterApiKey"], "pk_l…cdef");
    assert_eq!(settings["gas"]["feeMode"], "gasless");

    // Revoke; the session refuses afterwards.
    ui.ok("unlock", json!({"pin": PIN})).await;
    assert_eq!(
        ui.ok("revoke_session", json!({"pin": PIN})).await["state"],
        "revoked"
    );
    assert_eq!(
        ui.kind("transfer", transfer.clone()).await,
        "SessionRevoked"
    );

    // No response and no event carried a key.
    let log = seen.lock().unwrap().join("\n");
    for secret in [API_KEY, owner_hex.as_str(), PIN] {
        assert!(!log.contains(secret), "a secret crossed the IPC");
    }
    drop(app);
}

/// Each network keeps its own wallet, session, keys and endpoints; moving a network that holds a
/// wallet needs its PIN, and a key stays with the paymaster it was entered for.
#[tokio::test(flavor = "multi_thread")]
async fn each_network_keeps_its_wallet_keys_and_endpoints_over_ipc() {
    let fx = Fixture::new().await;
    let node = &fx.stack.node;
    let seen = Arc::new(Mutex::new(Vec::new()));
    let (app, ui) = fx.start_app(&seen, "approve");
    let settings = ui.ok("get_settings", json!({})).await;

    // A network whose node is on another chain is refused, and nothing changes.
    let rpc = fx.stack.network.rpc_url.clone();
    let wrong = json!({"choice": {"profile": "custom", "name": "elsewhere", "rpcUrl": rpc,
        "chainId": "SN_MAIN", "sponsorUrl": null}});
    assert_eq!(ui.kind("switch_network", wrong).await, "WrongChain");
    // The node last seen is filled in by the start's chain check, whenever it answers.
    let unseen = |mut s: Value| {
        s["network"]["nodeInUse"] = Value::Null;
        s["network"]["nodeSpecVersion"] = Value::Null;
        s
    };
    assert_eq!(
        unseen(ui.ok("get_settings", json!({})).await),
        unseen(settings.clone())
    );
    let bad = json!({"choice": {"profile": "custom", "name": "x", "rpcUrl": "ftp://x",
        "chainId": "SN_SEPOLIA", "sponsorUrl": null}});
    assert_eq!(ui.kind("switch_network", bad).await, "InvalidInput");

    // On the first network: a wallet, a key for its paymaster, a session revoked.
    let (address, owner_hex) = import_layout_account(&fx, &ui).await;
    let request = unlimited();
    let transfer: Value = serde_json::from_str(TRANSFER).unwrap();
    ui.ok("set_up_session", json!({"request": request, "pin": PIN}))
        .await;
    ui.ok(
        "save_gas_settings",
        gas("paymaster", "sponsored", Some(API_KEY)),
    )
    .await;
    assert_eq!(
        ui.ok("revoke_session", json!({"pin": PIN})).await["state"],
        "revoked"
    );

    // Another network (a paymaster that wants a key, on the same node): no wallet there yet.
    let relayer = node.predeployed_accounts().await.unwrap()[1].clone();
    let keyed = sponsor::start(
        &SponsorConfig::new(rpc.clone(), relayer.address, relayer.private_key)
            .with_api_key(API_KEY),
    )
    .await
    .unwrap();
    let choice = json!({"choice": {"profile": "custom", "name": "keyed", "rpcUrl": rpc,
        "chainId": "SN_SEPOLIA", "sponsorUrl": keyed.url}});
    let switched = ui.ok("switch_network", choice).await;
    assert_eq!(switched["network"]["name"], "keyed");
    // The node was asked for its JSON-RPC version with the chain id; Settings shows both.
    assert_eq!(switched["network"]["nodeInUse"], rpc.as_str());
    let spec = switched["network"]["nodeSpecVersion"].as_str().unwrap();
    assert!(
        chipi_session::chain::node_client::spec_supported(spec),
        "devnet speaks {spec}"
    );
    assert_eq!(switched["network"]["fallbackRpcUrls"], json!([]));
    assert_eq!(switched["network"]["choicePending"], false);
    assert_eq!(switched["savedNetworks"], json!(["local"]));
    assert_eq!(
        switched["gas"]["paymasterApiKey"],
        Value::Null,
        "keys are per network"
    );
    assert_eq!(ui.kind("get_wallet", json!({})).await, "NoWallet");
    ui.ok(
        "import_wallet",
        json!({"address": address, "ownerKey": owner_hex, "pin": PIN}),
    )
    .await;
    let refused = ui
        .call("set_up_session", json!({"request": request, "pin": PIN}))
        .await
        .unwrap_err();
    assert_eq!(refused["kind"], "PaymasterApiKey", "{refused}");
    assert!(
        refused["message"]
            .as_str()
            .unwrap()
            .contains("none was sent"),
        "{refused}"
    );
    ui.ok(
        "save_gas_settings",
        gas("paymaster", "sponsored", Some(API_KEY)),
    )
    .await;
    let _ = ui
        .call("clear_session", json!({"pin": PIN, "revoke": false}))
        .await;
    let active = ui
        .ok("set_up_session", json!({"request": request, "pin": PIN}))
        .await;
    assert_eq!(active["state"], "active", "{active}");
    ui.ok("transfer", transfer.clone()).await;

    // Back on the first network: its wallet, its revoked session, its settings.
    let back = ui
        .ok(
            "switch_network",
            json!({"choice": {"profile": "local", "name": null,
            "rpcUrl": null, "chainId": null, "sponsorUrl": null}}),
        )
        .await;
    assert_eq!(back["gas"]["paymasterApiKey"], "pk_l…cdef");
    assert_eq!(
        ui.ok("get_wallet", json!({})).await["address"],
        address.as_str()
    );
    assert_eq!(
        ui.ok("get_session_view", json!({})).await["state"],
        "revoked"
    );
    // Pointing a network that holds a wallet elsewhere needs its PIN: without it (and no
    // biometrics) or with a wrong one nothing moves; another saved network's endpoints cannot be
    // moved from here at all.
    let elsewhere = json!({"profile": "local", "name": null, "rpcUrl": null, "chainId": null,
        "sponsorUrl": keyed.url});
    let before = ui.ok("get_settings", json!({})).await;
    assert_eq!(
        ui.kind("switch_network", json!({"choice": elsewhere, "pin": null}))
            .await,
        "BiometricsUnavailable"
    );
    assert_eq!(
        ui.kind(
            "switch_network",
            json!({"choice": elsewhere, "pin": "not-the-pin"})
        )
        .await,
        "WrongPin"
    );
    let other = json!({"profile": "keyed", "name": null, "rpcUrl": null, "chainId": null,
        "sponsorUrl": fx.stack.sponsor_url});
    assert_eq!(
        ui.kind("switch_network", json!({"choice": other, "pin": PIN}))
            .await,
        "InvalidInput"
    );
    assert_eq!(
        ui.ok("get_settings", json!({})).await,
        before,
        "nothing moved"
    );
    // A key stays with the paymaster it was entered for: pointing the network elsewhere drops it.
    let moved = ui
        .ok("switch_network", json!({"choice": elsewhere, "pin": PIN}))
        .await;
    assert_eq!(moved["gas"]["paymasterApiKey"], Value::Null);

    // No response and no event carried a key.
    let log = seen.lock().unwrap().join("\n");
    for secret in [API_KEY, owner_hex.as_str(), PIN] {
        assert!(!log.contains(secret), "a secret crossed the IPC");
    }
    drop(app);
}

/// The Chipi API path chosen in the settings, against the local stand-in of the hosted API:
/// register, transfer and revoke go through it; the stored bearer token has expired, so the
/// first request is answered 401, the configured command prints a fresh token, and the request
/// is repeated once with it (and the token is kept for the next start).
#[tokio::test(flavor = "multi_thread")]
async fn the_chipi_api_path_with_a_refreshed_bearer_token() {
    let stack = local_stack::LocalStack::start().await.unwrap();
    let config = SponsorConfig::new(
        stack.rpc_url(),
        stack.relayer.address,
        stack.relayer.private_key,
    );
    let chipi = local_stack::chipi_api::ChipiApiDouble::start(&config, "pk_dev_local", "jwt-2")
        .await
        .unwrap();
    let mut fx = Fixture::on(stack).await;
    fx.stack.network.chipi_api_url = Some(chipi.url.clone());
    // The host's command (CHIPI_BEARER_COMMAND in the app); IPC cannot set one.
    fx.bearer_command = Some("echo jwt-2".into());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let (app, ui) = fx.start_app(&seen, "approve");

    let wallet = ui.ok("create_wallet", json!({"pin": PIN})).await;
    let address = Felt::from_hex(wallet["address"].as_str().unwrap()).unwrap();
    fx.stack.node.mint_strk(address, 20 * UNIT).await.unwrap();
    let settings = ui
        .ok(
            "save_gas_settings",
            json!({"input": {"mode": "chipiApi", "feeMode": "sponsored", "gasToken": "STRK",
                "maxFee": "0.1", "paymasterApiKey": null, "chipiApiKey": "pk_dev_local",
                "chipiBearer": "jwt-1"}}),
        )
        .await;
    assert_eq!(settings["gas"]["mode"], "chipiApi");
    assert_eq!(settings["gas"]["chipiBearerSet"], true);
    assert_eq!(settings["gas"]["bearerCommandSet"], true);
    assert_eq!(settings["gas"]["chipiApiKey"], "…ocal");

    let request = json!({"durationSeconds": 3600, "maxCalls": 5, "allowedEntrypoints": ["transfer"],
        "limits": [{"token": "STRK", "maxPerCall": "2", "maxPerWindow": "10", "windowSeconds": 3600}]});
    let active = ui
        .ok("set_up_session", json!({"request": request, "pin": PIN}))
        .await;
    assert_eq!(active["state"], "active", "{active}");
    let sent = ui
        .ok(
            "transfer",
            json!({"token": "STRK", "recipient": "0x1234abcd", "amount": "1"}),
        )
        .await;
    assert_eq!(sent["remainingCalls"], 4);
    assert_eq!(
        ui.ok("revoke_session", json!({"pin": PIN})).await["state"],
        "revoked"
    );
    let requests = chipi.seen();
    assert_eq!(
        requests.iter().filter(|r| r.status == 401).count(),
        1,
        "one expired token, refreshed once: {requests:?}"
    );
    assert_eq!(requests[0].bearer.as_deref(), Some("jwt-1"));
    assert!(
        requests[1..]
            .iter()
            .all(|r| r.bearer.as_deref() == Some("jwt-2") && r.status == 200),
        "{requests:?}"
    );
    assert_eq!(
        requests.len(),
        7,
        "register, transfer and revoke each prepared and executed there: {requests:?}"
    );
    let kept = fx
        .vault
        .get(&wallet_service::keychain::network_secret_entry(
            "local",
            "chipi-bearer",
        ))
        .unwrap();
    assert_eq!(kept.as_deref(), Some("jwt-2"), "the fresh token is kept");

    // The command goes with the URL it was set for: the Chipi API moved (with the PIN) drops
    // it, with the keys, and the stand-in sees no request for a token meanwhile.
    let moved = ui
        .ok(
            "switch_network",
            json!({"choice": {"profile": "local", "name": null, "rpcUrl": null, "chainId": null,
                "sponsorUrl": null, "chipiApiUrl": "http://127.0.0.1:9/v1"}, "pin": PIN}),
        )
        .await;
    assert_eq!(moved["gas"]["bearerCommandSet"], false, "{moved}");
    assert_eq!(moved["gas"]["chipiBearerSet"], false, "{moved}");
    // The wallet still opens in its chosen mode; asking what a transfer costs says what is
    // missing.
    assert_eq!(moved["gas"]["mode"], "chipiApi", "{moved}");
    ui.ok("unlock", json!({"pin": PIN})).await;
    let refused = ui
        .call(
            "quote_transfer",
            json!({"token": "STRK", "recipient": "0x1234abcd", "amount": "1"}),
        )
        .await
        .unwrap_err();
    assert_eq!(refused["kind"], "InvalidInput", "{refused}");
    assert!(
        refused["message"]
            .as_str()
            .unwrap()
            .contains("needs its public API key"),
        "{refused}"
    );
    assert_eq!(chipi.seen().len(), 7);
    let log = seen.lock().unwrap().join("\n");
    for secret in ["jwt-1", "jwt-2", "pk_dev_local"] {
        assert!(!log.contains(secret), "{secret} crossed the IPC");
    }
    drop(app);
}

/// A rehearsal of the mainnet profile on a node that reports `SN_MAIN`: the app on `mainnet`
/// (STRK and ETH at their mainnet addresses, USDC with 6 decimals) creates and deploys a wallet,
/// sets up a session with STRK and USDC limits, and sends USDC sponsored, in the gasless mode
/// (the fee in STRK) and directly; USDC amounts with a 7th decimal are refused locally. Then the
/// Chipi API path on the same node.
#[tokio::test(flavor = "multi_thread")]
async fn a_rehearsal_of_the_mainnet_profile() {
    let stack = local_stack::LocalStack::start_mainnet_rehearsal()
        .await
        .unwrap();
    assert_eq!(
        stack.node.chain_id(),
        chipi_session::network::SN_MAIN,
        "the node reports mainnet's chain id"
    );
    let usdc = stack.network.token("USDC").unwrap().clone();
    assert_eq!(usdc.decimals, 6);
    let config = SponsorConfig::new(
        stack.rpc_url(),
        stack.relayer.address,
        stack.relayer.private_key,
    );
    let chipi = local_stack::chipi_api::ChipiApiDouble::start(&config, "pk_prod_local", "jwt")
        .await
        .unwrap();
    let mut fx = Fixture::on(stack).await;
    fx.stack.network.chipi_api_url = Some(chipi.url.clone());
    let node = &fx.stack.node;
    let seen = Arc::new(Mutex::new(Vec::new()));
    let (app, ui) = fx.start_app(&seen, "approve");
    assert_eq!(ui.ok("get_network", json!({})).await["name"], "mainnet");

    // This project's class, declared on the rehearsal node: the session keeps spending limits.
    let wallet = ui
        .ok("create_wallet", json!({"pin": PIN, "ownClass": true}))
        .await;
    assert_eq!(wallet["accountClass"], "session account (this project)");
    let address = Felt::from_hex(wallet["address"].as_str().unwrap()).unwrap();
    node.mint_strk(address, 10 * UNIT).await.unwrap();
    node.send_erc20(usdc.address, address, 100_000_000)
        .await
        .unwrap();
    let request = json!({"durationSeconds": 3600, "maxCalls": 10, "allowedEntrypoints": ["transfer"],
        "limits": [
            {"token": "USDC", "maxPerCall": "5", "maxPerWindow": "20", "windowSeconds": 3600},
            {"token": "STRK", "maxPerCall": "1", "maxPerWindow": "2", "windowSeconds": 3600}]});
    let active = ui
        .ok("set_up_session", json!({"request": request, "pin": PIN}))
        .await;
    assert_eq!(active["state"], "active", "{active}");

    let recipient = Felt::from_hex("0x1234abcd").unwrap();
    let usdc_sent = || async { node.erc20_balance(usdc.address, recipient).await.unwrap() };
    let transfer =
        |amount: &str| json!({"token": "USDC", "recipient": "0x1234abcd", "amount": amount});
    assert_eq!(
        ui.kind("transfer", transfer("1.0000001")).await,
        "InvalidInput",
        "USDC has 6 decimals"
    );
    ui.ok("transfer", transfer("1.5")).await;
    assert_eq!(usdc_sent().await, 1_500_000);

    ui.ok(
        "save_gas_settings",
        json!({"input": {"mode": "paymaster", "feeMode": "gasless", "gasToken": "STRK",
        "maxFee": "0.05", "paymasterApiKey": null, "chipiApiKey": null, "chipiBearer": null,
        }}),
    )
    .await;
    let quote = ui.ok("quote_transfer", transfer("2")).await;
    assert_eq!(quote["token"].as_str(), Some("STRK"), "{quote}");
    let quoted = parse_amount(quote["amount"].as_str().unwrap(), 18).unwrap();
    let strk_before = node.erc20_balance(STRK, address).await.unwrap();
    ui.ok("transfer", transfer("2")).await;
    assert_eq!(usdc_sent().await, 3_500_000);
    let fee = strk_before - node.erc20_balance(STRK, address).await.unwrap();
    assert!(
        fee > 0 && fee < quoted,
        "the fee, in STRK ({fee}), within the quote ({quoted})"
    );

    ui.ok("save_gas_settings", gas("direct", "sponsored", None))
        .await;
    ui.ok("transfer", transfer("0.25")).await;
    assert_eq!(usdc_sent().await, 3_750_000);

    ui.ok(
        "save_gas_settings",
        json!({"input": {"mode": "chipiApi", "feeMode": "sponsored", "gasToken": "STRK",
            "maxFee": "0.05", "paymasterApiKey": null, "chipiApiKey": "pk_prod_local",
            "chipiBearer": "jwt"}}),
    )
    .await;
    let sent = ui.ok("transfer", transfer("0.25")).await;
    assert_eq!(usdc_sent().await, 4_000_000);
    assert_eq!(sent["remainingCalls"], 6, "four transfers from ten calls");
    assert!(chipi.seen().iter().all(|r| r.status == 200));
    assert_eq!(
        chipi.seen().len(),
        2,
        "prepared and executed through the Chipi API"
    );
    drop(app);
}

/// At start the app asks the node for its chain id: a node on another chain than the stored
/// network blocks the wallet with `WrongChain` instead of signing for the wrong chain.
#[tokio::test(flavor = "multi_thread")]
async fn a_node_on_another_chain_blocks_the_wallet_at_start() {
    use wallet_service::PrefsStore;
    let fx = Fixture::new().await;
    let seen = Arc::new(Mutex::new(Vec::new()));
    let (app, ui) = fx.start_app(&seen, "approve");
    ui.ok("create_wallet", json!({"pin": PIN})).await;
    drop(app);
    // The stored network now names mainnet's chain id; the node is on Sepolia's.
    let mut prefs = fx.prefs.load().unwrap().unwrap();
    prefs.network.chain_id = chipi_session::network::SN_MAIN;
    fx.prefs.save(&prefs).unwrap();
    let (app, ui) = fx.start_app(&seen, "approve");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        match ui.call("get_wallet", json!({})).await {
            Err(e) if e["kind"] == "WrongChain" => {
                let message = e["message"].as_str().unwrap();
                assert!(
                    message.contains("SN_SEPOLIA") && message.contains("SN_MAIN"),
                    "{message}"
                );
                break;
            }
            other => assert!(
                std::time::Instant::now() < deadline,
                "the wallet was not blocked: {other:?}"
            ),
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(
        ui.kind(
            "transfer",
            json!({"token": "STRK", "recipient": "0x1", "amount": "1"})
        )
        .await,
        "WrongChain"
    );
    drop(app);
}
