//! A starknet-rs [`Account`] that sends INVOKE v3 transactions signed by a session key: the
//! direct, fee-paying session path. The session key signs the transaction hash, so the fee
//! fields (tip, resource bounds) are bound by the signature; a fee estimate is signed as a
//! query transaction, whose hash differs, so the signature a node sees while estimating cannot
//! be submitted.

use async_trait::async_trait;
use starknet_accounts::{
    Account, ConnectedAccount, ExecutionEncoder, RawDeclarationV3, RawExecutionV3,
};
use starknet_core::types::{Call, Felt};
use starknet_providers::Provider;
use starknet_signers::{SignerInteractivityContext, SigningKey};

use crate::error::SessionError;
use crate::session::hash::session_message_hash;
use crate::session::signature::SessionSignature;
use crate::wallet_type::DirectMessage;

/// An account contract driven by one of its session keys.
#[derive(Debug)]
pub struct SessionAccount<P> {
    provider: P,
    address: Felt,
    chain_id: Felt,
    key: SigningKey,
    valid_until: u64,
    message: DirectMessage,
}

impl<P> SessionAccount<P> {
    /// A session account at `address` on `chain_id`, signing with `key` whose session expires at
    /// `valid_until`.
    pub fn new(
        provider: P,
        address: Felt,
        chain_id: Felt,
        key: SigningKey,
        valid_until: u64,
    ) -> Self {
        Self {
            provider,
            address,
            chain_id,
            key,
            valid_until,
            message: DirectMessage::TransactionHash,
        }
    }

    /// Signs `message` instead of the transaction hash (the published CHIPI classes check
    /// [`session_message_hash`], which leaves the fee fields unsigned).
    pub fn signing(mut self, message: DirectMessage) -> Self {
        self.message = message;
        self
    }
}

impl<P> ExecutionEncoder for SessionAccount<P> {
    fn encode_calls(&self, calls: &[Call]) -> Vec<Felt> {
        let mut data = vec![Felt::from(calls.len())];
        for call in calls {
            data.push(call.to);
            data.push(call.selector);
            data.push(Felt::from(call.calldata.len()));
            data.extend_from_slice(&call.calldata);
        }
        data
    }
}

#[async_trait]
impl<P: Provider + Sync + Send> Account for SessionAccount<P> {
    type SignError = SessionError;

    fn address(&self) -> Felt {
        self.address
    }

    fn chain_id(&self) -> Felt {
        self.chain_id
    }

    async fn sign_execution_v3(
        &self,
        execution: &RawExecutionV3,
        query_only: bool,
    ) -> Result<Vec<Felt>, SessionError> {
        let hash = match self.message {
            DirectMessage::TransactionHash => {
                execution.transaction_hash(self.chain_id, self.address, query_only, self)
            }
            DirectMessage::SessionMessage => session_message_hash(
                self.address,
                self.chain_id,
                execution.nonce(),
                self.valid_until,
                execution.calls(),
            ),
        };
        Ok(SessionSignature::sign(&self.key, hash, self.valid_until)?.to_felts())
    }

    async fn sign_declaration_v3(
        &self,
        _declaration: &RawDeclarationV3,
        _query_only: bool,
    ) -> Result<Vec<Felt>, SessionError> {
        Err(SessionError::DeclareNotAllowed)
    }

    fn is_signer_interactive(&self, _context: SignerInteractivityContext<'_>) -> bool {
        false
    }
}

impl<P: Provider + Sync + Send> ConnectedAccount for SessionAccount<P> {
    type Provider = P;

    fn provider(&self) -> &P {
        &self.provider
    }
}
