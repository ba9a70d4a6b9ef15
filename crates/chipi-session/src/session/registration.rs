//! The owner's self-calls that register and revoke a session key.

use starknet_core::types::{Call, Felt};

use crate::entrypoint::{
    selector, ADD_OR_UPDATE_SESSION_KEY, ADD_SESSION_ALLOWED_CALLS, REGISTER_INTERFACES,
    REVOKE_SESSION_KEY, SET_SPENDING_POLICY, TRANSFER, UPGRADE,
};

/// An ERC-20 `transfer(recipient, amount)` on `token` (`amount` in base units; the high half of
/// the u256 is zero).
pub fn transfer_call(token: Felt, recipient: Felt, amount: u128) -> Call {
    Call {
        to: token,
        selector: selector(TRANSFER),
        calldata: vec![recipient, Felt::from(amount), Felt::ZERO],
    }
}

/// `add_or_update_session_key(session_key, valid_until, max_calls, allowed_entrypoints)` on
/// `account`; calldata `[pk, valid_until, max_calls, n, selectors...]`. The selectors are allowed
/// on any contract; an empty allowlist allows none (our class; the published CHIPI classes
/// read it as "any").
pub fn register_session_call(
    account: Felt,
    session_key: Felt,
    valid_until: u64,
    max_calls: u32,
    allowed_entrypoints: &[Felt],
) -> Call {
    let mut calldata = vec![
        session_key,
        Felt::from(valid_until),
        Felt::from(max_calls),
        Felt::from(allowed_entrypoints.len()),
    ];
    calldata.extend_from_slice(allowed_entrypoints);
    Call {
        to: account,
        selector: selector(ADD_OR_UPDATE_SESSION_KEY),
        calldata,
    }
}

/// `add_session_allowed_calls(session_key, [(contract, selector)...])` on `account`: each
/// selector is allowed on its contract only. Sent after the registration, in the same
/// transaction.
pub fn allow_session_calls_call(account: Felt, session_key: Felt, pairs: &[(Felt, Felt)]) -> Call {
    let mut calldata = vec![session_key, Felt::from(pairs.len())];
    for (contract, entrypoint) in pairs {
        calldata.push(*contract);
        calldata.push(*entrypoint);
    }
    Call {
        to: account,
        selector: selector(ADD_SESSION_ALLOWED_CALLS),
        calldata,
    }
}

/// `revoke_session_key(session_key)` on `account`.
pub fn revoke_session_call(account: Felt, session_key: Felt) -> Call {
    Call {
        to: account,
        selector: selector(REVOKE_SESSION_KEY),
        calldata: vec![session_key],
    }
}

/// `set_spending_policy(session_key, token, max_per_call: u256, max_per_window: u256,
/// window_seconds)` on `account`; u256 as `[low, high]`.
pub fn set_spending_policy_call(
    account: Felt,
    session_key: Felt,
    token: Felt,
    max_per_call: u128,
    max_per_window: u128,
    window_seconds: u64,
) -> Call {
    Call {
        to: account,
        selector: selector(SET_SPENDING_POLICY),
        calldata: vec![
            session_key,
            token,
            Felt::from(max_per_call),
            Felt::ZERO,
            Felt::from(max_per_window),
            Felt::ZERO,
            Felt::from(window_seconds),
        ],
    }
}

/// `upgrade(new_class_hash)` on `account` (the owner's self-call).
pub fn upgrade_call(account: Felt, new_class_hash: Felt) -> Call {
    Call {
        to: account,
        selector: selector(UPGRADE),
        calldata: vec![new_class_hash],
    }
}

/// `register_interfaces()` on `account`, once after an upgrade to CHIPI v33.
pub fn register_interfaces_call(account: Felt) -> Call {
    Call {
        to: account,
        selector: selector(REGISTER_INTERFACES),
        calldata: vec![],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn register_calldata_matches_the_protocol_vector() {
        let pk = Felt::from_hex_unchecked(
            "0x36ead5f7af7ea48a5ee5bdea799543c0a3624871739e15dbb0438e9543f48b6",
        );
        let call = register_session_call(Felt::ONE, pk, 1_700_021_600, 1000, &[]);
        let hex: Vec<String> = call.calldata.iter().map(|f| format!("{f:#x}")).collect();
        assert_eq!(
            hex,
            [
                "0x36ead5f7af7ea48a5ee5bdea799543c0a3624871739e15dbb0438e9543f48b6",
                "0x65544560",
                "0x3e8",
                "0x0"
            ]
        );
        assert_eq!(call.to, Felt::ONE, "registration is a self-call");
    }

    #[test]
    fn allowlist_is_length_prefixed() {
        let call = register_session_call(
            Felt::ONE,
            Felt::TWO,
            5,
            6,
            &[Felt::from(9u8), Felt::from(10u8)],
        );
        assert_eq!(call.calldata[3], Felt::TWO);
        assert_eq!(&call.calldata[4..], &[Felt::from(9u8), Felt::from(10u8)]);
    }
}
