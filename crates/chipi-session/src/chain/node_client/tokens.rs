//! Token balances and incoming transfers.

use serde_json::{json, Value};
use starknet_core::types::Felt;

use super::*;

/// An ERC-20 transfer into the account, from the chain's events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncomingTransfer {
    /// The token.
    pub token: Felt,
    /// The sender.
    pub from: Felt,
    /// Base units.
    pub amount: u128,
    /// The transaction that made it.
    pub transaction_hash: Felt,
    /// Its block, when accepted into one.
    pub block_number: Option<u64>,
}

impl NodeClient {
    /// `balance_of(account)` of each of `tokens` in one batched request: the balance in base
    /// units, or `None` for a token that could not be read (not deployed there, an error).
    pub async fn erc20_balances(
        &self,
        account: Felt,
        tokens: &[Felt],
    ) -> Result<Vec<Option<u128>>, SessionError> {
        if tokens.is_empty() {
            return Ok(vec![]);
        }
        let requests: Vec<(&str, Value)> = tokens
            .iter()
            .map(|token| {
                (
                    "starknet_call",
                    Self::call_params(*token, "balance_of", &[account]),
                )
            })
            .collect();
        let text = self.post_text(&Self::batch_body(&requests)).await?;
        let items: Vec<BatchItem<'_>> = serde_json::from_str(&text).map_err(|e| {
            SessionError::InvalidResponse(format!("node: a batch answer must be an array: {e}"))
        })?;
        Ok((0..tokens.len())
            .map(|id| {
                let raw = batch_result(&items, id, "balance_of").ok()?;
                let list: Vec<&str> = serde_json::from_str(raw).ok()?;
                match list.as_slice() {
                    [low, high] => {
                        let (low, high) = (
                            hex_felt(low, "balance").ok()?,
                            hex_felt(high, "balance").ok()?,
                        );
                        if high != Felt::ZERO {
                            return None;
                        }
                        u128::try_from(low).ok()
                    }
                    _ => None,
                }
            })
            .collect())
    }

    /// ERC-20 `Transfer` events of `token` to `account` in blocks `from_block..=to_block`,
    /// one page of at most `chunk` events, oldest first, with the token's next page key. The
    /// node filters on the recipient (the second key of a Cairo 1 token's `Transfer`); a page
    /// longer than asked is cut, and events of another shape or recipient are dropped.
    pub async fn incoming_transfers(
        &self,
        token: Felt,
        account: Felt,
        from_block: u64,
        to_block: u64,
        chunk: u32,
        continuation: Option<String>,
    ) -> Result<(Vec<IncomingTransfer>, Option<String>), SessionError> {
        let mut filter = json!({
            "from_block": {"block_number": from_block},
            "to_block": {"block_number": to_block},
            "address": hex(&token),
            "keys": [[hex(&selector("Transfer"))], [], [hex(&account)]],
            "chunk_size": chunk,
        });
        if let Some(c) = continuation {
            filter["continuation_token"] = Value::String(c);
        }
        let answer = self
            .request("starknet_getEvents", json!({ "filter": filter }))
            .await?
            .map_err(|e| e.into_session_error("starknet_getEvents"))?;
        let events = answer
            .get("events")
            .and_then(Value::as_array)
            .ok_or_else(|| {
                SessionError::InvalidResponse("node: getEvents without events".into())
            })?;
        let felts_of = |v: Option<&Value>| -> Vec<Felt> {
            v.and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .filter_map(|s| Felt::from_hex(s).ok())
                        .collect()
                })
                .unwrap_or_default()
        };
        let mut found = Vec::new();
        for event in events.iter().take(chunk as usize) {
            let keys = felts_of(event.get("keys"));
            let data = felts_of(event.get("data"));
            let ([_, from, to], [low, high]) = (keys.as_slice(), data.as_slice()) else {
                continue;
            };
            if *to != account || *high != Felt::ZERO {
                continue;
            }
            let Ok(amount) = u128::try_from(*low) else {
                continue;
            };
            let hash = event
                .get("transaction_hash")
                .and_then(Value::as_str)
                .and_then(|s| Felt::from_hex(s).ok());
            if let Some(transaction_hash) = hash {
                found.push(IncomingTransfer {
                    token,
                    from: *from,
                    amount,
                    transaction_hash,
                    block_number: event.get("block_number").and_then(Value::as_u64),
                });
            }
        }
        let next = answer
            .get("continuation_token")
            .and_then(Value::as_str)
            .map(str::to_owned);
        Ok((found, next))
    }
}
