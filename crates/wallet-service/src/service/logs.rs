//! The log's level and a bug report's diagnostics.

use super::WalletService;
use crate::error::ServiceError;
use crate::logs::{LogLevel, Logs};
use crate::views::SettingsInfo;

/// How many of the log's last warnings and errors the diagnostics carry.
pub const DIAGNOSTIC_PROBLEMS: usize = 20;

impl WalletService {
    /// Sets how much the log records, from now on and at the next start.
    #[tracing::instrument(level = "info", skip_all, err(level = "warn", Display))]
    pub fn set_log_level(&self, level: LogLevel) -> Result<SettingsInfo, ServiceError> {
        self.prefs.update(|p| p.log_level = level)?;
        if let Some(logs) = Logs::get() {
            logs.set_level(level);
        }
        tracing::info!(?level, "log level set");
        self.settings()
    }

    /// What a bug report needs and nothing secret: the app's `version`, the network and its
    /// chain, the wallet's address and class, the gas path, the session's state, the log level
    /// and the log's last warnings and errors. The node's URL is left out (a provider's key can
    /// be in its path), and so are API keys and the bearer token.
    pub fn diagnostics(&self, version: &str) -> String {
        let prefs = self.prefs.get();
        let network = &prefs.network;
        let mut out = vec![
            format!(
                "chipi-wallet {version} ({} {})",
                std::env::consts::OS,
                std::env::consts::ARCH
            ),
            format!(
                "network: {} (chain id {:#x})",
                network.name, network.chain_id
            ),
            format!(
                "gas: {:?}, fee mode {:?}, direct path without signed fees {}",
                prefs.gas.mode, prefs.gas.fee_mode, prefs.gas.direct_unsigned_fees
            ),
        ];
        match self.wallet_info() {
            Ok(wallet) => out.push(format!(
                "wallet: {} class {} ({})",
                wallet.address,
                wallet.class_hash,
                wallet.account_class.as_deref().unwrap_or("unknown class")
            )),
            Err(e) => out.push(format!("wallet: {e}")),
        }
        match self.session_info() {
            Ok(session) => out.push(format!("session: {:?}", session.state)),
            Err(e) => out.push(format!("session: {e}")),
        }
        out.push(format!("log level: {:?}", prefs.log_level));
        match Logs::get() {
            Some(logs) => {
                let problems = logs.last_problems(DIAGNOSTIC_PROBLEMS);
                out.push(format!("last problems ({}):", problems.len()));
                out.extend(problems);
            }
            None => out.push("no log is being written".into()),
        }
        out.join("\n")
    }

    /// The folder the log is written in.
    pub fn logs_folder(&self) -> Result<std::path::PathBuf, ServiceError> {
        Logs::get()
            .map(|l| l.dir().to_owned())
            .ok_or_else(|| ServiceError::Internal("no log is being written".into()))
    }
}
