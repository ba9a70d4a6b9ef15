//! Calls an app asks for outside its session, for an app the user let ask: shown decoded (token,
//! amount, recipient), sent only after the PIN, signed with the owner key, noted in the activity
//! as approved by the user. Never a call to the account itself.

use chipi_session::{format_amount, SessionError};
use starknet_core::types::{Call, Felt};
use wallet_api::wire::InvokeCall;

use super::super::{hex, WalletService};
use crate::api::CallsPrompt;
use crate::error::ServiceError;
use crate::host::Confirmation;
use crate::pin::Pin;
use crate::prefs::ActivityEntry;
use crate::views::{ActivityKind, ActivityStatus};

/// The most calldata felts a prompt lists for a call it cannot decode.
const SHOWN_FELTS: usize = 8;

impl WalletService {
    /// Whether app `id` lets calls outside its policy be put to the user.
    pub fn app_asks_outside(&self, id: &str) -> bool {
        self.app(id).is_ok_and(|a| a.ask_outside)
    }

    /// The prompt for `calls` (as the app sent them, and parsed) that app `id`'s session
    /// refused for `reason`: each call in words.
    pub fn calls_prompt(
        &self,
        id: &str,
        sent: &[InvokeCall],
        calls: &[Call],
        reason: &str,
    ) -> Result<CallsPrompt, ServiceError> {
        let app = self.app(id)?;
        let prefs = self.prefs.get();
        if let Some(wallet) = prefs.wallet.as_ref() {
            if calls.iter().any(|c| c.to == wallet.address) {
                return Err(ServiceError::AppNotAllowed(format!(
                    "{} asked to call the account itself: no app may, even with your approval",
                    app.name
                )));
            }
        }
        let network = prefs.network;
        let lines = sent
            .iter()
            .zip(calls)
            .map(|(wire, call)| {
                let amount = chipi_session::session::policies::spend_amount(call)
                    .ok()
                    .flatten();
                match (network.token(&hex(call.to)), amount, call.calldata.first()) {
                    (Ok(token), Some(units), Some(to)) => {
                        let amount = format_amount(units, token.decimals);
                        match wire.entry_point.as_str() {
                            "transfer" => format!("transfer {amount} {} to {to:#x}", token.symbol),
                            entry => {
                                format!("{entry}: {to:#x} may take {amount} {}", token.symbol)
                            }
                        }
                    }
                    _ => {
                        let shown: Vec<String> = call
                            .calldata
                            .iter()
                            .take(SHOWN_FELTS)
                            .map(|f| hex(*f))
                            .collect();
                        let more = call.calldata.len().saturating_sub(SHOWN_FELTS);
                        let more = if more > 0 {
                            format!(" and {more} more")
                        } else {
                            String::new()
                        };
                        format!(
                            "{} on {:#x} with [{}]{more}",
                            wire.entry_point,
                            call.to,
                            shown.join(", ")
                        )
                    }
                }
            })
            .collect();
        Ok(CallsPrompt {
            name: app.name,
            origin: app.origin,
            calls: lines,
            reason: reason.to_owned(),
        })
    }

    /// Sends `calls` app `id` asked for outside its session, after the user approved them with
    /// the PIN (`None`: biometrics): signed with the owner key, noted in the activity under the
    /// app's name. Answers the transaction hash.
    #[tracing::instrument(level = "info", skip_all, err(level = "warn", Display))]
    pub async fn app_execute_as_owner(
        &self,
        id: &str,
        calls: Vec<Call>,
        pin: Option<&Pin>,
    ) -> Result<String, ServiceError> {
        let app = self.app(id)?;
        self.refuse_if_app_locked()?;
        let manager = self.manager()?;
        if calls.iter().any(|c| c.to == manager.wallet().address) {
            return Err(ServiceError::AppNotAllowed(format!(
                "{} asked to call the account itself: no app may, even with your approval",
                app.name
            )));
        }
        let owner = self
            .open_owner_as(&manager, pin, Confirmation::AppCalls)
            .await?;
        let (summary, detail) = self.describe(&calls);
        let summary = format!("{}: {summary} (approved by you)", app.name);
        let (token, amount, counterparty) = detail.map_or((None, None, None), |(t, a, to)| {
            (Some(t), Some(a), Some(to))
        });
        let pending = |hash: Felt| {
            let _ = self.activity.record(ActivityEntry {
                at: self.clock.now(),
                kind: ActivityKind::Execute,
                summary: summary.clone(),
                transaction_hash: Some(hash),
                status: ActivityStatus::Pending,
                token: token.clone(),
                amount: amount.clone(),
                counterparty,
            });
        };
        match manager.execute_as_owner(calls, &owner, &pending).await {
            Ok(hash) => {
                self.activity
                    .settle(hash, ActivityStatus::Succeeded, None)?;
                Ok(hex(hash))
            }
            Err(e) => {
                if let SessionError::Reverted {
                    transaction_hash: Some(hash),
                    ..
                }
                | SessionError::EffectMissing {
                    transaction_hash: hash,
                    ..
                } = &e
                {
                    self.activity.settle(
                        *hash,
                        ActivityStatus::Failed,
                        Some(format!("{summary}: {e}")),
                    )?;
                }
                Err(e.into())
            }
        }
    }
}
