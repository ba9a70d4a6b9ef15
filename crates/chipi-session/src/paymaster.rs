//! A SNIP-29 paymaster client in sponsored (gasless) mode: build the outside execution, check it
//! holds exactly the calls asked for, and hand back the signed result for relaying. One gasless
//! execution costs two round trips: `paymaster_buildTransaction`, `paymaster_executeTransaction`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use serde_json::{json, Value};
use starknet_core::types::{Call, Felt};

use crate::error::SessionError;
use crate::outside_execution::OutsideExecution;
use crate::typed_data::TypedData;

/// A paymaster endpoint.
#[derive(Debug, Clone)]
pub struct PaymasterClient {
    http: reqwest::Client,
    url: String,
    round_trips: Arc<AtomicU64>,
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
    /// A client of the paymaster at `url`.
    pub fn new(url: impl Into<String>) -> Self {
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(60))
            .build()
            .unwrap_or_default();
        Self {
            http,
            url: url.into(),
            round_trips: Arc::new(AtomicU64::new(0)),
        }
    }

    /// HTTP requests made so far.
    pub fn round_trips(&self) -> u64 {
        self.round_trips.load(Ordering::Relaxed)
    }

    async fn call(&self, method: &str, params: Value) -> Result<Value, SessionError> {
        let body = json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params});
        self.round_trips.fetch_add(1, Ordering::Relaxed);
        let response = self
            .http
            .post(&self.url)
            .json(&body)
            .send()
            .await
            .map_err(|e| {
                SessionError::Network(format!("paymaster {method}: {}", e.without_url()))
            })?;
        let value: Value = response.json().await.map_err(|e| {
            SessionError::InvalidResponse(format!("paymaster {method}: {}", e.without_url()))
        })?;
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

    /// `paymaster_isAvailable`.
    pub async fn is_available(&self) -> Result<bool, SessionError> {
        Ok(self
            .call("paymaster_isAvailable", json!([]))
            .await?
            .as_bool()
            .unwrap_or(false))
    }

    /// Asks the paymaster to build a sponsored outside execution of `calls` for `user`, and
    /// refuses it unless it holds exactly those calls and the SNIP-9 v2 shape.
    pub async fn build_invoke(
        &self,
        account: Felt,
        calls: &[Call],
    ) -> Result<BuiltInvoke, SessionError> {
        let transaction = json!({"type": "invoke", "invoke": {"user_address": format!("{account:#x}"), "calls": calls_json(calls)}});
        let result = self
            .call(
                "paymaster_buildTransaction",
                json!([transaction, sponsored()]),
            )
            .await?;
        let typed_data = result
            .get("typed_data")
            .cloned()
            .ok_or_else(|| SessionError::InvalidResponse("paymaster: no typed_data".into()))?;
        let typed = TypedData::from_json(&typed_data.to_string())?;
        let outside_execution = OutsideExecution::from_typed_data(&typed)?;
        if outside_execution.calls != calls {
            return Err(SessionError::PaymasterTampered);
        }
        let message_hash = typed.message_hash(account)?;
        Ok(BuiltInvoke {
            typed_data,
            outside_execution,
            message_hash,
        })
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
                json!([transaction, sponsored()]),
            )
            .await?;
        Relayed::from_result(&result)
    }

    /// Has the paymaster deploy an account (gasless: the account may hold nothing).
    pub async fn deploy(&self, deployment: &AccountDeployment) -> Result<Relayed, SessionError> {
        let transaction = json!({"type": "deploy", "deployment": deployment.to_json()});
        self.call(
            "paymaster_buildTransaction",
            json!([transaction.clone(), sponsored()]),
        )
        .await?;
        let result = self
            .call(
                "paymaster_executeTransaction",
                json!([transaction, sponsored()]),
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
