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

use chipi_session::keys::sealed_secret::kdf_runs;
use chipi_session::{ManualClock, SealedSecret};
use local_stack::LocalStack;
use serde_json::{json, Value};
use starknet_core::types::Felt;
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{
    get_ipc_response, mock_builder, mock_context, noop_assets, MockRuntime, INVOKE_KEY,
};
use tauri::webview::InvokeRequest;
use tauri::{Listener, WebviewWindow, WebviewWindowBuilder};
use wallet_service::host::select;
use wallet_service::keychain::{owner_key_entry, session_key_entry, KeyringVault};
use wallet_service::prefs::FilePrefs;
use wallet_service::{AppError, SecretVault, WalletService};

const PIN: &str = "pin-Ipc#9";

/// A vault that can be "locked" the way a real keychain is: every access refused.
struct Lockable {
    inner: KeyringVault,
    locked: Mutex<bool>,
}

impl Lockable {
    fn check(&self) -> Result<(), AppError> {
        if *self.locked.lock().unwrap() {
            Err(AppError::Keychain(
                "the keychain is locked or refused access; unlock it and try again".into(),
            ))
        } else {
            Ok(())
        }
    }
}

impl SecretVault for Lockable {
    fn put(&self, name: &str, sealed: &str) -> Result<(), AppError> {
        self.check()?;
        self.inner.put(name, sealed)
    }
    fn get(&self, name: &str) -> Result<Option<String>, AppError> {
        self.check()?;
        self.inner.get(name)
    }
    fn delete(&self, name: &str) -> Result<(), AppError> {
        self.check()?;
        self.inner.delete(name)
    }
}

/// The UI's side of the IPC: a command name and its camelCase arguments.
struct Ui {
    webview: WebviewWindow<MockRuntime>,
    seen: Arc<Mutex<Vec<String>>>,
}

impl Ui {
    async fn call(&self, cmd: &str, args: Value) -> Result<Value, Value> {
        let request = InvokeRequest {
            cmd: cmd.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            url: "tauri://localhost".parse().unwrap(),
            body: InvokeBody::Json(args),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        };
        let webview = self.webview.clone();
        let answer = tokio::task::spawn_blocking(move || get_ipc_response(&webview, request))
            .await
            .unwrap()
            .map(|body| body.deserialize::<Value>().unwrap());
        let text = match &answer {
            Ok(v) | Err(v) => v.to_string(),
        };
        self.seen.lock().unwrap().push(text);
        answer
    }

    /// [`Ui::ok`], with the Argon2id runs the command cost.
    async fn ok_counting(&self, cmd: &str, args: Value) -> (Value, u64) {
        let before = kdf_runs();
        let value = self.ok(cmd, args).await;
        (value, kdf_runs() - before)
    }

    async fn ok(&self, cmd: &str, args: Value) -> Value {
        match self.call(cmd, args).await {
            Ok(value) => value,
            Err(error) => panic!("{cmd} failed: {error}"),
        }
    }

    /// The error's `kind`, failing if the command succeeded.
    async fn kind(&self, cmd: &str, args: Value) -> String {
        match self.call(cmd, args).await {
            Ok(value) => panic!("{cmd} should have failed, answered {value}"),
            Err(error) => {
                assert!(
                    error["message"].as_str().is_some_and(|m| !m.is_empty()),
                    "{error}"
                );
                error["kind"].as_str().unwrap().to_owned()
            }
        }
    }
}

struct Fixture {
    stack: LocalStack,
    vault: Arc<Lockable>,
    prefs: Arc<FilePrefs>,
    clock: Arc<ManualClock>,
    dir: tempfile::TempDir,
}

impl Fixture {
    async fn new() -> Self {
        let stack = LocalStack::start().await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let service = format!("com.chipi.sessionwallet.ipc-test.{}", std::process::id());
        let clock = Arc::new(ManualClock::new(
            stack.node.pending_timestamp().await.unwrap(),
        ));
        Self {
            vault: Arc::new(Lockable {
                inner: KeyringVault::new(service),
                locked: Mutex::new(false),
            }),
            prefs: Arc::new(FilePrefs(dir.path().join("prefs.json"))),
            clock,
            stack,
            dir,
        }
    }

    /// A new app process: mock runtime, the app's invoke handler and events, a fresh
    /// `WalletService` on the same keychain and preferences, confirming with the test setting
    /// `confirmer` (`approve` or `deny`).
    fn start_app(
        &self,
        seen: &Arc<Mutex<Vec<String>>>,
        confirmer: &str,
    ) -> (tauri::App<MockRuntime>, Ui) {
        let specta = chipi_wallet_app::specta_builder::<MockRuntime>();
        let app = mock_builder()
            .invoke_handler(specta.invoke_handler())
            .build(mock_context(noop_assets()))
            .unwrap();
        specta.mount_events(&app);
        let events = seen.clone();
        app.listen_any(SESSION_CHANGED, move |event| {
            events.lock().unwrap().push(event.payload().to_owned());
        });
        let wallet = WalletService::open(
            self.vault.clone(),
            self.prefs.clone(),
            self.stack.network.clone(),
            select(Some(confirmer), false, || unreachable!()).unwrap(),
            self.clock.clone(),
        )
        .unwrap();
        chipi_wallet_app::attach(app.handle(), Arc::new(wallet));
        let webview = WebviewWindowBuilder::new(&app, "main", Default::default())
            .build()
            .unwrap();
        (
            app,
            Ui {
                webview,
                seen: seen.clone(),
            },
        )
    }
}

