//! The wallet: create, import, unlock, lock.

use std::sync::Arc;

use chipi_session::chain::probe::probe_session_layout;
use chipi_session::wallet_type::{ClassProfile, WalletType};
use chipi_session::{
    parse_address, SecretKey, SessionError, SessionManager, UnlockedOwner, Wallet,
};
use starknet_core::types::Felt;

use super::backup::check_new_pin;
use super::{blocking, hex, WalletService};
use crate::error::ServiceError;
use crate::host::Confirmation;
use crate::keychain::owner_key_entry;
use crate::pin::Pin;
use crate::prefs::WalletPrefs;
use crate::views::{ActivityKind, ActivityStatus, WalletInfo, WalletKind};

impl WalletService {
    /// The wallet, if any.
    pub fn wallet_info(&self) -> Result<WalletInfo, ServiceError> {
        let manager = self.manager()?;
        let w = manager.wallet();
        Ok(WalletInfo {
            address: hex(w.address),
            owner_public_key: hex(w.owner_public_key),
            class_hash: hex(w.class_hash),
            wallet_type: WalletKind::of(w),
            supports_sessions: w.supports_sessions(),
            account_class: w.profile().map(|p| p.name.to_owned()),
            spending_limits_enforced: w.profile().is_some_and(|p| p.spending_policies),
            gasless_limits_enforced: w.profile().is_some_and(|p| p.gasless_checks_rules),
            session_signs_messages: w.profile().is_some_and(|p| p.session_signs_messages),
            unbounded_without_policy: w.profile().is_some_and(|p| p.unbounded_without_policy),
            upgradable: self.upgrade_target(w).is_some() || self.upgrade_unfinished(),
            upgrade_unfinished: self.upgrade_unfinished(),
            unlocked: self.is_unlocked(),
            network: self.prefs.get().network.name,
            biometrics: self.biometrics_info(),
            deployable: w.deployment().is_ok() && self.prefs.get().network.sponsor_url.is_some(),
        })
    }

    /// Whether the wallet's upgrade to CHIPI v33 stopped before its interfaces were registered
    /// (as last read from the chain).
    fn upgrade_unfinished(&self) -> bool {
        self.prefs
            .get()
            .wallet
            .is_some_and(|w| w.interfaces_pending == Some(true))
    }

    /// Asks the chain whether the wallet's interfaces are still to be registered (CHIPI v33
    /// classes only, until once they are) and keeps the answer; a node that cannot say changes
    /// nothing.
    pub(super) async fn check_interfaces(
        &self,
        manager: &SessionManager,
    ) -> Result<(), ServiceError> {
        let known_done = self
            .prefs
            .get()
            .wallet
            .is_none_or(|w| w.interfaces_pending == Some(false));
        if known_done {
            return Ok(());
        }
        let Ok(pending) = manager.interfaces_unregistered().await else {
            return Ok(());
        };
        self.set_interfaces_pending(manager.wallet().address, pending)
    }

    fn set_interfaces_pending(&self, address: Felt, pending: bool) -> Result<(), ServiceError> {
        self.prefs.update(|p| {
            if let Some(w) = p.wallet.as_mut().filter(|w| w.address == address) {
                w.interfaces_pending = Some(pending);
            }
        })
    }

    /// The class "Upgrade account" moves `wallet` to: the network's class for new wallets when
    /// it is CHIPI v33 (or its test double) and `wallet`'s class an older CHIPI one.
    fn upgrade_target(&self, wallet: &Wallet) -> Option<Felt> {
        let target = self.prefs.get().network.account_class_hash?;
        let v33 = ClassProfile::of(target).is_some_and(|p| p.unbounded_without_policy);
        (v33 && wallet.profile().is_some_and(|p| p.upgradable)).then_some(target)
    }

