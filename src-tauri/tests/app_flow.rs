//! The app's operations (what each command calls) against a real node, the project's sponsor and
//! the OS keychain: set up, transfer, revoke, restart and restore, a wrong PIN, a locked keychain,
//! and no private key or PIN in any response or event.
//!
//! The keychain is the real Secret Service: run under `scripts/with-keychain` (a private D-Bus
//! session with gnome-keyring), as `scripts/test` does.

use std::sync::{Arc, Mutex};

use chipi_session::{ManualClock, Network, SealedSecret};
use chipi_wallet_app::confirmer::select;
use chipi_wallet_app::prefs::FilePrefs;
use chipi_wallet_app::vault::{KeyringVault, SecretVault};
use chipi_wallet_app::views::{LimitInput, SessionRequest};
use chipi_wallet_app::wallet_app::WalletApp;
use chipi_wallet_app::AppError;
use devnet_harness::Devnet;
use sponsor::{start, SponsorConfig};

/// Not hex, so it cannot hide inside a felt.
const PIN: &str = "pin-Zq7#";

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
    let node = Devnet::start().await.unwrap();
    node.declare_session_account().await.unwrap();
    let relayer = node.predeployed_accounts().await.unwrap()[1].clone();
    let running = start(&SponsorConfig::new(
        node.rpc_url().to_string(),
        relayer.address,
        relayer.private_key,
    ))
    .await
    .unwrap();
    let mut network = Network::profile("local").unwrap();
    network.rpc_url = node.rpc_url().to_string();
    network.sponsor_url = Some(running.url.clone());

    let dir = tempfile::tempdir().unwrap();
    let service = format!("com.chipi.sessionwallet.test.{}", std::process::id());
    let vault = Arc::new(Lockable {
        inner: KeyringVault::new(service),
        locked: Mutex::new(false),
    });
    let prefs = Arc::new(FilePrefs(dir.path().join("prefs.json")));
    let clock = Arc::new(ManualClock::new(node.pending_timestamp().await.unwrap()));
    let open = || {
        WalletApp::open(
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
    let wallet = app
        .create_wallet(PIN)
        .await
        .expect("create + gasless deploy");
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
        app.set_up_session(&request(), "wrong-PIN").await,
        Err(AppError::WrongPin(_))
    ));
    assert_eq!(app.session_info().unwrap().state, before.state);

    let info = app.set_up_session(&request(), PIN).await.expect("set up");
    record(&info);
    assert_eq!(info.state, "active");
    assert_eq!(info.remaining_calls, Some(5));
    assert_eq!(info.limits[0].symbol.as_deref(), Some("STRK"));

    let sent = app
        .transfer("STRK", "0x1234abcd", "1.5")
        .await
        .expect("gasless transfer");
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
        (restored.state.as_str(), restored.remaining_calls),
        ("active", Some(4))
    );
    assert!(
        matches!(
            app.transfer("STRK", "0x1234abcd", "0.1").await,
            Err(AppError::Locked(_))
        ),
        "a restart locks"
    );
    app.unlock(PIN).unwrap();
    app.transfer("STRK", "0x1234abcd", "0.1")
        .await
        .expect("after unlock");

    // Declined at the OS prompt: refused after a correct PIN, the session stays active.
    let declining = WalletApp::open(
        vault.clone(),
        prefs.clone(),
        network.clone(),
        select(Some("deny"), false, || unreachable!()).unwrap(),
        clock.clone(),
    )
    .unwrap();
    assert!(matches!(
        declining.revoke_session(PIN).await,
        Err(AppError::NotConfirmed(_))
    ));
    assert_eq!(declining.refresh_status().await.unwrap().state, "active");
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

    let revoked = app.revoke_session(PIN).await.expect("revoke");
    record(&revoked);
    assert_eq!(revoked.state, "revoked");
    app.unlock(PIN).unwrap();
    assert!(matches!(
        app.transfer("STRK", "0x1234abcd", "0.1").await,
        Err(AppError::SessionRevoked(_))
    ));
    record(&app.activity());

    // No response or event carries a private key or the PIN.
    let sealed = vault
        .get(&chipi_wallet_app::vault::owner_key_entry(&address))
        .unwrap()
        .unwrap();
    let owner = SealedSecret::parse(&sealed).unwrap().open(PIN).unwrap();
    let owner_hex = owner.to_padded_hex();
    let sealed = vault
        .get(&chipi_wallet_app::vault::session_key_entry(&address))
        .unwrap()
        .unwrap();
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
