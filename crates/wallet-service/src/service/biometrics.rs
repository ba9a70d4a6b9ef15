//! Biometric unlock in place of the PIN, the way desktop password managers do it: turning it on
//! (after the PIN, once) makes a random wrapping key, gives it to the platform's [`Biometrics`]
//! (behind Touch ID or Windows Hello) and keeps the PIN wrapped under it in the keychain. A
//! passed check releases the key, the key opens the PIN, the PIN opens the sealed secrets as
//! before (one Argon2id run). Neither entry opens anything alone; the PIN always still works.
//!
//! A key the platform no longer gives back (the enrolled fingerprints changed, where the OS
//! reports that), or a wrapped PIN that no longer opens the wallet, turns biometric unlock off
//! and says so; it is never counted as a wrong PIN.

use chipi_session::WrappingKey;

use super::{blocking, hex, WalletService};
use crate::error::AppError;
use crate::host::{key_gone, Confirmation};
use crate::keychain::biometric_entry;
use crate::pin::Pin;
use crate::views::BiometricsInfo;

/// The wallet's two entries and the context the PIN is wrapped for.
struct Entries {
    key: String,
    pin: String,
    context: String,
}

impl WalletService {
    /// What the device offers and whether it is on for the current wallet.
    pub fn biometrics_info(&self) -> BiometricsInfo {
        BiometricsInfo {
            name: self.biometrics.name().to_owned(),
            available: self.biometrics.available(),
            enabled: self.biometric_unlock_on(),
        }
    }

    fn biometric_unlock_on(&self) -> bool {
        self.prefs.get().wallet.is_some_and(|w| w.biometric_unlock)
    }

    fn entries(&self) -> Result<Entries, AppError> {
        let prefs = self.prefs.get();
        let wallet = prefs
            .wallet
            .ok_or_else(|| AppError::NoWallet("no wallet yet: create or import one".into()))?;
        let (network, address) = (prefs.network.name, hex(wallet.address));
        Ok(Entries {
            key: biometric_entry(&network, &address, "key"),
            pin: biometric_entry(&network, &address, "pin"),
            context: format!("{network}:{address}"),
        })
    }

    /// Turns biometric unlock on for the current wallet: the PIN is checked once (with the
    /// usual back-off), then the OS's check is asked once, so the user sees it work.
    pub async fn enable_biometrics(&self, pin: &Pin) -> Result<BiometricsInfo, AppError> {
        let manager = self.manager()?;
        if !self.biometrics.available() {
            return Err(AppError::BiometricsUnavailable(format!(
                "{} unlock is not available on this device",
                self.biometrics.name()
            )));
        }
        self.open_owner(&manager, pin).await?;
        let entries = self.entries()?;
        let key = WrappingKey::generate()?;
        let wrapped = key.wrap(pin.expose(), &entries.context)?;
        let (gate, name) = (self.biometrics.clone(), entries.key.clone());
        blocking(move || {
            gate.store(&name, &key)?;
            let back = gate.release(&name, Confirmation::TurnOnBiometrics);
            match back {
                Ok(back) if back.as_bytes() == key.as_bytes() => Ok(()),
                other => {
                    let _ = gate.delete(&name);
                    other.and(Err(AppError::Internal(
                        "the platform gave back another key than it was given".into(),
                    )))
                }
            }
        })
        .await?;
        let saved = self.vault.put(&entries.pin, &wrapped).and_then(|()| {
            self.prefs.update(|p| {
                if let Some(w) = p.wallet.as_mut() {
                    w.biometric_unlock = true;
                }
            })
        });
        if let Err(e) = saved {
            let _ = self.biometrics.delete(&entries.key);
            let _ = self.vault.delete(&entries.pin);
            return Err(e);
        }
        Ok(self.biometrics_info())
    }

    /// Turns biometric unlock off: both entries are deleted. Needs nothing (it takes access
    /// away).
    pub fn disable_biometrics(&self) -> Result<BiometricsInfo, AppError> {
        self.forget_biometrics()?;
        Ok(self.biometrics_info())
    }

    fn forget_biometrics(&self) -> Result<(), AppError> {
        let entries = self.entries()?;
        self.biometrics.delete(&entries.key)?;
        self.vault.delete(&entries.pin)?;
        self.prefs.update(|p| {
            if let Some(w) = p.wallet.as_mut() {
                w.biometric_unlock = false;
            }
        })
    }

    /// Deletes what biometric unlock keeps for `address` on `network` (best effort: a wallet
    /// being adopted or removed).
    pub(super) fn delete_biometric_entries(&self, network: &str, address: &str) {
        let _ = self
            .biometrics
            .delete(&biometric_entry(network, address, "key"));
        let _ = self.vault.delete(&biometric_entry(network, address, "pin"));
    }

    /// The PIN to use: the one typed, or the one biometric unlock releases after the OS's
    /// check for `what` (`true` then).
    pub(super) async fn credential(
        &self,
        pin: Option<&Pin>,
        what: Confirmation,
    ) -> Result<(Pin, bool), AppError> {
        match pin {
            Some(pin) => Ok((pin.clone(), false)),
            None => Ok((self.pin_by_biometrics(what).await?, true)),
        }
    }

    async fn pin_by_biometrics(&self, what: Confirmation) -> Result<Pin, AppError> {
        if !self.biometric_unlock_on() {
            return Err(AppError::BiometricsUnavailable(
                "biometric unlock is off for this wallet: type the PIN".into(),
            ));
        }
        let entries = self.entries()?;
        let (gate, name) = (self.biometrics.clone(), entries.key.clone());
        let key = blocking(move || gate.release(&name, what)).await;
        let key = self.stale_if_gone(key)?;
        let opened = match self.vault.get(&entries.pin)? {
            Some(wrapped) => key
                .unwrap(&wrapped, &entries.context)
                .map_err(|_| key_gone(self.biometrics.name())),
            None => Err(key_gone(self.biometrics.name())),
        };
        let pin = self.stale_if_gone(opened)?;
        Ok(Pin::new(pin.as_str()))
    }

    /// Turns biometric unlock off when it no longer opens the wallet.
    fn stale_if_gone<T>(&self, result: Result<T, AppError>) -> Result<T, AppError> {
        if let Err(AppError::BiometricsChanged(_)) = &result {
            let _ = self.forget_biometrics();
        }
        result
    }

    /// A PIN released by biometrics that the wallet refuses is stale (the wallet was sealed
    /// again under another PIN): biometric unlock is turned off; nothing counts as a miss.
    pub(super) fn stale_if_wrong<T>(&self, result: Result<T, AppError>) -> Result<T, AppError> {
        match result {
            Err(AppError::WrongPin(_)) => self.stale_if_gone(Err(key_gone(self.biometrics.name()))),
            other => other,
        }
    }
}
