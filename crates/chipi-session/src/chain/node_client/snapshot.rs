//! The session's chain state in one batched request, and its parsing.

use starknet_core::types::Felt;

use super::wire::ErrorBody;
use super::*;

/// What the chain says about a session, read in one round trip.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainSnapshot {
    /// `get_session_data` of the session key.
    pub status: SessionStatus,
    /// The account's nonce.
    pub nonce: Felt,
    /// The pre-confirmed block's timestamp: the time the next transaction will see.
    pub block_timestamp: u64,
    /// `get_spending_policy` for each token asked for, in order.
    pub policies: Vec<(Felt, SpendingPolicy)>,
    /// `(contract, selector)` pairs bound to the session (`get_session_allowed_calls`); empty
    /// for account classes without that entrypoint.
    pub allowed_calls: Vec<(Felt, Felt)>,
}

/// One answer of a batch, borrowed from the response text.
#[derive(serde::Deserialize)]
pub(super) struct BatchItem<'a> {
    pub(super) id: u64,
    #[serde(borrow)]
    pub(super) result: Option<&'a serde_json::value::RawValue>,
    pub(super) error: Option<ErrorBody>,
}

pub(super) fn hex_felt(text: &str, what: &str) -> Result<Felt, SessionError> {
    Felt::from_hex(text)
        .map_err(|_| SessionError::InvalidResponse(format!("node: {what} is not a felt")))
}

impl ChainSnapshot {
    /// Parses the answer to the batch `session_snapshot` sends: `get_session_data`, the nonce,
    /// the pre-confirmed block, `get_spending_policy` for each of `tokens`, then
    /// `get_session_allowed_calls`, matched by id.
    /// Reads the text straight into what it needs, without building a JSON tree.
    pub fn from_batch_text(text: &str, tokens: &[Felt]) -> Result<Self, SessionError> {
        Self::from_batch_text_in(text, tokens, StatusLayout::Listed).map(|(snapshot, _)| snapshot)
    }

    /// The same for a class whose status has `layout`; also returns how many allowlist
    /// selectors are still to be read through the class's own view.
    pub fn from_batch_text_in(
        text: &str,
        tokens: &[Felt],
        layout: StatusLayout,
    ) -> Result<(Self, u32), SessionError> {
        let items: Vec<BatchItem<'_>> = serde_json::from_str(text).map_err(|e| {
            SessionError::InvalidResponse(format!("node: a batch answer must be an array: {e}"))
        })?;
        let by_id = |id: usize, what: &str| batch_result(&items, id, what);
        let felts_of = |id: usize, what: &str| -> Result<Vec<Felt>, SessionError> {
            let list: Vec<&str> = serde_json::from_str(by_id(id, what)?).map_err(|_| {
                SessionError::InvalidResponse(format!("node: {what} is not a list of felts"))
            })?;
            list.into_iter().map(|t| hex_felt(t, what)).collect()
        };
        let (status, to_read) = SessionStatus::parse(layout, &felts_of(0, "get_session_data")?)?;
        let nonce_text: &str = serde_json::from_str(by_id(1, "starknet_getNonce")?)
            .map_err(|_| SessionError::InvalidResponse("node: nonce is not a felt".into()))?;
        let nonce = hex_felt(nonce_text, "nonce")?;
        let block: BlockHeader = serde_json::from_str(by_id(2, "starknet_getBlockWithTxHashes")?)
            .map_err(|_| {
            SessionError::InvalidResponse("node: block without timestamp".into())
        })?;
        let mut policies = Vec::with_capacity(tokens.len());
        for (i, token) in tokens.iter().enumerate() {
            policies.push((
                *token,
                SpendingPolicy::from_felts(&felts_of(3 + i, "get_spending_policy")?)?,
            ));
        }
        // Classes without contract-bound calls answer with an error: nothing is bound.
        let bound_id = 3 + tokens.len();
        let answered = items
            .iter()
            .any(|item| usize::try_from(item.id).ok() == Some(bound_id) && item.error.is_none());
        let allowed_calls = if answered {
            bound_pairs(&felts_of(bound_id, "get_session_allowed_calls")?)?
        } else {
            Vec::new()
        };
        let snapshot = Self {
            status,
            nonce,
            block_timestamp: block.timestamp,
            policies,
            allowed_calls,
        };
        Ok((snapshot, to_read))
    }
}

