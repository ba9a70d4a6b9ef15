//! SNIP-29's wire format as the public paymaster (AVNU's server) and starknet.js speak it
//! (protocol.md §5), field by field: `params` is one object by name (`{transaction,
//! parameters}`), time bounds are JSON integers, `tip` rides in the fee mode, and an
//! execution's `tracking_id` may be `0x0` or missing (the transaction hash is followed on the
//! node). The client writes these shapes and the project's sponsor reads them, so a request the
//! real server refuses is refused locally too.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use starknet_core::types::{Call, Felt};

/// The only `parameters.version` the spec has.
pub const PARAMETERS_VERSION: &str = "0x1";

/// When an outside execution may run: strictly after `execute_after`, strictly before
/// `execute_before` (unix seconds, JSON integers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeBounds {
    /// Lower bound.
    pub execute_after: u64,
    /// Upper bound.
    pub execute_before: u64,
}

/// A relative tip priority.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TipPriority {
    /// The lowest.
    Slow,
    /// The server's default.
    Normal,
    /// The highest.
    Fast,
}

/// `TIP_PRIORITY`: a priority, or a custom tip (u64).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Tip {
    /// `"slow"`, `"normal"` or `"fast"`.
    Priority(TipPriority),
    /// `{"custom": n}`.
    Custom {
        /// The tip per unit of L2 gas.
        custom: u64,
    },
}

/// `FEE_MODE`: who pays, and the tip.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "mode", rename_all = "snake_case")]
pub enum WireFeeMode {
    /// The paymaster's API key holder pays.
    Sponsored {
        /// The tip asked for, if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        tip: Option<Tip>,
    },
    /// The user pays in `gas_token`, through a fee call appended last.
    Default {
        /// The ERC-20 the fee is paid in.
        gas_token: Felt,
        /// The tip asked for, if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        tip: Option<Tip>,
    },
}

/// `USER_PARAMETERS` (version `0x1`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExecutionParameters {
    /// Always [`PARAMETERS_VERSION`].
    pub version: String,
    /// Who pays.
    pub fee_mode: WireFeeMode,
    /// When it may run; the server picks `[1, now + 3600]` without them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_bounds: Option<TimeBounds>,
}

impl ExecutionParameters {
    /// Version `0x1` parameters.
    pub fn new(fee_mode: WireFeeMode, time_bounds: Option<TimeBounds>) -> Self {
        Self {
            version: PARAMETERS_VERSION.to_owned(),
            fee_mode,
            time_bounds,
        }
    }

    /// Sponsored, no tip, no bounds.
    pub fn sponsored() -> Self {
        Self::new(WireFeeMode::Sponsored { tip: None }, None)
    }
}

/// `CALL`: selectors as hex felts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WireCall {
    /// The contract called.
    pub to: Felt,
    /// The entrypoint's selector.
    pub selector: Felt,
    /// Its calldata.
    pub calldata: Vec<Felt>,
}

impl From<&Call> for WireCall {
    fn from(call: &Call) -> Self {
        Self {
            to: call.to,
            selector: call.selector,
            calldata: call.calldata.clone(),
        }
    }
}

impl From<WireCall> for Call {
    fn from(call: WireCall) -> Self {
        Call {
            to: call.to,
            selector: call.selector,
            calldata: call.calldata,
        }
    }
}

/// `ACCOUNT_DEPLOYMENT_DATA`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeploymentData {
    /// The counterfactual address.
    pub address: Felt,
    /// The account class.
    pub class_hash: Felt,
    /// Deployment salt.
    pub salt: Felt,
    /// Constructor calldata.
    pub calldata: Vec<Felt>,
    /// Always 1 (deploy through the UDC).
    pub version: u8,
    /// Data the account's `__validate_deploy__` reads, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sigdata: Option<Vec<Felt>>,
}

/// `USER_INVOKE`: the calls a user asks to have built.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserInvoke {
    /// The account.
    pub user_address: Felt,
    /// Its calls.
    pub calls: Vec<WireCall>,
}

/// `USER_TRANSACTION`, what `paymaster_buildTransaction` takes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum UserTransaction {
    /// Calls from a deployed account.
    Invoke {
        /// The calls.
        invoke: UserInvoke,
    },
    /// A deployment.
    Deploy {
        /// What to deploy.
        deployment: DeploymentData,
    },
}

/// `EXECUTABLE_USER_INVOKE`: the typed data built, and the account's signature over it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExecutableInvoke {
    /// The account.
    pub user_address: Felt,
    /// The typed data as built (the fee call's amount possibly raised by the client).
    pub typed_data: Value,
    /// The account's signature over it.
    pub signature: Vec<Felt>,
}

/// `EXECUTABLE_USER_TRANSACTION`, what `paymaster_executeTransaction` takes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ExecutableTransaction {
    /// A signed invoke.
    Invoke {
        /// It.
        invoke: ExecutableInvoke,
    },
    /// A deployment.
    Deploy {
        /// What to deploy.
        deployment: DeploymentData,
    },
}

/// The `params` of `paymaster_buildTransaction` and `paymaster_executeTransaction`: one object
/// by name (a positional array is refused by the real server).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransactionParams<T> {
    /// What to build or execute.
    pub transaction: T,
    /// How.
    pub parameters: ExecutionParameters,
}

