//! What both CHIPI-layout test classes share: the SNIP-9 v2 types and message hash, the
//! published direct-path session message, the status record and the call loop.

use core::ecdsa::check_ecdsa_signature;
use core::poseidon::poseidon_hash_span;
use starknet::account::Call;
use starknet::syscalls::call_contract_syscall;
use starknet::{
    ContractAddress, SyscallResultTrait, get_caller_address, get_contract_address, get_tx_info,
};

pub const ANY_CALLER: felt252 = 0x414e595f43414c4c4552;
pub const ISRC5_ID: felt252 = 0x3f918d17e5ee77373b56385708f855659a07f75997f365cf87748628532a055;
pub const ISRC6_ID: felt252 = 0x2ceccef7f994940b3962a6c67e0ba4fcd37df7d131417c604f91e03caecc1cd;
pub const ISRC9_V2_ID: felt252 = 0x1d1144bb2138366ff28d8e9ab57456b1d332ac42196230c3a602003c89872;
const STARKNET_DOMAIN_TYPE_HASH: felt252 =
    0x1ff2f602e42168014d405a94f75e8a93d640751d71d16311266e140d8b0a210;
const OUTSIDE_EXECUTION_TYPE_HASH: felt252 =
    0x312b56c05a7965066ddbda31c016d8d05afc305071c0ca3cdc2192c3c2f1f0f;
const CALL_TYPE_HASH: felt252 = 0x3635c7f2a7ba93844c0d064e18e487f35ab90f7c39d00f186a781fc3f0c2ca9;

/// SNIP-9 v2 outside execution.
#[derive(Copy, Drop, Serde)]
pub struct OutsideExecution {
    pub caller: ContractAddress,
    pub nonce: felt252,
    pub execute_after: u64,
    pub execute_before: u64,
    pub calls: Span<Call>,
}

/// The deployed classes' status: 4 felts, all zero for a revoked or unknown key.
#[derive(Copy, Drop, Serde, starknet::Store)]
pub struct SessionData {
    pub valid_until: u64,
    pub max_calls: u32,
    pub calls_used: u32,
    pub allowed_entrypoints_len: u32,
}

/// A revoked key's record.
pub fn cleared() -> SessionData {
    SessionData { valid_until: 0, max_calls: 0, calls_used: 0, allowed_entrypoints_len: 0 }
}

/// An owner signature `[r, s]` of `hash` by `public_key`.
pub fn owner_signed(public_key: felt252, hash: felt252, signature: Span<felt252>) -> bool {
    signature.len() == 2
        && check_ecdsa_signature(hash, public_key, *signature.at(0), *signature.at(1))
}

/// A session signature `[key, r, s, valid_until]` of `hash` by its key.
pub fn session_signed(hash: felt252, signature: Span<felt252>) -> bool {
    signature.len() == 4
        && check_ecdsa_signature(hash, *signature.at(0), *signature.at(1), *signature.at(2))
}

/// The published direct-path session message: poseidon of the account, the chain, the nonce,
/// the expiry and the calls (the fee fields are not part of it).
pub fn direct_session_message(valid_until: u64, calls: Span<Call>) -> felt252 {
    let tx_info = get_tx_info().unbox();
    let mut data = array![
        get_contract_address().into(), tx_info.chain_id, tx_info.nonce, valid_until.into(),
    ];
    for call in calls {
        data.append((*call.to).into());
        data.append(*call.selector);
        data.append((*call.calldata).len().into());
        data.append_span(*call.calldata);
    }
    poseidon_hash_span(data.span())
}

/// SNIP-12 revision 1 hash of an outside execution for this account.
pub fn message_hash(outside_execution: @OutsideExecution, chain_id: felt252) -> felt252 {
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
    poseidon_hash_span(
        array!['StarkNet Message', domain, get_contract_address().into(), struct_hash].span(),
    )
}

/// The caller check, time window and signature hash of an outside execution; the nonce is the
/// caller's to mark.
pub fn check_outside_window(outside_execution: @OutsideExecution, now: u64) {
    let caller: felt252 = (*outside_execution.caller).into();
    if caller != ANY_CALLER {
        assert(get_caller_address() == *outside_execution.caller, 'SNIP9: invalid caller');
    }
    assert(*outside_execution.execute_after < now, 'SNIP9: too early');
    assert(now < *outside_execution.execute_before, 'SNIP9: too late');
}

pub fn assert_self_call() {
    assert(get_caller_address() == get_contract_address(), 'Account: unauthorized');
}

pub fn assert_protocol_caller() {
    assert(get_caller_address().into() == 0, 'Account: invalid caller');
}

/// A session may not call the account itself (its management entrypoints, `upgrade`).
pub fn assert_no_self_call(calls: Span<Call>) {
    let account = get_contract_address();
    for call in calls {
        assert(*call.to != account, 'Session: self call forbidden');
    }
}

/// Every call in order; a failed one fails the whole transaction.
pub fn execute_calls(calls: Span<Call>) -> Array<Span<felt252>> {
    let mut results = array![];
    for call in calls {
        results
            .append(call_contract_syscall(*call.to, *call.selector, *call.calldata).unwrap_syscall());
    }
    results
}
