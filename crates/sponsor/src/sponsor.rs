//! What the sponsor does for each request, independent of the transport.

use std::collections::HashMap;

use chipi_session::backends::outside_execution::ANY_CALLER;
use chipi_session::backends::paymaster::{deployment_authorization, AccountDeployment};
use chipi_session::entrypoint::{selector, BALANCE_OF, EXECUTE_FROM_OUTSIDE_V2, TRANSFER};
use chipi_session::session::registration::transfer_call;
use chipi_session::{OutsideExecution, TypedData, WalletType};
use serde_json::Value;
use starknet::accounts::{Account, ConnectedAccount, ExecutionEncoding, SingleOwnerAccount};
use starknet::core::types::{
    BlockId, BlockTag, Call, FeeEstimate, Felt, FunctionCall, MaybePreConfirmedBlockWithTxHashes,
    StarknetError,
};
use starknet::core::utils::{cairo_short_string_to_felt, get_contract_address};
use starknet::providers::jsonrpc::HttpTransport;
use starknet::providers::{JsonRpcClient, Provider, ProviderError};
use starknet::signers::{LocalWallet, SigningKey};

use crate::config::SponsorConfig;
use crate::error::SponsorError;

/// The Universal Deployer Contract (the new one, predeployed by devnet at its public address).
pub const UDC: Felt =
    Felt::from_hex_unchecked("0x02ceed65a4bd731034c01113685c831b01c15d7d432f71afb1cf1634b53a2125");
/// How long a built outside execution stays valid.
const VALIDITY_SECONDS: u64 = 3600;

/// A token the sponsor takes fees in, with its price: what one whole token is worth in fri
/// (10^-18 STRK). A fixed table: a local sponsor has no market to ask.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GasToken {
    /// The ERC-20.
    pub address: Felt,
    /// Its decimals.
    pub decimals: u8,
    /// One whole token in fri.
    pub price_in_strk: u128,
}

/// The fee tokens of the local network: STRK (1:1) and ETH (10 000 STRK).
pub const GAS_TOKENS: [GasToken; 2] = [
    GasToken {
        address: chipi_session::network::STRK,
        decimals: 18,
        price_in_strk: 1_000_000_000_000_000_000,
    },
    GasToken {
        address: chipi_session::network::ETH,
        decimals: 18,
        price_in_strk: 10_000 * 1_000_000_000_000_000_000,
    },
];

/// The fee charged in the default (user-pays) mode, in fri, before conversion: a fixed quote
/// (0.02 STRK) that covers what an outside execution costs on devnet.
pub const FEE_IN_STRK: u128 = 20_000_000_000_000_000;

/// What a default-mode execution pays: the token and the amount in its base units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fee {
    /// The gas token.
    pub token: GasToken,
    /// The amount, in the token's base units.
    pub amount: u128,
}

impl GasToken {
    /// The supported gas token at `address`.
    pub fn of(address: Felt) -> Result<Self, SponsorError> {
        GAS_TOKENS
            .into_iter()
            .find(|t| t.address == address)
            .ok_or(SponsorError::TokenNotSupported)
    }

    /// [`FEE_IN_STRK`] in this token's base units, rounded up.
    pub fn fee(self) -> Fee {
        let scale = 10u128.pow(u32::from(self.decimals));
        // fee_strk * scale / price, rounded up; no overflow for the table above.
        let amount = (FEE_IN_STRK * scale).div_ceil(self.price_in_strk);
        Fee {
            token: self,
            amount,
        }
    }
}

type Relayer = SingleOwnerAccount<JsonRpcClient<HttpTransport>, LocalWallet>;

/// A paymaster backed by one relayer account.
#[derive(Debug)]
pub struct Sponsor {
    provider: JsonRpcClient<HttpTransport>,
    relayer: Relayer,
    chain_id: Felt,
    allowed: Vec<Felt>,
    api_key: Option<String>,
    max_fee: u128,
    /// Held while estimating and sending, so the relayer never reuses a nonce; guards the
    /// quotas too, so a burst of requests cannot pass the check together.
    submit: tokio::sync::Mutex<Quotas>,
    tracking: std::sync::Mutex<Tracking>,
}

