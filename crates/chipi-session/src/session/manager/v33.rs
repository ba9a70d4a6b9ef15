//! CHIPI v33's spending policies as a registration sets them (a refusing policy for every token
//! of the network the user gave no limit, each one read back), and the upgrade of an older
//! CHIPI account to v33.

use starknet_core::types::Felt;

use super::{PolicySpec, RegisterParams, SessionManager};
use crate::error::SessionError;
use crate::session::policies::SpendingPolicy;
use crate::session::record::UncheckedPolicies;
use crate::session::registration::{register_interfaces_call, revoke_session_call, upgrade_call};
use crate::wallet::UnlockedOwner;
use crate::wallet_type::ClassProfile;

/// The window of a refusing policy (any length refuses: no amount above zero fits a per-call
/// limit of zero).
pub const REFUSING_WINDOW_SECONDS: u64 = 3600;

/// The first of `expected` that `read` (what `get_spending_policy` answered after the
/// registration) does not hold exactly.
pub fn first_policy_missing(
    expected: &[PolicySpec],
    read: &[(Felt, SpendingPolicy)],
) -> Option<Felt> {
    expected
        .iter()
        .find(|p| {
            !read.iter().any(|(token, got)| {
                *token == p.token
                    && got.max_per_call == p.max_per_call
                    && got.max_per_window == p.max_per_window
                    && got.window_seconds == p.window_seconds
            })
        })
        .map(|p| p.token)
}

impl SessionManager {
    /// Every policy a registration with `params` sets: the user's limits, then, on a class
    /// where a token without a policy is unbounded, a refusing one for each other token of
    /// the network.
    pub(super) fn registered_policies(&self, params: &RegisterParams) -> Vec<PolicySpec> {
        let mut all = params.spending_policies.clone();
        if !self
            .wallet
            .profile()
            .is_some_and(|p| p.unbounded_without_policy)
        {
            return all;
        }
        for token in &params.network_tokens {
            if !all.iter().any(|p| p.token == *token) {
                all.push(PolicySpec {
                    token: *token,
                    max_per_call: 0,
                    max_per_window: 1,
                    window_seconds: REFUSING_WINDOW_SECONDS,
                });
            }
        }
        all
    }

    /// What a registration with `params` (transaction `registration`) leaves to read back: on
    /// a class whose `__execute__` swallows a failed inner call (CHIPI v33), every policy it
    /// sets; elsewhere nothing (a failed `set_spending_policy` reverts the registration).
    pub(super) fn policies_to_check(
        &self,
        params: &RegisterParams,
        registration: Felt,
    ) -> Option<UncheckedPolicies> {
        self.wallet
            .profile()
            .is_some_and(|p| p.unbounded_without_policy)
            .then(|| UncheckedPolicies {
                registration,
                policies: self.registered_policies(params),
            })
    }

    /// Reads back the policies the session's registration set and not yet read (kept with the
    /// record from the moment it was sent, so a crash, a node failing after the receipt or a
    /// registration settled on a later start is checked all the same). All there: the record forgets
    /// them. One missing: [`SessionError::PolicyNotSet`], and nothing is signed with the session
    /// until it is revoked.
    pub(super) async fn verify_policies(&self) -> Result<(), SessionError> {
        let record = self.current()?;
        let Some(unchecked) = record.unchecked_policies.clone() else {
            return Ok(());
        };
        // Revoked: nothing to guard. Not registered (yet): refused elsewhere, and checked once
        // the registration settles.
        if record.revoked || !record.registered {
            return Ok(());
        }
        let tokens: Vec<Felt> = unchecked.policies.iter().map(|p| p.token).collect();
        self.refresh_with(&tokens).await?;
        let read = self
            .lock()
            .snapshot
            .as_ref()
            .map(|s| s.policies.clone())
            .unwrap_or_default();
        if let Some(token) = first_policy_missing(&unchecked.policies, &read) {
            return Err(SessionError::PolicyNotSet { token });
        }
        // Read again: the refresh may have settled something in it.
        let mut record = self.current()?;
        record.unchecked_policies = None;
        self.save(Some(record))
    }

