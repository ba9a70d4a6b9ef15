//! `sandbox`: everything the wallet needs on this machine, on loopback only. It starts
//! `starknet-devnet`, declares our session account class, deploys a test USDC (6 decimals) beside
//! the predeployed STRK, starts the sponsor, creates a demo wallet (deployed without gas, funded with
//! STRK and USDC, with an active session), and launches the app on the "Local sandbox" network.
//! Ctrl-C (or the app's window closing) stops everything it started and removes the demo wallet's
//! keychain entries and data.
//!
//! `--no-app` prepares the same and waits, printing one JSON line with the endpoints and the
//! environment to start the app with (the end-to-end test uses it). `--mainnet` rehearses the
//! mainnet profile instead: the node reports `SN_MAIN` and the app runs on the `mainnet` profile
//! (STRK and ETH at their mainnet addresses, the test USDC with 6 decimals, loopback endpoints).

mod demo_wallet;

use std::path::PathBuf;
use std::process::Stdio;

use anyhow::{bail, Context, Result};
use chipi_session::Token;
use local_stack::LocalStack;

/// The demo wallet's PIN (it guards test tokens on a local node only).
pub const DEMO_PIN: &str = "demo-1234";

/// Test USDC minted to predeployed account 0: one million, 6 decimals.
const USDC_SUPPLY: u128 = 1_000_000 * 1_000_000;

/// `sandbox`'s command line.
#[derive(Debug, clap::Parser)]
#[command(
    name = "sandbox",
    about = "The wallet on a local node, with a funded demo wallet"
)]
struct Args {
    /// Prepare everything and wait, printing the endpoints as one JSON line (no window).
    #[arg(long)]
    no_app: bool,
    /// Rehearse the mainnet profile (the node reports SN_MAIN).
    #[arg(long)]
    mainnet: bool,
    /// The app binary (default: `chipi-wallet-app` beside this one).
    #[arg(long)]
    app: Option<PathBuf>,
    /// Where the demo wallet's data goes (default: `sandbox-data` beside this binary).
    #[arg(long)]
    data_dir: Option<PathBuf>,
}

struct Options {
    launch_app: bool,
    mainnet: bool,
    app: PathBuf,
    data_dir: PathBuf,
}

fn options() -> Result<Options> {
    let args = <Args as clap::Parser>::parse();
    let exe = std::env::current_exe()?;
    let dir = exe.parent().context("the binary's directory")?.to_owned();
    Ok(Options {
        launch_app: !args.no_app,
        mainnet: args.mainnet,
        app: args.app.unwrap_or_else(|| dir.join("chipi-wallet-app")),
        data_dir: args.data_dir.unwrap_or_else(|| dir.join("sandbox-data")),
    })
}

#[tokio::main]
async fn main() -> Result<()> {
    // The signal handlers first: Ctrl-C during the set-up stops it through the normal path (the
    // node and the sponsor are dropped and killed), not through the default handler, which
    // would end the process and leave starknet-devnet running.
    let mut stop = Stop::install()?;
    let options = options()?;
    if options.launch_app && !options.app.exists() {
        bail!(
            "{} is missing: build it with `cargo build -p chipi-wallet-app` (scripts/sandbox does)",
            options.app.display()
        );
    }
    // A fresh data directory each run: the node starts empty, so an old wallet would not exist.
    if options.data_dir.exists() {
        std::fs::remove_dir_all(&options.data_dir)?;
    }
    let xdg_data = options.data_dir.join("data");
    std::fs::create_dir_all(&xdg_data)?;

    let set_up = set_up(&options, &xdg_data);
    let (stack, network, usdc, demo) = tokio::select! {
        ready = set_up => ready?,
        () = stop.wait() => {
            // Dropping the unfinished set-up drops the node it started (its child is killed).
            eprintln!("sandbox: stopped during the set-up");
            let _ = std::fs::remove_dir_all(&options.data_dir);
            return Ok(());
        }
    };

    let env = local_stack::app_env(&network, None, &options.data_dir);
    announce(&stack, &network, usdc, &demo, &env);

    let outcome = if options.launch_app {
        run_app(&options.app, &env, &mut stop).await
    } else {
        stop.wait().await;
        Ok(())
    };

    eprintln!("sandbox: stopping");
    demo.forget();
    drop(stack);
    let _ = std::fs::remove_dir_all(&options.data_dir);
    outcome
}

