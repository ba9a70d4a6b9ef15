//! The local Starknet wallet API: apps and agents on this machine ask the wallet for accounts,
//! the chain and executions in the Starknet wallet API's JSON-RPC shapes, over HTTP or a
//! WebSocket on 127.0.0.1. An app pairs once (the user approves its name, origin and session
//! policy) and gets a pairing token, kept here only as a hash; every later request carries it.
//! What a request may do is the wallet's decision ([`WalletBackend`]); this crate is the door:
//! the `Host` and `Origin` checks, the token, the rate limit, the wire format and the errors'
//! codes.

pub mod backend;
pub mod error;
pub mod gate;
pub mod methods;
pub mod policy;
pub mod rate;
pub mod server;
pub mod token;
pub mod wire;

pub use backend::{App, PairRequest, Paired, WalletBackend, WalletEvent};
pub use error::ApiError;
pub use policy::SessionPolicy;
pub use server::{start, ApiConfig, Running};
pub use token::{PairingToken, TokenHash};
