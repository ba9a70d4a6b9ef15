//! End to end: the real app (debug build, test config) driven through WebDriver under Xvfb, on a
//! fresh devnet with our account class and the project's sponsor, with the OS keychain (run
//! under `scripts/with-keychain`, as `scripts/test` does). Elements are found only by
//! `data-testid`. Screenshots of each step go to `target/e2e-artifacts/`.

mod apps;
mod installed;
mod notices;
mod recovery;
mod screens;
mod settings;
mod updates;
mod wallet;

/// One app (and one WebKit) at a time: the machines have two cores.
static APP: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

use devnet_harness::STRK;
use fantoccini::Locator;
use local_stack::webdriver::{artifacts, start_xvfb, Driver, Ui};
use local_stack::LocalStack;
use starknet::core::types::Felt;

const PIN: &str = "e2e-Pin#42";
const RECIPIENT: &str = "0x1234abcd";
const STRK_UNIT: u128 = 1_000_000_000_000_000_000;

/// The local stack and the test's view of it.
struct Chain {
    stack: LocalStack,
}

impl Chain {
    async fn start() -> Self {
        Self {
            stack: LocalStack::start().await.unwrap(),
        }
    }

    async fn recipient_balance(&self) -> u128 {
        self.stack
            .node
            .erc20_balance(STRK, Felt::from_hex(RECIPIENT).unwrap())
            .await
            .unwrap()
    }
}

/// The onboarding screen, with the local network picked.
async fn onboarding_on_local(ui: &Ui) {
    ui.find("onboarding").await;
    let network = ui.find("network-select").await;
    assert_eq!(
        network.prop("value").await.unwrap().as_deref(),
        Some("local")
    );
}

