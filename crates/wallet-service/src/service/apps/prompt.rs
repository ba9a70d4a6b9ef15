//! What an app is told and what the user is shown: the pairing prompt (the policy in words,
//! checked before anyone is asked), the wallet's account and chain, its deployment data.

use chipi_session::{format_amount, parse_amount, SessionError};
use wallet_api::wire::DeploymentData;
use wallet_api::PairRequest;

use super::super::{hex, WalletService};
use crate::api::PairingPrompt;
use crate::error::{Field, ServiceError};

/// A duration in words: `2 h 30 min`, `45 s`.
fn duration_words(seconds: u64) -> String {
    let (h, m, s) = (seconds / 3600, seconds % 3600 / 60, seconds % 60);
    let mut parts = Vec::new();
    if h > 0 {
        parts.push(format!("{h} h"));
    }
    if m > 0 {
        parts.push(format!("{m} min"));
    }
    if s > 0 || parts.is_empty() {
        parts.push(format!("{s} s"));
    }
    parts.join(" ")
}

impl WalletService {
    /// The pairing as the approval window shows it, after the checks that need no chain and
    /// no PIN: the policy must be one this wallet can register (known tokens, amounts within
    /// their decimals, a duration and budget the session accepts).
    pub fn pairing_prompt(&self, request: &PairRequest) -> Result<PairingPrompt, ServiceError> {
        let manager = self.manager()?;
        self.refuse_if_app_locked()?;
        let policy = &request.policy;
        let params = self.app_params(policy)?;
        Self::class_keeps(&manager, &params)?;
        let most = chipi_session::ManagerConfig::default().max_duration_seconds;
        let duration_secs = u32::try_from(policy.duration_secs)
            .ok()
            .filter(|d| *d > 0 && u64::from(*d) <= most)
            .ok_or_else(|| {
                ServiceError::invalid(
                    Field::Session,
                    format!("the session may last 1 s to {}", duration_words(most)),
                )
            })?;
        let network = self.prefs.get().network;
        let mut limits = Vec::new();
        for limit in &policy.limits {
            let Ok(token) = network.token(&limit.token) else {
                continue; // refused by app_params above
            };
            let words = |amount: &str| -> Result<String, SessionError> {
                Ok(format_amount(
                    parse_amount(amount, token.decimals)?,
                    token.decimals,
                ))
            };
            limits.push(format!(
                "at most {} {sym} per transfer, {} {sym} per {}",
                words(&limit.per_call)?,
                words(&limit.per_window)?,
                duration_words(limit.window_secs),
                sym = token.symbol,
            ));
        }
        let view = crate::views::AppInfo::allowed_lines(policy, &network);
        Ok(PairingPrompt {
            id: String::new(),
            name: request.name.clone(),
            origin: request.origin.clone(),
            allowed: view,
            limits,
            messages: policy
                .messages
                .iter()
                .map(|m| m.primary_type.clone())
                .collect(),
            duration_secs,
            max_calls: policy.max_calls,
            ask_outside: request.ask_outside,
        })
    }

    /// The wallet's account (none without a wallet) and its chain id, as apps are told them.
    pub fn app_accounts(&self) -> (Vec<String>, String) {
        let prefs = self.prefs.get();
        (
            prefs.wallet.iter().map(|w| hex(w.address)).collect(),
            hex(prefs.network.chain_id),
        )
    }

    /// What deploys the account, while it is not deployed: refused once it is, and for an
    /// imported wallet (its salt is not known here).
    pub async fn deployment_data(&self) -> Result<Option<DeploymentData>, ServiceError> {
        if self.is_deployed().await? {
            return Ok(None);
        }
        let manager = self.manager()?;
        let deployment = manager.wallet().deployment()?;
        Ok(Some(DeploymentData {
            address: hex(deployment.address),
            class_hash: hex(deployment.class_hash),
            salt: hex(deployment.salt),
            calldata: deployment.calldata.iter().map(|f| hex(*f)).collect(),
            sigdata: vec![],
            version: 1,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::duration_words;

    #[test]
    fn durations_read_in_hours_minutes_and_seconds() {
        assert_eq!(duration_words(3600), "1 h");
        assert_eq!(duration_words(9000), "2 h 30 min");
        assert_eq!(duration_words(45), "45 s");
        assert_eq!(duration_words(0), "0 s");
        assert_eq!(duration_words(3661), "1 h 1 min 1 s");
    }
}
