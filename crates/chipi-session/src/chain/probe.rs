//! What an account of a class the wallet's table does not list can do, read from its answers:
//! an account (SRC-6 through SRC-5), with the CHIPI session interface (`get_session_data`
//! answering the 4-felt status of an unknown key), and which status layout it speaks. Such an
//! account gets the weakest guarantees of that layout ([`ClassProfile::probed_chipi`]); any
//! other contract is refused in words.
//!
//! [`ClassProfile::probed_chipi`]: crate::wallet_type::ClassProfile::probed_chipi

use starknet_core::types::Felt;

use crate::chain::node_client::NodeClient;
use crate::error::SessionError;
use crate::wallet_type::StatusLayout;

/// SRC-6's interface id (an account).
pub const ISRC6_ID: Felt =
    Felt::from_hex_unchecked("0x2ceccef7f994940b3962a6c67e0ba4fcd37df7d131417c604f91e03caecc1cd");

/// A key no one registers: an unknown key's status is all zeros on every CHIPI layout.
const PROBE_KEY: Felt = Felt::ONE;

/// Probes the contract at `address` (of class `class_hash`): `Ok(layout)` for an account with
/// the CHIPI session interface; [`SessionError::NotAnAccount`] for a contract that is not an
/// account, [`SessionError::WalletUnsupported`] for an account without sessions.
pub async fn probe_session_layout(
    node: &NodeClient,
    address: Felt,
    class_hash: Felt,
) -> Result<StatusLayout, SessionError> {
    let is_account = answer(node, address, "supports_interface", ISRC6_ID)
        .await?
        .is_some_and(|answer| answer == [Felt::ONE]);
    if !is_account {
        return Err(SessionError::NotAnAccount { class_hash });
    }
    let unsupported = || SessionError::WalletUnsupported { class_hash };
    let status = answer(node, address, "get_session_data", PROBE_KEY)
        .await?
        .ok_or_else(unsupported)?;
    // An unknown key: four zeros on the counted layout ([valid_until, max_calls, calls_used,
    // n]) and on the listed one ([is_active, valid_until, remaining, n = 0]).
    if status.len() != 4 || status.iter().any(|f| *f != Felt::ZERO) {
        return Err(unsupported());
    }
    // The counted layout lists its allowlist through its own views.
    let counted = answer(
        node,
        address,
        "get_session_allowed_entrypoints_len",
        PROBE_KEY,
    )
    .await?
    .is_some_and(|answer| answer == [Felt::ZERO]);
    Ok(if counted {
        StatusLayout::Counted
    } else {
        StatusLayout::Either
    })
}

/// The contract's answer to `entrypoint(argument)`; `None` when the contract refuses the call
/// (no such entrypoint, a panic). A node that cannot be reached or answers a server error is
/// that error, not an answer.
async fn answer(
    node: &NodeClient,
    address: Felt,
    entrypoint: &str,
    argument: Felt,
) -> Result<Option<Vec<Felt>>, SessionError> {
    match node.call(address, entrypoint, &[argument]).await {
        Ok(felts) => Ok(Some(felts)),
        Err(
            e @ (SessionError::Network { .. }
            | SessionError::Unavailable { .. }
            | SessionError::Busy { .. }),
        ) => Err(e),
        Err(_) => Ok(None),
    }
}
