//! The session manager: the `useChipiSession` operations over one wallet, with a state machine
//! that never shows an unregistered session as revoked, the account's rules checked locally
//! before any round trip, receipts checked for their effect, and executions serialised.

mod execution;
mod extension;
mod lifecycle;
mod owner_calls;
mod v33;

use std::sync::{Arc, Mutex, MutexGuard};

use starknet_core::types::{Call, Felt};

use crate::backends::{ExecutionBackend, SubmitContext};
use crate::chain::node_client::{ChainSnapshot, NodeClient, Polling};
use crate::chain::receipts::{check_receipt, expected_events_of};
use crate::clock::Clock;
use crate::error::SessionError;
use crate::keys::secret_key::{public_key_string, SecretKey};
use crate::session::record::{SessionRecord, SessionStore};
use crate::session::state::{LocalSession, SessionState};
use crate::session::view::{Busy, ErrorView, LimitView, SessionView};
use crate::wallet::{UnlockedOwner, Wallet};
use crate::wallet_type::DirectMessage;

/// The hook's defaults and the receipt polling bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ManagerConfig {
    /// `createSession` duration when none is given (6 h).
    pub default_duration_seconds: u64,
    /// `registerSession` call budget when none is given.
    pub default_max_calls: u32,
    /// Longest session allowed (30 days).
    pub max_duration_seconds: u64,
    /// How receipts are awaited.
    pub polling: Polling,
}

impl Default for ManagerConfig {
    fn default() -> Self {
        Self {
            default_duration_seconds: 21_600,
            default_max_calls: 1000,
            max_duration_seconds: 30 * 86_400,
            polling: Polling::default(),
        }
    }
}

/// Shortest passphrase a session export is encrypted with (the wallet's one passphrase rule).
pub const MIN_EXPORT_PASSPHRASE: usize = crate::rules::PASSPHRASE_MIN_CHARS;

/// A spending limit to register with a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PolicySpec {
    /// The ERC-20 token.
    pub token: Felt,
    /// Most one call may move (base units).
    pub max_per_call: u128,
    /// Most all calls may move within one window.
    pub max_per_window: u128,
    /// Window length in seconds.
    pub window_seconds: u64,
}

/// What `register_session` registers; `None` takes the session's expiry and the default budget.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RegisterParams {
    /// Expiry (unix seconds); defaults to the one chosen at creation.
    pub valid_until: Option<u64>,
    /// Call budget; defaults to [`ManagerConfig::default_max_calls`].
    pub max_calls: Option<u32>,
    /// Selectors allowed on any contract.
    pub allowed_entrypoints: Vec<Felt>,
    /// `(contract, selector)` pairs allowed on that contract only. With the allowlist empty
    /// too, the session could call nothing, so registering is refused.
    pub allowed_calls: Vec<(Felt, Felt)>,
    /// Spending limits, one per token.
    pub spending_policies: Vec<PolicySpec>,
    /// The network's tokens. On a class where a token without a policy is unbounded (CHIPI
    /// v33), each one without a limit above gets a refusing policy (`max_per_call` 0,
    /// `max_per_window` 1) in the same transaction; other classes ignore the list.
    pub network_tokens: Vec<Felt>,
}

/// A confirmed execution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Executed {
    /// The transaction.
    pub transaction_hash: Felt,
    /// Calls left afterwards.
    pub remaining_calls: u32,
}

type Listener = Arc<dyn Fn(&SessionView) + Send + Sync>;

#[derive(Default)]
struct Shared {
    session: Option<SessionRecord>,
    snapshot: Option<ChainSnapshot>,
    /// Something was sent and failed: the cache may be behind the chain, so the next execution
    /// reads the chain first. The view keeps showing the last numbers read meanwhile.
    stale: bool,
    /// Chain time minus clock time, from the last status read.
    offset: i64,
    busy: Busy,
    last_error: Option<ErrorView>,
    unlocked: Option<SecretKey>,
    /// The owner's transaction of the last registration or revocation sent (whatever became of
    /// it): the view returned by that operation carries it, for its activity line.
    owner_transaction: Option<Felt>,
}

