//! The platform's biometric unlock (the service's [`Biometrics`]): on macOS Touch ID, through a
//! Keychain item only Touch ID opens; on Windows, Windows Hello in front of the app's window
//! guarding a key kept in the Credential Manager under DPAPI; on Linux none (the PIN). Which one
//! a device has is chosen at start; the test setting replaces it (`wallet_service::host::select`).

use std::sync::Arc;

use tauri::{AppHandle, Runtime};

use wallet_service::host::Biometrics;
use wallet_service::SecretVault;

/// The biometric unlock of this platform; keys of the Windows one live in `vault` (the app's
/// keychain), the macOS one in Keychain items of the app's `identifier`. Built even when the
/// sensor is not there now (a closed laptop lid): whether it can be used is asked at each use,
/// and turning it off can always delete what an earlier turn-on stored.
pub fn for_platform<R: Runtime>(
    handle: &AppHandle<R>,
    vault: Arc<dyn SecretVault>,
    identifier: &str,
) -> Box<dyn Biometrics> {
    #[cfg(windows)]
    {
        let _ = identifier;
        Box::new(wallet_service::host::CheckedVault::new(
            Box::new(windows::WindowsHello(handle.clone())),
            Arc::new(windows::Dpapi(vault)),
        ))
    }
    #[cfg(target_os = "macos")]
    {
        let _ = vault;
        Box::new(mac::TouchId {
            handle: handle.clone(),
            service: format!("{identifier}.biometric"),
        })
    }
    #[cfg(not(any(windows, target_os = "macos")))]
    {
        let _ = (handle, vault, identifier);
        Box::new(wallet_service::host::PinOnly)
    }
}

/// The service's error for a platform answer.
#[cfg(any(windows, target_os = "macos", test))]
fn app_error(
    name: &str,
    what: wallet_service::Confirmation,
    error: platform_auth::AuthError,
) -> wallet_service::ServiceError {
    use platform_auth::AuthError;
    use wallet_service::ServiceError;
    match error {
        AuthError::Declined(why) => {
            ServiceError::NotConfirmed(format!("{} was not confirmed: {why}", what.reason()))
        }
        AuthError::Unavailable(why) => {
            ServiceError::BiometricsUnavailable(format!("{name}: {why}"))
        }
        AuthError::Gone => wallet_service::host::key_gone(name),
        AuthError::Failed(why) => ServiceError::Internal(format!("{name} failed: {why}")),
    }
}

#[cfg(target_os = "macos")]
mod mac {
    use tauri::{AppHandle, Manager, Runtime};
    use tauri_plugin_biometric::Biometric;

    use chipi_session::WrappingKey;
    use wallet_service::host::{key_gone, Biometrics};
    use wallet_service::{Confirmation, ServiceError};

    const NAME: &str = "Touch ID";

    /// Touch ID: the key is a Keychain item with a biometry access control for the fingers
    /// enrolled now; tauri-plugin-biometric says whether Touch ID is there at all.
    pub(super) struct TouchId<R: Runtime> {
        pub(super) handle: AppHandle<R>,
        pub(super) service: String,
    }

    impl<R: Runtime> Biometrics for TouchId<R> {
        fn name(&self) -> &'static str {
            NAME
        }

        fn available(&self) -> bool {
            self.handle
                .try_state::<Biometric<R>>()
                .and_then(|biometric| biometric.status().ok())
                .is_some_and(|status| status.is_available)
        }

        fn store(&self, name: &str, key: &WrappingKey) -> Result<(), ServiceError> {
            platform_auth::touch_id_store(&self.service, name, key.as_bytes())
                .map_err(|e| super::app_error(NAME, Confirmation::TurnOnBiometrics, e))
        }

        fn release(&self, name: &str, what: Confirmation) -> Result<WrappingKey, ServiceError> {
            let bytes = zeroize::Zeroizing::new(
                platform_auth::touch_id_read(&self.service, name)
                    .map_err(|e| super::app_error(NAME, what, e))?,
            );
            WrappingKey::from_bytes(&bytes).map_err(|_| key_gone(NAME))
        }

