//! The session manager: the `useChipiSession` operations over one wallet, with a state machine
//! that never shows an unregistered session as revoked, the account's rules checked locally
//! before any round trip, receipts checked for their effect, and executions serialised.

use std::sync::{Arc, Mutex, MutexGuard};

use starknet_core::types::{Call, Felt};

use crate::backend::{ExecutionBackend, Signer, SubmitContext};
use crate::clock::Clock;
use crate::entrypoint::{selector, TRANSFER};
use crate::error::SessionError;
use crate::expected_effect::{check_receipt, expected_events};
use crate::node_client::{ChainSnapshot, NodeClient, Polling};
use crate::preflight::check_execution;
use crate::registration::{
    allow_session_calls_call, register_session_call, revoke_session_call, set_spending_policy_call,
};
use crate::sealed_secret::SealedSecret;
use crate::secret_key::{public_key_string, SecretKey};
use crate::session_key_data::SessionKeyData;
use crate::session_record::{SessionRecord, SessionStore};
use crate::session_state::{LocalSession, SessionState};
use crate::session_view::{Busy, ErrorView, LimitView, SessionView};
use crate::spending_policy::{is_value_call, spend_amount};
use crate::wallet::Wallet;

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

/// Shortest passphrase a session export is encrypted with.
pub const MIN_EXPORT_PASSPHRASE: usize = 12;

/// A spending limit to register with a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
}