/// Transactions sent per account in the last [`QUOTA_WINDOW`].
#[derive(Debug)]
struct Quotas {
    per_window: u32,
    sent: HashMap<Felt, std::collections::VecDeque<std::time::Instant>>,
    /// The most the relayer may pay in a window, whatever account asks (new accounts cost
    /// nothing to make, so a per-account quota alone does not bound the spending).
    budget: u128,
    /// What it may have paid, transaction by transaction (the signed bounds, an upper bound).
    spent: std::collections::VecDeque<(std::time::Instant, u128)>,
    /// Deployments (by address) and outside executions (by message hash) sent in the window:
    /// the same one asked for again is not sent again (it could only revert, at the relayer's
    /// cost).
    once: HashMap<Felt, std::time::Instant>,
}

/// The window a quota counts over.
pub const QUOTA_WINDOW: std::time::Duration = std::time::Duration::from_secs(3600);

impl Quotas {
    fn new(per_window: u32, budget: u128) -> Self {
        Self {
            per_window,
            sent: HashMap::new(),
            budget,
            spent: std::collections::VecDeque::new(),
            once: HashMap::new(),
        }
    }

    /// Refuses a transaction sent already (`key`), or one that could take the relayer's
    /// spending in the window past the budget.
    fn check_spending(
        &mut self,
        key: Felt,
        fee: u128,
        now: std::time::Instant,
    ) -> Result<(), SponsorError> {
        let recent = |at: &std::time::Instant| now.duration_since(*at) < QUOTA_WINDOW;
        self.once.retain(|_, at| recent(at));
        if self.once.contains_key(&key) {
            return Err(SponsorError::AlreadySent);
        }
        while self.spent.front().is_some_and(|(at, _)| !recent(at)) {
            self.spent.pop_front();
        }
        let spent = self
            .spent
            .iter()
            .fold(0u128, |sum, (_, fee)| sum.saturating_add(*fee));
        if spent.saturating_add(fee) > self.budget {
            return Err(SponsorError::Budget);
        }
        Ok(())
    }

    /// Refuses `account` when its quota is used up at `now`.
    fn check(&mut self, account: Felt, now: std::time::Instant) -> Result<(), SponsorError> {
        let recent = |at: &std::time::Instant| now.duration_since(*at) < QUOTA_WINDOW;
        if let Some(times) = self.sent.get_mut(&account) {
            while times.front().is_some_and(|at| !recent(at)) {
                times.pop_front();
            }
            if times.len() >= self.per_window as usize {
                return Err(SponsorError::Quota(self.per_window));
            }
        }
        // Accounts with nothing in the window are forgotten, so the map stays as large as the
        // accounts served within the hour.
        if self.sent.len() > TRACKING_CAP {
            self.sent
                .retain(|_, times| times.back().is_some_and(recent));
        }
        Ok(())
    }

    /// Counts a transaction about to be sent (whatever its outcome: a send that times out may
    /// still have reached the node).
    fn record(&mut self, account: Felt, key: Felt, fee: u128, now: std::time::Instant) {
        self.sent.entry(account).or_default().push_back(now);
        self.spent.push_back((now, fee));
        self.once.insert(key, now);
    }
}

/// Tracking ids the sponsor answers for, the oldest dropped past [`TRACKING_CAP`] (a client asks
/// about its transaction within minutes; an unbounded map would grow with every request).
#[derive(Debug, Default)]
struct Tracking {
    hashes: HashMap<Felt, Felt>,
    order: std::collections::VecDeque<Felt>,
}

/// How many tracking ids are kept.
pub const TRACKING_CAP: usize = 10_000;

impl Tracking {
    fn insert(&mut self, id: Felt, hash: Felt) {
        if self.hashes.insert(id, hash).is_none() {
            self.order.push_back(id);
        }
        while self.order.len() > TRACKING_CAP {
            if let Some(oldest) = self.order.pop_front() {
                self.hashes.remove(&oldest);
            }
        }
    }

    fn get(&self, id: &Felt) -> Option<&Felt> {
        self.hashes.get(id)
    }
}

/// The resource bounds the relayer signs: twice the estimate (with a floor for L1 gas), as
/// (amount, price per unit) for each resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct FeeBounds {
    l1_gas: (u64, u128),
    l2_gas: (u64, u128),
    l1_data_gas: (u64, u128),
}

