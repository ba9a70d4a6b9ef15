//! Killing the app in the middle of a transfer: the transaction was sent and its hash recorded,
//! the receipt not yet read. Started again, the app shows the transfer's real outcome.

use std::process::Command;
use std::time::{Duration, Instant};

use starknet::core::types::Felt;

use local_stack::webdriver::{app_binary, artifacts, start_xvfb, Driver};

use local_stack::fault_proxy::{self, Fault};

use crate::{create_wallet, set_up_session, transfer, Chain, PIN, STRK_UNIT};

#[tokio::test(flavor = "multi_thread")]
async fn killing_the_app_mid_transfer_shows_the_real_outcome() {
    let _one_app_at_a_time = crate::APP.lock().await;
    let chain = Chain::start().await;
    let (rpc, stall) = fault_proxy::start(chain.stack.rpc_url()).await.unwrap();
    let (_xvfb, display) = start_xvfb();
    let home = tempfile::tempdir().unwrap();
    let dir = artifacts();
    // The app reaches the node through the forwarder.
    let mut network = chain.stack.network.clone();
    network.rpc_url = rpc;
    let env = local_stack::app_env(&network, Some("approve"), home.path());
    let driver = Driver::start(&display, &env, &dir.join("tauri-driver-recovery.log"));
    let ui = driver.launch(&dir).await;
    create_wallet(&ui, PIN).await;
    ui.wait_text("session-state", |t| t == "none").await;
    let address =
        Felt::from_hex(&ui.attr("wallet-address", "data-address").await.unwrap()).unwrap();
    chain
        .stack
        .node
        .mint_strk(address, 50 * STRK_UNIT)
        .await
        .unwrap();
    set_up_session(&ui, PIN).await;
    ui.wait_text("session-state", |t| t == "active").await;
    let before = chain.recipient_balance().await;

    // The node stops reporting receipts to the app; the transfer is sent and waits.
    stall.set_for("starknet_getTransactionReceipt", Fault::Hold);
    transfer(&ui, "1").await;
    let deadline = Instant::now() + Duration::from_secs(60);
    while stall.hits() == 0 {
        assert!(
            Instant::now() < deadline,
            "the app never asked for the receipt"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    ui.find("transfer-progress").await;
    ui.screenshot("10-in-flight").await;

    // Killed without warning while it waits.
    let app = app_binary();
    let killed = Command::new("pkill")
        .args(["-KILL", "-f", &app.display().to_string()])
        .status()
        .unwrap();
    assert!(killed.success(), "the app was running");
    ui.abandon().await;
    // On chain, the transfer happened.
    assert_eq!(chain.recipient_balance().await, before + STRK_UNIT);
    stall.clear();

    // Started again (locked, then unlocked): the transfer shows as succeeded, with one call
    // fewer on the card.
    let ui = driver.launch(&dir).await;
    ui.fill("unlock-pin", PIN).await;
    ui.click("unlock-submit").await;
    ui.wait_text("remaining-calls", |t| t == "4").await;
    let item = ui.wait_text("activity-item", |t| t.contains("Sent")).await;
    assert!(item.contains("1 STRK"), "{item}");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let status = ui.attr_now("activity-item", "data-status").await;
        if status.as_deref() == Some("succeeded") {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the transfer still shows {status:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    ui.screenshot("11-recovered").await;
    ui.close().await;
}

/// The sponsor is down when the wallet is made: the error says so, the wallet is kept, and the
/// home screen offers the deployment; once the sponsor is back, the PIN deploys it.
#[tokio::test(flavor = "multi_thread")]
async fn a_failed_deployment_is_offered_on_the_home_screen() {
    let _one_app_at_a_time = crate::APP.lock().await;
    let chain = Chain::start().await;
    let (sponsor, faults) = fault_proxy::start(chain.stack.sponsor_url.clone())
        .await
        .unwrap();
    let (_xvfb, display) = start_xvfb();
    let home = tempfile::tempdir().unwrap();
    let dir = artifacts();
    let mut network = chain.stack.network.clone();
    network.sponsor_url = Some(sponsor);
    let env = local_stack::app_env(&network, Some("approve"), home.path());
    let driver = Driver::start(&display, &env, &dir.join("tauri-driver-deploy.log"));
    let ui = driver.launch(&dir).await;
    faults.set(Fault::Down);
    ui.fill("onboard-pin", PIN).await;
    ui.fill("onboard-pin-again", PIN).await;
    ui.click("create-wallet").await;
    let detail = crate::refused_with(&ui, "Network").await;
    assert!(detail.contains("unavailable"), "{detail}");
    ui.find("deploy-card").await;
    let address =
        Felt::from_hex(&ui.attr("wallet-address", "data-address").await.unwrap()).unwrap();
    ui.screenshot("12-not-deployed").await;
    assert!(
        chain.stack.node.nonce(address).await.is_err(),
        "nothing on chain yet"
    );

    faults.clear();
    ui.fill("deploy-pin", PIN).await;
    ui.click("deploy-submit").await;
    ui.wait_gone("deploy-card").await;
    assert!(chain.stack.node.nonce(address).await.is_ok(), "deployed");
    ui.wait_text("activity-item", |t| t.contains("Wallet deployed"))
        .await;
    assert_eq!(
        ui.attr("activity-item", "data-status").await.as_deref(),
        Some("succeeded")
    );
    ui.close().await;
}
