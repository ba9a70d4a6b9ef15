//! The SDK's persisted session shape, `SessionKeyData`, for moving a session between the SDK
//! and this app: `{ "publicKey": string, "encryptedPrivateKey": string, "validUntil": number }`.

use serde::{Deserialize, Serialize};

use crate::error::SessionError;
use crate::keys::sdk_cipher;
use crate::keys::secret_key::{public_key_string, SecretKey};

/// A session key as the SDK stores it (the private key under the SDK's PIN encryption).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionKeyData {
    /// Public key, lowercase hex without leading zeros.
    pub public_key: String,
    /// `CryptoES.AES.encrypt("0x" + 64 hex digits, pin)`.
    pub encrypted_private_key: String,
    /// Expiry, unix seconds.
    pub valid_until: u64,
}

impl SessionKeyData {
    /// Exports `key` encrypted with `pin` in the SDK's format.
    pub fn export(key: &SecretKey, pin: &str, valid_until: u64) -> Result<Self, SessionError> {
        Ok(Self {
            public_key: public_key_string(key.public_key()),
            encrypted_private_key: sdk_cipher::encrypt(&key.to_padded_hex(), pin)?,
            valid_until,
        })
    }

    /// Decrypts the key with `pin` and checks it is the key `public_key` names.
    pub fn import(&self, pin: &str) -> Result<SecretKey, SessionError> {
        let plain = sdk_cipher::decrypt(&self.encrypted_private_key, pin)?;
        let key = SecretKey::from_hex(&plain).map_err(|_| SessionError::WrongPin)?;
        let claimed = self.public_key.trim().to_ascii_lowercase();
        let claimed =
            starknet_core::types::Felt::from_hex(&claimed).map_err(|_| SessionError::InvalidKey)?;
        if key.public_key() != claimed {
            return Err(SessionError::WrongPin);
        }
        Ok(key)
    }

    /// Parses the JSON shape.
    pub fn from_json(text: &str) -> Result<Self, SessionError> {
        serde_json::from_str(text).map_err(|e| SessionError::InvalidSessionData(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SK: &str = "0x02692258c61b07aa1ff4910603108c48519e6a76d52b497ad9eea1c59f8f2fa9";

    #[test]
    fn export_then_import() {
        let key = SecretKey::from_hex(SK).unwrap();
        let data = SessionKeyData::export(&key, "1234", 1_700_021_600).unwrap();
        assert_eq!(
            data.public_key,
            "0x36ead5f7af7ea48a5ee5bdea799543c0a3624871739e15dbb0438e9543f48b6"
        );
        let json = serde_json::to_string(&data).unwrap();
        assert!(
            json.contains("\"publicKey\"")
                && json.contains("\"encryptedPrivateKey\"")
                && json.contains("\"validUntil\":1700021600")
        );
        let back = SessionKeyData::from_json(&json)
            .unwrap()
            .import("1234")
            .unwrap();
        assert_eq!(back.public_key(), key.public_key());
        // The SDK's plaintext for session keys is "0x" + 64 hex digits.
        assert_eq!(
            sdk_cipher::decrypt(&data.encrypted_private_key, "1234")
                .unwrap()
                .len(),
            66
        );
    }

    #[test]
    fn wrong_pin_or_mismatched_key_is_refused() {
        let key = SecretKey::from_hex(SK).unwrap();
        let data = SessionKeyData::export(&key, "1234", 1).unwrap();
        assert!(matches!(
            data.import("4321"),
            Err(SessionError::WrongPin) | Err(SessionError::MalformedCiphertext)
        ));
        let other = SessionKeyData {
            public_key: "0x1234".into(),
            ..data
        };
        assert!(matches!(other.import("1234"), Err(SessionError::WrongPin)));
        assert!(SessionKeyData::from_json("{\"publicKey\": 1}").is_err());
    }

    #[test]
    fn imports_an_sdk_owner_key_with_minimal_hex() {
        // Owner keys made by the SDK are "0x" + minimal hex; importing accepts both forms.
        let plain = "0x2692258c61b07aa1ff4910603108c48519e6a76d52b497ad9eea1c59f8f2fa9";
        let data = SessionKeyData {
            public_key: "0x36ead5f7af7ea48a5ee5bdea799543c0a3624871739e15dbb0438e9543f48b6".into(),
            encrypted_private_key: sdk_cipher::encrypt(plain, "pin").unwrap(),
            valid_until: 5,
        };
        assert_eq!(
            public_key_string(data.import("pin").unwrap().public_key()),
            data.public_key
        );
    }
}
