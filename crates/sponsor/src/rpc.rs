//! SNIP-29 method dispatch: JSON params in, JSON result or [`SponsorError`] out.

use chipi_session::backends::paymaster::AccountDeployment;
use chipi_session::typed_data::felt_of;
use serde_json::{json, Value};
use starknet::core::types::{Call, Felt};

use crate::error::SponsorError;
use crate::sponsor::{Fee, GasToken, Sponsor, FEE_IN_STRK, GAS_TOKENS};

fn invalid(what: &str) -> SponsorError {
    SponsorError::InvalidParams(what.to_owned())
}

/// A parameter by position or by name.
fn param<'a>(params: &'a Value, index: usize, name: &str) -> Result<&'a Value, SponsorError> {
    params
        .get(index)
        .or_else(|| params.get(name))
        .ok_or_else(|| invalid(&format!("missing {name}")))
}

fn felt(value: Option<&Value>, what: &str) -> Result<Felt, SponsorError> {
    value
        .ok_or_else(|| invalid(&format!("missing {what}")))
        .and_then(|v| felt_of(v).map_err(|_| invalid(what)))
}

fn felts(value: Option<&Value>, what: &str) -> Result<Vec<Felt>, SponsorError> {
    value
        .and_then(Value::as_array)
        .ok_or_else(|| invalid(&format!("{what} must be an array")))?
        .iter()
        .map(|v| felt_of(v).map_err(|_| invalid(what)))
        .collect()
}

/// What a request's `parameters` ask for: its time bounds, and the fee it pays in the default
/// mode (`None`: sponsored).
#[derive(Debug)]
pub struct Parameters {
    /// `execute_after`, `execute_before`.
    pub time_bounds: Option<(u64, u64)>,
    /// The fee in the default mode.
    pub fee: Option<Fee>,
}

/// `version: "0x1"`, `fee_mode` sponsored or default with a supported `gas_token`, optional
/// time bounds. Sponsored mode needs the API key when the sponsor has one.
fn check_parameters(parameters: &Value, authorized: bool) -> Result<Parameters, SponsorError> {
    if parameters.get("version").and_then(Value::as_str) != Some("0x1") {
        return Err(invalid("parameters.version must be \"0x1\""));
    }
    let fee = match parameters.pointer("/fee_mode/mode").and_then(Value::as_str) {
        Some("sponsored") if authorized => None,
        Some("sponsored") => return Err(SponsorError::ApiKey),
        Some("default") => {
            let token = felt(parameters.pointer("/fee_mode/gas_token"), "gas_token")?;
            Some(GasToken::of(token)?.fee())
        }
        _ => return Err(invalid("parameters.fee_mode.mode")),
    };
    let Some(bounds) = parameters.get("time_bounds") else {
        return Ok(Parameters {
            time_bounds: None,
            fee,
        });
    };
    let time = |name: &str| -> Result<u64, SponsorError> {
        felt(bounds.get(name), name)?
            .try_into()
            .map_err(|_| SponsorError::InvalidTimeBounds)
    };
    Ok(Parameters {
        time_bounds: Some((time("execute_after")?, time("execute_before")?)),
        fee,
    })
}

fn deployment(value: Option<&Value>) -> Result<AccountDeployment, SponsorError> {
    let d = value.ok_or_else(|| invalid("missing deployment"))?;
    if d.get("version").and_then(Value::as_u64) != Some(1) {
        return Err(SponsorError::InvalidDeploymentData);
    }
    Ok(AccountDeployment {
        address: felt(d.get("address"), "deployment.address")?,
        class_hash: felt(d.get("class_hash"), "deployment.class_hash")?,
        salt: felt(d.get("salt"), "deployment.salt")?,
        calldata: felts(d.get("calldata"), "deployment.calldata")?,
    })
}