/// The banner's kind after an action that must fail.
async fn refused_with(ui: &Ui, kind: &str) -> String {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        if let Some(shown) = ui.attr_now("error-banner", "data-kind").await {
            assert_eq!(shown, kind, "{}", ui.text("error-detail").await);
            let detail = ui.text("error-detail").await;
            assert!(!detail.is_empty());
            return detail;
        }
        if std::time::Instant::now() >= deadline {
            ui.screenshot(&format!("failed-no-{kind}")).await;
            panic!("no {kind} error was shown");
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// Creates the wallet with `pin` typed twice; waits for the home screen.
async fn create_wallet(ui: &Ui, pin: &str) {
    ui.fill("onboard-pin", pin).await;
    ui.fill("onboard-pin-again", pin).await;
    ui.click("create-wallet").await;
    ui.wait_text("session-state", |t| t == "none").await;
}

async fn set_up_session(ui: &Ui, pin: &str) {
    ui.click("nav-session").await;
    ui.fill("setup-hours", "1").await;
    ui.fill("setup-max-calls", "5").await;
    ui.fill("setup-limit-call-STRK", "2").await;
    ui.fill("setup-limit-window-STRK", "10").await;
    ui.fill("setup-pin", pin).await;
    let summary = ui.text("setup-summary").await;
    assert!(
        summary.contains("5 times") && summary.contains("at most 2 STRK per transfer"),
        "{summary}"
    );
    ui.click("setup-confirm").await;
}

/// The send form filled with `amount` STRK to the recipient, up to the review step.
async fn transfer_review(ui: &Ui, amount: &str) {
    // STRK is the first token; WebKitGTK draws a <select>'s list as a native popup, which
    // WebDriver cannot drive, so the choice is read rather than clicked.
    // Read in one script: a status event may re-render the form between a find and a read.
    ui.click("nav-send").await;
    ui.find("transfer-token").await;
    let token = ui
        .script("return document.querySelector('[data-testid=\"transfer-token\"]').value")
        .await;
    assert_eq!(token.as_str(), Some("STRK"));
    ui.fill("transfer-recipient", RECIPIENT).await;
    ui.fill("transfer-amount", amount).await;
    ui.click("transfer-submit").await;
    // The review step shows what the confirm button sends.
    let review = ui.text("review-amount").await;
    assert_eq!(review, format!("{amount} STRK"));
}

/// A transfer of `amount` STRK to the recipient, reviewed and confirmed.
async fn transfer(ui: &Ui, amount: &str) {
    transfer_review(ui, amount).await;
    ui.click("transfer-confirm").await;
}

/// After a transfer went through: the success screen's hash, then Done back to the home screen.
async fn transfer_done(ui: &Ui) -> String {
    let hash = ui.wait_text("transfer-hash", |t| t.starts_with("0x")).await;
    ui.click("transfer-done").await;
    ui.find("balances").await;
    hash
}

#[tokio::test(flavor = "multi_thread")]
async fn the_app_end_to_end() {
    let _one_app_at_a_time = APP.lock().await;
    let chain = Chain::start().await;
    let (_xvfb, display) = start_xvfb();
    let home = tempfile::tempdir().unwrap();
    let dir = artifacts();
    let env = chain.stack.app_env(Some("approve"), home.path());
    let driver = Driver::start(&display, &env, &dir.join("tauri-driver.log"));
    let ui = driver.launch(&dir).await;

    // Onboarding: the local network is picked; a bad PIN is refused; a wallet is created and
    // deployed without gas.
    onboarding_on_local(&ui).await;
    ui.screenshot("01-onboarding").await;
    // A PIN too short, or typed differently twice, is refused as it is typed: the button stays
    // disabled and the reason is shown.
    ui.find("pin-warning").await;
    ui.fill("onboard-pin", "12").await;
    ui.fill("onboard-pin-again", "12").await;
    assert!(ui.text("onboard-validation").await.contains("at least 6"));
    assert_eq!(
        ui.attr("create-wallet", "disabled").await.as_deref(),
        Some("true")
    );
    ui.fill("onboard-pin", PIN).await;
    ui.fill("onboard-pin-again", "e2e-Pin#43").await;
    assert!(ui.text("onboard-validation").await.contains("differ"));
    create_wallet(&ui, PIN).await;
    let address = ui.attr("wallet-address", "data-address").await.unwrap();
    chain
        .stack
        .node
        .mint_strk(Felt::from_hex(&address).unwrap(), 50 * STRK_UNIT)
        .await
        .unwrap();
    // The test config's own data directory holds the app's store.
    assert!(home
        .path()
        .join("data/com.chipi.sessionwallet.test/prefs.json")
        .exists());
    assert!(!home.path().join("data/com.chipi.sessionwallet").exists());

    // A wrong PIN shows its error and changes nothing.
    set_up_session(&ui, "wrong-pin").await;
    refused_with(&ui, "WrongPin").await;
    assert_eq!(ui.text("session-state").await, "none");
    ui.screenshot("02-wrong-pin").await;

    // Set up a session with a spending limit.
    set_up_session(&ui, PIN).await;
    ui.wait_text("session-state", |t| t == "active").await;
    assert_eq!(ui.text("remaining-calls").await, "5");
    assert_eq!(
        ui.attr("remaining-bar", "value").await.as_deref(),
        Some("5")
    );
    let rules = ui.text("session-rules").await;
    assert!(
        rules.contains("only transfer") && rules.contains("at most 2 STRK per transfer"),
        "{rules}"
    );
    assert!(ui.text("expiry-countdown").await.contains("left"));
    ui.screenshot("03-active-session").await;

    // Validation as you type: too many decimals disables the button.
    ui.click("nav-send").await;
    ui.fill("transfer-amount", "1.0000000000000000001").await;
    assert!(!ui.text("transfer-validation").await.is_empty());
    assert_eq!(
        ui.find("transfer-submit")
            .await
            .prop("disabled")
            .await
            .unwrap()
            .as_deref(),
        Some("true")
    );

    // A gasless transfer: the recipient's balance on chain changed; one call fewer on screen.
    let before = chain.recipient_balance().await;
    transfer(&ui, "1.5").await;
    ui.find("transfer-result").await;
    ui.screenshot("04-transfer-done").await;
    let hash = transfer_done(&ui).await;
    assert!(hash.len() > 10);
    ui.wait_text("remaining-calls", |t| t == "4").await;
    assert_eq!(
        chain.recipient_balance().await,
        before + 15 * STRK_UNIT / 10
    );

    // Above the limit: refused with its message, nothing sent.
    transfer(&ui, "3").await;
    let detail = refused_with(&ui, "SpendingLimit").await;
    assert_eq!(
        detail,
        "3 STRK is over the session's limit: at most 2 STRK per transfer now"
    );
    assert_eq!(
        chain.recipient_balance().await,
        before + 15 * STRK_UNIT / 10
    );
    ui.screenshot("05-over-limit").await;
    ui.click("nav-home").await;
    assert_eq!(ui.text("remaining-calls").await, "4");

    // Past the expiry on the node: the card shows expired and execution is refused.
    chain.stack.node.increase_time(3_700).await.unwrap();
    ui.click("nav-home").await;
    ui.click("refresh-status").await;
    ui.wait_text("session-state", |t| t == "expired").await;
    assert_eq!(ui.text("expiry-countdown").await, "expired");
    transfer(&ui, "1").await;
    refused_with(&ui, "SessionExpired").await;
    assert_eq!(
        chain.recipient_balance().await,
        before + 15 * STRK_UNIT / 10
    );
    ui.screenshot("06-expired").await;

    // A new session.
    set_up_session(&ui, PIN).await;
    ui.wait_text("session-state", |t| t == "active").await;
    assert_eq!(ui.text("remaining-calls").await, "5");

    // Restart: locked. The lock screen shows the network and the unlock form, nothing of the
    // wallet (no address, balance, session or history in the page at all).
    ui.close().await;
    let ui = driver.launch(&dir).await;
    ui.find("unlock-form").await;
    assert_eq!(ui.text("lock-network").await, "local");
    // The PIN field has the focus: typing unlocks.
    let focused = ui.client.active_element().await.unwrap();
    assert_eq!(
        focused.attr("data-testid").await.unwrap().as_deref(),
        Some("unlock-pin")
    );
    let locked = ui.script("return document.body.innerText").await;
    let locked = locked.as_str().unwrap();
    for shown in ["STRK", "calls", "0x", "active"] {
        assert!(
            !locked.contains(shown),
            "the lock screen shows {shown:?}: {locked}"
        );
    }
    let markup = ui.script("return document.documentElement.outerHTML").await;
    let markup = markup.as_str().unwrap().to_lowercase();
    let short = format!("…{}", &address[address.len() - 4..]).to_lowercase();
    assert!(
        !markup.contains(&address.to_lowercase()[3..]) && !markup.contains(&short),
        "the address is in the locked page"
    );
    ui.screenshot("07-restored").await;
    // Settings stay reachable (a restore or a network when it does not open), still without the
    // address.
    ui.click("lock-settings").await;
    ui.find("settings").await;
    let settings = ui.script("return document.documentElement.outerHTML").await;
    assert!(!settings
        .as_str()
        .unwrap()
        .to_lowercase()
        .contains(&address.to_lowercase()[3..]));
    ui.click("close-settings").await;
    ui.fill("unlock-pin", PIN).await;
    ui.click("unlock-submit").await;
    // Unlocking runs Argon2id off the UI thread: the form closes once the key is open; the
    // session was restored, still active.
    ui.wait_gone("unlock-form").await;
    ui.wait_text("session-state", |t| t == "active").await;
    ui.wait_text("remaining-calls", |t| t == "5").await;
    transfer(&ui, "1").await;
    transfer_done(&ui).await;
    ui.wait_text("remaining-calls", |t| t == "4").await;
    assert_eq!(
        chain.recipient_balance().await,
        before + 25 * STRK_UNIT / 10
    );

    // Revoke: the form says which session it ends; execution refused afterwards.
    ui.click("nav-session").await;
    let what = ui.text("revoke-what").await;
    assert!(
        what.contains("only transfer") && what.contains("4 calls left"),
        "{what}"
    );
    ui.fill("revoke-pin", PIN).await;
    ui.click("revoke-submit").await;
    ui.wait_text("session-state", |t| t == "revoked").await;
    assert!(!ui.present("revoke-submit").await);
    assert!(ui.text("session-rules").await.starts_with("Revoked"));
    ui.client
        .execute("window.scrollTo(0, 0)", vec![])
        .await
        .unwrap();
    ui.screenshot("08-revoked").await;
    transfer(&ui, "1").await;
    refused_with(&ui, "SessionRevoked").await;
    assert_eq!(
        chain.recipient_balance().await,
        before + 25 * STRK_UNIT / 10
    );
    ui.screenshot("09-refused-after-revoke").await;

    // The page never holds the PIN in its markup; the activity list shows what happened.
    let markup = ui.script("return document.documentElement.outerHTML").await;
    assert!(!markup.as_str().unwrap().contains(PIN));
    ui.click("nav-history").await;
    ui.find("history-list").await;
    let items = ui
        .client
        .find_all(Locator::Css("[data-testid=\"history-item\"]"))
        .await
        .unwrap();
    assert!(items.len() >= 4, "{} activity items", items.len());
    ui.close().await;
}
