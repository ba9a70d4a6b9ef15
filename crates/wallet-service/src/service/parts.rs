//! The service's state, in parts that own their locks: the wallet loaded on the network in use,
//! the scans for tokens received, the unsettled-execution ledger shared by the backends, and what
//! the service knows of the network beyond its preferences. [`super::WalletService`] composes
//! them (with the preferences, the vault, the biometrics and the PIN guard, parts of their own);
//! each is tested here without a host.

use std::sync::{Arc, Mutex, RwLock};

use chipi_session::backends::unsettled::Ledger;
use chipi_session::SessionManager;
use starknet_core::types::Felt;

use super::lock;
use super::settings::NodeSeen;
use crate::app_error::AppError;
use crate::error::ServiceError;

/// The wallet loaded on the network in use: its manager, whether the PIN (or biometrics)
/// unlocked it, and why it could not be loaded, kept until a load works.
#[derive(Default)]
pub(super) struct Loaded {
    manager: RwLock<Option<Arc<SessionManager>>>,
    unlocked: Mutex<bool>,
    error: Mutex<Option<AppError>>,
}

impl Loaded {
    /// The loaded wallet's manager, if one is loaded.
    pub(super) fn current(&self) -> Option<Arc<SessionManager>> {
        self.manager
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Loads `manager` (or none: another network, a wallet removed).
    pub(super) fn set(&self, manager: Option<Arc<SessionManager>>) {
        *self
            .manager
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = manager;
    }

    /// The loaded wallet's manager; else the error its load met, or that there is no wallet.
    pub(super) fn manager(&self) -> Result<Arc<SessionManager>, ServiceError> {
        if let Some(manager) = self.current() {
            return Ok(manager);
        }
        if let Some(error) = lock(&self.error).clone() {
            return Err(ServiceError::Kept(error));
        }
        Err(ServiceError::NoWallet(
            "no wallet yet: create or import one".into(),
        ))
    }

    /// Keeps why the load failed (or, with `None`, that it worked).
    pub(super) fn keep_error(&self, error: Option<AppError>) {
        *lock(&self.error) = error;
    }

    pub(super) fn is_unlocked(&self) -> bool {
        *lock(&self.unlocked)
    }

    pub(super) fn set_unlocked(&self, value: bool) {
        *lock(&self.unlocked) = value;
    }
}

/// The scans for tokens received: one at a time, and where the last one stopped.
#[derive(Default)]
pub(super) struct Scans {
    one: tokio::sync::Mutex<()>,
    /// Network, account and the last block scanned.
    done: Mutex<Option<(String, Felt, u64)>>,
}

impl Scans {
    /// Waits until no other scan runs; the scan lasts as long as the guard.
    pub(super) async fn begin(&self) -> tokio::sync::MutexGuard<'_, ()> {
        self.one.lock().await
    }

    /// The first block not scanned yet for `account` on `network`, if it was scanned before.
    pub(super) fn resume_from(&self, network: &str, account: Felt) -> Option<u64> {
        match lock(&self.done).as_ref() {
            Some((name, wallet, done)) if name == network && *wallet == account => {
                Some(done.saturating_add(1))
            }
            _ => None,
        }
    }

    /// Records that `account` on `network` was scanned up to `block`.
    pub(super) fn finished(&self, network: String, account: Felt, block: u64) {
        *lock(&self.done) = Some((network, account, block));
    }

    /// The next scan starts afresh (a wallet restored again).
    pub(super) fn forget(&self) {
        *lock(&self.done) = None;
    }
}

/// The unsettled-execution ledger of the wallet on a network: one, shared by every backend built
/// for it, so a backend built while another is sending sees what that one keeps.
#[derive(Default)]
pub(super) struct Ledgers {
    kept: Mutex<Option<(String, Felt, Ledger)>>,
}

impl Ledgers {
    /// The ledger of `owner` on `network`, made by `make` the first time it is asked for (or
    /// after another wallet's was).
    pub(super) fn of(&self, network: &str, owner: Felt, make: impl FnOnce() -> Ledger) -> Ledger {
        let mut kept = lock(&self.kept);
        if let Some((name, address, ledger)) = kept.as_ref() {
            if name == network && *address == owner {
                return ledger.clone();
            }
        }
        let ledger = make();
        *kept = Some((network.to_owned(), owner, ledger.clone()));
        ledger
    }
}