impl FeeBounds {
    fn from_estimate(fee: &FeeEstimate) -> Self {
        Self {
            l1_gas: (
                fee.l1_gas_consumed.saturating_mul(2).saturating_add(1000),
                fee.l1_gas_price.saturating_mul(2),
            ),
            l2_gas: (
                fee.l2_gas_consumed.saturating_mul(2),
                fee.l2_gas_price.saturating_mul(2),
            ),
            l1_data_gas: (
                fee.l1_data_gas_consumed
                    .saturating_mul(2)
                    .saturating_add(1000),
                fee.l1_data_gas_price.saturating_mul(2),
            ),
        }
    }

    /// The most a transaction with these bounds can cost, in fri.
    fn worst_fee(&self) -> u128 {
        [self.l1_gas, self.l2_gas, self.l1_data_gas]
            .into_iter()
            .map(|(amount, price)| u128::from(amount).saturating_mul(price))
            .fold(0u128, u128::saturating_add)
    }
}

/// Whether `(r, s)` is `key`'s signature of `hash`.
fn ecdsa_valid(key: Felt, hash: Felt, r: Felt, s: Felt) -> bool {
    starknet::core::crypto::ecdsa_verify(&key, &hash, &starknet::core::crypto::Signature { r, s })
        .unwrap_or(false)
}

fn signature_checked(valid: bool) -> Result<(), SponsorError> {
    if valid {
        Ok(())
    } else {
        Err(SponsorError::InvalidSignature)
    }
}

fn node_error(e: impl std::fmt::Display) -> SponsorError {
    SponsorError::Unknown(format!("node: {e}"))
}

fn random_felt() -> Felt {
    let mut bytes = [0u8; 31];
    getrandom::fill(&mut bytes).expect("OS random source");
    Felt::from_bytes_be_slice(&bytes)
}

impl Sponsor {
    /// Connects to the node and sets up the relayer account.
    pub async fn new(config: &SponsorConfig) -> Result<Self, SponsorError> {
        let url: url::Url = config
            .rpc_url
            .parse()
            .map_err(|_| SponsorError::Unknown("bad rpc url".into()))?;
        let http = reqwest::Client::builder()
            .timeout(config.node_timeout)
            .build()
            .map_err(|e| SponsorError::Unknown(format!("http client: {e}")))?;
        let provider = JsonRpcClient::new(HttpTransport::new_with_client(url, http));
        let chain_id = provider.chain_id().await.map_err(node_error)?;
        let mut relayer = SingleOwnerAccount::new(
            provider.clone(),
            LocalWallet::from(SigningKey::from_secret_scalar(config.relayer_key)),
            config.relayer_address,
            chain_id,
            ExecutionEncoding::New,
        );
        relayer.set_block_id(BlockId::Tag(BlockTag::PreConfirmed));
        Ok(Self {
            provider,
            relayer,
            chain_id,
            allowed: config.allowed_accounts.clone(),
            api_key: config.api_key.clone(),
            max_fee: config.max_fee,
            submit: tokio::sync::Mutex::new(Quotas::new(
                config.quota_per_hour,
                config.budget_per_hour,
            )),
            tracking: std::sync::Mutex::new(Tracking::default()),
        })
    }

    /// Whether a request with `key` in `x-paymaster-api-key` may use sponsored mode: any request
    /// when no key is configured, else only one with that key (compared in constant time).
    pub fn accepts_api_key(&self, key: Option<&str>) -> bool {
        let Some(expected) = &self.api_key else {
            return true;
        };
        let Some(key) = key else {
            return false;
        };
        let (a, b) = (expected.as_bytes(), key.as_bytes());
        a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }

    /// The relayer's address (the `Caller` of every outside execution it builds).
    pub fn relayer_address(&self) -> Felt {
        self.relayer.address()
    }

    async fn now(&self) -> Result<u64, SponsorError> {
        let block = self
            .provider
            .get_block_with_tx_hashes(BlockId::Tag(BlockTag::PreConfirmed))
            .await
            .map_err(node_error)?;
        Ok(match block {
            MaybePreConfirmedBlockWithTxHashes::Block(b) => b.timestamp,
            MaybePreConfirmedBlockWithTxHashes::PreConfirmedBlock(b) => b.timestamp,
        })
    }

