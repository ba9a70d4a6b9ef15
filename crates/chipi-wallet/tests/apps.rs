//! `chipi-wallet apps …` on a real node: `apps serve` pairs an app at the terminal (the PIN
//! typed on stdin approves it), the app transfers inside its policy over the API, then `apps
//! list` shows it with what it used and `apps revoke NAME` ends its session on chain.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

use local_stack::LocalStack;
use serde_json::{json, Value};
use starknet_core::types::Felt;

const PIN: &str = "739156";

fn cli(dir: &std::path::Path, stack: &LocalStack) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_chipi-wallet"));
    command
        .arg("--json")
        .args(["--data-dir", dir.to_str().unwrap()])
        .args(["--rpc", stack.node.rpc_url().as_str()])
        .args(["--sponsor", &stack.sponsor_url])
        .env_remove("CHIPI_WALLET_PIN");
    command
}

/// Runs a command with `pin` on stdin: its JSON, and whether it succeeded.
fn run(
    dir: &std::path::Path,
    stack: &LocalStack,
    pin: Option<&str>,
    args: &[&str],
) -> (bool, Value) {
    let mut child = cli(dir, stack)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(pin) = pin {
        let _ = writeln!(child.stdin.as_mut().unwrap(), "{pin}");
    }
    drop(child.stdin.take());
    let out = child.wait_with_output().unwrap();
    let value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| panic!("{args:?}: {}", String::from_utf8_lossy(&out.stderr)));
    (out.status.success(), value)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apps_served_listed_and_revoked_from_the_command_line() {
    let stack = LocalStack::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (ok, created) = run(
        dir.path(),
        &stack,
        Some(PIN),
        &["--network", "local", "wallet", "create", "--deploy"],
    );
    assert!(ok, "{created}");
    let wallet = created["address"].as_str().unwrap().to_owned();
    let strk = format!("{:#x}", devnet_harness::STRK);
    stack
        .node
        .mint_strk(Felt::from_hex(&wallet).unwrap(), 10u128.pow(19))
        .await
        .unwrap();
    let (ok, none) = run(dir.path(), &stack, None, &["apps", "list"]);
    assert!(ok && none == json!([]), "{none}");

    // Served: the first line unlocks; the prompt comes to stderr, the PIN approves it.
    let port = free_port();
    let mut serve = cli(dir.path(), &stack)
        .args(["apps", "serve", "--port", &port.to_string()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = serve.stdin.take().unwrap();
    writeln!(stdin, "{PIN}").unwrap();
    let (said, mut heard) = std::sync::mpsc::channel();
    let stderr = BufReader::new(serve.stderr.take().unwrap());
    std::thread::spawn(move || {
        for line in stderr.lines().map_while(Result::ok) {
            let _ = said.send(line);
        }
    });
    let wait_for = |heard: &mut std::sync::mpsc::Receiver<String>, what: &str| loop {
        let line = heard
            .recv_timeout(std::time::Duration::from_secs(60))
            .unwrap_or_else(|_| panic!("no {what:?} from apps serve"));
        if line.contains(what) {
            return line;
        }
    };
    wait_for(&mut heard, "wallet API on");
    let http = reqwest::Client::new();
    let url = format!("http://127.0.0.1:{port}/");
    let policy = json!({"contracts": {&strk: {"methods": [{"entrypoint": "transfer"}]}},
        "limits": [{"token": &strk, "per_call": "1", "per_window": "2", "window_secs": 3600}],
        "duration_secs": 3600, "max_calls": 4});
    let pair = || {
        let (http, url, policy) = (http.clone(), url.clone(), policy.clone());
        tokio::spawn(async move {
            let body = json!({"jsonrpc": "2.0", "id": 1, "method": "chipi_pair",
                              "params": {"name": "Bot", "policy": policy}});
            let answer = http.post(&url).json(&body).send().await.unwrap();
            answer.json::<Value>().await.unwrap()
        })
    };
    // A spare PIN line typed before any prompt does not approve the next pairing: the
    // terminal drops it, and the empty line typed at the prompt declines.
    writeln!(stdin, "{PIN}").unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let pairing = pair();
    wait_for(&mut heard, "Type the PIN to approve");
    writeln!(stdin).unwrap();
    let declined = pairing.await.unwrap();
    assert_eq!(declined["error"]["code"], 113, "{declined}");
    let pairing = pair();
    let asked = wait_for(&mut heard, "An app asks for a session");
    assert!(asked.contains("\"Bot\""), "{asked}");
    wait_for(&mut heard, "at most 1 STRK per transfer, 2 STRK per 1 h");
    wait_for(&mut heard, "Type the PIN to approve");
    writeln!(stdin, "{PIN}").unwrap();
    let paired = pairing.await.unwrap();
    let token = paired["result"]["token"].as_str().unwrap().to_owned();
    wait_for(&mut heard, "paired Bot");

    let transfer = |units: &str| {
        json!({"jsonrpc": "2.0", "id": 2, "method": "wallet_addInvokeTransaction",
               "params": {"calls": [{"contract_address": &strk, "entry_point": "transfer",
                                     "calldata": ["0x5eed", units, "0x0"]}]}})
    };
    let send = |body: Value| {
        let request = http.post(&url).bearer_auth(&token).json(&body);
        async move { request.send().await.unwrap().json::<Value>().await.unwrap() }
    };
    let sent = send(transfer("0xde0b6b3a7640000")).await;
    assert!(sent["result"]["transaction_hash"].is_string(), "{sent}");
    let over = send(transfer("0x1bc16d674ec80000")).await;
    assert_eq!(
        over["error"]["code"], 113,
        "2 STRK over a 1 STRK limit: {over}"
    );
    writeln!(stdin, "quit").unwrap();
    let stopped = serve.wait_with_output().unwrap();
    assert!(stopped.status.success());
    let stopped: Value = serde_json::from_slice(&stopped.stdout).unwrap();
    assert_eq!(stopped["served"], format!("127.0.0.1:{port}"));

    // Listed with what it used; revoked by name with the PIN; gone.
    let (ok, listed) = run(dir.path(), &stack, None, &["apps", "list"]);
    assert!(ok, "{listed}");
    assert_eq!(listed[0]["name"], "Bot");
    assert_eq!(listed[0]["session"]["state"], "active");
    assert_eq!(listed[0]["session"]["remainingCalls"], 3);
    let (ok, unknown) = run(dir.path(), &stack, Some(PIN), &["apps", "revoke", "Nobody"]);
    assert!(
        !ok && unknown["error"]["kind"] == "InvalidInput",
        "{unknown}"
    );
    let (ok, wrong) = run(
        dir.path(),
        &stack,
        Some("000000"),
        &["apps", "revoke", "Bot"],
    );
    assert!(!ok && wrong["error"]["kind"] == "WrongPin", "{wrong}");
    let (ok, revoked) = run(dir.path(), &stack, Some(PIN), &["apps", "revoke", "Bot"]);
    assert!(ok, "{revoked}");
    assert_eq!(revoked["name"], "Bot");
    let (ok, none) = run(dir.path(), &stack, None, &["apps", "list"]);
    assert!(ok && none == json!([]), "{none}");
}
