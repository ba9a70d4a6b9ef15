//! Names of the session account's entrypoints and the ERC-20 ones session rules look at.
//! Selectors are computed from these names (`sn_keccak`), never hard-coded.

use starknet_core::types::Felt;
use starknet_core::utils::get_selector_from_name;

/// Registers or updates a session key (owner only).
pub const ADD_OR_UPDATE_SESSION_KEY: &str = "add_or_update_session_key";
/// Revokes a session key (owner only).
pub const REVOKE_SESSION_KEY: &str = "revoke_session_key";
/// Reads a session: `[is_active, valid_until, remaining_calls, n, selectors...]`.
pub const GET_SESSION_DATA: &str = "get_session_data";
/// Sets a spending policy of a session key for one token (owner only).
pub const SET_SPENDING_POLICY: &str = "set_spending_policy";
/// Reads a spending policy.
pub const GET_SPENDING_POLICY: &str = "get_spending_policy";
/// Removes a spending policy (owner only).
pub const REMOVE_SPENDING_POLICY: &str = "remove_spending_policy";
/// Binds `(contract, selector)` pairs to a registered session key (owner only).
pub const ADD_SESSION_ALLOWED_CALLS: &str = "add_session_allowed_calls";
/// Reads the pairs bound to a session key: `[n, (contract, selector)...]`.
pub const GET_SESSION_ALLOWED_CALLS: &str = "get_session_allowed_calls";
/// SNIP-9 v2 entrypoint.
pub const EXECUTE_FROM_OUTSIDE_V2: &str = "execute_from_outside_v2";
/// SNIP-9 nonce check.
pub const IS_VALID_OUTSIDE_EXECUTION_NONCE: &str = "is_valid_outside_execution_nonce";
/// Replaces the account's class (owner only).
pub const UPGRADE: &str = "upgrade";
/// Registers the SRC-5 interfaces after an upgrade to CHIPI v33 (owner only).
pub const REGISTER_INTERFACES: &str = "register_interfaces";
/// Changes the owner key (owner only).
pub const SET_PUBLIC_KEY: &str = "set_public_key";
/// Reads the owner key.
pub const GET_PUBLIC_KEY: &str = "get_public_key";
/// SRC-6 execute entrypoint.
pub const EXECUTE: &str = "__execute__";
/// ERC-20 transfer.
pub const TRANSFER: &str = "transfer";
/// ERC-20 approve.
pub const APPROVE: &str = "approve";
/// ERC-20 balance read.
pub const BALANCE_OF: &str = "balance_of";

/// The selector of an entrypoint name.
///
/// # Panics
/// When `name` is not ASCII; every name in this module is.
pub fn selector(name: &str) -> Felt {
    get_selector_from_name(name).expect("entrypoint names are ASCII")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors_match_the_protocol_table() {
        // protocol.md §3 gives each selector's first and last hex digits.
        for (name, head, tail) in [
            (ADD_OR_UPDATE_SESSION_KEY, "0x27d4f8b7", "b64c1"),
            (REVOKE_SESSION_KEY, "0x32d4c110", "d60e9"),
            (GET_SESSION_DATA, "0x22ab76a6", "9a175"),
            (EXECUTE_FROM_OUTSIDE_V2, "0x34cc13b2", "bdc57d"),
            (TRANSFER, "0x83afd3f4", "d12e"),
        ] {
            let hex = format!("{:#x}", selector(name));
            assert!(
                hex.starts_with(head) && hex.ends_with(tail),
                "{name}: {hex}"
            );
        }
    }
}
