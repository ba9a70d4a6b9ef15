//! The session policy an app asks for when it pairs: Cartridge's shape for what may be called
//! (`{contracts: {address: {methods: [{entrypoint}]}}}`, `messages` for typed data), plus what
//! the wallet's session accounts enforce on chain and Cartridge's shape has no word for: a limit
//! per token, the duration and the number of calls.
//!
//! Unknown fields are refused rather than ignored: an app that asks for a constraint this wallet
//! does not enforce must hear so at pairing, not believe it holds.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::ApiError;
use crate::wire::is_hex_felt;

/// The most contracts, methods, messages or token limits one policy may name.
pub const MAX_ITEMS: usize = 32;
/// The longest name or description the user is shown (the app's words).
pub const MAX_TEXT_CHARS: usize = 200;

/// Text the user will be shown as the app's words: bounded, and without control or
/// direction-changing characters (U+202E would show "exe.txt" for "txt.exe").
pub fn is_showable(text: &str, max_chars: usize) -> bool {
    let hidden = |c: char| {
        c.is_control()
            || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
    };
    text.chars().count() <= max_chars && !text.chars().any(hidden)
}

/// What an app's session may do, as the app asked and the user approved it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionPolicy {
    /// Contract address (hex) → the entrypoints the session may call on it.
    pub contracts: BTreeMap<String, ContractPolicy>,
    /// Typed-data messages the session may sign (`wallet_signTypedData` is refused for any
    /// other).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub messages: Vec<MessagePolicy>,
    /// Spending limits per token; a token transferred without one is refused on chain.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub limits: Vec<TokenLimit>,
    /// How long the session lasts from its registration, in seconds.
    pub duration_secs: u64,
    /// How many calls it may make in all.
    pub max_calls: u32,
}

/// One contract's allowed entrypoints.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContractPolicy {
    /// A name to show the user (the app's word, shown as such).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// What the app says it calls this contract for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The entrypoints.
    pub methods: Vec<MethodPolicy>,
}

/// One allowed entrypoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MethodPolicy {
    /// The entrypoint's name (`transfer`), whose selector the session account checks.
    pub entrypoint: String,
    /// A name to show the user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// What the app says the call is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// A typed-data message the session may sign, named by its primary type and domain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MessagePolicy {
    /// The message's `primaryType`.
    #[serde(rename = "primaryType")]
    pub primary_type: String,
    /// The message's domain: `name`, `version`, `chainId`, `revision`, compared field by field.
    pub domain: BTreeMap<String, String>,
    /// A name to show the user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// A spending limit on one token, in the token's whole units ("12.5").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenLimit {
    /// The token's contract address (hex).
    pub token: String,
    /// The most one call may move.
    pub per_call: String,
    /// The most all calls together may move in one window.
    pub per_window: String,
    /// The window's length in seconds.
    pub window_secs: u64,
}

fn is_entrypoint(text: &str) -> bool {
    // A Cairo identifier: what `starknet_keccak` of the name is the selector of.
    let mut bytes = text.bytes();
    bytes
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
        && text.len() <= 64
}

fn is_amount(text: &str) -> bool {
    let mut parts = text.splitn(2, '.');
    let whole = parts.next().unwrap_or_default();
    let fraction = parts.next().unwrap_or("0");
    !whole.is_empty()
        && !fraction.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction.bytes().all(|b| b.is_ascii_digit())
}

