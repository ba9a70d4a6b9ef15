//! Load bench: gasless session transfers on a local devnet through the sponsor, next to the same
//! session-signed outside executions submitted directly by a minimal client (a relayer account
//! sending `execute_from_outside_v2` itself), several wallets at once against one sponsor, and
//! an app's in-policy transfers over the local wallet API (the wallet service behind it, timed on
//! the app's side, with the wallet's round trips to the node and the sponsor counted). Prints
//! failures, latency (p50, p95, max) and throughput for each; nothing is asserted.
//!
//! `cargo run -p sandbox --bin load-bench -- [--transfers N] [--wallets M]` (defaults 200, 8).

use std::sync::Arc;
use std::time::{Duration, Instant};

use chipi_session::entrypoint::{selector, EXECUTE_FROM_OUTSIDE_V2, TRANSFER};
use chipi_session::session::registration::transfer_call;
use chipi_session::{
    ManagerConfig, NoStore, NodeClient, OutsideExecution, PaymasterClient, PolicySpec,
    RegisterParams, SessionManager, SystemClock, Wallet,
};
use devnet_harness::STRK;
use local_stack::LocalStack;
use starknet::accounts::Account;
use starknet_core::types::{Call, Felt};
use wallet_api::rate::Rate;
use wallet_api::ApiConfig;
use wallet_service::api::{ApiWallet, AppPrompts, Approval, PairingPrompt};
use wallet_service::prefs::FilePrefs;
use wallet_service::{Pin, PinOnly, SecretVault, ServiceError, WalletService};

const PIN: &str = "bench-4821";
const UNIT: u128 = 1_000_000_000_000_000_000;
/// What each transfer sends: a millionth of a STRK.
const AMOUNT: u128 = UNIT / 1_000_000;
const RECIPIENT: Felt = Felt::from_hex_unchecked("0xbe9c4");

/// `load-bench`'s command line.
#[derive(Debug, clap::Parser)]
#[command(
    name = "load-bench",
    about = "Gasless session transfers on a local devnet, timed"
)]
struct Args {
    /// Transfers per run.
    #[arg(long, default_value_t = 200)]
    transfers: usize,
    /// Wallets sending at once in the last run.
    #[arg(long, default_value_t = 8)]
    wallets: usize,
}

/// Latencies of one run and how long it took in all.
struct Run {
    name: String,
    latencies: Vec<Duration>,
    failures: usize,
    wall: Duration,
}

impl Run {
    fn percentile(&self, p: f64) -> f64 {
        let mut sorted: Vec<f64> = self
            .latencies
            .iter()
            .map(|d| d.as_secs_f64() * 1e3)
            .collect();
        sorted.sort_by(f64::total_cmp);
        if sorted.is_empty() {
            return f64::NAN;
        }
        let index = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
        sorted[index]
    }

    fn print(&self) {
        let done = self.latencies.len();
        println!(
            "{:<32} {:>6} {:>9} {:>9.0} {:>9.0} {:>9.0} {:>8.2}",
            self.name,
            done + self.failures,
            self.failures,
            self.percentile(50.0),
            self.percentile(95.0),
            self.percentile(100.0),
            done as f64 / self.wall.as_secs_f64(),
        );
    }
}

