//! Every command through Tauri's IPC (the mock runtime: the same invoke handler, argument names
//! and error serialisation the web view meets), on a real node with the project's sponsor and the
//! OS keychain. Every response and every `SessionChanged` event is recorded and scanned for the
//! PIN and the private keys. Beside the commands: a keychain locked at start (a clear error,
//! nothing lost, a retry works), a declined confirmation, and how many times each action runs
//! Argon2id (no other test in this process seals or opens a secret, so the process-wide count is
//! this flow's).
//!
//! Run under `scripts/with-keychain`, as `scripts/test` does.

use std::sync::{Arc, Mutex};

use chipi_session::SealedSecret;
use serde_json::json;
use starknet_core::types::Felt;
use tauri::test::{mock_builder, mock_context, noop_assets};
use wallet_service::host::select;
use wallet_service::keychain::{owner_key_entry, session_key_entry, KeyringVault};
use wallet_service::logs::{LogLevel, Logs, LOG_FILE};
use wallet_service::SecretVault;

mod common;

use common::Fixture;

const PIN: &str = "pin-Ipc#9";
const PASSPHRASE: &str = "passphrase-Ipc#42-long";
const API_KEY: &str = "pk_live_ipc_0123456789abcdef";
const CHIPI_KEY: &str = "pk_dev_ipc_fedcba9876543210";
const BEARER: &str = "eyJipc.bearer.token-5f3e";

