//! The service's operations (what each command calls) against a real node, the project's sponsor
//! and the OS keychain: set up, transfer, revoke, restart and restore, a wrong PIN, a locked
//! keychain, no private key or PIN in any response or event, and how many times each action runs
//! Argon2id (this file holds one test, so the process-wide count is this flow's alone).
//!
//! The keychain is the real Secret Service: run under `scripts/with-keychain` (a private D-Bus
//! session with gnome-keyring), as `scripts/test` does.

use std::sync::{Arc, Mutex};

use chipi_session::keys::sealed_secret::kdf_runs;
use chipi_session::{ManualClock, SealedSecret};
use local_stack::LocalStack;
use wallet_service::host::select;
use wallet_service::keychain::{owner_key_entry, session_key_entry, KeyringVault};
use wallet_service::prefs::FilePrefs;
use wallet_service::views::{LimitInput, SessionRequest, SessionState};
use wallet_service::{AppError, Pin, SecretVault, WalletService};

/// Not hex, so it cannot hide inside a felt.
const PIN: &str = "pin-Zq7#";

fn pin() -> Pin {
    Pin::new(PIN)
}

/// Argon2id runs of `action` (a count, not a time: the 128 MiB derivation is what costs).
async fn kdf_runs_of<T>(action: impl std::future::Future<Output = T>) -> (T, u64) {
    let before = kdf_runs();
    let out = action.await;
    (out, kdf_runs() - before)
}

