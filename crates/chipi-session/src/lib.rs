//! Session keys for CHIPI-compatible Starknet accounts.
//!
//! This crate holds what a client needs to use a session key with the project's session account
//! (and any CHIPI account): the message a session key signs for a direct INVOKE
//! ([`session_message_hash`]), the SNIP-9 v2 outside execution and its SNIP-12 hash
//! ([`OutsideExecution`]), the signature layout the account expects ([`SessionSignature`]), the
//! account's entrypoints ([`entrypoint`]) and a starknet-rs [`Account`](starknet_accounts::Account)
//! that sends INVOKE transactions signed by a session key ([`SessionAccount`]).
//! It has no dependency on any UI framework.
//!
//! The modules follow what they are about: [`keys`] (private keys, sealing under the PIN, the
//! SDK's formats), [`chain`] (the node client, receipts, the session status read), [`backends`]
//! (how signed calls reach the chain: a SNIP-29 paymaster, Chipi's API, a direct INVOKE) and
//! [`session`] (the manager and what it is built from: state, registration, preflight checks,
//! spending policies, the session signature).

pub mod amount;
pub mod backends;
pub mod chain;
pub mod clock;
pub mod entrypoint;
pub mod error;
pub mod keys;
pub mod network;
pub mod parse;
pub mod rules;
pub mod session;
pub mod typed_data;
pub mod wallet;
pub mod wallet_type;

pub use amount::{format_amount, parse_amount};
pub use backends::chipi_api::ChipiApiClient;
pub use backends::direct::DirectBackend;
pub use backends::outside_check::FeeMode;
pub use backends::outside_execution::OutsideExecution;
pub use backends::paymaster::PaymasterClient;
pub use backends::session_account::SessionAccount;
pub use backends::{ExecutionBackend, ExecutionFee, Signer, SubmitContext};
pub use chain::node_client::{ChainSnapshot, IncomingTransfer, NodeClient, Polling};
pub use chain::status::SessionStatus;
pub use clock::{Clock, ManualClock, SystemClock};
pub use error::{BoxError, SessionError};
pub use keys::sealed_secret::{KdfParams, SealedSecret};
pub use keys::secret_key::SecretKey;
pub use keys::session_key_data::SessionKeyData;
pub use keys::wrapping_key::WrappingKey;
pub use network::{Network, Token};
pub use parse::{parse_address, parse_felt, parse_selector};
pub use session::hash::session_message_hash;
pub use session::manager::{Executed, ManagerConfig, PolicySpec, RegisterParams, SessionManager};
pub use session::policies::SpendingPolicy;
pub use session::record::{NoStore, SessionRecord, SessionStore, UncheckedPolicies};
pub use session::registration::{
    allow_session_calls_call, register_session_call, revoke_session_call,
};
pub use session::signature::SessionSignature;
pub use session::state::{LocalSession, SessionState};
pub use session::view::SessionView;
pub use typed_data::TypedData;
pub use wallet::{UnlockedOwner, Wallet};
pub use wallet_type::WalletType;
