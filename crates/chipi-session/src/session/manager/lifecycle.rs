//! The session's life on chain: create, register, revoke, clear, export and import, and the
//! wallet's own deployment.

use starknet_core::types::{Call, Felt};

use super::{Op, RegisterParams, SessionManager, MIN_EXPORT_PASSPHRASE};
use crate::backends::paymaster::deployment_authorization;
use crate::backends::Signer;
use crate::chain::receipts::check_receipt;
use crate::error::SessionError;
use crate::keys::sealed_secret::SealedSecret;
use crate::keys::secret_key::SecretKey;
use crate::keys::session_key_data::SessionKeyData;
use crate::session::record::SessionRecord;
use crate::session::registration::{
    allow_session_calls_call, register_session_call, revoke_session_call, set_spending_policy_call,
};
use crate::session::state::SessionState;
use crate::session::view::SessionView;
use crate::wallet::UnlockedOwner;

impl SessionManager {
    /// `createSession`: a fresh key sealed under the wallet's PIN (the one `owner` was opened
    /// with), valid for `duration_seconds` (default 6 h). Local only. Refused while another
    /// session is created, registering or active (revoke or clear it first). The key is not
    /// kept open: executions need the PIN (or [`Self::unlock_session`]).
    pub fn create_session(
        &self,
        duration_seconds: Option<u64>,
        owner: &UnlockedOwner,
    ) -> Result<SessionView, SessionError> {
        self.create(duration_seconds, owner, false)
    }

    /// [`Self::create_session`], keeping the new key open for executions, as
    /// [`Self::unlock_session`] would, without opening it again: sealing it is the only Argon2id
    /// run it costs.
    pub fn create_and_unlock_session(
        &self,
        duration_seconds: Option<u64>,
        owner: &UnlockedOwner,
    ) -> Result<SessionView, SessionError> {
        self.create(duration_seconds, owner, true)
    }

    fn create(
        &self,
        duration_seconds: Option<u64>,
        owner: &UnlockedOwner,
        keep_open: bool,
    ) -> Result<SessionView, SessionError> {
        let _busy = self.busy(Op::Creating);
        let result = self.create_inner(duration_seconds, owner, keep_open);
        self.finish(result).map(|()| self.view())
    }

    fn create_inner(
        &self,
        duration_seconds: Option<u64>,
        owner: &UnlockedOwner,
        keep_open: bool,
    ) -> Result<(), SessionError> {
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
        self.check_owner(owner)?;
        let key = SecretKey::generate()?;
        let record = SessionRecord {
            public_key: key.public_key(),
            sealed_key: SealedSecret::seal(&key, owner.pin())?.as_str().to_owned(),
            valid_until: self.chain_now() + duration,
            registered: false,
            registering: None,
            registering_since: None,
            revoked: false,
            spending_tokens: vec![],
            max_calls: None,
            unchecked_policies: None,
        };
        self.save(Some(record))?;
        let mut shared = self.lock();
        shared.snapshot = None;
        shared.unlocked = keep_open.then_some(key);
        Ok(())
    }

    /// `registerSession`: the `owner` registers the session with its budget,
    /// allowlist and spending limits in one transaction; success once the receipt shows it.
    pub async fn register_session(
        &self,
        params: RegisterParams,
        owner: &UnlockedOwner,
    ) -> Result<SessionView, SessionError> {
        self.registration(params, owner, false).await
    }

    /// A registration (`extend`: of the registered key again), under the operation lock.
    pub(super) async fn registration(
        &self,
        params: RegisterParams,
        owner: &UnlockedOwner,
        extend: bool,
    ) -> Result<SessionView, SessionError> {
        let _op = self.ops.lock().await;
        self.lock().owner_transaction = None;
        let _busy = self.busy(Op::Registering);
        let result = if extend {
            self.extend_inner(params, owner).await
        } else {
            self.register_inner(params, owner).await
        };
        self.finish(result).map(|()| self.view())
    }

