//! Executions with the session: calls, transfers and their fee quotes, each noted in the
//! activity.

use super::{hex, WalletService};
use crate::error::{LimitPer, ServiceError};
use crate::prefs::ActivityEntry;
use crate::views::{ActivityKind, ActivityStatus, CallInput, FeeQuote, TxResult};
use chipi_session::{
    format_amount, parse_address, parse_amount, parse_felt, parse_selector, SessionError,
};
use starknet_core::types::{Call, Felt};

impl WalletService {
    async fn run(
        &self,
        kind: ActivityKind,
        summary: String,
        calls: Vec<Call>,
        max_fee: Option<u128>,
        detail: Option<(String, String, Felt)>,
    ) -> Result<TxResult, ServiceError> {
        let manager = self.manager()?;
        self.run_with(&manager, kind, summary, calls, max_fee, detail)
            .await
    }

    /// What records a transaction as pending the moment its hash is known (from the sponsor, or
    /// the node), so a stop before the receipt (a crash, a kill, a closed lid) leaves something
    /// to settle at the next start.
    pub(super) fn pending_recorder<'a>(
        &'a self,
        kind: ActivityKind,
        summary: &'a str,
        detail: Option<(String, String, Felt)>,
    ) -> impl Fn(Felt) + 'a {
        let (token, amount, counterparty) = detail.map_or((None, None, None), |(t, a, to)| {
            (Some(t), Some(a), Some(to))
        });
        move |hash| {
            let _ = self.activity.record(ActivityEntry {
                at: self.clock.now(),
                kind,
                summary: summary.to_owned(),
                transaction_hash: Some(hash),
                status: ActivityStatus::Pending,
                token: token.clone(),
                amount: amount.clone(),
                counterparty,
            });
        }
    }

    /// Executes `calls` with `manager`'s session (the wallet's own or an app's): its preflight,
    /// the hash recorded as pending when the backend has it, the outcome settled in the
    /// activity, limit refusals in the token's units.
    pub(super) async fn run_with(
        &self,
        manager: &chipi_session::SessionManager,
        kind: ActivityKind,
        summary: String,
        calls: Vec<Call>,
        max_fee: Option<u128>,
        detail: Option<(String, String, Felt)>,
    ) -> Result<TxResult, ServiceError> {
        if !self.is_unlocked() {
            return Err(ServiceError::Locked(
                "unlock the wallet with its PIN first".into(),
            ));
        }
        let pending = self.pending_recorder(kind, &summary, detail);
        match manager.execute_paying(calls, None, max_fee, &pending).await {
            Ok(done) => {
                self.activity
                    .settle(done.transaction_hash, ActivityStatus::Succeeded, None)?;
                Ok(TxResult {
                    transaction_hash: hex(done.transaction_hash),
                    remaining_calls: done.remaining_calls,
                    explorer_url: self.explorer(done.transaction_hash),
                })
            }
            Err(e) => {
                match &e {
                    // Sent, outcome not known yet: it stays pending and is settled later.
                    SessionError::ReceiptTimeout { .. } => {}
                    SessionError::Reverted {
                        transaction_hash: Some(hash),
                        ..
                    }
                    | SessionError::EffectMissing {
                        transaction_hash: hash,
                        ..
                    } => self.activity.settle(
                        *hash,
                        ActivityStatus::Failed,
                        Some(format!("{summary}: {e}")),
                    )?,
                    SessionError::SpendingLimit {
                        token,
                        amount,
                        limit,
                        per,
                    } => return Err(self.limit_in_units(*token, *amount, *limit, per)),
                    SessionError::NoSpendingPolicy { contract } => {
                        if let Ok(token) = self.prefs.get().network.token(&hex(*contract)) {
                            return Err(ServiceError::NoLimitFor {
                                token: token.symbol.clone(),
                            });
                        }
                    }
                    _ => {}
                }
                Err(e.into())
            }
        }
    }

    /// A spending-limit refusal in whole units of the token whose limit it breaks, with its
    /// symbol (the core's error has base units only).
    fn limit_in_units(&self, token: Felt, amount: u128, limit: u128, per: &str) -> ServiceError {
        let network = self.prefs.get().network;
        let (symbol, decimals) = network
            .token(&hex(token))
            .map_or((None, 18), |t| (Some(t.symbol.clone()), t.decimals));
        ServiceError::SpendingLimit {
            token: symbol,
            amount: format_amount(amount, decimals),
            left: format_amount(limit, decimals),
            per: if per == "call" {
                LimitPer::Transfer
            } else {
                LimitPer::Window
            },
        }
    }

    /// `executeWithSession`: no prompt within the session's limits.
    #[tracing::instrument(level = "info", skip_all, err(level = "warn", Display))]
    pub async fn execute(&self, calls: &[CallInput]) -> Result<TxResult, ServiceError> {
        let calls = calls
            .iter()
            .map(|c| {
                Ok(Call {
                    to: parse_address(&c.contract_address)?,
                    selector: parse_selector(&c.entrypoint)?,
                    calldata: c
                        .calldata
                        .iter()
                        .map(|f| parse_felt(f))
                        .collect::<Result<Vec<_>, _>>()?,
                })
            })
            .collect::<Result<Vec<_>, SessionError>>()?;
        let n = calls.len();
        self.run(
            ActivityKind::Execute,
            format!("{n} call(s)"),
            calls,
            None,
            None,
        )
        .await
    }

    /// A gasless ERC-20 transfer of `amount` (decimal string) of `token` (symbol or address).
    #[tracing::instrument(level = "info", skip_all, err(level = "warn", Display))]
    pub async fn transfer(
        &self,
        token: &str,
        recipient: &str,
        amount: &str,
    ) -> Result<TxResult, ServiceError> {
        self.transfer_paying(token, recipient, amount, None).await
    }

    /// [`Self::transfer`] after the user saw the fee [`Self::quote_transfer`] gave:
    /// `accepted_fee` (whole units of the gas token) bounds the fee that may be signed, below
    /// the settings' most; a paymaster asking more is refused before signing.
    #[tracing::instrument(level = "info", skip_all, err(level = "warn", Display))]
    pub async fn transfer_paying(
        &self,
        token: &str,
        recipient: &str,
        amount: &str,
        accepted_fee: Option<&str>,
    ) -> Result<TxResult, ServiceError> {
        let (call, symbol, to) = self.transfer_call(token, recipient, amount)?;
        let max_fee = accepted_fee.map(|f| self.accepted_fee(f)).transpose()?;
        self.run(
            ActivityKind::Transfer,
            format!("{amount} {symbol} to {to:#x}"),
            vec![call],
            max_fee,
            Some((symbol, amount.trim().to_owned(), to)),
        )
        .await
    }

    /// What the transfer would cost with the current gas settings, before it is sent: nothing
    /// when sponsored, the paymaster's fee in the gas token in the gasless mode.
    #[tracing::instrument(level = "debug", skip_all, err(level = "warn", Display))]
    pub async fn quote_transfer(
        &self,
        token: &str,
        recipient: &str,
        amount: &str,
    ) -> Result<FeeQuote, ServiceError> {
        let (call, _, _) = self.transfer_call(token, recipient, amount)?;
        self.quote_calls(&[call]).await
    }

    /// The ERC-20 transfer call, checked locally: the token of the network, the address, the
    /// amount within the token's decimals.
    fn transfer_call(
        &self,
        token: &str,
        recipient: &str,
        amount: &str,
    ) -> Result<(Call, String, Felt), ServiceError> {
        let network = self.prefs.get().network;
        let token = network.token(token)?.clone();
        let to = parse_address(recipient)?;
        let units = parse_amount(amount, token.decimals)?;
        let call = chipi_session::session::registration::transfer_call(token.address, to, units);
        Ok((call, token.symbol, to))
    }
}
