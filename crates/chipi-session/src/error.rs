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
}
