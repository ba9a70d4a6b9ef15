//! Helpers shared by the session account tests.

use chipi_session::backends::outside_execution::ANY_CALLER;
use chipi_session::entrypoint::{
    selector, APPROVE, EXECUTE_FROM_OUTSIDE_V2, GET_SESSION_DATA, SET_SPENDING_POLICY, TRANSFER,
};
use chipi_session::{
    allow_session_calls_call, register_session_call, OutsideExecution, SessionAccount,
    SessionSignature, SessionStatus,
};
use devnet_harness::{
    wait_for_receipt, DeployedSessionAccount, Devnet, Outcome, OwnerAccount, STRK,
};
use starknet::accounts::{ConnectedAccount, ExecutionV3};
use starknet::core::types::{BlockId, BlockTag, Call, FeeEstimate, Felt, FunctionCall};
use starknet::core::utils::cairo_short_string_to_felt;
use starknet::providers::jsonrpc::HttpTransport;
use starknet::providers::{JsonRpcClient, Provider};
use starknet::signers::SigningKey;

/// One STRK in fri.
pub const STRK_UNIT: u128 = 1_000_000_000_000_000_000;
/// ETH, predeployed by devnet at its mainnet address.
pub const ETH: Felt =
    Felt::from_hex_unchecked("0x049d36570d4e46f48e99674bd3fcc84644ddd6b96f7c741b1562b82f9e004dc7");
/// A day, the window of the generous policy most tests register.
pub const DAY: u64 = 86_400;

/// A spending policy to register: `(token, max_per_call, max_per_window, window_seconds)`.
pub type Limit = (Felt, u128, u128, u64);

/// `set_spending_policy(session_key, token, per_call, per_window, window)` on `account`.
pub fn set_policy_call(account: Felt, key: &SigningKey, limit: Limit) -> Call {
    let (token, per_call, per_window, window) = limit;
    Call {
        to: account,
        selector: selector(SET_SPENDING_POLICY),
        calldata: vec![
            public_key(key),
            token,
            Felt::from(per_call),
            Felt::ZERO,
            Felt::from(per_window),
            Felt::ZERO,
            Felt::from(window),
        ],
    }
}

/// A node with a freshly deployed session account.
pub struct Env {
    pub node: Devnet,
    pub account: DeployedSessionAccount,
}

impl Env {
    pub async fn new() -> Self {
        let node = Devnet::start().await.expect("devnet starts");
        let account = node
            .deploy_session_account()
            .await
            .expect("session account deploys");
        Self { node, account }
    }

    pub fn address(&self) -> Felt {
        self.account.address
    }

    /// The relayer that submits outside executions and pays their fees.
    pub async fn relayer(&self) -> OwnerAccount {
        self.node
            .predeployed(1)
            .await
            .expect("predeployed account 1")
    }

    /// Unix time of the block the next transaction lands in.
    pub async fn now(&self) -> u64 {
        self.node
            .pending_timestamp()
            .await
            .expect("block timestamp")
    }

    /// Registers `key` as a session with the owner key and checks that it succeeded.
    pub async fn register(
        &self,
        key: &SigningKey,
        valid_until: u64,
        max_calls: u32,
        allowed: &[Felt],
    ) -> Outcome {
        let call = register_session_call(
            self.address(),
            public_key(key),
            valid_until,
            max_calls,
            allowed,
        );
        send(&self.account.owner, vec![call])
            .await
            .succeeded("register session")
    }

