//! The error as it crosses IPC (and as the CLI prints it): tagged by `kind` so the UI switches on
//! it, with a `message` for people and, where a screen words it from them, the fields (token,
//! amount, what is left, seconds to wait, the field at fault). Made from a [`ServiceError`] in one
//! conversion at the host's edge; it never carries a key, a PIN or a decrypted secret.

use chipi_session::SessionError;
use serde::Serialize;

use crate::error::{Field, LimitPer, ServiceError};

/// An error as the UI receives it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, specta::Type)]
#[serde(tag = "kind")]
pub enum AppError {
    /// The wallet's account has no session support (READY, or an unknown class).
    #[error("{message}")]
    WalletUnsupported { message: String },
    /// The session is past its expiry.
    #[error("{message}")]
    SessionExpired {
        message: String,
        /// When it expired, unix seconds.
        expired: Option<u32>,
    },
    /// The session was revoked.
    #[error("{message}")]
    SessionRevoked { message: String },
    /// The session is not registered on chain yet.
    #[error("{message}")]
    SessionNotRegistered { message: String },
    /// There is no session; create one.
    #[error("{message}")]
    NoSession { message: String },
    /// A session exists already.
    #[error("{message}")]
    SessionExists { message: String },
    /// The session has no calls left.
    #[error("{message}")]
    CallsExhausted { message: String },
    /// A call outside the session's allowlist.
    #[error("{message}")]
    EntrypointNotAllowed { message: String },
    /// Over a spending limit (or no limit for the token, `amount` and `left` then null).
    #[error("{message}")]
    SpendingLimit {
        message: String,
        /// The token's symbol.
        token: Option<String>,
        /// The amount asked for, whole units.
        amount: Option<String>,
        /// What the limit still allows, whole units.
        left: Option<String>,
        /// Which limit.
        per: Option<LimitPer>,
    },
    /// The PIN is wrong.
    #[error("{message}")]
    WrongPin { message: String },
    /// A stored secret (or a ciphertext given) is damaged or in no known format: not a wrong
    /// PIN, and never counted as one.
    #[error("{message}")]
    Corrupted { message: String },
    /// Too many wrong PINs: wait before trying again.
    #[error("{message}")]
    TooManyAttempts {
        message: String,
        /// Seconds to wait.
        wait: u32,
    },
    /// The user declined the confirmation.
    #[error("{message}")]
    NotConfirmed { message: String },
    /// This device offers no biometric unlock (or not now): use the PIN.
    #[error("{message}")]
    BiometricsUnavailable { message: String },
    /// Biometric unlock no longer opens the wallet (the OS dropped its key after the enrolment
    /// changed, or the PIN it holds is not the wallet's): it was turned off; use the PIN.
    #[error("{message}")]
    BiometricsChanged { message: String },
    /// The wallet is locked; unlock it with the PIN.
    #[error("{message}")]
    Locked { message: String },
    /// No wallet yet; create or import one.
    #[error("{message}")]
    NoWallet { message: String },
    /// The node is on another chain than the network names.
    #[error("{message}")]
    WrongChain { message: String },
    /// The node or a service is unreachable.
    #[error("{message}")]
    Network { message: String },
    /// The sponsor or Chipi's API refused.
    #[error("{message}")]
    Paymaster {
        message: String,
        /// The SNIP-29 (JSON-RPC) error code, when the paymaster gave one.
        code: Option<i32>,
    },
    /// The paymaster wants a (valid) API key for sponsored transactions: set it in Settings, or
    /// choose the gasless fee mode.
    #[error("{message}")]
    PaymasterApiKey { message: String },
    /// The sponsor returned a transaction that differs from what was asked for; nothing was
    /// signed.
    #[error("{message}")]
    PaymasterTampered {
        message: String,
        /// What differs (`calls`, `fee`, `nonce`, ...).
        field: Option<String>,
    },
    /// The session is still active on chain: forgetting it needs the PIN (or revoke it first).
    #[error("{message}")]
    SessionStillActive { message: String },
    /// The transaction reverted, or did not do what it should.
    #[error("{message}")]
    Transaction {
        message: String,
        /// The transaction, when one was sent.
        hash: Option<String>,
    },
    /// The OS keychain is locked, missing or refused.
    #[error("{message}")]
    Keychain { message: String },
    /// The preferences (the store file) could not be read or written.
    #[error("{message}")]
    Storage { message: String },
    /// Input that cannot be used (address, amount, PIN format, parameters).
    #[error("{message}")]
    InvalidInput {
        message: String,
        /// The field at fault, when there is one.
        field: Option<Field>,
    },
    /// An update was not installed (its signature or signed version does not match, or it
    /// could not be written); the running version is unchanged.
    #[error("{message}")]
    Update { message: String },
    /// Anything else.
    #[error("{message}")]
    Internal { message: String },
}

