//! The wallet service: one wallet, its session manager, the host's vault and preferences, PIN
//! back-off and confirmation. Its operations are split the way the front ends' commands are:
//! [`wallet`], [`session`], [`activity`] and [`settings`].
//!
//! A user action opens each secret it needs at most once, and never on an async thread:
//! Argon2id (128 MiB) runs under `spawn_blocking`, and what it opened is handed on.

mod activity;
pub mod apps;
mod backends;
pub mod backup;
mod biometrics;
mod contacts;
mod gas;
mod home;
mod logs;
mod notices;
mod parts;
mod renewal;
mod session;
mod settings;
mod tokens;
mod transfers;
mod wallet;

pub use contacts::{checksum_address, parse_checked_address};
pub use gas::GasBackend;
pub use notices::{expiry_notice, Notice, EXPIRY_NOTICE_SECONDS};

use std::sync::{Arc, Mutex};

use chipi_session::{
    Clock, ManagerConfig, Network, SessionError, SessionManager, SessionRecord, SessionStore,
    UnlockedOwner, Wallet,
};
use starknet_core::types::Felt;

use crate::app_error::AppError;
use crate::error::ServiceError;
use crate::host::{Biometrics, Confirmation, PrefsStore, SecretVault};
use crate::keychain::{legacy_entry, owner_key_entry, session_key_entry};
use crate::pin::Pin;
use crate::pin_guard::PinGuard;
use crate::prefs::{Prefs, SessionPrefs, SessionRules};
use crate::views::{ActivityKind, ActivityStatus, SessionInfo};

type Listener = Arc<dyn Fn(&SessionInfo) + Send + Sync>;

/// Preferences in memory and on disk, shared with the session store.
#[derive(Clone)]
struct SharedPrefs {
    prefs: Arc<Mutex<Prefs>>,
    store: Arc<dyn PrefsStore>,
}

impl SharedPrefs {
    fn get(&self) -> Prefs {
        self.prefs
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    fn update(&self, f: impl FnOnce(&mut Prefs)) -> Result<(), ServiceError> {
        let mut prefs = self
            .prefs
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut next = prefs.clone();
        f(&mut next);
        self.store.save(&next)?;
        *prefs = next;
        Ok(())
    }
}

/// A manager's session store: the sealed key in the vault, the rest in preferences (the
/// wallet's own session, or app `app`'s).
struct HostSessionStore {
    vault: Arc<dyn SecretVault>,
    prefs: SharedPrefs,
    /// The vault entry of the session key.
    entry: String,
    /// The app whose session this is; `None`: the wallet's own.
    app: Option<String>,
}

impl HostSessionStore {
    /// Where the session's preferences are kept.
    fn place<'a>(&self, p: &'a mut Prefs) -> Option<&'a mut Option<SessionPrefs>> {
        match &self.app {
            None => Some(&mut p.session),
            Some(id) => apps::app_mut(p, id).map(|a| &mut a.session),
        }
    }

    fn keep(&self, session: Option<SessionPrefs>) -> Result<(), ServiceError> {
        self.prefs.update(|p| {
            if let Some(place) = self.place(p) {
                *place = session;
            }
        })
    }
}

impl SessionStore for HostSessionStore {
    fn save(&self, record: Option<&SessionRecord>) -> Result<(), SessionError> {
        let vault = |e: ServiceError| SessionError::SecretStore(Box::new(e));
        let prefs = |e: ServiceError| SessionError::RecordStore(Box::new(e));
        let entry = &self.entry;
        // Ordered so that a crash between the two writes never leaves the preferences naming a
        // session whose key is not in the keychain: at worst an unused entry is left, written
        // over by the next session.
        match record {
            Some(record) => {
                let mut stored = self.prefs.get();
                let stored = self
                    .place(&mut stored)
                    .and_then(|s| s.as_ref().map(|s| s.public_key));
                if stored.is_some_and(|key| key != record.public_key) {
                    // Another session's key is about to be replaced: it leaves first.
                    self.keep(None).map_err(prefs)?;
                }
                self.vault.put(entry, &record.sealed_key).map_err(vault)?;
                self.keep(Some(SessionPrefs::of(record))).map_err(prefs)
            }
            None => {
                self.keep(None).map_err(prefs)?;
                self.vault.delete(entry).map_err(vault)
            }
        }
    }
}