    /// A session to register with the owner key: a fresh key, valid for an hour from the next
    /// block, ten calls, nothing allowed and no limit until the test says.
    pub fn new_session(&self) -> SessionSpec<'_> {
        SessionSpec {
            env: self,
            key: SigningKey::from_random(),
            expiry: Expiry::In(3600),
            max_calls: 10,
            allowed: Vec::new(),
            pairs: Vec::new(),
            limits: Vec::new(),
        }
    }

    /// What most rule tests need: STRK transfers and approvals of up to 100 STRK a call and a
    /// day.
    pub fn spender(&self) -> SessionSpec<'_> {
        self.new_session()
            .allow_selectors(&[selector(TRANSFER), selector(APPROVE)])
            .limit((STRK, 100 * STRK_UNIT, 100 * STRK_UNIT, DAY))
    }

    /// The account's nonce.
    pub async fn nonce(&self) -> Felt {
        self.node
            .provider()
            .get_nonce(BlockId::Tag(BlockTag::PreConfirmed), self.address())
            .await
            .expect("nonce")
    }

    /// A starknet-rs account that signs direct INVOKEs with the session `key`.
    pub fn session(
        &self,
        key: &SigningKey,
        valid_until: u64,
    ) -> SessionAccount<JsonRpcClient<HttpTransport>> {
        SessionAccount::new(
            self.node.provider().clone(),
            self.address(),
            self.node.chain_id(),
            key.clone(),
            valid_until,
        )
    }

    /// An outside execution of `calls` any caller may submit, valid for the next hour.
    pub async fn outside(&self, nonce: u64, calls: Vec<Call>) -> OutsideExecution {
        OutsideExecution {
            caller: ANY_CALLER,
            nonce: Felt::from(nonce),
            execute_after: 0,
            execute_before: self.now().await + 3600,
            calls,
        }
    }

    /// The call that submits `oe` signed by the session `key`.
    pub fn outside_call(&self, oe: &OutsideExecution, key: &SigningKey, valid_until: u64) -> Call {
        let hash = oe.message_hash(self.address(), self.node.chain_id());
        let signature = SessionSignature::sign(key, hash, valid_until)
            .expect("sign")
            .to_felts();
        Call {
            to: self.address(),
            selector: selector(EXECUTE_FROM_OUTSIDE_V2),
            calldata: oe.calldata(&signature),
        }
    }

    /// Signs `calls` as an outside execution with the session `key` and has the relayer submit it.
    pub async fn relay(
        &self,
        key: &SigningKey,
        valid_until: u64,
        nonce: u64,
        calls: Vec<Call>,
    ) -> Sent {
        let oe = self.outside(nonce, calls).await;
        send(
            &self.relayer().await,
            vec![self.outside_call(&oe, key, valid_until)],
        )
        .await
    }

    pub async fn session_status(&self, key: &SigningKey) -> SessionStatus {
        let data = self
            .call(self.address(), GET_SESSION_DATA, vec![public_key(key)])
            .await;
        SessionStatus::from_felts(&data).expect("v29 layout")
    }

    pub async fn call(&self, to: Felt, entrypoint: &str, calldata: Vec<Felt>) -> Vec<Felt> {
        self.node
            .provider()
            .call(
                FunctionCall {
                    contract_address: to,
                    entry_point_selector: selector(entrypoint),
                    calldata,
                },
                BlockId::Tag(BlockTag::PreConfirmed),
            )
            .await
            .unwrap_or_else(|e| panic!("call {entrypoint}: {e}"))
    }

    pub async fn strk_balance(&self, owner: Felt) -> u128 {
        let words = self.call(STRK, "balance_of", vec![owner]).await;
        assert_eq!(
            words[1],
            Felt::ZERO,
            "balances in these tests fit in 128 bits"
        );
        words[0].try_into().expect("u128")
    }
}

pub fn public_key(key: &SigningKey) -> Felt {
    key.verifying_key().scalar()
}

/// A fresh random address that holds nothing.
pub fn fresh_address() -> Felt {
    public_key(&SigningKey::from_random())
}

/// `STRK.transfer(to, amount)`.
pub fn strk_transfer(to: Felt, amount: u128) -> Call {
    Call {
        to: STRK,
        selector: selector(TRANSFER),
        calldata: vec![to, Felt::from(amount), Felt::ZERO],
    }
}

/// When a session to register expires.
enum Expiry {
    /// Seconds after the next block's time.
    In(u64),
    /// At this unix time.
    At(u64),
}

/// A session about to be registered in one owner transaction: `register_session`, then the
/// `(contract, selector)` pairs it is bound to, then its spending limits.
pub struct SessionSpec<'a> {
    env: &'a Env,
    key: SigningKey,
    expiry: Expiry,
    max_calls: u32,
    allowed: Vec<Felt>,
    pairs: Vec<(Felt, Felt)>,
    limits: Vec<Limit>,
}

/// A session registered on chain: its key, its expiry and the owner transaction.
pub struct Registered {
    pub key: SigningKey,
    pub valid_until: u64,
    pub outcome: Outcome,
}

