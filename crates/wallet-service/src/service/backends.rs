//! The backend each gas mode executes through, built from the selected network's settings:
//! every one shares the wallet's unsettled-execution ledger, so a transfer signed through one
//! is settled from the chain before another signs anything.

use std::sync::Arc;

use chipi_session::backends::chipi_api::CallerRecorder;
use chipi_session::backends::outside_check::FeeMode;
use chipi_session::backends::paymaster::{ApiKey, Journal, DEFAULT_VALIDATION_MARGIN_PERCENT};
use chipi_session::backends::unconfigured::Unconfigured;
use chipi_session::backends::unsettled::Ledger;
use chipi_session::{
    parse_amount, ChipiApiClient, DirectBackend, ExecutionBackend, PaymasterClient, SessionError,
};
use starknet_core::types::Felt;

use super::gas::GasBackend;
use super::gas::{CHIPI_API_KEY, CHIPI_BEARER, PAYMASTER_API_KEY};
use super::{lock, WalletService};
use crate::error::{Field, ServiceError};
use crate::host::Confirmation;
use crate::keychain::network_secret_entry;
use crate::pin::Pin;
use crate::prefs::{FeeModeSetting, GasMode, Prefs};
use crate::views::SettingsInfo;

impl WalletService {
    /// Lets sessions use the direct path on a class whose session message leaves the fee
    /// unsigned (`allowed`), or stops it. Turning it on weakens what a session key can cost
    /// the user (a node holding the message could resubmit it with a large tip), so it needs
    /// the owner's PIN (or biometrics, `pin` `None`); turning it off does not.
    #[tracing::instrument(level = "info", skip_all, err(level = "warn", Display))]
    pub async fn set_direct_unsigned_fees(
        &self,
        allowed: bool,
        pin: Option<&Pin>,
    ) -> Result<SettingsInfo, ServiceError> {
        let prefs = self.prefs.get();
        if allowed && !prefs.gas.direct_unsigned_fees {
            let wallet = self
                .stored_wallet(&prefs)?
                .ok_or_else(|| ServiceError::NoWallet("no wallet on this network".into()))?;
            drop(
                self.open_owner_of(wallet, pin, Confirmation::AllowUnsignedFees)
                    .await?,
            );
        }
        self.prefs
            .update(|p| p.gas.direct_unsigned_fees = allowed)?;
        if let Some(manager) = self.current() {
            manager.set_backend(self.backend_for(&self.prefs.get())?);
        }
        self.settings()
    }

    /// The wallet's unsettled session execution, kept with the wallet it belongs to on this
    /// network (in the preferences, so a restart knows it): one ledger per wallet and network,
    /// shared by every backend built for them.
    fn ledger(&self, prefs: &Prefs) -> Ledger {
        let owner = prefs.wallet.as_ref().map_or(Felt::ZERO, |w| w.address);
        let name = prefs.network.name.clone();
        self.ledgers
            .of(&name, owner, || self.new_ledger(prefs, name.clone(), owner))
    }

    /// A ledger of `owner` on the network `name`, written to the preferences (read back from
    /// them when a restart left an execution unsettled).
    fn new_ledger(&self, prefs: &Prefs, name: String, owner: Felt) -> Ledger {
        let shared = self.prefs.clone();
        let (network, chain_id) = (name.clone(), prefs.network.chain_id);
        let journal = Journal(Arc::new(move |unsettled: Option<&serde_json::Value>| {
            let mut written = false;
            shared
                .update(|p| {
                    // Only on the network and wallet it was signed for: a write that finds
                    // neither (switched meanwhile) fails, and nothing is sent.
                    if p.network.name == network && p.network.chain_id == chain_id {
                        if let Some(wallet) = p.wallet.as_mut().filter(|w| w.address == owner) {
                            wallet.unsettled = unsettled.cloned();
                            written = true;
                        }
                    }
                })
                .map_err(|e| SessionError::RecordStore(Box::new(e)))?;
            if written || unsettled.is_none() {
                Ok(())
            } else {
                Err(SessionError::RecordStore(
                    "the wallet this execution was signed for is no longer selected".into(),
                ))
            }
        }));
        let unsettled = prefs.wallet.as_ref().and_then(|w| w.unsettled.as_ref());
        Ledger::with_journal(prefs.network.chain_id, journal, unsettled)
    }