/// Session operations for one wallet.
pub struct SessionManager {
    wallet: Wallet,
    node: NodeClient,
    backend: std::sync::RwLock<Arc<dyn ExecutionBackend>>,
    clock: Arc<dyn Clock>,
    store: Arc<dyn SessionStore>,
    config: ManagerConfig,
    /// Held by every operation that reads or changes chain state: one at a time per wallet.
    ops: tokio::sync::Mutex<()>,
    shared: Mutex<Shared>,
    listener: Mutex<Option<Listener>>,
}

impl std::fmt::Debug for SessionManager {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionManager")
            .field("address", &self.wallet.address)
            .field("backend", &self.backend().name())
            .finish_non_exhaustive()
    }
}

#[derive(Clone, Copy)]
enum Op {
    Creating,
    Registering,
    Revoking,
    Executing,
    LoadingStatus,
}

impl Busy {
    fn flag(&mut self, op: Op) -> &mut bool {
        match op {
            Op::Creating => &mut self.creating,
            Op::Registering => &mut self.registering,
            Op::Revoking => &mut self.revoking,
            Op::Executing => &mut self.executing,
            Op::LoadingStatus => &mut self.loading_status,
        }
    }
}

struct BusyGuard<'a> {
    manager: &'a SessionManager,
    op: Op,
}

impl Drop for BusyGuard<'_> {
    fn drop(&mut self) {
        *self.manager.lock().busy.flag(self.op) = false;
        self.manager.notify();
    }
}

impl SessionManager {
    /// A manager of `wallet`'s session, reading the chain through `node` and executing through
    /// `backend`. `session` is the stored session, if any.
    pub fn new(
        wallet: Wallet,
        node: NodeClient,
        backend: Arc<dyn ExecutionBackend>,
        clock: Arc<dyn Clock>,
        store: Arc<dyn SessionStore>,
        config: ManagerConfig,
        session: Option<SessionRecord>,
    ) -> Self {
        Self {
            wallet,
            node,
            backend: std::sync::RwLock::new(backend),
            clock,
            store,
            config,
            ops: tokio::sync::Mutex::new(()),
            shared: Mutex::new(Shared {
                session,
                ..Shared::default()
            }),
            listener: Mutex::new(None),
        }
    }

    /// Calls `listener` with the new view after every change (state, busy flags, errors).
    pub fn set_listener(&self, listener: impl Fn(&SessionView) + Send + Sync + 'static) {
        *self
            .listener
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(Arc::new(listener));
    }

    fn lock(&self) -> MutexGuard<'_, Shared> {
        self.shared
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn notify(&self) {
        let listener = self
            .listener
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        if let Some(listener) = listener {
            listener(&self.view());
        }
    }

