//! Gas settings: the backend and fee mode of each network, the keys kept for them, and fee
//! quotes.

use super::WalletService;
use crate::error::{Field, ServiceError};
use crate::keychain::network_secret_entry;
use crate::prefs::{GasMode, GasPrefs};
use crate::views::{FeeQuote, GasInput, SettingsInfo};
use chipi_session::{format_amount, parse_amount, ExecutionFee, Network, SessionError};

/// Vault entry names of a network's secrets.
pub(super) const PAYMASTER_API_KEY: &str = "paymaster-api-key";

pub(super) const CHIPI_API_KEY: &str = "chipi-api-key";

pub(super) const CHIPI_BEARER: &str = "chipi-bearer";

/// How transactions reach the chain when a front end overrides the settings (the CLI's
/// `--backend`); `Network` follows the settings.
#[derive(Clone, PartialEq, Eq, Default)]
pub enum GasBackend {
    /// As the network's settings say.
    #[default]
    Network,
    /// The network's SNIP-29 sponsor; an error when the network has none.
    Sponsor,
    /// A direct INVOKE the account pays for.
    Direct,
    /// Chipi's hosted API, with its public API key and the user's bearer token.
    ChipiApi {
        /// The public API key (`pk_…`).
        api_key: String,
        /// The user's bearer token.
        bearer: Option<String>,
    },
}

impl std::fmt::Debug for GasBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Network => "Network",
            Self::Sponsor => "Sponsor",
            Self::Direct => "Direct",
            Self::ChipiApi { .. } => "ChipiApi(…)",
        })
    }
}

impl WalletService {
    /// Saves the selected network's gas settings (the keys in the vault) and uses them from
    /// now on. Checked first: the gas token and fee, a paymaster or the Chipi API where chosen.
    #[tracing::instrument(level = "info", skip_all, err(level = "warn", Display))]
    pub fn save_gas(&self, input: &GasInput) -> Result<SettingsInfo, ServiceError> {
        let prefs = self.prefs.get();
        let network = &prefs.network;
        let token = network.token(&input.gas_token)?;
        parse_amount(&input.max_fee, token.decimals)?;
        match input.mode {
            GasMode::Paymaster if network.sponsor_url.is_none() => {
                return Err(ServiceError::invalid(
                    Field::Url,
                    format!(
                        "{} has no paymaster URL: set one with the network, or choose direct",
                        network.name
                    ),
                ))
            }
            GasMode::ChipiApi if network.chipi_api_url.is_none() => {
                return Err(ServiceError::invalid(
                    Field::Url,
                    format!("{} has no Chipi API", network.name),
                ))
            }
            _ => {}
        }
        let entry = |what: &str| network_secret_entry(&network.name, what);
        for (what, value) in [
            (PAYMASTER_API_KEY, &input.paymaster_api_key),
            (CHIPI_API_KEY, &input.chipi_api_key),
            (CHIPI_BEARER, &input.chipi_bearer),
        ] {
            match value.as_ref().map(|v| v.expose().trim()) {
                None => {}
                Some("") => self.vault.delete(&entry(what))?,
                Some(key) if key.len() > 512 || key.chars().any(char::is_control) => {
                    return Err(ServiceError::invalid(
                        Field::ApiKey,
                        format!("{what}: not a key"),
                    ))
                }
                Some(key) => self.vault.put(&entry(what), key)?,
            }
        }
        if input.mode == GasMode::ChipiApi && self.vault.get(&entry(CHIPI_API_KEY))?.is_none() {
            return Err(ServiceError::invalid(
                Field::ApiKey,
                "the Chipi API needs its public API key",
            ));
        }
        let gas = GasPrefs {
            mode: input.mode,
            fee_mode: input.fee_mode,
            gas_token: token.symbol.clone(),
            max_fee: input.max_fee.trim().to_owned(),
            ..prefs.gas.clone()
        };
        self.prefs.update(|p| p.gas = gas)?;
        // The wallet stays loaded (its session key open): only the way out changes.
        if let Some(manager) = self.current() {
            manager.set_backend(self.backend_for(&self.prefs.get())?);
        }
        self.settings()
    }

    /// Sets the command that prints a fresh Chipi bearer token on the selected network
    /// (`program arg…`, run without a shell), for the Chipi API at `for_url` only (the built-in
    /// profile's API when `None`: never a URL the preferences hold, which a page could have
    /// set). For hosts only (the app takes them from `CHIPI_BEARER_COMMAND` and
    /// `CHIPI_BEARER_URL` at start): a command is never accepted over IPC.
    pub fn set_bearer_command(
        &self,
        command: Option<String>,
        for_url: Option<String>,
    ) -> Result<(), ServiceError> {
        let command = command.filter(|c| !c.trim().is_empty());
        let prefs = self.prefs.get();
        let url = command.as_ref().and_then(|_| {
            for_url.map(|u| u.trim().to_owned()).or_else(|| {
                Network::profile(&prefs.network.name)
                    .ok()
                    .and_then(|n| n.chipi_api_url)
            })
        });
        if prefs.gas.bearer_command == command && prefs.gas.bearer_command_url == url {
            return Ok(());
        }
        self.prefs.update(|p| {
            p.gas.bearer_command = command;
            p.gas.bearer_command_url = url;
        })?;
        if let Some(manager) = self.current() {
            manager.set_backend(self.backend_for(&self.prefs.get())?);
        }
        Ok(())
    }

