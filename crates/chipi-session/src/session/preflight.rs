//! The account's session rules, checked on the client before anything is sent, so a call the
//! account would refuse costs no round trip and gets a typed error.

use starknet_core::types::{Call, Felt};

use crate::chain::status::SessionStatus;
use crate::entrypoint::{selector, EXECUTE, EXECUTE_FROM_OUTSIDE_V2};
use crate::error::SessionError;
use crate::session::policies::{is_value_call, spend_amount, SpendingPolicy};

/// Checks `calls` from `account` against the session's on-chain `status`, the `(contract,
/// selector)` pairs bound to it, and the spending `policies` (token → policy) at `now`, in the
/// order the account does. `registered` tells a revoked session from one that never was
/// registered. Nothing is allowed by default: a call needs its selector on the allowlist or its
/// pair bound, and a call that can move value needs a policy for its contract.
pub fn check_execution(
    account: Felt,
    calls: &[Call],
    status: &SessionStatus,
    registered: bool,
    allowed_calls: &[(Felt, Felt)],
    policies: &[(Felt, SpendingPolicy)],
    now: u64,
) -> Result<(), SessionError> {
    check_calls(
        account,
        calls,
        status,
        registered,
        allowed_calls,
        Some(policies),
        now,
    )?;
    // A transaction's spending, per token, over the whole window.
    for (token, policy) in policies {
        let mut amounts = Vec::new();
        for call in calls.iter().filter(|c| c.to == *token) {
            if let Some(amount) = spend_amount(call)? {
                amounts.push(amount);
            }
        }
        if !amounts.is_empty() {
            policy.after_spending(*token, &amounts, now)?;
        }
    }
    Ok(())
}

/// The same checks for a class that keeps no spending limits (Chipi's deployed classes): the
/// status, the allowlist and the calls a session may never make; value calls are not limited
/// by the chain there, so they are not refused here for lack of a policy.
pub fn check_execution_without_policies(
    account: Felt,
    calls: &[Call],
    status: &SessionStatus,
    registered: bool,
    now: u64,
) -> Result<(), SessionError> {
    check_calls(account, calls, status, registered, &[], None, now)
}

fn check_calls(
    account: Felt,
    calls: &[Call],
    status: &SessionStatus,
    registered: bool,
    allowed_calls: &[(Felt, Felt)],
    policies: Option<&[(Felt, SpendingPolicy)]>,
    now: u64,
) -> Result<(), SessionError> {
    if calls.is_empty() {
        return Err(SessionError::InvalidCall("no calls".into()));
    }
    check_status(status, registered, now)?;
    let nested = [
        selector(EXECUTE),
        selector(EXECUTE_FROM_OUTSIDE_V2),
        selector("execute_from_outside"),
    ];
    for call in calls {
        if call.to == account || nested.contains(&call.selector) {
            return Err(SessionError::PrivilegedCall);
        }
        check_call(call, status, allowed_calls, policies, now)?;
    }
    Ok(())
}

/// The session is registered, not revoked, not expired, and has calls left.
fn check_status(status: &SessionStatus, registered: bool, now: u64) -> Result<(), SessionError> {
    if !status.is_active {
        return Err(if registered {
            SessionError::SessionRevoked
        } else {
            SessionError::SessionNotRegistered
        });
    }
    if now > status.valid_until {
        return Err(SessionError::SessionExpired {
            valid_until: status.valid_until,
        });
    }
    if status.remaining_calls == 0 {
        return Err(SessionError::CallsExhausted);
    }
    Ok(())
}

