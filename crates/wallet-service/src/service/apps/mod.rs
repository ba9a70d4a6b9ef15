//! Apps paired through the wallet API, each with a session of its own: its key sealed under the
//! PIN in an entry of its own, its rules from the policy the user approved, its manager built
//! from the preferences when first needed. An app's calls run through the same preflight and
//! the same activity as the Send screen's; what its session does not allow is refused before
//! anything is signed.

mod outside;
mod parts;
mod prompt;

use std::sync::Arc;

use chipi_session::{
    parse_amount, PolicySpec, RegisterParams, SessionError, SessionManager, SessionState,
};
use starknet_core::types::{Call, Felt};
use wallet_api::{PairRequest, SessionPolicy, WalletEvent};

use super::{blocking, hex, lock, WalletService};
use crate::app_prefs::{new_app_id, AppPrefs};
use crate::error::{Field, ServiceError};
use crate::host::Confirmation;
use crate::keychain::app_session_entry;
use crate::pin::Pin;
use crate::views::{ActivityKind, ActivityStatus, AppInfo, TxResult};
use parts::allowed_pairs;
pub(super) use parts::app_mut;
pub(in crate::service) use parts::AppManagers;
pub use parts::{is_refusal, parse_calls};

impl WalletService {
    /// The paired apps of the wallet on the network in use, with their sessions.
    pub fn apps(&self) -> Result<Vec<AppInfo>, ServiceError> {
        let prefs = self.prefs.get();
        let Some(wallet) = prefs.wallet.as_ref() else {
            return Ok(vec![]);
        };
        wallet
            .apps
            .iter()
            .map(|app| {
                let manager = self.app_manager(&app.id)?;
                Ok(AppInfo::of(app, &prefs.network, &manager.view()))
            })
            .collect()
    }

    /// [`Self::apps`] after reading each live session from the chain (calls left, spent this
    /// window); a session the node did not answer for shows what was last read.
    pub async fn apps_refreshed(&self) -> Result<Vec<AppInfo>, ServiceError> {
        let ids: Vec<String> = self
            .prefs
            .get()
            .wallet
            .map(|w| w.apps.into_iter().map(|a| a.id).collect())
            .unwrap_or_default();
        for id in ids {
            let manager = self.app_manager(&id)?;
            if matches!(
                manager.state(),
                SessionState::Active | SessionState::Registering
            ) {
                if let Err(e) = manager.refresh_status().await {
                    tracing::warn!(app = %id, error = %e, "an app's session could not be read");
                }
            }
        }
        self.apps()
    }

    /// The paired app whose token hashes to `token_hash` (hex).
    pub fn app_by_token(&self, token_hash: &str) -> Option<AppPrefs> {
        self.prefs
            .get()
            .wallet?
            .apps
            .into_iter()
            .find(|a| a.token_hash == token_hash)
    }

    /// The paired app `id`.
    pub(super) fn app(&self, id: &str) -> Result<AppPrefs, ServiceError> {
        self.prefs
            .get()
            .wallet
            .and_then(|w| w.apps.into_iter().find(|a| a.id == id))
            .ok_or_else(|| ServiceError::input(format!("no paired app {id}")))
    }

    /// Calls `listener` with an app's id when it is revoked or disconnected (its connections
    /// close).
    pub fn set_app_removed_listener(&self, listener: impl Fn(&str) + Send + Sync + 'static) {
        *lock(&self.apps.removed) = Some(Arc::new(listener));
    }

    /// Calls `listener` when the wallet's chain or account changes (another network, another
    /// wallet, or none): `networkChanged` / `accountsChanged` for the apps' sockets.
    pub fn set_wallet_changed_listener(
        &self,
        listener: impl Fn(&WalletEvent) + Send + Sync + 'static,
    ) {
        *lock(&self.apps.changed) = Some(Arc::new(listener));
    }

    /// Tells the listener what changed since it was last told (nothing at the first load).
    pub(super) fn announce_wallet(&self) {
        let (accounts, chain_id) = self.app_accounts();
        let before = lock(&self.apps.announced).replace((chain_id.clone(), accounts.clone()));
        let event = match before {
            Some((chain, _)) if chain != chain_id => {
                WalletEvent::NetworkChanged { chain_id, accounts }
            }
            Some((_, told)) if told != accounts => WalletEvent::AccountsChanged(accounts),
            _ => return,
        };
        let listener = lock(&self.apps.changed).clone();
        if let Some(listener) = listener {
            listener(&event);
        }
    }