/// The `fee` object of a build: zero when sponsored, else the quote in the gas token.
fn fee_json(fee: Option<Fee>) -> Value {
    let hex = |v: u128| format!("{v:#x}");
    match fee {
        None => json!({
            "gas_token_price_in_strk": hex(10u128.pow(18)),
            "estimated_fee_in_strk": "0x0",
            "estimated_fee_in_gas_token": "0x0",
            "suggested_max_fee_in_strk": "0x0",
            "suggested_max_fee_in_gas_token": "0x0",
        }),
        Some(fee) => json!({
            "gas_token_price_in_strk": hex(fee.token.price_in_strk),
            "estimated_fee_in_strk": hex(FEE_IN_STRK),
            "estimated_fee_in_gas_token": hex(fee.amount),
            "suggested_max_fee_in_strk": hex(FEE_IN_STRK),
            "suggested_max_fee_in_gas_token": hex(fee.amount),
        }),
    }
}

fn relayed((tracking_id, transaction_hash): (Felt, Felt)) -> Value {
    json!({"tracking_id": format!("{tracking_id:#x}"), "transaction_hash": format!("{transaction_hash:#x}")})
}

/// What a request's headers bring beside its body.
#[derive(Debug, Clone, Default)]
pub struct Credentials {
    /// Whether the request carried the API key (or none is needed).
    pub authorized: bool,
    /// The owner's signature over a deployment, as sent (`0xr,0xs`).
    pub deployment_signature: Option<Vec<Felt>>,
}

/// A request read and checked, before anything reaches the node.
#[derive(Debug)]
pub enum Request {
    /// `paymaster_isAvailable`.
    IsAvailable,
    /// `paymaster_getSupportedTokens`.
    SupportedTokens,
    /// `paymaster_buildTransaction` of an invoke: the calls for `user`.
    BuildInvoke {
        /// The account.
        user: Felt,
        /// Its calls.
        calls: Vec<Call>,
        /// The fee mode and time bounds asked for.
        asked: Parameters,
        /// The request's `parameters`, echoed in the answer.
        parameters: Value,
    },
    /// `paymaster_buildTransaction` of a deployment (sponsored only).
    BuildDeploy {
        /// The deployment.
        deployment: AccountDeployment,
        /// The request's `parameters`, echoed in the answer.
        parameters: Value,
    },
    /// `paymaster_executeTransaction` of a signed invoke.
    ExecuteInvoke {
        /// The account.
        user: Felt,
        /// The typed data as built.
        typed_data: Value,
        /// The account's signature.
        signature: Vec<Felt>,
        /// The fee it pays in the default mode.
        fee: Option<Fee>,
    },
    /// `paymaster_executeTransaction` of a deployment (sponsored only).
    ExecuteDeploy(AccountDeployment),
    /// `paymaster_trackingIdToLatestHash`.
    Tracking(Felt),
}

/// Reads a SNIP-29 request's method and params (`authorized`: the API key was given, or none
/// is needed). Pure: the sponsor's every check of the request's shape, done before the node is
/// asked anything.
pub fn read_request(
    method: &str,
    params: &Value,
    authorized: bool,
) -> Result<Request, SponsorError> {
    match method {
        "paymaster_isAvailable" => Ok(Request::IsAvailable),
        "paymaster_getSupportedTokens" => Ok(Request::SupportedTokens),
        "paymaster_buildTransaction" => {
            let transaction = param(params, 0, "transaction")?;
            let parameters = param(params, 1, "parameters")?;
            let asked = check_parameters(parameters, authorized)?;
            match transaction.get("type").and_then(Value::as_str) {
                Some("invoke") => {
                    let (invoke, user) = invoke_of(transaction)?;
                    Ok(Request::BuildInvoke {
                        user,
                        calls: invoke_calls(invoke)?,
                        asked,
                        parameters: parameters.clone(),
                    })
                }
                // The relayer pays a deployment: sponsored only.
                Some("deploy") if asked.fee.is_some() => Err(SponsorError::TokenNotSupported),
                Some("deploy") => Ok(Request::BuildDeploy {
                    deployment: deployment(transaction.get("deployment"))?,
                    parameters: parameters.clone(),
                }),
                _ => Err(invalid("transaction.type must be invoke or deploy")),
            }
        }
        "paymaster_executeTransaction" => {
            let transaction = param(params, 0, "transaction")?;
            let asked = check_parameters(param(params, 1, "parameters")?, authorized)?;
            match transaction.get("type").and_then(Value::as_str) {
                Some("invoke") => {
                    let (invoke, user) = invoke_of(transaction)?;
                    let typed_data = invoke
                        .get("typed_data")
                        .ok_or_else(|| invalid("missing typed_data"))?
                        .clone();
                    Ok(Request::ExecuteInvoke {
                        user,
                        typed_data,
                        signature: felts(invoke.get("signature"), "signature")?,
                        fee: asked.fee,
                    })
                }
                Some("deploy") if asked.fee.is_some() => Err(SponsorError::TokenNotSupported),
                Some("deploy") => Ok(Request::ExecuteDeploy(deployment(
                    transaction.get("deployment"),
                )?)),
                _ => Err(invalid("transaction.type must be invoke or deploy")),
            }
        }
        "paymaster_trackingIdToLatestHash" => Ok(Request::Tracking(felt(
            Some(param(params, 0, "tracking_id")?),
            "tracking_id",
        )?)),
        _ => Err(SponsorError::MethodNotFound),
    }
}

