//! The one error that crosses IPC: tagged by `kind` so the UI switches on it, with a message for
//! people. It never carries a key, a PIN or a decrypted secret.

use chipi_session::SessionError;
use serde::Serialize;

/// An error as the UI receives it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, specta::Type)]
#[serde(tag = "kind", content = "message")]
pub enum AppError {
    /// The wallet's account has no session support (READY, or an unknown class).
    #[error("{0}")]
    WalletUnsupported(String),
    /// The session is past its expiry.
    #[error("{0}")]
    SessionExpired(String),
    /// The session was revoked.
    #[error("{0}")]
    SessionRevoked(String),
    /// The session is not registered on chain yet.
    #[error("{0}")]
    SessionNotRegistered(String),
    /// There is no session; create one.
    #[error("{0}")]
    NoSession(String),
    /// A session exists already.
    #[error("{0}")]
    SessionExists(String),
    /// The session has no calls left.
    #[error("{0}")]
    CallsExhausted(String),
    /// A call outside the session's allowlist.
    #[error("{0}")]
    EntrypointNotAllowed(String),
    /// Over a spending limit.
    #[error("{0}")]
    SpendingLimit(String),
    /// The PIN is wrong.
    #[error("{0}")]
    WrongPin(String),
    /// A stored secret (or a ciphertext given) is damaged or in no known format: not a wrong
    /// PIN, and never counted as one.
    #[error("{0}")]
    Corrupted(String),
    /// Too many wrong PINs: wait before trying again.
    #[error("{0}")]
    TooManyAttempts(String),
    /// The user declined the confirmation.
    #[error("{0}")]
    NotConfirmed(String),
    /// This device offers no biometric unlock (or not now): use the PIN.
    #[error("{0}")]
    BiometricsUnavailable(String),
    /// Biometric unlock no longer opens the wallet (the OS dropped its key after the enrolment
    /// changed, or the PIN it holds is not the wallet's): it was turned off; use the PIN.
    #[error("{0}")]
    BiometricsChanged(String),
    /// The wallet is locked; unlock it with the PIN.
    #[error("{0}")]
    Locked(String),
    /// No wallet yet; create or import one.
    #[error("{0}")]
    NoWallet(String),
    /// The node is on another chain than the network names.
    #[error("{0}")]
    WrongChain(String),
    /// The node or a service is unreachable.
    #[error("{0}")]
    Network(String),
    /// The sponsor or Chipi's API refused.
    #[error("{0}")]
    Paymaster(String),
    /// The paymaster wants a (valid) API key for sponsored transactions: set it in Settings, or
    /// choose the gasless fee mode.
    #[error("{0}")]
    PaymasterApiKey(String),
    /// The sponsor returned a transaction that differs from what was asked for (the message
    /// names the field); nothing was signed.
    #[error("{0}")]
    PaymasterTampered(String),
    /// The session is still active on chain: forgetting it needs the PIN (or revoke it first).
    #[error("{0}")]
    SessionStillActive(String),
    /// The transaction reverted, or did not do what it should.
    #[error("{0}")]
    Transaction(String),
    /// The OS keychain is locked, missing or refused.
    #[error("{0}")]
    Keychain(String),
    /// The preferences (the store file) could not be read or written.
    #[error("{0}")]
    Storage(String),
    /// Input that cannot be used (address, amount, PIN format, parameters).
    #[error("{0}")]
    InvalidInput(String),
    /// Anything else.
    #[error("{0}")]
    Internal(String),
}

