//! A random key that wraps a short secret (the PIN) for biometric unlock: the key lives behind
//! the platform's user-presence check (a Keychain item with a biometry access control, Windows
//! Hello over DPAPI), the wrapped secret in the ordinary keychain. Neither opens anything alone.
//!
//! No KDF: the key is 32 random bytes. Text form of a wrapped secret:
//! `chipi-wrapped:` + base64( version(1) || nonce(24) || ciphertext+tag ); the associated data is
//! the version, the nonce and a caller's `context` (the wallet it belongs to), so a wrapped secret
//! moved to another wallet's entry does not open.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use zeroize::Zeroizing;

use crate::error::SessionError;

const PREFIX: &str = "chipi-wrapped:";
const KEY_PREFIX: &str = "chipi-wrapping-key:";
const VERSION: u8 = 1;
const NONCE_LEN: usize = 24;
const TAG_LEN: usize = 16;
/// The longest secret that may be wrapped (a PIN or passphrase), in bytes.
pub const MAX_WRAPPED_LEN: usize = 1024;

/// 32 random bytes, wiped on drop; `Debug` shows nothing.
#[derive(Clone)]
pub struct WrappingKey(Zeroizing<[u8; 32]>);

impl std::fmt::Debug for WrappingKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WrappingKey(***)")
    }
}

impl WrappingKey {
    /// A fresh key from the OS's random source.
    pub fn generate() -> Result<Self, SessionError> {
        let mut bytes = Zeroizing::new([0u8; 32]);
        getrandom::fill(bytes.as_mut()).map_err(SessionError::Random)?;
        Ok(Self(bytes))
    }

