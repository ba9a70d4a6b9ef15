//! The owner key's backup: a JSON file holding the wallet's public facts and its owner key
//! sealed under a passphrase of its own (Argon2id + XChaCha20-Poly1305, as in the keychain), its
//! restore, and removing the wallet from this device.

use chipi_session::{parse_address, KdfParams, SealedSecret, SessionError, SessionState, Wallet};
use serde::{Deserialize, Serialize};
use starknet_core::types::Felt;
use starknet_core::utils::get_contract_address;

use super::{blocking, hex, WalletService};
use crate::error::{Field, ServiceError};
use crate::keychain::{
    app_session_entry, owner_key_entry, session_key_entry, BACKUP_ATTEMPTS_ENTRY,
};
use crate::pin::Pin;
use crate::views::WalletInfo;

/// The `format` field of a backup file.
pub const BACKUP_FORMAT: &str = "chipi-session-wallet-backup";
/// A backup passphrase's least length, in characters (the core's one passphrase rule).
pub const MIN_PASSPHRASE: usize = chipi_session::rules::PASSPHRASE_MIN_CHARS;
/// A new PIN's least length, in characters (existing wallets keep theirs).
pub const MIN_NEW_PIN: usize = chipi_session::rules::NEW_PIN_MIN_CHARS;
use chipi_session::rules::PIN_MAX_CHARS;

/// What a backup file holds. Nothing in it opens the key without the passphrase.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BackupFile {
    /// [`BACKUP_FORMAT`].
    pub format: String,
    /// 1.
    pub version: u32,
    /// The chain the account lives on (hex).
    pub chain_id: String,
    /// The account.
    pub address: String,
    /// Its class.
    pub class_hash: String,
    /// Its deployment salt, when this app made it.
    pub salt: Option<String>,
    /// The owner's public key.
    pub owner_public_key: String,
    /// The owner key sealed under the backup passphrase.
    pub sealed_owner_key: String,
}

/// A PIN for a new wallet: [`MIN_NEW_PIN`] to [`PIN_MAX_CHARS`] characters.
pub fn check_new_pin(pin: &Pin) -> Result<(), ServiceError> {
    let n = pin.expose().chars().count();
    if (MIN_NEW_PIN..=PIN_MAX_CHARS).contains(&n) {
        Ok(())
    } else {
        Err(ServiceError::invalid(
            Field::Pin,
            format!("a new PIN needs {MIN_NEW_PIN} to {PIN_MAX_CHARS} characters"),
        ))
    }
}

fn check_passphrase(passphrase: &Pin, pin: &Pin) -> Result<(), ServiceError> {
    if passphrase.expose().chars().count() < MIN_PASSPHRASE {
        return Err(ServiceError::invalid(
            Field::Passphrase,
            format!("the backup passphrase needs at least {MIN_PASSPHRASE} characters"),
        ));
    }
    if passphrase.expose() == pin.expose() {
        return Err(ServiceError::invalid(
            Field::Passphrase,
            "the backup passphrase must not be the PIN",
        ));
    }
    Ok(())
}

fn felt_field(text: &str, what: &str) -> Result<Felt, ServiceError> {
    Felt::from_hex(text).map_err(|_| {
        ServiceError::invalid(Field::Backup, format!("the backup's {what} is not a felt"))
    })
}

impl WalletService {
    /// The owner key, opened with `pin`, sealed again under `passphrase` in a backup file
    /// (JSON text). Two Argon2id runs, off the async threads.
    #[tracing::instrument(level = "info", skip_all, err(level = "warn", Display))]
    pub async fn export_backup(&self, pin: &Pin, passphrase: &Pin) -> Result<String, ServiceError> {
        check_passphrase(passphrase, pin)?;
        let manager = self.manager()?;
        let chain_id = self.prefs.get().network.chain_id;
        let (guard, who) = (self.guard.clone(), self.guard_key());
        let (pin, passphrase) = (pin.clone(), passphrase.clone());
        let opened = manager.clone();
        let sealed = blocking(move || {
            let key = guard.attempt(&who, || Ok(opened.wallet().open_owner(pin.expose())?))?;
            Ok(SealedSecret::seal(&key, passphrase.expose())?
                .as_str()
                .to_owned())
        })
        .await?;
        let w = manager.wallet();
        let file = BackupFile {
            format: BACKUP_FORMAT.into(),
            version: 1,
            chain_id: hex(chain_id),
            address: hex(w.address),
            class_hash: hex(w.class_hash),
            salt: w.salt.map(hex),
            owner_public_key: hex(w.owner_public_key),
            sealed_owner_key: sealed,
        };
        serde_json::to_string_pretty(&file)
            .map_err(|e| ServiceError::Internal(format!("the backup could not be written: {e}")))
    }

