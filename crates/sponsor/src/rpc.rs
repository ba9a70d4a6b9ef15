//! SNIP-29 method dispatch: JSON params in, JSON result or [`SponsorError`] out. Requests are
//! read as the public paymaster (AVNU's server) reads them, and refused with the same answers:
//! params one object by name, `parameters.version` `"0x1"`, time bounds JSON integers, no
//! `paymaster_trackingIdToLatestHash` (protocol.md §5).

use chipi_session::backends::paymaster::AccountDeployment;
use chipi_session::backends::snip29::{
    BuildAnswer, DeploymentData, ExecutableTransaction, ExecuteAnswer, FeeEstimate, TimeBounds,
    UserTransaction, WireFeeMode,
};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Value};
use starknet::core::types::{Call, Felt};

use crate::error::SponsorError;
use crate::pricing::{GasToken, GAS_TOKENS};
use crate::sponsor::Sponsor;

fn invalid(what: &str) -> SponsorError {
    SponsorError::InvalidParams(what.to_owned())
}

/// How the public server reads `parameters`: tagged by `version`, only `"0x1"` known, time
/// bounds as JSON integers, unknown fields (`tip` among them) ignored.
#[derive(Debug, Deserialize)]
#[serde(tag = "version")]
enum VersionedParameters {
    #[serde(rename = "0x1")]
    V1 {
        fee_mode: WireFeeMode,
        #[serde(default)]
        time_bounds: Option<TimeBounds>,
    },
}

/// The one argument of `paymaster_buildTransaction` / `paymaster_executeTransaction`.
#[derive(Debug, Deserialize)]
struct TransactionRequest<T> {
    transaction: T,
    parameters: VersionedParameters,
}

/// Reads the one by-name argument of a transaction method as the public server does: an object
/// is the argument; an array's first element is (so `[transaction, parameters]` is read as a
/// transaction that lacks the field `transaction`); an error says what serde says, with where.
fn by_name<T: DeserializeOwned>(params: &Value) -> Result<TransactionRequest<T>, SponsorError> {
    let argument = match params {
        Value::Array(items) => items.first(),
        Value::Null => None,
        other => Some(other),
    }
    .ok_or_else(|| invalid("No more params"))?;
    // Read from text, so the error carries its position as the server's does.
    serde_json::from_str(&argument.to_string()).map_err(|e| invalid(&e.to_string()))
}

/// What a request's `parameters` ask for: its time bounds, and the fee it pays in the default
/// mode (`None`: sponsored).
#[derive(Debug)]
pub struct Parameters {
    /// `execute_after`, `execute_before`.
    pub time_bounds: Option<(u64, u64)>,
    /// The fee token in the default mode.
    pub fee: Option<GasToken>,
}

/// The fee mode's gas token must be supported; sponsored mode needs the API key when the
/// sponsor has one (checked first, as the public server does).
fn check_parameters(
    parameters: VersionedParameters,
    authorized: bool,
) -> Result<Parameters, SponsorError> {
    let VersionedParameters::V1 {
        fee_mode,
        time_bounds,
    } = parameters;
    let fee = match fee_mode {
        WireFeeMode::Sponsored { .. } if authorized => None,
        WireFeeMode::Sponsored { .. } => return Err(SponsorError::ApiKey),
        WireFeeMode::Default { gas_token, .. } => Some(GasToken::of(gas_token)?),
    };
    Ok(Parameters {
        time_bounds: time_bounds.map(|b| (b.execute_after, b.execute_before)),
        fee,
    })
}

fn deployment(data: DeploymentData) -> Result<AccountDeployment, SponsorError> {
    if data.version != 1 {
        return Err(SponsorError::InvalidDeploymentData);
    }
    Ok(data.into())
}

fn relayed(transaction_hash: Felt) -> Value {
    serde_json::to_value(ExecuteAnswer {
        transaction_hash,
        tracking_id: Some(Felt::ZERO),
    })
    .unwrap_or_default()
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
        /// The fee token in the default mode.
        fee: Option<GasToken>,
    },
    /// `paymaster_executeTransaction` of a deployment (sponsored only).
    ExecuteDeploy(AccountDeployment),
}

/// The request's `parameters` as sent, echoed in a build's answer.
fn parameters_of(params: &Value) -> Value {
    let argument = match params {
        Value::Array(items) => items.first(),
        other => Some(other),
    };
    argument
        .and_then(|a| a.get("parameters"))
        .cloned()
        .unwrap_or(Value::Null)
}

/// Reads a SNIP-29 request's method and params (`authorized`: the API key was given, or none
/// is needed). Pure: the sponsor's every check of the request's shape, done before the node is
/// asked anything. Params are read as the public server reads them (one object by name).
pub fn read_request(
    method: &str,
    params: &Value,
    authorized: bool,
) -> Result<Request, SponsorError> {
    match method {
        "paymaster_isAvailable" => Ok(Request::IsAvailable),
        "paymaster_getSupportedTokens" => Ok(Request::SupportedTokens),
        "paymaster_buildTransaction" => {
            let request = by_name::<UserTransaction>(params)?;
            let asked = check_parameters(request.parameters, authorized)?;
            match request.transaction {
                UserTransaction::Invoke { invoke } => Ok(Request::BuildInvoke {
                    user: invoke.user_address,
                    calls: invoke.calls.into_iter().map(Call::from).collect(),
                    asked,
                    parameters: parameters_of(params),
                }),
                // The relayer pays a deployment: sponsored only.
                UserTransaction::Deploy { .. } if asked.fee.is_some() => {
                    Err(SponsorError::TokenNotSupported)
                }
                UserTransaction::Deploy { deployment: data } => Ok(Request::BuildDeploy {
                    deployment: deployment(data)?,
                    parameters: parameters_of(params),
                }),
            }
        }
        "paymaster_executeTransaction" => {
            let request = by_name::<ExecutableTransaction>(params)?;
            let asked = check_parameters(request.parameters, authorized)?;
            match request.transaction {
                ExecutableTransaction::Invoke { invoke } => Ok(Request::ExecuteInvoke {
                    user: invoke.user_address,
                    typed_data: invoke.typed_data,
                    signature: invoke.signature,
                    fee: asked.fee,
                }),
                ExecutableTransaction::Deploy { .. } if asked.fee.is_some() => {
                    Err(SponsorError::TokenNotSupported)
                }
                ExecutableTransaction::Deploy { deployment: data } => {
                    Ok(Request::ExecuteDeploy(deployment(data)?))
                }
            }
        }
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
            let (typed_data, fee) = sponsor
                .build_invoke(user, calls, asked.time_bounds, asked.fee)
                .await?;
            let answer = BuildAnswer {
                kind: "invoke".into(),
                typed_data: Some(typed_data),
                deployment: None,
                parameters,
                fee,
            };
            Ok(serde_json::to_value(answer).unwrap_or_default())
        }
        Request::BuildDeploy {
            deployment,
            parameters,
        } => {
            sponsor
                .check_deployment(&deployment, credentials.deployment_signature.as_deref())
                .await?;
            let answer = BuildAnswer {
                kind: "deploy".into(),
                typed_data: None,
                deployment: Some(deployment.to_wire()),
                parameters,
                fee: FeeEstimate::ZERO,
            };
            Ok(serde_json::to_value(answer).unwrap_or_default())
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
    }
}
