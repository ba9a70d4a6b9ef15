#[starknet::contract(account)]
pub mod ChipiV33LayoutAccount {
    use core::num::traits::Zero;
    use starknet::account::Call;
    use starknet::storage::{
        Map, StorageMapReadAccess, StorageMapWriteAccess, StoragePointerReadAccess,
        StoragePointerWriteAccess,
    };
    use starknet::syscalls::{call_contract_syscall, replace_class_syscall};
    use starknet::{
        ClassHash, ContractAddress, SyscallResultTrait, get_block_timestamp, get_tx_info,
    };
    use crate::common::{
        ISRC5_ID, ISRC6_ID, ISRC9_V2_ID, OutsideExecution, SessionData, assert_no_self_call,
        assert_protocol_caller, assert_self_call, check_outside_window, cleared,
        direct_session_message, execute_calls, message_hash, owner_signed, session_signed,
    };

    /// A session's spending policy for one token; it exists only while `max_per_window > 0`.
    #[derive(Copy, Drop, Serde, starknet::Store)]
    pub struct SpendingPolicy {
        pub max_per_call: u256,
        pub max_per_window: u256,
        pub window_seconds: u64,
        pub spent: u256,
        pub window_start: u64,
    }

    /// The same storage names as the v29-like class: an account upgraded from it keeps its
    /// owner key and its session records.
    #[storage]
    struct Storage {
        public_key: felt252,
        sessions: Map<felt252, SessionData>,
        entrypoints: Map<(felt252, u32), felt252>,
        outside_nonces: Map<felt252, bool>,
        policies: Map<(felt252, ContractAddress), SpendingPolicy>,
        interfaces_registered: bool,
    }

    #[constructor]
    fn constructor(ref self: ContractState, public_key: felt252) {
        assert(public_key != 0, 'Account: zero public key');
        self.public_key.write(public_key);
        self.interfaces_registered.write(true);
    }

    #[external(v0)]
    fn __validate__(ref self: ContractState, calls: Array<Call>) -> felt252 {
        assert_protocol_caller();
        let tx_info = get_tx_info().unbox();
        let signature = tx_info.signature;
        if signature.len() == 2 {
            assert(
                owner_signed(self.public_key.read(), tx_info.transaction_hash, signature),
                'Account: invalid signature',
            );
            return starknet::VALIDATED;
        }
        assert(signature.len() == 4, 'Account: invalid signature len');
        let session_key = *signature.at(0);
        let record = self.check_session(session_key, calls.span());
        assert(
            session_signed(direct_session_message(record.valid_until, calls.span()), signature),
            'Session: invalid signature',
        );
        self.consume_call(session_key, record);
        starknet::VALIDATED
    }

    /// Not atomic: a failed inner call leaves an empty result and the others still run. A
    /// session's spending policies are checked for every call before any runs.
    #[external(v0)]
    fn __execute__(ref self: ContractState, calls: Array<Call>) -> Array<Span<felt252>> {
        assert_protocol_caller();
        let signature = get_tx_info().unbox().signature;
        if signature.len() == 4 {
            self.apply_policies(*signature.at(0), calls.span());
        }
        let mut results = array![];
        for call in calls.span() {
            match call_contract_syscall(*call.to, *call.selector, *call.calldata) {
                Ok(result) => results.append(result),
                Err(_) => results.append(array![].span()),
            }
        }
        results
    }

    /// The owner's signature, or a live session's (without its allowlist).
    #[external(v0)]
    fn is_valid_signature(self: @ContractState, hash: felt252, signature: Array<felt252>) -> felt252 {
        let signature = signature.span();
        if owner_signed(self.public_key.read(), hash, signature) {
            return starknet::VALIDATED;
        }
        if signature.len() == 4 {
            let record = self.sessions.read(*signature.at(0));
            if record.valid_until != 0
                && get_block_timestamp() <= record.valid_until
                && session_signed(hash, signature) {
                return starknet::VALIDATED;
            }
        }
        0
    }

    #[external(v0)]
    fn supports_interface(self: @ContractState, interface_id: felt252) -> bool {
        self.interfaces_registered.read()
            && (interface_id == ISRC5_ID || interface_id == ISRC6_ID || interface_id == ISRC9_V2_ID)
    }

