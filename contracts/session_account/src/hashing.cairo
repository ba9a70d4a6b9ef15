//! The SNIP-12 message a session key (or the owner) signs for an outside execution. On the
//! direct path a session key signs the transaction hash itself, which covers the fee fields.
use core::poseidon::poseidon_hash_span;
use starknet::ContractAddress;
use crate::types::OutsideExecution;

/// sn_keccak('"StarknetDomain"("name":"shortstring","version":"shortstring",
/// "chainId":"shortstring","revision":"shortstring")')
pub const STARKNET_DOMAIN_TYPE_HASH: felt252 =
    0x1ff2f602e42168014d405a94f75e8a93d640751d71d16311266e140d8b0a210;
/// Type hash of SNIP-9 v2 `OutsideExecution` (SNIP-12 revision 1).
pub const OUTSIDE_EXECUTION_TYPE_HASH: felt252 =
    0x312b56c05a7965066ddbda31c016d8d05afc305071c0ca3cdc2192c3c2f1f0f;
/// Type hash of SNIP-9 v2 `Call` (SNIP-12 revision 1).
pub const CALL_TYPE_HASH: felt252 =
    0x3635c7f2a7ba93844c0d064e18e487f35ab90f7c39d00f186a781fc3f0c2ca9;

/// SNIP-12 revision 1 message hash of an outside execution for `account`.
pub fn outside_execution_message_hash(
    outside_execution: @OutsideExecution, account: ContractAddress, chain_id: felt252,
) -> felt252 {
    let domain = poseidon_hash_span(
        array![STARKNET_DOMAIN_TYPE_HASH, 'Account.execute_from_outside', 2, chain_id, 1].span(),
    );
    let mut call_hashes: Array<felt252> = array![];
    for call in *outside_execution.calls {
        call_hashes
            .append(
                poseidon_hash_span(
                    array![
                        CALL_TYPE_HASH, (*call.to).into(), *call.selector,
                        poseidon_hash_span(*call.calldata),
                    ]
                        .span(),
                ),
            );
    }
    let struct_hash = poseidon_hash_span(
        array![
            OUTSIDE_EXECUTION_TYPE_HASH, (*outside_execution.caller).into(),
            *outside_execution.nonce, (*outside_execution.execute_after).into(),
            (*outside_execution.execute_before).into(), poseidon_hash_span(call_hashes.span()),
        ]
            .span(),
    );
    poseidon_hash_span(array!['StarkNet Message', domain, account.into(), struct_hash].span())
}
