//! The app's operations, free of Tauri: one wallet, its session manager, the keychain, the
//! non-secret preferences, PIN back-off and confirmation. Commands are thin calls into this.

use std::sync::{Arc, Mutex, RwLock};

use chipi_session::entrypoint::selector;
use chipi_session::wallet::check_pin;
use chipi_session::wallet_type::SESSION_ACCOUNT_CLASS_HASH;
use chipi_session::{
    parse_address, parse_amount, parse_felt, parse_selector, Clock, DirectBackend,
    ExecutionBackend, ManagerConfig, Network, NodeClient, PaymasterClient, PolicySpec,
    RegisterParams, SessionError, SessionManager, SessionRecord, SessionState, SessionStore,
    Wallet,
};
use starknet_core::types::{Call, Felt};

use crate::confirmer::{Confirmation, Confirmer};
use crate::error::AppError;
use crate::pin_guard::PinGuard;
use crate::prefs::{ActivityEntry, Prefs, PrefsStore, SessionPrefs, WalletPrefs};
use crate::vault::{owner_key_entry, session_key_entry, SecretVault};
use crate::views::{
    ActivityInfo, CallInput, NetworkInfo, SessionInfo, SessionRequest, TokenInfo, TxResult,
    WalletInfo,
};

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

    fn update(&self, f: impl FnOnce(&mut Prefs)) -> Result<(), AppError> {
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

/// The manager's session store: the sealed key in the keychain, the rest in preferences.
struct AppSessionStore {
    vault: Arc<dyn SecretVault>,
    prefs: SharedPrefs,
    address: String,
}

impl SessionStore for AppSessionStore {
    fn save(&self, record: Option<&SessionRecord>) -> Result<(), SessionError> {
        let keychain = |e: AppError| SessionError::InvalidConfig(e.to_string());
        let entry = session_key_entry(&self.address);
        match record {
            Some(record) => {
                self.vault
                    .put(&entry, &record.sealed_key)
                    .map_err(keychain)?;
                self.prefs
                    .update(|p| p.session = Some(SessionPrefs::of(record)))
                    .map_err(keychain)
            }
            None => {
                self.vault.delete(&entry).map_err(keychain)?;
                self.prefs.update(|p| p.session = None).map_err(keychain)
            }
        }
    }
}

/// The wallet app.
pub struct WalletApp {
    vault: Arc<dyn SecretVault>,
    prefs: SharedPrefs,
    manager: RwLock<Option<Arc<SessionManager>>>,
    unlocked: Mutex<bool>,
    confirmer: Box<dyn Confirmer>,
    guard: PinGuard,
    clock: Arc<dyn Clock>,
    listener: Mutex<Option<Listener>>,
    /// Why the stored wallet could not be loaded (a locked keychain), kept until a retry works.
    load_error: Mutex<Option<AppError>>,
}

impl std::fmt::Debug for WalletApp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WalletApp")
            .field("confirmer", &self.confirmer.name())
            .finish_non_exhaustive()
    }
}

fn hex(f: Felt) -> String {
    format!("{f:#x}")
}