/// The raw result of the batch item `id`, or its error (a missing contract is
/// [`SessionError::AccountNotDeployed`]).
pub(super) fn batch_result<'a>(
    items: &[BatchItem<'a>],
    id: usize,
    what: &str,
) -> Result<&'a str, SessionError> {
    let item = items
        .iter()
        .find(|item| usize::try_from(item.id).ok() == Some(id))
        .ok_or_else(|| SessionError::InvalidResponse(format!("node: no answer for {what}")))?;
    match (&item.error, item.result) {
        (Some(e), _) if e.code == CONTRACT_NOT_FOUND => Err(SessionError::AccountNotDeployed),
        (Some(e), _) => Err(SessionError::Node {
            code: e.code,
            message: format!("{what}: {}", e.message),
        }),
        (None, Some(raw)) => Ok(raw.get()),
        (None, None) => Err(SessionError::InvalidResponse(format!(
            "node: empty answer for {what}"
        ))),
    }
}

/// `get_session_allowed_calls`' answer: a count, then that many `(contract, selector)` pairs.
pub(super) fn bound_pairs(words: &[Felt]) -> Result<Vec<(Felt, Felt)>, SessionError> {
    let [n, pairs @ ..] = words else {
        return Err(SessionError::InvalidResponse(
            "get_session_allowed_calls: empty".into(),
        ));
    };
    if Felt::from(pairs.len()) != *n + *n {
        return Err(SessionError::InvalidResponse(
            "get_session_allowed_calls: length does not match".into(),
        ));
    }
    Ok(pairs.chunks_exact(2).map(|p| (p[0], p[1])).collect())
}

impl NodeClient {
    /// Session status, nonce, block time, the spending policy of each of `tokens` and the
    /// contract-bound calls, in one batched request, as far as the class `profile` has them; a
    /// class that lists its allowlist through its own views takes a second request for it.
    pub async fn session_snapshot(
        &self,
        account: Felt,
        session_key: Felt,
        tokens: &[Felt],
        profile: &ClassProfile,
    ) -> Result<ChainSnapshot, SessionError> {
        let tokens = if profile.spending_policies {
            tokens
        } else {
            &[]
        };
        let mut requests = vec![
            (
                "starknet_call",
                Self::call_params(account, "get_session_data", &[session_key]),
            ),
            (
                "starknet_getNonce",
                Params::Contract {
                    block_id: wire::PRE_CONFIRMED,
                    contract_address: Hex(account),
                },
            ),
            (
                "starknet_getBlockWithTxHashes",
                Params::Block {
                    block_id: wire::PRE_CONFIRMED,
                },
            ),
        ];
        for token in tokens {
            requests.push((
                "starknet_call",
                Self::call_params(account, "get_spending_policy", &[session_key, *token]),
            ));
        }
        if profile.bound_calls {
            requests.push((
                "starknet_call",
                Self::call_params(account, "get_session_allowed_calls", &[session_key]),
            ));
        }
        let text = self.batch(requests).await?;
        let (mut snapshot, to_read) =
            ChainSnapshot::from_batch_text_in(&text, tokens, profile.layout)?;
        if to_read > 0 {
            snapshot.status.allowed_entrypoints = self
                .allowed_entrypoints(account, session_key, to_read)
                .await?;
        }
        Ok(snapshot)
    }

