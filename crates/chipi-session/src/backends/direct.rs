//! Direct INVOKE v3 transactions, paid by the account itself: the owner signs with `[r, s]`, a
//! session key with `[pk, r, s, valid_until]` over the session message hash.

use async_trait::async_trait;
use starknet_accounts::{
    Account, AccountError, ExecutionEncoding, ExecutionV3, SingleOwnerAccount,
};
use starknet_core::types::{BlockId, BlockTag, Call, FeeEstimate, Felt};
use starknet_providers::jsonrpc::JsonRpcClientError;
use starknet_providers::{JsonRpcClient, ProviderError};
use starknet_signers::LocalWallet;

use crate::backends::session_account::SessionAccount;
use crate::backends::unsettled::{DirectState, Ledger};
use crate::backends::{ExecutionBackend, ExecutionFee, Signer, SubmitContext};
use crate::chain::node_client::NodeClient;
use crate::chain::transport::{BoundedTransport, TransportError};
use crate::error::SessionError;
use crate::wallet_type::DirectMessage;

/// Sends transactions straight to a node; the account pays the fee.
#[derive(Debug)]
pub struct DirectBackend {
    provider: JsonRpcClient<BoundedTransport>,
    chain_id: Felt,
    /// The wallet's unsettled executions: a transfer signed through a paymaster or the Chipi
    /// API is not signed again here, and a session's direct send is written down with its hash
    /// and nonce until its receipt is read (in memory only without the wallet's ledger). Both
    /// are settled on `node`.
    ledger: Ledger,
    node: NodeClient,
    /// Whether a session may sign a message that leaves the fee fields unsigned (the published
    /// CHIPI classes): a node holding it could resubmit it with a large tip. Off unless the
    /// user turns it on.
    unsigned_fees_allowed: bool,
}

/// Why a session on the direct path of a class that does not sign fees is refused.
pub const UNSIGNED_FEES_REFUSAL: &str = "this account's session message leaves the fee unsigned, \
     so a node could resubmit it with a large tip: use a paymaster, or allow the direct path \
     without signed fees in Settings";

impl DirectBackend {
    /// A backend sending to the node at `rpc_url` on `chain_id`, through the hardened client
    /// (each request given up after 30 s, no redirect, answers read up to a bound).
    pub fn new(rpc_url: &str, chain_id: Felt) -> Result<Self, SessionError> {
        Self::with_timeout(rpc_url, chain_id, std::time::Duration::from_secs(30))
    }

    /// [`Self::new`] giving up each request after `timeout`.
    pub fn with_timeout(
        rpc_url: &str,
        chain_id: Felt,
        timeout: std::time::Duration,
    ) -> Result<Self, SessionError> {
        let _: starknet_providers::Url = rpc_url
            .parse()
            .map_err(|_| SessionError::InvalidConfig("the node address is not a URL".into()))?;
        Ok(Self {
            provider: JsonRpcClient::new(BoundedTransport::new(rpc_url, timeout)),
            chain_id,
            ledger: Ledger::new(chain_id),
            node: NodeClient::new(rpc_url).with_timeout(timeout),
            unsigned_fees_allowed: false,
        })
    }

    /// Shares the wallet's `ledger` (its gasless execution settled on `node` before a session
    /// signs here; its direct sends written down where the ledger has a journal).
    #[must_use]
    pub fn with_ledger(mut self, ledger: Ledger, node: NodeClient) -> Self {
        self.ledger = ledger;
        self.node = node;
        self
    }

    /// Lets a session sign a direct message that leaves the fee fields unsigned (the user
    /// turned it on, warned).
    #[must_use]
    pub fn allowing_unsigned_fees(mut self, allowed: bool) -> Self {
        self.unsigned_fees_allowed = allowed;
        self
    }
}

/// What a failed send becomes: a node that could not be reached, answered a server error or
/// too much is the transport's own error (`Network`, `Unavailable`, `Busy`, `InvalidResponse`:
/// nothing ran, try again); a node that refused the transaction is `Reverted` with its reason.
fn send_error<S: std::error::Error + Send + Sync + 'static>(e: AccountError<S>) -> SessionError {
    if let AccountError::Provider(ProviderError::Other(inner)) = e {
        let inner: Box<dyn std::error::Error + Send + Sync> = inner;
        return match inner.downcast::<JsonRpcClientError<TransportError>>() {
            Ok(failed) => match *failed {
                JsonRpcClientError::TransportError(TransportError::Node(error)) => error,
                other => rejected(&other),
            },
            Err(other) => rejected(&*other),
        };
    }
    if let AccountError::Provider(ProviderError::RateLimited) = e {
        return SessionError::Busy {
            service: "node".into(),
        };
    }
    rejected(&e)
}

/// Whether the node answered that it will not take the transaction (a Starknet error naming
/// why, other than an unexpected one): only then can a kept send be dropped.
fn refused_for_sure<S>(e: &AccountError<S>) -> bool {
    matches!(
        e,
        AccountError::Provider(ProviderError::StarknetError(error))
            if !matches!(error, starknet_core::types::StarknetError::UnexpectedError(_))
    )
}

/// `execution` with the gas and prices of `estimate`, each half again (the margin starknet-rs
/// gives a transaction it estimates itself), so its hash is known before it is sent.
fn bounded<'a, A>(
    execution: ExecutionV3<'a, A>,
    estimate: &FeeEstimate,
) -> Result<ExecutionV3<'a, A>, SessionError> {
    let gas = |consumed: u64| (consumed as f64 * 1.5) as u64;
    let price = |price: u128| {
        u64::try_from(price)
            .map(|p| (p as f64 * 1.5) as u128)
            .map_err(|_| SessionError::InvalidResponse("node: a gas price out of range".into()))
    };
    Ok(execution
        .l1_gas(gas(estimate.l1_gas_consumed))
        .l1_gas_price(price(estimate.l1_gas_price)?)
        .l2_gas(gas(estimate.l2_gas_consumed))
        .l2_gas_price(price(estimate.l2_gas_price)?)
        .l1_data_gas(gas(estimate.l1_data_gas_consumed))
        .l1_data_gas_price(price(estimate.l1_data_gas_price)?))
}

