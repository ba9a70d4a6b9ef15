//! One interface over the ways a signed set of calls reaches the chain: a SNIP-29 paymaster,
//! Chipi's hosted API, or a direct fee-paying INVOKE; and what each of them needs (SNIP-9 outside
//! executions and the checks made on a paymaster's answer before signing).

pub mod chipi_api;
pub mod direct;
pub mod outside_check;
pub mod outside_execution;
pub mod paymaster;
pub mod paymaster_backend;
pub mod session_account;
pub mod snip29;
pub mod unconfigured;
pub mod unsettled;

use async_trait::async_trait;
use starknet_core::types::{Call, Felt};

use crate::backends::paymaster::AccountDeployment;
use crate::error::SessionError;
use crate::keys::secret_key::SecretKey;
use crate::session::signature::SessionSignature;
use crate::wallet_type::DirectMessage;

/// Who signs: the owner (`[r, s]`) or a session key (`[pk, r, s, valid_until]`).
#[derive(Debug, Clone, Copy)]
pub enum Signer<'a> {
    /// The account's owner key.
    Owner(&'a SecretKey),
    /// A registered session key and its expiry.
    Session {
        /// The session private key.
        key: &'a SecretKey,
        /// The session's expiry, carried in the signature.
        valid_until: u64,
    },
}

impl Signer<'_> {
    /// The signature the account expects over `hash`.
    pub fn sign(&self, hash: Felt) -> Result<Vec<Felt>, SessionError> {
        match self {
            Signer::Owner(key) => {
                let signature = key.sign(&hash)?;
                Ok(vec![signature.r, signature.s])
            }
            Signer::Session { key, valid_until } => {
                Ok(SessionSignature::sign_secret(key, hash, *valid_until)?.to_felts())
            }
        }
    }

    /// Whether this is a session signature.
    pub fn is_session(&self) -> bool {
        matches!(self, Signer::Session { .. })
    }
}

/// What the manager knows when it submits: the last status read's account nonce and chain
/// time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SubmitContext {
    /// The account nonce from the last status read (the direct path uses it).
    pub nonce: Option<Felt>,
    /// Chain time now, as the manager estimates it (unix seconds).
    pub now: u64,
    /// What a session key signs on the direct path for the account's class.
    pub direct_message: DirectMessage,
    /// The most fee the user accepted for this execution (the quote they saw), in the gas
    /// token's base units: a gasless paymaster's fee call above it is refused. `None`: the
    /// backend's own bound.
    pub max_fee: Option<u128>,
}

/// What an execution through a backend will cost the account, asked before it is signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExecutionFee {
    /// Nothing: a sponsor pays.
    Sponsored,
    /// The network's fee, paid by the account itself (a direct INVOKE).
    AccountPaysGas,
    /// A paymaster's fee in a token, in its base units.
    InToken {
        /// The token.
        token: Felt,
        /// The amount asked.
        amount: u128,
    },
}

/// A way to get signed calls executed.
#[async_trait]
pub trait ExecutionBackend: Send + Sync + std::fmt::Debug {
    /// A short name for logs and the CLI (`paymaster`, `chipi-api`, `direct`).
    fn name(&self) -> &'static str;

    /// Gets `calls` from `account` signed by `signer` and submitted; returns the transaction hash.
    async fn submit(
        &self,
        account: Felt,
        calls: &[Call],
        signer: Signer<'_>,
        context: SubmitContext,
    ) -> Result<Felt, SessionError>;

    /// A call this backend may add to a session's calls to pay its fee, at the most the user
    /// accepts (a gasless paymaster's fee transfer); the manager counts it against the
    /// session's limits before signing.
    fn worst_fee_call(&self) -> Option<Call> {
        None
    }

    /// What executing `calls` from `account` will cost, asked before signing (a gasless
    /// paymaster is asked for its fee; nothing is signed).
    async fn quote(&self, account: Felt, calls: &[Call]) -> Result<ExecutionFee, SessionError> {
        let _ = (account, calls);
        Ok(ExecutionFee::Sponsored)
    }

    /// The last session execution submitted was confirmed on chain (its receipt holds its
    /// effect): a backend that remembers unsettled executions forgets it.
    fn settled(&self) {}

    /// Deploys an account, asked for with the owner's `signature` over
    /// [`paymaster::deployment_authorization`]; only backends that can pay for it support this.
    async fn deploy(
        &self,
        deployment: &AccountDeployment,
        signature: &[Felt],
    ) -> Result<Felt, SessionError> {
        let _ = (deployment, signature);
        Err(SessionError::Unsupported(format!(
            "{} cannot deploy accounts",
            self.name()
        )))
    }

    /// Whether executions through this backend consume the account's own nonce (true for
    /// direct INVOKEs; outside executions use their own nonces).
    fn uses_account_nonce(&self) -> bool {
        false
    }

    /// HTTP round trips this backend has made.
    fn round_trips(&self) -> u64;
}
