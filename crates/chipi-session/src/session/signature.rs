//! The signature layout a CHIPI account accepts from a session key.

use starknet_core::types::Felt;
use starknet_signers::SigningKey;

use crate::error::SessionError;
use crate::keys::secret_key::SecretKey;

/// `[session_pubkey, r, s, valid_until]`. `valid_until` rides along in the signature; the
/// outside-execution hash does not cover it (the direct INVOKE hash does).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionSignature {
    /// The session public key.
    pub session_key: Felt,
    /// ECDSA `r`.
    pub r: Felt,
    /// ECDSA `s`.
    pub s: Felt,
    /// The session's expiry (unix seconds).
    pub valid_until: u64,
}

impl SessionSignature {
    /// Signs `hash` with the session's private key (RFC 6979 deterministic `k`).
    pub fn sign(key: &SigningKey, hash: Felt, valid_until: u64) -> Result<Self, SessionError> {
        let signature = key
            .sign(&hash)
            .map_err(|e| SessionError::Signing(e.to_string()))?;
        Ok(Self {
            session_key: key.verifying_key().scalar(),
            r: signature.r,
            s: signature.s,
            valid_until,
        })
    }

    /// Signs `hash` with a [`SecretKey`] (RFC 6979 deterministic `k`).
    pub fn sign_secret(
        key: &SecretKey,
        hash: Felt,
        valid_until: u64,
    ) -> Result<Self, SessionError> {
        let signature = key.sign(&hash)?;
        Ok(Self {
            session_key: key.public_key(),
            r: signature.r,
            s: signature.s,
            valid_until,
        })
    }

    /// The four felts the account reads.
    pub fn to_felts(&self) -> Vec<Felt> {
        vec![
            self.session_key,
            self.r,
            self.s,
            Felt::from(self.valid_until),
        ]
    }
}
