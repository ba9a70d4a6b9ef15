//! Deploying accounts: only with the owner's signature over the deployment, only of a class
//! the sponsor knows, at the address the deployment data computes.

use super::*;

impl Sponsor {
    /// The owner's signature over the deployment ([`deployment_authorization`]), checked with
    /// the public key the constructor is given (the first calldata felt of every class served).
    fn check_deployment_signature(
        &self,
        deployment: &AccountDeployment,
        signature: Option<&[Felt]>,
    ) -> Result<(), SponsorError> {
        let Some(&owner) = deployment.calldata.first() else {
            return Err(SponsorError::InvalidDeploymentData);
        };
        let hash = deployment_authorization(self.chain_id, deployment.address);
        signature_checked(matches!(signature, Some(&[r, s]) if ecdsa_valid(owner, hash, r, s)))
    }

    /// Checks deployment data: a supported class, the address it states, signed by the owner
    /// key it is given, not yet deployed.
    pub async fn check_deployment(
        &self,
        deployment: &AccountDeployment,
        signature: Option<&[Felt]>,
    ) -> Result<(), SponsorError> {
        if !WalletType::from_class_hash(deployment.class_hash)
            .is_some_and(WalletType::supports_sessions)
        {
            return Err(SponsorError::ClassHashNotSupported);
        }
        let address = get_contract_address(
            deployment.salt,
            deployment.class_hash,
            &deployment.calldata,
            Felt::ZERO,
        );
        if address != deployment.address {
            return Err(SponsorError::InvalidDeploymentData);
        }
        self.check_deployment_signature(deployment, signature)?;
        if !self.allowed.is_empty() && !self.allowed.contains(&address) {
            return Err(SponsorError::InvalidAddress);
        }
        match self
            .provider
            .get_class_hash_at(BlockId::Tag(BlockTag::PreConfirmed), address)
            .await
        {
            Ok(_) => Err(SponsorError::InvalidDeploymentData),
            Err(ProviderError::StarknetError(StarknetError::ContractNotFound)) => Ok(()),
            Err(e) => Err(node_error(e)),
        }
    }

    /// Deploys the account through the Universal Deployer (not unique, so the address is the
    /// one a `DEPLOY_ACCOUNT` would give); the relayer pays, once the owner's `signature` over
    /// the deployment is checked.
    pub async fn execute_deploy(
        &self,
        deployment: &AccountDeployment,
        signature: Option<&[Felt]>,
    ) -> Result<Felt, SponsorError> {
        self.check_deployment(deployment, signature).await?;
        let mut calldata = vec![
            deployment.class_hash,
            deployment.salt,
            Felt::ZERO,
            Felt::from(deployment.calldata.len()),
        ];
        calldata.extend_from_slice(&deployment.calldata);
        self.submit(
            deployment.address,
            deployment.address,
            vec![Call {
                to: UDC,
                selector: selector("deployContract"),
                calldata,
            }],
            None,
        )
        .await
    }
}