#[tokio::test(flavor = "multi_thread")]
async fn every_command_over_ipc_on_a_real_node() {
    let fx = Fixture::new().await;
    // The app's log, at its most verbose for the whole flow.
    let logs = Logs::start(&fx.dir.path().join("logs"), LogLevel::Trace).expect("the log starts");
    let seen = Arc::new(Mutex::new(Vec::new()));
    let (app, ui) = fx.start_app(&seen, "approve");

    // Onboarding: no wallet yet, typed errors for bad input, then a new wallet deployed gaslessly.
    assert_eq!(ui.kind("get_wallet", json!({})).await, "NoWallet");
    assert_eq!(ui.kind("get_session_view", json!({})).await, "NoWallet");
    let network = ui.ok("get_network", json!({})).await;
    assert_eq!(network["name"], "local");
    assert_eq!(network["rpcUrl"], fx.stack.network.rpc_url.as_str());
    assert!(network["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t["symbol"] == "STRK"));
    assert_eq!(
        ui.kind("set_network", json!({"name": "moon"})).await,
        "InvalidInput"
    );
    assert_eq!(
        ui.kind("create_wallet", json!({"pin": "12"})).await,
        "InvalidInput"
    );
    assert_eq!(
        ui.kind(
            "import_wallet",
            json!({"address": "0xnot-hex", "ownerKey": "x", "pin": PIN})
        )
        .await,
        "InvalidInput"
    );
    let (wallet, runs) = ui.ok_counting("create_wallet", json!({"pin": PIN})).await;
    assert_eq!(runs, 1, "creating a wallet seals its owner key once");
    let address = wallet["address"].as_str().unwrap().to_owned();
    assert_eq!(wallet["supportsSessions"], true);
    assert_eq!(
        ui.ok("get_wallet", json!({})).await["address"],
        address.as_str()
    );
    fx.stack
        .node
        .mint_strk(Felt::from_hex(&address).unwrap(), 50 * 10u128.pow(18))
        .await
        .unwrap();
    let recipient = Felt::from_hex("0x1234abcd").unwrap();
    let start_balance = fx
        .stack
        .node
        .erc20_balance(devnet_harness::STRK, recipient)
        .await
        .unwrap();

    // Create, then register, as two commands; a wrong PIN changes nothing.
    assert_eq!(ui.ok("get_session_view", json!({})).await["state"], "none");
    assert_eq!(
        ui.kind(
            "create_session",
            json!({"durationSeconds": 3600, "pin": "wrong-pin"})
        )
        .await,
        "WrongPin"
    );
    assert_eq!(ui.ok("get_session_view", json!({})).await["state"], "none");
    let created = ui
        .ok(
            "create_session",
            json!({"durationSeconds": 3600, "pin": PIN}),
        )
        .await;
    assert_eq!(created["state"], "created");
    let request = json!({
        "durationSeconds": 3600,
        "maxCalls": 5,
        "allowedEntrypoints": ["transfer"],
        "limits": [{"token": "STRK", "maxPerCall": "2", "maxPerWindow": "10", "windowSeconds": 3600}],
    });
    assert_eq!(
        ui.kind(
            "register_session",
            json!({"request": request, "pin": "wrong-pin"})
        )
        .await,
        "WrongPin"
    );
    assert_eq!(
        ui.ok("get_session_view", json!({})).await["state"],
        "created"
    );
    let active = ui
        .ok("register_session", json!({"request": request, "pin": PIN}))
        .await;
    assert_eq!(active["state"], "active");
    assert_eq!(active["remainingCalls"], 5);
    assert_eq!(active["limits"][0]["symbol"], "STRK");
    assert_eq!(active["limits"][0]["maxPerCall"], "2000000000000000000");
    let session_key = open_entry(&*fx.vault, &session_key_entry("local", &address));

    // Gasless transfer: the chain moved the tokens; the count fell by one.
    let sent = ui
        .ok(
            "transfer",
            json!({"token": "STRK", "recipient": "0x1234abcd", "amount": "1.5"}),
        )
        .await;
    assert_eq!(sent["remainingCalls"], 4);
    assert!(sent["transactionHash"].as_str().unwrap().starts_with("0x"));
    let first_transfer = Felt::from_hex(sent["transactionHash"].as_str().unwrap()).unwrap();
    assert_eq!(
        fx.stack
            .node
            .erc20_balance(devnet_harness::STRK, recipient)
            .await
            .unwrap(),
        start_balance + 15 * 10u128.pow(17)
    );
    // The recipient is offered again on the Send screen, in checksum casing.
    let book = ui.ok("get_address_book", json!({})).await;
    assert_eq!(
        book["recent"][0]["address"],
        "0x000000000000000000000000000000000000000000000000000000001234abcd"
    );
    assert_eq!(book["recent"].as_array().unwrap().len(), 1, "{book}");
    // Refused before any network round trip, each with its kind and the fields a screen words
    // it from (not its text).
    for (args, expected) in [
        (
            json!({"token": "STRK", "recipient": "0x1234abcd", "amount": "2.5"}),
            json!({"kind": "SpendingLimit", "token": "STRK", "amount": "2.5", "left": "2",
                   "per": "transfer"}),
        ),
        (
            json!({"token": "STRK", "recipient": "0xzz", "amount": "1"}),
            json!({"kind": "InvalidInput", "field": "address"}),
        ),
        (
            json!({"token": "STRK", "recipient": "0x1234abcd", "amount": "0.0000000000000000001"}),
            json!({"kind": "InvalidInput", "field": "amount"}),
        ),
        (
            json!({"token": "DOGE", "recipient": "0x1234abcd", "amount": "1"}),
            json!({"kind": "InvalidInput"}),
        ),
        // A token of the network the session has no limit for.
        (
            json!({"token": "ETH", "recipient": "0x1234abcd", "amount": "0.001"}),
            json!({"kind": "SpendingLimit", "token": "ETH", "left": null}),
        ),
    ] {
        let error = ui.error("transfer", args).await;
        for (name, value) in expected.as_object().unwrap() {
            assert_eq!(&error[name], value, "{name}: {error}");
        }
    }
    assert_eq!(
        fx.stack
            .node
            .erc20_balance(devnet_harness::STRK, recipient)
            .await
            .unwrap(),
        start_balance + 15 * 10u128.pow(17),
        "nothing was sent by the refused transfers"
    );
    // A raw call through execute_with_session, and one outside the allowlist.
    let strk = fx.stack.network.token("STRK").unwrap().address;
    let executed = ui
        .ok(
            "execute_with_session",
            json!({"calls": [{"contractAddress": strk, "entrypoint": "transfer", "calldata": ["0x1234abcd", "1000", "0"]}]}),
        )
        .await;
    assert_eq!(executed["remainingCalls"], 3);
    assert_eq!(
        ui.kind(
            "execute_with_session",
            json!({"calls": [{"contractAddress": strk, "entrypoint": "approve", "calldata": ["0x1234abcd", "1", "0"]}]}),
        )
        .await,
        "EntrypointNotAllowed"
    );
    let refreshed = ui.ok("refresh_status", json!({})).await;
    assert_eq!(refreshed["remainingCalls"], 3);
    let activity = ui.ok("list_activity", json!({})).await;
    assert!(activity.as_array().unwrap().len() >= 3, "{activity}");

    // Lock and unlock.
    assert_eq!(ui.ok("lock", json!({})).await["unlocked"], false);
    let body = json!({"token": "STRK", "recipient": "0x1234abcd", "amount": "0.1"});
    assert_eq!(ui.kind("transfer", body.clone()).await, "Locked");
    assert_eq!(
        ui.kind("unlock", json!({"pin": "wrong-pin"})).await,
        "WrongPin"
    );
    assert_eq!(ui.ok("unlock", json!({"pin": PIN})).await["unlocked"], true);

    // Restart: a new app restores the session from the keychain and the store.
    drop(ui);
    drop(app);
    let (app, ui) = fx.start_app(&seen, "approve");
    let restored = ui.ok("refresh_status", json!({})).await;
    assert_eq!(restored["state"], "active");
    assert_eq!(restored["remainingCalls"], 3);
    assert!(ui.ok("retry_keychain", json!({})).await["address"] == address.as_str());
    ui.ok("unlock", json!({"pin": PIN})).await;
    assert_eq!(ui.ok("transfer", body.clone()).await["remainingCalls"], 2);

    // Revoke (wrong PIN first), then execution is refused; clear forgets the session. An
    // active session is not forgotten without the PIN: it could no longer be revoked.
    assert_eq!(
        ui.kind("clear_session", json!({"pin": null, "revoke": false}))
            .await,
        "SessionStillActive"
    );
    assert_eq!(
        ui.kind("revoke_session", json!({"pin": "wrong-pin"})).await,
        "WrongPin"
    );
    assert_eq!(
        ui.ok("get_session_view", json!({})).await["state"],
        "active"
    );
    let revoked = ui.ok("revoke_session", json!({"pin": PIN})).await;
    assert_eq!(revoked["state"], "revoked");
    // The set-up and the revocation keep their transactions, as transfers do: the lines link
    // to the explorer, and they are the transactions the chain has.
    let activity = ui.ok("list_activity", json!({})).await;
    for kind in ["register", "revoke"] {
        let line = activity
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["kind"] == kind)
            .unwrap_or_else(|| panic!("no {kind} line: {activity}"));
        let hash = Felt::from_hex(line["transactionHash"].as_str().unwrap()).unwrap();
        let receipt = fx
            .stack
            .node
            .rpc(
                "starknet_getTransactionReceipt",
                json!({"transaction_hash": format!("{hash:#x}")}),
            )
            .await
            .unwrap_or_else(|e| panic!("{kind}: {hash:#x} is not on chain: {e}"));
        assert_eq!(receipt["execution_status"], "SUCCEEDED", "{kind}");
    }
    assert_eq!(ui.kind("transfer", body.clone()).await, "SessionRevoked");
    let cleared = ui
        .ok("clear_session", json!({"pin": null, "revoke": false}))
        .await;
    assert_eq!(cleared["state"], "none");
    assert_eq!(ui.kind("transfer", body.clone()).await, "NoSession");
    assert!(
        fx.vault
            .get(&session_key_entry("local", &address))
            .unwrap()
            .is_none(),
        "clear removed the session key"
    );

    // Set-up in one command: two Argon2id runs (open the owner key, seal the new session key);
    // a transfer once unlocked needs none; unlocking needs one.
    let (set_up, runs) = ui
        .ok_counting("set_up_session", json!({"request": request, "pin": PIN}))
        .await;
    assert_eq!(
        runs, 2,
        "set-up opens the owner key and seals the session key, nothing more"
    );
    assert_eq!(set_up["state"], "active");
    let (sent, runs) = ui.ok_counting("transfer", body.clone()).await;
    assert_eq!(runs, 0, "an unlocked wallet transfers without Argon2id");
    assert_eq!(sent["remainingCalls"], 4);
    let second_key = open_entry(&*fx.vault, &session_key_entry("local", &address));

    // A restart locks; unlocking opens the session key once.
    drop(ui);
    drop(app);
    let (app, ui) = fx.start_app(&seen, "approve");
    assert_eq!(ui.kind("transfer", body.clone()).await, "Locked");
    let (_, runs) = ui.ok_counting("unlock", json!({"pin": PIN})).await;
    assert_eq!(runs, 1, "unlocking opens the session key once");
    assert_eq!(ui.ok("transfer", body.clone()).await["remainingCalls"], 3);

    // Declined at the OS prompt: biometric unlock is not turned on (so nothing is revoked
    // without the PIN), the session stays active.
    drop(ui);
    drop(app);
    let (app, ui) = fx.start_app(&seen, "deny");
    assert_eq!(
        ui.kind("enable_biometrics", json!({"pin": PIN})).await,
        "NotConfirmed"
    );
    assert_eq!(
        ui.kind("revoke_session", json!({"pin": null})).await,
        "BiometricsUnavailable"
    );
    assert_eq!(ui.ok("refresh_status", json!({})).await["state"], "active");

    // A locked keychain: a clear error at start, nothing lost; unlocking it and retrying works.
    drop(ui);
    drop(app);
    *fx.vault.locked.lock().unwrap() = true;
    let (app, ui) = fx.start_app(&seen, "approve");
    assert_eq!(ui.kind("get_session_view", json!({})).await, "Keychain");
    assert_eq!(ui.kind("retry_keychain", json!({})).await, "Keychain");
    assert!(fx.dir.path().join("prefs.json").exists());
    *fx.vault.locked.lock().unwrap() = false;
    assert_eq!(
        ui.ok("retry_keychain", json!({})).await["address"],
        address.as_str()
    );
    assert_eq!(
        ui.ok("refresh_status", json!({})).await["remainingCalls"],
        3
    );
    let (revoked, runs) = ui.ok_counting("revoke_session", json!({"pin": PIN})).await;
    assert_eq!(runs, 1, "revoking opens the owner key once");
    assert_eq!(revoked["state"], "revoked");

    // The secrets, read back from the keychain, appear in no response and no event.
    let owner = open_entry(&*fx.vault, &owner_key_entry("local", &address));
    let needles = [
        PASSPHRASE.to_owned(),
        API_KEY.to_owned(),
        CHIPI_KEY.to_owned(),
        BEARER.to_owned(),
        PIN.to_owned(),
        owner[2..].to_owned(),
        owner[2..].trim_start_matches('0').to_owned(),
        session_key[2..].to_owned(),
        session_key[2..].trim_start_matches('0').to_owned(),
        second_key[2..].to_owned(),
        second_key[2..].trim_start_matches('0').to_owned(),
    ];

    // The other secrets a user types: a backup's passphrase, a paymaster API key, Chipi's API
    // key and bearer token (taken or refused, they must not reach the log either).
    let path = ui
        .ok(
            "export_backup",
            json!({"pin": PIN, "passphrase": PASSPHRASE}),
        )
        .await;
    assert!(path.as_str().unwrap().contains("chipi-wallet-backup-"));
    let gas = |mode: &str, paymaster: Option<&str>, chipi: Option<(&str, &str)>| {
        json!({"input": {"mode": mode, "feeMode": "sponsored", "gasToken": "STRK", "maxFee": "0.1",
            "paymasterApiKey": paymaster, "chipiApiKey": chipi.map(|c| c.0),
            "chipiBearer": chipi.map(|c| c.1)}})
    };
    let saved = ui
        .ok("save_gas_settings", gas("paymaster", Some(API_KEY), None))
        .await;
    assert_ne!(saved["gas"]["paymasterApiKey"], API_KEY, "shown masked");
    // The local network has no Chipi API: refused, the key and token in the input.
    let _ = ui
        .call(
            "save_gas_settings",
            gas("chipiApi", None, Some((CHIPI_KEY, BEARER))),
        )
        .await;
    ui.ok("save_gas_settings", gas("paymaster", None, None))
        .await;

    // About: the log's level, its folder, and diagnostics without a secret.
    assert_eq!(
        ui.ok("set_log_level", json!({"level": "trace"})).await["logLevel"],
        "trace"
    );
    let diagnostics = ui.ok("get_diagnostics", json!({})).await;
    let diagnostics = diagnostics.as_str().unwrap().to_owned();
    for part in [
        "network: local",
        address.as_str(),
        "session: Revoked",
        "log level: Trace",
    ] {
        assert!(diagnostics.contains(part), "{part} in {diagnostics}");
    }
    ui.ok("open_logs_folder", json!({})).await;
    let opened = std::fs::read_to_string(fx.dir.path().join("opened-urls.txt")).unwrap();
    assert!(
        opened.contains(&format!("file://{}", logs.dir().display())),
        "{opened}"
    );
    // The log holds the actions and their transactions (and the refusals), and no secret.
    let log = std::fs::read_to_string(logs.dir().join(LOG_FILE)).unwrap();
    for part in [
        format!("hash={first_transfer:#x}"),
        "session execution confirmed".to_owned(),
        "session registration sent".to_owned(),
        "session revocation sent".to_owned(),
        "node answered".to_owned(),
        "paymaster answered".to_owned(),
        "WARN".to_owned(),
    ] {
        assert!(log.contains(&part), "{part} is not in the log");
    }
    for needle in &needles {
        assert!(!log.contains(needle.as_str()), "a secret in the log");
        assert!(
            !diagnostics.contains(needle.as_str()),
            "a secret in the diagnostics"
        );
    }

    let seen = seen.lock().unwrap();
    let events = seen.iter().filter(|p| p.contains("\"busy\"")).count();
    assert!(
        events > 20,
        "responses and events were recorded ({events} session payloads)"
    );
    for payload in seen.iter() {
        for needle in &needles {
            assert!(
                !payload.contains(needle.as_str()),
                "a secret crossed IPC: {payload}"
            );
        }
    }
    drop(app);
}

/// The decrypted secret in a keychain entry, as padded hex.
fn open_entry(vault: &dyn SecretVault, name: &str) -> String {
    let sealed = vault.get(name).unwrap().expect("entry");
    SealedSecret::parse(&sealed)
        .unwrap()
        .open(PIN)
        .unwrap()
        .to_padded_hex()
        .to_string()
}

/// Without a fingerprint sensor or Windows Hello (this machine), the platform's biometrics are
/// none: the PIN only, with the biometric plugin registered as in the app.
#[test]
fn the_platform_biometrics_fall_back_to_the_pin_without_a_sensor() {
    let app = mock_builder()
        .plugin(tauri_plugin_biometric::init())
        .build(mock_context(noop_assets()))
        .unwrap();
    let vault: Arc<dyn SecretVault> = Arc::new(KeyringVault::new("test.id"));
    let platform =
        || chipi_wallet_app::confirmer::for_platform(app.handle(), vault.clone(), "test.id");
    let biometrics = platform();
    if cfg!(target_os = "linux") {
        assert_eq!(biometrics.name(), "PIN");
        assert!(!biometrics.available());
    }
    let chosen = select(None, true, vault.clone(), platform).unwrap();
    assert_eq!(chosen.name(), biometrics.name());
}
