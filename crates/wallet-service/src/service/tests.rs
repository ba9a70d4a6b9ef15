//! The service opening stored data: damaged, half-written or missing pieces.

use super::*;
use crate::host::tests::Memory;
use crate::host::PinOnly;
use crate::prefs::{FilePrefs, WalletPrefs};
use chipi_session::{ManualClock, SessionRecord};

/// A keychain that fails every write after `allowed` of them, as a crash would stop them.
struct Failing {
    inner: Memory,
    allowed: Mutex<usize>,
}

impl SecretVault for Failing {
    fn put(&self, name: &str, sealed: &str) -> Result<(), ServiceError> {
        self.spend()?;
        self.inner.put(name, sealed)
    }
    fn get(&self, name: &str) -> Result<Option<String>, ServiceError> {
        self.inner.get(name)
    }
    fn delete(&self, name: &str) -> Result<(), ServiceError> {
        self.spend()?;
        self.inner.delete(name)
    }
}

impl Failing {
    fn spend(&self) -> Result<(), ServiceError> {
        let mut allowed = lock(&self.allowed);
        if *allowed == 0 {
            return Err(ServiceError::keychain("stopped"));
        }
        *allowed -= 1;
        Ok(())
    }
}

const ADDRESS: Felt = Felt::from_hex_unchecked("0xabc");

fn record(key: u8) -> SessionRecord {
    SessionPrefs {
        public_key: Felt::from(key),
        valid_until: 2_000_000_000,
        registered: true,
        registering: None,
        revoked: false,
        spending_tokens: vec![],
        max_calls: Some(5),
        registering_since: None,
        unchecked_policies: None,
    }
    .with_key(format!("sealed-{key}"))
}

/// Preferences with a wallet (and `session`) on the local network, its owner entry stored.
fn stored(dir: &std::path::Path, vault: &dyn SecretVault, session: Option<u8>) -> Arc<FilePrefs> {
    let network = Network::profile("local").unwrap();
    let mut prefs = Prefs::new(network.clone());
    prefs.wallet = Some(WalletPrefs {
        address: ADDRESS,
        owner_public_key: Felt::ONE,
        class_hash: Felt::TWO,
        salt: None,
        probed_layout: None,
        biometric_unlock: false,
        unsettled: None,
        interfaces_pending: None,
        session_rules: None,
        apps: vec![],
    });
    prefs.session = session.map(|k| SessionPrefs::of(&record(k)));
    let file = Arc::new(FilePrefs(dir.join("prefs.json")));
    file.save(&prefs).unwrap();
    let address = hex(ADDRESS);
    vault
        .put(&owner_key_entry(&network.name, &address), "sealed-owner")
        .unwrap();
    if let Some(k) = session {
        vault
            .put(
                &session_key_entry(&network.name, &address),
                &format!("sealed-{k}"),
            )
            .unwrap();
    }
    file
}

fn open(vault: Arc<dyn SecretVault>, prefs: Arc<FilePrefs>) -> WalletService {
    WalletService::open(
        vault,
        prefs,
        Network::profile("local").unwrap(),
        Box::new(PinOnly),
        Arc::new(ManualClock::new(1_900_000_000)),
    )
    .unwrap()
}

fn store(vault: Arc<dyn SecretVault>, prefs: Arc<FilePrefs>) -> HostSessionStore {
    let loaded = prefs.load().unwrap().unwrap();
    HostSessionStore {
        vault,
        prefs: SharedPrefs {
            prefs: Arc::new(Mutex::new(loaded)),
            store: prefs,
        },
        entry: session_key_entry("local", &hex(ADDRESS)),
        app: None,
    }
}

#[test]
fn a_session_whose_key_is_gone_is_dropped_and_the_wallet_opens() {
    let dir = tempfile::tempdir().unwrap();
    let vault = Arc::new(Memory::default());
    let prefs = stored(dir.path(), vault.as_ref(), Some(7));
    vault
        .delete(&session_key_entry("local", &hex(ADDRESS)))
        .unwrap();
    let service = open(vault.clone(), prefs.clone());
    assert_eq!(service.wallet_info().unwrap().address, hex(ADDRESS));
    assert!(service.current().unwrap().record().is_none());
    let saved = prefs.load().unwrap().unwrap();
    assert!(saved.session.is_none(), "repaired on disk too");
    let repair = saved.activity.last().unwrap();
    assert_eq!(repair.kind, ActivityKind::Repair);
    assert!(repair.summary.contains("0x7"), "{}", repair.summary);
    // Opened again: nothing more to repair.
    drop(service);
    let again = open(vault, prefs.clone());
    assert!(again.wallet_info().is_ok());
    assert_eq!(prefs.load().unwrap().unwrap().activity.len(), 1);
}

#[test]
fn preferences_that_cannot_be_read_are_kept_aside_and_the_app_starts() {
    for damaged in ["{\"prefs\": {\"network\": 7}}", "{not json", "\u{0}\u{1}"] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("prefs.json");
        std::fs::write(&path, damaged).unwrap();
        let prefs = Arc::new(FilePrefs(path.clone()));
        let service = open(Arc::new(Memory::default()), prefs.clone());
        // Kept from the load and answered again, as the damage it was.
        let refused = AppError::from(service.wallet_info().unwrap_err());
        let AppError::Corrupted { message: words } = &refused else {
            panic!("{damaged}: {refused:?}");
        };
        assert!(
            words.contains("restore the wallet from its backup"),
            "{words}"
        );
        let kept: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| n.starts_with("prefs.json.damaged-"))
            .collect();
        assert_eq!(kept.len(), 1, "{damaged}: {kept:?}");
        assert_eq!(
            std::fs::read_to_string(dir.path().join(&kept[0])).unwrap(),
            damaged,
            "kept as it was"
        );
        let fresh = prefs.load().unwrap().unwrap();
        assert_eq!(fresh.activity.last().unwrap().kind, ActivityKind::Repair);
        assert!(fresh.wallet.is_none());
    }
}

