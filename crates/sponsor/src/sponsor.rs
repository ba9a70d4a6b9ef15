//! What the sponsor does for each request, independent of the transport.

mod deploy;

use chipi_session::backends::outside_execution::ANY_CALLER;
use chipi_session::backends::paymaster::{deployment_authorization, AccountDeployment};
use chipi_session::entrypoint::{selector, BALANCE_OF, EXECUTE_FROM_OUTSIDE_V2, TRANSFER};
use chipi_session::session::registration::transfer_call;
use chipi_session::{OutsideExecution, TypedData, WalletType};
use serde_json::Value;
use starknet::accounts::{Account, ConnectedAccount, ExecutionEncoding, SingleOwnerAccount};
use starknet::core::types::{
    BlockId, BlockTag, BroadcastedInvokeTransactionV3, BroadcastedTransaction, Call,
    DataAvailabilityMode, Felt, FunctionCall, MaybePreConfirmedBlockWithTxHashes, ResourceBounds,
    ResourceBoundsMapping, SimulationFlagForEstimateFee, StarknetError,
};
use starknet::core::utils::{cairo_short_string_to_felt, get_contract_address};
use starknet::providers::jsonrpc::HttpTransport;
use starknet::providers::{JsonRpcClient, Provider, ProviderError};
use starknet::signers::{LocalWallet, SigningKey};

use crate::config::SponsorConfig;

use crate::error::SponsorError;
use crate::pricing::{self, FeeBounds, GasToken};
use crate::quotas::Quotas;
use crate::version::{Versions, ISRC9_V2_ID};
use chipi_session::backends::snip29::FeeEstimate as FeeEstimateAnswer;

/// The Universal Deployer Contract (the new one, predeployed by devnet at its public address).
pub const UDC: Felt =
    Felt::from_hex_unchecked("0x02ceed65a4bd731034c01113685c831b01c15d7d432f71afb1cf1634b53a2125");
/// How long a built outside execution stays valid.
const VALIDITY_SECONDS: u64 = 3600;

/// What a default-mode execution signed to pay: the token and the amount.
#[derive(Debug, Clone, Copy)]
struct Charge {
    token: GasToken,
    signed: u128,
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
    /// Accounts' SNIP-9 versions, found at build as the public server finds them.
    versions: Versions,
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
            versions: Versions::default(),
            submit: tokio::sync::Mutex::new(Quotas::new(
                config.quota_per_hour,
                config.budget_per_hour,
            )),
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

