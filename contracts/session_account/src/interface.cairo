use starknet::account::Call;
use starknet::{ClassHash, ContractAddress};
use crate::types::{AllowedCall, OutsideExecution, SessionData, SpendingPolicy};

/// SRC-5 id of SRC-5 itself.
pub const ISRC5_ID: felt252 = 0x3f918d17e5ee77373b56385708f855659a07f75997f365cf87748628532a055;
/// SRC-5 id of the SRC-6 account interface.
pub const ISRC6_ID: felt252 = 0x2ceccef7f994940b3962a6c67e0ba4fcd37df7d131417c604f91e03caecc1cd;
/// SRC-5 id of SNIP-9 v2 (outside execution).
pub const ISRC9_V2_ID: felt252 = 0x1d1144bb2138366ff28d8e9ab57456b1d332ac42196230c3a602003c89872;

#[starknet::interface]
pub trait ISRC6<TState> {
    fn __execute__(ref self: TState, calls: Array<Call>) -> Array<Span<felt252>>;
    fn __validate__(ref self: TState, calls: Array<Call>) -> felt252;
    fn is_valid_signature(self: @TState, hash: felt252, signature: Array<felt252>) -> felt252;
}

#[starknet::interface]
pub trait ISRC5<TState> {
    fn supports_interface(self: @TState, interface_id: felt252) -> bool;
}

#[starknet::interface]
pub trait IDeclarer<TState> {
    fn __validate_declare__(self: @TState, class_hash: felt252) -> felt252;
}

#[starknet::interface]
pub trait IDeployable<TState> {
    fn __validate_deploy__(
        self: @TState, class_hash: felt252, contract_address_salt: felt252, public_key: felt252,
    ) -> felt252;
}

#[starknet::interface]
pub trait IOwner<TState> {
    fn get_public_key(self: @TState) -> felt252;
    fn set_public_key(ref self: TState, new_public_key: felt252);
    fn upgrade(ref self: TState, new_class_hash: ClassHash);
}

#[starknet::interface]
pub trait ISessionKeys<TState> {
    fn add_or_update_session_key(
        ref self: TState,
        session_key: felt252,
        valid_until: u64,
        max_calls: u32,
        allowed_entrypoints: Array<felt252>,
    );
    fn revoke_session_key(ref self: TState, session_key: felt252);
    fn get_session_data(self: @TState, session_key: felt252) -> SessionData;
    fn set_spending_policy(
        ref self: TState,
        session_key: felt252,
        token: ContractAddress,
        max_per_call: u256,
        max_per_window: u256,
        window_seconds: u64,
    );
    fn get_spending_policy(
        self: @TState, session_key: felt252, token: ContractAddress,
    ) -> SpendingPolicy;
    fn remove_spending_policy(ref self: TState, session_key: felt252, token: ContractAddress);
    fn add_session_allowed_calls(
        ref self: TState, session_key: felt252, allowed_calls: Array<AllowedCall>,
    );
    fn get_session_allowed_calls(self: @TState, session_key: felt252) -> Array<AllowedCall>;
}

#[starknet::interface]
pub trait IOutsideExecutionV2<TState> {
    fn execute_from_outside_v2(
        ref self: TState, outside_execution: OutsideExecution, signature: Span<felt252>,
    ) -> Array<Span<felt252>>;
    fn is_valid_outside_execution_nonce(self: @TState, nonce: felt252) -> bool;
}
