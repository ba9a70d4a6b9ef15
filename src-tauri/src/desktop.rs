//! What the app does on the desktop outside its window: opening a transaction's page in the
//! system browser (only the network's explorer, built from a hash here, never a URL from the
//! web view), writing backup files, and showing notifications. Under the test setting all go to
//! the test's data directory instead: links and notifications are recorded in files.

use std::io::Write;
use std::path::PathBuf;

use wallet_service::ServiceError;

/// Opens a URL in the system browser.
pub type Browser = std::sync::Arc<dyn Fn(&str) -> Result<(), ServiceError> + Send + Sync>;

/// Shows a desktop notification (title, line).
pub type Notifier = std::sync::Arc<dyn Fn(&str, &str) -> Result<(), ServiceError> + Send + Sync>;
/// Whether the main window is hidden or minimised.
pub type WindowHidden = std::sync::Arc<dyn Fn() -> bool + Send + Sync>;

/// Where links, backups and notifications go.
#[derive(Clone)]
pub struct Desktop {
    /// The folder backup files are written to.
    pub backups: PathBuf,
    /// Under the test setting: the file each opened link is appended to, instead of opening it.
    pub capture_opened: Option<PathBuf>,
    /// The system browser (`tauri-plugin-opener`), when not capturing.
    pub browser: Option<Browser>,
    /// Under the test setting: the file each notification is appended to, instead of shown.
    pub capture_notices: Option<PathBuf>,
    /// The system's notifications (`tauri-plugin-notification`), when not capturing.
    pub notifier: Option<Notifier>,
    /// Whether the window is out of sight (no window: it is).
    pub hidden: Option<WindowHidden>,
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
        let window = handle.clone();
        let hidden: WindowHidden = std::sync::Arc::new(move || {
            window.get_webview_window("main").is_none_or(|w| {
                !w.is_visible().unwrap_or(false) || w.is_minimized().unwrap_or(false)
            })
        });
        if test {
            return Self {
                backups: data.join("backups"),
                capture_opened: Some(data.join("opened-urls.txt")),
                browser: None,
                capture_notices: Some(data.join("notifications.txt")),
                notifier: None,
                hidden: Some(hidden),
            };
        }
        let notifier = handle.clone();
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
            capture_notices: None,
            notifier: Some(std::sync::Arc::new(move |title: &str, body: &str| {
                use tauri_plugin_notification::NotificationExt;
                notifier
                    .notification()
                    .builder()
                    .title(title)
                    .body(body)
                    .show()
                    .map_err(|e| {
                        ServiceError::Internal(format!("the notification was not shown: {e}"))
                    })
            })),
            hidden: Some(hidden),
        }
    }

    /// Shows `notice` (under the test setting: appends it to the record).
    pub fn notify(&self, notice: &wallet_service::service::Notice) -> Result<(), ServiceError> {
        if let Some(file) = &self.capture_notices {
            let mut out = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(file)
                .map_err(|e| storage("the notification record", e))?;
            return writeln!(out, "{}: {}", notice.title, notice.body)
                .map_err(|e| storage("the notification record", e));
        }
        match &self.notifier {
            Some(show) => show(&notice.title, &notice.body),
            None => Ok(()),
        }
    }

    /// Whether the window is out of sight (hidden or minimised).
    pub fn window_hidden(&self) -> bool {
        self.hidden.as_ref().is_some_and(|h| h())
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