/// One call: allowed (by selector or bound pair), and within its token's policy.
fn check_call(
    call: &Call,
    status: &SessionStatus,
    allowed_calls: &[(Felt, Felt)],
    policies: Option<&[(Felt, SpendingPolicy)]>,
    now: u64,
) -> Result<(), SessionError> {
    if !status.allowed_entrypoints.contains(&call.selector)
        && !allowed_calls.contains(&(call.to, call.selector))
    {
        return Err(SessionError::EntrypointNotAllowed {
            selector: call.selector,
        });
    }
    let Some(policies) = policies else {
        return Ok(());
    };
    if is_value_call(call.selector) {
        let policy = policies
            .iter()
            .find(|(t, p)| *t == call.to && p.is_set())
            .map(|(_, p)| p)
            .ok_or(SessionError::NoSpendingPolicy { contract: call.to })?;
        if let Some(amount) = spend_amount(call)? {
            policy.after_spending(call.to, &[amount], now)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entrypoint::{APPROVE, TRANSFER};

    const ACCOUNT: Felt = Felt::from_hex_unchecked("0xacc");
    const TOKEN: Felt = Felt::from_hex_unchecked("0x70c");

    fn transfer(amount: u64) -> Call {
        Call {
            to: TOKEN,
            selector: selector(TRANSFER),
            calldata: vec![Felt::TWO, Felt::from(amount), Felt::ZERO],
        }
    }

    fn active(allowed: Vec<Felt>) -> SessionStatus {
        SessionStatus {
            is_active: true,
            valid_until: 1000,
            remaining_calls: 3,
            allowed_entrypoints: allowed,
        }
    }

    fn policy() -> (Felt, SpendingPolicy) {
        (
            TOKEN,
            SpendingPolicy {
                max_per_call: 100,
                max_per_window: 150,
                window_seconds: 60,
                spent: 120,
                window_start: 900,
            },
        )
    }

    #[test]
    fn a_valid_execution_passes() {
        check_execution(
            ACCOUNT,
            &[transfer(10)],
            &active(vec![selector(TRANSFER)]),
            true,
            &[],
            &[policy()],
            950,
        )
        .unwrap();
    }

    #[test]
    fn each_rule_has_its_error() {
        let s = active(vec![selector(TRANSFER)]);
        let inactive = SessionStatus {
            is_active: false,
            ..s.clone()
        };
        assert!(matches!(
            check_execution(ACCOUNT, &[transfer(1)], &inactive, true, &[], &[], 10),
            Err(SessionError::SessionRevoked)
        ));
        assert!(matches!(
            check_execution(ACCOUNT, &[transfer(1)], &inactive, false, &[], &[], 10),
            Err(SessionError::SessionNotRegistered)
        ));
        assert!(matches!(
            check_execution(ACCOUNT, &[transfer(1)], &s, true, &[], &[], 1001),
            Err(SessionError::SessionExpired { valid_until: 1000 })
        ));
        let spent = SessionStatus {
            remaining_calls: 0,
            ..s.clone()
        };
        assert!(matches!(
            check_execution(ACCOUNT, &[transfer(1)], &spent, true, &[], &[], 10),
            Err(SessionError::CallsExhausted)
        ));
        let approve = Call {
            selector: selector(APPROVE),
            ..transfer(1)
        };
        assert!(matches!(
            check_execution(ACCOUNT, &[approve], &s, true, &[], &[], 10),
            Err(SessionError::EntrypointNotAllowed { .. })
        ));
        let own = Call {
            to: ACCOUNT,
            ..transfer(1)
        };
        assert!(matches!(
            check_execution(ACCOUNT, &[own], &active(vec![]), true, &[], &[], 10),
            Err(SessionError::PrivilegedCall)
        ));
        assert!(matches!(
            check_execution(ACCOUNT, &[transfer(31)], &s, true, &[], &[policy()], 950),
            Err(SessionError::SpendingLimit { per: "window", .. })
        ));
        let long = SessionStatus {
            valid_until: 5000,
            ..s.clone()
        };
        assert!(matches!(
            check_execution(
                ACCOUNT,
                &[transfer(101)],
                &long,
                true,
                &[],
                &[policy()],
                2000
            ),
            Err(SessionError::SpendingLimit { per: "call", .. })
        ));
        assert!(
            check_execution(
                ACCOUNT,
                &[transfer(100)],
                &long,
                true,
                &[],
                &[policy()],
                2000
            )
            .is_ok(),
            "the window has rolled over"
        );
        assert!(matches!(
            check_execution(ACCOUNT, &[], &s, true, &[], &[], 10),
            Err(SessionError::InvalidCall(_))
        ));
    }

    #[test]
    fn nothing_is_allowed_by_default() {
        let none = active(vec![]);
        assert!(
            matches!(
                check_execution(ACCOUNT, &[transfer(1)], &none, true, &[], &[policy()], 950),
                Err(SessionError::EntrypointNotAllowed { .. })
            ),
            "an empty allowlist allows nothing"
        );
        let bound = [(TOKEN, selector(TRANSFER))];
        check_execution(
            ACCOUNT,
            &[transfer(1)],
            &none,
            true,
            &bound,
            &[policy()],
            950,
        )
        .expect("a bound (contract, selector) pair is allowed");
        let elsewhere = Call {
            to: Felt::from(0x999u16),
            ..transfer(1)
        };
        assert!(
            matches!(
                check_execution(
                    ACCOUNT,
                    std::slice::from_ref(&elsewhere),
                    &none,
                    true,
                    &bound,
                    &[],
                    950
                ),
                Err(SessionError::EntrypointNotAllowed { .. })
            ),
            "a pair binds its selector to its contract only"
        );
        let any = active(vec![selector(TRANSFER)]);
        assert!(
            matches!(
                check_execution(ACCOUNT, &[elsewhere], &any, true, &[], &[policy()], 950),
                Err(SessionError::NoSpendingPolicy { contract }) if contract == Felt::from(0x999u16)
            ),
            "a token without a policy cannot be moved"
        );
        let nft = Call {
            to: TOKEN,
            selector: selector("set_approval_for_all"),
            calldata: vec![Felt::TWO, Felt::ONE],
        };
        let nft_allowed = active(vec![nft.selector]);
        assert!(matches!(
            check_execution(ACCOUNT, &[nft], &nft_allowed, true, &[], &[policy()], 950),
            Err(SessionError::UnboundedValueCall { .. })
        ));
    }
}
