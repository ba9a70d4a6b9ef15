//! What a front end provides: where sealed secrets live, where preferences are persisted, and who
//! confirms an authorisation. The clock is the core's [`chipi_session::Clock`].

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use chipi_session::WrappingKey;

use crate::error::ServiceError;
use crate::prefs::Prefs;

/// Where sealed secrets are kept (already sealed under the PIN by the core).
pub trait SecretVault: Send + Sync {
    /// Stores `sealed` under `name`, replacing what was there.
    fn put(&self, name: &str, sealed: &str) -> Result<(), ServiceError>;
    /// The sealed secret under `name`, `None` if there is none.
    fn get(&self, name: &str) -> Result<Option<String>, ServiceError>;
    /// Removes `name` (nothing to do when absent).
    fn delete(&self, name: &str) -> Result<(), ServiceError>;
}

/// Where preferences are persisted.
pub trait PrefsStore: Send + Sync {
    /// The saved preferences, if any; [`ServiceError::Corrupted`] when they are there but cannot be
    /// read.
    fn load(&self) -> Result<Option<Prefs>, ServiceError>;
    /// Saves them.
    fn save(&self, prefs: &Prefs) -> Result<(), ServiceError>;
    /// Moves preferences that cannot be read out of the way (kept for the user, never
    /// overwritten), so the app starts afresh; where they were kept. `None`: not supported.
    fn set_aside(&self) -> Result<Option<String>, ServiceError> {
        Ok(None)
    }
}

/// What the user is asked to confirm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Confirmation {
    /// Unlock the wallet.
    Unlock,
    /// Turn on biometric unlock.
    TurnOnBiometrics,
    /// Create and register a session.
    SetUpSession,
    /// Revoke the session.
    RevokeSession,
    /// Point the wallet's network at another node, paymaster or Chipi API.
    ChangeEndpoints,
    /// Let sessions pay gas directly with a message that does not sign the fee.
    AllowUnsignedFees,
    /// Move the account to CHIPI v33.
    UpgradeAccount,
    /// Let an app act within a session of its own.
    PairApp,
    /// Send calls an app asked for outside its session.
    AppCalls,
}

impl Confirmation {
    /// The sentence shown by the OS prompt.
    pub fn reason(self) -> &'static str {
        match self {
            Confirmation::Unlock => "Unlock your wallet",
            Confirmation::TurnOnBiometrics => "Turn on unlocking your wallet without the PIN",
            Confirmation::SetUpSession => "Allow a session key to make transfers for you",
            Confirmation::RevokeSession => "Revoke the session key",
            Confirmation::ChangeEndpoints => "Change where your wallet's transactions are sent",
            Confirmation::AllowUnsignedFees => {
                "Let sessions pay gas directly without signing the fee"
            }
            Confirmation::UpgradeAccount => "Upgrade your account to CHIPI v33",
            Confirmation::PairApp => "Let an app make transfers for you within its limits",
            Confirmation::AppCalls => "Send what an app asked for outside its limits",
        }
    }
}

/// The platform's user-presence check (Windows Hello, a test's script): yes or no.
pub trait Confirmer: Send + Sync {
    /// `Ok` when the user confirmed.
    fn confirm(&self, what: Confirmation) -> Result<(), ServiceError>;
    /// A name for the screens.
    fn name(&self) -> &'static str;
    /// Whether the check can be asked on this device now.
    fn available(&self) -> bool;
}

/// Biometric unlock: keeps a wrapping key behind the platform's user-presence check and hands
/// it back only after the check passes. The key opens the wallet's PIN, wrapped in the ordinary
/// keychain, so a passed check stands in for typing the PIN.
pub trait Biometrics: Send + Sync {
    /// A name for the screens ("Touch ID", "Windows Hello"; "PIN" where there is none).
    fn name(&self) -> &'static str;
    /// Whether biometric unlock can be turned on here.
    fn available(&self) -> bool;
    /// Keeps `key` under `name`, readable only after the check; replaces what was there.
    fn store(&self, name: &str, key: &WrappingKey) -> Result<(), ServiceError>;
    /// Asks the user (`what` says why) and returns the key. `NotConfirmed` when declined;
    /// `BiometricsChanged` when the key is gone (the OS dropped it after the enrolled
    /// fingerprints changed) or unreadable.
    fn release(&self, name: &str, what: Confirmation) -> Result<WrappingKey, ServiceError>;
    /// Removes `name` (nothing to do when absent).
    fn delete(&self, name: &str) -> Result<(), ServiceError>;
    /// Whether the OS itself keeps the key sealed until the check passes (a Keychain item with
    /// a biometry access control); `false` when the check is only asked before an ordinary read.
    fn sealed_by_check(&self) -> bool {
        false
    }
}

