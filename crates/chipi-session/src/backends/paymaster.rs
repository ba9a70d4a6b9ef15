//! A SNIP-29 paymaster client: build the outside execution, check every field of it against
//! what the wallet asked for (`outside_check`), check on chain that its nonce is unused, and
//! hand back the signed result for relaying. One gasless execution costs two round trips to the
//! paymaster (`paymaster_buildTransaction`, `paymaster_executeTransaction`) and one to the node
//! (the nonce and the chain time, batched).
//!
//! A signed execution the paymaster reported as failed is remembered: before anything new is
//! signed, the node says whether its nonce was used (it ran after all: not sent again), whether
//! it can still run (the same calls are re-sent with the same signature; other calls wait), or
//! whether it expired.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use serde_json::{json, Value};
use starknet_core::types::{Call, Felt};

use crate::backends::outside_check::{
    check_outside_execution, Expectation, FeeMode, MAX_VALIDITY_SECONDS,
};
use crate::backends::outside_execution::OutsideExecution;
use crate::chain::http::{read_rpc_answer, MAX_SERVICE_RESPONSE_BYTES};
use crate::chain::node_client::NodeClient;
use crate::error::SessionError;
use crate::typed_data::TypedData;

/// The header a paymaster API key travels in (AVNU's name).
pub const API_KEY_HEADER: &str = "x-paymaster-api-key";

/// The header the owner's signature over a deployment travels in (`0xr,0xs`): this project's
/// sponsor deploys nothing without it; other paymasters ignore a header they do not know, and
/// the body stays the spec's.
pub const DEPLOYMENT_SIGNATURE_HEADER: &str = "x-deployment-signature";

/// What the owner signs to ask for a deployment: `poseidon("chipi.deploy", chain_id, address)`
/// (the address commits to the class, the salt and the constructor calldata).
pub fn deployment_authorization(chain_id: Felt, address: Felt) -> Felt {
    const TAG: Felt = Felt::from_hex_unchecked("0x63686970692e6465706c6f79");
    starknet_crypto::poseidon_hash_many(&[TAG, chain_id, address])
}

/// A paymaster API key; never printed.
#[derive(Clone)]
pub struct ApiKey(zeroize::Zeroizing<String>);

impl ApiKey {
    /// Wraps `key`.
    pub fn new(key: impl Into<String>) -> Self {
        Self(zeroize::Zeroizing::new(key.into()))
    }
}

impl std::fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ApiKey(<redacted>)")
    }
}

/// A token a paymaster takes fees in (`paymaster_getSupportedTokens`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SupportedToken {
    /// The ERC-20.
    pub address: Felt,
    /// Its decimals.
    pub decimals: u8,
    /// One whole token in fri (10^-18 STRK).
    pub price_in_strk: u128,
}

/// A paymaster endpoint, for one network.
#[derive(Debug, Clone)]
pub struct PaymasterClient {
    http: reqwest::Client,
    url: String,
    api_key: Option<ApiKey>,
    round_trips: Arc<AtomicU64>,
    chain_id: Felt,
    node: Arc<NodeClient>,
    fee: FeeMode,
    /// The relayer every outside execution must name, learnt from the first build.
    caller: Arc<Mutex<Option<Felt>>>,
    /// A signed execution whose outcome is unknown.
    in_flight: Arc<Mutex<Option<InFlight>>>,
    /// Where that execution is written down before it is sent (and forgotten once settled), so
    /// a restart after a crash knows it too.
    journal: Option<Journal>,
}

/// Keeps the unsettled execution across restarts: called with it before it is sent, with
/// `None` once it is settled. An error stops the send.
#[derive(Clone)]
pub struct Journal(pub Arc<JournalFn>);

/// What a [`Journal`] calls.
pub type JournalFn = dyn Fn(Option<&Value>) -> Result<(), SessionError> + Send + Sync;

