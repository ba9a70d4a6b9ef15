//! The service's own error: what went wrong in the wallet, with its cause kept as the `source`
//! (the core's [`SessionError`], a keychain's or a file's error). It never carries a key, a PIN
//! or a decrypted secret. Hosts report their failures in it too; the IPC form is
//! [`crate::AppError`], made from it in one conversion at the host's edge.

use chipi_session::{BoxError, SessionError};
use serde::{Deserialize, Serialize};

/// The input field a refusal is about, so a screen can point at it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum Field {
    /// The PIN (or a new PIN).
    Pin,
    /// An export or backup passphrase.
    Passphrase,
    /// An address (recipient, token, contract).
    Address,
    /// A private key (an owner key to import).
    Key,
    /// An amount.
    Amount,
    /// A session's duration, expiry or call budget.
    Session,
    /// A spending limit.
    Limit,
    /// A node, paymaster or explorer URL.
    Url,
    /// A chain id.
    ChainId,
    /// A network's name.
    Network,
    /// An API key.
    ApiKey,
    /// A fee or fee cap.
    Fee,
    /// A backup file.
    Backup,
    /// A call (contract, entrypoint, calldata).
    Call,
    /// A message to sign.
    Message,
    /// A contact's name or note.
    Contact,
}

/// Which limit a spending-limit refusal breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum LimitPer {
    /// The per-transfer limit.
    Transfer,
    /// What is left in the current window.
    Window,
}

/// An error of the wallet service.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The core refused or failed; its error (and that error's cause) is the source.
    #[error(transparent)]
    Session(#[from] SessionError),
    /// Input that cannot be used (address, amount, PIN format, parameters).
    #[error("{message}")]
    InvalidInput {
        /// The field it is about, when there is one.
        field: Option<Field>,
        /// What is wrong, in words.
        message: String,
    },
    /// A transfer over the session's spending limit, in whole units of the token.
    #[error(
        "{amount}{} is over the session's limit: at most {left}{} per {} now",
        symbol(token), symbol(token),
        if *per == LimitPer::Transfer { "transfer" } else { "window" }
    )]
    SpendingLimit {
        /// The token's symbol, when the network knows it.
        token: Option<String>,
        /// The amount asked for.
        amount: String,
        /// What the limit still allows.
        left: String,
        /// Which limit.
        per: LimitPer,
    },
    /// A transfer of a token the session has no spending limit for: it cannot move it.
    #[error("this session has no limit for {token}: it cannot send it")]
    NoLimitFor {
        /// The token's symbol.
        token: String,
    },
    /// Too many wrong PINs: wait before trying again.
    #[error("too many wrong PINs; try again in {wait_seconds} s")]
    TooManyAttempts {
        /// Seconds until the next try is taken.
        wait_seconds: u64,
    },
    /// A stored secret or file is damaged or in no known format: not a wrong PIN.
    #[error("{0}")]
    Corrupted(String),
    /// The user declined the confirmation.
    #[error("{0}")]
    NotConfirmed(String),
    /// This device offers no biometric unlock (or not now): use the PIN.
    #[error("{0}")]
    BiometricsUnavailable(String),
    /// Biometric unlock no longer opens the wallet: it was turned off; use the PIN.
    #[error("{0}")]
    BiometricsChanged(String),
    /// The wallet is locked.
    #[error("{0}")]
    Locked(String),
    /// An app's policy does not allow this (a call, a message); checked before anything is
    /// signed.
    #[error("{0}")]
    AppNotAllowed(String),
    /// No wallet yet.
    #[error("{0}")]
    NoWallet(String),
    /// The node is on another chain than the network names.
    #[error("{0}")]
    WrongChain(String),
    /// The OS keychain is locked, missing or refused; its error is the source when there is one.
    #[error("{message}")]
    Keychain {
        /// What failed, in words that echo nothing stored.
        message: String,
        /// The keychain's own error.
        #[source]
        source: Option<BoxError>,
    },
    /// A file (the preferences, the log folder) could not be read or written.
    #[error("{what}: {source}")]
    Storage {
        /// What was being read or written.
        what: String,
        /// The file system's (or store's) error.
        #[source]
        source: BoxError,
    },
    /// Anything else.
    #[error("{0}")]
    Internal(String),
    /// An error kept from loading the wallet (a locked keychain, damaged preferences, a node on
    /// another chain), answered again until a retry works; it was logged when it happened.
    #[error("{0}")]
    Kept(crate::AppError),
}