    /// A wallet restored from a backup file's `text`, opened with `passphrase` and sealed under
    /// the new `pin`; refused when the file is of another chain, or its key is not the
    /// account's owner.
    #[tracing::instrument(level = "info", skip_all, err(level = "warn", Display))]
    pub async fn import_backup(
        &self,
        text: &str,
        passphrase: &Pin,
        pin: &Pin,
    ) -> Result<WalletInfo, ServiceError> {
        check_new_pin(pin)?;
        if self.current().is_some() || self.prefs.get().wallet.is_some() {
            return Err(ServiceError::input("a wallet exists already"));
        }
        let file: BackupFile = serde_json::from_str(text.trim()).map_err(|_| {
            ServiceError::invalid(Field::Backup, "this is not a wallet backup file")
        })?;
        if file.format != BACKUP_FORMAT || file.version != 1 {
            return Err(ServiceError::invalid(
                Field::Backup,
                "this is not a wallet backup file this app can read",
            ));
        }
        let network = self.prefs.get().network;
        if felt_field(&file.chain_id, "chain id")? != network.chain_id {
            return Err(ServiceError::invalid(
                Field::Backup,
                format!("this backup is of another network than {}", network.name),
            ));
        }
        let address = parse_address(&file.address)?;
        let class_hash = felt_field(&file.class_hash, "class hash")?;
        let owner_public_key = felt_field(&file.owner_public_key, "owner key")?;
        let salt = file
            .salt
            .as_deref()
            .map(|s| felt_field(s, "salt"))
            .transpose()?;
        let sealed = SealedSecret::parse(&file.sealed_owner_key)?;
        // The file sets the Argon2id cost of opening it: no more than twice this app's.
        let params = sealed.params()?;
        let most = KdfParams::DEFAULT;
        if params.memory_kib > 2 * most.memory_kib || params.iterations > 2 * most.iterations {
            return Err(ServiceError::invalid(
                Field::Backup,
                "this backup asks for more key-derivation work than this app allows",
            ));
        }
        // The address must be the key's: the deployed account's class and owner, read from the
        // chain (the check fails closed), or the address this class, salt and key deploy to.
        let node = network.node();
        let mut probed_layout = None;
        match node.class_hash_at(address).await? {
            Some(on_chain) => {
                if on_chain != class_hash {
                    return Err(ServiceError::invalid(
                        Field::Backup,
                        "the backup's account class is not the one deployed at its address",
                    ));
                }
                let owner = node
                    .call(address, "get_public_key", &[])
                    .await
                    .map_err(|_| {
                        ServiceError::invalid(
                            Field::Backup,
                            "the account's owner key cannot be read to check the backup",
                        )
                    })?;
                if owner.first() != Some(&owner_public_key) {
                    return Err(SessionError::InvalidKey.into());
                }
                // A class the table does not list is probed again, as at its import.
                if chipi_session::wallet_type::WalletType::from_class_hash(class_hash).is_none() {
                    probed_layout = Some(
                        chipi_session::chain::probe::probe_session_layout(
                            &node, address, class_hash,
                        )
                        .await?,
                    );
                }
            }
            None => {
                let Some(salt) = salt else {
                    return Err(ServiceError::invalid(
                        Field::Backup,
                        "the backup's account is not deployed and the file has no salt",
                    ));
                };
                let computed =
                    get_contract_address(salt, class_hash, &[owner_public_key], Felt::ZERO);
                if computed != address {
                    return Err(ServiceError::invalid(
                        Field::Backup,
                        "the backup's address is not the one its key deploys to",
                    ));
                }
            }
        }
        let (guard, passphrase, pin) = (self.guard.clone(), passphrase.clone(), pin.clone());
        let wallet = blocking(move || {
            let key = guard.attempt(BACKUP_ATTEMPTS_ENTRY, || {
                Ok(sealed.open(passphrase.expose())?)
            })?;
            if key.public_key() != owner_public_key {
                return Err(SessionError::InvalidKey.into());
            }
            Ok(Wallet {
                address,
                owner_public_key,
                sealed_owner_key: SealedSecret::seal(&key, pin.expose())?.as_str().to_owned(),
                class_hash,
                salt,
                probed_layout,
            })
        })
        .await?;
        self.adopt(wallet)?;
        self.set_unlocked(true);
        self.wallet_info()
    }

