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

/// An error answer: `{code, message}` (a code may be text or a number; anything else in them
/// is not shown).
#[derive(Debug, Default, Deserialize)]
pub(super) struct Refusal {
    pub code: Option<Value>,
    pub message: Option<Value>,
}

impl Refusal {
    /// The code as text, if it is text or a number.
    pub fn code(&self) -> Option<String> {
        match &self.code {
            Some(Value::String(code)) => Some(code.clone()),
            Some(Value::Number(code)) => Some(code.to_string()),
            _ => None,
        }
    }

    /// The message, if it is text.
    pub fn message(&self) -> Option<&str> {
        self.message.as_ref().and_then(Value::as_str)
    }
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
    /// Words when there is no hash; not read otherwise, whatever its shape.
    pub message: Option<Value>,
}

/// `GET /chipi-wallets/by-user`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct WalletByUser {
    pub public_key: String,
    pub encrypted_private_key: String,
    pub wallet_type: Option<String>,
    /// Missing or null: not deployed.
    pub is_deployed: Option<bool>,
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
            ("0x1", Some(true))
        );
        let null: WalletByUser = read(
            &json!({"publicKey": "0x1", "encryptedPrivateKey": "U2Fs", "isDeployed": null}),
            "by-user",
        )
        .unwrap();
        assert_eq!(null.is_deployed, None);
        let executed: Executed = read(
            &json!({"transactionHash": "0xabc", "message": {"ok": true}}),
            "x",
        )
        .unwrap();
        assert_eq!(executed.transaction_hash.as_deref(), Some("0xabc"));
        let missing = read::<WalletByUser>(&json!({"publicKey": "0x1"}), "by-user").unwrap_err();
        assert!(
            missing.to_string().contains("encryptedPrivateKey"),
            "{missing}"
        );
        let prepared: Prepared = read(&json!({"message": "quota exceeded"}), "prepare").unwrap();
        assert!(prepared.typed_data.is_none() && prepared.types.is_none());
        let refusal: Refusal = read(&json!({"code": "UNAUTHORIZED", "extra": 1}), "x").unwrap();
        assert_eq!(refusal.code().as_deref(), Some("UNAUTHORIZED"));
        let numbered: Refusal = read(&json!({"code": 42, "message": "slow down"}), "x").unwrap();
        assert_eq!(
            (numbered.code().as_deref(), numbered.message()),
            (Some("42"), Some("slow down"))
        );
    }
}