/// Writes stopped at the keychain step (a crash between the two writes) never leave the
/// preferences naming a session whose key is not stored: every start opens the wallet.
#[test]
fn a_write_stopped_halfway_leaves_a_wallet_that_opens() {
    for (before, after, allowed) in [
        // Clearing: the preferences go first, the keychain delete does not happen.
        (Some(7), None, 0),
        // A new session over an old one: the old leaves the preferences first.
        (Some(7), Some(8), 0),
        // The same session updated (registered): the keychain write stops, nothing moves.
        (Some(7), Some(7), 0),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let memory = Arc::new(Failing {
            inner: Memory::default(),
            allowed: Mutex::new(usize::MAX),
        });
        let prefs = stored(dir.path(), memory.as_ref(), before);
        *lock(&memory.allowed) = allowed;
        let saved = store(memory.clone(), prefs.clone()).save(after.map(record).as_ref());
        assert!(saved.is_err(), "{before:?} → {after:?}: stopped");
        *lock(&memory.allowed) = usize::MAX;
        let service = open(memory.clone(), prefs.clone());
        assert!(
            service.retry_load().is_none(),
            "{before:?} → {after:?}: the wallet opens"
        );
        let session = service.current().unwrap().record();
        if let Some(session) = session {
            assert_eq!(
                memory
                    .get(&session_key_entry("local", &hex(ADDRESS)))
                    .unwrap(),
                Some(session.sealed_key.clone()),
                "a session kept is the one whose key is stored"
            );
        }
    }
}

#[tokio::test]
async fn a_wallet_whose_owner_key_is_damaged_can_be_removed() {
    // Stored as text in no sealed format: no PIN opens it, so removal is the way out.
    let dir = tempfile::tempdir().unwrap();
    let vault = Arc::new(Memory::default());
    let prefs = stored(dir.path(), &*vault, Some(3));
    let service = open(vault.clone(), prefs.clone());
    let pin = Pin::new("123456");
    let refused = service.remove_wallet(&pin, false).await.unwrap_err();
    assert!(
        matches!(refused, ServiceError::NotConfirmed(_)),
        "{refused:?}"
    );
    service.remove_wallet(&pin, true).await.expect("removed");
    assert!(prefs.load().unwrap().unwrap().wallet.is_none());
    let address = hex(ADDRESS);
    assert_eq!(
        vault.get(&owner_key_entry("local", &address)).unwrap(),
        None
    );
    assert_eq!(
        vault.get(&session_key_entry("local", &address)).unwrap(),
        None
    );
}

/// A pairing whose policy the account's class would not keep on chain is refused before the
/// user is asked (and so before any PIN): CHIPI v33 does not bind calls to contracts, CHIPI
/// v29 keeps no spending limit. This project's class keeps both: the prompt is shown.
#[test]
fn a_pairing_the_class_cannot_keep_is_refused_before_the_prompt() {
    use chipi_session::wallet_type::{
        CHIPI_V29_CLASS_HASH, CHIPI_V33_CLASS_HASH, SESSION_ACCOUNT_CLASS_HASH,
    };
    let strk = Network::profile("local")
        .unwrap()
        .token("STRK")
        .unwrap()
        .address;
    let policy = serde_json::json!({
        "contracts": {format!("{strk:#x}"): {"methods": [{"entrypoint": "transfer"}]}},
        "limits": [{"token": "STRK", "per_call": "1", "per_window": "2", "window_secs": 3600}],
        "duration_secs": 3600, "max_calls": 5});
    let request = wallet_api::PairRequest {
        name: "Game".into(),
        origin: None,
        policy: serde_json::from_value(policy).unwrap(),
        ask_outside: false,
    };
    for (class, refused) in [
        (SESSION_ACCOUNT_CLASS_HASH, None),
        (CHIPI_V33_CLASS_HASH, Some("the contracts it names")),
        (CHIPI_V29_CLASS_HASH, Some("keeps no spending limit")),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let vault: Arc<dyn SecretVault> = Arc::new(Memory::default());
        let prefs = stored(dir.path(), vault.as_ref(), None);
        let mut saved = prefs.load().unwrap().unwrap();
        saved.wallet.as_mut().unwrap().class_hash = class;
        prefs.save(&saved).unwrap();
        let service = open(vault, prefs);
        service.set_unlocked(true);
        match (service.pairing_prompt(&request), refused) {
            (Ok(prompt), None) => assert_eq!(
                prompt.limits,
                vec!["at most 1 STRK per transfer, 2 STRK per 1 h".to_owned()]
            ),
            (Err(ServiceError::AppNotAllowed(why)), Some(said)) => {
                assert!(why.contains(said), "{class:#x}: {why}");
            }
            (other, _) => panic!("{class:#x}: {other:?}"),
        }
    }
}
