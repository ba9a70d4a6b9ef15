//! Private keys and secrets at rest: the key type, sealing under the PIN (Argon2id + AEAD), and the
//! SDK's own formats for import and export.

pub mod sdk_cipher;
pub mod sealed_secret;
pub mod secret_key;
pub mod session_key_data;
pub mod wrapping_key;
