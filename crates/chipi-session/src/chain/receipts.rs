//! What a successful transaction must show in its receipt. A transaction can be accepted and
//! still not have done what was asked (a reverted transaction, or an account that swallows a
//! failed inner call), so success is reported only when every expected event is there.

use starknet_core::types::{Call, Felt};

use crate::chain::node_client::{Receipt, ReceiptEvent};
use crate::entrypoint::{
    selector, ADD_OR_UPDATE_SESSION_KEY, ADD_SESSION_ALLOWED_CALLS, REVOKE_SESSION_KEY,
    SET_SPENDING_POLICY, TRANSFER,
};
use crate::error::SessionError;

/// One event the receipt must hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpectedEvent {
    /// The contract that must emit it.
    pub from_address: Felt,
    /// The event name (its selector is `keys[0]`).
    pub name: &'static str,
    /// Felts that must follow the selector, across keys and data (keys first); empty: any.
    pub fields: Vec<Felt>,
}

impl ExpectedEvent {
    fn matches(&self, event: &ReceiptEvent) -> bool {
        if event.from_address != self.from_address
            || event.keys.first() != Some(&selector(self.name))
        {
            return false;
        }
        if self.fields.is_empty() {
            return true;
        }
        let fields: Vec<Felt> = event
            .keys
            .iter()
            .skip(1)
            .chain(event.data.iter())
            .copied()
            .collect();
        fields == self.fields
    }
}

/// The events `calls` from `account` must produce: an ERC-20 `Transfer` for each `transfer`,
/// and the account's own events for session registration, revocation and spending policies.
pub fn expected_events(account: Felt, calls: &[Call]) -> Vec<ExpectedEvent> {
    expected_events_of(account, calls, true)
}

/// The same, with the account's own session events only when `session_events` (classes that
/// emit none are checked by reading their status instead).
pub fn expected_events_of(
    account: Felt,
    calls: &[Call],
    session_events: bool,
) -> Vec<ExpectedEvent> {
    let mut out = Vec::new();
    for call in calls {
        if call.selector == selector(TRANSFER) && call.calldata.len() == 3 {
            let mut fields = vec![account];
            fields.extend_from_slice(&call.calldata);
            out.push(ExpectedEvent {
                from_address: call.to,
                name: "Transfer",
                fields,
            });
        } else if call.to == account && session_events {
            let name = if call.selector == selector(ADD_OR_UPDATE_SESSION_KEY) {
                "SessionKeyAdded"
            } else if call.selector == selector(REVOKE_SESSION_KEY) {
                "SessionKeyRevoked"
            } else if call.selector == selector(SET_SPENDING_POLICY) {
                "SpendingPolicySet"
            } else if call.selector == selector(ADD_SESSION_ALLOWED_CALLS) {
                "SessionCallsAllowed"
            } else {
                continue;
            };
            out.push(ExpectedEvent {
                from_address: account,
                name,
                fields: vec![],
            });
        }
    }
    out
}

/// Succeeds when the transaction succeeded and every expected event is in its receipt, each
/// matched by a distinct event.
pub fn check_receipt(receipt: &Receipt, expected: &[ExpectedEvent]) -> Result<(), SessionError> {
    if !receipt.succeeded {
        return Err(SessionError::Reverted {
            transaction_hash: Some(receipt.transaction_hash),
            reason: receipt.revert_reason.clone().unwrap_or_default(),
        });
    }
    let mut used = vec![false; receipt.events.len()];
    for want in expected {
        let found = receipt
            .events
            .iter()
            .enumerate()
            .find(|(i, e)| !used[*i] && want.matches(e));
        match found {
            Some((i, _)) => used[i] = true,
            None => {
                return Err(SessionError::EffectMissing {
                    transaction_hash: receipt.transaction_hash,
                    event: want.name,
                })
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const ACCOUNT: Felt = Felt::from_hex_unchecked("0xacc");
    const TOKEN: Felt = Felt::from_hex_unchecked("0x70c");
    const TO: Felt = Felt::from_hex_unchecked("0xb0b");

    fn transfer_event(amount: u64) -> ReceiptEvent {
        ReceiptEvent {
            from_address: TOKEN,
            keys: vec![selector("Transfer"), ACCOUNT, TO],
            data: vec![Felt::from(amount), Felt::ZERO],
        }
    }

    fn receipt(succeeded: bool, events: Vec<ReceiptEvent>) -> Receipt {
        Receipt {
            transaction_hash: Felt::ONE,
            succeeded,
            revert_reason: None,
            events,
        }
    }

    #[test]
    fn a_transfer_needs_its_transfer_event() {
        let call = Call {
            to: TOKEN,
            selector: selector(TRANSFER),
            calldata: vec![TO, Felt::from(5u8), Felt::ZERO],
        };
        let expected = expected_events(ACCOUNT, &[call.clone(), call]);
        assert_eq!(expected.len(), 2);
        assert!(check_receipt(
            &receipt(true, vec![transfer_event(5), transfer_event(5)]),
            &expected
        )
        .is_ok());
        // One event cannot stand for two transfers; another amount is not this transfer.
        assert!(matches!(
            check_receipt(&receipt(true, vec![transfer_event(5)]), &expected),
            Err(SessionError::EffectMissing {
                event: "Transfer",
                ..
            })
        ));
        assert!(check_receipt(
            &receipt(true, vec![transfer_event(6), transfer_event(5)]),
            &expected
        )
        .is_err());
        // Data-only layout (keys [selector], data [from, to, low, high]) matches too.
        let flat = ReceiptEvent {
            from_address: TOKEN,
            keys: vec![selector("Transfer")],
            data: vec![ACCOUNT, TO, Felt::from(5u8), Felt::ZERO],
        };
        assert!(check_receipt(&receipt(true, vec![flat.clone(), flat]), &expected).is_ok());
    }

    #[test]
    fn reverted_is_an_error_even_with_events() {
        let call = Call {
            to: ACCOUNT,
            selector: selector(REVOKE_SESSION_KEY),
            calldata: vec![TO],
        };
        let expected = expected_events(ACCOUNT, &[call]);
        let revoked = ReceiptEvent {
            from_address: ACCOUNT,
            keys: vec![selector("SessionKeyRevoked"), TO],
            data: vec![],
        };
        assert!(check_receipt(&receipt(true, vec![revoked.clone()]), &expected).is_ok());
        assert!(matches!(
            check_receipt(&receipt(false, vec![revoked]), &expected),
            Err(SessionError::Reverted { .. })
        ));
        assert!(check_receipt(&receipt(true, vec![]), &expected).is_err());
    }
}
