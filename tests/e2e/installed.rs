//! The installed package, seen through the app.

use std::path::PathBuf;
use std::process::Command;

use local_stack::webdriver::{artifacts, start_xvfb, Driver};

/// The app installed from the .deb (`scripts/package-check` builds, installs and names it):
/// as a release build it refuses the test setting; its first start asks for the network
/// (mainnet, Sepolia or one's own node; never the local sandbox) and keeps none whose node
/// does not answer (the public nodes cannot be reached from here).
#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the installed package: run by scripts/package-check"]
async fn the_installed_package_starts() {
    let _one_app_at_a_time = crate::APP.lock().await;
    let app = PathBuf::from(std::env::var("CHIPI_INSTALLED_APP").expect("CHIPI_INSTALLED_APP"));
    let (_xvfb, display) = start_xvfb();
    let home = tempfile::tempdir().unwrap();
    let xdg = local_stack::xdg_dirs(home.path());

    let refused = Command::new(&app)
        .env("DISPLAY", &display)
        .envs(xdg.iter().map(|(k, v)| (*k, v.as_str())))
        .env("CHIPI_TEST_CONFIRMER", "approve")
        .output()
        .unwrap();
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("refused in release builds"), "{stderr}");

    let dir = artifacts();
    let driver = Driver::start_with(app, &display, &xdg, &dir.join("tauri-driver-installed.log"));
    let ui = driver.launch(&dir).await;
    ui.find("network-choice").await;
    for offered in ["choose-mainnet", "choose-sepolia", "choose-custom"] {
        assert!(ui.present(offered).await, "{offered} is offered");
    }
    assert!(
        !ui.present("onboarding").await,
        "nothing else is shown before the network is chosen"
    );
    ui.screenshot("installed").await;
    ui.click("choose-mainnet").await;
    let detail = crate::refused_with(&ui, "Network").await;
    assert!(detail.contains("node"), "{detail}");
    assert!(
        ui.present("network-choice").await,
        "a network whose node did not answer is not kept"
    );
    ui.click("choose-custom").await;
    ui.fill("choice-custom-name", "mine").await;
    ui.fill("choice-custom-rpc", "http://127.0.0.1:9/rpc").await;
    ui.fill("choice-custom-chain", "SN_MAIN").await;
    ui.click("choice-custom-save").await;
    crate::refused_with(&ui, "Network").await;
    assert!(ui.present("network-choice").await);
    ui.close().await;
    assert!(home.path().join("data/com.chipi.sessionwallet").exists());
}
