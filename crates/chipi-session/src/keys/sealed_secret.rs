//! How this app keeps a private key at rest: Argon2id stretches the PIN, XChaCha20-Poly1305
//! encrypts and authenticates. The format is versioned and carries its KDF parameters, so they
//! can be raised later without losing what was sealed before.
//!
//! Text form: `chipi-sealed:` + base64( header(10) || salt(16) || nonce(24) || ciphertext+tag(48) ),
//! header = `[version = 1, memory_kib u32 BE, iterations u32 BE, parallelism u8]`. Header, salt
//! and nonce are the associated data, so tampering with the parameters fails authentication.

use argon2::{Algorithm, Argon2, Params, Version};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use zeroize::Zeroizing;

use crate::error::SessionError;
use crate::keys::secret_key::SecretKey;

const PREFIX: &str = "chipi-sealed:";
const VERSION: u8 = 1;
const HEADER_LEN: usize = 10;
const SALT_LEN: usize = 16;
const NONCE_LEN: usize = 24;
const CIPHERTEXT_LEN: usize = 32 + 16;
const TOTAL_LEN: usize = HEADER_LEN + SALT_LEN + NONCE_LEN + CIPHERTEXT_LEN;

/// Argon2id cost parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KdfParams {
    /// Memory in KiB.
    pub memory_kib: u32,
    /// Passes over memory.
    pub iterations: u32,
    /// Lanes.
    pub parallelism: u8,
}

impl KdfParams {
    /// The parameters new secrets are sealed with: 128 MiB, 4 passes, 1 lane, so one PIN guess
    /// costs at least 0.25 s on the project's 2-core machines in a release build (`cargo bench
    /// -p chipi-session --bench kdf` prints the figure; 64 MiB × 3 measured 0.16 s).
    pub const DEFAULT: Self = Self {
        memory_kib: 128 * 1024,
        iterations: 4,
        parallelism: 1,
    };

    /// Upper bounds accepted when opening, so a crafted header cannot demand gigabytes.
    const MAX_MEMORY_KIB: u32 = 1024 * 1024;
    const MAX_ITERATIONS: u32 = 64;

    fn argon2(&self) -> Result<Argon2<'static>, SessionError> {
        let params = Params::new(
            self.memory_kib,
            self.iterations,
            u32::from(self.parallelism),
            Some(32),
        )
        .map_err(|_| SessionError::MalformedCiphertext)?;
        Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
    }

    fn header(&self) -> [u8; HEADER_LEN] {
        let mut header = [0u8; HEADER_LEN];
        header[0] = VERSION;
        header[1..5].copy_from_slice(&self.memory_kib.to_be_bytes());
        header[5..9].copy_from_slice(&self.iterations.to_be_bytes());
        header[9] = self.parallelism;
        header
    }
}

/// A private key sealed under a PIN. Holding it reveals nothing without the PIN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealedSecret(String);

impl SealedSecret {
    /// Seals `secret` under `pin` with [`KdfParams::DEFAULT`].
    pub fn seal(secret: &SecretKey, pin: &str) -> Result<Self, SessionError> {
        Self::seal_with(secret, pin, KdfParams::DEFAULT)
    }

    /// Seals with explicit parameters.
    pub fn seal_with(
        secret: &SecretKey,
        pin: &str,
        params: KdfParams,
    ) -> Result<Self, SessionError> {
        let mut salt = [0u8; SALT_LEN];
        let mut nonce = [0u8; NONCE_LEN];
        getrandom::fill(&mut salt).map_err(SessionError::Random)?;
        getrandom::fill(&mut nonce).map_err(SessionError::Random)?;
        let key = derive(pin, &salt, &params)?;
        let mut aad = Vec::with_capacity(HEADER_LEN + SALT_LEN + NONCE_LEN);
        aad.extend_from_slice(&params.header());
        aad.extend_from_slice(&salt);
        aad.extend_from_slice(&nonce);
        let cipher = XChaCha20Poly1305::new(key.as_ref().into());
        let ciphertext = cipher
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: secret.as_bytes(),
                    aad: &aad,
                },
            )
            .map_err(|_| SessionError::Encryption)?;
        let mut raw = aad;
        raw.extend_from_slice(&ciphertext);
        Ok(Self(format!("{PREFIX}{}", STANDARD.encode(raw))))
    }

    /// Opens with `pin`; a wrong PIN (or any tampering) is [`SessionError::WrongPin`].
    pub fn open(&self, pin: &str) -> Result<SecretKey, SessionError> {
        let raw = decode(&self.0)?;
        let params = parse_params(&raw)?;
        let (aad, ciphertext) = raw.split_at(HEADER_LEN + SALT_LEN + NONCE_LEN);
        let salt = &aad[HEADER_LEN..HEADER_LEN + SALT_LEN];
        let nonce = &aad[HEADER_LEN + SALT_LEN..];
        let key = derive(pin, salt, &params)?;
        let cipher = XChaCha20Poly1305::new(key.as_ref().into());
        let plain = cipher
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad,
                },
            )
            .map_err(|_| SessionError::WrongPin)?;
        let plain = Zeroizing::new(plain);
        let mut bytes = Zeroizing::new([0u8; 32]);
        bytes.copy_from_slice(&plain);
        SecretKey::from_raw(bytes)
    }

    /// Parses the text form (as stored in a keychain), checking its structure.
    pub fn parse(text: &str) -> Result<Self, SessionError> {
        let raw = decode(text)?;
        parse_params(&raw)?;
        Ok(Self(text.to_owned()))
    }

    /// The text form.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The KDF parameters it was sealed with.
    pub fn params(&self) -> Result<KdfParams, SessionError> {
        parse_params(&decode(&self.0)?)
    }
}