/// A new wallet of the stack's class, deployed by the sponsor, funded, with a session of
/// `calls` transfers registered and its key open.
async fn wallet(stack: &LocalStack, calls: usize) -> anyhow::Result<Arc<SessionManager>> {
    let (wallet, owner) = tokio::task::spawn_blocking({
        let class_hash = stack.class_hash;
        move || Wallet::create_unlocked(class_hash, PIN)
    })
    .await??;
    let rpc = stack.node.rpc_url().to_string();
    let paymaster = PaymasterClient::new(
        stack.sponsor_url.clone(),
        rpc.clone(),
        stack.node.chain_id(),
    );
    let manager = Arc::new(SessionManager::new(
        wallet,
        NodeClient::new(rpc),
        Arc::new(paymaster),
        Arc::new(SystemClock),
        Arc::new(NoStore),
        ManagerConfig::default(),
        None,
    ));
    manager.deploy_wallet(&owner).await?;
    stack
        .node
        .mint_strk(manager.wallet().address, 100 * UNIT)
        .await?;
    manager.create_session(Some(86_400), &owner)?;
    let params = RegisterParams {
        valid_until: None,
        max_calls: Some(u32::try_from(calls)? + 10),
        allowed_entrypoints: vec![selector(TRANSFER)],
        allowed_calls: vec![],
        spending_policies: vec![PolicySpec {
            token: STRK,
            max_per_call: UNIT,
            max_per_window: 100 * UNIT,
            window_seconds: 86_400,
        }],
        network_tokens: vec![],
    };
    manager.register_session(params, &owner).await?;
    let opened = manager.clone();
    tokio::task::spawn_blocking(move || opened.unlock_session(PIN)).await??;
    Ok(manager)
}

/// `count` transfers, one after the other, each timed from the request to its receipt.
async fn through_sponsor(manager: &SessionManager, count: usize) -> (Vec<Duration>, usize) {
    let mut latencies = Vec::with_capacity(count);
    let mut failures = 0;
    for _ in 0..count {
        let started = Instant::now();
        match manager.transfer(STRK, RECIPIENT, AMOUNT, None).await {
            Ok(_) => latencies.push(started.elapsed()),
            Err(e) => {
                failures += 1;
                eprintln!("sponsor path: {e}");
            }
        }
    }
    (latencies, failures)
}

/// The same transfers as session-signed outside executions, built here and sent by a relayer
/// account of our own (no sponsor, no checks of a paymaster's answer): the floor the sponsor
/// path is compared with.
async fn direct(
    stack: &LocalStack,
    manager: &SessionManager,
    count: usize,
) -> anyhow::Result<(Vec<Duration>, usize)> {
    let relayer = stack.node.predeployed(2).await?;
    let node = manager.node();
    let chain_id = stack.node.chain_id();
    let account = manager.wallet().address;
    let polling = ManagerConfig::default().polling;
    let mut latencies = Vec::with_capacity(count);
    let mut failures = 0;
    for i in 0..count {
        let started = Instant::now();
        let now = stack.node.pending_timestamp().await?;
        let execution = OutsideExecution {
            caller: relayer.address(),
            nonce: Felt::from(0x5eed_0000_u64 + i as u64),
            execute_after: now.saturating_sub(60),
            execute_before: now + 3600,
            calls: vec![transfer_call(STRK, RECIPIENT, AMOUNT)],
        };
        let signature =
            manager.sign_with_session(execution.message_hash(account, chain_id), None)?;
        let sent = relayer
            .execute_v3(vec![Call {
                to: account,
                selector: selector(EXECUTE_FROM_OUTSIDE_V2),
                calldata: execution.calldata(&signature),
            }])
            .send()
            .await;
        let outcome = match sent {
            Ok(sent) => node
                .wait_for_receipt(sent.transaction_hash, polling)
                .await
                .map_err(anyhow::Error::from)
                .and_then(|r| {
                    if r.succeeded {
                        Ok(())
                    } else {
                        Err(anyhow::anyhow!("reverted: {:?}", r.revert_reason))
                    }
                }),
            Err(e) => Err(anyhow::anyhow!("{e}")),
        };
        match outcome {
            Ok(()) => latencies.push(started.elapsed()),
            Err(e) => {
                failures += 1;
                eprintln!("direct path: {e}");
            }
        }
    }
    Ok((latencies, failures))
}

/// Secrets in memory: the bench's wallet lives as long as the run.
#[derive(Default)]
struct MemoryVault(std::sync::Mutex<std::collections::HashMap<String, String>>);

