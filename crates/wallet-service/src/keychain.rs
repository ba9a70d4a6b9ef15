//! Secrets at rest in the OS keychain (Keychain on macOS, Credential Manager on Windows, Secret
//! Service on Linux), one entry per wallet and per session, under the app's identifier. What is
//! stored is already sealed under the PIN (Argon2id + AEAD, from the core): the keychain adds
//! the OS's protection on top, it is not the only one.

use crate::error::ServiceError;
use crate::host::SecretVault;

/// The OS keychain through `keyring`, service = the app identifier.
#[derive(Debug, Clone)]
pub struct KeyringVault {
    service: String,
}

impl KeyringVault {
    /// A vault for the app with identifier `service`.
    pub fn new(service: impl Into<String>) -> Self {
        Self {
            service: service.into(),
        }
    }

    fn entry(&self, name: &str) -> Result<keyring::Entry, ServiceError> {
        keyring::Entry::new(&self.service, name).map_err(keychain_error)
    }
}

/// Says what went wrong without echoing anything stored. The platform's own error is kept as the
/// source; the other variants are not (one holds the stored bytes that did not decode).
fn keychain_error(error: keyring::Error) -> ServiceError {
    let (message, source): (&str, Option<chipi_session::BoxError>) = match error {
        keyring::Error::NoDefaultStore => ("no keychain is available on this system", None),
        keyring::Error::NoStorageAccess(e) => (
            "the keychain is locked or refused access; unlock it and try again",
            Some(e),
        ),
        keyring::Error::PlatformFailure(e) => ("the keychain failed", Some(e)),
        keyring::Error::BadEncoding(_) => ("the keychain entry is not text", None),
        keyring::Error::TooLong(name, limit) => {
            return ServiceError::keychain(format!(
                "the keychain refused: {name} is longer than {limit}"
            ))
        }
        _ => ("the keychain refused the request", None),
    };
    let message = match &source {
        Some(e) => format!("{message}: {e}"),
        None => message.to_owned(),
    };
    ServiceError::Keychain { message, source }
}

impl SecretVault for KeyringVault {
    fn put(&self, name: &str, sealed: &str) -> Result<(), ServiceError> {
        self.entry(name)?
            .set_password(sealed)
            .map_err(keychain_error)
    }

    fn get(&self, name: &str) -> Result<Option<String>, ServiceError> {
        match self.entry(name)?.get_password() {
            Ok(value) => Ok(Some(value)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(keychain_error(e)),
        }
    }

    fn delete(&self, name: &str) -> Result<(), ServiceError> {
        match self.entry(name)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(keychain_error(e)),
        }
    }
}

/// The entry holding the sealed owner key of the wallet at `address` on `network` (one per
/// network: the same address may be imported on two networks under different PINs).
pub fn owner_key_entry(network: &str, address: &str) -> String {
    format!("wallet:{network}:{address}:owner")
}

/// The entry holding a network's secret `what` (`paymaster-api-key`, `chipi-api-key`,
/// `chipi-bearer`).
pub fn network_secret_entry(network: &str, what: &str) -> String {
    format!("network:{network}:{what}")
}

/// The entry holding the sealed session key of the wallet at `address` on `network`.
pub fn session_key_entry(network: &str, address: &str) -> String {
    format!("wallet:{network}:{address}:session")
}

/// The entry holding the sealed session key of app `app` paired with the wallet at `address`.
pub fn app_session_entry(network: &str, address: &str, app: &str) -> String {
    format!("wallet:{network}:{address}:app:{app}:session")
}

/// The entry of the wallet's biometric unlock: `key` (the wrapping key, behind the OS's check)
/// or `pin` (the PIN wrapped under it, in the keychain).
pub fn biometric_entry(network: &str, address: &str, what: &str) -> String {
    format!("wallet:{network}:{address}:biometric-{what}")
}

/// The entry counting wrong PINs for the wallet at `address` on `network` (the back-off).
pub fn pin_attempts_entry(network: &str, address: &str) -> String {
    format!("wallet:{network}:{address}:pin-attempts")
}

/// The entry counting wrong passphrases of backup files being restored.
pub const BACKUP_ATTEMPTS_ENTRY: &str = "backup:passphrase-attempts";

/// The name entries had before they named the network (`what`: `owner` or `session`); read
/// once and moved to the new name.
pub fn legacy_entry(address: &str, what: &str) -> String {
    format!("wallet:{address}:{what}")
}