    /// The fee an execution of `calls` will cost with the current settings, asked of the
    /// paymaster in the gasless mode (nothing is signed); checked against the most accepted.
    pub(super) async fn quote_calls(
        &self,
        calls: &[starknet_core::types::Call],
    ) -> Result<FeeQuote, ServiceError> {
        let prefs = self.prefs.get();
        let manager = self.manager()?;
        let quoted = manager
            .backend()
            .quote(manager.wallet().address, calls)
            .await?;
        let settings_token = prefs.network.token(&prefs.gas.gas_token)?.clone();
        let quote = |mode: &str, symbol: &str, amount: String| FeeQuote {
            mode: mode.into(),
            token: symbol.to_owned(),
            amount,
            max_fee: prefs.gas.max_fee.clone(),
        };
        let (gas_token, fee) = match quoted {
            ExecutionFee::Sponsored => {
                return Ok(quote("sponsored", &settings_token.symbol, "0".into()))
            }
            ExecutionFee::AccountPaysGas => {
                return Ok(quote("direct", &settings_token.symbol, "0".into()))
            }
            ExecutionFee::InToken { token, amount } => (token, amount),
        };
        let token = prefs.network.token(&format!("{gas_token:#x}"))?.clone();
        let max = parse_amount(&prefs.gas.max_fee, token.decimals)?;
        if fee > max {
            return Err(SessionError::InvalidConfig(format!(
                "the paymaster asks {} {}, more than the {} {} the settings accept",
                format_amount(fee, token.decimals),
                token.symbol,
                prefs.gas.max_fee,
                token.symbol
            ))
            .into());
        }
        Ok(quote(
            "gasless",
            &token.symbol,
            format_amount(fee, token.decimals),
        ))
    }

    /// A fee the user accepted (whole units of the gas token), in base units, checked to be
    /// within the settings' most.
    pub(super) fn accepted_fee(&self, fee: &str) -> Result<u128, ServiceError> {
        let prefs = self.prefs.get();
        let token = prefs.network.token(&prefs.gas.gas_token)?;
        let fee = parse_amount(fee, token.decimals)?;
        if fee > parse_amount(&prefs.gas.max_fee, token.decimals)? {
            return Err(ServiceError::invalid(
                Field::Fee,
                format!(
                    "a fee above the {} {} the settings accept",
                    prefs.gas.max_fee, token.symbol
                ),
            ));
        }
        Ok(fee)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::tests::Memory;
    use crate::host::{PinOnly, SecretVault};
    use crate::pin::Pin;
    use crate::prefs::{FeeModeSetting, FilePrefs};
    use chipi_session::ManualClock;
    use std::sync::Arc;

    fn input(mode: GasMode, token: &str, max_fee: &str, paymaster_key: Option<&str>) -> GasInput {
        GasInput {
            mode,
            fee_mode: FeeModeSetting::Gasless,
            gas_token: token.into(),
            max_fee: max_fee.into(),
            paymaster_api_key: paymaster_key.map(Pin::new),
            chipi_api_key: None,
            chipi_bearer: None,
        }
    }

    #[test]
    fn gas_settings_are_checked_first_and_keys_go_to_the_vault_only() {
        let dir = tempfile::tempdir().unwrap();
        let vault = Arc::new(Memory::default());
        let wallet = WalletService::open(
            vault.clone(),
            Arc::new(FilePrefs(dir.path().join("prefs.json"))),
            Network::profile("local").unwrap(),
            Box::new(PinOnly),
            Arc::new(ManualClock::new(1_900_000_000)),
        )
        .unwrap();
        let entry = network_secret_entry("local", PAYMASTER_API_KEY);
        let field = |error: ServiceError| match error {
            ServiceError::InvalidInput { field, .. } => field,
            other => panic!("not an input refusal: {other:?}"),
        };
        // Refused, and nothing kept: a network without the Chipi API, a key that is no key.
        assert_eq!(
            field(
                wallet
                    .save_gas(&input(GasMode::ChipiApi, "STRK", "0.1", None))
                    .unwrap_err()
            ),
            Some(Field::Url)
        );
        assert_eq!(
            field(
                wallet
                    .save_gas(&input(GasMode::Paymaster, "STRK", "0.1", Some("pk\u{7}x")))
                    .unwrap_err()
            ),
            Some(Field::ApiKey)
        );
        // A token the network does not list, a fee with more decimals than the token has.
        assert!(wallet
            .save_gas(&input(GasMode::Paymaster, "DOGE", "0.1", None))
            .is_err());
        assert!(wallet
            .save_gas(&input(
                GasMode::Paymaster,
                "STRK",
                "0.0000000000000000001",
                None
            ))
            .is_err());
        assert_eq!(vault.get(&entry).unwrap(), None);
        assert_eq!(
            wallet.settings().unwrap().gas.fee_mode,
            FeeModeSetting::Sponsored
        );

        let key = "pk_test_0123456789abcdef";
        let saved = wallet
            .save_gas(&input(GasMode::Paymaster, "STRK", " 0.25 ", Some(key)))
            .unwrap();
        assert_eq!(vault.get(&entry).unwrap().as_deref(), Some(key));
        assert_eq!(saved.gas.fee_mode, FeeModeSetting::Gasless);
        assert_eq!(saved.gas.max_fee, "0.25");
        let shown = saved.gas.paymaster_api_key.unwrap();
        assert!(!shown.contains("0123456789"), "shown masked: {shown}");
        let prefs = std::fs::read_to_string(dir.path().join("prefs.json")).unwrap();
        assert!(!prefs.contains(key), "the key is not in the preferences");
        // An empty key removes it; a key left out is kept.
        wallet
            .save_gas(&input(GasMode::Paymaster, "STRK", "0.25", Some("")))
            .unwrap();
        assert_eq!(vault.get(&entry).unwrap(), None);
    }
}