    fn paymaster_client(&self, prefs: &Prefs, url: &str) -> Result<PaymasterClient, ServiceError> {
        let network = &prefs.network;
        let key = self
            .vault
            .get(&network_secret_entry(&network.name, PAYMASTER_API_KEY))?;
        let fee = match prefs.gas.fee_mode {
            FeeModeSetting::Sponsored => FeeMode::Sponsored,
            FeeModeSetting::Gasless => {
                let token = network.token(&prefs.gas.gas_token)?;
                FeeMode::Gasless {
                    gas_token: token.address,
                    max_fee: parse_amount(&prefs.gas.max_fee, token.decimals)?,
                }
            }
        };
        // The fee call is raised by the account class's validation margin (the highest known
        // for a class the table does not have).
        let margin = prefs
            .wallet
            .as_ref()
            .and_then(|w| chipi_session::wallet_type::ClassProfile::of(w.class_hash))
            .map_or(DEFAULT_VALIDATION_MARGIN_PERCENT, |p| {
                p.validation_margin_percent
            });
        let client =
            PaymasterClient::new(url.to_owned(), network.rpc_url.clone(), network.chain_id)
                .with_api_key(key.map(ApiKey::new))
                .with_fee_mode(fee)
                .with_validation_margin(margin)
                .with_node_fallbacks(&network.fallback_rpc_urls)
                .with_ledger(self.ledger(prefs));
        Ok(match network.request_timeout() {
            Some(timeout) => client.with_timeout(timeout),
            None => client,
        })
    }