/// What the service knows of the network beyond its preferences: the node that last passed the
/// chain check, whether a first start must ask for the network, and one switch at a time.
#[derive(Default)]
pub(super) struct NetworkWatch {
    /// One network switch at a time, from reading the preferences it checks (which endpoints
    /// move, whether the PIN is needed) to writing them: a second switch waits.
    switching: tokio::sync::Mutex<()>,
    seen: Mutex<Option<NodeSeen>>,
    ask: Mutex<bool>,
}

impl NetworkWatch {
    /// Waits until no other switch runs; the switch lasts as long as the guard.
    pub(super) async fn switch(&self) -> tokio::sync::MutexGuard<'_, ()> {
        self.switching.lock().await
    }

    /// The node that last passed the chain check.
    pub(super) fn seen(&self) -> Option<NodeSeen> {
        lock(&self.seen).clone()
    }

    pub(super) fn set_seen(&self, seen: NodeSeen) {
        *lock(&self.seen) = Some(seen);
    }

    /// Whether the host named no network, so a first start asks for one.
    pub(super) fn asks(&self) -> bool {
        *lock(&self.ask)
    }

    pub(super) fn ask(&self) {
        *lock(&self.ask) = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    #[test]
    fn without_a_manager_the_kept_error_is_answered_else_no_wallet() {
        let loaded = Loaded::default();
        assert!(matches!(loaded.manager(), Err(ServiceError::NoWallet(_))));
        let locked = AppError::from(ServiceError::keychain("the keychain is locked"));
        loaded.keep_error(Some(locked.clone()));
        match loaded.manager() {
            Err(ServiceError::Kept(kept)) => assert_eq!(kept, locked),
            other => panic!("{:?}", other.map(|_| ())),
        }
        loaded.keep_error(None);
        assert!(matches!(loaded.manager(), Err(ServiceError::NoWallet(_))));
        assert!(!loaded.is_unlocked());
        loaded.set_unlocked(true);
        assert!(loaded.is_unlocked());
    }

    #[test]
    fn a_scan_resumes_after_the_last_block_of_the_same_wallet_only() {
        let scans = Scans::default();
        let (a, b) = (Felt::ONE, Felt::TWO);
        assert_eq!(scans.resume_from("local", a), None);
        scans.finished("local".into(), a, 41);
        assert_eq!(scans.resume_from("local", a), Some(42));
        assert_eq!(scans.resume_from("local", b), None, "another account");
        assert_eq!(scans.resume_from("sepolia", a), None, "another network");
        scans.forget();
        assert_eq!(scans.resume_from("local", a), None);
    }

    #[tokio::test]
    async fn one_scan_and_one_switch_at_a_time() {
        let scans = Scans::default();
        let first = scans.begin().await;
        let second = tokio::time::timeout(Duration::from_millis(50), scans.begin()).await;
        assert!(second.is_err(), "a second scan waits for the first");
        drop(first);
        let _ = tokio::time::timeout(Duration::from_secs(5), scans.begin())
            .await
            .expect("then it runs");
        let watch = NetworkWatch::default();
        let switching = watch.switch().await;
        assert!(
            tokio::time::timeout(Duration::from_millis(50), watch.switch())
                .await
                .is_err()
        );
        drop(switching);
    }

    #[test]
    fn one_ledger_per_wallet_and_network() {
        let ledgers = Ledgers::default();
        let made = AtomicUsize::new(0);
        let make = || {
            made.fetch_add(1, Ordering::SeqCst);
            Ledger::new(Felt::ONE)
        };
        ledgers.of("local", Felt::ONE, make);
        ledgers.of("local", Felt::ONE, make);
        assert_eq!(made.load(Ordering::SeqCst), 1, "shared, not made again");
        ledgers.of("local", Felt::TWO, make);
        ledgers.of("sepolia", Felt::TWO, make);
        assert_eq!(made.load(Ordering::SeqCst), 3);
    }

    #[test]
    fn the_network_watch_remembers_the_node_and_the_question() {
        let watch = NetworkWatch::default();
        assert!(watch.seen().is_none() && !watch.asks());
        let seen = NodeSeen {
            url: "http://127.0.0.1:5050/rpc".into(),
            spec_version: "0.10.0".into(),
            own_class_declared: true,
        };
        watch.set_seen(seen.clone());
        watch.ask();
        assert_eq!((watch.seen(), watch.asks()), (Some(seen), true));
    }
}
