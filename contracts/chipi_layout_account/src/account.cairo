#[starknet::contract(account)]
pub mod ChipiLayoutAccount {
    use core::num::traits::Zero;
    use starknet::account::Call;
    use starknet::storage::{
        Map, StorageMapReadAccess, StorageMapWriteAccess, StoragePointerReadAccess,
        StoragePointerWriteAccess,
    };
    use starknet::syscalls::replace_class_syscall;
    use starknet::{ClassHash, SyscallResultTrait, get_block_timestamp, get_tx_info};
    use crate::common::{
        ISRC5_ID, ISRC6_ID, ISRC9_V2_ID, OutsideExecution, SessionData, assert_no_self_call,
        assert_protocol_caller, assert_self_call, check_outside_window, cleared,
        direct_session_message, execute_calls, message_hash, owner_signed, session_signed,
    };

    #[storage]
    struct Storage {
        public_key: felt252,
        sessions: Map<felt252, SessionData>,
        entrypoints: Map<(felt252, u32), felt252>,
        outside_nonces: Map<felt252, bool>,
    }

    #[constructor]
    fn constructor(ref self: ContractState, public_key: felt252) {
        assert(public_key != 0, 'Account: zero public key');
        self.public_key.write(public_key);
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
        let record = self.sessions.read(session_key);
        assert(record.valid_until != 0, 'Session: not registered');
        assert(get_block_timestamp() <= record.valid_until, 'Session: expired');
        assert(record.calls_used < record.max_calls, 'Session: calls exhausted');
        assert_no_self_call(calls.span());
        for call in calls.span() {
            assert(self.allows(session_key, record, *call.selector), 'Session: not allowed');
        }
        assert(
            session_signed(direct_session_message(record.valid_until, calls.span()), signature),
            'Session: invalid signature',
        );
        self
            .sessions
            .write(session_key, SessionData { calls_used: record.calls_used + 1, ..record });
        starknet::VALIDATED
    }

    #[external(v0)]
    fn __execute__(ref self: ContractState, calls: Array<Call>) -> Array<Span<felt252>> {
        assert_protocol_caller();
        execute_calls(calls.span())
    }

    #[external(v0)]
    fn is_valid_signature(self: @ContractState, hash: felt252, signature: Array<felt252>) -> felt252 {
        if owner_signed(self.public_key.read(), hash, signature.span()) {
            starknet::VALIDATED
        } else {
            0
        }
    }

    #[external(v0)]
    fn supports_interface(self: @ContractState, interface_id: felt252) -> bool {
        interface_id == ISRC5_ID || interface_id == ISRC6_ID || interface_id == ISRC9_V2_ID
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

    /// Moves the account to another class (the owner's self-call; a session may not call the
    /// account). The storage stays: the owner key, and the session records.
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

    #[external(v0)]
    fn revoke_session_key(ref self: ContractState, session_key: felt252) {
        assert_self_call();
        self.sessions.write(session_key, cleared());
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

    #[external(v0)]
    fn execute_from_outside_v2(
        ref self: ContractState, outside_execution: OutsideExecution, signature: Span<felt252>,
    ) -> Array<Span<felt252>> {
        let now = get_block_timestamp();
        check_outside_window(@outside_execution, now);
        assert(!self.outside_nonces.read(outside_execution.nonce), 'SNIP9: duplicated nonce');
        self.outside_nonces.write(outside_execution.nonce, true);
        let hash = message_hash(@outside_execution, get_tx_info().unbox().chain_id);
        if signature.len() == 2 {
            assert(
                owner_signed(self.public_key.read(), hash, signature), 'SNIP9: invalid signature',
            );
        } else {
            // Existence and expiry only: this path checks neither the allowlist nor the call
            // budget and consumes no call. Calls to the account itself stay refused.
            assert(signature.len() == 4, 'SNIP9: invalid signature len');
            let record = self.sessions.read(*signature.at(0));
            assert(record.valid_until != 0, 'Session: not registered');
            assert(now <= record.valid_until, 'Session: expired');
            assert_no_self_call(outside_execution.calls);
            assert(session_signed(hash, signature), 'SNIP9: invalid signature');
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
    }
}
