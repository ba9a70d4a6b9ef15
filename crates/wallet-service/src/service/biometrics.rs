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
use crate::error::ServiceError;
use crate::host::{key_gone, Confirmation};
use crate::keychain::biometric_entry;
use crate::pin::Pin;
use crate::views::BiometricsInfo;

/// The wallet's two entries and the context the PIN is wrapped for, worked out once per action:
/// a network switch during a prompt never touches another wallet's entries or flag.
pub(super) struct Entries {
    key: String,
    pin: String,
    context: String,
    network: String,
    address: String,
}

impl WalletService {
    /// What the device offers and whether it is on for the current wallet.
    pub fn biometrics_info(&self) -> BiometricsInfo {
        BiometricsInfo {
            name: self.biometrics.name().to_owned(),
            available: self.biometrics.available(),
            enabled: self.biometric_unlock_on(),
            sealed_by_check: self.biometrics.sealed_by_check(),
        }
    }

    fn biometric_unlock_on(&self) -> bool {
        self.prefs.get().wallet.is_some_and(|w| w.biometric_unlock)
    }

    fn entries(&self) -> Result<Entries, ServiceError> {
        let prefs = self.prefs.get();
        let wallet = prefs
            .wallet
            .ok_or_else(|| ServiceError::NoWallet("no wallet yet: create or import one".into()))?;
        let (network, address) = (prefs.network.name, hex(wallet.address));
        Ok(Entries {
            key: biometric_entry(&network, &address, "key"),
            pin: biometric_entry(&network, &address, "pin"),
            context: format!("{network}:{address}"),
            network,
            address,
        })
    }

    /// Sets the flag of the wallet `entries` belong to, if it is still the current one.
    fn set_flag(&self, entries: &Entries, on: bool) -> Result<(), ServiceError> {
        self.prefs.update(|p| {
            let same_network = p.network.name == entries.network;
            if let Some(w) = p.wallet.as_mut() {
                if same_network && hex(w.address) == entries.address {
                    w.biometric_unlock = on;
                }
            }
        })
    }

    /// Turns biometric unlock on for the current wallet: the PIN is checked once (with the
    /// usual back-off), then the OS's check is asked once, so the user sees it work. Any failure
    /// leaves it off with both entries gone, also over an earlier turn-on.
    #[tracing::instrument(level = "info", skip_all, err(level = "warn", Display))]
    pub async fn enable_biometrics(&self, pin: &Pin) -> Result<BiometricsInfo, ServiceError> {
        let manager = self.manager()?;
        if !self.biometrics.available() {
            return Err(ServiceError::BiometricsUnavailable(format!(
                "{} unlock is not available on this device",
                self.biometrics.name()
            )));
        }
        let entries = self.entries()?;
        self.open_owner(&manager, pin).await?;
        let key = WrappingKey::generate()?;
        let wrapped = key.wrap(pin.expose(), &entries.context)?;
        let (gate, name) = (self.biometrics.clone(), entries.key.clone());
        let stored = blocking(move || {
            gate.store(&name, &key)?;
            match gate.release(&name, Confirmation::TurnOnBiometrics) {
                Ok(back) if back.as_bytes() == key.as_bytes() => Ok(()),
                Ok(_) => Err(ServiceError::Internal(
                    "the platform gave back another key than it was given".into(),
                )),
                Err(e) => Err(e),
            }
        })
        .await
        .and_then(|()| self.vault.put(&entries.pin, &wrapped))
        .and_then(|()| self.set_flag(&entries, true));
        if let Err(e) = stored {
            let _ = self.forget(&entries);
            return Err(e);
        }
        Ok(self.biometrics_info())
    }

    /// Turns biometric unlock off: both entries are deleted. Needs nothing (it takes access
    /// away).
    #[tracing::instrument(level = "info", skip_all, err(level = "warn", Display))]
    pub fn disable_biometrics(&self) -> Result<BiometricsInfo, ServiceError> {
        self.forget(&self.entries()?)?;
        Ok(self.biometrics_info())
    }

    fn forget(&self, entries: &Entries) -> Result<(), ServiceError> {
        self.biometrics.delete(&entries.key)?;
        self.vault.delete(&entries.pin)?;
        self.set_flag(entries, false)
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
    /// check for `what` (with the entries it came from).
    pub(super) async fn credential(
        &self,
        pin: Option<&Pin>,
        what: Confirmation,
    ) -> Result<(Pin, Option<Entries>), ServiceError> {
        match pin {
            Some(pin) => Ok((pin.clone(), None)),
            None => {
                let entries = self.entries()?;
                let pin = self.pin_by_biometrics(&entries, what).await?;
                Ok((pin, Some(entries)))
            }
        }
    }

    async fn pin_by_biometrics(
        &self,
        entries: &Entries,
        what: Confirmation,
    ) -> Result<Pin, ServiceError> {
        if !self.biometric_unlock_on() {
            return Err(ServiceError::BiometricsUnavailable(
                "biometric unlock is off for this wallet: type the PIN".into(),
            ));
        }
        let (gate, name) = (self.biometrics.clone(), entries.key.clone());
        let key = blocking(move || gate.release(&name, what)).await;
        let key = self.stale_if_gone(entries, key)?;
        let opened = match self.vault.get(&entries.pin)? {
            Some(wrapped) => key
                .unwrap(&wrapped, &entries.context)
                .map_err(|_| key_gone(self.biometrics.name())),
            None => Err(key_gone(self.biometrics.name())),
        };
        let pin = self.stale_if_gone(entries, opened)?;
        Ok(Pin::new(pin.as_str()))
    }

    /// Turns biometric unlock of `entries`' wallet off when it no longer opens it.
    fn stale_if_gone<T>(
        &self,
        entries: &Entries,
        result: Result<T, ServiceError>,
    ) -> Result<T, ServiceError> {
        if let Err(ServiceError::BiometricsChanged(_)) = &result {
            let _ = self.forget(entries);
        }
        result
    }

    /// Runs `open` (the one Argon2id run with the PIN [`Self::credential`] gave) off the async
    /// threads: a typed PIN under the back-off; a PIN biometrics released outside it, turning
    /// biometric unlock off when the wallet refuses it.
    pub(super) async fn open_with<T: Send + 'static>(
        &self,
        biometric: Option<Entries>,
        open: impl FnOnce() -> Result<T, ServiceError> + Send + 'static,
    ) -> Result<T, ServiceError> {
        match biometric {
            Some(entries) => self.stale_if_wrong(&entries, blocking(open).await),
            None => {
                let (guard, who) = (self.guard.clone(), self.guard_key());
                blocking(move || guard.attempt(&who, open)).await
            }
        }
    }

    /// A PIN released by biometrics that the wallet refuses is stale (the wallet was sealed
    /// again under another PIN): biometric unlock is turned off; nothing counts as a miss.
    fn stale_if_wrong<T>(
        &self,
        entries: &Entries,
        result: Result<T, ServiceError>,
    ) -> Result<T, ServiceError> {
        match result {
            Err(e) if e.is_wrong_pin() => {
                self.stale_if_gone(entries, Err(key_gone(self.biometrics.name())))
            }
            other => other,
        }
    }
}
