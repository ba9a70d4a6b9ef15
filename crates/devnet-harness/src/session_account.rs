//! Declaring our account classes (the session account, and the CHIPI-layout test account) on a
//! devnet and deploying fresh instances of them.

use std::sync::Arc;

use contract_build::{
    session_account_artifacts, Artifacts, CHIPI_LAYOUT_ACCOUNT_NAME, CHIPI_V33_LAYOUT_ACCOUNT_NAME,
    SESSION_ACCOUNT_NAME,
};
use starknet::accounts::{Account, AccountFactory, OpenZeppelinAccountFactory};
use starknet::core::types::contract::{AbiEntry, AbiStruct, SierraClass};
use starknet::core::types::{BlockId, BlockTag, Felt, StarknetError};
use starknet::providers::{Provider, ProviderError};
use starknet::signers::{LocalWallet, SigningKey};

use crate::devnet::{Devnet, OwnerAccount};
use crate::error::HarnessError;
use crate::receipt::wait_for_receipt;

/// STRK (in fri) minted to every new account so it can pay its own fees.
pub const INITIAL_STRK: u128 = 1_000 * 10u128.pow(18);

/// A freshly deployed session account and its owner.
#[derive(Debug)]
pub struct DeployedSessionAccount {
    /// The account address.
    pub address: Felt,
    /// The owner key.
    pub owner_key: SigningKey,
    /// The account driven by its owner key.
    pub owner: OwnerAccount,
}

impl Devnet {
    /// Declares the committed session account class (once per node) with predeployed account 0
    /// and returns its class hash.
    pub async fn declare_session_account(&self) -> Result<Felt, HarnessError> {
        self.declare_committed(SESSION_ACCOUNT_NAME).await
    }

    /// Declares the CHIPI-layout test account class (once per node).
    pub async fn declare_chipi_layout_account(&self) -> Result<Felt, HarnessError> {
        self.declare_committed(CHIPI_LAYOUT_ACCOUNT_NAME).await
    }

    /// Declares the v33-like CHIPI-layout test class (once per node).
    pub async fn declare_chipi_v33_layout_account(&self) -> Result<Felt, HarnessError> {
        self.declare_committed(CHIPI_V33_LAYOUT_ACCOUNT_NAME).await
    }

    /// Declares the CHIPI-layout test class again under another class hash (its ABI names one
    /// more, unused struct; the code is the same): an account class the wallet's table does
    /// not list, speaking the CHIPI interface, as an older or newer CHIPI version would.
    pub async fn declare_chipi_layout_variant(&self, variant: usize) -> Result<Felt, HarnessError> {
        self.declare_variant(CHIPI_LAYOUT_ACCOUNT_NAME, variant)
            .await
    }

    /// Deploys an account of [`Self::declare_chipi_layout_variant`]'s class.
    pub async fn deploy_chipi_layout_variant(
        &self,
        variant: usize,
        owner_key: SigningKey,
    ) -> Result<DeployedSessionAccount, HarnessError> {
        let class_hash = self.declare_chipi_layout_variant(variant).await?;
        self.deploy_account_of(class_hash, owner_key, Felt::from(7u8))
            .await
    }

    /// Declares the committed class `name` of `contracts/artifacts` (once per node).
    async fn declare_committed(&self, name: &str) -> Result<Felt, HarnessError> {
        self.declare_variant(name, 0).await
    }