impl SessionSpec<'_> {
    /// Valid for `seconds` after the next block's time.
    pub fn valid_for(mut self, seconds: u64) -> Self {
        self.expiry = Expiry::In(seconds);
        self
    }

    /// Valid until the unix time `valid_until`.
    pub fn until(mut self, valid_until: u64) -> Self {
        self.expiry = Expiry::At(valid_until);
        self
    }

    /// A call budget of `max_calls`.
    pub fn calls(mut self, max_calls: u32) -> Self {
        self.max_calls = max_calls;
        self
    }

    /// Also allows `selectors` on any contract.
    pub fn allow_selectors(mut self, selectors: &[Felt]) -> Self {
        self.allowed.extend_from_slice(selectors);
        self
    }

    /// Binds the session to these `(contract, selector)` pairs.
    pub fn bound(mut self, pairs: &[(Felt, Felt)]) -> Self {
        self.pairs.extend_from_slice(pairs);
        self
    }

    /// Also registers the spending limit `limit`.
    pub fn limit(mut self, limit: Limit) -> Self {
        self.limits.push(limit);
        self
    }

    /// Also registers each of `limits`.
    pub fn limits(mut self, limits: &[Limit]) -> Self {
        self.limits.extend_from_slice(limits);
        self
    }

    /// Registers the session (see [`Self::register`]): its key and expiry.
    pub async fn open(self) -> (SigningKey, u64) {
        let registered = self.register().await;
        (registered.key, registered.valid_until)
    }

    /// Sends the registration with the owner key and checks that it succeeded.
    pub async fn register(self) -> Registered {
        let env = self.env;
        let valid_until = match self.expiry {
            Expiry::In(seconds) => env.now().await + seconds,
            Expiry::At(at) => at,
        };
        let key_public = public_key(&self.key);
        let mut calls = vec![register_session_call(
            env.address(),
            key_public,
            valid_until,
            self.max_calls,
            &self.allowed,
        )];
        if !self.pairs.is_empty() {
            calls.push(allow_session_calls_call(
                env.address(),
                key_public,
                &self.pairs,
            ));
        }
        calls.extend(
            self.limits
                .iter()
                .map(|l| set_policy_call(env.address(), &self.key, *l)),
        );
        let outcome = send(&env.account.owner, calls)
            .await
            .succeeded("register session with policies");
        Registered {
            key: self.key,
            valid_until,
            outcome,
        }
    }
}

/// How a transaction ended.
#[derive(Debug)]
pub enum Sent {
    /// Included and executed.
    Succeeded(Outcome),
    /// Included but execution reverted (the fee was charged).
    Reverted(Outcome),
    /// Refused before inclusion: fee estimation or validation failed; nothing was sent.
    Rejected(String),
}

impl Sent {
    #[track_caller]
    pub fn succeeded(self, what: &str) -> Outcome {
        match self {
            Sent::Succeeded(outcome) => outcome,
            other => panic!("{what} should succeed: {other:?}"),
        }
    }

    /// Asserts the transaction was refused (rejected or reverted) for `reason`, a Cairo
    /// short string the contract panics with.
    #[track_caller]
    pub fn refused(&self, reason: &str) {
        let text = match self {
            Sent::Succeeded(outcome) => {
                panic!("expected refusal '{reason}', but it succeeded: {outcome:?}")
            }
            Sent::Reverted(outcome) => outcome.revert_reason.clone().unwrap_or_default(),
            Sent::Rejected(error) => error.clone(),
        };
        let encoded = format!(
            "{:#x}",
            cairo_short_string_to_felt(reason).expect("short string")
        );
        assert!(
            text.contains(reason) || text.contains(&encoded),
            "expected refusal '{reason}', got: {text}"
        );
    }
}

/// Sends `calls` from `account` (estimating the fee) and waits for the receipt.
pub async fn send<A: ConnectedAccount + Sync>(account: &A, calls: Vec<Call>) -> Sent {
    // No tip: a session transaction with one is refused, and devnet needs none.
    match account.execute_v3(calls).tip(0).send().await {
        Ok(result) => {
            let outcome = wait_for_receipt(account.provider(), result.transaction_hash)
                .await
                .expect("receipt");
            if outcome.succeeded() {
                Sent::Succeeded(outcome)
            } else {
                Sent::Reverted(outcome)
            }
        }
        Err(e) => Sent::Rejected(format!("{e:?}")),
    }
}

/// `execution` with gas bounds `factor` times an estimate (`fee`, usually of a transaction that
/// succeeds), so the node includes it without estimating it: only the account's validation can
/// keep it out, and a revert in execution is charged.
pub fn with_gas_bounds<'a, A>(
    execution: ExecutionV3<'a, A>,
    fee: &FeeEstimate,
    factor: u64,
) -> ExecutionV3<'a, A> {
    execution
        .l1_gas(fee.l1_gas_consumed * factor + 1000)
        .l1_gas_price(fee.l1_gas_price * 2)
        .l2_gas(fee.l2_gas_consumed * factor)
        .l2_gas_price(fee.l2_gas_price * 2)
        .l1_data_gas(fee.l1_data_gas_consumed * factor + 1000)
        .l1_data_gas_price(fee.l1_data_gas_price * 2)
}