impl SecretVault for MemoryVault {
    fn put(&self, name: &str, sealed: &str) -> Result<(), ServiceError> {
        self.0.lock().unwrap().insert(name.into(), sealed.into());
        Ok(())
    }
    fn get(&self, name: &str) -> Result<Option<String>, ServiceError> {
        Ok(self.0.lock().unwrap().get(name).cloned())
    }
    fn delete(&self, name: &str) -> Result<(), ServiceError> {
        self.0.lock().unwrap().remove(name);
        Ok(())
    }
}

/// The user at the approval window: approves with the PIN.
struct Approves;

#[async_trait::async_trait]
impl AppPrompts for Approves {
    async fn approve_pairing(&self, _: PairingPrompt) -> Option<Approval> {
        Some(Approval::Pin(Pin::new(PIN)))
    }
}

/// What an app's in-policy transfers over the wallet API cost: the client's latencies and
/// failures, and the wallet's round trips per transfer to the node and to the sponsor.
struct OverApi {
    latencies: Vec<Duration>,
    failures: usize,
    /// The transfers' time in all (the set-up and the pairing left out).
    wall: Duration,
    node_trips: f64,
    sponsor_trips: f64,
}

/// `count` in-policy transfers from a paired app over HTTP, one after the other, each timed on
/// the app's side from the request to the answer (the hash, after the receipt): one round trip
/// to the wallet each. The wallet service behind the API reaches the node and the sponsor
/// through counting forwarders.
async fn over_api(stack: &LocalStack, count: usize) -> anyhow::Result<OverApi> {
    let (node_url, node) =
        local_stack::fault_proxy::start(stack.node.rpc_url().to_string()).await?;
    let (sponsor_url, sponsor) = local_stack::fault_proxy::start(stack.sponsor_url.clone()).await?;
    let mut network = stack.network.clone();
    network.rpc_url = node_url;
    network.fallback_rpc_urls.clear();
    network.sponsor_url = Some(sponsor_url);
    let prefs = std::env::temp_dir().join(format!("load-bench-{}.json", std::process::id()));
    let service = Arc::new(WalletService::open(
        Arc::new(MemoryVault::default()),
        Arc::new(FilePrefs(prefs.clone())),
        network,
        Box::new(PinOnly),
        Arc::new(SystemClock),
    )?);
    let wallet = service.create_wallet(&Pin::new(PIN), true).await?;
    stack
        .node
        .mint_strk(Felt::from_hex(&wallet.address)?, 100 * UNIT)
        .await?;
    let quick = Rate {
        burst: 1_000,
        per_second: 1_000.0,
    };
    let config = ApiConfig {
        port: 0,
        rate: quick,
        anonymous_rate: quick,
    };
    let api = wallet_api::start(
        config,
        Arc::new(ApiWallet::new(service, Arc::new(Approves))),
    )
    .await?;
    let url = format!("http://{}/", api.address);
    let http = reqwest::Client::new();
    let strk = format!("{STRK:#x}");
    let policy = serde_json::json!({"contracts": {&strk: {"methods": [{"entrypoint": "transfer"}]}},
        "limits": [{"token": &strk, "per_call": "1", "per_window": "100", "window_secs": 86_400}],
        "duration_secs": 86_400, "max_calls": count + 10});
    let paired: serde_json::Value = http
        .post(&url)
        .json(
            &serde_json::json!({"jsonrpc": "2.0", "id": 1, "method": "chipi_pair",
            "params": {"name": "load bench", "policy": policy}}),
        )
        .send()
        .await?
        .json()
        .await?;
    let token = paired["result"]["token"]
        .as_str()
        .ok_or_else(|| anyhow::anyhow!("not paired: {paired}"))?
        .to_owned();
    let transfer = serde_json::json!({"jsonrpc": "2.0", "id": 2,
        "method": "wallet_addInvokeTransaction",
        "params": {"calls": [{"contract_address": &strk, "entry_point": "transfer",
            "calldata": [format!("{RECIPIENT:#x}"), format!("{AMOUNT:#x}"), "0x0"]}]}});
    let (node_before, sponsor_before) = (node.seen(), sponsor.seen());
    let (mut latencies, mut failures) = (Vec::with_capacity(count), 0);
    let all = Instant::now();
    for _ in 0..count {
        let started = Instant::now();
        let answer: serde_json::Value = http
            .post(&url)
            .bearer_auth(&token)
            .json(&transfer)
            .send()
            .await?
            .json()
            .await?;
        if answer["result"]["transaction_hash"].is_string() {
            latencies.push(started.elapsed());
        } else {
            failures += 1;
            eprintln!("wallet API: {answer}");
        }
    }
    let wall = all.elapsed();
    let per = |n: usize| n as f64 / count.max(1) as f64;
    let measured = OverApi {
        latencies,
        failures,
        wall,
        node_trips: per(node.seen() - node_before),
        sponsor_trips: per(sponsor.seen() - sponsor_before),
    };
    api.stop().await;
    let _ = std::fs::remove_file(prefs);
    Ok(measured)
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|text| {
            text.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, usize::from);
    format!("{cpu}, {cores} cores")
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = <Args as clap::Parser>::parse();
    let transfers = args.transfers;
    let wallets = args.wallets.max(1);
    let stack = LocalStack::start().await?;
    println!(
        "load bench on {} (debug build, devnet {} on loopback)",
        machine(),
        stack.node.rpc_url()
    );
    eprintln!("setting up {} wallets…", wallets + 1);
    let one = wallet(&stack, 2 * transfers).await?;
    let mut many = Vec::with_capacity(wallets);
    for _ in 0..wallets {
        many.push(wallet(&stack, transfers.div_ceil(wallets)).await?);
    }

    let mut runs = Vec::new();
    let started = Instant::now();
    let (latencies, failures) = through_sponsor(&one, transfers).await;
    runs.push(Run {
        name: "sponsor, one wallet".into(),
        latencies,
        failures,
        wall: started.elapsed(),
    });
    let started = Instant::now();
    let (latencies, failures) = direct(&stack, &one, transfers).await?;
    runs.push(Run {
        name: "direct client, one wallet".into(),
        latencies,
        failures,
        wall: started.elapsed(),
    });
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for manager in many {
        let share = transfers.div_ceil(wallets);
        tasks.spawn(async move { through_sponsor(&manager, share).await });
    }
    let (mut latencies, mut failures) = (Vec::new(), 0);
    while let Some(done) = tasks.join_next().await {
        let (l, f) = done?;
        latencies.extend(l);
        failures += f;
    }
    runs.push(Run {
        name: format!("sponsor, {wallets} wallets at once"),
        latencies,
        failures,
        wall: started.elapsed(),
    });

    let api = over_api(&stack, transfers).await?;
    runs.push(Run {
        name: "app over the wallet API".into(),
        latencies: api.latencies,
        failures: api.failures,
        wall: api.wall,
    });

    println!(
        "{:<32} {:>6} {:>9} {:>9} {:>9} {:>9} {:>8}",
        "path", "n", "failures", "p50 ms", "p95 ms", "max ms", "tx/s"
    );
    for run in &runs {
        run.print();
    }
    println!(
        "p50 sponsor / direct: {:.2} (target at most 1.2)",
        runs[0].percentile(50.0) / runs[1].percentile(50.0)
    );
    println!(
        "one in-policy request over the wallet API: 1 round trip for the app, p50 {:.0} ms \
         ({:.0} ms over the wallet's own transfer); behind it {:.1} node and {:.1} sponsor \
         round trips",
        runs[3].percentile(50.0),
        runs[3].percentile(50.0) - runs[0].percentile(50.0),
        api.node_trips,
        api.sponsor_trips
    );
    Ok(())
}
