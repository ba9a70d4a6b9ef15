//! What a command prints: JSON with `--json`, text otherwise.

use serde_json::{json, Value};
use starknet_core::types::Felt;
use wallet_service::views::{SessionInfo, TxResult, WalletInfo};

/// A command's result in both forms.
#[derive(Debug)]
pub struct Output {
    /// The JSON form.
    pub json: Value,
    /// The text form.
    pub text: String,
}

/// Both forms.
pub fn out(json: Value, text: impl Into<String>) -> Output {
    Output {
        json,
        text: text.into(),
    }
}

/// A wallet, with the hash of its deployment when one was just sent.
pub fn wallet(info: &WalletInfo, deployed: Option<Felt>) -> Output {
    let mut json = serde_json::to_value(info).unwrap_or_default();
    json["deployTransactionHash"] = json!(deployed.map(|h| format!("{h:#x}")));
    let mut text = format!(
        "address: {}\nowner public key: {}",
        info.address, info.owner_public_key
    );
    if let Some(hash) = deployed {
        text.push_str(&format!("\ndeployed: {hash:#x}"));
    }
    out(json, text)
}

/// The session card.
pub fn session(info: &SessionInfo) -> Output {
    let json = serde_json::to_value(info).unwrap_or_default();
    let state = json["state"].as_str().unwrap_or_default();
    let mut text = format!("state: {state}");
    if let Some(pk) = &info.public_key {
        text.push_str(&format!("\nsession key: {pk}"));
    }
    if let Some(valid_until) = &info.valid_until {
        text.push_str(&format!(
            "\nvalid until: {valid_until} (chain time {})",
            info.chain_time
        ));
    }
    if let Some(remaining) = info.remaining_calls {
        text.push_str(&format!("\nremaining calls: {remaining}"));
    }
    if !info.allowed_names.is_empty() {
        text.push_str(&format!(
            "\nallowed entrypoints: {}",
            info.allowed_names.join(", ")
        ));
    }
    for limit in &info.limits {
        let token = limit.symbol.as_deref().unwrap_or(&limit.token);
        text.push_str(&format!(
            "\nlimit {token}: {} per call, {} per {} s ({} spent; base units)",
            limit.max_per_call, limit.max_per_window, limit.window_seconds, limit.spent_in_window
        ));
    }
    out(json, text)
}

/// A transaction that went through.
pub fn transaction(result: &TxResult) -> Output {
    let mut text = format!(
        "transaction: {}\nremaining calls: {}",
        result.transaction_hash, result.remaining_calls
    );
    if let Some(link) = &result.explorer_url {
        text.push_str(&format!("\n{link}"));
    }
    out(serde_json::to_value(result).unwrap_or_default(), text)
}