    /// The account must be allowed, deployed, and of a class with the CHIPI interface.
    async fn check_account(&self, address: Felt) -> Result<(), SponsorError> {
        if !self.allowed.is_empty() && !self.allowed.contains(&address) {
            return Err(SponsorError::InvalidAddress);
        }
        let class_hash = match self
            .provider
            .get_class_hash_at(BlockId::Tag(BlockTag::PreConfirmed), address)
            .await
        {
            Ok(hash) => hash,
            Err(ProviderError::StarknetError(StarknetError::ContractNotFound)) => {
                return Err(SponsorError::InvalidAddress)
            }
            Err(e) => return Err(node_error(e)),
        };
        match WalletType::from_class_hash(class_hash) {
            Some(t) if t.supports_sessions() => Ok(()),
            _ => Err(SponsorError::ClassHashNotSupported),
        }
    }

    /// Builds the outside execution of `calls` for `user` as SNIP-9 v2 typed data.
    /// In the default fee mode (`fee`), the fee transfer to the relayer is appended as the last
    /// call, once the user's balance of the gas token is seen to cover it with the calls' own
    /// transfers of that token.
    pub async fn build_invoke(
        &self,
        user: Felt,
        mut calls: Vec<Call>,
        time_bounds: Option<(u64, u64)>,
        fee: Option<Fee>,
    ) -> Result<Value, SponsorError> {
        if calls.is_empty() {
            return Err(SponsorError::InvalidParams("no calls".into()));
        }
        // The account and the chain's time, read at once.
        let (checked, now) = tokio::join!(self.check_account(user), self.now());
        checked?;
        let now = now?;
        if let Some(fee) = fee {
            self.check_fee_balance(user, &calls, fee).await?;
            calls.push(transfer_call(
                fee.token.address,
                self.relayer_address(),
                fee.amount,
            ));
        }
        let (execute_after, execute_before) =
            time_bounds.unwrap_or((now.saturating_sub(60), now + VALIDITY_SECONDS));
        if execute_before <= now || execute_after >= execute_before {
            return Err(SponsorError::InvalidTimeBounds);
        }
        let oe = OutsideExecution {
            caller: self.relayer_address(),
            nonce: random_felt(),
            execute_after,
            execute_before,
            calls,
        };
        Ok(oe.to_typed_data(self.chain_id))
    }

    /// The user's balance of the fee token must cover the fee and what the calls send of it.
    async fn check_fee_balance(
        &self,
        user: Felt,
        calls: &[Call],
        fee: Fee,
    ) -> Result<(), SponsorError> {
        let mut needed = fee.amount;
        for call in calls.iter().filter(|c| c.to == fee.token.address) {
            if call.selector == selector(TRANSFER) {
                if let [_, low, _high] = call.calldata.as_slice() {
                    let low: u128 = (*low).try_into().unwrap_or(u128::MAX);
                    needed = needed.saturating_add(low);
                }
            }
        }
        let answer = self
            .provider
            .call(
                FunctionCall {
                    contract_address: fee.token.address,
                    entry_point_selector: selector(BALANCE_OF),
                    calldata: vec![user],
                },
                BlockId::Tag(BlockTag::PreConfirmed),
            )
            .await
            .map_err(node_error)?;
        let balance: u128 = answer
            .first()
            .and_then(|low| (*low).try_into().ok())
            .unwrap_or(0);
        let high_set = answer.get(1).is_some_and(|h| *h != Felt::ZERO);
        if !high_set && balance < needed {
            return Err(SponsorError::FeeNotCovered(format!(
                "the gas token balance {balance} does not cover {needed} (fee {})",
                fee.amount
            )));
        }
        Ok(())
    }

