//! Updates, as a user meets them: a local release endpoint offers version 9.0.0 with its notes;
//! signed with the release key it is downloaded, checked and installed (into a stand-in for the
//! app's executable: the test build's setting); signed with another key it is refused with a
//! clear message and nothing changes. The keys are made here; the packages are served over
//! loopback HTTP (a test build allows it; a release build takes only https).

use std::io::Cursor;
use std::path::Path;

use axum::{extract::State, routing::get, Router};
use base64::Engine;
use local_stack::webdriver::{artifacts, start_xvfb, Driver, Ui};

use crate::refused_with;

const OFFERED: &str = "9.0.0";
const NOTES: &str = "Fixes the thing that was broken.";

/// A release key pair: the public key as the app's config holds it (base64 of minisign's
/// public key file) and a signer of packages (base64 of minisign's signature file, with the
/// version in the trusted comment, as the Tauri CLI writes it).
struct ReleaseKey(minisign::KeyPair);

impl ReleaseKey {
    fn new() -> Self {
        Self(minisign::KeyPair::generate_unencrypted_keypair().unwrap())
    }

    fn public(&self) -> String {
        let text = self.0.pk.to_box().unwrap().into_string();
        base64::engine::general_purpose::STANDARD.encode(text)
    }

    fn sign(&self, package: &[u8], version: &str) -> String {
        let trusted =
            format!("timestamp:1700000000\tfile:chipi-wallet.AppImage\tversion:{version}");
        let signature = minisign::sign(
            Some(&self.0.pk),
            &self.0.sk,
            Cursor::new(package),
            Some(&trusted),
            Some("signature from the test's release key"),
        )
        .unwrap();
        base64::engine::general_purpose::STANDARD.encode(signature.into_string())
    }
}

/// The release endpoint: `/latest.json` announcing the package at `/app.AppImage`.
#[derive(Clone)]
struct Release {
    manifest: String,
    package: Vec<u8>,
}

fn manifest(base: &str, signature: &str) -> String {
    let entry = serde_json::json!({"signature": signature, "url": format!("{base}/app.AppImage")});
    serde_json::json!({
        "version": OFFERED,
        "notes": NOTES,
        "pub_date": "2026-12-01T12:00:00Z",
        "platforms": {"linux-x86_64": entry, "linux-x86_64-appimage": entry},
    })
    .to_string()
}

/// A release whose package is signed by `signer`, served on loopback; its base URL.
async fn release(signer: &ReleaseKey, package: &[u8]) -> String {
    // The manifest names its own URL: bind first, then fill it in.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let release = Release {
        manifest: manifest(&base, &signer.sign(package, OFFERED)),
        package: package.to_vec(),
    };
    let app = Router::new()
        .route(
            "/latest.json",
            get(|State(r): State<Release>| async move { r.manifest }),
        )
        .route(
            "/app.AppImage",
            get(|State(r): State<Release>| async move { r.package }),
        )
        .with_state(release);
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    base
}

async fn app_offering(
    display: &str,
    home: &Path,
    base: &str,
    key: &ReleaseKey,
    target: &Path,
    log: &str,
) -> (Driver, Ui) {
    let mut env = local_stack::xdg_dirs(home);
    env.push(("CHIPI_NETWORK", "local".into()));
    env.push(("CHIPI_TEST_CONFIRMER", "approve".into()));
    env.push(("CHIPI_TEST_UPDATE_URL", format!("{base}/latest.json")));
    env.push(("CHIPI_TEST_UPDATE_PUBKEY", key.public()));
    env.push(("CHIPI_TEST_UPDATE_TARGET", target.display().to_string()));
    let dir = artifacts();
    let driver = Driver::start(display, &env, &dir.join(log));
    let ui = driver.launch(&dir).await;
    (driver, ui)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_signed_update_is_installed_and_a_wrongly_signed_one_refused() {
    let _one_app_at_a_time = crate::APP.lock().await;
    let (_xvfb, display) = start_xvfb();
    let home = tempfile::tempdir().unwrap();
    let key = ReleaseKey::new();
    // The package: an ELF executable, as an AppImage is.
    let package = std::fs::read("/bin/true").unwrap();
    // The stand-in for the installed app's executable.
    let target = home.path().join("chipi-wallet.AppImage");
    let before = b"\x7fELF the version running now".to_vec();
    std::fs::write(&target, &before).unwrap();

    // Signed with the release key: offered at start with its notes, installed on Install.
    let base = release(&key, &package).await;
    let (driver, ui) = app_offering(
        &display,
        home.path(),
        &base,
        &key,
        &target,
        "tauri-driver-update.log",
    )
    .await;
    ui.wait_text("update-version", |t| {
        t == format!("Version {OFFERED} is available")
    })
    .await;
    assert_eq!(ui.text("update-notes").await, NOTES);
    ui.screenshot("40-update-offered").await;
    assert_eq!(
        std::fs::read(&target).unwrap(),
        before,
        "nothing before Install"
    );
    ui.click("update-install").await;
    ui.find("update-installed").await;
    assert_eq!(
        ui.text("update-version").await,
        format!("Version {OFFERED} is installed")
    );
    assert_eq!(
        std::fs::read(&target).unwrap(),
        package,
        "the package is in place"
    );
    ui.close().await;
    drop(driver);

    // Signed with another key: offered, then refused at Install, nothing written.
    std::fs::write(&target, &before).unwrap();
    let other = ReleaseKey::new();
    let forged = release(&other, &package).await;
    let (driver, ui) = app_offering(
        &display,
        home.path(),
        &forged,
        &key,
        &target,
        "tauri-driver-update-forged.log",
    )
    .await;
    ui.wait_text("update-version", |t| t.contains(OFFERED))
        .await;
    ui.click("update-install").await;
    let detail = refused_with(&ui, "Update").await;
    assert!(
        detail.contains("signature does not match this app's release key"),
        "{detail}"
    );
    assert!(!ui.present("update-installed").await);
    assert_eq!(std::fs::read(&target).unwrap(), before, "nothing installed");
    // About checks again on request and says what it found.
    ui.click("error-dismiss").await;
    ui.click("open-settings").await;
    ui.click("update-check").await;
    ui.wait_text("update-status", |t| t.contains(OFFERED)).await;
    ui.close().await;
    drop(driver);
}
