//! The wallet's screens, driven as a user would: balances on both sides of a transfer, a session
//! approved for two tokens with each refused above its own limit, the calls bar and countdown,
//! history with tokens received and the explorer link (captured by the test setting), a
//! keyboard-only transfer, backup → removal → restore → a new session, biometric unlock turned
//! on and used (the scripted check), auto-lock after a short
//! idle time, and an accessibility check (axe-core) of every screen.

use std::path::Path;
use std::time::{Duration, Instant};

use devnet_harness::STRK;
use fantoccini::key::Key;
use local_stack::webdriver::{artifacts, start_xvfb, Driver, Ui};
use starknet::core::types::Felt;

use crate::{create_wallet, refused_with, Chain, PIN, RECIPIENT, STRK_UNIT};

pub(crate) const EXPLORER: &str = "https://explorer.test/tx/";
use chipi_session::network::ETH;
const PASSPHRASE: &str = "backup passphrase 1";

/// Runs axe-core in the page; fails on any serious or critical violation, or on a page wider
/// than the window (a long address that does not wrap).
pub(crate) async fn accessible(ui: &Ui, screen: &str) {
    let width = ui
        .script("return [document.documentElement.scrollWidth, window.innerWidth]")
        .await;
    let [scroll, window] = [&width[0], &width[1]].map(|v| v.as_u64().unwrap());
    if scroll > window {
        ui.screenshot(&format!("failed-width-{screen}")).await;
    }
    assert!(
        scroll <= window,
        "{screen} is {scroll} px wide in a {window} px window"
    );
    let axe = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/node_modules/axe-core/axe.min.js"),
    )
    .expect("axe-core is installed with the UI's packages");
    ui.client
        .execute(&format!("{axe}\nreturn true;"), vec![])
        .await
        .unwrap();
    let found = ui
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, { resultTypes: ['violations'] }).then((r) => done(
               r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
                 .map((v) => v.id + ' ' + v.nodes.map((n) => n.target.join(' ')).join(', '))));",
            vec![],
        )
        .await
        .unwrap();
    let found = found.as_array().cloned().unwrap_or_default();
    if !found.is_empty() {
        ui.screenshot(&format!("failed-axe-{screen}")).await;
    }
    assert!(found.is_empty(), "{screen}: {found:?}");
}

/// Picks `value` in the `<select>` `testid` (WebKitGTK draws its list natively).
async fn choose(ui: &Ui, testid: &str, value: &str) {
    ui.script(&format!(
        "const s = document.querySelector('[data-testid=\"{testid}\"]'); s.value = '{value}';
         s.dispatchEvent(new Event('change', {{ bubbles: true }})); return s.value;"
    ))
    .await;
}

/// Sets a field's value as a paste would.
async fn paste(ui: &Ui, testid: &str, text: &str) {
    ui.client
        .execute(
            &format!(
                "const t = document.querySelector('[data-testid=\"{testid}\"]'); t.value = arguments[0];
                 t.dispatchEvent(new Event('input', {{ bubbles: true }})); return true;"
            ),
            vec![serde_json::Value::String(text.to_owned())],
        )
        .await
        .unwrap();
}

async fn send(ui: &Ui, token: &str, amount: &str) {
    ui.click("nav-send").await;
    choose(ui, "transfer-token", token).await;
    ui.fill("transfer-recipient", RECIPIENT).await;
    ui.fill("transfer-amount", amount).await;
    ui.click("transfer-submit").await;
    assert_eq!(ui.text("review-amount").await, format!("{amount} {token}"));
    ui.click("transfer-confirm").await;
}

