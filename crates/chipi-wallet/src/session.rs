//! `session …`: the hook's operations from the command line.

use chipi_session::{
    parse_address, parse_amount, parse_felt, parse_selector, Network, SessionKeyData,
};
use serde_json::{json, Value};
use starknet_core::types::Call;
use wallet_service::views::{
    AllowedCallInput, CallInput, LimitInput, SessionRequest, SessionState,
};
use wallet_service::{ServiceError, WalletService};

use crate::cli::{RegisterArgs, SessionCommand};
use crate::host::Input;
use crate::output::{self, out, Output};
use crate::typed_data::read_file;

/// Runs a `session` subcommand.
pub async fn run(
    command: &SessionCommand,
    service: &WalletService,
    input: &mut Input,
) -> Result<Output, ServiceError> {
    match command {
        SessionCommand::Create { duration } => {
            let duration = duration
                .map(|d| {
                    u32::try_from(d)
                        .map_err(|_| ServiceError::input(format!("duration {d}: too long")))
                })
                .transpose()?;
            let info = service
                .create_session(duration, Some(&input.pin()?))
                .await?;
            Ok(output::session(&info))
        }
        SessionCommand::Register(args) => {
            let request = register_request(args, &service.network())?;
            let info = service
                .register_session(&request, Some(&input.pin()?))
                .await?;
            Ok(output::session(&info))
        }
        SessionCommand::Status => Ok(output::session(&service.refresh_status().await?)),
        SessionCommand::Execute { call, calls } => {
            execute(call, calls.as_deref(), service, input).await
        }
        SessionCommand::Transfer { token, to, amount } => {
            transfer(token, to, amount, service, input).await
        }
        SessionCommand::Revoke => Ok(output::session(
            &service.revoke_session(Some(&input.pin()?)).await?,
        )),
        SessionCommand::Clear { revoke } => {
            let live = matches!(
                service.session_info()?.state,
                SessionState::Active | SessionState::Registering
            );
            let pin = if live { Some(input.pin()?) } else { None };
            Ok(output::session(
                &service.clear_session(pin.as_ref(), *revoke).await?,
            ))
        }
        SessionCommand::Export { passphrase } => {
            export(passphrase.as_deref(), service, input).await
        }
        SessionCommand::Import { file, passphrase } => {
            let data = SessionKeyData::from_json(&read_file(file)?)?;
            let info = service
                .import_session(&data, passphrase.as_deref(), &input.pin()?)
                .await?;
            Ok(output::session(&info))
        }
        SessionCommand::Sign { file } => {
            let typed = read_file(file)?;
            let (hash, signature) = service.sign_typed_data(&typed, &input.pin()?).await?;
            let felts: Vec<String> = signature.iter().map(|f| format!("{f:#x}")).collect();
            Ok(out(
                json!({"messageHash": format!("{hash:#x}"), "signature": felts}),
                felts.join("\n"),
            ))
        }
    }
}

async fn execute(
    call: &[String],
    calls: Option<&std::path::Path>,
    service: &WalletService,
    input: &mut Input,
) -> Result<Output, ServiceError> {
    let mut list = call
        .iter()
        .map(|c| call_arg(c))
        .collect::<Result<Vec<_>, _>>()?;
    if let Some(path) = calls {
        list.extend(calls_file(&read_file(path)?)?);
    }
    service.unlock(Some(&input.pin()?)).await?;
    let inputs: Vec<CallInput> = list.iter().map(call_input).collect();
    Ok(output::transaction(&service.execute(&inputs).await?))
}

async fn transfer(
    token: &str,
    to: &str,
    amount: &str,
    service: &WalletService,
    input: &mut Input,
) -> Result<Output, ServiceError> {
    // Checked before the PIN is asked: a typo costs no Argon2id run.
    let network = service.network();
    let token_info = network.token(token)?;
    let recipient = parse_address(to)?;
    parse_amount(amount, token_info.decimals)?;
    service.unlock(Some(&input.pin()?)).await?;
    let result = service.transfer(token, to, amount).await?;
    let mut shown = output::transaction(&result);
    shown.text = format!(
        "sent {amount} {} to {recipient:#x}\n{}",
        token_info.symbol, shown.text
    );
    Ok(shown)
}