    /// Upgrades the account to CHIPI v33 after the PIN or biometrics: the device's session is
    /// revoked and the class replaced in one owner transaction, the interfaces registered in a
    /// second; the wallet is then loaded again with its new class (its sessions read again).
    #[tracing::instrument(level = "info", skip_all, err(level = "warn", Display))]
    pub async fn upgrade_account(&self, pin: Option<&Pin>) -> Result<WalletInfo, ServiceError> {
        let manager = self.manager()?;
        if self.upgrade_unfinished() {
            return self.finish_upgrade(&manager, pin).await;
        }
        let target = self
            .upgrade_target(manager.wallet())
            .ok_or_else(|| ServiceError::input("this account has no upgrade on this network"))?;
        let owner = self
            .open_owner_as(&manager, pin, Confirmation::UpgradeAccount)
            .await?;
        let outcome = manager.upgrade_account(target, &owner).await;
        // The chain decides what the wallet keeps: a failure after the class was replaced (the
        // second transaction, a receipt that did not come) still leaves the account on v33.
        let upgraded = match &outcome {
            Ok(_) => true,
            Err(_) => self
                .prefs
                .get()
                .network
                .node()
                .class_hash_at(manager.wallet().address)
                .await
                .is_ok_and(|class| class == Some(target)),
        };
        let (summary, status, hash) = match &outcome {
            Ok(hash) => (
                "account upgraded to CHIPI v33".to_owned(),
                ActivityStatus::Succeeded,
                Some(*hash),
            ),
            Err(e) => (
                format!("account upgrade failed: {e}"),
                ActivityStatus::Failed,
                None,
            ),
        };
        self.activity
            .note(ActivityKind::Upgrade, summary, hash, status)?;
        if upgraded {
            // Landed with its interfaces, or without them (the second transaction failed): then
            // "Upgrade account" offers to finish it.
            let pending = outcome.is_err();
            self.prefs.update(|p| {
                if let Some(w) = p.wallet.as_mut() {
                    w.class_hash = target;
                    w.probed_layout = None;
                    w.interfaces_pending = Some(pending);
                }
            })?;
            self.reload()?;
        }
        outcome?;
        self.wallet_info()
    }

    /// The second half of an upgrade that stopped after the class was replaced: the interfaces
    /// registered, after the PIN or biometrics.
    async fn finish_upgrade(
        &self,
        manager: &Arc<SessionManager>,
        pin: Option<&Pin>,
    ) -> Result<WalletInfo, ServiceError> {
        // Read again first: registered meanwhile (another device, a receipt that came late),
        // nothing is sent.
        if !manager.interfaces_unregistered().await? {
            self.set_interfaces_pending(manager.wallet().address, false)?;
            return self.wallet_info();
        }
        let owner = self
            .open_owner_as(manager, pin, Confirmation::UpgradeAccount)
            .await?;
        let network = self.prefs.get().network;
        let outcome = manager
            .finish_upgrade(&owner, &network.rpc_url, network.chain_id)
            .await;
        let (summary, status, hash) = match &outcome {
            Ok(None) => {
                self.set_interfaces_pending(manager.wallet().address, false)?;
                return self.wallet_info();
            }
            Ok(Some(hash)) => (
                "account upgrade finished: interfaces registered".to_owned(),
                ActivityStatus::Succeeded,
                Some(*hash),
            ),
            Err(e) => (
                format!("finishing the account upgrade failed: {e}"),
                ActivityStatus::Failed,
                None,
            ),
        };
        self.activity
            .note(ActivityKind::Upgrade, summary, hash, status)?;
        outcome?;
        self.set_interfaces_pending(manager.wallet().address, false)?;
        self.wallet_info()
    }

    /// Whether a wallet was created or imported (loaded or not).
    pub fn has_wallet(&self) -> bool {
        self.prefs.get().wallet.is_some()
    }

    fn refuse_second_wallet(&self) -> Result<(), ServiceError> {
        if self.current().is_some() || self.prefs.get().wallet.is_some() {
            return Err(ServiceError::input("a wallet exists already"));
        }
        Ok(())
    }

    /// A new wallet, its key sealed under `pin` in the vault, deployed gaslessly when the
    /// network has a paymaster. Its class is this project's where it is declared (or asked
    /// for with `own_class`), else the network's (CHIPI v33 on the public networks).
    #[tracing::instrument(level = "info", skip_all, err(level = "warn", Display))]
    pub async fn create_wallet(
        &self,
        pin: &Pin,
        own_class: bool,
    ) -> Result<WalletInfo, ServiceError> {
        let deploy = self.prefs.get().network.sponsor_url.is_some();
        let class_hash = self.new_wallet_class(own_class).await?;
        let (info, _) = self.create_wallet_with(pin, class_hash, deploy).await?;
        Ok(info)
    }