    fn busy(&self, op: Op) -> BusyGuard<'_> {
        *self.lock().busy.flag(op) = true;
        self.notify();
        BusyGuard { manager: self, op }
    }

    /// Records the outcome of an operation as the view's `last_error`.
    fn finish<T>(&self, result: Result<T, SessionError>) -> Result<T, SessionError> {
        self.lock().last_error = result.as_ref().err().map(|e| ErrorView {
            code: e.sdk_code(),
            message: e.to_string(),
        });
        self.notify();
        result
    }

    fn save(&self, record: Option<SessionRecord>) -> Result<(), SessionError> {
        self.store.save(record.as_ref())?;
        self.lock().session = record;
        self.notify();
        Ok(())
    }

    /// The wallet.
    pub fn wallet(&self) -> &Wallet {
        &self.wallet
    }

    /// The node client (its round-trip counter is public).
    pub fn node(&self) -> &NodeClient {
        &self.node
    }

    /// The backend.
    pub fn backend(&self) -> Arc<dyn ExecutionBackend> {
        self.backend
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Sends later operations through `backend` (the user changed the gas settings); the
    /// session key stays open. An operation under way finishes on the backend it started with.
    pub fn set_backend(&self, backend: Arc<dyn ExecutionBackend>) {
        *self
            .backend
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = backend;
    }

    /// The stored session record.
    pub fn record(&self) -> Option<SessionRecord> {
        self.lock().session.clone()
    }

    /// The chain's time: the clock plus the offset seen at the last status read.
    pub fn chain_now(&self) -> u64 {
        let offset = self.lock().offset;
        self.clock.now().saturating_add_signed(offset)
    }

    /// The session as the UI sees it.
    pub fn view(&self) -> SessionView {
        let now = self.chain_now();
        let shared = self.lock();
        let record = shared.session.as_ref();
        let status = shared.snapshot.as_ref().map(|s| &s.status);
        let state = match record {
            Some(r) if r.revoked => SessionState::Revoked,
            Some(r) => SessionState::derive(
                Some(&LocalSession {
                    public_key: r.public_key,
                    valid_until: r.valid_until,
                    registering: r.registering.is_some(),
                    registered: r.registered,
                }),
                status,
                now,
            ),
            None => SessionState::None,
        };
        let spending_limits = shared
            .snapshot
            .iter()
            .flat_map(|s| s.policies.iter())
            // A refusing policy (v33: nothing may move) is no limit to show: the token cannot be
            // sent, as a token without a policy on this project's class.
            .filter(|(_, p)| p.is_set() && p.max_per_call > 0)
            .map(|(token, p)| LimitView {
                token: format!("{token:#x}"),
                max_per_call: p.max_per_call.to_string(),
                max_per_window: p.max_per_window.to_string(),
                window_seconds: p.window_seconds,
                spent_in_window: if now.saturating_sub(p.window_start) >= p.window_seconds {
                    "0".into()
                } else {
                    p.spent.to_string()
                },
            })
            .collect();
        SessionView {
            address: format!("{:#x}", self.wallet.address),
            supports_sessions: self.wallet.supports_sessions(),
            state,
            public_key: record.map(|r| public_key_string(r.public_key)),
            valid_until: record.map(|r| r.valid_until),
            remaining_calls: status.filter(|s| s.is_active).map(|s| s.remaining_calls),
            max_calls: record.and_then(|r| r.max_calls),
            allowed_entrypoints: status
                .map(|s| {
                    s.allowed_entrypoints
                        .iter()
                        .map(|f| format!("{f:#x}"))
                        .collect()
                })
                .unwrap_or_default(),
            spending_limits,
            chain_time: now,
            busy: shared.busy,
            last_error: shared.last_error.clone(),
            owner_transaction: shared.owner_transaction.map(|h| format!("{h:#x}")),
        }
    }

    /// The derived state.
    pub fn state(&self) -> SessionState {
        self.view().state
    }

    fn current(&self) -> Result<SessionRecord, SessionError> {
        self.record().ok_or(SessionError::NoSession)
    }

    /// Fails with [`SessionError::WrongPin`] unless `owner` is this wallet's owner key.
    fn check_owner(&self, owner: &UnlockedOwner) -> Result<(), SessionError> {
        if owner.public_key() == self.wallet.owner_public_key {
            Ok(())
        } else {
            Err(SessionError::WrongPin)
        }
    }

    /// The nonce of the last status read and the chain time now.
    fn context(&self) -> SubmitContext {
        // Two statements: the guard of the first read is dropped before `chain_now` locks.
        let nonce = self.lock().snapshot.as_ref().map(|s| s.nonce);
        SubmitContext {
            nonce,
            now: self.chain_now(),
            direct_message: self.direct_message(),
            max_fee: None,
        }
    }

    /// What a session key signs on the direct path for this wallet's class.
    pub(super) fn direct_message(&self) -> DirectMessage {
        self.wallet
            .profile()
            .map(|p| p.direct_message)
            .unwrap_or_default()
    }

    async fn confirm(&self, hash: Felt, calls: &[Call]) -> Result<(), SessionError> {
        let receipt = self
            .node
            .wait_for_receipt(hash, self.config.polling)
            .await?;
        let session_events = self.wallet.profile().is_some_and(|p| p.session_events);
        check_receipt(
            &receipt,
            &expected_events_of(self.wallet.address, calls, session_events),
        )
    }
}
