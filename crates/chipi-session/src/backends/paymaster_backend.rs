//! The SNIP-29 paymaster as an execution backend: two round trips to it per execution, one to
//! the node.

use async_trait::async_trait;
use starknet_core::types::{Call, Felt};

use crate::backends::outside_check::FeeMode;
use crate::backends::paymaster::{AccountDeployment, PaymasterClient};
use crate::backends::{ExecutionBackend, ExecutionFee, Signer, SubmitContext};
use crate::error::SessionError;

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
        context: SubmitContext,
    ) -> Result<Felt, SessionError> {
        Ok(self
            .submit_invoke(
                account,
                calls,
                context.now,
                signer.is_session(),
                context.max_fee,
                |hash| signer.sign(hash),
            )
            .await?
            .transaction_hash)
    }

    async fn quote(&self, account: Felt, calls: &[Call]) -> Result<ExecutionFee, SessionError> {
        Ok(match self.fee_mode() {
            FeeMode::Sponsored => ExecutionFee::Sponsored,
            FeeMode::Gasless { gas_token, .. } => ExecutionFee::InToken {
                token: gas_token,
                amount: self.quote_fee(account, calls, gas_token).await?,
            },
        })
    }

    fn worst_fee_call(&self) -> Option<Call> {
        PaymasterClient::worst_fee_call(self)
    }

    fn settled(&self) {
        PaymasterClient::settled(self);
    }

    async fn deploy(
        &self,
        deployment: &AccountDeployment,
        signature: &[Felt],
    ) -> Result<Felt, SessionError> {
        Ok(PaymasterClient::deploy(self, deployment, signature)
            .await?
            .transaction_hash)
    }

    fn round_trips(&self) -> u64 {
        PaymasterClient::round_trips(self)
    }
}
