//! Calls an app asks for outside its session, for an app the user let ask: shown decoded (token,
//! amount, recipient), sent only after the PIN or biometrics, signed with the owner key, noted in
//! the activity as approved by the user. Never a call to the account itself.

use chipi_session::entrypoint::selector;
use chipi_session::network::Token;
use chipi_session::{format_amount, SessionError};
use starknet_core::types::{Call, Felt};
use wallet_api::wire::InvokeCall;

use super::super::{hex, WalletService};
use crate::api::CallsPrompt;
use crate::error::ServiceError;
use crate::host::Confirmation;
use crate::pin::Pin;
use crate::views::{ActivityKind, ActivityStatus};

/// The most calldata values a prompt lists for a call it cannot decode: a longer call is
/// refused rather than shown cut short (the user would approve what they did not see).
const MOST_SHOWN_FELTS: usize = 32;

/// A `u256` amount (low and high words) in words: in the token's units (base units of a token
/// the wallet does not know), or unlimited from 2^128 base units up (an allowance of "all").
fn amount_words(low: Felt, high: Felt, token: Option<&Token>, contract: Felt) -> String {
    let units = (high == Felt::ZERO)
        .then(|| u128::try_from(low).ok())
        .flatten();
    match (units, token) {
        (Some(units), Some(token)) => {
            format!("{} {}", format_amount(units, token.decimals), token.symbol)
        }
        (Some(units), None) => format!("{units} base units of {contract:#x}"),
        (None, Some(token)) => format!(
            "an unlimited amount (2^128 base units or more) of {}",
            token.symbol
        ),
        (None, None) => format!("an unlimited amount (2^128 base units or more) of {contract:#x}"),
    }
}