    /// Checks the signature, simulates, and submits `execute_from_outside_v2` from the relayer.
    /// In the default fee mode the signed calls must end with the fee transfer to the relayer,
    /// of at least `fee`.
    pub async fn execute_invoke(
        &self,
        user: Felt,
        typed_data: &Value,
        signature: Vec<Felt>,
        fee: Option<Fee>,
    ) -> Result<(Felt, Felt), SponsorError> {
        let (checked, now) = tokio::join!(self.check_account(user), self.now());
        checked?;
        let now = now?;
        let typed = TypedData::from_json(&typed_data.to_string())
            .map_err(|e| SponsorError::InvalidParams(e.to_string()))?;
        let oe = OutsideExecution::from_typed_data(&typed)
            .map_err(|e| SponsorError::InvalidParams(e.to_string()))?;
        if oe.caller != self.relayer_address() && oe.caller != ANY_CALLER {
            return Err(SponsorError::InvalidParams(
                "the outside execution names another caller".into(),
            ));
        }
        if oe.execute_before <= now {
            return Err(SponsorError::InvalidTimeBounds);
        }
        if let Some(fee) = fee {
            let paid = oe.calls.last().and_then(|c| {
                let [to, low, high] = c.calldata.as_slice() else {
                    return None;
                };
                let ok = c.to == fee.token.address
                    && c.selector == selector(TRANSFER)
                    && *to == self.relayer_address()
                    && *high == Felt::ZERO;
                ok.then(|| u128::try_from(*low).ok()).flatten()
            });
            if paid.is_none_or(|amount| amount < fee.amount) {
                return Err(SponsorError::FeeNotCovered(
                    "the signed calls do not end with the fee transfer".into(),
                ));
            }
        }
        let hash = oe.message_hash(user, self.chain_id);
        self.check_signature(user, hash, &signature).await?;
        let call = Call {
            to: user,
            selector: selector(EXECUTE_FROM_OUTSIDE_V2),
            calldata: oe.calldata(&signature),
        };
        // In the default mode the user pays the fixed fee: the relayer pays no more than that.
        let paid = fee.map(|_| FEE_IN_STRK);
        self.submit(user, hash, vec![call], paid).await
    }

    async fn check_signature(
        &self,
        user: Felt,
        hash: Felt,
        signature: &[Felt],
    ) -> Result<(), SponsorError> {
        let valid = match signature {
            [r, s] => {
                let answer = self
                    .provider
                    .call(
                        FunctionCall {
                            contract_address: user,
                            entry_point_selector: selector("is_valid_signature"),
                            calldata: vec![hash, Felt::TWO, *r, *s],
                        },
                        BlockId::Tag(BlockTag::PreConfirmed),
                    )
                    .await
                    .map_err(node_error)?;
                answer.first() == Some(&cairo_short_string_to_felt("VALID").expect("short string"))
            }
            [session_key, r, s, _valid_until] => ecdsa_valid(*session_key, hash, *r, *s),
            _ => false,
        };
        signature_checked(valid)
    }

    /// The owner's signature over the deployment ([`deployment_authorization`]), checked with
    /// the public key the constructor is given (the first calldata felt of every class served).
    fn check_deployment_signature(
        &self,
        deployment: &AccountDeployment,
        signature: Option<&[Felt]>,
    ) -> Result<(), SponsorError> {
        let Some(&owner) = deployment.calldata.first() else {
            return Err(SponsorError::InvalidDeploymentData);
        };
        let hash = deployment_authorization(self.chain_id, deployment.address);
        signature_checked(matches!(signature, Some(&[r, s]) if ecdsa_valid(owner, hash, r, s)))
    }

    /// Checks deployment data: a supported class, the address it states, signed by the owner
    /// key it is given, not yet deployed.
    pub async fn check_deployment(
        &self,
        deployment: &AccountDeployment,
        signature: Option<&[Felt]>,
    ) -> Result<(), SponsorError> {
        if !WalletType::from_class_hash(deployment.class_hash)
            .is_some_and(WalletType::supports_sessions)
        {
            return Err(SponsorError::ClassHashNotSupported);
        }
        let address = get_contract_address(
            deployment.salt,
            deployment.class_hash,
            &deployment.calldata,
            Felt::ZERO,
        );
        if address != deployment.address {
            return Err(SponsorError::InvalidDeploymentData);
        }
        self.check_deployment_signature(deployment, signature)?;
        if !self.allowed.is_empty() && !self.allowed.contains(&address) {
            return Err(SponsorError::InvalidAddress);
        }
        match self
            .provider
            .get_class_hash_at(BlockId::Tag(BlockTag::PreConfirmed), address)
            .await
        {
            Ok(_) => Err(SponsorError::InvalidDeploymentData),
            Err(ProviderError::StarknetError(StarknetError::ContractNotFound)) => Ok(()),
            Err(e) => Err(node_error(e)),
        }
    }