impl AppError {
    /// The kind's name, as the UI switches on it and the CLI prints it.
    pub fn kind(&self) -> &'static str {
        match self {
            AppError::WalletUnsupported { .. } => "WalletUnsupported",
            AppError::SessionExpired { .. } => "SessionExpired",
            AppError::SessionRevoked { .. } => "SessionRevoked",
            AppError::SessionNotRegistered { .. } => "SessionNotRegistered",
            AppError::NoSession { .. } => "NoSession",
            AppError::SessionExists { .. } => "SessionExists",
            AppError::CallsExhausted { .. } => "CallsExhausted",
            AppError::EntrypointNotAllowed { .. } => "EntrypointNotAllowed",
            AppError::SpendingLimit { .. } => "SpendingLimit",
            AppError::WrongPin { .. } => "WrongPin",
            AppError::Corrupted { .. } => "Corrupted",
            AppError::TooManyAttempts { .. } => "TooManyAttempts",
            AppError::NotConfirmed { .. } => "NotConfirmed",
            AppError::BiometricsUnavailable { .. } => "BiometricsUnavailable",
            AppError::BiometricsChanged { .. } => "BiometricsChanged",
            AppError::Locked { .. } => "Locked",
            AppError::NoWallet { .. } => "NoWallet",
            AppError::WrongChain { .. } => "WrongChain",
            AppError::Network { .. } => "Network",
            AppError::Paymaster { .. } => "Paymaster",
            AppError::PaymasterApiKey { .. } => "PaymasterApiKey",
            AppError::PaymasterTampered { .. } => "PaymasterTampered",
            AppError::SessionStillActive { .. } => "SessionStillActive",
            AppError::Transaction { .. } => "Transaction",
            AppError::Keychain { .. } => "Keychain",
            AppError::Storage { .. } => "Storage",
            AppError::InvalidInput { .. } => "InvalidInput",
            AppError::Update { .. } => "Update",
            AppError::Internal { .. } => "Internal",
        }
    }
}

impl From<ServiceError> for AppError {
    /// The one conversion from the service's error: every kind is placed here.
    fn from(error: ServiceError) -> Self {
        let message = error.to_string();
        match error {
            ServiceError::Session(core) => from_core(core, message),
            ServiceError::InvalidInput { field, .. } => AppError::InvalidInput { message, field },
            ServiceError::SpendingLimit {
                token,
                amount,
                left,
                per,
            } => AppError::SpendingLimit {
                message,
                token,
                amount: Some(amount),
                left: Some(left),
                per: Some(per),
            },
            ServiceError::NoLimitFor { token } => AppError::SpendingLimit {
                message,
                token: Some(token),
                amount: None,
                left: None,
                per: None,
            },
            ServiceError::TooManyAttempts { wait_seconds } => AppError::TooManyAttempts {
                message,
                wait: u32::try_from(wait_seconds).unwrap_or(u32::MAX),
            },
            ServiceError::Corrupted(_) => AppError::Corrupted { message },
            ServiceError::NotConfirmed(_) => AppError::NotConfirmed { message },
            ServiceError::BiometricsUnavailable(_) => AppError::BiometricsUnavailable { message },
            ServiceError::BiometricsChanged(_) => AppError::BiometricsChanged { message },
            ServiceError::Locked(_) => AppError::Locked { message },
            ServiceError::AppNotAllowed(_) => AppError::EntrypointNotAllowed { message },
            ServiceError::NoWallet(_) => AppError::NoWallet { message },
            ServiceError::WrongChain(_) => AppError::WrongChain { message },
            ServiceError::Keychain { .. } => AppError::Keychain { message },
            ServiceError::Storage { .. } => AppError::Storage { message },
            ServiceError::Internal(_) => AppError::Internal { message },
            ServiceError::Kept(kept) => kept,
        }
    }
}

