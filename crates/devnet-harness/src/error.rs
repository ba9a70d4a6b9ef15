/// Errors of the devnet harness.
#[derive(Debug, thiserror::Error)]
pub enum HarnessError {
    /// The devnet process could not be started.
    #[error("cannot start starknet-devnet ({0}); run the setup script or set STARKNET_DEVNET")]
    Spawn(std::io::Error),
    /// The node did not answer in time.
    #[error("starknet-devnet did not answer within {0:?} (log: {1})")]
    NotReady(std::time::Duration, String),
    /// An HTTP or JSON-RPC call to the node failed.
    #[error("devnet RPC {method}: {message}")]
    Rpc {
        /// The method called.
        method: String,
        /// What went wrong.
        message: String,
    },
    /// A starknet-rs provider call failed.
    #[error("provider: {0}")]
    Provider(#[from] starknet::providers::ProviderError),
    /// Sending a transaction failed.
    #[error("transaction: {0}")]
    Transaction(String),
    /// A transaction was not accepted in time.
    #[error("transaction {0:#x} has no receipt after {1:?}")]
    NoReceipt(starknet::core::types::Felt, std::time::Duration),
    /// Reading the committed contract artifacts failed.
    #[error("artifacts: {0}")]
    Artifacts(#[from] contract_build::BuildError),
    /// JSON (de)serialisation failed.
    #[error("json: {0}")]
    Json(#[from] serde_json::Error),
}