/// A call in words. Calls that move or grant a token are decoded by their selector, each
/// argument named: `transfer 3 STRK to 0x…`, `transfer_from 3 STRK from 0x… to 0x…`, `approve 0x…
/// to take up to 3 STRK`, `allow 0x… to take 3 STRK more`, `let 0x… move every token of 0x…`.
/// Any other call (or one of the wrong length): its entrypoint, contract and every calldata value.
fn call_words(entry: &str, call: &Call, token: Option<&Token>) -> Result<String, ServiceError> {
    let is = |names: &[&str], len: usize| {
        call.calldata.len() == len && names.iter().any(|n| selector(n) == call.selector)
    };
    let args = &call.calldata;
    let amount = |at: usize| amount_words(args[at], args[at + 1], token, call.to);
    if is(&["transfer"], 3) {
        return Ok(format!("transfer {} to {:#x}", amount(1), args[0]));
    }
    if is(&["transfer_from", "transferFrom"], 4) {
        return Ok(format!(
            "transfer_from {} from {:#x} to {:#x}",
            amount(2),
            args[0],
            args[1]
        ));
    }
    if is(&["approve"], 3) {
        return Ok(format!(
            "approve {:#x} to take up to {}",
            args[0],
            amount(1)
        ));
    }
    if is(&["increase_allowance", "increaseAllowance"], 3) {
        return Ok(format!("allow {:#x} to take {} more", args[0], amount(1)));
    }
    if is(&["set_approval_for_all", "setApprovalForAll"], 2) {
        return Ok(if args[1] == Felt::ZERO {
            format!("stop {:#x} moving the tokens of {:#x}", args[0], call.to)
        } else {
            format!(
                "let {:#x} move every token of {:#x} the account holds",
                args[0], call.to
            )
        });
    }
    if call.calldata.len() > MOST_SHOWN_FELTS {
        return Err(ServiceError::AppNotAllowed(format!(
            "{entry} on {:#x} carries {} values, too many to show: it is not put to you",
            call.to,
            call.calldata.len()
        )));
    }
    let shown: Vec<String> = call.calldata.iter().map(|f| hex(*f)).collect();
    Ok(format!(
        "{entry} on {:#x} with [{}]",
        call.to,
        shown.join(", ")
    ))
}

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
                call_words(&wire.entry_point, call, network.token(&hex(call.to)).ok())
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(CallsPrompt {
            id: String::new(),
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
        // A call to the account itself was refused before the prompt, and the manager refuses
        // it again (`PrivilegedCall`).
        let manager = self.manager()?;
        let owner = self
            .open_owner_as(&manager, pin, Confirmation::AppCalls)
            .await?;
        let (summary, detail) = self.describe(&calls);
        let summary = format!("{}: {summary} (approved by you)", app.name);
        let pending = self.pending_recorder(ActivityKind::Execute, &summary, detail);
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

#[cfg(test)]
mod tests {
    use super::*;

    fn call(entry: &str, calldata: &[u64]) -> Call {
        Call {
            to: Felt::from(0x57u64),
            selector: selector(entry),
            calldata: calldata.iter().map(|f| Felt::from(*f)).collect(),
        }
    }

    fn strk() -> Option<&'static Token> {
        static STRK: std::sync::OnceLock<Token> = std::sync::OnceLock::new();
        Some(STRK.get_or_init(|| Token::new("STRK", Felt::from(0x57u64), 18)))
    }

    const THREE: u64 = 3_000_000_000_000_000_000;

    #[test]
    fn value_calls_name_each_argument_by_selector() {
        let words = |entry, data: &[u64], token| call_words(entry, &call(entry, data), token);
        assert_eq!(
            words("transfer", &[0xb0b, THREE, 0], strk()).unwrap(),
            "transfer 3 STRK to 0xb0b"
        );
        assert_eq!(
            words("transfer_from", &[0xa11ce, 0xb0b, THREE, 0], strk()).unwrap(),
            "transfer_from 3 STRK from 0xa11ce to 0xb0b"
        );
        assert_eq!(
            words("transferFrom", &[0xa11ce, 0xb0b, THREE, 0], strk()).unwrap(),
            "transfer_from 3 STRK from 0xa11ce to 0xb0b"
        );
        assert_eq!(
            words("approve", &[0xdead, THREE, 0], strk()).unwrap(),
            "approve 0xdead to take up to 3 STRK"
        );
        assert_eq!(
            words("increase_allowance", &[0xdead, THREE, 0], strk()).unwrap(),
            "allow 0xdead to take 3 STRK more"
        );
        assert_eq!(
            words("transfer", &[0xb0b, 5, 0], None).unwrap(),
            "transfer 5 base units of 0x57 to 0xb0b"
        );
        // The allowances that matter most: all of a token, all of a collection.
        assert_eq!(
            words("approve", &[0xdead, u64::MAX, 1], strk()).unwrap(),
            "approve 0xdead to take up to an unlimited amount (2^128 base units or more) of STRK"
        );
        assert_eq!(
            words("set_approval_for_all", &[0xdead, 1], None).unwrap(),
            "let 0xdead move every token of 0x57 the account holds"
        );
        assert_eq!(
            words("setApprovalForAll", &[0xdead, 0], None).unwrap(),
            "stop 0xdead moving the tokens of 0x57"
        );
    }

    #[test]
    fn other_calls_show_every_value_or_are_refused() {
        let words = |data: &[u64]| call_words("swap", &call("swap", data), strk());
        assert_eq!(words(&[1, 2]).unwrap(), "swap on 0x57 with [0x1, 0x2]");
        // A malformed transfer is shown as it is, not decoded.
        assert_eq!(
            call_words("transfer", &call("transfer", &[0xb0b]), strk()).unwrap(),
            "transfer on 0x57 with [0xb0b]"
        );
        let long: Vec<u64> = (0..=MOST_SHOWN_FELTS as u64).collect();
        let all = (0..MOST_SHOWN_FELTS as u64).collect::<Vec<_>>();
        assert_eq!(
            words(&all).unwrap().matches(", ").count(),
            MOST_SHOWN_FELTS - 1
        );
        assert!(matches!(words(&long), Err(ServiceError::AppNotAllowed(_))));
    }
}
