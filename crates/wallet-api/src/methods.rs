//! Each method: its parameters read and checked, then the wallet asked. A caller that has not
//! paired reaches only the version queries, `wallet_getPermissions` (empty) and the pairing.

use serde_json::{json, Value};

use crate::backend::{App, PairRequest, WalletBackend};
use crate::error::ApiError;
use crate::policy::SessionPolicy;
use crate::token::PairingToken;
use crate::wire::{param, InvokeCall};

/// The wallet API versions answered (their methods used here have the same shapes).
pub const API_VERSIONS: &[&str] = &["0.7", "0.8", "0.9", "0.10"];
/// The Starknet JSON-RPC versions the wallet's node client speaks.
pub const RPC_SPECS: &[&str] = &["0.9"];
/// The method that pairs an app (the wallet API has none: it leaves connecting to the wallet).
pub const PAIR_METHOD: &str = "chipi_pair";
/// The most calls one `wallet_addInvokeTransaction` may carry.
pub const MAX_CALLS: usize = 32;
/// The longest app name shown to the user.
pub const MAX_NAME_CHARS: usize = 64;

/// Who is asking: a paired app, or someone who has not paired (with the browser's `Origin`).
#[derive(Debug, Clone, Copy)]
pub enum Caller<'a> {
    /// No token.
    Anonymous {
        /// The browser's `Origin`, if any.
        origin: Option<&'a str>,
    },
    /// A paired app.
    App(&'a App),
}

/// A requested `api_version` must be one this wallet answers (by major and minor).
fn check_api_version(params: &Value) -> Result<(), ApiError> {
    let Some(version) = params.get("api_version") else {
        return Ok(());
    };
    let Some(text) = version.as_str() else {
        return Err(ApiError::InvalidPayload("api_version: a string".into()));
    };
    let minor: Vec<&str> = text.split('.').take(2).collect();
    if API_VERSIONS.contains(&minor.join(".").as_str()) {
        Ok(())
    } else {
        Err(ApiError::ApiVersion(text.chars().take(20).collect()))
    }
}

fn paired<'a>(caller: Caller<'a>) -> Result<&'a App, ApiError> {
    match caller {
        Caller::App(app) => Ok(app),
        Caller::Anonymous { .. } => Err(ApiError::NotPaired),
    }
}

/// A chain id's value, whatever its padding or case.
fn chain_value(text: &str) -> Option<String> {
    let digits = text
        .strip_prefix("0x")?
        .trim_start_matches('0')
        .to_ascii_lowercase();
    digits
        .bytes()
        .all(|b| b.is_ascii_hexdigit())
        .then_some(digits)
}

fn calls(params: &Value) -> Result<Vec<InvokeCall>, ApiError> {
    let list = param(params, "calls", 0)
        .or_else(|| param(params, "invoke_transaction", 0))
        .ok_or_else(|| ApiError::InvalidPayload("no calls".into()))?;
    let calls: Vec<InvokeCall> = serde_json::from_value(list.clone())
        .map_err(|e| ApiError::InvalidPayload(format!("calls: {e}")))?;
    if let Some(c) = calls
        .iter()
        .find(|c| !crate::wire::is_hex_felt(&c.contract_address))
    {
        return Err(ApiError::InvalidPayload(format!(
            "contract_address {:?} is not 0x-prefixed hex",
            c.contract_address
        )));
    }
    if calls.is_empty() || calls.len() > MAX_CALLS {
        return Err(ApiError::InvalidPayload(format!(
            "between 1 and {MAX_CALLS} calls, not {}",
            calls.len()
        )));
    }
    Ok(calls)
}

fn pair_request(params: &Value, origin: Option<&str>) -> Result<PairRequest, ApiError> {
    let name = param(params, "name", 0)
        .and_then(Value::as_str)
        .map(str::trim)
        .unwrap_or_default();
    if name.is_empty() || !crate::policy::is_showable(name, MAX_NAME_CHARS) {
        return Err(ApiError::InvalidPayload(format!(
            "name: 1 to {MAX_NAME_CHARS} printable characters"
        )));
    }
    let policy: SessionPolicy = serde_json::from_value(
        param(params, "policy", 1)
            .cloned()
            .ok_or_else(|| ApiError::InvalidPayload("no policy".into()))?,
    )
    .map_err(|e| ApiError::InvalidPayload(format!("policy: {e}")))?;
    policy.check()?;
    let ask_outside = match param(params, "ask_outside", 2) {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => return Err(ApiError::InvalidPayload("ask_outside: a boolean".into())),
    };
    Ok(PairRequest {
        name: name.to_owned(),
        origin: origin.map(str::to_owned),
        policy,
        ask_outside,
    })
}