async fn wait_for(what: &str, mut ok: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !ok() {
        assert!(Instant::now() < deadline, "{what}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_wallet_screens() {
    let _one_app_at_a_time = crate::APP.lock().await;
    let chain = Chain::start().await;
    let node = &chain.stack.node;
    let (_xvfb, display) = start_xvfb();
    let home = tempfile::tempdir().unwrap();
    let dir = artifacts();
    let mut env = chain.stack.app_env(Some("approve"), home.path());
    env.push(("CHIPI_EXPLORER_TX_URL", EXPLORER.into()));
    let driver = Driver::start(&display, &env, &dir.join("tauri-driver-wallet.log"));
    let ui = driver.launch(&dir).await;
    let data = home.path().join("data/com.chipi.sessionwallet.test");

    ui.find("onboarding").await;
    accessible(&ui, "onboarding").await;
    create_wallet(&ui, PIN).await;
    // The header shows it short; the whole address (64 digits, in the checksum's mixed case) is
    // its tooltip and what Copy copies.
    let full = ui.attr("wallet-address", "data-address").await.unwrap();
    assert_eq!(full.len(), 66, "{full}");
    assert_ne!(full, full.to_lowercase(), "{full}");
    assert_eq!(
        ui.attr("wallet-address", "title").await.as_deref(),
        Some(full.as_str())
    );
    let short = ui.text("wallet-address").await;
    assert_eq!(short, format!("{}…{}", &full[..6], &full[62..]));
    let address = Felt::from_hex(&full).unwrap();

    // Tokens received from another account: the balances and the history show them.
    node.send_erc20(STRK, address, 50 * STRK_UNIT)
        .await
        .unwrap();
    node.send_erc20(ETH, address, STRK_UNIT).await.unwrap();
    ui.click("refresh-status").await;
    ui.wait_text("balance-STRK", |t| t == "50").await;
    ui.wait_text("balance-ETH", |t| t == "1").await;
    accessible(&ui, "home").await;
    ui.screenshot("30-home").await;
    ui.click("receive").await;
    ui.find("receive-qr").await;
    assert_eq!(ui.text("receive-address").await, full);
    // History looks for tokens received when it opens.
    ui.click("nav-history").await;
    let received = ui
        .wait_text("history-item", |t| t.contains("Received"))
        .await;
    assert!(
        received.contains("ETH") || received.contains("STRK"),
        "{received}"
    );
    assert_eq!(
        ui.attr("history-item", "data-kind").await.as_deref(),
        Some("receive")
    );
    accessible(&ui, "history").await;
    ui.click("history-item-link").await;
    let opened = data.join("opened-urls.txt");
    wait_for("the explorer link was opened", || opened.exists()).await;
    let url = std::fs::read_to_string(&opened).unwrap();
    assert!(url.starts_with(&format!("{EXPLORER}0x")), "{url}");
    ui.screenshot("31-history").await;

    // The approval screen: both tokens held are offered, each with its own limits.
    ui.click("nav-session").await;
    for token in ["STRK", "ETH"] {
        let checked = ui
            .find(&format!("setup-token-{token}"))
            .await
            .prop("checked")
            .await
            .unwrap();
        assert_eq!(checked.as_deref(), Some("true"), "{token} is offered");
    }
    ui.fill("setup-hours", "1").await;
    ui.fill("setup-max-calls", "10").await;
    ui.fill("setup-limit-call-STRK", "2").await;
    ui.fill("setup-limit-window-STRK", "10").await;
    ui.fill("setup-limit-call-ETH", "0.1").await;
    ui.fill("setup-limit-window-ETH", "0.5").await;
    let summary = ui.text("setup-summary").await;
    assert!(
        summary.contains("10 times")
            && summary.contains("at most 2 STRK per transfer and 10 STRK per hour")
            && summary.contains("at most 0.1 ETH per transfer and 0.5 ETH per hour"),
        "{summary}"
    );
    accessible(&ui, "session").await;
    ui.screenshot("32-approve").await;
    ui.fill("setup-pin", PIN).await;
    ui.click("setup-confirm").await;
    ui.wait_text("session-state", |t| t == "active").await;
    assert_eq!(ui.text("remaining-calls").await, "10");
    assert_eq!(ui.attr("remaining-bar", "max").await.as_deref(), Some("10"));
    assert!(ui.text("expiry-countdown").await.contains("left"));
    assert!(!ui.text("expiry-date").await.is_empty());

    // Each token refused above its own limit, in whole units; nothing sent.
    send(&ui, "STRK", "3").await;
    let detail = refused_with(&ui, "SpendingLimit").await;
    assert_eq!(
        detail,
        "3 STRK is over the session's limit: at most 2 STRK per transfer now"
    );
    ui.click("error-dismiss").await;
    send(&ui, "ETH", "0.2").await;
    let detail = refused_with(&ui, "SpendingLimit").await;
    assert_eq!(
        detail,
        "0.2 ETH is over the session's limit: at most 0.1 ETH per transfer now"
    );
    ui.click("error-dismiss").await;
    accessible(&ui, "send").await;
    ui.click("nav-home").await;
    assert_eq!(ui.text("remaining-calls").await, "10");

    // A transfer typed and sent from the keyboard only: both balances move.
    ui.click("nav-send").await;
    choose(&ui, "transfer-token", "STRK").await;
    paste(&ui, "transfer-recipient", "").await;
    paste(&ui, "transfer-amount", "").await;
    ui.script(
        "document.querySelector('[data-testid=\"transfer-recipient\"]').focus(); return true",
    )
    .await;
    let field = ui.client.active_element().await.unwrap();
    field.send_keys(RECIPIENT).await.unwrap();
    field
        .send_keys(&String::from(char::from(Key::Tab)))
        .await
        .unwrap();
    let amount = ui.client.active_element().await.unwrap();
    assert_eq!(
        amount.attr("data-testid").await.unwrap().as_deref(),
        Some("transfer-amount")
    );
    amount.send_keys("1.5").await.unwrap();
    amount
        .send_keys(&String::from(char::from(Key::Enter)))
        .await
        .unwrap();
    // Enter opens the review, with the keyboard focus on its title: the recipient in full, the
    // amount, sponsored, the limit left.
    assert_eq!(ui.text("review-amount").await, "1.5 STRK");
    // The focus moves once the review has rendered: looked at until it has (at most 5 s).
    let mut focused = String::new();
    for _ in 0..50 {
        focused = ui
            .client
            .active_element()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        if focused == "Review the transfer" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(focused, "Review the transfer");
    assert_eq!(
        Felt::from_hex(&ui.text("review-recipient").await).unwrap(),
        Felt::from_hex(RECIPIENT).unwrap()
    );
    assert!(ui.text("transfer-fee").await.contains("sponsored"));
    assert_eq!(
        ui.text("review-left").await,
        "8.5 STRK of this window's limit"
    );
    accessible(&ui, "review").await;
    ui.click("transfer-confirm").await;
    ui.wait_text("transfer-hash", |t| t.starts_with("0x")).await;
    assert_eq!(ui.text("sent-amount").await, "1.5 STRK");
    accessible(&ui, "sent").await;
    // The recipient saved as a contact from the success screen (the form opens with its address
    // in checksum casing); a casing that breaks the checksum is caught as typed.
    ui.click("save-recipient").await;
    ui.find("contacts-screen").await;
    let checksummed = format!("0x{:0>64}", RECIPIENT.trim_start_matches("0x"));
    assert_eq!(
        ui.find("contact-address")
            .await
            .prop("value")
            .await
            .unwrap()
            .as_deref(),
        Some(checksummed.as_str())
    );
    paste(
        &ui,
        "contact-address",
        "0x049d36570D4e46f48e99674bd3fcc84644DdD6b96F7C741B1562B82f9e004dC7",
    )
    .await;
    ui.fill("contact-name-input", "Rent").await;
    ui.wait_text("contact-validation", |t| t.contains("checksum"))
        .await;
    assert_eq!(
        ui.attr_now("contact-save", "disabled").await.as_deref(),
        Some("true")
    );
    paste(&ui, "contact-address", &checksummed).await;
    ui.fill("contact-note", "the flat").await;
    ui.click("contact-save").await;
    ui.wait_text("contact-name", |t| t == "Rent").await;
    accessible(&ui, "contacts").await;
    ui.screenshot("33-contacts").await;
    // Send offers it: the last recipient by its contact name, and the contact list.
    ui.click("contacts-back").await;
    ui.wait_text("recent-0", |t| t == "Rent").await;
    ui.click("recent-0").await;
    assert_eq!(
        ui.find("transfer-recipient")
            .await
            .prop("value")
            .await
            .unwrap()
            .as_deref(),
        Some(checksummed.as_str())
    );
    assert!(ui.text("recipient-contact").await.contains("Rent"));
    ui.click("nav-home").await;
    ui.wait_text("remaining-calls", |t| t == "9").await;
    assert_eq!(
        ui.attr("remaining-bar", "value").await.as_deref(),
        Some("9")
    );
    assert_eq!(chain.recipient_balance().await, 15 * STRK_UNIT / 10);
    ui.click("nav-home").await;
    ui.wait_text("balance-STRK", |t| t == "48.5").await;
    assert!(ui.text("spent-STRK").await.contains("1.5 of 10 STRK"));
    ui.screenshot("33-after-transfer").await;

    // A token added by its address: refused as typed when malformed, by the chain when the
    // contract is no token (the wallet's own account); read from the chain (symbol, name,
    // decimals) and added; its balance shown; hidden, its balance goes.
    let tdol = node
        .deploy_erc20("Test Dollar", "TDOL", 6, 1_000_000_000_000)
        .await
        .unwrap();
    node.send_erc20(tdol, address, 2_500_000).await.unwrap();
    ui.click("manage-tokens").await;
    ui.find("tokens-screen").await;
    ui.fill("token-address", "0xZZ").await;
    ui.wait_text("token-validation", |t| !t.is_empty()).await;
    assert_eq!(
        ui.attr_now("token-lookup", "disabled").await.as_deref(),
        Some("true")
    );
    paste(&ui, "token-address", &full).await;
    ui.click("token-lookup").await;
    let detail = refused_with(&ui, "InvalidInput").await;
    assert!(detail.contains("not an ERC-20 token"), "{detail}");
    ui.click("error-dismiss").await;
    paste(&ui, "token-address", &format!("{tdol:#x}")).await;
    ui.click("token-lookup").await;
    ui.wait_text("token-preview-symbol", |t| t == "TDOL").await;
    assert!(ui
        .text("token-preview-name")
        .await
        .contains("Test Dollar · 6 decimals"));
    accessible(&ui, "tokens").await;
    ui.click("token-add-confirm").await;
    ui.find("token-TDOL").await;
    ui.screenshot("33-tokens").await;
    ui.click("tokens-back").await;
    ui.wait_text("balance-TDOL", |t| t == "2.5").await;
    ui.click("manage-tokens").await;
    ui.click("token-toggle-TDOL").await;
    ui.wait_text("token-toggle-TDOL", |t| t == "Show").await;
    ui.click("tokens-back").await;
    ui.find("balance-STRK").await;
    ui.wait_gone("balance-TDOL").await;

    // Extended for a day with one PIN: the same key and rules, the budget starts over.
    ui.click("nav-session").await;
    let key = ui.attr("session-card", "data-key").await;
    ui.click("keep-preset-24h").await;
    assert!(ui
        .text("keep-summary")
        .await
        .contains("The same key and rules"));
    accessible(&ui, "extend").await;
    ui.screenshot("33-extend").await;
    ui.fill("keep-pin", PIN).await;
    ui.click("keep-confirm").await;
    ui.find("balances").await;
    ui.wait_text("remaining-calls", |t| t == "10").await;
    assert_eq!(ui.attr("session-card", "data-key").await, key);
    let left = ui.text("expiry-countdown").await;
    assert!(
        left.starts_with("23 h") || left.starts_with("1 d"),
        "{left}"
    );

    // Backup, then removal (refused while the session is live), then restore from the file.
    ui.click("open-settings").await;
    accessible(&ui, "settings").await;
    ui.fill("backup-pin", PIN).await;
    ui.fill("backup-passphrase", PASSPHRASE).await;
    ui.fill("backup-passphrase-again", PASSPHRASE).await;
    ui.click("backup-export").await;
    let path = ui.wait_text("backup-path", |t| t.ends_with(".json")).await;
    let backup = std::fs::read_to_string(&path).unwrap();
    assert!(!backup.contains(PIN) && !backup.contains(PASSPHRASE));
    ui.click("remove-confirm").await;
    ui.fill("remove-pin", PIN).await;
    ui.click("remove-wallet").await;
    refused_with(&ui, "SessionStillActive").await;
    ui.click("error-dismiss").await;
    ui.click("close-settings").await;
    ui.click("nav-session").await;
    ui.fill("revoke-pin", PIN).await;
    ui.click("revoke-submit").await;
    ui.wait_text("session-state", |t| t == "revoked").await;
    // The revocation ends on the home screen: a click on a tab before it got there is lost.
    ui.find("manage-tokens").await;
    // Renewed: a new key with the same rules, then revoked again before the removal.
    ui.click("nav-session").await;
    ui.wait_text("keep-summary", |t| {
        t.contains("A new key with the same rules")
    })
    .await;
    ui.fill("keep-pin", PIN).await;
    ui.click("keep-confirm").await;
    ui.wait_text("session-state", |t| t == "active").await;
    assert_ne!(ui.attr("session-card", "data-key").await, key);
    assert!(ui
        .text("session-rules")
        .await
        .contains("at most 2 STRK per transfer"));
    ui.click("nav-session").await;
    ui.fill("revoke-pin", PIN).await;
    ui.click("revoke-submit").await;
    ui.wait_text("session-state", |t| t == "revoked").await;
    ui.click("open-settings").await;
    ui.click("remove-confirm").await;
    ui.fill("remove-pin", PIN).await;
    ui.click("remove-wallet").await;
    ui.find("onboarding").await;
    ui.click("restore-open").await;
    paste(&ui, "restore-text", &backup).await;
    ui.fill("restore-passphrase", PASSPHRASE).await;
    ui.fill("restore-pin", "new-pin-77").await;
    ui.fill("restore-pin-again", "new-pin-77").await;
    ui.click("restore-submit").await;
    ui.wait_attr("wallet-address", "data-address", |t| {
        Felt::from_hex(t).ok() == Some(address)
    })
    .await;
    ui.click("nav-session").await;
    ui.fill("setup-limit-call-STRK", "2").await;
    ui.fill("setup-limit-window-STRK", "10").await;
    ui.fill("setup-pin", "new-pin-77").await;
    ui.click("setup-confirm").await;
    ui.wait_text("session-state", |t| t == "active").await;

    // Biometric unlock (the test setting's scripted check): turned on in the settings with the
    // PIN once; the locked wallet then opens with one click, no PIN typed.
    ui.click("open-settings").await;
    ui.fill("biometrics-pin", "new-pin-77").await;
    ui.click("biometrics-enable").await;
    ui.find("biometrics-on").await;
    accessible(&ui, "settings-biometrics-on").await;
    ui.click("close-settings").await;
    ui.click("lock-wallet").await;
    ui.find("unlock-form").await;
    ui.click("unlock-biometric").await;
    ui.wait_gone("unlock-form").await;
    ui.close().await;
    drop(driver);

    // Auto-lock: with a test idle time of 3 s, the unlocked wallet locks itself.
    env.push(("CHIPI_TEST_IDLE_SECONDS", "3".into()));
    let driver = Driver::start(&display, &env, &dir.join("tauri-driver-wallet-lock.log"));
    let ui = driver.launch(&dir).await;
    ui.find("unlock-form").await;
    ui.fill("unlock-pin", "new-pin-77").await;
    // The idle time runs from the last use: the click on Unlock.
    let last_use = Instant::now();
    ui.click("unlock-submit").await;
    ui.wait_gone("unlock-form").await;
    ui.find("unlock-form").await;
    assert!(last_use.elapsed() >= Duration::from_secs(3));
    ui.screenshot("34-locked-when-idle").await;
    ui.close().await;
}
