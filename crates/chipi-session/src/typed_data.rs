//! SNIP-12 revision 1 (Poseidon) hashing of typed data given as JSON, the way starknet.js and
//! paymasters produce it. Values may be numbers, hex or decimal strings, or short strings;
//! `selector` values may be hex felts (what paymasters send) or entrypoint names — both hash to
//! the same felt here (starknet-core's `TypedData` would hash a hex selector as a name).
//! Revision 0 (Pedersen), enums and merkle trees are refused with a clear error.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;
use starknet_core::types::Felt;
use starknet_core::utils::{cairo_short_string_to_felt, get_selector_from_name, starknet_keccak};
use starknet_crypto::poseidon_hash_many;

use crate::error::SessionError;

const STARKNET_MESSAGE: Felt = Felt::from_hex_unchecked("0x537461726b4e6574204d657373616765");

/// One member of a struct type.
#[derive(Debug, Clone, Deserialize)]
pub struct TypeMember {
    /// Field name.
    pub name: String,
    /// Field type.
    #[serde(rename = "type")]
    pub ty: String,
}

/// SNIP-12 typed data.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TypedData {
    /// Struct types by name.
    pub types: BTreeMap<String, Vec<TypeMember>>,
    /// The message's type.
    pub primary_type: String,
    /// The domain values.
    pub domain: Value,
    /// The message values.
    pub message: Value,
}

fn bad(what: impl Into<String>) -> SessionError {
    SessionError::InvalidTypedData(what.into())
}

/// Preset types of revision 1 that need no declaration.
fn preset(name: &str) -> Option<Vec<TypeMember>> {
    let member = |name: &str, ty: &str| TypeMember {
        name: name.into(),
        ty: ty.into(),
    };
    Some(match name {
        "u256" => vec![member("low", "u128"), member("high", "u128")],
        "TokenAmount" => vec![
            member("token_address", "ContractAddress"),
            member("amount", "u256"),
        ],
        "NftId" => vec![
            member("collection_address", "ContractAddress"),
            member("token_id", "u256"),
        ],
        _ => return None,
    })
}

impl TypedData {
    /// Parses typed data JSON.
    pub fn from_json(text: &str) -> Result<Self, SessionError> {
        let data: Self = serde_json::from_str(text).map_err(|e| bad(e.to_string()))?;
        data.check_revision()?;
        Ok(data)
    }

    fn check_revision(&self) -> Result<(), SessionError> {
        let revision = self.domain.get("revision").map(felt_of).transpose()?;
        if self.types.contains_key("StarknetDomain") && revision == Some(Felt::ONE) {
            Ok(())
        } else {
            Err(bad(
                "only SNIP-12 revision 1 (StarknetDomain, revision 1) is supported",
            ))
        }
    }

    fn members(&self, name: &str) -> Option<Vec<TypeMember>> {
        self.types.get(name).cloned().or_else(|| preset(name))
    }

    /// The encoded type string of `name` (its definition, then its dependencies sorted).
    pub fn encode_type(&self, name: &str) -> Result<String, SessionError> {
        let mut deps = Vec::new();
        self.collect(name, &mut deps)?;
        let (primary, rest) = deps
            .split_first()
            .ok_or_else(|| bad(format!("unknown type {name}")))?;
        let mut rest = rest.to_vec();
        rest.sort();
        let mut out = String::new();
        for dep in std::iter::once(primary).chain(rest.iter()) {
            let members = self.members(dep).expect("collected types exist");
            let fields: Vec<String> = members
                .iter()
                .map(|m| format!("\"{}\":\"{}\"", m.name, m.ty))
                .collect();
            out.push_str(&format!("\"{dep}\"({})", fields.join(",")));
        }
        Ok(out)
    }

    fn collect(&self, name: &str, deps: &mut Vec<String>) -> Result<(), SessionError> {
        let name = name.strip_suffix('*').unwrap_or(name);
        if deps.iter().any(|d| d == name) {
            return Ok(());
        }
        let Some(members) = self.members(name) else {
            return Ok(());
        };
        deps.push(name.to_owned());
        for member in &members {
            if member.ty == "enum" || member.ty == "merkletree" || member.ty.starts_with('(') {
                return Err(bad(format!(
                    "type {} of {name}.{} is not supported",
                    member.ty, member.name
                )));
            }
            self.collect(&member.ty, deps)?;
        }
        Ok(())
    }