    /// The app's session manager, built from the preferences the first time.
    pub(super) fn app_manager(&self, id: &str) -> Result<Arc<SessionManager>, ServiceError> {
        if let Some(manager) = lock(&self.apps.built).get(id) {
            return Ok(Arc::clone(manager));
        }
        let generation = self.apps.generation();
        let prefs = self.prefs.get();
        let app = prefs
            .wallet
            .as_ref()
            .and_then(|w| w.apps.iter().find(|a| a.id == id))
            .ok_or_else(|| ServiceError::input(format!("no paired app {id}")))?;
        // The wallet's own manager holds the wallet (its owner key read once, at the load).
        let wallet = self.manager()?.wallet().clone();
        if prefs.wallet.as_ref().map(|w| w.address) != Some(wallet.address) {
            return Err(ServiceError::Internal(
                "the wallet changed meanwhile: try again".into(),
            ));
        }
        let entry = app_session_entry(&prefs.network.name, &hex(wallet.address), id);
        let session = match &app.session {
            Some(s) => self.vault.get(&entry)?.map(|sealed| s.with_key(sealed)),
            None => None,
        };
        let store = super::HostSessionStore {
            vault: self.vault.clone(),
            prefs: self.prefs.clone(),
            entry,
            app: Some(id.to_owned()),
        };
        let manager = self.new_manager(wallet, &prefs, Arc::new(store), session)?;
        self.apps.keep(id, manager, generation)
    }

    /// The registration an app's policy asks for: its calls bound to their contracts, a limit
    /// per token in the token's units (a token this network's list does not know is refused:
    /// its decimals would be a guess), every other token of the network refused on classes
    /// where a token without a policy is unbounded.
    pub(super) fn app_params(
        &self,
        policy: &SessionPolicy,
    ) -> Result<RegisterParams, ServiceError> {
        let network = self.prefs.get().network;
        let allowed_calls = allowed_pairs(policy)?;
        let spending_policies = policy
            .limits
            .iter()
            .map(|l| {
                let token = network.token(&l.token).map_err(|_| {
                    ServiceError::invalid(
                        Field::Limit,
                        format!(
                            "the wallet does not know the token {}: add it in Settings first",
                            l.token
                        ),
                    )
                })?;
                Ok(PolicySpec {
                    token: token.address,
                    max_per_call: parse_amount(&l.per_call, token.decimals)?,
                    max_per_window: parse_amount(&l.per_window, token.decimals)?,
                    window_seconds: l.window_secs,
                })
            })
            .collect::<Result<Vec<_>, ServiceError>>()?;
        Ok(RegisterParams {
            valid_until: None,
            max_calls: Some(policy.max_calls),
            allowed_entrypoints: vec![],
            allowed_calls,
            spending_policies,
            network_tokens: network.tokens.iter().map(|t| t.address).collect(),
        })
    }

    /// Refuses a policy the account's class would not keep on chain: a class without spending
    /// limits (an app's session could move any amount), or without contract-bound calls (CHIPI
    /// v33: the session could call its entrypoints on any contract). Checked before the user is
    /// asked, and again before anything is signed.
    pub(super) fn class_keeps(
        manager: &SessionManager,
        params: &RegisterParams,
    ) -> Result<(), ServiceError> {
        let profile = manager.wallet().require_profile()?;
        if !profile.spending_policies {
            return Err(ServiceError::AppNotAllowed(format!(
                "{} keeps no spending limit: an app's session could move any amount; upgrade the \
                 account before pairing apps",
                profile.name
            )));
        }
        profile
            .check_limits(
                !params.spending_policies.is_empty(),
                !params.allowed_calls.is_empty(),
            )
            .map_err(|e| {
                ServiceError::AppNotAllowed(format!(
                    "{e}: this account cannot keep an app's session to the contracts it names"
                ))
            })
    }

