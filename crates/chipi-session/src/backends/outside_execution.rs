//! SNIP-9 v2 outside execution and its SNIP-12 (revision 1) message hash.

use starknet_core::types::{Call, Felt};
use starknet_core::utils::starknet_keccak;
use starknet_crypto::poseidon_hash_many;

use crate::error::SessionError;
use crate::typed_data::{felt_of, selector_of, TypedData};

/// `'ANY_CALLER'`: an outside execution that any relayer may submit.
pub const ANY_CALLER: Felt = Felt::from_hex_unchecked("0x414e595f43414c4c4552");

/// SNIP-12 revision 1 domain type.
pub const STARKNET_DOMAIN_TYPE: &str = "\"StarknetDomain\"(\"name\":\"shortstring\",\"version\":\"shortstring\",\"chainId\":\"shortstring\",\"revision\":\"shortstring\")";
/// SNIP-9 v2 `OutsideExecution` type with its referenced `Call` type.
pub const OUTSIDE_EXECUTION_TYPE: &str = "\"OutsideExecution\"(\"Caller\":\"ContractAddress\",\"Nonce\":\"felt\",\"Execute After\":\"u128\",\"Execute Before\":\"u128\",\"Calls\":\"Call*\")\"Call\"(\"To\":\"ContractAddress\",\"Selector\":\"selector\",\"Calldata\":\"felt*\")";
/// SNIP-9 v2 `Call` type.
pub const CALL_TYPE: &str =
    "\"Call\"(\"To\":\"ContractAddress\",\"Selector\":\"selector\",\"Calldata\":\"felt*\")";

/// `sn_keccak(STARKNET_DOMAIN_TYPE)`.
pub const STARKNET_DOMAIN_TYPE_HASH: Felt =
    Felt::from_hex_unchecked("0x1ff2f602e42168014d405a94f75e8a93d640751d71d16311266e140d8b0a210");
/// `sn_keccak(OUTSIDE_EXECUTION_TYPE)`.
pub const OUTSIDE_EXECUTION_TYPE_HASH: Felt =
    Felt::from_hex_unchecked("0x312b56c05a7965066ddbda31c016d8d05afc305071c0ca3cdc2192c3c2f1f0f");
/// `sn_keccak(CALL_TYPE)`.
pub const CALL_TYPE_HASH: Felt =
    Felt::from_hex_unchecked("0x3635c7f2a7ba93844c0d064e18e487f35ab90f7c39d00f186a781fc3f0c2ca9");

/// `'StarkNet Message'`, the SNIP-12 message prefix.
const STARKNET_MESSAGE: Felt = Felt::from_hex_unchecked("0x537461726b4e6574204d657373616765");
/// `'Account.execute_from_outside'`, the SNIP-9 domain name.
const DOMAIN_NAME: Felt =
    Felt::from_hex_unchecked("0x4163636f756e742e657865637574655f66726f6d5f6f757473696465");
/// SNIP-9 domain version 2 (the felt 2, as starknet.js encodes the shortstring `"2"`).
const DOMAIN_VERSION: Felt = Felt::TWO;
/// SNIP-12 revision 1.
const DOMAIN_REVISION: Felt = Felt::ONE;

/// A SNIP-9 v2 outside execution: calls an account runs when a relayer submits them with the
/// account's signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutsideExecution {
    /// Who may submit it ([`ANY_CALLER`] for anyone).
    pub caller: Felt,
    /// A nonce the account marks as used; any unused felt.
    pub nonce: Felt,
    /// Valid strictly after this unix time.
    pub execute_after: u64,
    /// Valid strictly before this unix time.
    pub execute_before: u64,
    /// The calls, with selectors as felts (a name must be hashed with `sn_keccak` first).
    pub calls: Vec<Call>,
}

impl OutsideExecution {
    /// SNIP-12 struct hash of the `OutsideExecution`.
    pub fn struct_hash(&self) -> Felt {
        let call_hashes: Vec<Felt> = self.calls.iter().map(call_hash).collect();
        poseidon_hash_many(&[
            OUTSIDE_EXECUTION_TYPE_HASH,
            self.caller,
            self.nonce,
            Felt::from(self.execute_after),
            Felt::from(self.execute_before),
            poseidon_hash_many(&call_hashes),
        ])
    }