/// The wallet, as every front end uses it.
pub struct WalletService {
    vault: Arc<dyn SecretVault>,
    prefs: SharedPrefs,
    /// The wallet loaded on the network in use.
    loaded: parts::Loaded,
    biometrics: Arc<dyn Biometrics>,
    gas: Mutex<GasBackend>,
    /// The network the host starts on (the `local` profile with its endpoints).
    default_network: Network,
    guard: PinGuard,
    clock: Arc<dyn Clock>,
    listener: Mutex<Option<Listener>>,
    /// The idle time before locking, in seconds, set by a host's test setting.
    idle_override: Mutex<Option<u32>>,
    activity: activity::Activity,
    scans: parts::Scans,
    ledgers: parts::Ledgers,
    network_watch: parts::NetworkWatch,
    apps: apps::AppManagers,
}

impl std::fmt::Debug for WalletService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WalletService")
            .field("biometrics", &self.biometrics.name())
            .finish_non_exhaustive()
    }
}

fn hex(f: Felt) -> String {
    format!("{f:#x}")
}

/// Runs `f` (an Argon2id derivation) on the blocking pool, never on an async worker thread.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ServiceError> + Send + 'static,
) -> Result<T, ServiceError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ServiceError::Internal(format!("a background task failed: {e}")))?
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl WalletService {
    /// Loads the preferences and, if a wallet exists, its manager and stored session. A locked
    /// or missing keychain is reported and changes nothing on disk.
    pub fn open(
        vault: Arc<dyn SecretVault>,
        prefs_store: Arc<dyn PrefsStore>,
        default_network: Network,
        biometrics: Box<dyn Biometrics>,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, ServiceError> {
        Self::open_with_backend(
            vault,
            prefs_store,
            default_network,
            biometrics,
            clock,
            GasBackend::Network,
        )
    }

    /// [`Self::open`], sending transactions through `gas` from the start.
    pub fn open_with_backend(
        vault: Arc<dyn SecretVault>,
        prefs_store: Arc<dyn PrefsStore>,
        default_network: Network,
        biometrics: Box<dyn Biometrics>,
        clock: Arc<dyn Clock>,
        gas: GasBackend,
    ) -> Result<Self, ServiceError> {
        // Preferences that cannot be read are kept aside and the app starts afresh: the keys
        // stay in the keychain, the backup restores the wallet, and the history says what
        // happened.
        let (prefs, repaired) = match prefs_store.load() {
            Ok(prefs) => (
                prefs.unwrap_or_else(|| Prefs::new(default_network.clone())),
                None,
            ),
            Err(ServiceError::Corrupted(reason)) => match prefs_store.set_aside()? {
                Some(kept) => (
                    Prefs::new(default_network.clone()),
                    Some(format!(
                        "the preferences could not be read ({reason}) and were kept as {kept}; \
                         restore the wallet from its backup"
                    )),
                ),
                None => return Err(ServiceError::Corrupted(reason)),
            },
            Err(e) => return Err(e),
        };
        // Networks saved by an earlier version with a node that was shut down get their
        // profile's nodes, and new wallets there CHIPI v33 instead of the deprecated v29 (saved
        // at the next write).
        let mut prefs = prefs;
        for network in std::iter::once(&mut prefs.network)
            .chain(prefs.others.iter_mut().map(|p| &mut p.network))
        {
            network.replace_shut_down_nodes();
            network.replace_deprecated_class();
        }
        let guard = PinGuard::persisted(clock.clone(), vault.clone());
        let prefs = SharedPrefs {
            prefs: Arc::new(Mutex::new(prefs)),
            store: prefs_store,
        };
        let service = Self {
            vault,
            activity: activity::Activity::new(prefs.clone(), clock.clone()),
            prefs,
            loaded: parts::Loaded::default(),
            biometrics: Arc::from(biometrics),
            gas: Mutex::new(gas),
            default_network,
            guard,
            clock,
            listener: Mutex::new(None),
            idle_override: Mutex::new(None),
            scans: parts::Scans::default(),
            ledgers: parts::Ledgers::default(),
            network_watch: parts::NetworkWatch::default(),
            apps: apps::AppManagers::default(),
        };
        service.retry_load();
        if let Some(what) = repaired {
            service.activity.note(
                ActivityKind::Repair,
                what.clone(),
                None,
                ActivityStatus::Succeeded,
            )?;
            service
                .loaded
                .keep_error(Some(ServiceError::Corrupted(what).into()));
        }
        Ok(service)
    }

    /// Loads the stored wallet and session again (after the keychain was unlocked); nothing
    /// stored is changed when it fails.
    pub fn retry_load(&self) -> Option<ServiceError> {
        let error = self.load_manager().err().map(AppError::from);
        self.loaded.keep_error(error.clone());
        error.map(ServiceError::Kept)
    }

    /// Loads the wallet again after a change of its settings; an error is kept like a load's.
    fn reload(&self) -> Result<(), ServiceError> {
        self.retry_load().map_or(Ok(()), Err)
    }

    /// Calls `listener` with the session card after every change.
    pub fn set_listener(&self, listener: impl Fn(&SessionInfo) + Send + Sync + 'static) {
        let listener: Listener = Arc::new(listener);
        *lock(&self.listener) = Some(listener);
        if let Some(manager) = self.current() {
            self.attach(&manager);
        }
    }

    fn attach(&self, manager: &SessionManager) {
        let listener = lock(&self.listener).clone();
        if let Some(listener) = listener {
            let prefs = self.prefs.clone();
            manager.set_listener(move |view| listener(&session_info(&prefs.get(), view)));
        }
    }

    /// A session manager for `wallet` on the network in `prefs`, its session kept by `store`
    /// (the wallet's own, or an app's).
    fn new_manager(
        &self,
        wallet: chipi_session::Wallet,
        prefs: &Prefs,
        store: Arc<dyn chipi_session::SessionStore>,
        session: Option<chipi_session::SessionRecord>,
    ) -> Result<Arc<SessionManager>, ServiceError> {
        Ok(Arc::new(SessionManager::new(
            wallet,
            prefs.network.node(),
            self.backend_for(prefs)?,
            self.clock.clone(),
            store,
            ManagerConfig::default(),
            session,
        )))
    }

    fn load_manager(&self) -> Result<(), ServiceError> {
        // The apps' managers are built again from the preferences when next asked for.
        self.apps.clear();
        self.announce_wallet();
        let prefs = self.prefs.get();
        let Some(w) = prefs.wallet.clone() else {
            // A network without a wallet (yet): nothing of another network's stays loaded.
            self.loaded.set(None);
            return Ok(());
        };
        let address = hex(w.address);
        let network = prefs.network.name.clone();
        let Some(wallet) = self.stored_wallet(&prefs)? else {
            return Ok(());
        };
        let session_entry = session_key_entry(&network, &address);
        let session = match &prefs.session {
            Some(s) => match self.entry(&session_entry, &legacy_entry(&address, "session"))? {
                Some(sealed) => Some(s.with_key(sealed)),
                None => {
                    // Half-written by an older version (the key deleted, the preferences not
                    // yet): the session cannot be used by anyone. It is dropped here so the
                    // wallet opens; the history says so.
                    self.prefs.update(|p| p.session = None)?;
                    self.activity.note(
                        ActivityKind::Repair,
                        format!(
                            "a session whose key was no longer stored was dropped (key {:#x}); \
                             on chain it ends at its expiry",
                            s.public_key
                        ),
                        None,
                        ActivityStatus::Succeeded,
                    )?;
                    None
                }
            },
            None => None,
        };
        let store = HostSessionStore {
            vault: self.vault.clone(),
            prefs: self.prefs.clone(),
            entry: session_entry,
            app: None,
        };
        let manager = self.new_manager(wallet, &prefs, Arc::new(store), session)?;
        self.attach(&manager);
        self.loaded.set(Some(manager));
        Ok(())
    }

    /// The selected network's wallet as stored (preferences and the sealed owner key), `None`
    /// without one.
    fn stored_wallet(&self, prefs: &Prefs) -> Result<Option<Wallet>, ServiceError> {
        let Some(w) = prefs.wallet.as_ref() else {
            return Ok(None);
        };
        let address = hex(w.address);
        let sealed_owner_key = self
            .entry(
                &owner_key_entry(&prefs.network.name, &address),
                &legacy_entry(&address, "owner"),
            )?
            .ok_or_else(|| ServiceError::keychain("the wallet's key is not in the keychain"))?;
        Ok(Some(Wallet {
            address: w.address,
            owner_public_key: w.owner_public_key,
            sealed_owner_key,
            class_hash: w.class_hash,
            salt: w.salt,
            probed_layout: w.probed_layout,
        }))
    }

    /// The vault entry `name`, or the one under its `legacy` name, moved to `name`.
    fn entry(&self, name: &str, legacy: &str) -> Result<Option<String>, ServiceError> {
        if let Some(value) = self.vault.get(name)? {
            return Ok(Some(value));
        }
        let Some(value) = self.vault.get(legacy)? else {
            return Ok(None);
        };
        self.vault.put(name, &value)?;
        self.vault.delete(legacy)?;
        Ok(Some(value))
    }

    fn current(&self) -> Option<Arc<SessionManager>> {
        self.loaded.current()
    }

    fn manager(&self) -> Result<Arc<SessionManager>, ServiceError> {
        self.loaded.manager()
    }

    fn is_unlocked(&self) -> bool {
        self.loaded.is_unlocked()
    }

    /// Refuses a change of the wallet's lists (tokens, contacts) while a wallet is locked: a
    /// locked window changes nothing.
    fn refuse_if_locked(&self) -> Result<(), ServiceError> {
        if self.prefs.get().wallet.is_some() && !self.is_unlocked() {
            return Err(ServiceError::Locked(
                "unlock the wallet with its PIN first".into(),
            ));
        }
        Ok(())
    }

    fn set_unlocked(&self, value: bool) {
        self.loaded.set_unlocked(value);
    }

    /// Opens the owner key with `pin` (one Argon2id run, off the async threads), counting misses.
    async fn open_owner(
        &self,
        manager: &Arc<SessionManager>,
        pin: &Pin,
    ) -> Result<UnlockedOwner, ServiceError> {
        self.open_owner_as(manager, Some(pin), Confirmation::Unlock)
            .await
    }

    /// Opens the owner key with the PIN typed (`Some`, counting misses) or, with `None`, the
    /// one biometric unlock releases after the OS's check for `what`.
    async fn open_owner_as(
        &self,
        manager: &Arc<SessionManager>,
        pin: Option<&Pin>,
        what: Confirmation,
    ) -> Result<UnlockedOwner, ServiceError> {
        self.open_owner_of(manager.wallet().clone(), pin, what)
            .await
    }

    /// [`Self::open_owner_as`] for a stored `wallet` (no manager needed: the node may be on
    /// another chain).
    async fn open_owner_of(
        &self,
        wallet: Wallet,
        pin: Option<&Pin>,
        what: Confirmation,
    ) -> Result<UnlockedOwner, ServiceError> {
        let (pin, biometric) = self.credential(pin, what).await?;
        self.open_with(biometric, move || {
            wallet
                .unlock_owner(pin.expose())
                .map_err(ServiceError::from)
        })
        .await
    }

    /// The PIN back-off counter of the current wallet.
    fn guard_key(&self) -> String {
        let prefs = self.prefs.get();
        let address = prefs
            .wallet
            .map_or_else(|| "none".to_owned(), |w| hex(w.address));
        crate::keychain::pin_attempts_entry(&prefs.network.name, &address)
    }

    fn info(&self, manager: &SessionManager) -> SessionInfo {
        session_info(&self.prefs.get(), &manager.view())
    }
}

/// The session card of `view`: tokens named by the network's list, and whether the rules to
/// extend or renew it are kept.
fn session_info(prefs: &Prefs, view: &chipi_session::SessionView) -> SessionInfo {
    let mut info = SessionInfo::of(view, |t| token_info(&prefs.network, t));
    info.kept_rules = prefs
        .wallet
        .as_ref()
        .and_then(|w| w.session_rules.as_ref())
        .map(SessionRules::view);
    info
}

/// The page of transaction `hash` on `network`'s explorer, if it has one.
fn explorer_page(network: &Network, hash: Felt) -> Option<String> {
    network
        .explorer_tx_url
        .as_ref()
        .map(|base| format!("{base}{hash:#x}"))
}

fn token_info(network: &Network, token: &str) -> (Option<String>, u8) {
    match network.token(token) {
        Ok(t) => (Some(t.symbol.clone()), t.decimals),
        Err(_) => (None, 18),
    }
}

#[cfg(test)]
mod tests;