    /// The first `count` selectors of a session's allowlist, through
    /// `get_session_allowed_entrypoint_at`, in one batched request.
    async fn allowed_entrypoints(
        &self,
        account: Felt,
        session_key: Felt,
        count: u32,
    ) -> Result<Vec<Felt>, SessionError> {
        const VIEW: &str = "get_session_allowed_entrypoint_at";
        let requests: Vec<(&str, Params)> = (0..count)
            .map(|i| {
                (
                    "starknet_call",
                    Self::call_params(account, VIEW, &[session_key, Felt::from(i)]),
                )
            })
            .collect();
        let text = self.batch(requests).await?;
        let items: Vec<BatchItem<'_>> = serde_json::from_str(&text).map_err(|e| {
            SessionError::InvalidResponse(format!("node: a batch answer must be an array: {e}"))
        })?;
        (0..count as usize)
            .map(|id| {
                let raw = batch_result(&items, id, VIEW)?;
                let list: Vec<&str> = serde_json::from_str(raw).map_err(|_| {
                    SessionError::InvalidResponse(format!("node: {VIEW} is not a list of felts"))
                })?;
                match list.as_slice() {
                    [one] => hex_felt(one, VIEW),
                    _ => Err(SessionError::InvalidResponse(format!(
                        "node: {VIEW} must return one felt"
                    ))),
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    #[test]
    fn batch_answers_are_matched_by_id() {
        let answer = json!([
            {"jsonrpc": "2.0", "id": 2, "result": {"timestamp": 1_700_000_123u64, "transactions": []}},
            {"jsonrpc": "2.0", "id": 0, "result": ["0x1", "0x65544560", "0x3e7", "0x1", "0x83afd3f4caedc6eebf44246fe54e38c95e3179a5ec9ea81740eca5b482d12e"]},
            {"jsonrpc": "2.0", "id": 3, "result": ["0x5", "0x0", "0x8", "0x0", "0xe10", "0x3", "0x0", "0x10"]},
            {"jsonrpc": "2.0", "id": 1, "result": "0x7"},
        ]);
        let snapshot = ChainSnapshot::from_batch_text(&answer.to_string(), &[Felt::TWO]).unwrap();
        assert_eq!(snapshot.status.remaining_calls, 999);
        assert_eq!(snapshot.status.valid_until, 1_700_021_600);
        assert_eq!(snapshot.nonce, Felt::from(7u8));
        assert_eq!(snapshot.block_timestamp, 1_700_000_123);
        assert_eq!(snapshot.policies[0].1.spent, 3);
        assert!(
            snapshot.allowed_calls.is_empty(),
            "no answer: nothing bound"
        );
        let mut bound = answer.as_array().unwrap().clone();
        bound.push(
            json!({"jsonrpc": "2.0", "id": 4, "result": ["0x2", "0xa", "0xb", "0xc", "0xd"]}),
        );
        let snapshot =
            ChainSnapshot::from_batch_text(&Value::Array(bound.clone()).to_string(), &[Felt::TWO])
                .unwrap();
        assert_eq!(
            snapshot.allowed_calls,
            vec![
                (Felt::from(0xau8), Felt::from(0xbu8)),
                (Felt::from(0xcu8), Felt::from(0xdu8))
            ]
        );
        bound.pop();
        bound.push(json!({"jsonrpc": "2.0", "id": 4, "result": ["0x3", "0xa", "0xb"]}));
        assert!(
            ChainSnapshot::from_batch_text(&Value::Array(bound).to_string(), &[Felt::TWO]).is_err(),
            "a length that does not match is refused"
        );
        let missing = json!([{"jsonrpc": "2.0", "id": 0, "error": {"code": 20, "message": "Contract not found"}}]);
        assert!(matches!(
            ChainSnapshot::from_batch_text(&missing.to_string(), &[]),
            Err(SessionError::AccountNotDeployed)
        ));
        assert!(ChainSnapshot::from_batch_text("{}", &[]).is_err());
        let reverted = json!([{"jsonrpc": "2.0", "id": 0, "error": {"code": 40, "message": "Contract error"}}]);
        assert!(matches!(
            ChainSnapshot::from_batch_text(&reverted.to_string(), &[]),
            Err(SessionError::Node { code: 40, .. })
        ));
    }
}