    /// `sn_keccak` of the encoded type.
    pub fn type_hash(&self, name: &str) -> Result<Felt, SessionError> {
        Ok(starknet_keccak(self.encode_type(name)?.as_bytes()))
    }

    /// Struct hash of `data` as type `name`.
    pub fn struct_hash(&self, name: &str, data: &Value) -> Result<Felt, SessionError> {
        let members = self
            .members(name)
            .ok_or_else(|| bad(format!("unknown type {name}")))?;
        let mut words = vec![self.type_hash(name)?];
        for member in &members {
            let value = data
                .get(&member.name)
                .ok_or_else(|| bad(format!("{name}.{} is missing", member.name)))?;
            words.push(self.encode_value(&member.ty, value)?);
        }
        Ok(poseidon_hash_many(&words))
    }

    fn encode_value(&self, ty: &str, value: &Value) -> Result<Felt, SessionError> {
        if self.members(ty).is_some() {
            return self.struct_hash(ty, value);
        }
        if let Some(element) = ty.strip_suffix('*') {
            let items = value
                .as_array()
                .ok_or_else(|| bad(format!("{ty} needs an array")))?;
            let hashes = items
                .iter()
                .map(|item| self.encode_value(element, item))
                .collect::<Result<Vec<_>, _>>()?;
            return Ok(poseidon_hash_many(&hashes));
        }
        match ty {
            "felt" | "shortstring" | "ContractAddress" | "ClassHash" | "timestamp" | "u128" => {
                let felt = felt_of(value)?;
                if matches!(ty, "u128" | "timestamp") && felt.bits() > 128 {
                    return Err(bad(format!("{value} is out of range for {ty}")));
                }
                Ok(felt)
            }
            "bool" => match value {
                Value::Bool(b) => Ok(Felt::from(u8::from(*b))),
                _ => Err(bad(format!("{value} is not a bool"))),
            },
            "selector" => selector_of(value),
            "string" => {
                let text = value
                    .as_str()
                    .ok_or_else(|| bad("string needs a JSON string"))?;
                Ok(byte_array_hash(text))
            }
            other => Err(bad(format!("unsupported type {other}"))),
        }
    }

    /// The SNIP-12 message hash for `account`: `poseidon("StarkNet Message", domain, account,
    /// message)`.
    pub fn message_hash(&self, account: Felt) -> Result<Felt, SessionError> {
        let domain = self.struct_hash("StarknetDomain", &self.domain)?;
        let message = self.struct_hash(&self.primary_type, &self.message)?;
        Ok(poseidon_hash_many(&[
            STARKNET_MESSAGE,
            domain,
            account,
            message,
        ]))
    }
}

/// A felt from a JSON value: a number, a hex or decimal string, or else a short string.
pub fn felt_of(value: &Value) -> Result<Felt, SessionError> {
    match value {
        Value::Number(n) => n
            .as_u64()
            .map(Felt::from)
            .ok_or_else(|| bad(format!("{n} is not a felt"))),
        Value::Bool(b) => Ok(Felt::from(u8::from(*b))),
        Value::String(s) if s.starts_with("0x") || s.starts_with("0X") => {
            Felt::from_hex(s).map_err(|_| bad(format!("{s} is not a felt")))
        }
        Value::String(s) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => {
            Felt::from_dec_str(s).map_err(|_| bad(format!("{s} is not a felt")))
        }
        Value::String(s) => {
            cairo_short_string_to_felt(s).map_err(|_| bad(format!("{s} is not a short string")))
        }
        other => Err(bad(format!("{other} is not a felt"))),
    }
}

/// A selector value: a hex felt as is, anything else as an entrypoint name.
pub fn selector_of(value: &Value) -> Result<Felt, SessionError> {
    let text = value
        .as_str()
        .ok_or_else(|| bad(format!("{value} is not a selector")))?;
    if text.starts_with("0x") || text.starts_with("0X") {
        Felt::from_hex(text).map_err(|_| bad(format!("{text} is not a felt")))
    } else {
        get_selector_from_name(text).map_err(|_| bad(format!("{text} is not an entrypoint name")))
    }
}