    /// The class a new wallet gets: on a public network, this project's where it is declared
    /// (asked of the node before an address is computed from it), else the network's (CHIPI
    /// v33); this project's with `own_class`, or where the network names none.
    #[tracing::instrument(level = "debug", skip_all, err(level = "warn", Display))]
    pub async fn new_wallet_class(&self, own_class: bool) -> Result<Felt, ServiceError> {
        let network = self.prefs.get().network;
        let ours = own_class
            || (network.account_class_hash.is_some()
                && network
                    .node()
                    .class_declared(chipi_session::wallet_type::SESSION_ACCOUNT_CLASS_HASH)
                    .await?);
        Ok(network.new_wallet_class(ours))
    }

    /// A new wallet of class `class_hash` (constructor `(public_key)`), deployed now when
    /// `deploy`; the deployment's transaction hash with it.
    #[tracing::instrument(level = "info", skip_all, err(level = "warn", Display))]
    pub async fn create_wallet_with(
        &self,
        pin: &Pin,
        class_hash: Felt,
        deploy: bool,
    ) -> Result<(WalletInfo, Option<Felt>), ServiceError> {
        self.refuse_second_wallet()?;
        check_new_pin(pin)?;
        let pin = pin.clone();
        let (wallet, owner) =
            blocking(move || Ok(Wallet::create_unlocked(class_hash, pin.expose())?)).await?;
        self.adopt(wallet)?;
        // Saved before the deployment: if it fails the wallet stays, undeployed, and
        // `deploy_wallet` tries again.
        self.set_unlocked(true);
        let deployed = if deploy {
            Some(self.deploy_with(&owner).await?)
        } else {
            None
        };
        Ok((self.wallet_info()?, deployed))
    }

    /// Deploys the wallet created here through the backend (gasless with a sponsor), signed by
    /// its owner key opened with `pin`: the way on when the deployment at creation failed.
    #[tracing::instrument(level = "info", skip_all, err(level = "warn", Display))]
    pub async fn deploy_wallet(&self, pin: &Pin) -> Result<Felt, ServiceError> {
        let manager = self.manager()?;
        manager.wallet().deployment()?;
        if self.is_deployed().await? {
            return Err(ServiceError::input("the wallet is deployed already"));
        }
        let owner = self.open_owner(&manager, pin).await?;
        self.deploy_with(&owner).await
    }

    async fn deploy_with(&self, owner: &UnlockedOwner) -> Result<Felt, ServiceError> {
        let hash = self.manager()?.deploy_wallet(owner).await?;
        self.activity.note(
            ActivityKind::Deploy,
            "wallet deployed".into(),
            Some(hash),
            ActivityStatus::Succeeded,
        )?;
        Ok(hash)
    }

    /// Whether the wallet's account exists on chain.
    #[tracing::instrument(level = "debug", skip_all, err(level = "warn", Display))]
    pub async fn is_deployed(&self) -> Result<bool, ServiceError> {
        let manager = self.manager()?;
        let address = manager.wallet().address;
        Ok(manager.node().class_hash_at(address).await?.is_some())
    }

    /// An existing account whose owner key is given in the SDK's encrypted format under `pin`,
    /// or in the clear as a hex private key (`0x` and up to 64 hex digits): the key the user
    /// pasted, sealed under `pin` at once.
    #[tracing::instrument(level = "info", skip_all, err(level = "warn", Display))]
    pub async fn import_wallet(
        &self,
        address: &str,
        owner_key: &str,
        pin: &Pin,
    ) -> Result<WalletInfo, ServiceError> {
        let text = owner_key.trim();
        let hex_digits = text.strip_prefix("0x").unwrap_or("");
        if !hex_digits.is_empty()
            && hex_digits.len() <= 64
            && hex_digits.bytes().all(|b| b.is_ascii_hexdigit())
        {
            let key = SecretKey::from_hex(text)?;
            return self.import_wallet_key(address, key, pin).await;
        }
        let encrypted = text.to_owned();
        self.import_with(address, pin, move |address, class_hash, pin| {
            Wallet::import_sdk(address, class_hash, &encrypted, pin, pin)
        })
        .await
    }

    /// An existing account with its owner key in the clear (read by a host, never over IPC).
    #[tracing::instrument(level = "info", skip_all, err(level = "warn", Display))]
    pub async fn import_wallet_key(
        &self,
        address: &str,
        owner_key: SecretKey,
        pin: &Pin,
    ) -> Result<WalletInfo, ServiceError> {
        self.import_with(address, pin, move |address, class_hash, pin| {
            Wallet::import_key(address, class_hash, &owner_key, pin)
        })
        .await
    }