impl WalletApp {
    /// Loads the preferences and, if a wallet exists, its manager and stored session. A locked
    /// or missing keychain is reported and changes nothing on disk.
    pub fn open(
        vault: Arc<dyn SecretVault>,
        prefs_store: Arc<dyn PrefsStore>,
        default_network: Network,
        confirmer: Box<dyn Confirmer>,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, AppError> {
        let prefs = prefs_store
            .load()?
            .unwrap_or_else(|| Prefs::new(default_network));
        let app = Self {
            vault,
            prefs: SharedPrefs {
                prefs: Arc::new(Mutex::new(prefs)),
                store: prefs_store,
            },
            manager: RwLock::new(None),
            unlocked: Mutex::new(false),
            confirmer,
            guard: PinGuard::new(clock.clone()),
            clock,
            listener: Mutex::new(None),
            load_error: Mutex::new(None),
        };
        app.retry_load();
        Ok(app)
    }

    /// Loads the stored wallet and session again (after the keychain was unlocked); nothing
    /// stored is changed when it fails.
    pub fn retry_load(&self) -> Option<AppError> {
        let error = self.load_manager().err();
        *self
            .load_error
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = error.clone();
        error
    }

    /// Calls `listener` with the session card after every change.
    pub fn set_listener(&self, listener: impl Fn(&SessionInfo) + Send + Sync + 'static) {
        let listener: Listener = Arc::new(listener);
        *self
            .listener
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(listener);
        if let Some(manager) = self.current() {
            self.attach(&manager);
        }
    }

    fn attach(&self, manager: &SessionManager) {
        let listener = self
            .listener
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        if let Some(listener) = listener {
            let network = self.prefs.get().network;
            manager.set_listener(move |view| {
                listener(&SessionInfo::of(view, |t| token_info(&network, t)))
            });
        }
    }

    fn load_manager(&self) -> Result<(), AppError> {
        let prefs = self.prefs.get();
        let Some(w) = prefs.wallet else {
            return Ok(());
        };
        let address = hex(w.address);
        let sealed_owner_key = self
            .vault
            .get(&owner_key_entry(&address))?
            .ok_or_else(|| AppError::Keychain("the wallet's key is not in the keychain".into()))?;
        let session = match &prefs.session {
            Some(s) => match self.vault.get(&session_key_entry(&address))? {
                Some(sealed) => Some(s.with_key(sealed)),
                None => {
                    return Err(AppError::Keychain(
                        "the session key is not in the keychain".into(),
                    ))
                }
            },
            None => None,
        };
        let wallet = Wallet {
            address: w.address,
            owner_public_key: w.owner_public_key,
            sealed_owner_key,
            class_hash: w.class_hash,
            salt: w.salt,
        };
        let backend: Arc<dyn ExecutionBackend> = match &prefs.network.sponsor_url {
            Some(url) => Arc::new(PaymasterClient::new(
                url.clone(),
                prefs.network.rpc_url.clone(),
                prefs.network.chain_id,
            )),
            None => Arc::new(DirectBackend::new(
                &prefs.network.rpc_url,
                prefs.network.chain_id,
            )?),
        };
        let store = AppSessionStore {
            vault: self.vault.clone(),
            prefs: self.prefs.clone(),
            address,
        };
        let manager = Arc::new(SessionManager::new(
            wallet,
            NodeClient::new(prefs.network.rpc_url.clone()),
            backend,
            self.clock.clone(),
            Arc::new(store),
            ManagerConfig::default(),
            session,
        ));
        self.attach(&manager);
        *self
            .manager
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(manager);
        Ok(())
    }

    fn current(&self) -> Option<Arc<SessionManager>> {
        self.manager
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    fn manager(&self) -> Result<Arc<SessionManager>, AppError> {
        if let Some(manager) = self.current() {
            return Ok(manager);
        }
        if let Some(error) = self
            .load_error
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
        {
            return Err(error);
        }
        Err(AppError::NoWallet(
            "no wallet yet: create or import one".into(),
        ))
    }

    fn is_unlocked(&self) -> bool {
        *self
            .unlocked
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn set_unlocked(&self, value: bool) {
        *self
            .unlocked
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = value;
    }

    /// Checks the PIN against the owner key, counting misses.
    fn check_pin(&self, manager: &SessionManager, pin: &str) -> Result<(), AppError> {
        self.guard.attempt(|| {
            manager
                .wallet()
                .open_owner(pin)
                .map(drop)
                .map_err(AppError::from)
        })
    }

    fn note(
        &self,
        kind: &str,
        summary: String,
        hash: Option<Felt>,
        status: &str,
    ) -> Result<(), AppError> {
        let entry = ActivityEntry {
            at: self.clock.now(),
            kind: kind.into(),
            summary,
            transaction_hash: hash,
            status: status.into(),
        };
        self.prefs.update(|p| p.activity.push(entry))
    }

    /// The wallet, if any.
    pub fn wallet_info(&self) -> Result<WalletInfo, AppError> {
        let manager = self.manager()?;
        let w = manager.wallet();
        Ok(WalletInfo {
            address: hex(w.address),
            owner_public_key: hex(w.owner_public_key),
            supports_sessions: w.supports_sessions(),
            unlocked: self.is_unlocked(),
            network: self.prefs.get().network.name,
        })
    }

    /// A new wallet of our account class, its key sealed under `pin` in the keychain, deployed
    /// gaslessly when the network has a sponsor.
    pub async fn create_wallet(&self, pin: &str) -> Result<WalletInfo, AppError> {
        if self.current().is_some() || self.prefs.get().wallet.is_some() {
            return Err(AppError::InvalidInput("a wallet exists already".into()));
        }
        let wallet = Wallet::create(SESSION_ACCOUNT_CLASS_HASH, pin)?;
        self.adopt(wallet)?;
        let manager = self.manager()?;
        if self.prefs.get().network.sponsor_url.is_some() {
            let hash = manager.deploy_wallet().await?;
            self.note(
                "deploy",
                "wallet deployed (sponsored)".into(),
                Some(hash),
                "succeeded",
            )?;
        }
        self.set_unlocked(true);
        self.wallet_info()
    }

    /// An existing account whose owner key is in the SDK's encrypted format under `pin`.
    pub async fn import_wallet(
        &self,
        address: &str,
        encrypted_private_key: &str,
        pin: &str,
    ) -> Result<WalletInfo, AppError> {
        if self.current().is_some() || self.prefs.get().wallet.is_some() {
            return Err(AppError::InvalidInput("a wallet exists already".into()));
        }
        let address = parse_address(address)?;
        check_pin(pin)?;
        let node = NodeClient::new(self.prefs.get().network.rpc_url);
        let class_hash = node
            .class_hash_at(address)
            .await?
            .ok_or(SessionError::AccountNotDeployed)?;
        let wallet = Wallet::import_sdk(address, class_hash, encrypted_private_key, pin, pin)?;
        self.adopt(wallet)?;
        self.set_unlocked(true);
        self.wallet_info()
    }

    fn adopt(&self, wallet: Wallet) -> Result<(), AppError> {
        let address = hex(wallet.address);
        self.vault
            .put(&owner_key_entry(&address), &wallet.sealed_owner_key)?;
        let prefs = WalletPrefs {
            address: wallet.address,
            owner_public_key: wallet.owner_public_key,
            class_hash: wallet.class_hash,
            salt: wallet.salt,
        };
        self.prefs.update(|p| {
            p.wallet = Some(prefs);
            p.session = None;
        })?;
        self.load_manager()
    }

    /// Opens the session key for executions without a prompt; checks the PIN with back-off.
    pub fn unlock(&self, pin: &str) -> Result<WalletInfo, AppError> {
        let manager = self.manager()?;
        self.check_pin(&manager, pin)?;
        if manager.record().is_some() {
            manager.unlock_session(pin)?;
        }
        self.set_unlocked(true);
        self.wallet_info()
    }

    /// Forgets the open session key.
    pub fn lock(&self) -> Result<WalletInfo, AppError> {
        if let Some(manager) = self.current() {
            manager.lock_session();
        }
        self.set_unlocked(false);
        self.wallet_info()
    }

    fn info(&self, manager: &SessionManager) -> SessionInfo {
        let network = self.prefs.get().network;
        SessionInfo::of(&manager.view(), |t| token_info(&network, t))
    }

    /// The session card.
    pub fn session_info(&self) -> Result<SessionInfo, AppError> {
        let manager = self.manager()?;
        Ok(self.info(&manager))
    }

    /// `createSession` after the PIN and the confirmation.
    pub fn create_session(
        &self,
        duration_seconds: Option<u32>,
        pin: &str,
    ) -> Result<SessionInfo, AppError> {
        let manager = self.manager()?;
        self.check_pin(&manager, pin)?;
        self.confirmer.confirm(Confirmation::SetUpSession)?;
        manager.create_session(duration_seconds.map(u64::from), pin)?;
        Ok(self.info(&manager))
    }

    fn register_params(&self, request: &SessionRequest) -> Result<RegisterParams, AppError> {
        let network = self.prefs.get().network;
        let allowed = request
            .allowed_entrypoints
            .iter()
            .map(|e| parse_selector(e))
            .collect::<Result<Vec<_>, _>>()?;
        let limits = request
            .limits
            .iter()
            .map(|l| {
                let token = network.token(&l.token)?;
                Ok(PolicySpec {
                    token: token.address,
                    max_per_call: parse_amount(&l.max_per_call, token.decimals)?,
                    max_per_window: parse_amount(&l.max_per_window, token.decimals)?,
                    window_seconds: u64::from(l.window_seconds),
                })
            })
            .collect::<Result<Vec<_>, SessionError>>()?;
        Ok(RegisterParams {
            valid_until: None,
            max_calls: request.max_calls,
            allowed_entrypoints: allowed,
            allowed_calls: Vec::new(),
            spending_policies: limits,
        })
    }

    /// Checks the request, the PIN and the confirmation, in that order.
    fn authorise_setup(
        &self,
        request: &SessionRequest,
        pin: &str,
    ) -> Result<(Arc<SessionManager>, RegisterParams), AppError> {
        let manager = self.manager()?;
        let params = self.register_params(request)?;
        self.check_pin(&manager, pin)?;
        self.confirmer.confirm(Confirmation::SetUpSession)?;
        Ok((manager, params))
    }

    /// Registers, notes the outcome, and keeps the session key open for executions.
    async fn register_and_open(
        &self,
        manager: &SessionManager,
        params: RegisterParams,
        pin: &str,
    ) -> Result<SessionInfo, AppError> {
        // Opened before registering: the card turns active during the registration (its status
        // read), and a transfer sent at that moment must find the key open.
        manager.unlock_session(pin)?;
        self.set_unlocked(true);
        let outcome = manager.register_session(params, pin).await;
        let (summary, status) = match &outcome {
            Ok(_) => ("session registered".to_owned(), "succeeded"),
            Err(e) => (format!("session registration failed: {e}"), "failed"),
        };
        self.note("register", summary, None, status)?;
        outcome?;
        Ok(self.info(manager))
    }

    /// `registerSession` after the PIN and the confirmation; the key stays open afterwards.
    pub async fn register_session(
        &self,
        request: &SessionRequest,
        pin: &str,
    ) -> Result<SessionInfo, AppError> {
        let (manager, params) = self.authorise_setup(request, pin)?;
        self.register_and_open(&manager, params, pin).await
    }

    /// Create and register in one step, with one PIN and one confirmation.
    pub async fn set_up_session(
        &self,
        request: &SessionRequest,
        pin: &str,
    ) -> Result<SessionInfo, AppError> {
        let (manager, params) = self.authorise_setup(request, pin)?;
        manager.create_session(request.duration_seconds.map(u64::from), pin)?;
        self.register_and_open(&manager, params, pin).await
    }

    fn explorer(&self, hash: Felt) -> Option<String> {
        self.prefs
            .get()
            .network
            .explorer_tx_url
            .map(|base| format!("{base}{hash:#x}"))
    }

    async fn run(
        &self,
        kind: &str,
        summary: String,
        calls: Vec<Call>,
    ) -> Result<TxResult, AppError> {
        let manager = self.manager()?;
        if !self.is_unlocked() {
            return Err(AppError::Locked(
                "unlock the wallet with its PIN first".into(),
            ));
        }
        // The hash is recorded as pending the moment the sponsor returns it, so a stop before
        // the receipt (a crash, a kill, a closed lid) leaves something to settle at the next start.
        let pending = |hash: Felt| {
            let _ = self.note(kind, summary.clone(), Some(hash), "pending");
        };
        match manager
            .execute_with_session_tracked(calls, None, &pending)
            .await
        {
            Ok(done) => {
                self.settle(done.transaction_hash, "succeeded", None)?;
                Ok(TxResult {
                    transaction_hash: hex(done.transaction_hash),
                    remaining_calls: done.remaining_calls,
                    explorer_url: self.explorer(done.transaction_hash),
                })
            }
            Err(e) => {
                match &e {
                    // Sent, outcome not known yet: it stays pending and is settled later.
                    SessionError::ReceiptTimeout { .. } => {}
                    SessionError::Reverted {
                        transaction_hash: Some(hash),
                        ..
                    }
                    | SessionError::EffectMissing {
                        transaction_hash: hash,
                        ..
                    } => self.settle(*hash, "failed", Some(format!("{summary}: {e}")))?,
                    _ => {}
                }
                Err(e.into())
            }
        }
    }

    /// Sets the status of the activity entry of `hash` (adding one if it is missing).
    fn settle(&self, hash: Felt, status: &str, summary: Option<String>) -> Result<(), AppError> {
        let at = self.clock.now();
        self.prefs.update(|p| {
            match p
                .activity
                .iter_mut()
                .rev()
                .find(|a| a.transaction_hash == Some(hash))
            {
                Some(entry) => {
                    entry.status = status.into();
                    if let Some(summary) = summary {
                        entry.summary = summary;
                    }
                }
                None => p.activity.push(ActivityEntry {
                    at,
                    kind: "execute".into(),
                    summary: summary.unwrap_or_else(|| "transaction".into()),
                    transaction_hash: Some(hash),
                    status: status.into(),
                }),
            }
        })
    }

    /// Settles transactions left pending (the app stopped before their receipt): each one the
    /// node knows becomes succeeded or failed; the others stay pending for the next refresh.
    async fn settle_pending(&self, manager: &SessionManager) -> Result<(), AppError> {
        let pending: Vec<Felt> = self
            .prefs
            .get()
            .activity
            .iter()
            .filter(|a| a.status == "pending")
            .filter_map(|a| a.transaction_hash)
            .collect();
        for hash in pending {
            if let Some(receipt) = manager.node().receipt(hash).await? {
                let status = if receipt.succeeded {
                    "succeeded"
                } else {
                    "failed"
                };
                self.settle(hash, status, None)?;
            }
        }
        Ok(())
    }

    /// `executeWithSession`: no prompt within the session's limits.
    pub async fn execute(&self, calls: &[CallInput]) -> Result<TxResult, AppError> {
        let calls = calls
            .iter()
            .map(|c| {
                let to = parse_address(&c.contract_address)?;
                let selector = parse_selector(&c.entrypoint)?;
                let calldata = c
                    .calldata
                    .iter()
                    .map(|f| parse_felt(f))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(Call {
                    to,
                    selector,
                    calldata,
                })
            })
            .collect::<Result<Vec<_>, SessionError>>()?;
        let n = calls.len();
        self.run("execute", format!("{n} call(s)"), calls).await
    }

    /// A gasless ERC-20 transfer of `amount` (decimal string) of `token` (symbol or address).
    pub async fn transfer(
        &self,
        token: &str,
        recipient: &str,
        amount: &str,
    ) -> Result<TxResult, AppError> {
        let network = self.prefs.get().network;
        let token = network.token(token)?.clone();
        let to = parse_address(recipient)?;
        let units = parse_amount(amount, token.decimals)?;
        let call = Call {
            to: token.address,
            selector: selector("transfer"),
            calldata: vec![to, Felt::from(units), Felt::ZERO],
        };
        self.run(
            "transfer",
            format!("{amount} {} to {to:#x}", token.symbol),
            vec![call],
        )
        .await
    }

    /// `revokeSession` after the PIN and the confirmation.
    pub async fn revoke_session(&self, pin: &str) -> Result<SessionInfo, AppError> {
        let manager = self.manager()?;
        self.check_pin(&manager, pin)?;
        self.confirmer.confirm(Confirmation::RevokeSession)?;
        manager.revoke_session(pin).await?;
        self.note("revoke", "session revoked".into(), None, "succeeded")?;
        Ok(self.info(&manager))
    }

    /// `clearSession`. A session still active on chain is forgotten only with the PIN (it
    /// could not be revoked from this device afterwards); with `revoke` it is revoked first
    /// (PIN and confirmation as for revoking).
    pub async fn clear_session(
        &self,
        pin: Option<&str>,
        revoke: bool,
    ) -> Result<SessionInfo, AppError> {
        let manager = self.manager()?;
        let live = matches!(
            manager.state(),
            SessionState::Active | SessionState::Registering
        );
        if live {
            let pin = pin.ok_or(SessionError::SessionStillActive)?;
            self.check_pin(&manager, pin)?;
            if revoke {
                self.confirmer.confirm(Confirmation::RevokeSession)?;
                manager.revoke_session(pin).await?;
                self.note("revoke", "session revoked".into(), None, "succeeded")?;
            }
        }
        // After a revocation the session is no longer live: no second unseal.
        manager
            .clear_session(if revoke { None } else { pin })
            .await?;
        Ok(self.info(&manager))
    }

    /// `refetchStatus`.
    pub async fn refresh_status(&self) -> Result<SessionInfo, AppError> {
        let manager = self.manager()?;
        self.settle_pending(&manager).await?;
        if manager.record().is_some() {
            manager.refresh_status().await?;
        }
        Ok(self.info(&manager))
    }

    /// Activity, newest first.
    pub fn activity(&self) -> Vec<ActivityInfo> {
        self.prefs
            .get()
            .activity
            .iter()
            .rev()
            .map(|a| ActivityInfo {
                at: a.at.to_string(),
                kind: a.kind.clone(),
                summary: a.summary.clone(),
                transaction_hash: a.transaction_hash.map(hex),
                status: a.status.clone(),
            })
            .collect()
    }

    /// The network.
    pub fn network_info(&self) -> NetworkInfo {
        let n = self.prefs.get().network;
        NetworkInfo {
            name: n.name,
            rpc_url: n.rpc_url,
            sponsor_url: n.sponsor_url,
            tokens: n
                .tokens
                .iter()
                .map(|t| TokenInfo {
                    symbol: t.symbol.clone(),
                    address: hex(t.address),
                    decimals: t.decimals,
                })
                .collect(),
        }
    }

    /// Picks a network profile; only before a wallet exists (a wallet lives on one network).
    pub fn set_network(&self, name: &str) -> Result<NetworkInfo, AppError> {
        if self.current().is_some() {
            return Err(AppError::InvalidInput(
                "the wallet is on its network; networks are chosen before creating it".into(),
            ));
        }
        let network = Network::profile(name)?;
        self.prefs.update(|p| p.network = network)?;
        Ok(self.network_info())
    }

    /// Uses `network` as is (the sandbox and tests pass their loopback endpoints).
    pub fn set_network_config(&self, network: Network) -> Result<(), AppError> {
        if self.current().is_some() {
            return Err(AppError::InvalidInput(
                "the wallet is on its network".into(),
            ));
        }
        self.prefs.update(|p| p.network = network)
    }
}

fn token_info(network: &Network, token: &str) -> (Option<String>, u8) {
    match network.token(token) {
        Ok(t) => (Some(t.symbol.clone()), t.decimals),
        Err(_) => (None, 18),
    }
}
