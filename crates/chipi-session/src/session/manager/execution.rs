//! Using the session: the status read, opening its key, and executions checked locally first.

use starknet_core::types::{Call, Felt};

use super::{Executed, Op, SessionManager};
use crate::backends::{ExecutionBackend, Signer, SubmitContext};
use crate::chain::node_client::ChainSnapshot;

use crate::error::SessionError;
use crate::keys::sealed_secret::SealedSecret;
use crate::keys::secret_key::SecretKey;
use crate::session::policies::{is_value_call, spend_amount};
use crate::session::preflight::{check_execution, check_execution_without_policies};
use crate::session::record::{SessionRecord, REGISTRATION_DEADLINE};
use crate::session::signature::SessionSignature;
use crate::session::view::SessionView;

impl SessionManager {
    /// `refetchStatus`: session data, nonce, chain time and spending policies in one batched
    /// request; the result is cached for the following executions.
    pub async fn refresh_status(&self) -> Result<SessionView, SessionError> {
        let _op = self.ops.lock().await;
        let _busy = self.busy(Op::LoadingStatus);
        let result = self.refresh_inner().await;
        self.finish(result).map(|()| self.view())
    }

    pub(super) async fn refresh_inner(&self) -> Result<(), SessionError> {
        self.refresh_with(&[]).await
    }

