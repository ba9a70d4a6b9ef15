//! `wallet …`: create, import, deploy, show.

use chipi_session::{parse_felt, SecretKey};
use serde_json::json;
use wallet_service::{ServiceError, WalletService};

use crate::cli::{Cli, WalletCommand};
use crate::host::{self, Input};
use crate::output::{self, out, Output};

/// Runs a `wallet` subcommand.
pub async fn run(
    cli: &Cli,
    command: &WalletCommand,
    service: &WalletService,
    input: &mut Input,
) -> Result<Output, ServiceError> {
    match command {
        WalletCommand::Create { deploy, class_hash } => {
            prepare_new_wallet(cli, service)?;
            let class_hash = match class_hash.as_deref() {
                Some(hash) => parse_felt(hash)?,
                None => service.new_wallet_class(false).await?,
            };
            let pin = input.pin()?;
            let (info, deployed) = service
                .create_wallet_with(&pin, class_hash, *deploy)
                .await?;
            Ok(output::wallet(&info, deployed))
        }
        WalletCommand::Import {
            address,
            sdk_encrypted_key,
        } => {
            prepare_new_wallet(cli, service)?;
            let pin = input.pin()?;
            let info = match sdk_encrypted_key {
                Some(encrypted) => service.import_wallet(address, encrypted, &pin).await?,
                None => {
                    let key = SecretKey::from_hex(&input.line("owner private key")?)?;
                    service.import_wallet_key(address, key, &pin).await?
                }
            };
            Ok(output::wallet(&info, None))
        }
        WalletCommand::Deploy => {
            let pin = input.pin()?;
            let hash = service.deploy_wallet(&pin).await?;
            Ok(out(
                json!({"transactionHash": format!("{hash:#x}")}),
                format!("deployed: {hash:#x}"),
            ))
        }
        WalletCommand::Show => show(service).await,
        WalletCommand::Upgrade => {
            let pin = input.pin()?;
            // An upgrade that stopped before its interfaces is finished instead: one direct
            // owner transaction, the account paying its fee.
            let finishing = service.wallet_info()?.upgrade_unfinished;
            let info = service.upgrade_account(Some(&pin)).await?;
            let text = format!(
                "{}: {}",
                if finishing {
                    "account upgrade finished (interfaces registered; the account paid the fee)"
                } else {
                    "account upgraded"
                },
                info.account_class.as_deref().unwrap_or("?")
            );
            Ok(out(
                json!({"classHash": info.class_hash, "accountClass": info.account_class}),
                text,
            ))
        }
        WalletCommand::AllowUnsignedFees { off } => {
            let pin = if *off { None } else { Some(input.pin()?) };
            let settings = service.set_direct_unsigned_fees(!off, pin.as_ref()).await?;
            let allowed = settings.gas.direct_unsigned_fees;
            Ok(out(
                json!({"directUnsignedFees": allowed}),
                if allowed {
                    "sessions may use the direct path without a signed fee"
                } else {
                    "sessions are refused the direct path without a signed fee"
                },
            ))
        }
    }
}

/// One wallet per data directory; a new one goes on `--network` through `--backend`.
fn prepare_new_wallet(cli: &Cli, service: &WalletService) -> Result<(), ServiceError> {
    if service.has_wallet() {
        return Err(ServiceError::input(format!(
            "a wallet exists already in {}",
            host::data_dir(cli).display()
        )));
    }
    service.set_network_config(host::network_of(cli)?)
}

async fn show(service: &WalletService) -> Result<Output, ServiceError> {
    let info = service.wallet_info()?;
    // An unreachable node leaves "deployed" unknown rather than failing the command.
    let deployed = service.is_deployed().await.ok();
    let mut json = serde_json::to_value(&info).unwrap_or_default();
    json["deployed"] = json!(deployed);
    let kind = json["walletType"].as_str().unwrap_or_default().to_owned();
    let text = format!(
        "address: {}\nowner public key: {}\ntype: {kind} (sessions: {})\nnetwork: {}\ndeployed: {}",
        info.address,
        info.owner_public_key,
        if info.supports_sessions { "yes" } else { "no" },
        info.network,
        deployed.map_or("unknown (node unreachable)".to_owned(), |d| d.to_string()),
    );
    Ok(out(json, text))
}
