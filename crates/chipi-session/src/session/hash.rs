//! The message a session key signs for a direct (fee-paying) INVOKE on the published CHIPI
//! classes. Our own class checks a session signature against the transaction hash instead
//! (see [`crate::SessionAccount`]), because this message leaves the fee fields unsigned.

use starknet_core::types::{Call, Felt};
use starknet_crypto::poseidon_hash_many;

/// `poseidon([account, chain_id, nonce, valid_until, (to, selector, calldata_len, calldata...)
/// for each call])`, the hash the session account checks a session signature against in
/// `__validate__` of the published CHIPI classes. The transaction hash is not part of it, so the
/// tip and resource bounds are not bound; kept for those classes only.
pub fn session_message_hash(
    account: Felt,
    chain_id: Felt,
    nonce: Felt,
    valid_until: u64,
    calls: &[Call],
) -> Felt {
    let mut data = vec![account, chain_id, nonce, Felt::from(valid_until)];
    for call in calls {
        data.push(call.to);
        data.push(call.selector);
        data.push(Felt::from(call.calldata.len()));
        data.extend_from_slice(&call.calldata);
    }
    poseidon_hash_many(&data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_input_changes_the_hash() {
        let call = Call {
            to: Felt::from(7u8),
            selector: Felt::from(8u8),
            calldata: vec![Felt::ONE],
        };
        let base = session_message_hash(
            Felt::ONE,
            Felt::TWO,
            Felt::THREE,
            10,
            std::slice::from_ref(&call),
        );
        let mut other_call = call.clone();
        other_call.calldata.push(Felt::ZERO);
        let variants = [
            session_message_hash(
                Felt::TWO,
                Felt::TWO,
                Felt::THREE,
                10,
                std::slice::from_ref(&call),
            ),
            session_message_hash(
                Felt::ONE,
                Felt::ONE,
                Felt::THREE,
                10,
                std::slice::from_ref(&call),
            ),
            session_message_hash(
                Felt::ONE,
                Felt::TWO,
                Felt::TWO,
                10,
                std::slice::from_ref(&call),
            ),
            session_message_hash(
                Felt::ONE,
                Felt::TWO,
                Felt::THREE,
                11,
                std::slice::from_ref(&call),
            ),
            session_message_hash(Felt::ONE, Felt::TWO, Felt::THREE, 10, &[other_call]),
            session_message_hash(Felt::ONE, Felt::TWO, Felt::THREE, 10, &[]),
        ];
        for (i, v) in variants.iter().enumerate() {
            assert_ne!(*v, base, "variant {i} must be bound by the hash");
        }
    }

    #[test]
    fn layout_is_flat_poseidon() {
        // One call with two calldata words: the preimage is the flat list, no call count.
        let call = Call {
            to: Felt::from(5u8),
            selector: Felt::from(6u8),
            calldata: vec![Felt::from(9u8), Felt::from(10u8)],
        };
        let expected = poseidon_hash_many(&[1u8, 2, 3, 4, 5, 6, 2, 9, 10].map(Felt::from));
        assert_eq!(
            session_message_hash(Felt::ONE, Felt::TWO, Felt::THREE, 4, &[call]),
            expected
        );
    }
}
