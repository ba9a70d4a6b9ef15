//! A small JSON-RPC client of a Starknet node for what the manager reads: the session's status,
//! the account nonce and the block time in one batched request, class hashes, and receipts.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use serde_json::{json, Value};
use starknet_core::types::Felt;

use crate::chain::http::{read_rpc_answer, MAX_NODE_RESPONSE_BYTES};
use crate::chain::status::SessionStatus;
use crate::entrypoint::selector;
use crate::error::SessionError;
use crate::session::policies::SpendingPolicy;
use crate::wallet_type::{ClassProfile, StatusLayout};

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

/// One answer of a batch, borrowed from the response text.
#[derive(serde::Deserialize)]
struct BatchItem<'a> {
    id: u64,
    #[serde(borrow)]
    result: Option<&'a serde_json::value::RawValue>,
    error: Option<RpcErrorBody>,
}

#[derive(serde::Deserialize)]
struct RpcErrorBody {
    code: i64,
    #[serde(default)]
    message: String,
}

#[derive(serde::Deserialize)]
struct BlockTime {
    timestamp: u64,
}

fn hex_felt(text: &str, what: &str) -> Result<Felt, SessionError> {
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
        let block: BlockTime = serde_json::from_str(by_id(2, "starknet_getBlockWithTxHashes")?)
            .map_err(|_| SessionError::InvalidResponse("node: block without timestamp".into()))?;
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
fn batch_result<'a>(
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
fn bound_pairs(words: &[Felt]) -> Result<Vec<(Felt, Felt)>, SessionError> {
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

/// A node's JSON-RPC endpoint, with others of the same network to fall back on: a request the
/// node in use refuses (unreachable, a server error, HTTP 429) is tried on the next one, and the
/// first that answers is kept for the requests after it.
#[derive(Debug)]
pub struct NodeClient {
    http: reqwest::Client,
    urls: Vec<String>,
    current: AtomicUsize,
    round_trips: AtomicU64,
}

fn hex(f: &Felt) -> String {
    format!("{f:#x}")
}

fn felt(value: &Value, what: &str) -> Result<Felt, SessionError> {
    value
        .as_str()
        .and_then(|s| Felt::from_hex(s).ok())
        .ok_or_else(|| SessionError::InvalidResponse(format!("node: {what} is not a felt")))
}

fn felts(value: &Value, what: &str) -> Result<Vec<Felt>, SessionError> {
    value
        .as_array()
        .ok_or_else(|| SessionError::InvalidResponse(format!("node: {what} is not an array")))?
        .iter()
        .map(|v| felt(v, what))
        .collect()
}

/// A JSON-RPC error from the node.
#[derive(Debug)]
struct RpcError {
    code: i64,
    message: String,
}

impl RpcError {
    fn into_session_error(self, method: &str) -> SessionError {
        SessionError::Node {
            code: self.code,
            message: format!("{method}: {}", self.message),
        }
    }
}

/// Whether this client reads answers of a node speaking `spec_version`: 0.9 and 0.10 (0.10.x
/// only adds fields, which are ignored); 0.8 and older name blocks differently.
pub fn spec_supported(spec_version: &str) -> bool {
    let mut parts = spec_version.trim().split('.');
    let (Some(major), Some(minor)) = (parts.next(), parts.next()) else {
        return false;
    };
    matches!(
        (major.parse::<u32>(), minor.parse::<u32>()),
        (Ok(0), Ok(9 | 10))
    )
}

const CONTRACT_NOT_FOUND: i64 = 20;
const CLASS_HASH_NOT_FOUND: i64 = 28;
const TRANSACTION_NOT_FOUND: i64 = 29;

impl NodeClient {
    /// A client of the node at `url`.
    pub fn new(url: impl Into<String>) -> Self {
        let http = crate::chain::http::client(Duration::from_secs(30));
        Self {
            http,
            urls: vec![url.into()],
            current: AtomicUsize::new(0),
            round_trips: AtomicU64::new(0),
        }
    }

    /// The same client falling back on `urls`, in order, when the node in use refuses.
    pub fn with_fallbacks(mut self, urls: impl IntoIterator<Item = String>) -> Self {
        for url in urls {
            if !self.urls.contains(&url) {
                self.urls.push(url);
            }
        }
        self
    }

    /// The same client giving up each request after `timeout` instead of 30 s.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.http = crate::chain::http::client(timeout);
        self
    }

    /// The endpoint in use (the last that answered).
    pub fn url(&self) -> &str {
        &self.urls[self.current.load(Ordering::Relaxed) % self.urls.len()]
    }

    /// Every endpoint, the first one the network's own.
    pub fn urls(&self) -> &[String] {
        &self.urls
    }

    /// HTTP requests made so far (a batch counts once).
    pub fn round_trips(&self) -> u64 {
        self.round_trips.load(Ordering::Relaxed)
    }

    async fn post(&self, body: &Value) -> Result<Value, SessionError> {
        let text = self.post_text(body).await?;
        serde_json::from_str(&text).map_err(|e| SessionError::InvalidResponse(format!("node: {e}")))
    }

    /// Posts `body` to the node in use, then to each fallback in turn while they refuse; the
    /// one that answers is kept. The last refusal is returned when every node refuses.
    async fn post_text(&self, body: &Value) -> Result<String, SessionError> {
        let first = self.current.load(Ordering::Relaxed);
        let mut refusal = None;
        for step in 0..self.urls.len() {
            let index = (first + step) % self.urls.len();
            match self.post_to(&self.urls[index], body).await {
                Ok(text) => {
                    self.current.store(index, Ordering::Relaxed);
                    return Ok(text);
                }
                Err(
                    e @ (SessionError::Network { .. }
                    | SessionError::Unavailable { .. }
                    | SessionError::Busy { .. }),
                ) => refusal = Some(e),
                Err(e) => return Err(e),
            }
        }
        Err(refusal.unwrap_or_else(|| SessionError::InvalidConfig("no node URL".into())))
    }

    async fn post_to(&self, url: &str, body: &Value) -> Result<String, SessionError> {
        self.round_trips.fetch_add(1, Ordering::Relaxed);
        let response =
            self.http
                .post(url)
                .json(body)
                .send()
                .await
                .map_err(|e| SessionError::Network {
                    context: format!("node at {url}"),
                    source: e.without_url(),
                })?;
        if response.status() == reqwest::StatusCode::TOO_MANY_REQUESTS {
            return Err(SessionError::Busy {
                service: format!("the node at {url}"),
            });
        }
        let body = read_rpc_answer(response, "node", MAX_NODE_RESPONSE_BYTES).await?;
        String::from_utf8(body)
            .map_err(|_| SessionError::InvalidResponse("node: the answer is not UTF-8".into()))
    }

    fn answer(value: &Value) -> Result<Value, RpcError> {
        if let Some(error) = value.get("error") {
            return Err(RpcError {
                code: error.get("code").and_then(Value::as_i64).unwrap_or(0),
                message: error
                    .get("message")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_owned(),
            });
        }
        Ok(value.get("result").cloned().unwrap_or(Value::Null))
    }

    async fn request(
        &self,
        method: &str,
        params: Value,
    ) -> Result<Result<Value, RpcError>, SessionError> {
        let body = json!({"jsonrpc": "2.0", "id": 0, "method": method, "params": params});
        Ok(Self::answer(&self.post(&body).await?))
    }

    fn batch_body(requests: &[(&str, Value)]) -> Value {
        Value::Array(
            requests
                .iter()
                .enumerate()
                .map(|(id, (method, params))| json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}))
                .collect(),
        )
    }

    fn call_params(contract: Felt, entrypoint: &str, calldata: &[Felt]) -> Value {
        json!({
            "request": {
                "contract_address": hex(&contract),
                "entry_point_selector": hex(&selector(entrypoint)),
                "calldata": calldata.iter().map(hex).collect::<Vec<_>>(),
            },
            "block_id": "pre_confirmed",
        })
    }

    /// The JSON-RPC spec version the node speaks (`starknet_specVersion`, e.g. `0.10.3`).
    pub async fn spec_version(&self) -> Result<String, SessionError> {
        let answer = self.request("starknet_specVersion", json!([])).await?;
        answer
            .map_err(|e| e.into_session_error("starknet_specVersion"))?
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| SessionError::InvalidResponse("node: spec version is not text".into()))
    }

    /// The chain id.
    pub async fn chain_id(&self) -> Result<Felt, SessionError> {
        let answer = self.request("starknet_chainId", json!([])).await?;
        felt(
            &answer.map_err(|e| e.into_session_error("starknet_chainId"))?,
            "chain id",
        )
    }

    /// The class of the contract at `address`, or `None` if nothing is deployed there.
    pub async fn class_hash_at(&self, address: Felt) -> Result<Option<Felt>, SessionError> {
        let params = json!({"block_id": "pre_confirmed", "contract_address": hex(&address)});
        match self.request("starknet_getClassHashAt", params).await? {
            Ok(value) => felt(&value, "class hash").map(Some),
            Err(e) if e.code == CONTRACT_NOT_FOUND => Ok(None),
            Err(e) => Err(e.into_session_error("starknet_getClassHashAt")),
        }
    }

    /// The account's nonce on the pre-confirmed block.
    pub async fn nonce(&self, account: Felt) -> Result<Felt, SessionError> {
        let params = json!({"block_id": "pre_confirmed", "contract_address": hex(&account)});
        let answer = self.request("starknet_getNonce", params).await?;
        felt(
            &answer.map_err(|e| e.into_session_error("starknet_getNonce"))?,
            "nonce",
        )
    }

    /// Whether the class `class_hash` is declared on this chain.
    pub async fn class_declared(&self, class_hash: Felt) -> Result<bool, SessionError> {
        let params = json!({"block_id": "pre_confirmed", "class_hash": hex(&class_hash)});
        match self.request("starknet_getClass", params).await? {
            Ok(_) => Ok(true),
            Err(e) if e.code == CLASS_HASH_NOT_FOUND => Ok(false),
            Err(e) => Err(e.into_session_error("starknet_getClass")),
        }
    }

    /// A view call on the pre-confirmed block.
    pub async fn call(
        &self,
        contract: Felt,
        entrypoint: &str,
        calldata: &[Felt],
    ) -> Result<Vec<Felt>, SessionError> {
        let answer = self
            .request(
                "starknet_call",
                Self::call_params(contract, entrypoint, calldata),
            )
            .await?;
        felts(
            &answer.map_err(|e| e.into_session_error(entrypoint))?,
            entrypoint,
        )
    }

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

    /// A block's number and timestamp; `block_id` as the RPC takes it.
    async fn block_header(&self, block_id: Value) -> Result<(u64, u64), SessionError> {
        const METHOD: &str = "starknet_getBlockWithTxHashes";
        let answer = self
            .request(METHOD, json!({ "block_id": block_id }))
            .await?
            .map_err(|e| e.into_session_error(METHOD))?;
        let number = answer.get("block_number").and_then(Value::as_u64);
        let time = answer.get("timestamp").and_then(Value::as_u64);
        match (number, time) {
            (Some(n), Some(t)) => Ok((n, t)),
            _ => Err(SessionError::InvalidResponse(
                "node: a block without number or time".into(),
            )),
        }
    }

    /// The latest block's number and timestamp.
    pub async fn latest_block(&self) -> Result<(u64, u64), SessionError> {
        self.block_header(json!("latest")).await
    }

    /// The timestamp of block `number`.
    pub async fn block_time(&self, number: u64) -> Result<u64, SessionError> {
        Ok(self
            .block_header(json!({ "block_number": number }))
            .await?
            .1)
    }

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
                json!({"block_id": "pre_confirmed", "contract_address": hex(&account)}),
            ),
            (
                "starknet_getBlockWithTxHashes",
                json!({"block_id": "pre_confirmed"}),
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
        let text = self.post_text(&Self::batch_body(&requests)).await?;
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
        let requests: Vec<(&str, Value)> = (0..count)
            .map(|i| {
                (
                    "starknet_call",
                    Self::call_params(account, VIEW, &[session_key, Felt::from(i)]),
                )
            })
            .collect();
        let text = self.post_text(&Self::batch_body(&requests)).await?;
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

    /// Whether `nonce` is still unused for `account`'s outside executions, and the pre-confirmed
    /// block's timestamp, in one batched request.
    pub async fn outside_nonce_state(
        &self,
        account: Felt,
        nonce: Felt,
    ) -> Result<(bool, u64), SessionError> {
        let requests = [
            (
                "starknet_call",
                Self::call_params(account, "is_valid_outside_execution_nonce", &[nonce]),
            ),
            (
                "starknet_getBlockWithTxHashes",
                json!({"block_id": "pre_confirmed"}),
            ),
        ];
        let answer = self.post(&Self::batch_body(&requests)).await?;
        let items = answer.as_array().ok_or_else(|| {
            SessionError::InvalidResponse("node: a batch answer must be an array".into())
        })?;
        let by_id = |id: u64, method: &str| -> Result<Value, SessionError> {
            let item = items
                .iter()
                .find(|item| item.get("id").and_then(Value::as_u64) == Some(id))
                .ok_or_else(|| {
                    SessionError::InvalidResponse(format!("node: no answer for {method}"))
                })?;
            Self::answer(item).map_err(|e| e.into_session_error(method))
        };
        let unused = match felts(
            &by_id(0, "is_valid_outside_execution_nonce")?,
            "nonce state",
        )?
        .as_slice()
        {
            [flag] if *flag == Felt::ONE => true,
            [flag] if *flag == Felt::ZERO => false,
            _ => {
                return Err(SessionError::InvalidResponse(
                    "node: is_valid_outside_execution_nonce is not a bool".into(),
                ))
            }
        };
        let timestamp = by_id(1, "starknet_getBlockWithTxHashes")?
            .get("timestamp")
            .and_then(Value::as_u64)
            .ok_or_else(|| SessionError::InvalidResponse("node: block without timestamp".into()))?;
        Ok((unused, timestamp))
    }

    /// The receipt of `hash`, or `None` while the node does not know it yet.
    pub async fn receipt(&self, hash: Felt) -> Result<Option<Receipt>, SessionError> {
        let answer = self
            .request(
                "starknet_getTransactionReceipt",
                json!({"transaction_hash": hex(&hash)}),
            )
            .await?;
        let value = match answer {
            Ok(value) => value,
            Err(e) if e.code == TRANSACTION_NOT_FOUND => return Ok(None),
            Err(e) => return Err(e.into_session_error("starknet_getTransactionReceipt")),
        };
        parse_receipt(hash, &value).map(Some)
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

/// Reads the fields of a JSON-RPC receipt the manager needs.
pub fn parse_receipt(hash: Felt, value: &Value) -> Result<Receipt, SessionError> {
    let succeeded = match value.get("execution_status").and_then(Value::as_str) {
        Some("SUCCEEDED") => true,
        Some("REVERTED") => false,
        _ => {
            return Err(SessionError::InvalidResponse(
                "node: receipt without execution_status".into(),
            ))
        }
    };
    let events = value
        .get("events")
        .and_then(Value::as_array)
        .map(|events| {
            events
                .iter()
                .map(|e| {
                    Ok(ReceiptEvent {
                        from_address: felt(
                            e.get("from_address").unwrap_or(&Value::Null),
                            "event address",
                        )?,
                        keys: felts(e.get("keys").unwrap_or(&Value::Null), "event keys")?,
                        data: felts(e.get("data").unwrap_or(&Value::Null), "event data")?,
                    })
                })
                .collect::<Result<Vec<_>, SessionError>>()
        })
        .transpose()?
        .unwrap_or_default();
    Ok(Receipt {
        transaction_hash: hash,
        succeeded,
        revert_reason: value
            .get("revert_reason")
            .and_then(Value::as_str)
            .map(str::to_owned),
        events,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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