    /// Registers the interfaces once after an upgrade to this class (the constructor does it
    /// for a new account).
    #[external(v0)]
    fn register_interfaces(ref self: ContractState) {
        assert_self_call();
        self.interfaces_registered.write(true);
    }

    #[external(v0)]
    fn get_contract_info(self: @ContractState) -> felt252 {
        'v33'
    }

    #[external(v0)]
    fn __validate_declare__(self: @ContractState, class_hash: felt252) -> felt252 {
        self.validate_owner_transaction()
    }

    #[external(v0)]
    fn __validate_deploy__(
        self: @ContractState, class_hash: felt252, contract_address_salt: felt252, public_key: felt252,
    ) -> felt252 {
        self.validate_owner_transaction()
    }

    #[external(v0)]
    fn get_public_key(self: @ContractState) -> felt252 {
        self.public_key.read()
    }

    #[external(v0)]
    fn upgrade(ref self: ContractState, new_class_hash: ClassHash) {
        assert_self_call();
        assert(!new_class_hash.is_zero(), 'Account: zero class hash');
        replace_class_syscall(new_class_hash).unwrap_syscall();
    }

    #[external(v0)]
    fn add_or_update_session_key(
        ref self: ContractState,
        session_key: felt252,
        valid_until: u64,
        max_calls: u32,
        allowed_entrypoints: Array<felt252>,
    ) {
        assert_self_call();
        assert(session_key != 0, 'Session: zero key');
        let mut index: u32 = 0;
        for selector in allowed_entrypoints.span() {
            self.entrypoints.write((session_key, index), *selector);
            index += 1;
        }
        self
            .sessions
            .write(
                session_key,
                SessionData {
                    valid_until, max_calls, calls_used: 0, allowed_entrypoints_len: index,
                },
            );
    }

    /// Clears the record; the key's spending policies stay (a key registered again finds
    /// them).
    #[external(v0)]
    fn revoke_session_key(ref self: ContractState, session_key: felt252) {
        assert_self_call();
        self.sessions.write(session_key, cleared());
    }

    /// Sets (and restarts the window of) the policy of `session_key` on `token`.
    #[external(v0)]
    fn set_spending_policy(
        ref self: ContractState,
        session_key: felt252,
        token: ContractAddress,
        max_per_call: u256,
        max_per_window: u256,
        window_seconds: u64,
    ) {
        assert_self_call();
        self
            .policies
            .write(
                (session_key, token),
                SpendingPolicy {
                    max_per_call, max_per_window, window_seconds, spent: 0, window_start: 0,
                },
            );
    }

    #[external(v0)]
    fn get_spending_policy(
        self: @ContractState, session_key: felt252, token: ContractAddress,
    ) -> SpendingPolicy {
        self.policies.read((session_key, token))
    }

    #[external(v0)]
    fn remove_spending_policy(ref self: ContractState, session_key: felt252, token: ContractAddress) {
        assert_self_call();
        self
            .policies
            .write(
                (session_key, token),
                SpendingPolicy {
                    max_per_call: 0, max_per_window: 0, window_seconds: 0, spent: 0, window_start: 0,
                },
            );
    }

    #[external(v0)]
    fn get_session_data(self: @ContractState, session_key: felt252) -> SessionData {
        self.sessions.read(session_key)
    }

    #[external(v0)]
    fn get_session_allowed_entrypoints_len(self: @ContractState, session_key: felt252) -> u32 {
        self.sessions.read(session_key).allowed_entrypoints_len
    }

    #[external(v0)]
    fn get_session_allowed_entrypoint_at(
        self: @ContractState, session_key: felt252, index: u32,
    ) -> felt252 {
        assert(index < self.sessions.read(session_key).allowed_entrypoints_len, 'Session: index');
        self.entrypoints.read((session_key, index))
    }

