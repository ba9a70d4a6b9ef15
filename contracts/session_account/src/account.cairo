//! The session account contract.
//!
//! Owner signatures are `[r, s]`; session signatures are `[session_pubkey, r, s, valid_until]`.
//! A session signature is accepted on the direct INVOKE path (signing the transaction hash, so
//! the fee fields are bound too) and on `execute_from_outside_v2` only when the session exists,
//! has not expired, has calls left, every call is allowed (its selector is on the session's
//! allowlist for any contract, or the `(contract, selector)` pair is bound to the session), no
//! call targets this account or a nested execute, and every call that can move value
//! (ERC-20 and NFT transfers, approvals) targets a contract with a spending policy for the session
//! and fits it. Nothing is allowed by default: an empty allowlist allows no call, a value call
//! without a policy is refused. Revoking or re-registering a key drops everything an earlier
//! registration allowed.
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
    use crate::hashing::outside_execution_message_hash;
    use crate::interface::{ISRC5_ID, ISRC6_ID, ISRC9_V2_ID};
    use crate::types::{AllowedCall, OutsideExecution, SessionData, SessionRecord, SpendingPolicy};

    /// `'ANY_CALLER'`: an outside execution any relayer may submit.
    const ANY_CALLER: felt252 = 0x414e595f43414c4c4552;
    /// Lowest transaction version accepted (v1 and later; never deprecated v0).
    const MIN_TRANSACTION_VERSION: u256 = 1;
    /// Version offset of simulation-only ("query") transactions.
    const QUERY_OFFSET: u256 = 0x100000000000000000000000000000000;
    /// Starknet rounds the block timestamp `__validate__` sees down to a multiple of this.
    const VALIDATE_TIME_ROUNDING: u64 = 3600;
    /// STRK, the fee token of version 3 transactions (same address on mainnet, Sepolia and
    /// devnet): a session's fees are bounded by its STRK policy.
    const FEE_TOKEN: felt252 = 0x04718f5a0fc34cc1af16a1cdee98ffb20c31f5cd61d6ab07201858f4287c938d;

    #[storage]
    struct Storage {
        public_key: felt252,
        sessions: Map<felt252, SessionRecord>,
        session_allowlist: Map<(felt252, u32), felt252>,
        /// `(session_key, epoch, index)` → a contract-bound call, in registration order.
        allowed_call_list: Map<(felt252, u64, u32), AllowedCall>,
        /// `(session_key, epoch, contract, selector)` → bound to the session.
        allowed_calls: Map<(felt252, u64, ContractAddress, felt252), bool>,
        /// `(session_key, epoch, token)` → the session's limits for that token.
        spending_policies: Map<(felt252, u64, ContractAddress), SpendingPolicy>,
        /// Last registration epoch handed out; every registration takes the next one.
        last_epoch: u64,
        outside_nonces: Map<felt252, bool>,
    }

    #[event]
    #[derive(Drop, starknet::Event)]
    pub enum Event {
        SessionKeyAdded: SessionKeyAdded,
        SessionKeyRevoked: SessionKeyRevoked,
        SpendingPolicySet: SpendingPolicySet,
        SpendingPolicyRemoved: SpendingPolicyRemoved,
        SessionCallsAllowed: SessionCallsAllowed,
        OwnerChanged: OwnerChanged,
    }

    #[derive(Drop, starknet::Event)]
    pub struct SessionCallsAllowed {
        #[key]
        pub session_key: felt252,
        pub allowed_calls: Span<AllowedCall>,
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
                // Only what that rounding leaves undecided can still fail here.
                let session_key = *tx_info.signature.at(0);
                let record = self.sessions.read(session_key);
                let now = get_block_timestamp();
                assert(record.valid_until != 0, 'Session: not registered');
                assert(now <= record.valid_until, 'Session: expired');
                self.apply_spending(session_key, record.epoch, calls.span(), now);
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
            // The session key signs the transaction hash, which covers the nonce, the chain and
            // the fee fields (tip, resource bounds): a seen signature cannot be resubmitted with
            // a higher fee. A fee-estimation ("query") transaction has a hash of its own.
            let now = get_block_timestamp();
            let epoch = self
                .use_session(session_key, signature, tx_info.transaction_hash, calls.span(), now);
            // Refuse here, before any fee is charged, every window overrun the rounded clock
            // can already decide.
            self.check_window_at_validation(session_key, epoch, calls.span(), now);
            // The key holder chooses the fee fields: bound them, or a stolen key could burn the
            // balance in fees. Version 3 only (fees in STRK), no tip, and the most the
            // transaction can cost within the session's per-call limit for STRK.
            let version: u256 = tx_info.version.into();
            assert(version == 3 || version == QUERY_OFFSET + 3, 'Session: tx version not 3');
            assert(tx_info.tip == 0, 'Session: tip not allowed');
            let mut max_fee: u256 = 0;
            for bound in tx_info.resource_bounds {
                let amount: u256 = (*bound.max_amount).into();
                let price: u256 = (*bound.max_price_per_unit).into();
                max_fee += amount * price;
            }
            let fee_token: ContractAddress = FEE_TOKEN.try_into().unwrap();
            let fee_policy = self.spending_policies.read((session_key, epoch, fee_token));
            assert(
                fee_policy.window_seconds != 0 && max_fee <= fee_policy.max_per_call,
                'Policy: fee over limit',
            );
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
            // A new epoch: bound calls and spending policies of any earlier registration of this
            // key stay behind, so an update starts from nothing but what it registers.
            let epoch = self.last_epoch.read() + 1;
            self.last_epoch.write(epoch);
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
                        valid_until,
                        max_calls,
                        calls_used: 0,
                        allowlist_len: allowed_entrypoints.len(),
                        epoch,
                        allowed_calls_len: 0,
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
                    SessionRecord {
                        valid_until: 0,
                        max_calls: 0,
                        calls_used: 0,
                        allowlist_len: 0,
                        epoch: 0,
                        allowed_calls_len: 0,
                    },
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
            let epoch = self.registered_epoch(session_key);
            assert(token.is_non_zero(), 'Policy: zero token');
            assert(window_seconds > 0, 'Policy: zero window');
            assert(max_per_call <= max_per_window, 'Policy: per call > per window');
            // Changing a policy keeps what was spent in its current window: an update must not
            // hand out a fresh window's worth.
            let current = self.spending_policies.read((session_key, epoch, token));
            self
                .spending_policies
                .write(
                    (session_key, epoch, token),
                    SpendingPolicy {
                        max_per_call,
                        max_per_window,
                        window_seconds,
                        spent: current.spent,
                        window_start: current.window_start,
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
            let epoch = self.sessions.read(session_key).epoch;
            if epoch == 0 {
                return SpendingPolicy {
                    max_per_call: 0, max_per_window: 0, window_seconds: 0, spent: 0, window_start: 0,
                };
            }
            self.spending_policies.read((session_key, epoch, token))
        }

        fn remove_spending_policy(
            ref self: ContractState, session_key: felt252, token: ContractAddress,
        ) {
            assert_self_call();
            let epoch = self.registered_epoch(session_key);
            self
                .spending_policies
                .write(
                    (session_key, epoch, token),
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

        fn add_session_allowed_calls(
            ref self: ContractState, session_key: felt252, allowed_calls: Array<AllowedCall>,
        ) {
            assert_self_call();
            let epoch = self.registered_epoch(session_key);
            let mut record = self.sessions.read(session_key);
            for allowed in allowed_calls.span() {
                let allowed = *allowed;
                assert(allowed.to.is_non_zero(), 'Session: zero contract');
                let key = (session_key, epoch, allowed.to, allowed.selector);
                if !self.allowed_calls.read(key) {
                    self.allowed_calls.write(key, true);
                    self
                        .allowed_call_list
                        .write((session_key, epoch, record.allowed_calls_len), allowed);
                    record.allowed_calls_len += 1;
                }
            }
            self.sessions.write(session_key, record);
            self.emit(SessionCallsAllowed { session_key, allowed_calls: allowed_calls.span() });
        }

        fn get_session_allowed_calls(
            self: @ContractState, session_key: felt252,
        ) -> Array<AllowedCall> {
            let record = self.sessions.read(session_key);
            let mut calls = array![];
            for index in 0..record.allowed_calls_len {
                calls.append(self.allowed_call_list.read((session_key, record.epoch, index)));
            }
            calls
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
                let epoch = self
                    .use_session(session_key, signature, hash, outside_execution.calls, now);
                self.apply_spending(session_key, epoch, outside_execution.calls, now);
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

        /// The epoch of a registered session key; panics when it is not registered.
        fn registered_epoch(self: @ContractState, session_key: felt252) -> u64 {
            assert(session_key != 0, 'Session: zero key');
            let record = self.sessions.read(session_key);
            assert(record.valid_until != 0, 'Session: not registered');
            record.epoch
        }

        /// Checks every session rule for `calls`, the session's signature over `hash`, and
        /// consumes one call of the session's budget; returns the session's epoch.
        fn use_session(
            ref self: ContractState,
            session_key: felt252,
            signature: Span<felt252>,
            hash: felt252,
            calls: Span<Call>,
            now: u64,
        ) -> u64 {
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
                    self.is_allowed(session_key, @record, *call.to, selector),
                    'Session: entrypoint not allowed',
                );
                // Value needs a policy for its contract. The per-call limit needs no clock:
                // check it here so an over-limit transfer is refused before any fee is charged.
                if is_value_call(selector) {
                    let policy = self.spending_policies.read((session_key, record.epoch, *call.to));
                    assert(policy.window_seconds != 0, 'Policy: no spending policy');
                    assert(
                        value_amount(selector, *call.calldata) <= policy.max_per_call,
                        'Policy: over per-call limit',
                    );
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
                        epoch: record.epoch,
                        allowed_calls_len: record.allowed_calls_len,
                    },
                );
            record.epoch
        }

        /// Whether the session may call `selector` on `to`: the selector is on its allowlist
        /// (any contract) or the pair is bound to it. Nothing is allowed by default.
        fn is_allowed(
            self: @ContractState,
            session_key: felt252,
            record: @SessionRecord,
            to: ContractAddress,
            selector: felt252,
        ) -> bool {
            if self.allowed_calls.read((session_key, *record.epoch, to, selector)) {
                return true;
            }
            let allowlist_len = *record.allowlist_len;
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

        /// At validation, with `now` rounded down to the hour: refuses the transaction when some
        /// token's spends would overrun a window that is surely still open at the real time
        /// (which is less than an hour later). An overrun whose window may have closed meanwhile
        /// is left to `apply_spending` in `__execute__`.
        fn check_window_at_validation(
            self: @ContractState, session_key: felt252, epoch: u64, calls: Span<Call>, now: u64,
        ) {
            for call in calls {
                if !is_value_call(*call.selector) {
                    continue;
                }
                let policy = self.spending_policies.read((session_key, epoch, *call.to));
                // Every spend on this token in the transaction counts against the same window.
                let mut total: u256 = 0;
                for other in calls {
                    if *other.to == *call.to && is_value_call(*other.selector) {
                        total += value_amount(*other.selector, *other.calldata);
                    }
                }
                // Over a whole window's limit: refused whatever the time.
                assert(total <= policy.max_per_window, 'Policy: over window limit');
                if policy.window_start == 0 {
                    continue;
                }
                let window_end: u128 = policy.window_start.into() + policy.window_seconds.into();
                let latest: u128 = now.into() + VALIDATE_TIME_ROUNDING.into();
                if latest > window_end {
                    continue;
                }
                // The window is surely still open at the real time: what it holds counts too.
                assert(total + policy.spent <= policy.max_per_window, 'Policy: over window limit');
            }
        }

        /// Adds each value call to the session's window for its contract; panics when a policy
        /// is missing or a limit would be exceeded. A window restarts once `window_seconds` have
        /// passed.
        fn apply_spending(
            ref self: ContractState, session_key: felt252, epoch: u64, calls: Span<Call>, now: u64,
        ) {
            for call in calls {
                let selector = *call.selector;
                if !is_value_call(selector) {
                    continue;
                }
                let key = (session_key, epoch, *call.to);
                let mut policy = self.spending_policies.read(key);
                assert(policy.window_seconds != 0, 'Policy: no spending policy');
                let amount = value_amount(selector, *call.calldata);
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

    /// Whether a selector can move value (tokens, or the right to move them) and so needs a
    /// spending policy for the contract it is called on: ERC-20 `transfer`, `transfer_from`,
    /// `approve`, `increase_allowance`, and the NFT transfers and operator approvals (each in
    /// snake and camel case).
    fn is_value_call(selector: felt252) -> bool {
        is_amount_call(selector)
            || is_transfer_from(selector)
            || is_nft_only(selector)
    }

    /// `(address, amount: u256)` calls.
    fn is_amount_call(selector: felt252) -> bool {
        selector == selector!("transfer")
            || selector == selector!("approve")
            || selector == selector!("increase_allowance")
            || selector == selector!("increaseAllowance")
    }

    /// `(from, to, amount: u256)` calls (ERC-721 `transfer_from` has the same shape, with a
    /// token id in place of the amount).
    fn is_transfer_from(selector: felt252) -> bool {
        selector == selector!("transfer_from") || selector == selector!("transferFrom")
    }

    /// NFT entrypoints no fungible limit can bound.
    fn is_nft_only(selector: felt252) -> bool {
        selector == selector!("safe_transfer_from")
            || selector == selector!("safeTransferFrom")
            || selector == selector!("safe_batch_transfer_from")
            || selector == selector!("safeBatchTransferFrom")
            || selector == selector!("set_approval_for_all")
            || selector == selector!("setApprovalForAll")
    }

    /// The amount a value call moves; panics for NFT-only entrypoints, which a spending policy
    /// (an amount of a fungible token) cannot bound.
    fn value_amount(selector: felt252, calldata: Span<felt252>) -> u256 {
        assert(!is_nft_only(selector), 'Policy: NFT call not allowed');
        let at = if is_transfer_from(selector) {
            assert(calldata.len() == 4, 'Policy: bad ERC-20 calldata');
            2
        } else {
            assert(calldata.len() == 3, 'Policy: bad ERC-20 calldata');
            1
        };
        let low: u128 = (*calldata.at(at)).try_into().expect('Policy: bad amount');
        let high: u128 = (*calldata.at(at + 1)).try_into().expect('Policy: bad amount');
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
