//! The Chipi API's answers as types (the requests are the `…Body` structs beside the client).
//! Fields the client does not read are ignored.

use serde::de::{DeserializeOwned, IgnoredAny};
use serde::Deserialize;
use serde_json::Value;

use crate::error::SessionError;

/// Reads `value` as the answer `T` of `endpoint`.
pub(super) fn read<T: DeserializeOwned>(value: &Value, endpoint: &str) -> Result<T, SessionError> {
    T::deserialize(value).map_err(|e| SessionError::InvalidResponse(format!("{endpoint}: {e}")))
}

/// An error answer: `{code, message}`.
#[derive(Debug, Default, Deserialize)]
pub(super) struct Refusal {
    pub code: Option<String>,
    pub message: Option<String>,
}

/// `POST /transactions/prepare-typed-data`: `{typedData, walletType}`, or (older servers) the
/// typed data itself, or a refusal's `message`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Prepared {
    pub typed_data: Option<Value>,
    pub types: Option<IgnoredAny>,
    /// The bare typed data's message, or a refusal's words.
    pub message: Option<Value>,
}

/// `POST /transactions/execute-sponsored-transaction`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Executed {
    pub transaction_hash: Option<String>,
    pub message: Option<String>,
}

/// `GET /chipi-wallets/by-user`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct WalletByUser {
    pub public_key: String,
    pub encrypted_private_key: String,
    pub wallet_type: Option<String>,
    #[serde(default)]
    pub is_deployed: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn answers_are_read_by_name_and_extra_fields_are_ignored() {
        let wallet: WalletByUser = read(
            &json!({"publicKey": "0x1", "encryptedPrivateKey": "U2Fs", "walletType": "CHIPI",
                    "isDeployed": true, "createdAt": "2026-01-01"}),
            "by-user",
        )
        .unwrap();
        assert_eq!(
            (wallet.public_key.as_str(), wallet.is_deployed),
            ("0x1", true)
        );
        let missing = read::<WalletByUser>(&json!({"publicKey": "0x1"}), "by-user").unwrap_err();
        assert!(
            missing.to_string().contains("encryptedPrivateKey"),
            "{missing}"
        );
        let prepared: Prepared = read(&json!({"message": "quota exceeded"}), "prepare").unwrap();
        assert!(prepared.typed_data.is_none() && prepared.types.is_none());
        let refusal: Refusal = read(&json!({"code": "UNAUTHORIZED", "extra": 1}), "x").unwrap();
        assert_eq!(refusal.code.as_deref(), Some("UNAUTHORIZED"));
    }
}
