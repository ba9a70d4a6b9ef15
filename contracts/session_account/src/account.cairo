//! The session account contract.
//!
//! Owner signatures are `[r, s]`; session signatures are `[session_pubkey, r, s, valid_until]`.
//! A session signature is accepted on the direct INVOKE path and on `execute_from_outside_v2`
//! only when the session exists, has not expired, has calls left, every call is on its
//! allowlist, no call targets this account or a nested execute, and every ERC-20 spend fits the
//! session's spending policy for that token.
#[starknet::contract(account)]
pub mod SessionAccount {
    use core::ecdsa::check_ecdsa_signature;
    use core::num::traits::Zero;
    use starknet::account::Call;
    use starknet::storage::{
        Map, StorageMapReadAccess, StorageMapWriteAccess, StoragePointerReadAccess,
        StoragePointerWriteAccess,
    };
    use starknet::syscalls::{call_contract_syscall, replace_class_syscall};
    use starknet::{
        ClassHash, ContractAddress, SyscallResultTrait, get_block_timestamp, get_caller_address,
        get_contract_address, get_tx_info,
    };
    use crate::hashing::{outside_execution_message_hash, session_message_hash};
    use crate::interface::{ISRC5_ID, ISRC6_ID, ISRC9_V2_ID};
    use crate::types::{OutsideExecution, SessionData, SessionRecord, SpendingPolicy};

    /// `'ANY_CALLER'`: an outside execution any relayer may submit.
    const ANY_CALLER: felt252 = 0x414e595f43414c4c4552;
    /// Lowest transaction version accepted (v1 and later; never deprecated v0).
    const MIN_TRANSACTION_VERSION: u256 = 1;
    /// Version offset of simulation-only ("query") transactions.
    const QUERY_OFFSET: u256 = 0x100000000000000000000000000000000;

    #[storage]
    struct Storage {
        public_key: felt252,
        sessions: Map<felt252, SessionRecord>,
        session_allowlist: Map<(felt252, u32), felt252>,
        spending_policies: Map<(felt252, ContractAddress), SpendingPolicy>,
        outside_nonces: Map<felt252, bool>,
    }

    #[event]
    #[derive(Drop, starknet::Event)]
    pub enum Event {
        SessionKeyAdded: SessionKeyAdded,
        SessionKeyRevoked: SessionKeyRevoked,
        SpendingPolicySet: SpendingPolicySet,
        SpendingPolicyRemoved: SpendingPolicyRemoved,
        OwnerChanged: OwnerChanged,
    }

    #[derive(Drop, starknet::Event)]
    pub struct SessionKeyAdded {
        #[key]
        pub session_key: felt252,
        pub valid_until: u64,
        pub max_calls: u32,
        pub allowed_entrypoints: Span<felt252>,
    }

    #[derive(Drop, starknet::Event)]
    pub struct SessionKeyRevoked {
        #[key]
        pub session_key: felt252,
    }

    #[derive(Drop, starknet::Event)]
    pub struct SpendingPolicySet {
        #[key]
        pub session_key: felt252,
        #[key]
        pub token: ContractAddress,
        pub max_per_call: u256,
        pub max_per_window: u256,
        pub window_seconds: u64,
    }

    #[derive(Drop, starknet::Event)]
    pub struct SpendingPolicyRemoved {
        #[key]
        pub session_key: felt252,
        #[key]
        pub token: ContractAddress,
    }

    #[derive(Drop, starknet::Event)]
    pub struct OwnerChanged {
        pub new_public_key: felt252,
    }

    #[constructor]
    fn constructor(ref self: ContractState, public_key: felt252) {
        assert(public_key != 0, 'Account: zero public key');
        self.public_key.write(public_key);
    }

    #[abi(embed_v0)]
    impl SRC6Impl of crate::interface::ISRC6<ContractState> {
        fn __execute__(ref self: ContractState, calls: Array<Call>) -> Array<Span<felt252>> {
            self.assert_protocol_call();
            let tx_info = get_tx_info().unbox();
            if tx_info.signature.len() == 4 {
                // Validation ran with a timestamp rounded down to the hour; recheck expiry with
                // the real one and do the spending accounting, which needs the real time too.
                let session_key = *tx_info.signature.at(0);
                let record = self.sessions.read(session_key);
                let now = get_block_timestamp();
                assert(record.valid_until != 0, 'Session: not registered');
                assert(now <= record.valid_until, 'Session: expired');
                self.apply_spending(session_key, calls.span(), now);
            }
            execute_calls(calls.span())
        }