/// The event's name on the wire (tauri-specta names it after the type).
const SESSION_CHANGED: &str = "session-changed";

#[tokio::test(flavor = "multi_thread")]
async fn every_command_over_ipc_on_a_real_node() {
    let fx = Fixture::new().await;
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
    let session_key = open_entry(&*fx.vault, &session_key_entry(&address));

    // Gasless transfer: the chain moved the tokens; the count fell by one.
    let sent = ui
        .ok(
            "transfer",
            json!({"token": "STRK", "recipient": "0x1234abcd", "amount": "1.5"}),
        )
        .await;
    assert_eq!(sent["remainingCalls"], 4);
    assert!(sent["transactionHash"].as_str().unwrap().starts_with("0x"));
    assert_eq!(
        fx.stack
            .node
            .erc20_balance(devnet_harness::STRK, recipient)
            .await
            .unwrap(),
        start_balance + 15 * 10u128.pow(17)
    );
    // Refused before any network round trip, each with its kind.
    for (args, kind) in [
        (
            json!({"token": "STRK", "recipient": "0x1234abcd", "amount": "2.5"}),
            "SpendingLimit",
        ),
        (
            json!({"token": "STRK", "recipient": "0xzz", "amount": "1"}),
            "InvalidInput",
        ),
        (
            json!({"token": "STRK", "recipient": "0x1234abcd", "amount": "0.0000000000000000001"}),
            "InvalidInput",
        ),
        (
            json!({"token": "DOGE", "recipient": "0x1234abcd", "amount": "1"}),
            "InvalidInput",
        ),
        // A token of the network the session has no limit for.
        (
            json!({"token": "ETH", "recipient": "0x1234abcd", "amount": "0.001"}),
            "SpendingLimit",
        ),
    ] {
        assert_eq!(ui.kind("transfer", args).await, kind);
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
    assert_eq!(ui.kind("transfer", body.clone()).await, "SessionRevoked");
    let cleared = ui
        .ok("clear_session", json!({"pin": null, "revoke": false}))
        .await;
    assert_eq!(cleared["state"], "none");
    assert_eq!(ui.kind("transfer", body.clone()).await, "NoSession");
    assert!(
        fx.vault
            .get(&session_key_entry(&address))
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
    let second_key = open_entry(&*fx.vault, &session_key_entry(&address));

    // A restart locks; unlocking opens the session key once.
    drop(ui);
    drop(app);
    let (app, ui) = fx.start_app(&seen, "approve");
    assert_eq!(ui.kind("transfer", body.clone()).await, "Locked");
    let (_, runs) = ui.ok_counting("unlock", json!({"pin": PIN})).await;
    assert_eq!(runs, 1, "unlocking opens the session key once");
    assert_eq!(ui.ok("transfer", body.clone()).await["remainingCalls"], 3);

    // Declined at the OS prompt: refused after a correct PIN, the session stays active.
    drop(ui);
    drop(app);
    let (app, ui) = fx.start_app(&seen, "deny");
    assert_eq!(
        ui.kind("revoke_session", json!({"pin": PIN})).await,
        "NotConfirmed"
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
    let owner = open_entry(&*fx.vault, &owner_key_entry(&address));
    let needles = [
        PIN.to_owned(),
        owner[2..].to_owned(),
        owner[2..].trim_start_matches('0').to_owned(),
        session_key[2..].to_owned(),
        session_key[2..].trim_start_matches('0').to_owned(),
        second_key[2..].to_owned(),
        second_key[2..].trim_start_matches('0').to_owned(),
    ];
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

/// Without a fingerprint sensor or Windows Hello (this machine), the platform confirmer is the
/// PIN re-entry, with the biometric plugin registered as in the app.
#[test]
fn the_platform_confirmer_falls_back_to_the_pin_without_biometrics() {
    let app = mock_builder()
        .plugin(tauri_plugin_biometric::init())
        .build(mock_context(noop_assets()))
        .unwrap();
    let confirmer = chipi_wallet_app::confirmer::for_platform(app.handle());
    if cfg!(target_os = "linux") {
        assert_eq!(confirmer.name(), "PIN");
    }
    let chosen = select(None, true, || {
        chipi_wallet_app::confirmer::for_platform(app.handle())
    })
    .unwrap();
    assert_eq!(chosen.name(), confirmer.name());
}