impl From<SessionError> for AppError {
    fn from(error: SessionError) -> Self {
        AppError::from(ServiceError::from(error))
    }
}

/// Every core error has its kind here: a new one does not compile until it is placed.
fn from_core(error: SessionError, message: String) -> AppError {
    match error {
        SessionError::WalletUnsupported { .. } | SessionError::NotAnAccount { .. } => {
            AppError::WalletUnsupported { message }
        }
        SessionError::SessionExpired { valid_until } => AppError::SessionExpired {
            message,
            expired: u32::try_from(valid_until).ok(),
        },
        SessionError::SessionRevoked => AppError::SessionRevoked { message },
        SessionError::SessionNotRegistered => AppError::SessionNotRegistered { message },
        SessionError::NoSession => AppError::NoSession { message },
        SessionError::SessionExists => AppError::SessionExists { message },
        SessionError::CallsExhausted => AppError::CallsExhausted { message },
        SessionError::EntrypointNotAllowed { .. }
        | SessionError::PrivilegedCall
        | SessionError::DeclareNotAllowed
        | SessionError::UnboundedValueCall { .. } => AppError::EntrypointNotAllowed { message },
        SessionError::SpendingLimit { token, per, .. } => AppError::SpendingLimit {
            message,
            token: Some(format!("{token:#x}")),
            amount: None,
            left: None,
            per: Some(if per == "call" {
                LimitPer::Transfer
            } else {
                LimitPer::Window
            }),
        },
        SessionError::NoSpendingPolicy { contract } => AppError::SpendingLimit {
            message,
            token: Some(format!("{contract:#x}")),
            amount: None,
            left: None,
            per: None,
        },
        SessionError::InvalidSpendingPolicy(_) => AppError::SpendingLimit {
            message,
            token: None,
            amount: None,
            left: None,
            per: None,
        },
        SessionError::SessionStillActive => AppError::SessionStillActive { message },
        SessionError::WrongPin => AppError::WrongPin { message },
        SessionError::MalformedCiphertext | SessionError::UnsupportedFormat(_) => {
            AppError::Corrupted { message }
        }
        SessionError::Network { .. }
        | SessionError::Unavailable { .. }
        | SessionError::Busy { .. }
        | SessionError::Node { .. }
        | SessionError::ReceiptTimeout { .. } => AppError::Network { message },
        SessionError::PaymasterTampered { field } => AppError::PaymasterTampered {
            message,
            field: Some(field.to_owned()),
        },
        SessionError::PaymasterApiKey { .. } => AppError::PaymasterApiKey { message },
        SessionError::Paymaster { code, .. } => AppError::Paymaster {
            message,
            code: i32::try_from(code).ok(),
        },
        SessionError::PreviousExecutionPending { .. }
        | SessionError::DirectSendPending
        | SessionError::DirectOutcomeUnknown
        | SessionError::AlreadyExecuted
        | SessionError::ChipiApi { .. } => AppError::Paymaster {
            message,
            code: None,
        },
        SessionError::Reverted {
            transaction_hash, ..
        } => AppError::Transaction {
            message,
            hash: transaction_hash.map(|h| format!("{h:#x}")),
        },
        SessionError::EffectMissing {
            transaction_hash, ..
        } => AppError::Transaction {
            message,
            hash: Some(format!("{transaction_hash:#x}")),
        },
        SessionError::PolicyNotSet { .. } | SessionError::AccountNotDeployed => {
            AppError::Transaction {
                message,
                hash: None,
            }
        }
        SessionError::SecretStore(_) => AppError::Keychain { message },
        SessionError::RecordStore(_) => AppError::Storage { message },
        SessionError::InvalidAddress(_) => AppError::InvalidInput {
            message,
            field: Some(Field::Address),
        },
        SessionError::InvalidAmount(_) => AppError::InvalidInput {
            message,
            field: Some(Field::Amount),
        },
        SessionError::InvalidPin => AppError::InvalidInput {
            message,
            field: Some(Field::Pin),
        },
        SessionError::WeakExportPassphrase => AppError::InvalidInput {
            message,
            field: Some(Field::Passphrase),
        },
        SessionError::InvalidSessionParams(_) => AppError::InvalidInput {
            message,
            field: Some(Field::Session),
        },
        SessionError::InvalidCall(_) => AppError::InvalidInput {
            message,
            field: Some(Field::Call),
        },
        SessionError::InvalidKey => AppError::InvalidInput {
            message,
            field: Some(Field::Key),
        },
        SessionError::InvalidTypedData(_) => AppError::InvalidInput {
            message,
            field: Some(Field::Message),
        },
        SessionError::InvalidSessionData(_) | SessionError::InvalidConfig(_) => {
            AppError::InvalidInput {
                message,
                field: None,
            }
        }
        SessionError::Signing(_)
        | SessionError::InvalidResponse(_)
        | SessionError::Random(_)
        | SessionError::Encryption
        | SessionError::Unsupported(_) => AppError::Internal { message },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_cross_ipc_tagged_by_kind_with_their_fields() {
        let error = AppError::from(SessionError::CallsExhausted);
        let json = serde_json::to_value(&error).unwrap();
        assert_eq!(json["kind"], "CallsExhausted");
        assert_eq!(json["message"], "the session has no calls left");
        assert_eq!(error.kind(), "CallsExhausted");
        let pin = serde_json::to_value(AppError::from(SessionError::WrongPin)).unwrap();
        assert_eq!(pin["kind"], "WrongPin");
        // A damaged entry is its own kind: the PIN back-off counts `WrongPin` only.
        for damaged in [
            SessionError::MalformedCiphertext,
            SessionError::UnsupportedFormat(9),
        ] {
            assert!(matches!(
                AppError::from(damaged),
                AppError::Corrupted { .. }
            ));
        }
        let over = AppError::from(ServiceError::SpendingLimit {
            token: Some("STRK".into()),
            amount: "3".into(),
            left: "2".into(),
            per: LimitPer::Window,
        });
        assert_eq!(
            serde_json::to_value(&over).unwrap(),
            serde_json::json!({
                "kind": "SpendingLimit",
                "message": "3 STRK is over the session's limit: at most 2 STRK per window now",
                "token": "STRK", "amount": "3", "left": "2", "per": "window",
            })
        );
        let wait = serde_json::to_value(AppError::from(ServiceError::TooManyAttempts {
            wait_seconds: 60,
        }))
        .unwrap();
        assert_eq!(
            (wait["kind"].as_str(), wait["wait"].as_u64()),
            (Some("TooManyAttempts"), Some(60))
        );
        let field = serde_json::to_value(AppError::from(SessionError::InvalidAmount(
            "7 decimals at most".into(),
        )))
        .unwrap();
        assert_eq!(
            (field["kind"].as_str(), field["field"].as_str()),
            (Some("InvalidInput"), Some("amount"))
        );
    }

    #[test]
    fn the_kinds_name_is_the_tag_the_ui_reads() {
        let samples = [
            AppError::from(SessionError::WalletUnsupported {
                class_hash: Default::default(),
            }),
            AppError::from(SessionError::SessionExpired { valid_until: 1 }),
            AppError::from(ServiceError::TooManyAttempts { wait_seconds: 1 }),
            AppError::from(ServiceError::keychain("locked")),
            AppError::from(ServiceError::input("no")),
            AppError::from(SessionError::PaymasterTampered { field: "fee" }),
        ];
        for error in samples {
            assert_eq!(serde_json::to_value(&error).unwrap()["kind"], error.kind());
        }
    }

    #[test]
    fn storage_failures_are_never_invalid_input() {
        assert!(matches!(
            AppError::from(SessionError::SecretStore("locked".into())),
            AppError::Keychain { .. }
        ));
        assert!(matches!(
            AppError::from(SessionError::RecordStore("disk full".into())),
            AppError::Storage { .. }
        ));
    }

    #[test]
    fn a_paymaster_refusal_keeps_its_code_and_words() {
        let refused = ServiceError::from(SessionError::Paymaster {
            code: 154,
            message: "An error occurred (MAX_AMOUNT_TOO_LOW)".into(),
            data: None,
            signed_valid_for: None,
        });
        let error = AppError::from(refused);
        assert_eq!(
            error,
            AppError::Paymaster {
                message: "paymaster refused: the fee is not covered (gas token balance or \
                          accepted maximum too low) (154)"
                    .into(),
                code: Some(154),
            }
        );
    }
}
