//! The installed package, seen through the app.

use std::path::PathBuf;
use std::process::Command;

use local_stack::webdriver::{artifacts, start_xvfb, Driver};

/// The app installed from the .deb (`scripts/package-check` builds, installs and names it):
/// it starts and shows onboarding, and as a release build it refuses the test setting.
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
    crate::onboarding_on_local(&ui).await;
    ui.screenshot("installed").await;
    ui.close().await;
    assert!(home.path().join("data/com.chipi.sessionwallet").exists());
}
