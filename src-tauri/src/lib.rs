//! The desktop wallet: a Tauri host of the [`wallet_service`]. Commands are one-line calls into
//! [`WalletService`]; this crate supplies the host parts (the OS keychain, `tauri-plugin-store`,
//! the platform's biometric unlock) and pushes the session card to the UI as an event.

pub mod apps;
pub mod commands;
pub mod confirmer;
pub mod desktop;
pub mod events;
pub mod store_prefs;
pub mod test_config;
pub mod updates;

use std::sync::Arc;
use std::time::Duration;

use chipi_session::{Network, SystemClock};
use tauri::Manager;
use tauri_plugin_store::StoreExt;
use tauri_specta::{collect_commands, collect_events, Builder, Event};

use events::{CallsChanged, PairingChanged, SessionChanged};
use wallet_service::host::{select, TEST_SETTING};
use wallet_service::keychain::KeyringVault;
use wallet_service::views::SessionState;
pub use wallet_service::AppError;
use wallet_service::{SecretVault, WalletService};

/// The commands and events the UI sees; used by [`run`] and by the bindings export test.
pub fn specta_builder<R: tauri::Runtime>() -> Builder<R> {
    Builder::<R>::new()
        .commands(collect_commands![
            commands::wallet::get_wallet,
            commands::wallet::create_wallet,
            commands::wallet::import_wallet,
            commands::wallet::unlock,
            commands::wallet::lock,
            commands::wallet::retry_keychain,
            commands::session::get_session_view,
            commands::session::create_session,
            commands::session::register_session,
            commands::session::set_up_session,
            commands::session::execute_with_session,
            commands::session::transfer,
            commands::session::revoke_session,
            commands::session::clear_session,
            commands::session::refresh_status,
            commands::activity::list_activity,
            commands::settings::get_network,
            commands::settings::set_network,
            commands::settings::get_settings,
            commands::settings::switch_network,
            commands::settings::set_direct_unsigned_fees,
            commands::wallet::upgrade_account,
            commands::settings::save_gas_settings,
            commands::settings::quote_transfer,
            commands::settings::set_auto_lock,
            commands::wallet::export_backup,
            commands::wallet::import_backup,
            commands::wallet::remove_wallet,
            commands::activity::refresh_history,
            commands::activity::get_balances,
            commands::activity::open_explorer,
            commands::wallet::enable_biometrics,
            commands::wallet::disable_biometrics,
            commands::wallet::is_deployed,
            commands::wallet::deploy_wallet,
            commands::about::set_log_level,
            commands::about::get_diagnostics,
            commands::about::open_logs_folder,
            commands::lists::token_preview,
            commands::lists::add_token,
            commands::lists::set_token_hidden,
            commands::lists::get_address_book,
            commands::lists::save_contact,
            commands::lists::remove_contact,
            commands::session::extend_session,
            commands::session::renew_session,
            commands::about::check_update,
            commands::about::install_update,
            commands::about::restart_app,
            commands::about::set_notifications,
            commands::apps::list_apps,
            commands::apps::revoke_app,
            commands::apps::disconnect_app,
            commands::apps::set_wallet_api,
            commands::apps::pending_pairing,
            commands::apps::answer_pairing,
            commands::apps::pending_calls,
            commands::apps::answer_calls,
        ])
        .events(collect_events![
            SessionChanged,
            PairingChanged,
            CallsChanged
        ])
        // The rules on secrets, from the core: the UI reads the same numbers.
        .constant("PIN_MIN_CHARS", chipi_session::rules::PIN_MIN_CHARS)
        .constant("PIN_MAX_CHARS", chipi_session::rules::PIN_MAX_CHARS)
        .constant("NEW_PIN_MIN_CHARS", chipi_session::rules::NEW_PIN_MIN_CHARS)
        .constant(
            "PASSPHRASE_MIN_CHARS",
            chipi_session::rules::PASSPHRASE_MIN_CHARS,
        )
}

/// The network a first start uses: `CHIPI_NETWORK`, with `CHIPI_RPC_URL` and `CHIPI_SPONSOR_URL`
/// overriding its endpoints (the sandbox and the tests pass their loopback ports). Without it
/// the app never starts on `local` (a network only a developer's machine has): mainnet is
/// selected and the first start asks the user to choose ([`host_names_the_network`]).
fn default_network() -> Result<Network, wallet_service::ServiceError> {
    let mut network =
        Network::profile(&std::env::var("CHIPI_NETWORK").unwrap_or_else(|_| "mainnet".into()))?;
    if let Ok(rpc) = std::env::var("CHIPI_RPC_URL") {
        network.rpc_url = rpc;
        network.fallback_rpc_urls.clear();
    }
    if let Ok(sponsor) = std::env::var("CHIPI_SPONSOR_URL") {
        network.sponsor_url = Some(sponsor);
    }
    if let Ok(explorer) = std::env::var("CHIPI_EXPLORER_TX_URL") {
        network.explorer_tx_url = Some(explorer);
    }
    Ok(network)
}

