//! The pairing token an app gets once, when the user approves it, and the hash the wallet keeps
//! instead of it.

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

/// The token's text: this prefix, then 64 hex digits (32 random bytes).
pub const TOKEN_PREFIX: &str = "cwp_";

/// A pairing token in the clear: made once, handed to the app once, never stored, logged or
/// printed (its `Debug` is redacted, it has no `Serialize`, and it is wiped when dropped).
pub struct PairingToken(Zeroizing<String>);

impl PairingToken {
    /// A fresh token from the OS's random source.
    pub fn generate() -> std::io::Result<Self> {
        let mut bytes = Zeroizing::new([0u8; 32]);
        getrandom::fill(bytes.as_mut()).map_err(std::io::Error::other)?;
        let mut text = Zeroizing::new(String::with_capacity(TOKEN_PREFIX.len() + 64));
        text.push_str(TOKEN_PREFIX);
        for byte in bytes.iter() {
            text.push_str(&format!("{byte:02x}"));
        }
        Ok(Self(text))
    }

    /// The text to hand to the app, the one time it is handed over.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// What the wallet keeps.
    pub fn hash(&self) -> TokenHash {
        TokenHash::of(&self.0)
    }
}

impl std::fmt::Debug for PairingToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PairingToken([redacted])")
    }
}

/// SHA-256 of a pairing token's text: what a request's token is compared with (in constant
/// time), and what the wallet stores per app.
#[derive(Clone, Copy)]
pub struct TokenHash([u8; 32]);

impl TokenHash {
    /// The hash of a presented token's text.
    pub fn of(token: &str) -> Self {
        Self(Sha256::digest(token.as_bytes()).into())
    }

    /// The stored form: 64 hex digits.
    pub fn to_hex(&self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Reads [`Self::to_hex`]'s form back.
    pub fn from_hex(text: &str) -> Option<Self> {
        if text.len() != 64 || !text.is_ascii() {
            return None;
        }
        let mut out = [0u8; 32];
        for (i, byte) in out.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16).ok()?;
        }
        Some(Self(out))
    }
}

impl PartialEq for TokenHash {
    fn eq(&self, other: &Self) -> bool {
        self.0.ct_eq(&other.0).into()
    }
}

impl Eq for TokenHash {}

impl std::fmt::Debug for TokenHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // A prefix is enough to tell two apps apart in a log.
        write!(f, "TokenHash({}…)", &self.to_hex()[..8])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_redacted_and_kept_as_hashes() {
        let a = PairingToken::generate().unwrap();
        let b = PairingToken::generate().unwrap();
        assert_ne!(a.expose(), b.expose(), "two pairings never share a token");
        assert!(a.expose().starts_with(TOKEN_PREFIX));
        assert_eq!(a.expose().len(), TOKEN_PREFIX.len() + 64);
        assert_eq!(format!("{a:?}"), "PairingToken([redacted])");
        assert_eq!(a.hash(), TokenHash::of(a.expose()));
        assert_ne!(a.hash(), b.hash());
        let stored = a.hash().to_hex();
        assert!(!stored.contains(&a.expose()[TOKEN_PREFIX.len()..]));
        assert_eq!(TokenHash::from_hex(&stored), Some(a.hash()));
        assert_eq!(TokenHash::from_hex("zz"), None);
        // A known vector: SHA-256("abc").
        assert_eq!(
            TokenHash::of("abc").to_hex(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
