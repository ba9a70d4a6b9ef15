//! Confirmation before anything that spends or authorises (setting up a session, revoking):
//! after the PIN, Touch ID on macOS, Windows Hello on Windows, and on Linux the PIN re-entry is
//! the confirmation. Tests pick a deterministic confirmer through a setting that release builds
//! refuse.

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

/// The confirmer for this platform, or the scripted one when `test_setting` is given in a debug
/// build.
pub fn select(test_setting: Option<&str>, release: bool) -> Result<Box<dyn Confirmer>, AppError> {
    match test_setting {
        Some(_) if release => Err(AppError::Internal(format!(
            "{TEST_SETTING} is refused in release builds"
        ))),
        Some("approve") => Ok(Box::new(Scripted { approve: true })),
        Some("deny") => Ok(Box::new(Scripted { approve: false })),
        Some(other) => Err(AppError::InvalidInput(format!(
            "{TEST_SETTING}={other:?}: approve or deny"
        ))),
        None => Ok(Box::new(PinReentry)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn release_builds_refuse_the_test_confirmer() {
        assert!(matches!(
            select(Some("approve"), true),
            Err(AppError::Internal(_))
        ));
        assert!(select(Some("approve"), false)
            .unwrap()
            .confirm(Confirmation::SetUpSession)
            .is_ok());
        let deny = select(Some("deny"), false).unwrap();
        assert!(matches!(
            deny.confirm(Confirmation::RevokeSession),
            Err(AppError::NotConfirmed(_))
        ));
        assert!(select(Some("maybe"), false).is_err());
        assert_eq!(select(None, true).unwrap().name(), "PIN");
    }
}