fn symbol(token: &Option<String>) -> String {
    token.as_ref().map(|t| format!(" {t}")).unwrap_or_default()
}

impl ServiceError {
    /// Input that cannot be used, not about one field.
    pub fn input(message: impl Into<String>) -> Self {
        ServiceError::InvalidInput {
            field: None,
            message: message.into(),
        }
    }

    /// Input that cannot be used, in `field`.
    pub fn invalid(field: Field, message: impl Into<String>) -> Self {
        ServiceError::InvalidInput {
            field: Some(field),
            message: message.into(),
        }
    }

    /// A keychain refusal without an underlying error.
    pub fn keychain(message: impl Into<String>) -> Self {
        ServiceError::Keychain {
            message: message.into(),
            source: None,
        }
    }

    /// A file that could not be read or written, with the error as the source.
    pub fn storage(what: impl Into<String>, source: impl Into<BoxError>) -> Self {
        ServiceError::Storage {
            what: what.into(),
            source: source.into(),
        }
    }

    /// Whether this is damaged data (a stored secret or file in no known format): the service's
    /// own kind, or the core's when it opened a sealed secret.
    pub fn is_corrupted(&self) -> bool {
        matches!(
            self,
            ServiceError::Corrupted(_)
                | ServiceError::Session(
                    SessionError::MalformedCiphertext | SessionError::UnsupportedFormat(_)
                )
        )
    }

    /// Whether this is a wrong PIN (what the back-off counts).
    pub fn is_wrong_pin(&self) -> bool {
        matches!(self, ServiceError::Session(SessionError::WrongPin))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::error::Error as _;

    /// The messages of `error` and of every source under it, outermost first.
    pub(crate) fn chain(error: &(dyn std::error::Error + 'static)) -> Vec<String> {
        let mut out = vec![error.to_string()];
        let mut next = error.source();
        while let Some(e) = next {
            out.push(e.to_string());
            next = e.source();
        }
        out
    }

    #[test]
    fn a_keychain_failure_keeps_its_cause_through_the_core() {
        // The keychain's error, as the service reports it, carried by the core's store error
        // and back out of the service.
        let io = std::io::Error::new(std::io::ErrorKind::PermissionDenied, "collection locked");
        let keychain = ServiceError::Keychain {
            message: "the keychain is locked".into(),
            source: Some(Box::new(io)),
        };
        let error = ServiceError::from(SessionError::SecretStore(Box::new(keychain)));
        let words = chain(&error);
        // transparent: the outer error is the core's, whose source is the keychain's.
        assert_eq!(
            words,
            [
                "the session key could not be stored: the keychain is locked",
                "the keychain is locked",
                "collection locked",
            ]
        );
        let ServiceError::Session(SessionError::SecretStore(inner)) = &error else {
            panic!("{error:?}")
        };
        assert!(inner.downcast_ref::<ServiceError>().is_some());
    }

    #[test]
    fn a_file_failure_keeps_its_cause() {
        let error = ServiceError::storage(
            "preferences",
            std::io::Error::new(std::io::ErrorKind::StorageFull, "no space left"),
        );
        assert_eq!(
            chain(&error),
            ["preferences: no space left", "no space left"]
        );
        assert!(error
            .source()
            .unwrap()
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::StorageFull));
    }

    #[test]
    fn only_the_cores_wrong_pin_counts_as_one() {
        assert!(ServiceError::from(SessionError::WrongPin).is_wrong_pin());
        assert!(!ServiceError::from(SessionError::MalformedCiphertext).is_wrong_pin());
        assert!(
            !ServiceError::invalid(Field::Pin, "a PIN has 6 characters or more").is_wrong_pin()
        );
    }
}