/// `FEE_ESTIMATE` of a build, amounts as hex felts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeeEstimate {
    /// One whole gas token in fri.
    pub gas_token_price_in_strk: Felt,
    /// The estimate, in fri.
    pub estimated_fee_in_strk: Felt,
    /// The estimate, in the gas token.
    pub estimated_fee_in_gas_token: Felt,
    /// The most the server suggests, in fri.
    pub suggested_max_fee_in_strk: Felt,
    /// The most the server suggests, in the gas token: the fee call's amount.
    pub suggested_max_fee_in_gas_token: Felt,
}

impl FeeEstimate {
    /// Nothing to pay (the sponsored mode).
    pub const ZERO: Self = Self {
        gas_token_price_in_strk: Felt::ZERO,
        estimated_fee_in_strk: Felt::ZERO,
        estimated_fee_in_gas_token: Felt::ZERO,
        suggested_max_fee_in_strk: Felt::ZERO,
        suggested_max_fee_in_gas_token: Felt::ZERO,
    };
}

/// What `paymaster_buildTransaction` answers (fields the spec may add later are ignored).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BuildAnswer {
    /// `invoke`, `deploy` or `deploy_and_invoke`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The outside execution to sign (invokes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub typed_data: Option<Value>,
    /// The deployment echoed (deployments).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deployment: Option<DeploymentData>,
    /// The parameters the server used.
    pub parameters: Value,
    /// Its fee estimate.
    pub fee: FeeEstimate,
}

/// What `paymaster_executeTransaction` answers. The public server always says `tracking_id`
/// `0x0`; the hash is what is followed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExecuteAnswer {
    /// The relayer's transaction.
    pub transaction_hash: Felt,
    /// The paymaster's id, `0x0` or absent on the public server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracking_id: Option<Felt>,
}

/// `TOKEN_DATA` of `paymaster_getSupportedTokens`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenData {
    /// The ERC-20.
    pub token_address: Felt,
    /// Its decimals.
    pub decimals: u8,
    /// One whole token in fri.
    pub price_in_strk: Felt,
}

/// A JSON-RPC request with by-name (or no) params.
#[derive(Debug, Clone, Serialize)]
pub struct Request<'a, P> {
    /// `"2.0"`.
    pub jsonrpc: &'static str,
    /// The request id.
    pub id: u64,
    /// The method.
    pub method: &'a str,
    /// Its params; none for methods that take none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub params: Option<P>,
}

/// A JSON-RPC error object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RpcError {
    /// The code (SNIP-29's 150–163, or JSON-RPC's own).
    pub code: i64,
    /// Its message.
    #[serde(default)]
    pub message: String,
    /// More: a reason string, or `{execution_error}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<Value>,
}

/// A JSON-RPC answer: a result or an error.
#[derive(Debug, Clone, Deserialize)]
pub struct Response<R> {
    /// The result, when it succeeded.
    #[serde(default = "none")]
    pub result: Option<R>,
    /// The error, when it did not.
    #[serde(default)]
    pub error: Option<RpcError>,
}

fn none<R>() -> Option<R> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parameters_are_written_as_the_public_server_reads_them() {
        let parameters = ExecutionParameters::new(
            WireFeeMode::Default {
                gas_token: Felt::from(0x70c_u64),
                tip: Some(Tip::Priority(TipPriority::Normal)),
            },
            Some(TimeBounds {
                execute_after: 1,
                execute_before: 1_700_000_300,
            }),
        );
        assert_eq!(
            serde_json::to_value(&parameters).unwrap(),
            json!({"version": "0x1",
                   "fee_mode": {"mode": "default", "gas_token": "0x70c", "tip": "normal"},
                   "time_bounds": {"execute_after": 1, "execute_before": 1_700_000_300}})
        );
        assert_eq!(
            serde_json::to_value(ExecutionParameters::sponsored()).unwrap(),
            json!({"version": "0x1", "fee_mode": {"mode": "sponsored"}})
        );
        let custom: Tip = serde_json::from_value(json!({"custom": 7})).unwrap();
        assert_eq!(custom, Tip::Custom { custom: 7 });
    }

    #[test]
    fn hex_time_bounds_do_not_read() {
        let hex = json!({"execute_after": "0x1", "execute_before": "0x6553f100"});
        assert!(serde_json::from_value::<TimeBounds>(hex).is_err());
    }

    #[test]
    fn an_execution_answer_without_a_tracking_id_reads() {
        let answer: ExecuteAnswer =
            serde_json::from_value(json!({"transaction_hash": "0xabc"})).unwrap();
        assert_eq!(answer.tracking_id, None);
        let answer: ExecuteAnswer = serde_json::from_value(
            json!({"transaction_hash": "0xabc", "tracking_id": "0x0", "later_field": 1}),
        )
        .unwrap();
        assert_eq!(answer.tracking_id, Some(Felt::ZERO));
    }

    #[test]
    fn params_are_one_object_by_name() {
        let params = TransactionParams {
            transaction: UserTransaction::Invoke {
                invoke: UserInvoke {
                    user_address: Felt::from(0xacc_u64),
                    calls: vec![WireCall {
                        to: Felt::from(0x70c_u64),
                        selector: Felt::from(0x5e1_u64),
                        calldata: vec![Felt::ONE],
                    }],
                },
            },
            parameters: ExecutionParameters::sponsored(),
        };
        assert_eq!(
            serde_json::to_value(&params).unwrap(),
            json!({"transaction": {"type": "invoke", "invoke": {"user_address": "0xacc",
                       "calls": [{"to": "0x70c", "selector": "0x5e1", "calldata": ["0x1"]}]}},
                   "parameters": {"version": "0x1", "fee_mode": {"mode": "sponsored"}}})
        );
    }
}
