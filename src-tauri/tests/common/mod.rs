//! What the IPC suites share: a lockable keychain, the UI's side of the IPC, and an app
//! started on the mock runtime over a local stack.
#![allow(dead_code)]

use std::sync::{Arc, Mutex};

use chipi_session::ManualClock;
use local_stack::LocalStack;
use serde_json::{json, Value};
use starknet_core::types::Felt;
use starknet_signers::SigningKey;
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{
    get_ipc_response, mock_builder, mock_context, noop_assets, MockRuntime, INVOKE_KEY,
};
use tauri::webview::InvokeRequest;
use tauri::{Listener, WebviewWindow, WebviewWindowBuilder};
use wallet_service::host::{select, Biometrics};
use wallet_service::keychain::KeyringVault;
use wallet_service::prefs::FilePrefs;
use wallet_service::{SecretVault, ServiceError, WalletService};

use chipi_session::keys::sealed_secret::kdf_runs;

/// A vault that can be "locked" the way a real keychain is: every access refused.
pub struct Lockable {
    pub inner: KeyringVault,
    pub locked: Mutex<bool>,
}

impl Lockable {
    fn check(&self) -> Result<(), ServiceError> {
        if *self.locked.lock().unwrap() {
            Err(ServiceError::keychain(
                "the keychain is locked or refused access; unlock it and try again",
            ))
        } else {
            Ok(())
        }
    }
}

impl SecretVault for Lockable {
    fn put(&self, name: &str, sealed: &str) -> Result<(), ServiceError> {
        self.check()?;
        self.inner.put(name, sealed)
    }
    fn get(&self, name: &str) -> Result<Option<String>, ServiceError> {
        self.check()?;
        self.inner.get(name)
    }
    fn delete(&self, name: &str) -> Result<(), ServiceError> {
        self.check()?;
        self.inner.delete(name)
    }
}

/// The UI's side of the IPC: a command name and its camelCase arguments.
pub struct Ui {
    pub webview: WebviewWindow<MockRuntime>,
    pub seen: Arc<Mutex<Vec<String>>>,
}

impl Ui {
    /// `import_wallet` of the account at `address` with its raw owner key `owner`.
    pub async fn import(&self, address: Felt, owner: &SigningKey, pin: &str) -> Value {
        self.ok(
            "import_wallet",
            json!({"address": format!("{address:#x}"),
                "ownerKey": format!("{:#x}", owner.secret_scalar()), "pin": pin}),
        )
        .await
    }

    pub async fn call(&self, cmd: &str, args: Value) -> Result<Value, Value> {
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
    pub async fn ok_counting(&self, cmd: &str, args: Value) -> (Value, u64) {
        let before = kdf_runs();
        let value = self.ok(cmd, args).await;
        (value, kdf_runs() - before)
    }

    pub async fn ok(&self, cmd: &str, args: Value) -> Value {
        match self.call(cmd, args).await {
            Ok(value) => value,
            Err(error) => panic!("{cmd} failed: {error}"),
        }
    }

    /// The whole error (`kind`, a `message` and the kind's fields), failing if the command
    /// succeeded.
    pub async fn error(&self, cmd: &str, args: Value) -> Value {
        match self.call(cmd, args).await {
            Ok(value) => panic!("{cmd} should have failed, answered {value}"),
            Err(error) => {
                assert!(
                    error["message"].as_str().is_some_and(|m| !m.is_empty()),
                    "{error}"
                );
                error
            }
        }
    }

    /// The error's `kind`, failing if the command succeeded.
    pub async fn kind(&self, cmd: &str, args: Value) -> String {
        let error = self.error(cmd, args).await;
        error["kind"].as_str().unwrap().to_owned()
    }
}

pub struct Fixture {
    pub stack: LocalStack,
    pub vault: Arc<Lockable>,
    pub prefs: Arc<FilePrefs>,
    pub clock: Arc<ManualClock>,
    pub dir: tempfile::TempDir,
    /// The bearer-token command the host sets at start, if any.
    pub bearer_command: Option<String>,
}

impl Fixture {
    /// An account of the CHIPI-layout (v29-like) test class holding 20 STRK: its owner key and
    /// address.
    pub async fn layout_account(&self) -> (SigningKey, Felt) {
        let node = &self.stack.node;
        let owner = SigningKey::from_random();
        let account = node
            .deploy_chipi_layout_account(owner.clone())
            .await
            .unwrap();
        node.mint_strk(account.address, 20 * 10u128.pow(18))
            .await
            .unwrap();
        (owner, account.address)
    }

    pub async fn new() -> Self {
        Self::on(LocalStack::start().await.unwrap()).await
    }

    /// The fixture on a started stack.
    pub async fn on(stack: LocalStack) -> Self {
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
            bearer_command: None,
        }
    }

    /// A new app process: mock runtime, the app's invoke handler and events, a fresh
    /// `WalletService` on the same keychain and preferences, with the biometrics of the test
    /// setting `confirmer` (`approve`, `deny` or `none`).
    pub fn start_app(
        &self,
        seen: &Arc<Mutex<Vec<String>>>,
        confirmer: &str,
    ) -> (tauri::App<MockRuntime>, Ui) {
        let vault: Arc<dyn SecretVault> = self.vault.clone();
        let biometrics = select(Some(confirmer), false, vault, || unreachable!()).unwrap();
        self.start_app_with(seen, biometrics)
    }

    /// [`Self::start_app`] with the given biometrics.
    pub fn start_app_with(
        &self,
        seen: &Arc<Mutex<Vec<String>>>,
        biometrics: Box<dyn Biometrics>,
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
            biometrics,
            self.clock.clone(),
        )
        .unwrap();
        wallet
            .set_bearer_command(
                self.bearer_command.clone(),
                self.stack.network.chipi_api_url.clone(),
            )
            .unwrap();
        let desktop = chipi_wallet_app::desktop::Desktop {
            backups: self.dir.path().join("backups"),
            capture_opened: Some(self.dir.path().join("opened-urls.txt")),
            browser: None,
            capture_notices: Some(self.dir.path().join("notifications.txt")),
            notifier: None,
            hidden: None,
        };
        chipi_wallet_app::attach(app.handle(), Arc::new(wallet), desktop);
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
pub const SESSION_CHANGED: &str = "session-changed";
