//! Direct INVOKE v3 transactions, paid by the account itself: the owner signs with `[r, s]`, a
//! session key with `[pk, r, s, valid_until]` over the session message hash.

use async_trait::async_trait;
use starknet_accounts::{Account, AccountError, ExecutionEncoding, SingleOwnerAccount};
use starknet_core::types::{BlockId, BlockTag, Call, Felt};
use starknet_providers::jsonrpc::JsonRpcClientError;
use starknet_providers::{JsonRpcClient, Provider, ProviderError};
use starknet_signers::LocalWallet;

use crate::backends::session_account::SessionAccount;
use crate::backends::unsettled::{DirectSend, Ledger};
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
    /// API is not signed again here (settled on `node`), and a session's direct send without an
    /// answer is written down with its nonce (in memory only without the wallet's ledger).
    ledger: Ledger,
    node: Option<NodeClient>,
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
            .map_err(|_| SessionError::InvalidConfig(format!("not a URL: {rpc_url}")))?;
        Ok(Self {
            provider: JsonRpcClient::new(BoundedTransport::new(rpc_url, timeout)),
            chain_id,
            ledger: Ledger::new(chain_id),
            node: None,
            unsigned_fees_allowed: false,
        })
    }

    /// Shares the wallet's `ledger` (its gasless execution settled on `node` before a session
    /// signs here; its direct sends written down where the ledger has a journal).
    #[must_use]
    pub fn with_ledger(mut self, ledger: Ledger, node: NodeClient) -> Self {
        self.ledger = ledger;
        self.node = Some(node);
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
fn send_error<S: std::fmt::Debug>(e: AccountError<S>) -> SessionError {
    if let AccountError::Provider(ProviderError::Other(inner)) = e {
        let inner: Box<dyn std::error::Error + Send + Sync> = inner;
        return match inner.downcast::<JsonRpcClientError<TransportError>>() {
            Ok(failed) => match *failed {
                JsonRpcClientError::TransportError(TransportError::Node(error)) => error,
                other => rejected(&other),
            },
            Err(other) => rejected(&other),
        };
    }
    if let AccountError::Provider(ProviderError::RateLimited) = e {
        return SessionError::Busy {
            service: "node".into(),
        };
    }
    rejected(&e)
}

fn rejected(e: &dyn std::fmt::Debug) -> SessionError {
    SessionError::Reverted {
        transaction_hash: None,
        reason: format!("{e:?}"),
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
            if let Some(node) = &self.node {
                if let Some(previous) = self.ledger.settle_outside(node, account, calls).await? {
                    return Err(SessionError::PreviousExecutionPending {
                        execute_before: previous.built.outside_execution.execute_before,
                    });
                }
            }
        }
        let asked = calls;
        let mut nonce = context.nonce;
        if signer.is_session() {
            if let Some(previous) = self.ledger.direct_send_of(account, asked) {
                // The same calls sent before without an answer: if the account's nonce moved past
                // the one they were signed with, they ran and are not sent again; if not, they
                // are signed again with that nonce, so at most one of the two can run.
                let now = self
                    .provider
                    .get_nonce(BlockId::Tag(BlockTag::PreConfirmed), account)
                    .await
                    .map_err(|e| send_error::<()>(AccountError::Provider(e)))?;
                if now > previous {
                    self.ledger.forget_direct();
                    return Err(SessionError::AlreadyExecuted);
                }
                nonce = Some(previous);
            } else if nonce.is_none() {
                nonce = Some(
                    self.provider
                        .get_nonce(BlockId::Tag(BlockTag::PreConfirmed), account)
                        .await
                        .map_err(|e| send_error::<()>(AccountError::Provider(e)))?,
                );
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
                let mut execution = session.execute_v3(calls).tip(0);
                if let Some(nonce) = nonce {
                    execution = execution.nonce(nonce);
                    // Written down before it goes: whatever happens to the answer (or the app),
                    // the same calls are signed again only with this nonce.
                    self.ledger.keep_direct(DirectSend {
                        account,
                        calls: asked.to_vec(),
                        nonce,
                    })?;
                }
                match execution.send().await.map_err(send_error) {
                    // Answered (a hash), or refused by the node: it did not run. Anything else
                    // (no answer, a server error, a lost answer) may have: kept.
                    Ok(sent) => {
                        self.ledger.forget_direct();
                        sent
                    }
                    Err(refused @ SessionError::Reverted { .. }) => {
                        self.ledger.forget_direct();
                        return Err(refused);
                    }
                    Err(error) => return Err(error),
                }
            }
        };
        Ok(sent.transaction_hash)
    }

    fn uses_account_nonce(&self) -> bool {
        true
    }

    fn round_trips(&self) -> u64 {
        0
    }
}
