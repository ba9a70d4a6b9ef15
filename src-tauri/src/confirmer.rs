//! Confirmation before anything that spends or authorises (setting up a session, revoking):
//! after the PIN, Touch ID on macOS, Windows Hello on Windows, and on Linux the PIN re-entry is
//! the confirmation. Tests pick a deterministic confirmer through a setting that release builds
//! refuse.

use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_biometric::{AuthOptions, Biometric};

use crate::error::AppError;

/// What the user is asked to confirm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Confirmation {
    /// Create and register a session.
    SetUpSession,
    /// Revoke the session.
    RevokeSession,
}

impl Confirmation {
    /// The sentence shown by the OS prompt.
    pub fn reason(self) -> &'static str {
        match self {
            Confirmation::SetUpSession => "Allow a session key to make transfers for you",
            Confirmation::RevokeSession => "Revoke the session key",
        }
    }
}

/// Asks the user, after the PIN was accepted.
pub trait Confirmer: Send + Sync {
    /// `Ok` when the user confirmed.
    fn confirm(&self, what: Confirmation) -> Result<(), AppError>;
    /// A name for the settings screen.
    fn name(&self) -> &'static str;
}

/// Linux (and any platform without a biometric API): the PIN just entered is the confirmation.
#[derive(Debug, Default, Clone, Copy)]
pub struct PinReentry;

impl Confirmer for PinReentry {
    fn confirm(&self, _what: Confirmation) -> Result<(), AppError> {
        Ok(())
    }

    fn name(&self) -> &'static str {
        "PIN"
    }
}

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

/// A confirmer that answers without asking, for tests only.
#[derive(Debug, Clone, Copy)]
pub struct Scripted {
    approve: bool,
}

impl Confirmer for Scripted {
    fn confirm(&self, what: Confirmation) -> Result<(), AppError> {
        if self.approve {
            Ok(())
        } else {
            Err(AppError::NotConfirmed(format!(
                "{} was not confirmed",
                what.reason()
            )))
        }
    }

    fn name(&self) -> &'static str {
        "test"
    }
}

/// The test setting `CHIPI_TEST_CONFIRMER` (`approve` or `deny`). Release builds refuse to start
/// with it set, so it can never weaken an installed app.
pub const TEST_SETTING: &str = "CHIPI_TEST_CONFIRMER";

/// The scripted confirmer when `test_setting` is given in a debug build, else `platform()`.
pub fn select(
    test_setting: Option<&str>,
    release: bool,
    platform: impl FnOnce() -> Box<dyn Confirmer>,
) -> Result<Box<dyn Confirmer>, AppError> {
    match test_setting {
        Some(_) if release => Err(AppError::Internal(format!(
            "{TEST_SETTING} is refused in release builds"
        ))),
        Some("approve") => Ok(Box::new(Scripted { approve: true })),
        Some("deny") => Ok(Box::new(Scripted { approve: false })),
        Some(other) => Err(AppError::InvalidInput(format!(
            "{TEST_SETTING}={other:?}: approve or deny"
        ))),
        None => Ok(platform()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn release_builds_refuse_the_test_confirmer() {
        let pin = || -> Box<dyn Confirmer> { Box::new(PinReentry) };
        assert!(matches!(
            select(Some("approve"), true, pin),
            Err(AppError::Internal(_))
        ));
        assert!(select(Some("approve"), false, pin)
            .unwrap()
            .confirm(Confirmation::SetUpSession)
            .is_ok());
        let deny = select(Some("deny"), false, pin).unwrap();
        assert!(matches!(
            deny.confirm(Confirmation::RevokeSession),
            Err(AppError::NotConfirmed(_))
        ));
        assert!(select(Some("maybe"), false, pin).is_err());
        assert_eq!(select(None, true, pin).unwrap().name(), "PIN");
    }
}