async fn export(
    passphrase: Option<&str>,
    service: &WalletService,
    input: &mut Input,
) -> Result<Output, ServiceError> {
    let pin = input.pin()?;
    let passphrase = match passphrase {
        Some(p) => p.to_owned(),
        None => input.line("export passphrase")?,
    };
    let data = service.export_session(&pin, &passphrase).await?;
    eprintln!(
        "note: the SDK's format (one round of MD5) is much weaker than the wallet's own \
         sealing; keep the file as safe as the session key itself"
    );
    let json = serde_json::to_value(&data).unwrap_or_default();
    Ok(out(json.clone(), json.to_string()))
}

/// A call as the service takes it (already checked here).
fn call_input(call: &Call) -> CallInput {
    CallInput {
        contract_address: format!("{:#x}", call.to),
        entrypoint: format!("{:#x}", call.selector),
        calldata: call.calldata.iter().map(|f| format!("{f:#x}")).collect(),
    }
}

/// `ADDRESS:ENTRYPOINT[:FELT,FELT,…]`.
fn call_arg(text: &str) -> Result<Call, ServiceError> {
    let mut parts = text.splitn(3, ':');
    let to = parse_address(parts.next().unwrap_or(""))?;
    let selector = parse_selector(parts.next().unwrap_or(""))?;
    let calldata = match parts.next() {
        Some(list) if !list.is_empty() => {
            list.split(',').map(parse_felt).collect::<Result<_, _>>()?
        }
        _ => vec![],
    };
    Ok(Call {
        to,
        selector,
        calldata,
    })
}

fn invalid_call(why: impl Into<String>) -> ServiceError {
    ServiceError::input(format!("invalid call: {}", why.into()))
}

/// `[{contractAddress, entrypoint, calldata}]`, the SDK's call shape.
fn calls_file(text: &str) -> Result<Vec<Call>, ServiceError> {
    let value: Value = serde_json::from_str(text).map_err(|e| invalid_call(e.to_string()))?;
    let items = value
        .as_array()
        .ok_or_else(|| invalid_call("calls must be a JSON array"))?;
    items.iter().map(call_of).collect()
}

fn call_of(item: &Value) -> Result<Call, ServiceError> {
    let field = |name: &str| {
        item.get(name)
            .ok_or_else(|| invalid_call(format!("call without {name}")))
    };
    let to = parse_address(field("contractAddress")?.as_str().unwrap_or(""))?;
    let selector = parse_selector(field("entrypoint")?.as_str().unwrap_or(""))?;
    let calldata = field("calldata")?
        .as_array()
        .ok_or_else(|| invalid_call("calldata must be an array"))?
        .iter()
        .map(|v| match v {
            Value::String(s) => Ok(parse_felt(s)?),
            Value::Number(n) => Ok(parse_felt(&n.to_string())?),
            _ => Err(invalid_call("calldata items are strings or numbers")),
        })
        .collect::<Result<_, ServiceError>>()?;
    Ok(Call {
        to,
        selector,
        calldata,
    })
}

/// `TOKEN:PER_CALL:PER_WINDOW:WINDOW_SECONDS`, amounts in whole units of the network's token
/// (checked here: the token exists, the amounts fit its decimals).
fn limit_arg(text: &str, network: &Network) -> Result<LimitInput, ServiceError> {
    let parts: Vec<&str> = text.split(':').collect();
    let [token, per_call, per_window, window] = parts.as_slice() else {
        return Err(ServiceError::input(format!(
            "--limit {text:?}: TOKEN:PER_CALL:PER_WINDOW:WINDOW_SECONDS"
        )));
    };
    let decimals = network.token(token)?.decimals;
    parse_amount(per_call, decimals)?;
    parse_amount(per_window, decimals)?;
    Ok(LimitInput {
        token: (*token).to_owned(),
        max_per_call: (*per_call).to_owned(),
        max_per_window: (*per_window).to_owned(),
        window_seconds: window
            .parse()
            .map_err(|_| ServiceError::input(format!("window seconds: {window:?}")))?,
    })
}