    /// Pairs an app after the user approved `request` with the PIN (`Some`) or biometrics:
    /// registers a session for it on chain with the policy's rules and keeps its key open.
    /// The wallet must be unlocked (apps act only while it is). `token_hash` is what the app
    /// will be known by.
    #[tracing::instrument(level = "info", skip_all, err(level = "warn", Display))]
    pub async fn pair_app(
        &self,
        request: &PairRequest,
        token_hash: &str,
        pin: Option<&Pin>,
    ) -> Result<AppInfo, ServiceError> {
        let manager = self.manager()?;
        self.refuse_if_app_locked()?;
        let params = self.app_params(&request.policy)?;
        Self::class_keeps(&manager, &params)?;
        let duration = request.policy.duration_secs;
        let owner = self
            .open_owner_as(&manager, pin, Confirmation::PairApp)
            .await?;
        let id = new_app_id().map_err(|e| ServiceError::Internal(format!("randomness: {e}")))?;
        let app = AppPrefs {
            id: id.clone(),
            name: request.name.clone(),
            origin: request.origin.clone(),
            token_hash: token_hash.to_owned(),
            policy: request.policy.clone(),
            ask_outside: request.ask_outside,
            paired_at: self.clock.now(),
            last_used: None,
            session: None,
        };
        self.prefs.update(|p| {
            if let Some(w) = p.wallet.as_mut() {
                w.apps.push(app);
            }
        })?;
        let outcome = self.register_app(&id, duration, params, owner).await;
        let name = &request.name;
        self.note_registration(
            &format!("session registered for {name}"),
            &format!("session for {name} not registered"),
            &outcome,
        )?;
        if let Err(e) = outcome {
            // Nothing sent, or refused on chain: the app is not paired. A registration whose
            // outcome is unknown stays, so that it can be settled and revoked.
            let state = self.app_manager(&id).map(|m| m.state());
            if !matches!(state, Ok(SessionState::Registering | SessionState::Active)) {
                self.forget_app(&id)?;
            }
            return Err(e.into());
        }
        let prefs = self.prefs.get();
        Ok(AppInfo::of(
            &self.app(&id)?,
            &prefs.network,
            &self.app_manager(&id)?.view(),
        ))
    }

    async fn register_app(
        &self,
        id: &str,
        duration: u64,
        params: RegisterParams,
        owner: chipi_session::UnlockedOwner,
    ) -> Result<chipi_session::SessionView, SessionError> {
        let manager = self
            .app_manager(id)
            .map_err(|e| SessionError::InvalidConfig(e.to_string()))?;
        let sealing = Arc::clone(&manager);
        let owner = blocking(move || {
            sealing.create_and_unlock_session(Some(duration), &owner)?;
            Ok(owner)
        })
        .await
        .map_err(|e| match e {
            ServiceError::Session(e) => e,
            other => SessionError::InvalidConfig(other.to_string()),
        })?;
        let registered = manager.register_session(params, &owner).await;
        // Locked meanwhile: the lock closed the keys open then, and this one closes too.
        if !self.is_unlocked() {
            manager.lock_session();
        }
        registered
    }

    /// Apps act only while the wallet is unlocked.
    pub(super) fn refuse_if_app_locked(&self) -> Result<(), ServiceError> {
        if self.is_unlocked() {
            Ok(())
        } else {
            Err(ServiceError::Locked(
                "the wallet is locked: unlock it to let apps act".into(),
            ))
        }
    }

    /// Executes an app's calls with its session: refused before anything is signed when a call
    /// is not in its policy; otherwise the Send screen's preflight (expiry, budget, bound calls,
    /// limits) and path, noted in the activity under the app's name.
    #[tracing::instrument(level = "info", skip_all, err(level = "warn", Display))]
    pub async fn app_execute(&self, id: &str, calls: Vec<Call>) -> Result<TxResult, ServiceError> {
        let app = self.app(id)?;
        self.refuse_if_app_locked()?;
        let allowed = allowed_pairs(&app.policy)?;
        if let Some(call) = calls
            .iter()
            .find(|c| !allowed.contains(&(c.to, c.selector)))
        {
            return Err(ServiceError::AppNotAllowed(format!(
                "{}'s session may not call {:#x} on {:#x}: its policy does not name it",
                app.name, call.selector, call.to
            )));
        }
        let manager = self.app_manager(id)?;
        let (summary, detail) = self.describe(&calls);
        let result = self
            .run_with(
                &manager,
                ActivityKind::Execute,
                format!("{}: {summary}", app.name),
                calls,
                None,
                detail,
            )
            .await;
        // "Last use" is shown to the minute: the preferences are written at most once a minute
        // for it, not on every call.
        let now = self.clock.now();
        if app.last_used.is_none_or(|at| now >= at + 60) {
            self.prefs.update(|p| {
                if let Some(app) = app_mut(p, id) {
                    app.last_used = Some(now);
                }
            })?;
        }
        result
    }