impl std::fmt::Debug for Journal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Journal")
    }
}

#[derive(Debug, Clone)]
struct InFlight {
    account: Felt,
    calls: Vec<Call>,
    built: BuiltInvoke,
    signature: Vec<Felt>,
}

impl InFlight {
    /// Its public parts (no secret: the calls, the typed data and the signature over it).
    fn to_json(&self) -> Value {
        let hex = |f: &Felt| format!("{f:#x}");
        json!({
            "account": hex(&self.account),
            "calls": calls_json(&self.calls),
            "typed_data": self.built.typed_data,
            "signature": self.signature.iter().map(hex).collect::<Vec<_>>(),
        })
    }

    /// Read back, the outside execution parsed from its typed data again.
    fn from_json(value: &Value, chain_id: Felt) -> Option<Self> {
        let felt = |v: &Value| crate::typed_data::felt_of(v).ok();
        let account = felt(value.get("account")?)?;
        let calls = value
            .get("calls")?
            .as_array()?
            .iter()
            .map(|c| {
                Some(Call {
                    to: felt(c.get("to")?)?,
                    selector: felt(c.get("selector")?)?,
                    calldata: c
                        .get("calldata")?
                        .as_array()?
                        .iter()
                        .map(felt)
                        .collect::<Option<_>>()?,
                })
            })
            .collect::<Option<Vec<_>>>()?;
        let typed_data = value.get("typed_data")?.clone();
        let typed = TypedData::from_json(&typed_data.to_string()).ok()?;
        let outside_execution = OutsideExecution::from_typed_data(&typed).ok()?;
        // The calls remembered are the ones signed (a gasless fee call may follow them): an
        // entry edited to name others is dropped.
        let signed = &outside_execution.calls;
        if !signed.starts_with(&calls) || signed.len() > calls.len() + 1 {
            return None;
        }
        let message_hash = outside_execution.message_hash(account, chain_id);
        let signature = value
            .get("signature")?
            .as_array()?
            .iter()
            .map(felt)
            .collect::<Option<_>>()?;
        Some(Self {
            account,
            calls,
            built: BuiltInvoke {
                typed_data,
                outside_execution,
                message_hash,
            },
            signature,
        })
    }
}

/// The outside execution a paymaster built for the user to sign.
#[derive(Debug, Clone)]
pub struct BuiltInvoke {
    /// The typed data exactly as the paymaster returned it (sent back unchanged).
    pub typed_data: Value,
    /// The same, parsed and checked against the calls asked for.
    pub outside_execution: OutsideExecution,
    /// Its SNIP-12 hash for the user's account: what the user signs.
    pub message_hash: Felt,
}

/// What `paymaster_executeTransaction` answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Relayed {
    /// The paymaster's id for this request.
    pub tracking_id: Felt,
    /// The relayer's transaction.
    pub transaction_hash: Felt,
}

impl Relayed {
    fn from_result(result: &Value) -> Result<Self, SessionError> {
        Ok(Self {
            tracking_id: felt_field(result, "tracking_id")?,
            transaction_hash: felt_field(result, "transaction_hash")?,
        })
    }
}

/// Data to deploy an account (`ACCOUNT_DEPLOYMENT_DATA`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountDeployment {
    /// The counterfactual address.
    pub address: Felt,
    /// The account class.
    pub class_hash: Felt,
    /// Deployment salt.
    pub salt: Felt,
    /// Constructor calldata.
    pub calldata: Vec<Felt>,
}

impl AccountDeployment {
    /// The JSON shape of the spec.
    pub fn to_json(&self) -> Value {
        let hex = |f: &Felt| format!("{f:#x}");
        json!({
            "address": hex(&self.address),
            "class_hash": hex(&self.class_hash),
            "salt": hex(&self.salt),
            "calldata": self.calldata.iter().map(hex).collect::<Vec<_>>(),
            "version": 1,
        })
    }
}