/// Whether the environment names the network (`CHIPI_NETWORK`: the sandbox, the tests).
fn host_names_the_network() -> bool {
    std::env::var_os("CHIPI_NETWORK").is_some()
}

/// Checks the node's chain id at start, then refreshes the status at start and before the
/// session expires (the hook's `autoCheckStatus`).
async fn keep_status_fresh(app: Arc<WalletService>, desktop: desktop::Desktop) {
    // A node on another chain than the network's blocks the wallet until the settings change.
    let _ = app.check_chain().await;
    // The expiry last announced: one notice per session end.
    let mut announced = None;
    loop {
        // Tokens received since the last look join the activity (bounded scan, errors wait
        // for the next round), and are announced.
        if let Ok(added) = app.sync_incoming().await {
            if let Some(notice) = app.received_notice(added) {
                let _ = desktop.notify(&notice);
            }
        }
        let next = match app.refresh_status().await {
            Ok(info) => {
                if let Some((until, notice)) =
                    wallet_service::service::expiry_notice(&info, announced)
                {
                    announced = Some(until);
                    if app.notices_on() {
                        let _ = desktop.notify(&notice);
                    }
                }
                let now: u64 = info.chain_time.parse().unwrap_or(0);
                let until: Option<u64> = info.valid_until.as_deref().and_then(|v| v.parse().ok());
                match until {
                    Some(until) if until >= now && info.state == SessionState::Active => {
                        (until - now + 1).min(60)
                    }
                    _ => 60,
                }
            }
            Err(_) => 30,
        };
        tokio::time::sleep(Duration::from_secs(next)).await;
    }
}

/// Connects a wallet to a built app: the managed state the commands read, a `SessionChanged`
/// event on every change, and the automatic status refresh. `run` and the IPC tests share it.
pub fn attach<R: tauri::Runtime>(
    handle: &tauri::AppHandle<R>,
    wallet: Arc<WalletService>,
    desktop: desktop::Desktop,
) {
    handle.manage(desktop.clone());
    let emitter = handle.clone();
    wallet.set_listener(move |info| {
        let _ = SessionChanged(info.clone()).emit(&emitter);
    });
    handle.manage(wallet.clone());
    // The local wallet API: a pairing, or calls outside an app's session, open their approval
    // screen in front.
    let front = {
        let handle = handle.clone();
        move || {
            if let Some(window) = handle.get_webview_window("main") {
                let _ = window.show();
                let _ = window.unminimize();
                let _ = window.set_focus();
            }
        }
    };
    let (pairings, calls) = (handle.clone(), handle.clone());
    let front_too = front.clone();
    let api = Arc::new(apps::ApiHost::new(
        &wallet,
        apps::ApiHost::port_from_env(),
        move |prompt| {
            if prompt.is_some() {
                front();
            }
            let _ = PairingChanged(prompt.cloned()).emit(&pairings);
        },
        move |prompt| {
            if prompt.is_some() {
                front_too();
            }
            let _ = CallsChanged(prompt.cloned()).emit(&calls);
        },
    ));
    handle.manage(api.clone());
    if wallet.wallet_api_on() {
        let service = wallet.clone();
        tauri::async_runtime::spawn(async move {
            if let Err(e) = api.switch(service, true).await {
                tracing::warn!(error = %e, "the wallet API did not start");
            }
        });
    }
    tauri::async_runtime::spawn(keep_status_fresh(wallet, desktop));
}

