//! The paymaster client's public types: its API key, what it builds and relays, deployments.

use super::*;

/// A paymaster API key; never printed.
#[derive(Clone)]
pub struct ApiKey(pub(super) zeroize::Zeroizing<String>);

impl ApiKey {
    /// Wraps `key`.
    pub fn new(key: impl Into<String>) -> Self {
        Self(zeroize::Zeroizing::new(key.into()))
    }
}

impl std::fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ApiKey(<redacted>)")
    }
}

/// A token a paymaster takes fees in (`paymaster_getSupportedTokens`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SupportedToken {
    /// The ERC-20.
    pub address: Felt,
    /// Its decimals.
    pub decimals: u8,
    /// One whole token in fri (10^-18 STRK).
    pub price_in_strk: u128,
}

/// The outside execution a paymaster built for the user to sign.
#[derive(Debug, Clone)]
pub struct BuiltInvoke {
    /// The typed data as the paymaster returned it (sent back unchanged but for a raised fee
    /// call).
    pub typed_data: Value,
    /// The same, parsed and checked against the calls asked for.
    pub outside_execution: OutsideExecution,
    /// Its SNIP-12 hash for the user's account: what the user signs.
    pub message_hash: Felt,
}

/// What `paymaster_executeTransaction` answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Relayed {
    /// The paymaster's id for this request, when it gives one other than `0x0` (the public
    /// server never does).
    pub tracking_id: Option<Felt>,
    /// The relayer's transaction: what is followed on the node.
    pub transaction_hash: Felt,
}

impl From<ExecuteAnswer> for Relayed {
    fn from(answer: ExecuteAnswer) -> Self {
        Self {
            tracking_id: answer.tracking_id.filter(|id| *id != Felt::ZERO),
            transaction_hash: answer.transaction_hash,
        }
    }
}

/// Data to deploy an account (`ACCOUNT_DEPLOYMENT_DATA`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountDeployment {
    /// The counterfactual address.
    pub address: Felt,
    /// The account class.
    pub class_hash: Felt,
    /// Deployment salt.
    pub salt: Felt,
    /// Constructor calldata.
    pub calldata: Vec<Felt>,
}

impl AccountDeployment {
    /// The spec's shape.
    pub fn to_wire(&self) -> DeploymentData {
        DeploymentData {
            address: self.address,
            class_hash: self.class_hash,
            salt: self.salt,
            calldata: self.calldata.clone(),
            version: 1,
            sigdata: None,
        }
    }

    /// The JSON shape of the spec.
    pub fn to_json(&self) -> Value {
        serde_json::to_value(self.to_wire()).unwrap_or_default()
    }
}

impl From<DeploymentData> for AccountDeployment {
    fn from(data: DeploymentData) -> Self {
        Self {
            address: data.address,
            class_hash: data.class_hash,
            salt: data.salt,
            calldata: data.calldata,
        }
    }
}

impl FeeMode {
    /// The paymaster's `fee_mode` (no tip: the relayer picks it, and the user's fee covers it).
    pub fn to_wire(self) -> WireFeeMode {
        match self {
            FeeMode::Sponsored => WireFeeMode::Sponsored { tip: None },
            FeeMode::Gasless { gas_token, .. } => WireFeeMode::Default {
                gas_token,
                tip: None,
            },
        }
    }
}