    /// [`Self::verify_policies`] for a host about to have a message signed with the session.
    pub async fn verify_registered_policies(&self) -> Result<(), SessionError> {
        self.verify_policies().await
    }

    /// Right after a registration, with its `owner` key still open: the policies read back
    /// ([`Self::verify_policies`]), and if one is not there the session revoked at once with
    /// the same key.
    pub(super) async fn check_policies_set(
        &self,
        owner: &UnlockedOwner,
    ) -> Result<(), SessionError> {
        let Some(registration) = self.current()?.unchecked_policies.map(|u| u.registration) else {
            return Ok(());
        };
        match self.verify_policies().await {
            Err(SessionError::PolicyNotSet { .. }) => {}
            other => return other,
        }
        let mut record = self.current()?;
        let calls = vec![revoke_session_call(self.wallet.address, record.public_key)];
        let revoke = self.submit_as_owner(&calls, owner).await?;
        self.confirm(revoke, &calls).await?;
        record.revoked = true;
        self.save(Some(record))?;
        self.lock().unlocked = None;
        Err(SessionError::EffectMissing {
            transaction_hash: registration,
            event: "spending policy (the session was revoked)",
        })
    }

    /// Moves this CHIPI account, whose class keeps no spending limits, to `target` (CHIPI v33
    /// or its test double), with `owner`'s self-calls: the device's session revoked and
    /// `upgrade` in one transaction, then `register_interfaces`. The owner key, the address and
    /// the balances stay. Answers the upgrade's transaction once the chain reads the new class;
    /// the caller loads the wallet again with it.
    pub async fn upgrade_account(
        &self,
        target: Felt,
        owner: &UnlockedOwner,
    ) -> Result<Felt, SessionError> {
        let _op = self.ops.lock().await;
        let profile = self.wallet.require_profile()?;
        if !profile.upgradable {
            return Err(SessionError::Unsupported(format!(
                "{} has no upgrade to CHIPI v33",
                profile.name
            )));
        }
        if !ClassProfile::of(target).is_some_and(|p| p.unbounded_without_policy) {
            return Err(SessionError::InvalidConfig(format!(
                "{target:#x} is not a CHIPI v33 class"
            )));
        }
        if !self.node.class_declared(target).await? {
            return Err(SessionError::Unsupported(format!(
                "CHIPI v33 ({target:#x}) is not declared on this network"
            )));
        }
        self.check_owner(owner)?;
        let address = self.wallet.address;
        // A registration still on its way could land after the upgrade, as a session without
        // policies: it settles first. Any other key of this device is revoked with the upgrade
        // (registered or not: revoking a key the chain does not know changes nothing).
        if self.record().is_some_and(|r| r.registering.is_some()) {
            return Err(SessionError::InvalidSessionParams(
                "a session registration is pending: wait until it is settled, then upgrade".into(),
            ));
        }
        let live = self.record().filter(|r| !r.revoked);
        let mut calls: Vec<_> = live
            .iter()
            .map(|r| revoke_session_call(address, r.public_key))
            .collect();
        calls.push(upgrade_call(address, target));
        let upgrade = self.submit_as_owner(&calls, owner).await?;
        self.confirm(upgrade, &calls).await?;
        if let Some(mut record) = live {
            record.revoked = true;
            self.save(Some(record))?;
        }
        {
            // The next transaction takes the next nonce: nothing cached from before.
            let mut shared = self.lock();
            shared.snapshot = None;
            shared.unlocked = None;
        }
        self.register_interfaces(owner).await?;
        match self.node.class_hash_at(address).await? {
            Some(class_hash) if class_hash == target => Ok(upgrade),
            _ => Err(SessionError::EffectMissing {
                transaction_hash: upgrade,
                event: "class replaced",
            }),
        }
    }
}