/// A vault that can be "locked" the way a real keychain is: every access refused.
struct Lockable {
    inner: KeyringVault,
    locked: Mutex<bool>,
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

#[tokio::test(flavor = "multi_thread")]
async fn commands_on_a_real_node_with_the_os_keychain() {
    let stack = LocalStack::start().await.unwrap();
    let (node, network) = (&stack.node, stack.network.clone());

    let dir = tempfile::tempdir().unwrap();
    let service = format!("com.chipi.sessionwallet.test.{}", std::process::id());
    let vault = Arc::new(Lockable {
        inner: KeyringVault::new(service),
        locked: Mutex::new(false),
    });
    let prefs = Arc::new(FilePrefs(dir.path().join("prefs.json")));
    let clock = Arc::new(ManualClock::new(node.pending_timestamp().await.unwrap()));
    let open = || {
        WalletService::open(
            vault.clone(),
            prefs.clone(),
            network.clone(),
            select(Some("approve"), false, || unreachable!()).unwrap(),
            clock.clone(),
        )
        .unwrap()
    };

    // Everything the UI receives, to scan for secrets at the end.
    let seen: Arc<Mutex<Vec<String>>> = Arc::new(Mutex::new(Vec::new()));
    let record = |value: &dyn erased::Json| seen.lock().unwrap().push(value.json());
    let app = open();
    let events = seen.clone();
    app.set_listener(move |info| {
        events
            .lock()
            .unwrap()
            .push(serde_json::to_string(info).unwrap())
    });

    assert!(matches!(app.session_info(), Err(AppError::NoWallet(_))));
    let (wallet, runs) = kdf_runs_of(app.create_wallet(&pin())).await;
    let wallet = wallet.expect("create + gasless deploy");
    assert_eq!(runs, 1, "creating a wallet seals its owner key once");
    record(&wallet);
    let address = wallet.address.clone();
    node.mint_strk(
        starknet_core::types::Felt::from_hex(&address).unwrap(),
        50 * 10u128.pow(18),
    )
    .await
    .unwrap();

    // Wrong PIN: refused, nothing changes.
    let before = app.session_info().unwrap();
    assert!(matches!(
        app.set_up_session(&request(), &Pin::new("wrong-PIN")).await,
        Err(AppError::WrongPin(_))
    ));
    assert_eq!(app.session_info().unwrap().state, before.state);

    let (info, runs) = kdf_runs_of(app.set_up_session(&request(), &pin())).await;
    let info = info.expect("set up");
    assert_eq!(
        runs, 2,
        "set-up opens the owner key and seals the session key, nothing more"
    );
    record(&info);
    assert_eq!(info.state, SessionState::Active);
    assert_eq!(info.remaining_calls, Some(5));
    assert_eq!(info.limits[0].symbol.as_deref(), Some("STRK"));

    let (sent, runs) = kdf_runs_of(app.transfer("STRK", "0x1234abcd", "1.5")).await;
    let sent = sent.expect("gasless transfer");
    assert_eq!(runs, 0, "an unlocked wallet transfers without Argon2id");
    record(&sent);
    assert_eq!(sent.remaining_calls, 4);
    let over = app.transfer("STRK", "0x1234abcd", "2.5").await;
    assert!(matches!(over, Err(AppError::SpendingLimit(_))), "{over:?}");
    assert!(matches!(
        app.transfer("STRK", "0xnope", "1").await,
        Err(AppError::InvalidInput(_))
    ));
    record(&app.activity());

    // Restart: a new app on the same keychain and preferences restores the session, still active.
    drop(app);
    let app = open();
    let restored = app.refresh_status().await.expect("restored");
    record(&restored);
    assert_eq!(
        (restored.state, restored.remaining_calls),
        (SessionState::Active, Some(4))
    );
    assert!(
        matches!(
            app.transfer("STRK", "0x1234abcd", "0.1").await,
            Err(AppError::Locked(_))
        ),
        "a restart locks"
    );
    let (unlocked, runs) = kdf_runs_of(app.unlock(&pin())).await;
    unlocked.unwrap();
    assert_eq!(runs, 1, "unlocking opens the session key once");
    app.transfer("STRK", "0x1234abcd", "0.1")
        .await
        .expect("after unlock");

    // Declined at the OS prompt: refused after a correct PIN, the session stays active.
    let declining = WalletService::open(
        vault.clone(),
        prefs.clone(),
        network.clone(),
        select(Some("deny"), false, || unreachable!()).unwrap(),
        clock.clone(),
    )
    .unwrap();
    assert!(matches!(
        declining.revoke_session(&pin()).await,
        Err(AppError::NotConfirmed(_))
    ));
    assert_eq!(
        declining.refresh_status().await.unwrap().state,
        SessionState::Active
    );
    drop(declining);

    // A locked keychain: a clear error at start, nothing lost; unlocking it and retrying works.
    drop(app);
    *vault.locked.lock().unwrap() = true;
    let app = open();
    assert!(matches!(app.session_info(), Err(AppError::Keychain(_))));
    assert!(dir.path().join("prefs.json").exists());
    *vault.locked.lock().unwrap() = false;
    assert!(app.retry_load().is_none());
    assert_eq!(app.refresh_status().await.unwrap().remaining_calls, Some(3));

    let (revoked, runs) = kdf_runs_of(app.revoke_session(&pin())).await;
    let revoked = revoked.expect("revoke");
    assert_eq!(runs, 1, "revoking opens the owner key once");
    record(&revoked);
    assert_eq!(revoked.state, SessionState::Revoked);
    app.unlock(&pin()).await.unwrap();
    assert!(matches!(
        app.transfer("STRK", "0x1234abcd", "0.1").await,
        Err(AppError::SessionRevoked(_))
    ));
    record(&app.activity());

    // No response or event carries a private key or the PIN.
    let sealed = vault.get(&owner_key_entry(&address)).unwrap().unwrap();
    let owner = SealedSecret::parse(&sealed).unwrap().open(PIN).unwrap();
    let owner_hex = owner.to_padded_hex();
    let sealed = vault.get(&session_key_entry(&address)).unwrap().unwrap();
    let session_hex = SealedSecret::parse(&sealed)
        .unwrap()
        .open(PIN)
        .unwrap()
        .to_padded_hex();
    let needles = [
        PIN.to_owned(),
        owner_hex[2..].to_owned(),
        owner_hex[2..].trim_start_matches('0').to_owned(),
        session_hex[2..].to_owned(),
        session_hex[2..].trim_start_matches('0').to_owned(),
    ];
    let seen = seen.lock().unwrap();
    assert!(seen.len() > 10, "events and responses were recorded");
    for payload in seen.iter() {
        for needle in &needles {
            assert!(
                !payload.contains(needle.as_str()),
                "a secret crossed IPC: {payload}"
            );
        }
    }
}

fn request() -> SessionRequest {
    SessionRequest {
        duration_seconds: Some(3600),
        max_calls: Some(5),
        allowed_entrypoints: vec!["transfer".into()],
        limits: vec![LimitInput {
            token: "STRK".into(),
            max_per_call: "2".into(),
            max_per_window: "10".into(),
            window_seconds: 3600,
        }],
    }
}

mod erased {
    /// Anything serializable, as JSON text.
    pub trait Json {
        fn json(&self) -> String;
    }
    impl<T: serde::Serialize> Json for T {
        fn json(&self) -> String {
            serde_json::to_string(self).unwrap()
        }
    }
}