/// Answers one method for `caller`.
pub async fn dispatch(
    backend: &dyn WalletBackend,
    caller: Caller<'_>,
    method: &str,
    params: &Value,
) -> Result<Value, ApiError> {
    check_api_version(params)?;
    match method {
        "wallet_supportedWalletApi" => Ok(json!(API_VERSIONS)),
        "wallet_supportedSpecs" => Ok(json!(RPC_SPECS)),
        "wallet_getPermissions" => Ok(match caller {
            Caller::App(_) => json!(["accounts"]),
            Caller::Anonymous { .. } => json!([]),
        }),
        PAIR_METHOD => {
            let origin = match caller {
                Caller::Anonymous { origin } => origin,
                Caller::App(app) => app.origin.as_deref(),
            };
            let request = pair_request(params, origin)?;
            let token = PairingToken::generate()
                .map_err(|e| ApiError::Unknown(format!("no random source: {e}")))?;
            let paired = backend.pair(request, token.hash()).await?;
            Ok(json!({
                "token": token.expose(),
                "app_id": paired.app.id,
                "accounts": paired.accounts,
                "chainId": paired.chain_id,
            }))
        }
        "wallet_requestAccounts" => match caller {
            Caller::App(app) => Ok(json!(backend.accounts(app).await?)),
            // Silent mode asks for no prompt: not paired means no account, quietly.
            Caller::Anonymous { .. } if param(params, "silent_mode", 0) == Some(&json!(true)) => {
                Ok(json!([]))
            }
            Caller::Anonymous { .. } => Err(ApiError::NotPaired),
        },
        "wallet_requestChainId" => {
            paired(caller)?;
            Ok(json!(backend.chain_id().await?))
        }
        "wallet_deploymentData" => {
            let app = paired(caller)?;
            Ok(json!(backend.deployment_data(app).await?))
        }
        "wallet_switchStarknetChain" => {
            paired(caller)?;
            let asked = param(params, "chainId", 0)
                .and_then(Value::as_str)
                .ok_or_else(|| ApiError::InvalidPayload("no chainId".into()))?;
            let ours = backend.chain_id().await?;
            match (chain_value(asked), chain_value(&ours)) {
                (Some(a), Some(b)) if a == b => Ok(json!(true)),
                (Some(_), _) => Err(ApiError::Refused(
                    "the network is switched in the wallet, by its user".into(),
                )),
                (None, _) => Err(ApiError::InvalidPayload("chainId: 0x-prefixed hex".into())),
            }
        }
        "wallet_addInvokeTransaction" => {
            let app = paired(caller)?;
            let hash = backend.add_invoke(app, calls(params)?).await?;
            Ok(json!({"transaction_hash": hash}))
        }
        "wallet_signTypedData" => {
            let app = paired(caller)?;
            let typed = match param(params, "typed_data", 0) {
                Some(inner) if inner.get("primaryType").is_some() => inner.clone(),
                _ if params.get("primaryType").is_some() => params.clone(),
                _ => return Err(ApiError::InvalidPayload("no typed_data".into())),
            };
            Ok(json!(backend.sign_typed_data(app, typed).await?))
        }
        "wallet_watchAsset"
        | "wallet_addStarknetChain"
        | "wallet_addDeclareTransaction"
        | "wallet_strk20InvokeTransaction"
        | "wallet_strk20PrepareInvoke"
        | "wallet_strk20Balances"
        | "wallet_strk20ShadowAccountCommitment" => {
            paired(caller)?;
            Err(ApiError::Refused(format!(
                "{method} is not offered to apps by this wallet"
            )))
        }
        other => Err(ApiError::MethodNotFound(other.chars().take(64).collect())),
    }
}