/// Where no biometric API exists (Linux, the CLI): the PIN is the only way in.
#[derive(Debug, Default, Clone, Copy)]
pub struct PinOnly;

fn pin_only() -> ServiceError {
    ServiceError::BiometricsUnavailable("this device has no biometric unlock: use the PIN".into())
}

impl Biometrics for PinOnly {
    fn name(&self) -> &'static str {
        "PIN"
    }

    fn available(&self) -> bool {
        false
    }

    fn store(&self, _name: &str, _key: &WrappingKey) -> Result<(), ServiceError> {
        Err(pin_only())
    }

    fn release(&self, _name: &str, _what: Confirmation) -> Result<WrappingKey, ServiceError> {
        Err(pin_only())
    }

    fn delete(&self, _name: &str) -> Result<(), ServiceError> {
        Ok(())
    }
}

/// The error for a key the platform no longer gives back.
pub fn key_gone(name: &str) -> ServiceError {
    ServiceError::BiometricsChanged(format!(
        "{name} unlock no longer opens this wallet (the enrolled fingerprints or faces may have \
         changed): use the PIN, then turn {name} on again"
    ))
}

/// Biometrics made of a yes/no presence check and a vault that keeps the key: the key is read
/// only after the check passed. Windows: Windows Hello over a DPAPI-protected Credential
/// Manager entry; tests: the scripted confirmer over the test keychain.
pub struct CheckedVault {
    confirmer: Box<dyn Confirmer>,
    vault: Arc<dyn SecretVault>,
}

impl std::fmt::Debug for CheckedVault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CheckedVault")
            .field("confirmer", &self.confirmer.name())
            .finish_non_exhaustive()
    }
}

impl CheckedVault {
    /// `confirmer` guarding keys kept in `vault`.
    pub fn new(confirmer: Box<dyn Confirmer>, vault: Arc<dyn SecretVault>) -> Self {
        Self { confirmer, vault }
    }
}

impl Biometrics for CheckedVault {
    fn name(&self) -> &'static str {
        self.confirmer.name()
    }

    fn available(&self) -> bool {
        self.confirmer.available()
    }

    fn store(&self, name: &str, key: &WrappingKey) -> Result<(), ServiceError> {
        self.vault.put(name, &key.to_text())
    }

    fn release(&self, name: &str, what: Confirmation) -> Result<WrappingKey, ServiceError> {
        self.confirmer.confirm(what)?;
        let text =
            zeroize::Zeroizing::new(self.vault.get(name)?.ok_or_else(|| key_gone(self.name()))?);
        WrappingKey::from_text(&text).map_err(|_| key_gone(self.name()))
    }

    fn delete(&self, name: &str) -> Result<(), ServiceError> {
        self.vault.delete(name)
    }
}

/// A confirmer that answers without asking, for tests only; its answer can be changed while it
/// is in use.
#[derive(Debug, Clone)]
pub struct Scripted {
    approve: Arc<AtomicBool>,
}

impl Scripted {
    /// Answers with `approve` until told otherwise.
    pub fn new(approve: bool) -> Self {
        Self {
            approve: Arc::new(AtomicBool::new(approve)),
        }
    }

    /// From now on, answers with `approve` (every clone).
    pub fn set(&self, approve: bool) {
        self.approve.store(approve, Ordering::SeqCst);
    }
}

impl Confirmer for Scripted {
    fn confirm(&self, what: Confirmation) -> Result<(), ServiceError> {
        if self.approve.load(Ordering::SeqCst) {
            Ok(())
        } else {
            Err(ServiceError::NotConfirmed(format!(
                "{} was not confirmed",
                what.reason()
            )))
        }
    }

    fn name(&self) -> &'static str {
        "Test biometrics"
    }

    fn available(&self) -> bool {
        true
    }
}

