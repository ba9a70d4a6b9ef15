//! What the app does on the desktop outside its window: opening a transaction's page in the
//! system browser (only the network's explorer, built from a hash here, never a URL from the
//! web view), and writing backup files. Under the test setting both go to the test's data
//! directory instead: links are recorded in a file, never opened.

use std::io::Write;
use std::path::PathBuf;

use wallet_service::ServiceError;

/// Opens a URL in the system browser.
pub type Browser = std::sync::Arc<dyn Fn(&str) -> Result<(), ServiceError> + Send + Sync>;

/// Where links and backups go.
#[derive(Clone)]
pub struct Desktop {
    /// The folder backup files are written to.
    pub backups: PathBuf,
    /// Under the test setting: the file each opened link is appended to, instead of opening it.
    pub capture_opened: Option<PathBuf>,
    /// The system browser (`tauri-plugin-opener`), when not capturing.
    pub browser: Option<Browser>,
}

impl std::fmt::Debug for Desktop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Desktop")
            .field("backups", &self.backups)
            .field("capture_opened", &self.capture_opened)
            .finish_non_exhaustive()
    }
}

fn storage(what: &str, e: std::io::Error) -> ServiceError {
    ServiceError::storage(what, e)
}

impl Desktop {
    /// The app's folders: backups in the user's Downloads folder (else the home folder); under
    /// the test setting, everything in the app's data folder.
    pub fn for_app<R: tauri::Runtime>(handle: &tauri::AppHandle<R>, test: bool) -> Self {
        use tauri::Manager;
        let path = handle.path();
        let data = path.app_data_dir().unwrap_or_else(|_| std::env::temp_dir());
        if test {
            return Self {
                backups: data.join("backups"),
                capture_opened: Some(data.join("opened-urls.txt")),
                browser: None,
            };
        }
        let opener = handle.clone();
        Self {
            backups: path
                .download_dir()
                .or_else(|_| path.home_dir())
                .unwrap_or(data),
            capture_opened: None,
            browser: Some(std::sync::Arc::new(move |url: &str| {
                use tauri_plugin_opener::OpenerExt;
                opener.opener().open_url(url, None::<&str>).map_err(|e| {
                    ServiceError::Internal(format!("the browser could not be opened: {e}"))
                })
            })),
        }
    }

    /// Opens `url` (an explorer page the service built) in the system browser.
    pub fn open(&self, url: &str) -> Result<(), ServiceError> {
        if let Some(file) = &self.capture_opened {
            let mut out = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(file)
                .map_err(|e| storage("the link record", e))?;
            return writeln!(out, "{url}").map_err(|e| storage("the link record", e));
        }
        match &self.browser {
            Some(open) => open(url),
            None => Err(ServiceError::Internal("no browser is available".into())),
        }
    }

    /// Writes a backup file for the wallet at `address`; its path. The file is readable by
    /// its owner only where the system has such permissions, and never overwritten.
    pub fn write_backup(
        &self,
        address: &str,
        unix_time: u64,
        text: &str,
    ) -> Result<PathBuf, ServiceError> {
        std::fs::create_dir_all(&self.backups).map_err(|e| storage("the backup folder", e))?;
        let short: String = address.trim_start_matches("0x").chars().take(8).collect();
        let path = self
            .backups
            .join(format!("chipi-wallet-backup-{short}-{unix_time}.json"));
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options
            .open(&path)
            .map_err(|e| storage("the backup file", e))?;
        file.write_all(text.as_bytes())
            .and_then(|()| file.sync_all())
            .map_err(|e| storage("the backup file", e))?;
        Ok(path)
    }
}