/// Node, class, sponsor, USDC and the demo wallet.
async fn set_up(
    options: &Options,
    xdg_data: &std::path::Path,
) -> Result<(
    LocalStack,
    chipi_session::Network,
    starknet_core::types::Felt,
    demo_wallet::DemoWallet,
)> {
    eprintln!("sandbox: starting starknet-devnet and the sponsor");
    let (stack, network, usdc) = if options.mainnet {
        let stack = LocalStack::start_mainnet_rehearsal().await?;
        let network = stack.network.clone();
        let usdc = network.token("USDC")?.address;
        (stack, network, usdc)
    } else {
        let stack = LocalStack::start().await?;
        let usdc = stack
            .node
            .deploy_erc20("USD Coin", "USDC", 6, USDC_SUPPLY)
            .await?;
        let mut network = stack.network.clone();
        network.tokens.push(Token::new("USDC", usdc, 6));
        (stack, network, usdc)
    };
    eprintln!("sandbox: creating the demo wallet");
    let demo = demo_wallet::create(&stack.node, &network, usdc, xdg_data).await?;
    Ok((stack, network, usdc, demo))
}

/// One JSON line on stdout (the endpoints, the demo wallet and the app's environment, for
/// `--no-app` users) and a summary for people on stderr.
fn announce(
    stack: &LocalStack,
    network: &chipi_session::Network,
    usdc: starknet_core::types::Felt,
    demo: &demo_wallet::DemoWallet,
    env: &[(&str, String)],
) {
    let sponsor_url = &stack.sponsor_url;
    let ready = serde_json::json!({
        "rpc_url": network.rpc_url,
        "sponsor_url": sponsor_url,
        "account_class_hash": format!("{:#x}", stack.class_hash),
        "usdc": format!("{usdc:#x}"),
        "wallet": demo.address,
        "pin": DEMO_PIN,
        "env": env.iter().map(|(k, v)| (k.to_string(), serde_json::Value::from(v.clone()))).collect::<serde_json::Map<_, _>>(),
    });
    println!("{ready}");
    eprintln!(
        "sandbox: ready on loopback\n  node     {}\n  sponsor  {}\n  USDC     {usdc:#x}\n  wallet   {} (PIN {DEMO_PIN}: unlock it in the app to send)\n  Ctrl-C stops everything",
        network.rpc_url, sponsor_url, demo.address
    );
}

/// Runs the app with `env` until it exits or the sandbox is stopped.
async fn run_app(app: &std::path::Path, env: &[(&str, String)], stop: &mut Stop) -> Result<()> {
    // The app too dies with the sandbox, even a sandbox killed outright.
    let mut child = tokio::process::Command::from(devnet_harness::dies_with_parent(app))
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .stdin(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .with_context(|| format!("starting {}", app.display()))?;
    tokio::select! {
        status = child.wait() => status.map(|s| eprintln!("sandbox: the app exited ({s})")).map_err(Into::into),
        () = stop.wait() => {
            let _ = child.start_kill();
            let _ = child.wait().await;
            Ok(())
        }
    }
}

/// Ctrl-C (SIGINT) and SIGTERM, listened for from the moment it is made.
struct Stop {
    interrupt: tokio::signal::unix::Signal,
    terminate: tokio::signal::unix::Signal,
}

impl Stop {
    fn install() -> Result<Self> {
        use tokio::signal::unix::{signal, SignalKind};
        Ok(Self {
            interrupt: signal(SignalKind::interrupt())?,
            terminate: signal(SignalKind::terminate())?,
        })
    }

    async fn wait(&mut self) {
        tokio::select! {
            _ = self.interrupt.recv() => {}
            _ = self.terminate.recv() => {}
        }
    }
}