    /// Reads the account's class from the chain, seals its key with `make` (off the async
    /// threads), and checks the key is the account's owner where the account says.
    async fn import_with(
        &self,
        address: &str,
        pin: &Pin,
        make: impl FnOnce(Felt, Felt, &str) -> Result<Wallet, SessionError> + Send + 'static,
    ) -> Result<WalletInfo, ServiceError> {
        self.refuse_second_wallet()?;
        let address = parse_address(address)?;
        check_new_pin(pin)?;
        let node = self.prefs.get().network.node();
        let class_hash = node
            .class_hash_at(address)
            .await?
            .ok_or(SessionError::AccountNotDeployed)?;
        // A class the table does not list is probed: an account with the CHIPI session
        // interface gets the weakest guarantees of the layout it shows; anything else is
        // refused here, before the key is sealed.
        let probed_layout = if WalletType::from_class_hash(class_hash).is_none() {
            Some(probe_session_layout(&node, address, class_hash).await?)
        } else {
            None
        };
        let pin = pin.clone();
        let mut wallet = blocking(move || Ok(make(address, class_hash, pin.expose())?)).await?;
        wallet.probed_layout = probed_layout;
        let owner_on_chain = node
            .call(address, "get_public_key", &[])
            .await
            .ok()
            .and_then(|v| v.first().copied());
        if owner_on_chain.is_some_and(|pk| pk != wallet.owner_public_key) {
            return Err(SessionError::InvalidKey.into());
        }
        self.adopt(wallet)?;
        self.set_unlocked(true);
        self.check_interfaces(&*self.manager()?).await?;
        self.wallet_info()
    }

    pub(super) fn adopt(&self, wallet: Wallet) -> Result<(), ServiceError> {
        // Checked again here, after the slow steps: a second create or import that started
        // meanwhile does not replace the first.
        self.refuse_second_wallet()?;
        // A wallet adopted again (restored) has its received tokens looked for afresh.
        self.scans.forget();
        let address = hex(wallet.address);
        let network = self.prefs.get().network.name;
        self.vault.put(
            &owner_key_entry(&network, &address),
            &wallet.sealed_owner_key,
        )?;
        let prefs = WalletPrefs {
            address: wallet.address,
            owner_public_key: wallet.owner_public_key,
            class_hash: wallet.class_hash,
            salt: wallet.salt,
            probed_layout: wallet.probed_layout,
            biometric_unlock: false,
            unsettled: None,
            interfaces_pending: None,
            session_rules: None,
            apps: vec![],
        };
        // A wallet adopted again (restored under a new PIN) starts without biometric unlock:
        // what an earlier one left behind no longer opens it.
        self.delete_biometric_entries(&network, &address);
        self.prefs.update(|p| {
            p.wallet = Some(prefs);
            p.session = None;
        })?;
        self.load_manager()
    }

    /// Opens the session key for executions without a prompt: with the PIN typed (`Some`, with
    /// back-off) or the one biometric unlock releases (`None`). One Argon2id run: the session
    /// key when there is one (it is sealed under the same PIN), else the owner key, to check the
    /// PIN.
    #[tracing::instrument(level = "info", skip_all, err(level = "warn", Display))]
    pub async fn unlock(&self, pin: Option<&Pin>) -> Result<WalletInfo, ServiceError> {
        let manager = self.manager()?;
        let (pin, biometric) = self.credential(pin, Confirmation::Unlock).await?;
        let opened = Arc::clone(&manager);
        let apps = self.app_managers_for_unlock();
        self.open_with(biometric, move || {
            if opened.record().is_some() {
                opened.unlock_session(pin.expose())?;
            } else {
                opened.wallet().open_owner(pin.expose())?;
            }
            // The PIN is right: the apps' keys are sealed under it too. One that does not
            // open leaves its app's calls refused; the wallet unlocks.
            for app in apps {
                if let Err(e) = app.unlock_session(pin.expose()) {
                    tracing::warn!(error = %e, "an app's session key did not open");
                }
            }
            Ok(())
        })
        .await?;
        self.set_unlocked(true);
        self.wallet_info()
    }

    /// Forgets the open session key.
    #[tracing::instrument(level = "info", skip_all, err(level = "warn", Display))]
    pub fn lock(&self) -> Result<WalletInfo, ServiceError> {
        if let Some(manager) = self.current() {
            manager.lock_session();
        }
        for app in self.apps.all() {
            app.lock_session();
        }
        self.set_unlocked(false);
        self.wallet_info()
    }
}
