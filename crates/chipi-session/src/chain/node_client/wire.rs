//! The node's JSON-RPC messages as types (Starknet JSON-RPC 0.9 and 0.10): every request this
//! client sends and every answer it reads. Fields of an answer this client does not read are
//! ignored, so a node speaking a later minor version (which only adds fields) is read the same.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use starknet_core::types::Felt;

/// A felt as the node writes it: `0x`-prefixed hex.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Hex(pub Felt);

impl Serialize for Hex {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&format_args!("{:#x}", self.0))
    }
}

impl<'de> Deserialize<'de> for Hex {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Felt::from_hex(&text)
            .map(Hex)
            .map_err(|_| serde::de::Error::custom("not a hex felt"))
    }
}

/// One JSON-RPC request.
#[derive(Debug, Serialize)]
pub(super) struct Request<'a> {
    pub jsonrpc: &'static str,
    pub id: usize,
    pub method: &'a str,
    pub params: Params,
}

/// A block as the RPC names it: a tag or a number.
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(untagged)]
pub(super) enum BlockId {
    /// `latest`, `pre_confirmed`.
    Tag(&'static str),
    /// `{"block_number": n}`.
    Number { block_number: u64 },
}

/// The block the next transaction will see.
pub(super) const PRE_CONFIRMED: BlockId = BlockId::Tag("pre_confirmed");

/// The params of each method this client calls.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub(super) enum Params {
    /// `starknet_specVersion`, `starknet_chainId`: none.
    None([(); 0]),
    /// `starknet_call`.
    Call {
        request: FunctionCall,
        block_id: BlockId,
    },
    /// `starknet_getNonce`, `starknet_getClassHashAt`.
    Contract {
        block_id: BlockId,
        contract_address: Hex,
    },
    /// `starknet_getClass`.
    Class { block_id: BlockId, class_hash: Hex },
    /// `starknet_getBlockWithTxHashes`.
    Block { block_id: BlockId },
    /// `starknet_getTransactionReceipt`.
    Transaction { transaction_hash: Hex },
    /// `starknet_getEvents`.
    Events { filter: EventFilter },
}

/// A view call.
#[derive(Debug, Serialize)]
pub(super) struct FunctionCall {
    pub contract_address: Hex,
    pub entry_point_selector: Hex,
    pub calldata: Vec<Hex>,
}

/// `starknet_getEvents`' filter.
#[derive(Debug, Serialize)]
pub(super) struct EventFilter {
    pub from_block: BlockId,
    pub to_block: BlockId,
    pub address: Hex,
    /// Per position, the keys accepted there (empty: any).
    pub keys: Vec<Vec<Hex>>,
    pub chunk_size: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub continuation_token: Option<String>,
}

/// One JSON-RPC answer: its result, or its error.
#[derive(Debug, Deserialize)]
pub(super) struct Answer<R> {
    #[serde(default = "none")]
    pub result: Option<R>,
    pub error: Option<ErrorBody>,
}

fn none<R>() -> Option<R> {
    None
}

/// A JSON-RPC error object.
#[derive(Debug, Deserialize)]
pub(super) struct ErrorBody {
    #[serde(default)]
    pub code: i64,
    /// Missing or null: no words.
    #[serde(default, deserialize_with = "text_or_null")]
    pub message: String,
}

fn text_or_null<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    Ok(Option::<String>::deserialize(deserializer)?.unwrap_or_default())
}

/// The header fields of `starknet_getBlockWithTxHashes` this client reads (a pre-confirmed
/// block has no number).
#[derive(Debug, Deserialize)]
pub(super) struct BlockHeader {
    pub block_number: Option<u64>,
    pub timestamp: u64,
}

/// `starknet_getTransactionReceipt`'s fields the manager checks.
#[derive(Debug, Deserialize)]
pub(super) struct ReceiptBody {
    pub execution_status: ExecutionStatus,
    #[serde(default)]
    pub events: Vec<EventBody>,
    pub revert_reason: Option<String>,
}

/// A receipt's execution status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub(super) enum ExecutionStatus {
    Succeeded,
    Reverted,
}

/// An event in a receipt.
#[derive(Debug, Deserialize)]
pub(super) struct EventBody {
    pub from_address: Hex,
    pub keys: Vec<Hex>,
    pub data: Vec<Hex>,
}

/// A page of `starknet_getEvents`.
#[derive(Debug, Deserialize)]
pub(super) struct EventsPage {
    pub events: Vec<EmittedEvent>,
    pub continuation_token: Option<String>,
}

/// An event of a page; a key or datum that is not a felt makes the event one this client skips.
#[derive(Debug, Deserialize)]
pub(super) struct EmittedEvent {
    #[serde(default)]
    pub keys: Vec<String>,
    #[serde(default)]
    pub data: Vec<String>,
    pub transaction_hash: Option<String>,
    pub block_number: Option<u64>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn requests_are_written_as_the_spec_names_them() {
        let call = Request {
            jsonrpc: "2.0",
            id: 3,
            method: "starknet_call",
            params: Params::Call {
                request: FunctionCall {
                    contract_address: Hex(Felt::from(0xabcu32)),
                    entry_point_selector: Hex(Felt::ONE),
                    calldata: vec![Hex(Felt::TWO)],
                },
                block_id: PRE_CONFIRMED,
            },
        };
        assert_eq!(
            serde_json::to_value(&call).unwrap(),
            json!({"jsonrpc": "2.0", "id": 3, "method": "starknet_call", "params": {
                "request": {"contract_address": "0xabc", "entry_point_selector": "0x1",
                            "calldata": ["0x2"]},
                "block_id": "pre_confirmed"}})
        );
        let none = serde_json::to_value(Params::None([])).unwrap();
        assert_eq!(none, json!([]));
        let filter = serde_json::to_value(Params::Events {
            filter: EventFilter {
                from_block: BlockId::Number { block_number: 5 },
                to_block: BlockId::Tag("latest"),
                address: Hex(Felt::THREE),
                keys: vec![vec![Hex(Felt::ONE)], vec![]],
                chunk_size: 10,
                continuation_token: None,
            },
        })
        .unwrap();
        assert_eq!(
            filter,
            json!({"filter": {"from_block": {"block_number": 5}, "to_block": "latest",
                "address": "0x3", "keys": [["0x1"], []], "chunk_size": 10}})
        );
    }

    #[test]
    fn answers_tolerate_fields_they_do_not_read_and_refuse_wrong_shapes() {
        let block: Answer<BlockHeader> = serde_json::from_value(json!({
            "jsonrpc": "2.0", "id": 0,
            "result": {"timestamp": 7, "block_number": 2, "l1_da_mode": "BLOB", "new_field": {}}
        }))
        .unwrap();
        let header = block.result.unwrap();
        assert_eq!((header.block_number, header.timestamp), (Some(2), 7));
        let refused: Answer<Hex> = serde_json::from_value(json!({
            "jsonrpc": "2.0", "id": 0, "error": {"code": 20, "message": "Contract not found"}
        }))
        .unwrap();
        assert!(refused.result.is_none());
        assert_eq!(refused.error.unwrap().code, 20);
        let wordless: Answer<Hex> =
            serde_json::from_value(json!({"error": {"code": 40, "message": null}})).unwrap();
        assert_eq!(wordless.error.unwrap().message, "");
        assert!(serde_json::from_value::<Answer<Hex>>(json!({"result": "zz"})).is_err());
        assert!(
            serde_json::from_value::<ReceiptBody>(json!({"execution_status": "MAYBE"})).is_err()
        );
    }
}