impl From<SessionError> for AppError {
    /// Every core error has its kind here: a new one does not compile until it is placed.
    fn from(error: SessionError) -> Self {
        let message = error.to_string();
        match error {
            SessionError::WalletUnsupported { .. } | SessionError::NotAnAccount { .. } => {
                AppError::WalletUnsupported(message)
            }
            SessionError::SessionExpired { .. } => AppError::SessionExpired(message),
            SessionError::SessionRevoked => AppError::SessionRevoked(message),
            SessionError::SessionNotRegistered => AppError::SessionNotRegistered(message),
            SessionError::NoSession => AppError::NoSession(message),
            SessionError::SessionExists => AppError::SessionExists(message),
            SessionError::CallsExhausted => AppError::CallsExhausted(message),
            SessionError::EntrypointNotAllowed { .. }
            | SessionError::PrivilegedCall
            | SessionError::DeclareNotAllowed
            | SessionError::UnboundedValueCall { .. } => AppError::EntrypointNotAllowed(message),
            SessionError::SpendingLimit { .. }
            | SessionError::InvalidSpendingPolicy(_)
            | SessionError::NoSpendingPolicy { .. } => AppError::SpendingLimit(message),
            SessionError::SessionStillActive => AppError::SessionStillActive(message),
            SessionError::WrongPin => AppError::WrongPin(message),
            SessionError::MalformedCiphertext | SessionError::UnsupportedFormat(_) => {
                AppError::Corrupted(message)
            }
            SessionError::Network { .. }
            | SessionError::Unavailable { .. }
            | SessionError::Busy { .. }
            | SessionError::Node { .. }
            | SessionError::ReceiptTimeout { .. } => AppError::Network(message),
            SessionError::PaymasterTampered { .. } => AppError::PaymasterTampered(message),
            SessionError::PaymasterApiKey { .. } => AppError::PaymasterApiKey(message),
            SessionError::Paymaster { .. }
            | SessionError::PreviousExecutionPending { .. }
            | SessionError::DirectSendPending
            | SessionError::DirectOutcomeUnknown
            | SessionError::AlreadyExecuted
            | SessionError::ChipiApi { .. } => AppError::Paymaster(message),
            SessionError::Reverted { .. }
            | SessionError::EffectMissing { .. }
            | SessionError::PolicyNotSet { .. }
            | SessionError::AccountNotDeployed => AppError::Transaction(message),
            SessionError::SecretStore(_) => AppError::Keychain(message),
            SessionError::RecordStore(_) => AppError::Storage(message),
            SessionError::InvalidAddress(_)
            | SessionError::InvalidAmount(_)
            | SessionError::InvalidPin
            | SessionError::InvalidSessionParams(_)
            | SessionError::InvalidCall(_)
            | SessionError::InvalidKey
            | SessionError::InvalidSessionData(_)
            | SessionError::InvalidTypedData(_)
            | SessionError::WeakExportPassphrase
            | SessionError::InvalidConfig(_) => AppError::InvalidInput(message),
            SessionError::Signing(_)
            | SessionError::InvalidResponse(_)
            | SessionError::Random(_)
            | SessionError::Encryption
            | SessionError::Unsupported(_) => AppError::Internal(message),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_cross_ipc_tagged_by_kind() {
        let error = AppError::from(SessionError::CallsExhausted);
        let json = serde_json::to_value(&error).unwrap();
        assert_eq!(json["kind"], "CallsExhausted");
        assert_eq!(json["message"], "the session has no calls left");
        let pin = serde_json::to_value(AppError::from(SessionError::WrongPin)).unwrap();
        assert_eq!(pin["kind"], "WrongPin");
        // A damaged entry is its own kind: the PIN back-off counts `WrongPin` only.
        for damaged in [
            SessionError::MalformedCiphertext,
            SessionError::UnsupportedFormat(9),
        ] {
            assert!(matches!(AppError::from(damaged), AppError::Corrupted(_)));
        }
    }

    #[test]
    fn storage_failures_are_never_invalid_input() {
        assert!(matches!(
            AppError::from(SessionError::SecretStore("locked".into())),
            AppError::Keychain(_)
        ));
        assert!(matches!(
            AppError::from(SessionError::RecordStore("disk full".into())),
            AppError::Storage(_)
        ));
    }
}