    /// The SNIP-12 message hash the account (owner or session key) signs.
    pub fn message_hash(&self, account: Felt, chain_id: Felt) -> Felt {
        poseidon_hash_many(&[
            STARKNET_MESSAGE,
            domain_hash(chain_id),
            account,
            self.struct_hash(),
        ])
    }

    /// Calldata of `execute_from_outside_v2(outside_execution, signature)`.
    pub fn calldata(&self, signature: &[Felt]) -> Vec<Felt> {
        let mut data = vec![
            self.caller,
            self.nonce,
            Felt::from(self.execute_after),
            Felt::from(self.execute_before),
            Felt::from(self.calls.len()),
        ];
        for call in &self.calls {
            data.push(call.to);
            data.push(call.selector);
            data.push(Felt::from(call.calldata.len()));
            data.extend_from_slice(&call.calldata);
        }
        data.push(Felt::from(signature.len()));
        data.extend_from_slice(signature);
        data
    }
}

impl OutsideExecution {
    /// Reads the outside execution a SNIP-29 paymaster (or the Chipi API) returned as SNIP-9 v2
    /// typed data, so the wallet can check that it holds exactly the calls it asked for before
    /// signing. Selectors may be hex felts or names.
    pub fn from_typed_data(typed: &TypedData) -> Result<Self, SessionError> {
        let bad = |what: &str| SessionError::InvalidTypedData(format!("outside execution: {what}"));
        if typed.primary_type != "OutsideExecution"
            || typed.domain.get("name").and_then(|v| v.as_str())
                != Some("Account.execute_from_outside")
            || typed.domain.get("version").map(felt_of).transpose()? != Some(DOMAIN_VERSION)
        {
            return Err(bad("not a SNIP-9 v2 outside execution"));
        }
        let m = &typed.message;
        let field = |name: &str| {
            m.get(name)
                .ok_or_else(|| bad(&format!("{name} is missing")))
        };
        let time = |name: &str| -> Result<u64, SessionError> {
            felt_of(field(name)?)?
                .try_into()
                .map_err(|_| bad(&format!("{name} out of range")))
        };
        let calls = field("Calls")?
            .as_array()
            .ok_or_else(|| bad("Calls is not an array"))?
            .iter()
            .map(|call| {
                let calldata = call
                    .get("Calldata")
                    .and_then(|v| v.as_array())
                    .ok_or_else(|| bad("Calldata is not an array"))?
                    .iter()
                    .map(felt_of)
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(Call {
                    to: felt_of(call.get("To").ok_or_else(|| bad("To is missing"))?)?,
                    selector: selector_of(
                        call.get("Selector")
                            .ok_or_else(|| bad("Selector is missing"))?,
                    )?,
                    calldata,
                })
            })
            .collect::<Result<Vec<_>, SessionError>>()?;
        Ok(Self {
            caller: felt_of(field("Caller")?)?,
            nonce: felt_of(field("Nonce")?)?,
            execute_after: time("Execute After")?,
            execute_before: time("Execute Before")?,
            calls,
        })
    }
}

impl OutsideExecution {
    /// This outside execution as SNIP-9 v2 typed data (SNIP-12 revision 1) on `chain_id`, in the
    /// shape SNIP-29 paymasters return: felts as hex strings, selectors as hex felts.
    pub fn to_typed_data(&self, chain_id: Felt) -> serde_json::Value {
        let hex = |f: &Felt| format!("{f:#x}");
        let member = |name: &str, ty: &str| serde_json::json!({"name": name, "type": ty});
        serde_json::json!({
            "types": {
                "StarknetDomain": [
                    member("name", "shortstring"), member("version", "shortstring"),
                    member("chainId", "shortstring"), member("revision", "shortstring"),
                ],
                "OutsideExecution": [
                    member("Caller", "ContractAddress"), member("Nonce", "felt"),
                    member("Execute After", "u128"), member("Execute Before", "u128"),
                    member("Calls", "Call*"),
                ],
                "Call": [
                    member("To", "ContractAddress"), member("Selector", "selector"),
                    member("Calldata", "felt*"),
                ],
            },
            "primaryType": "OutsideExecution",
            "domain": {
                "name": "Account.execute_from_outside",
                "version": "2",
                "chainId": hex(&chain_id),
                "revision": "1",
            },
            "message": {
                "Caller": hex(&self.caller),
                "Nonce": hex(&self.nonce),
                "Execute After": format!("{:#x}", self.execute_after),
                "Execute Before": format!("{:#x}", self.execute_before),
                "Calls": self.calls.iter().map(|c| serde_json::json!({
                    "To": hex(&c.to),
                    "Selector": hex(&c.selector),
                    "Calldata": c.calldata.iter().map(hex).collect::<Vec<_>>(),
                })).collect::<Vec<_>>(),
            },
        })
    }
}