fn decode(text: &str) -> Result<Vec<u8>, SessionError> {
    let body = text
        .strip_prefix(PREFIX)
        .ok_or(SessionError::MalformedCiphertext)?;
    let raw = STANDARD
        .decode(body)
        .map_err(|_| SessionError::MalformedCiphertext)?;
    if raw.len() != TOTAL_LEN {
        return Err(SessionError::MalformedCiphertext);
    }
    Ok(raw)
}

fn parse_params(raw: &[u8]) -> Result<KdfParams, SessionError> {
    if raw[0] != VERSION {
        return Err(SessionError::UnsupportedFormat(raw[0]));
    }
    let params = KdfParams {
        memory_kib: u32::from_be_bytes(raw[1..5].try_into().expect("4 bytes")),
        iterations: u32::from_be_bytes(raw[5..9].try_into().expect("4 bytes")),
        parallelism: raw[9],
    };
    if params.memory_kib > KdfParams::MAX_MEMORY_KIB
        || params.iterations > KdfParams::MAX_ITERATIONS
        || params.iterations == 0
        || params.parallelism == 0
    {
        return Err(SessionError::MalformedCiphertext);
    }
    Ok(params)
}

/// Argon2id derivations since the process started.
static KDF_RUNS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// How many times Argon2id ran in this process (every seal and every open runs it once). Tests
/// count the derivations of a user action with it; it holds no secret.
pub fn kdf_runs() -> u64 {
    KDF_RUNS.load(std::sync::atomic::Ordering::SeqCst)
}

fn derive(pin: &str, salt: &[u8], params: &KdfParams) -> Result<Zeroizing<[u8; 32]>, SessionError> {
    KDF_RUNS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let mut key = Zeroizing::new([0u8; 32]);
    params
        .argon2()?
        .hash_password_into(pin.as_bytes(), salt, key.as_mut())
        .map_err(|_| SessionError::Encryption)?;
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Cheap parameters so the unit tests stay fast; the format is the same.
    const FAST: KdfParams = KdfParams {
        memory_kib: 256,
        iterations: 1,
        parallelism: 1,
    };

    fn key() -> SecretKey {
        SecretKey::from_hex("0x02692258c61b07aa1ff4910603108c48519e6a76d52b497ad9eea1c59f8f2fa9")
            .unwrap()
    }

    #[test]
    fn seal_and_open_round_trip() {
        let sealed = SealedSecret::seal_with(&key(), "482916", FAST).unwrap();
        assert!(sealed.as_str().starts_with(PREFIX));
        assert_eq!(sealed.params().unwrap(), FAST);
        assert_eq!(
            sealed.open("482916").unwrap().public_key(),
            key().public_key()
        );
        let reparsed = SealedSecret::parse(sealed.as_str()).unwrap();
        assert_eq!(reparsed, sealed);
    }

    #[test]
    fn default_parameters_round_trip() {
        let sealed = SealedSecret::seal(&key(), "1234").unwrap();
        assert_eq!(sealed.params().unwrap(), KdfParams::DEFAULT);
        assert_eq!(
            sealed.open("1234").unwrap().public_key(),
            key().public_key()
        );
    }

    #[test]
    fn wrong_pin_is_refused() {
        let sealed = SealedSecret::seal_with(&key(), "482916", FAST).unwrap();
        assert!(matches!(sealed.open("482917"), Err(SessionError::WrongPin)));
        assert!(matches!(sealed.open(""), Err(SessionError::WrongPin)));
    }

    #[test]
    fn tampering_is_detected() {
        let sealed = SealedSecret::seal_with(&key(), "1", FAST).unwrap();
        let mut raw = decode(sealed.as_str()).unwrap();
        // Lower the cost in the header: authentication must fail, not a cheaper open.
        raw[5..9].copy_from_slice(&2u32.to_be_bytes());
        let forged = SealedSecret(format!("{PREFIX}{}", STANDARD.encode(&raw)));
        assert!(matches!(forged.open("1"), Err(SessionError::WrongPin)));
        raw[0] = 9;
        assert!(matches!(
            SealedSecret::parse(&format!("{PREFIX}{}", STANDARD.encode(&raw))),
            Err(SessionError::UnsupportedFormat(9))
        ));
        assert!(SealedSecret::parse("chipi-sealed:AAAA").is_err());
        assert!(SealedSecret::parse("something else").is_err());
    }

    #[test]
    fn same_secret_seals_differently_each_time() {
        let a = SealedSecret::seal_with(&key(), "1", FAST).unwrap();
        let b = SealedSecret::seal_with(&key(), "1", FAST).unwrap();
        assert_ne!(a, b, "fresh salt and nonce");
    }
}