    /// The backend transactions take: the front end's override, else the network's settings.
    pub(super) fn backend_for(
        &self,
        prefs: &Prefs,
    ) -> Result<Arc<dyn ExecutionBackend>, ServiceError> {
        let network = &prefs.network;
        let gas = match lock(&self.gas).clone() {
            GasBackend::Network => match prefs.gas.mode {
                GasMode::Paymaster => GasBackend::Network,
                GasMode::Direct => GasBackend::Direct,
                GasMode::ChipiApi => {
                    let key = self
                        .vault
                        .get(&network_secret_entry(&network.name, CHIPI_API_KEY))?;
                    // Removed with a moved Chipi API URL: the wallet opens, executions say why.
                    let Some(api_key) = key else {
                        return Ok(Arc::new(Unconfigured::new(
                            "the Chipi API needs its public API key",
                        )));
                    };
                    GasBackend::ChipiApi {
                        api_key,
                        bearer: self
                            .vault
                            .get(&network_secret_entry(&network.name, CHIPI_BEARER))?,
                    }
                }
            },
            other => other,
        };
        Ok(match (gas, &network.sponsor_url) {
            (GasBackend::Network | GasBackend::Sponsor, Some(url)) => {
                Arc::new(self.paymaster_client(prefs, url)?)
            }
            (GasBackend::Sponsor, None) => {
                return Err(ServiceError::invalid(
                    Field::Url,
                    format!("{} has no sponsor; give its URL", network.name),
                ))
            }
            (GasBackend::Network | GasBackend::Direct, _) => {
                let timeout = network
                    .request_timeout()
                    .unwrap_or(std::time::Duration::from_secs(30));
                Arc::new(
                    DirectBackend::with_timeout(&network.rpc_url, network.chain_id, timeout)?
                        .with_ledger(self.ledger(prefs), network.node())
                        .allowing_unsigned_fees(prefs.gas.direct_unsigned_fees),
                )
            }
            (GasBackend::ChipiApi { api_key, bearer }, _) => {
                let url = network.chipi_api_url.clone().ok_or_else(|| {
                    ServiceError::invalid(Field::Url, format!("{} has no Chipi API", network.name))
                })?;
                let bound_here = prefs.gas.bearer_command_url.as_deref() == Some(url.as_str());
                // The relayer the API names is pinned once seen, for this URL.
                let pinned = prefs
                    .gas
                    .chipi_caller
                    .filter(|_| prefs.gas.chipi_caller_url.as_deref() == Some(url.as_str()));
                let shared = self.prefs.clone();
                let pinned_url = url.clone();
                let recorder: CallerRecorder = Arc::new(move |caller: Felt| {
                    let _ = shared.update(|p| {
                        // Kept only where it was seen: the network still using that API.
                        if p.network.chipi_api_url.as_deref() == Some(pinned_url.as_str()) {
                            p.gas.chipi_caller = Some(caller);
                            p.gas.chipi_caller_url = Some(pinned_url.clone());
                        }
                    });
                });
                let mut client =
                    ChipiApiClient::new(url.clone(), api_key, bearer, network.chain_id)
                        .with_node(network.node())
                        .with_caller_pin(pinned, recorder)
                        .with_ledger(self.ledger(prefs));
                // The API is told the wallet's own class (the SDK's default is CHIPI v29).
                if let Some(wallet) = &prefs.wallet {
                    client = client.with_account_class_hash(wallet.class_hash);
                }
                if let Some(command) = prefs.gas.bearer_command.clone().filter(|_| bound_here) {
                    let vault = self.vault.clone();
                    let entry = network_secret_entry(&network.name, CHIPI_BEARER);
                    client = client.with_bearer_source(Arc::new(move || {
                        let token = run_bearer_command(&command)?;
                        // Kept for the next start; a keychain that refuses only costs a refresh.
                        let _ = vault.put(&entry, &token);
                        Ok(token)
                    }));
                }
                Arc::new(client)
            }
        })
    }
}

/// How long the bearer-token command may run.
const BEARER_COMMAND_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);
/// The most it may print.
const BEARER_TOKEN_MAX: u64 = 8 * 1024;

/// Runs the host's bearer-token command (`program arg…`, no shell) and returns what it printed
/// (trimmed), within [`BEARER_COMMAND_TIMEOUT`] and [`BEARER_TOKEN_MAX`] bytes. Its output is a
/// secret: no error repeats it, and it is wiped after use.
fn run_bearer_command(command: &str) -> Result<String, SessionError> {
    use std::io::Read;
    let failed =
        |why: String| SessionError::InvalidConfig(format!("the bearer token command {why}"));
    let mut words = command.split_whitespace();
    let program = words.next().ok_or_else(|| failed("is empty".into()))?;
    let mut child = std::process::Command::new(program)
        .args(words)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map_err(|e| failed(format!("did not start: {e}")))?;
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().map_err(|e| failed(e.to_string()))? {
            break status;
        }
        if started.elapsed() > BEARER_COMMAND_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            return Err(failed("took too long".into()));
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    if !status.success() {
        return Err(failed(format!("failed ({status})")));
    }
    let mut output = zeroize::Zeroizing::new(Vec::new());
    child
        .stdout
        .take()
        .ok_or_else(|| failed("has no output".into()))?
        .take(BEARER_TOKEN_MAX)
        .read_to_end(&mut output)
        .map_err(|e| failed(e.to_string()))?;
    let token = std::str::from_utf8(&output)
        .map_err(|_| SessionError::InvalidConfig("the bearer token is not text".into()))?;
    let token = token.trim();
    if token.is_empty() || token.chars().any(char::is_whitespace) {
        return Err(SessionError::InvalidConfig(
            "the bearer token command printed no single token".into(),
        ));
    }
    Ok(token.to_owned())
}
