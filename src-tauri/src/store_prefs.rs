//! Preferences in `tauri-plugin-store` (`prefs.json` in the app's data directory).

use std::sync::Arc;

use tauri::Runtime;
use tauri_plugin_store::Store;

use wallet_service::prefs::{Prefs, STORE_KEY as KEY};
use wallet_service::{AppError, PrefsStore};

/// The plugin's store as a [`PrefsStore`].
pub struct StorePrefs<R: Runtime>(pub Arc<Store<R>>);

impl<R: Runtime> std::fmt::Debug for StorePrefs<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StorePrefs(prefs.json)")
    }
}

impl<R: Runtime> PrefsStore for StorePrefs<R> {
    fn load(&self) -> Result<Option<Prefs>, AppError> {
        match self.0.get(KEY) {
            Some(value) => serde_json::from_value(value)
                .map(Some)
                .map_err(|e| AppError::Storage(format!("preferences: {e}"))),
            None => Ok(None),
        }
    }

    fn save(&self, prefs: &Prefs) -> Result<(), AppError> {
        let value = serde_json::to_value(prefs)
            .map_err(|e| AppError::Storage(format!("preferences: {e}")))?;
        self.0.set(KEY, value);
        self.0
            .save()
            .map_err(|e| AppError::Storage(format!("preferences: {e}")))
    }
}
