//! Token balances and incoming transfers.

use starknet_core::types::Felt;

use super::wire::{BlockId, EventFilter, EventsPage};
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
        let requests: Vec<(&str, Params)> = tokens
            .iter()
            .map(|token| {
                (
                    "starknet_call",
                    Self::call_params(*token, "balance_of", &[account]),
                )
            })
            .collect();
        let text = self.batch(requests).await?;
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
        const METHOD: &str = "starknet_getEvents";
        let filter = EventFilter {
            from_block: BlockId::Number {
                block_number: from_block,
            },
            to_block: BlockId::Number {
                block_number: to_block,
            },
            address: Hex(token),
            keys: vec![vec![Hex(selector("Transfer"))], vec![], vec![Hex(account)]],
            chunk_size: chunk,
            continuation_token: continuation,
        };
        let page: EventsPage = self
            .request(METHOD, Params::Events { filter })
            .await?
            .map_err(|e| e.into_session_error(METHOD))?;
        let felts_of = |texts: &[String]| -> Vec<Felt> {
            texts
                .iter()
                .filter_map(|s| Felt::from_hex(s).ok())
                .collect()
        };
        let mut found = Vec::new();
        for event in page.events.iter().take(chunk as usize) {
            let keys = felts_of(&event.keys);
            let data = felts_of(&event.data);
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
                .transaction_hash
                .as_deref()
                .and_then(|s| Felt::from_hex(s).ok());
            if let Some(transaction_hash) = hash {
                found.push(IncomingTransfer {
                    token,
                    from: *from,
                    amount,
                    transaction_hash,
                    block_number: event.block_number,
                });
            }
        }
        Ok((found, page.continuation_token))
    }
}
