//! A session's spending policy for one token, as `get_spending_policy` returns it, and the same
//! accounting the account does, so a client can refuse an over-limit transfer before sending it.

use starknet_core::types::{Call, Felt};

use crate::entrypoint::{selector, APPROVE, TRANSFER};
use crate::error::SessionError;

/// `[max_per_call lo,hi, max_per_window lo,hi, window_seconds, spent lo,hi, window_start]`.
/// `window_seconds == 0` means no policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SpendingPolicy {
    /// Most one call may move.
    pub max_per_call: u128,
    /// Most all calls may move within one window.
    pub max_per_window: u128,
    /// Window length in seconds.
    pub window_seconds: u64,
    /// Moved so far in the current window.
    pub spent: u128,
    /// When the current window began (0: none yet).
    pub window_start: u64,
}

impl SpendingPolicy {
    /// Parses the eight felts of `get_spending_policy`. Amounts above 2^128 are refused: no
    /// token this wallet handles has a supply that large.
    pub fn from_felts(data: &[Felt]) -> Result<Self, SessionError> {
        let bad =
            |what: &str| SessionError::InvalidResponse(format!("get_spending_policy: {what}"));
        let [per_call_lo, per_call_hi, per_window_lo, per_window_hi, window, spent_lo, spent_hi, start] =
            data
        else {
            return Err(bad("expected 8 felts"));
        };
        let u128_of = |lo: &Felt, hi: &Felt| -> Result<u128, SessionError> {
            if *hi != Felt::ZERO {
                return Err(bad("amount above 2^128"));
            }
            (*lo).try_into().map_err(|_| bad("amount out of range"))
        };
        Ok(Self {
            max_per_call: u128_of(per_call_lo, per_call_hi)?,
            max_per_window: u128_of(per_window_lo, per_window_hi)?,
            window_seconds: (*window)
                .try_into()
                .map_err(|_| bad("window out of range"))?,
            spent: u128_of(spent_lo, spent_hi)?,
            window_start: (*start)
                .try_into()
                .map_err(|_| bad("window start out of range"))?,
        })
    }

    /// Whether a policy is set.
    pub fn is_set(&self) -> bool {
        self.window_seconds != 0
    }

    /// What the account would record after `amounts` are spent at `now`, or the limit they break.
    pub fn after_spending(
        &self,
        token: Felt,
        amounts: &[u128],
        now: u64,
    ) -> Result<Self, SessionError> {
        if !self.is_set() {
            return Ok(*self);
        }
        let mut next = *self;
        if next.window_start == 0 || now.saturating_sub(next.window_start) >= next.window_seconds {
            next.window_start = now;
            next.spent = 0;
        }
        for &amount in amounts {
            if amount > next.max_per_call {
                return Err(SessionError::SpendingLimit {
                    token,
                    amount,
                    limit: next.max_per_call,
                    per: "call",
                });
            }
            let spent = next
                .spent
                .checked_add(amount)
                .filter(|s| *s <= next.max_per_window);
            next.spent = spent.ok_or(SessionError::SpendingLimit {
                token,
                amount,
                limit: next.max_per_window - next.spent,
                per: "window",
            })?;
        }
        Ok(next)
    }
}

/// `(address, amount: u256)` entrypoints that move or grant ERC-20 value.
const AMOUNT_CALLS: [&str; 4] = [TRANSFER, APPROVE, "increase_allowance", "increaseAllowance"];
/// `(from, to, amount: u256)` entrypoints (ERC-721's `transfer_from` has the same shape).
const TRANSFER_FROM_CALLS: [&str; 2] = ["transfer_from", "transferFrom"];
/// NFT entrypoints that no fungible limit can bound: the account refuses them to sessions.
pub const NFT_ONLY_CALLS: [&str; 6] = [
    "safe_transfer_from",
    "safeTransferFrom",
    "safe_batch_transfer_from",
    "safeBatchTransferFrom",
    "set_approval_for_all",
    "setApprovalForAll",
];

/// Whether `selector` can move value (tokens, or the right to move them): the account lets a
/// session call it only on a contract the session has a spending policy for.
pub fn is_value_call(selector: Felt) -> bool {
    AMOUNT_CALLS
        .iter()
        .chain(&TRANSFER_FROM_CALLS)
        .chain(&NFT_ONLY_CALLS)
        .any(|name| crate::entrypoint::selector(name) == selector)
}