        fn delete(&self, name: &str) -> Result<(), ServiceError> {
            platform_auth::touch_id_delete(&self.service, name)
                .map_err(|e| super::app_error(NAME, Confirmation::TurnOnBiometrics, e))
        }

        fn sealed_by_check(&self) -> bool {
            true
        }
    }
}

#[cfg(windows)]
mod windows {
    use std::sync::Arc;

    use tauri::{AppHandle, Manager, Runtime};

    use wallet_service::host::Confirmer;
    use wallet_service::{Confirmation, SecretVault, ServiceError};

    const NAME: &str = "Windows Hello";

    /// Windows Hello (face, fingerprint or the device PIN), its prompt parented to the app's
    /// main window so it opens in front.
    pub(super) struct WindowsHello<R: Runtime>(pub(super) AppHandle<R>);

    impl<R: Runtime> Confirmer for WindowsHello<R> {
        fn confirm(&self, what: Confirmation) -> Result<(), ServiceError> {
            let window = self
                .0
                .get_webview_window("main")
                .and_then(|w| w.hwnd().ok())
                .map(|hwnd| hwnd.0 as isize);
            platform_auth::verify(what.reason(), window)
                .map_err(|e| super::app_error(NAME, what, e))
        }

        fn name(&self) -> &'static str {
            NAME
        }

        fn available(&self) -> bool {
            platform_auth::available()
        }
    }

    /// A vault whose values are encrypted for the Windows user (DPAPI) before they reach the
    /// Credential Manager.
    pub(super) struct Dpapi(pub(super) Arc<dyn SecretVault>);

    fn failed(e: platform_auth::AuthError) -> ServiceError {
        ServiceError::keychain(format!("DPAPI refused: {e}"))
    }

    impl SecretVault for Dpapi {
        fn put(&self, name: &str, sealed: &str) -> Result<(), ServiceError> {
            let protected = platform_auth::protect_for_user(sealed.as_bytes()).map_err(failed)?;
            self.0.put(name, &super::hex_encode(&protected))
        }

        fn get(&self, name: &str) -> Result<Option<String>, ServiceError> {
            let Some(text) = self.0.get(name)? else {
                return Ok(None);
            };
            // What DPAPI cannot open (garbled, or another user's) reads as gone: biometric
            // unlock then turns itself off instead of failing at every try.
            let Some(protected) = super::hex_decode(&text) else {
                return Ok(None);
            };
            let Ok(plain) = platform_auth::unprotect_for_user(&protected) else {
                return Ok(None);
            };
            let plain = zeroize::Zeroizing::new(plain);
            Ok(std::str::from_utf8(&plain).ok().map(str::to_owned))
        }

        fn delete(&self, name: &str) -> Result<(), ServiceError> {
            self.0.delete(name)
        }
    }
}

#[cfg(any(windows, test))]
fn hex_encode(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(any(windows, test))]
fn hex_decode(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || !text.is_ascii() {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use platform_auth::AuthError;
    use wallet_service::{Confirmation, ServiceError};

    #[test]
    fn platform_answers_become_the_service_errors() {
        let map = |e| super::app_error("Touch ID", Confirmation::Unlock, e);
        assert!(matches!(
            map(AuthError::Declined("no".into())),
            ServiceError::NotConfirmed(_)
        ));
        assert!(matches!(
            map(AuthError::Gone),
            ServiceError::BiometricsChanged(_)
        ));
        assert!(matches!(
            map(AuthError::Unavailable("x".into())),
            ServiceError::BiometricsUnavailable(_)
        ));
        assert!(matches!(
            map(AuthError::Failed("x".into())),
            ServiceError::Internal(_)
        ));
    }

    #[test]
    fn hex_round_trips_and_refuses_garbage() {
        let bytes = [0u8, 1, 0xab, 0xff];
        assert_eq!(super::hex_encode(&bytes), "0001abff");
        assert_eq!(super::hex_decode("0001abff").unwrap(), bytes);
        assert!(super::hex_decode("0g").is_none());
        assert!(super::hex_decode("abc").is_none());
        assert!(super::hex_decode("éé").is_none());
    }
}
