//! The SNIP-29 paymaster as an execution backend: sponsored, two round trips per execution.

use async_trait::async_trait;
use starknet_core::types::{Call, Felt};

use crate::backend::{ExecutionBackend, Signer};
use crate::error::SessionError;
use crate::paymaster::{AccountDeployment, PaymasterClient};

#[async_trait]
impl ExecutionBackend for PaymasterClient {
    fn name(&self) -> &'static str {
        "paymaster"
    }

    async fn submit(
        &self,
        account: Felt,
        calls: &[Call],
        signer: Signer<'_>,
        _nonce: Option<Felt>,
    ) -> Result<Felt, SessionError> {
        let built = self.build_invoke(account, calls).await?;
        let signature = signer.sign(built.message_hash)?;
        Ok(self
            .execute_invoke(account, &built, &signature)
            .await?
            .transaction_hash)
    }

    async fn deploy(&self, deployment: &AccountDeployment) -> Result<Felt, SessionError> {
        Ok(PaymasterClient::deploy(self, deployment)
            .await?
            .transaction_hash)
    }

    fn round_trips(&self) -> u64 {
        PaymasterClient::round_trips(self)
    }
}
