//! The CLI's files: `wallet.json` (the wallet with its sealed owner key, and its network) and
//! `session.json` (the session record with its sealed key). Written atomically, owner-only.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use chipi_session::{Network, SessionError, SessionRecord, SessionStore, Wallet};
use serde::{Deserialize, Serialize};

/// `wallet.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WalletFile {
    /// The wallet.
    pub wallet: Wallet,
    /// Its network.
    pub network: Network,
}

/// The data directory.
#[derive(Debug, Clone)]
pub struct DataDir(PathBuf);

fn io_error(path: &Path, e: &std::io::Error) -> SessionError {
    SessionError::InvalidConfig(format!("{}: {e}", path.display()))
}

impl DataDir {
    /// `dir`, or `$XDG_DATA_HOME/chipi-wallet`, or `~/.local/share/chipi-wallet`.
    pub fn resolve(dir: Option<PathBuf>) -> Self {
        let dir = dir.unwrap_or_else(|| {
            let base = std::env::var_os("XDG_DATA_HOME")
                .map(PathBuf::from)
                .unwrap_or_else(|| {
                    PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".local/share")
                });
            base.join("chipi-wallet")
        });
        Self(dir)
    }

    fn wallet_path(&self) -> PathBuf {
        self.0.join("wallet.json")
    }

    fn session_path(&self) -> PathBuf {
        self.0.join("session.json")
    }

    /// The wallet, or an error telling to create one.
    pub fn load_wallet(&self) -> Result<WalletFile, SessionError> {
        let path = self.wallet_path();
        let text = fs::read_to_string(&path).map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                SessionError::InvalidConfig(format!(
                    "no wallet in {}; run `chipi-wallet wallet create` first",
                    self.0.display()
                ))
            } else {
                io_error(&path, &e)
            }
        })?;
        serde_json::from_str(&text)
            .map_err(|e| SessionError::InvalidConfig(format!("{}: {e}", path.display())))
    }

    /// Saves the wallet; refuses to overwrite another one.
    pub fn save_new_wallet(&self, file: &WalletFile) -> Result<(), SessionError> {
        if self.wallet_path().exists() {
            return Err(SessionError::InvalidConfig(format!(
                "{} already holds a wallet; use another --data-dir",
                self.0.display()
            )));
        }
        write_atomic(&self.wallet_path(), &to_json(file)?)
    }

    /// The stored session, if any.
    pub fn load_session(&self) -> Result<Option<SessionRecord>, SessionError> {
        let path = self.session_path();
        match fs::read_to_string(&path) {
            Ok(text) => serde_json::from_str(&text)
                .map(Some)
                .map_err(|e| SessionError::InvalidConfig(format!("{}: {e}", path.display()))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io_error(&path, &e)),
        }
    }
}

fn to_json<T: Serialize>(value: &T) -> Result<String, SessionError> {
    serde_json::to_string_pretty(value).map_err(|e| SessionError::InvalidConfig(e.to_string()))
}

fn write_atomic(path: &Path, text: &str) -> Result<(), SessionError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir).map_err(|e| io_error(dir, &e))?;
    let tmp = path.with_extension("tmp");
    let mut options = fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&tmp).map_err(|e| io_error(&tmp, &e))?;
    file.write_all(text.as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(|e| io_error(&tmp, &e))?;
    fs::rename(&tmp, path).map_err(|e| io_error(path, &e))
}

impl SessionStore for DataDir {
    fn save(&self, record: Option<&SessionRecord>) -> Result<(), SessionError> {
        let path = self.session_path();
        match record {
            Some(record) => write_atomic(&path, &to_json(record)?),
            None => match fs::remove_file(&path) {
                Ok(()) => Ok(()),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
                Err(e) => Err(io_error(&path, &e)),
            },
        }
    }
}
