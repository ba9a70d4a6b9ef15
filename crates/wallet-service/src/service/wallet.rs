//! The wallet: create, import, unlock, lock.

use std::sync::Arc;

use chipi_session::wallet::check_pin;
use chipi_session::wallet_type::SESSION_ACCOUNT_CLASS_HASH;
use chipi_session::{parse_address, NodeClient, SessionError, Wallet};

use super::{blocking, hex, WalletService};
use crate::error::AppError;
use crate::keychain::owner_key_entry;
use crate::pin::Pin;
use crate::prefs::WalletPrefs;
use crate::views::{ActivityKind, ActivityStatus, WalletInfo};

impl WalletService {
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

    fn refuse_second_wallet(&self) -> Result<(), AppError> {
        if self.current().is_some() || self.prefs.get().wallet.is_some() {
            return Err(AppError::InvalidInput("a wallet exists already".into()));
        }
        Ok(())
    }

    /// A new wallet of our account class, its key sealed under `pin` in the vault, deployed
    /// gaslessly when the network has a sponsor.
    pub async fn create_wallet(&self, pin: &Pin) -> Result<WalletInfo, AppError> {
        self.refuse_second_wallet()?;
        let pin = pin.clone();
        let wallet =
            blocking(move || Ok(Wallet::create(SESSION_ACCOUNT_CLASS_HASH, pin.expose())?)).await?;
        self.adopt(wallet)?;
        let manager = self.manager()?;
        if self.prefs.get().network.sponsor_url.is_some() {
            let hash = manager.deploy_wallet().await?;
            self.note(
                ActivityKind::Deploy,
                "wallet deployed (sponsored)".into(),
                Some(hash),
                ActivityStatus::Succeeded,
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
        pin: &Pin,
    ) -> Result<WalletInfo, AppError> {
        self.refuse_second_wallet()?;
        let address = parse_address(address)?;
        check_pin(pin.expose())?;
        let node = NodeClient::new(self.prefs.get().network.rpc_url);
        let class_hash = node
            .class_hash_at(address)
            .await?
            .ok_or(SessionError::AccountNotDeployed)?;
        let (encrypted, pin) = (encrypted_private_key.to_owned(), pin.clone());
        let wallet = blocking(move || {
            Ok(Wallet::import_sdk(
                address,
                class_hash,
                &encrypted,
                pin.expose(),
                pin.expose(),
            )?)
        })
        .await?;
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

    /// Opens the session key for executions without a prompt, with PIN back-off. One Argon2id
    /// run: the session key when there is one (it is sealed under the same PIN), else the owner
    /// key, to check the PIN.
    pub async fn unlock(&self, pin: &Pin) -> Result<WalletInfo, AppError> {
        let manager = self.manager()?;
        let (guard, opened, pin) = (self.guard.clone(), Arc::clone(&manager), pin.clone());
        blocking(move || {
            guard.attempt(|| {
                if opened.record().is_some() {
                    opened.unlock_session(pin.expose())?;
                } else {
                    opened.wallet().open_owner(pin.expose())?;
                }
                Ok(())
            })
        })
        .await?;
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
}
