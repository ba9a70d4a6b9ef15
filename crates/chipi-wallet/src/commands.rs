//! What each subcommand does, over the chipi-session core.

use std::io::BufRead;
use std::sync::Arc;

use chipi_session::wallet_type::SESSION_ACCOUNT_CLASS_HASH;
use chipi_session::{
    format_amount, parse_address, parse_amount, parse_felt, parse_selector, ChipiApiClient,
    DirectBackend, ExecutionBackend, ManagerConfig, Network, NodeClient, PaymasterClient,
    PolicySpec, RegisterParams, SecretKey, SessionError, SessionKeyData, SessionManager,
    SessionSignature, SessionState, SessionView, SystemClock, TypedData, Wallet,
};
use serde_json::{json, Value};
use starknet_core::types::{Call, Felt};

use crate::cli::{
    BackendKind, Cli, Command, RegisterArgs, SessionCommand, TypedDataCommand, WalletCommand,
};
use crate::store::{DataDir, WalletFile};

/// What a command prints: JSON for `--json`, text otherwise.
pub struct Output {
    /// The JSON form.
    pub json: Value,
    /// The text form.
    pub text: String,
}

fn out(json: Value, text: impl Into<String>) -> Output {
    Output {
        json,
        text: text.into(),
    }
}

/// Lines of stdin, read when first needed (the PIN, then an owner key).
struct Stdin {
    lines: std::io::Lines<std::io::StdinLock<'static>>,
}

impl Stdin {
    fn new() -> Self {
        Self {
            lines: std::io::stdin().lock().lines(),
        }
    }

    fn line(&mut self, what: &str) -> Result<String, SessionError> {
        match self.lines.next() {
            Some(Ok(line)) => Ok(line.trim_end_matches(['\r', '\n']).to_owned()),
            _ => Err(SessionError::InvalidConfig(format!(
                "expected the {what} on stdin"
            ))),
        }
    }
}

struct Context {
    cli_pin: Option<String>,
    stdin: Stdin,
}

impl Context {
    fn pin(&mut self) -> Result<String, SessionError> {
        match &self.cli_pin {
            Some(pin) => Ok(pin.clone()),
            None => self.stdin.line("PIN"),
        }
    }
}

fn network_of(cli: &Cli, base: Option<Network>) -> Result<Network, SessionError> {
    let mut network = match (&cli.network, base) {
        (Some(name), _) => Network::profile(name)?,
        (None, Some(network)) => network,
        (None, None) => Network::profile("local")?,
    };
    if let Some(rpc) = &cli.rpc {
        network.rpc_url = rpc.clone();
    }
    if let Some(sponsor) = &cli.sponsor {
        network.sponsor_url = Some(sponsor.clone());
    }
    Ok(network)
}

fn backend(cli: &Cli, network: &Network) -> Result<Arc<dyn ExecutionBackend>, SessionError> {
    Ok(match cli.backend {
        BackendKind::Paymaster => {
            let url = network.sponsor_url.clone().ok_or_else(|| {
                SessionError::InvalidConfig(format!(
                    "{} has no sponsor; pass --sponsor",
                    network.name
                ))
            })?;
            Arc::new(PaymasterClient::new(
                url,
                network.rpc_url.clone(),
                network.chain_id,
            ))
        }
        BackendKind::Direct => Arc::new(DirectBackend::new(&network.rpc_url, network.chain_id)?),
        BackendKind::ChipiApi => {
            let url = network.chipi_api_url.clone().ok_or_else(|| {
                SessionError::InvalidConfig(format!("{} has no Chipi API", network.name))
            })?;
            let key = cli.chipi_api_key.clone().ok_or_else(|| {
                SessionError::InvalidConfig("--chipi-api-key (or CHIPI_API_KEY) is required".into())
            })?;
            Arc::new(ChipiApiClient::new(
                url,
                key,
                cli.chipi_jwt.clone(),
                network.chain_id,
            ))
        }
    })
}