    /// The account must be allowed, deployed, and of a class with the CHIPI interface, or
    /// (sponsored only, not `paid_in_token`) of any class that takes SNIP-9 v2.
    async fn check_account(&self, address: Felt, paid_in_token: bool) -> Result<(), SponsorError> {
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
            Some(_) => Err(SponsorError::ClassHashNotSupported),
            // A class off the list is served as the public server serves any account: when it
            // says through SRC-5 that it takes SNIP-9 v2 outside executions. Sponsored only: the
            // default mode refunds what the signed fee call overpays, and a class whose code is
            // unknown could skip that call and still succeed, making the relayer pay the refund.
            None if !paid_in_token && self.supports_outside_execution(address).await => Ok(()),
            None => Err(SponsorError::ClassHashNotSupported),
        }
    }

    async fn supports_outside_execution(&self, address: Felt) -> bool {
        self.provider
            .call(
                FunctionCall {
                    contract_address: address,
                    entry_point_selector: selector("supports_interface"),
                    calldata: vec![ISRC9_V2_ID],
                },
                BlockId::Tag(BlockTag::PreConfirmed),
            )
            .await
            .is_ok_and(|answer| answer == [Felt::ONE])
    }

    /// Builds the outside execution of `calls` for `user` as SNIP-9 v2 typed data, valid
    /// within `time_bounds` (`[1, now + 3600]` without them). In the default fee mode (`fee`)
    /// the account must hold some of the gas token, and a transfer to the relayer of the
    /// suggested fee is appended as the last call; the fee estimate is answered with it.
    pub async fn build_invoke(
        &self,
        user: Felt,
        mut calls: Vec<Call>,
        time_bounds: Option<(u64, u64)>,
        fee: Option<GasToken>,
    ) -> Result<(Value, FeeEstimateAnswer), SponsorError> {
        if calls.is_empty() {
            return Err(SponsorError::Execution(
                "no calls specified in invoke".into(),
            ));
        }
        // The account and the chain's time, read at once.
        let (checked, now) = tokio::join!(self.check_account(user, fee.is_some()), self.now());
        checked?;
        // At build only, as the public server: the execute reads the version from the typed
        // data it is given.
        self.versions.of(&self.provider, user).await?;
        let now = now?;
        let (execute_after, execute_before) = time_bounds.unwrap_or((1, now + VALIDITY_SECONDS));
        if execute_after >= execute_before || execute_after > now || execute_before <= now {
            return Err(SponsorError::InvalidTimeBounds);
        }
        let estimate = match fee {
            Some(token) => {
                self.check_fee_balance(user, token).await?;
                let estimate = self
                    .estimate_without_validation(user, &calls, token)
                    .await?;
                let answer = pricing::fee_estimate(token, estimate);
                let amount = u128::try_from(answer.suggested_max_fee_in_gas_token)
                    .map_err(|_| SponsorError::Unknown("fee out of range".into()))?;
                calls.push(transfer_call(token.address, self.relayer_address(), amount));
                answer
            }
            None => FeeEstimateAnswer::ZERO,
        };
        let oe = OutsideExecution {
            caller: self.relayer_address(),
            nonce: random_felt(),
            execute_after,
            execute_before,
            calls,
        };
        Ok((oe.to_typed_data(self.chain_id), estimate))
    }

    /// What `calls` cost as a plain invoke from `user` with a gas-token transfer of 1 after
    /// them, the account's validation skipped (as the public server estimates), in fri.
    async fn estimate_without_validation(
        &self,
        user: Felt,
        calls: &[Call],
        token: GasToken,
    ) -> Result<u128, SponsorError> {
        let mut priced = calls.to_vec();
        priced.push(transfer_call(token.address, self.relayer_address(), 1));
        let mut calldata = vec![Felt::from(priced.len())];
        for call in &priced {
            calldata.extend([call.to, call.selector, Felt::from(call.calldata.len())]);
            calldata.extend_from_slice(&call.calldata);
        }
        let nonce = self
            .provider
            .get_nonce(BlockId::Tag(BlockTag::PreConfirmed), user)
            .await
            .map_err(node_error)?;
        let unbounded = ResourceBounds {
            max_amount: 0,
            max_price_per_unit: 0,
        };
        let invoke = BroadcastedInvokeTransactionV3 {
            sender_address: user,
            calldata,
            signature: vec![],
            nonce,
            resource_bounds: ResourceBoundsMapping {
                l1_gas: unbounded.clone(),
                l1_data_gas: unbounded.clone(),
                l2_gas: unbounded,
            },
            tip: 0,
            paymaster_data: vec![],
            account_deployment_data: vec![],
            nonce_data_availability_mode: DataAvailabilityMode::L1,
            fee_data_availability_mode: DataAvailabilityMode::L1,
            is_query: true,
        };
        let estimate = self
            .provider
            .estimate_fee_single(
                BroadcastedTransaction::Invoke(invoke),
                [SimulationFlagForEstimateFee::SkipValidate],
                BlockId::Tag(BlockTag::PreConfirmed),
            )
            .await
            .map_err(|e| SponsorError::Execution(format!("{e}")))?;
        Ok(estimate.overall_fee)
    }

    /// The default mode needs a balance of the gas token that is not zero (the public server's
    /// only check at build).
    async fn check_fee_balance(&self, user: Felt, token: GasToken) -> Result<(), SponsorError> {
        let answer = self
            .provider
            .call(
                FunctionCall {
                    contract_address: token.address,
                    entry_point_selector: selector(BALANCE_OF),
                    calldata: vec![user],
                },
                BlockId::Tag(BlockTag::PreConfirmed),
            )
            .await
            .map_err(node_error)?;
        if answer.iter().all(|felt| *felt == Felt::ZERO) {
            return Err(SponsorError::Execution(format!(
                "execution error balance for gas token {:#x} is zero",
                token.address
            )));
        }
        Ok(())
    }

    /// Checks the signature, simulates, and submits `execute_from_outside_v2` from the relayer.
    /// In the default fee mode the signed calls must end with the fee transfer to the relayer,
    /// which must pay at least 1.1 times the transaction's real cost; the rest is refunded in
    /// the same transaction.
    pub async fn execute_invoke(
        &self,
        user: Felt,
        typed_data: &Value,
        signature: Vec<Felt>,
        fee: Option<GasToken>,
    ) -> Result<Felt, SponsorError> {
        let (checked, now) = tokio::join!(self.check_account(user, fee.is_some()), self.now());
        checked?;
        let now = now?;
        let unreadable = || SponsorError::Execution("invalid typed data".into());
        let typed = TypedData::from_json(&typed_data.to_string()).map_err(|_| unreadable())?;
        let oe = OutsideExecution::from_typed_data(&typed).map_err(|_| unreadable())?;
        if oe.caller != self.relayer_address() && oe.caller != ANY_CALLER {
            return Err(unreadable());
        }
        if oe.execute_before <= now {
            return Err(SponsorError::InvalidTimeBounds);
        }
        let charge = match fee {
            Some(token) => Some(self.signed_fee(&oe, token).ok_or_else(unreadable)?),
            None => None,
        };
        let hash = oe.message_hash(user, self.chain_id);
        self.check_signature(user, hash, &signature).await?;
        let call = Call {
            to: user,
            selector: selector(EXECUTE_FROM_OUTSIDE_V2),
            calldata: oe.calldata(&signature),
        };
        self.submit(user, hash, vec![call], charge).await
    }

    /// The fee the signed calls pay: their last call must be a transfer of `token` to the
    /// relayer.
    fn signed_fee(&self, oe: &OutsideExecution, token: GasToken) -> Option<Charge> {
        let last = oe.calls.last()?;
        let [to, low, high] = last.calldata.as_slice() else {
            return None;
        };
        let ok = last.to == token.address
            && last.selector == selector(TRANSFER)
            && *to == self.relayer_address()
            && *high == Felt::ZERO;
        Some(Charge {
            token,
            signed: ok.then(|| u128::try_from(*low).ok()).flatten()?,
        })
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

    /// Within `account`'s quota and the relayer's budget, simulates (fee estimate), then sends
    /// with bounds from that estimate and no tip, unless those bounds could cost more than the
    /// fee cap. With `charge` (the default mode), the fee the user signed must cover 1.1 times
    /// the estimate, and what it pays beyond that goes back to `account` in the same
    /// transaction. `once` names the transaction: the same one is not sent twice within the
    /// window.
    async fn submit(
        &self,
        account: Felt,
        once: Felt,
        mut calls: Vec<Call>,
        charge: Option<Charge>,
    ) -> Result<Felt, SponsorError> {
        let mut quotas = self.submit.lock().await;
        quotas.check(account, std::time::Instant::now())?;
        // One nonce read for the estimate and the send (the lock keeps it ours; not kept
        // across transactions: another sponsor may share the relayer).
        let nonce = self.relayer.get_nonce().await.map_err(node_error)?;
        if let Some(charge) = charge {
            // Priced with the refund in it (its amount changes nothing of the cost).
            calls.push(transfer_call(charge.token.address, account, charge.signed));
        }
        let execution = self.relayer.execute_v3(calls.clone()).nonce(nonce).tip(0);
        let fee = execution
            .estimate_fee()
            .await
            .map_err(|e| SponsorError::Execution(e.to_string()))?;
        if let Some(charge) = charge {
            let required = charge
                .token
                .from_fri(pricing::scaled(fee.overall_fee, pricing::REQUIRED_PERMILLE));
            if charge.signed < required {
                return Err(SponsorError::Execution(format!(
                    "max amount of gas token too low. Expected at least {required:#x}"
                )));
            }
            calls.pop();
            let refund = charge.signed - required;
            if refund > 0 {
                calls.push(transfer_call(charge.token.address, account, refund));
            }
        }
        let bounds = FeeBounds::from_estimate(&fee);
        let worst = bounds.worst_fee();
        if worst > self.max_fee {
            return Err(SponsorError::FeeOverCap {
                fee: worst,
                cap: self.max_fee,
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
            .map_err(|e| SponsorError::Execution(e.to_string()))?;
        Ok(sent.transaction_hash)
    }

    /// Whether the node answers.
    pub async fn is_available(&self) -> bool {
        self.provider.chain_id().await.is_ok()
    }
}