    /// The key from its 32 bytes (as a platform store returns them).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, SessionError> {
        let array: [u8; 32] = bytes
            .try_into()
            .map_err(|_| SessionError::MalformedCiphertext)?;
        Ok(Self(Zeroizing::new(array)))
    }

    /// The 32 bytes, for the platform store that keeps them.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// Text form for a store that keeps strings.
    pub fn to_text(&self) -> Zeroizing<String> {
        Zeroizing::new(format!("{KEY_PREFIX}{}", STANDARD.encode(self.0.as_ref())))
    }

    /// Parses [`Self::to_text`].
    pub fn from_text(text: &str) -> Result<Self, SessionError> {
        let body = text
            .strip_prefix(KEY_PREFIX)
            .ok_or(SessionError::MalformedCiphertext)?;
        if body.len() > 64 {
            return Err(SessionError::MalformedCiphertext);
        }
        let bytes = Zeroizing::new(
            STANDARD
                .decode(body)
                .map_err(|_| SessionError::MalformedCiphertext)?,
        );
        Self::from_bytes(&bytes)
    }

    fn aad(nonce: &[u8], context: &str) -> Vec<u8> {
        let mut aad = Vec::with_capacity(1 + NONCE_LEN + context.len());
        aad.push(VERSION);
        aad.extend_from_slice(nonce);
        aad.extend_from_slice(context.as_bytes());
        aad
    }

    /// Encrypts `secret` for `context`.
    pub fn wrap(&self, secret: &str, context: &str) -> Result<String, SessionError> {
        if secret.len() > MAX_WRAPPED_LEN {
            return Err(SessionError::InvalidSessionParams(format!(
                "a secret to wrap is at most {MAX_WRAPPED_LEN} bytes"
            )));
        }
        let mut nonce = [0u8; NONCE_LEN];
        getrandom::fill(&mut nonce).map_err(SessionError::Random)?;
        let cipher = XChaCha20Poly1305::new(self.0.as_ref().into());
        let ciphertext = cipher
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: secret.as_bytes(),
                    aad: &Self::aad(&nonce, context),
                },
            )
            .map_err(|_| SessionError::Encryption)?;
        let mut raw = Vec::with_capacity(1 + NONCE_LEN + ciphertext.len());
        raw.push(VERSION);
        raw.extend_from_slice(&nonce);
        raw.extend_from_slice(&ciphertext);
        Ok(format!("{PREFIX}{}", STANDARD.encode(raw)))
    }

    /// Decrypts what [`Self::wrap`] made for `context`. Another key, another context or any
    /// change to the text is [`SessionError::WrongPin`]; text that is not a wrapped secret at all
    /// is [`SessionError::MalformedCiphertext`].
    pub fn unwrap(&self, wrapped: &str, context: &str) -> Result<Zeroizing<String>, SessionError> {
        let body = wrapped
            .strip_prefix(PREFIX)
            .ok_or(SessionError::MalformedCiphertext)?;
        // base64 of the longest wrapped secret, with room for padding.
        if body.len() > (1 + NONCE_LEN + MAX_WRAPPED_LEN + TAG_LEN).div_ceil(3) * 4 {
            return Err(SessionError::MalformedCiphertext);
        }
        let raw = STANDARD
            .decode(body)
            .map_err(|_| SessionError::MalformedCiphertext)?;
        if raw.len() < 1 + NONCE_LEN + TAG_LEN {
            return Err(SessionError::MalformedCiphertext);
        }
        if raw[0] != VERSION {
            return Err(SessionError::UnsupportedFormat(raw[0]));
        }
        let (nonce, ciphertext) = raw[1..].split_at(NONCE_LEN);
        let cipher = XChaCha20Poly1305::new(self.0.as_ref().into());
        let plain = Zeroizing::new(
            cipher
                .decrypt(
                    XNonce::from_slice(nonce),
                    Payload {
                        msg: ciphertext,
                        aad: &Self::aad(nonce, context),
                    },
                )
                .map_err(|_| SessionError::WrongPin)?,
        );
        let text = std::str::from_utf8(&plain).map_err(|_| SessionError::MalformedCiphertext)?;
        Ok(Zeroizing::new(text.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_and_opens_only_with_its_key_and_context() {
        let key = WrappingKey::generate().unwrap();
        let wrapped = key.wrap("481516", "local:0x1").unwrap();
        assert!(wrapped.starts_with(PREFIX) && !wrapped.contains("481516"));
        assert_eq!(*key.unwrap(&wrapped, "local:0x1").unwrap(), "481516");
        // Two wraps of the same secret differ (fresh nonce).
        assert_ne!(key.wrap("481516", "local:0x1").unwrap(), wrapped);

        let other = WrappingKey::generate().unwrap();
        assert!(matches!(
            other.unwrap(&wrapped, "local:0x1"),
            Err(SessionError::WrongPin)
        ));
        assert!(matches!(
            key.unwrap(&wrapped, "local:0x2"),
            Err(SessionError::WrongPin)
        ));
        // One flipped character of the ciphertext.
        let mut tampered = wrapped.clone().into_bytes();
        let last = tampered.len() - 5;
        tampered[last] = if tampered[last] == b'A' { b'B' } else { b'A' };
        assert!(key
            .unwrap(std::str::from_utf8(&tampered).unwrap(), "local:0x1")
            .is_err());
    }

    #[test]
    fn malformed_text_is_refused_without_panicking() {
        let key = WrappingKey::generate().unwrap();
        for text in [
            "",
            "chipi-wrapped:",
            "chipi-wrapped:!!",
            "chipi-wrapped:AAAA",
            "chipi-sealed:AAAA",
        ] {
            assert!(
                matches!(
                    key.unwrap(text, "c"),
                    Err(SessionError::MalformedCiphertext)
                ),
                "{text:?}"
            );
        }
        let long = format!("chipi-wrapped:{}", "A".repeat(4096));
        assert!(matches!(
            key.unwrap(&long, "c"),
            Err(SessionError::MalformedCiphertext)
        ));
        assert!(key.wrap(&"x".repeat(MAX_WRAPPED_LEN + 1), "c").is_err());
    }

    #[test]
    fn the_key_round_trips_as_text_and_is_never_printed() {
        let key = WrappingKey::generate().unwrap();
        let text = key.to_text();
        let back = WrappingKey::from_text(&text).unwrap();
        assert_eq!(back.as_bytes(), key.as_bytes());
        assert_eq!(format!("{key:?}"), "WrappingKey(***)");
        assert!(WrappingKey::from_text("chipi-wrapping-key:AAAA").is_err());
        assert!(WrappingKey::from_bytes(&[0u8; 31]).is_err());
    }
}
