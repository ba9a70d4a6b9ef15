//! Declares the app's commands to Tauri's access control, so a window may call only the ones its
//! capability (`capabilities/default.json`) lists. A test checks this list against the commands
//! the app registers.

/// Every command the UI may call; `capabilities/default.json` grants each as `allow-<name>`.
const COMMANDS: &[&str] = &[
    "get_wallet",
    "create_wallet",
    "import_wallet",
    "unlock",
    "lock",
    "retry_keychain",
    "get_session_view",
    "create_session",
    "register_session",
    "set_up_session",
    "execute_with_session",
    "transfer",
    "revoke_session",
    "clear_session",
    "refresh_status",
    "list_activity",
    "get_network",
    "set_network",
    "get_settings",
    "switch_network",
    "set_direct_unsigned_fees",
    "upgrade_account",
    "save_gas_settings",
    "quote_transfer",
    "set_auto_lock",
    "export_backup",
    "import_backup",
    "remove_wallet",
    "refresh_history",
    "get_balances",
    "open_explorer",
    "enable_biometrics",
    "disable_biometrics",
    "is_deployed",
    "deploy_wallet",
    "set_log_level",
    "get_diagnostics",
    "open_logs_folder",
    "token_preview",
    "add_token",
    "set_token_hidden",
    "get_address_book",
    "save_contact",
    "remove_contact",
    "extend_session",
    "renew_session",
    "check_update",
    "install_update",
    "restart_app",
    "set_notifications",
    "list_apps",
    "revoke_app",
    "disconnect_app",
    "set_wallet_api",
    "pending_pairing",
    "answer_pairing",
    "pending_calls",
    "answer_calls",
];

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri-build");
}