    /// A session's outside execution is held to the same rules as its direct one: allowlist,
    /// call budget (a call consumed) and spending policies.
    #[external(v0)]
    fn execute_from_outside_v2(
        ref self: ContractState, outside_execution: OutsideExecution, signature: Span<felt252>,
    ) -> Array<Span<felt252>> {
        check_outside_window(@outside_execution, get_block_timestamp());
        assert(!self.outside_nonces.read(outside_execution.nonce), 'SNIP9: duplicated nonce');
        self.outside_nonces.write(outside_execution.nonce, true);
        let hash = message_hash(@outside_execution, get_tx_info().unbox().chain_id);
        if signature.len() == 2 {
            assert(
                owner_signed(self.public_key.read(), hash, signature), 'SNIP9: invalid signature',
            );
        } else {
            assert(signature.len() == 4, 'SNIP9: invalid signature len');
            let session_key = *signature.at(0);
            let record = self.check_session(session_key, outside_execution.calls);
            assert(session_signed(hash, signature), 'SNIP9: invalid signature');
            self.consume_call(session_key, record);
            self.apply_policies(session_key, outside_execution.calls);
        }
        execute_calls(outside_execution.calls)
    }

    #[external(v0)]
    fn is_valid_outside_execution_nonce(self: @ContractState, nonce: felt252) -> bool {
        !self.outside_nonces.read(nonce)
    }

    #[generate_trait]
    impl InternalImpl of InternalTrait {
        fn validate_owner_transaction(self: @ContractState) -> felt252 {
            let tx_info = get_tx_info().unbox();
            assert(
                owner_signed(self.public_key.read(), tx_info.transaction_hash, tx_info.signature),
                'Account: invalid signature',
            );
            starknet::VALIDATED
        }

        /// Existence, expiry, budget, allowlist and no call to the account itself.
        fn check_session(
            self: @ContractState, session_key: felt252, calls: Span<Call>,
        ) -> SessionData {
            let record = self.sessions.read(session_key);
            assert(record.valid_until != 0, 'Session: not registered');
            assert(get_block_timestamp() <= record.valid_until, 'Session: expired');
            assert(record.calls_used < record.max_calls, 'Session: calls exhausted');
            assert_no_self_call(calls);
            for call in calls {
                assert(self.allows(session_key, record, *call.selector), 'Session: not allowed');
            }
            record
        }

        fn consume_call(ref self: ContractState, session_key: felt252, record: SessionData) {
            self
                .sessions
                .write(session_key, SessionData { calls_used: record.calls_used + 1, ..record });
        }

        /// An empty allowlist allows every selector (the deployed classes' rule).
        fn allows(
            self: @ContractState, session_key: felt252, record: SessionData, selector: felt252,
        ) -> bool {
            if record.allowed_entrypoints_len == 0 {
                return true;
            }
            let mut found = false;
            for index in 0..record.allowed_entrypoints_len {
                if self.entrypoints.read((session_key, index)) == selector {
                    found = true;
                    break;
                }
            }
            found
        }

        /// `transfer`, `approve`, `increase_allowance` and `increaseAllowance` on a token with a
        /// policy: the amount (calldata[1..2]) within the per-call limit, then within the
        /// window, a fixed one that restarts at the first spend after it ends. A token without
        /// a policy is not bounded.
        fn apply_policies(ref self: ContractState, session_key: felt252, calls: Span<Call>) {
            let now = get_block_timestamp();
            for call in calls {
                let entrypoint = *call.selector;
                let tracked = entrypoint == selector!("transfer")
                    || entrypoint == selector!("approve")
                    || entrypoint == selector!("increase_allowance")
                    || entrypoint == selector!("increaseAllowance");
                if !tracked {
                    continue;
                }
                let key = (session_key, *call.to);
                let mut policy = self.policies.read(key);
                if policy.max_per_window == 0 {
                    continue;
                }
                let data = *call.calldata;
                assert(data.len() >= 3, 'Policy: bad calldata');
                let low: u128 = (*data.at(1)).try_into().expect('Policy: bad amount');
                let high: u128 = (*data.at(2)).try_into().expect('Policy: bad amount');
                let amount = u256 { low, high };
                assert(amount <= policy.max_per_call, 'Policy: over per-call limit');
                if policy.window_start == 0 || now >= policy.window_start + policy.window_seconds {
                    policy.window_start = now;
                    policy.spent = 0;
                }
                policy.spent += amount;
                assert(policy.spent <= policy.max_per_window, 'Policy: over window limit');
                self.policies.write(key, policy);
            }
        }
    }
}
