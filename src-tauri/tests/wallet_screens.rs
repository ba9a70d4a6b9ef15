//! The home screen's commands through Tauri's IPC on a real node: balances, tokens received
//! found in the chain's events (once each), the explorer link (captured by the test host), the
//! auto-lock setting, and the owner key's backup → removal → restore, each with its refusals.
//! Every response is scanned for the PIN, the passphrase and the owner key.
//!
//! Run under `scripts/with-keychain`, as `scripts/test` does.

use std::sync::{Arc, Mutex};

use chipi_session::network::ETH;
use chipi_session::SealedSecret;
use devnet_harness::STRK;
use serde_json::{json, Value};
use starknet_core::types::Felt;
use wallet_service::keychain::owner_key_entry;
use wallet_service::SecretVault;

mod common;

use common::Fixture;

const PIN: &str = "pin-Home#7";
const PASSPHRASE: &str = "a passphrase for the backup";
const EXPLORER: &str = "https://explorer.test/tx/";
const UNIT: u128 = 1_000_000_000_000_000_000;

fn of_kind<'a>(history: &'a Value, kind: &str) -> Vec<&'a Value> {
    history
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["kind"] == kind)
        .collect()
}

/// A wallet made through the app, with 5 STRK and 0.25 ETH sent to it from a devnet account.
async fn funded_wallet(fx: &Fixture, ui: &common::Ui) -> (String, Felt) {
    let wallet = ui.ok("create_wallet", json!({"pin": PIN})).await;
    let address = wallet["address"].as_str().unwrap().to_owned();
    let account = Felt::from_hex(&address).unwrap();
    fx.stack
        .node
        .send_erc20(STRK, account, 5 * UNIT)
        .await
        .unwrap();
    fx.stack
        .node
        .send_erc20(ETH, account, UNIT / 4)
        .await
        .unwrap();
    (address, account)
}

fn amount(balances: &Value, symbol: &str) -> Option<Value> {
    balances
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["symbol"] == symbol)
        .map(|t| t["amount"].clone())
}

