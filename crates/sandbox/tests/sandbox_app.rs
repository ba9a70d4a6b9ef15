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
    ui.wait_text("session-state", |t| t == "active").await;
    assert_eq!(ui.text("remaining-calls").await, "20");
    assert_eq!(
        Felt::from_hex(&ui.text("wallet-address").await).unwrap(),
        Felt::from_hex(ready["wallet"].as_str().unwrap()).unwrap()
    );
    assert_eq!(ui.text("network-name").await, "local");
    let rules = ui.text("session-rules").await;
    assert!(
        rules.contains("5 STRK") && rules.contains("100 USDC"),
        "{rules}"
    );
    ui.wait_text("balance-USDC", |t| t == "1000").await;
    ui.find("unlock-form").await;
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
