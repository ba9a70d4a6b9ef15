//! A small JSON-RPC client of a Starknet node for what the manager reads: the session's status,
//! the account nonce and the block time in one batched request (`snapshot`), class hashes,
//! balances and incoming transfers (`tokens`), and receipts (`receipt`).

mod receipt;
mod snapshot;
mod tokens;

pub use receipt::{parse_receipt, Polling, Receipt, ReceiptEvent};
pub use snapshot::ChainSnapshot;
use snapshot::{batch_result, hex_felt, BatchItem};
pub use tokens::IncomingTransfer;

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use serde_json::{json, Value};
use starknet_core::types::Felt;

use crate::chain::http::{host_of, read_rpc_answer, MAX_NODE_RESPONSE_BYTES};
use crate::chain::status::SessionStatus;
use crate::entrypoint::selector;
use crate::error::SessionError;
use crate::session::policies::SpendingPolicy;
use crate::wallet_type::{ClassProfile, StatusLayout};

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
        let started = std::time::Instant::now();
        let answer = self.post_text_inner(body).await;
        // The method only: a node URL may carry a provider's key in its path.
        let method = match body {
            Value::Array(batch) => format!("batch of {}", batch.len()),
            single => single["method"].as_str().unwrap_or("?").to_owned(),
        };
        match &answer {
            Ok(_) => {
                tracing::debug!(%method, ms = started.elapsed().as_millis() as u64, "node answered")
            }
            Err(e) => {
                tracing::debug!(%method, ms = started.elapsed().as_millis() as u64, error = %e, "node failed")
            }
        }
        answer
    }

    async fn post_text_inner(&self, body: &Value) -> Result<String, SessionError> {
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
                    context: format!("node at {}", host_of(url)),
                    source: e.without_url(),
                })?;
        if response.status() == reqwest::StatusCode::TOO_MANY_REQUESTS {
            return Err(SessionError::Busy {
                service: format!("the node at {}", host_of(url)),
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
}