        fn __validate__(ref self: ContractState, calls: Array<Call>) -> felt252 {
            self.assert_protocol_call();
            let tx_info = get_tx_info().unbox();
            let signature = tx_info.signature;
            if signature.len() == 2 {
                assert(
                    self.is_owner_signature(tx_info.transaction_hash, signature),
                    'Account: invalid signature',
                );
                return starknet::VALIDATED;
            }
            assert(signature.len() == 4, 'Account: invalid signature len');
            let session_key = *signature.at(0);
            let valid_until: u64 = (*signature.at(3)).try_into().expect('Session: bad valid_until');
            let hash = session_message_hash(
                get_contract_address(),
                tx_info.chain_id,
                tx_info.nonce,
                valid_until,
                calls.span(),
            );
            self.use_session(session_key, signature, hash, calls.span(), get_block_timestamp());
            starknet::VALIDATED
        }

        fn is_valid_signature(
            self: @ContractState, hash: felt252, signature: Array<felt252>,
        ) -> felt252 {
            if self.is_owner_signature(hash, signature.span()) {
                starknet::VALIDATED
            } else {
                0
            }
        }
    }

    #[abi(embed_v0)]
    impl SRC5Impl of crate::interface::ISRC5<ContractState> {
        fn supports_interface(self: @ContractState, interface_id: felt252) -> bool {
            interface_id == ISRC5_ID || interface_id == ISRC6_ID || interface_id == ISRC9_V2_ID
        }
    }

    #[abi(embed_v0)]
    impl DeclarerImpl of crate::interface::IDeclarer<ContractState> {
        fn __validate_declare__(self: @ContractState, class_hash: felt252) -> felt252 {
            self.validate_owner_transaction()
        }
    }

    #[abi(embed_v0)]
    impl DeployableImpl of crate::interface::IDeployable<ContractState> {
        fn __validate_deploy__(
            self: @ContractState,
            class_hash: felt252,
            contract_address_salt: felt252,
            public_key: felt252,
        ) -> felt252 {
            self.validate_owner_transaction()
        }
    }

    #[abi(embed_v0)]
    impl OwnerImpl of crate::interface::IOwner<ContractState> {
        fn get_public_key(self: @ContractState) -> felt252 {
            self.public_key.read()
        }

        fn set_public_key(ref self: ContractState, new_public_key: felt252) {
            assert_self_call();
            assert(new_public_key != 0, 'Account: zero public key');
            self.public_key.write(new_public_key);
            self.emit(OwnerChanged { new_public_key });
        }

        fn upgrade(ref self: ContractState, new_class_hash: ClassHash) {
            assert_self_call();
            assert(new_class_hash.is_non_zero(), 'Account: zero class hash');
            replace_class_syscall(new_class_hash).unwrap_syscall();
        }
    }

    #[abi(embed_v0)]
    impl SessionKeysImpl of crate::interface::ISessionKeys<ContractState> {
        fn add_or_update_session_key(
            ref self: ContractState,
            session_key: felt252,
            valid_until: u64,
            max_calls: u32,
            allowed_entrypoints: Array<felt252>,
        ) {
            assert_self_call();
            assert(session_key != 0, 'Session: zero key');
            assert(valid_until > get_block_timestamp(), 'Session: already expired');
            assert(max_calls > 0, 'Session: zero max calls');
            let mut index: u32 = 0;
            for selector in allowed_entrypoints.span() {
                self.session_allowlist.write((session_key, index), *selector);
                index += 1;
            }
            self
                .sessions
                .write(
                    session_key,
                    SessionRecord {
                        valid_until, max_calls, calls_used: 0, allowlist_len: allowed_entrypoints.len(),
                    },
                );
            self
                .emit(
                    SessionKeyAdded {
                        session_key,
                        valid_until,
                        max_calls,
                        allowed_entrypoints: allowed_entrypoints.span(),
                    },
                );
        }

        fn revoke_session_key(ref self: ContractState, session_key: felt252) {
            assert_self_call();
            assert(self.sessions.read(session_key).valid_until != 0, 'Session: not registered');
            self
                .sessions
                .write(
                    session_key,
                    SessionRecord { valid_until: 0, max_calls: 0, calls_used: 0, allowlist_len: 0 },
                );
            self.emit(SessionKeyRevoked { session_key });
        }

