//! Direct INVOKE v3 transactions, paid by the account itself: the owner signs with `[r, s]`, a
//! session key with `[pk, r, s, valid_until]` over the session message hash.

use async_trait::async_trait;
use starknet_accounts::{Account, ExecutionEncoding, SingleOwnerAccount};
use starknet_core::types::{BlockId, BlockTag, Call, Felt};
use starknet_providers::JsonRpcClient;
use starknet_signers::LocalWallet;

use crate::backends::session_account::SessionAccount;
use crate::backends::{ExecutionBackend, ExecutionFee, Signer, SubmitContext};
use crate::chain::transport::BoundedTransport;
use crate::error::SessionError;

/// Sends transactions straight to a node; the account pays the fee.
#[derive(Debug)]
pub struct DirectBackend {
    provider: JsonRpcClient<BoundedTransport>,
    chain_id: Felt,
}

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
        })
    }
}

fn send_error(e: impl std::fmt::Debug) -> SessionError {
    let text = format!("{e:?}");
    SessionError::Reverted {
        transaction_hash: None,
        reason: text,
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
        let nonce = context.nonce;
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
                }
                execution.send().await.map_err(send_error)?
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
