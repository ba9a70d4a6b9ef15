//! A wallet: an account address, its owner public key, the owner private key sealed under the
//! user's PIN, and the account's class (which says whether sessions are supported).

use serde::{Deserialize, Serialize};
use starknet_core::types::Felt;
use starknet_core::utils::get_contract_address;
use zeroize::Zeroizing;

use crate::backends::paymaster::AccountDeployment;
use crate::error::SessionError;
use crate::keys::sdk_cipher;
use crate::keys::sealed_secret::SealedSecret;
use crate::keys::secret_key::SecretKey;
use crate::wallet_type::{ClassProfile, StatusLayout, WalletType};

/// What is stored about a wallet. The owner key is sealed; nothing here is secret without the PIN.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Wallet {
    /// The account contract.
    pub address: Felt,
    /// The owner's public key.
    pub owner_public_key: Felt,
    /// The owner's private key under the PIN (Argon2id + XChaCha20-Poly1305).
    pub sealed_owner_key: String,
    /// The account's class hash (from deployment data or `starknet_getClassHashAt`).
    pub class_hash: Felt,
    /// The deployment salt, when this app made the wallet (so it can deploy it).
    pub salt: Option<Felt>,
    /// For a class the table does not list: the session layout its answers showed when it
    /// was imported (probed), which gives it the weakest guarantees of that layout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probed_layout: Option<StatusLayout>,
}

impl Wallet {
    /// A new wallet of class `class_hash` (constructor `(public_key)`), with a fresh owner key
    /// sealed under `pin`. Its address is counterfactual until [`Wallet::deployment`] is deployed.
    pub fn create(class_hash: Felt, pin: &str) -> Result<Self, SessionError> {
        Ok(Self::create_unlocked(class_hash, pin)?.0)
    }

    /// [`Self::create`], with the new owner key left open for the rest of the action (its
    /// deployment) instead of opening what was just sealed again.
    pub fn create_unlocked(
        class_hash: Felt,
        pin: &str,
    ) -> Result<(Self, UnlockedOwner), SessionError> {
        check_pin(pin)?;
        let owner = SecretKey::generate()?;
        let owner_public_key = owner.public_key();
        let salt = owner_public_key;
        let address = get_contract_address(salt, class_hash, &[owner_public_key], Felt::ZERO);
        let wallet = Self {
            address,
            owner_public_key,
            sealed_owner_key: SealedSecret::seal(&owner, pin)?.as_str().to_owned(),
            class_hash,
            salt: Some(salt),
            probed_layout: None,
        };
        let owner = UnlockedOwner {
            key: owner,
            pin: Zeroizing::new(pin.to_owned()),
        };
        Ok((wallet, owner))
    }

    /// A wallet from an existing owner key (hex) at `address`, sealed under `pin`.
    pub fn import_key(
        address: Felt,
        class_hash: Felt,
        owner_key: &SecretKey,
        pin: &str,
    ) -> Result<Self, SessionError> {
        check_pin(pin)?;
        Ok(Self {
            address,
            owner_public_key: owner_key.public_key(),
            sealed_owner_key: SealedSecret::seal(owner_key, pin)?.as_str().to_owned(),
            class_hash,
            salt: None,
            probed_layout: None,
        })
    }

    /// A wallet from the SDK's encrypted owner key (`encryptedPrivateKey`, SDK format under
    /// `sdk_pin`), resealed under `pin`.
    pub fn import_sdk(
        address: Felt,
        class_hash: Felt,
        encrypted_private_key: &str,
        sdk_pin: &str,
        pin: &str,
    ) -> Result<Self, SessionError> {
        let plain = sdk_cipher::decrypt(encrypted_private_key, sdk_pin)?;
        let key = SecretKey::from_hex(&plain).map_err(|_| SessionError::WrongPin)?;
        Self::import_key(address, class_hash, &key, pin)
    }

    /// The wallet's type, `None` for a class this app does not know.
    pub fn wallet_type(&self) -> Option<WalletType> {
        WalletType::from_class_hash(self.class_hash)
            .or(self.probed_layout.map(|_| WalletType::Chipi))
    }

    /// What the wallet's class enforces on sessions, `None` when it has no sessions.
    pub fn profile(&self) -> Option<ClassProfile> {
        ClassProfile::of(self.class_hash).or_else(|| {
            self.probed_layout
                .map(|layout| ClassProfile::probed_chipi(self.class_hash, layout))
        })
    }

    /// The class profile, or [`SessionError::WalletUnsupported`].
    pub fn require_profile(&self) -> Result<ClassProfile, SessionError> {
        self.profile().ok_or(SessionError::WalletUnsupported {
            class_hash: self.class_hash,
        })
    }

    /// Whether session keys work with this wallet.
    pub fn supports_sessions(&self) -> bool {
        self.wallet_type()
            .is_some_and(WalletType::supports_sessions)
    }

    /// Fails with [`SessionError::WalletUnsupported`] unless sessions work with this wallet.
    pub fn require_sessions(&self) -> Result<(), SessionError> {
        if self.supports_sessions() {
            Ok(())
        } else {
            Err(SessionError::WalletUnsupported {
                class_hash: self.class_hash,
            })
        }
    }

    /// Opens the owner key with `pin`, and checks it is this wallet's.
    pub fn open_owner(&self, pin: &str) -> Result<SecretKey, SessionError> {
        let key = SealedSecret::parse(&self.sealed_owner_key)?.open(pin)?;
        if key.public_key() != self.owner_public_key {
            return Err(SessionError::WrongPin);
        }
        Ok(key)
    }