        fn get_session_data(self: @ContractState, session_key: felt252) -> SessionData {
            let record = self.sessions.read(session_key);
            let mut allowed_entrypoints = array![];
            for index in 0..record.allowlist_len {
                allowed_entrypoints.append(self.session_allowlist.read((session_key, index)));
            }
            SessionData {
                is_active: record.valid_until != 0,
                valid_until: record.valid_until,
                remaining_calls: record.max_calls - record.calls_used,
                allowed_entrypoints,
            }
        }

        fn set_spending_policy(
            ref self: ContractState,
            session_key: felt252,
            token: ContractAddress,
            max_per_call: u256,
            max_per_window: u256,
            window_seconds: u64,
        ) {
            assert_self_call();
            assert(session_key != 0, 'Session: zero key');
            assert(token.is_non_zero(), 'Policy: zero token');
            assert(window_seconds > 0, 'Policy: zero window');
            assert(max_per_call <= max_per_window, 'Policy: per call > per window');
            self
                .spending_policies
                .write(
                    (session_key, token),
                    SpendingPolicy {
                        max_per_call, max_per_window, window_seconds, spent: 0, window_start: 0,
                    },
                );
            self
                .emit(
                    SpendingPolicySet {
                        session_key, token, max_per_call, max_per_window, window_seconds,
                    },
                );
        }

        fn get_spending_policy(
            self: @ContractState, session_key: felt252, token: ContractAddress,
        ) -> SpendingPolicy {
            self.spending_policies.read((session_key, token))
        }

        fn remove_spending_policy(
            ref self: ContractState, session_key: felt252, token: ContractAddress,
        ) {
            assert_self_call();
            self
                .spending_policies
                .write(
                    (session_key, token),
                    SpendingPolicy {
                        max_per_call: 0,
                        max_per_window: 0,
                        window_seconds: 0,
                        spent: 0,
                        window_start: 0,
                    },
                );
            self.emit(SpendingPolicyRemoved { session_key, token });
        }
    }

    #[abi(embed_v0)]
    impl OutsideExecutionV2Impl of crate::interface::IOutsideExecutionV2<ContractState> {
        fn execute_from_outside_v2(
            ref self: ContractState, outside_execution: OutsideExecution, signature: Span<felt252>,
        ) -> Array<Span<felt252>> {
            let caller: felt252 = outside_execution.caller.into();
            if caller != ANY_CALLER {
                assert(get_caller_address() == outside_execution.caller, 'SNIP9: invalid caller');
            }
            let now = get_block_timestamp();
            assert(outside_execution.execute_after < now, 'SNIP9: too early');
            assert(now < outside_execution.execute_before, 'SNIP9: too late');
            assert(!self.outside_nonces.read(outside_execution.nonce), 'SNIP9: duplicated nonce');
            self.outside_nonces.write(outside_execution.nonce, true);

            let hash = outside_execution_message_hash(
                @outside_execution, get_contract_address(), get_tx_info().unbox().chain_id,
            );
            if signature.len() == 2 {
                assert(self.is_owner_signature(hash, signature), 'SNIP9: invalid signature');
            } else {
                assert(signature.len() == 4, 'SNIP9: invalid signature len');
                let session_key = *signature.at(0);
                self.use_session(session_key, signature, hash, outside_execution.calls, now);
                self.apply_spending(session_key, outside_execution.calls, now);
            }
            execute_calls(outside_execution.calls)
        }

        fn is_valid_outside_execution_nonce(self: @ContractState, nonce: felt252) -> bool {
            !self.outside_nonces.read(nonce)
        }
    }

    #[generate_trait]
    impl InternalImpl of InternalTrait {
        fn is_owner_signature(
            self: @ContractState, hash: felt252, signature: Span<felt252>,
        ) -> bool {
            signature.len() == 2
                && check_ecdsa_signature(
                    hash, self.public_key.read(), *signature.at(0), *signature.at(1),
                )
        }

        fn validate_owner_transaction(self: @ContractState) -> felt252 {
            let tx_info = get_tx_info().unbox();
            assert(
                self.is_owner_signature(tx_info.transaction_hash, tx_info.signature),
                'Account: invalid signature',
            );
            starknet::VALIDATED
        }

        /// Only the sequencer may call `__validate__`/`__execute__`, and never with version 0.
        fn assert_protocol_call(self: @ContractState) {
            assert(get_caller_address().is_zero(), 'Account: invalid caller');
            let version: u256 = get_tx_info().unbox().version.into();
            let version = if version >= QUERY_OFFSET {
                version - QUERY_OFFSET
            } else {
                version
            };
            assert(version >= MIN_TRANSACTION_VERSION, 'Account: invalid tx version');
        }

