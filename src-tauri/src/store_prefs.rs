//! Preferences in `tauri-plugin-store` (`prefs.json` in the app's data directory).

use std::sync::Arc;

use tauri::Runtime;
use tauri_plugin_store::Store;

use wallet_service::prefs::{Prefs, STORE_KEY as KEY};
use wallet_service::{PrefsStore, ServiceError};

/// The plugin's store as a [`PrefsStore`], with the path of its file (the plugin starts empty
/// from a file it cannot parse, and would write over it).
pub struct StorePrefs<R: Runtime>(pub Arc<Store<R>>, pub std::path::PathBuf);

impl<R: Runtime> std::fmt::Debug for StorePrefs<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StorePrefs(prefs.json)")
    }
}

impl<R: Runtime> PrefsStore for StorePrefs<R> {
    fn load(&self) -> Result<Option<Prefs>, ServiceError> {
        match self.0.get(KEY) {
            Some(value) => serde_json::from_value(value)
                .map(Some)
                .map_err(|e| ServiceError::Corrupted(format!("preferences: {e}"))),
            None => match std::fs::read(&self.1) {
                // Empty in the store but not on disk: a file the plugin could not parse (or not
                // an object), which a save would write over.
                Ok(bytes) if !bytes.iter().all(u8::is_ascii_whitespace) => {
                    match serde_json::from_slice::<serde_json::Value>(&bytes) {
                        Ok(serde_json::Value::Object(_)) => Ok(None),
                        Ok(_) => Err(ServiceError::Corrupted(
                            "preferences: the file is not a JSON object".into(),
                        )),
                        Err(e) => Err(ServiceError::Corrupted(format!("preferences: {e}"))),
                    }
                }
                Ok(_) => Ok(None),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(ServiceError::storage("preferences", e)),
            },
        }
    }

    fn set_aside(&self) -> Result<Option<String>, ServiceError> {
        let kept = wallet_service::prefs::set_aside(&self.1)?;
        self.0.clear();
        Ok(Some(kept))
    }

    fn save(&self, prefs: &Prefs) -> Result<(), ServiceError> {
        let value =
            serde_json::to_value(prefs).map_err(|e| ServiceError::storage("preferences", e))?;
        self.0.set(KEY, value);
        self.0
            .save()
            .map_err(|e| ServiceError::storage("preferences", e))
    }
}
