//! Events pushed to the UI, so it never polls in a loop.

use serde::Serialize;

use wallet_service::views::SessionInfo;

/// The session card changed (state, counts, busy flags or the last error).
#[derive(Debug, Clone, Serialize, specta::Type, tauri_specta::Event)]
pub struct SessionChanged(pub SessionInfo);
