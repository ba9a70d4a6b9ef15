//! Every screen in light and dark: the screenshots in `docs/`, axe-core on each, the home screen
//! within the window's opening size.

use devnet_harness::STRK;
use local_stack::webdriver::{artifacts, start_xvfb, Driver};
use starknet::core::types::Felt;

use crate::wallet::{accessible, EXPLORER};
use crate::{create_wallet, Chain, PIN, RECIPIENT, STRK_UNIT};

/// Every screen in the system's light and dark appearance (GTK's dark variant): no serious
/// accessibility violation in either (axe-core checks the contrast of both palettes), the home
/// screen fits the window's opening size without scrolling, and a screenshot of each
/// (`screen-<name>-<theme>.png`, the ones in `docs/`).
#[tokio::test(flavor = "multi_thread")]
async fn every_screen_in_light_and_dark() {
    let _one_app_at_a_time = crate::APP.lock().await;
    let chain = Chain::start().await;
    let node = &chain.stack.node;
    let (_xvfb, display) = start_xvfb();
    let dir = artifacts();
    for (theme, gtk) in [("light", "Adwaita"), ("dark", "Adwaita:dark")] {
        let home = tempfile::tempdir().unwrap();
        let mut env = chain.stack.app_env(Some("approve"), home.path());
        env.push(("CHIPI_EXPLORER_TX_URL", EXPLORER.into()));
        env.push(("GTK_THEME", gtk.into()));
        let driver = Driver::start(
            &display,
            &env,
            &dir.join(format!("tauri-driver-{theme}.log")),
        );
        let ui = driver.launch(&dir).await;
        let dark = ui
            .script("return window.matchMedia('(prefers-color-scheme: dark)').matches")
            .await;
        assert_eq!(
            dark.as_bool(),
            Some(theme == "dark"),
            "the {theme} appearance"
        );
        let shot = |name: &str| format!("screen-{name}-{theme}");
        ui.find("onboarding").await;
        accessible(&ui, &shot("onboarding")).await;
        ui.screenshot(&shot("onboarding")).await;
        create_wallet(&ui, PIN).await;
        let address =
            Felt::from_hex(&ui.attr("wallet-address", "data-address").await.unwrap()).unwrap();
        node.send_erc20(STRK, address, 50 * STRK_UNIT)
            .await
            .unwrap();
        ui.click("refresh-status").await;
        ui.wait_text("balance-STRK", |t| t == "50").await;

        ui.click("nav-session").await;
        ui.fill("setup-limit-call-STRK", "5").await;
        ui.fill("setup-limit-window-STRK", "20").await;
        ui.fill("setup-pin", PIN).await;
        accessible(&ui, &shot("approve")).await;
        ui.screenshot(&shot("approve")).await;
        ui.click("setup-confirm").await;
        ui.wait_text("session-state", |t| t == "active").await;
        ui.click("nav-send").await;
        ui.fill("transfer-recipient", RECIPIENT).await;
        ui.fill("transfer-amount", "1.5").await;
        ui.click("transfer-submit").await;
        ui.find("transfer-review").await;
        accessible(&ui, &shot("review")).await;
        ui.screenshot(&shot("review")).await;
        ui.click("transfer-confirm").await;
        ui.wait_text("transfer-hash", |t| t.starts_with("0x")).await;
        accessible(&ui, &shot("sent")).await;
        ui.screenshot(&shot("sent")).await;

        // Home at the size the window opens at (tauri.conf.json): nothing to scroll.
        ui.click("nav-home").await;
        ui.wait_text("balance-STRK", |t| t == "48.5").await;
        let config: serde_json::Value =
            serde_json::from_str(include_str!("../../tauri.conf.json")).unwrap();
        let window = &config["app"]["windows"][0];
        let (width, height) = (
            window["width"].as_u64().unwrap(),
            window["height"].as_u64().unwrap(),
        );
        ui.client
            .set_window_size(
                u32::try_from(width).unwrap(),
                u32::try_from(height).unwrap(),
            )
            .await
            .unwrap();
        let fits = ui
            .script("return document.documentElement.scrollHeight <= window.innerHeight")
            .await;
        let height = ui
            .script("return document.documentElement.scrollHeight")
            .await;
        assert_eq!(fits.as_bool(), Some(true), "home is {height} px high");
        accessible(&ui, &shot("home")).await;
        ui.screenshot(&shot("home")).await;
        ui.client.set_window_size(480, 1000).await.unwrap();
        ui.click("receive").await;
        ui.find("receive-qr").await;
        ui.screenshot(&shot("receive")).await;
        ui.click("nav-history").await;
        ui.wait_text("history-item", |t| !t.is_empty()).await;
        accessible(&ui, &shot("history")).await;
        ui.screenshot(&shot("history")).await;
        ui.click("nav-home").await;
        ui.click("manage-tokens").await;
        ui.find("token-STRK").await;
        accessible(&ui, &shot("tokens")).await;
        ui.screenshot(&shot("tokens")).await;
        // Send still shows the last transfer's success screen; Done leads home.
        ui.click("nav-send").await;
        ui.click("transfer-done").await;
        ui.find("manage-tokens").await;
        ui.click("nav-send").await;
        ui.click("open-contacts").await;
        ui.fill("contact-name-input", "Landlord").await;
        ui.fill("contact-address", RECIPIENT).await;
        ui.click("contact-save").await;
        ui.wait_text("contact-name", |t| t == "Landlord").await;
        accessible(&ui, &shot("contacts")).await;
        ui.screenshot(&shot("contacts")).await;
        ui.click("nav-session").await;
        ui.find("revoke-form").await;
        accessible(&ui, &shot("revoke")).await;
        ui.screenshot(&shot("revoke")).await;
        ui.click("open-settings").await;
        accessible(&ui, &shot("settings")).await;
        ui.screenshot(&shot("settings")).await;
        ui.click("close-settings").await;
        ui.click("lock-wallet").await;
        ui.find("unlock-form").await;
        accessible(&ui, &shot("locked")).await;
        ui.screenshot(&shot("locked")).await;
        ui.close().await;
        drop(driver);
    }
}