/// SNIP-12 domain hash of `Account.execute_from_outside` version 2 on `chain_id`.
pub fn domain_hash(chain_id: Felt) -> Felt {
    poseidon_hash_many(&[
        STARKNET_DOMAIN_TYPE_HASH,
        DOMAIN_NAME,
        DOMAIN_VERSION,
        chain_id,
        DOMAIN_REVISION,
    ])
}

fn call_hash(call: &Call) -> Felt {
    poseidon_hash_many(&[
        CALL_TYPE_HASH,
        call.to,
        call.selector,
        poseidon_hash_many(&call.calldata),
    ])
}

/// `sn_keccak` of a SNIP-12 type string (exposed so tests can recompute the constants).
pub fn type_hash(encoded_type: &str) -> Felt {
    starknet_keccak(encoded_type.as_bytes())
}

#[cfg(test)]
mod tests {
    use starknet_core::utils::cairo_short_string_to_felt;

    use super::*;

    #[test]
    fn type_hashes_match_their_type_strings_and_the_protocol() {
        assert_eq!(type_hash(STARKNET_DOMAIN_TYPE), STARKNET_DOMAIN_TYPE_HASH);
        assert_eq!(
            type_hash(OUTSIDE_EXECUTION_TYPE),
            OUTSIDE_EXECUTION_TYPE_HASH
        );
        assert_eq!(type_hash(CALL_TYPE), CALL_TYPE_HASH);
    }

    #[test]
    fn short_string_constants_are_what_they_say() {
        assert_eq!(
            cairo_short_string_to_felt("ANY_CALLER").unwrap(),
            ANY_CALLER
        );
        assert_eq!(
            cairo_short_string_to_felt("StarkNet Message").unwrap(),
            STARKNET_MESSAGE
        );
        assert_eq!(
            cairo_short_string_to_felt("Account.execute_from_outside").unwrap(),
            DOMAIN_NAME
        );
    }

    #[test]
    fn typed_data_round_trips_and_hashes_alike() {
        let oe = OutsideExecution {
            caller: ANY_CALLER,
            nonce: Felt::from(77u8),
            execute_after: 10,
            execute_before: 20,
            calls: vec![Call {
                to: Felt::from(3u8),
                selector: Felt::from(4u8),
                calldata: vec![Felt::from(5u8)],
            }],
        };
        let chain = Felt::from_hex_unchecked("0x534e5f5345504f4c4941");
        let typed = TypedData::from_json(&oe.to_typed_data(chain).to_string()).unwrap();
        assert_eq!(OutsideExecution::from_typed_data(&typed).unwrap(), oe);
        let account = Felt::from(99u8);
        assert_eq!(
            typed.message_hash(account).unwrap(),
            oe.message_hash(account, chain)
        );
    }

    #[test]
    fn calldata_layout() {
        let oe = OutsideExecution {
            caller: ANY_CALLER,
            nonce: Felt::from(9u8),
            execute_after: 1,
            execute_before: 2,
            calls: vec![Call {
                to: Felt::from(3u8),
                selector: Felt::from(4u8),
                calldata: vec![Felt::from(5u8)],
            }],
        };
        let data = oe.calldata(&[Felt::from(6u8), Felt::from(7u8)]);
        let expected: Vec<Felt> = [ANY_CALLER]
            .into_iter()
            .chain([9u8, 1, 2, 1, 3, 4, 1, 5, 2, 6, 7].map(Felt::from))
            .collect();
        assert_eq!(data, expected);
    }
}
