//! The platform confirmers: before anything that spends or authorises (setting up a session,
//! revoking), after the PIN, Touch ID on macOS, Windows Hello on Windows, and on Linux the PIN
//! re-entry is the confirmation. The trait and the test confirmer are the service's
//! ([`wallet_service::host`]).

use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_biometric::{AuthOptions, Biometric};

use wallet_service::host::{Confirmation, Confirmer, PinReentry};
use wallet_service::AppError;

/// Touch ID (macOS), through tauri-plugin-biometric. The device password is not accepted in its
/// place: the wallet PIN was just checked, the second factor must be the fingerprint.
#[derive(Debug)]
pub struct TouchId<R: Runtime>(AppHandle<R>);

impl<R: Runtime> Confirmer for TouchId<R> {
    fn confirm(&self, what: Confirmation) -> Result<(), AppError> {
        let options = AuthOptions {
            allow_device_credential: false,
            cancel_title: Some("Cancel".into()),
            ..Default::default()
        };
        self.0
            .state::<Biometric<R>>()
            .authenticate(what.reason().into(), options)
            .map_err(|e| {
                AppError::NotConfirmed(format!("{} was not confirmed: {e}", what.reason()))
            })
    }

    fn name(&self) -> &'static str {
        "Touch ID"
    }
}

/// Windows Hello (face, fingerprint or the device PIN), through `platform-auth`.
#[derive(Debug, Default, Clone, Copy)]
pub struct WindowsHello;

impl Confirmer for WindowsHello {
    fn confirm(&self, what: Confirmation) -> Result<(), AppError> {
        platform_auth::verify(what.reason()).map_err(|e| {
            AppError::NotConfirmed(format!("{} was not confirmed: {e}", what.reason()))
        })
    }

    fn name(&self) -> &'static str {
        "Windows Hello"
    }
}

/// The strongest confirmer this device offers: Windows Hello, Touch ID, else the PIN alone.
/// Touch ID needs `tauri_plugin_biometric::init()` registered on the app.
pub fn for_platform<R: Runtime>(handle: &AppHandle<R>) -> Box<dyn Confirmer> {
    if platform_auth::available() {
        return Box::new(WindowsHello);
    }
    let touch_id = handle
        .try_state::<Biometric<R>>()
        .and_then(|biometric| biometric.status().ok())
        .is_some_and(|status| status.is_available);
    if touch_id {
        return Box::new(TouchId(handle.clone()));
    }
    Box::new(PinReentry)
}