fn manager(cli: &Cli, dir: &DataDir) -> Result<SessionManager, SessionError> {
    let file = dir.load_wallet()?;
    let network = network_of(cli, Some(file.network))?;
    let backend = backend(cli, &network)?;
    Ok(SessionManager::new(
        file.wallet,
        NodeClient::new(network.rpc_url.clone()),
        backend,
        Arc::new(SystemClock),
        Arc::new(dir.clone()),
        ManagerConfig::default(),
        dir.load_session()?,
    ))
}

/// `ADDRESS:ENTRYPOINT[:FELT,FELT,…]`.
fn call_arg(text: &str) -> Result<Call, SessionError> {
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

/// `[{contractAddress, entrypoint, calldata}]`, the SDK's call shape.
fn calls_file(text: &str) -> Result<Vec<Call>, SessionError> {
    let value: Value =
        serde_json::from_str(text).map_err(|e| SessionError::InvalidCall(e.to_string()))?;
    let items = value
        .as_array()
        .ok_or_else(|| SessionError::InvalidCall("calls must be a JSON array".into()))?;
    items
        .iter()
        .map(|item| {
            let field = |name: &str| {
                item.get(name)
                    .ok_or_else(|| SessionError::InvalidCall(format!("call without {name}")))
            };
            let to = parse_address(field("contractAddress")?.as_str().unwrap_or(""))?;
            let selector = parse_selector(field("entrypoint")?.as_str().unwrap_or(""))?;
            let calldata = field("calldata")?
                .as_array()
                .ok_or_else(|| SessionError::InvalidCall("calldata must be an array".into()))?
                .iter()
                .map(|v| match v {
                    Value::String(s) => parse_felt(s),
                    Value::Number(n) => parse_felt(&n.to_string()),
                    _ => Err(SessionError::InvalidCall(
                        "calldata items are strings or numbers".into(),
                    )),
                })
                .collect::<Result<_, _>>()?;
            Ok(Call {
                to,
                selector,
                calldata,
            })
        })
        .collect()
}

fn read_file(path: &std::path::Path) -> Result<String, SessionError> {
    std::fs::read_to_string(path)
        .map_err(|e| SessionError::InvalidConfig(format!("{}: {e}", path.display())))
}

fn view_output(view: &SessionView) -> Output {
    let mut text = format!(
        "state: {}",
        serde_json::to_value(view.state)
            .unwrap_or_default()
            .as_str()
            .unwrap_or("")
    );
    if let Some(pk) = &view.public_key {
        text.push_str(&format!("\nsession key: {pk}"));
    }
    if let Some(valid_until) = view.valid_until {
        text.push_str(&format!(
            "\nvalid until: {valid_until} (chain time {})",
            view.chain_time
        ));
    }
    if let Some(remaining) = view.remaining_calls {
        text.push_str(&format!("\nremaining calls: {remaining}"));
    }
    if !view.allowed_entrypoints.is_empty() {
        text.push_str(&format!(
            "\nallowed entrypoints: {}",
            view.allowed_entrypoints.join(", ")
        ));
    }
    for limit in &view.spending_limits {
        text.push_str(&format!(
            "\nlimit {}: {} per call, {} per {} s ({} spent)",
            limit.token,
            limit.max_per_call,
            limit.max_per_window,
            limit.window_seconds,
            limit.spent_in_window
        ));
    }
    out(serde_json::to_value(view).unwrap_or_default(), text)
}

fn limit_arg(text: &str, network: &Network) -> Result<PolicySpec, SessionError> {
    let parts: Vec<&str> = text.split(':').collect();
    let [token, per_call, per_window, window] = parts.as_slice() else {
        return Err(SessionError::InvalidSessionParams(format!(
            "--limit {text:?}: TOKEN:PER_CALL:PER_WINDOW:WINDOW_SECONDS"
        )));
    };
    let token = network.token(token)?;
    Ok(PolicySpec {
        token: token.address,
        max_per_call: parse_amount(per_call, token.decimals)?,
        max_per_window: parse_amount(per_window, token.decimals)?,
        window_seconds: window.parse().map_err(|_| {
            SessionError::InvalidSessionParams(format!("window seconds: {window:?}"))
        })?,
    })
}

/// Runs the command.
pub async fn run(cli: Cli) -> Result<Output, SessionError> {
    let dir = DataDir::resolve(cli.data_dir.clone());
    let mut ctx = Context {
        cli_pin: cli.pin.clone(),
        stdin: Stdin::new(),
    };
    match &cli.command {
        Command::TypedData(TypedDataCommand::Hash { file, account }) => {
            let account = parse_address(account)?;
            let hash = TypedData::from_json(&read_file(file)?)?.message_hash(account)?;
            Ok(out(
                json!({"messageHash": format!("{hash:#x}")}),
                format!("{hash:#x}"),
            ))
        }
        Command::Wallet(command) => wallet_command(&cli, command, &dir, &mut ctx).await,
        Command::Session(command) => session_command(&cli, command, &dir, &mut ctx).await,
    }
}

async fn wallet_command(
    cli: &Cli,
    command: &WalletCommand,
    dir: &DataDir,
    ctx: &mut Context,
) -> Result<Output, SessionError> {
    match command {
        WalletCommand::Create { deploy, class_hash } => {
            let network = network_of(cli, None)?;
            let class_hash = class_hash
                .as_deref()
                .map(parse_felt)
                .transpose()?
                .unwrap_or(SESSION_ACCOUNT_CLASS_HASH);
            let pin = ctx.pin()?;
            let wallet = Wallet::create(class_hash, &pin)?;
            dir.save_new_wallet(&WalletFile {
                wallet: wallet.clone(),
                network,
            })?;
            let mut deployed = None;
            if *deploy {
                deployed = Some(manager(cli, dir)?.deploy_wallet().await?);
            }
            wallet_output(&wallet, deployed)
        }
        WalletCommand::Import {
            address,
            sdk_encrypted_key,
        } => {
            let network = network_of(cli, None)?;
            let address = parse_address(address)?;
            let node = NodeClient::new(network.rpc_url.clone());
            let class_hash = node
                .class_hash_at(address)
                .await?
                .ok_or(SessionError::AccountNotDeployed)?;
            let pin = ctx.pin()?;
            let wallet = match sdk_encrypted_key {
                Some(encrypted) => Wallet::import_sdk(address, class_hash, encrypted, &pin, &pin)?,
                None => {
                    let key = SecretKey::from_hex(&ctx.stdin.line("owner private key")?)?;
                    Wallet::import_key(address, class_hash, &key, &pin)?
                }
            };
            let owner_on_chain = node
                .call(address, "get_public_key", &[])
                .await
                .ok()
                .and_then(|v| v.first().copied());
            if owner_on_chain.is_some_and(|pk| pk != wallet.owner_public_key) {
                return Err(SessionError::InvalidKey);
            }
            dir.save_new_wallet(&WalletFile {
                wallet: wallet.clone(),
                network,
            })?;
            wallet_output(&wallet, None)
        }
        WalletCommand::Deploy => {
            let hash = manager(cli, dir)?.deploy_wallet().await?;
            Ok(out(
                json!({"transactionHash": format!("{hash:#x}")}),
                format!("deployed: {hash:#x}"),
            ))
        }
        WalletCommand::Show => {
            let file = dir.load_wallet()?;
            let node = NodeClient::new(network_of(cli, Some(file.network.clone()))?.rpc_url);
            let deployed = node
                .class_hash_at(file.wallet.address)
                .await
                .ok()
                .map(|c| c.is_some());
            let w = &file.wallet;
            let kind = match w.wallet_type() {
                Some(chipi_session::WalletType::Chipi) => "CHIPI",
                Some(chipi_session::WalletType::Ready) => "READY",
                None => "unknown",
            };
            let json = json!({
                "address": format!("{:#x}", w.address),
                "ownerPublicKey": format!("{:#x}", w.owner_public_key),
                "classHash": format!("{:#x}", w.class_hash),
                "walletType": kind,
                "supportsSessions": w.supports_sessions(),
                "network": file.network.name,
                "deployed": deployed,
            });
            let text = format!(
                "address: {:#x}\nowner public key: {:#x}\ntype: {kind} (sessions: {})\nnetwork: {}\ndeployed: {}",
                w.address,
                w.owner_public_key,
                if w.supports_sessions() { "yes" } else { "no" },
                file.network.name,
                deployed.map_or("unknown (node unreachable)".to_owned(), |d| d.to_string()),
            );
            Ok(out(json, text))
        }
    }
}

fn wallet_output(wallet: &Wallet, deployed: Option<Felt>) -> Result<Output, SessionError> {
    let json = json!({
        "address": format!("{:#x}", wallet.address),
        "ownerPublicKey": format!("{:#x}", wallet.owner_public_key),
        "classHash": format!("{:#x}", wallet.class_hash),
        "deployTransactionHash": deployed.map(|h| format!("{h:#x}")),
    });
    let mut text = format!(
        "address: {:#x}\nowner public key: {:#x}",
        wallet.address, wallet.owner_public_key
    );
    if let Some(hash) = deployed {
        text.push_str(&format!("\ndeployed: {hash:#x}"));
    }
    Ok(out(json, text))
}

fn executed_output(executed: chipi_session::Executed, network: &Network) -> Output {
    let hash = format!("{:#x}", executed.transaction_hash);
    let link = network
        .explorer_tx_url
        .as_ref()
        .map(|base| format!("{base}{hash}"));
    let mut text = format!(
        "transaction: {hash}\nremaining calls: {}",
        executed.remaining_calls
    );
    if let Some(link) = &link {
        text.push_str(&format!("\n{link}"));
    }
    out(
        json!({"transactionHash": hash, "remainingCalls": executed.remaining_calls, "explorer": link}),
        text,
    )
}

async fn session_command(
    cli: &Cli,
    command: &SessionCommand,
    dir: &DataDir,
    ctx: &mut Context,
) -> Result<Output, SessionError> {
    let manager = manager(cli, dir)?;
    let network = network_of(cli, Some(dir.load_wallet()?.network))?;
    match command {
        SessionCommand::Create { duration } => {
            let owner = manager.wallet().unlock_owner(&ctx.pin()?)?;
            Ok(view_output(&manager.create_session(*duration, &owner)?))
        }
        SessionCommand::Register(args) => {
            let params = register_params(args, &network)?;
            let owner = manager.wallet().unlock_owner(&ctx.pin()?)?;
            Ok(view_output(
                &manager.register_session(params, &owner).await?,
            ))
        }
        SessionCommand::Status => Ok(view_output(&manager.refresh_status().await?)),
        SessionCommand::Execute { call, calls } => {
            let mut list = call
                .iter()
                .map(|c| call_arg(c))
                .collect::<Result<Vec<_>, _>>()?;
            if let Some(path) = calls {
                list.extend(calls_file(&read_file(path)?)?);
            }
            let pin = ctx.pin()?;
            Ok(executed_output(
                manager.execute_with_session(list, Some(&pin)).await?,
                &network,
            ))
        }
        SessionCommand::Transfer { token, to, amount } => {
            let token = network.token(token)?.clone();
            let recipient = parse_address(to)?;
            let units = parse_amount(amount, token.decimals)?;
            let pin = ctx.pin()?;
            let executed = manager
                .transfer(token.address, recipient, units, Some(&pin))
                .await?;
            let mut output = executed_output(executed, &network);
            output.text = format!(
                "sent {} {} to {recipient:#x}\n{}",
                format_amount(units, token.decimals),
                token.symbol,
                output.text
            );
            Ok(output)
        }
        SessionCommand::Revoke => {
            let owner = manager.wallet().unlock_owner(&ctx.pin()?)?;
            Ok(view_output(&manager.revoke_session(&owner).await?))
        }
        SessionCommand::Clear { revoke } => {
            let live = matches!(
                manager.state(),
                SessionState::Active | SessionState::Registering
            );
            let owner = if live || *revoke {
                Some(manager.wallet().unlock_owner(&ctx.pin()?)?)
            } else {
                None
            };
            if let (true, Some(owner)) = (*revoke && live, &owner) {
                manager.revoke_session(owner).await?;
            }
            Ok(view_output(&manager.clear_session(owner.as_ref()).await?))
        }
        SessionCommand::Export { passphrase } => {
            let pin = ctx.pin()?;
            let passphrase = match passphrase {
                Some(p) => p.clone(),
                None => ctx.stdin.line("export passphrase")?,
            };
            let data = manager.export_session(&pin, &passphrase)?;
            eprintln!(
                "note: the SDK's format (one round of MD5) is much weaker than the wallet's own \
                 sealing; keep the file as safe as the session key itself"
            );
            let json = serde_json::to_value(&data).unwrap_or_default();
            Ok(out(json.clone(), json.to_string()))
        }
        SessionCommand::Import { file, passphrase } => {
            let data = SessionKeyData::from_json(&read_file(file)?)?;
            let pin = ctx.pin()?;
            let sdk_pin = passphrase.clone().unwrap_or_else(|| pin.clone());
            let owner = manager.wallet().unlock_owner(&pin)?;
            Ok(view_output(
                &manager.import_session(&data, &sdk_pin, &owner).await?,
            ))
        }
        SessionCommand::Sign { file } => {
            let record = manager.record().ok_or(SessionError::NoSession)?;
            let hash =
                TypedData::from_json(&read_file(file)?)?.message_hash(manager.wallet().address)?;
            let pin = ctx.pin()?;
            let key = chipi_session::SealedSecret::parse(&record.sealed_key)?.open(&pin)?;
            let signature = SessionSignature::sign_secret(&key, hash, record.valid_until)?;
            let felts: Vec<String> = signature
                .to_felts()
                .iter()
                .map(|f| format!("{f:#x}"))
                .collect();
            Ok(out(
                json!({"messageHash": format!("{hash:#x}"), "signature": felts}),
                felts.join("\n"),
            ))
        }
    }
}

fn register_params(args: &RegisterArgs, network: &Network) -> Result<RegisterParams, SessionError> {
    Ok(RegisterParams {
        valid_until: args.valid_until,
        max_calls: args.max_calls,
        allowed_entrypoints: args
            .allow
            .iter()
            .map(|a| parse_selector(a.trim()))
            .collect::<Result<_, _>>()?,
        allowed_calls: args
            .allow_call
            .iter()
            .map(|a| allow_call_arg(a))
            .collect::<Result<_, _>>()?,
        spending_policies: args
            .limit
            .iter()
            .map(|l| limit_arg(l, network))
            .collect::<Result<_, _>>()?,
    })
}

/// `CONTRACT:ENTRYPOINT`.
fn allow_call_arg(text: &str) -> Result<(Felt, Felt), SessionError> {
    let (contract, entrypoint) = text.split_once(':').ok_or_else(|| {
        SessionError::InvalidSessionParams(format!("{text}: expected CONTRACT:ENTRYPOINT"))
    })?;
    Ok((
        parse_address(contract.trim())?,
        parse_selector(entrypoint.trim())?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chipi_session::entrypoint::selector;

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
        assert_eq!(
            allow_call_arg("0x70c:transfer").unwrap(),
            (Felt::from(0x70cu16), selector("transfer"))
        );
        assert!(allow_call_arg("transfer").is_err());
        assert!(allow_call_arg("0xnothex:transfer").is_err());
    }

    #[test]
    fn limits_in_whole_units() {
        let mut network = Network::profile("local").unwrap();
        network.tokens.push(chipi_session::Token {
            symbol: "USDC".into(),
            address: Felt::from(9u8),
            decimals: 6,
        });
        let limit = limit_arg("usdc:1.5:10:3600", &network).unwrap();
        assert_eq!(
            (
                limit.token,
                limit.max_per_call,
                limit.max_per_window,
                limit.window_seconds
            ),
            (Felt::from(9u8), 1_500_000, 10_000_000, 3600)
        );
        assert!(limit_arg("usdc:1.5:10", &network).is_err());
        assert!(limit_arg("usdc:1.0000001:10:60", &network).is_err());
    }
}
