//! Stark private keys held in memory: generated from the OS CSPRNG, never printed, never
//! serialised, wiped on drop.

use starknet_core::types::Felt;
use starknet_crypto::{get_public_key, rfc6979_generate_k, sign, ExtendedSignature};
use zeroize::Zeroizing;

use crate::error::SessionError;

/// The Stark curve order `n`, big-endian. Private keys live in `[1, n - 1]`.
const CURVE_ORDER: [u8; 32] = [
    0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xb7, 0x81, 0x12, 0x6d, 0xca, 0xe7, 0xb2, 0x32, 0x1e, 0x66, 0xa2, 0x41, 0xad, 0xc6, 0x4d, 0x2f,
];

/// A Stark private key (owner or session). Its `Debug` is redacted, it has no `Serialize`, and
/// its bytes are zeroed when it is dropped.
pub struct SecretKey {
    bytes: Zeroizing<[u8; 32]>,
}

impl SecretKey {
    /// A uniformly random key in `[1, n - 1]` from the operating system's CSPRNG.
    pub fn generate() -> Result<Self, SessionError> {
        loop {
            let mut bytes = Zeroizing::new([0u8; 32]);
            getrandom::fill(bytes.as_mut()).map_err(SessionError::Random)?;
            // n < 2^252: drawing 252 bits and rejecting values ≥ n keeps the draw uniform.
            bytes[0] &= 0x0f;
            if let Ok(key) = Self::from_bytes(bytes) {
                return Ok(key);
            }
        }
    }

    /// A key from its scalar; fails unless `1 ≤ scalar < n`.
    pub fn from_felt(scalar: Felt) -> Result<Self, SessionError> {
        Self::from_bytes(Zeroizing::new(scalar.to_bytes_be()))
    }

    /// Parses a `0x`-prefixed (or bare) hex scalar, as the SDK stores keys.
    pub fn from_hex(text: &str) -> Result<Self, SessionError> {
        let felt = Felt::from_hex(text.trim()).map_err(|_| SessionError::InvalidKey)?;
        Self::from_felt(felt)
    }

    fn from_bytes(bytes: Zeroizing<[u8; 32]>) -> Result<Self, SessionError> {
        let zero = bytes.iter().all(|b| *b == 0);
        if zero || *bytes >= CURVE_ORDER {
            return Err(SessionError::InvalidKey);
        }
        Ok(Self { bytes })
    }

    fn scalar(&self) -> Felt {
        Felt::from_bytes_be(&self.bytes)
    }

    /// The public key (`get_public_key(sk)`).
    pub fn public_key(&self) -> Felt {
        get_public_key(&self.scalar())
    }

    /// ECDSA signature of `hash` with an RFC 6979 deterministic nonce.
    pub fn sign(&self, hash: &Felt) -> Result<ExtendedSignature, SessionError> {
        let scalar = self.scalar();
        let k = rfc6979_generate_k(hash, &scalar, None);
        sign(&scalar, hash, &k).map_err(|e| SessionError::Signing(e.to_string()))
    }

    /// The key as `"0x"` + 64 lowercase hex digits, the plaintext the SDK encrypts for session
    /// keys. Only for export; the buffer is wiped when dropped.
    pub fn to_padded_hex(&self) -> Zeroizing<String> {
        let mut out = Zeroizing::new(String::with_capacity(66));
        out.push_str("0x");
        for byte in self.bytes.iter() {
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 0x0f)]));
        }
        out
    }

    /// The raw 32 big-endian bytes, for sealing. Crate-private: secrets do not leave the crate
    /// in plain form except through [`Self::to_padded_hex`].
    pub(crate) fn as_bytes(&self) -> &[u8; 32] {
        &self.bytes
    }

    /// The key as a starknet-rs signing key, for the direct (fee-paying) path.
    pub(crate) fn signing_key(&self) -> starknet_signers::SigningKey {
        starknet_signers::SigningKey::from_secret_scalar(self.scalar())
    }

    pub(crate) fn from_raw(bytes: Zeroizing<[u8; 32]>) -> Result<Self, SessionError> {
        Self::from_bytes(bytes)
    }
}

const HEX: &[u8; 16] = b"0123456789abcdef";

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(<redacted>)")
    }
}

/// The string form the SDK uses for public keys: lowercase hex, no leading zeros.
pub fn public_key_string(public_key: Felt) -> String {
    format!("{public_key:#x}")
}

#[cfg(test)]
mod tests {
    use starknet_crypto::verify;

    use super::*;

    const SK: &str = "0x02692258c61b07aa1ff4910603108c48519e6a76d52b497ad9eea1c59f8f2fa9";
    const PK: &str = "0x36ead5f7af7ea48a5ee5bdea799543c0a3624871739e15dbb0438e9543f48b6";

    #[test]
    fn keypair_vector() {
        let key = SecretKey::from_hex(SK).unwrap();
        assert_eq!(public_key_string(key.public_key()), PK);
        assert_eq!(key.to_padded_hex().as_str(), SK);
    }

    #[test]
    fn debug_never_shows_the_key() {
        let key = SecretKey::from_hex(SK).unwrap();
        let shown = format!("{key:?}");
        assert_eq!(shown, "SecretKey(<redacted>)");
        assert!(!shown.contains("2692258c"));
    }

    #[test]
    fn range_is_enforced() {
        assert!(SecretKey::from_felt(Felt::ZERO).is_err());
        let n = Felt::from_bytes_be(&CURVE_ORDER);
        assert!(SecretKey::from_felt(n).is_err(), "n itself is not a key");
        assert!(
            SecretKey::from_felt(n - Felt::ONE).is_ok(),
            "n - 1 is the largest key"
        );
        assert!(SecretKey::from_hex("not hex").is_err());
    }

    #[test]
    fn generated_keys_differ_and_sign() {
        let a = SecretKey::generate().unwrap();
        let b = SecretKey::generate().unwrap();
        assert_ne!(a.public_key(), b.public_key());
        let hash = Felt::from(12345u32);
        let sig = a.sign(&hash).unwrap();
        assert!(verify(&a.public_key(), &hash, &sig.r, &sig.s).unwrap());
        assert!(!verify(&b.public_key(), &hash, &sig.r, &sig.s).unwrap());
    }
}
