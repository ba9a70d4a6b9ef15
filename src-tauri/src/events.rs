//! Events pushed to the UI, so it never polls in a loop.

use serde::Serialize;

use wallet_service::api::{CallsPrompt, PairingPrompt};
use wallet_service::views::SessionInfo;

/// The session card changed (state, counts, busy flags or the last error).
#[derive(Debug, Clone, Serialize, specta::Type, tauri_specta::Event)]
pub struct SessionChanged(pub SessionInfo);

/// An app asks to pair (the approval screen opens with it), or the pairing on screen ended
/// (`None`: it closes).
#[derive(Debug, Clone, Serialize, specta::Type, tauri_specta::Event)]
pub struct PairingChanged(pub Option<PairingPrompt>);

/// An app asks for calls outside its session (the user let it ask): the prompt opens with them,
/// or closes (`None`).
#[derive(Debug, Clone, Serialize, specta::Type, tauri_specta::Event)]
pub struct CallsChanged(pub Option<CallsPrompt>);
