//! The command line as a host of the wallet service: sealed secrets in files under the data
//! directory (owner-only), preferences in `prefs.json` beside them, the PIN from stdin (or
//! `CHIPI_WALLET_PIN`), and the PIN itself as the confirmation.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chipi_session::{Network, SystemClock};
use wallet_service::prefs::FilePrefs;
use wallet_service::{GasBackend, Pin, PinOnly, SecretVault, ServiceError, WalletService};

use crate::cli::{BackendKind, Cli};

/// Sealed secrets as files in one directory, written atomically and readable by the owner only.
#[derive(Debug, Clone)]
pub struct FileVault(PathBuf);

impl FileVault {
    fn path(&self, name: &str) -> PathBuf {
        // Entry names are `wallet:<network>:<address>:owner`; `:` is not allowed in every file
        // system.
        self.0.join(name.replace(':', "-"))
    }
}

fn storage(path: &Path, e: &std::io::Error) -> ServiceError {
    ServiceError::keychain(format!("{}: {e}", path.display()))
}

impl SecretVault for FileVault {
    fn put(&self, name: &str, sealed: &str) -> Result<(), ServiceError> {
        fs::create_dir_all(&self.0).map_err(|e| storage(&self.0, &e))?;
        let path = self.path(name);
        let tmp = path.with_extension("tmp");
        write_private(&tmp, sealed)
            .and_then(|()| fs::rename(&tmp, &path))
            .map_err(|e| storage(&path, &e))
    }

    fn get(&self, name: &str) -> Result<Option<String>, ServiceError> {
        let path = self.path(name);
        match fs::read_to_string(&path) {
            Ok(text) => Ok(Some(text)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(storage(&path, &e)),
        }
    }

    fn delete(&self, name: &str) -> Result<(), ServiceError> {
        let path = self.path(name);
        match fs::remove_file(&path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(storage(&path, &e)),
        }
    }
}

#[cfg(unix)]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()
}

#[cfg(not(unix))]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    fs::write(path, text)
}

/// `--data-dir`, or `$XDG_DATA_HOME/chipi-wallet`, or `~/.local/share/chipi-wallet`.
pub fn data_dir(cli: &Cli) -> PathBuf {
    cli.data_dir.clone().unwrap_or_else(|| {
        let base = std::env::var_os("XDG_DATA_HOME")
            .map(PathBuf::from)
            .unwrap_or_else(|| {
                PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".local/share")
            });
        base.join("chipi-wallet")
    })
}

/// The network a new wallet goes on: `--network` (default `local`) with `--rpc`/`--sponsor`.
pub fn network_of(cli: &Cli) -> Result<Network, ServiceError> {
    let mut network = Network::profile(cli.network.as_deref().unwrap_or("local"))?;
    if let Some(rpc) = &cli.rpc {
        network.rpc_url = rpc.clone();
        network.fallback_rpc_urls.clear();
    }
    if let Some(sponsor) = &cli.sponsor {
        network.sponsor_url = Some(sponsor.clone());
    }
    Ok(network)
}

fn gas_of(cli: &Cli) -> Result<GasBackend, ServiceError> {
    Ok(match cli.backend {
        None => GasBackend::Network,
        Some(BackendKind::Paymaster) => GasBackend::Sponsor,
        Some(BackendKind::Direct) => GasBackend::Direct,
        Some(BackendKind::ChipiApi) => GasBackend::ChipiApi {
            api_key: cli.chipi_api_key.clone().ok_or_else(|| {
                ServiceError::input("--chipi-api-key (or CHIPI_API_KEY) is required")
            })?,
            bearer: cli.chipi_jwt.clone(),
        },
    })
}

/// The service on the data directory: the wallet's network with `--rpc`/`--sponsor` applied,
/// transactions through `--backend`.
pub fn open(cli: &Cli) -> Result<WalletService, ServiceError> {
    let dir = data_dir(cli);
    let service = WalletService::open_with_backend(
        Arc::new(FileVault(dir.join("secrets"))),
        Arc::new(FilePrefs(dir.join("prefs.json"))),
        network_of(cli)?,
        Box::new(PinOnly),
        Arc::new(SystemClock),
        gas_of(cli)?,
    )?;
    if service.has_wallet() {
        service.set_endpoints(cli.rpc.clone(), cli.sponsor.clone())?;
    }
    Ok(service)
}

/// Lines of stdin, read when first needed: the PIN, then an owner key or a passphrase. Stdin is
/// not held locked between reads, so `apps serve` can hand the rest to a reader thread.
pub struct Input {
    cli_pin: Option<String>,
}

impl std::fmt::Debug for Input {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Input")
    }
}

impl Input {
    /// Stdin, with `--pin` (`CHIPI_WALLET_PIN`) taking the PIN's place.
    pub fn new(cli: &Cli) -> Self {
        Self {
            cli_pin: cli.pin.clone(),
        }
    }

    /// The next line of stdin, without its line ending.
    pub fn line(&mut self, what: &str) -> Result<String, ServiceError> {
        let mut line = String::new();
        match std::io::stdin().read_line(&mut line) {
            Ok(n) if n > 0 => Ok(line.trim_end_matches(['\r', '\n']).to_owned()),
            _ => Err(ServiceError::input(format!("expected the {what} on stdin"))),
        }
    }

    /// The PIN.
    pub fn pin(&mut self) -> Result<Pin, ServiceError> {
        match &self.cli_pin {
            Some(pin) => Ok(Pin::new(pin.clone())),
            None => self.line("PIN").map(Pin::new),
        }
    }
}