/// `CONTRACT:ENTRYPOINT`.
fn allow_call_arg(text: &str) -> Result<AllowedCallInput, ServiceError> {
    let (contract, entrypoint) = text
        .split_once(':')
        .ok_or_else(|| ServiceError::input(format!("{text}: expected CONTRACT:ENTRYPOINT")))?;
    Ok(AllowedCallInput {
        contract_address: format!("{:#x}", parse_address(contract.trim())?),
        entrypoint: format!("{:#x}", parse_selector(entrypoint.trim())?),
    })
}

fn register_request(
    args: &RegisterArgs,
    network: &Network,
) -> Result<SessionRequest, ServiceError> {
    Ok(SessionRequest {
        duration_seconds: None,
        max_calls: args.max_calls,
        allowed_entrypoints: args.allow.iter().map(|a| a.trim().to_owned()).collect(),
        limits: args
            .limit
            .iter()
            .map(|l| limit_arg(l, network))
            .collect::<Result<_, _>>()?,
        allowed_calls: args
            .allow_call
            .iter()
            .map(|a| allow_call_arg(a))
            .collect::<Result<_, _>>()?,
        valid_until: args.valid_until.map(|v| v.to_string()),
        no_limit_acknowledged: args.no_spending_limit,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chipi_session::entrypoint::selector;
    use starknet_core::types::Felt;

    #[test]
    fn calls_from_arguments_and_files() {
        let call = call_arg("0x49d36570d4e46f48e99674bd3fcc84644ddd6b96f7c741b1562b82f9e004dc7:transfer:0x123,1000,0").unwrap();
        assert_eq!(call.selector, selector("transfer"));
        assert_eq!(
            call.calldata,
            vec![Felt::from(0x123u16), Felt::from(1000u16), Felt::ZERO]
        );
        assert!(call_arg("0x1:bad name").is_err());
        assert!(call_arg("nope:transfer").is_err());
        let file =
            r#"[{"contractAddress": "0x1", "entrypoint": "approve", "calldata": ["0x2", 3, "0"]}]"#;
        let calls = calls_file(file).unwrap();
        assert_eq!(calls[0].selector, selector("approve"));
        assert_eq!(calls[0].calldata, vec![Felt::TWO, Felt::THREE, Felt::ZERO]);
        assert!(calls_file(r#"{"contractAddress": "0x1"}"#).is_err());
        let bound = allow_call_arg("0x70c:transfer").unwrap();
        assert_eq!(
            (bound.contract_address.as_str(), bound.entrypoint),
            ("0x70c", format!("{:#x}", selector("transfer")))
        );
        assert!(allow_call_arg("transfer").is_err());
        assert!(allow_call_arg("0xnothex:transfer").is_err());
        // What the service gets back parses to the same call.
        let back = call_input(&call);
        assert_eq!(parse_selector(&back.entrypoint).unwrap(), call.selector);
        assert_eq!(parse_address(&back.contract_address).unwrap(), call.to);
    }

    #[test]
    fn limits_in_whole_units() {
        let mut network = Network::profile("local").unwrap();
        network
            .tokens
            .push(chipi_session::Token::new("USDC", Felt::from(9u8), 6));
        let limit = limit_arg("usdc:1.5:10:3600", &network).unwrap();
        assert_eq!(
            (
                limit.token.as_str(),
                limit.max_per_call.as_str(),
                limit.max_per_window.as_str(),
                limit.window_seconds
            ),
            ("usdc", "1.5", "10", 3600)
        );
        assert!(limit_arg("usdc:1.5:10", &network).is_err());
        assert!(limit_arg("usdc:1.0000001:10:60", &network).is_err());
        assert!(limit_arg("doge:1:10:60", &network).is_err());
    }
}
