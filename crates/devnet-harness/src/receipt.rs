//! Waiting for a transaction and reading its outcome.

use std::time::{Duration, Instant};

use starknet::core::types::{
    Event, ExecutionResult, Felt, StarknetError, TransactionReceipt,
    TransactionReceiptWithBlockInfo,
};
use starknet::providers::{Provider, ProviderError};

use crate::error::HarnessError;

/// What a transaction did on chain.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The transaction hash.
    pub hash: Felt,
    /// `None` when it succeeded, the revert reason when it reverted.
    pub revert_reason: Option<String>,
    /// The events it emitted.
    pub events: Vec<Event>,
}

impl Outcome {
    /// Whether execution succeeded.
    pub fn succeeded(&self) -> bool {
        self.revert_reason.is_none()
    }
}

/// Polls for the receipt of `hash` (every 100 ms, at most 30 s).
pub async fn wait_for_receipt<P: Provider + Sync>(
    provider: &P,
    hash: Felt,
) -> Result<Outcome, HarnessError> {
    let limit = Duration::from_secs(30);
    let started = Instant::now();
    loop {
        match provider.get_transaction_receipt(hash).await {
            Ok(TransactionReceiptWithBlockInfo { receipt, .. }) => {
                return Ok(outcome(hash, receipt))
            }
            Err(ProviderError::StarknetError(StarknetError::TransactionHashNotFound)) => {}
            Err(e) => return Err(e.into()),
        }
        if started.elapsed() > limit {
            return Err(HarnessError::NoReceipt(hash, limit));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn outcome(hash: Felt, receipt: TransactionReceipt) -> Outcome {
    let (result, events) = match receipt {
        TransactionReceipt::Invoke(r) => (r.execution_result, r.events),
        TransactionReceipt::Declare(r) => (r.execution_result, r.events),
        TransactionReceipt::DeployAccount(r) => (r.execution_result, r.events),
        TransactionReceipt::Deploy(r) => (r.execution_result, r.events),
        TransactionReceipt::L1Handler(r) => (r.execution_result, r.events),
    };
    let revert_reason = match result {
        ExecutionResult::Succeeded => None,
        ExecutionResult::Reverted { reason } => Some(reason),
    };
    Outcome {
        hash,
        revert_reason,
        events,
    }
}