/// Runs one SNIP-29 method for a request with `credentials`.
pub async fn dispatch(
    sponsor: &Sponsor,
    method: &str,
    params: &Value,
    credentials: &Credentials,
) -> Result<Value, SponsorError> {
    match read_request(method, params, credentials.authorized)? {
        Request::IsAvailable => Ok(json!(sponsor.is_available().await)),
        Request::SupportedTokens => Ok(Value::Array(
            GAS_TOKENS
                .iter()
                .map(|t| {
                    json!({
                        "token_address": format!("{:#x}", t.address),
                        "decimals": t.decimals,
                        "price_in_strk": format!("{:#x}", t.price_in_strk),
                    })
                })
                .collect(),
        )),
        Request::BuildInvoke {
            user,
            calls,
            asked,
            parameters,
        } => {
            let typed_data = sponsor
                .build_invoke(user, calls, asked.time_bounds, asked.fee)
                .await?;
            Ok(
                json!({"type": "invoke", "typed_data": typed_data, "parameters": parameters, "fee": fee_json(asked.fee)}),
            )
        }
        Request::BuildDeploy {
            deployment,
            parameters,
        } => {
            sponsor
                .check_deployment(&deployment, credentials.deployment_signature.as_deref())
                .await?;
            Ok(
                json!({"type": "deploy", "deployment": deployment.to_json(), "parameters": parameters, "fee": fee_json(None)}),
            )
        }
        Request::ExecuteInvoke {
            user,
            typed_data,
            signature,
            fee,
        } => Ok(relayed(
            sponsor
                .execute_invoke(user, &typed_data, signature, fee)
                .await?,
        )),
        Request::ExecuteDeploy(deployment) => Ok(relayed(
            sponsor
                .execute_deploy(&deployment, credentials.deployment_signature.as_deref())
                .await?,
        )),
        Request::Tracking(id) => {
            let (hash, status) = sponsor.tracking_status(id).await?;
            Ok(json!({"transaction_hash": format!("{hash:#x}"), "status": status}))
        }
    }
}

/// An `invoke` transaction's body and its user's address.
fn invoke_of(transaction: &Value) -> Result<(&Value, Felt), SponsorError> {
    let invoke = transaction
        .get("invoke")
        .ok_or_else(|| invalid("missing invoke"))?;
    Ok((invoke, felt(invoke.get("user_address"), "user_address")?))
}

/// The calls of an `invoke` transaction.
fn invoke_calls(invoke: &Value) -> Result<Vec<Call>, SponsorError> {
    invoke
        .get("calls")
        .and_then(Value::as_array)
        .ok_or_else(|| invalid("calls must be an array"))?
        .iter()
        .map(|c| {
            Ok(Call {
                to: felt(c.get("to"), "call.to")?,
                selector: felt(c.get("selector"), "call.selector")?,
                calldata: felts(c.get("calldata"), "call.calldata")?,
            })
        })
        .collect()
}
