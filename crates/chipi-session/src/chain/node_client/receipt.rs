//! Receipts: read, waited for, parsed.

use serde::Deserialize;
use serde_json::Value;
use starknet_core::types::Felt;

use super::wire::{ExecutionStatus, ReceiptBody};
use super::*;

/// An event in a receipt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptEvent {
    /// The contract that emitted it.
    pub from_address: Felt,
    /// Its keys (the first is the event selector).
    pub keys: Vec<Felt>,
    /// Its data.
    pub data: Vec<Felt>,
}

/// The parts of a receipt the manager checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    /// The transaction.
    pub transaction_hash: Felt,
    /// `SUCCEEDED` or `REVERTED`.
    pub succeeded: bool,
    /// The revert reason, when reverted.
    pub revert_reason: Option<String>,
    /// Events in emission order.
    pub events: Vec<ReceiptEvent>,
}

/// How long and how often to wait for a receipt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Polling {
    /// Pause between two reads.
    pub interval: Duration,
    /// Give up after this many reads.
    pub attempts: u32,
}

impl Default for Polling {
    fn default() -> Self {
        Self {
            interval: Duration::from_millis(250),
            attempts: 480,
        }
    }
}

/// Reads the fields of a JSON-RPC receipt the manager needs.
pub fn parse_receipt(hash: Felt, value: &Value) -> Result<Receipt, SessionError> {
    let body = ReceiptBody::deserialize(value)
        .map_err(|e| SessionError::InvalidResponse(format!("node: a receipt: {e}")))?;
    Ok(receipt_of(hash, body))
}

fn receipt_of(hash: Felt, body: ReceiptBody) -> Receipt {
    Receipt {
        transaction_hash: hash,
        succeeded: body.execution_status == ExecutionStatus::Succeeded,
        revert_reason: body.revert_reason,
        events: body
            .events
            .into_iter()
            .map(|e| ReceiptEvent {
                from_address: e.from_address.0,
                keys: e.keys.into_iter().map(|k| k.0).collect(),
                data: e.data.into_iter().map(|d| d.0).collect(),
            })
            .collect(),
    }
}

impl NodeClient {
    /// The receipt of `hash`, or `None` while the node does not know it yet.
    pub async fn receipt(&self, hash: Felt) -> Result<Option<Receipt>, SessionError> {
        let answer = self
            .request(
                "starknet_getTransactionReceipt",
                Params::Transaction {
                    transaction_hash: Hex(hash),
                },
            )
            .await?;
        match answer {
            Ok(body) => Ok(Some(receipt_of(hash, body))),
            Err(e) if e.code == TRANSACTION_NOT_FOUND => Ok(None),
            Err(e) => Err(e.into_session_error("starknet_getTransactionReceipt")),
        }
    }

    /// Waits for the receipt of `hash`, reading at most `polling.attempts` times.
    pub async fn wait_for_receipt(
        &self,
        hash: Felt,
        polling: Polling,
    ) -> Result<Receipt, SessionError> {
        for attempt in 0..polling.attempts.max(1) {
            if attempt > 0 {
                tokio::time::sleep(polling.interval).await;
            }
            if let Some(receipt) = self.receipt(hash).await? {
                return Ok(receipt);
            }
        }
        Err(SessionError::ReceiptTimeout {
            transaction_hash: hash,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_a_reverted_receipt_and_events() {
        let value = json!({
            "execution_status": "REVERTED",
            "revert_reason": "Session: expired",
            "events": [{"from_address": "0x1", "keys": ["0x2"], "data": ["0x3", "0x4"]}],
        });
        let receipt = parse_receipt(Felt::ONE, &value).unwrap();
        assert!(!receipt.succeeded);
        assert_eq!(receipt.revert_reason.as_deref(), Some("Session: expired"));
        assert_eq!(receipt.events[0].data, vec![Felt::THREE, Felt::from(4u8)]);
        assert!(parse_receipt(Felt::ONE, &json!({})).is_err());
    }
}