fn sponsored() -> Value {
    json!({"version": "0x1", "fee_mode": {"mode": "sponsored"}})
}

fn parameters(fee: FeeMode, time_bounds: Option<(u64, u64)>) -> Value {
    let mut value = json!({"version": "0x1", "fee_mode": fee.to_json()});
    if let Some((after, before)) = time_bounds {
        value["time_bounds"] = json!({
            "execute_after": format!("{after:#x}"),
            "execute_before": format!("{before:#x}"),
        });
    }
    value
}

fn calls_json(calls: &[Call]) -> Value {
    let hex = |f: &Felt| format!("{f:#x}");
    Value::Array(
        calls
            .iter()
            .map(|c| json!({"to": hex(&c.to), "selector": hex(&c.selector), "calldata": c.calldata.iter().map(hex).collect::<Vec<_>>()}))
            .collect(),
    )
}

fn felt_field(value: &Value, name: &str) -> Result<Felt, SessionError> {
    value
        .get(name)
        .and_then(Value::as_str)
        .and_then(|s| Felt::from_hex(s).ok())
        .ok_or_else(|| {
            SessionError::InvalidResponse(format!("paymaster: {name} missing or not a felt"))
        })
}

impl PaymasterClient {
    /// A client of the paymaster at `url` for the network whose node is at `rpc_url` and whose
    /// chain id is `chain_id`; sponsored fee mode, relayer learnt from the first build.
    pub fn new(url: impl Into<String>, rpc_url: impl Into<String>, chain_id: Felt) -> Self {
        let http = crate::chain::http::client(std::time::Duration::from_secs(60));
        Self {
            http,
            url: url.into(),
            api_key: None,
            round_trips: Arc::new(AtomicU64::new(0)),
            chain_id,
            node: Arc::new(NodeClient::new(rpc_url)),
            fee: FeeMode::Sponsored,
            caller: Arc::new(Mutex::new(None)),
            in_flight: Arc::new(Mutex::new(None)),
            journal: None,
        }
    }

    /// Gives up each request (to the paymaster and to the node) after `timeout` instead of
    /// 60 s (30 s for the node).
    pub fn with_timeout(mut self, timeout: std::time::Duration) -> Self {
        self.http = crate::chain::http::client(timeout);
        self.node = Arc::new(NodeClient::new(self.node.url().to_owned()).with_timeout(timeout));
        self
    }

    /// Writes the unsettled execution down through `journal`, and starts from `unsettled` (what
    /// it last wrote, read back after a restart). An entry that does not parse is dropped.
    pub fn with_journal(self, journal: Journal, unsettled: Option<&Value>) -> Self {
        let restored = unsettled.and_then(|value| InFlight::from_json(value, self.chain_id));
        let client = Self {
            journal: Some(journal),
            ..self
        };
        if unsettled.is_some() && restored.is_none() {
            // Dropped from the journal too, not read again at every start.
            let _ = client.write_down(None);
        }
        *lock(&client.in_flight) = restored;
        client
    }

    fn write_down(&self, attempt: Option<&InFlight>) -> Result<(), SessionError> {
        match &self.journal {
            Some(journal) => (journal.0)(attempt.map(InFlight::to_json).as_ref()),
            None => Ok(()),
        }
    }

    /// Forgets the unsettled execution, here and in the journal.
    fn forget_in_flight(&self) {
        // Written only when something was kept. A journal that cannot be written keeps an entry
        // that the next start reads back and settles from the chain.
        if lock(&self.in_flight).take().is_some() {
            let _ = self.write_down(None);
        }
    }

    /// Sends `key` in [`API_KEY_HEADER`] with every request.
    pub fn with_api_key(mut self, key: Option<ApiKey>) -> Self {
        self.api_key = key;
        self
    }

    /// Pays fees as `fee` says.
    pub fn with_fee_mode(mut self, fee: FeeMode) -> Self {
        self.fee = fee;
        self
    }

