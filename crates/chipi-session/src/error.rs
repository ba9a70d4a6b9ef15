/// Errors of the session crate.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    /// ECDSA signing failed (the key or the hash is out of range).
    #[error("signing failed: {0}")]
    Signing(String),
    /// A session key cannot declare classes; only the owner can.
    #[error("a session key cannot sign a DECLARE")]
    DeclareNotAllowed,
    /// The account answered something that does not have the expected shape.
    #[error("invalid response: {0}")]
    InvalidResponse(String),
    /// The operating system's random source failed.
    #[error("random source: {0}")]
    Random(String),
    /// A private key outside `[1, n - 1]` or not hex.
    #[error("not a valid Stark private key")]
    InvalidKey,
    /// The PIN does not open the secret (or the secret was tampered with).
    #[error("wrong PIN")]
    WrongPin,
    /// The encrypted secret is not in a format this crate reads.
    #[error("malformed encrypted secret")]
    MalformedCiphertext,
    /// A sealed secret of a format version this build does not know.
    #[error("unsupported sealed-secret version {0}")]
    UnsupportedFormat(u8),
    /// Encryption itself failed.
    #[error("encryption failed")]
    Encryption,
    /// Typed data this crate cannot hash (malformed, or a revision or type it does not support).
    #[error("invalid typed data: {0}")]
    InvalidTypedData(String),
    /// A `SessionKeyData` JSON document that does not parse.
    #[error("invalid session data: {0}")]
    InvalidSessionData(String),
    /// A call that is malformed for what it claims to be.
    #[error("invalid call: {0}")]
    InvalidCall(String),
    /// The session is past its expiry.
    #[error("the session expired at {valid_until}")]
    SessionExpired {
        /// Expiry, unix seconds.
        valid_until: u64,
    },
    /// The session has no calls left.
    #[error("the session has no calls left")]
    CallsExhausted,
    /// A call to an entrypoint outside the session's allowlist.
    #[error("entrypoint {selector:#x} is not allowed for this session")]
    EntrypointNotAllowed {
        /// The selector refused.
        selector: starknet_core::types::Felt,
    },
    /// A spend over the session's spending policy.
    #[error("amount {amount} is over the session's limit of {limit} per {per}")]
    SpendingLimit {
        /// The amount asked for.
        amount: u128,
        /// What is left under the limit.
        limit: u128,
        /// `"call"` or `"window"`.
        per: &'static str,
    },
    /// A session may not call the account itself or nest an execute.
    #[error("a session cannot call the account itself or nest an execute")]
    PrivilegedCall,
    /// The session was never registered on chain.
    #[error("the session is not registered")]
    SessionNotRegistered,
    /// The session was revoked.
    #[error("the session was revoked")]
    SessionRevoked,
}

impl SessionError {
    /// The SDK's error code for this error, where the SDK has one.
    pub fn sdk_code(&self) -> Option<&'static str> {
        Some(match self {
            SessionError::SessionExpired { .. } => "SESSION_EXPIRED",
            SessionError::CallsExhausted => "SESSION_MAX_CALLS_EXCEEDED",
            SessionError::EntrypointNotAllowed { .. } | SessionError::PrivilegedCall => {
                "SESSION_ENTRYPOINT_NOT_ALLOWED"
            }
            SessionError::SessionNotRegistered => "SESSION_NOT_REGISTERED",
            SessionError::SessionRevoked => "SESSION_REVOKED",
            SessionError::WrongPin
            | SessionError::MalformedCiphertext
            | SessionError::UnsupportedFormat(_) => "SESSION_DECRYPTION_FAILED",
            SessionError::InvalidResponse(_) => "SESSION_INVALID_RESPONSE",
            SessionError::SpendingLimit { .. } => "INVALID_SPENDING_POLICY",
            SessionError::Random(_) | SessionError::InvalidKey => "SESSION_CREATION_FAILED",
            _ => return None,
        })
    }
}