    /// Reads the status, with the spending policies of the session's tokens and of `extra`.
    pub(super) async fn refresh_with(&self, extra: &[Felt]) -> Result<(), SessionError> {
        let profile = self.wallet.require_profile()?;
        let Some(mut record) = self.record() else {
            return Ok(());
        };
        let mut tokens = record.spending_tokens.clone();
        tokens.extend(extra.iter().filter(|t| !record.spending_tokens.contains(t)));
        let snapshot = self
            .node
            .session_snapshot(self.wallet.address, record.public_key, &tokens, &profile)
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
            record.registering_since = None;
            record.valid_until = snapshot.status.valid_until;
        } else if let Some(hash) = record.registering {
            // A registration sent before a restart: settle it from its receipt, or, when the
            // node has none past the deadline (it never saw it), as not registered, so a set-up
            // is offered again. One that lands later reads active at the next refresh.
            let overdue = record
                .registering_since
                .is_none_or(|since| self.clock.now() >= since + REGISTRATION_DEADLINE);
            match self.node.receipt(hash).await? {
                Some(receipt) => {
                    record.registering = None;
                    record.registering_since = None;
                    record.registered = receipt.succeeded;
                }
                None if overdue => {
                    record.registering = None;
                    record.registering_since = None;
                    record.registered = false;
                }
                None => {}
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

    /// Opens the session key: with `pin` when one is given (checked even when the key is open
    /// in memory: a wrong PIN never signs), else the unlocked one; checks it is the session's
    /// key.
    pub(super) fn session_key(
        &self,
        record: &SessionRecord,
        pin: Option<&str>,
    ) -> Result<SecretKey, SessionError> {
        if let Some(pin) = pin {
            return Self::open_session_key(record, pin);
        }
        match self.lock().unlocked.as_ref() {
            Some(key) if key.public_key() == record.public_key => {
                SecretKey::from_hex(&key.to_padded_hex())
            }
            _ => Err(SessionError::WrongPin),
        }
    }

    /// The record's sealed key opened with `pin`, whatever is open in memory.
    fn open_session_key(record: &SessionRecord, pin: &str) -> Result<SecretKey, SessionError> {
        let key = SealedSecret::parse(&record.sealed_key)?.open(pin)?;
        if key.public_key() != record.public_key {
            return Err(SessionError::WrongPin);
        }
        Ok(key)
    }

    /// Signs `hash` with the session key (the open one, or opened with `pin`):
    /// `[pk, r, s, valid_until]`, RFC 6979.
    pub fn sign_with_session(
        &self,
        hash: Felt,
        pin: Option<&str>,
    ) -> Result<Vec<Felt>, SessionError> {
        let record = self.current()?;
        // Limits not read back yet ([`Self::verify_registered_policies`] first): nothing signed.
        if let Some(unchecked) = &record.unchecked_policies {
            return Err(SessionError::PolicyNotSet {
                token: unchecked.policies.first().map_or(Felt::ZERO, |p| p.token),
            });
        }
        let key = self.session_key(&record, pin)?;
        Ok(SessionSignature::sign_secret(&key, hash, record.valid_until)?.to_felts())
    }

    /// Keeps the session key open in memory, so executions need no PIN until [`Self::lock_session`].
    pub fn unlock_session(&self, pin: &str) -> Result<(), SessionError> {
        let record = self.current()?;
        // Always checked against the sealed key: an unlock is a PIN check even when the key
        // is open already.
        let key = Self::open_session_key(&record, pin)?;
        self.lock().unlocked = Some(key);
        Ok(())
    }

    /// Whether the session's key is open in memory (executions need no PIN).
    pub fn session_unlocked(&self) -> bool {
        let record = self.record();
        let shared = self.lock();
        match (&shared.unlocked, record) {
            (Some(key), Some(record)) => key.public_key() == record.public_key,
            _ => false,
        }
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
        self.execute_paying(calls, pin, None, on_submitted).await
    }

    /// [`Self::execute_with_session_tracked`] with the most fee the user accepted for this
    /// execution (`max_fee`, the gas token's base units; the quote they saw): a gasless
    /// paymaster's fee above it is refused before signing, and the session's limit for the gas
    /// token is checked with it.
    pub async fn execute_paying(
        &self,
        calls: Vec<Call>,
        pin: Option<&str>,
        max_fee: Option<u128>,
        on_submitted: &(dyn Fn(Felt) + Sync),
    ) -> Result<Executed, SessionError> {
        let _op = self.ops.lock().await;
        let _busy = self.busy(Op::Executing);
        let result = self.execute_inner(calls, pin, max_fee, on_submitted).await;
        self.finish(result)
    }

    /// The calls the account will count (with a gasless fee at its most), checked against a
    /// fresh enough status: read again when stale or when a token's policy was not read yet.
    async fn checked(
        &self,
        calls: &[Call],
        fee_call: Option<Call>,
    ) -> Result<(SessionRecord, ChainSnapshot, u64), SessionError> {
        let profile = self.wallet.require_profile()?;
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
        let mut counted = calls.to_vec();
        counted.extend(fee_call);
        // A value call on a token whose policy was not read yet needs that policy first (on a
        // class that keeps policies).
        let unread: Vec<Felt> = if !profile.spending_policies {
            Vec::new()
        } else {
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
        // Limits a registration set and not yet read back (CHIPI v33): read before any signing,
        // once the refresh above has settled the registration.
        self.verify_policies().await?;
        let record = self.current()?;
        let snapshot = self
            .lock()
            .snapshot
            .clone()
            .ok_or(SessionError::NoSession)?;
        let now = self.chain_now();
        if profile.spending_policies {
            check_execution(
                self.wallet.address,
                &counted,
                &snapshot.status,
                record.registered,
                &snapshot.allowed_calls,
                &snapshot.policies,
                now,
            )?;
        } else {
            check_execution_without_policies(
                self.wallet.address,
                &counted,
                &snapshot.status,
                record.registered,
                now,
            )?;
        }
        Ok((record, snapshot, now))
    }

    /// What the account recorded for `calls`, applied to the cache without another read.
    fn record_execution(
        &self,
        backend: &dyn ExecutionBackend,
        calls: &[Call],
        now: u64,
    ) -> Result<u32, SessionError> {
        let mut shared = self.lock();
        let cached = shared.snapshot.as_mut().ok_or(SessionError::NoSession)?;
        cached.status.remaining_calls = cached.status.remaining_calls.saturating_sub(1);
        if backend.uses_account_nonce() {
            cached.nonce += Felt::ONE;
        }
        for (token, policy) in &mut cached.policies {
            let amounts: Vec<u128> = calls
                .iter()
                .filter(|c| c.to == *token)
                .filter_map(|c| spend_amount(c).ok().flatten())
                .collect();
            if !amounts.is_empty() {
                *policy = policy.after_spending(*token, &amounts, now)?;
            }
        }
        let remaining_calls = cached.status.remaining_calls;
        // A gasless fee is known only to the chain: read the spent amounts again next time.
        if backend.worst_fee_call().is_some() {
            shared.stale = true;
        }
        Ok(remaining_calls)
    }

    async fn execute_inner(
        &self,
        calls: Vec<Call>,
        pin: Option<&str>,
        max_fee: Option<u128>,
        on_submitted: &(dyn Fn(Felt) + Sync),
    ) -> Result<Executed, SessionError> {
        // One backend for the whole execution: the gas settings may change meanwhile.
        let backend = self.backend();
        let fee_call = backend
            .worst_fee_call()
            .map(|fee| lower_fee_call(fee, max_fee));
        let (record, snapshot, now) = self.checked(&calls, fee_call).await?;
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
                direct_message: self.direct_message(),
                max_fee,
            };
            let hash = backend
                .submit(self.wallet.address, &calls, signer, context)
                .await?;
            on_submitted(hash);
            let confirmed = self.confirm(hash, &calls).await;
            // A receipt was read (its effect there or not): the backend's kept send is settled,
            // and a retry is a new transfer. No receipt: kept, settled from the chain next time.
            if matches!(
                confirmed,
                Ok(()) | Err(SessionError::Reverted { .. } | SessionError::EffectMissing { .. })
            ) {
                backend.settled();
            }
            confirmed?;
            Ok::<Felt, SessionError>(hash)
        }
        .await;
        let hash = sent.inspect_err(|e| {
            tracing::warn!(backend = backend.name(), error = %e, "session execution failed");
            self.lock().stale = true;
        })?;
        tracing::info!(backend = backend.name(), hash = %format_args!("{hash:#x}"), calls = calls.len(), "session execution confirmed");
        let mut remaining_calls = self.record_execution(backend.as_ref(), &calls, now)?;
        // Classes other than ours count from the chain: their gasless path may consume no call
        // (or one the cache cannot predict), so the count is read again.
        if self.wallet.profile().is_some_and(|p| !p.session_events) {
            self.lock().stale = true;
            if self.refresh_inner().await.is_ok() {
                if let Some(snapshot) = self.lock().snapshot.as_ref() {
                    remaining_calls = snapshot.status.remaining_calls;
                }
            }
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
        let call = crate::session::registration::transfer_call(token, recipient, amount);
        self.execute_with_session(vec![call], pin).await
    }
}

/// A fee transfer `transfer(recipient, amount)` with its amount lowered to `max_fee` when given.
fn lower_fee_call(mut fee: Call, max_fee: Option<u128>) -> Call {
    if let (Some(accepted), Some(amount)) = (max_fee, fee.calldata.get_mut(1)) {
        if let Ok(current) = u128::try_from(*amount) {
            *amount = Felt::from(current.min(accepted));
        }
    }
    fee
}
