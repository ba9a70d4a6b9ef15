//! The sandbox command, seen through the app: run under `scripts/with-keychain` (as
//! `scripts/test` does), with the app built (`cargo test --workspace` builds it).

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use devnet_harness::spawn_with_first_line;
use local_stack::webdriver::{artifacts, start_xvfb, Driver, Process};
use serde_json::Value;
use starknet_core::types::Felt;

/// `sandbox --no-app` brings up node, sponsor and the demo wallet; the app started with the
/// environment it prints opens on the demo wallet with an active session and both tokens.
#[tokio::test(flavor = "multi_thread")]
async fn the_sandbox_brings_up_an_active_demo_wallet() {
    let exe = std::env::current_exe().unwrap();
    let bin = exe.parent().unwrap().parent().unwrap().join("sandbox");
    assert!(
        bin.exists(),
        "{} is missing: cargo test --workspace builds it",
        bin.display()
    );
    let data = tempfile::tempdir().unwrap();
    let (child, line) = spawn_with_first_line(
        Command::new(bin)
            .args(["--no-app", "--data-dir"])
            .arg(data.path().join("sandbox"))
            .stderr(Stdio::inherit()),
    )
    .unwrap();
    let sandbox = Process::new(child);
    let ready: Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line:?}"));
    let rpc = ready["rpc_url"].as_str().unwrap().to_owned();
    assert!(rpc.starts_with("http://127.0.0.1:"), "{rpc}");
    assert!(ready["sponsor_url"]
        .as_str()
        .unwrap()
        .starts_with("http://127.0.0.1:"));

    let env: Vec<(&str, String)> = ready["env"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (leak(k), v.as_str().unwrap().to_owned()))
        .collect();
    let (_xvfb, display) = start_xvfb();
    let dir = artifacts();
    let driver = Driver::start(&display, &env, &dir.join("tauri-driver-sandbox.log"));
    let ui = driver.launch(&dir).await;
    // It opens locked, on the local network; the demo PIN it printed opens it.
    ui.find("unlock-form").await;
    assert_eq!(ui.text("lock-network").await, "local");
    ui.fill("unlock-pin", ready["pin"].as_str().unwrap()).await;
    ui.click("unlock-submit").await;
    ui.wait_text("session-state", |t| t == "active").await;
    assert_eq!(ui.text("remaining-calls").await, "20");
    assert_eq!(
        Felt::from_hex(&ui.attr("wallet-address", "data-address").await.unwrap()).unwrap(),
        Felt::from_hex(ready["wallet"].as_str().unwrap()).unwrap()
    );
    assert_eq!(ui.text("network-name").await, "local");
    let rules = ui.text("session-rules").await;
    assert!(
        rules.contains("5 STRK") && rules.contains("100 USDC"),
        "{rules}"
    );
    // Thousands grouped with a thin space.
    ui.wait_text("balance-USDC", |t| t == "1\u{2009}000").await;
    ui.screenshot("sandbox").await;
    ui.close().await;
    drop(driver);

    // Ctrl-C stops everything it started: the node no longer answers.
    sandbox.interrupt();
    let deadline = Instant::now() + Duration::from_secs(20);
    while reqwest::get(format!("{}/../is_alive", rpc.trim_end_matches('/')))
        .await
        .is_ok()
    {
        assert!(
            Instant::now() < deadline,
            "the node still runs after Ctrl-C"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(
        !data.path().join("sandbox").exists(),
        "the demo data was removed"
    );
}

fn leak(s: &str) -> &'static str {
    Box::leak(s.to_owned().into_boxed_str())
}

/// Ctrl-C while the sandbox is still setting up (before it is ready): it stops through its own
/// path, exits successfully, and leaves no starknet-devnet running (the default handler would
/// end the process and orphan the node, about 500 MB).
#[test]
fn ctrl_c_during_the_set_up_leaves_no_node_behind() {
    let data = tempfile::tempdir().unwrap();
    let (mut sandbox, node) = sandbox_with_node(data.path());
    let pid = sandbox.id();
    let interrupted = Command::new("kill")
        .args(["-INT", &pid.to_string()])
        .status()
        .unwrap();
    assert!(interrupted.success());
    let status = sandbox.wait().unwrap();
    assert!(status.success(), "the sandbox stopped with {status}");
    assert!(
        !std::path::Path::new(&format!("/proc/{node}")).exists(),
        "starknet-devnet ({node}) still runs after the sandbox stopped"
    );
    assert!(
        !data.path().join("sandbox").exists(),
        "its data directory is removed"
    );
}

/// A sandbox killed outright (SIGKILL: no handler runs) still takes its node with it: the node
/// runs under a parent-death signal.
#[test]
fn a_sandbox_killed_outright_leaves_no_node_behind() {
    let data = tempfile::tempdir().unwrap();
    let (mut sandbox, node) = sandbox_with_node(data.path());
    sandbox.kill().unwrap();
    sandbox.wait().unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while running(node) {
        assert!(
            Instant::now() < deadline,
            "starknet-devnet ({node}) still runs after its sandbox was killed"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// `sandbox --no-app` on a data directory in `dir`, once it has started its node (whose pid
/// comes with it).
#[allow(clippy::zombie_processes)] // handed to the caller, which waits for it
fn sandbox_with_node(dir: &std::path::Path) -> (std::process::Child, u32) {
    let exe = std::env::current_exe().unwrap();
    let bin = exe.parent().unwrap().parent().unwrap().join("sandbox");
    let mut sandbox = Command::new(bin)
        .args(["--no-app", "--data-dir"])
        .arg(dir.join("sandbox"))
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some((node, _)) = children_of(sandbox.id())
            .into_iter()
            .find(|(_, command)| command.contains("starknet-devnet"))
        {
            return (sandbox, node);
        }
        if Instant::now() >= deadline {
            let _ = sandbox.kill();
            let _ = sandbox.wait();
            panic!("the sandbox started no node");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Whether process `pid` exists and is not a zombie waiting for a parent to reap it.
fn running(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|stat| {
            let state = stat
                .rsplit_once(')')?
                .1
                .split_whitespace()
                .next()?
                .to_owned();
            Some(state != "Z" && state != "X")
        })
        .unwrap_or(false)
}

/// The processes whose parent is `pid`, with their command lines (Linux `/proc`).
fn children_of(pid: u32) -> Vec<(u32, String)> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return vec![];
    };
    entries
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter_map(|child| {
            let stat = std::fs::read_to_string(format!("/proc/{child}/stat")).ok()?;
            // `pid (comm) state ppid …`: comm may hold spaces, so read after its last ')'.
            let after = stat.rsplit_once(')')?.1;
            let parent: u32 = after.split_whitespace().nth(1)?.parse().ok()?;
            let command = std::fs::read(format!("/proc/{child}/cmdline")).ok()?;
            (parent == pid).then(|| (child, String::from_utf8_lossy(&command).into_owned()))
        })
        .collect()
}
