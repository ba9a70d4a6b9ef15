use starknet::ContractAddress;
use starknet::account::Call;

/// SNIP-9 v2 outside execution.
#[derive(Copy, Drop, Serde, Debug)]
pub struct OutsideExecution {
    pub caller: ContractAddress,
    pub nonce: felt252,
    pub execute_after: u64,
    pub execute_before: u64,
    pub calls: Span<Call>,
}

/// What `get_session_data` returns; serialises to the v29 layout
/// `[is_active, valid_until, remaining_calls, n, selectors...]`.
#[derive(Drop, Serde, Debug, PartialEq)]
pub struct SessionData {
    pub is_active: bool,
    pub valid_until: u64,
    pub remaining_calls: u32,
    pub allowed_entrypoints: Array<felt252>,
}

/// A spending policy of one session key for one token. `window_seconds == 0` means no policy.
/// Serialises to `[max_per_call lo,hi, max_per_window lo,hi, window_seconds, spent lo,hi,
/// window_start]`.
#[derive(Copy, Drop, Serde, Debug, PartialEq, starknet::Store)]
pub struct SpendingPolicy {
    pub max_per_call: u256,
    pub max_per_window: u256,
    pub window_seconds: u64,
    pub spent: u256,
    pub window_start: u64,
}

/// The stored record of a session key. `valid_until == 0` means no session. `epoch` names the
/// registration: contract-bound calls and spending policies are stored under it, so a revocation
/// or a new registration of the same key leaves nothing of what an earlier one allowed.
#[derive(Copy, Drop, Serde, Debug, starknet::Store)]
pub struct SessionRecord {
    pub valid_until: u64,
    pub max_calls: u32,
    pub calls_used: u32,
    pub allowlist_len: u32,
    pub epoch: u64,
    pub allowed_calls_len: u32,
}

/// An entrypoint a session may call on one contract only (`(contract, selector)`).
#[derive(Copy, Drop, Serde, Debug, PartialEq, starknet::Store)]
pub struct AllowedCall {
    pub to: ContractAddress,
    pub selector: felt252,
}