    /// Deploys the account through the Universal Deployer (not unique, so the address is the
    /// one a `DEPLOY_ACCOUNT` would give); the relayer pays, once the owner's `signature` over
    /// the deployment is checked.
    pub async fn execute_deploy(
        &self,
        deployment: &AccountDeployment,
        signature: Option<&[Felt]>,
    ) -> Result<(Felt, Felt), SponsorError> {
        self.check_deployment(deployment, signature).await?;
        let mut calldata = vec![
            deployment.class_hash,
            deployment.salt,
            Felt::ZERO,
            Felt::from(deployment.calldata.len()),
        ];
        calldata.extend_from_slice(&deployment.calldata);
        self.submit(
            deployment.address,
            deployment.address,
            vec![Call {
                to: UDC,
                selector: selector("deployContract"),
                calldata,
            }],
            None,
        )
        .await
    }

    /// Within `account`'s quota and the relayer's budget, simulates (fee estimate), then sends
    /// with bounds from that estimate and no tip, unless those bounds could cost more than the
    /// fee cap, or the estimate is more than `paid` (the fee the user pays in fri, in the
    /// default mode). `once` names the transaction: the same one is not sent twice within the
    /// window.
    async fn submit(
        &self,
        account: Felt,
        once: Felt,
        calls: Vec<Call>,
        paid: Option<u128>,
    ) -> Result<(Felt, Felt), SponsorError> {
        let mut quotas = self.submit.lock().await;
        quotas.check(account, std::time::Instant::now())?;
        // One nonce read for the estimate and the send (the lock keeps it ours; not kept
        // across transactions: another sponsor may share the relayer).
        let nonce = self.relayer.get_nonce().await.map_err(node_error)?;
        let execution = self.relayer.execute_v3(calls.clone()).nonce(nonce).tip(0);
        let fee = execution
            .estimate_fee()
            .await
            .map_err(|e| SponsorError::Execution(format!("{e:?}")))?;
        let bounds = FeeBounds::from_estimate(&fee);
        let worst = bounds.worst_fee();
        if worst > self.max_fee {
            return Err(SponsorError::FeeOverCap {
                fee: worst,
                cap: self.max_fee,
            });
        }
        // The default mode's fee must cover what the transaction is estimated to cost.
        if let Some(paid) = paid.filter(|paid| fee.overall_fee > *paid) {
            return Err(SponsorError::FeeOverCap {
                fee: fee.overall_fee,
                cap: paid,
            });
        }
        let now = std::time::Instant::now();
        quotas.check_spending(once, worst, now)?;
        quotas.record(account, once, worst, now);
        let sent = self
            .relayer
            .execute_v3(calls)
            .nonce(nonce)
            .tip(0)
            .l1_gas(bounds.l1_gas.0)
            .l1_gas_price(bounds.l1_gas.1)
            .l2_gas(bounds.l2_gas.0)
            .l2_gas_price(bounds.l2_gas.1)
            .l1_data_gas(bounds.l1_data_gas.0)
            .l1_data_gas_price(bounds.l1_data_gas.1)
            .send()
            .await
            .map_err(|e| SponsorError::Execution(format!("{e:?}")))?;
        let tracking_id = random_felt();
        self.tracking
            .lock()
            .expect("tracking lock")
            .insert(tracking_id, sent.transaction_hash);
        Ok((tracking_id, sent.transaction_hash))
    }

    /// The latest transaction for a tracking id and whether the node has it.
    pub async fn tracking_status(
        &self,
        tracking_id: Felt,
    ) -> Result<(Felt, &'static str), SponsorError> {
        let hash = *self
            .tracking
            .lock()
            .expect("tracking lock")
            .get(&tracking_id)
            .ok_or(SponsorError::InvalidId)?;
        let status = match self.provider.get_transaction_receipt(hash).await {
            Ok(_) => "accepted",
            Err(ProviderError::StarknetError(StarknetError::TransactionHashNotFound)) => "active",
            Err(e) => return Err(node_error(e)),
        };
        Ok((hash, status))
    }

