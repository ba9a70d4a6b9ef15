#[starknet::contract(account)]
pub mod ChipiLayoutAccount {
    use core::ecdsa::check_ecdsa_signature;
    use core::num::traits::Zero;
    use core::poseidon::poseidon_hash_span;
    use starknet::account::Call;
    use starknet::storage::{
        Map, StorageMapReadAccess, StorageMapWriteAccess, StoragePointerReadAccess,
        StoragePointerWriteAccess,
    };
    use starknet::syscalls::call_contract_syscall;
    use starknet::{
        ContractAddress, SyscallResultTrait, get_block_timestamp, get_caller_address,
        get_contract_address, get_tx_info,
    };

    const ANY_CALLER: felt252 = 0x414e595f43414c4c4552;
    const ISRC5_ID: felt252 = 0x3f918d17e5ee77373b56385708f855659a07f75997f365cf87748628532a055;
    const ISRC6_ID: felt252 = 0x2ceccef7f994940b3962a6c67e0ba4fcd37df7d131417c604f91e03caecc1cd;
    const ISRC9_V2_ID: felt252 = 0x1d1144bb2138366ff28d8e9ab57456b1d332ac42196230c3a602003c89872;
    const STARKNET_DOMAIN_TYPE_HASH: felt252 =
        0x1ff2f602e42168014d405a94f75e8a93d640751d71d16311266e140d8b0a210;
    const OUTSIDE_EXECUTION_TYPE_HASH: felt252 =
        0x312b56c05a7965066ddbda31c016d8d05afc305071c0ca3cdc2192c3c2f1f0f;
    const CALL_TYPE_HASH: felt252 =
        0x3635c7f2a7ba93844c0d064e18e487f35ab90f7c39d00f186a781fc3f0c2ca9;

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
        assert(get_caller_address().is_zero(), 'Account: invalid caller');
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
        let record = self.sessions.read(session_key);
        assert(record.valid_until != 0, 'Session: not registered');
        assert(get_block_timestamp() <= record.valid_until, 'Session: expired');
        assert(record.calls_used < record.max_calls, 'Session: calls exhausted');
        let account = get_contract_address();
        for call in calls.span() {
            assert(*call.to != account, 'Session: self call forbidden');
            assert(self.allows(session_key, record, *call.selector), 'Session: not allowed');
        }
        // The published direct-path message: poseidon of the account, the chain, the nonce, the
        // expiry and the calls (the fee fields are not part of it).
        let mut data = array![
            account.into(), tx_info.chain_id, tx_info.nonce, record.valid_until.into(),
        ];
        for call in calls.span() {
            data.append((*call.to).into());
            data.append(*call.selector);
            data.append((*call.calldata).len().into());
            data.append_span(*call.calldata);
        }
        let hash = poseidon_hash_span(data.span());
        assert(
            check_ecdsa_signature(hash, session_key, *signature.at(1), *signature.at(2)),
            'Session: invalid signature',
        );
        self
            .sessions
            .write(session_key, SessionData { calls_used: record.calls_used + 1, ..record });
        starknet::VALIDATED
    }

    #[external(v0)]
    fn __execute__(ref self: ContractState, calls: Array<Call>) -> Array<Span<felt252>> {
        assert(get_caller_address().is_zero(), 'Account: invalid caller');
        execute_calls(calls.span())
    }

    #[external(v0)]
    fn is_valid_signature(self: @ContractState, hash: felt252, signature: Array<felt252>) -> felt252 {
        if self.is_owner_signature(hash, signature.span()) {
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
        self
            .sessions
            .write(
                session_key,
                SessionData { valid_until: 0, max_calls: 0, calls_used: 0, allowed_entrypoints_len: 0 },
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

    #[external(v0)]
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
        let hash = message_hash(@outside_execution, get_tx_info().unbox().chain_id);
        if signature.len() == 2 {
            assert(self.is_owner_signature(hash, signature), 'SNIP9: invalid signature');
        } else {
            // Existence and expiry only: this path checks neither the allowlist nor the call
            // budget and consumes no call. Calls to the account itself stay refused.
            assert(signature.len() == 4, 'SNIP9: invalid signature len');
            let session_key = *signature.at(0);
            let record = self.sessions.read(session_key);
            assert(record.valid_until != 0, 'Session: not registered');
            assert(now <= record.valid_until, 'Session: expired');
            let account = get_contract_address();
            for call in outside_execution.calls {
                assert(*call.to != account, 'Session: self call forbidden');
            }
            assert(
                check_ecdsa_signature(hash, session_key, *signature.at(1), *signature.at(2)),
                'SNIP9: invalid signature',
            );
        }
        execute_calls(outside_execution.calls)
    }

    #[external(v0)]
    fn is_valid_outside_execution_nonce(self: @ContractState, nonce: felt252) -> bool {
        !self.outside_nonces.read(nonce)
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

    /// SNIP-12 revision 1 hash of an outside execution for this account.
    fn message_hash(outside_execution: @OutsideExecution, chain_id: felt252) -> felt252 {
        let domain = poseidon_hash_span(
            array![STARKNET_DOMAIN_TYPE_HASH, 'Account.execute_from_outside', 2, chain_id, 1]
                .span(),
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

    fn assert_self_call() {
        assert(get_caller_address() == get_contract_address(), 'Account: unauthorized');
    }

    fn execute_calls(calls: Span<Call>) -> Array<Span<felt252>> {
        let mut results = array![];
        for call in calls {
            results
                .append(
                    call_contract_syscall(*call.to, *call.selector, *call.calldata).unwrap_syscall(),
                );
        }
        results
    }
}
