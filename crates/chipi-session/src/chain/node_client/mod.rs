//! A small JSON-RPC client of a Starknet node for what the manager reads: the session's status,
//! the account nonce and the block time in one batched request (`snapshot`), class hashes,
//! balances and incoming transfers (`tokens`), and receipts (`receipt`).

mod receipt;
mod snapshot;
mod tokens;
mod wire;

pub use receipt::{parse_receipt, Polling, Receipt, ReceiptEvent};
pub use snapshot::ChainSnapshot;
use snapshot::{batch_result, hex_felt, BatchItem};
pub use tokens::IncomingTransfer;

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use serde::de::DeserializeOwned;
use starknet_core::types::Felt;
use wire::{Answer, BlockHeader, FunctionCall, Hex, Params, Request, PRE_CONFIRMED};

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

    /// Posts `body` (a request or a batch, named `label` in the log) to the node in use, then
    /// to each fallback in turn while they refuse; the one that answers is kept. The last
    /// refusal is returned when every node refuses.
    async fn post_text(&self, body: &str, label: &str) -> Result<String, SessionError> {
        let started = std::time::Instant::now();
        let answer = self.post_text_inner(body).await;
        // The method only: a node URL may carry a provider's key in its path.
        match &answer {
            Ok(_) => {
                tracing::debug!(method = %label, ms = started.elapsed().as_millis() as u64, "node answered")
            }
            Err(e) => {
                tracing::debug!(method = %label, ms = started.elapsed().as_millis() as u64, error = %e, "node failed")
            }
        }
        answer
    }

    async fn post_text_inner(&self, body: &str) -> Result<String, SessionError> {
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

    async fn post_to(&self, url: &str, body: &str) -> Result<String, SessionError> {
        self.round_trips.fetch_add(1, Ordering::Relaxed);
        let response = self
            .http
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body.to_owned())
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

    /// Sends one request and reads its answer as `R`, or the node's error.
    async fn request<R: DeserializeOwned>(
        &self,
        method: &str,
        params: Params,
    ) -> Result<Result<R, RpcError>, SessionError> {
        let body = serde_json::to_string(&Request {
            jsonrpc: "2.0",
            id: 0,
            method,
            params,
        })
        .expect("plain JSON types");
        let text = self.post_text(&body, method).await?;
        let answer: Answer<R> = serde_json::from_str(&text)
            .map_err(|e| SessionError::InvalidResponse(format!("node: {method}: {e}")))?;
        match answer {
            Answer { error: Some(e), .. } => Ok(Err(RpcError {
                code: e.code,
                message: e.message,
            })),
            Answer {
                result: Some(result),
                ..
            } => Ok(Ok(result)),
            _ => Err(SessionError::InvalidResponse(format!(
                "node: {method}: an answer without result or error"
            ))),
        }
    }

    /// Sends `requests` as one batch (ids in order); the answer's text, read by id.
    async fn batch(&self, requests: Vec<(&str, Params)>) -> Result<String, SessionError> {
        let label = format!("batch of {}", requests.len());
        let batch: Vec<Request<'_>> = requests
            .into_iter()
            .enumerate()
            .map(|(id, (method, params))| Request {
                jsonrpc: "2.0",
                id,
                method,
                params,
            })
            .collect();
        let body = serde_json::to_string(&batch).expect("plain JSON types");
        self.post_text(&body, &label).await
    }

    fn call_params(contract: Felt, entrypoint: &str, calldata: &[Felt]) -> Params {
        Params::Call {
            request: FunctionCall {
                contract_address: Hex(contract),
                entry_point_selector: Hex(selector(entrypoint)),
                calldata: calldata.iter().copied().map(Hex).collect(),
            },
            block_id: PRE_CONFIRMED,
        }
    }

    /// The JSON-RPC spec version the node speaks (`starknet_specVersion`, e.g. `0.10.3`).
    pub async fn spec_version(&self) -> Result<String, SessionError> {
        const METHOD: &str = "starknet_specVersion";
        self.request(METHOD, Params::None([]))
            .await?
            .map_err(|e| e.into_session_error(METHOD))
    }

    /// The chain id.
    pub async fn chain_id(&self) -> Result<Felt, SessionError> {
        const METHOD: &str = "starknet_chainId";
        let Hex(id) = self
            .request(METHOD, Params::None([]))
            .await?
            .map_err(|e| e.into_session_error(METHOD))?;
        Ok(id)
    }

    /// The class of the contract at `address`, or `None` if nothing is deployed there.
    pub async fn class_hash_at(&self, address: Felt) -> Result<Option<Felt>, SessionError> {
        let params = Params::Contract {
            block_id: PRE_CONFIRMED,
            contract_address: Hex(address),
        };
        match self.request("starknet_getClassHashAt", params).await? {
            Ok(Hex(class)) => Ok(Some(class)),
            Err(e) if e.code == CONTRACT_NOT_FOUND => Ok(None),
            Err(e) => Err(e.into_session_error("starknet_getClassHashAt")),
        }
    }

    /// The account's nonce on the pre-confirmed block.
    pub async fn nonce(&self, account: Felt) -> Result<Felt, SessionError> {
        const METHOD: &str = "starknet_getNonce";
        let params = Params::Contract {
            block_id: PRE_CONFIRMED,
            contract_address: Hex(account),
        };
        let Hex(nonce) = self
            .request(METHOD, params)
            .await?
            .map_err(|e| e.into_session_error(METHOD))?;
        Ok(nonce)
    }

    /// Whether the class `class_hash` is declared on this chain.
    pub async fn class_declared(&self, class_hash: Felt) -> Result<bool, SessionError> {
        let params = Params::Class {
            block_id: PRE_CONFIRMED,
            class_hash: Hex(class_hash),
        };
        // The class itself is not read.
        match self
            .request::<serde::de::IgnoredAny>("starknet_getClass", params)
            .await?
        {
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
        let answer: Vec<Hex> = self
            .request(
                "starknet_call",
                Self::call_params(contract, entrypoint, calldata),
            )
            .await?
            .map_err(|e| e.into_session_error(entrypoint))?;
        Ok(answer.into_iter().map(|Hex(f)| f).collect())
    }

    /// A block's header; `block_id` as the RPC takes it.
    async fn block_header(&self, block_id: wire::BlockId) -> Result<BlockHeader, SessionError> {
        const METHOD: &str = "starknet_getBlockWithTxHashes";
        self.request(METHOD, Params::Block { block_id })
            .await?
            .map_err(|e| e.into_session_error(METHOD))
    }

    /// A numbered block's number and timestamp.
    async fn numbered_block(&self, block_id: wire::BlockId) -> Result<(u64, u64), SessionError> {
        let header = self.block_header(block_id).await?;
        match header.block_number {
            Some(n) => Ok((n, header.timestamp)),
            None => Err(SessionError::InvalidResponse(
                "node: a block without number".into(),
            )),
        }
    }

    /// The latest block's number and timestamp.
    pub async fn latest_block(&self) -> Result<(u64, u64), SessionError> {
        self.numbered_block(wire::BlockId::Tag("latest")).await
    }

    /// The timestamp of block `number`.
    pub async fn block_time(&self, number: u64) -> Result<u64, SessionError> {
        Ok(self
            .numbered_block(wire::BlockId::Number {
                block_number: number,
            })
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
        const VIEW: &str = "is_valid_outside_execution_nonce";
        let requests = vec![
            ("starknet_call", Self::call_params(account, VIEW, &[nonce])),
            (
                "starknet_getBlockWithTxHashes",
                Params::Block {
                    block_id: PRE_CONFIRMED,
                },
            ),
        ];
        let text = self.batch(requests).await?;
        let items: Vec<BatchItem<'_>> = serde_json::from_str(&text).map_err(|e| {
            SessionError::InvalidResponse(format!("node: a batch answer must be an array: {e}"))
        })?;
        let flags: Vec<Hex> = serde_json::from_str(batch_result(&items, 0, VIEW)?)
            .map_err(|_| SessionError::InvalidResponse(format!("node: {VIEW} is not felts")))?;
        let unused = match flags.as_slice() {
            [Hex(flag)] if *flag == Felt::ONE => true,
            [Hex(flag)] if *flag == Felt::ZERO => false,
            _ => {
                return Err(SessionError::InvalidResponse(format!(
                    "node: {VIEW} is not a bool"
                )))
            }
        };
        let block: BlockHeader =
            serde_json::from_str(batch_result(&items, 1, "starknet_getBlockWithTxHashes")?)
                .map_err(|_| {
                    SessionError::InvalidResponse("node: block without timestamp".into())
                })?;
        Ok((unused, block.timestamp))
    }
}