/// Session operations for one wallet.
pub struct SessionManager {
    wallet: Wallet,
    node: NodeClient,
    backend: Arc<dyn ExecutionBackend>,
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
            .field("backend", &self.backend.name())
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
            backend,
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
    pub fn backend(&self) -> &dyn ExecutionBackend {
        self.backend.as_ref()
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
            .filter(|(_, p)| p.is_set())
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
        }
    }

    /// The derived state.
    pub fn state(&self) -> SessionState {
        self.view().state
    }

    fn current(&self) -> Result<SessionRecord, SessionError> {
        self.record().ok_or(SessionError::NoSession)
    }

    /// `createSession`: a fresh key sealed under the wallet's PIN, valid for `duration_seconds`
    /// (default 6 h). Local only. Refused while another session is created, registering or
    /// active (revoke or clear it first).
    pub fn create_session(
        &self,
        duration_seconds: Option<u64>,
        pin: &str,
    ) -> Result<SessionView, SessionError> {
        let _busy = self.busy(Op::Creating);
        let result = self.create_inner(duration_seconds, pin);
        self.finish(result).map(|()| self.view())
    }

    fn create_inner(&self, duration_seconds: Option<u64>, pin: &str) -> Result<(), SessionError> {
        self.wallet.require_sessions()?;
        let duration = duration_seconds.unwrap_or(self.config.default_duration_seconds);
        if duration == 0 || duration > self.config.max_duration_seconds {
            return Err(SessionError::InvalidSessionParams(format!(
                "duration must be 1 to {} seconds",
                self.config.max_duration_seconds
            )));
        }
        if matches!(
            self.state(),
            SessionState::Created | SessionState::Registering | SessionState::Active
        ) {
            return Err(SessionError::SessionExists);
        }
        self.wallet.open_owner(pin)?;
        let key = SecretKey::generate()?;
        let record = SessionRecord {
            public_key: key.public_key(),
            sealed_key: SealedSecret::seal(&key, pin)?.as_str().to_owned(),
            valid_until: self.chain_now() + duration,
            registered: false,
            registering: None,
            revoked: false,
            spending_tokens: vec![],
        };
        self.save(Some(record))?;
        let mut shared = self.lock();
        shared.snapshot = None;
        shared.unlocked = None;
        Ok(())
    }

    /// `registerSession`: the owner (opened with `pin`) registers the session with its budget,
    /// allowlist and spending limits in one transaction; success once the receipt shows it.
    pub async fn register_session(
        &self,
        params: RegisterParams,
        pin: &str,
    ) -> Result<SessionView, SessionError> {
        let _op = self.ops.lock().await;
        let _busy = self.busy(Op::Registering);
        let result = self.register_inner(params, pin).await;
        self.finish(result).map(|()| self.view())
    }

    async fn register_inner(&self, params: RegisterParams, pin: &str) -> Result<(), SessionError> {
        self.wallet.require_sessions()?;
        let mut record = self.current()?;
        match self.state() {
            SessionState::Created => {}
            SessionState::Registering => {
                return Err(SessionError::InvalidSessionParams(
                    "a registration is pending".into(),
                ))
            }
            SessionState::Active => return Err(SessionError::SessionExists),
            SessionState::Revoked => return Err(SessionError::SessionRevoked),
            SessionState::Expired => {
                return Err(SessionError::SessionExpired {
                    valid_until: record.valid_until,
                })
            }
            SessionState::None => return Err(SessionError::NoSession),
        }
        let valid_until = params.valid_until.unwrap_or(record.valid_until);
        if valid_until <= self.chain_now() {
            return Err(SessionError::InvalidSessionParams(
                "valid_until is in the past".into(),
            ));
        }
        let max_calls = params.max_calls.unwrap_or(self.config.default_max_calls);
        if max_calls == 0 {
            return Err(SessionError::InvalidSessionParams(
                "max_calls must be at least 1".into(),
            ));
        }
        let mut tokens = Vec::new();
        for p in &params.spending_policies {
            if p.window_seconds == 0
                || p.max_per_call == 0
                || p.max_per_call > p.max_per_window
                || tokens.contains(&p.token)
            {
                return Err(SessionError::InvalidSpendingPolicy(format!(
                    "{:#x}: needs a window, 0 < per call <= per window, one limit per token",
                    p.token
                )));
            }
            tokens.push(p.token);
        }
        if params.allowed_entrypoints.is_empty() && params.allowed_calls.is_empty() {
            return Err(SessionError::InvalidSessionParams(
                "allow at least one entrypoint: an empty allowlist allows nothing".into(),
            ));
        }
        let owner = self.wallet.open_owner(pin)?;
        let address = self.wallet.address;
        let mut calls = vec![register_session_call(
            address,
            record.public_key,
            valid_until,
            max_calls,
            &params.allowed_entrypoints,
        )];
        if !params.allowed_calls.is_empty() {
            calls.push(allow_session_calls_call(
                address,
                record.public_key,
                &params.allowed_calls,
            ));
        }
        calls.extend(params.spending_policies.iter().map(|p| {
            set_spending_policy_call(
                address,
                record.public_key,
                p.token,
                p.max_per_call,
                p.max_per_window,
                p.window_seconds,
            )
        }));
        let hash = self
            .backend
            .submit(address, &calls, Signer::Owner(&owner), self.context())
            .await?;
        record.registering = Some(hash);
        self.save(Some(record.clone()))?;
        let outcome = self.confirm(hash, &calls).await;
        record.registering = None;
        if outcome.is_ok() {
            record.registered = true;
            record.valid_until = valid_until;
            record.spending_tokens = tokens;
            // The status read before registering says "inactive"; with `registered` set it
            // would read as revoked until the read below replaces it.
            self.lock().snapshot = None;
        }
        self.save(Some(record))?;
        outcome?;
        self.refresh_inner().await
    }

    /// The nonce of the last status read and the chain time now.
    fn context(&self) -> SubmitContext {
        // Two statements: the guard of the first read is dropped before `chain_now` locks.
        let nonce = self.lock().snapshot.as_ref().map(|s| s.nonce);
        SubmitContext {
            nonce,
            now: self.chain_now(),
        }
    }

    async fn confirm(&self, hash: Felt, calls: &[Call]) -> Result<(), SessionError> {
        let receipt = self
            .node
            .wait_for_receipt(hash, self.config.polling)
            .await?;
        check_receipt(&receipt, &expected_events(self.wallet.address, calls))
    }

    /// `refetchStatus`: session data, nonce, chain time and spending policies in one batched
    /// request; the result is cached for the following executions.
    pub async fn refresh_status(&self) -> Result<SessionView, SessionError> {
        let _op = self.ops.lock().await;
        let _busy = self.busy(Op::LoadingStatus);
        let result = self.refresh_inner().await;
        self.finish(result).map(|()| self.view())
    }

    async fn refresh_inner(&self) -> Result<(), SessionError> {
        self.refresh_with(&[]).await
    }

    /// Reads the status, with the spending policies of the session's tokens and of `extra`.
    async fn refresh_with(&self, extra: &[Felt]) -> Result<(), SessionError> {
        self.wallet.require_sessions()?;
        let Some(mut record) = self.record() else {
            return Ok(());
        };
        let mut tokens = record.spending_tokens.clone();
        tokens.extend(extra.iter().filter(|t| !record.spending_tokens.contains(t)));
        let snapshot = self
            .node
            .session_snapshot(self.wallet.address, record.public_key, &tokens)
            .await?;
        let offset = i64::try_from(snapshot.block_timestamp).unwrap_or(i64::MAX)
            - i64::try_from(self.clock.now()).unwrap_or(i64::MAX);
        let before = record.clone();
        // Tokens found with a policy (an imported session's, or a fee token's) are read from
        // now on, so the card shows their limits.
        for (token, policy) in &snapshot.policies {
            if policy.is_set() && !record.spending_tokens.contains(token) {
                record.spending_tokens.push(*token);
            }
        }
        if snapshot.status.is_active {
            record.registered = true;
            record.registering = None;
            record.valid_until = snapshot.status.valid_until;
        } else if let Some(hash) = record.registering {
            // A registration sent before a restart: settle it from its receipt.
            if let Some(receipt) = self.node.receipt(hash).await? {
                record.registering = None;
                record.registered = receipt.succeeded;
            }
        }
        if record != before {
            self.save(Some(record))?;
        }
        let mut shared = self.lock();
        shared.snapshot = Some(snapshot);
        shared.stale = false;
        shared.offset = offset;
        Ok(())
    }

    /// Opens the session key: the unlocked one, or with `pin`; checks it is the session's key.
    fn session_key(
        &self,
        record: &SessionRecord,
        pin: Option<&str>,
    ) -> Result<SecretKey, SessionError> {
        if let Some(key) = self.lock().unlocked.as_ref() {
            if key.public_key() == record.public_key {
                return SecretKey::from_hex(&key.to_padded_hex());
            }
        }
        let pin = pin.ok_or(SessionError::WrongPin)?;
        let key = SealedSecret::parse(&record.sealed_key)?.open(pin)?;
        if key.public_key() != record.public_key {
            return Err(SessionError::WrongPin);
        }
        Ok(key)
    }

    /// Keeps the session key open in memory, so executions need no PIN until [`Self::lock_session`].
    pub fn unlock_session(&self, pin: &str) -> Result<(), SessionError> {
        let record = self.current()?;
        let key = self.session_key(&record, Some(pin))?;
        self.lock().unlocked = Some(key);
        Ok(())
    }

    /// Forgets the unlocked session key.
    pub fn lock_session(&self) {
        self.lock().unlocked = None;
    }

    /// `executeWithSession`: checks the calls against the cached status (expiry, budget,
    /// allowlist, spending limits) before any round trip, signs with the session key, submits
    /// through the backend, and succeeds once the receipt shows every expected effect.
    pub async fn execute_with_session(
        &self,
        calls: Vec<Call>,
        pin: Option<&str>,
    ) -> Result<Executed, SessionError> {
        self.execute_with_session_tracked(calls, pin, &|_| {}).await
    }

    /// [`Self::execute_with_session`], calling `on_submitted` with the transaction hash as soon
    /// as the backend has it, before the receipt: a caller that may be stopped meanwhile records
    /// it, and can learn the real outcome later from the receipt.
    pub async fn execute_with_session_tracked(
        &self,
        calls: Vec<Call>,
        pin: Option<&str>,
        on_submitted: &(dyn Fn(Felt) + Sync),
    ) -> Result<Executed, SessionError> {
        let _op = self.ops.lock().await;
        let _busy = self.busy(Op::Executing);
        let result = self.execute_inner(calls, pin, on_submitted).await;
        self.finish(result)
    }

    async fn execute_inner(
        &self,
        calls: Vec<Call>,
        pin: Option<&str>,
        on_submitted: &(dyn Fn(Felt) + Sync),
    ) -> Result<Executed, SessionError> {
        self.wallet.require_sessions()?;
        let record = self.current()?;
        if record.revoked {
            return Err(SessionError::SessionRevoked);
        }
        if self.chain_now() > record.valid_until {
            return Err(SessionError::SessionExpired {
                valid_until: record.valid_until,
            });
        }
        let cached = {
            let shared = self.lock();
            shared.snapshot.is_some() && !shared.stale
        };
        // What the account will count: the calls, and a gasless fee at the most accepted.
        let mut counted = calls.clone();
        counted.extend(self.backend.worst_fee_call());
        // A value call on a token whose policy was not read yet needs that policy first.
        let unread: Vec<Felt> = {
            let shared = self.lock();
            counted
                .iter()
                .filter(|c| is_value_call(c.selector))
                .map(|c| c.to)
                .filter(|t| {
                    !shared
                        .snapshot
                        .as_ref()
                        .is_some_and(|s| s.policies.iter().any(|(p, _)| p == t))
                })
                .collect()
        };
        if !cached || !unread.is_empty() {
            self.refresh_with(&unread).await?;
        }
        let record = self.current()?;
        let snapshot = self
            .lock()
            .snapshot
            .clone()
            .ok_or(SessionError::NoSession)?;
        let now = self.chain_now();
        check_execution(
            self.wallet.address,
            &counted,
            &snapshot.status,
            record.registered,
            &snapshot.allowed_calls,
            &snapshot.policies,
            now,
        )?;
        let key = self.session_key(&record, pin)?;
        let signer = Signer::Session {
            key: &key,
            valid_until: record.valid_until,
        };
        // From here on a failure may leave the chain ahead of the cache (a nonce used, a call
        // counted); refusals above were decided locally and changed nothing.
        let sent = async {
            let context = SubmitContext {
                nonce: Some(snapshot.nonce),
                now,
            };
            let hash = self
                .backend
                .submit(self.wallet.address, &calls, signer, context)
                .await?;
            on_submitted(hash);
            self.confirm(hash, &calls).await?;
            self.backend.settled();
            Ok::<Felt, SessionError>(hash)
        }
        .await;
        let hash = sent.inspect_err(|_| self.lock().stale = true)?;
        // What the account recorded, without another read.
        let mut shared = self.lock();
        let cached = shared.snapshot.as_mut().ok_or(SessionError::NoSession)?;
        cached.status.remaining_calls = cached.status.remaining_calls.saturating_sub(1);
        if self.backend.uses_account_nonce() {
            cached.nonce += Felt::ONE;
        }

        for (token, policy) in &mut cached.policies {
            let amounts: Vec<u128> = calls
                .iter()
                .filter(|c| c.to == *token)
                .filter_map(|c| spend_amount(c).ok().flatten())
                .collect();
            if !amounts.is_empty() {
                *policy = policy.after_spending(&amounts, now)?;
            }
        }
        let remaining_calls = cached.status.remaining_calls;
        // A gasless fee is known only to the chain: read the spent amounts again next time.
        if self.backend.worst_fee_call().is_some() {
            shared.stale = true;
        }
        Ok(Executed {
            transaction_hash: hash,
            remaining_calls,
        })
    }

    /// An ERC-20 transfer of `amount` base units of `token` to `recipient`, with the session.
    pub async fn transfer(
        &self,
        token: Felt,
        recipient: Felt,
        amount: u128,
        pin: Option<&str>,
    ) -> Result<Executed, SessionError> {
        let call = Call {
            to: token,
            selector: selector(TRANSFER),
            calldata: vec![recipient, Felt::from(amount), Felt::ZERO],
        };
        self.execute_with_session(vec![call], pin).await
    }

    /// `revokeSession`: the owner (opened with `pin`) revokes the session on chain; success once
    /// the receipt shows the revocation.
    pub async fn revoke_session(&self, pin: &str) -> Result<SessionView, SessionError> {
        let _op = self.ops.lock().await;
        let _busy = self.busy(Op::Revoking);
        let result = self.revoke_inner(pin).await;
        self.finish(result).map(|()| self.view())
    }

    async fn revoke_inner(&self, pin: &str) -> Result<(), SessionError> {
        self.wallet.require_sessions()?;
        let mut record = self.current()?;
        if record.revoked {
            return Err(SessionError::SessionRevoked);
        }
        if !record.registered {
            return Err(SessionError::SessionNotRegistered);
        }
        let owner = self.wallet.open_owner(pin)?;
        let calls = vec![revoke_session_call(self.wallet.address, record.public_key)];
        let hash = self
            .backend
            .submit(
                self.wallet.address,
                &calls,
                Signer::Owner(&owner),
                self.context(),
            )
            .await?;
        self.confirm(hash, &calls).await?;
        record.revoked = true;
        self.save(Some(record))?;
        self.lock().unlocked = None;
        self.refresh_inner().await
    }

    /// `clearSession`: forgets the device's session (nothing on chain changes). A session that
    /// is active (or being registered) on chain could no longer be revoked from this device once
    /// forgotten, so forgetting it needs the wallet's `pin`
    /// ([`SessionError::SessionStillActive`] without it); revoke it first to end it on chain.
    pub async fn clear_session(&self, pin: Option<&str>) -> Result<SessionView, SessionError> {
        let _op = self.ops.lock().await;
        if matches!(
            self.state(),
            SessionState::Active | SessionState::Registering
        ) {
            let pin = pin.ok_or(SessionError::SessionStillActive)?;
            self.wallet.open_owner(pin)?;
        }
        self.save(None)?;
        {
            let mut shared = self.lock();
            shared.snapshot = None;
            shared.unlocked = None;
        }
        self.finish(Ok(())).map(|()| self.view())
    }

    /// Exports the session key (opened with `pin`) in the SDK's `SessionKeyData` shape,
    /// encrypted with `passphrase`. The SDK's format derives its key with one round of MD5, far
    /// weaker than the wallet's own sealing, so the export never reuses the PIN that also seals
    /// the owner key: a passphrase of fewer than 12 characters, or equal to the PIN, is refused.
    pub fn export_session(
        &self,
        pin: &str,
        passphrase: &str,
    ) -> Result<SessionKeyData, SessionError> {
        if passphrase.chars().count() < MIN_EXPORT_PASSPHRASE || passphrase == pin {
            return Err(SessionError::WeakExportPassphrase);
        }
        let record = self.current()?;
        let key = self.session_key(&record, Some(pin))?;
        SessionKeyData::export(&key, passphrase, record.valid_until)
    }

    /// Imports a session from the SDK's `SessionKeyData` (decrypted with `sdk_pin`), sealing it
    /// under the wallet's `pin`. Its registration is read from the chain on the next refresh.
    pub async fn import_session(
        &self,
        data: &SessionKeyData,
        sdk_pin: &str,
        pin: &str,
    ) -> Result<SessionView, SessionError> {
        let _op = self.ops.lock().await;
        let result = self.import_inner(data, sdk_pin, pin).await;
        self.finish(result).map(|()| self.view())
    }

    async fn import_inner(
        &self,
        data: &SessionKeyData,
        sdk_pin: &str,
        pin: &str,
    ) -> Result<(), SessionError> {
        self.wallet.require_sessions()?;
        if matches!(
            self.state(),
            SessionState::Created | SessionState::Registering | SessionState::Active
        ) {
            return Err(SessionError::SessionExists);
        }
        let key = data.import(sdk_pin)?;
        self.wallet.open_owner(pin)?;
        let record = SessionRecord {
            public_key: key.public_key(),
            sealed_key: SealedSecret::seal(&key, pin)?.as_str().to_owned(),
            valid_until: data.valid_until,
            registered: false,
            registering: None,
            revoked: false,
            spending_tokens: vec![],
        };
        self.save(Some(record))?;
        self.lock().snapshot = None;
        self.refresh_inner().await
    }

    /// Deploys the wallet through the backend (gasless with a paymaster) and waits for it.
    pub async fn deploy_wallet(&self) -> Result<Felt, SessionError> {
        let _op = self.ops.lock().await;
        let deployment = self.wallet.deployment()?;
        if self
            .node
            .class_hash_at(self.wallet.address)
            .await?
            .is_some()
        {
            return Err(SessionError::Unsupported(
                "the account is already deployed".into(),
            ));
        }
        let hash = self.backend.deploy(&deployment).await?;
        let receipt = self
            .node
            .wait_for_receipt(hash, self.config.polling)
            .await?;
        check_receipt(&receipt, &[])?;
        match self.node.class_hash_at(self.wallet.address).await? {
            Some(class_hash) if class_hash == self.wallet.class_hash => Ok(hash),
            _ => Err(SessionError::AccountNotDeployed),
        }
    }
}