/// The amount a value call moves or grants, as the account reads it: the `u256` after the
/// address for `transfer`, `approve`, `increase_allowance` (and camelCase), after `from, to` for
/// `transfer_from`. `Ok(None)` for a call that moves no value; an NFT-only entrypoint is
/// [`SessionError::UnboundedValueCall`].
pub fn spend_amount(call: &Call) -> Result<Option<u128>, SessionError> {
    let is = |names: &[&str]| names.iter().any(|n| selector(n) == call.selector);
    let at = if is(&AMOUNT_CALLS) {
        if call.calldata.len() != 3 {
            return Err(SessionError::InvalidCall(
                "an ERC-20 spend takes (address, u256)".into(),
            ));
        }
        1
    } else if is(&TRANSFER_FROM_CALLS) {
        if call.calldata.len() != 4 {
            return Err(SessionError::InvalidCall(
                "transfer_from takes (from, to, u256)".into(),
            ));
        }
        2
    } else if is(&NFT_ONLY_CALLS) {
        return Err(SessionError::UnboundedValueCall {
            selector: call.selector,
        });
    } else {
        return Ok(None);
    };
    let (low, high) = (call.calldata[at], call.calldata[at + 1]);
    if high != Felt::ZERO {
        return Err(SessionError::InvalidCall("amount above 2^128".into()));
    }
    let amount = low
        .try_into()
        .map_err(|_| SessionError::InvalidCall("amount low word above 2^128".into()))?;
    Ok(Some(amount))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> SpendingPolicy {
        SpendingPolicy {
            max_per_call: 100,
            max_per_window: 150,
            window_seconds: 1000,
            spent: 0,
            window_start: 0,
        }
    }

    #[test]
    fn parses_the_layout() {
        let data = [100u64, 0, 150, 0, 1000, 60, 0, 5000].map(Felt::from);
        let parsed = SpendingPolicy::from_felts(&data).unwrap();
        assert_eq!(
            parsed,
            SpendingPolicy {
                spent: 60,
                window_start: 5000,
                ..policy()
            }
        );
        assert!(SpendingPolicy::from_felts(&data[..7]).is_err());
        let huge = [100u64, 1, 150, 0, 1000, 60, 0, 5000].map(Felt::from);
        assert!(SpendingPolicy::from_felts(&huge).is_err());
    }

    #[test]
    fn mirrors_the_contract_accounting() {
        let p = policy();
        assert!(matches!(
            p.after_spending(Felt::ONE, &[101], 10),
            Err(SessionError::SpendingLimit { per: "call", .. })
        ));
        let p = p.after_spending(Felt::ONE, &[100], 10).unwrap();
        assert_eq!((p.spent, p.window_start), (100, 10));
        assert!(matches!(
            p.after_spending(Felt::ONE, &[60], 20),
            Err(SessionError::SpendingLimit {
                per: "window",
                limit: 50,
                ..
            })
        ));
        assert!(matches!(
            p.after_spending(Felt::ONE, &[30, 30], 20),
            Err(SessionError::SpendingLimit { per: "window", .. })
        ));
        assert_eq!(
            p.after_spending(Felt::ONE, &[50], 20).unwrap().spent,
            150,
            "exactly at the limit"
        );
        let next = p.after_spending(Felt::ONE, &[60], 1010).unwrap();
        assert_eq!((next.spent, next.window_start), (60, 1010), "a new window");
        let none = SpendingPolicy::default();
        assert_eq!(
            none.after_spending(Felt::ONE, &[u128::MAX], 1).unwrap(),
            none,
            "no policy, no limit"
        );
    }

    #[test]
    fn finds_spend_amounts() {
        let token = Felt::from(9u8);
        let transfer = Call {
            to: token,
            selector: selector(TRANSFER),
            calldata: vec![Felt::ONE, Felt::from(42u8), Felt::ZERO],
        };
        assert_eq!(spend_amount(&transfer).unwrap(), Some(42));
        let other = Call {
            to: token,
            selector: selector("balance_of"),
            calldata: vec![Felt::ONE],
        };
        assert_eq!(spend_amount(&other).unwrap(), None);
        let short = Call {
            to: token,
            selector: selector(APPROVE),
            calldata: vec![Felt::ONE],
        };
        assert!(spend_amount(&short).is_err());
        let from = Call {
            to: token,
            selector: selector("transferFrom"),
            calldata: vec![Felt::ONE, Felt::TWO, Felt::from(7u8), Felt::ZERO],
        };
        assert_eq!(
            spend_amount(&from).unwrap(),
            Some(7),
            "the amount after from, to"
        );
        assert!(is_value_call(from.selector));
        for name in NFT_ONLY_CALLS {
            let nft = Call {
                to: token,
                selector: selector(name),
                calldata: vec![Felt::ONE, Felt::ONE],
            };
            assert!(is_value_call(nft.selector), "{name} moves value");
            assert!(
                matches!(
                    spend_amount(&nft),
                    Err(SessionError::UnboundedValueCall { .. })
                ),
                "{name} cannot be bounded by an amount"
            );
        }
        assert!(!is_value_call(selector("balance_of")));
    }
}