    /// Declares `name`, its ABI with a `variant` struct added (0: as committed).
    async fn declare_variant(&self, name: &str, variant: usize) -> Result<Felt, HarnessError> {
        let artifacts = Artifacts::new(&session_account_artifacts(), name);
        let hashes = artifacts.read_hashes()?;
        let mut class: SierraClass = serde_json::from_str(&artifacts.read_sierra()?)?;
        if variant > 0 {
            // One more (unused) struct in the ABI: another class hash, the same code.
            class.abi.push(AbiEntry::Struct(AbiStruct {
                name: format!("chipi_layout_account::Variant{variant}"),
                members: vec![],
            }));
        }
        let flat = class
            .flatten()
            .map_err(|e| HarnessError::Transaction(e.to_string()))?;
        let class_hash = flat.class_hash();
        match self
            .provider()
            .get_class(BlockId::Tag(BlockTag::PreConfirmed), class_hash)
            .await
        {
            Ok(_) => return Ok(class_hash),
            Err(ProviderError::StarknetError(StarknetError::ClassHashNotFound)) => {}
            Err(e) => return Err(e.into()),
        }
        let deployer = self.predeployed(0).await?;
        let result = deployer
            .declare_v3(Arc::new(flat), hashes.compiled_class_hash)
            .send()
            .await
            .map_err(|e| HarnessError::Transaction(format!("declare: {e}")))?;
        let outcome = wait_for_receipt(self.provider(), result.transaction_hash).await?;
        if let Some(reason) = outcome.revert_reason {
            return Err(HarnessError::Transaction(format!(
                "declare reverted: {reason}"
            )));
        }
        Ok(result.class_hash)
    }

    /// Declares the class if needed, funds the counterfactual address with STRK and deploys a
    /// session account owned by a new random key with a `DEPLOY_ACCOUNT` transaction.
    pub async fn deploy_session_account(&self) -> Result<DeployedSessionAccount, HarnessError> {
        self.deploy_session_account_with(SigningKey::from_random(), Felt::from(7u8))
            .await
    }

    /// Like [`Self::deploy_session_account`] with a given owner key and salt.
    pub async fn deploy_session_account_with(
        &self,
        owner_key: SigningKey,
        salt: Felt,
    ) -> Result<DeployedSessionAccount, HarnessError> {
        let class_hash = self.declare_session_account().await?;
        self.deploy_account_of(class_hash, owner_key, salt).await
    }

    /// Declares the CHIPI-layout test class if needed and deploys an account of it.
    pub async fn deploy_chipi_layout_account(
        &self,
        owner_key: SigningKey,
    ) -> Result<DeployedSessionAccount, HarnessError> {
        let class_hash = self.declare_chipi_layout_account().await?;
        self.deploy_account_of(class_hash, owner_key, Felt::from(7u8))
            .await
    }

    /// Declares the v33-like test class if needed and deploys an account of it.
    pub async fn deploy_chipi_v33_layout_account(
        &self,
        owner_key: SigningKey,
    ) -> Result<DeployedSessionAccount, HarnessError> {
        let class_hash = self.declare_chipi_v33_layout_account().await?;
        self.deploy_account_of(class_hash, owner_key, Felt::from(7u8))
            .await
    }

    /// Funds the counterfactual address and deploys an account of `class_hash` (constructor
    /// `(public_key)`) owned by `owner_key`.
    async fn deploy_account_of(
        &self,
        class_hash: Felt,
        owner_key: SigningKey,
        salt: Felt,
    ) -> Result<DeployedSessionAccount, HarnessError> {
        let factory = OpenZeppelinAccountFactory::new(
            class_hash,
            self.chain_id(),
            LocalWallet::from(owner_key.clone()),
            self.provider().clone(),
        )
        .await
        .map_err(|e| HarnessError::Transaction(e.to_string()))?;
        let deployment = factory.deploy_v3(salt);
        let address = deployment.address();
        self.mint_strk(address, INITIAL_STRK).await?;
        let result = deployment
            .send()
            .await
            .map_err(|e| HarnessError::Transaction(format!("deploy account: {e}")))?;
        let outcome = wait_for_receipt(self.provider(), result.transaction_hash).await?;
        if let Some(reason) = outcome.revert_reason {
            return Err(HarnessError::Transaction(format!(
                "deploy reverted: {reason}"
            )));
        }
        let owner = self.owner_account(address, owner_key.clone());
        debug_assert_eq!(owner.address(), address);
        Ok(DeployedSessionAccount {
            address,
            owner_key,
            owner,
        })
    }
}