/// Starts the app.
pub fn run() {
    let builder = specta_builder::<tauri::Wry>();
    let release = !cfg!(debug_assertions);
    let setting = std::env::var(TEST_SETTING).ok();
    let mut context = tauri::generate_context!();
    let test = setting.is_some() && !release;
    if test {
        test_config::apply(context.config_mut()).expect("the test config applies");
    }
    let mut updater = tauri_plugin_updater::Builder::new();
    if let Some(key) = updates::test_pubkey(test) {
        updater = updater.pubkey(key);
    }
    tauri::Builder::default()
        .plugin(updater.build())
        .plugin(tauri_plugin_notification::init())
        .plugin(tauri_plugin_store::Builder::default().build())
        .plugin(tauri_plugin_biometric::init())
        // Opened from Rust only: no script in the page that turns link clicks into opener calls.
        .plugin(
            tauri_plugin_opener::Builder::new()
                .open_js_links_on_click(false)
                .build(),
        )
        .invoke_handler(builder.invoke_handler())
        .setup(move |app| {
            builder.mount_events(app);
            // The log first, at the default level until the preferences are read; a log that
            // cannot be written never stops the app.
            match app.path().app_log_dir() {
                Ok(dir) => {
                    if let Err(e) = wallet_service::logs::Logs::start(&dir, Default::default()) {
                        eprintln!("chipi-wallet: no log file in {}: {e}", dir.display());
                    }
                }
                Err(e) => eprintln!("chipi-wallet: no log folder: {e}"),
            }
            let handle = app.handle().clone();
            let identifier = app.config().identifier.clone();
            let vault: Arc<dyn SecretVault> = Arc::new(KeyringVault::new(identifier.clone()));
            let biometrics = select(setting.as_deref(), release, vault.clone(), || {
                confirmer::for_platform(&handle, vault.clone(), &identifier)
            })?;
            let store = app.store("prefs.json")?;
            let path = app.path().app_data_dir()?.join("prefs.json");
            let wallet = WalletService::open(
                vault.clone(),
                Arc::new(store_prefs::StorePrefs(store, path)),
                default_network()?,
                biometrics,
                Arc::new(SystemClock),
            )?;
            if let Some(logs) = wallet_service::logs::Logs::get() {
                logs.set_level(wallet.settings().map(|s| s.log_level).unwrap_or_default());
            }
            tracing::info!(version = env!("CARGO_PKG_VERSION"), "the app started");
            if !host_names_the_network() {
                wallet.ask_for_network();
            }
            // The one way to set the bearer-token command: the host's environment at each start,
            // never IPC.
            wallet.set_bearer_command(
                std::env::var("CHIPI_BEARER_COMMAND").ok(),
                std::env::var("CHIPI_BEARER_URL").ok(),
            )?;
            app.manage(updates::Updates::for_app(app.handle(), test));
            if test {
                // A test's short idle time before the window locks itself.
                let idle = std::env::var("CHIPI_TEST_IDLE_SECONDS").ok();
                wallet.set_idle_override(idle.and_then(|s| s.parse().ok()));
            }
            let desktop = desktop::Desktop::for_app(app.handle(), test);
            attach(app.handle(), Arc::new(wallet), desktop);
            Ok(())
        })
        .run(context)
        .expect("the app failed to start");
}

#[cfg(test)]
mod tests {
    /// Writes `ui/src/bindings.ts`; CI fails when the committed file differs.
    #[test]
    fn export_bindings() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../ui/src/bindings.ts");
        super::specta_builder::<tauri::Wry>()
            .export(
                specta_typescript::Typescript::default()
                    .header("// @ts-nocheck\n/* eslint-disable */"),
                path,
            )
            .expect("bindings export");
    }

    /// The commands the UI can call, from the generated bindings.
    fn registered_commands() -> std::collections::BTreeSet<String> {
        let bindings = include_str!("../../ui/src/bindings.ts");
        bindings
            .split("__TAURI_INVOKE")
            .skip(2) // the import line
            .filter_map(|rest| rest.split('"').nth(1).map(str::to_owned))
            .collect()
    }

    /// The capability grants exactly the app's own commands and event listening: no plugin
    /// command, nothing a new command would get by default.
    #[test]
    fn capability_grants_exactly_the_app_commands() {
        let commands = registered_commands();
        assert_eq!(commands.len(), 58, "{commands:?}");
        let capability: serde_json::Value =
            serde_json::from_str(include_str!("../capabilities/default.json")).unwrap();
        let granted: std::collections::BTreeSet<String> = capability["permissions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_str().unwrap().to_owned())
            .collect();
        let mut expected: std::collections::BTreeSet<String> = commands
            .iter()
            .map(|c| format!("allow-{}", c.replace('_', "-")))
            .collect();
        expected.insert("core:event:allow-listen".into());
        expected.insert("core:event:allow-unlisten".into());
        assert_eq!(granted, expected);
        // build.rs declares the same commands to the access control.
        let build = include_str!("../build.rs");
        for command in &commands {
            assert!(
                build.contains(&format!("\"{command}\"")),
                "{command} is missing from build.rs"
            );
        }
        assert_eq!(build.matches("\",\n").count(), commands.len());
    }
}