/// Poseidon of a Cairo `ByteArray`'s serialisation: `[n_full_words, words..., pending, len]`.
fn byte_array_hash(text: &str) -> Felt {
    let bytes = text.as_bytes();
    let chunks = bytes.chunks(31);
    let mut words = Vec::new();
    let mut pending = (Felt::ZERO, 0usize);
    for chunk in chunks {
        let word = Felt::from_bytes_be_slice(chunk);
        if chunk.len() == 31 {
            words.push(word);
        } else {
            pending = (word, chunk.len());
        }
    }
    let mut data = vec![Felt::from(words.len())];
    data.extend(words);
    data.push(pending.0);
    data.push(Felt::from(pending.1));
    poseidon_hash_many(&data)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backends::outside_execution::{
        CALL_TYPE, OUTSIDE_EXECUTION_TYPE, STARKNET_DOMAIN_TYPE,
    };

    fn outside_typed_data() -> TypedData {
        let json = serde_json::json!({
            "types": {
                "StarknetDomain": [
                    {"name": "name", "type": "shortstring"}, {"name": "version", "type": "shortstring"},
                    {"name": "chainId", "type": "shortstring"}, {"name": "revision", "type": "shortstring"}
                ],
                "OutsideExecution": [
                    {"name": "Caller", "type": "ContractAddress"}, {"name": "Nonce", "type": "felt"},
                    {"name": "Execute After", "type": "u128"}, {"name": "Execute Before", "type": "u128"},
                    {"name": "Calls", "type": "Call*"}
                ],
                "Call": [
                    {"name": "To", "type": "ContractAddress"}, {"name": "Selector", "type": "selector"},
                    {"name": "Calldata", "type": "felt*"}
                ]
            },
            "primaryType": "OutsideExecution",
            "domain": {"name": "Account.execute_from_outside", "version": "2", "chainId": "SN_SEPOLIA", "revision": "1"},
            "message": {"Caller": "0x414e595f43414c4c4552", "Nonce": "0x1", "Execute After": "0", "Execute Before": "100", "Calls": []}
        });
        TypedData::from_json(&json.to_string()).unwrap()
    }

    #[test]
    fn encoded_types_match_the_snip9_strings() {
        let td = outside_typed_data();
        assert_eq!(
            td.encode_type("StarknetDomain").unwrap(),
            STARKNET_DOMAIN_TYPE
        );
        assert_eq!(
            td.encode_type("OutsideExecution").unwrap(),
            OUTSIDE_EXECUTION_TYPE
        );
        assert_eq!(td.encode_type("Call").unwrap(), CALL_TYPE);
    }

    #[test]
    fn felts_parse_like_starknet_js() {
        assert_eq!(felt_of(&Value::from(10)).unwrap(), Felt::from(10u8));
        assert_eq!(felt_of(&Value::from("10")).unwrap(), Felt::from(10u8));
        assert_eq!(felt_of(&Value::from("0xa")).unwrap(), Felt::from(10u8));
        assert_eq!(
            felt_of(&Value::from("SN_MAIN")).unwrap(),
            Felt::from_hex_unchecked("0x534e5f4d41494e")
        );
        assert_eq!(
            selector_of(&Value::from("transfer")).unwrap(),
            get_selector_from_name("transfer").unwrap()
        );
        assert_eq!(
            selector_of(&Value::from(
                "0x83afd3f4caedc6eebf44246fe54e38c95e3179a5ec9ea81740eca5b482d12e"
            ))
            .unwrap(),
            get_selector_from_name("transfer").unwrap()
        );
    }

    #[test]
    fn refuses_what_it_does_not_support() {
        let mut td = outside_typed_data();
        td.domain["revision"] = Value::from("0");
        assert!(td.check_revision().is_err());
        let td = outside_typed_data();
        assert!(td
            .encode_value("u128", &Value::from("0x1000000000000000000000000000000000"))
            .is_err());
        assert!(td.encode_value("mystery", &Value::from(1)).is_err());
    }
}