/// A node's refusal: its words, with those of every error under them.
fn rejected(e: &dyn std::error::Error) -> SessionError {
    let mut reason = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        let words = cause.to_string();
        if !reason.contains(&words) {
            reason = format!("{reason}: {words}");
        }
        source = cause.source();
    }
    SessionError::Reverted {
        transaction_hash: None,
        reason,
    }
}

#[async_trait]
impl ExecutionBackend for DirectBackend {
    fn name(&self) -> &'static str {
        "direct"
    }

    async fn quote(&self, _account: Felt, _calls: &[Call]) -> Result<ExecutionFee, SessionError> {
        Ok(ExecutionFee::AccountPaysGas)
    }

    async fn submit(
        &self,
        account: Felt,
        calls: &[Call],
        signer: Signer<'_>,
        context: SubmitContext,
    ) -> Result<Felt, SessionError> {
        if signer.is_session() {
            if context.direct_message == DirectMessage::SessionMessage
                && !self.unsigned_fees_allowed
            {
                return Err(SessionError::InvalidConfig(UNSIGNED_FEES_REFUSAL.into()));
            }
            // Signed elsewhere and maybe run: never signed again here; still valid, it must
            // expire (or run) before other calls go.
            if let Some(previous) = self
                .ledger
                .settle_outside(&self.node, account, calls)
                .await?
            {
                return Err(SessionError::PreviousExecutionPending {
                    execute_before: previous.built.outside_execution.execute_before,
                });
            }
        }
        let asked = calls;
        let mut nonce = context.nonce;
        if signer.is_session() {
            // What the chain says of the session's earlier direct sends that had no definite
            // outcome: one that ran is not sent again; while one may still run, the next is
            // signed with its nonce, so at most one of them runs.
            match self.ledger.settle_direct(&self.node, account).await? {
                DirectState::Settled(Some(ran)) if ran == asked => {
                    return Err(SessionError::AlreadyExecuted)
                }
                DirectState::Unknown(kept) if kept.iter().any(|c| c == asked) => {
                    return Err(SessionError::DirectOutcomeUnknown)
                }
                DirectState::Settled(_) | DirectState::Unknown(_) => nonce = None,
                DirectState::MayRun { nonce: kept, .. } => nonce = Some(kept),
                DirectState::Nothing => {}
            }
            if nonce.is_none() {
                nonce = Some(self.node.nonce(account).await?);
            }
        }
        let calls = calls.to_vec();
        let sent = match signer {
            Signer::Owner(key) => {
                let wallet = LocalWallet::from(key.signing_key());
                let mut owner = SingleOwnerAccount::new(
                    &self.provider,
                    wallet,
                    account,
                    self.chain_id,
                    ExecutionEncoding::New,
                );
                owner.set_block_id(BlockId::Tag(BlockTag::PreConfirmed));
                let mut execution = owner.execute_v3(calls).tip(0);
                if let Some(nonce) = nonce {
                    execution = execution.nonce(nonce);
                }
                execution.send().await.map_err(send_error)?
            }
            Signer::Session { key, valid_until } => {
                let nonce = nonce.unwrap_or_default();
                let session = SessionAccount::new(
                    &self.provider,
                    account,
                    self.chain_id,
                    key.signing_key(),
                    valid_until,
                )
                .signing(context.direct_message);
                // No tip: the account refuses a session transaction with one (the key holder
                // must not be able to spend the balance in fees).
                let execution = session.execute_v3(calls).tip(0).nonce(nonce);
                let estimate = execution.estimate_fee().await.map_err(send_error)?;
                let prepared = bounded(execution, &estimate)?
                    .prepared()
                    .map_err(|_| SessionError::InvalidConfig("an unprepared transaction".into()))?;
                let hash = prepared.transaction_hash(false);
                // Written down with its hash before it goes: whatever happens to the answer (or
                // the app), it is settled by its receipt before anything else is signed here.
                // Our class signs the transaction hash, which binds the fee fields: it can run
                // under this hash only.
                let binding = context.direct_message == DirectMessage::TransactionHash;
                self.ledger
                    .keep_direct(account, nonce, asked, hash, binding)?;
                tracing::info!(hash = %format_args!("{hash:#x}"), nonce = %nonce, "direct session transaction signed and kept");
                match prepared.send().await {
                    // Answered: kept until its receipt is read ([`Self::settled`]).
                    Ok(sent) => sent,
                    // Refused by the node in so many words: it cannot run.
                    Err(e) if refused_for_sure(&e) => {
                        let refused = send_error(e);
                        tracing::warn!(hash = %format_args!("{hash:#x}"), error = %refused, "the node refused it");
                        self.ledger.drop_direct(hash);
                        return Err(refused);
                    }
                    // No answer, a server error, an answer that does not read: it may have gone.
                    Err(e) => {
                        let error = send_error(e);
                        tracing::warn!(hash = %format_args!("{hash:#x}"), error = %error, "no definite answer: kept");
                        return Err(error);
                    }
                }
            }
        };
        Ok(sent.transaction_hash)
    }

    fn settled(&self) {
        self.ledger.forget_direct();
    }

    fn uses_account_nonce(&self) -> bool {
        true
    }

    fn round_trips(&self) -> u64 {
        0
    }
}
