//! Desktop notifications, as the app sends them on its own (the test setting records them in
//! the data folder instead of showing them): a session about to expire, tokens received while
//! nobody looks, and nothing once they are turned off in Settings.

use std::path::Path;
use std::time::{Duration, Instant};

use devnet_harness::STRK;
use local_stack::webdriver::{artifacts, start_xvfb, Driver};
use starknet::core::types::Felt;

use crate::{create_wallet, Chain, PIN, STRK_UNIT};

/// The notifications recorded so far.
fn recorded(file: &Path) -> String {
    std::fs::read_to_string(file).unwrap_or_default()
}

/// Waits (up to the status loop's minute and a margin) until the record has `what`.
async fn wait_for_notice(file: &Path, what: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        let text = recorded(file);
        if text.contains(what) {
            return text;
        }
        assert!(Instant::now() < deadline, "no notice {what:?}: {text:?}");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_app_notifies_an_ending_session_and_tokens_received_unless_turned_off() {
    let _one_app_at_a_time = crate::APP.lock().await;
    let chain = Chain::start().await;
    let node = &chain.stack.node;
    let (_xvfb, display) = start_xvfb();
    let home = tempfile::tempdir().unwrap();
    let env = chain.stack.app_env(Some("approve"), home.path());
    let dir = artifacts();
    let driver = Driver::start(&display, &env, &dir.join("tauri-driver-notices.log"));
    let ui = driver.launch(&dir).await;
    let record = home
        .path()
        .join("data/com.chipi.sessionwallet.test/notifications.txt");

    create_wallet(&ui, PIN).await;
    let address =
        Felt::from_hex(&ui.attr("wallet-address", "data-address").await.unwrap()).unwrap();
    node.send_erc20(STRK, address, 20 * STRK_UNIT)
        .await
        .unwrap();
    // A session of 12 minutes: within the 15 minutes before its end from the start.
    ui.click("nav-session").await;
    ui.fill("setup-hours", "0.2").await;
    ui.fill("setup-limit-call-STRK", "2").await;
    ui.fill("setup-limit-window-STRK", "10").await;
    ui.fill("setup-pin", PIN).await;
    ui.click("setup-confirm").await;
    ui.wait_text("session-state", |t| t == "active").await;
    let text = wait_for_notice(&record, "Your session ends soon: It ends in 1").await;
    assert!(text.contains("Tokens received: 20 STRK"), "{text}");
    assert!(!text.contains(PIN), "{text}");

    // Tokens received while the wallet sits on its home screen: announced by the status loop.
    node.send_erc20(STRK, address, 3 * STRK_UNIT).await.unwrap();
    wait_for_notice(&record, "Tokens received: 3 STRK").await;

    // Turned off: the next receipt is listed, not announced. Only the status loop looks for
    // receipts here (History stays closed), and it announces before the line reaches the screen.
    ui.click("open-settings").await;
    ui.click("settings-notifications").await;
    let deadline = Instant::now() + Duration::from_secs(30);
    while ui
        .find("settings-notifications")
        .await
        .prop("checked")
        .await
        .unwrap()
        .as_deref()
        != Some("false")
    {
        assert!(Instant::now() < deadline, "notifications stay on");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    ui.click("close-settings").await;
    let before = recorded(&record);
    node.send_erc20(STRK, address, 4 * STRK_UNIT).await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(90);
    while !ui.text("activity-item").await.contains("4 STRK") {
        assert!(Instant::now() < deadline, "the receipt was not listed");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    assert_eq!(
        recorded(&record),
        before,
        "nothing announced once turned off"
    );
    ui.close().await;
}