impl SessionManager {
    /// Whether this account's class registers its interfaces after an upgrade (CHIPI v33) and
    /// they are not registered: SRC-5 does not answer yes for SRC-6 (an upgrade whose second
    /// transaction did not run, here or on another device). Paymasters find the account's
    /// outside-execution version through SRC-5, so until then gasless paths fail.
    pub async fn interfaces_unregistered(&self) -> Result<bool, SessionError> {
        let v33 = self
            .wallet
            .profile()
            .is_some_and(|p| p.unbounded_without_policy);
        if !v33 {
            return Ok(false);
        }
        let answer = self
            .node
            .call(
                self.wallet.address,
                "supports_interface",
                &[crate::chain::probe::ISRC6_ID],
            )
            .await?;
        Ok(answer.first() != Some(&Felt::ONE))
    }

    /// Finishes an upgrade to CHIPI v33 whose interfaces were not registered:
    /// `register_interfaces` as an owner self-call, sent **directly** to the network's node at
    /// `rpc_url` on `chain_id` (the account pays the network fee): a paymaster finds an
    /// account's outside-execution version through the very SRC-5 answers that are missing, and
    /// refuses to build for it (protocol.md §5). Read again under the operation lock first:
    /// `None` when they are registered already (nothing sent). Answers the transaction once the
    /// account says it supports SRC-6.
    pub async fn finish_upgrade(
        &self,
        owner: &UnlockedOwner,
        rpc_url: &str,
        chain_id: Felt,
    ) -> Result<Option<Felt>, SessionError> {
        use crate::backends::{ExecutionBackend, Signer, SubmitContext};
        let _op = self.ops.lock().await;
        self.check_owner(owner)?;
        if !self.interfaces_unregistered().await? {
            return Ok(None);
        }
        let direct = crate::backends::direct::DirectBackend::new(rpc_url, chain_id)?;
        let register = [register_interfaces_call(self.wallet.address)];
        let context = SubmitContext {
            nonce: None,
            now: self.chain_now(),
            direct_message: self.direct_message(),
            max_fee: None,
        };
        let hash = direct
            .submit(
                self.wallet.address,
                &register,
                Signer::Owner(owner.key()),
                context,
            )
            .await?;
        // The account's nonce moved: nothing cached from before.
        self.lock().snapshot = None;
        self.confirm(hash, &register).await?;
        if self.interfaces_unregistered().await? {
            return Err(SessionError::EffectMissing {
                transaction_hash: hash,
                event: "interfaces registered",
            });
        }
        Ok(Some(hash))
    }

    async fn register_interfaces(&self, owner: &UnlockedOwner) -> Result<Felt, SessionError> {
        let register = [register_interfaces_call(self.wallet.address)];
        let hash = self.submit_as_owner(&register, owner).await?;
        self.confirm(hash, &register).await?;
        Ok(hash)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(max_per_call: u128, max_per_window: u128, window_seconds: u64) -> SpendingPolicy {
        SpendingPolicy {
            max_per_call,
            max_per_window,
            window_seconds,
            spent: 0,
            window_start: 0,
        }
    }

    #[test]
    fn a_policy_not_read_back_exactly_is_missing() {
        let strk = Felt::from(1u8);
        let eth = Felt::from(2u8);
        let expected = [
            PolicySpec {
                token: strk,
                max_per_call: 5,
                max_per_window: 10,
                window_seconds: 3600,
            },
            PolicySpec {
                token: eth,
                max_per_call: 0,
                max_per_window: 1,
                window_seconds: REFUSING_WINDOW_SECONDS,
            },
        ];
        let both = [(strk, policy(5, 10, 3600)), (eth, policy(0, 1, 3600))];
        assert_eq!(first_policy_missing(&expected, &both), None);
        // A swallowed `set_spending_policy`: all zeros, the token unbounded on v33.
        let swallowed = [(strk, policy(5, 10, 3600)), (eth, policy(0, 0, 0))];
        assert_eq!(first_policy_missing(&expected, &swallowed), Some(eth));
        assert_eq!(first_policy_missing(&expected, &both[..1]), Some(eth));
        let other_window = [(strk, policy(5, 10, 60)), (eth, policy(0, 1, 3600))];
        assert_eq!(first_policy_missing(&expected, &other_window), Some(strk));
    }
}