    /// What a registration of `record` with `params` will set on chain: the expiry, the call
    /// budget and the tokens with a spending policy; refused before anything is signed.
    fn check_registration(
        &self,
        params: &RegisterParams,
        record: &SessionRecord,
    ) -> Result<(u64, u32, Vec<Felt>), SessionError> {
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
        // Limits the account's class cannot keep are refused before anything is signed: the
        // session would otherwise run on chain without them.
        self.wallet.require_profile()?.check_limits(
            !params.spending_policies.is_empty(),
            !params.allowed_calls.is_empty(),
        )?;
        if params.allowed_entrypoints.is_empty() && params.allowed_calls.is_empty() {
            return Err(SessionError::InvalidSessionParams(
                "allow at least one entrypoint: an empty allowlist allows nothing".into(),
            ));
        }
        // The tokens read with the status: those given a refusing policy too.
        let tokens = self
            .registered_policies(params)
            .iter()
            .map(|p| p.token)
            .collect();
        Ok((valid_until, max_calls, tokens))
    }

    /// The owner's calls that register `session_key` with its rules, in one transaction.
    fn registration_calls(
        &self,
        params: &RegisterParams,
        session_key: Felt,
        valid_until: u64,
        max_calls: u32,
    ) -> Vec<Call> {
        let address = self.wallet.address;
        let mut calls = vec![register_session_call(
            address,
            session_key,
            valid_until,
            max_calls,
            &params.allowed_entrypoints,
        )];
        if !params.allowed_calls.is_empty() {
            calls.push(allow_session_calls_call(
                address,
                session_key,
                &params.allowed_calls,
            ));
        }
        calls.extend(self.registered_policies(params).iter().map(|p| {
            set_spending_policy_call(
                address,
                session_key,
                p.token,
                p.max_per_call,
                p.max_per_window,
                p.window_seconds,
            )
        }));
        calls
    }

    async fn register_inner(
        &self,
        params: RegisterParams,
        owner: &UnlockedOwner,
    ) -> Result<(), SessionError> {
        let record = self.current()?;
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
        self.register_record(params, owner, record).await
    }

    /// Registers `record`'s key with `params` (the state was checked by the caller).
    pub(super) async fn register_record(
        &self,
        params: RegisterParams,
        owner: &UnlockedOwner,
        mut record: SessionRecord,
    ) -> Result<(), SessionError> {
        self.wallet.require_sessions()?;
        let (valid_until, max_calls, tokens) = self.check_registration(&params, &record)?;
        let calls = self.registration_calls(&params, record.public_key, valid_until, max_calls);
        let hash = self.submit_as_owner(&calls, owner).await?;
        tracing::info!(hash = %format_args!("{hash:#x}"), calls = calls.len(), "session registration sent");
        self.lock().owner_transaction = Some(hash);
        record.registering = Some(hash);
        record.registering_since = Some(self.clock.now());
        // Kept with the transaction: a crash before its receipt must not lose the limits the
        // card and the local checks read once it is settled from the chain.
        record.spending_tokens = tokens;
        record.max_calls = Some(max_calls);
        // And the policies still to read back: until they are, nothing is signed with it.
        record.unchecked_policies = self.policies_to_check(&params, hash);
        self.save(Some(record.clone()))?;
        let outcome = self.confirm(hash, &calls).await;
        record.registering = None;
        record.registering_since = None;
        if outcome.is_ok() {
            record.registered = true;
            record.valid_until = valid_until;
            // The status read before registering says "inactive"; with `registered` set it
            // would read as revoked until the read below replaces it.
            self.lock().snapshot = None;
        }
        self.save(Some(record))?;
        outcome?;
        self.refresh_inner().await?;
        // A class without session events is checked by its status: the key must read active.
        let active = self
            .lock()
            .snapshot
            .as_ref()
            .is_some_and(|s| s.status.is_active);
        if !active {
            return Err(SessionError::EffectMissing {
                transaction_hash: hash,
                event: "active session status",
            });
        }
        self.check_policies_set(owner).await
    }

    /// Sends `calls` signed by `owner` (checked to be this wallet's) through the backend.
    pub(super) async fn submit_as_owner(
        &self,
        calls: &[Call],
        owner: &UnlockedOwner,
    ) -> Result<Felt, SessionError> {
        self.check_owner(owner)?;
        self.backend()
            .submit(
                self.wallet.address,
                calls,
                Signer::Owner(owner.key()),
                self.context(),
            )
            .await
    }