    /// Signs typed data for an app with its session key: only a message its policy names (by
    /// primary type and the domain's fields), never an outside execution, on this chain.
    #[tracing::instrument(level = "info", skip_all, err(level = "warn", Display))]
    pub async fn app_sign_typed_data(
        &self,
        id: &str,
        typed_data: &str,
    ) -> Result<Vec<Felt>, ServiceError> {
        let app = self.app(id)?;
        self.refuse_if_app_locked()?;
        let typed = self.checked_typed_data(typed_data)?;
        let named = app.policy.messages.iter().any(|m| {
            m.primary_type == typed.primary_type
                && m.domain.iter().all(|(field, value)| {
                    typed.domain.get(field).is_some_and(|v| match v {
                        serde_json::Value::String(text) => text == value,
                        other => serde_json::from_str::<serde_json::Value>(value)
                            .is_ok_and(|v| v == *other),
                    })
                })
        });
        if !named {
            return Err(ServiceError::AppNotAllowed(format!(
                "{}'s session may not sign {} messages: its policy does not name them",
                app.name, typed.primary_type
            )));
        }
        let manager = self.app_manager(id)?;
        let hash = typed.message_hash(manager.wallet().address)?;
        manager.verify_registered_policies().await?;
        Ok(manager.sign_with_session(hash, None)?)
    }

    /// A summary of `calls` for the activity: a single transfer of a known token in its units.
    pub(super) fn describe(&self, calls: &[Call]) -> (String, Option<(String, String, Felt)>) {
        let network = self.prefs.get().network;
        if let [call] = calls {
            if let (Ok(token), Ok(Some(units))) = (
                network.token(&hex(call.to)),
                chipi_session::session::policies::spend_amount(call),
            ) {
                if call.selector == chipi_session::entrypoint::selector("transfer") {
                    let amount = chipi_session::format_amount(units, token.decimals);
                    let to = call.calldata.first().copied().unwrap_or_default();
                    return (
                        format!("{amount} {} to {to:#x}", token.symbol),
                        Some((token.symbol.clone(), amount, to)),
                    );
                }
            }
        }
        (format!("{} call(s)", calls.len()), None)
    }

    /// Revokes an app's session on chain (after the PIN, or biometrics when `pin` is `None`)
    /// and forgets the app: its token no longer opens anything.
    #[tracing::instrument(level = "info", skip_all, err(level = "warn", Display))]
    pub async fn revoke_app(&self, id: &str, pin: Option<&Pin>) -> Result<(), ServiceError> {
        let app = self.app(id)?;
        let manager = self.app_manager(id)?;
        if matches!(
            manager.state(),
            SessionState::Active | SessionState::Registering
        ) {
            let owner = self
                .open_owner_as(&manager, pin, Confirmation::RevokeSession)
                .await?;
            let view = manager.revoke_session(&owner).await?;
            self.activity.note(
                ActivityKind::Revoke,
                format!("session of {} revoked", app.name),
                view.owner_transaction
                    .as_deref()
                    .and_then(|h| Felt::from_hex(h).ok()),
                ActivityStatus::Succeeded,
            )?;
        }
        self.forget_app(id)
    }

    /// Disconnects an app without a transaction: its token and its session key are deleted
    /// here, so nothing can sign with the session again (on chain it stays registered, unused,
    /// until its expiry).
    #[tracing::instrument(level = "info", skip_all, err(level = "warn", Display))]
    pub fn disconnect_app(&self, id: &str) -> Result<(), ServiceError> {
        let app = self.app(id)?;
        self.forget_app(id)?;
        self.activity.note(
            ActivityKind::Revoke,
            format!("{} disconnected (its session key deleted)", app.name),
            None,
            ActivityStatus::Succeeded,
        )
    }

    /// Removes the app, its manager and its key entry, and tells the listener.
    fn forget_app(&self, id: &str) -> Result<(), ServiceError> {
        let prefs = self.prefs.get();
        let address = prefs.wallet.as_ref().map(|w| hex(w.address));
        if let Some(manager) = lock(&self.apps.built).remove(id) {
            manager.lock_session();
        }
        self.prefs.update(|p| {
            if let Some(w) = p.wallet.as_mut() {
                w.apps.retain(|a| a.id != id);
            }
        })?;
        if let Some(address) = address {
            self.vault
                .delete(&app_session_entry(&prefs.network.name, &address, id))?;
        }
        let listener = lock(&self.apps.removed).clone();
        if let Some(listener) = listener {
            listener(id);
        }
        Ok(())
    }

    /// The managers of the apps whose sessions are live: the unlock opens their keys too (one
    /// Argon2id run each).
    pub(super) fn app_managers_for_unlock(&self) -> Vec<Arc<SessionManager>> {
        let Some(wallet) = self.prefs.get().wallet else {
            return vec![];
        };
        wallet
            .apps
            .iter()
            .filter_map(|a| self.app_manager(&a.id).ok())
            .filter(|m| matches!(m.state(), SessionState::Active | SessionState::Registering))
            .collect()
    }
}