    /// Opens the owner key once for a whole user action: the operations that need the owner (or
    /// the PIN, to seal a new session key) take the result instead of opening it again.
    pub fn unlock_owner(&self, pin: &str) -> Result<UnlockedOwner, SessionError> {
        let key = self.open_owner(pin)?;
        Ok(UnlockedOwner {
            key,
            pin: Zeroizing::new(pin.to_owned()),
        })
    }

    /// The data to deploy this wallet, when this app created it.
    pub fn deployment(&self) -> Result<AccountDeployment, SessionError> {
        let salt = self.salt.ok_or_else(|| {
            SessionError::Unsupported(
                "this wallet was imported; it cannot be deployed from here".into(),
            )
        })?;
        Ok(AccountDeployment {
            address: self.address,
            class_hash: self.class_hash,
            salt,
            calldata: vec![self.owner_public_key],
        })
    }
}

/// A wallet's owner key opened with its PIN, for the length of one user action. The PIN is kept
/// beside it (zeroized on drop) to seal what the action creates under the same PIN without asking
/// again. Nothing here is printed by `Debug`.
pub struct UnlockedOwner {
    key: SecretKey,
    pin: Zeroizing<String>,
}

impl UnlockedOwner {
    /// The owner's private key.
    pub fn key(&self) -> &SecretKey {
        &self.key
    }

    /// The PIN the key was opened with.
    pub fn pin(&self) -> &str {
        &self.pin
    }

    /// The owner's public key.
    pub fn public_key(&self) -> Felt {
        self.key.public_key()
    }
}

impl std::fmt::Debug for UnlockedOwner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UnlockedOwner")
            .field("public_key", &format_args!("{:#x}", self.public_key()))
            .finish_non_exhaustive()
    }
}

/// A PIN must be [`PIN_MIN_CHARS`](crate::rules::PIN_MIN_CHARS) to
/// [`PIN_MAX_CHARS`](crate::rules::PIN_MAX_CHARS) characters.
pub fn check_pin(pin: &str) -> Result<(), SessionError> {
    use crate::rules::{PIN_MAX_CHARS, PIN_MIN_CHARS};
    let n = pin.chars().count();
    if (PIN_MIN_CHARS..=PIN_MAX_CHARS).contains(&n) {
        Ok(())
    } else {
        Err(SessionError::InvalidPin)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::sealed_secret::KdfParams;
    use crate::wallet_type::{READY_CLASS_HASH, SESSION_ACCOUNT_CLASS_HASH};

    #[test]
    fn created_wallet_opens_with_its_pin_only() {
        let wallet = Wallet::create(SESSION_ACCOUNT_CLASS_HASH, "2468").unwrap();
        assert!(wallet.supports_sessions());
        assert_eq!(
            wallet.open_owner("2468").unwrap().public_key(),
            wallet.owner_public_key
        );
        assert!(matches!(
            wallet.open_owner("1357"),
            Err(SessionError::WrongPin)
        ));
        let d = wallet.deployment().unwrap();
        assert_eq!(
            get_contract_address(d.salt, d.class_hash, &d.calldata, Felt::ZERO),
            wallet.address
        );
        assert!(!wallet.sealed_owner_key.contains(&format!(
            "{:x}",
            wallet.open_owner("2468").unwrap().public_key()
        )));
        assert!(matches!(
            Wallet::create(SESSION_ACCOUNT_CLASS_HASH, "12"),
            Err(SessionError::InvalidPin)
        ));
    }

    #[test]
    fn ready_wallets_are_refused_for_sessions() {
        let key = SecretKey::generate().unwrap();
        let sealed = SealedSecret::seal_with(
            &key,
            "1111",
            KdfParams {
                memory_kib: 1024,
                iterations: 1,
                parallelism: 1,
            },
        )
        .unwrap();
        let wallet = Wallet {
            address: Felt::ONE,
            owner_public_key: key.public_key(),
            sealed_owner_key: sealed.as_str().to_owned(),
            class_hash: READY_CLASS_HASH,
            salt: None,
            probed_layout: None,
        };
        assert!(matches!(
            wallet.require_sessions(),
            Err(SessionError::WalletUnsupported { .. })
        ));
        let unknown = Wallet {
            class_hash: Felt::from(77u8),
            ..wallet
        };
        assert!(matches!(
            unknown.require_sessions(),
            Err(SessionError::WalletUnsupported { .. })
        ));
        // Probed at import: the weakest guarantees of the layout it showed.
        let probed = Wallet {
            probed_layout: Some(StatusLayout::Counted),
            ..unknown
        };
        assert!(probed.require_sessions().is_ok());
        let profile = probed.require_profile().unwrap();
        assert!(!profile.spending_policies && !profile.bound_calls);
        assert!(
            !profile.gasless_checks_rules,
            "expiry only on the gasless path"
        );
        assert_eq!(profile.layout, StatusLayout::Counted);
    }

    #[test]
    fn imports_the_sdk_owner_key_format() {
        let key = SecretKey::generate().unwrap();
        let encrypted = sdk_cipher::encrypt(
            &format!("{:#x}", Felt::from_hex(&key.to_padded_hex()).unwrap()),
            "9999",
        )
        .unwrap();
        let wallet = Wallet::import_sdk(
            Felt::ONE,
            SESSION_ACCOUNT_CLASS_HASH,
            &encrypted,
            "9999",
            "4321",
        )
        .unwrap();
        assert_eq!(wallet.owner_public_key, key.public_key());
        assert!(matches!(
            Wallet::import_sdk(
                Felt::ONE,
                SESSION_ACCOUNT_CLASS_HASH,
                &encrypted,
                "0000",
                "4321"
            ),
            Err(SessionError::WrongPin)
        ));
    }
}