    /// `revokeSession`: the `owner` revokes the session on chain; success once the receipt shows
    /// the revocation.
    pub async fn revoke_session(&self, owner: &UnlockedOwner) -> Result<SessionView, SessionError> {
        let _op = self.ops.lock().await;
        self.lock().owner_transaction = None;
        let _busy = self.busy(Op::Revoking);
        let result = self.revoke_inner(owner).await;
        self.finish(result).map(|()| self.view())
    }

    async fn revoke_inner(&self, owner: &UnlockedOwner) -> Result<(), SessionError> {
        self.wallet.require_sessions()?;
        let mut record = self.current()?;
        if record.revoked {
            return Err(SessionError::SessionRevoked);
        }
        if !record.registered {
            return Err(SessionError::SessionNotRegistered);
        }
        let calls = vec![revoke_session_call(self.wallet.address, record.public_key)];
        let hash = self.submit_as_owner(&calls, owner).await?;
        tracing::info!(hash = %format_args!("{hash:#x}"), "session revocation sent");
        self.lock().owner_transaction = Some(hash);
        self.confirm(hash, &calls).await?;
        record.revoked = true;
        self.save(Some(record))?;
        self.lock().unlocked = None;
        self.refresh_inner().await?;
        // A class without session events is checked by its status: the key must read inactive.
        let still_active = self
            .lock()
            .snapshot
            .as_ref()
            .is_some_and(|s| s.status.is_active);
        if still_active {
            return Err(SessionError::EffectMissing {
                transaction_hash: hash,
                event: "revoked session status",
            });
        }
        Ok(())
    }

    /// `clearSession`: forgets the device's session (nothing on chain changes). A session that
    /// is active (or being registered) on chain could no longer be revoked from this device once
    /// forgotten, so forgetting it needs the wallet's `owner` key, opened with the PIN
    /// ([`SessionError::SessionStillActive`] without it); revoke it first to end it on chain.
    pub async fn clear_session(
        &self,
        owner: Option<&UnlockedOwner>,
    ) -> Result<SessionView, SessionError> {
        let _op = self.ops.lock().await;
        if matches!(
            self.state(),
            SessionState::Active | SessionState::Registering
        ) {
            self.check_owner(owner.ok_or(SessionError::SessionStillActive)?)?;
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
    /// under the wallet's PIN (the one `owner` was opened with). Its registration is read from
    /// the chain on the next refresh.
    pub async fn import_session(
        &self,
        data: &SessionKeyData,
        sdk_pin: &str,
        owner: &UnlockedOwner,
    ) -> Result<SessionView, SessionError> {
        let _op = self.ops.lock().await;
        let result = self.import_inner(data, sdk_pin, owner).await;
        self.finish(result).map(|()| self.view())
    }

    async fn import_inner(
        &self,
        data: &SessionKeyData,
        sdk_pin: &str,
        owner: &UnlockedOwner,
    ) -> Result<(), SessionError> {
        self.wallet.require_sessions()?;
        if matches!(
            self.state(),
            SessionState::Created | SessionState::Registering | SessionState::Active
        ) {
            return Err(SessionError::SessionExists);
        }
        let key = data.import(sdk_pin)?;
        self.check_owner(owner)?;
        let record = SessionRecord {
            public_key: key.public_key(),
            sealed_key: SealedSecret::seal(&key, owner.pin())?.as_str().to_owned(),
            valid_until: data.valid_until,
            registered: false,
            registering: None,
            registering_since: None,
            revoked: false,
            spending_tokens: vec![],
            max_calls: None,
            unchecked_policies: None,
        };
        self.save(Some(record))?;
        self.lock().snapshot = None;
        self.refresh_inner().await
    }

    /// Deploys the wallet through the backend (gasless with a paymaster) and waits for it; the
    /// request carries `owner`'s signature over the deployment (a sponsor deploys nothing
    /// without it). Run again after a failure: a deployment that did land is seen on chain.
    pub async fn deploy_wallet(&self, owner: &UnlockedOwner) -> Result<Felt, SessionError> {
        let _op = self.ops.lock().await;
        let deployment = self.wallet.deployment()?;
        if owner.public_key() != self.wallet.owner_public_key {
            return Err(SessionError::WrongPin);
        }
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
        let chain_id = self.node.chain_id().await?;
        let signature = owner
            .key()
            .sign(&deployment_authorization(chain_id, deployment.address))?;
        let hash = self
            .backend()
            .deploy(&deployment, &[signature.r, signature.s])
            .await?;
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
