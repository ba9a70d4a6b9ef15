//! What a front end provides: where sealed secrets live, where preferences are persisted, and who
//! confirms an authorisation. The clock is the core's [`chipi_session::Clock`].

use crate::error::AppError;
use crate::prefs::Prefs;

/// Where sealed secrets are kept (already sealed under the PIN by the core).
pub trait SecretVault: Send + Sync {
    /// Stores `sealed` under `name`, replacing what was there.
    fn put(&self, name: &str, sealed: &str) -> Result<(), AppError>;
    /// The sealed secret under `name`, `None` if there is none.
    fn get(&self, name: &str) -> Result<Option<String>, AppError>;
    /// Removes `name` (nothing to do when absent).
    fn delete(&self, name: &str) -> Result<(), AppError>;
}

/// Where preferences are persisted.
pub trait PrefsStore: Send + Sync {
    /// The saved preferences, if any.
    fn load(&self) -> Result<Option<Prefs>, AppError>;
    /// Saves them.
    fn save(&self, prefs: &Prefs) -> Result<(), AppError>;
}

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

/// Where no biometric API exists (Linux, the CLI): the PIN just entered is the confirmation.
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