/// The test setting `CHIPI_TEST_CONFIRMER`: `approve` or `deny` (a scripted biometric check over
/// the keychain), or `none` (a device without biometrics). Release builds refuse to start with
/// it set, so it can never weaken an installed app.
pub const TEST_SETTING: &str = "CHIPI_TEST_CONFIRMER";

/// The scripted biometrics when `test_setting` is given in a debug build (keys kept in
/// `vault`), else `platform()`.
pub fn select(
    test_setting: Option<&str>,
    release: bool,
    vault: Arc<dyn SecretVault>,
    platform: impl FnOnce() -> Box<dyn Biometrics>,
) -> Result<Box<dyn Biometrics>, ServiceError> {
    let scripted = |approve| -> Box<dyn Biometrics> {
        Box::new(CheckedVault::new(Box::new(Scripted::new(approve)), vault))
    };
    match test_setting {
        Some(_) if release => Err(ServiceError::Internal(format!(
            "{TEST_SETTING} is refused in release builds"
        ))),
        Some("approve") => Ok(scripted(true)),
        Some("deny") => Ok(scripted(false)),
        Some("none") => Ok(Box::new(PinOnly)),
        Some(other) => Err(ServiceError::input(format!(
            "{TEST_SETTING}={other:?}: approve, deny or none"
        ))),
        None => Ok(platform()),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::collections::HashMap;
    use std::sync::Mutex;

    /// A vault in memory, for the unit tests of this crate.
    #[derive(Default)]
    pub(crate) struct Memory(Mutex<HashMap<String, String>>);

    impl SecretVault for Memory {
        fn put(&self, name: &str, sealed: &str) -> Result<(), ServiceError> {
            self.0.lock().unwrap().insert(name.into(), sealed.into());
            Ok(())
        }
        fn get(&self, name: &str) -> Result<Option<String>, ServiceError> {
            Ok(self.0.lock().unwrap().get(name).cloned())
        }
        fn delete(&self, name: &str) -> Result<(), ServiceError> {
            self.0.lock().unwrap().remove(name);
            Ok(())
        }
    }

    #[test]
    fn release_builds_refuse_the_test_setting() {
        let vault: Arc<dyn SecretVault> = Arc::new(Memory::default());
        let pin = || -> Box<dyn Biometrics> { Box::new(PinOnly) };
        assert!(matches!(
            select(Some("approve"), true, vault.clone(), pin),
            Err(ServiceError::Internal(_))
        ));
        let key = WrappingKey::generate().unwrap();
        let approve = select(Some("approve"), false, vault.clone(), pin).unwrap();
        assert!(approve.available());
        approve.store("k", &key).unwrap();
        assert_eq!(
            approve
                .release("k", Confirmation::SetUpSession)
                .unwrap()
                .as_bytes(),
            key.as_bytes()
        );
        let deny = select(Some("deny"), false, vault.clone(), pin).unwrap();
        assert!(matches!(
            deny.release("k", Confirmation::RevokeSession),
            Err(ServiceError::NotConfirmed(_))
        ));
        assert!(!select(Some("none"), false, vault.clone(), pin)
            .unwrap()
            .available());
        assert!(select(Some("maybe"), false, vault.clone(), pin).is_err());
        assert_eq!(select(None, true, vault, pin).unwrap().name(), "PIN");
    }

    #[test]
    fn a_checked_vault_reads_the_key_only_after_the_check() {
        let vault = Arc::new(Memory::default());
        let check = Scripted::new(false);
        let gate = CheckedVault::new(Box::new(check.clone()), vault.clone());
        let key = WrappingKey::generate().unwrap();
        gate.store("k", &key).unwrap();
        assert!(matches!(
            gate.release("k", Confirmation::Unlock),
            Err(ServiceError::NotConfirmed(_))
        ));
        check.set(true);
        assert!(gate.release("k", Confirmation::Unlock).is_ok());
        // A key the store lost or garbled is a changed enrolment, not a wrong PIN.
        vault.put("k", "garbage").unwrap();
        assert!(matches!(
            gate.release("k", Confirmation::Unlock),
            Err(ServiceError::BiometricsChanged(_))
        ));
        gate.delete("k").unwrap();
        assert!(matches!(
            gate.release("k", Confirmation::Unlock),
            Err(ServiceError::BiometricsChanged(_))
        ));
        assert!(matches!(
            PinOnly.release("k", Confirmation::Unlock),
            Err(ServiceError::BiometricsUnavailable(_))
        ));
    }
}