        /// Checks every session rule for `calls`, the session's signature over `hash`, and
        /// consumes one call of the session's budget.
        fn use_session(
            ref self: ContractState,
            session_key: felt252,
            signature: Span<felt252>,
            hash: felt252,
            calls: Span<Call>,
            now: u64,
        ) {
            let record = self.sessions.read(session_key);
            assert(record.valid_until != 0, 'Session: not registered');
            assert(now <= record.valid_until, 'Session: expired');
            assert(record.calls_used < record.max_calls, 'Session: calls exhausted');
            let account = get_contract_address();
            for call in calls {
                assert(*call.to != account, 'Session: self call forbidden');
                let selector = *call.selector;
                assert(
                    selector != selector!("__execute__")
                        && selector != selector!("execute_from_outside_v2")
                        && selector != selector!("execute_from_outside"),
                    'Session: nested execute',
                );
                assert(
                    self.is_allowed(session_key, record.allowlist_len, selector),
                    'Session: entrypoint not allowed',
                );
                // The per-call limit needs no clock: check it here so an over-limit transfer is
                // refused before any fee is charged.
                if is_spend(selector) {
                    let policy = self.spending_policies.read((session_key, *call.to));
                    if policy.window_seconds != 0 {
                        assert(
                            spend_amount(*call.calldata) <= policy.max_per_call,
                            'Policy: over per-call limit',
                        );
                    }
                }
            }
            assert(
                check_ecdsa_signature(hash, session_key, *signature.at(1), *signature.at(2)),
                'Session: invalid signature',
            );
            self
                .sessions
                .write(
                    session_key,
                    SessionRecord {
                        valid_until: record.valid_until,
                        max_calls: record.max_calls,
                        calls_used: record.calls_used + 1,
                        allowlist_len: record.allowlist_len,
                    },
                );
        }

        fn is_allowed(
            self: @ContractState, session_key: felt252, allowlist_len: u32, selector: felt252,
        ) -> bool {
            if allowlist_len == 0 {
                return true;
            }
            let mut index: u32 = 0;
            let mut found = false;
            while index < allowlist_len {
                if self.session_allowlist.read((session_key, index)) == selector {
                    found = true;
                    break;
                }
                index += 1;
            }
            found
        }

        /// Adds each ERC-20 spend to the session's window for that token; panics when a window
        /// limit would be exceeded. A window restarts once `window_seconds` have passed.
        fn apply_spending(
            ref self: ContractState, session_key: felt252, calls: Span<Call>, now: u64,
        ) {
            for call in calls {
                if !is_spend(*call.selector) {
                    continue;
                }
                let key = (session_key, *call.to);
                let mut policy = self.spending_policies.read(key);
                if policy.window_seconds == 0 {
                    continue;
                }
                let amount = spend_amount(*call.calldata);
                assert(amount <= policy.max_per_call, 'Policy: over per-call limit');
                if policy.window_start == 0 || now - policy.window_start >= policy.window_seconds {
                    policy.window_start = now;
                    policy.spent = 0;
                }
                let spent = policy.spent + amount;
                assert(spent <= policy.max_per_window, 'Policy: over window limit');
                policy.spent = spent;
                self.spending_policies.write(key, policy);
            }
        }
    }

    /// Whether a selector moves ERC-20 value out of this account and so falls under a spending
    /// policy: `transfer`, `approve`, `increase_allowance` (and its camelCase twin).
    fn is_spend(selector: felt252) -> bool {
        selector == selector!("transfer")
            || selector == selector!("approve")
            || selector == selector!("increase_allowance")
            || selector == selector!("increaseAllowance")
    }

    /// The amount of a spending call, whose calldata is `(address, amount: u256)`.
    fn spend_amount(calldata: Span<felt252>) -> u256 {
        assert(calldata.len() == 3, 'Policy: bad ERC-20 calldata');
        let low: u128 = (*calldata.at(1)).try_into().expect('Policy: bad amount');
        let high: u128 = (*calldata.at(2)).try_into().expect('Policy: bad amount');
        u256 { low, high }
    }

    fn assert_self_call() {
        assert(get_caller_address() == get_contract_address(), 'Account: unauthorized');
    }

    fn execute_calls(calls: Span<Call>) -> Array<Span<felt252>> {
        let mut results = array![];
        for call in calls {
            // unwrap_syscall panics on failure, so a failing call reverts the whole transaction.
            results
                .append(
                    call_contract_syscall(*call.to, *call.selector, *call.calldata).unwrap_syscall(),
                );
        }
        results
    }
}
