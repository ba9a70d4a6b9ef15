//! An app uses a session of its own through the local wallet API, against the real app on
//! devnet: starknet.js's own `WalletAccount` over `clients/js` asks to pair; the approval
//! screen shows its name, origin and policy and takes the PIN; three transfers inside the
//! policy run with no prompt (balances read on chain); one over the limit and one to an
//! entrypoint the policy does not name are refused with the spec's code; the app is revoked on
//! the Session screen; its connection closes and its token opens nothing.

use std::process::Stdio;
use std::time::Duration;

use devnet_harness::STRK;
use local_stack::webdriver::{artifacts, start_xvfb, Driver};
use serde_json::Value;
use starknet::core::types::Felt;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

use crate::{create_wallet, Chain, PIN, RECIPIENT, STRK_UNIT};

/// A free loopback port for the app's API.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The script's next JSON line (it prints one per step), within two minutes.
async fn next_step(
    lines: &mut tokio::io::Lines<BufReader<tokio::process::ChildStdout>>,
    step: &str,
) -> Value {
    let line = tokio::time::timeout(Duration::from_secs(120), lines.next_line())
        .await
        .unwrap_or_else(|_| panic!("no {step:?} line from the app's script"))
        .unwrap()
        .unwrap_or_else(|| panic!("the app's script ended before {step:?}"));
    let value: Value = serde_json::from_str(&line).unwrap_or_else(|_| panic!("{line}"));
    assert_eq!(value["step"], step, "{value}");
    value
}

#[tokio::test(flavor = "multi_thread")]
async fn an_app_pairs_sends_within_its_policy_and_is_revoked() {
    let _one_app_at_a_time = crate::APP.lock().await;
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    assert!(
        root.join("clients/js/dist/index.js").exists(),
        "build the client first: npm --prefix clients/js run build"
    );
    let chain = Chain::start().await;
    let (_xvfb, display) = start_xvfb();
    let home = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut env = chain.stack.app_env(Some("approve"), home.path());
    env.push(("CHIPI_WALLET_API_PORT", port.to_string()));
    let dir = artifacts();
    let driver = Driver::start(&display, &env, &dir.join("tauri-driver-apps.log"));
    let ui = driver.launch(&dir).await;

    create_wallet(&ui, PIN).await;
    let address = ui.attr("wallet-address", "data-address").await.unwrap();
    chain
        .stack
        .node
        .mint_strk(Felt::from_hex(&address).unwrap(), 50 * STRK_UNIT)
        .await
        .unwrap();
    // The API is off until the user turns it on.
    assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_err());
    ui.click("open-settings").await;
    ui.click("settings-wallet-api").await;
    ui.wait_attr("settings-wallet-api", "checked", |c| c == "true")
        .await;
    ui.click("close-settings").await;

    let before = chain.recipient_balance().await;
    let mut app = tokio::process::Command::new("node")
        .arg("--experimental-websocket")
        .arg(root.join("tests/js/app_session.mjs"))
        .arg(format!("ws://127.0.0.1:{port}/"))
        .arg(&chain.stack.network.rpc_url)
        .arg(format!("{STRK:#x}"))
        .arg(RECIPIENT)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(app.stdout.take().unwrap()).lines();

    // The approval: the app's words as its claims, the policy in the token's units.
    ui.find("pairing").await;
    assert_eq!(ui.text("pairing-name").await, "“Game”");
    assert!(ui
        .text("pairing-origin")
        .await
        .contains("a program on this computer"));
    assert!(ui
        .text("pairing-allowed")
        .await
        .starts_with("transfer on STRK"));
    assert_eq!(
        ui.text("pairing-limits").await,
        "at most 2 STRK per transfer, 6 STRK per 1 h"
    );
    assert!(ui.text("pairing-terms").await.contains("10 calls"));
    ui.screenshot("apps-01-pairing").await;
    ui.fill("pairing-pin", "wrong-pin").await;
    ui.click("pairing-approve").await;
    crate::refused_with(&ui, "WrongPin").await;
    ui.fill("pairing-pin", PIN).await;
    ui.click("pairing-approve").await;
    ui.wait_gone("pairing").await;
    let paired = next_step(&mut lines, "paired").await;
    assert_eq!(paired["tokenLength"], 68, "cwp_ and 64 hex digits");

    // Three transfers with no prompt; the over-limit one and the approve refused (113).
    let sent = next_step(&mut lines, "sent").await;
    assert_eq!(
        Felt::from_hex(sent["address"].as_str().unwrap()).unwrap(),
        Felt::from_hex(&address).unwrap(),
        "WalletAccount took the wallet's account"
    );
    assert_eq!(sent["hashes"].as_array().unwrap().len(), 3, "{sent}");
    assert_eq!(sent["over"]["code"], 113, "{sent}");
    assert!(sent["over"]["data"].to_string().contains("STRK"), "{sent}");
    assert_eq!(sent["approve"]["code"], 113, "{sent}");
    assert!(!ui.present("pairing").await, "no prompt inside the policy");
    assert_eq!(chain.recipient_balance().await - before, 3 * STRK_UNIT);

    // The Session screen lists it with what it used; revoked there with the PIN.
    ui.click("nav-session").await;
    ui.wait_text("app-calls", |t| t == "7 of 10").await;
    assert!(ui.text("app-spent").await.starts_with("3 of 6 STRK"));
    ui.screenshot("apps-02-listed").await;
    ui.fill("app-revoke-pin", PIN).await;
    ui.click("app-revoke").await;
    ui.wait_gone("app-card").await;

    let stdin = app.stdin.as_mut().unwrap();
    stdin.write_all(b"again\n").await.unwrap();
    stdin.flush().await.unwrap();
    let after = next_step(&mut lines, "after-revoke").await;
    assert_eq!(
        after["closed"]["code"], 163,
        "the connection closed: {after}"
    );
    assert!(
        after["closed"]["data"].to_string().contains("4001"),
        "{after}"
    );
    assert_eq!(after["byToken"]["code"], 113, "{after}");
    assert_eq!(after["byToken"]["status"], 401, "{after}");
    assert_eq!(chain.recipient_balance().await - before, 3 * STRK_UNIT);
    let _ = app.wait().await;
    ui.close().await;
}
