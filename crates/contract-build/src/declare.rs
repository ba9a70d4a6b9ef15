//! Declares a committed class on a network, for an operator with a funded account: what makes
//! our session account usable on Sepolia or mainnet (it is declared on neither). The account
//! signs a `DECLARE` v3 carrying the Blake2s compiled class hash (what Starknet ≥ 0.14.1 and
//! devnet expect); a class already declared is reported and nothing is sent.

use std::sync::Arc;
use std::time::Duration;

use starknet_accounts::{Account, ExecutionEncoding, SingleOwnerAccount};
use starknet_core::types::contract::SierraClass;
use starknet_core::types::{BlockId, BlockTag, Felt, StarknetError};
use starknet_providers::jsonrpc::HttpTransport;
use starknet_providers::{JsonRpcClient, Provider, ProviderError};
use starknet_signers::{LocalWallet, SigningKey};

use crate::artifacts::Artifacts;
use crate::error::BuildError;

/// What a declaration did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Declared {
    /// The class hash (the committed one).
    pub class_hash: Felt,
    /// The `DECLARE` transaction, or `None` when the class was declared already.
    pub transaction_hash: Option<Felt>,
}

fn failed(e: impl std::fmt::Display) -> BuildError {
    BuildError::Declare(e.to_string())
}

/// Declares the class of `artifacts` on the node at `rpc_url` from `account` (an OpenZeppelin-
/// style account signing `[r, s]` with `key`), and waits up to five minutes for its receipt.
pub async fn declare(
    rpc_url: &str,
    account: Felt,
    key: Felt,
    artifacts: &Artifacts,
) -> Result<Declared, BuildError> {
    let hashes = artifacts.read_hashes()?;
    let url: url::Url = rpc_url.parse().map_err(failed)?;
    let provider = JsonRpcClient::new(HttpTransport::new(url));
    match provider
        .get_class(BlockId::Tag(BlockTag::PreConfirmed), hashes.class_hash)
        .await
    {
        Ok(_) => {
            return Ok(Declared {
                class_hash: hashes.class_hash,
                transaction_hash: None,
            })
        }
        Err(ProviderError::StarknetError(StarknetError::ClassHashNotFound)) => {}
        Err(e) => return Err(failed(e)),
    }
    let chain_id = provider.chain_id().await.map_err(failed)?;
    let class: SierraClass = serde_json::from_str(&artifacts.read_sierra()?)?;
    let flat = class.flatten().map_err(failed)?;
    let mut signer = SingleOwnerAccount::new(
        provider.clone(),
        LocalWallet::from(SigningKey::from_secret_scalar(key)),
        account,
        chain_id,
        ExecutionEncoding::New,
    );
    signer.set_block_id(BlockId::Tag(BlockTag::PreConfirmed));
    let sent = signer
        .declare_v3(Arc::new(flat), hashes.compiled_class_hash)
        .send()
        .await
        .map_err(failed)?;
    for _ in 0..300 {
        match provider
            .get_transaction_receipt(sent.transaction_hash)
            .await
        {
            Ok(_) => {
                return Ok(Declared {
                    class_hash: sent.class_hash,
                    transaction_hash: Some(sent.transaction_hash),
                })
            }
            Err(ProviderError::StarknetError(StarknetError::TransactionHashNotFound)) => {
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
            Err(e) => return Err(failed(e)),
        }
    }
    Err(failed(format!(
        "no receipt for {:#x} after five minutes",
        sent.transaction_hash
    )))
}