/// No recorded response carried one of `secrets`.
fn no_secret_crossed(seen: &Mutex<Vec<String>>, secrets: &[&str]) {
    for payload in seen.lock().unwrap().iter() {
        for secret in secrets {
            assert!(!payload.contains(secret), "a secret crossed IPC: {payload}");
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_new_wallet_its_pin_its_empty_balances_and_auto_lock() {
    let fx = Fixture::new().await;
    let seen = Arc::new(Mutex::new(Vec::new()));
    let (app, ui) = fx.start_app(&seen, "approve");
    assert_eq!(
        ui.kind("create_wallet", json!({"pin": "12345"})).await,
        "InvalidInput"
    );
    ui.ok("create_wallet", json!({"pin": PIN})).await;
    // Every token of the network, in whole units.
    let balances = ui.ok("get_balances", json!({})).await;
    assert_eq!(amount(&balances, "STRK"), Some(json!("0")));
    assert_eq!(amount(&balances, "ETH"), Some(json!("0")));
    // Auto-lock: minutes, at most a day.
    let settings = ui.ok("set_auto_lock", json!({"minutes": 5})).await;
    assert_eq!(settings["autoLockMinutes"], 5);
    assert_eq!(settings["autoLockSeconds"], 300);
    assert_eq!(
        ui.kind("set_auto_lock", json!({"minutes": 1441})).await,
        "InvalidInput"
    );

    no_secret_crossed(&seen, &[PIN]);
    drop(app);
}

#[tokio::test(flavor = "multi_thread")]
async fn balances_received_tokens_and_the_explorer_over_ipc() {
    let mut fx = Fixture::new().await;
    fx.stack.network.explorer_tx_url = Some(EXPLORER.into());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let (app, ui) = fx.start_app(&seen, "approve");
    let node = &fx.stack.node;
    funded_wallet(&fx, &ui).await;
    let balances = ui.ok("get_balances", json!({})).await;
    assert_eq!(amount(&balances, "STRK"), Some(json!("5")));
    assert_eq!(amount(&balances, "ETH"), Some(json!("0.25")));

    // Tokens received: found in the events, from the sender, with the explorer link; a second
    // look adds nothing.
    let sender = format!(
        "{:#x}",
        node.predeployed_accounts().await.unwrap()[0].address
    );
    let history = ui.ok("refresh_history", json!({})).await;
    let received = of_kind(&history, "receive");
    assert_eq!(received.len(), 2, "{history}");
    for (token, units) in [("STRK", "5"), ("ETH", "0.25")] {
        let line = received
            .iter()
            .find(|a| a["token"] == token)
            .unwrap_or_else(|| panic!("no {token} received: {history}"));
        assert_eq!(line["amount"], units);
        assert_eq!(line["counterparty"], sender.as_str());
        assert_eq!(line["status"], "succeeded");
        let hash = line["transactionHash"].as_str().unwrap();
        assert_eq!(line["explorerUrl"], format!("{EXPLORER}{hash}").as_str());
    }
    let again = ui.ok("refresh_history", json!({})).await;
    assert_eq!(of_kind(&again, "receive").len(), 2);

    // The explorer: the network's page of a transaction, recorded by the test host instead of
    // opened; a malformed hash refused.
    let hash = received[0]["transactionHash"].as_str().unwrap();
    ui.ok("open_explorer", json!({"transactionHash": hash}))
        .await;
    let opened = std::fs::read_to_string(fx.dir.path().join("opened-urls.txt")).unwrap();
    assert_eq!(opened, format!("{EXPLORER}{hash}\n"));
    assert_eq!(
        ui.kind("open_explorer", json!({"transactionHash": "0xzz"}))
            .await,
        "InvalidInput"
    );

    no_secret_crossed(&seen, &[PIN]);
    drop(app);
}

#[tokio::test(flavor = "multi_thread")]
async fn backup_removal_and_restore_over_ipc() {
    let fx = Fixture::new().await;
    let seen = Arc::new(Mutex::new(Vec::new()));
    let (app, ui) = fx.start_app(&seen, "approve");
    let (address, _) = funded_wallet(&fx, &ui).await;

    // Backup: a passphrase of its own, the PIN checked; the file holds no secret in the clear.
    for (pin, passphrase, kind) in [
        (PIN, "short", "InvalidInput"),
        (PIN, PIN, "InvalidInput"),
        ("wrong-pin-1", PASSPHRASE, "WrongPin"),
    ] {
        assert_eq!(
            ui.kind(
                "export_backup",
                json!({"pin": pin, "passphrase": passphrase})
            )
            .await,
            kind
        );
    }
    let path = ui
        .ok(
            "export_backup",
            json!({"pin": PIN, "passphrase": PASSPHRASE}),
        )
        .await;
    let path = std::path::PathBuf::from(path.as_str().unwrap());
    assert!(path.starts_with(fx.dir.path().join("backups")));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let backup = std::fs::read_to_string(&path).unwrap();
    let owner = SealedSecret::parse(
        &fx.vault
            .get(&owner_key_entry("local", &address))
            .unwrap()
            .unwrap(),
    )
    .unwrap()
    .open(PIN)
    .unwrap()
    .to_padded_hex()
    .to_string();
    for secret in [PIN, PASSPHRASE, &owner[2..]] {
        assert!(!backup.contains(secret));
    }
    let file: Value = serde_json::from_str(&backup).unwrap();
    assert_eq!(file["address"], address.as_str());
    assert_eq!(file["format"], "chipi-session-wallet-backup");

    // Removal: only with the user's word that a backup exists, and the PIN.
    assert_eq!(
        ui.kind("remove_wallet", json!({"pin": PIN, "backedUp": false}))
            .await,
        "NotConfirmed"
    );
    assert_eq!(
        ui.kind(
            "remove_wallet",
            json!({"pin": "wrong-pin-1", "backedUp": true})
        )
        .await,
        "WrongPin"
    );
    assert!(ui.call("get_wallet", json!({})).await.is_ok());
    ui.ok("remove_wallet", json!({"pin": PIN, "backedUp": true}))
        .await;
    assert_eq!(ui.kind("get_wallet", json!({})).await, "NoWallet");
    assert!(fx
        .vault
        .get(&owner_key_entry("local", &address))
        .unwrap()
        .is_none());
    assert!(ui
        .ok("list_activity", json!({}))
        .await
        .as_array()
        .unwrap()
        .is_empty());

    // Restore: refused with a wrong passphrase, a file of another chain, a key that is not the
    // account's, an address the key does not control (0x1234abcd is not deployed and is not
    // where the key deploys to), a class that is not the deployed one, or a short PIN;
    // then the same wallet, sealed under the new PIN.
    let mut other_chain = file.clone();
    other_chain["chainId"] = json!("0x534e5f4d41494e");
    let mut other_key = file.clone();
    other_key["ownerPublicKey"] = json!("0x1234");
    let mut other_address = file.clone();
    other_address["address"] = json!("0x1234abcd");
    let mut other_class = file.clone();
    other_class["classHash"] = json!("0x777");
    for (text, passphrase, pin, kind) in [
        (
            backup.clone(),
            "not the passphrase",
            "new-pin-99",
            "WrongPin",
        ),
        (
            other_chain.to_string(),
            PASSPHRASE,
            "new-pin-99",
            "InvalidInput",
        ),
        (
            other_key.to_string(),
            PASSPHRASE,
            "new-pin-99",
            "InvalidInput",
        ),
        (
            other_address.to_string(),
            PASSPHRASE,
            "new-pin-99",
            "InvalidInput",
        ),
        (
            other_class.to_string(),
            PASSPHRASE,
            "new-pin-99",
            "InvalidInput",
        ),
        (backup.clone(), PASSPHRASE, "123", "InvalidInput"),
        (
            "{\"not\": \"a backup\"}".to_owned(),
            PASSPHRASE,
            "new-pin-99",
            "InvalidInput",
        ),
    ] {
        assert_eq!(
            ui.kind(
                "import_backup",
                json!({"backup": text, "passphrase": passphrase, "pin": pin})
            )
            .await,
            kind
        );
    }
    let restored = ui
        .ok(
            "import_backup",
            json!({"backup": backup, "passphrase": PASSPHRASE, "pin": "new-pin-99"}),
        )
        .await;
    assert_eq!(restored["address"], address.as_str());
    assert_eq!(ui.kind("unlock", json!({"pin": PIN})).await, "WrongPin");
    ui.ok("unlock", json!({"pin": "new-pin-99"})).await;
    let balances = ui.ok("get_balances", json!({})).await;
    assert_eq!(amount(&balances, "STRK"), Some(json!("5")));

    // No response carried a secret.
    no_secret_crossed(&seen, &[PIN, PASSPHRASE, "new-pin-99", &owner[2..]]);
    drop(app);
}

/// Biometric unlock in place of the PIN, through the app's commands with the test platform gate
/// (the scripted confirmer over the test keychain, as Windows Hello over the Credential
/// Manager): turned on after the PIN and one check; unlock, set-up and revoke without the PIN;
/// a declined check refused with the PIN still working; the PIN back-off untouched; a key the
/// OS dropped (a changed enrolment) and a stale wrapped PIN each turn it off without counting a
/// miss; turned off, both entries gone. No response carries the PIN or the wrapping key.
#[tokio::test(flavor = "multi_thread")]
async fn biometric_unlock_replaces_the_pin() {
    use wallet_service::host::{CheckedVault, Scripted};
    use wallet_service::keychain::biometric_entry;

    let fx = Fixture::new().await;
    let seen = Arc::new(Mutex::new(Vec::new()));
    let check = Scripted::new(true);
    let vault: Arc<dyn SecretVault> = fx.vault.clone();
    let gate = || Box::new(CheckedVault::new(Box::new(check.clone()), vault.clone()));
    let (app, ui) = fx.start_app_with(&seen, gate());
    let wallet = ui.ok("create_wallet", json!({"pin": PIN})).await;
    let address = wallet["address"].as_str().unwrap().to_owned();
    assert_eq!(
        wallet["biometrics"],
        json!({"name": "Test biometrics", "available": true, "enabled": false, "sealedByCheck": false})
    );
    let key_entry = biometric_entry("local", &address, "key");
    let pin_entry = biometric_entry("local", &address, "pin");
    let entries = || {
        (
            fx.vault.get(&key_entry).unwrap().is_some(),
            fx.vault.get(&pin_entry).unwrap().is_some(),
        )
    };
    assert_eq!(
        ui.kind("unlock", json!({"pin": null})).await,
        "BiometricsUnavailable",
        "off until turned on"
    );

    // Turning it on: the PIN first (a wrong one counts as usual), then one check.
    assert_eq!(
        ui.kind("enable_biometrics", json!({"pin": "wrong-pin"}))
            .await,
        "WrongPin"
    );
    check.set(false);
    assert_eq!(
        ui.kind("enable_biometrics", json!({"pin": PIN})).await,
        "NotConfirmed"
    );
    assert_eq!(entries(), (false, false), "a declined check keeps nothing");
    check.set(true);
    let on = ui.ok("enable_biometrics", json!({"pin": PIN})).await;
    assert_eq!(on["enabled"], true);
    assert_eq!(entries(), (true, true));
    let wrapped = fx.vault.get(&pin_entry).unwrap().unwrap();
    assert!(wrapped.starts_with("chipi-wrapped:") && !wrapped.contains(PIN));

    // Unlock, set-up and revoke with no PIN at all.
    ui.ok("lock", json!({})).await;
    assert_eq!(
        ui.ok("unlock", json!({"pin": null})).await["unlocked"],
        true
    );
    let request = json!({
        "durationSeconds": 3600,
        "maxCalls": 5,
        "allowedEntrypoints": ["transfer"],
        "limits": [{"token": "STRK", "maxPerCall": "2", "maxPerWindow": "10", "windowSeconds": 3600}],
    });
    let set_up = ui
        .ok("set_up_session", json!({"request": request, "pin": null}))
        .await;
    assert_eq!(set_up["state"], "active");

    // A restart keeps it on; a declined check is refused and the PIN still works.
    drop(ui);
    drop(app);
    let (app, ui) = fx.start_app_with(&seen, gate());
    assert_eq!(
        ui.ok("get_wallet", json!({})).await["biometrics"]["enabled"],
        true
    );
    check.set(false);
    assert_eq!(
        ui.kind("unlock", json!({"pin": null})).await,
        "NotConfirmed"
    );
    assert_eq!(ui.ok("unlock", json!({"pin": PIN})).await["unlocked"], true);
    check.set(true);

    // The PIN back-off is unchanged: three misses make the right PIN wait; biometrics neither
    // count nor clear it.
    for _ in 0..3 {
        assert_eq!(
            ui.kind("unlock", json!({"pin": "wrong-pin"})).await,
            "WrongPin"
        );
    }
    assert_eq!(
        ui.kind("unlock", json!({"pin": PIN})).await,
        "TooManyAttempts"
    );
    assert_eq!(
        ui.ok("unlock", json!({"pin": null})).await["unlocked"],
        true
    );
    assert_eq!(
        ui.kind("unlock", json!({"pin": PIN})).await,
        "TooManyAttempts"
    );
    // The count is kept with the wallet's keys: a restart does not reset it.
    drop(ui);
    drop(app);
    let (app, ui) = fx.start_app_with(&seen, gate());
    let waiting = ui.error("unlock", json!({"pin": PIN})).await;
    assert_eq!(waiting["kind"], "TooManyAttempts", "{waiting}");
    assert_eq!(
        waiting["wait"], 30,
        "the seconds to wait, for the screen: {waiting}"
    );
    fx.clock.advance(30);
    assert_eq!(ui.ok("unlock", json!({"pin": PIN})).await["unlocked"], true);

    let revoked = ui.ok("revoke_session", json!({"pin": null})).await;
    assert_eq!(revoked["state"], "revoked");

    // The OS dropped the key (what macOS does when the enrolled fingers change): turned off,
    // said so, and the PIN works.
    fx.vault.delete(&key_entry).unwrap();
    assert_eq!(
        ui.kind("unlock", json!({"pin": null})).await,
        "BiometricsChanged"
    );
    assert_eq!(
        ui.ok("get_wallet", json!({})).await["biometrics"]["enabled"],
        false
    );
    assert_eq!(entries(), (false, false));
    assert_eq!(ui.ok("unlock", json!({"pin": PIN})).await["unlocked"], true);

    // A wrapped PIN that is not the wallet's (sealed again under another PIN): turned off, and
    // not a miss — two misses before it, the right PIN still opens after it.
    ui.ok("enable_biometrics", json!({"pin": PIN})).await;
    let key =
        chipi_session::WrappingKey::from_text(&fx.vault.get(&key_entry).unwrap().unwrap()).unwrap();
    let stale = key
        .wrap("another-pin", &format!("local:{address}"))
        .unwrap();
    fx.vault.put(&pin_entry, &stale).unwrap();
    for _ in 0..2 {
        assert_eq!(
            ui.kind("unlock", json!({"pin": "wrong-pin"})).await,
            "WrongPin"
        );
    }
    assert_eq!(
        ui.kind("unlock", json!({"pin": null})).await,
        "BiometricsChanged"
    );
    assert_eq!(ui.ok("unlock", json!({"pin": PIN})).await["unlocked"], true);
    assert_eq!(entries(), (false, false));

    // Turned off on request: both entries deleted, the PIN only.
    ui.ok("enable_biometrics", json!({"pin": PIN})).await;
    assert_eq!(entries(), (true, true));
    let off = ui.ok("disable_biometrics", json!({})).await;
    assert_eq!(off["enabled"], false);
    assert_eq!(entries(), (false, false));
    assert_eq!(
        ui.kind("unlock", json!({"pin": null})).await,
        "BiometricsUnavailable"
    );

    // A declined turn-on over an earlier one leaves it off, nothing half-stored.
    ui.ok("enable_biometrics", json!({"pin": PIN})).await;
    check.set(false);
    assert_eq!(
        ui.kind("enable_biometrics", json!({"pin": PIN})).await,
        "NotConfirmed"
    );
    assert_eq!(entries(), (false, false));
    assert_eq!(
        ui.ok("get_wallet", json!({})).await["biometrics"]["enabled"],
        false
    );

    no_secret_crossed(&seen, &[PIN, key.to_text().as_str()]);
    drop(app);
}

/// A deployment that fails at creation keeps the wallet with the way on: the sponsor down
/// (HTTP 503) or failing (500) leaves it undeployed and offered again, a wrong PIN sends
/// nothing, an answer lost after the sponsor sent the deployment is found on chain (nothing is
/// sent twice), and the next action, a session set-up, works after a restart.
#[tokio::test(flavor = "multi_thread")]
async fn a_failed_deployment_is_offered_again() {
    use local_stack::fault_proxy::{self, Fault};
    let mut fx = Fixture::new().await;
    let (proxy, faults) = fault_proxy::start(fx.stack.sponsor_url.clone())
        .await
        .unwrap();
    fx.stack.network.sponsor_url = Some(proxy);
    let node = &fx.stack.node;
    let relayer = fx.stack.relayer.address;
    let seen = Arc::new(Mutex::new(Vec::new()));
    let (app, ui) = fx.start_app(&seen, "none");
    let nonce = node.nonce(relayer).await.unwrap();

    faults.set(Fault::Down);
    assert_eq!(
        ui.kind("create_wallet", json!({"pin": PIN})).await,
        "Network"
    );
    let wallet = ui.ok("get_wallet", json!({})).await;
    assert_eq!(wallet["deployable"], true, "{wallet}");
    assert_eq!(ui.ok("is_deployed", json!({})).await, false);
    assert_eq!(
        ui.kind("create_wallet", json!({"pin": PIN})).await,
        "InvalidInput",
        "one wallet: the way on is the deployment"
    );
    faults.set(Fault::ServerError);
    assert_eq!(
        ui.kind("deploy_wallet", json!({"pin": PIN})).await,
        "Network"
    );
    faults.clear();
    assert_eq!(
        ui.kind("deploy_wallet", json!({"pin": "not-the-pin"}))
            .await,
        "WrongPin"
    );
    assert_eq!(ui.ok("is_deployed", json!({})).await, false);
    assert_eq!(
        node.nonce(relayer).await.unwrap(),
        nonce,
        "nothing was sent"
    );

    // The sponsor sends it, the answer is lost: the chain has it, the app says so.
    faults.set_for("paymaster_executeTransaction", Fault::LoseAnswer);
    assert_eq!(
        ui.kind("deploy_wallet", json!({"pin": PIN})).await,
        "Network"
    );
    faults.clear();
    assert_eq!(ui.ok("is_deployed", json!({})).await, true);
    let sent = node.nonce(relayer).await.unwrap();
    assert_eq!(sent, nonce + Felt::ONE, "sent once");
    assert_eq!(
        ui.kind("deploy_wallet", json!({"pin": PIN})).await,
        "InvalidInput"
    );
    assert_eq!(node.nonce(relayer).await.unwrap(), sent, "never twice");

    drop(ui);
    drop(app);
    let (_app, ui) = fx.start_app(&seen, "none");
    assert_eq!(ui.ok("is_deployed", json!({})).await, true);
    let request = json!({"durationSeconds": 3600, "maxCalls": 5,
        "allowedEntrypoints": ["transfer"], "limits": []});
    let set_up = ui
        .ok("set_up_session", json!({"request": request, "pin": PIN}))
        .await;
    assert_eq!(set_up["state"], "active", "{set_up}");
}

fn symbols(list: &Value) -> Vec<&str> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|t| t["symbol"].as_str().unwrap())
        .collect()
}

/// A token added by its address (what it is read from the chain), hidden and shown again; the
/// refusals of an address that is no token here; the address book with its checksum rule; both
/// kept across a restart and closed while the wallet is locked.
#[tokio::test(flavor = "multi_thread")]
async fn tokens_and_contacts_over_ipc() {
    let fx = Fixture::new().await;
    let seen = Arc::new(Mutex::new(Vec::new()));
    let (app, ui) = fx.start_app(&seen, "approve");
    let (address, account) = funded_wallet(&fx, &ui).await;
    let node = &fx.stack.node;
    let tdol = node
        .deploy_erc20("Test Dollar", "TDOL", 6, 1_000_000_000_000)
        .await
        .unwrap();
    node.send_erc20(tdol, account, 2_500_000).await.unwrap();
    let tdol_hex = format!("{tdol:#x}");

    // Refused before anything is added: not an address, a token already listed, a contract
    // that is no token (the wallet's own account), an address with no contract on this chain
    // (mainnet's USDC), each naming the address field.
    for (typed, words) in [
        ("0xZZ".to_owned(), "not a Starknet address"),
        (format!("{STRK:#x}"), "STRK is already in the list"),
        (address.clone(), "is not an ERC-20 token"),
        (
            format!("{:#x}", chipi_session::network::USDC_MAINNET),
            "no contract at",
        ),
    ] {
        let error = ui.error("token_preview", json!({"address": typed})).await;
        assert_eq!(error["kind"], "InvalidInput", "{error}");
        assert_eq!(error["field"], "address", "{error}");
        assert!(
            error["message"].as_str().unwrap().contains(words),
            "{typed}: {error}"
        );
    }
    assert_eq!(
        ui.kind("add_token", json!({"address": address})).await,
        "InvalidInput"
    );

    // What the chain says it is, then added: the list, the balances and the settings know it.
    let preview = ui.ok("token_preview", json!({"address": tdol_hex})).await;
    assert_eq!(
        (&preview["symbol"], &preview["name"], &preview["decimals"]),
        (&json!("TDOL"), &json!("Test Dollar"), &json!(6))
    );
    let list = ui.ok("add_token", json!({"address": tdol_hex})).await;
    assert_eq!(symbols(&list), ["STRK", "ETH", "TDOL"]);
    assert_eq!(list[2]["added"], true);
    let balances = ui.ok("get_balances", json!({})).await;
    assert_eq!(amount(&balances, "TDOL"), Some(json!("2.5")));
    let quote = ui
        .call(
            "quote_transfer",
            json!({"token": "TDOL", "recipient": "0x1234", "amount": "1.0000001"}),
        )
        .await
        .unwrap_err();
    assert!(
        quote["message"].as_str().unwrap().contains("decimals"),
        "TDOL's own 6 decimals apply: {quote}"
    );

    // Hidden: no balance; shown again: back.
    let list = ui
        .ok(
            "set_token_hidden",
            json!({"address": tdol_hex, "hidden": true}),
        )
        .await;
    assert_eq!(list[2]["hidden"], true);
    let balances = ui.ok("get_balances", json!({})).await;
    assert_eq!(amount(&balances, "TDOL"), None);
    assert_eq!(amount(&balances, "STRK"), Some(json!("5")));
    ui.ok(
        "set_token_hidden",
        json!({"address": tdol_hex, "hidden": false}),
    )
    .await;
    assert_eq!(
        amount(&ui.ok("get_balances", json!({})).await, "TDOL"),
        Some(json!("2.5"))
    );

    // The address book: saved in checksum casing; a casing that breaks the checksum, a name
    // used for another address and an empty name refused; a known address re-named.
    let alice = "0x049D36570D4e46f48e99674bd3fcc84644DdD6b96F7C741B1562B82f9e004dC7";
    let book = ui
        .ok(
            "save_contact",
            json!({"input": {"name": "Alice", "address": alice.to_lowercase(), "note": "rent"}}),
        )
        .await;
    assert_eq!(
        book["contacts"],
        json!([{"name": "Alice", "address": alice, "note": "rent"}])
    );
    let wrong_case = alice.replacen("049D", "049d", 1);
    let error = ui
        .error(
            "save_contact",
            json!({"input": {"name": "Bob", "address": wrong_case, "note": ""}}),
        )
        .await;
    assert_eq!(
        (&error["kind"], &error["field"]),
        (&json!("InvalidInput"), &json!("address"))
    );
    assert!(
        error["message"].as_str().unwrap().contains("checksum"),
        "{error}"
    );
    for (name, address) in [("alice", "0x1234"), ("  ", "0x1234")] {
        let error = ui
            .error(
                "save_contact",
                json!({"input": {"name": name, "address": address, "note": ""}}),
            )
            .await;
        assert_eq!(error["field"], "contact", "{name:?}: {error}");
    }
    let book = ui
        .ok(
            "save_contact",
            json!({"input": {"name": "Alice B.", "address": alice, "note": ""}}),
        )
        .await;
    assert_eq!(book["contacts"].as_array().unwrap().len(), 1, "{book}");
    assert_eq!(book["contacts"][0]["name"], "Alice B.");

    // Locked, the lists do not change.
    ui.ok("lock", json!({})).await;
    assert_eq!(
        ui.kind("add_token", json!({"address": format!("{ETH:#x}")}))
            .await,
        "Locked"
    );
    assert_eq!(
        ui.kind(
            "save_contact",
            json!({"input": {"name": "Mallory", "address": "0x666", "note": ""}})
        )
        .await,
        "Locked"
    );
    assert_eq!(
        ui.kind("remove_contact", json!({"address": alice})).await,
        "Locked"
    );
    drop(app);

    // A new app process on the same preferences: both lists are still there.
    let (app, ui) = fx.start_app(&seen, "approve");
    ui.ok("unlock", json!({"pin": PIN})).await;
    let settings = ui.ok("get_settings", json!({})).await;
    assert_eq!(
        symbols(&settings["network"]["tokens"]),
        ["STRK", "ETH", "TDOL"]
    );
    let book = ui.ok("get_address_book", json!({})).await;
    assert_eq!(book["contacts"][0]["address"], alice);
    let book = ui.ok("remove_contact", json!({"address": alice})).await;
    assert_eq!(book["contacts"], json!([]));

    no_secret_crossed(&seen, &[PIN]);
    drop(app);
}

/// Extend and renew with the rules of the last set-up, one PIN each: the active session's key
/// registered again with a later expiry (its budget starts over, its limits read back from the
/// chain), a shorter or refused extension, then a revoked session renewed with a new key.
#[tokio::test(flavor = "multi_thread")]
async fn extend_and_renew_over_ipc() {
    let fx = Fixture::new().await;
    let seen = Arc::new(Mutex::new(Vec::new()));
    let (app, ui) = fx.start_app(&seen, "approve");
    funded_wallet(&fx, &ui).await;
    let none = ui.ok("get_session_view", json!({})).await;
    assert_eq!(none["keptRules"], json!(null));

    let request = json!({
        "durationSeconds": 3600,
        "maxCalls": 3,
        "allowedEntrypoints": ["transfer"],
        "limits": [{"token": "STRK", "maxPerCall": "2", "maxPerWindow": "10", "windowSeconds": 3600}],
    });
    let first = ui
        .ok("set_up_session", json!({"request": request, "pin": PIN}))
        .await;
    assert_eq!(first["state"], "active");
    assert_eq!(
        first["keptRules"],
        json!({"maxCalls": 3, "allowedEntrypoints": ["transfer"], "allowedCalls": [],
               "limits": [{"token": "STRK", "maxPerCall": "2", "maxPerWindow": "10",
                           "windowSeconds": 3600}]})
    );
    let key = first["publicKey"].clone();
    let first_until: u64 = first["validUntil"].as_str().unwrap().parse().unwrap();
    ui.ok(
        "transfer",
        json!({"token": "STRK", "recipient": "0x1234abcd", "amount": "1"}),
    )
    .await;
    assert_eq!(
        ui.ok("get_session_view", json!({})).await["remainingCalls"],
        2
    );

    // Only an expired or revoked session is renewed; a wrong PIN extends nothing.
    let error = ui
        .error(
            "renew_session",
            json!({"durationSeconds": 3600, "pin": PIN}),
        )
        .await;
    assert_eq!(
        (&error["kind"], &error["field"]),
        (&json!("InvalidInput"), &json!("session"))
    );
    assert_eq!(
        ui.kind(
            "extend_session",
            json!({"durationSeconds": 7200, "pin": "wrong-pin"})
        )
        .await,
        "WrongPin"
    );

    // Extended: same key, a later expiry, the budget and the window start over, the limit
    // read back from the chain, the activity line links its transaction.
    let extended = ui
        .ok(
            "extend_session",
            json!({"durationSeconds": 7200, "pin": PIN}),
        )
        .await;
    assert_eq!(extended["state"], "active");
    assert_eq!(extended["publicKey"], key);
    let until: u64 = extended["validUntil"].as_str().unwrap().parse().unwrap();
    assert!(until >= first_until + 3000, "{until} after {first_until}");
    assert_eq!(extended["remainingCalls"], 3);
    assert_eq!(extended["limits"][0]["maxPerCall"], "2000000000000000000");
    assert_eq!(extended["limits"][0]["spentInWindow"], "0");
    let activity = ui.ok("list_activity", json!({})).await;
    let line = activity
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["summary"] == "session extended")
        .unwrap_or_else(|| panic!("{activity}"));
    assert!(line["transactionHash"].as_str().unwrap().starts_with("0x"));
    // An extension that would end sooner than the session does is refused.
    assert_eq!(
        ui.kind("extend_session", json!({"durationSeconds": 60, "pin": PIN}))
            .await,
        "InvalidInput"
    );
    // Still within its rules: one transfer over the kept limit is refused.
    assert_eq!(
        ui.kind(
            "transfer",
            json!({"token": "STRK", "recipient": "0x1234abcd", "amount": "3"})
        )
        .await,
        "SpendingLimit"
    );

    // Revoked: not extended (its key never comes back), renewed with a new key and the rules.
    ui.ok("revoke_session", json!({"pin": PIN})).await;
    assert_eq!(
        ui.kind(
            "extend_session",
            json!({"durationSeconds": 3600, "pin": PIN})
        )
        .await,
        "InvalidInput"
    );
    let renewed = ui
        .ok(
            "renew_session",
            json!({"durationSeconds": 3600, "pin": PIN}),
        )
        .await;
    assert_eq!(renewed["state"], "active");
    assert_ne!(renewed["publicKey"], key);
    assert_eq!(renewed["remainingCalls"], 3);
    assert_eq!(renewed["limits"][0]["maxPerWindow"], "10000000000000000000");
    assert_eq!(renewed["allowedNames"], json!(["transfer"]));
    ui.ok(
        "transfer",
        json!({"token": "STRK", "recipient": "0x1234abcd", "amount": "1.5"}),
    )
    .await;

    no_secret_crossed(&seen, &[PIN]);
    drop(app);
}