    /// Requires every outside execution to name `caller` (a relayer pinned earlier).
    pub fn with_caller(self, caller: Felt) -> Self {
        *lock(&self.caller) = Some(caller);
        self
    }

    /// How fees are paid.
    pub fn fee_mode(&self) -> FeeMode {
        self.fee
    }

    /// The relayer pinned so far, to be kept for this network.
    pub fn pinned_caller(&self) -> Option<Felt> {
        *lock(&self.caller)
    }

    /// The fee call a gasless build may append, at the most the user accepts.
    pub fn worst_fee_call(&self) -> Option<Call> {
        let caller = self.pinned_caller().unwrap_or(Felt::ZERO);
        self.fee.worst_fee_call(caller)
    }

    /// HTTP requests made so far.
    pub fn round_trips(&self) -> u64 {
        self.round_trips.load(Ordering::Relaxed)
    }

    async fn call(&self, method: &str, params: Value) -> Result<Value, SessionError> {
        self.call_with(method, params, None).await
    }

    /// [`Self::call`] with one more header.
    async fn call_with(
        &self,
        method: &str,
        params: Value,
        header: Option<(&str, &str)>,
    ) -> Result<Value, SessionError> {
        let body = json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params});
        self.round_trips.fetch_add(1, Ordering::Relaxed);
        let mut request = self.http.post(&self.url).json(&body);
        if let Some(key) = &self.api_key {
            request = request.header(API_KEY_HEADER, key.0.as_str());
        }
        if let Some((name, value)) = header {
            request = request.header(name, value);
        }
        let response = request.send().await.map_err(|e| SessionError::Network {
            context: format!("paymaster {method}"),
            source: e.without_url(),
        })?;
        if matches!(response.status().as_u16(), 401 | 403) {
            return Err(SessionError::PaymasterApiKey {
                key_sent: self.api_key.is_some(),
            });
        }
        let body = read_rpc_answer(response, "paymaster", MAX_SERVICE_RESPONSE_BYTES).await?;
        let value: Value = serde_json::from_slice(&body)
            .map_err(|e| SessionError::InvalidResponse(format!("paymaster {method}: {e}")))?;
        if let Some(error) = value.get("error") {
            return Err(SessionError::Paymaster {
                code: error.get("code").and_then(Value::as_i64).unwrap_or(0),
                message: error
                    .get("message")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_owned(),
                data: error.get("data").map(Value::to_string),
            });
        }
        value
            .get("result")
            .cloned()
            .ok_or_else(|| SessionError::InvalidResponse(format!("paymaster {method}: no result")))
    }

    /// `paymaster_getSupportedTokens`.
    pub async fn supported_tokens(&self) -> Result<Vec<SupportedToken>, SessionError> {
        let result = self.call("paymaster_getSupportedTokens", json!([])).await?;
        let bad = || SessionError::InvalidResponse("paymaster: malformed supported tokens".into());
        result
            .as_array()
            .ok_or_else(bad)?
            .iter()
            .map(|t| {
                let price = felt_field(t, "price_in_strk")?;
                Ok(SupportedToken {
                    address: felt_field(t, "token_address")?,
                    decimals: t
                        .get("decimals")
                        .and_then(Value::as_u64)
                        .and_then(|d| u8::try_from(d).ok())
                        .ok_or_else(bad)?,
                    price_in_strk: price.try_into().map_err(|_| bad())?,
                })
            })
            .collect()
    }

    /// The fee the paymaster asks, in `gas_token` base units, to run `calls` from `account` in
    /// the default (user-pays) mode: its `suggested_max_fee_in_gas_token`. Nothing is signed.
    pub async fn quote_fee(
        &self,
        account: Felt,
        calls: &[Call],
        gas_token: Felt,
    ) -> Result<u128, SessionError> {
        let transaction = json!({"type": "invoke", "invoke": {"user_address": format!("{account:#x}"), "calls": calls_json(calls)}});
        let mode = FeeMode::Gasless {
            gas_token,
            max_fee: 0,
        };
        let result = self
            .call(
                "paymaster_buildTransaction",
                json!([transaction, parameters(mode, None)]),
            )
            .await?;
        let fee = result
            .get("fee")
            .ok_or_else(|| SessionError::InvalidResponse("paymaster: no fee".into()))?;
        felt_field(fee, "suggested_max_fee_in_gas_token")?
            .try_into()
            .map_err(|_| SessionError::InvalidResponse("paymaster: fee out of range".into()))
    }

    /// `paymaster_isAvailable`.
    pub async fn is_available(&self) -> Result<bool, SessionError> {
        Ok(self
            .call("paymaster_isAvailable", json!([]))
            .await?
            .as_bool()
            .unwrap_or(false))
    }

    /// Asks the paymaster to build an outside execution of `calls` for `account`, valid for at
    /// most [`MAX_VALIDITY_SECONDS`] from `now` (chain time), and refuses it unless every field
    /// is what the wallet expects and its nonce is unused on chain
    /// ([`SessionError::PaymasterTampered`] names the field). The hash to sign is computed from
    /// the fixed SNIP-9 v2 layout.
    pub async fn build_invoke(
        &self,
        account: Felt,
        calls: &[Call],
        now: u64,
    ) -> Result<BuiltInvoke, SessionError> {
        self.build_invoke_paying(account, calls, now, self.fee)
            .await
    }

    /// [`Self::build_invoke`] with the fee accepted as `fee` says.
    async fn build_invoke_paying(
        &self,
        account: Felt,
        calls: &[Call],
        now: u64,
        fee: FeeMode,
    ) -> Result<BuiltInvoke, SessionError> {
        let transaction = json!({"type": "invoke", "invoke": {"user_address": format!("{account:#x}"), "calls": calls_json(calls)}});
        let bounds = (0, now + MAX_VALIDITY_SECONDS);
        let result = self
            .call(
                "paymaster_buildTransaction",
                json!([transaction, parameters(fee, Some(bounds))]),
            )
            .await?;
        let typed_data = result
            .get("typed_data")
            .cloned()
            .ok_or_else(|| SessionError::InvalidResponse("paymaster: no typed_data".into()))?;
        let typed = TypedData::from_json(&typed_data.to_string())?;
        let pinned = self.pinned_caller();
        // One read for the nonce and a fresh chain time; the bounds are checked against the
        // later of that and the manager's estimate.
        let nonce = OutsideExecution::from_typed_data(&typed)?.nonce;
        let (unused, chain_now) = self.node.outside_nonce_state(account, nonce).await?;
        let outside_execution = check_outside_execution(
            &typed,
            &Expectation {
                chain_id: self.chain_id,
                calls,
                caller: pinned,
                now: now.max(chain_now),
                fee,
            },
        )?;
        if !unused {
            return Err(SessionError::PaymasterTampered { field: "nonce" });
        }
        if outside_execution.execute_before <= chain_now {
            return Err(SessionError::PaymasterTampered {
                field: "execute_before",
            });
        }
        if pinned.is_none() {
            *lock(&self.caller) = Some(outside_execution.caller);
        }
        let message_hash = outside_execution.message_hash(account, self.chain_id);
        Ok(BuiltInvoke {
            typed_data,
            outside_execution,
            message_hash,
        })
    }

    /// Settles a signed execution whose outcome was unknown before anything new is signed:
    /// `Ok(Some(..))` to re-send it (same calls, still valid), `Ok(None)` when there is none
    /// (or it expired unused).
    async fn settle_in_flight(
        &self,
        account: Felt,
        calls: &[Call],
    ) -> Result<Option<InFlight>, SessionError> {
        let Some(previous) = lock(&self.in_flight).clone() else {
            return Ok(None);
        };
        if previous.account != account {
            return Ok(None);
        }
        let oe = &previous.built.outside_execution;
        let (unused, chain_now) = self.node.outside_nonce_state(account, oe.nonce).await?;
        if !unused {
            self.forget_in_flight();
            // It ran. A retry of the same calls is not sent again; other calls go ahead.
            return if previous.calls == calls {
                Err(SessionError::AlreadyExecuted)
            } else {
                Ok(None)
            };
        }
        // Expired; or valid longer than this wallet ever signs for (an entry read back from a
        // file someone edited): it cannot hold anything up.
        if chain_now >= oe.execute_before
            || oe.execute_before > chain_now.saturating_add(MAX_VALIDITY_SECONDS)
        {
            self.forget_in_flight();
            return Ok(None);
        }
        if previous.calls == calls {
            return Ok(Some(previous));
        }
        Err(SessionError::PreviousExecutionPending {
            execute_before: oe.execute_before,
        })
    }

    /// Builds, checks, signs with `sign` and relays `calls` from `account`. With `tracked`
    /// (session executions), the signed execution is remembered until [`Self::settled`], and a
    /// retry of calls whose earlier attempt is still unsettled re-sends that attempt instead of
    /// signing anew. Owner-signed operations (revoking above all) are never held up by it.
    /// `max_fee`, when given, lowers the fee accepted for this execution (the quote the user
    /// saw).
    pub async fn submit_invoke(
        &self,
        account: Felt,
        calls: &[Call],
        now: u64,
        tracked: bool,
        max_fee: Option<u128>,
        sign: impl FnOnce(Felt) -> Result<Vec<Felt>, SessionError>,
    ) -> Result<Relayed, SessionError> {
        let previous = if tracked {
            self.settle_in_flight(account, calls).await?
        } else {
            None
        };
        let attempt = match previous {
            Some(previous) => previous,
            None => {
                let built = self
                    .build_invoke_paying(account, calls, now, self.fee.within(max_fee))
                    .await?;
                let signature = sign(built.message_hash)?;
                InFlight {
                    account,
                    calls: calls.to_vec(),
                    built,
                    signature,
                }
            }
        };
        // Remembered before it is sent: whatever the paymaster answers (or a receipt that never
        // comes), it may run, until the chain says otherwise or it is settled.
        if tracked {
            self.write_down(Some(&attempt))?;
            *lock(&self.in_flight) = Some(attempt.clone());
        }
        self.execute_invoke(account, &attempt.built, &attempt.signature)
            .await
    }

    /// The last tracked execution is confirmed on chain: nothing is left to settle.
    pub fn settled(&self) {
        self.forget_in_flight();
    }

    /// Sends the signed outside execution for relaying.
    pub async fn execute_invoke(
        &self,
        account: Felt,
        built: &BuiltInvoke,
        signature: &[Felt],
    ) -> Result<Relayed, SessionError> {
        let transaction = json!({"type": "invoke", "invoke": {
            "user_address": format!("{account:#x}"),
            "typed_data": built.typed_data,
            "signature": signature.iter().map(|f| format!("{f:#x}")).collect::<Vec<_>>(),
        }});
        let result = self
            .call(
                "paymaster_executeTransaction",
                json!([transaction, parameters(self.fee, None)]),
            )
            .await?;
        Relayed::from_result(&result)
    }

    /// Has the paymaster deploy an account (gasless: the account may hold nothing).
    /// `signature` is the owner's over [`deployment_authorization`], sent in
    /// [`DEPLOYMENT_SIGNATURE_HEADER`].
    pub async fn deploy(
        &self,
        deployment: &AccountDeployment,
        signature: &[Felt],
    ) -> Result<Relayed, SessionError> {
        let transaction = json!({"type": "deploy", "deployment": deployment.to_json()});
        let signed = signature
            .iter()
            .map(|f| format!("{f:#x}"))
            .collect::<Vec<_>>()
            .join(",");
        let header = Some((DEPLOYMENT_SIGNATURE_HEADER, signed.as_str()));
        self.call_with(
            "paymaster_buildTransaction",
            json!([transaction.clone(), sponsored()]),
            header,
        )
        .await?;
        let result = self
            .call_with(
                "paymaster_executeTransaction",
                json!([transaction, sponsored()]),
                header,
            )
            .await?;
        Relayed::from_result(&result)
    }

    /// `paymaster_trackingIdToLatestHash`: the latest transaction and its status
    /// (`active`, `accepted` or `dropped`).
    pub async fn tracking(&self, tracking_id: Felt) -> Result<(Felt, String), SessionError> {
        let result = self
            .call(
                "paymaster_trackingIdToLatestHash",
                json!([format!("{tracking_id:#x}")]),
            )
            .await?;
        let status = result
            .get("status")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned();
        Ok((felt_field(&result, "transaction_hash")?, status))
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unsettled_execution_reads_back_as_written() {
        let chain_id = Felt::from(0x534e5f5345504f4c4941_u128);
        let account = Felt::from(0xacc_u64);
        let outside_execution = OutsideExecution {
            caller: Felt::from(0xca11_u64),
            nonce: Felt::from(99u8),
            execute_after: 10,
            execute_before: 4000,
            calls: vec![Call {
                to: Felt::from(0x70_u64),
                selector: crate::entrypoint::selector("transfer"),
                calldata: vec![Felt::ONE, Felt::TWO, Felt::ZERO],
            }],
        };
        let written = InFlight {
            account,
            calls: outside_execution.calls.clone(),
            built: BuiltInvoke {
                typed_data: outside_execution.to_typed_data(chain_id),
                message_hash: outside_execution.message_hash(account, chain_id),
                outside_execution,
            },
            signature: vec![Felt::ONE, Felt::TWO, Felt::THREE, Felt::from(4000u64)],
        };
        let read = InFlight::from_json(&written.to_json(), chain_id).expect("reads back");
        assert_eq!(read.account, account);
        assert_eq!(read.calls, written.calls);
        assert_eq!(read.signature, written.signature);
        assert_eq!(read.built.message_hash, written.built.message_hash);
        assert_eq!(read.built.outside_execution.nonce, Felt::from(99u8));
        let mut damaged = written.to_json();
        damaged["typed_data"]["message"] = json!(1);
        assert!(InFlight::from_json(&damaged, chain_id).is_none());
        let mut other_calls = written.to_json();
        other_calls["calls"][0]["to"] = json!("0x71");
        assert!(
            InFlight::from_json(&other_calls, chain_id).is_none(),
            "calls that are not the signed ones"
        );
        assert!(InFlight::from_json(&json!({"account": "0x1"}), chain_id).is_none());

        // Read back by a client: kept as it was; an entry that does not parse is dropped from
        // the journal at once.
        let writes = Arc::new(Mutex::new(Vec::new()));
        let journal = {
            let writes = writes.clone();
            Journal(Arc::new(move |value: Option<&Value>| {
                lock(&writes).push(value.cloned());
                Ok(())
            }))
        };
        let client = |unsettled: &Value| {
            PaymasterClient::new("http://127.0.0.1:9/rpc", "http://127.0.0.1:9/rpc", chain_id)
                .with_journal(journal.clone(), Some(unsettled))
        };
        let restored = client(&written.to_json());
        assert!(lock(&restored.in_flight).is_some());
        assert!(lock(&writes).is_empty(), "nothing to write");
        let dropped = client(&damaged);
        assert!(lock(&dropped.in_flight).is_none());
        assert_eq!(*lock(&writes), vec![None]);
        dropped.forget_in_flight();
        assert_eq!(lock(&writes).len(), 1, "nothing kept: nothing written");
    }
}
