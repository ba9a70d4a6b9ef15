//! The JSON-RPC 2.0 envelope and the wallet API's parameter and result shapes (the Starknet
//! wallet API's OpenRPC document; starknet.js sends params by name).

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{json, Value};

use crate::error::ApiError;

/// One call read from a request body.
#[derive(Debug, Clone, PartialEq)]
pub struct RpcCall {
    /// The request's id (`null` for a notification or when it could not be read).
    pub id: Value,
    /// The method's name.
    pub method: String,
    /// Its parameters (`null` when absent).
    pub params: Value,
}

/// Reads a JSON-RPC 2.0 call; on failure, the id when it could be read, and why.
pub fn read_call(body: &[u8]) -> Result<RpcCall, (Value, ApiError)> {
    let Ok(mut value) = serde_json::from_slice::<Value>(body) else {
        return Err((Value::Null, ApiError::Parse));
    };
    let id = value.get("id").cloned().unwrap_or(Value::Null);
    if value.get("jsonrpc").and_then(Value::as_str) != Some("2.0") {
        return Err((
            id,
            ApiError::InvalidRequest("jsonrpc must be \"2.0\"".into()),
        ));
    }
    let Some(method) = value
        .get("method")
        .and_then(Value::as_str)
        .map(str::to_owned)
    else {
        return Err((id, ApiError::InvalidRequest("no method".into())));
    };
    let params = value
        .get_mut("params")
        .map(Value::take)
        .unwrap_or(Value::Null);
    Ok(RpcCall { id, method, params })
}

/// A result's envelope.
pub fn result(id: Value, result: Value) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "result": result})
}

/// An error's envelope.
pub fn error(id: Value, error: &ApiError) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "error": error.to_json()})
}

/// An event, as a notification (no id).
pub fn notification(method: &str, params: Value) -> Value {
    json!({"jsonrpc": "2.0", "method": method, "params": params})
}

/// One call of `wallet_addInvokeTransaction` (`INVOKE_CALL`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InvokeCall {
    /// The contract called.
    pub contract_address: String,
    /// The entrypoint's name.
    pub entry_point: String,
    /// Its calldata: felts as hex or decimal strings (numbers are read as decimal).
    #[serde(default, deserialize_with = "felt_strings")]
    pub calldata: Vec<String>,
}

/// `0x` and 1 to 64 hex digits.
pub fn is_hex_felt(text: &str) -> bool {
    text.strip_prefix("0x").is_some_and(|digits| {
        !digits.is_empty() && digits.len() <= 64 && digits.bytes().all(|b| b.is_ascii_hexdigit())
    })
}

/// 1 to 78 decimal digits (a felt is below 2^252, 76 digits; the wallet checks the range).
fn is_decimal_felt(text: &str) -> bool {
    !text.is_empty() && text.len() <= 78 && text.bytes().all(|b| b.is_ascii_digit())
}

fn felt_strings<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    let values = Vec::<Value>::deserialize(d)?;
    values
        .into_iter()
        .map(|v| {
            let text = match &v {
                Value::String(s) => s.clone(),
                // Whole numbers only: with arbitrary precision, `1.5`, `1e30` and `-1` are
                // numbers too.
                Value::Number(n) => n.to_string(),
                _ => String::new(),
            };
            if is_hex_felt(&text) || is_decimal_felt(&text) {
                Ok(text)
            } else {
                Err(serde::de::Error::custom(format!(
                    "calldata item {v} is not a felt (0x-hex, or a whole number)"
                )))
            }
        })
        .collect()
}

/// `ACCOUNT_DEPLOYMENT_DATA`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeploymentData {
    /// The address the account will have.
    pub address: String,
    /// Its class.
    pub class_hash: String,
    /// The salt.
    pub salt: String,
    /// The constructor's calldata.
    pub calldata: Vec<String>,
    /// Extra signature felts, if any.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sigdata: Vec<String>,
    /// The Cairo version (1).
    pub version: u8,
}

/// A named parameter from `params` (an object) or, for clients that send them by position, the
/// `index`th of an array.
pub fn param<'a>(params: &'a Value, name: &str, index: usize) -> Option<&'a Value> {
    match params {
        Value::Object(map) => map.get(name),
        Value::Array(items) => items.get(index),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelopes_are_read_and_refused() {
        let call =
            read_call(br#"{"jsonrpc":"2.0","id":7,"method":"wallet_requestChainId"}"#).unwrap();
        assert_eq!(call.id, json!(7));
        assert_eq!(call.params, Value::Null);
        assert_eq!(read_call(b"{").unwrap_err().1, ApiError::Parse);
        let (id, e) = read_call(br#"{"id":1,"method":"x"}"#).unwrap_err();
        assert_eq!((id, e.code()), (json!(1), -32600));
        assert_eq!(
            read_call(br#"{"jsonrpc":"2.0","id":2}"#)
                .unwrap_err()
                .1
                .code(),
            -32600
        );
    }

    #[test]
    fn calls_as_starknet_js_sends_them() {
        let call: InvokeCall = serde_json::from_value(json!({
            "contract_address": "0x1", "entry_point": "transfer", "calldata": ["0x2", 3, "4"]
        }))
        .unwrap();
        assert_eq!(call.calldata, vec!["0x2", "3", "4"]);
        for bad in [
            json!(-1),
            json!(1.5),
            json!("1e30"),
            json!("0x"),
            json!("ten"),
            json!(true),
        ] {
            let call = serde_json::from_value::<InvokeCall>(json!({
                "contract_address": "0x1", "entry_point": "transfer", "calldata": [bad.clone()]
            }));
            assert!(call.is_err(), "{bad} is not a felt");
        }
        let extra = serde_json::from_value::<InvokeCall>(json!({
            "contract_address": "0x1", "entry_point": "t", "max_fee": "0x1"
        }));
        assert!(extra.is_err(), "a field the wallet would ignore is refused");
    }
}