    /// Whether the node answers.
    pub async fn is_available(&self) -> bool {
        self.provider.chain_id().await.is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotas_count_each_account_over_the_last_hour() {
        let start = std::time::Instant::now();
        let mut quotas = Quotas::new(2, u128::MAX);
        let (a, b) = (Felt::ONE, Felt::TWO);
        for key in [10u8, 11] {
            quotas.check(a, start).unwrap();
            quotas.record(a, Felt::from(key), 1, start);
        }
        assert!(matches!(
            quotas.check(a, start),
            Err(SponsorError::Quota(2))
        ));
        quotas
            .check(b, start)
            .expect("another account has its own quota");
        let later = start + QUOTA_WINDOW - std::time::Duration::from_secs(1);
        assert!(quotas.check(a, later).is_err(), "still within the hour");
        quotas
            .check(a, start + QUOTA_WINDOW)
            .expect("an hour later the first ones no longer count");
        assert!(quotas.sent[&a].is_empty());
    }

    #[test]
    fn the_budget_bounds_every_account_together_and_nothing_goes_twice() {
        let start = std::time::Instant::now();
        let mut quotas = Quotas::new(100, 1000);
        // Many new accounts, each within its own quota, share one budget.
        for account in 0u8..4 {
            quotas.check(Felt::from(account), start).unwrap();
            quotas
                .check_spending(Felt::from(account), 250, start)
                .unwrap();
            quotas.record(Felt::from(account), Felt::from(account), 250, start);
        }
        assert!(matches!(
            quotas.check_spending(Felt::from(9u8), 1, start),
            Err(SponsorError::Budget)
        ));
        let later = start + QUOTA_WINDOW;
        quotas
            .check_spending(Felt::from(9u8), 1000, later)
            .expect("an hour later the budget is whole again");
        // The same transaction again, within the window.
        let again = start + std::time::Duration::from_secs(60);
        let mut fresh = Quotas::new(100, u128::MAX);
        fresh.record(Felt::ONE, Felt::from(77u8), 5, start);
        assert!(matches!(
            fresh.check_spending(Felt::from(77u8), 5, again),
            Err(SponsorError::AlreadySent)
        ));
    }

    #[test]
    fn the_fee_cap_is_checked_against_the_signed_bounds() {
        let estimate = FeeEstimate {
            l1_gas_consumed: 0,
            l1_gas_price: 10,
            l2_gas_consumed: 1_000_000,
            l2_gas_price: 3,
            l1_data_gas_consumed: 100,
            l1_data_gas_price: 7,
            overall_fee: 3_000_700,
        };
        let bounds = FeeBounds::from_estimate(&estimate);
        assert_eq!(bounds.l2_gas, (2_000_000, 6));
        assert_eq!(bounds.l1_gas, (1000, 20));
        assert_eq!(bounds.worst_fee(), 1000 * 20 + 2_000_000 * 6 + 1200 * 14);
        let huge = FeeEstimate {
            l2_gas_consumed: u64::MAX,
            l2_gas_price: u128::MAX,
            ..estimate
        };
        assert_eq!(FeeBounds::from_estimate(&huge).worst_fee(), u128::MAX);
    }

    #[test]
    fn the_tracking_map_keeps_the_newest_ids_only() {
        let mut tracking = Tracking::default();
        for i in 0..(TRACKING_CAP as u64 + 5) {
            tracking.insert(Felt::from(i), Felt::from(i + 1));
        }
        assert_eq!(tracking.hashes.len(), TRACKING_CAP);
        assert_eq!(tracking.order.len(), TRACKING_CAP);
        assert!(
            tracking.get(&Felt::from(4u8)).is_none(),
            "the oldest are dropped"
        );
        assert_eq!(
            tracking.get(&Felt::from(TRACKING_CAP as u64 + 4)),
            Some(&Felt::from(TRACKING_CAP as u64 + 5))
        );
        // The same id again is one entry, not two.
        tracking.insert(Felt::from(TRACKING_CAP as u64 + 4), Felt::ONE);
        assert_eq!(tracking.order.len(), TRACKING_CAP);
    }
}