impl SessionPolicy {
    /// The checks that need no chain: addresses, entrypoints and amounts well formed, something
    /// to call, a duration and a call budget, no more than [`MAX_ITEMS`] of anything. Each
    /// refusal names the field.
    pub fn check(&self) -> Result<(), ApiError> {
        let bad = |why: String| Err(ApiError::InvalidPayload(format!("policy: {why}")));
        if self.contracts.is_empty() {
            return bad("no contract to call".into());
        }
        let methods: usize = self.contracts.values().map(|c| c.methods.len()).sum();
        if self.contracts.len() > MAX_ITEMS
            || methods > MAX_ITEMS
            || self.messages.len() > MAX_ITEMS
            || self.limits.len() > MAX_ITEMS
        {
            return bad(format!("more than {MAX_ITEMS} items in a list"));
        }
        for (address, contract) in &self.contracts {
            if !is_hex_felt(address) {
                return bad(format!(
                    "contract address {address:?} is not 0x-prefixed hex"
                ));
            }
            if contract.methods.is_empty() {
                return bad(format!("no method for contract {address}"));
            }
            if let Some(m) = contract
                .methods
                .iter()
                .find(|m| !is_entrypoint(&m.entrypoint))
            {
                return bad(format!("entrypoint {:?} is not a name", m.entrypoint));
            }
        }
        for limit in &self.limits {
            if !is_hex_felt(&limit.token) {
                return bad(format!("token {:?} is not 0x-prefixed hex", limit.token));
            }
            if !is_amount(&limit.per_call) || !is_amount(&limit.per_window) {
                return bad(format!(
                    "a limit of {} is not a decimal amount",
                    limit.token
                ));
            }
            if limit.window_secs == 0 {
                return bad(format!("the window of {} is zero seconds", limit.token));
            }
        }
        let shown = self
            .contracts
            .values()
            .flat_map(|c| {
                let methods = c.methods.iter();
                [&c.name, &c.description]
                    .into_iter()
                    .chain(methods.flat_map(|m| [&m.name, &m.description]))
            })
            .flatten()
            .chain(self.messages.iter().filter_map(|m| m.name.as_ref()))
            .chain(self.messages.iter().map(|m| &m.primary_type))
            .chain(self.messages.iter().flat_map(|m| m.domain.values()));
        for text in shown {
            if !is_showable(text, MAX_TEXT_CHARS) {
                return bad(format!(
                    "a name, description or domain over {MAX_TEXT_CHARS} characters or with hidden characters"
                ));
            }
        }
        if let Some(m) = self.messages.iter().find(|m| m.primary_type.is_empty()) {
            return bad(format!("a message has no primaryType ({:?})", m.name));
        }
        if self.duration_secs == 0 {
            return bad("duration_secs is zero".into());
        }
        if self.max_calls == 0 {
            return bad("max_calls is zero".into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn policy(value: serde_json::Value) -> Result<SessionPolicy, ApiError> {
        let policy: SessionPolicy =
            serde_json::from_value(value).map_err(|e| ApiError::InvalidPayload(e.to_string()))?;
        policy.check()?;
        Ok(policy)
    }

    #[test]
    fn cartridge_shape_with_limits_is_read() {
        let p = policy(json!({
            "contracts": {"0x4718f5a0fc34cc1af16a1cdee98ffb20c31f5cd61d6ab07201858f4287c938d": {
                "name": "STRK", "methods": [{"entrypoint": "transfer"}]}},
            "messages": [{"primaryType": "Move", "domain": {"name": "game", "version": "1", "chainId": "SN_MAIN", "revision": "1"}}],
            "limits": [{"token": "0x4718f5a0fc34cc1af16a1cdee98ffb20c31f5cd61d6ab07201858f4287c938d",
                        "per_call": "5", "per_window": "20.5", "window_secs": 3600}],
            "duration_secs": 3600, "max_calls": 10
        }))
        .unwrap();
        assert_eq!(p.limits[0].per_window, "20.5");
        assert_eq!(p.messages[0].primary_type, "Move");
    }

    #[test]
    fn what_is_not_enforced_or_malformed_is_refused() {
        let base = || {
            json!({"contracts": {"0x1": {"methods": [{"entrypoint": "transfer"}]}},
                   "duration_secs": 60, "max_calls": 1})
        };
        assert!(policy(base()).is_ok());
        type Change = Box<dyn Fn(&mut serde_json::Value)>;
        let cases: Vec<(&str, Change)> = vec![
            // Cartridge's approve `amount` is a constraint this wallet does not enforce.
            (
                "an unknown method field",
                Box::new(|v| v["contracts"]["0x1"]["methods"][0]["amount"] = json!("10")),
            ),
            (
                "an unknown top-level field",
                Box::new(|v| v["verified"] = json!(true)),
            ),
            ("no contract", Box::new(|v| v["contracts"] = json!({}))),
            (
                "a name as address",
                Box::new(|v| {
                    v["contracts"] = json!({"STRK": {"methods": [{"entrypoint": "transfer"}]}})
                }),
            ),
            (
                "no method",
                Box::new(|v| v["contracts"]["0x1"]["methods"] = json!([])),
            ),
            (
                "a selector as entrypoint",
                Box::new(|v| {
                    v["contracts"]["0x1"]["methods"][0]["entrypoint"] = json!("0x83afd3f4")
                }),
            ),
            ("zero duration", Box::new(|v| v["duration_secs"] = json!(0))),
            ("zero calls", Box::new(|v| v["max_calls"] = json!(0))),
            (
                "a negative limit",
                Box::new(
                    |v| v["limits"] = json!([{"token": "0x1", "per_call": "-1", "per_window": "1", "window_secs": 60}]),
                ),
            ),
            (
                "a zero window",
                Box::new(
                    |v| v["limits"] = json!([{"token": "0x1", "per_call": "1", "per_window": "1", "window_secs": 0}]),
                ),
            ),
        ];
        for (what, change) in cases {
            let mut value = base();
            change(&mut value);
            let err = policy(value).expect_err(what);
            assert_eq!(err.code(), 114, "{what}: {err}");
        }
    }
}
