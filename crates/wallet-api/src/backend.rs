//! What the door asks the wallet: who holds a token, the user's answer to a pairing, and each
//! method's result for a paired app. The wallet service implements it; the checks of what an
//! app's session allows live there, beside the Send screen's.

use async_trait::async_trait;

use crate::error::ApiError;
use crate::policy::SessionPolicy;
use crate::token::TokenHash;
use crate::wire::{DeploymentData, InvokeCall};

/// A paired app, as the door knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct App {
    /// The wallet's id for it (stable, not secret).
    pub id: String,
    /// The name it gave when it paired.
    pub name: String,
    /// The browser `Origin` it paired from; `None` for a program outside a browser.
    pub origin: Option<String>,
}

/// An app asking to pair: what the user is shown before approving.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PairRequest {
    /// The name the app gives itself (shown as the app's claim).
    pub name: String,
    /// The request's `Origin`. A browser sets it and pages cannot change it, but a program on
    /// this machine can send any: the approval shows it as the app's claim, not as verified.
    pub origin: Option<String>,
    /// The session it asks for.
    pub policy: SessionPolicy,
    /// Whether calls outside the policy may be put to the user (signed with the owner key after
    /// the PIN) rather than refused.
    pub ask_outside: bool,
}

/// A pairing the user approved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paired {
    /// The app, now known by the token's hash.
    pub app: App,
    /// The account the app acts for.
    pub accounts: Vec<String>,
    /// The chain it is on.
    pub chain_id: String,
}

/// What a paired app's open WebSocket hears.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WalletEvent {
    /// `accountsChanged`: the wallet's account changed (another wallet opened, or none).
    AccountsChanged(Vec<String>),
    /// `networkChanged`: the user switched network.
    NetworkChanged {
        /// The new chain's id (hex).
        chain_id: String,
        /// The account on it.
        accounts: Vec<String>,
    },
    /// The user revoked or disconnected this app: its connections close.
    AppRemoved(String),
}

impl WalletEvent {
    /// The event as an app not paired with the wallet now in use hears it: no account.
    pub fn without_accounts(&self) -> Self {
        match self {
            Self::AccountsChanged(_) => Self::AccountsChanged(vec![]),
            Self::NetworkChanged { chain_id, .. } => Self::NetworkChanged {
                chain_id: chain_id.clone(),
                accounts: vec![],
            },
            Self::AppRemoved(id) => Self::AppRemoved(id.clone()),
        }
    }
}

/// The wallet behind the API.
#[async_trait]
pub trait WalletBackend: Send + Sync + 'static {
    /// The paired app holding the token whose hash this is.
    fn app(&self, token: &TokenHash) -> Option<App>;
    /// Puts the pairing to the user (and on approval registers the app's session); `token` is
    /// what the app will present from now on.
    async fn pair(&self, request: PairRequest, token: TokenHash) -> Result<Paired, ApiError>;
    /// The account `app` acts for.
    async fn accounts(&self, app: &App) -> Result<Vec<String>, ApiError>;
    /// The wallet's chain id (hex).
    async fn chain_id(&self) -> Result<String, ApiError>;
    /// What deploys the account, while it is not deployed.
    async fn deployment_data(&self, app: &App) -> Result<DeploymentData, ApiError>;
    /// Executes `calls` for `app`: within its session without a prompt, outside it refused (or
    /// put to the user when the app may ask). Answers the transaction hash.
    async fn add_invoke(&self, app: &App, calls: Vec<InvokeCall>) -> Result<String, ApiError>;
    /// Signs typed data the app's policy names.
    async fn sign_typed_data(
        &self,
        app: &App,
        typed_data: serde_json::Value,
    ) -> Result<Vec<String>, ApiError>;
}