    /// Removes the wallet from this device (its keys from the keychain, its session and
    /// activity), after the PIN and the user's word that a backup exists. A session still live
    /// on chain is refused: it is revoked first, or it would stay valid with nobody able to
    /// revoke it from here.
    #[tracing::instrument(level = "info", skip_all, err(level = "warn", Display))]
    pub async fn remove_wallet(&self, pin: &Pin, backed_up: bool) -> Result<(), ServiceError> {
        if !backed_up {
            return Err(ServiceError::NotConfirmed(
                "confirm that the owner key is backed up before removing the wallet".into(),
            ));
        }
        let manager = self.manager()?;
        // A damaged owner key can be opened by no one, with no PIN: removal (then a restore from
        // the backup) is the way out, whatever the session's state. A key in a format this
        // version does not know (sealed by a newer one) is not damaged: it is kept.
        let damaged = match self.open_owner(&manager, pin).await {
            Ok(_) => false,
            Err(e)
                if e.is_corrupted()
                    && matches!(
                        chipi_session::SealedSecret::parse(&manager.wallet().sealed_owner_key),
                        Err(SessionError::MalformedCiphertext)
                    ) =>
            {
                true
            }
            Err(e) => return Err(e),
        };
        // Read after the PIN, so a session set up meanwhile is seen.
        if !damaged
            && matches!(
                manager.state(),
                SessionState::Active | SessionState::Registering
            )
        {
            return Err(SessionError::SessionStillActive.into());
        }
        // So is an app's: its key would go, its session stay valid on chain.
        let apps = self.prefs.get().wallet.map(|w| w.apps).unwrap_or_default();
        for app in apps.iter().filter(|_| !damaged) {
            let state = self.app_manager(&app.id)?.state();
            if matches!(state, SessionState::Active | SessionState::Registering) {
                return Err(ServiceError::input(format!(
                    "{}'s session is still valid on chain: revoke it on the Session screen first",
                    app.name
                )));
            }
        }
        let network = self.prefs.get().network.name;
        let address = hex(manager.wallet().address);
        manager.lock_session();
        // The preferences first: a failure there leaves the wallet whole; a keychain failure
        // after it leaves unused entries, never a wallet without its key.
        self.prefs.update(|p| {
            p.wallet = None;
            p.session = None;
            p.activity.clear();
        })?;
        self.set_unlocked(false);
        self.load_manager()?;
        self.delete_biometric_entries(&network, &address);
        self.vault.delete(&session_key_entry(&network, &address))?;
        for app in &apps {
            self.vault
                .delete(&app_session_entry(&network, &address, &app.id))?;
        }
        self.vault.delete(&owner_key_entry(&network, &address))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chipi_session::rules::{NEW_PIN_MIN_CHARS, PASSPHRASE_MIN_CHARS, PIN_MIN_CHARS};

    fn chars(n: usize) -> Pin {
        Pin::new("x".repeat(n))
    }

    /// The service applies the core's rules (the UI's come from the same constants).
    #[test]
    fn the_service_applies_the_cores_rules() {
        assert!(check_new_pin(&chars(NEW_PIN_MIN_CHARS - 1)).is_err());
        assert!(check_new_pin(&chars(NEW_PIN_MIN_CHARS)).is_ok());
        assert!(check_new_pin(&chars(PIN_MAX_CHARS)).is_ok());
        assert!(check_new_pin(&chars(PIN_MAX_CHARS + 1)).is_err());
        // Every new PIN is a PIN the core opens keys with; older, shorter ones still are.
        assert!(chipi_session::wallet::check_pin(&"x".repeat(NEW_PIN_MIN_CHARS)).is_ok());
        assert!(chipi_session::wallet::check_pin(&"x".repeat(PIN_MIN_CHARS)).is_ok());
        assert!(chipi_session::wallet::check_pin(&"x".repeat(PIN_MIN_CHARS - 1)).is_err());
        let pin = chars(NEW_PIN_MIN_CHARS);
        let short = Pin::new("p".repeat(PASSPHRASE_MIN_CHARS - 1));
        let enough = Pin::new("p".repeat(PASSPHRASE_MIN_CHARS));
        assert!(check_passphrase(&short, &pin).is_err());
        assert!(check_passphrase(&enough, &pin).is_ok());
        assert_eq!(
            chipi_session::session::manager::MIN_EXPORT_PASSPHRASE,
            MIN_PASSPHRASE,
            "one passphrase rule for backups and session exports"
        );
    }
}
